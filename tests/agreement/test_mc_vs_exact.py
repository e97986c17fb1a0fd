"""Monte Carlo vs exact (FFT / Panjer) vs closed form, with stated tolerances.

The homogeneous configuration: identical policies of one industry, lattice-friendly amounts
(limit 400 000, death loss 1 000 000, Table A payouts all below the Table B losses, rescue
share 15 %, no third-party share), so every insured accident amount is a multiple of 1 000 CNY
and the exact law of one accident can be built by convolution. Annual aggregate limits are set
out of reach so the compound-Poisson model (process risk only: no year effect, no parameter
draws) is exact. Tolerances: means within 4 Monte Carlo standard errors; the
VaR within its 99.9 % order-statistic confidence interval, widened by one lattice step.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ajx_actuarial as ajx
from ajx_actuarial.losses import LimitPolicy, LossModel, exact

UNIT = 1_000.0


def _book(n, head, industry="coal_mine"):
    return pd.DataFrame({"policy_id": range(n), "industry": industry, "size": "medium", "headcount": head})


def _accident_pmf(model: LossModel, head: int, limit: float) -> tuple[np.ndarray, float, float]:
    """Exact pmf (lattice UNIT) of the insured amount of one accident, and the rates."""
    rates = model.rates().loc["coal_mine"]
    pay = np.round(np.minimum(model.civil_share * model.death_loss, model.payout_share * limit) / UNIT).astype(int)
    grade = np.zeros(pay.max() + 1)
    np.add.at(grade, pay, model.grade_mix)
    size = 1 << 16
    gf = np.fft.rfft(grade, size)
    cl = np.asarray(model.cluster)
    fatal = np.zeros(size)
    death_pay = int(round(min(model.death_loss, limit) / UNIT))
    for d in range(1, cl.size):
        if cl[d] == 0:
            continue
        dd = min(d, head)
        lam = model.injury_ratio * dd
        # injuries ~ Poisson(lam), capped at head - dd (never binding at this headcount)
        inj = np.fft.irfft(np.exp(lam * (gf - 1.0)), size)
        inj = np.clip(inj, 0, None)
        base = dd * death_pay
        amt = (np.arange(size) + base) * (1 + model.rescue_share)
        amt = np.minimum(amt, 10 * limit / UNIT)  # per-accident limit
        idx = np.round(amt).astype(int)
        np.add.at(fatal, idx, cl[d] * inj)
    fatal /= fatal.sum()
    dis = np.zeros(size)
    dis[: grade.size] = grade
    w_f = rates["fatal"] / (rates["fatal"] + rates["disability"])
    return w_f * fatal + (1 - w_f) * dis, rates["fatal"], rates["disability"]


@pytest.fixture(scope="module")
def homogeneous():
    model = LossModel.default(frequencies=LossModel().frequencies.assign(medical_per_100=0.0), death_loss=1_000_000.0,
                              counts="poisson", third_party_share=0.0).process_only()
    head, n = 500, 400
    book = _book(n, head)
    limits = LimitPolicy.fixed(400_000, annual_multiple=1e6)
    res = ajx.simulate(book, 20_000, rng=11, model=model, limits=limits, relativity=None)
    pmf, rf, rd = _accident_pmf(model, head, 400_000)
    dist = exact.compound_lattice((rf + rd) * head * n, pmf, UNIT)
    return res, dist


def test_mc_mean_matches_exact(homogeneous):
    res, dist = homogeneous
    assert abs(res.mean() - dist.mean()) < 4 * res.mean_se()


def test_mc_var_within_order_statistic_ci(homogeneous):
    res, dist = homogeneous
    for p in (0.9, 0.99):
        lo, hi = res.var_ci(p, level=0.999)
        assert lo - UNIT * 1.15 <= dist.quantile(p) <= hi + UNIT * 1.15, (p, lo, dist.quantile(p), hi)


def test_mc_deaths_match_model_expectation(homogeneous):
    res, _ = homogeneous
    assert abs(res.mean("deaths") - res.expected["deaths"]) < 4 * res.mean_se("deaths")


def test_panjer_equals_fft():
    sev = stats.gamma(2.0, scale=5_000)
    for freq, disp in (("poisson", None), ("negbin", 1.5)):
        a = exact.compound(40, sev, freq=freq, dispersion=disp, n=2**13, method="fft")
        b = exact.compound(40, sev, freq=freq, dispersion=disp, n=2**13, method="panjer")
        assert np.abs(np.cumsum(a.pmf) - np.cumsum(b.pmf)).max() < 1e-10


def test_exact_moments_match_closed_form():
    sev = stats.gamma(2.0, scale=5_000)  # mean 1e4, E[X^2] = 6 × 2.5e7... k θ² (k+1)
    m, r = 40.0, 1.5
    ex, ex2 = 1e4, 2.0 * 3.0 * 5_000**2
    d = exact.compound(m, sev, freq="negbin", dispersion=r, n=2**15)
    assert d.mean() == pytest.approx(m * ex, rel=1e-6)
    var = m * (ex2 - ex**2) + (m + m * m / r) * ex**2
    assert d.std() ** 2 == pytest.approx(var, rel=1e-4)
    assert d.checks["mean_rel_error"] < 1e-6 and d.checks["mass_outside"] < 1e-12


def test_exact_reproduces_performance_anchor():
    """PERFORMANCE.md anchor: compound Poisson(500) × min(lognormal(12, 1.5), 1e6).

    Exact mean 153 301 453.74 (closed form), VaR 99.5 % 179.876 M, TVaR 99 % 180.848 M.
    """
    sev = stats.lognorm(s=1.5, scale=np.exp(12))
    d = exact.compound(500, sev, limit=1e6, n=2**18)
    assert d.mean() == pytest.approx(153_301_453.74, rel=1e-9)
    assert d.quantile(0.995) == pytest.approx(179.876e6, abs=0.002e6)
    assert d.tvar(0.99) == pytest.approx(180.848e6, abs=0.002e6)


def test_short_grid_raises_instead_of_wrapping():
    sev = stats.lognorm(s=1.5, scale=np.exp(12))
    with pytest.raises(ajx.ValidationError, match="lies beyond the grid"):
        exact.compound(500, sev, limit=1e6, n=2**12, step=10_000)


def test_negative_binomial_mc_matches_exact():
    """One large policy, disability accidents only: annual counts are negative binomial."""
    freqs = LossModel().frequencies.assign(deaths_per_100k=0.0, medical_per_100=0.0)
    model = LossModel.default(frequencies=freqs, counts="negbin", frailty_cv=0.7, death_loss=1_000_000.0).process_only()
    book = _book(1, 20_000)
    res = ajx.simulate(book, 20_000, rng=5, model=model, limits=LimitPolicy.fixed(400_000, annual_multiple=1e6), relativity=None)
    pay = np.round(np.minimum(model.civil_share * model.death_loss, model.payout_share * 400_000) / UNIT).astype(int)
    pmf = np.zeros(pay.max() + 1)
    np.add.at(pmf, pay, model.grade_mix)
    lam = model.rates().loc["coal_mine", "disability"] * 20_000
    dist = exact.compound_lattice(lam, pmf, UNIT, freq="negbin", dispersion=1 / 0.7**2)
    assert abs(res.mean() - dist.mean()) < 4 * res.mean_se()
    assert res.std() == pytest.approx(dist.std(), rel=0.05)  # sd of the sd estimate ~1 % at 20 000 years
    lo, hi = res.var_ci(0.99, level=0.999)
    assert lo - UNIT <= dist.quantile(0.99) <= hi + UNIT


def test_medical_normal_approximation_agrees_with_individual_draws():
    book = ajx.price(ajx.synth.portfolio(3000, rng=4), "national-2025")
    a = ajx.simulate(book, 4000, rng=9, med_threshold=10**9)  # every medical claim drawn
    b = ajx.simulate(book, 4000, rng=9, med_threshold=0)  # attritional totals, normal approximation
    se = np.hypot(a.mean_se(), b.mean_se())
    assert abs(a.mean() - b.mean()) < 4 * se
    assert b.std() == pytest.approx(a.std(), rel=0.08)
