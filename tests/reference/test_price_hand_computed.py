"""Premiums matched to the cent against hand computation, for every packaged table.

Two independent references:
1. literal values worked by hand below (national-2025), with the arithmetic in comments;
2. a row-by-row pricer written from the TOML text alone (``tomllib``, no ajx code), applied
   to 14 policies per packaged table that together exercise every factor level.
"""

import math
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.rating import packaged_tables


def _book():
    rows = [
        # id, industry, size, headcount, std, viol, black, acc3, deaths3, cfy, rect, rescue, dual, tier, limit
        ("P01", "coal_mine", "medium", 300, 0, 0, False, 0, 0, 0, "on_time", False, False, "medium", 500_000),
        ("P02", "coal_mine", "large", 1500, 1, 0, False, 0, 0, 3, "on_time", True, True, "low", 800_000),
        ("P03", "noncoal_mine", "small", 120, 2, 1, False, 2, 0, 0, "late", False, False, "high", 400_000),
        ("P04", "hazardous_chemicals", "medium", 450, 3, 2, True, 1, 1, 0, "overdue_major", False, True, "high", 600_000),
        ("P05", "fireworks", "micro", 8, 0, 0, False, 0, 0, 1, "on_time", False, False, "medium", 400_000),
        ("P06", "civil_explosives", "small", 60, 1, 3, False, 3, 4, 0, "late", True, False, "medium", 500_000),
        ("P07", "metallurgy", "large", 2200, 2, 0, False, 1, 0, 2, "on_time", False, True, "low", 400_000),
        ("P08", "construction", "small", 45, 0, 1, True, 0, 0, 2, "overdue_major", False, False, "high", 400_000),
        ("P09", "transport", "micro", 11, 0, 0, False, 5, 12, 0, "on_time", True, False, "medium", 400_000),
        ("P10", "fishing", "micro", 3, 0, 0, False, 0, 0, 0, "on_time", False, False, "medium", 400_000),
        ("P11", "other", "micro", 5, 3, 0, False, 0, 0, 3, "on_time", False, True, "low", 400_000),
        ("P12", "other", "medium", 800, 1, 0, False, 1, 2, 1, "late", True, True, "medium", 1_000_000),
        ("P13", "construction", "medium", 301, 2, 5, True, 4, 3, 0, "overdue_major", False, False, "high", 900_000),
        ("P14", "transport", "small", 51, 0, 0, False, 1, 0, 0, "late", False, True, "low", 850_000),
        ("P15", "fishing", "small", 40, 0, 0, False, 5, 12, 0, "on_time", False, False, "medium", 1_500_000),
        ("P16", "metallurgy", "micro", 12, 0, 1, False, 2, 3, 0, "on_time", False, False, "medium", 3_200_000),
    ]
    cols = ["policy_id", "industry", "size", "headcount", "std_grade", "violations", "blacklisted", "accidents_3y",
            "deaths_3y", "claim_free_years", "rectification", "rescue_participation", "dual_prevention", "risk_tier", "limit_death"]
    df = pd.DataFrame(rows, columns=cols)
    # deaths in the worst single accident: as the 3-year total, except P15 (12 deaths in 5 accidents,
    # the worst killed 2: a general accident) and P16 (3 deaths in one larger accident)
    df["max_accident_deaths_3y"] = df["deaths_3y"]
    df.loc[df.policy_id == "P15", "max_accident_deaths_3y"] = 2
    return df


def _ilf(t, industry, limit, D):
    """Increased-limit factor from the TOML text: linear between the listed limits, proportional
    below the first, along the last segment above the last; L / reference without a schedule."""
    lim = t["limits"]
    ref = D(lim.get("reference_limit", lim["min_limit_death"]))
    spec = lim.get("ilf")
    L = D(limit)
    if spec is None:
        return L / ref
    xs = [D(x) for x in spec["limits"]]
    ys = [D(y) for y in spec["factors"].get(industry, spec["factors"].get("all"))]
    if L <= xs[0]:
        return ys[0] * L / xs[0]
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if L <= x1:
            return y0 + (y1 - y0) * (L - x0) / (x1 - x0)
    return ys[-1] + (ys[-1] - ys[-2]) / (xs[-1] - xs[-2]) * (L - xs[-1])


def _reference_premium(row, t):
    """Row-wise pricer written from the TOML format description only, in exact decimal
    arithmetic (as by hand), rounded half up to the cent (四舍五入):
    headcount × (reference limit × base rate × ILF(limit) + medical) × size factor × float."""
    D = lambda v: Decimal(str(v))  # noqa: E731
    br = t["base_rates"]
    rate = br["industry"][row.industry] * br.get("size", {}).get(row.size, 1.0)
    rate = br.get("grid", {}).get(row.industry, {}).get(row.size, rate)
    rate = D(rate) / 1000
    med = D(br.get("medical_grid", {}).get(row.industry, {}).get(row.size, br.get("medical", {}).get(row.industry, 0.0)))
    ref = D(t["limits"].get("reference_limit", t["limits"]["min_limit_death"]))
    per_head = ref * rate * _ilf(t, row.industry, row.limit_death, D) + med
    sf = t["size_factor"]
    size_factor = sf["factors"][-1]
    for bound, f in zip(sf["bands"], sf["factors"]):
        if row.headcount <= bound:
            size_factor = f
            break
    prod = Decimal(1)
    for spec in t.get("factors", {}).values():
        kind = spec["kind"]
        if kind == "categorical":
            m = spec["levels"][str(getattr(row, spec["column"]))]
        elif kind == "banded":
            v = getattr(row, spec["column"])
            m = spec["multipliers"][-1]
            for bound, mult in zip(spec["bands"], spec["multipliers"]):
                if v <= bound:
                    m = mult
                    break
        elif kind == "boolean":
            m = spec["true"] if getattr(row, spec["column"]) else spec.get("false", 1.0)
        else:  # history: graded on the worst single accident (default: the 3-year total)
            m = D(1)
            worst = getattr(row, "max_accident_deaths_3y", row.deaths_3y)
            if row.deaths_3y > 0 and "fatal" in spec and spec.get("basis", "claims") != "expected":
                grade = 0 if worst <= 2 else (1 if worst <= 9 else 2)  # a table without a fatal rule: claim-free years only
                m = D(spec["fatal"][grade])
            elif spec.get("basis", "claims") == "expected":
                # claims against the unit's expected claims: (k + N)/(k + E), E = 3 × headcount × claims per
                # worker-year of its industry, within the bounds; an unknown history (no claim, no claim-free year) is 1
                if row.accidents_3y > 0 or row.claim_free_years > 0:
                    k = D(spec["credibility"])
                    e = D(3) * D(int(row.headcount)) * D(spec["expected_per_worker"][row.industry])
                    lo, hi = (D(x) for x in spec["bounds"])
                    m = min(max((k + D(int(row.accidents_3y))) / (k + e), lo), hi)
                if row.deaths_3y > 0 and "fatal" in spec:  # a death charges at least its fatal load, never less than the ratio
                    grade = 0 if worst <= 2 else (1 if worst <= 9 else 2)
                    m = max(m, D(spec["fatal"][grade]))
            elif row.claim_free_years >= 1:
                m = D(spec["claim_free"][min(row.claim_free_years, len(spec["claim_free"])) - 1])
            elif row.accidents_3y > 0:
                m = D(spec["nonfatal_claim"])
        prod *= D(m)
    p = t["premium"]
    fl = min(max(prod, D(p["float_floor"])), D(p["float_cap"]))
    raw = D(int(row.headcount)) * per_head * D(size_factor) * fl
    prem = max(raw, D(p["min_premium"]))
    return float(prem.quantize(Decimal(1).scaleb(-p.get("decimals", 2)), rounding=ROUND_HALF_UP))


def _headcount_tables():
    out = []
    for name in packaged_tables():
        t = tomllib.loads(resources.files("ajx_actuarial.reference").joinpath("data", "tables", f"{name}.toml").read_text("utf-8"))
        if t.get("exposure_base", {}).get("kind", "headcount") == "headcount":
            out.append(name)
    return out  # tables priced per project cost or per tonne: tests/reference/test_exposure_bases.py


@pytest.mark.parametrize("name", _headcount_tables())
def test_every_table_matches_row_wise_reference_to_the_cent(name):
    t = tomllib.loads(resources.files("ajx_actuarial.reference").joinpath("data", "tables", f"{name}.toml").read_text("utf-8"))
    book = _book()
    priced = ajx.price(book, name, lift_limits=True)
    book["limit_death"] = priced["limit_death"]
    assert len(book) >= 12
    for row, got in zip(book.itertuples(index=False), priced["premium"]):
        want = _reference_premium(row, t)
        assert got == pytest.approx(want, abs=1e-6), (name, row.policy_id)  # to the cent, exactly
    # ex-VAT and prevention budget follow from the premium
    ld = t["loadings"]
    assert priced["premium_ex_vat"].to_numpy() == pytest.approx(priced["premium"].to_numpy() / (1 + ld["vat"]))
    assert priced["prevention_budget"].to_numpy() == pytest.approx(ld["prevention_fee"] * priced["premium_ex_vat"].to_numpy())


# Hand-worked values, national-2025 (numbers read off the TOML: limit-part base rate ‰ of the
# reference limit 400 000 by industry × size cell, the industry's ILF, the medical charge per head,
# neutral headcount factor 1.00, floating factors; the history factor compares a unit's claims N of
# three years with its expected claims E = 3 × headcount × the industry's claims per worker-year,
# (4 + N)/(4 + E) within [0.70, 1.30]; a fatal accident takes the Fuyang surcharge):
HAND = {
    # coal medium 300 workers, 500k, history unknown (no claim, no claim-free year: 1.00): limit part
    # 400 000 × 0.654503‰ = 261.8012 × ILF(500k) 1.25 = 327.2515; + medical 104.6139 = 431.8654 per head; × 300 = 129 559.62
    "P01": 129_559.62,
    # coal large 1500, 800k: 400 000 × 0.563893‰ = 225.5572 × ILF 2.00 = 451.1144 + 90.1310 = 541.2454 per head; × 1500 =
    # 811 868.10; history 3 claim-free years: E = 3 × 1500 × 0.021522 = 96.849, 4 / 100.849 = 0.0397 -> bound 0.70;
    # × grade 1 0.90 = 0.63 -> float floor 0.70 -> 568 307.67
    "P02": 568_307.67,
    # fireworks micro 8: 400 000 × 0.576216‰ = 230.4864 + 51.5307 = 282.0171 per head; × 8 = 2 256.1368;
    # one claim-free year: E = 3 × 8 × 0.011322 = 0.271728, 4 / 4.271728 = 0.936389 -> 2 112.62
    "P05": 2_112.62,
    # fishing micro 3, history unknown: 400 000 × 0.771325‰ = 308.53 + 48.0773 = 356.6073 per head; × 3 = 1 069.8219 -> 1 069.82
    "P10": 1_069.82,
    # other micro 5: 400 000 × 0.290225‰ = 116.09 + 36.0571 = 152.1471; × 5 = 760.7355; claim-free: E = 3 × 5 × 0.007804
    # = 0.11706, 4 / 4.11706 = 0.971567; × grade 3 0.96 = 0.932704 -> 709.54 (above the 500 minimum premium)
    "P11": 709.54,
    # hazchem medium 450, 600k: float 1.10 (fatal) × 0.96 × 1.10 × 1.10 × 1.15 = 1.469424 -> capped 1.30;
    # 400 000 × 0.389963‰ = 155.9852 × ILF 1.5 = 233.9778 + 45.7767 = 279.7545; × 450 = 125 889.525; × 1.30 = 163 656.38
    "P04": 163_656.38,
    # transport micro 11, 12 deaths in one accident (major+): 400 000 × 0.595491‰ = 238.1964 + 54.9795 = 293.1759;
    # × 11 = 3 224.9349; × 1.30 = 4 192.42
    "P09": 4_192.42,
    # fishing small 40, 1.5m: 12 deaths in 3 years but the worst accident killed 2 (general, load 1.10, not major+ 1.30);
    # against expected claims the 5 accidents give (4 + 5)/(4 + 3 × 40 × 0.011455 = 1.3746) = 1.6745, bounded at 1.30,
    # and a death charges the larger of the two: 1.30. ILF(1.5m) between 1.4m (3.0785887894) and 1.6m (3.2003401013):
    # 3.13946444535; 400 000 × 0.688363‰ = 275.3452 × 3.13946444535 = 864.4365 + 42.7788 = 907.2153 per head;
    # × 40 = 36 288.6106; × 1.30 = 47 175.19
    "P15": 47_175.19,
}


def test_hand_worked_national_2025():
    priced = ajx.price(_book(), "national-2025").set_index("policy_id")
    for pid, want in HAND.items():
        assert priced.loc[pid, "premium"] == pytest.approx(want, abs=0.005), pid
    assert not priced.loc["P11", "min_premium_applied"]
    assert priced.loc["P02", "float_factor"] == 0.70 and priced.loc["P02", "f_claim_history"] == 0.70
    assert priced.loc["P04", "float_factor"] == 1.30
    assert priced.loc["P04", "float_raw"] == pytest.approx(1.10 * 0.96 * 1.10 * 1.10 * 1.15)
    assert priced.loc["P15", "f_claim_history"] == 1.30 and priced.loc["P09", "f_claim_history"] == 1.30
    assert str(priced.loc["P01", "history_class"]) == "unknown" and str(priced.loc["P05", "history_class"]) == "claim-free"


def test_decomposition_columns_multiply_back():
    priced = ajx.price(ajx.synth.portfolio(5000, rng=2), "zhoushan-2018")
    fs = [c for c in priced.columns if c.startswith("f_")]
    prod = priced[fs].prod(axis=1)
    assert (prod - priced["float_raw"]).abs().max() < 1e-12
    recon = priced["headcount"] * (priced["limit_rate"] + priced["medical_rate"]) * priced["size_factor"] * priced["float_factor"]
    ok = ~priced["min_premium_applied"]
    assert ((recon[ok] - priced.loc[ok, "premium"]).abs() <= 0.005 + 1e-9).all()
    loads = priced[["prevention_budget", "commission", "admin_expense", "profit_margin", "levy", "expected_loss_allowance"]].sum(axis=1)
    assert loads.to_numpy() == pytest.approx(priced["premium_ex_vat"].to_numpy())
    assert math.isclose(priced["vat"].sum() + priced["premium_ex_vat"].sum(), priced["premium"].sum(), rel_tol=1e-12)
