"""Rate tables: a documented TOML format and the :class:`RateTable` object.

The premium (:func:`ajx_actuarial.price`)::

    rate per head = reference_limit × base_rate[industry, size] × ILF_industry(limit_death)
                    + medical[industry, size]
    premium = round_half_up(max(min_premium, headcount × rate per head × size_factor(headcount)
                                × clip(Π f_i, float_floor, float_cap)), decimals)

The *limit part* (deaths, disabilities, rescue and legal costs) scales with the per-person limit
through the increased-limit factor (:mod:`.ilf`); the *medical part* (medical-only claims under
their own sub-limit) is a charge per head that does not. A policy's risk relativity is
``float_factor / float_mean[industry]`` (the table's reference book has mean 1 per industry);
the simulation and the expected-loss engine use the same number.

Format (base rates are written in per mille of the reference limit per head per year)::

    [meta]
    name = "national-2025"
    description = "..."
    effective = "2025-03-29"
    sources = ["N25 Art. 14", "DOMAIN.md §3.4"]

    [limits]
    min_limit_death = 400000            # CNY, N25 Art. 15
    reference_limit = 400000            # base rates are stated at this limit (default: the minimum)
    sub_limits = "model"                # "model" (default): sub-limits off the standard (per accident
                                        #   10 ×, a year 20 × limit_death, medical 10 %) scale the limit
                                        #   and medical parts by the loss model's expected loss
                                        #   (rating.sublimits); "none": rates as stated whatever they are

    [limits.ilf]                        # optional; without it ILF(L) = L / reference_limit
    limits = [300000, 400000, 600000, 800000, 1083760, 2000000]
    factors.all = [0.75, 1.0, 1.5, 2.0, 2.7094, 2.95]     # or one list per industry code
    # extrapolate = "none"              # price only limits inside the schedule (default "linear":
                                        #   proportional below the first limit, last slope above)
    # source = "model"                  # instead of limits/factors: from the default loss model

    [base_rates]                        # ‰ of reference_limit per head per year (limit part)
    industry = { coal_mine = 0.80, ..., other = 0.20 }
    size = { large = 1.0, medium = 1.0, small = 1.0, micro = 1.0 }   # multipliers (at most 10)
    medical = { coal_mine = 85.0, ... } # CNY per head per year (medical part; default 0)
    float_mean = { coal_mine = 1.03, ...}   # reference book's mean float factor (default 1)
    [base_rates.grid.coal_mine]         # optional explicit cells, ‰ (override industry × size)
    large = 0.70
    [base_rates.medical_grid.coal_mine] # optional explicit cells, CNY per head
    large = 80.0

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

    [factors.claim_history]             # accident history (accidents_3y, max_accident_deaths_3y, claim_free_years)
    kind = "history"
    claim_free = [0.95, 0.92, 0.90]     # 1, 2, 3+ claim-free years
    nonfatal_claim = 1.05               # a claim last year, no deaths in 3 years
    fatal = [1.15, 1.25, 1.30]          # worst accident in 3 years: 1-2, 3-9, >= 10 deaths (grades)

    [premium]
    float_floor = 0.70
    float_cap = 1.30                    # at most 10
    min_premium = 500                   # CNY per policy (at most 1 000 000)
    decimals = 2                        # round the premium to the cent (0-6)

    [loadings]                          # fractions of the ex-VAT premium
    prevention_fee = 0.20               # <= 0.21 (N24 / N25 national cap)
    commission = 0.05                   # <= 0.05 (N25 Art. 14)
    admin = 0.10
    profit = 0.03
    levy = 0.008
    vat = 0.06

    [exposure_base]                     # optional; absent = per head (the formula above)
    kind = "project_cost"               # or "output_tonnes": see ajx_actuarial.rating.exposure
    industries = ["construction"]
    bands = [10e6, 50e6]                # inclusive upper bounds of the exposure
    rates = [0.65, 0.60, 0.55]          # ‰ of project cost (CNY per tonne) at reference_limit

Every key is checked by :meth:`RateTable.validate` (:mod:`._table_schema`, with its bounds on absurd
values); errors name the file (or table) and the key path, e.g.
``rate table 'my.toml': factors.violations.multipliers[2]: multiplier must be > 0, got -1``.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..portfolio import atomic_path
from ..reference import INDUSTRIES, SIZES, packaged_toml, read_toml, register_kind
from ._table_schema import COMMISSION_CAP, FEE_CAP, validate_table
from .exposure import ExposureBase
from .factors import FACTOR_KINDS, HISTORY_COLUMNS, Factor
from .ilf import ILFSchedule

__all__ = ["RateTable", "Factor", "packaged_tables", "COMMISSION_CAP", "FEE_CAP", "FACTOR_KINDS", "HISTORY_COLUMNS"]

_SUB_LIMIT_TEXT = {"model": "model: off the standard (per accident 10 ×, a year 20 × limit_death, medical 10 %) priced by the loss model",
                   "none": "none: rates as stated, whatever the sub-limits"}


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
        validate_table(data, source)
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

    def toml_text(self) -> str:
        """The table as TOML text (what :meth:`to_toml` writes)."""
        import tomli_w

        return _header(self) + tomli_w.dumps(self.data)

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "<text>") -> "RateTable":
        """A table from TOML text (e.g. ``priced.attrs["rate_table_toml"]``)."""
        import tomllib

        try:
            return cls.from_dict(tomllib.loads(text), source=source)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(f"rate table {source}: malformed TOML: {exc}") from exc

    def to_toml(self, path: str | os.PathLike[str]) -> Path:
        """Write the table as TOML (atomically); ``RateTable.load(path)`` gives it back."""
        import tomli_w

        p = Path(path)
        with atomic_path(p) as tmp:
            tmp.write_text(self.toml_text(), encoding="utf-8")
        return p

    def validate(self) -> "RateTable":
        """Re-run validation (tables are validated on construction; this returns ``self``)."""
        validate_table(self.data, repr(self.name))
        return self

    def with_changes(self, **sections: dict) -> "RateTable":
        """A new table with sections updated, e.g. ``t.with_changes(loadings={"prevention_fee": 0.15})``."""
        data = copy.deepcopy(self.data)
        for key, value in sections.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                _deep_update(data[key], value)
            else:
                data[key] = value
        return RateTable.from_dict(data, source=repr(self.name))

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
    def reference_limit(self) -> float:
        """Per-person limit at which the base rates are stated (default: the minimum limit)."""
        lim = self.data["limits"]
        return float(lim.get("reference_limit", lim["min_limit_death"]))

    @property
    def sub_limits(self) -> str:
        """How :func:`~ajx_actuarial.price` treats sub-limits off the standard: ``"model"`` (default; see
        :mod:`ajx_actuarial.rating.sublimits`) or ``"none"`` (``[limits] sub_limits``)."""
        return str(self.data["limits"].get("sub_limits", "model"))

    @cached_property
    def ilf(self) -> ILFSchedule:
        """Increased-limit factors of the limit part (:mod:`ajx_actuarial.rating.ilf`)."""
        return ILFSchedule.from_data(self.data)

    @cached_property
    def exposure_base(self) -> ExposureBase | None:
        """The ``[exposure_base]`` of a table priced per project cost or per tonne; ``None`` per head."""
        return ExposureBase.from_data(self.data.get("exposure_base"))

    @cached_property
    def medical_grid(self) -> pd.DataFrame:
        """Medical-only charge per head per year (CNY), industry × size (0 where the table has none)."""
        br = self.data["base_rates"]
        med = br.get("medical", {})
        grid = pd.DataFrame([[float(med.get(i, 0.0)) for _ in SIZES] for i in INDUSTRIES],
                            index=pd.Index(INDUSTRIES, name="industry"), columns=pd.Index(SIZES, name="size"))
        for i, cells in br.get("medical_grid", {}).items():
            for sz, v in cells.items():
                grid.loc[i, sz] = float(v)
        return grid

    @cached_property
    def float_mean(self) -> pd.Series:
        """Mean float factor of the table's reference book by industry: the risk relativity of a
        policy is ``float_factor / float_mean`` (1 where the table states none)."""
        fm = self.data["base_rates"].get("float_mean", {})
        return pd.Series([float(fm.get(i, 1.0)) for i in INDUSTRIES], index=pd.Index(INDUSTRIES, name="industry"))

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

    def bonus_malus(self, lam: float | None = None):
        """The accident-history factor expressed as a :class:`~ajx_actuarial.rating.BonusMalus` (``lam``: the unit's
        expected claims a year, needed by an exposure-aware factor)."""
        from .bonus_malus import BonusMalus

        return BonusMalus.from_history_factor(self, lam)

    def describe(self) -> list[tuple[str, pd.DataFrame]]:
        """Titled frames for display (``ajx tables show NAME``)."""
        meta = self.data["meta"]
        grid = (self.base_rate_grid * 1000).round(4)
        grid.index.name = "industry (‰ of limit)"
        bands, facs = self.size_bands
        labels = [f"<= {int(bands[0])}"] + [f"{int(bands[i - 1]) + 1}-{int(bands[i])}" for i in range(1, len(bands))] + [f">= {int(bands[-1]) + 1}"]
        out = [
            (f"{self.name}: {meta.get('description', '')}", pd.DataFrame({"key": ["effective", "min_limit_death", "sub-limits", "float bounds", "min_premium", "expected-loss share of ex-VAT premium", "sources"],
                                                                           "value": [str(meta.get("effective", "")), f"{self.min_limit_death:,.0f}", _SUB_LIMIT_TEXT[self.sub_limits], f"[{self.float_bounds[0]:.2f}, {self.float_bounds[1]:.2f}]", f"{self.min_premium:,.2f}", f"{self.expected_loss_ratio():.3f}", "; ".join(meta.get("sources", []))]})),
            (f"limit part: base rate, ‰ of the reference limit {self.reference_limit:,.0f} per head per year", grid),
            ("headcount size factor", pd.DataFrame({"headcount": labels, "factor": facs})),
        ]
        if self.medical_grid.to_numpy().any():
            out.append(("medical part: CNY per head per year (medical-only claims under the medical sub-limit)", self.medical_grid.round(2)))
        out.append((f"increased-limit factors of the limit part ({self.ilf.source})", self.ilf.to_frame().round(4)))
        if "float_mean" in self.data["base_rates"]:
            out.append(("mean float factor of the reference book (risk relativity = float factor / this)", self.float_mean.round(4).to_frame("float_mean")))
        if self.exposure_base is not None:
            eb = self.exposure_base
            out.append((f"exposure base {eb.kind} for {', '.join(eb.industries)} ({eb.method} schedule; replaces the per-head "
                         f"rate and size factor of those rows)", eb.to_frame()))
        for f in self.factors:
            out.append((f"factor {f.name} ({f.kind}{', column ' + f.column if f.column else ''})", f.levels()))
        out.append(("loadings (fractions of ex-VAT premium; vat of net premium)", pd.DataFrame(list(self.loadings.items()), columns=["loading", "value"])))
        return out

    def __repr__(self) -> str:
        return f"RateTable({self.name!r}, factors={[f.name for f in self.factors]})"

    # a table is immutable: copies (e.g. pandas propagating ``attrs``) share it
    def __copy__(self) -> "RateTable":
        return self

    def __deepcopy__(self, memo) -> "RateTable":
        return self


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
