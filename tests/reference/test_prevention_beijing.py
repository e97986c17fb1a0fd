"""Prevention worked examples from the Beijing seed texts, through the jurisdiction bundles.

Beijing 2017 (S00 §(十一)): a dedicated hidden-danger fund inside the prevention fee pays one
on-site hidden-danger inspection per insured unit a year. The 2017 pilot's figures (BJ17,
secondary; DOMAIN.md §2.3, §7.4): 21 370 insured units, 41.7338 m CNY premium, 6.2262 m CNY
prevention fee, 1 146 units inspected (5.4 %).

Beijing 2026 draft (S01 §三): the prevention fee reaches 20 % of collected premium by end-2028;
unused money is carried forward to the next year.

Every expected number is worked by hand in the comments (money to the cent, shares to 1e-4).
"""

import pandas as pd
import pytest

import ajx_actuarial as ajx


def _units(n, premium, industry="other", size="small", headcount=40):
    return pd.DataFrame({"policy_id": range(n), "industry": industry, "size": size, "headcount": headcount, "premium": float(premium)})


def test_beijing_2017_one_onsite_inspection_per_unit():
    b17 = ajx.jurisdictions.load("beijing-2017")
    rules = b17.prevention_rules()
    book = pd.DataFrame({"policy_id": [1, 2, 3], "industry": ["coal_mine", "other", "construction"], "size": ["large", "micro", "small"],
                         "headcount": [1500, 3, 60], "premium": [300_000.0, 500.0, 9_000.0]})
    r = ajx.prevention.assess(book, rules=rules, fee_ratio=b17.fee_schedule().as_mapping()).by_policy
    # every insured unit, whatever its sector or size: exactly one on-site hazard inspection and nothing else
    assert (r["n_hazard_inspection"] == 1).all()
    others = [c for c in r.columns if c.startswith("n_") and c != "n_hazard_inspection"]
    assert (r[others] == 0).all().all()
    assert r["required_cost"].tolist() == [5_000.0] * 3  # DOMAIN.md §7.4 default unit cost


def test_beijing_2017_pilot_fund_paid_for_1146_of_21370_units():
    """The pilot's 6.2262 m fee, pooled across its 21 370 units, paid for 1 146 inspections (5.36 %):
    6 226 200 / 1 146 = 5 432.98 CNY per inspection (DOMAIN.md §7.4: "≈ 5 430"). The fee is 14.92 %
    of the 41.7338 m premium (622.62 / 4 173.38); the pilot reports it on that premium, so the
    budget base here is the premium as reported (premium_ex_vat = premium)."""
    b17 = ajx.jurisdictions.load("beijing-2017")
    n, total_premium, fee_paid, inspected = 21_370, 41_733_800.0, 6_226_200.0, 1_146
    book = _units(n, total_premium / n).assign(premium_ex_vat=lambda d: d["premium"])
    ratio = fee_paid / total_premium
    assert round(ratio, 4) == 0.1492
    cost = fee_paid / inspected
    assert round(cost, 2) == 5_432.98
    res = ajx.prevention.assess(book, rules=b17.prevention_rules(), fee_ratio=ratio, costs={"hazard_inspection": cost}, pooling="insurer")
    s = res.summary
    assert s["total_budget"] == pytest.approx(fee_paid, rel=1e-12)
    assert s["total_required"] == pytest.approx(n * cost, rel=1e-12)
    assert s["total_spent"] / cost == pytest.approx(inspected, rel=1e-12)  # 1 146 inspections delivered
    assert s["total_spent"] / s["total_required"] == pytest.approx(1_146 / 21_370, abs=1e-12)  # 5.36 % of units
    # at the DOMAIN.md §7.4 default of 5 000 per inspection the same fund pays for 1 245 (5.83 %)
    at5000 = ajx.prevention.assess(book, rules=b17.prevention_rules(), fee_ratio=ratio, pooling="insurer").summary
    assert at5000["total_spent"] / 5_000 == pytest.approx(1_245.24, abs=0.01)


def test_beijing_2026_ramp_for_the_median_sme():
    """DOMAIN.md §7.4: a Beijing SME paying 2 000 CNY has 20 % × 2 000 / 1.06 = 377.36 a year for prevention,
    7.5 % of a 5 000 inspection. On the ramp: 2026 0.1667 × 2 000 / 1.06 = 314.53 (6.29 %); 2027
    0.1833 × 2 000 / 1.06 = 345.85 (6.92 %); 2028 377.36 (7.55 %)."""
    b26 = ajx.jurisdictions.load("beijing-2026")
    fs = b26.fee_schedule(start_year=2026)
    res = ajx.prevention.assess(_units(1, 2_000.0), rules=b26.prevention_rules(), fee_ratio=fs.as_mapping(), years=3,
                                start_year=2026, carry_forward=fs.carry_forward)
    by_year = res.by_year.set_index("year")
    assert by_year["budget"].round(2).tolist() == [314.53, 345.85, 377.36]
    assert (by_year["budget"] / 5_000).round(4).tolist() == [0.0629, 0.0692, 0.0755]
    # 100 such SMEs pooled over the three years (carry-forward): 100 × 1 037.74 = 103 773.58 -> 20.75 of 300 inspections
    pool = ajx.prevention.assess(_units(100, 2_000.0), rules=b26.prevention_rules(), fee_ratio=fs.as_mapping(), years=3,
                                 start_year=2026, carry_forward=True, pooling="insurer").summary
    assert round(pool["total_budget"], 2) == 103_773.58
    assert pool["total_spent"] / 5_000 == pytest.approx(20.755, abs=1e-3)


def test_beijing_2026_carry_forward_closes_a_later_gap():
    """A unit paying 32 000 a year, one inspection whose cost rises 10 % a year (5 000, 5 500, 6 050):
    budgets 0.1667 / 0.1833 / 0.20 × 32 000 / 1.06 = 5 032.45, 5 533.58, 6 037.74.
    Carried forward (S01): 2026 leaves 32.45; 2027 5 566.04 − 5 500 leaves 66.04; 2028 6 103.77 − 6 050 leaves
    53.77: funded every year. Lapsing instead: 2028 has 6 037.74 < 6 050, a shortfall of 12.26."""
    b26 = ajx.jurisdictions.load("beijing-2026")
    fs = b26.fee_schedule(start_year=2026)
    kw = dict(rules=b26.prevention_rules(), fee_ratio=fs.as_mapping(), years=3, start_year=2026, cost_inflation=0.10)
    carried = ajx.prevention.assess(_units(1, 32_000.0), carry_forward=True, **kw)
    lapsed = ajx.prevention.assess(_units(1, 32_000.0), carry_forward=False, **kw)
    c, l_ = carried.by_policy.loc[0], lapsed.by_policy.loc[0]
    assert round(c["budget"], 2) == round(5_032.45 + 5_533.58 + 6_037.74, 2)
    assert c["required_cost"] == pytest.approx(16_550.0)
    assert bool(c["funded"]) and c["shortfall"] == pytest.approx(0.0, abs=1e-9) and round(c["surplus"], 2) == 53.77
    assert not bool(l_["funded"]) and round(l_["shortfall"], 2) == 12.26
    assert round(l_["surplus"], 2) == 66.04  # the 2026 and 2027 surpluses lapse: 32.4528 + 33.5849
    # the same flows in the ledger of each regime (prevention.ledger): Beijing 2026 carries forward, and its expense is
    # the whole budget; under Zhejiang's / Xinzhou's 不得预提 (not_provisioned) the unspent budget lapses and the expense
    # is what was spent at cost
    # the bundle's own settings take the ratio of the collected premium (S01 §三: 实收保费, VAT included): budgets
    # 0.1667 / 0.1833 / 0.20 × 32 000 = 5 334.40, 5 865.60, 6 400.00; carried 334.40, 700.00, 1 050.00
    fs_kw = fs.assess_kwargs()
    assert fs_kw["ledger"] == "carry_forward" and fs_kw["fee_base"] == "collected"
    cy = ajx.prevention.assess(_units(1, 32_000.0), rules=b26.prevention_rules(), cost_inflation=0.10, **fs_kw).by_year.set_index("year")
    assert cy["budget"].round(2).tolist() == [5_334.40, 5_865.60, 6_400.00]
    assert cy["carried_out"].round(2).tolist() == [334.40, 700.00, 1_050.00] and cy["carried_in"].round(2).tolist() == [0.00, 334.40, 700.00]
    assert cy["lapsed"].tolist() == [0.0, 0.0, 0.0] and cy["expense"].to_numpy() == pytest.approx(cy["budget"].to_numpy())
    zj = ajx.jurisdictions.load("zhejiang")
    ny = ajx.prevention.assess(_units(1, 32_000.0), rules=b26.prevention_rules(), cost_inflation=0.10, fee_ratio=fs.as_mapping(), years=3,
                               start_year=2026, ledger=zj.ledger).by_year.set_index("year")
    assert ny["lapsed"].round(2).tolist() == [32.45, 33.58, 0.00] and ny["shortfall"].round(2).tolist() == [0.00, 0.00, 12.26]
    assert ny["expense"].to_numpy() == pytest.approx(ny["spent"].to_numpy())
    for led in (cy, ny):  # money conserved every year
        assert (led["budget"] + led["carried_in"]).to_numpy() == pytest.approx((led["spent"] + led["carried_out"] + led["lapsed"]).to_numpy())
