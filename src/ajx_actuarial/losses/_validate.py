"""Validation of a :class:`~ajx_actuarial.LossModel` (every parameter, with its valid range)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..reference import INDUSTRIES
from .sources import PARTS_CV, RELATIVITY_FACTORS

__all__ = ["validate_model"]


def _number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float, np.number)) and bool(np.isfinite(v))


def _frequencies(m) -> None:
    fr = m.frequencies
    if not isinstance(fr, pd.DataFrame):
        raise ValidationError("LossModel.frequencies: must be a DataFrame indexed by industry")
    need = {"deaths_per_100k", "disabilities_per_100k", "medical_per_100"}
    if not need <= set(fr.columns):
        raise ValidationError(f"LossModel.frequencies: missing column(s) {sorted(need - set(fr.columns))}")
    unknown = sorted(set(fr.index) - set(INDUSTRIES))
    if unknown:
        raise ValidationError(f"LossModel.frequencies: unknown industry code(s) {unknown}; allowed: {list(INDUSTRIES)}")
    missing = [i for i in INDUSTRIES if i not in fr.index]
    if missing:
        raise ValidationError(f"LossModel.frequencies: no frequencies for industry code(s) {missing}")
    vals = fr[sorted(need)].to_numpy(dtype=float)
    if not np.isfinite(vals).all() or (vals < 0).any():
        raise ValidationError("LossModel.frequencies: frequencies must be finite and >= 0")
    low = fr["disabilities_per_100k"] < m.injury_ratio * fr["deaths_per_100k"]
    if low.any():
        raise ValidationError("LossModel: disabilities_per_100k must be >= injury_ratio × deaths_per_100k (disabilities in "
                              f"fatal accidents); fails for {fr.index[low].tolist()}")


def _tables(m) -> None:
    rel = m.relativities
    if not isinstance(rel, Mapping):
        raise ValidationError("LossModel.relativities: must be a dict factor -> {level: multiplier}")
    for fac, table in rel.items():
        if fac not in RELATIVITY_FACTORS:
            raise ValidationError(f"LossModel.relativities: {fac!r} is not a rating characteristic; known: {list(RELATIVITY_FACTORS)}")
        if not isinstance(table, Mapping) or not all(_number(v) and 0 < v <= 100 for v in table.values()):
            raise ValidationError(f"LossModel.relativities[{fac!r}]: must map levels to finite multipliers in (0, 100]")
    for name, allowed in (("region_effects", None), ("normaliser", INDUSTRIES)):
        t = getattr(m, name)
        if not isinstance(t, Mapping) or not all(_number(v) and 0 < v <= 100 for v in t.values()):
            raise ValidationError(f"LossModel.{name}: must map names to finite multipliers in (0, 100]")
        if allowed is not None and set(map(str, t)) - set(allowed):
            raise ValidationError(f"LossModel.{name}: unknown industry code(s) {sorted(set(map(str, t)) - set(allowed))}")
    pc = m.parameter_cv
    if not isinstance(pc, Mapping) or set(pc) != set(PARTS_CV) or not all(_number(v) and 0 <= v <= 2 for v in pc.values()):
        raise ValidationError(f"LossModel.parameter_cv: must give {list(PARTS_CV)} each a number in [0, 2], got {pc!r}")


def validate_model(m) -> None:
    """Raise :class:`ValidationError` naming the first parameter of ``m`` out of its range."""
    if m.counts not in ("poisson", "negbin"):
        raise ValidationError(f"LossModel.counts: must be 'poisson' or 'negbin', got {m.counts!r}")
    for name, hi in (("frailty_cv", 10.0), ("shock_cv", 5.0), ("year_cv", 2.0), ("injury_ratio", 50.0), ("rescue_share", 10.0),
                     ("third_party_share", 10.0), ("medical_sigma", 5.0)):
        v = getattr(m, name)
        if not _number(v) or v < 0 or v > hi:
            raise ValidationError(f"LossModel.{name}: must be a finite number in [0, {hi:g}], got {v!r}")
    _frequencies(m)
    if m.counts == "negbin" and m.frailty_cv <= 0:
        raise ValidationError("LossModel.frailty_cv: must be > 0 when counts='negbin'")
    for name, hi in (("death_loss", 1e9), ("medical_median", 1e8), ("frequency_multiplier", 100.0), ("severity_multiplier", 100.0)):
        v = getattr(m, name)
        if not _number(v) or v <= 0 or v > hi:
            raise ValidationError(f"LossModel.{name}: must be a finite number in (0, {hi:g}], got {v!r}")
    if m.shock_by not in ("industry", "region", "all"):
        raise ValidationError(f"LossModel.shock_by: must be 'industry', 'region' or 'all', got {m.shock_by!r}")
    if m.shock_dist not in ("gamma", "lognormal"):
        raise ValidationError(f"LossModel.shock_dist: must be 'gamma' or 'lognormal', got {m.shock_dist!r}")
    c = np.asarray(m.cluster, dtype=float)
    if c.ndim != 1 or c.size < 2 or (c < 0).any() or c[0] != 0 or not np.isclose(c.sum(), 1.0):
        raise ValidationError("LossModel.cluster: must be a pmf on 0..K with no mass at 0 deaths")
    for name in ("grade_mix", "payout_share", "civil_share"):
        a = np.asarray(getattr(m, name), dtype=float)
        if a.shape != (10,) or (a < 0).any() or not np.isfinite(a).all():
            raise ValidationError(f"LossModel.{name}: must be 10 finite values >= 0 (grades 1..10)")
    if not np.isclose(np.sum(m.grade_mix), 1.0):
        raise ValidationError("LossModel.grade_mix: shares must sum to 1")
    if (np.asarray(m.payout_share) > 1).any():
        raise ValidationError("LossModel.payout_share: shares of the limit must be <= 1")
    _tables(m)
    if not isinstance(m.name, str):
        raise ValidationError(f"LossModel.name: must be text, got {m.name!r}")
