"""Exact expected losses (ajx.expected_loss) against the Monte Carlo mean of ajx.simulate.

Tolerance: 3 Monte Carlo standard errors of the simulated mean, in total and for each part
(death, disability, medical-only, rescue/legal, third party), on books built so that each limit
layer bites: small headcounts (deaths capped at the headcount, no co-workers), clusters reaching
the per-accident limit, an annual aggregate that binds, negative binomial counts, a common shock,
and the default model with its relativities, systemic year effect and parameter draws (whose
means are 1, so the mean is exact; where the aggregate limit binds they enter through a gamma of
the combined CV, an approximation checked here on a book where it binds moderately).
Fixed seeds: the outcome is deterministic.
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import LimitPolicy, LossModel

PARTS = ("death", "disability", "medical", "rescue", "third_party")
PROCESS = LossModel.default(counts="poisson").process_only()


def _book(n, industries, lo, hi, seed, size="large"):
    g = np.random.default_rng(seed)
    return pd.DataFrame({"policy_id": np.arange(n), "industry": g.choice(industries, n), "size": size,
                         "headcount": g.integers(lo, hi + 1, n)})


CASES = {
    "small headcounts": (_book(20_000, ["other", "construction", "transport", "fishing"], 1, 19, 1, "micro"), None, LossModel.default(), 20_000),
    "per-accident limit": (_book(300, ["noncoal_mine", "fishing", "coal_mine"], 200, 3000, 2),
                           LimitPolicy.fixed(400_000, accident_multiple=2, annual_multiple=10), PROCESS, 20_000),
    "annual aggregate": (_book(200, ["fishing", "noncoal_mine", "transport"], 2000, 20_000, 3),
                         LimitPolicy.fixed(400_000, accident_multiple=1, annual_multiple=1), PROCESS, 10_000),
    "negative binomial": (_book(200, ["fishing", "noncoal_mine", "transport"], 2000, 20_000, 4),
                          LimitPolicy.fixed(500_000, accident_multiple=2, annual_multiple=1.5),
                          LossModel.default(counts="negbin", frailty_cv=0.8).process_only(), 10_000),
    "gamma shock": (_book(200, ["fishing", "construction"], 1000, 10_000, 5),
                    LimitPolicy.fixed(600_000, accident_multiple=2, annual_multiple=1.5), PROCESS.replace(shock_cv=0.5), 10_000),
    "default model, aggregate binding": (_book(200, ["coal_mine", "construction", "transport"], 300, 2000, 6),
                                         LimitPolicy.fixed(400_000, accident_multiple=1, annual_multiple=1.5), LossModel.default(), 20_000),
}


@pytest.mark.parametrize("case", list(CASES))
def test_expected_loss_equals_monte_carlo_mean(case):
    book, limits, model, years = CASES[case]
    e = ajx.expected_loss(book, model, limits)
    r = ajx.simulate(book, years, rng=17, model=model, limits=limits)
    assert np.isclose(e["expected_loss"].sum(), e[list(PARTS)].sum().sum(), rtol=1e-12)
    for part, col in [("insured_loss", "expected_loss"), *((p, p) for p in PARTS)]:
        exact, mc, se = e[col].sum(), r.mean(part), r.mean_se(part)
        assert abs(mc - exact) < 3 * se, f"{case}/{part}: exact {exact:,.2f}, MC {mc:,.2f} ± {se:,.2f}"
    ge, gm, gs = e["gross_loss"].sum(), r.mean("gross_loss"), r.mean_se("gross_loss")
    assert abs(gm - ge) < 3 * gs
    de, dm, ds = e["expected_deaths"].sum(), r.mean("deaths"), r.mean_se("deaths")
    assert abs(dm - de) < 3 * ds
    if case in ("annual aggregate", "negative binomial", "default model, aggregate binding"):
        share = 0.02 if case.startswith("default") else 0.05
        assert e["aggregate_reduction"].sum() > share * e["expected_loss"].sum()  # the layer really bites


def test_per_accident_limit_really_binds():
    book, limits, model, _ = CASES["per-accident limit"]
    free = ajx.expected_loss(book, model, LimitPolicy.fixed(400_000, accident_multiple=200, annual_multiple=10))
    capped = ajx.expected_loss(book, model, limits)
    assert capped["death"].sum() < 0.97 * free["death"].sum()
    assert np.allclose(capped["medical"], free["medical"])
