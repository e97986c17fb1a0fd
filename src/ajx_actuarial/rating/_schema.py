"""Checks shared by the TOML readers of the rating layer: numbers and tables, with key paths in errors."""

from __future__ import annotations

import math
from typing import Any

from ..errors import ValidationError

__all__ = ["num", "table_of", "choice"]


def num(value: Any, path: str, *, positive: bool = True, lo: float | None = None, hi: float | None = None, what: str = "value") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{path}: {what} must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValidationError(f"{path}: {what} must be finite, got {value!r}")
    if positive and v <= 0:
        raise ValidationError(f"{path}: {what} must be > 0, got {value!r}")
    if lo is not None and v < lo:
        raise ValidationError(f"{path}: {what} must be >= {lo:g}, got {value!r}")
    if hi is not None and v > hi:
        raise ValidationError(f"{path}: {what} must be <= {hi:g}, got {value!r}")
    return v


def table_of(d: Any, path: str) -> dict:
    if not isinstance(d, dict):
        raise ValidationError(f"{path}: must be a table (TOML section), got {type(d).__name__}")
    return d


def choice(value: Any, path: str, allowed: tuple[str, ...], *, what: str = "value") -> str:
    """``value`` if it is one of the strings ``allowed``; otherwise a :class:`ValidationError` naming ``path``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError(f"{path}: {what} must be one of {list(allowed)}, got {value!r}")
    return value
