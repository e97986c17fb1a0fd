"""Rate tables: a documented TOML format and the :class:`RateTable` object.

Format (all rates are fractions of the per-person death/disability limit per head per year,
written in per mille in the file for readability)::

    [meta]
    name = "national-2025"
    description = "..."
    effective = "2025-03-29"
    sources = ["N25 Art. 14", "DOMAIN.md §3.4"]

    [limits]
    min_limit_death = 400000            # CNY, N25 Art. 15

    [base_rates]                        # ‰ of limit_death per head per year
    industry = { coal_mine = 0.80, ..., other = 0.20 }
    size = { large = 1.0, medium = 1.0, small = 1.0, micro = 1.0 }   # multipliers
    [base_rates.grid.coal_mine]         # optional explicit cells, ‰ (override industry × size)
    large = 0.70

    [size_factor]                       # by headcount; bands are inclusive upper bounds
    bands = [10, 50, 300, 1000]
    factors = [1.20, 1.05, 1.00, 0.95, 0.90]

    [factors.std_grade]                 # categorical: level -> multiplier
    kind = "categorical"
    column = "std_grade"
    levels = { "0" = 1.00, "1" = 0.90, "2" = 0.92, "3" = 0.96 }
    default = "0"                       # level used when the column is absent

    [factors.violations]                # banded: inclusive upper bounds, one more multiplier
    kind = "banded"
    column = "violations"
    bands = [0, 1]
    multipliers = [1.00, 1.05, 1.10]

    [factors.blacklist]                 # boolean
    kind = "boolean"
    column = "blacklisted"
    true = 1.10
    false = 1.00

    [factors.claim_history]             # accident history (accidents_3y, deaths_3y, claim_free_years)
    kind = "history"
    claim_free = [0.95, 0.92, 0.90]     # 1, 2, 3+ claim-free years
    nonfatal_claim = 1.05               # a claim last year, no deaths in 3 years
    fatal = [1.15, 1.25, 1.30]          # deaths in 3 years: 1-2, 3-9, >= 10 (accident grades)

    [premium]
    float_floor = 0.70
    float_cap = 1.30
    min_premium = 500                   # CNY per policy
    decimals = 2                        # round the premium to the cent

    [loadings]                          # fractions of the ex-VAT premium
    prevention_fee = 0.20               # <= 0.21 (N24 / N25 national cap)
    commission = 0.05                   # <= 0.05 (N25 Art. 14)
    admin = 0.10
    profit = 0.03
    levy = 0.008
    vat = 0.06

Every key is checked by :meth:`RateTable.validate`; errors name the key path, e.g.
``factors.violations.multipliers[2]: multiplier must be > 0, got -1``.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..portfolio import atomic_path
from ..reference import INDUSTRIES, SIZES, packaged_toml, read_toml, register_kind

__all__ = ["RateTable", "Factor", "packaged_tables", "COMMISSION_CAP", "FEE_CAP", "FACTOR_KINDS"]

COMMISSION_CAP = 0.05  # N25 Art. 14 (DOMAIN.md §1.2)
FEE_CAP = 0.21  # N24; N25 per RP/BS26 (DOMAIN.md §2.3)
FACTOR_KINDS = ("categorical", "banded", "boolean", "history")
HISTORY_COLUMNS = ("accidents_3y", "deaths_3y", "claim_free_years")
_LOADING_KEYS = ("prevention_fee", "commission", "admin", "profit", "levy", "vat")


def _num(value: Any, path: str, *, positive: bool = True, lo: float | None = None, hi: float | None = None, what: str = "value") -> float:
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


def _table(d: Any, path: str) -> dict:
    if not isinstance(d, dict):
        raise ValidationError(f"{path}: must be a table (TOML section), got {type(d).__name__}")
    return d


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
            return _history_multiplier(df, s)
        if self.column not in df.columns:
            default = s.get("default")
            return np.full(n, self._lookup_scalar(default))
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
        else:
            cf = s.get("claim_free", [])
            rows = [(f"{i + 1}{'+' if i + 1 == len(cf) else ''} claim-free year(s)", float(v)) for i, v in enumerate(cf)]
            rows.append(("no history (new or claim-free unknown)", 1.0))
            rows.append(("non-fatal claim last year", float(s.get("nonfatal_claim", 1.0))))
            for lab, v in zip(("1-2 deaths in 3 years (general)", "3-9 deaths (larger)", ">= 10 deaths (major+)"), s.get("fatal", [])):
                rows.append((lab, float(v)))
        return pd.DataFrame(rows, columns=["level", "multiplier"])


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
    return col.astype(str).map(levels).to_numpy(dtype=np.float64, na_value=np.nan)


def _history_multiplier(df: pd.DataFrame, s: dict) -> np.ndarray:
    """Accident-history factor. Precedence: deaths in 3 years (by accident grade) > claim-free
    discount by consecutive claim-free years > non-fatal claim load > neutral (1.0)."""
    n = len(df)
    zero = np.zeros(n, dtype=np.int64)
    acc = df["accidents_3y"].to_numpy() if "accidents_3y" in df else zero
    deaths = df["deaths_3y"].to_numpy() if "deaths_3y" in df else zero
    cfy = df["claim_free_years"].to_numpy() if "claim_free_years" in df else zero
    out = np.ones(n)
    cf = np.asarray(s.get("claim_free", []), dtype=np.float64)
    if cf.size:
        k = np.minimum(cfy, cf.size)
        out = np.where(k >= 1, cf[np.maximum(k - 1, 0)], out)
    out = np.where((cfy == 0) & (acc > 0), float(s.get("nonfatal_claim", 1.0)), out)
    fatal = np.asarray(s.get("fatal", []), dtype=np.float64)
    if fatal.size:
        grade = np.where(deaths >= 10, 2, np.where(deaths >= 3, 1, 0))
        grade = np.minimum(grade, fatal.size - 1)
        out = np.where(deaths > 0, fatal[grade], out)
    return out


@dataclass(frozen=True)
class RateTable:
    """A validated rate table. Build with :meth:`load` or :meth:`from_dict`; save with :meth:`to_toml`.

    Attributes
    ----------
    name : str
    data : dict
        The parsed TOML (a deep copy; edit via :meth:`with_changes`).
    base_rate_grid : DataFrame
        Base rate (fraction of ``limit_death`` per head per year), industry × size.
    factors : tuple of Factor
    """

    name: str
    data: dict = field(repr=False)
    base_rate_grid: pd.DataFrame = field(repr=False)
    factors: tuple[Factor, ...] = field(repr=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, data: dict, *, source: str = "<dict>") -> "RateTable":
        """Validate ``data`` (the TOML structure) and build the table."""
        data = copy.deepcopy(data)
        _validate(data, source)
        grid = _grid(data)
        factors = tuple(
            Factor(name, spec["kind"], spec.get("column"), spec) for name, spec in data.get("factors", {}).items()
        )
        return cls(name=data["meta"]["name"], data=data, base_rate_grid=grid, factors=factors)

    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str]) -> "RateTable":
        """Load a packaged table by name (``ajx tables list``) or a TOML file by path."""
        data, source = read_toml("tables", name_or_path, "rate table", "table")
        return cls.from_dict(data, source=source)

    def to_toml(self, path: str | os.PathLike[str]) -> Path:
        """Write the table as TOML (atomically); ``RateTable.load(path)`` gives it back."""
        import tomli_w

        p = Path(path)
        with atomic_path(p) as tmp:
            tmp.write_text(_header(self) + tomli_w.dumps(self.data), encoding="utf-8")
        return p

    def validate(self) -> "RateTable":
        """Re-run validation (tables are validated on construction; this returns ``self``)."""
        _validate(self.data, self.name)
        return self

    def with_changes(self, **sections: dict) -> "RateTable":
        """A new table with sections updated, e.g. ``t.with_changes(loadings={"prevention_fee": 0.15})``."""
        data = copy.deepcopy(self.data)
        for key, value in sections.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                _deep_update(data[key], value)
            else:
                data[key] = value
        return RateTable.from_dict(data, source=self.name)

    # ------------------------------------------------------------------ accessors
    @property
    def loadings(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.data["loadings"].items()}

    @property
    def float_bounds(self) -> tuple[float, float]:
        p = self.data["premium"]
        return float(p["float_floor"]), float(p["float_cap"])

    @property
    def min_premium(self) -> float:
        return float(self.data["premium"]["min_premium"])

    @property
    def min_limit_death(self) -> float:
        return float(self.data["limits"]["min_limit_death"])

    @property
    def decimals(self) -> int:
        return int(self.data["premium"].get("decimals", 2))

    @property
    def size_bands(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.data["size_factor"]
        return np.asarray(s["bands"], dtype=np.float64), np.asarray(s["factors"], dtype=np.float64)

    def factor(self, name: str) -> Factor:
        for f in self.factors:
            if f.name == name:
                return f
        raise ValidationError(f"rate table {self.name!r}: no factor {name!r}; factors: {[f.name for f in self.factors]}")

    def expected_loss_ratio(self) -> float:
        """Share of the ex-VAT premium left for expected losses after all loadings."""
        ld = self.loadings
        return 1.0 - sum(ld.get(k, 0.0) for k in ("prevention_fee", "commission", "admin", "profit", "levy"))

    def bonus_malus(self):
        """The accident-history factor expressed as a :class:`~ajx_actuarial.rating.BonusMalus`."""
        from .bonus_malus import BonusMalus

        return BonusMalus.from_history_factor(self)

    def describe(self) -> list[tuple[str, pd.DataFrame]]:
        """Titled frames for display (``ajx tables show NAME``)."""
        meta = self.data["meta"]
        grid = (self.base_rate_grid * 1000).round(4)
        grid.index.name = "industry (‰ of limit)"
        bands, facs = self.size_bands
        labels = [f"<= {int(bands[0])}"] + [f"{int(bands[i - 1]) + 1}-{int(bands[i])}" for i in range(1, len(bands))] + [f">= {int(bands[-1]) + 1}"]
        out = [
            (f"{self.name}: {meta.get('description', '')}", pd.DataFrame({"key": ["effective", "min_limit_death", "float bounds", "min_premium", "expected-loss share of ex-VAT premium", "sources"],
                                                                           "value": [str(meta.get("effective", "")), f"{self.min_limit_death:,.0f}", f"[{self.float_bounds[0]:.2f}, {self.float_bounds[1]:.2f}]", f"{self.min_premium:,.2f}", f"{self.expected_loss_ratio():.3f}", "; ".join(meta.get("sources", []))]})),
            ("base rate, ‰ of limit_death per head per year", grid),
            ("headcount size factor", pd.DataFrame({"headcount": labels, "factor": facs})),
        ]
        for f in self.factors:
            out.append((f"factor {f.name} ({f.kind}{', column ' + f.column if f.column else ''})", f.levels()))
        out.append(("loadings (fractions of ex-VAT premium; vat of net premium)", pd.DataFrame(list(self.loadings.items()), columns=["loading", "value"])))
        return out

    def __repr__(self) -> str:
        return f"RateTable({self.name!r}, factors={[f.name for f in self.factors]})"


# ---------------------------------------------------------------------- validation


def _validate(data: dict, source: str) -> None:
    where = f"rate table {source}"
    _table(data, where)
    for section in ("meta", "limits", "base_rates", "size_factor", "premium", "loadings"):
        if section not in data:
            raise ValidationError(f"{where}: missing section [{section}]")
    meta = _table(data["meta"], "meta")
    if not isinstance(meta.get("name"), str) or not meta["name"]:
        raise ValidationError("meta.name: must be a non-empty string")
    _num(data["limits"].get("min_limit_death"), "limits.min_limit_death", what="minimum limit")

    br = _table(data["base_rates"], "base_rates")
    ind = _table(br.get("industry"), "base_rates.industry")
    missing = [k for k in INDUSTRIES if k not in ind]
    unknown = sorted(set(ind) - set(INDUSTRIES))
    if unknown:
        raise ValidationError(f"base_rates.industry: unknown industry code(s) {unknown}; allowed: {list(INDUSTRIES)}")
    if missing:
        raise ValidationError(f"base_rates.industry: missing industry code(s) {missing}")
    for k, v in ind.items():
        _num(v, f"base_rates.industry.{k}", what="base rate (‰)", hi=100)
    size = _table(br.get("size", {s: 1.0 for s in SIZES}), "base_rates.size")
    for k in size:
        if k not in SIZES:
            raise ValidationError(f"base_rates.size: unknown size code {k!r}; allowed: {list(SIZES)}")
        _num(size[k], f"base_rates.size.{k}", what="multiplier")
    for k, cells in _table(br.get("grid", {}), "base_rates.grid").items():
        if k not in INDUSTRIES:
            raise ValidationError(f"base_rates.grid: unknown industry code {k!r}")
        for s, v in _table(cells, f"base_rates.grid.{k}").items():
            if s not in SIZES:
                raise ValidationError(f"base_rates.grid.{k}: unknown size code {s!r}")
            _num(v, f"base_rates.grid.{k}.{s}", what="base rate (‰)", hi=100)

    sf = _table(data["size_factor"], "size_factor")
    bands, facs = sf.get("bands"), sf.get("factors")
    if not isinstance(bands, list) or not isinstance(facs, list):
        raise ValidationError("size_factor: 'bands' and 'factors' must be lists")
    if len(facs) != len(bands) + 1:
        raise ValidationError(f"size_factor: needs len(factors) == len(bands) + 1, got {len(facs)} factors for {len(bands)} bands")
    for i, b in enumerate(bands):
        _num(b, f"size_factor.bands[{i}]", what="band bound")
        if i and b <= bands[i - 1]:
            raise ValidationError(f"size_factor.bands[{i}]: bands must increase, got {bands}")
    for i, v in enumerate(facs):
        _num(v, f"size_factor.factors[{i}]", what="multiplier")

    prem = _table(data["premium"], "premium")
    lo = _num(prem.get("float_floor"), "premium.float_floor", what="float floor")
    hi = _num(prem.get("float_cap"), "premium.float_cap", what="float cap")
    if not lo <= 1.0 <= hi:
        raise ValidationError(f"premium: float bounds must satisfy float_floor <= 1 <= float_cap, got [{lo}, {hi}]")
    _num(prem.get("min_premium"), "premium.min_premium", positive=False, lo=0, what="minimum premium")
    dec = prem.get("decimals", 2)
    if isinstance(dec, bool) or not isinstance(dec, int) or not -3 <= dec <= 6:
        raise ValidationError(f"premium.decimals: must be an integer in [-3, 6], got {dec!r}")

    ld = _table(data["loadings"], "loadings")
    unknown = sorted(set(ld) - set(_LOADING_KEYS))
    if unknown:
        raise ValidationError(f"loadings: unknown key(s) {unknown}; allowed: {list(_LOADING_KEYS)}")
    for k in _LOADING_KEYS:
        if k not in ld:
            raise ValidationError(f"loadings.{k}: missing")
        _num(ld[k], f"loadings.{k}", positive=False, lo=0, hi=1, what="loading")
    if ld["commission"] > COMMISSION_CAP:
        raise ValidationError(f"loadings.commission: {ld['commission']} exceeds the 5 % cap of the 2025 national measures (应急〔2025〕27号 Art. 14)")
    if ld["prevention_fee"] > FEE_CAP:
        raise ValidationError(f"loadings.prevention_fee: {ld['prevention_fee']} exceeds the national 21 % cap on prevention-service budgets (N24; 2025 national measures)")
    total = sum(ld[k] for k in _LOADING_KEYS if k != "vat")
    if total >= 1:
        raise ValidationError(f"loadings: prevention_fee + commission + admin + profit + levy = {total:.3f} leaves nothing for losses (must be < 1)")

    for name, spec in _table(data.get("factors", {}), "factors").items():
        _validate_factor(name, _table(spec, f"factors.{name}"))


def _validate_factor(name: str, spec: dict) -> None:
    p = f"factors.{name}"
    kind = spec.get("kind")
    if kind not in FACTOR_KINDS:
        raise ValidationError(f"{p}.kind: must be one of {list(FACTOR_KINDS)}, got {kind!r}")
    if kind != "history" and not isinstance(spec.get("column"), str):
        raise ValidationError(f"{p}.column: a {kind} factor needs the portfolio column it reads")
    if kind == "categorical":
        levels = _table(spec.get("levels"), f"{p}.levels")
        if not levels:
            raise ValidationError(f"{p}.levels: needs at least one level")
        for k, v in levels.items():
            _num(v, f"{p}.levels.{k}", what="multiplier")
        if "default" in spec and str(spec["default"]) not in {str(k) for k in levels}:
            raise ValidationError(f"{p}.default: {spec['default']!r} is not one of the levels {list(levels)}")
    elif kind == "banded":
        bands, mults = spec.get("bands"), spec.get("multipliers")
        if not isinstance(bands, list) or not isinstance(mults, list):
            raise ValidationError(f"{p}: 'bands' and 'multipliers' must be lists")
        if len(mults) != len(bands) + 1:
            raise ValidationError(f"{p}: needs len(multipliers) == len(bands) + 1, got {len(mults)} for {len(bands)} bands")
        for i, b in enumerate(bands):
            _num(b, f"{p}.bands[{i}]", positive=False, what="band bound")
            if i and b <= bands[i - 1]:
                raise ValidationError(f"{p}.bands[{i}]: bands must increase, got {bands}")
        for i, v in enumerate(mults):
            _num(v, f"{p}.multipliers[{i}]", what="multiplier")
    elif kind == "boolean":
        _num(spec.get("true"), f"{p}.true", what="multiplier")
        _num(spec.get("false", 1.0), f"{p}.false", what="multiplier")
    else:
        cf = spec.get("claim_free", [])
        fatal = spec.get("fatal", [])
        if not isinstance(cf, list) or not isinstance(fatal, list) or len(fatal) > 3:
            raise ValidationError(f"{p}: 'claim_free' must be a list and 'fatal' a list of at most 3 multipliers (1-2, 3-9, >= 10 deaths)")
        for i, v in enumerate(cf):
            _num(v, f"{p}.claim_free[{i}]", what="multiplier")
        for i, v in enumerate(fatal):
            _num(v, f"{p}.fatal[{i}]", what="multiplier")
        _num(spec.get("nonfatal_claim", 1.0), f"{p}.nonfatal_claim", what="multiplier")


def _grid(data: dict) -> pd.DataFrame:
    br = data["base_rates"]
    ind = br["industry"]
    size = br.get("size", {})
    grid = pd.DataFrame(
        [[float(ind[i]) * float(size.get(s, 1.0)) / 1000.0 for s in SIZES] for i in INDUSTRIES],
        index=pd.Index(INDUSTRIES, name="industry"), columns=pd.Index(SIZES, name="size"),
    )
    for i, cells in br.get("grid", {}).items():
        for s, v in cells.items():
            grid.loc[i, s] = float(v) / 1000.0
    return grid


def _deep_update(dst: dict, src: dict) -> None:
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _deep_update(dst[k], v)
        else:
            dst[k] = v


def _header(t: RateTable) -> str:
    return f"# ajx_actuarial rate table {t.name!r}; format documented in ajx_actuarial.rating.table\n"


# ---------------------------------------------------------------------- packaged tables


def packaged_tables() -> list[str]:
    """Names of the rate tables shipped with the package."""
    return packaged_toml("tables")


def _list_kind() -> list[tuple[str, str, str]]:
    rows = []
    for n in packaged_tables():
        t = RateTable.load(n)
        rows.append((n, "rate table", t.data["meta"].get("description", "")))
    return rows


def _show_kind(name: str):
    if name in packaged_tables():
        return RateTable.load(name).describe()
    return None


register_kind(_list_kind, _show_kind)
