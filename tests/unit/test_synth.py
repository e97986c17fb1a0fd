"""Synthetic portfolios and experience: contract, configured mix, reproducibility, truth."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.synth import DEFAULT_INDUSTRY_MIX, DEFAULT_SIZE_MIX, HEADCOUNT_BOUNDS, TruthModel


@pytest.fixture(scope="module")
def book():
    return ajx.synth.portfolio(200_000, rng=11)


def test_satisfies_contract(book):
    v = ajx.validate_portfolio(book)
    pd.testing.assert_frame_equal(v, book, check_dtype=False)


def test_industry_mix_within_tolerance(book):
    # binomial sd of a share at n = 200 000 is <= 0.0011; allow 5 sd
    share = book["industry"].value_counts(normalize=True)
    for k, p in DEFAULT_INDUSTRY_MIX.items():
        assert share[k] == pytest.approx(p, abs=5 * np.sqrt(p * (1 - p) / len(book)))


def test_size_mix_by_industry(book):
    for ind in ("coal_mine", "other"):
        sub = book.loc[book["industry"] == ind, "size"].value_counts(normalize=True)
        n = (book["industry"] == ind).sum()
        for s, p in zip(("large", "medium", "small", "micro"), DEFAULT_SIZE_MIX[ind]):
            assert sub[s] == pytest.approx(p, abs=5 * np.sqrt(max(p * (1 - p), 1e-4) / n) + 1e-3)


def test_headcount_within_nbs_bounds(book):
    for s, (lo, hi) in HEADCOUNT_BOUNDS.items():
        h = book.loc[book["size"] == s, "headcount"]
        assert h.min() >= lo and h.max() <= hi


def test_custom_mix_and_limits():
    df = ajx.synth.portfolio(20_000, rng=1, industry_mix={"coal_mine": 1}, limit_death=800_000)
    assert (df["industry"] == "coal_mine").all() and (df["limit_death"] == 800_000).all()
    with pytest.raises(ajx.ValidationError, match=r"every limit must be >= 400,000"):
        ajx.synth.portfolio(10, rng=1, limit_death=300_000)
    with pytest.raises(ajx.ValidationError, match=r"industry_mix: unknown code\(s\) \['coal'\]"):
        ajx.synth.portfolio(10, rng=1, industry_mix={"coal": 1})
    with pytest.raises(ajx.ValidationError, match="n must be an integer >= 1"):
        ajx.synth.portfolio(0, rng=1)


def test_bit_identical_for_same_seed():
    a = ajx.synth.portfolio(5_000, rng=123)
    b = ajx.synth.portfolio(5_000, rng=np.random.SeedSequence(123))
    pd.testing.assert_frame_equal(a, b)
    c = ajx.synth.portfolio(5_000, rng=124)
    assert not a["headcount"].equals(c["headcount"])
    ea = ajx.synth.experience(a, 3, rng=9)
    eb = ajx.synth.experience(b, 3, rng=9)
    pd.testing.assert_frame_equal(ea, eb)


def test_history_reflects_truth(book):
    """Observed 3-year claim frequency matches the truth's expectation (frailty has mean 1)."""
    truth = TruthModel.default()
    expected = 3 * truth.expected_claims(book).sum()
    observed = book["accidents_3y"].sum()
    # sd of the total from the gamma frailty dominates: sqrt(sum (3λ)^2 cv^2 + 3λ)
    lam = 3 * truth.expected_claims(book)
    sd = np.sqrt((lam**2).sum() * truth.frailty_cv**2 + lam.sum())
    assert abs(observed - expected) < 4 * sd
    # worse management -> more accidents per worker
    per_worker = book.groupby("rectification", observed=True).apply(lambda d: d["accidents_3y"].sum() / d["headcount"].sum())
    assert per_worker["overdue_major"] > per_worker["on_time"]


def test_experience_matches_truth_totals():
    book = ajx.synth.portfolio(30_000, rng=21)
    truth = TruthModel.default(frailty_cv=0.0)
    exp = ajx.synth.experience(book, 4, rng=22, truth=truth)
    assert exp.attrs["truth"] == truth.as_dict()
    lam = truth.expected_claims(exp, exp["exposure"].to_numpy())
    assert exp["claims"].sum() == pytest.approx(lam.sum(), abs=4 * np.sqrt(lam.sum()))
    d = (exp["exposure"] * exp["industry"].map(truth.death_freq).astype(float) * truth.relativity(exp)).sum()
    assert exp["deaths"].sum() == pytest.approx(d, abs=4 * np.sqrt(d))
    assert (exp["deaths"] + exp["disabilities"] <= exp["claims"]).all()
    # incurred at least the death payouts
    assert (exp["incurred"] >= exp["deaths"] * exp["limit_death"] - 1e-6).all()
    ajx.validate_experience(exp)
