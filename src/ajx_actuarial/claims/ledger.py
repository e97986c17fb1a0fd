"""The claims ledger: one row per transaction, validated once at the boundary.

Columns (long form, as insurers keep it; ``ajx.synth.claims`` writes exactly these):

=================== ========= ==============================================================
``claim_id``        required  one claim (one victim)
``policy_id``       required  the policy that covers the accident (must be in the register)
``accident_date``   required  date of the accident
``report_date``     required  date the claim was reported (>= accident date)
``transaction_date`` required date of this transaction (>= report date, >= accident date)
``paid``            required  amount paid in this transaction, CNY (incremental; a row may be < 0
                              to reverse or correct an earlier payment of the same claim)
``transaction_id``  optional  the transaction; unique within a claim. Give it when a claim really
                              has two identical payments on one day (otherwise refused as a
                              duplicate row)
``case_reserve``    optional  case reserve outstanding after the transaction, CNY (>= 0; 0)
``deaths``          optional  deaths on the claim as known after the transaction (int >= 0)
``injury``          optional  ``death``, ``disability`` or ``medical`` as known after it
``grade``           optional  disability grade 1-10 (kept, not used for the counts)
``accident_id``     optional  the accident (several victims); default: the claim
``policy_year``     optional  policy year of the cover; default: the accident year
``closed_date``     optional  date the claim closed
=================== ========= ==============================================================

Claim-level fields (``policy_id``, ``accident_date``, ``report_date``, ``accident_id``,
``policy_year``) must agree on every row of a claim. Other names come in through a mapping
``columns={"their name": "claim_id", ...}``; headers are also matched case-insensitively.

The contract refuses what would give wrong numbers silently:

* **exact duplicate rows** (every column equal): a ledger loaded twice would double incurred
  while the claim count stays. Genuinely repeated payments need a ``transaction_id`` column;
* **a claim whose paid amounts net below zero**, in total or up to any transaction date (a
  reversal larger than what was paid, or booked before it). Recoveries (subrogation, salvage)
  are not modelled: net them into ``paid`` so the claim stays >= 0; a ``recovery`` column is
  refused rather than ignored;
* **numbers in a date column** (an Excel serial such as 45000 would be read as nanoseconds
  after 1970): the message asks "Excel serial date?";
* dates and policy years outside :data:`YEAR_RANGE`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..aliases import canonical_columns
from ..errors import ValidationError, format_rows

__all__ = ["LEDGER_COLUMNS", "OPTIONAL_COLUMNS", "INJURIES", "YEAR_RANGE", "validate_ledger"]

LEDGER_COLUMNS: tuple[str, ...] = ("claim_id", "policy_id", "accident_date", "report_date", "transaction_date", "paid")
OPTIONAL_COLUMNS: tuple[str, ...] = ("case_reserve", "deaths", "injury", "grade", "accident_id", "policy_year", "closed_date",
                                     "transaction_id")
#: Plausible calendar years for ledger dates, policy years, the valuation date and the rating
#: year (assumption). The insurance began in 2006; 1980 still admits the classic reserving
#: triangles (RAA, accident years 1981-1990) while refusing 1970-01-01, what a number read as
#: nanoseconds after 1970 becomes; 2100 refuses typing errors such as ``--rating-year 99999``.
YEAR_RANGE: tuple[int, int] = (1980, 2100)
_REFUSED = ("recovery",)  # columns that would otherwise be ignored silently
_IDS = ("claim_id", "policy_id", "accident_id", "transaction_id")
_NET_TOLERANCE = 0.005  # CNY: half a fen of rounding in a claim's net paid
INJURIES: tuple[str, ...] = ("death", "disability", "medical")
_DATES = ("accident_date", "report_date", "transaction_date")
_CLAIM_LEVEL = ("policy_id", "accident_date", "report_date", "accident_id", "policy_year")
_WHERE = "claims"


def _fail(column: str, rule: str, mask: np.ndarray, values) -> None:
    idx = np.flatnonzero(mask)
    raise ValidationError(f"{_WHERE}: column {column!r} {rule}; bad {format_rows(idx.tolist(), np.asarray(values)[idx[:5]])}")


_SERIAL_HINT = "Excel serial date? write dates as YYYY-MM-DD"


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) and not pd.isna(v)


def _looks_numeric(v) -> bool:
    if _is_number(v):
        return True
    try:
        float(str(v).strip())
    except ValueError:
        return False
    return bool(str(v).strip())


def _dates(s: pd.Series, name: str, required: bool) -> np.ndarray:
    """Parse to datetime64[ns]; numbers, text that does not parse and dates outside :data:`YEAR_RANGE` are
    errors, so are gaps in required columns."""
    if pd.api.types.is_numeric_dtype(s.dtype) or s.dtype == object:
        # a number is not a date: pandas would read 45000 as 45 000 ns after 1970-01-01
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            num = s.notna().to_numpy()
        else:
            uniq = pd.unique(s.to_numpy(dtype=object))
            bad = [u for u in uniq if _is_number(u)]
            num = s.isin(bad).to_numpy() if bad else np.zeros(len(s), bool)
        if num.any():
            _fail(name, f"holds numbers, not dates ({_SERIAL_HINT})", num, s)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = pd.to_datetime(s)
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
    else:
        try:
            out = pd.to_datetime(s, errors="coerce", format="mixed")
        except (TypeError, ValueError):
            out = pd.to_datetime(s.astype(str), errors="coerce", format="mixed")
    nat = out.isna().to_numpy()
    if nat.any() and not pd.api.types.is_datetime64_any_dtype(s.dtype):
        given = s.notna().to_numpy() & (s.astype(str).str.strip() != "").to_numpy()
        if (nat & given).any():
            serial = any(_looks_numeric(v) for v in s[nat & given].head(5))
            _fail(name, f"has dates that do not parse ({_SERIAL_HINT if serial else 'use YYYY-MM-DD'})", nat & given, s)
    if required and nat.any():
        _fail(name, "must not be missing", nat, s)
    year = out.dt.year.to_numpy(dtype=np.float64, na_value=np.nan)
    far = ~nat & ((year < YEAR_RANGE[0]) | (year > YEAR_RANGE[1]))
    if far.any():
        _fail(name, f"has years outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]} (a typing or unit error?)", far, s)
    return out.to_numpy(dtype="datetime64[ns]")


def _numbers(s: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s.dtype):
        _fail(name, "must be numeric, got booleans", np.ones(len(s), bool), s)
    num = s if pd.api.types.is_numeric_dtype(s.dtype) else pd.to_numeric(s, errors="coerce")
    arr = num.to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(arr).all():
        _fail(name, "must be finite numbers (missing, non-numeric or infinite values found)", ~np.isfinite(arr), s)
    return arr


def validate_ledger(claims: pd.DataFrame, *, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Validate a claims ledger and return a normalised copy, ordered by claim then transaction date.

    Parameters
    ----------
    claims : DataFrame
        One row per transaction (module docstring for the columns).
    columns : {their name: ledger name}, optional
        Renames applied first, e.g. ``{"赔案号": "claim_id", "出险日期": "accident_date"}``; every
        key must be a column of ``claims`` and every value a ledger column name.

    Returns
    -------
    DataFrame
        ``datetime64`` dates, float ``paid`` and ``case_reserve`` (0 when absent), int ``deaths``
        (from ``injury`` when absent), ``injury`` as a categorical (``medical`` when absent),
        ``accident_id`` (default ``claim_id``), int ``policy_year`` (default: accident year),
        ``transaction_id`` when given; ``attrs["case_reserve_given"]``.

    Raises
    ------
    ValidationError
        Missing column, a bad ``columns`` mapping, missing or list-valued identifiers, numbers in
        a date column ("Excel serial date?"), dates that do not parse or fall outside
        :data:`YEAR_RANGE`, a report or transaction before the accident, a transaction before
        the report, negative reserves, claim-level fields that differ between a claim's rows,
        unknown injury codes, exact duplicate rows (naming them), a ``transaction_id`` repeated
        within a claim, a claim whose paid nets below zero (naming it), a ``recovery`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> led = pd.DataFrame({"claim_id": [1, 1], "policy_id": ["P1", "P1"], "accident_date": "2024-03-01",
    ...                     "report_date": "2024-03-05", "transaction_date": ["2024-03-05", "2024-06-30"],
    ...                     "paid": [0.0, 2500.0], "case_reserve": [3000.0, 0.0]})
    >>> v = validate_ledger(led)
    >>> v["policy_year"].tolist(), v["injury"].astype(str).tolist()
    ([2024, 2024], ['medical', 'medical'])
    """
    if not isinstance(claims, pd.DataFrame):
        raise ValidationError(f"{_WHERE}: expected a pandas DataFrame, got {type(claims).__name__}")
    df = claims.rename(columns=_mapping(columns, claims)) if columns is not None else claims
    if df.columns.duplicated().any():
        raise ValidationError(f"{_WHERE}: duplicate column name(s) {sorted(set(map(str, df.columns[df.columns.duplicated()])))} (after the column mapping)")
    df = canonical_columns(df, LEDGER_COLUMNS + OPTIONAL_COLUMNS + _REFUSED, _WHERE)
    if "recovery" in df.columns:
        raise ValidationError(f"{_WHERE}: column 'recovery' is not supported (recoveries are not modelled): net them into 'paid' as "
                              "negative rows of the claim, whose net paid must stay >= 0, or leave them out")
    missing = [c for c in LEDGER_COLUMNS if c not in df.columns]
    if missing:
        raise ValidationError(f"{_WHERE}: missing required column(s) {missing}; required: {list(LEDGER_COLUMNS)} "
                              "(map other names with columns={'their name': 'claim_id', ...})")
    if len(df) == 0:
        raise ValidationError(f"{_WHERE}: the ledger is empty (0 rows)")
    src = df.reset_index(drop=True)
    out: dict[str, object] = {}
    for c in _IDS:
        if c in src:
            _ids(src[c], c)
    for c in ("claim_id", "policy_id"):
        out[c] = src[c]
    for c in _DATES:
        out[c] = _dates(src[c], c, True)
    out["paid"] = _numbers(src["paid"], "paid")
    out["case_reserve"] = _numbers(src["case_reserve"], "case_reserve") if "case_reserve" in src else np.zeros(len(src))
    if (out["case_reserve"] < 0).any():
        _fail("case_reserve", "must be >= 0 (outstanding after the transaction)", out["case_reserve"] < 0, out["case_reserve"])
    acc, rep, txn = out["accident_date"], out["report_date"], out["transaction_date"]
    if (rep < acc).any():
        _fail("report_date", "must be on or after accident_date (reported before the accident)", rep < acc, src["report_date"])
    if (txn < acc).any():
        _fail("transaction_date", "must be on or after accident_date (a payment or reserve before the accident)", txn < acc, src["transaction_date"])
    if (txn < rep).any():
        _fail("transaction_date", "must be on or after report_date (a transaction before the claim was reported)", txn < rep, src["transaction_date"])
    if "injury" in src:
        inj = src["injury"].astype("string").str.strip().str.lower()
        bad = ~inj.isin(INJURIES).to_numpy(dtype=bool, na_value=False)
        if bad.any():
            _fail("injury", f"must be one of {list(INJURIES)}", bad, src["injury"])
        out["injury"] = pd.Categorical(inj.to_numpy(dtype=object), categories=INJURIES)
    else:
        out["injury"] = pd.Categorical.from_codes(np.full(len(src), 2, dtype=np.int8), categories=INJURIES)
    if "deaths" in src:
        d = _numbers(src["deaths"], "deaths")
        if (d < 0).any() or (d != np.floor(d)).any():
            _fail("deaths", "must be whole numbers >= 0", (d < 0) | (d != np.floor(d)), src["deaths"])
        out["deaths"] = d.astype(np.int64)
    else:
        out["deaths"] = (np.asarray(out["injury"].codes) == 0).astype(np.int64)
    if "grade" in src:
        out["grade"] = src["grade"].to_numpy()
    out["accident_id"] = src["accident_id"] if "accident_id" in src else out["claim_id"]
    if "policy_year" in src:
        py = _numbers(src["policy_year"], "policy_year")
        if (py != np.floor(py)).any():
            _fail("policy_year", "must be whole years", py != np.floor(py), src["policy_year"])
        far = (py < YEAR_RANGE[0]) | (py > YEAR_RANGE[1])
        if far.any():
            _fail("policy_year", f"must be a year in {YEAR_RANGE[0]}-{YEAR_RANGE[1]}", far, src["policy_year"])
        out["policy_year"] = py.astype(np.int64)
    else:
        out["policy_year"] = pd.DatetimeIndex(acc).year.to_numpy(dtype=np.int64)
    if "closed_date" in src:
        out["closed_date"] = _dates(src["closed_date"], "closed_date", False)
    if "transaction_id" in src:
        out["transaction_id"] = src["transaction_id"]
    led = pd.DataFrame(out)
    _no_duplicates(led, src)
    # order by claim, then transaction date (stable: same-day rows keep their order)
    code, _ = pd.factorize(led["claim_id"], sort=False)
    order = np.lexsort((led["transaction_date"].to_numpy(), code))
    led = led.iloc[order].reset_index(drop=True)
    code = code[order]
    led["_claim"] = code
    new = np.r_[True, code[1:] != code[:-1]]
    for c in _CLAIM_LEVEL:
        v = led[c].to_numpy() if c in ("accident_date", "report_date", "policy_year") else pd.factorize(led[c])[0]
        same = np.r_[True, v[1:] == v[:-1]] | new
        if not same.all():
            rows = order[~same]
            raise ValidationError(f"{_WHERE}: column {c!r} must be the same on every row of a claim; claim(s) "
                                  f"{sorted(set(map(str, led['claim_id'].to_numpy()[~same][:5])))} differ; {format_rows(rows.tolist())}")
    _net_paid(led, new)
    led.attrs["case_reserve_given"] = "case_reserve" in src
    return led


def _mapping(columns, claims: pd.DataFrame) -> dict:
    """The ``columns=`` renames, checked: a mapping of the ledger's own headers to ledger names."""
    if not isinstance(columns, Mapping):
        raise ValidationError(f"{_WHERE}: columns= must be a mapping {{their name: ledger name}}, got {columns!r}"[:300])
    known = LEDGER_COLUMNS + OPTIONAL_COLUMNS
    have = set(map(str, claims.columns))
    for k, v in columns.items():
        if str(k) not in have:
            raise ValidationError(f"{_WHERE}: columns= maps {k!r}, which is not a column of the ledger "
                                  f"(its columns: {sorted(have)[:12]}{' ...' if len(have) > 12 else ''})"[:400])
        if not isinstance(v, str) or v not in known:
            raise ValidationError(f"{_WHERE}: columns= maps {k!r} to {v!r}, not a ledger column; ledger columns: {list(known)}"[:400])
    return {k: v for k, v in columns.items()}


def _ids(s: pd.Series, name: str) -> None:
    """Identifiers: present and one scalar per cell (a list or dict in a cell identifies nothing)."""
    if s.dtype == object:
        try:
            uniq = pd.unique(s.to_numpy(dtype=object))
            bad = [u for u in uniq if isinstance(u, (tuple, frozenset))]
            mask = s.isin(bad).to_numpy() if bad else None
        except TypeError:  # unhashable cells: lists, dicts, sets, arrays
            mask = np.fromiter((isinstance(v, (list, tuple, dict, set, frozenset, np.ndarray)) for v in s), bool, len(s))
        if mask is not None and mask.any():
            _fail(name, "must hold one identifier per cell (lists, tuples or dicts found)", mask, s)
    na = s.isna().to_numpy()
    if na.any():
        _fail(name, "must not be missing", na, s)


def _no_duplicates(led: pd.DataFrame, src: pd.DataFrame) -> None:
    """Refuse exact duplicate rows (every column equal), and a transaction_id used twice in a claim."""
    if "transaction_id" in led:
        dup = pd.DataFrame({"c": led["claim_id"], "t": led["transaction_id"]}).duplicated(keep="first").to_numpy()
        if dup.any():
            rows = np.flatnonzero(dup)
            raise ValidationError(f"{_WHERE}: column 'transaction_id' must be unique within a claim; repeated in "
                                  f"{format_rows(rows.tolist(), led['transaction_id'].to_numpy()[rows[:5]])}, claim_id "
                                  f"{[_plain(v) for v in led['claim_id'].to_numpy()[rows[:5]]]}")
    # candidates first: a duplicate shares claim, date and amounts (a cheap numeric hash), then every column
    key = pd.util.hash_pandas_object(led[["claim_id", "transaction_date", "paid", "case_reserve"]], index=False).to_numpy()
    cand = np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy())
    if not cand.size:
        return
    sub = led.iloc[cand].assign(injury=np.asarray(led["injury"].cat.codes)[cand])
    for c in src.columns:  # columns the contract does not read still make rows different
        if c not in sub.columns:
            sub[f"_x_{c}"] = src[c].iloc[cand].to_numpy()
    sub = sub.astype({c: str for c in sub.columns if sub[c].dtype == object})
    dup = sub.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    rows = cand[dup]
    codes, _ = pd.factorize(pd.util.hash_pandas_object(sub, index=False).to_numpy())
    _, first = np.unique(codes, return_index=True)
    orig = cand[first[codes[dup][:5]]]
    raise ValidationError(
        f"{_WHERE}: {rows.size} row(s) repeat an earlier row exactly (every column equal; a ledger loaded twice would double "
        f"incurred): {format_rows(rows.tolist())}, claim_id {[_plain(v) for v in led['claim_id'].to_numpy()[rows[:5]]]}, repeat "
        f"rows {orig.tolist()}; remove them, or add a 'transaction_id' column if the payments really were repeated")


def _net_paid(led: pd.DataFrame, new: np.ndarray) -> None:
    """A claim's paid must not net below zero, in total or up to any transaction date (``led`` ordered by claim, date)."""
    code = led["_claim"].to_numpy()
    paid = led["paid"].to_numpy()
    start = np.flatnonzero(new)
    cum = np.cumsum(paid)
    cum = cum - np.repeat(np.r_[0.0, cum[start[1:] - 1]], np.diff(np.r_[start, len(paid)]))
    d = led["transaction_date"].to_numpy()
    day_end = np.r_[(code[1:] != code[:-1]) | (d[1:] != d[:-1]), True]
    low = day_end & (cum < -_NET_TOLERANCE)
    if low.any():
        idx = np.flatnonzero(low)
        claims = pd.unique(led["claim_id"].to_numpy()[idx])
        i = idx[0]
        raise ValidationError(
            f"{_WHERE}: column 'paid' nets below zero for claim(s) {[_plain(v) for v in claims[:5]]}"
            f"{f' ({claims.size} in all)' if claims.size > 5 else ''}: claim {_plain(led['claim_id'].iat[i])} has net paid "
            f"{cum[i]:,.2f} by {pd.Timestamp(d[i]).date()}; a reversal cannot exceed what was paid before it "
            "(recoveries are not modelled: see validate_ledger)")


def _plain(v):
    return v.item() if hasattr(v, "item") else v
