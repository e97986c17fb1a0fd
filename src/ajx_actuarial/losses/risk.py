"""Risk measures on simulated samples (empirical definitions, stated)."""

from __future__ import annotations

import numpy as np

from ..errors import ValidationError

__all__ = ["var", "tvar"]


def _p(p: float) -> float:
    if isinstance(p, bool) or not np.isfinite(p) or not 0 < p < 1:
        raise ValidationError(f"risk measure: probability p must be in (0, 1), got {p!r}")
    return float(p)


def var(x: np.ndarray, p: float) -> float:
    """Value at risk: the empirical ``p`` quantile, ``x_(⌈n p⌉)`` (inverse of the empirical CDF)."""
    p = _p(p)
    v = np.sort(np.asarray(x, dtype=np.float64))
    k = int(np.ceil(v.size * p)) - 1
    return float(v[min(max(k, 0), v.size - 1)])


def tvar(x: np.ndarray, p: float) -> float:
    """Tail value at risk: ``VaR_p + E[(X − VaR_p)+] / (1 − p)`` (Acerbi–Tasche expected shortfall)."""
    p = _p(p)
    v = np.asarray(x, dtype=np.float64)
    q = var(v, p)
    return float(q + np.maximum(v - q, 0.0).mean() / (1.0 - p))
