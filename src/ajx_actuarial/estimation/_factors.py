"""Rating-factor levels shared by the calibration modules: labels, base levels, lookups.

A factor column becomes a categorical of string labels (``"0"``, ``"1"``, ``"2+"`` for a banded
integer, ``"True"``/``"False"`` for a flag); relativities are looked up by label through the
categorical codes, never per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["NATURAL_BASE", "DEFAULT_FACTORS", "DEFAULT_BANDS", "default_factors", "labels", "band_labels", "lut", "base_value"]

#: Natural base levels (the rate tables' neutral levels) for known rating columns.
NATURAL_BASE = {"std_grade": "0", "violations": "0", "blacklisted": "False", "rectification": "on_time",
                "rescue_participation": "False", "dual_prevention": "False", "risk_tier": "medium", "size": "small"}

#: Factors fitted when ``calibrate(factors=None)``: those of them with more than one level in the
#: experience. ``size`` comes first: leaving it out biases the factors correlated with it (on the
#: default synthetic book std_grade 1 came out 0.696 against a true 0.75).
DEFAULT_FACTORS: tuple[str, ...] = ("size", "std_grade", "violations", "blacklisted", "rectification")

#: Bands used with the default factor list unless others are given: violations 0 / 1 / 2+ (the
#: packaged rate tables' schedule; a few units with many penalties would otherwise each get a level).
DEFAULT_BANDS: dict[str, list[float]] = {"violations": [0, 1]}


def default_factors(experience: pd.DataFrame) -> tuple[str, ...]:
    """The :data:`DEFAULT_FACTORS` present in ``experience`` with at least two levels."""
    return tuple(f for f in DEFAULT_FACTORS if f in experience.columns and experience[f].nunique(dropna=False) > 1)


def band_labels(bands: Sequence[float]) -> list[str]:
    """Labels of the bands ``[b0, b1, ...]`` (inclusive upper bounds) plus the open top band."""
    b = list(bands)
    inner = [f"{b[0]:g}"] + [f"{b[i - 1] + 1:g}-{b[i]:g}" if b[i] - b[i - 1] > 1 else f"{b[i]:g}" for i in range(1, len(b))]
    return inner + [f"{b[-1] + 1:g}+"]


def labels(col: pd.Series, name: str, bands: Sequence[float] | None) -> pd.Series:
    """The column as a categorical of string labels (banded when ``bands`` is given)."""
    if bands is not None:
        v = col.to_numpy(dtype=np.float64)
        idx = np.searchsorted(np.asarray(list(bands), dtype=np.float64), v, side="left")
        return pd.Series(pd.Categorical.from_codes(idx, categories=band_labels(bands)), index=col.index, name=name)
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.rename_categories([str(c) for c in col.cat.categories]).cat.remove_unused_categories()
    s = col.astype(str)
    cats = sorted(s.unique(), key=lambda x: (len(x), x))
    if len(cats) > 50:
        raise ValidationError(f"calibrate: factor {name!r} has {len(cats)} levels; band it (bands={{{name!r}: [...]}})")
    return pd.Series(pd.Categorical(s, categories=cats), index=col.index, name=name)


def lut(labels_: pd.Series, table: Mapping[str, float], default: float = 1.0) -> np.ndarray:
    """``table[str(level)]`` per row of a categorical, via its codes (no per-row strings)."""
    cats = [str(c) for c in labels_.cat.categories]
    arr = np.array([float(table.get(c, default)) for c in cats] + [default])
    return arr[labels_.cat.codes.to_numpy()]


def base_value(col: pd.Series, base: str, bands: Sequence[float] | None):
    """A raw column value that falls in the base level ``base`` (to build a probe row)."""
    if bands is not None:
        b = list(bands)
        names = band_labels(b)
        i = names.index(base) if base in names else len(b)
        return float(b[i]) if i < len(b) else float(b[-1] + 1)
    if pd.api.types.is_bool_dtype(col.dtype):
        return base == "True"
    if pd.api.types.is_integer_dtype(col.dtype):
        return int(base)
    return base
