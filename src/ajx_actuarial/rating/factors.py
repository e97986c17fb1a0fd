"""Floating factors of a rate table: how a portfolio column maps to a multiplier.

Kinds: ``categorical`` (level → multiplier), ``banded`` (inclusive upper bounds, one more
multiplier), ``boolean`` and ``history`` (accident history: fatal accidents graded per accident
by the deaths in the worst single accident of the last three years — general 1–2, larger 3–9,
major+ ≥ 10, State Council Order 493 — and, on ``basis``:

* ``"claims"`` (per-claim classes, as the seeds state them): claim-free years, a non-fatal claim;
* ``"expected"`` (exposure-aware, MODEL.md §3): the unit's claims ``N`` of three years against
  its expected claims ``E = 3 × headcount × expected_per_worker[industry]``, as the credibility
  ratio ``(k + N) / (k + E)`` (the posterior mean of a gamma frailty with ``k = 1/cv²``), within
  ``bounds``. A 1 000-worker unit expects dozens of claims, so a claim is no news about it; a
  five-worker unit's one claim is. Per-claim classes charge large units for being large.

A unit whose history is unknown (``accidents_3y`` and ``claim_free_years`` both 0: a claim last
year but none in three years, i.e. the defaults) gets 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._lookup import lookup
from ..errors import ValidationError
from ._schema import num, table_of

__all__ = ["Factor", "FACTOR_KINDS", "HISTORY_COLUMNS", "history_multiplier", "history_class", "validate_factor", "missing_column_message"]

FACTOR_KINDS = ("categorical", "banded", "boolean", "history")
HISTORY_COLUMNS = ("accidents_3y", "deaths_3y", "max_accident_deaths_3y", "claim_free_years")


@dataclass(frozen=True)
class Factor:
    """One floating factor: how a column maps to a multiplier."""

    name: str
    kind: str
    column: str | None
    spec: dict

    def evaluate(self, df: pd.DataFrame) -> np.ndarray:
        """Multiplier for every row of a validated portfolio."""
        n = len(df)
        s = self.spec
        if self.kind == "history":
            return history_multiplier(df, s)
        if self.column not in df.columns:
            if "default" not in s:
                raise ValidationError(missing_column_message(self))
            return np.full(n, self._lookup_scalar(s["default"]))
        col = df[self.column]
        if self.kind == "categorical":
            levels = {str(k): float(v) for k, v in s["levels"].items()}
            mult = _lookup(col, levels)
            bad_rows = np.flatnonzero(np.isnan(mult))
            if bad_rows.size:
                bad = sorted({str(v) for v in col.iloc[bad_rows[:50]]})[:5]
                raise ValidationError(
                    f"factor {self.name!r}: column {self.column!r} has level(s) {bad} not in the table "
                    f"(levels: {sorted(levels)}); rows {bad_rows[:5].tolist()}"
                )
            return mult
        if self.kind == "banded":
            bands = np.asarray(s["bands"], dtype=np.float64)
            mults = np.asarray(s["multipliers"], dtype=np.float64)
            idx = np.searchsorted(bands, col.to_numpy(dtype=np.float64), side="left")
            return mults[idx]
        if self.kind == "boolean":
            v = col.to_numpy(dtype=bool)
            return np.where(v, float(s["true"]), float(s.get("false", 1.0)))
        raise AssertionError(self.kind)  # pragma: no cover

    def _lookup_scalar(self, level: Any) -> float:
        s = self.spec
        if self.kind == "categorical":
            return float(s["levels"][str(level)])
        if self.kind == "boolean":
            return float(s["true"]) if level else float(s.get("false", 1.0))
        if self.kind == "banded":
            bands = np.asarray(s["bands"], dtype=np.float64)
            return float(np.asarray(s["multipliers"])[np.searchsorted(bands, float(level), side="left")])
        raise AssertionError(self.kind)  # pragma: no cover

    def levels(self) -> pd.DataFrame:
        """The schedule as a small frame: ``level``, ``multiplier`` (for display)."""
        s = self.spec
        if self.kind == "categorical":
            rows = [(str(k), float(v)) for k, v in s["levels"].items()]
        elif self.kind == "banded":
            b = list(s["bands"])
            labels = [f"<= {b[0]:g}"] + [f"{b[i - 1] + 1:g}-{b[i]:g}" if b[i] - b[i - 1] > 1 else f"{b[i]:g}" for i in range(1, len(b))] + [f">= {b[-1] + 1:g}"]
            rows = list(zip(labels, map(float, s["multipliers"])))
        elif self.kind == "boolean":
            rows = [("true", float(s["true"])), ("false", float(s.get("false", 1.0)))]
        elif s.get("basis", "claims") == "expected":
            lo, hi = s.get("bounds", [0.7, 1.3])
            rows = [(f"claims N vs expected E: (k + N)/(k + E), k = {float(s.get('credibility', 4.0)):g}, "
                     f"E = 3 × headcount × claims per worker-year, within [{lo:g}, {hi:g}]", np.nan)]
            rows.append(("no history (new or unknown)", 1.0))
        else:
            cf = s.get("claim_free", [])
            rows = [(f"{i + 1}{'+' if i + 1 == len(cf) else ''} claim-free year(s)", float(v)) for i, v in enumerate(cf)]
            rows.append(("no history (new or claim-free unknown)", 1.0))
            rows.append(("non-fatal claim last year", float(s.get("nonfatal_claim", 1.0))))
            for lab, v in zip(("fatal accident, 1-2 deaths (general)", "fatal accident, 3-9 deaths (larger)", "fatal accident, >= 10 deaths (major+)"), s.get("fatal", [])):
                rows.append((lab, float(v)))
        return pd.DataFrame(rows, columns=["level", "multiplier"])


def missing_column_message(f: Factor) -> str:
    """The error for a factor whose column the book lacks and which states no ``default``."""
    return (f"factor {f.name!r} ({f.kind}) reads column {f.column!r}, which the book lacks, and states no default; "
            f"add the column to the book or a 'default' to [factors.{f.name}]")


def _lookup(col: pd.Series, levels: dict[str, float]) -> np.ndarray:
    """Vectorised ``str(value) -> multiplier`` lookup; NaN where a level is missing.

    Categorical and small-range integer columns go through a lookup table indexed by code or
    value (no per-row string conversion); anything else falls back to ``Series.map``.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        lut = np.array([levels.get(str(c), np.nan) for c in col.cat.categories] + [np.nan])
        return lut[col.cat.codes.to_numpy()]
    if pd.api.types.is_integer_dtype(col.dtype) and len(col):
        v = col.to_numpy()
        lo, hi = int(v.min()), int(v.max())
        if hi - lo <= 100_000:
            lut = np.array([levels.get(str(k), np.nan) for k in range(lo, hi + 1)])
            return lut[v - lo]
    if pd.api.types.is_bool_dtype(col.dtype):
        lut = np.array([levels.get("False", levels.get("false", np.nan)), levels.get("True", levels.get("true", np.nan))])
        return lut[col.to_numpy(dtype=np.int8)]
    return lookup(col, {str(k): v for k, v in levels.items()})


def _history_arrays(df: pd.DataFrame):
    n = len(df)
    zero = np.zeros(n, dtype=np.int64)
    acc = df["accidents_3y"].to_numpy() if "accidents_3y" in df else zero
    if "max_accident_deaths_3y" in df:
        deaths = df["max_accident_deaths_3y"].to_numpy()
    else:
        deaths = df["deaths_3y"].to_numpy() if "deaths_3y" in df else zero
    cfy = df["claim_free_years"].to_numpy() if "claim_free_years" in df else zero
    return acc, deaths, cfy


def expected_claims_3y(df: pd.DataFrame, s: dict) -> np.ndarray:
    """``E = 3 × headcount × expected_per_worker[industry]`` of an exposure-aware history factor."""
    per = s.get("expected_per_worker", {})
    rate = lookup(df["industry"], {str(k): float(v) for k, v in per.items()}, 0.0)
    return 3.0 * df["headcount"].to_numpy(dtype=np.float64) * rate


def history_multiplier(df: pd.DataFrame, s: dict) -> np.ndarray:
    """Accident-history factor. Precedence: a fatal accident in 3 years (graded by the deaths of
    the worst single accident) > (``basis = "claims"``) claim-free discount by consecutive
    claim-free years > non-fatal claim load > neutral (1.0); or (``basis = "expected"``) the
    credibility ratio of claims to expected claims on a known history > neutral, where a fatal
    accident charges the larger of its load and that ratio (so a death never lowers the factor)."""
    acc, deaths, cfy = _history_arrays(df)
    n = len(df)
    out = np.ones(n)
    if s.get("basis", "claims") == "expected":
        k = float(s.get("credibility", 4.0))
        lo, hi = (float(x) for x in s.get("bounds", [0.7, 1.3]))
        known = (acc > 0) | (cfy > 0)
        ratio = (k + acc) / (k + expected_claims_3y(df, s))
        out = np.where(known, np.clip(ratio, lo, hi), 1.0)
    else:
        cf = np.asarray(s.get("claim_free", []), dtype=np.float64)
        if cf.size:
            kk = np.minimum(cfy, cf.size)
            out = np.where(kk >= 1, cf[np.maximum(kk - 1, 0)], out)
        out = np.where((cfy == 0) & (acc > 0), float(s.get("nonfatal_claim", 1.0)), out)
    fatal = np.asarray(s.get("fatal", []), dtype=np.float64)
    if fatal.size:
        grade = np.where(deaths >= 10, 2, np.where(deaths >= 3, 1, 0))
        grade = np.minimum(grade, fatal.size - 1)
        # against expected claims, a small unit's claim ratio may exceed the fatal load: a death never lowers the factor
        f = np.maximum(fatal[grade], out) if s.get("basis", "claims") == "expected" else fatal[grade]
        out = np.where(deaths > 0, f, out)
    return out


HISTORY_CLASSES = ("unknown", "claim-free", "claims at or below expected", "claims above expected", "non-fatal claim last year",
                   "claim-free 1 year", "claim-free 2 years", "claim-free 3+ years", "fatal 1-2 deaths", "fatal 3-9 deaths",
                   "fatal >= 10 deaths")


def history_class(df: pd.DataFrame, s: dict | None) -> pd.Categorical:
    """The class of the history factor that applied to each row (``price`` writes it as
    ``history_class``; ``ajx.adequacy(..., by=["history_class"])`` audits it)."""
    acc, deaths, cfy = _history_arrays(df)
    s = s or {}
    known = (acc > 0) | (cfy > 0)
    if s.get("basis", "claims") == "expected":
        e = expected_claims_3y(df, s)
        lab = np.where(~known, 0, np.where(acc == 0, 1, np.where(acc <= e, 2, 3)))
    else:
        lab = np.where(~known, 0, np.where((cfy == 0) & (acc > 0), 4, np.where(cfy >= 3, 7, np.where(cfy == 2, 6, 5))))
    lab = np.where(deaths >= 10, 10, np.where(deaths >= 3, 9, np.where(deaths > 0, 8, lab)))
    return pd.Categorical.from_codes(lab.astype(np.int8), categories=list(HISTORY_CLASSES))


def validate_factor(name: str, spec: dict) -> None:
    p = f"factors.{name}"
    kind = spec.get("kind")
    if kind not in FACTOR_KINDS:
        raise ValidationError(f"{p}.kind: must be one of {list(FACTOR_KINDS)}, got {kind!r}")
    if kind != "history" and not isinstance(spec.get("column"), str):
        raise ValidationError(f"{p}.column: a {kind} factor needs the portfolio column it reads")
    if kind == "categorical":
        levels = table_of(spec.get("levels"), f"{p}.levels")
        if not levels:
            raise ValidationError(f"{p}.levels: needs at least one level")
        for k, v in levels.items():
            num(v, f"{p}.levels.{k}", what="multiplier")
        if "default" in spec and str(spec["default"]) not in {str(k) for k in levels}:
            raise ValidationError(f"{p}.default: {spec['default']!r} is not one of the levels {list(levels)}")
    elif kind == "banded":
        bands, mults = spec.get("bands"), spec.get("multipliers")
        if not isinstance(bands, list) or not isinstance(mults, list):
            raise ValidationError(f"{p}: 'bands' and 'multipliers' must be lists")
        if len(mults) != len(bands) + 1:
            raise ValidationError(f"{p}: needs len(multipliers) == len(bands) + 1, got {len(mults)} for {len(bands)} bands")
        for i, b in enumerate(bands):
            num(b, f"{p}.bands[{i}]", positive=False, what="band bound")
            if i and b <= bands[i - 1]:
                raise ValidationError(f"{p}.bands[{i}]: bands must increase, got {bands}")
        for i, v in enumerate(mults):
            num(v, f"{p}.multipliers[{i}]", what="multiplier")
        if "default" in spec:
            num(spec["default"], f"{p}.default", positive=False, what="default value of the column")
    elif kind == "boolean":
        num(spec.get("true"), f"{p}.true", what="multiplier")
        num(spec.get("false", 1.0), f"{p}.false", what="multiplier")
        if "default" in spec and not isinstance(spec["default"], bool):
            raise ValidationError(f"{p}.default: must be true or false, got {spec['default']!r}")
    else:
        basis = spec.get("basis", "claims")
        if basis not in ("claims", "expected"):
            raise ValidationError(f"{p}.basis: must be 'claims' (per-claim classes) or 'expected' (claims against expected claims), got {basis!r}")
        if basis == "expected":
            num(spec.get("credibility", 4.0), f"{p}.credibility", what="credibility constant k = 1/cv²", hi=1e6)
            b = spec.get("bounds", [0.7, 1.3])
            if not isinstance(b, list) or len(b) != 2:
                raise ValidationError(f"{p}.bounds: must be [low, high], got {b!r}")
            lo_b, hi_b = (num(x, f"{p}.bounds[{i}]", what="bound") for i, x in enumerate(b))
            if lo_b > 1 or hi_b < 1:
                raise ValidationError(f"{p}.bounds: must contain 1, got {b!r}")
            per = table_of(spec.get("expected_per_worker"), f"{p}.expected_per_worker")
            if not per:
                raise ValidationError(f"{p}.expected_per_worker: needs the expected claims per worker-year of each industry")
            for k, v in per.items():
                num(v, f"{p}.expected_per_worker.{k}", what="claims per worker-year", hi=10.0)
        cf = spec.get("claim_free", [])
        fatal = spec.get("fatal", [])
        if not isinstance(cf, list) or not isinstance(fatal, list) or len(fatal) > 3:
            raise ValidationError(f"{p}: 'claim_free' must be a list and 'fatal' a list of at most 3 multipliers (1-2, 3-9, >= 10 deaths)")
        for i, v in enumerate(cf):
            num(v, f"{p}.claim_free[{i}]", what="multiplier")
        for i, v in enumerate(fatal):
            num(v, f"{p}.fatal[{i}]", what="multiplier")
        num(spec.get("nonfatal_claim", 1.0), f"{p}.nonfatal_claim", what="multiplier")
