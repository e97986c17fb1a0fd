"""Credibility against a published dataset and its published credibility premiums.

Hachemeister (1975) data as distributed with R package actuar (``data(hachemeister)``, actuar
3.3-2, Debian package r-cran-actuar): average bodily-injury claim amounts and numbers of claims,
5 U.S. states × 12 quarters (Jul 1970 – Jun 1973). Published results (actuar's documentation and
credibility vignette, Goulet et al.; re-run with actuar 3.3-2 for the full digits):

* Bühlmann–Straub, ``cm(~state, hachemeister, ratios = ratio.1:ratio.12, weights =
  weight.1:weight.12)``: collective premium 1683.713, between-state variance 89 638.73,
  within-state variance 139 120 026; credibility premiums 2055.165, 1523.706, 1793.444,
  1442.967, 1603.285;
* the same with ``method = "iterative"``: premiums 2053.063, 1528.635, 1789.942, 1467.977,
  1604.859;
* hierarchical, cohorts (1, 3) and (2, 4, 5), ``cm(~cohort + cohort:state, ...)``: portfolio
  1742.220, cohort premiums 1941.675, 1542.765, state premiums 2049.733, 1522.032, 1864.280,
  1488.504, 1587.097; within-cohort/between-state variance 13 414.84, between-cohort 87 263.7.

Tolerance: 1e-6 relative on values printed with 9–12 significant digits (floating-point
summation order differs from R's).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx

RATIOS = {
    1: [1738, 1642, 1794, 2051, 2079, 2234, 2032, 2035, 2115, 2262, 2267, 2517],
    2: [1364, 1408, 1597, 1444, 1342, 1675, 1470, 1448, 1464, 1831, 1612, 1471],
    3: [1759, 1685, 1479, 1763, 1674, 2103, 1502, 1622, 1828, 2155, 2233, 2059],
    4: [1223, 1146, 1010, 1257, 1426, 1532, 1953, 1123, 1343, 1243, 1762, 1306],
    5: [1456, 1499, 1609, 1741, 1482, 1572, 1606, 1735, 1607, 1573, 1613, 1690],
}
WEIGHTS = {
    1: [7861, 9251, 8706, 8575, 7917, 8263, 9456, 8003, 7365, 7832, 7849, 9077],
    2: [1622, 1742, 1523, 1515, 1622, 1602, 1964, 1515, 1527, 1748, 1654, 1861],
    3: [1147, 1357, 1329, 1204, 998, 1077, 1277, 1218, 896, 1003, 1108, 1121],
    4: [407, 396, 348, 341, 315, 328, 352, 331, 287, 384, 321, 342],
    5: [2902, 3172, 3046, 3068, 2693, 2910, 3275, 2697, 2663, 3017, 3242, 3425],
}


@pytest.fixture
def hachemeister():
    rows = [(s, q + 1, RATIOS[s][q], WEIGHTS[s][q]) for s in RATIOS for q in range(12)]
    return pd.DataFrame(rows, columns=["state", "quarter", "ratio", "weight"])


def test_buhlmann_straub_reproduces_actuar(hachemeister):
    res = ajx.buhlmann_straub(hachemeister, group="state", ratio="ratio", weight="weight")
    assert res.collective == pytest.approx(1683.71343705, rel=1e-9)
    assert res.a == pytest.approx(89638.73, rel=1e-6)
    assert res.s2 == pytest.approx(139120026, rel=1e-8)
    np.testing.assert_allclose(res.groups["mean"], [2060.92139184, 1511.22412666, 1805.84273753, 1352.97591522, 1599.82860703], rtol=1e-10)
    np.testing.assert_array_equal(res.groups["weight"], [100155, 19895, 13735, 4152, 36110])
    np.testing.assert_allclose(res.credibility, [0.9847404, 0.9276352, 0.8984754, 0.7279092, 0.9587911], rtol=1e-6)
    np.testing.assert_allclose(res.premiums, [2055.16535006, 1523.70627801, 1793.44360368, 1442.96654902, 1603.28540446], rtol=1e-9)


def test_iterative_estimator_reproduces_actuar(hachemeister):
    res = ajx.buhlmann_straub(hachemeister, group="state", ratio="ratio", weight="weight", method="iterative")
    assert res.collective == pytest.approx(1688.8949697, rel=1e-8)
    np.testing.assert_allclose(res.credibility, [0.978875590833, 0.902006874231, 0.864033579471, 0.657651630683, 0.943525074725], rtol=1e-7)
    np.testing.assert_allclose(res.premiums, [2053.06255348, 1528.63464793, 1789.94176815, 1467.97725575, 1604.85862321], rtol=1e-8)


def test_hierarchical_reproduces_actuar(hachemeister):
    d = hachemeister.assign(cohort=hachemeister["state"].map({1: 1, 2: 2, 3: 1, 4: 2, 5: 2}))
    h = ajx.hierarchical_credibility(d, levels=("cohort", "state"), ratio="ratio", weight="weight")
    assert h.collective == pytest.approx(1742.22012311, rel=1e-9)
    assert h.b == pytest.approx(13414.84, rel=1e-6) and h.a == pytest.approx(87263.7, rel=1e-6)
    assert h.s2 == pytest.approx(139120026, rel=1e-8)
    np.testing.assert_allclose(h.sectors["premium"], [1941.67540919, 1542.76483704], rtol=1e-9)
    np.testing.assert_allclose(h.sectors["Z"], [0.905670170501, 0.917961901584], rtol=1e-9)
    got = h.groups["premium"].droplevel(0).sort_index()
    np.testing.assert_allclose(got, [2049.73255577, 1522.03164986, 1864.28005560, 1488.50434745, 1587.09672082], rtol=1e-9)
    z = h.groups["z"].droplevel(0).sort_index()
    np.testing.assert_allclose(z, [0.906170121423, 0.657346868010, 0.569784519737, 0.285899140337, 0.776883191910], rtol=1e-9)


def test_buhlmann_straub_formulas(hachemeister):
    """Independent re-computation of the textbook estimators (Bühlmann & Gisler 2005, §4.8)."""
    d = hachemeister
    res = ajx.buhlmann_straub(d, group="state", ratio="ratio", weight="weight")
    R = np.array([RATIOS[s] for s in RATIOS], float)
    W = np.array([WEIGHTS[s] for s in RATIOS], float)
    wi = W.sum(1)
    xi = (W * R).sum(1) / wi
    s2 = (W * (R - xi[:, None]) ** 2).sum() / (5 * 11)
    w = wi.sum()
    a = ((wi * (xi - (wi * xi).sum() / w) ** 2).sum() - 4 * s2) / (w - (wi**2).sum() / w)
    z = wi / (wi + s2 / a)
    xz = (z * xi).sum() / z.sum()
    assert res.s2 == pytest.approx(s2, rel=1e-12) and res.a == pytest.approx(a, rel=1e-12)
    np.testing.assert_allclose(res.credibility.to_numpy(), z, rtol=1e-12)
    np.testing.assert_allclose(res.premiums.to_numpy(), z * xi + (1 - z) * xz, rtol=1e-12)
    it = ajx.buhlmann_straub(d, group="state", ratio="ratio", weight="weight", method="iterative")
    # the iterative estimator solves a = Σ z_i (X̄_i − X̄_z)² / (I − 1) at its fixed point
    zi = it.credibility.to_numpy()
    xzi = (zi * xi).sum() / zi.sum()
    assert it.a == pytest.approx((zi * (xi - xzi) ** 2).sum() / 4, rel=1e-8)


def test_recovers_known_structure():
    """Many groups with known between variance a and within variance s² (weights vary)."""
    g = np.random.default_rng(0)
    n_groups, periods, m, a, s2 = 400, 8, 1000.0, 150.0**2, 300.0**2 * 50
    theta = m + np.sqrt(a) * g.standard_normal(n_groups)
    w = g.integers(20, 200, size=(n_groups, periods)).astype(float)
    x = theta[:, None] + np.sqrt(s2 / w) * g.standard_normal((n_groups, periods))
    df = pd.DataFrame({"group": np.repeat(np.arange(n_groups), periods), "ratio": x.ravel(), "weight": w.ravel()})
    res = ajx.buhlmann_straub(df, group="group", ratio="ratio", weight="weight")
    assert res.s2 == pytest.approx(s2, rel=0.05)
    assert res.a == pytest.approx(a, rel=0.2)
    mse_cred = ((res.premiums.to_numpy() - theta) ** 2).mean()
    mse_ind = ((res.groups["mean"].to_numpy() - theta) ** 2).mean()
    assert mse_cred < mse_ind


def test_hierarchical_reduces_to_buhlmann_straub_with_one_sector(hachemeister):
    d = hachemeister.assign(sector="all")
    h = ajx.hierarchical_credibility(d, levels=("sector", "state"), ratio="ratio", weight="weight")
    bs = ajx.buhlmann_straub(d, group="state", ratio="ratio", weight="weight")
    assert h.b == pytest.approx(bs.a, rel=1e-12) and h.s2 == pytest.approx(bs.s2, rel=1e-12)
    np.testing.assert_allclose(h.groups["premium"].to_numpy(), bs.premiums.to_numpy(), rtol=1e-12)


def test_hierarchical_recovers_known_structure():
    g = np.random.default_rng(1)
    n_sec, n_grp, periods = 60, 12, 6
    a, b, s2 = 200.0**2, 100.0**2, 400.0**2 * 100
    mu = 2000 + np.sqrt(a) * g.standard_normal(n_sec)
    theta = mu[:, None] + np.sqrt(b) * g.standard_normal((n_sec, n_grp))
    w = g.integers(50, 300, size=(n_sec, n_grp, periods)).astype(float)
    x = theta[:, :, None] + np.sqrt(s2 / w) * g.standard_normal(w.shape)
    idx = np.indices(w.shape)
    df = pd.DataFrame({"sector": idx[0].ravel(), "group": idx[1].ravel(), "ratio": x.ravel(), "weight": w.ravel()})
    h = ajx.hierarchical_credibility(df, levels=("sector", "group"), ratio="ratio", weight="weight")
    assert h.s2 == pytest.approx(s2, rel=0.05)
    assert h.b == pytest.approx(b, rel=0.25)
    assert h.a == pytest.approx(a, rel=0.35)
    err_cred = ((h.groups["premium"].to_numpy().reshape(n_sec, n_grp) - theta) ** 2).mean()
    err_ind = ((h.groups["mean"].to_numpy().reshape(n_sec, n_grp) - theta) ** 2).mean()
    assert err_cred < err_ind


def test_credibility_errors(hachemeister):
    with pytest.raises(ajx.ValidationError, match=r"missing column\(s\) \['w'\]"):
        ajx.buhlmann_straub(hachemeister, group="state", ratio="ratio", weight="w")
    with pytest.raises(ajx.ValidationError, match=r"column 'weight' \(weights\) must be > 0"):
        ajx.buhlmann_straub(hachemeister.assign(weight=0), group="state", ratio="ratio", weight="weight")
    with pytest.raises(ajx.ValidationError, match="method must be 'unbiased' or 'iterative'"):
        ajx.buhlmann_straub(hachemeister, group="state", ratio="ratio", weight="weight", method="magic")
    with pytest.raises(ajx.ValidationError, match="needs at least 2 groups"):
        ajx.buhlmann_straub(hachemeister[hachemeister["state"] == 1], group="state", ratio="ratio", weight="weight")


# ---------------------------------------------------------------------- edge cases against actuar
# Numbers made by R 4 / actuar 3.3-2 with ``Rscript tests/reference/actuar/credibility_edges.R``
# (the script holds the data sets and the cm() calls; its output, 12 significant digits, is
# tests/reference/actuar/credibility_edges.out). Tolerance 1e-6 relative (1e-9 absolute for
# zeros): the printed digits, not the arithmetic, limit the agreement.

from pathlib import Path

ACTUAR_OUT = Path(__file__).parent / "actuar" / "credibility_edges.out"

BS_RATIOS = [[10, 12, 9, 11, 13], [11, 9, 12, 10, 12], [12, 10, 11, 9, 11], [9, 13, 10, 12, 10]]
BS_WEIGHTS = [[50, 60, 40, 55, 45], [30, 35, 40, 25, 30], [80, 70, 90, 85, 75], [20, 25, 15, 30, 20]]
H_RATIOS = [[100, 120, 90, 110], [110, 95, 115, 100], [105, 100, 110, 95],
            [115, 135, 105, 125], [125, 110, 130, 115], [120, 115, 125, 110],
            [105, 125, 95, 115], [115, 100, 120, 105], [110, 105, 115, 100]]
H_WEIGHTS = [[50, 60, 40, 55], [30, 35, 40, 25], [80, 70, 90, 85],
             [20, 25, 15, 30], [60, 50, 70, 65], [45, 40, 50, 35],
             [25, 20, 30, 15], [40, 45, 35, 50], [10, 15, 20, 12]]


def _actuar() -> dict[str, dict[str, np.ndarray]]:
    """Sections ``## name`` of the stored actuar output, each ``key v1 v2 ...``."""
    out: dict[str, dict[str, np.ndarray]] = {}
    cur = None
    for line in ACTUAR_OUT.read_text().splitlines():
        if line.startswith("## "):
            cur = out.setdefault(line[3:].strip(), {})
        elif line.strip():
            key, *vals = line.split()
            cur[key] = np.array([float(v) for v in vals])
    return out


def _bs_frame():
    rows = [(g + 1, j, BS_RATIOS[g][j], BS_WEIGHTS[g][j]) for g in range(4) for j in range(5)]
    return pd.DataFrame(rows, columns=["group", "period", "ratio", "weight"])


def _h_frame(shift_first: float = 0.0):
    """The b = 0 data set; ``shift_first`` moves group 1's ratios up (its mean away from its sector's)."""
    ratios = np.array(H_RATIOS, dtype=float)
    ratios[0] += shift_first
    rows = [(g // 3 + 1, g + 1, j, ratios[g][j], H_WEIGHTS[g][j]) for g in range(9) for j in range(4)]
    return pd.DataFrame(rows, columns=["sector", "group", "period", "ratio", "weight"])


def _close(got, want):
    np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("method, section", [("unbiased", "bs Buhlmann-Gisler"), ("iterative", "bs iterative")])
def test_non_positive_between_variance_matches_actuar(method, section):
    """Unbiased a < 0: actuar sets z = 0 and the premiums to the weighted mean; the iterative
    estimator is 0 (it used to iterate from ~0 into NaN with overflow warnings)."""
    ref = _actuar()[section]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / invalid-value warnings
        res = ajx.buhlmann_straub(_bs_frame(), group="group", ratio="ratio", weight="weight", method=method)
    _close(res.a, ref["a"])
    _close(res.s2, ref["s2"])
    _close(res.credibility, ref["z"])
    _close(res.premiums, ref["premiums"])
    _close(res.collective, ref["collective"])
    assert res.k == np.inf
    w = np.array(BS_WEIGHTS, float)
    assert res.collective == pytest.approx((w * np.array(BS_RATIOS)).sum() / w.sum(), rel=1e-12)


def test_hierarchical_zero_between_group_variance_matches_actuar():
    ref = _actuar()["hierarchical b = 0"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = ajx.hierarchical_credibility(_h_frame(), levels=("sector", "group"), ratio="ratio", weight="weight")
    assert h.b == 0.0
    _close(h.a, ref["a"])
    _close(h.s2, ref["s2"])
    _close(h.sectors["Z"], ref["Z"])  # 0.9255 / 0.9048 / 0.8565, not 1
    _close(h.groups["z"], ref["z"])
    _close(h.sectors["premium"], ref["sector_premiums"])
    _close(h.groups["premium"], ref["group_premiums"])
    _close(h.collective, ref["collective"])


def test_hierarchical_is_continuous_as_b_reaches_zero():
    """Move one group away from its sector until the between-group estimate crosses 0: the
    premiums on either side of the crossing agree (the b = 0 branch is the limit of the b > 0
    formulas; the old branch jumped from sector Z = 1 to Z ≈ 0.9)."""
    def fit(t):
        return ajx.hierarchical_credibility(_h_frame(t), levels=("sector", "group"), ratio="ratio", weight="weight")

    lo, hi = 0.0, 40.0
    assert fit(lo).b == 0 and fit(hi).b > 0
    for _ in range(80):  # bisection on the crossing
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if fit(mid).b == 0 else (lo, mid)
    below, above = fit(lo), fit(hi)
    assert below.b == 0 and 0 < above.b < 1e-6 * above.s2
    np.testing.assert_allclose(above.sectors["Z"], below.sectors["Z"], rtol=1e-6)
    np.testing.assert_allclose(above.groups["premium"], below.groups["premium"], rtol=1e-8)
    assert above.collective == pytest.approx(below.collective, rel=1e-8)


def test_hierarchical_single_group_sector_matches_actuar(hachemeister):
    """A sector with one group has no between-group information; actuar averages it in as 0."""
    ref = _actuar()["hierarchical hachemeister cohorts (1,3) (2,4) (5)"]
    d = hachemeister.assign(cohort=hachemeister["state"].map({1: 1, 2: 2, 3: 1, 4: 2, 5: 3}))
    h = ajx.hierarchical_credibility(d, levels=("cohort", "state"), ratio="ratio", weight="weight")
    _close(h.a, ref["a"])
    _close(h.b, ref["b"])
    _close(h.s2, ref["s2"])
    _close(h.sectors["Z"], ref["Z"])
    _close(h.sectors["premium"], ref["sector_premiums"])
    _close(h.groups["z"].droplevel(0).sort_index(), ref["z"])
    _close(h.groups["premium"].droplevel(0).sort_index(), ref["group_premiums"])
    _close(h.collective, ref["collective"])
