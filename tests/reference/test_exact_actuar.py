"""``exact.compound`` reproduces R actuar 3.3-2 (R 4.2.2) on four single-risk cases with limits.

Reference values: tests/reference/actuar_compound.csv, made by tests/reference/actuar_compound.R
(``Rscript tests/reference/actuar_compound.R > tests/reference/actuar_compound.csv``): actuar's
unbiased discretisation of min(X, L) on 0, h, ..., L (``discretize(..., method = "unbiased")``,
the same local moment matching) and its Panjer recursion (``aggregateDist("recursive")``,
stopped at cdf >= 1 − 1e-12). Cases: A Poisson(500) × min(lognormal(12, 1.5), 10^6) (the
PERFORMANCE.md anchor), B Poisson(50) × min(lognormal(11, 2), 4·10^5), C negative binomial
(size 5, mean 200) × min(gamma(2, 5000), 5·10^4), D Poisson(10) × min(Lomax(2.5, 1000), 10^5)
(actuar's ``pareto`` is the Lomax law; scipy has no closed form for it here, so D exercises the
quadrature route).

Tolerances: the lattice cdf at the four listed points within 1e-11 (measured ≤ 5e-13; both sides
are double-precision recursions on the same lattice); lattice VaR exactly equal; the mean within
1e-10 relative (actuar truncates its recursion at 1 − 1e-12, which moves its mean by ~2e-12);
actuar's CTE = E[S | S > VaR] within 1e-9 relative; the discretised severity within 1e-12.
"""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ajx_actuarial.losses import exact

REF = pd.read_csv(Path(__file__).with_name("actuar_compound.csv")).pivot(index="case", columns="key", values="value")

CASES = {
    "A": (dict(freq_mean=500), stats.lognorm(s=1.5, scale=np.exp(12)), 1e6, 2**16),
    "B": (dict(freq_mean=50), stats.lognorm(s=2.0, scale=np.exp(11)), 4e5, 2**14),
    "C": (dict(freq_mean=200, freq="negbin", dispersion=5.0), stats.gamma(2, scale=5000), 5e4, 2**15),
    "D": (dict(freq_mean=10), stats.lomax(2.5, scale=1000), 1e5, 2**12),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_discretisation_matches_actuar(case):
    freq, sev, limit, _ = CASES[case]
    r = REF.loc[case]
    f = exact.discretize(sev, r["h"], 10**6, limit)
    assert f.size == r["sev_points"]
    assert f[0] == pytest.approx(r["sev_f0"], abs=1e-12) and f[1] == pytest.approx(r["sev_f1"], abs=1e-12)
    assert f[-1] == pytest.approx(r["sev_flast"], abs=1e-12)
    assert f @ (np.arange(f.size) * r["h"]) == pytest.approx(r["sev_mean"], rel=1e-12)


@pytest.mark.parametrize("method", ["fft", "panjer"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_compound_matches_actuar(case, method):
    freq, sev, limit, n = CASES[case]
    r = REF.loc[case]
    d = exact.compound(severity=sev, limit=limit, step=r["h"], n=n, method=method, **freq)
    assert d.h == r["h"]
    cdf = np.cumsum(d.pmf)
    for q in (0.1, 0.5, 0.9, 0.999):
        assert cdf[int(round(r[f"x_{q}"] / d.h))] == pytest.approx(r[f"cdf_{q}"], abs=1e-11)
    lat = dataclasses.replace(d, lattice=True)  # actuar's quantiles are lattice points
    for p in (0.9, 0.99, 0.995):
        assert lat.quantile(p) == pytest.approx(r[f"var_{p}"], rel=1e-14)
    assert d.mean() == pytest.approx(r["mean"], rel=1e-10)
    k = int(round(lat.quantile(0.99) / d.h))
    tail = d.pmf[k + 1 :]
    cte = float(tail @ (np.arange(k + 1, d.pmf.size) * d.h)) / tail.sum()  # E[S | S > VaR]
    assert cte == pytest.approx(r["cte_0.99"], rel=1e-9)
