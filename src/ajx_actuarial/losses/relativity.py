"""A unit's risk relativity under a loss model: its characteristics, its region and its claim history.

``relativity = Π factor relativities × region effect / normaliser[industry] × E[θ | history]``

* the factor relativities (size, standardisation grade, violations, blacklisting, hidden-danger
  rectification) and region effects are the model's (:class:`~ajx_actuarial.LossModel`);
* the normaliser makes the sector frequencies the averages of the model's reference population;
* the history term is the posterior mean of the unit's gamma frailty θ (mean 1, CV ``cv``)
  after ``N`` claims in three years where ``Λ`` were expected: ``(k + N) / (k + Λ)`` with
  ``k = 1/cv²`` (Poisson–gamma credibility, Bühlmann 1967). It compares claims with the unit's
  own expected claims, so a large unit's many claims do not make it look risky by themselves.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._lookup import lookup

__all__ = ["factor_relativity", "history_posterior", "HISTORY_YEARS"]

#: Look-back of the portfolio's history columns (``accidents_3y``).
HISTORY_YEARS = 3


def _lookup(col: pd.Series, table: Mapping) -> np.ndarray:
    """Multiplier of each row (1 for a level the table does not list)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        lut = np.array([float(table.get(c, table.get(str(c), 1.0))) for c in col.cat.categories] + [1.0])
        return lut[col.cat.codes.to_numpy()]
    if pd.api.types.is_bool_dtype(col.dtype):
        v = col.to_numpy(dtype=bool)
        return np.where(v, float(table.get(True, 1.0)), float(table.get(False, 1.0)))
    if pd.api.types.is_integer_dtype(col.dtype):
        v = col.to_numpy(dtype=np.int64)
        keys = [k for k in table if isinstance(k, (int, np.integer)) and not isinstance(k, bool)]
        if keys:  # the top level stands for "that many or more" (violations: 2 = 2 or more)
            top = max(keys)
            lut = np.ones(top + 1)
            for k in keys:
                if k >= 0:
                    lut[k] = float(table[k])
            return lut[np.clip(v, 0, top)]
    return lookup(col, {str(k): float(v) for k, v in table.items()}, 1.0)


def factor_relativity(df: pd.DataFrame, relativities: Mapping, region_effects: Mapping, normaliser: Mapping) -> np.ndarray:
    """``Π relativities × region effect / normaliser[industry]`` for each row of a validated book."""
    rel = np.ones(len(df))
    for fac, table in relativities.items():
        if fac in df.columns and table:
            rel *= _lookup(df[fac], table)
    if region_effects and "region" in df.columns:
        rel *= _lookup(df["region"], region_effects)
    if normaliser:
        rel /= lookup(df["industry"], {str(k): float(v) for k, v in normaliser.items()}, 1.0)
    return rel


def history_posterior(claims: np.ndarray, expected: np.ndarray, cv: float) -> np.ndarray:
    """Posterior mean of a gamma frailty (mean 1, CV ``cv``) after ``claims`` where ``expected`` were due.

    ``(k + N) / (k + Λ)``, ``k = 1/cv²``; 1 everywhere when ``cv`` is 0 (no heterogeneity).

    Examples
    --------
    >>> import numpy as np
    >>> history_posterior(np.array([0, 0, 3]), np.array([0.1, 20.0, 1.0]), 0.5).round(3).tolist()
    [0.976, 0.167, 1.4]
    """
    if cv <= 0:
        return np.ones(np.shape(claims))
    k = 1.0 / cv**2
    return (k + np.asarray(claims, dtype=np.float64)) / (k + np.asarray(expected, dtype=np.float64))
