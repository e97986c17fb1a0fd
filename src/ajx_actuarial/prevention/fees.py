"""Prevention-fee ratio per policy year: a scalar or a ``{year: ratio}`` step schedule, checked
against a floor and the national cap.

The ratio is a share of the collected premium ex VAT (实收保费, 不含税; Xinzhou S04 states the
base). The national cap is 21 % (N24; 2025 national measures, DOMAIN.md §2.3). Local floors:
15 % (Xinzhou 2024 S04, Hebei 2019), 20 % (Guangxi 2026). A ratio below ``floor`` or above
``cap`` is a breach: ``on_breach="error"`` raises a :class:`~ajx_actuarial.errors.ValidationError`
naming the year, the ratio and the rule; ``"flag"`` returns the schedule with the breach listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["FEE_CAP", "BREACH_MODES", "FeeRatios", "fee_schedule", "priced_fee_ratio"]

FEE_CAP = 0.21  # N24; N25 per RP/BS26 (DOMAIN.md §2.3)
BREACH_MODES = ("error", "flag")
_CAP_TEXT = "the national 21 % cap on prevention budgets (N24; 2025 national measures)"
MAX_YEARS = 100  # assumption: policy years in one schedule; a bound on absurd input (memory is years × policies)
YEAR_RANGE = (1990, 2200)  # assumption: calendar years a schedule may name (the line started in 2006)


def _year(v, path: str) -> int:
    """A calendar year: an integer (or integral float/string) in :data:`YEAR_RANGE`."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        f = float("nan")
    if isinstance(v, bool) or not np.isfinite(f) or f != int(f) or not YEAR_RANGE[0] <= f <= YEAR_RANGE[1]:
        raise ValidationError(f"{path}: must be a calendar year in [{YEAR_RANGE[0]}, {YEAR_RANGE[1]}], got {v!r}")
    return int(f)


class FeeRatios(NamedTuple):
    """Fee ratio per policy year: ``ratios`` (ndarray), ``years`` (list of int), ``breaches``
    (DataFrame ``year``, ``fee_ratio``, ``rule`` ("floor" / "cap"), ``limit``; empty when none)."""

    ratios: np.ndarray
    years: list
    breaches: pd.DataFrame

    def as_mapping(self) -> dict[int, float]:
        return {int(y): float(r) for y, r in zip(self.years, self.ratios)}


def priced_fee_ratio(priced: pd.DataFrame, default: float = 0.15) -> float:
    """The prevention fee a book was priced with: ``prevention_budget / premium_ex_vat`` when it is
    the same for every policy (one rate table's ``prevention_fee`` loading), else ``default``.

    Examples
    --------
    >>> import pandas as pd
    >>> priced_fee_ratio(pd.DataFrame({"prevention_budget": [20.0, 40.0], "premium_ex_vat": [100.0, 200.0]}))
    0.2
    """
    if not {"prevention_budget", "premium_ex_vat"} <= set(priced.columns):
        return float(default)
    b = priced["prevention_budget"].to_numpy(dtype=np.float64)
    p = priced["premium_ex_vat"].to_numpy(dtype=np.float64)
    ok = np.isfinite(b) & np.isfinite(p) & (p > 0)
    if not ok.any():
        return float(default)
    r = b[ok] / p[ok]
    if np.allclose(r, r[0], rtol=1e-9, atol=1e-12) and 0 <= r[0] <= FEE_CAP:
        return round(float(r[0]), 10)
    return float(default)


def _number(v, path: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v):
        raise ValidationError(f"{path}: must be a number, got {v!r}")
    if v < 0:
        raise ValidationError(f"{path}: fee ratio must be >= 0, got {v!r}")
    return float(v)


def _bound(v, name: str) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v) or not 0 <= v <= 1:
        raise ValidationError(f"fee_schedule: {name} must be a number in [0, 1] or None, got {v!r}")
    return float(v)


def fee_schedule(fee_ratio, years: int, start_year: int | None, *, floor: float | None = None, cap: float | None = FEE_CAP,
                 on_breach: str = "error", cap_text: str | None = None) -> FeeRatios:
    """Fee ratio per policy year from a scalar or a ``{year: ratio}`` schedule, checked against ``floor`` and ``cap``.

    A schedule is a step function: the ratio of the latest listed year at or before each year
    (``{2026: 0.15, 2028: 0.20}`` gives 0.15, 0.15, 0.20 for 2026-2028); years before the first
    listed year take its ratio. Without ``start_year`` a schedule starts at its first listed
    year and a scalar at 2026.

    Parameters
    ----------
    fee_ratio : float or {year: ratio}
        Share of the collected ex-VAT premium, >= 0.
    years : int
        Number of policy years.
    start_year : int or None
    floor : float, optional
        Local minimum (e.g. 0.15 for Xinzhou 2024, S04: 不低于实收保费(不含税)的15%). Exactly the floor is allowed.
    cap : float or None, default 0.21
        The national cap (N24; 2025 national measures); ``None`` for no cap (ratios stay <= 1).
    cap_text : str, optional
        How a breach names the cap (e.g. the national cap restated on an ex-VAT base).
    on_breach : {"error", "flag"}
        ``"error"`` raises on the first breach; ``"flag"`` lists every breach in ``breaches``.

    Returns
    -------
    FeeRatios
        ``(ratios, years, breaches)``.

    Examples
    --------
    >>> fs = fee_schedule({2026: 0.15, 2028: 0.20}, 5, 2026)
    >>> fs.ratios.tolist(), fs.years
    ([0.15, 0.15, 0.2, 0.2, 0.2], [2026, 2027, 2028, 2029, 2030])
    >>> fee_schedule(0.12, 2, 2024, floor=0.15, on_breach="flag").breaches["rule"].tolist()
    ['floor', 'floor']
    """
    if on_breach not in BREACH_MODES:
        raise ValidationError(f"fee_schedule: on_breach must be one of {list(BREACH_MODES)}, got {on_breach!r}")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 1 <= years <= MAX_YEARS:
        raise ValidationError(f"fee_schedule: years must be an integer in [1, {MAX_YEARS}], got {years!r}")
    if start_year is not None:
        start_year = _year(start_year, "start_year")
    floor, cap = _bound(floor, "floor"), _bound(cap, "cap")
    if isinstance(fee_ratio, Mapping):
        if not fee_ratio:
            raise ValidationError("fee_ratio: the schedule is empty")
        sched, paths = {}, {}
        for k, v in fee_ratio.items():
            y = _year(k, f"fee_ratio: schedule key {k!r}")
            if y in sched:
                raise ValidationError(f"fee_ratio: year {y} is listed twice")
            sched[y] = _number(v, f"fee_ratio[{y}]")
            paths[y] = f"fee_ratio[{y}]"
            if on_breach == "error" and cap is not None and sched[y] > cap + 1e-12:  # a listed ratio above the cap, even outside the horizon
                text = cap_text or (_CAP_TEXT if cap == FEE_CAP else f"the cap of {cap:.4g}")
                raise ValidationError(f"fee_ratio[{y}]: {sched[y]!r} exceeds {text}; pass on_breach='flag' to run it as a flagged breach")
        first = min(sched)
        start = first if start_year is None else int(start_year)
        yrs = list(range(start, start + int(years)))
        keys = [max([k for k in sched if k <= y], default=first) for y in yrs]
        ratios = np.array([sched[k] for k in keys])
        where = [paths[k] for k in keys]
    else:
        r = _number(fee_ratio, "fee_ratio")
        start = 2026 if start_year is None else int(start_year)
        yrs = list(range(start, start + int(years)))
        ratios = np.full(int(years), r)
        where = ["fee_ratio"] * int(years)
    rows = []
    for y, r, w in zip(yrs, ratios, where):
        if cap is not None and r > cap + 1e-12 and on_breach == "error":
            text = cap_text or (_CAP_TEXT if cap == FEE_CAP else f"the cap of {cap:.4g}")
            raise ValidationError(f"{w}: {float(r)!r} exceeds {text}; pass on_breach='flag' to run it as a flagged breach")
        if r > 1:  # never a breach to flag: more than the whole premium
            raise ValidationError(f"{w}: fee ratio must be <= 1, got {float(r)!r}")
        if cap is not None and r > cap + 1e-12:
            rows.append({"year": y, "fee_ratio": float(r), "rule": "cap", "limit": cap})
        if floor is not None and r < floor - 1e-12:
            if on_breach == "error":
                raise ValidationError(f"{w}: {float(r)!r} in {y} is below the floor of {floor:.4g} of the collected ex-VAT premium; "
                                      f"pass on_breach='flag' to run it as a flagged breach")
            rows.append({"year": y, "fee_ratio": float(r), "rule": "floor", "limit": floor})
    breaches = pd.DataFrame(rows, columns=["year", "fee_ratio", "rule", "limit"])
    return FeeRatios(ratios=ratios, years=yrs, breaches=breaches)
