"""Factor levels blended toward the template by credibility, for :meth:`CalibrationResult.to_rate_table`.

A level with few policy-years has a wide interval; filing its point estimate would let a handful
of claims set a schedule. Each fitted level's log relativity is blended with the complement of
credibility, the template's multiplier for the same level (relative to the template's multiplier
at the fit's base level)::

    log r_used = Z × log r_fitted + (1 − Z) × log r_template,     Z = τ² / (τ² + se²)

``se`` the standard error of the fitted log relativity (policy-clustered sandwich where the
counts are over-dispersed, :mod:`._dispersion`), ``τ`` the prior standard deviation of a level's log
relativity around the template's (``credibility``, default 0.25: a level may plausibly differ
from the template by about ±25 %, ±50 % at two sd). This is the normal-normal posterior mean of
the log relativity (Bühlmann credibility with the GLM's variance as the process variance): a
level with ``se`` = 0.05 keeps 96 % of its own estimate, one with ``se`` = 0.5 keeps 20 %.

Complement of a level (``template_relativity_by_level``):

* a template factor on the same column (categorical, banded or boolean): its multiplier averaged
  over the calibration rows in the level (exposure weights; a level without rows: a
  representative value), divided by the same for the base level, so bands that do not match
  the template's still get the template's average multiplier;
* ``size``: the template's rate per head of the class relative to the base class of the same
  industry (its industry × size cells), averaged over the rows;
* ``headcount`` (banded): the template's headcount size factor, averaged likewise;
* a factor the template does not price: 1 (no differentiation), the usual complement for a new
  rating variable.

Base and fixed levels keep ``Z = 1``. A level whose fitted relativity is unusable, not a
positive finite number or estimated from no claims (the MLE of a level without claims is 0: the
GLM returns ``exp(−20)`` or so, or 0 after underflow), gets ``Z = 0`` (the complement) whether or
not credibility is on; with ``credibility=None`` (the data alone) it is the only change, and an
:class:`~ajx_actuarial.errors.AjxWarning` names the levels.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import AjxWarning, ValidationError
from ..reference import INDUSTRIES, SIZES
from ._factors import base_value, labels

__all__ = ["check_tau", "blend_levels"]


def check_tau(tau) -> None:
    """``credibility`` of :meth:`~CalibrationResult.to_rate_table`: ``None`` or a number in (0, 10]."""
    if tau is None:
        return
    if isinstance(tau, bool) or not isinstance(tau, (int, float)) or not 0 < tau <= 10:
        raise ValidationError(f"to_rate_table: credibility must be the prior sd of an industry's level and of a factor "
                              f"level's log relativity (a number in (0, 10]) or None, got {tau!r}")


def _multiplier(t, res, f: str, rows: pd.DataFrame) -> np.ndarray | None:
    """The template's multiplier for factor ``f`` on ``rows`` (relative within an industry for size)."""
    if f == "size":
        ref = t.reference_limit
        tot = ref * t.base_rate_grid.to_numpy() + t.medical_grid.to_numpy()
        base = SIZES.index(str(res.bases["size"]))
        i = pd.Categorical(rows["industry"].astype(str), categories=list(INDUSTRIES)).codes
        s = pd.Categorical(rows["size"].astype(str), categories=list(SIZES)).codes
        if (i < 0).any() or (s < 0).any():
            return None
        den = tot[i, base]
        return np.where(den > 0, tot[i, s] / np.where(den > 0, den, 1.0), 1.0)
    if f == "headcount":
        bands, facs = t.size_bands
        return facs[np.searchsorted(bands, rows["headcount"].to_numpy(dtype=np.float64), side="left")]
    spec = next((x for x in t.factors if x.column == f and x.kind != "history"), None)
    if spec is None:
        return None
    try:
        return np.asarray(spec.evaluate(rows), dtype=np.float64)
    except (ValidationError, KeyError, ValueError, TypeError):
        return None


def _priors(res, t, d: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Template multiplier per fitted level relative to the base level; missing where it has none."""
    out: dict[str, dict[str, float]] = {}
    rel = res.relativities
    w = d["exposure"].to_numpy(dtype=np.float64)
    for f in res.factors:
        if f not in d.columns:
            continue
        lab = labels(d[f], f, res.bands.get(f))
        cats = [str(c) for c in lab.cat.categories]
        code = lab.cat.codes.to_numpy()
        expo = np.bincount(code, weights=w, minlength=len(cats))
        mult = _multiplier(t, res, f, d)  # every row at once; per level where that fails (a level the template lacks)
        usable = mult is not None and np.isfinite(mult).all() and (mult > 0).all()
        wm = np.bincount(code, weights=w * mult, minlength=len(cats)) / np.where(expo > 0, expo, 1.0) if usable else None
        means = {}
        for lv in rel.loc[rel["factor"] == f, "level"].astype(str):
            j = cats.index(lv) if lv in cats else -1
            if usable and j >= 0 and expo[j] > 0:
                means[lv] = float(wm[j])
                continue
            m = code == j
            rows = d[m] if m.any() else d.head(1).assign(**{f: base_value(d[f], lv, res.bands.get(f))})
            one = _multiplier(t, res, f, rows)
            if one is not None and np.isfinite(one).all() and (one > 0).all():
                ww = w[m] if m.any() and w[m].sum() > 0 else np.ones(len(rows))
                means[lv] = float(np.average(one, weights=ww))
        base = str(res.bases[f])
        if base in means:
            out[f] = {lv: v / means[base] for lv, v in means.items()}
    return out


def blend_levels(res, t, d: pd.DataFrame, tau: float | None) -> tuple[pd.DataFrame, dict]:
    """The relativities to file (``res.relativities`` with ``relativity`` blended) and their metadata.

    Parameters
    ----------
    res : CalibrationResult
    t : RateTable
        The template.
    d : DataFrame
        Rows on which the template's multipliers are averaged (the calibration data, else the book).
    tau : float or None
        Prior sd of a level's log relativity; ``None``: no blending (unusable levels still get the
        complement, with a warning).

    Returns
    -------
    (DataFrame, dict)
        The relativities, and ``credibility_by_level``, ``template_relativity_by_level``,
        ``fitted_relativity_by_level`` (``{factor: {level: value}}``) for ``meta.calibration``.
    """
    check_tau(tau)
    priors = _priors(res, t, d)
    out = res.relativities.copy()
    z_by: dict[str, dict[str, float]] = {}
    prior_by: dict[str, dict[str, float]] = {}
    fitted_by: dict[str, dict[str, float]] = {}
    unusable = []
    used = []
    for row in out.itertuples(index=False):
        f, lv, r = row.factor, str(row.level), float(row.relativity)
        se = float(getattr(row, "se", np.nan))
        prior = priors.get(f, {}).get(lv, 1.0)
        fixed = lv == str(res.bases[f]) or lv in res.fixed.get(f, {})
        bad = not fixed and (not np.isfinite(r) or r <= 0 or row.claims <= 0)
        if fixed:
            z = 1.0
        elif bad:
            z = 0.0
            unusable.append(f"{f} {lv} = {r:.3g} ({row.claims:g} claims) -> {prior:.4g}")
        elif tau is None:
            z = 1.0
        else:
            z = float(tau**2 / (tau**2 + se**2)) if np.isfinite(se) else 0.0
        value = prior if z == 0.0 else float(np.exp(z * np.log(r) + (1 - z) * np.log(prior)))
        used.append(value)
        z_by.setdefault(f, {})[lv] = z
        prior_by.setdefault(f, {})[lv] = float(prior)
        if np.isfinite(r):
            fitted_by.setdefault(f, {})[lv] = r
    out["relativity"] = used
    if unusable and tau is None:
        warnings.warn("to_rate_table: relativities that are not a positive number estimated from claims take the template's "
                      f"multiplier (1 where it has none): {'; '.join(unusable)}", AjxWarning, stacklevel=4)
    meta = {"credibility_by_level": z_by, "template_relativity_by_level": prior_by, "fitted_relativity_by_level": fitted_by}
    return out, meta
