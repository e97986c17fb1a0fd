"""Large losses: cap each claim and spread the excess by industry, or take out catastrophes and
load them back from the loss model.

* ``large={"cap": T}``: every claim's paid and incurred are capped at ``T`` CNY along its whole
  development (so the triangles develop capped amounts). The excess over ``T`` as known at the
  valuation date is spread back by industry as an excess-loss factor on the capped ultimate
  losses: ``incurred × (1 + e)``, ``e = Σ excess / Σ capped incurred``, both summed over the
  industry's claims of all accident years at the valuation date (so the excess develops in step
  with the capped losses of each year, and one large claim is shared by the whole industry).
* ``large={"catastrophe": k}`` (or ``large="catastrophe"``, ``k = 3``): accidents with ``k`` or more
  deaths as known at the valuation date (较大 and worse, State Council Order 493) leave the
  triangles and the experience, counts included; each policy-year gets back its expected
  catastrophe loss from :class:`ajx_actuarial.LossModel` (default model, read-only): fatal
  accidents per worker-year of its industry × Σ_{K ≥ k} P(K deaths) ×
  min(K × limit_death × (1 + injury_ratio × mean disability share of the limit), limit_accident).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._lookup import lookup
from ..errors import ValidationError

__all__ = ["LargeRule", "as_large", "capped_increments", "catastrophe_claims", "catastrophe_load"]


@dataclass(frozen=True)
class LargeRule:
    kind: str  # "cap" or "catastrophe"
    value: float  # threshold (CNY) or minimum deaths

    def as_dict(self) -> dict:
        return {self.kind: self.value}


def as_large(large) -> LargeRule | None:
    """``None``, ``"catastrophe"``, ``{"cap": threshold}`` or ``{"catastrophe": min_deaths}``."""
    if large is None:
        return None
    if isinstance(large, str) and large == "catastrophe":
        return LargeRule("catastrophe", 3)
    if isinstance(large, Mapping) and len(large) == 1:
        (kind, value), = large.items()
        if kind == "cap":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
                raise ValidationError(f"large: cap must be a threshold > 0 CNY per claim, got {value!r}")
            return LargeRule("cap", float(value))
        if kind == "catastrophe":
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
                raise ValidationError(f"large: catastrophe must be a number of deaths >= 2, got {value!r}")
            return LargeRule("catastrophe", int(value))
    raise ValidationError(f"large: must be None, 'catastrophe', {{'cap': threshold}} or {{'catastrophe': min_deaths}}, got {large!r}")


def capped_increments(led: pd.DataFrame, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-transaction paid and incurred increments of the claims capped at ``threshold``,
    and the excess of each claim's incurred at the valuation date (one value per claim)."""
    code = led["_claim"].to_numpy()
    new = np.r_[True, code[1:] != code[:-1]]
    start = np.flatnonzero(new)
    counts = np.diff(np.r_[start, code.size])
    paid = led["paid"].to_numpy()
    cs = np.cumsum(paid)
    cum_paid = cs - np.repeat(cs[start] - paid[start], counts)
    cum_inc = cum_paid + led["case_reserve"].to_numpy()

    def inc(cum):
        capped = np.minimum(cum, threshold)
        prev = np.r_[0.0, capped[:-1]]
        prev[new] = 0.0
        return capped - prev

    last = np.r_[start[1:] - 1, code.size - 1]
    excess = np.maximum(cum_inc[last] - threshold, 0.0)
    return inc(cum_paid), inc(cum_inc), excess


def catastrophe_claims(state: pd.DataFrame, min_deaths: int) -> np.ndarray:
    """Mask of the claims (rows of ``state``) in accidents with ``min_deaths`` or more deaths."""
    acc = pd.factorize(state["accident_id"])[0]
    deaths = np.bincount(acc, weights=state["deaths"].to_numpy(dtype=float))
    return deaths[acc] >= min_deaths


def catastrophe_load(rows: pd.DataFrame, min_deaths: int, model=None) -> np.ndarray:
    """Expected catastrophe loss of each policy-year (``industry``, ``exposure``, limits)."""
    from ..losses import LossModel

    m = model if model is not None else LossModel.default()
    fatal = m.rates()["fatal"]
    pmf = np.asarray(m.cluster, dtype=float)
    k = np.arange(pmf.size)
    sel = k >= min_deaths
    dshare = float(np.dot(m.grade_mix, m.payout_share))
    limit = rows["limit_death"].to_numpy(dtype=float)
    cap = rows["limit_accident"].to_numpy(dtype=float) if "limit_accident" in rows else 10 * limit
    per = np.minimum(np.outer(limit * (1 + m.injury_ratio * dshare), k[sel]), cap[:, None]) @ pmf[sel]
    rate = lookup(rows["industry"], {str(k): float(v) for k, v in fatal.items()})
    return rows["exposure"].to_numpy(dtype=float) * rate * per
