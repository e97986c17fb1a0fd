"""Liability-limit policies: fixed floors and the Beijing income-linked formula (DOMAIN.md §4).

A :class:`LimitPolicy` sets, for a whole portfolio at once, the per-person death/disability
limit and the sub-limits derived from it (per-person medical share, per-accident and annual
aggregate multiples, DOMAIN.md §4.5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._bounds import shown
from ..errors import ValidationError
from ..portfolio import MAX_LIMIT_PERSON, NATIONAL_MIN_LIMIT, validate_portfolio
from ..reference import constant, income

__all__ = ["LimitPolicy", "beijing_limit", "beijing_formula"]

OFFSETS = ("death_grant", "death_grant+funeral", "none")
#: Upper bounds of a policy's parameters (assumptions on absurd input; each a bound, not a market value): a per-person
#: limit or floor of at most the portfolio contract's 100 million CNY (about 90 × the civil compensation of a death,
#: 20 × urban income); a medical sub-limit of at most the per-person limit; up to 1 000 persons' limits per accident
#: (the worst accident on record in the mandated industries killed far fewer); an aggregate of up to a million accidents
#: (1e6 switches the aggregate off in the agreement tests).
_BOUNDS = {
    "floor": (MAX_LIMIT_PERSON, "the portfolio contract's bound on a per-person limit"),
    "medical_share": (1.0, "a medical sub-limit is at most the per-person limit"),
    "accident_multiple": (1_000.0, "persons' limits per accident"),
    "annual_multiple": (1_000_000.0, "accidents' limits per year"),
}



def beijing_limit(income_year: int, offset: str | float = "death_grant", floor: float = NATIONAL_MIN_LIMIT) -> float:
    """Beijing 2026 draft (S01): ``20 × Beijing urban income(income_year) − work-injury offset``.

    ``offset``: ``"death_grant"`` (lump-sum work-death grant, 20 × national urban income of the
    same year; DOMAIN.md §4.2 natural reading), ``"death_grant+funeral"`` (also minus the funeral
    grant, 6 × Beijing average monthly wage, an assumption), ``"none"``, or an amount in CNY.
    The result is floored at ``floor`` (national 400 000, N25 Art. 15).

    >>> beijing_limit(2024)
    765520.0
    """
    return beijing_formula(income(income_year, "beijing"), income(income_year, "national"), offset, floor)


def beijing_formula(beijing_income: float, national_income: float, offset: str | float = "death_grant",
                    floor: float = NATIONAL_MIN_LIMIT, where: str = "LimitPolicy.beijing") -> float:
    """The Beijing 2026 draft formula on given incomes of one year (see :func:`beijing_limit`); the
    projection calls it with incomes grown beyond the packaged series.

    >>> beijing_formula(92_464.0, 54_188.0)
    765520.0
    """
    if isinstance(offset, str):
        if offset not in OFFSETS:
            raise ValidationError(f"{where}: offset must be one of {list(OFFSETS)} or an amount, got {offset!r}")
        off = 0.0
        if offset.startswith("death_grant"):
            off += constant("death_grant_income_multiple") * national_income
        if offset.endswith("funeral"):
            off += constant("funeral_grant_months") * constant("beijing_avg_monthly_wage_2025")
    else:
        if isinstance(offset, bool) or not isinstance(offset, (int, float, np.integer, np.floating)) or not np.isfinite(offset) \
                or not 0 <= offset <= 1e8:
            raise ValidationError(f"{where}: offset amount must be a number in [0, 1e8] CNY, got {offset!r}")
        off = float(offset)
    if isinstance(floor, bool) or not isinstance(floor, (int, float, np.integer, np.floating)) or not np.isfinite(floor) or not 0 < floor <= 1e8:
        raise ValidationError(f"{where}: floor must be a number in (0, 1e8] CNY, got {floor!r}")
    return max(constant("beijing_limit_income_multiple") * beijing_income - off, float(floor))


@dataclass(frozen=True)
class LimitPolicy:
    """Per-person death/disability limit and derived sub-limits for a portfolio.

    Attributes
    ----------
    limit_death : float or None
        The per-person limit (CNY); ``None`` keeps each policy's own ``limit_death`` and only
        enforces ``floor``. At most 100 000 000 CNY (the portfolio contract's bound).
    floor : float
        Minimum per-person limit (default national 400 000; at most 100 000 000).
    medical_share : float
        Per-person medical limit as a share of ``limit_death`` (default 10 %, Hunan; at most 1).
    accident_multiple : float
        Per-accident limit as a multiple of ``limit_death`` (default 10; in [1, 1 000]).
    annual_multiple : float
        Annual aggregate as a multiple of the per-accident limit (default 2; in [1, 1 000 000]).
    label : str

    Each bound refuses absurd input with one :class:`ValidationError` naming the field (see ``_BOUNDS``).
    """

    limit_death: float | None = None
    floor: float = NATIONAL_MIN_LIMIT
    medical_share: float = 0.10
    accident_multiple: float = 10.0
    annual_multiple: float = 2.0
    label: str = "as priced"

    def __post_init__(self):
        for name in ("floor", "medical_share", "accident_multiple", "annual_multiple"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v) or v <= 0:
                raise ValidationError(f"LimitPolicy.{name}: must be a finite number > 0, got {shown(v)}")
            hi = _BOUNDS[name][0]
            if v > hi:
                raise ValidationError(f"LimitPolicy.{name}: must be <= {f'{hi:,.0f}' if hi >= 1000 else f'{hi:g}'} ({_BOUNDS[name][1]}), got {shown(v)}")
        ld = self.limit_death
        if ld is not None and (isinstance(ld, bool) or not isinstance(ld, (int, float, np.integer, np.floating))):
            raise ValidationError(f"LimitPolicy.limit_death: must be a number of CNY, got {shown(ld)}")
        if ld is not None and (not np.isfinite(ld) or ld <= 0):
            raise ValidationError(f"LimitPolicy.limit_death: limits must be > 0, got {ld!r}")
        if ld is not None and ld > MAX_LIMIT_PERSON:
            raise ValidationError(f"LimitPolicy.limit_death: must be <= {MAX_LIMIT_PERSON:,.0f} CNY per person ({_BOUNDS['floor'][1]}), "
                                  f"got {shown(ld)}")
        if self.limit_death is not None and self.limit_death < self.floor:
            raise ValidationError(
                f"LimitPolicy.limit_death: {self.limit_death:,.0f} is below the floor of {self.floor:,.0f} CNY "
                f"(N25 Art. 15 by default); pass floor= to study a lower minimum"
            )
        if self.annual_multiple < 1:
            raise ValidationError(f"LimitPolicy.annual_multiple: the annual aggregate must be >= the per-accident limit (>= 1), got {self.annual_multiple}")
        if self.accident_multiple < 1:
            raise ValidationError(f"LimitPolicy.accident_multiple: must be >= 1 (at least one person per accident), got {self.accident_multiple}")

    @classmethod
    def fixed(cls, amount: float, **kw) -> "LimitPolicy":
        """Every policy gets ``amount`` per person (floored at ``floor``; at most 100 000 000 CNY)."""
        if isinstance(amount, bool) or not isinstance(amount, (int, float, np.integer, np.floating)):
            raise ValidationError(f"LimitPolicy.fixed: amount must be a number of CNY per person, got {shown(amount)}")
        return cls(limit_death=float(amount), label=kw.pop("label", f"fixed {amount:,.0f}"), **kw)

    @classmethod
    def beijing(cls, income_year: int = 2024, offset: str | float = "death_grant", **kw) -> "LimitPolicy":
        """The Beijing formula from income year ``income_year`` (policy year = +1)."""
        floor = kw.pop("floor", NATIONAL_MIN_LIMIT)
        amount = beijing_limit(income_year, offset, floor)
        return cls(limit_death=amount, floor=floor, label=kw.pop("label", f"Beijing formula ({income_year} incomes): {amount:,.0f}"), **kw)

    @classmethod
    def income_multiple(cls, income_year: int = 2024, region: str = "national", multiple: float = 20.0,
                        offset: str | float = "none", **kw) -> "LimitPolicy":
        """``multiple × urban income(income_year, region) − offset`` per person (floored at ``floor``):
        the civil death compensation (20 × the urban per-capita disposable income, SPC 2022
        interpretation Art. 15) as a limit; ``offset`` as in :func:`beijing_formula`.

        >>> LimitPolicy.income_multiple(2024).limit_death   # 20 × 54 188: a death paid in full
        1083760.0
        """
        if isinstance(multiple, bool) or not isinstance(multiple, (int, float)) or not 0 < multiple <= 200:
            raise ValidationError(f"LimitPolicy.income_multiple: multiple must be a number in (0, 200], got {multiple!r}")
        floor = kw.pop("floor", NATIONAL_MIN_LIMIT)
        inc = income(income_year, region)
        national = income(income_year, "national")
        amount = beijing_formula(inc * multiple / constant("beijing_limit_income_multiple"), national, offset, floor,
                                 where="LimitPolicy.income_multiple")
        return cls(limit_death=amount, floor=floor,
                   label=kw.pop("label", f"{multiple:g} × {region} income ({income_year}): {amount:,.0f}"), **kw)

    @classmethod
    def as_priced(cls) -> "LimitPolicy":
        """Keep the portfolio's own limits."""
        return cls()

    def apply(self, portfolio: pd.DataFrame) -> pd.DataFrame:
        """The portfolio with ``limit_death`` and derived sub-limits set (vectorised).

        With ``limit_death=None`` the existing per-policy limits are kept (floored) and so are
        any sub-limits the portfolio already has.
        """
        df = validate_portfolio(portfolio)  # a normalised copy; extra (pricing) columns are kept
        for col, values in zip(("limit_death", "limit_accident", "limit_annual", "limit_medical"),
                               self.arrays(df)):
            df[col] = values
        return df

    def arrays(self, validated: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(limit_death, limit_accident, limit_annual, limit_medical)`` of a frame that
        ``validate_portfolio`` already returned (not validated again, nothing copied but the four arrays)."""
        df = validated
        if self.limit_death is None:
            ld = np.maximum(df["limit_death"].to_numpy(dtype=np.float64), self.floor)
            return (ld, df["limit_accident"].to_numpy(dtype=np.float64), df["limit_annual"].to_numpy(dtype=np.float64),
                    df["limit_medical"].to_numpy(dtype=np.float64))
        ld = np.full(len(df), max(float(self.limit_death), self.floor))
        return ld, self.accident_multiple * ld, self.annual_multiple * self.accident_multiple * ld, self.medical_share * ld
