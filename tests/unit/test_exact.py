"""Exact path: discretisation, Panjer (numba) vs FFT, moments, quantiles, bad inputs.

References: closed forms (capped moments, compound moments), a NumPy twin of the Panjer kernel,
the full-grid discretisation this module used before it was restricted to the limit, and
``scipy.integrate.quad``. R actuar agreement is in tests/reference/test_exact_actuar.py.
"""

import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

import ajx_actuarial as ajx
from ajx_actuarial.losses import _discretize, exact

LN = stats.lognorm(s=1.5, scale=math.exp(12))


class _Opaque:
    """A severity the closed-form table does not know: forces the quadrature route."""

    def __init__(self, d):
        self._d = d

    def __getattr__(self, name):
        if name == "dist":
            raise AttributeError(name)
        return getattr(self._d, name)


def _full_grid_moment(sev, h, n, limit):
    """The discretisation before restriction: ``∫ S`` per step over the WHOLE grid (same rule:
    Gauss-Legendre per step, adaptive quad on the first), steps at or beyond the limit zeroed,
    limited expected values by cumsum, pmf by second differences, mass beyond the grid last."""
    a = np.arange(n) * h
    per = _discretize._step_integrals(sev, a, h)
    per[0] = integrate.quad(sev.sf, 0.0, h, limit=200, epsabs=0.0, epsrel=1e-13)[0]
    if limit is not None:
        per[a >= limit * (1 - 1e-12)] = 0.0
    lev = np.concatenate([[0.0], np.cumsum(per)])
    f = np.empty(n)
    f[0] = 1.0 - lev[1] / h
    f[1:] = (2.0 * lev[1:n] - lev[0 : n - 1] - lev[2 : n + 1]) / h
    f = np.clip(f, 0.0, None)
    f[-1] += max(0.0, 1.0 - f.sum())
    return f


def _pad(f, n):
    return np.concatenate([f, np.zeros(n - f.size)])


# --- discretisation -------------------------------------------------------------------------


@pytest.mark.parametrize("sev,limit,h,n", [
    (stats.lomax(2.5, scale=1000), 1e5, 200.0, 4096),
    (stats.lognorm(s=1.0, scale=5e4), 4e5, 1000.0, 2048),
    (stats.lomax(2.5, scale=1000), None, 50.0, 1024),  # no limit: cap at the grid end as before
])
def test_restricted_discretisation_equals_full_grid(sev, limit, h, n):
    """Restricting the evaluation to L/h + 1 points changes nothing: same pmf to 1e-12 (the
    difference is rounding in the cumsum of the full-grid form)."""
    new = _discretize.discretize(_Opaque(sev), h, n, limit)
    old = _full_grid_moment(sev, h, n, limit)
    assert new.size <= n and (limit is None or new.size == round(limit / h) + 1)
    assert np.abs(_pad(new, n) - old).max() < 1e-12


@pytest.mark.parametrize("sev,limit,h", [
    (LN, 1e6, 2500.0), (LN, 1e6 + 1234.5, 1000.0), (stats.gamma(2.0, scale=5000), 4e4, 200.0),
    (stats.gamma(0.7, scale=5000), 4e4, 200.0), (stats.expon(scale=100), 1e4, 1000.0),
    (stats.weibull_min(0.8, scale=3000), 5e4, 100.0), (stats.pareto(2.5, scale=1000), 1e5, 100.0),
])
def test_closed_form_discretisation_equals_quadrature(sev, limit, h):
    """Closed-form partial moments vs Gauss-Legendre quadrature of S: 1e-12 (both ~1e-13)."""
    fc = _discretize.discretize(sev, h, 10**6, limit)
    fq = _discretize.discretize(_Opaque(sev), h, 10**6, limit)
    assert fc.size == fq.size == math.ceil(limit / h - 1e-9) + 1
    assert np.abs(fc - fq).max() < 1e-12
    # mean preserved: the lattice mean is E[min(X, L)] (closed form) to rounding
    assert fc @ (np.arange(fc.size) * h) == pytest.approx(_discretize.capped_moments(sev, limit)[0], rel=1e-12)


def test_restricted_closed_form_equals_full_grid_levs():
    """Closed form restricted to the limit == second differences of E[min(X, L, kh)] on the full grid."""
    h, n, L = 1000.0, 4096, 1e6
    k = np.arange(n + 1) * h
    u = np.minimum(k, L)
    lev = np.array([_discretize.capped_moments(LN, x)[0] if x > 0 else 0.0 for x in u])
    old = np.empty(n)
    old[0] = 1 - lev[1] / h
    old[1:] = (2 * lev[1:n] - lev[: n - 1] - lev[2:]) / h
    new = _discretize.discretize(LN, h, n, L)
    assert new.size == 1001
    assert np.abs(_pad(new, n) - old).max() < 1e-12


def test_no_limit_cut_leaves_stated_error():
    """Without a limit only x <= x_cut (P(X > x_cut) <= tail) is evaluated; the pmf differs from the
    full-grid one by at most 2·tail in total variation, and the mean by E[(X − x_cut)+]."""
    sev, h, n, tail = stats.gamma(2.0, scale=5000), 100.0, 2**15, 1e-12
    cut = _discretize.discretize(sev, h, n, tail=tail)
    full = _discretize.discretize(sev, h, n)
    assert cut.size < n / 4
    x_cut = (cut.size - 1) * h
    assert sev.sf(x_cut) <= tail
    assert np.abs(_pad(cut, n) - full).sum() <= 2 * tail + 1e-14
    mean_gap = full @ (np.arange(n) * h) - cut @ (np.arange(cut.size) * h)
    excess = integrate.quad(sev.sf, x_cut, np.inf)[0]  # E[(X − x_cut)+], ~1e-9 here
    assert mean_gap == pytest.approx(excess, abs=1e-12 * sev.mean())  # rounding of the two lattice means


def test_rounding_discretisation_is_the_bucket_mass():
    sev, h = stats.expon(scale=1000.0), 100.0
    f = _discretize.discretize(sev, h, 64, limit=500.0, method="rounding")
    assert f.size == 6 and f.sum() == pytest.approx(1.0, abs=1e-15)
    assert f[1] == pytest.approx(sev.cdf(150) - sev.cdf(50), rel=1e-12)
    assert f[5] == pytest.approx(sev.sf(450), rel=1e-12)  # [450, 500] and the atom at the limit


@pytest.mark.parametrize("sev,limit", [
    (LN, 1e6), (stats.gamma(2.0, scale=5000), 2e4), (stats.expon(scale=3000), 1e4),
    (stats.weibull_min(1.7, scale=2000), 3e3), (stats.pareto(1.5, scale=1000), 5e4), (stats.lomax(2.5, scale=1000), 1e5),
])
def test_capped_moments_match_quadrature(sev, limit):
    """E[min(X, L)] = ∫_0^L S and E[min(X, L)²] = 2 ∫_0^L x S, by adaptive quadrature to 1e-10."""
    m1, m2 = _discretize.capped_moments(sev, limit)
    lo = float(sev.support()[0])
    q1 = lo + integrate.quad(sev.sf, lo, limit, limit=500, epsrel=1e-13)[0]
    q2 = lo * lo + 2 * integrate.quad(lambda x: x * sev.sf(x), lo, limit, limit=500, epsrel=1e-13)[0]
    assert m1 == pytest.approx(q1, rel=1e-10) and m2 == pytest.approx(q2, rel=1e-10)


def test_capped_moments_closed_forms_by_hand():
    # expon(θ): E[min(X, L)] = θ (1 − e^(−L/θ)); lognormal anchor (PERFORMANCE.md): 153 301 453.74 / 500
    assert _discretize.capped_moments(stats.expon(scale=2.0), 3.0)[0] == pytest.approx(2 * (1 - math.exp(-1.5)), rel=1e-14)
    mu, s, L = 12.0, 1.5, 1e6
    by_hand = math.exp(mu + s * s / 2) * special.ndtr((math.log(L) - mu - s * s) / s) + L * special.ndtr(-(math.log(L) - mu) / s)
    assert _discretize.capped_moments(LN, L)[0] == pytest.approx(by_hand, rel=1e-14)
    assert 500 * by_hand == pytest.approx(153_301_453.74, abs=0.01)
    # pareto with b <= 2 has an infinite second moment uncapped
    assert math.isinf(_discretize.capped_moments(stats.pareto(1.5, scale=1.0), None)[1])


# --- Panjer vs FFT ------------------------------------------------------------------------------


def _panjer_twin(a, b, p0, f, n):
    """NumPy twin of the kernel: the textbook recursion started at g_0 = p0, O(n·m)."""
    g = np.zeros(n)
    g[0] = p0
    m = f.size
    for k in range(1, n):
        j = np.arange(1, min(k, m - 1) + 1)
        g[k] = np.sum((a + b * j / k) * f[j] * g[k - j]) / (1 - a * f[0])
    return g


@pytest.mark.parametrize("freq,disp", [("poisson", None), ("negbin", 1.5)])
def test_panjer_kernel_matches_numpy_twin(freq, disp):
    f = np.array([0.1, 0.3, 0.25, 0.2, 0.15])
    d = exact.compound_lattice(6.0, f, 1.0, freq=freq, dispersion=disp, n=256, method="panjer")
    if freq == "poisson":
        a, b, p0 = 0.0, 6.0, math.exp(-6.0 * (1 - f[0]))
    else:
        beta = 6.0 / disp
        a, b, p0 = beta / (1 + beta), (disp - 1) * beta / (1 + beta), (1 + beta * (1 - f[0])) ** -disp
    twin = _panjer_twin(a, b, p0, f, 256)
    assert np.abs(d.pmf - twin).max() < 1e-15 * 10 and np.allclose(d.pmf[1:60], twin[1:60], rtol=1e-12, atol=0)


@pytest.mark.parametrize("freq_mean,freq,disp,sev,limit,n", [
    (40, "poisson", None, stats.gamma(2.0, scale=5000), None, 2**13),
    (40, "negbin", 1.5, stats.gamma(2.0, scale=5000), None, 2**13),
    (500, "poisson", None, LN, 1e6, 2**14),
    (200, "negbin", 5.0, LN, 1e6, 2**15),
    (2000, "poisson", None, LN, 2e5, 2**14),  # g_0 = e^(−2000) underflows: the rescaled recursion
])
def test_panjer_equals_fft(freq_mean, freq, disp, sev, limit, n):
    """Two independent algorithms on the same lattice: cdfs agree to 1e-10."""
    a = exact.compound(freq_mean, sev, freq=freq, dispersion=disp, limit=limit, n=n, method="fft")
    b = exact.compound(freq_mean, sev, freq=freq, dispersion=disp, limit=limit, n=n, method="panjer")
    assert a.h == b.h
    assert np.abs(np.cumsum(a.pmf) - np.cumsum(b.pmf)).max() < 1e-10
    assert b.pmf.sum() == pytest.approx(1.0, abs=1e-9)


def test_fft_bound_on_mass_outside_covers_the_truth():
    """A grid that leaves ~1e-10 outside: the FFT's bound is >= the exact outside mass (Panjer on a
    longer grid), the pmf on the grid still matches Panjer to 1e-10 (no wrap-around), and a
    slightly shorter grid raises."""
    h = 1e6 / 60
    long = exact.compound(500, LN, limit=1e6, step=h, n=2**14, method="panjer")
    cdf = np.cumsum(long.pmf)
    n = int(np.searchsorted(cdf, 1 - 1e-10))  # P(S >= n h) just under 1e-10
    truth = 1 - cdf[n - 1]
    d = exact.compound(500, LN, limit=1e6, step=h, n=n)
    assert truth > 1e-12 and d.checks["mass_outside"] >= truth * (1 - 1e-6)
    assert np.abs(np.cumsum(d.pmf) - cdf[:n]).max() < 1e-10
    short = int(np.searchsorted(cdf, 1 - 1e-7))
    with pytest.raises(ajx.ValidationError, match="lies beyond the grid"):
        exact.compound(500, LN, limit=1e6, step=h, n=short)


# --- moments and risk measures ------------------------------------------------------------------


@pytest.mark.parametrize("freq,disp", [("poisson", None), ("negbin", 3.0)])
def test_compound_moments_match_closed_form(freq, disp):
    """E[S] = m E[Y], Var S = m Var Y + Var N E[Y]², Y = min(X, L): lognormal, closed forms."""
    m, L = 300.0, 8e5
    ey, ey2 = _discretize.capped_moments(LN, L)
    var_n = m if freq == "poisson" else m + m * m / disp
    d = exact.compound(m, LN, freq=freq, dispersion=disp, limit=L, n=2**16)
    assert d.mean() == pytest.approx(m * ey, rel=1e-10)
    # the moment discretisation adds E[N]·E[Var(lattice | X)] <= m h²/4 to the variance
    var = m * (ey2 - ey * ey) + var_n * ey * ey
    assert abs(d.std() ** 2 - var) <= m * d.h**2 / 4
    assert d.checks["mean_rel_error"] < 1e-10 and d.checks["var_rel_error"] < 1e-9


def test_interpolated_quantile_is_the_inverse_of_the_interpolated_cdf():
    d = exact.compound(500, LN, limit=1e6, n=2**12)
    lat = dataclasses.replace(d, lattice=True)
    for p in (0.5, 0.9, 0.99, 0.995):
        q = d.quantile(p)
        assert d.cdf(q) == pytest.approx(p, abs=1e-12)
        assert abs(q - lat.quantile(p)) <= d.h / 2 + 1e-6


def test_interpolated_tvar_is_the_integral_of_the_quantile():
    d = exact.compound(500, LN, limit=1e6, n=2**12)
    p = 0.99
    u = np.linspace(p, 1 - 1e-12, 400_001)
    by_trapezoid = np.trapezoid(d.quantile(u), u) / (1 - p)
    assert d.tvar(p) == pytest.approx(by_trapezoid, rel=1e-6)


def test_interpolated_var_converges_at_order_two():
    """PERFORMANCE.md anchor against a 2^18-point reference (its own error ~6e-8 relative): halving h
    divides the interpolated VaR's error by about 4 (O(h²)); at 2^14 it beats the lattice VaR."""
    ref = exact.compound(500, LN, limit=1e6, n=2**18).quantile(0.995)
    err = []
    for n in (2**13, 2**14):
        d = exact.compound(500, LN, limit=1e6, n=n)
        err.append(abs(d.quantile(0.995) - ref))
    assert 3.0 < err[0] / err[1] < 5.0
    assert err[1] < abs(dataclasses.replace(d, lattice=True).quantile(0.995) - ref)
    assert d.checks["discretisation_var_rel_error"] > 0  # the lattice inflates the variance, the source of the O(h²)


def test_atom_at_zero_gives_zero_var():
    """Small frequency: P(S = 0) = e^-0.05 ≈ 0.95 so VaR_0.9 is exactly 0 and the cdf starts there."""
    d = exact.compound(0.05, stats.gamma(2.0, scale=5000), n=2**12)
    assert d.p_zero == pytest.approx(math.exp(-0.05), rel=1e-15)
    assert d.quantile(0.9) == 0.0 and d.cdf(0.0) == pytest.approx(math.exp(-0.05), rel=1e-12)
    assert d.quantile(0.999) > 0


def test_compound_lattice_keeps_lattice_semantics():
    d = exact.compound_lattice(2.0, [0.0, 0.5, 0.5], 1000.0)
    assert d.lattice and d.quantile(0.5) % 1000.0 == 0
    assert d.cdf(999.0) == pytest.approx(math.exp(-2.0), rel=1e-12)


@pytest.mark.parametrize("freq_mean,sev", [
    (0.05, stats.gamma(2.0, scale=5000)),  # P(N = 0) ≈ 0.95: S is mostly one claim
    (50, stats.lognorm(s=2.5, scale=1e4)),  # heavy tail, no limit
    (20, stats.lomax(3.5, scale=1e3)),  # no closed form: quadrature
])
def test_default_grid_holds_skewed_and_heavy_tailed_sums(freq_mean, sev):
    """The default span also covers the single-claim tail (E[N]·P(X > x) = 1e-10), so these need no
    doubling; the mean is kept to the truncated tail's share."""
    d = exact.compound(freq_mean, sev, n=2**14)
    assert d.checks["grid_doublings"] == 0 and d.checks["mass_outside"] <= 1e-9
    assert d.mean() == pytest.approx(freq_mean * sev.mean(), rel=1e-5)


def test_limit_pinned_step_asks_for_more_points():
    sev = stats.lognorm(s=1.0, scale=1e4)
    with pytest.raises(ajx.ValidationError, match=r"the step cannot exceed the limit, so pass n >= 262144"):
        exact.compound(1e6, sev, limit=1e5)
    d = exact.compound(1e6, sev, limit=1e5, n=262144)  # the hint is enough
    assert d.mean() == pytest.approx(d.checks["mean_continuous"], rel=1e-9)


# --- bad inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,match", [
    (dict(freq_mean=0), "freq_mean must be a number > 0, got 0"),
    (dict(freq_mean=True), "freq_mean must be a number > 0, got True"),
    (dict(freq_mean=float("nan")), "freq_mean must be a number > 0"),
    (dict(freq="binomial"), "freq must be 'poisson' or 'negbin', got 'binomial'"),
    (dict(freq="negbin"), r"negbin needs dispersion \(gamma shape r > 0\), got None"),
    (dict(freq="negbin", dispersion=-1.0), "negbin needs dispersion"),
    (dict(severity=3.0), "severity must be a frozen scipy.stats distribution, got float"),
    (dict(severity=stats.norm(0, 1)), "severity must be non-negative, its support starts at"),
    (dict(limit=0.0), "limit must be > 0, got 0.0"),
    (dict(limit=float("inf")), "limit must be > 0, got inf"),
    (dict(method="direct"), "method must be 'fft' or 'panjer', got 'direct'"),
    (dict(n=8), r"n \(grid size\) must be an integer >= 16, got 8"),
    (dict(n=2.5e4), r"n \(grid size\) must be an integer >= 16, got 25000.0"),
    (dict(step=-1.0), "step must be > 0, got -1.0"),
    (dict(tilt=0.0), r"tilt·n must be in \(0, 20\]"),
    (dict(tilt=1.0), r"tilt·n must be in \(0, 20\].*tilt=1.0 with n=65536"),
    (dict(discretisation="upper"), "discretisation must be 'moment' or 'rounding', got 'upper'"),
    (dict(limit=None, severity=stats.pareto(1.5, scale=1000)), "needs a finite second moment for the default grid"),
    (dict(n=2**12, step=10_000.0), "lies beyond the grid"),
])
def test_compound_bad_inputs(kwargs, match):
    args = dict(freq_mean=500, severity=LN, limit=1e6)
    args.update(kwargs)
    with pytest.raises(ajx.ValidationError, match=match):
        exact.compound(args.pop("freq_mean"), args.pop("severity"), **args)


@pytest.mark.parametrize("pmf,h,kwargs,match", [
    ([0.5, 0.4], 1.0, {}, "pmf must be a 1-d array of probabilities >= 0 summing to 1"),
    ([1.2, -0.2], 1.0, {}, "pmf must be a 1-d array"),
    ([0.5, 0.5], 0.0, {}, "h must be > 0, got 0.0"),
    ([0.5, 0.5], 1.0, dict(n=4), r"n \(grid size\) must be an integer >= 16, got 4"),
    ([0.5, 0.5], 1.0, dict(n=16), "lies beyond the grid"),
    ([0.5, 0.5], 1.0, dict(freq="negbin", dispersion=0), "negbin needs dispersion"),
])
def test_compound_lattice_bad_inputs(pmf, h, kwargs, match):
    with pytest.raises(ajx.ValidationError, match=match):
        exact.compound_lattice(kwargs.pop("freq_mean", 40.0), pmf, h, **kwargs)


@pytest.mark.parametrize("p", [0.0, 1.0, 1.5, float("nan")])
def test_quantile_bad_p(p):
    d = exact.compound_lattice(2.0, [0.0, 1.0], 1.0)
    with pytest.raises(ajx.ValidationError, match=r"quantile: p must be in \(0, 1\)"):
        d.quantile(p)
