"""The cheap exact path (issue 21, item 4): what it skips is proven small, and its shortcuts change nothing.

* The Chernoff bound of :mod:`ajx_actuarial.losses._aggregate_bound` is an upper bound on the
  annual aggregate's excess ``E[(S − A)+]``: checked against the exact term (the bound switched
  off, every term computed) on books where it binds, for Poisson and negative binomial counts,
  with no, gamma and lognormal common shocks. Tolerance: the exact term may exceed the bound by
  rounding only (1e-9 relative + 1e-9 CNY).
* Skipping changes each policy's expected loss by at most ``AGGREGATE_TOLERANCE`` of it (the bound
  proves it; checked here against the computation that skips nothing); the policies computed either
  way agree to 1e-9 of their expected loss (with a lognormal shock the quadrature's tables depend on
  which policies share them: their aggregate terms move by up to ~1e-5 of themselves, ~1e-10 of the loss).
* The numba kernel and its NumPy twin give the same functionals (1e-10 relative: summation order).
* ``expected_loss_many`` equals ``expected_loss`` per scenario (1e-12 relative: the same arithmetic on
  shared inputs; cached laws may be summed in another order).
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import LimitPolicy, LossModel
from ajx_actuarial.losses import _aggregate_fourier, _aggregate_reduction, expected_loss_many
from ajx_actuarial.losses._aggregate_bound import AGGREGATE_TOLERANCE

COLS = ["expected_loss", "death", "disability", "medical", "rescue", "third_party", "aggregate_reduction"]
PROCESS = LossModel.default(counts="poisson").process_only()


def _book(n, seed, lo=20, hi=3000):
    g = np.random.default_rng(seed)
    return pd.DataFrame({"policy_id": np.arange(n), "industry": g.choice(["coal_mine", "fishing", "construction", "other"], n),
                         "size": "large", "headcount": g.integers(lo, hi + 1, n)})


MODELS = {
    "poisson": PROCESS,
    "poisson, gamma shock": PROCESS.replace(shock_cv=0.4),
    "negbin": LossModel.default(counts="negbin", frailty_cv=0.8).process_only(),
    "default (negbin, systemic and parameter risk)": LossModel.default(),
    "poisson, lognormal shock": PROCESS.replace(shock_cv=0.3, shock_dist="lognormal"),
}
LIMITS = LimitPolicy.fixed(400_000, accident_multiple=3, annual_multiple=2)


def _capture(monkeypatch):
    """Record what the bound decided (skip mask and bound per policy) on the next call."""
    seen = {}
    orig = _aggregate_reduction.negligible

    def spy(*a, **k):
        skip, bound = orig(*a, **k)
        seen["skip"], seen["bound"] = skip.copy(), bound.copy()
        return skip, bound

    monkeypatch.setattr(_aggregate_reduction, "negligible", spy)
    return seen


def _no_skip(monkeypatch):
    monkeypatch.setattr(_aggregate_reduction, "negligible",
                        lambda row, *a, **k: (np.zeros(row.size, dtype=bool), np.full(row.size, np.inf)))


@pytest.mark.parametrize("name", list(MODELS))
def test_bound_holds_and_skipping_is_within_tolerance(name, monkeypatch):
    model = MODELS[name]
    book = _book(600, 3, lo=1)
    with monkeypatch.context() as m:
        seen = _capture(m)
        fast = ajx.expected_loss(book, model, LIMITS)
    with monkeypatch.context() as m:
        _no_skip(m)
        full = ajx.expected_loss(book, model, LIMITS)
    skip, bound = seen["skip"], seen["bound"]
    assert 0 < skip.sum() < skip.size, "the book should have policies on both sides of the bound"
    exact = full["aggregate_reduction"].to_numpy()
    assert (exact[skip] <= bound[skip] * (1 + 1e-9) + 1e-9).all(), "the Chernoff bound must dominate the exact term"
    assert (exact[~skip] > 0).any()
    # where computed, identical; where skipped, off by at most the proven share of the policy's loss
    for c in COLS:
        a, b = fast[c].to_numpy(), full[c].to_numpy()
        scale = full["expected_loss"].to_numpy()
        assert (np.abs(a[~skip] - b[~skip]) <= 1e-9 * scale[~skip] + 1e-9).all(), c
        assert (np.abs(a[skip] - b[skip]) <= AGGREGATE_TOLERANCE * full["expected_loss"].to_numpy()[skip] + 1e-9).all(), c


def test_bound_is_tight_enough_to_skip_most_of_a_national_book():
    e = ajx.expected_loss(ajx.synth.portfolio(5000, rng=2))
    m = e.attrs["method"]
    assert m["aggregate_skipped"] >= 0.9 * len(e)
    assert m["aggregate_skipped_max_bound"] <= AGGREGATE_TOLERANCE * e["expected_loss"].max()


@pytest.mark.parametrize("name", ["poisson", "negbin", "poisson, gamma shock"])
def test_numba_kernel_equals_numpy_twin(name, monkeypatch):
    # headcounts large enough that counts exceed the shared tables: the per-policy Fourier path runs
    book = _book(40, 5, lo=20_000, hi=60_000)
    lim = LimitPolicy.fixed(400_000, accident_multiple=1, annual_multiple=1)
    orig = _aggregate_fourier._on_grid
    res = {}
    calls = []
    for kernel in (True, False):
        with monkeypatch.context() as m:
            def forced(*a, kernel_=kernel, **k):
                calls.append(kernel_)
                return orig(*a, **{**k, "kernel": kernel_})
            m.setattr(_aggregate_fourier, "_on_grid", forced)
            res[kernel] = ajx.expected_loss(book, MODELS[name], lim)
    assert True in calls and False in calls, "the large-count path did not run"
    for c in COLS:
        np.testing.assert_allclose(res[True][c], res[False][c], rtol=1e-10, atol=1e-6, err_msg=c)


def test_expected_loss_many_equals_expected_loss_per_scenario():
    book = ajx.price(ajx.synth.portfolio(3000, rng=4), "national-2025")
    m = LossModel.default()
    scen = {
        "base": m,
        "800k": (m, LimitPolicy.fixed(800_000)),
        "beijing": (m, LimitPolicy.beijing(2024)),
        "tight": (m, LimitPolicy.fixed(400_000, accident_multiple=1, annual_multiple=1)),
        "more accidents": m.replace(frequency_multiplier=1.3),
        "shock": (m.replace(shock_cv=0.3), LimitPolicy.fixed(400_000, accident_multiple=2, annual_multiple=1.2)),
        "fee only (same model)": (m, None),
    }
    many = expected_loss_many(book, scen)
    assert list(many) == list(scen)
    for name, spec in scen.items():
        model, limits = (spec, None) if isinstance(spec, LossModel) else spec
        one = ajx.expected_loss(book, model, limits)
        pd.testing.assert_frame_equal(many[name].reset_index(drop=True), one.reset_index(drop=True), check_exact=False, rtol=1e-12, atol=1e-9)
    assert many["800k"]["expected_loss"].sum() > many["base"]["expected_loss"].sum()


@pytest.mark.parametrize("bad", [{}, [1, 2], {"x": 5}, {"x": (LossModel.default(), 5)}])
def test_expected_loss_many_refuses_bad_scenarios(bad):
    with pytest.raises(ajx.ValidationError, match="expected_loss_many"):
        expected_loss_many(ajx.synth.portfolio(10, rng=1), bad)


def test_stress_shares_relativities_without_changing_a_figure():
    """stress.run computes each model's unit relativities once across scenarios: its exact expected
    losses equal expected_loss on each scenario's priced book, bit for bit."""
    from ajx_actuarial.scenarios import load, resolve

    res = ajx.stress.run_detailed(ajx.synth.portfolio(3000, rng=1), load("regulator-2026"), years=20)
    for r in resolve(load("regulator-2026")):
        assert res.table.loc[r.name, "expected_loss"] == ajx.expected_loss(res.priced[r.name], r.model)["expected_loss"].sum(), r.name


def test_expected_loss_takes_a_relativity_array():
    book = ajx.synth.portfolio(500, rng=2)
    m = LossModel.default()
    from ajx_actuarial.portfolio import validate_portfolio

    rel = m.relativity(validate_portfolio(book))
    pd.testing.assert_frame_equal(ajx.expected_loss(book, m, relativity=rel), ajx.expected_loss(book, m))
    with pytest.raises(ajx.ValidationError, match="one finite value > 0 per unit"):
        ajx.expected_loss(book, m, relativity=rel[:-1])
    bad = rel.copy()
    bad[3] = np.inf
    with pytest.raises(ajx.ValidationError, match=r"relativities must be finite and > 0; bad rows \[3\]"):
        ajx.expected_loss(book, m, relativity=bad)
