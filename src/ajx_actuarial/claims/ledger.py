"""The claims ledger: one row per transaction, validated once at the boundary.

Columns (long form, as insurers keep it; ``ajx.synth.claims`` writes exactly these):

=================== ========= ==============================================================
``claim_id``        required  one claim (one victim)
``policy_id``       required  the policy that covers the accident (must be in the register)
``accident_date``   required  date of the accident
``report_date``     required  date the claim was reported (>= accident date)
``transaction_date`` required date of this transaction (>= report date, >= accident date)
``paid``            required  amount paid in this transaction, CNY (incremental; may be < 0)
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
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..aliases import canonical_columns
from ..errors import ValidationError, format_rows

__all__ = ["LEDGER_COLUMNS", "OPTIONAL_COLUMNS", "INJURIES", "validate_ledger"]

LEDGER_COLUMNS: tuple[str, ...] = ("claim_id", "policy_id", "accident_date", "report_date", "transaction_date", "paid")
OPTIONAL_COLUMNS: tuple[str, ...] = ("case_reserve", "deaths", "injury", "grade", "accident_id", "policy_year", "closed_date")
INJURIES: tuple[str, ...] = ("death", "disability", "medical")
_DATES = ("accident_date", "report_date", "transaction_date")
_CLAIM_LEVEL = ("policy_id", "accident_date", "report_date", "accident_id", "policy_year")
_WHERE = "claims"


def _fail(column: str, rule: str, mask: np.ndarray, values) -> None:
    idx = np.flatnonzero(mask)
    raise ValidationError(f"{_WHERE}: column {column!r} {rule}; bad {format_rows(idx.tolist(), np.asarray(values)[idx[:5]])}")


def _dates(s: pd.Series, name: str, required: bool) -> np.ndarray:
    """Parse to datetime64[ns]; text that does not parse is an error, so are gaps in required columns."""
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
            _fail(name, "has dates that do not parse (use YYYY-MM-DD)", nat & given, s)
    if required and nat.any():
        _fail(name, "must not be missing", nat, s)
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
        Renames applied first, e.g. ``{"赔案号": "claim_id", "出险日期": "accident_date"}``.

    Returns
    -------
    DataFrame
        ``datetime64`` dates, float ``paid`` and ``case_reserve`` (0 when absent), int ``deaths``
        (from ``injury`` when absent), ``injury`` as a categorical (``medical`` when absent),
        ``accident_id`` (default ``claim_id``), int ``policy_year`` (default: accident year).

    Raises
    ------
    ValidationError
        Missing column, dates that do not parse, a report or transaction before the accident,
        a transaction before the report, negative reserves, claim-level fields that differ
        between a claim's rows, unknown injury codes.

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
    df = claims.rename(columns=dict(columns)) if columns else claims
    if df.columns.duplicated().any():
        raise ValidationError(f"{_WHERE}: duplicate column name(s) {sorted(set(map(str, df.columns[df.columns.duplicated()])))} (after the column mapping)")
    df = canonical_columns(df, LEDGER_COLUMNS + OPTIONAL_COLUMNS, _WHERE)
    missing = [c for c in LEDGER_COLUMNS if c not in df.columns]
    if missing:
        raise ValidationError(f"{_WHERE}: missing required column(s) {missing}; required: {list(LEDGER_COLUMNS)} "
                              "(map other names with columns={'their name': 'claim_id', ...})")
    if len(df) == 0:
        raise ValidationError(f"{_WHERE}: the ledger is empty (0 rows)")
    src = df.reset_index(drop=True)
    out: dict[str, object] = {}
    for c in ("claim_id", "policy_id"):
        na = src[c].isna().to_numpy()
        if na.any():
            _fail(c, "must not be missing", na, src[c])
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
        out["policy_year"] = py.astype(np.int64)
    else:
        out["policy_year"] = pd.DatetimeIndex(acc).year.to_numpy(dtype=np.int64)
    if "closed_date" in src:
        out["closed_date"] = _dates(src["closed_date"], "closed_date", False)
    led = pd.DataFrame(out)
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
    return led
