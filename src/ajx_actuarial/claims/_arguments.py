"""Arguments of :func:`ajx_actuarial.experience_from_claims` that are not a step's options: the
valuation date, ``by``, ``loss_model`` and ``years``, checked once before any work."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .ledger import YEAR_RANGE
from .trend import check_year

__all__ = ["valuation_date", "check_arguments"]


def valuation_date(value) -> pd.Timestamp:
    """``value`` as a midnight timestamp in :data:`~ajx_actuarial.claims.ledger.YEAR_RANGE` (a number is not a date)."""
    try:
        v = pd.Timestamp(value)
    except (TypeError, ValueError):
        v = pd.NaT
    if pd.isna(v) or isinstance(value, (bool, int, float, np.number)):
        raise ValidationError(f"experience_from_claims: valuation_date must be a date (YYYY-MM-DD), got {value!r}"[:300])
    v = v.tz_localize(None).normalize() if v.tzinfo else v.normalize()
    if not YEAR_RANGE[0] <= v.year <= YEAR_RANGE[1]:
        raise ValidationError(f"experience_from_claims: valuation_date must fall in the years {YEAR_RANGE[0]}-{YEAR_RANGE[1]}, got {v.date()}")
    return v


def check_arguments(by, loss_model, years) -> list[int] | None:
    """The arguments that are not options of a step: ``by``, ``loss_model``, ``years``."""
    if by is not None:
        cols = [by] if isinstance(by, str) else (list(by) if isinstance(by, (list, tuple)) else None)
        if not cols or not all(isinstance(c, str) and c for c in cols) or len(set(cols)) < len(cols):
            raise ValidationError(f"experience_from_claims: by must be a register column name or a list of distinct "
                                  f"names, got {by!r}"[:300])
    if loss_model is not None:
        from ..losses import LossModel

        if not isinstance(loss_model, LossModel):
            raise ValidationError(f"experience_from_claims: loss_model must be a LossModel (or None for the default), "
                                  f"got {type(loss_model).__name__} {loss_model!r}"[:300])
    if years is None:
        return None
    if (isinstance(years, (str, bytes)) or not isinstance(years, (list, tuple, range, np.ndarray, pd.Index, pd.Series))
            or len(years) == 0):
        raise ValidationError(f"experience_from_claims: years must be a non-empty list of years, got {years!r}"[:300])
    return sorted({check_year(y, "experience_from_claims: each of years") for y in years})
