"""The portfolio and experience column contract (DESIGN.md §4), validation and file I/O.

Validation happens once, at the boundary: :func:`validate_portfolio` returns a normalised
copy (categoricals for codes, int64 counts, bool flags, float64 money, documented defaults
for missing optional columns) or raises :class:`~ajx_actuarial.errors.ValidationError`
naming the column, the rule, the offending values and the first offending rows.

Chinese headers and codes (``从业人数``, ``煤矿``, ``大型`` ...) are mapped onto the contract
first (:mod:`ajx_actuarial.aliases`). File I/O lives in :mod:`ajx_actuarial.io`; ``read_table``,
``write_table`` and ``atomic_path`` are re-exported here.

Bounds on absurd values (rule ``assumption``: they catch unit and typing errors, not
judgement calls): ``headcount`` <= 1 000 000 per insured unit (the largest single Chinese
employers, State Grid and China State Construction, report 0.4-1 million staff, and a
policy covers one unit or project); ``limit_death`` and ``limit_medical`` <= 100 million CNY
per person (50 × the highest regional minimum, about 2 million; a limit typed in fen rather
than yuan beyond that is caught); ``limit_accident`` <= 10 billion and ``limit_annual`` <=
100 billion CNY; counts of violations, accidents and deaths <= 1 000 000; experience
``incurred`` <= 100 billion CNY per policy-year; every money value finite; ``project_cost`` <= 1 000
billion CNY (the largest single projects, e.g. a high-speed line, cost a few hundred billion) and
``output_tonnes`` <= 200 million t a year (the largest Chinese coal mines produce about 30-40 Mt).

Optional exposure columns (:data:`EXPOSURE_COLUMNS`, issue 16): ``project_cost`` (CNY, for tables
priced per project cost), ``output_tonnes`` (approved annual output, for tables priced per
tonne) and ``sub_sector`` (a code of :func:`ajx_actuarial.reference.sub_sectors` whose parent is
the row's industry). They stay absent when not given; blank cells are allowed (a mixed book has a
project cost only on its construction rows; a blank ``sub_sector`` is ``"none"``) and the rate
table says which rows need a value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from .aliases import canonical_codes, canonical_columns, value_aliases
from .errors import ValidationError, format_rows
from .io import atomic_path, read_table, write_table
from .reference import INDUSTRIES, SIZES, SUB_SECTORS

__all__ = [
    "PORTFOLIO_COLUMNS",
    "EXPOSURE_COLUMNS",
    "EXPERIENCE_COLUMNS",
    "RECTIFICATION_LEVELS",
    "RISK_TIERS",
    "NATIONAL_MIN_LIMIT",
    "validate_portfolio",
    "validate_experience",
    "read_table",
    "write_table",
    "read_portfolio",
    "atomic_path",
]

NATIONAL_MIN_LIMIT = 400_000.0  # N25 Art. 15 (DOMAIN.md §4.1), official
# Bounds on absurd input (assumption; reasons in the module docstring).
MAX_HEADCOUNT = 1_000_000
MAX_COUNT = 1_000_000
MAX_LIMIT_PERSON = 1e8
MAX_LIMIT_ACCIDENT = 1e10
MAX_LIMIT_ANNUAL = 1e11
MAX_INCURRED = 1e11
MAX_PROJECT_COST = 1e12
MAX_OUTPUT_TONNES = 2e8
RECTIFICATION_LEVELS: tuple[str, ...] = ("on_time", "late", "overdue_major")
RISK_TIERS: tuple[str, ...] = ("low", "medium", "high")  # N24: insurers tier units high/medium/low


@dataclass(frozen=True)
class Column:
    """One column of the contract: its kind, rule and default (``None`` = required)."""

    name: str
    kind: str  # "id", "category", "int", "bool", "money", "float", "str"
    doc: str
    required: bool = False
    default: Any = None  # value, or callable(df) -> array for derived defaults
    categories: tuple[str, ...] | None = None
    minimum: float | None = None  # inclusive for int, exclusive for money (> 0)
    maximum: float | None = None
    missing_ok: bool = False  # blank cells allowed: NaN kept (money/float) or the first category


def _max_accident_deaths_default(df: pd.DataFrame) -> np.ndarray:
    # Without the per-accident record, the 3-year total is the best bound (older files).
    return df["deaths_3y"].to_numpy(dtype=np.int64)


def _limit_medical_default(df: pd.DataFrame) -> np.ndarray:
    return 0.10 * df["limit_death"].to_numpy(dtype=np.float64)


def _limit_accident_default(df: pd.DataFrame) -> np.ndarray:
    return 10.0 * df["limit_death"].to_numpy(dtype=np.float64)


def _limit_annual_default(df: pd.DataFrame) -> np.ndarray:
    return 2.0 * df["limit_accident"].to_numpy(dtype=np.float64)


_COMMON: tuple[Column, ...] = (
    Column("industry", "category", "industry code (reference.industries)", True, categories=INDUSTRIES),
    Column("size", "category", "NBS size class", True, categories=SIZES),
    Column("region", "str", "region label, free text", default="national"),
    Column("std_grade", "int", "safety-standardisation grade: 0 none, 1 (best), 2, 3", default=0, minimum=0, maximum=3),
    Column("violations", "int", "administrative penalties in the look-back period", default=0, minimum=0, maximum=MAX_COUNT),
    Column("blacklisted", "bool", "on the joint-punishment blacklist", default=False),
    Column("accidents_3y", "int", "accidents (claims) in the last 3 policy years", default=0, minimum=0, maximum=MAX_COUNT),
    Column("deaths_3y", "int", "deaths in the last 3 policy years", default=0, minimum=0, maximum=MAX_COUNT),
    Column("max_accident_deaths_3y", "int", "deaths in the worst single accident of the last 3 policy years (grades the fatal-accident surcharge; default deaths_3y)", default=_max_accident_deaths_default, minimum=0, maximum=MAX_COUNT),
    Column("claim_free_years", "int", "consecutive claim-free policy years (0 = claim last year)", default=0, minimum=0, maximum=200),
    Column("rectification", "category", "hidden-danger rectification status", default="on_time", categories=RECTIFICATION_LEVELS),
    Column("rescue_participation", "bool", "took part in social rescue (Beijing factor)", default=False),
    Column("dual_prevention", "bool", "dual-prevention mechanism in place (Zhoushan factor)", default=False),
    Column("risk_tier", "category", "insurer's risk tier (N24: low / medium / high)", default="medium", categories=RISK_TIERS),
    Column("limit_death", "money", "per-person death/disability limit, CNY (default: national minimum 400 000)", default=NATIONAL_MIN_LIMIT, minimum=0, maximum=MAX_LIMIT_PERSON),
    Column("limit_medical", "money", "per-person medical limit, CNY (default 10 % of limit_death)", default=_limit_medical_default, minimum=0, maximum=MAX_LIMIT_PERSON),
    Column("limit_accident", "money", "per-accident limit, CNY (default 10 × limit_death)", default=_limit_accident_default, minimum=0, maximum=MAX_LIMIT_ACCIDENT),
    Column("limit_annual", "money", "annual aggregate limit, CNY (default 2 × limit_accident)", default=_limit_annual_default, minimum=0, maximum=MAX_LIMIT_ANNUAL),
)

PORTFOLIO_COLUMNS: tuple[Column, ...] = (
    Column("policy_id", "id", "unique policy identifier", True),
    *_COMMON[:2],
    Column("headcount", "int", "employees covered (all employees, incl. dispatched)", True, minimum=1, maximum=MAX_HEADCOUNT),
    *_COMMON[2:],
)

#: Optional exposure and sub-sector columns of a portfolio (absent unless given; blanks allowed).
EXPOSURE_COLUMNS: tuple[Column, ...] = (
    Column("project_cost", "money", "construction project cost 工程造价, CNY (tables priced per project cost)", maximum=MAX_PROJECT_COST, missing_ok=True),
    Column("output_tonnes", "float", "approved annual output, tonnes (tables priced per tonne)", minimum=0, maximum=MAX_OUTPUT_TONNES, missing_ok=True),
    Column("sub_sector", "category", "sub-sector code inside the industry (reference.sub_sectors; blank = none)", categories=SUB_SECTORS, missing_ok=True),
)

EXPERIENCE_COLUMNS: tuple[Column, ...] = (
    Column("policy_id", "id", "policy identifier (unique together with year)", True),
    Column("year", "int", "policy year", True, minimum=1900, maximum=2200),
    *_COMMON[:2],
    Column("exposure", "float", "worker-years of exposure (> 0)", True, minimum=0, maximum=MAX_HEADCOUNT),
    Column("claims", "int", "number of claims (accidents) in the policy year", True, minimum=0, maximum=MAX_COUNT),
    Column("deaths", "int", "deaths in the policy year", True, minimum=0, maximum=MAX_COUNT),
    Column("disabilities", "int", "permanent disabilities (grades 1-10) in the policy year", True, minimum=0, maximum=MAX_COUNT),
    Column("incurred", "float", "incurred loss, CNY (>= 0)", True, minimum=None, maximum=MAX_INCURRED),
    Column("headcount", "int", "employees covered", default=None, minimum=1, maximum=MAX_HEADCOUNT),
    *(c for c in _COMMON[2:] if not c.name.startswith("limit_")),
)


def _fail(column: str, rule: str, mask: np.ndarray, values: pd.Series | np.ndarray, where: str) -> NoReturn:
    idx = np.flatnonzero(mask)
    vals = np.asarray(values)[idx[:5]]
    raise ValidationError(
        f"{where}: column {column!r} {rule}; bad {format_rows(idx.tolist(), vals)}"
    )


def _numeric(series: pd.Series, col: Column, where: str) -> pd.Series:
    """``series`` as numbers (text that is not a number becomes NaN); complex numbers are refused, naming the rows."""
    num = series if pd.api.types.is_numeric_dtype(series.dtype) else pd.to_numeric(series, errors="coerce")
    if pd.api.types.is_complex_dtype(num.dtype):
        m = np.fromiter((isinstance(v, (complex, np.complexfloating)) for v in series), dtype=bool, count=len(series))
        _fail(col.name, "must be a real number, got complex values", m, series, where)
    return num


def _as_int(series: pd.Series, col: Column, where: str) -> np.ndarray:
    s = _numeric(series, col, where) if pd.api.types.is_complex_dtype(series.dtype) else series
    if s.dtype == bool or pd.api.types.is_bool_dtype(s.dtype):
        _fail(col.name, "must be an integer, got booleans", np.ones(len(s), bool), s, where)
    if pd.api.types.is_integer_dtype(s.dtype):
        if s.isna().any():
            m = s.isna().to_numpy()
            _fail(col.name, "must not be missing (NaN)", m, s, where)
        return s.to_numpy(dtype=np.int64)
    if pd.api.types.is_float_dtype(s.dtype):
        arr = s.to_numpy(dtype=np.float64)
        m = np.isnan(arr)
        if m.any():
            _fail(col.name, "must not be missing (NaN)", m, arr, where)
        m = np.isinf(arr) | (np.abs(arr) > 2.0**53)
        if m.any():
            _fail(col.name, "must be an integer below 2**53 (huge or infinite values found)", m, arr, where)
        m = arr != np.floor(arr)
        if m.any():
            _fail(col.name, "must be a whole number", m, arr, where)
        return arr.astype(np.int64)
    num = _numeric(s, col, where)
    m = num.isna().to_numpy()
    if m.any():
        _fail(col.name, "must be an integer (missing or non-numeric values found)", m, s, where)
    return _as_int(num, col, where)


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def _as_bool(series: pd.Series, col: Column, where: str) -> np.ndarray:
    s = series
    if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
        return s.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(s.dtype):
        _numeric(s, col, where)  # refuses complex numbers
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        m = ~np.isin(arr, (0.0, 1.0))
        if m.any():
            _fail(col.name, "must be boolean (true/false or 0/1)", m, arr, where)
        return arr == 1.0
    low = s.astype("string").str.strip().str.lower()
    words = value_aliases("bool")
    truthy = _TRUE | {k for k, v in words.items() if v == "true"}
    falsy = _FALSE | {k for k, v in words.items() if v == "false"}
    is_t = low.isin(truthy).to_numpy(dtype=bool, na_value=False)
    is_f = low.isin(falsy).to_numpy(dtype=bool, na_value=False)
    m = ~(is_t | is_f)
    if m.any():
        _fail(col.name, "must be boolean (true/false or 0/1)", m, s, where)
    return is_t


def _as_float(series: pd.Series, col: Column, where: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series.dtype):
        _fail(col.name, "must be numeric, got booleans", np.ones(len(series), bool), series, where)
    num = _numeric(series, col, where)
    arr = num.to_numpy(dtype=np.float64, na_value=np.nan)
    m = ~np.isfinite(arr)
    if m.any():
        bad_text = (~series.isna()).to_numpy() & np.isnan(arr)
        rule = "must be numeric (non-numeric values found)" if bad_text.any() else "must be a finite number (NaN or inf found)"
        _fail(col.name, rule, m, series, where)
    return arr


def _as_float_blank_ok(series: pd.Series, col: Column, where: str) -> np.ndarray:
    """Like :func:`_as_float`, but blank cells (NaN, empty text) become NaN; text and inf still fail."""
    if pd.api.types.is_bool_dtype(series.dtype):
        _fail(col.name, "must be numeric, got booleans", np.ones(len(series), bool), series, where)
    s = series
    if not pd.api.types.is_numeric_dtype(s.dtype):
        s = s.astype(object).where(~s.astype("string").str.strip().eq("").fillna(True), np.nan)
    num = _numeric(s, col, where)
    arr = num.to_numpy(dtype=np.float64, na_value=np.nan)
    m = np.isnan(arr) & s.notna().to_numpy()
    if m.any():
        _fail(col.name, "must be numeric or blank (non-numeric values found)", m, series, where)
    m = np.isinf(arr)
    if m.any():
        _fail(col.name, "must be a finite number or blank (inf found)", m, series, where)
    return arr


def _as_category(series: pd.Series, col: Column, where: str) -> pd.Categorical:
    cats = list(col.categories or ())
    if isinstance(series.dtype, pd.CategoricalDtype) and list(series.cat.categories) == cats:
        codes = series.cat.codes.to_numpy()
        if (codes < 0).any():
            _fail(col.name, "must not be missing (NaN)", codes < 0, series, where)
        return pd.Categorical(series)
    s = canonical_codes(series, col.name, tuple(cats))
    na = s.isna().to_numpy()
    if na.any():
        _fail(col.name, "must not be missing (NaN)", na, series, where)
    known = s.isin(cats).to_numpy(dtype=bool, na_value=False)
    if not known.all():
        unknown = [u if len(u) <= 40 else u[:39] + "…" for u in sorted(set(map(str, s[~known].unique().tolist())))[:5]]
        idx = np.flatnonzero(~known)
        zh = [k for k, v in value_aliases(col.name).items() if v == cats[0]][:1]
        hint = f" (or Chinese names, e.g. {zh[0]!r}; see ajx_actuarial.aliases)" if zh else ""
        raise ValidationError(
            f"{where}: column {col.name!r} has unknown code(s) {unknown}; allowed: {cats}{hint}; "
            f"bad {format_rows(idx.tolist())}"
        )
    return pd.Categorical(s.to_numpy(dtype=object), categories=cats)


def _default_array(col: Column, out: dict[str, Any], n: int) -> Any:
    if callable(col.default):
        return np.asarray(col.default(pd.DataFrame(out)), dtype=np.int64 if col.kind == "int" else np.float64)
    if col.kind == "category":
        codes = np.full(n, list(col.categories or ()).index(col.default), dtype=np.int8)
        return pd.Categorical.from_codes(codes, categories=list(col.categories or ()))
    dtype = {"int": np.int64, "bool": bool, "money": np.float64, "float": np.float64}.get(col.kind, object)
    return np.full(n, col.default, dtype=dtype)


def _is_mangled(name: str, present, columns: tuple[Column, ...]) -> bool:
    """``headcount.1``: how pandas renames a repeated header when reading CSV/Excel."""
    base, _, suffix = name.rpartition(".")
    return bool(base) and suffix.isdigit() and base in present and base in {c.name for c in columns}


def _validate(df: Any, columns: tuple[Column, ...], where: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValidationError(f"{where}: expected a pandas DataFrame, got {type(df).__name__}")
    if len(df) == 0:
        raise ValidationError(f"{where}: the table is empty (0 rows); at least one row is needed")
    if df.columns.duplicated().any():
        dup = sorted(set(map(str, df.columns[df.columns.duplicated()].tolist())))
        raise ValidationError(f"{where}: duplicate column name(s) {dup}")
    df = canonical_columns(df, tuple(c.name for c in columns), where)
    mangled = [str(c) for c in df.columns if _is_mangled(str(c), df.columns, columns)]
    if mangled:
        raise ValidationError(f"{where}: duplicate column(s) {sorted({m.rsplit('.', 1)[0] for m in mangled})} "
                              f"(pandas renamed the repeated header to {mangled}); each column may appear once")
    missing = [c.name for c in columns if c.required and c.name not in df.columns]
    if missing:
        found = [str(c) for c in df.columns[:8]] + (["..."] if len(df.columns) > 8 else [])
        how = df.attrs.get("read", {}) if isinstance(df.attrs.get("read"), dict) else {}
        read = f" (read as CSV with delimiter {how['delimiter']!r}, encoding {how['encoding']})" if "delimiter" in how else ""
        raise ValidationError(
            f"{where}: missing required column(s) {missing}; required: {[c.name for c in columns if c.required]} "
            f"(Chinese headers accepted, see ajx_actuarial.aliases); columns found: {found}{read}"
        )
    out: dict[str, Any] = {}
    src = df.reset_index(drop=True)
    defaulted = set(df.attrs.get("defaulted", ())) if isinstance(df.attrs.get("defaulted", ()), (tuple, list)) else set()
    for col in columns:
        if col.name not in src.columns:
            if col.default is None:
                continue
            out[col.name] = _default_array(col, out, len(df))
            defaulted.add(col.name)
            continue
        s = src[col.name]
        if col.kind == "id":
            na = s.isna().to_numpy()
            if na.any():
                _fail(col.name, "must not be missing (NaN)", na, s, where)
            out[col.name] = s.to_numpy()
        elif col.kind == "category":
            if col.missing_ok and s.isna().any():
                s = s.astype(object).where(s.notna(), (col.categories or ("",))[0])
            out[col.name] = _as_category(s, col, where)
        elif col.kind == "str":
            na = s.isna().to_numpy()
            if na.any():
                _fail(col.name, "must not be missing (NaN)", na, s, where)
            out[col.name] = s if pd.api.types.is_string_dtype(s.dtype) else s.astype(str)
        elif col.kind == "int":
            arr = _as_int(s, col, where)
            if col.minimum is not None and (arr < col.minimum).any():
                _fail(col.name, f"must be >= {col.minimum:g}", arr < col.minimum, arr, where)
            if col.maximum is not None and (arr > col.maximum).any():
                _fail(col.name, f"must be <= {col.maximum:,.0f}", arr > col.maximum, arr, where)
            out[col.name] = arr
        elif col.kind == "bool":
            out[col.name] = _as_bool(s, col, where)
        elif col.kind in ("money", "float"):
            if col.missing_ok:
                arr = _as_float_blank_ok(s, col, where)
                ok = ~np.isnan(arr)
                m = ok & (arr <= 0)
                if m.any():
                    _fail(col.name, "must be > 0 (or blank)", m, arr, where)
                m = ok & (arr > (np.inf if col.maximum is None else col.maximum))
                if m.any():
                    _fail(col.name, f"must be <= {col.maximum:,.0f} (a bound on absurd values, see ajx_actuarial.portfolio)", m, arr, where)
                out[col.name] = arr
                continue
            arr = _as_float(s, col, where)
            if col.kind == "money" or (col.kind == "float" and col.minimum is not None):
                m = arr <= 0
                if m.any():
                    _fail(col.name, "must be > 0", m, arr, where)
            elif (arr < 0).any():
                _fail(col.name, "must be >= 0", arr < 0, arr, where)
            if col.maximum is not None and (arr > col.maximum).any():
                _fail(col.name, f"must be <= {col.maximum:,.0f} (a bound on absurd values, see ajx_actuarial.portfolio)", arr > col.maximum, arr, where)
            out[col.name] = arr
        else:  # pragma: no cover - contract definition error
            raise AssertionError(col.kind)
    result = pd.DataFrame(out, index=pd.RangeIndex(len(src)))
    # Keep any extra user columns, after the contract columns.
    extra = [c for c in src.columns if c not in result.columns]
    if extra:
        result = pd.concat([result, src[extra]], axis=1)
    result.attrs["defaulted"] = tuple(sorted(defaulted))  # columns filled with their default (here or upstream)
    return result


def _check_cross(df: pd.DataFrame, where: str) -> None:
    if {"deaths_3y", "accidents_3y"} <= set(df.columns):
        m = (df["deaths_3y"].to_numpy() > 0) & (df["accidents_3y"].to_numpy() == 0)
        if m.any():
            _fail("deaths_3y", "must be 0 when accidents_3y is 0", m, df["deaths_3y"], where)
    if {"deaths_3y", "max_accident_deaths_3y"} <= set(df.columns):
        d3, mx = df["deaths_3y"].to_numpy(), df["max_accident_deaths_3y"].to_numpy()
        m = (mx > d3) | ((d3 > 0) & (mx == 0))
        if m.any():
            _fail("max_accident_deaths_3y", "must be <= deaths_3y, and >= 1 when deaths_3y > 0", m, df["max_accident_deaths_3y"], where)
    if "sub_sector" in df.columns and "industry" in df.columns:
        parent = _sub_sector_parents()[df["sub_sector"].cat.codes.to_numpy()]
        ind = df["industry"].astype(object).to_numpy()
        m = (parent != "") & (parent != ind)
        if m.any():
            idx = np.flatnonzero(m)[:5]
            pairs = [f"{df['sub_sector'].iloc[i]} (parent {parent[i]}) under {ind[i]}" for i in idx]
            _fail("sub_sector", f"must belong to the row's industry (reference.sub_sectors parent); e.g. {pairs[0]}", m, df["sub_sector"], where)
    if {"limit_annual", "limit_accident"} <= set(df.columns):
        m = df["limit_annual"].to_numpy() < df["limit_accident"].to_numpy()
        if m.any():
            _fail("limit_annual", "must be >= limit_accident (aggregate below the per-accident limit)", m, df["limit_annual"], where)


def _sub_sector_parents() -> np.ndarray:
    from .reference import sub_sectors

    par = sub_sectors()["parent"].fillna("")
    return np.asarray([str(par.get(c, "")) for c in SUB_SECTORS], dtype=object)


def _fail_unhashable(ids: pd.Series, where: str) -> NoReturn:
    """A policy id that is a list, dict or set (an id is a string or a number): name the rows."""
    def bad(v: object) -> bool:
        try:
            hash(v)
        except TypeError:
            return True
        return False

    m = np.fromiter((bad(v) for v in ids), dtype=bool, count=len(ids))
    vals = [type(v).__name__ for v in ids.to_numpy()[np.flatnonzero(m)[:5]]]
    _fail("policy_id", f"must be a string or a number, got {', '.join(sorted(set(vals)))}", m, ids, where)


def _ids_unique(ids: pd.Series) -> bool:
    """Whether the policy ids are unique: O(n) for increasing or compact integer ids, else hashing."""
    a = ids.to_numpy()
    if a.dtype.kind in "iu" and a.size:
        if a.size == 1 or (a[1:] > a[:-1]).all():
            return True
        lo, hi = int(a.min()), int(a.max())
        if hi - lo < 4 * a.size:
            return int(np.bincount(a - lo).max()) <= 1
    return bool(ids.is_unique)


def validate_portfolio(df: pd.DataFrame) -> pd.DataFrame:
    """Validate a portfolio against DESIGN.md §4 and return a normalised copy.

    Parameters
    ----------
    df : DataFrame
        One row per enterprise-policy. Required: ``policy_id`` (unique), ``industry``,
        ``size``, ``headcount`` (int >= 1). Optional columns get documented defaults
        (see ``PORTFOLIO_COLUMNS``): ``std_grade`` 0, ``violations`` 0, ``blacklisted``
        False, ``accidents_3y``/``deaths_3y``/``claim_free_years`` 0, ``rectification``
        ``"on_time"``, ``limit_death`` 400 000 (N25 Art. 15), ``limit_medical`` 10 %,
        ``limit_accident`` 10×, ``limit_annual`` 2× the per-accident limit (DOMAIN.md §4.5).
        Optional exposure columns (``EXPOSURE_COLUMNS``: ``project_cost``, ``output_tonnes``,
        ``sub_sector``) are validated when present and otherwise left out.

    Returns
    -------
    DataFrame
        Categoricals for codes, int64 counts, bool flags, float64 money; a fresh RangeIndex;
        extra user columns kept at the end.

    Raises
    ------
    ValidationError
        Naming the column, the rule, the offending values and rows.

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> df = ajx.validate_portfolio(pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"],
    ...                                           "size": ["medium"], "headcount": [300]}))
    >>> float(df.loc[0, "limit_death"]), str(df.loc[0, "rectification"])
    (400000.0, 'on_time')
    """
    out = _validate(df, PORTFOLIO_COLUMNS + EXPOSURE_COLUMNS, "portfolio")
    try:
        unique = _ids_unique(out["policy_id"])
    except TypeError:  # a list or dict cell cannot be compared
        _fail_unhashable(out["policy_id"], "portfolio")
    if not unique:
        dup = out["policy_id"].duplicated(keep=False).to_numpy()
        _fail("policy_id", "must be unique", dup, out["policy_id"], "portfolio")
    _check_cross(out, "portfolio")
    return out


def validate_experience(df: pd.DataFrame) -> pd.DataFrame:
    """Validate an experience table (one row per policy-year) and return a normalised copy.

    Required: ``policy_id``, ``year``, ``industry``, ``size``, ``exposure`` (worker-years > 0),
    ``claims``, ``deaths``, ``disabilities`` (int >= 0), ``incurred`` (CNY >= 0); rating columns
    as in the portfolio contract, with the same defaults.
    """
    out = _validate(df, EXPERIENCE_COLUMNS, "experience")
    try:
        dup = out.duplicated(subset=["policy_id", "year"], keep=False).to_numpy()
    except TypeError:  # a list or dict cell cannot be compared
        _fail_unhashable(out["policy_id"], "experience")
    if dup.any():
        _fail("policy_id", "must be unique within a year (policy_id, year)", dup, out["policy_id"], "experience")
    m = (out["deaths"].to_numpy() + out["disabilities"].to_numpy() > 0) & (out["claims"].to_numpy() == 0)
    if m.any():
        _fail("claims", "must be >= 1 when deaths or disabilities are recorded", m, out["claims"], "experience")
    _check_cross(out, "experience")
    return out


# ----------------------------------------------------------------------------- file I/O


def read_portfolio(path: str | os.PathLike[str], *, encoding: str | None = None) -> pd.DataFrame:
    """Read and validate a portfolio file (CSV, Parquet or Excel; Chinese headers and codes accepted).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> ajx.read_portfolio("data/portfolio_zh.csv").shape[0] > 0  # doctest: +SKIP
    True
    """
    return validate_portfolio(read_table(path, encoding=encoding))
