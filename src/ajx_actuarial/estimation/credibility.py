"""Credibility: Bühlmann–Straub and hierarchical (Jewell) models with non-parametric estimators.

Notation (Bühlmann & Gisler 2005, *A Course in Credibility Theory*, ch. 4 and 6): group ``i``,
period ``j``, ratio ``X_ij`` with weight ``w_ij``; ``w_i = Σ_j w_ij``,
``X̄_i = Σ_j w_ij X_ij / w_i``.

* within variance ``s² = Σ_ij w_ij (X_ij − X̄_i)² / Σ_i (n_i − 1)``;
* between variance (unbiased) ``a = [Σ_i w_i (X̄_i − X̄)² − (I − 1) s²] / (w − Σ_i w_i² / w)``,
  or the iterative (Bichsel–Straub) pseudo-estimator
  ``a = Σ_i z_i (X̄_i − X̄_z)² / (I − 1)``;
* ``k = s² / a``, ``z_i = w_i / (w_i + k)``, credibility premium
  ``P_i = z_i X̄_i + (1 − z_i) X̄_z`` with ``X̄_z = Σ z_i X̄_i / Σ z_i``.

The hierarchical model adds a sector level above the groups (industry → region).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["buhlmann_straub", "hierarchical_credibility", "BuhlmannStraubResult", "HierarchicalResult"]


def _prep(df: pd.DataFrame, cols: list[str], ratio: str, weight: str, where: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValidationError(f"{where}: expected a DataFrame, got {type(df).__name__}")
    missing = [c for c in [*cols, ratio, weight] if c not in df.columns]
    if missing:
        raise ValidationError(f"{where}: missing column(s) {missing}")
    d = df[[*cols, ratio, weight]].copy()
    for c in (ratio, weight):
        v = pd.to_numeric(d[c], errors="coerce").to_numpy(dtype=np.float64)
        if not np.isfinite(v).all():
            raise ValidationError(f"{where}: column {c!r} must be finite numbers")
        d[c] = v
    if (d[weight] <= 0).any():
        rows = np.flatnonzero(d[weight].to_numpy() <= 0)[:5].tolist()
        raise ValidationError(f"{where}: column {weight!r} (weights) must be > 0; bad rows {rows}")
    return d


@dataclass(frozen=True)
class BuhlmannStraubResult:
    """Structure parameters and per-group credibility results.

    Attributes
    ----------
    collective : float
        Credibility-weighted collective mean ``X̄_z``.
    s2, a, k : float
        Within variance, between variance, ``k = s² / a``.
    groups : DataFrame
        Index: group; columns ``weight``, ``mean`` (individual), ``z`` (credibility factor),
        ``premium`` (credibility premium).
    method : str
    """

    collective: float
    s2: float
    a: float
    k: float
    groups: pd.DataFrame
    method: str

    @property
    def credibility(self) -> pd.Series:
        return self.groups["z"]

    @property
    def premiums(self) -> pd.Series:
        return self.groups["premium"]

    def summary(self) -> pd.DataFrame:
        return self.groups.copy()


def _bs_core(xi: np.ndarray, wi: np.ndarray, s2: float, method: str, tol: float = 1e-10, maxit: int = 1000) -> tuple[float, np.ndarray, float]:
    """Collective, credibility factors and between variance ``a`` from group means and weights.

    A non-positive between variance means no detectable heterogeneity: ``z = 0`` and the
    collective is the weight-averaged mean. The iterative (Bichsel–Straub) estimator starts
    from the unbiased one and is set to 0 when that is not positive, as R actuar's ``bstraub``
    does (iterating from a value near 0 would divide by it).
    """
    n_groups = xi.size
    w = wi.sum()
    xbar = float((wi * xi).sum() / w)
    a = float(((wi * (xi - xbar) ** 2).sum() - (n_groups - 1) * s2) / (w - (wi**2).sum() / w))
    if method == "iterative":
        if a > 0:
            for _ in range(maxit):
                z = wi / (wi + s2 / a)
                xz = (z * xi).sum() / z.sum()
                a_new = float((z * (xi - xz) ** 2).sum() / (n_groups - 1))
                done = abs(a_new - a) <= tol * a
                a = a_new
                if done or a <= 0:
                    break
        a = max(a, 0.0)
    if a <= 0:
        return xbar, np.zeros(n_groups), a
    z = wi / (wi + s2 / a)
    return float((z * xi).sum() / z.sum()), z, a


def buhlmann_straub(df: pd.DataFrame, *, group: str, ratio: str, weight: str, method: str = "unbiased") -> BuhlmannStraubResult:
    """Bühlmann–Straub credibility from a long table (one row per group and period).

    Parameters
    ----------
    df : DataFrame
    group, ratio, weight : str
        Column names: group label; the ratio (e.g. claims per worker-year, loss ratio, mean
        claim) and its weight (exposure, number of claims), weights > 0.
    method : {"unbiased", "iterative"}

    Returns
    -------
    BuhlmannStraubResult
        ``.collective``, ``.s2``, ``.a``, ``.k``, ``.credibility`` (z per group),
        ``.premiums`` (per group).

    References
    ----------
    Bühlmann & Straub (1970); Bühlmann & Gisler (2005), §4.8 (estimators).
    """
    if method not in ("unbiased", "iterative"):
        raise ValidationError(f"buhlmann_straub: method must be 'unbiased' or 'iterative', got {method!r}")
    d = _prep(df, [group], ratio, weight, "buhlmann_straub")
    d["_wx"] = d[ratio] * d[weight]
    g = d.groupby(group, sort=True, observed=True)
    wi = g[weight].sum()
    xi = g["_wx"].sum() / wi
    ni = g.size()
    if len(wi) < 2:
        raise ValidationError("buhlmann_straub: needs at least 2 groups")
    if (ni < 2).all():
        raise ValidationError("buhlmann_straub: needs at least one group with 2 or more periods to estimate the within variance")
    dev = d[weight] * (d[ratio] - d[group].map(xi)) ** 2
    s2 = float(dev.sum() / (ni - 1).sum())
    collective, z, a = _bs_core(xi.to_numpy(), wi.to_numpy(), s2, method)
    premium = z * xi.to_numpy() + (1 - z) * collective
    groups = pd.DataFrame({"weight": wi, "periods": ni, "mean": xi, "z": z, "premium": premium})
    k = s2 / a if a > 0 else float("inf")
    return BuhlmannStraubResult(collective=collective, s2=s2, a=a, k=k, groups=groups, method=method)


@dataclass(frozen=True)
class HierarchicalResult:
    """Two-level hierarchical credibility (sector → group).

    Attributes
    ----------
    collective : float
    s2, b, a : float
        Within-group variance, between groups within sector, between sectors.
    sectors, groups : DataFrame
        Per sector: ``weight`` (Σ_j w_ij), ``z_sum`` (Σ_j z_ij), ``mean``, ``Z``, ``premium``; per (sector, group):
        ``weight``, ``mean``, ``z``, ``premium`` (shrunk toward its sector's premium).
    """

    collective: float
    s2: float
    b: float
    a: float
    sectors: pd.DataFrame
    groups: pd.DataFrame

    @property
    def premiums(self) -> pd.Series:
        return self.groups["premium"]


def hierarchical_credibility(df: pd.DataFrame, *, levels: tuple[str, str] | list[str], ratio: str, weight: str,
                             method: str = "buhlmann-gisler") -> HierarchicalResult:
    """Jewell's two-level hierarchical credibility.

    ``levels = (sector, group)``, e.g. ``("industry", "region")``: sparse industry × region cells
    are shrunk toward their industry, industries toward the portfolio.

    ``method``: ``"buhlmann-gisler"`` (default, as R actuar's ``cm``): the between-group
    variance is the average over sectors of each sector's unbiased estimator truncated at zero
    (a sector with a single group counts as 0), and the between-sector variance is truncated at
    zero; ``"unbiased"``: the pooled unbiased (Ohlsson) estimator over all sectors.

    When the between-group variance is 0 (or negative), the groups get ``z = 0`` and the sector
    level takes the limit of the formulas as ``b → 0``: sector weights ``w_i``, w-weighted sector
    means and ``s²`` in place of ``b``, so ``Z_i = w_i / (w_i + s² / a)`` (what actuar computes).
    ``sectors["z_sum"]`` is then 0.

    References
    ----------
    Jewell (1975); Bühlmann & Gisler (2005), §6.4–6.6; Goulet et al., R package actuar, ``cm``.
    """
    if method not in ("buhlmann-gisler", "unbiased"):
        raise ValidationError(f"hierarchical_credibility: method must be 'buhlmann-gisler' or 'unbiased', got {method!r}")
    if len(levels) != 2:
        raise ValidationError(f"hierarchical_credibility: levels must name 2 columns (sector, group), got {levels!r}")
    sec, grp = levels
    d = _prep(df, [sec, grp], ratio, weight, "hierarchical_credibility")
    d["_wx"] = d[ratio] * d[weight]
    g = d.groupby([sec, grp], sort=True, observed=True)
    wij = g[weight].sum()
    xij = g["_wx"].sum() / wij
    nij = g.size()
    if (nij < 2).all():
        raise ValidationError("hierarchical_credibility: needs groups with 2 or more periods")
    key = pd.MultiIndex.from_frame(d[[sec, grp]])
    dev = d[weight].to_numpy() * (d[ratio].to_numpy() - xij.reindex(key).to_numpy()) ** 2
    s2 = float(dev.sum() / (nij - 1).sum())
    # between groups within sectors (unbiased)
    sec_of = wij.index.get_level_values(0)
    wi = wij.groupby(level=0, observed=True).sum()
    xiw = (wij * xij).groupby(level=0, observed=True).sum() / wi
    ji = wij.groupby(level=0, observed=True).size()
    num_i = (wij * (xij - xiw.reindex(sec_of).to_numpy()) ** 2).groupby(level=0, observed=True).sum() - s2 * (ji - 1)
    den_i = wi - (wij**2).groupby(level=0, observed=True).sum() / wi
    if method == "unbiased":
        b = float(num_i.sum() / den_i.sum()) if den_i.sum() > 0 else 0.0
    else:
        # actuar: mean over ALL sectors of max(b_i, 0), a sector with one group counting as 0
        bi = np.where(den_i > 0, num_i / den_i.where(den_i > 0, 1.0), 0.0)
        b = float(np.maximum(bi, 0.0).mean())
    if b > 0:
        zij = wij / (wij + s2 / b)
        zi = zij.groupby(level=0, observed=True).sum()
        xiz = (zij * xij).groupby(level=0, observed=True).sum() / zi
        lower = b
    else:
        # The b -> 0 limit of the formulas (as actuar's cm): z_ij -> b w_ij / s², so the sector
        # weights Σ_j z_ij become w_i (up to the factor b / s², which cancels in Z_i and in a),
        # the sector means the w-weighted means, and the variance below the sectors is s².
        zij = pd.Series(0.0, index=wij.index)
        zi, xiz, lower = wi, xiw, s2
    n_sec = len(zi)
    ztot = zi.sum()
    xz = (zi * xiz).sum() / ztot
    a = float(((zi * (xiz - xz) ** 2).sum() - lower * (n_sec - 1)) / (ztot - (zi**2).sum() / ztot)) if n_sec > 1 else 0.0
    if method == "buhlmann-gisler":
        a = max(a, 0.0)
    if a > 0:
        Zi = zi / (zi + lower / a)
        collective = float((Zi * xiz).sum() / Zi.sum())
    else:
        Zi = pd.Series(0.0, index=zi.index)
        collective = float(xz)
    pi = Zi * xiz + (1 - Zi) * collective
    pij = zij * xij + (1 - zij) * pi.reindex(sec_of).to_numpy()
    sectors = pd.DataFrame({"weight": wi, "z_sum": zij.groupby(level=0, observed=True).sum(), "mean": xiz, "Z": Zi, "premium": pi})
    groups = pd.DataFrame({"weight": wij, "periods": nij, "mean": xij, "z": zij, "premium": pij})
    return HierarchicalResult(collective=collective, s2=s2, b=b, a=a, sectors=sectors, groups=groups)
