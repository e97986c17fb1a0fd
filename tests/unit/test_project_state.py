"""History state and renewal pricing of the projection (project/state.py, project/renewal.py).

Reference: the rate table's own ``history_multiplier`` evaluated on history columns written by hand
for a known sequence of outcomes, and ``price()`` itself (bit-identical premiums).
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.projection.renewal import Renewal
from ajx_actuarial.projection.state import HistoryState, outcome_codes
from ajx_actuarial.rating.factors import history_multiplier


@pytest.mark.parametrize("table", ["national-2025", "beijing-2026", "beijing-2017"])
def test_initial_state_and_renewal_reproduce_price(table):
    book = ajx.synth.portfolio(4000, rng=21)  # national preset: all kinds of histories
    t = ajx.RateTable.load(table)
    pr = ajx.price(book, t, lift_limits=True)
    hist = [f for f in t.factors if f.kind == "history"][0]
    st = HistoryState(pr, 3, hist.spec)
    h = st.multiplier(slice(0, 3))
    assert np.array_equal(h, np.broadcast_to(pr[f"f_{hist.name}"].to_numpy(), h.shape))
    ren = Renewal(pr, t, (hist.name,))
    ff = ren.float_factor({hist.name: h}, 3)
    prem, ex = ren.premium(ff)
    assert np.array_equal(ff[0], pr["float_factor"].to_numpy())
    assert np.array_equal(prem[1], pr["premium"].to_numpy())
    np.testing.assert_allclose(ex[2], pr["premium_ex_vat"].to_numpy(), rtol=1e-15)


def test_outcome_codes_grade_the_worst_accident():
    assert outcome_codes([0, 1, 3, 1, 1, 2], [0, 0, 0, 2, 3, 10]).tolist() == [0, 1, 1, 2, 3, 4]


def _by_hand(outcomes):
    """History columns after each year for a list of (claims, worst deaths) outcomes, from the definitions."""
    rows, window, free = [], [], 0
    for claims, worst in outcomes:
        window = (window + [(claims, worst)])[-3:]
        free = 0 if claims else free + 1
        rows.append({"accidents_3y": sum(c for c, _ in window), "deaths_3y": sum(w for _, w in window),
                     "max_accident_deaths_3y": max(w for _, w in window), "claim_free_years": free})
    return pd.DataFrame(rows)


CLAIMS_SPEC = {"claim_free": [0.95, 0.92, 0.90], "nonfatal_claim": 1.05, "fatal": [1.10, 1.20, 1.30]}


@pytest.mark.parametrize("spec", [CLAIMS_SPEC, "national-2025"], ids=["per-claim classes", "exposure-aware (national-2025)"])
def test_rolling_the_window_follows_the_history_columns(spec):
    if spec == "national-2025":
        spec = [f for f in ajx.RateTable.load("national-2025").factors if f.kind == "history"][0].spec
        assert spec["basis"] == "expected"
    unit = {"industry": ["construction"], "headcount": [60]}
    book = pd.DataFrame({**unit, "accidents_3y": [0], "deaths_3y": [0], "max_accident_deaths_3y": [0], "claim_free_years": [0]})
    st = HistoryState(book, 1, spec)
    outcomes = [(2, 0), (0, 0), (1, 4), (0, 0), (0, 0), (0, 0), (0, 0), (1, 12), (3, 0), (0, 0), (0, 0), (0, 0), (0, 0)]
    ref = history_multiplier(_by_hand(outcomes).assign(industry="construction", headcount=60), spec)
    got = []
    for claims, worst in outcomes:
        if claims:
            st.roll(np.array([0]), np.array([0]), np.array([claims]), np.array([worst]))
        else:
            st.roll(np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([], dtype=np.int64))
        got.append(float(st.multiplier(slice(0, 1))[0, 0]))
    np.testing.assert_allclose(got, ref, rtol=1e-15)
    assert got[2] == got[3] == got[4] == 1.20  # a 3-9 death accident surcharges for three renewals
    if spec is CLAIMS_SPEC:
        assert got[5] == 0.90
    else:  # then the credibility ratio: no claim in three years against E = 3 × 60 × 0.0167 ≈ 3 expected claims
        e = 3 * 60 * spec["expected_per_worker"]["construction"]
        assert got[5] == pytest.approx(max(4.0 / (4.0 + e), 0.7))


def test_initial_window_places_the_worst_accident_in_the_latest_claim_year():
    spec = {"claim_free": [0.95, 0.92, 0.90], "nonfatal_claim": 1.05, "fatal": [1.10, 1.20, 1.30]}
    book = pd.DataFrame({"accidents_3y": [2, 1, 0], "deaths_3y": [3, 0, 0], "max_accident_deaths_3y": [3, 0, 0],
                         "claim_free_years": [1, 0, 3]})
    st = HistoryState(book, 1, spec)
    seq = []
    for _ in range(3):
        seq.append(st.multiplier(slice(0, 1))[0].tolist())
        st.roll(*(np.array([], dtype=np.int64),) * 4)
    # unit 0: fatal (3 deaths) two years back stays for 2 renewals; unit 1: claim last year; unit 2: 3+ claim-free years
    assert seq == [[1.20, 1.05, 0.90], [1.20, 0.95, 0.90], [0.90, 0.92, 0.90]]


def test_bonus_malus_state_moves_by_its_rule():
    bms = ajx.BonusMalus([0.6, 0.8, 1.0, 1.3, 1.6], start=2)
    st = HistoryState(pd.DataFrame({"x": [0, 0]}), 2, None, bms)
    st.roll(np.array([0, 1]), np.array([1, 0]), np.array([1, 3]), np.array([0, 0]))
    assert st.cls.tolist() == [[1, 4], [4, 1]]  # -1 claim-free, +2 per claim (capped at the top class)
    assert st.multiplier(slice(0, 2)).tolist() == [[0.8, 1.6], [1.6, 0.8]]
