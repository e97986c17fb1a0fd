"""DOMAIN.md §7.4 worked adequacy checks, reproduced exactly."""

import pandas as pd
import pytest

import ajx_actuarial as ajx


def test_coal_mine_300_workers_under_xinzhou():
    """'Coal mine, 300 workers: limit 500k, 0.8‰, so 120 000 CNY premium. Budget at 15 % ≈ 17 000.
    Xinzhou requires 2 assessments + 2 inspections (1 detailed) ≈ 8 000 × 2 + 5 000 + 12 000 = 33 000,
    a shortfall. At 21 % ≈ 23 800, still short.'"""
    mine = pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["medium"], "headcount": [300], "limit_death": [500_000]})
    priced = mine.assign(premium=120_000.00)  # DOMAIN.md §7.4's market premium (0.8‰ at 500k), not a packaged table's
    r15 = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.15).by_policy.loc[0]
    assert r15["n_risk_assessment"] == 2 and r15["n_hazard_inspection"] == 1 and r15["n_thorough_inspection"] == 1
    assert r15["required_cost"] == 33_000.00
    assert r15["budget"] == pytest.approx(120_000 / 1.06 * 0.15, abs=1e-9)  # 16 981.13
    assert round(r15["budget"], 2) == 16_981.13
    assert not r15["funded"] and round(r15["shortfall"], 2) == 16_018.87
    r21 = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.21).by_policy.loc[0]
    assert round(r21["budget"], 2) == 23_773.58 and not r21["funded"]
    # adequacy needs a premium of 33 000 × 1.06 / 0.15 = 233 200
    seg = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.15).by_segment.loc[("coal_mine", "medium")]
    assert seg["break_even_premium"] == pytest.approx(233_200.0)
    assert seg["break_even_fee_ratio"] == pytest.approx(33_000 / (120_000 / 1.06))


def test_coal_mine_300_workers_at_the_risk_based_premium():
    """At the risk-based national-2025 premium (pure risk / (1 − loadings)) the same mine pays
    129 559.62 (tests/reference/test_price_hand_computed.py, P01: the re-anchored model's disabilities
    raised it from 52 508.82); Xinzhou's 33 000 CNY of mandated services would need 27.0 % of its
    ex-VAT premium, still above the 21 % national cap: at the 21 % cap the mine's budget is 25 667.47
    and 7 332.53 of the mandate is unfunded."""
    mine = pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["medium"], "headcount": [300], "limit_death": [500_000]})
    priced = ajx.price(mine, "national-2025")
    assert priced.loc[0, "premium"] == 129_559.62
    res = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.21)
    r = res.by_policy.loc[0]
    assert r["required_cost"] == 33_000.00 and not r["funded"]
    assert round(r["budget"], 2) == round(0.21 * 129_559.62 / 1.06, 2) == 25_667.47
    assert round(r["shortfall"], 2) == 7_332.53
    assert res.by_segment.loc[("coal_mine", "medium"), "break_even_fee_ratio"] == pytest.approx(33_000 / (129_559.62 / 1.06))
    assert 0.21 < 33_000 / (129_559.62 / 1.06) < 0.30


def test_beijing_median_sme_under_2017_rule():
    """'Beijing median SME: premium ≈ 2 000 CNY. Budget at 20 % of ex-VAT ≈ 377 CNY/yr against a
    5 000 CNY on-site inspection, so about 7.5 % of units can get the annual on-site inspection.'"""
    sme = pd.DataFrame({"policy_id": [1], "industry": ["other"], "size": ["small"], "headcount": [40], "premium": [2_000.0]})
    r = ajx.prevention.assess(sme, rules="beijing-2017", fee_ratio=0.20).by_policy.loc[0]
    assert round(r["budget"], 2) == 377.36
    assert r["required_cost"] == 5_000.00
    assert r["coverage"] == pytest.approx(0.0755, abs=5e-5)
    assert not r["funded"]
    # pooling 100 identical SMEs: the pool can pay for 7 inspections out of 100 (7.5 % of units)
    book = pd.concat([sme] * 100, ignore_index=True).assign(policy_id=range(100))
    pooled = ajx.prevention.assess(book, rules="beijing-2017", fee_ratio=0.20, pooling="insurer")
    assert pooled.summary["total_budget"] / 5_000 == pytest.approx(7.547, abs=1e-3)
