"""The priced-book contract: what :func:`ajx_actuarial.simulate`, ``simulate_many``, ``stress.run`` and
``project`` check before any work on a book that :func:`ajx_actuarial.price` produced.

A priced book carries :data:`PRICED_COLUMNS`: ``premium`` and ``premium_ex_vat`` numeric, finite
and > 0 (the ex-VAT premium no larger than the gross), and ``float_factor`` numeric, finite, > 0
and within the rate table's ``[float_floor, float_cap]`` when the book records its table
(``attrs["rate_table_toml"]``, as ``price`` writes it and Parquet keeps it), else within
``(0, FLOAT_FACTOR_MAX]``. One :class:`~ajx_actuarial.errors.ValidationError` names the column, the
rule and the rows. Only column views are read: the book is never copied.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd

from .errors import ValidationError

__all__ = ["PRICED_COLUMNS", "FLOAT_FACTOR_MAX", "validate_priced", "float_bounds_of"]

#: The columns of :func:`ajx_actuarial.price` a simulation and the measures after it read.
PRICED_COLUMNS = ("premium", "premium_ex_vat", "float_factor")
#: The largest floating factor of a book whose rate table is not recorded (assumption: tables float a
#: premium within ±30 %; no table floats one tenfold, so a larger value is a corrupted column).
FLOAT_FACTOR_MAX = 10.0
_HINT = "price it first (ajx.price(book, table), or `ajx price BOOK -o PRICED`)"
_AGAIN = "price the book again (ajx.price, or `ajx price`)"


def float_bounds_of(priced: pd.DataFrame) -> tuple[float, float] | None:
    """``(float_floor, float_cap)`` of the rate table the book records (``attrs["rate_table_toml"]``), None when it records
    none; a :class:`ValidationError` when the record is damaged (it would otherwise loosen the check)."""
    text = priced.attrs.get("rate_table_toml") if isinstance(priced.attrs, dict) else None
    if not isinstance(text, str):
        return None
    try:
        prem = tomllib.loads(text)["premium"]
        lo, hi = float(prem["float_floor"]), float(prem["float_cap"])
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
        lo = hi = float("nan")
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo <= hi):  # a damaged record must not loosen the check to (0, 10]
        raise ValidationError(f"the book records a rate table (attrs 'rate_table_toml') without valid [premium] float_floor and "
                              f"float_cap; {_AGAIN}")
    return lo, hi


def _rows(idx: np.ndarray, values: np.ndarray) -> str:
    shown = ", ".join(str(int(i)) for i in idx[:5])
    vals = ", ".join(repr(float(v)) for v in values[idx[:5]])
    more = ", ..." if idx.size > 5 else ""
    return f"rows [{shown}{more}] (values [{vals}{more}]){f', {idx.size:,} in all' if idx.size > 5 else ''}"


def _numbers(priced: pd.DataFrame, col: str, where: str) -> np.ndarray:
    s = priced[col]
    if isinstance(s, pd.DataFrame):
        raise ValidationError(f"{where}: column {col!r} appears more than once")
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        num = pd.to_numeric(s, errors="coerce")  # only on this error path: which rows are not numbers
        idx = np.flatnonzero(num.isna().to_numpy() & s.notna().to_numpy())
        where_bad = (f"; not numbers at rows [{', '.join(str(int(i)) for i in idx[:5])}{', ...' if idx.size > 5 else ''}] "
                     f"(values [{', '.join(repr(str(v))[:30] for v in s.iloc[idx[:5]])}])") if idx.size else ""
        text = "" if where_bad or pd.api.types.is_bool_dtype(s.dtype) else " (numbers stored as text?)"
        raise ValidationError(f"{where}: column {col!r} must be numeric, got dtype {s.dtype}{text}{where_bad}; {_AGAIN}")
    return s.to_numpy(dtype=np.float64, copy=False)


def validate_priced(priced: pd.DataFrame, where: str = "simulate", *, required: bool = True) -> bool:
    """Check the priced columns of ``priced`` (see the module docstring); nothing is copied or changed.

    Parameters
    ----------
    priced : DataFrame
    where : str
        The caller, first in the message (``"simulate"``, ``"stress: scenario 'x'"``).
    required : bool
        With False a book that carries none of :data:`PRICED_COLUMNS` passes as unpriced (a
        simulation of losses alone); one carrying some must carry all.

    Returns
    -------
    bool
        Whether the book is priced.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> validate_priced(ajx.price(ajx.synth.portfolio(50, rng=1)))
    True
    >>> validate_priced(ajx.synth.portfolio(50, rng=1), required=False)
    False
    """
    if not isinstance(priced, pd.DataFrame):
        raise ValidationError(f"{where}: the book must be a pandas DataFrame, got {type(priced).__name__}")
    have = [c for c in PRICED_COLUMNS if c in priced.columns]
    if not have and not required:
        return False
    missing = [c for c in PRICED_COLUMNS if c not in priced.columns]
    if missing:
        raise ValidationError(f"{where}: the book is not priced (missing column(s) {missing}); {_HINT}")
    prem = _numbers(priced, "premium", where)
    ex = _numbers(priced, "premium_ex_vat", where)
    for col, x in (("premium", prem), ("premium_ex_vat", ex)):
        ok = (x > 0) & (x < np.inf)
        if not ok.all():
            idx = np.flatnonzero(~ok)
            raise ValidationError(f"{where}: column {col!r} must be finite and > 0; bad {_rows(idx, x)}; {_AGAIN}")
    over = ex > prem  # booleans only (a tolerance of rounding applied to the few rows found)
    if over.any():
        idx = np.flatnonzero(over)
        idx = idx[ex[idx] > prem[idx] * (1 + 1e-9)]
    if over.any() and idx.size:
        raise ValidationError(f"{where}: column 'premium_ex_vat' must be <= premium (VAT is added to it); bad {_rows(idx, ex)}; {_AGAIN}")
    ff = _numbers(priced, "float_factor", where)
    bounds = float_bounds_of(priced)
    lo, hi = bounds if bounds is not None else (0.0, FLOAT_FACTOR_MAX)
    tol = 1e-9
    ok = (ff > 0) & (ff >= lo * (1 - tol)) & (ff <= hi * (1 + tol))
    if not ok.all():
        idx = np.flatnonzero(~ok)
        rule = (f"within the rate table's float floor and cap [{lo:g}, {hi:g}]" if bounds is not None
                else f"finite, > 0 and <= {FLOAT_FACTOR_MAX:g} (no rate table floats a premium tenfold)")
        raise ValidationError(f"{where}: column 'float_factor' must be {rule}; bad {_rows(idx, ff)}; {_AGAIN}")
    return True
