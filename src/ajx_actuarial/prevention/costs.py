"""Unit costs of prevention services (DOMAIN.md §7.4), with uncertainty and pooled delivery.

A :class:`CostTable` gives the cost of one delivery of each service type for a policy:
``unit_cost[type] × industry_multiplier × size_multiplier × region surcharge × (1 + inflation)^t``
for on-site services; pooled delivery (集中统筹) divides an on-site visit among ``pool_size``
units; online services are per unit-year and not pooled. Each unit cost has a (low, high)
range, read as the 5 % and 95 % points of a lognormal for the cost-uncertainty Monte Carlo.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._lookup import lookup
from ..errors import ValidationError
from ..reference import INDUSTRIES, SIZES, packaged_toml, read_toml, register_kind
from ._services import MAX_UNIT_COST, SERVICE_TYPES

__all__ = ["CostTable"]


def _pos(v, path: str, *, strict: bool = True) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0 or (strict and v == 0):
        raise ValidationError(f"{path}: cost must be a number {'> 0' if strict else '>= 0'}, got {v!r}")
    if v > MAX_UNIT_COST:
        raise ValidationError(f"{path}: must be <= {MAX_UNIT_COST:,.0f} (a bound on absurd values), got {v!r}")
    return float(v)


@dataclass(frozen=True)
class CostTable:
    """Validated unit costs. Build with :meth:`load`, :meth:`from_dict` or :meth:`from_mapping`."""

    data: dict

    @classmethod
    def from_dict(cls, data: dict) -> "CostTable":
        data = copy.deepcopy(data)
        uc = data.get("unit_cost")
        if not isinstance(uc, dict):
            raise ValidationError("costs: missing section [unit_cost]")
        for k, v in uc.items():
            if k not in SERVICE_TYPES:
                raise ValidationError(f"unit_cost.{k}: unknown service type {k!r}; allowed: {list(SERVICE_TYPES)}")
            vals = v if isinstance(v, list) else [v, v, v]
            if len(vals) != 3:
                raise ValidationError(f"unit_cost.{k}: give one cost or [default, low, high], got {v!r}")
            d, lo, hi = (_pos(x, f"unit_cost.{k}", strict=False) for x in vals)
            if not lo <= d <= hi:
                raise ValidationError(f"unit_cost.{k}: needs low <= default <= high, got {vals}")
            uc[k] = [d, lo, hi]
        for t in SERVICE_TYPES:
            uc.setdefault(t, [0.0, 0.0, 0.0])
        for sec, allowed in (("industry_multiplier", INDUSTRIES), ("size_multiplier", SIZES)):
            m = data.setdefault(sec, {})
            for k, v in m.items():
                if k not in allowed:
                    raise ValidationError(f"{sec}.{k}: unknown code {k!r}; allowed: {list(allowed)}")
                _pos(v, f"{sec}.{k}")
        for k, v in data.setdefault("region_surcharge", {}).items():
            _pos(v, f"region_surcharge.{k}")
        pool = data.setdefault("pooling", {})
        ps = pool.get("pool_size", 5)
        if isinstance(ps, bool) or not isinstance(ps, (int, float)) or not 1 <= ps <= 1000:
            raise ValidationError(f"pooling.pool_size: must be a number in [1, 1000], got {ps!r}")
        pool["pool_size"] = float(ps)
        infl = data.get("inflation", 0.0)
        if isinstance(infl, bool) or not isinstance(infl, (int, float)) or not -0.5 < infl < 1:
            raise ValidationError(f"inflation: must be a yearly rate in (-0.5, 1), got {infl!r}")
        data["inflation"] = float(infl)
        return cls(data)

    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str] = "costs-default") -> "CostTable":
        """A packaged cost table (``costs-default``) or a TOML path."""
        names = [n for n in packaged_toml("prevention") if n.startswith("costs-")]
        data, _ = read_toml("prevention", name_or_path, "costs", "cost table", names)
        return cls.from_dict(data)

    @classmethod
    def from_mapping(cls, costs: dict[str, float], base: "CostTable | None" = None) -> "CostTable":
        """Override the default unit costs with ``{service_type: cost}``."""
        base = base or cls.load()
        data = copy.deepcopy(base.data)
        for k, v in costs.items():
            if k not in SERVICE_TYPES:
                raise ValidationError(f"costs.{k}: unknown service type {k!r}; allowed: {list(SERVICE_TYPES)}")
            c = _pos(v, f"costs.{k}", strict=False)
            data["unit_cost"][k] = [c, c, c]
        return cls.from_dict(data)

    def with_inflation(self, rate: float) -> "CostTable":
        data = copy.deepcopy(self.data)
        data["inflation"] = rate
        return CostTable.from_dict(data)

    @property
    def pool_size(self) -> float:
        return float(self.data["pooling"]["pool_size"])

    def unit_costs(self) -> np.ndarray:
        return np.array([self.data["unit_cost"][t][0] for t in SERVICE_TYPES])

    def log_sd(self) -> np.ndarray:
        """Lognormal log-sd per type with (low, high) as the 5 % / 95 % points."""
        lo = np.array([self.data["unit_cost"][t][1] for t in SERVICE_TYPES])
        hi = np.array([self.data["unit_cost"][t][2] for t in SERVICE_TYPES])
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where((lo > 0) & (hi > lo), np.log(hi / lo) / (2 * 1.6448536), 0.0)
        return s

    def onsite_factor(self, df: pd.DataFrame, pooled: np.ndarray) -> np.ndarray:
        """Per-policy multiplier of on-site unit costs in the first year: industry × size × region
        surcharge, divided by the pool size for pooled delivery to small and micro units."""
        im = self.data["industry_multiplier"]
        sm = self.data["size_multiplier"]
        f = np.array([im.get(k, 1.0) for k in INDUSTRIES])[df["industry"].cat.codes.to_numpy()]
        f = f * np.array([sm.get(k, 1.0) for k in SIZES])[df["size"].cat.codes.to_numpy()]
        if self.data["region_surcharge"] and "region" in df.columns:
            f = f * lookup(df["region"], {str(k): float(v) for k, v in self.data["region_surcharge"].items()}, 1.0)
        small = np.isin(df["size"].cat.codes.to_numpy(), [SIZES.index("small"), SIZES.index("micro")])
        return f * np.where(pooled & small, 1.0 / self.pool_size, 1.0)

    def required(self, onsite: np.ndarray, rule_idx: np.ndarray, table: np.ndarray, years: int = 1,
                 multipliers: np.ndarray | None = None) -> np.ndarray:
        """Required cost per policy and year (years × n): Σ_type count × unit cost × inflation^t.

        ``onsite`` is :meth:`onsite_factor` (computed once; online services are per unit-year,
        not pooled or surcharged). Counts enter through per-rule sums, so this is O(n) and cheap
        enough to repeat per draw of the cost ``multipliers`` (one per service type).
        """
        base = self.unit_costs() * (1.0 if multipliers is None else multipliers)
        online = SERVICE_TYPES.index("online")
        is_onsite = np.arange(len(SERVICE_TYPES)) != online
        per_rule_onsite = table[:, is_onsite] @ base[is_onsite]
        per_rule_online = table[:, online] * base[online]
        first_year = onsite * per_rule_onsite[rule_idx] + per_rule_online[rule_idx]
        growth = (1.0 + self.data["inflation"]) ** np.arange(years)
        return growth[:, None] * first_year[None, :]

    def describe(self) -> list[tuple[str, pd.DataFrame]]:
        uc = pd.DataFrame(self.data["unit_cost"], index=["default", "low", "high"]).T
        uc.index.name = "service_type"
        return [(f"unit costs per delivery, CNY (pool size {self.pool_size:g}, inflation {self.data['inflation']:.1%})", uc)]


def _packaged_costs() -> list[str]:
    return [n for n in packaged_toml("prevention") if n.startswith("costs-")]


def _list_costs():
    return [(n, "prevention costs", "unit costs of prevention services (DOMAIN.md §7.4)") for n in _packaged_costs()]


def _show_costs(name: str):
    return CostTable.load(name).describe() if name in _packaged_costs() else None


register_kind(_list_costs, _show_costs)
