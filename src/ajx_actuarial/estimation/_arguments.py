"""The arguments of :func:`ajx_actuarial.calibrate`, checked before any fit.

Each bad argument is one :class:`~ajx_actuarial.errors.ValidationError` naming it, the rule and
the value: the types first (:func:`check_types`, before the experience is read), then against the
experience (:func:`check_arguments`), the fixed relativities against the fitted levels
(:func:`check_fixed`) and the size of the fit (:func:`check_holdout`: claims left after the
holdout; :func:`check_fit_size`: more policies than parameters, so a one-row experience, or a
holdout that leaves a policy or two, is refused rather than fitted exactly).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["check_types", "check_arguments", "check_fixed", "check_holdout", "check_fit_size"]


def _real(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) and bool(np.isfinite(v))


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 60 else s[:59] + "…"


def check_types(factors, bands, bases, fixed, level, holdout) -> None:
    """The shapes and types of ``calibrate``'s arguments (before they are used)."""
    if factors is not None:
        if isinstance(factors, str):
            raise ValidationError(f"calibrate: factors must be a list of column names, got the string {_short(factors)} "
                                  f"(write [{_short(factors)}])")
        if isinstance(factors, Mapping) or not hasattr(factors, "__iter__"):
            raise ValidationError(f"calibrate: factors must be a list of column names, got {_short(factors)}")
        names = list(factors)
        if not all(isinstance(f, str) and f for f in names):
            raise ValidationError(f"calibrate: factors must be non-empty column names, got {_short(names)}")
        dup = sorted({f for f in names if names.count(f) > 1})
        if dup:
            raise ValidationError(f"calibrate: factors lists {dup} more than once")
    for name, value in (("bands", bands), ("bases", bases), ("fixed", fixed)):
        if value is not None and not isinstance(value, Mapping):
            raise ValidationError(f"calibrate: {name} must be a mapping {{column: ...}} or None, got {_short(value)}")
    for col, b in (bands or {}).items():
        if isinstance(b, (str, bytes, Mapping)) or not hasattr(b, "__iter__"):
            raise ValidationError(f"calibrate: bands.{col} must be a list of increasing upper bounds, got {_short(b)}")
        vals = list(b)
        if not vals or not all(_real(x) for x in vals) or any(y <= x for x, y in zip(vals, vals[1:])):
            raise ValidationError(f"calibrate: bands.{col} must be a non-empty list of finite, increasing upper bounds, got {_short(b)}")
    for col, levels in (fixed or {}).items():
        if not isinstance(levels, Mapping):
            raise ValidationError(f"calibrate: fixed.{col} must be a mapping {{level: relativity}}, got {_short(levels)}")
        for lv, v in levels.items():
            if not _real(v) or v <= 0:
                raise ValidationError(f"calibrate: fixed.{col}.{lv}: relativity must be a number > 0, got {_short(v)}")
    if not _real(level) or not 0 < level < 1:
        raise ValidationError(f"calibrate: level must be in (0, 1), a number, got {_short(level)}")
    if not _real(holdout) or not 0 <= holdout < 1:
        raise ValidationError(f"calibrate: holdout must be in [0, 1), a number, got {_short(holdout)}")


def check_arguments(d: pd.DataFrame, factors: tuple[str, ...], frequency, severity, pure_premium, path, bands, scale,
                    fixed) -> None:
    """The arguments against the validated experience ``d``."""
    for f in factors:
        if f == "industry":
            raise ValidationError("calibrate: 'industry' is always in the model (base frequencies); do not list it")
        if f not in d.columns:
            raise ValidationError(f"calibrate: factor column {f!r} not in the experience")
    if frequency not in ("poisson", "negbin"):
        raise ValidationError(f"calibrate: frequency must be 'poisson' or 'negbin', got {frequency!r}")
    if severity not in ("gamma", None):
        raise ValidationError(f"calibrate: severity must be 'gamma' or None, got {severity!r}")
    if pure_premium not in (None, "tweedie"):
        raise ValidationError(f"calibrate: pure_premium must be None or 'tweedie', got {pure_premium!r}")
    if path not in ("auto", "cells", "rows"):
        raise ValidationError(f"calibrate: path must be 'auto', 'cells' or 'rows', got {path!r}")
    if frequency == "negbin" and path == "cells":
        raise ValidationError("calibrate: the negative binomial likelihood is not aggregable; use path='rows'")
    if scale is not None:
        if frequency == "negbin":
            raise ValidationError(f"calibrate: scale={scale!r} applies to the Poisson frequency; the negative binomial "
                                  "estimates its own dispersion (leave scale=None)")
        num = isinstance(scale, (int, float)) and not isinstance(scale, bool)
        if not (scale in ("X2", "dev", "robust") if isinstance(scale, str) else num and np.isfinite(scale) and scale > 0):
            raise ValidationError(f"calibrate: scale must be None (automatic), 'robust', 'X2', 'dev' or a number > 0, got {scale!r}")
    for k in bands:
        if k not in factors:
            raise ValidationError(f"calibrate: bands for {k!r}, which is not a factor")
        s = d[k]
        if isinstance(s.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(s.dtype):
            raise ValidationError(f"calibrate: bands for {k!r}, whose values are not numbers (it has levels; leave it unbanded)")
    for k in fixed:
        if k not in factors:
            raise ValidationError(f"calibrate: fixed relativities for {k!r}, which is not a factor; factors: {list(factors)}")
    n_claims = int(d["claims"].sum())
    if n_claims == 0:
        raise ValidationError(f"calibrate: the experience has no claims (column 'claims' sums to 0 over {len(d):,} "
                              "policy-years); a frequency model needs claims")


def check_fixed(fixed: Mapping[str, Mapping[str, float]], cats: Mapping[str, list[str]], bases: Mapping[str, str]) -> None:
    """Each fixed level is a level of its factor in the experience, and not its base."""
    for f, levels in fixed.items():
        for lv in levels:
            if lv not in cats[f]:
                raise ValidationError(f"calibrate: fixed.{f}: unknown level {lv!r}; levels of {f}: {cats[f]}")
            if lv == bases[f]:
                raise ValidationError(f"calibrate: fixed.{f}.{lv}: {lv} is the base level of {f} (relativity 1 by definition)")


def check_holdout(d: pd.DataFrame, holdout: float) -> None:
    """Claims left to fit after the holdout."""
    if int(d["claims"].sum()) == 0:
        raise ValidationError(f"calibrate: holdout={holdout!r} leaves {d['policy_id'].nunique():,} policies with no claims "
                              "to fit; hold out a smaller share")


def check_fit_size(d: pd.DataFrame, holdout: float, n_params: int) -> None:
    """More policies than parameters (a policy's years share its frailty: they are one unit of evidence)."""
    n_pol = int(d["policy_id"].nunique())
    if n_pol <= n_params:
        after = f" (after holdout={holdout!r})" if holdout > 0 else ""
        raise ValidationError(f"calibrate: the experience{after} has {n_pol:,} polic{'y' if n_pol == 1 else 'ies'} "
                              f"({len(d):,} policy-years) for {n_params} parameter(s) (one per industry and per non-base "
                              "factor level); a fit needs more policies than parameters: more experience, fewer factors "
                              "or coarser bands")
