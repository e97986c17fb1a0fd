"""The default tail against public figures (MODEL.md §2.5).

VaR 99.5 % / mean of the annual insured loss on the 100 000-unit national book must lie in
[1.15, 1.45]: above 1.13, what the national deaths' systemic scatter alone gives (residual sd
0.052 around the 2019-2024 trend), and below 1 + 0.203 × 1.25 / 0.6 ≈ 1.42-1.45, C-ROSS phase II's
liability premium-risk factor read as a 99.5 % unexpected loss at the permissible loss ratio. The
process-only model stays available and is much thinner (the previous release's 1.09). Monte Carlo
error: with 4 000 years the 99.5 % quantile's order-statistic interval is about ±2 % of the VaR.
"""

import numpy as np
import pytest

import ajx_actuarial as ajx


@pytest.fixture(scope="module")
def priced():
    return ajx.price(ajx.synth.portfolio(100_000, preset="national", rng=2026), "national-2025")


@pytest.mark.slow
def test_default_tail_lies_between_the_national_scatter_and_c_ross(priced):
    res = ajx.simulate(priced, 4_000, rng=2026)
    ratio = res.var(0.995) / res.mean()
    lo, hi = res.var_ci(0.995, level=0.99)
    assert 1.15 <= lo / res.mean() and hi / res.mean() <= 1.45, (ratio, lo / res.mean(), hi / res.mean())
    s = res.summary()["value"]
    assert s["VaR 99.5 % / mean"] == pytest.approx(ratio)
    assert s["C-ROSS premium risk factor, liability"] == 0.203
    # the unexpected loss is of the order of C-ROSS's charge (0.203 × premium, k factors ±25 %)
    assert 0.203 * 0.75 <= s["(VaR 99.5 % − mean) / premium ex VAT"] <= 0.203 * 1.5


@pytest.mark.slow
def test_process_only_is_thinner_and_has_the_same_mean(priced):
    m = ajx.LossModel.default()
    full = ajx.simulate(priced, 4_000, rng=7, model=m)
    proc = ajx.simulate(priced, 4_000, rng=7, model=m.process_only())
    assert proc.var(0.995) / proc.mean() < 1.10 < full.var(0.995) / full.mean()
    exact = ajx.expected_loss(priced, m)["expected_loss"].sum()
    for r in (full, proc):
        assert abs(r.mean() - exact) < 4 * r.mean_se()


def test_systemic_draws_are_common_to_the_book_and_reproducible(priced):
    """The year effect and the parameter draws are one multiplier a year for the whole book: the industries' annual
    losses co-move (they are independent under process risk alone); same seed, same draws."""
    small = priced.head(20_000)
    m = ajx.LossModel.default()
    a = ajx.simulate(small, 1_500, rng=3, model=m)
    b = ajx.simulate(small, 1_500, rng=3, model=m)
    assert a.annual.equals(b.annual)
    corr_full = np.corrcoef(a.segments["construction"], a.segments["transport"])[0, 1]
    p = ajx.simulate(small, 1_500, rng=3, model=m.process_only())
    corr_proc = np.corrcoef(p.segments["construction"], p.segments["transport"])[0, 1]
    assert corr_full > 0.15 and abs(corr_proc) < 0.1, (corr_full, corr_proc)
