"""Trend from the experience years to the rating year: frequency and severity.

* **Frequency.** ``(1 + frequency)^(R − y)`` for policy year ``y`` and rating year ``R``. Default
  −6.5 % a year: the middle of DOMAIN.md §6.5's −5 % to −8 % (national deaths fell about 7.5 % a
  year 2020→2024; flag ``assumption``).
* **Severity.** ``"income"`` (default): limits and benefits follow the prior year's urban
  per-capita disposable income (DOMAIN.md §5, the Beijing limit formula and the work-injury
  death grant), so the factor is ``I(R − 1) / I(y − 1)`` from ``ajx.reference.income``;
  years the series lacks are filled geometrically between known years and extrapolated at
  the growth rate of its last five years (2020→2025 national: 5.2 % a year, ``derived``).
  A number instead is a constant annual rate.

Applied to the experience so that counts stay whole numbers (the experience contract): claims
and incurred are kept, ``exposure`` becomes worker-years on-levelled to the rating year's
frequency, ``worker_years × (1 + f)^−(R − y)``, and ``incurred`` is multiplied by the severity
factor. A frequency GLM with a ``log(exposure)`` offset then estimates the rating-year
frequency, a severity GLM the rating-year severity, and incurred / exposure the rating-year
pure premium — exactly as if counts and losses had been trended.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import ValidationError
from .ledger import YEAR_RANGE

__all__ = ["Trend", "DEFAULT_FREQUENCY_TREND", "income_index", "as_trend", "check_year"]

#: Annual frequency trend, DOMAIN.md §6.5 (−5 % to −8 % a year; midpoint; assumption).
DEFAULT_FREQUENCY_TREND = -0.065


def income_index(years, region: str = "national") -> np.ndarray:
    """Urban per-capita disposable income of ``region`` for each of ``years`` (CNY), gaps filled.

    Examples
    --------
    >>> income_index([2024, 2025]).round(2).tolist()
    [54188.0, 56502.0]
    """
    from ..reference import urban_income

    tab = urban_income()
    tab = tab[tab["region"] == region].sort_values("year")
    if tab.empty:
        raise ValidationError(f"trend: no income series for region {region!r}; available: {sorted(urban_income()['region'].unique())}")
    ky = tab["year"].to_numpy(dtype=float)
    logv = np.log(tab["income_cny"].to_numpy(dtype=float))
    tail = ky >= ky[-1] - 5
    g_hi = (logv[-1] - logv[tail][0]) / max(ky[-1] - ky[tail][0], 1)
    head = ky <= ky[0] + 5
    g_lo = (logv[head][-1] - logv[0]) / max(ky[head][-1] - ky[0], 1)
    y = np.asarray(years, dtype=float)
    out = np.interp(y, ky, logv)
    out = np.where(y > ky[-1], logv[-1] + g_hi * (y - ky[-1]), out)
    out = np.where(y < ky[0], logv[0] - g_lo * (ky[0] - y), out)
    return np.exp(out)


@dataclass(frozen=True)
class Trend:
    """Frequency and severity trend to a rating year (module docstring for the rules).

    Attributes
    ----------
    frequency : float
        Annual change of claim frequency (−0.065 = −6.5 % a year).
    severity : "income" or float
        ``"income"``: the income series of ``region`` (prior year), or a constant annual rate.
    to_year : int or None
        Rating year in :data:`~ajx_actuarial.claims.ledger.YEAR_RANGE`; default the valuation year + 1.
    region : str
        Income series for ``severity="income"`` (``national`` or ``beijing``).
    """

    frequency: float = DEFAULT_FREQUENCY_TREND
    severity: float | str = "income"
    to_year: int | None = None
    region: str = "national"

    def __post_init__(self):
        f = self.frequency
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not np.isfinite(f) or not -0.5 < f < 0.5:
            raise ValidationError(f"trend: frequency must be an annual rate in (-0.5, 0.5), got {f!r}")
        s = self.severity
        if not (s == "income" or (not isinstance(s, bool) and isinstance(s, (int, float)) and np.isfinite(s) and -0.5 < s < 0.5)):
            raise ValidationError(f"trend: severity must be 'income' or an annual rate in (-0.5, 0.5), got {s!r}")
        if self.to_year is not None:
            check_year(self.to_year, "trend: to_year (the rating year)")

    def frequency_factor(self, years, to_year: int) -> np.ndarray:
        """``(1 + frequency)^(to_year − year)``."""
        return (1.0 + self.frequency) ** (to_year - np.asarray(years, dtype=float))

    def severity_factor(self, years, to_year: int) -> np.ndarray:
        """Income ratio ``I(to_year − 1) / I(year − 1)``, or ``(1 + severity)^(to_year − year)``."""
        y = np.asarray(years, dtype=float)
        if self.severity == "income":
            return income_index([to_year - 1], self.region)[0] / income_index(y - 1, self.region)
        return (1.0 + float(self.severity)) ** (to_year - y)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def check_year(value, what: str) -> int:
    """``value`` as a calendar year in :data:`~ajx_actuarial.claims.ledger.YEAR_RANGE` (an int, not text or a float)."""
    lo, hi = YEAR_RANGE
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValidationError(f"{what} must be a year (an integer) in {lo}-{hi}, got {value!r}"[:300])
    return int(value)


def as_trend(trend) -> Trend | None:
    """``None`` (no trend), ``"default"``, a :class:`Trend` or a mapping of its fields."""
    if trend is None:
        return None
    if isinstance(trend, Trend):
        return trend
    if isinstance(trend, str) and trend == "default":
        return Trend()
    if isinstance(trend, Mapping):
        unknown = sorted(set(trend) - {"frequency", "severity", "to_year", "region"})
        if unknown:
            raise ValidationError(f"trend: unknown key(s) {unknown}; allowed: frequency, severity, to_year, region")
        return Trend(**dict(trend))
    raise ValidationError(f"trend: must be None, 'default', a Trend or a mapping, got {trend!r}")
