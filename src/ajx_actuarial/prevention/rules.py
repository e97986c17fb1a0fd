"""Prevention-service mandates: rule sets by jurisdiction, industry, size, region and risk tier.

A rule set (TOML) lists rules tried in order; the first that matches a policy gives the
services it must receive per year, by type. Service types: ``risk_assessment``,
``hazard_inspection``, ``thorough_inspection`` (体检式精查), ``training``, ``drill``, ``online``.
"2 hazard inspections of which 1 thorough" is one ``hazard_inspection`` plus one
``thorough_inspection``. A rule may allow pooled delivery (集中统筹) for small and micro units.

Packaged: ``xinzhou-2024``, ``beijing-2017``, ``aq9010`` (types only; frequency from the
contract). Format::

    [meta]
    name = "my-rules"
    frequency = "rules"            # or "contract"
    first_service_within_months = 3

    [[rules]]
    name = "coal mines"
    industry = ["coal_mine"]       # optional filters: industry, size, region, risk_tier
    services = { risk_assessment = 2, hazard_inspection = 1, thorough_inspection = 1 }
    pooled = false
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..portfolio import RISK_TIERS
from ..reference import INDUSTRIES, SIZES, packaged_toml, read_toml, register_kind
from ._services import MAX_COUNT_PER_YEAR, SERVICE_TYPES

__all__ = ["SERVICE_TYPES", "MandateRules", "packaged_rules"]

_FILTERS = {"industry": INDUSTRIES, "size": SIZES, "region": None, "risk_tier": RISK_TIERS}


def _counts(services, path: str) -> dict[str, float]:
    if not isinstance(services, dict):
        raise ValidationError(f"{path}: must be a table of service_type = count")
    out = {}
    for k, v in services.items():
        if k not in SERVICE_TYPES:
            raise ValidationError(f"{path}.{k}: unknown service type {k!r}; allowed: {list(SERVICE_TYPES)}")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
            raise ValidationError(f"{path}.{k}: count must be a number >= 0, got {v!r}")
        if v > MAX_COUNT_PER_YEAR:
            raise ValidationError(f"{path}.{k}: count must be <= {MAX_COUNT_PER_YEAR:g} a year (a bound on absurd values), got {v!r}")
        out[k] = float(v)
    return out


@dataclass(frozen=True)
class MandateRules:
    """A validated rule set. Build with :meth:`load` or :meth:`from_dict`."""

    name: str
    data: dict
    rules: tuple[dict, ...]

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "<dict>") -> "MandateRules":
        where = f"rules {source}"
        if not isinstance(data, dict) or "meta" not in data or not isinstance(data["meta"], dict):
            raise ValidationError(f"{where}: missing section [meta]")
        meta = data["meta"]
        if not isinstance(meta.get("name"), str) or not meta["name"]:
            raise ValidationError("meta.name: must be a non-empty string")
        freq = meta.get("frequency", "rules")
        if freq not in ("rules", "contract"):
            raise ValidationError(f"meta.frequency: must be 'rules' or 'contract', got {freq!r}")
        months = meta.get("first_service_within_months", None)
        if months is not None and (isinstance(months, bool) or not isinstance(months, (int, float)) or not 0 < months <= 12):
            raise ValidationError(f"meta.first_service_within_months: must be in (0, 12], got {months!r}")
        fst = meta.get("first_service_type", "online")
        if fst not in SERVICE_TYPES:
            raise ValidationError(f"meta.first_service_type: unknown service type {fst!r}; allowed: {list(SERVICE_TYPES)}")
        raw = data.get("rules", [])
        if not isinstance(raw, list):
            raise ValidationError("rules: must be an array of tables ([[rules]])")
        if freq == "rules" and not raw:
            raise ValidationError(f"{where}: needs at least one [[rules]] entry (or meta.frequency = 'contract')")
        rules = []
        for i, r in enumerate(raw):
            p = f"rules[{i}]"
            if not isinstance(r, dict):
                raise ValidationError(f"{p}: must be a table")
            unknown = sorted(set(r) - {"name", "services", "pooled", *_FILTERS})
            if unknown:
                raise ValidationError(f"{p}: unknown key(s) {unknown}; allowed: name, services, pooled, {', '.join(_FILTERS)}")
            if "services" not in r:
                raise ValidationError(f"{p}.services: missing")
            rule = {"name": str(r.get("name", f"rule {i}")), "services": _counts(r["services"], f"{p}.services"), "pooled": bool(r.get("pooled", False))}
            if not isinstance(r.get("pooled", False), bool):
                raise ValidationError(f"{p}.pooled: must be true or false, got {r['pooled']!r}")
            for key, allowed in _FILTERS.items():
                if key in r:
                    vals = r[key]
                    if not isinstance(vals, list) or not vals:
                        raise ValidationError(f"{p}.{key}: must be a non-empty list")
                    if allowed is not None:
                        bad = sorted(set(map(str, vals)) - set(allowed))
                        if bad:
                            raise ValidationError(f"{p}.{key}: unknown code(s) {bad}; allowed: {list(allowed)}")
                    rule[key] = [str(v) for v in vals]
            rules.append(rule)
        return cls(name=meta["name"], data=data, rules=tuple(rules))

    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str]) -> "MandateRules":
        """A packaged rule set by name (``xinzhou-2024``, ``beijing-2017``, ``aq9010``) or a TOML path."""
        data, source = read_toml("prevention", name_or_path, "rules", "rule set", packaged_rules())
        return cls.from_dict(data, source=source)

    @property
    def contractual(self) -> bool:
        return self.data["meta"].get("frequency", "rules") == "contract"

    def match(self, df: pd.DataFrame, contract: dict[str, float] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rule row per policy, the rule table and the pooled flag per policy.

        Returns ``rule_idx`` (n,), ``table`` (rules + 1 × service types; the last row, all
        zeros, is "no rule matched") and ``pooled`` (n,). A policy's yearly counts are
        ``table[rule_idx]``. For contractual rule sets every policy gets the contract's row 0.
        """
        n = len(df)
        if self.contractual:
            if contract is None:
                raise ValidationError(f"rules {self.name!r} set no frequencies (they are contractual, AQ 9010 §6); pass contract={{service_type: count}}")
            c = _counts(contract, "contract")
            return np.zeros(n, dtype=np.int64), np.array([[c.get(t, 0.0) for t in SERVICE_TYPES]]), np.zeros(n, dtype=bool)
        if contract is not None:
            raise ValidationError(f"contract: rules {self.name!r} fix the frequencies; contract= is only for contractual rule sets such as 'aq9010'")
        none = len(self.rules)
        idx = np.full(n, none, dtype=np.int64)
        for k, rule in enumerate(self.rules):
            m = idx == none
            for key in _FILTERS:
                if key in rule and key in df.columns:
                    m &= _isin(df[key], rule[key])
                elif key in rule:
                    m &= False
            idx[m] = k
        table = np.array([[r["services"].get(t, 0.0) for t in SERVICE_TYPES] for r in self.rules] + [[0.0] * len(SERVICE_TYPES)])
        first = self.first_service_type
        if first is not None:  # every insured unit gets >= 1 service (e.g. Xinzhou: within 3 months)
            empty = table.sum(axis=1) == 0
            table[empty, SERVICE_TYPES.index(first)] = 1.0
        pooled = np.array([r["pooled"] for r in self.rules] + [False])
        return idx, table, pooled[idx]

    @property
    def first_service_type(self) -> str | None:
        """Service type given to units with no mandated service when the rules require a first
        service within some months of inception (``meta.first_service_within_months``)."""
        meta = self.data["meta"]
        if meta.get("first_service_within_months") is None:
            return None
        return meta.get("first_service_type", "online")

    def describe(self) -> list[tuple[str, pd.DataFrame]]:
        meta = self.data["meta"]
        if self.contractual:
            return [(f"{self.name}: {meta.get('description', '')}", pd.DataFrame({"service_type": meta.get("service_types", list(SERVICE_TYPES))}))]
        rows = []
        for r in self.rules:
            rows.append({"rule": r["name"], "industry": ", ".join(r.get("industry", ["all"])), "size": ", ".join(r.get("size", ["all"])),
                         **{t: r["services"].get(t, 0.0) for t in SERVICE_TYPES}, "pooled": r["pooled"]})
        return [(f"{self.name}: {meta.get('description', '')} ({meta.get('source', '')})", pd.DataFrame(rows))]


def _isin(col: pd.Series, values: list[str]) -> np.ndarray:
    """``col.astype(str).isin(values)`` without converting every row (categoricals by code)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in col.cat.categories]
        codes = [i for i, c in enumerate(cats) if c in set(values)]
        return np.isin(col.cat.codes.to_numpy(), codes)
    if pd.api.types.is_string_dtype(col.dtype):
        return col.isin(values).to_numpy(dtype=bool, na_value=False)
    return col.astype(str).isin(values).to_numpy()


def packaged_rules() -> list[str]:
    return packaged_toml("prevention", prefix_excluded="costs-")


def _list_kind():
    return [(n, "prevention rules", MandateRules.load(n).data["meta"].get("description", "")) for n in packaged_rules()]


def _show_kind(name: str):
    if name in packaged_rules():
        return MandateRules.load(name).describe()
    return None  # cost tables register their own kind (costs.py)


register_kind(_list_kind, _show_kind)
