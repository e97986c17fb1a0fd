"""Model diagnostics on claim counts: exposure-weighted Gini, lift and double-lift tables.

Each takes plain arrays (actual claims, predicted claims, exposure) so any model can be
checked, and validates them: equal non-zero lengths, finite, ``>= 0``, exposure ``> 0``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["gini", "lift_table", "double_lift"]


def _diag_arrays(where: str, **arrays) -> list[np.ndarray]:
    """Validate the equal-length, finite, non-negative arrays of a diagnostic (exposure > 0)."""
    out = []
    for name, a in arrays.items():
        try:
            out.append(np.asarray(a, dtype=np.float64))
        except (TypeError, ValueError):
            raise ValidationError(f"{where}: {name} must be an array of numbers, got {type(a).__name__}"
                                  f"{' ' + repr(a)[:40] if isinstance(a, str) else ''}") from None
    n = out[0].size
    for (name, _), a in zip(arrays.items(), out):
        if a.ndim != 1 or a.size != n or n == 0:
            raise ValidationError(f"{where}: {name} must be a 1-d array of the same non-zero length as the others ({n}), got shape {a.shape}")
        if not np.isfinite(a).all() or (a < 0).any():
            raise ValidationError(f"{where}: {name} must be finite and >= 0")
    if (out[-1] <= 0).any():
        raise ValidationError(f"{where}: exposure must be > 0")
    return out


def _bins(key: np.ndarray, exposure: np.ndarray, bins: int, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Order by ``key`` and cut into ``bins`` groups of equal exposure (``bins``: an integer in [1, 1000])."""
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)) or not 1 <= bins <= 1000:
        raise ValidationError(f"{where}: bins must be an integer in [1, 1000], got {bins!r}")
    order = np.argsort(key, kind="stable")
    cum = np.cumsum(exposure[order]) / exposure.sum()
    return order, np.minimum((cum * bins).astype(int), bins - 1) + 1


def gini(actual: np.ndarray, predicted: np.ndarray, exposure: np.ndarray, curve: bool = False):
    """Exposure-weighted Gini of the ordered Lorenz curve (policies sorted by predicted rate).

    Twice the area between the diagonal and the Lorenz curve of cumulative actual claims
    against cumulative exposure, ordering from the lowest predicted frequency per unit exposure.

    Parameters
    ----------
    actual, predicted, exposure : array_like
        Claims observed, claims predicted, exposure (> 0), one value per policy-year.
    curve : bool
        Also return the Lorenz curve ``(x, y)``.

    Returns
    -------
    float, or (float, (ndarray, ndarray)) when ``curve``

    Examples
    --------
    >>> float(gini([0, 0, 1, 3], [0.1, 0.2, 0.5, 1.0], [1, 1, 1, 1]))
    0.625
    """
    actual, predicted, exposure = _diag_arrays("gini", actual=actual, predicted=predicted, exposure=exposure)
    order = np.argsort(predicted / exposure, kind="stable")
    x = np.concatenate([[0.0], np.cumsum(exposure[order]) / exposure.sum()])
    y = np.concatenate([[0.0], np.cumsum(actual[order]) / max(actual.sum(), 1e-300)])
    g = 1.0 - 2.0 * np.trapezoid(y, x)
    return (g, (x, y)) if curve else g


def lift_table(actual: np.ndarray, predicted: np.ndarray, exposure: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Actual and predicted claims per unit exposure by bins of equal exposure, sorted by prediction.

    Examples
    --------
    >>> lift_table([0, 0, 1, 1, 2, 3], [0.5, 0.6, 0.8, 1.2, 1.5, 2.0], [1] * 6, bins=2)["actual"].tolist()
    [0.0, 1.75]
    """
    actual, predicted, exposure = _diag_arrays("lift_table", actual=actual, predicted=predicted, exposure=exposure)
    order, b = _bins(predicted / exposure, exposure, bins, "lift_table")
    df = pd.DataFrame({"bin": b, "exposure": exposure[order], "actual": actual[order], "predicted": predicted[order]})
    g = df.groupby("bin").sum()
    g["actual"] /= g["exposure"]
    g["predicted"] /= g["exposure"]
    return g


def double_lift(actual: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, exposure: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Double lift: bins of the ratio ``pred_a / pred_b``; actual and both predictions per bin.

    Examples
    --------
    >>> dl = double_lift([0, 0, 1, 2, 2, 3], [0.5, 0.6, 0.9, 1.5, 1.8, 2.0], [1.0] * 6, [1] * 6, bins=2)
    >>> dl["actual"].tolist(), dl["model_a"].round(3).tolist()
    ([0.0, 2.0], [0.55, 1.55])
    """
    actual, pred_a, pred_b, exposure = _diag_arrays("double_lift", actual=actual, pred_a=pred_a, pred_b=pred_b, exposure=exposure)
    if (pred_b <= 0).any():
        raise ValidationError("double_lift: pred_b must be > 0 (it divides pred_a)")
    order, b = _bins(pred_a / pred_b, exposure, bins, "double_lift")
    df = pd.DataFrame({"bin": b, "exposure": exposure[order], "actual": actual[order], "model_a": pred_a[order], "model_b": pred_b[order]})
    g = df.groupby("bin").sum()
    for c in ("actual", "model_a", "model_b"):
        g[c] /= g["exposure"]
    return g
