"""A floor is spent, a cap bounds, nothing is released silently (issue 22, item 1).

Xinzhou S04 §三(四), Annex 3 Art. 5: 事故预防服务费用应当按照不低于实收保费（不含税）15%的比例据实列支
— at least 15 % of the ex-VAT premium, at actual cost. The national cap (N24; 应急〔2025〕27号):
不高于实际收取保费的21%. The seeds set ratios of the insurer's collected premium: the default pool
is the insurer's whole book (per policy stays a view).

Hand-computed ledgers (exact), the money identity on random inputs (1e-9 relative: sums of
floats), and the Xinzhou floor met on every packaged preset at the bundle's own settings.
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.errors import ValidationError
from ajx_actuarial.prevention import assess, ledger, ledger_step

PRESETS = ("national", "shanxi-mining", "beijing")


def test_floor_spends_what_the_mandates_leave_on_further_services():
    # budget 150 (15 %), cap 210 (21 %): cheap mandates -> further services up to the floor; costly ones -> paid at cost to the cap
    y = ledger_step([150.0, 150.0, 150.0], [100.0, 190.0, 260.0], regime="not_provisioned", floor=150.0, cap=210.0)
    assert y.spent.tolist() == [100.0, 190.0, 210.0]
    assert y.further.tolist() == [50.0, 0.0, 0.0]
    assert y.above_budget.tolist() == [0.0, 40.0, 60.0]
    assert y.shortfall.tolist() == [0.0, 0.0, 50.0]
    assert y.lapsed.tolist() == [0.0, 0.0, 0.0]
    assert y.expense.tolist() == [150.0, 190.0, 210.0]


def test_without_a_floor_the_ratio_is_a_budget_and_the_rest_lapses():
    y = ledger_step([150.0, 150.0], [100.0, 190.0], regime="not_provisioned")
    assert y.spent.tolist() == [100.0, 150.0] and y.lapsed.tolist() == [50.0, 0.0]
    assert np.all(y.further == 0) and np.all(y.above_budget == 0)


def test_flag_shows_the_unspent_floor_as_a_breach():
    y = ledger_step([150.0], [100.0], regime="not_provisioned", floor=150.0, cap=210.0, below_floor="flag")
    assert y.further.tolist() == [0.0] and y.floor_gap.tolist() == [50.0] and y.lapsed.tolist() == [50.0]


def test_money_is_conserved_under_every_regime_and_floor():
    g = np.random.default_rng(5)
    for regime in ("provisioned", "carry_forward", "not_provisioned"):
        for mode in ("spend", "flag"):
            b = g.uniform(0, 1000, 200)
            r = g.uniform(0, 2000, 200)
            c = g.uniform(0, 300, 200) if regime == "carry_forward" else 0.0
            fl = b * g.uniform(0.5, 1.2, 200)
            cp = np.maximum(fl, b) * 1.4
            y = ledger_step(b, r, c, regime=regime, floor=fl, cap=cp, below_floor=mode)
            lhs = y.budget + y.carried_in + y.above_budget
            rhs = y.spent + y.further + y.carried_out + y.lapsed
            np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-9)
            np.testing.assert_allclose(y.expense, y.budget - y.lapsed + y.above_budget + (y.carried_out - y.carried_out), rtol=1e-12, atol=1e-9) if regime != "carry_forward" else None
            assert (y.spent <= np.maximum(b + c, cp) + 1e-9).all()
            if mode == "spend":
                assert (y.spent + y.further >= fl - 1e-9).all()
            else:
                np.testing.assert_allclose(y.spent + y.floor_gap, np.maximum(y.spent, fl), rtol=1e-12)


def test_ledger_over_years_carries_floor_columns():
    led = ledger([150.0, 150.0], [100.0, 300.0], regime="carry_forward", floor=[150.0, 150.0], cap=[210.0, 210.0])
    assert led["further"].tolist() == [50.0, 0.0]
    assert led["above_budget"].tolist() == [0.0, 60.0]


@pytest.mark.parametrize("call, match", [
    (lambda: ledger_step([1.0], [1.0], floor=3.0, cap=2.0), "floor above the cap"),
    (lambda: ledger_step([1.0], [1.0], cap=2.0), "give floor= with it"),
    (lambda: ledger_step([1.0], [1.0], floor=-1.0), "floor must be finite and >= 0"),
    (lambda: ledger_step([1.0], [1.0], floor=1.0, below_floor="keep"), "below_floor must be one of"),
])
def test_ledger_refuses_bad_floors(call, match):
    with pytest.raises(ValidationError, match=match):
        call()


@pytest.mark.parametrize("preset", PRESETS)
def test_xinzhou_insurer_spends_at_least_15_percent_on_every_preset(preset):
    """Done-when of issue 22: under the bundle's own settings (default pooling, its floor and ledger)."""
    j = ajx.jurisdictions.load("xinzhou-2024")
    assert j.pooling == "insurer"
    fs = j.fee_schedule()
    priced = ajx.price(ajx.synth.portfolio(5000, preset=preset, rng=3), j.rate_table())
    s = assess(priced, rules=j.prevention_rules(), pooling=j.pooling, **fs.assess_kwargs()).summary
    assert s["floor"] == 0.15
    assert s["spent_share"] >= 0.15 - 1e-12, s
    assert s["spent_share"] <= 0.21 * 1.06 + 1e-12  # the cap is 21 % of the collected premium (N24/N25: 实际收取保费)
    # where the floor money went: mandates + further services; nothing released while below the floor
    assert s["total_floor_gap"] == 0.0
    if s["total_further"] > 0:
        assert s["total_surplus"] == pytest.approx(s["total_budget"] - s["total_spent"] - s["total_further"] + s["total_above_budget"], abs=1e-6)


def test_per_policy_view_spends_the_floor_on_every_policy():
    priced = ajx.price(ajx.synth.portfolio(3000, rng=4), "national-2025")
    res = assess(priced, rules="xinzhou-2024", fee_ratio=0.15, floor=0.15, pooling="policy", ledger="not_provisioned")
    bp = res.by_policy
    # each policy spends at least 15 % of its ex-VAT premium (mandates at cost up to 21 %, further services to 15 %)
    assert ((bp["spent"] + bp["further"]) >= 0.15 * bp["premium_ex_vat"] - 1e-6).all()
    # the old per-policy release (13.9 % in the audit's demo) is gone
    assert res.summary["spent_share"] >= 0.15


def test_default_pooling_is_the_insurer():
    priced = ajx.price(ajx.synth.portfolio(500, rng=4), "national-2025")
    assert assess(priced, fee_ratio=0.15).summary["pooling"] == "insurer"


def test_floor_above_the_cap_is_refused():
    priced = ajx.price(ajx.synth.portfolio(50, rng=4), "national-2025")
    with pytest.raises(ValidationError, match="above the national cap"):
        assess(priced, fee_ratio=0.21, floor=0.25, on_breach="flag")


def test_projection_spends_the_floor_every_year_and_path():
    book = ajx.synth.portfolio(1500, preset="shanxi-mining", rng=2)
    res = ajx.project(book, years=3, paths=20, rng=1, table="xinzhou-2024", fee_ratio=0.15, fee_floor=0.15, ledger="not_provisioned")
    by = res.by_year
    spent = by["prevention_spent"] + by["prevention_further"]
    assert (spent >= 0.15 * by["premium_ex_vat"] * (1 - 1e-9)).all()
    assert (spent <= 0.21 * by["premium"] * (1 + 1e-9)).all()  # the cap is on the collected premium
    # the charge to the result includes what was paid beyond the budget
    np.testing.assert_allclose(by["prevention_expense"], by["prevention_budget"] - by["lapsed"] + by["prevention_above_budget"], rtol=1e-9)
    with pytest.raises(ValidationError, match="fee_floor"):
        ajx.project(book, years=1, paths=2, rng=1, fee_floor=0.3, fee_cap=0.21)


def test_stress_takes_a_jurisdictions_prevention_rule():
    """stress.run(prevention=...) runs every scenario's prevention under the rule (Xinzhou's floor): each spends >= 15 %."""
    book = ajx.synth.portfolio(1500, preset="shanxi-mining", rng=5)
    st = ajx.stress.run(book, [{"name": "base"}, {"name": "fee-15", "fee_ratio": 0.15}], years=20, table="xinzhou-2024",
                        prevention={"floor": 0.15, "fee_base": "ex_vat", "ledger": "not_provisioned"})
    assert (st["prevention_spent_share"] >= 0.15 - 1e-12).all()
    with pytest.raises(ValidationError, match="prevention= may not set"):
        ajx.stress.run(book, [{"name": "base"}], years=5, prevention={"fee_ratio": 0.2})
    with pytest.raises(ValidationError, match="prevention must be a mapping"):
        ajx.stress.run(book, [{"name": "base"}], years=5, prevention=5)
