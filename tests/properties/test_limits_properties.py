"""Limits are never exceeded; insured never exceeds economic loss (Hypothesis)."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import ajx_actuarial as ajx
from ajx_actuarial.losses import LimitPolicy, LossModel


@settings(max_examples=25, deadline=None)
@given(
    limit=st.floats(400_000, 2_000_000),
    acc_mult=st.floats(1.0, 5.0),
    ann_mult=st.floats(1.0, 3.0),
    head=st.integers(1, 3000),
    freq=st.floats(50.0, 3000.0),
    seed=st.integers(0, 2**32),
)
def test_single_policy_never_exceeds_its_limits(limit, acc_mult, ann_mult, head, freq, seed):
    """One policy at a very high accident frequency: the annual insured loss stays within the
    annual aggregate (plus the medical cap times the medical count, which the aggregate does not
    cover in the engine: medical-only claims are attritional)."""
    book = pd.DataFrame({"policy_id": [1], "industry": ["fireworks"], "size": ["small"], "headcount": [head]})
    fr = LossModel().frequencies.assign(medical_per_100=0.0)
    fr[["deaths_per_100k", "disabilities_per_100k"]] *= freq  # a very high accident rate (the multiplier itself is bounded at 100)
    model = LossModel.default(frequencies=fr)
    lp = LimitPolicy.fixed(limit, accident_multiple=acc_mult, annual_multiple=ann_mult)
    r = ajx.simulate(book, 60, rng=seed, model=model, limits=lp, relativity=None)
    ins = r.annual["insured_loss"].to_numpy()
    assert (ins <= limit * acc_mult * ann_mult * (1 + 1e-12)).all()
    assert (ins <= r.annual["gross_loss"].to_numpy() * (1 + 1e-12)).all()
    assert (ins >= 0).all()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(1, 50))
def test_portfolio_insured_within_sum_of_limits(seed, n):
    book = ajx.price(ajx.synth.portfolio(n, rng=seed % 1000), "national-2025")
    model = LossModel.default(frequency_multiplier=100.0)
    r = ajx.simulate(book, 30, rng=seed, model=model, med_threshold=10**9)
    med_cap = (book["limit_medical"] * 0).sum()  # medical totals are bounded by their own caps per claim
    assert (r.annual["insured_loss"] <= book["limit_annual"].sum() + r.annual["medical_only"] * book["limit_medical"].max() + med_cap).all()
    assert (r.annual["insured_loss"] <= r.annual["gross_loss"] * (1 + 1e-12)).all()
