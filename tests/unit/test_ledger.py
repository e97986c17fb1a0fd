"""The prevention ledger and the fee schedule (prevention/ledger.py, prevention/fees.py).

Reference: a scalar loop written from the rules' text (spend at cost up to the money available;
carry the rest forward under Beijing 2026, let it lapse otherwise); money conservation is an
identity checked to 1e-9 relative (float rounding of sums of a few terms).
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.prevention import LEDGERS, fee_schedule, ledger, ledger_step


def _by_hand(budget, required, regime):
    """One pool, year by year, in plain Python."""
    bal, rows = 0.0, []
    for b, r in zip(budget, required):
        avail = b + bal
        spent = min(r, avail)
        left = avail - spent
        out, lapsed = (left, 0.0) if regime == "carry_forward" else (0.0, left)
        rows.append((bal, spent, out, lapsed, r - spent, spent + out - bal))
        bal = out
    return np.array(rows)


@pytest.mark.parametrize("regime", LEDGERS)
def test_ledger_matches_a_scalar_loop_and_conserves_money(regime):
    rng = np.random.default_rng(5)
    b = rng.gamma(2.0, 500.0, size=(6, 40))
    r = rng.gamma(1.0, 1000.0, size=(6, 40)) * (rng.random((6, 40)) < 0.8)
    led = ledger(b, r, regime=regime, years=range(2026, 2032))
    assert len(led) == 6 * 40
    lhs = led["budget"] + led["carried_in"]
    rhs = led["spent"] + led["carried_out"] + led["lapsed"]
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-9)  # conservation, every year and pool
    np.testing.assert_allclose(led["expense"], led["budget"] - led["lapsed"], rtol=1e-12, atol=1e-9)
    for k in (0, 7, 39):
        ref = _by_hand(b[:, k], r[:, k], regime)
        got = led[led["pool"] == k][["carried_in", "spent", "carried_out", "lapsed", "shortfall", "expense"]].to_numpy()
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-9)
    if regime != "carry_forward":
        assert (led["carried_out"] == 0).all() and (led["carried_in"] == 0).all()
        np.testing.assert_allclose(led["expense"], led["spent"])  # no pre-provisioning: only services delivered are an expense


def test_beijing_carry_forward_worked_example():
    # 2026-2028: budget 300 a year; an inspection of 500 is due only in 2028 -> funded by the carried money
    led = ledger([300.0, 300.0, 300.0], [0.0, 0.0, 500.0], regime="carry_forward", years=[2026, 2027, 2028])
    assert led["carried_out"].tolist() == [300.0, 600.0, 400.0]
    assert led["shortfall"].tolist() == [0.0, 0.0, 0.0]
    lapse = ledger([300.0, 300.0, 300.0], [0.0, 0.0, 500.0], regime="not_provisioned")
    assert lapse["shortfall"].tolist() == [0.0, 0.0, 200.0] and lapse["lapsed"].tolist() == [300.0, 300.0, 0.0]


def test_ledger_step_broadcasts_over_paths_and_pools():
    b = np.array([[100.0, 50.0], [0.0, 10.0]])
    y = ledger_step(b, 60.0, np.array([[0.0, 20.0], [5.0, 0.0]]), regime="carry_forward")
    assert y.spent.tolist() == [[60.0, 60.0], [5.0, 10.0]]
    assert y.carried_out.tolist() == [[40.0, 10.0], [0.0, 0.0]]
    assert y.funded_fraction.tolist() == [[1.0, 1.0], [5 / 60, 10 / 60]]


@pytest.mark.parametrize("call, match", [
    (lambda: ledger_step([1.0], [1.0], [2.0], regime="not_provisioned"), r"carried_in must be 0 under regime 'not_provisioned'"),
    (lambda: ledger_step([-1.0], [1.0], regime="provisioned"), r"budget must be finite and >= 0"),
    (lambda: ledger_step([1.0], [np.nan], regime="provisioned"), r"required must be finite and >= 0"),
    (lambda: ledger([1.0, 2.0], [1.0], regime="provisioned"), r"same shape"),
    (lambda: ledger([1.0], [1.0], regime="accrual"), r"regime must be one of \['provisioned', 'carry_forward', 'not_provisioned'\], got 'accrual'"),
])
def test_ledger_bad_input(call, match):
    with pytest.raises(ajx.ValidationError, match=match):
        call()


def test_fee_schedule_steps_floor_and_cap():
    fs = fee_schedule({2026: 0.15, 2028: 0.20}, 5, 2026)
    assert fs.ratios.tolist() == [0.15, 0.15, 0.20, 0.20, 0.20] and fs.years == [2026, 2027, 2028, 2029, 2030]
    assert fs.breaches.empty and fs.as_mapping()[2028] == 0.20
    assert fee_schedule(0.15, 1, 2024, floor=0.15).ratios.tolist() == [0.15]  # Xinzhou: 不低于 15 %, the floor itself is allowed
    with pytest.raises(ajx.ValidationError, match=r"fee_ratio: 0\.1499 in 2024 is below the floor of 0\.15"):
        fee_schedule(0.1499, 1, 2024, floor=0.15)
    flagged = fee_schedule({2024: 0.05, 2025: 0.18, 2026: 0.25}, 3, 2024, floor=0.15, on_breach="flag")
    assert flagged.breaches[["year", "rule"]].to_numpy().tolist() == [[2024, "floor"], [2026, "cap"]]
    assert flagged.ratios.tolist() == [0.05, 0.18, 0.25]  # flagged breaches are run as given
    with pytest.raises(ajx.ValidationError, match=r"fee_ratio: 0\.22 exceeds the national 21 % cap"):
        fee_schedule(0.22, 1, 2026)
    with pytest.raises(ajx.ValidationError, match=r"fee_ratio\[2030\]: 0\.3 exceeds the national 21 % cap"):
        fee_schedule({2026: 0.15, 2030: 0.3}, 2, 2026)  # a listed ratio above the cap is an error even beyond the horizon
    assert fee_schedule(0.3, 1, 2026, cap=None).ratios.tolist() == [0.3]
    with pytest.raises(ajx.ValidationError, match=r"on_breach must be one of \['error', 'flag'\], got 'warn'"):
        fee_schedule(0.15, 1, 2026, on_breach="warn")
    with pytest.raises(ajx.ValidationError, match=r"floor must be a number in \[0, 1\] or None, got 1\.5"):
        fee_schedule(0.15, 1, 2026, floor=1.5)


def test_assess_runs_on_the_ledger():
    """assess's yearly flows are the ledger of the pooled budgets and requirements."""
    book = ajx.price(ajx.synth.portfolio(400, rng=3), "national-2025")
    kw = dict(rules="beijing-2017", fee_ratio={2026: 0.15, 2028: 0.20}, years=4, start_year=2026, pooling="insurer")
    for regime in LEDGERS:
        r = ajx.prevention.assess(book, ledger=regime, costs={"hazard_inspection": 250.0}, **kw)
        by = r.by_year
        ref = ledger(by["budget"].to_numpy(), by["required"].to_numpy(), regime=regime)
        np.testing.assert_allclose(by[["spent", "carried_out", "lapsed", "shortfall"]].to_numpy(),
                                   ref[["spent", "carried_out", "lapsed", "shortfall"]].to_numpy(), rtol=1e-10)
        assert r.summary["ledger"] == regime
        assert r.summary["total_spent"] == pytest.approx(by["spent"].sum(), rel=1e-10)
    with pytest.raises(ajx.ValidationError, match=r"carry_forward=True contradicts ledger='not_provisioned'"):
        ajx.prevention.assess(book, ledger="not_provisioned", carry_forward=True, **kw)
    flagged = ajx.prevention.assess(book, rules="beijing-2017", fee_ratio=0.10, floor=0.15, on_breach="flag")
    assert [b["rule"] for b in flagged.summary["fee_breaches"]] == ["floor"]
    assert isinstance(r.by_year, pd.DataFrame)


@pytest.mark.parametrize("call, message", [
    (lambda: ledger_step("a", 1.0), r"ledger_step: budget must be numbers \(CNY\), got 'a'"),
    (lambda: ledger_step([1.0, 2.0], [1.0, 2.0, 3.0]), r"ledger_step: budget, required and carried_in do not broadcast together"),
    (lambda: ledger_step([1e308], [0.0], [1e308], regime="carry_forward"), r"ledger_step: budget must be finite and >= 0 \(at most 1e\+15 CNY\)"),
    (lambda: ledger([], []), r"ledger: no year to run"),
    (lambda: ledger([[1.0, 2.0]], [[1.0, 2.0]], opening=[1.0, 2.0, 3.0]), r"ledger: opening must be one balance or one per pool \(2\)"),
])
def test_ledger_bad_input_found_in_review(call, message):
    with pytest.raises(ajx.ValidationError, match=message):
        call()
