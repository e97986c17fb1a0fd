"""Every packaged jurisdiction bundle against hand computation and its seed text.

Per bundle: its rate table prices a hand-computed policy to the cent; its fee schedule, floor, cap
and ledger are what the seed says; the Zhejiang underwriting rule defers the units it names and
the book's totals move by exactly those units. Premiums of the tables the lead rebuilds from the
loss model (national-2025, beijing-2026, xinzhou-2024, zhoushan-2018) are computed by hand from
the TOML text (tomllib, exact decimals, a policy at the table's reference limit so the
increased-limit factor is 1 by definition); the premiums of the tables built for this issue
(beijing-2017, construction-shandong-2018) are literal numbers worked in the comments.
"""

import tomllib
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import pandas as pd
import pytest

import ajx_actuarial as ajx

D = lambda v: Decimal(str(v))  # noqa: E731


def _toml(table: str) -> dict:
    return tomllib.loads(resources.files("ajx_actuarial.reference").joinpath("data", "tables", f"{table}.toml").read_text("utf-8"))


def _factor(spec: dict, row: dict) -> Decimal:
    kind = spec["kind"]
    if kind == "categorical":
        return D(spec["levels"][str(row.get(spec["column"], spec.get("default")))])
    if kind == "boolean":
        return D(spec["true"]) if row.get(spec["column"], False) else D(spec.get("false", 1.0))
    if kind == "banded":
        v = row.get(spec["column"], 0)
        return D(next((m for b, m in zip(spec["bands"], spec["multipliers"]) if v <= b), spec["multipliers"][-1]))
    # history: fatal (worst accident) > claim-free years > non-fatal claim last year > 1; or, exposure-aware,
    # (k + N)/(k + E) within its bounds on a known history (E = 3 × headcount × claims per worker-year)
    worst, cfy, acc = row.get("max_accident_deaths_3y", 0), row.get("claim_free_years", 0), row.get("accidents_3y", 0)
    if worst > 0 and spec.get("fatal"):
        return D(spec["fatal"][min(0 if worst <= 2 else 1 if worst <= 9 else 2, len(spec["fatal"]) - 1)])
    if spec.get("basis", "claims") == "expected":
        if acc == 0 and cfy == 0:
            return D(1)
        k, e = D(spec["credibility"]), D(3) * D(row["headcount"]) * D(spec["expected_per_worker"][row["industry"]])
        lo, hi = (D(x) for x in spec["bounds"])
        return min(max((k + D(acc)) / (k + e), lo), hi)
    if cfy >= 1 and spec.get("claim_free"):
        return D(spec["claim_free"][min(cfy, len(spec["claim_free"])) - 1])
    if acc > 0:
        return D(spec.get("nonfatal_claim", 1.0))
    return D(1)


def _by_hand(table: str, row: dict) -> float:
    """headcount × (reference limit × rate‰ + medical) × size factor × clip(Π factors), half up to the cent."""
    t = _toml(table)
    br = t["base_rates"]
    rate = D(br["industry"][row["industry"]]) * D(br.get("size", {}).get(row["size"], 1.0))
    rate = D(br.get("grid", {}).get(row["industry"], {}).get(row["size"], rate))
    med = D(br.get("medical_grid", {}).get(row["industry"], {}).get(row["size"], br.get("medical", {}).get(row["industry"], 0.0)))
    ref = D(t["limits"].get("reference_limit", t["limits"]["min_limit_death"]))
    sf = t["size_factor"]
    size = D(next((f for b, f in zip(sf["bands"], sf["factors"]) if row["headcount"] <= b), sf["factors"][-1]))
    prod = Decimal(1)
    for spec in t.get("factors", {}).values():
        prod *= _factor(spec, row)
    p = t["premium"]
    fl = min(max(prod, D(p["float_floor"])), D(p["float_cap"]))
    ilf = D(1)
    spec = t["limits"].get("ilf")
    if "limit_death" in row and spec is not None:  # a listed limit of the TOML's schedule (no interpolation needed here)
        ilf = D(spec["factors"][row["industry"]][[float(x) for x in spec["limits"]].index(float(row["limit_death"]))])
    raw = D(row["headcount"]) * (ref * rate / 1000 * ilf + med) * size * fl
    return float(max(raw, D(p["min_premium"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


HAND_ROWS = {
    "national-2025": dict(industry="hazardous_chemicals", size="medium", headcount=450, std_grade=2, violations=1, rectification="late"),
    "beijing-2026": dict(industry="other", size="micro", headcount=8, claim_free_years=3, rescue_participation=True, rectification="on_time"),
    "xinzhou-2024": dict(industry="coal_mine", size="medium", headcount=300, std_grade=2, risk_tier="high", claim_free_years=1),
    "zhoushan-2018": dict(industry="transport", size="small", headcount=40, dual_prevention=True, risk_tier="low", accidents_3y=1),
}


@pytest.mark.parametrize("bundle", ["national-2025", "beijing-2026", "xinzhou-2024", "zhoushan-2018"])
def test_bundle_table_prices_a_policy_as_by_hand(bundle):
    j = ajx.jurisdictions.load(bundle)
    table = j.rate_table()
    row = HAND_ROWS[bundle]
    book = pd.DataFrame([{"policy_id": 1, **row, "limit_death": table.reference_limit}])
    got = float(ajx.price(book, table)["premium"].iloc[0])
    assert got == pytest.approx(_by_hand(table.name, row), abs=1e-6)


def test_beijing_2017_table_by_hand():
    j = ajx.jurisdictions.load("beijing-2017")
    t = j.rate_table()
    rows = [dict(industry="other", size="small", headcount=40, claim_free_years=1),
            dict(industry="other", size="small", headcount=40),
            dict(industry="construction", size="small", headcount=120, accidents_3y=1, deaths_3y=1, max_accident_deaths_3y=1),
            dict(industry="construction", size="small", headcount=120)]
    zero = dict(claim_free_years=0, accidents_3y=0, deaths_3y=0, max_accident_deaths_3y=0)
    book = pd.DataFrame([{"policy_id": k, **zero, **r, "limit_death": t.reference_limit} for k, r in enumerate(rows)])
    p = ajx.price(book, t)["premium"].tolist()
    assert p == pytest.approx([_by_hand("beijing-2017", r) for r in rows], abs=1e-6)
    # S00 §(十): a claim-free year lowers next year's rate (-5 %, assumption); the text names no surcharge after a claim
    assert p[0] == pytest.approx(round(p[1] * 0.95, 2), abs=0.011) and p[2] == p[3]


def test_zhejiang_table_by_hand():
    j = ajx.jurisdictions.load("zhejiang")
    book = pd.DataFrame({"policy_id": ["site", "shop"], "industry": ["construction", "other"], "size": ["small", "micro"],
                         "headcount": [60, 5], "project_cost": [30_000_000, None], "std_grade": [2, 0], "limit_death": [500_000, 400_000]})
    p = ajx.price(book, j.rate_table())
    # site at the SD18 cover of 500 000: 30 m in the 10-50 m band: 30 000 000 × 0.60‰ × 0.92 (grade 2) = 16 560.00, aggregate 42 m
    # shop: 5 workers per head from the TOML (its risk-based 'other' micro cell at the 400 000 reference limit)
    shop = _by_hand("construction-shandong-2018", dict(industry="other", size="micro", headcount=5, limit_death=400_000))
    assert p["premium"].tolist() == pytest.approx([16_560.00, shop], abs=1e-6)
    assert p.loc[0, "limit_annual"] == 42_000_000
    # at the national minimum of 400 000 the SD18 rate scales with the limit (ILF 0.8): 30 m × 0.60‰ × 0.8 × 0.92 = 13 248.00
    assert ajx.price(book.assign(limit_death=400_000), j.rate_table()).loc[0, "premium"] == pytest.approx(13_248.00, abs=1e-6)


# ---------------------------------------------------------------------- fee rules


@pytest.mark.parametrize("bundle", ["beijing-2017", "beijing-2026", "national-2025", "xinzhou-2024", "zhejiang", "zhoushan-2018"])
def test_national_cap_in_every_bundle(bundle):
    j = ajx.jurisdictions.load(bundle)
    assert j.fee_schedule(on_breach="flag").breaches.empty  # the bundle's own fee respects its rules
    with pytest.raises(ajx.ValidationError, match=r"fee_ratio: 0.22 in \d{4} is above the cap of 21% .*N24"):
        j.fee_schedule(fee_ratio=0.22)
    flagged = j.fee_schedule(fee_ratio=0.22, on_breach="flag")
    assert flagged.breaches["rule"].tolist() == ["cap"] and flagged.ratios.tolist() == [0.22]
    # the budget the bundle assesses in its first year is the one its table prices (loadings.prevention_fee, a share of
    # ex-VAT premium): Beijing's ratios are of the collected premium (S01 实收保费), so × 1.06 (issue 22: the 2026 table
    # loaded 20 % while the 2026 budget was 16.67 %)
    fs = j.fee_schedule()
    vat = 1.06 if fs.base == "collected" else 1.0
    assert fs.ratios[0] * vat == pytest.approx(j.rate_table().loadings["prevention_fee"], abs=1e-4)


def test_xinzhou_floor_15_percent_ex_vat():
    x = ajx.jurisdictions.load("xinzhou-2024")
    assert x.fee_schedule(fee_ratio=0.15).ratios.tolist() == [0.15]  # exactly the floor is allowed (不低于)
    with pytest.raises(ajx.ValidationError, match=r"0.1499 in 2024 is below the floor of 15% .*S04 §三\(四\), Annex 3 Art. 5.*on_breach='flag'"):
        x.fee_schedule(fee_ratio=0.1499)
    fl = x.fee_schedule(fee_ratio={2024: 0.05, 2025: 0.18}, years=2, on_breach="flag")
    assert fl.breaches[["year", "rule"]].values.tolist() == [[2024, "floor"]]
    assert x.ledger == "not_provisioned" and x.data["fee"]["base"] == "ex_vat"
    assert x.fee_schedule().it_cost == 300 and "信息系统" in x.data["fee"]["it_cost"]["source"]  # S04: the prevention-IT system counts
    # assess at the floor budgets 15 % of the ex-VAT premium: 120 000 gross -> 120 000 / 1.06 × 0.15 = 16 981.13
    unit = pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["medium"], "headcount": [300], "premium": [120_000.0]})
    r = ajx.prevention.assess(unit, rules=x.prevention_rules(), fee_ratio=x.fee_schedule().as_mapping()).by_policy.loc[0]
    assert round(r["budget"], 2) == 16_981.13 and r["required_cost"] == 33_000.00  # DOMAIN.md §7.4 worked example


def test_beijing_ramp_ledgers_and_earmark():
    b26 = ajx.jurisdictions.load("beijing-2026")
    fs = b26.fee_schedule(start_year=2026)
    assert fs.as_mapping() == {2026: 0.1667, 2027: 0.1833, 2028: 0.20}  # S01: 20 % of collected premium by end-2028
    assert fs.carry_forward and b26.ledger == "carry_forward"
    assert b26.sources().set_index("path").loc["fee.schedule[3]", "flag"] == "seed"
    assert ajx.jurisdictions.load("zhejiang").ledger == "not_provisioned"  # S02: 据实列支, 不得预提
    assert ajx.jurisdictions.load("zhoushan-2018").ledger == "provisioned"  # S03: 按规定比例提取
    b17 = ajx.jurisdictions.load("beijing-2017")
    assert b17.fee_schedule().earmark == "hazard_inspection"  # S00: 隐患排查专项资金
    assert b17.data["underwriting"]["must_accept"]  # S00 §(十): no refusal, selection or delay


def test_limit_rules():
    assert ajx.jurisdictions.load("beijing-2026").limit_policy().limit_death == pytest.approx(20 * 96_625 - 20 * 56_502)  # DOMAIN.md §4.2
    for name, floor in (("xinzhou-2024", 300_000), ("zhoushan-2018", 300_000), ("national-2025", 400_000), ("zhejiang", 400_000)):
        lp = ajx.jurisdictions.load(name).limit_policy()
        assert lp.limit_death is None and lp.floor == floor


# ---------------------------------------------------------------------- underwriting


def test_zhejiang_defers_overdue_major_hazards_and_the_totals_move_by_them():
    z = ajx.jurisdictions.load("zhejiang")
    book = pd.DataFrame({"policy_id": ["a", "b", "c", "d"], "industry": ["construction", "other", "transport", "other"], "size": "small",
                         "headcount": [40, 5, 12, 7], "rectification": ["overdue_major", "on_time", "late", "overdue_major"],
                         "project_cost": [20_000_000, None, None, None], "limit_death": 500_000})
    eff = ajx.jurisdictions.underwriting_effect(book, z)
    # premiums by hand: a 20 m × 0.60‰ = 12 000.00 (deferred); b, c, d per head from the TOML at its 500 000 reference
    # limit (the table has no rectification factor; d deferred)
    b, c, d = (_by_hand("construction-shandong-2018", dict(industry=i, size="small", headcount=h))
               for i, h in (("other", 5), ("transport", 12), ("other", 7)))
    assert eff.loc["offered", "premium"] == pytest.approx(12_000.00 + b + c + d, abs=1e-6)
    assert eff.loc["insured", "premium"] == pytest.approx(b + c, abs=1e-6)
    assert eff.loc["change", "premium"] == pytest.approx(-(12_000.00 + d), abs=1e-6)
    assert eff.loc["change", "policies"] == -2 and eff.loc["change", "workers"] == -47
    # one inspection per unit at 5 000 (the bundle's assumption): 20 000 offered, 10 000 insured
    assert eff.loc["offered", "prevention_required"] == 20_000 and eff.loc["insured", "prevention_required"] == 10_000
    assert eff.loc["change", "prevention_budget"] == pytest.approx(-0.20 * (12_000.00 + d) / 1.06)
    # the expected loss removed is the deferred units' own (exact engine, same table)
    t = z.rate_table()
    gone = ajx.expected_loss(ajx.price(book[book["rectification"] == "overdue_major"], t))["expected_loss"].sum()
    assert eff.loc["change", "expected_loss"] == pytest.approx(-gone, rel=1e-12)
    assert eff.loc["deferred, once rectified", "premium"] == pytest.approx(12_000.00 + d, abs=1e-6)


def test_beijing_2017_rates_are_risk_based_on_the_beijing_book():
    """The per-head rates of beijing-2017 (S00 publishes none) are built from the loss model on the 'beijing' book
    (tools/build_tables.py): the book's expected loss ratio is the table's permissible one within 2 points
    (the minimum premium lowers it a little)."""
    t = ajx.RateTable.load("beijing-2017")
    priced = ajx.price(ajx.synth.portfolio(40_000, preset="beijing", rng=11), t, lift_limits=True)
    lr = ajx.expected_loss(priced)["expected_loss"].sum() / priced["premium_ex_vat"].sum()
    assert abs(lr - t.expected_loss_ratio()) <= 0.02, lr


def test_beijing_2026_fast_payment_cases_match_the_loss_model():
    """S01: accidents with >= 2 deaths get a fast/advance payment within 48 h. The simulated number of
    policy-years with such an accident equals its exact expectation under the loss model (process risk only),
    Σ_i 1 − (1 + λ_i P(D >= 2) / r)^(−r) with λ_i = fatal rate × headcount × the model's relativity, r = 1/cv²
    (negative binomial counts thinned to the accidents with two or more deaths stay negative binomial; every
    unit has >= 2 workers so the headcount cap never binds below 2), within 4 Monte Carlo standard errors."""
    import numpy as np

    book = ajx.synth.portfolio(3000, rng=4, industry_mix={"coal_mine": 0.5, "construction": 0.5})
    book = book[book["headcount"] >= 2].reset_index(drop=True)
    priced = ajx.price(book, "national-2025")
    years = 1500
    m = ajx.LossModel.default().process_only()
    fp = ajx.jurisdictions.load("beijing-2026").fast_payments(ajx.simulate(priced, years, rng=5, events=True, model=m))
    assert fp.summary["min_deaths"] == 2 and fp.summary["hours"] == 48 and len(fp.by_year) == years
    p2 = float(np.asarray(m.cluster)[2:].sum())
    rel = m.relativity(ajx.validate_portfolio(priced))
    lam = m.rates()["fatal"].reindex(priced["industry"].astype(str)).to_numpy() * priced["headcount"].to_numpy() * rel
    r = 1 / m.frailty_cv**2
    exact = float((1 - (1 + lam * p2 / r) ** -r).sum())
    se = fp.by_year["cases"].std(ddof=1) / np.sqrt(years)
    assert abs(fp.summary["mean_cases"] - exact) < 4 * se, (fp.summary["mean_cases"], exact, se)
    assert 0 < fp.summary["share_of_insured_loss"] < 1 and fp.summary["p99_amount"] >= fp.summary["mean_amount"]
    with pytest.raises(ajx.ValidationError, match=r"states no fast-payment rule"):
        ajx.jurisdictions.load("xinzhou-2024").fast_payments(None)
    with pytest.raises(ajx.ValidationError, match=r"run ajx.simulate\(..., events=True\)"):
        ajx.jurisdictions.fast_payments(ajx.simulate(priced, 10, rng=1))
