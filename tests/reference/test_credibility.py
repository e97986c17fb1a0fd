"""Credibility against published data and known truth.

Hachemeister (1975) data as distributed with R package actuar (``data(hachemeister)``): average
bodily-injury claim amounts and numbers of claims, 5 U.S. states × 12 quarters (Jul 1970 – Jun
1973). The actuar documentation prints, for the Bühlmann–Straub and hierarchical fits, the
individual state means 2060.921, 1511.224, 1805.843, 1352.976, 1599.829 with weights 100155,
19895, 13735, 4152, 36110 and the within-state variance 139 120 026.

Only states 1, 3, 4 and 5 are used below: the copies of the state-2 quarterly figures that could
be checked here do not reproduce the published state-2 mean (1506.65 instead of 1511.224), so
the published structure parameters and credibility premiums, which depend on all five states,
cannot be reproduced with confidence. What is tested against the publication: the per-state
statistics our estimator computes from the raw quarters.
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx

RATIOS = {
    1: [1738, 1642, 1794, 2051, 2079, 2234, 2032, 2035, 2115, 2262, 2267, 2517],
    3: [1759, 1685, 1479, 1763, 1674, 2103, 1502, 1622, 1828, 2155, 2233, 2059],
    4: [1223, 1146, 1010, 1257, 1426, 1532, 1953, 1123, 1343, 1243, 1762, 1306],
    5: [1456, 1499, 1609, 1741, 1482, 1572, 1606, 1735, 1607, 1573, 1613, 1690],
}
WEIGHTS = {
    1: [7861, 9251, 8706, 8575, 7917, 8263, 9456, 8003, 7365, 7832, 7849, 9077],
    3: [1147, 1357, 1329, 1204, 998, 1077, 1277, 1218, 896, 1003, 1108, 1121],
    4: [407, 396, 348, 341, 315, 328, 352, 331, 287, 384, 321, 342],
    5: [2902, 3172, 3046, 3068, 2693, 2910, 3275, 2697, 2663, 3017, 3242, 3425],
}
PUBLISHED = {1: (2060.921, 100155), 3: (1805.843, 13735), 4: (1352.976, 4152), 5: (1599.829, 36110)}


@pytest.fixture
def hachemeister():
    rows = [(s, q + 1, RATIOS[s][q], WEIGHTS[s][q]) for s in RATIOS for q in range(12)]
    return pd.DataFrame(rows, columns=["state", "quarter", "ratio", "weight"])


def test_hachemeister_state_statistics_match_actuar(hachemeister):
    res = ajx.buhlmann_straub(hachemeister, group="state", ratio="ratio", weight="weight")
    for s, (mean, weight) in PUBLISHED.items():
        assert res.groups.loc[s, "mean"] == pytest.approx(mean, abs=5e-4)
        assert res.groups.loc[s, "weight"] == weight


def test_buhlmann_straub_formulas(hachemeister):
    """Independent re-computation of the textbook estimators (Bühlmann & Gisler 2005, §4.8)."""
    d = hachemeister
    res = ajx.buhlmann_straub(d, group="state", ratio="ratio", weight="weight")
    R = np.array([RATIOS[s] for s in RATIOS], float)
    W = np.array([WEIGHTS[s] for s in RATIOS], float)
    wi = W.sum(1)
    xi = (W * R).sum(1) / wi
    s2 = (W * (R - xi[:, None]) ** 2).sum() / (4 * 11)
    w = wi.sum()
    a = ((wi * (xi - (wi * xi).sum() / w) ** 2).sum() - 3 * s2) / (w - (wi**2).sum() / w)
    z = wi / (wi + s2 / a)
    xz = (z * xi).sum() / z.sum()
    assert res.s2 == pytest.approx(s2, rel=1e-12) and res.a == pytest.approx(a, rel=1e-12)
    np.testing.assert_allclose(res.credibility.to_numpy(), z, rtol=1e-12)
    np.testing.assert_allclose(res.premiums.to_numpy(), z * xi + (1 - z) * xz, rtol=1e-12)
    it = ajx.buhlmann_straub(d, group="state", ratio="ratio", weight="weight", method="iterative")
    # the iterative estimator solves a = Σ z_i (X̄_i − X̄_z)² / (I − 1) at its fixed point
    zi = it.credibility.to_numpy()
    xzi = (zi * xi).sum() / zi.sum()
    assert it.a == pytest.approx((zi * (xi - xzi) ** 2).sum() / 3, rel=1e-8)


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
