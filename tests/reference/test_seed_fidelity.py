"""Each misreading of a seed that issue 22 found, fixed, with the clause it follows.

Seeds: ../shared/seeds/ (S00 Beijing 2017, S01 Beijing 2026 draft, S02 Zhejiang, S03 Zhoushan 2018,
S04 Xinzhou 2024). Figures are exact (hand-computed) unless a tolerance is stated.
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.prevention import assess


def _unit(industry, sub_sector="none", **kw):
    row = {"policy_id": 1, "industry": industry, "size": "small", "headcount": 50, "sub_sector": sub_sector}
    row.update(kw)
    return pd.DataFrame([row])


def test_beijing_2026_fee_is_a_share_of_the_collected_premium_and_its_table_loads_the_2026_step():
    """S01 §三: 事故预防费用到2028年底达到实收保费的20% — 实收保费 is the premium collected (VAT included);
    the 2026 budget is the ramp's 2026 step, and the table prices that step (it loaded the 2028 target before)."""
    j = ajx.jurisdictions.load("beijing-2026")
    fs = j.fee_schedule()
    assert fs.base == "collected" and fs.years[0] == 2026 and fs.ratios[0] == pytest.approx(0.1667)
    assert j.rate_table().loadings["prevention_fee"] == pytest.approx(0.1667 * 1.06, abs=1e-4)
    priced = ajx.price(j.book(200, rng=1), j.rate_table())
    s = assess(priced, rules=j.prevention_rules(), **{**fs.assess_kwargs(), "years": 1}).summary
    assert s["total_budget"] == pytest.approx(0.1667 * priced["premium"].sum(), rel=1e-12)  # of the collected premium
    # and the table's own prevention budget is the same money
    assert priced["prevention_budget"].sum() == pytest.approx(s["total_budget"], rel=1e-3)


def test_xinzhou_fee_is_a_share_of_the_ex_vat_premium():
    """S04 §三(四): 不低于实收保费（不含税）15%."""
    fs = ajx.jurisdictions.load("xinzhou-2024").fee_schedule()
    assert fs.base == "ex_vat" and fs.floor == 0.15


def test_beijing_2017_is_priced_in_its_era():
    """S00 (2017-07-10) states no limit and predates N17; 五统一 (统一服务条款, S00 §(十)) means one
    product: every unit gets the 490 000 Beijing paid per death in 2017 (BJ17), not the 2026 formula."""
    j = ajx.jurisdictions.load("beijing-2017")
    b = j.book(300, rng=2)
    assert (b["limit_death"] == 490_000).all()
    assert "N17" not in j.data["limits"]["amount"]["source"] or "before" in j.data["limits"]["amount"]["source"]


def test_beijing_2017_no_claim_discount_looks_at_the_prior_year_only():
    """S00 §(十): 对上年度未出险的企业，下调保险费率 — a unit claim-free last year is discounted even if it had a
    fatal accident two years ago (the table used to look three years back through a fatal-accident rule)."""
    t = ajx.RateTable.load("beijing-2017")
    one = ajx.price(_unit("construction", limit_death=490_000, accidents_3y=1, deaths_3y=1, claim_free_years=1), t)
    fresh = ajx.price(_unit("construction", limit_death=490_000, accidents_3y=1, deaths_3y=0, claim_free_years=0), t)
    assert one["float_factor"].iloc[0] == pytest.approx(0.95 * fresh["float_factor"].iloc[0], rel=1e-12)


def test_zhoushan_fishing_is_mandatory_only_at_sea():
    """S03 §三: 海洋渔业 (marine fishing) is in scope; other fishing is not."""
    j = ajx.jurisdictions.load("zhoushan-2018")
    book = pd.concat([_unit("fishing", "marine_fishing"), _unit("fishing", "inland_fishing"), _unit("fishing")], ignore_index=True)
    book["policy_id"] = [1, 2, 3]
    assert j.classify(book).astype(str).tolist() == ["mandatory", "voluntary", "scope_unclear"]
    # the bundle's own book names sub-sectors, so the scope is determinable (37.5 % of units were not)
    assert (j.classify(j.book(5000, rng=3)) == "scope_unclear").sum() == 0


def test_zhoushan_discounts_good_credit_and_does_not_surcharge_the_blacklist():
    """S03 §四(三): 对……安全生产信用状况良好……的企业给予保险费率下浮 (a discount for good credit)."""
    f = ajx.RateTable.load("zhoushan-2018").factor("credit")
    assert f._lookup_scalar(False) == 0.95 and f._lookup_scalar(True) == 1.00


def test_xinzhou_chemical_industry_is_promoted_not_mandated():
    """S04 §一(一): 矿山、危险化学品…全面实施，在化工行业…全面推行 — hazardous chemicals mandatory, the chemical
    industry promoted."""
    j = ajx.jurisdictions.load("xinzhou-2024")
    book = pd.concat([_unit("hazardous_chemicals", "chemical_industry"), _unit("hazardous_chemicals", "hazchem_production")],
                     ignore_index=True)
    book["policy_id"] = [1, 2]
    assert j.classify(book).astype(str).tolist() == ["encouraged", "mandatory"]


def test_zhejiang_booking_clause_is_stated_as_booking():
    """S02 §二(五): 建设工程安责险保费应在工程造价中列支 says where the premium is booked, not how it is rated."""
    j = ajx.jurisdictions.load("zhejiang")
    text = " ".join(j.data["meta"]["assumed"])
    assert "booked" in text and "imported assumption" in text


def test_shanxi_preset_notes_the_promoted_trade_units():
    """S04 §一(一) names 工贸 units (粉尘涉爆、使用煤气发生炉、有限空间作业) where cover is promoted."""
    from ajx_actuarial.synth.presets import load_preset

    src = load_preset("shanxi-mining").doc["industry_mix"]["other"]["source"]
    assert "工贸" in src and "promoted" in src


def test_sub_sector_mix_is_validated():
    d = ajx.jurisdictions.load("zhoushan-2018").data
    import copy

    bad = copy.deepcopy(d)
    bad["sectors"]["sub_sector_mix"]["fishing"]["marine_fishing"]["value"] = 0.5
    with pytest.raises(ajx.ValidationError, match="sub_sector_mix.fishing: shares must sum to 1"):
        ajx.jurisdictions.Jurisdiction.from_dict(bad) if hasattr(ajx.jurisdictions, "Jurisdiction") else ajx.jurisdictions.load(bad)
    bad = copy.deepcopy(d)
    bad["sectors"]["sub_sector_mix"]["fishing"]["ships"] = {"value": 0.0, "source": "x", "flag": "assumption"}
    with pytest.raises(ajx.ValidationError, match="unknown code"):
        ajx.jurisdictions.Jurisdiction.from_dict(bad) if hasattr(ajx.jurisdictions, "Jurisdiction") else ajx.jurisdictions.load(bad)


def test_national_2025_bundle_cites_the_2025_measures():
    """应急〔2025〕27号 (N25) replaced 安监总办〔2017〕140号: minimum 400 000 (Art. 15), commission <= 5 % (Art. 14),
    prevention <= 21 % of the premium actually collected, all workers incl. temporary and dispatched (Art. 16)."""
    j = ajx.jurisdictions.load("national-2025")
    m = j.data["meta"]
    assert "应急〔2025〕27号" in m["title"] and "140号" in m["replaces"]
    text = " ".join(m["provisions"])
    for clause in ("Art. 14", "Art. 15", "Art. 16", "纯风险损失率", "不高于实际收取保费的21%"):
        assert clause in text, clause
    assert j.data["limits"]["minimum"]["value"] == 400_000 and j.data["insurer"]["max_commission"]["value"] == 0.05
    assert j.data["fee"]["cap"]["value"] == 0.21
    assert any(t == "the document's provisions and where each is encoded" for t, _ in j.describe())


@pytest.mark.parametrize("industry, sub, size, counts", [
    # S04 Annex 1: mines 2 risk assessments + 2 hazard inspections (one of them thorough) a year
    ("coal_mine", "none", "micro", {"risk_assessment": 2, "hazard_inspection": 1, "thorough_inspection": 1}),
    ("noncoal_mine", "tailings_pond", "micro", {"risk_assessment": 2, "hazard_inspection": 1, "thorough_inspection": 1}),
    ("noncoal_mine", "open_pit", "large", {"risk_assessment": 2, "hazard_inspection": 1, "thorough_inspection": 1}),
    # large and medium hazchem, fireworks, metallurgy: 1 + 1
    ("hazardous_chemicals", "hazchem_production", "large", {"risk_assessment": 1, "hazard_inspection": 1}),
    ("fireworks", "none", "medium", {"risk_assessment": 1, "hazard_inspection": 1}),
    ("metallurgy", "none", "large", {"risk_assessment": 1, "hazard_inspection": 1}),
])
def test_xinzhou_mandated_service_counts(industry, sub, size, counts):
    """S04 Annex 1 (service frequencies): mines incl. tailings ponds (非煤矿山（含尾矿库）) 2 + 2, large and medium
    hazchem / fireworks / metallurgy 1 + 1; the required cost is the counts times the default unit costs."""
    from ajx_actuarial.prevention import SERVICE_TYPES, CostTable

    book = _unit(industry, sub, size=size, limit_death=400_000, premium=100_000.0)
    bp = assess(book, rules="xinzhou-2024", fee_ratio=0.15).by_policy.iloc[0]
    got = {t: int(bp[f"n_{t}"]) for t in SERVICE_TYPES if bp[f"n_{t}"] > 0}
    assert got == counts
    ct = CostTable.load()  # central unit costs (DOMAIN.md §7.4), flat across industry and size
    assert not bool(bp["pooled_delivery"])
    assert bp["required_cost"] == pytest.approx(sum(n * ct.data["unit_cost"][t][0] for t, n in counts.items()), rel=1e-12)


@pytest.mark.parametrize("amount", [0, -490_000, float("inf"), 1e12, "490k"])
def test_a_fixed_limit_rule_refuses_an_absurd_amount(amount):
    import copy

    d = copy.deepcopy(ajx.jurisdictions.load("beijing-2017").data)
    d["limits"]["amount"]["value"] = amount
    with pytest.raises(ajx.ValidationError, match="limits.amount"):
        ajx.jurisdictions.Jurisdiction.from_dict(d)
