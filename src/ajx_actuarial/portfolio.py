"""The portfolio and experience column contract (DESIGN.md §4), validation and file I/O.

Validation happens once, at the boundary: :func:`validate_portfolio` returns a normalised
copy (categoricals for codes, int64 counts, bool flags, float64 money, documented defaults
for missing optional columns) or raises :class:`~ajx_actuarial.errors.ValidationError`
naming the column, the rule, the offending values and the first offending rows.

Readers and writers handle CSV and Parquet by file extension; writes are atomic (temporary
file in the same folder, then :func:`os.replace`), so a failed run leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .errors import ValidationError, format_rows
from .reference import INDUSTRIES, SIZES

__all__ = [
    "PORTFOLIO_COLUMNS",
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
    Column("violations", "int", "administrative penalties in the look-back period", default=0, minimum=0),
    Column("blacklisted", "bool", "on the joint-punishment blacklist", default=False),
    Column("accidents_3y", "int", "accidents (claims) in the last 3 policy years", default=0, minimum=0),
    Column("deaths_3y", "int", "deaths in the last 3 policy years", default=0, minimum=0),
    Column("max_accident_deaths_3y", "int", "deaths in the worst single accident of the last 3 policy years (grades the fatal-accident surcharge; default deaths_3y)", default=_max_accident_deaths_default, minimum=0),
    Column("claim_free_years", "int", "consecutive claim-free policy years (0 = claim last year)", default=0, minimum=0),
    Column("rectification", "category", "hidden-danger rectification status", default="on_time", categories=RECTIFICATION_LEVELS),
    Column("rescue_participation", "bool", "took part in social rescue (Beijing factor)", default=False),
    Column("dual_prevention", "bool", "dual-prevention mechanism in place (Zhoushan factor)", default=False),
    Column("risk_tier", "category", "insurer's risk tier (N24: low / medium / high)", default="medium", categories=RISK_TIERS),
    Column("limit_death", "money", "per-person death/disability limit, CNY (default: national minimum 400 000)", default=NATIONAL_MIN_LIMIT, minimum=0),
    Column("limit_medical", "money", "per-person medical limit, CNY (default 10 % of limit_death)", default=_limit_medical_default, minimum=0),
    Column("limit_accident", "money", "per-accident limit, CNY (default 10 × limit_death)", default=_limit_accident_default, minimum=0),
    Column("limit_annual", "money", "annual aggregate limit, CNY (default 2 × limit_accident)", default=_limit_annual_default, minimum=0),
)

PORTFOLIO_COLUMNS: tuple[Column, ...] = (
    Column("policy_id", "id", "unique policy identifier", True),
    *_COMMON[:2],
    Column("headcount", "int", "employees covered (all employees, incl. dispatched)", True, minimum=1),
    *_COMMON[2:],
)

EXPERIENCE_COLUMNS: tuple[Column, ...] = (
    Column("policy_id", "id", "policy identifier (unique together with year)", True),
    Column("year", "int", "policy year", True, minimum=1900, maximum=2200),
    *_COMMON[:2],
    Column("exposure", "float", "worker-years of exposure (> 0)", True, minimum=0),
    Column("claims", "int", "number of claims (accidents) in the policy year", True, minimum=0),
    Column("deaths", "int", "deaths in the policy year", True, minimum=0),
    Column("disabilities", "int", "permanent disabilities (grades 1-10) in the policy year", True, minimum=0),
    Column("incurred", "float", "incurred loss, CNY (>= 0)", True, minimum=None),
    Column("headcount", "int", "employees covered", default=None, minimum=1),
    *(c for c in _COMMON[2:] if not c.name.startswith("limit_")),
)


def _fail(column: str, rule: str, mask: np.ndarray, values: pd.Series | np.ndarray, where: str) -> None:
    idx = np.flatnonzero(mask)
    vals = np.asarray(values)[idx[:5]]
    raise ValidationError(
        f"{where}: column {column!r} {rule}; bad {format_rows(idx.tolist(), vals)}"
    )


def _as_int(series: pd.Series, col: Column, where: str) -> np.ndarray:
    s = series
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
        m = arr != np.floor(arr)
        if m.any():
            _fail(col.name, "must be a whole number", m, arr, where)
        return arr.astype(np.int64)
    num = pd.to_numeric(s, errors="coerce")
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
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        m = ~np.isin(arr, (0.0, 1.0))
        if m.any():
            _fail(col.name, "must be boolean (true/false or 0/1)", m, arr, where)
        return arr == 1.0
    low = s.astype("string").str.strip().str.lower()
    is_t = low.isin(_TRUE).to_numpy(dtype=bool, na_value=False)
    is_f = low.isin(_FALSE).to_numpy(dtype=bool, na_value=False)
    m = ~(is_t | is_f)
    if m.any():
        _fail(col.name, "must be boolean (true/false or 0/1)", m, s, where)
    return is_t


def _as_float(series: pd.Series, col: Column, where: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series.dtype):
        _fail(col.name, "must be numeric, got booleans", np.ones(len(series), bool), series, where)
    num = pd.to_numeric(series, errors="coerce") if not pd.api.types.is_numeric_dtype(series.dtype) else series
    arr = num.to_numpy(dtype=np.float64, na_value=np.nan)
    m = ~np.isfinite(arr)
    if m.any():
        bad_text = (~series.isna()).to_numpy() & np.isnan(arr)
        rule = "must be numeric (non-numeric values found)" if bad_text.any() else "must be a finite number (NaN or inf found)"
        _fail(col.name, rule, m, series, where)
    return arr


def _as_category(series: pd.Series, col: Column, where: str) -> pd.Categorical:
    cats = list(col.categories or ())
    if isinstance(series.dtype, pd.CategoricalDtype) and list(series.cat.categories) == cats:
        codes = series.cat.codes.to_numpy()
        if (codes < 0).any():
            _fail(col.name, "must not be missing (NaN)", codes < 0, series, where)
        return pd.Categorical(series)
    s = series.astype("string").str.strip()
    na = s.isna().to_numpy()
    if na.any():
        _fail(col.name, "must not be missing (NaN)", na, series, where)
    known = s.isin(cats).to_numpy(dtype=bool, na_value=False)
    if not known.all():
        unknown = sorted(set(s[~known].unique().tolist()))[:5]
        idx = np.flatnonzero(~known)
        raise ValidationError(
            f"{where}: column {col.name!r} has unknown code(s) {unknown}; allowed: {cats}; "
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


def _validate(df: Any, columns: tuple[Column, ...], where: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValidationError(f"{where}: expected a pandas DataFrame, got {type(df).__name__}")
    if len(df) == 0:
        raise ValidationError(f"{where}: the table is empty (0 rows); at least one row is needed")
    if df.columns.duplicated().any():
        dup = sorted(set(df.columns[df.columns.duplicated()].tolist()))
        raise ValidationError(f"{where}: duplicate column name(s) {dup}")
    missing = [c.name for c in columns if c.required and c.name not in df.columns]
    if missing:
        raise ValidationError(
            f"{where}: missing required column(s) {missing}; required: "
            f"{[c.name for c in columns if c.required]}"
        )
    out: dict[str, Any] = {}
    src = df.reset_index(drop=True)
    for col in columns:
        if col.name not in src.columns:
            if col.default is None:
                continue
            out[col.name] = _default_array(col, out, len(df))
            continue
        s = src[col.name]
        if col.kind == "id":
            na = s.isna().to_numpy()
            if na.any():
                _fail(col.name, "must not be missing (NaN)", na, s, where)
            out[col.name] = s.to_numpy()
        elif col.kind == "category":
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
                _fail(col.name, f"must be <= {col.maximum:g}", arr > col.maximum, arr, where)
            out[col.name] = arr
        elif col.kind == "bool":
            out[col.name] = _as_bool(s, col, where)
        elif col.kind in ("money", "float"):
            arr = _as_float(s, col, where)
            if col.kind == "money" or (col.kind == "float" and col.minimum is not None):
                m = arr <= 0
                if m.any():
                    _fail(col.name, "must be > 0", m, arr, where)
            elif (arr < 0).any():
                _fail(col.name, "must be >= 0", arr < 0, arr, where)
            out[col.name] = arr
        else:  # pragma: no cover - contract definition error
            raise AssertionError(col.kind)
    result = pd.DataFrame(out, index=pd.RangeIndex(len(src)))
    # Keep any extra user columns, after the contract columns.
    extra = [c for c in src.columns if c not in result.columns]
    if extra:
        result = pd.concat([result, src[extra]], axis=1)
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
    if {"limit_annual", "limit_accident"} <= set(df.columns):
        m = df["limit_annual"].to_numpy() < df["limit_accident"].to_numpy()
        if m.any():
            _fail("limit_annual", "must be >= limit_accident (aggregate below the per-accident limit)", m, df["limit_annual"], where)


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
    out = _validate(df, PORTFOLIO_COLUMNS, "portfolio")
    dup = out["policy_id"].duplicated(keep=False).to_numpy()
    if dup.any():
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
    dup = out.duplicated(subset=["policy_id", "year"], keep=False).to_numpy()
    if dup.any():
        _fail("policy_id", "must be unique within a year (policy_id, year)", dup, out["policy_id"], "experience")
    m = (out["deaths"].to_numpy() + out["disabilities"].to_numpy() > 0) & (out["claims"].to_numpy() == 0)
    if m.any():
        _fail("claims", "must be >= 1 when deaths or disabilities are recorded", m, out["claims"], "experience")
    _check_cross(out, "experience")
    return out


# ----------------------------------------------------------------------------- file I/O

_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".json": "json"}


def _format_of(path: Path, where: str) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValidationError(f"{where}: {str(path)!r}: unsupported file type {path.suffix!r}; use .csv or .parquet")
    return fmt


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV or Parquet file into a DataFrame (no validation)."""
    p = Path(path)
    fmt = _format_of(p, "read")
    if not p.is_file():
        raise ValidationError(f"read: file {str(p)!r} does not exist")
    try:
        if fmt == "csv":
            return pd.read_csv(p)
        if fmt == "parquet":
            return pd.read_parquet(p)
        return pd.read_json(p)
    except (ValueError, OSError, pd.errors.ParserError) as exc:  # pyarrow errors subclass these
        raise ValidationError(f"read: cannot parse {str(p)!r} as {fmt}: {str(exc).splitlines()[0]}") from exc


def read_portfolio(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate a portfolio file (CSV or Parquet)."""
    return validate_portfolio(read_table(path))


class atomic_path:
    """Context manager yielding a temporary path beside ``target``; renamed onto it on success.

    On any exception the temporary file is removed and ``target`` is left untouched.
    """

    def __init__(self, target: str | os.PathLike[str]):
        self.target = Path(target)

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
            os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)
        return False


def write_table(df: pd.DataFrame, path: str | os.PathLike[str], *, writer: Callable[[pd.DataFrame, Path], None] | None = None) -> Path:
    """Write ``df`` to CSV, Parquet or JSON (by extension) atomically; returns the path."""
    p = Path(path)
    fmt = _format_of(p, "write")
    if df.attrs:
        df = df.copy(deep=False)
        df.attrs = {}
    with atomic_path(p) as tmp:
        if writer is not None:
            writer(df, tmp)
        elif fmt == "csv":
            df.to_csv(tmp, index=False)
        elif fmt == "parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_json(tmp, orient="records", force_ascii=False, indent=1)
    return p
