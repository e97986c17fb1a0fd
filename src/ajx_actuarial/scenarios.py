"""Scenario sets: named overrides of a limit policy, the loss model, the rate table and the
prevention budget, for :mod:`ajx_actuarial.stress` (one year, side by side) and
:func:`ajx_actuarial.project` (``scenarios=``: every scenario through the years).

A scenario file (TOML) has ``[meta]``, optional ``[defaults]`` and ``[[scenario]]`` entries (at
most 1 000: :data:`ajx_actuarial._bounds.MAX_SCENARIOS`; an error names the file, the scenario
and its key). Keys a scenario may set (each optional):

``limits``                 the liability-limit policy under test, replacing the table's rule and
                           its minimum: ``{policy = "fixed", amount = 800000}``,
                           ``{policy = "beijing", income_year = 2024, offset = "death_grant"}`` or
                           ``{policy = "income", income_year = 2024, region = "national",
                           multiple = 20, offset = "none"}`` (optional ``floor``,
                           ``medical_share``, ``accident_multiple``, ``annual_multiple``)
``rate_change``            uniform change of all base rates (−0.15), or ``{coal_mine = 0.1, ...}``
``table``                  rate table name or path
``frequency_multiplier``, ``severity_multiplier``, ``shock_cv``, ``shock_by``, ``counts``,
``frailty_cv``             loss-model overrides
``fee_ratio``              number or ``{2026 = 0.15, 2028 = 0.20}``, a share of ex-VAT premium like
                           the loading it replaces (default: the rate table's prevention-fee loading,
                           so the budget assessed is the one priced); a run assessing on the collected
                           premium (``fee_base="collected"``, Beijing) uses ratio / (1 + VAT)
``rules``, ``pooling``, ``cost_inflation``, ``carry_forward``   prevention overrides

**A scenario's limit is the policy under test.** :func:`resolve` sets every unit's per-person
limit (and its sub-limits) by the scenario's rule and makes that limit the table's minimum, so a
400 000 scenario under ``beijing-2026`` (minimum 802 460) is priced, simulated and costed at
400 000, through the table's increased-limit factors (extrapolated by the table's rule below its
lowest point; a table whose ``[limits.ilf]`` says ``extrapolate = "none"`` refuses a limit outside
its schedule with one :class:`ValidationError`). The base rates stay stated at the table's
reference limit. A fixed limit below the national 400 000 is allowed in a scenario (its floor
follows the amount): studying a lower minimum is what the scenario is for.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from ._bounds import MAX_SCENARIOS
from .errors import ValidationError
from .losses import LimitPolicy, LossModel
from .portfolio import NATIONAL_MIN_LIMIT
from .prevention import POOLINGS
from .rating import RateTable
from .reference import INDUSTRIES, packaged_toml, read_toml, register_kind

__all__ = ["Scenario", "ScenarioSet", "Resolved", "load", "packaged_scenarios", "resolve", "rate_table_with_change",
           "table_at_limits", "MODEL_KEYS", "MIN_SCENARIO_LIMIT"]

#: The lowest per-person limit a scenario may test (CNY): a tenth of the national minimum; below it the
#: "limit" is a typo (a limit typed in ten-thousands), not a policy.
MIN_SCENARIO_LIMIT = 40_000.0

_KEYS = {"name", "description", "limits", "rate_change", "table", "frequency_multiplier", "severity_multiplier",
         "shock_cv", "shock_by", "counts", "frailty_cv", "fee_ratio", "rules", "pooling", "cost_inflation", "carry_forward"}
MODEL_KEYS = ("frequency_multiplier", "severity_multiplier", "shock_cv", "shock_by", "counts", "frailty_cv")


@dataclass(frozen=True)
class Scenario:
    """One named set of overrides (validated)."""

    name: str
    overrides: dict = field(default_factory=dict)
    description: str = ""

    def limit_policy(self) -> LimitPolicy | None:
        """The scenario's limit rule (``None``: the units' limits as priced). A fixed amount's floor
        is the amount itself unless ``floor`` is given (a scenario may study a lower minimum)."""
        spec = self.overrides.get("limits")
        if spec is None:
            return None
        kw = {k: spec[k] for k in ("floor", "medical_share", "accident_multiple", "annual_multiple") if k in spec}
        if spec["policy"] == "fixed":
            kw.setdefault("floor", min(float(spec["amount"]), NATIONAL_MIN_LIMIT))
            return LimitPolicy.fixed(spec["amount"], **kw)
        if spec["policy"] == "income":
            return LimitPolicy.income_multiple(spec.get("income_year", 2024), spec.get("region", "national"),
                                               spec.get("multiple", 20.0), spec.get("offset", "none"), **kw)
        return LimitPolicy.beijing(spec.get("income_year", 2024), spec.get("offset", "death_grant"), **kw)


def _check_scenario(d: dict, path: str) -> Scenario:
    if not isinstance(d, dict):
        raise ValidationError(f"{path}: must be a table")
    unknown = sorted(set(d) - _KEYS)
    if unknown:
        raise ValidationError(f"{path}: unknown key(s) {unknown}; allowed: {sorted(_KEYS)}")
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"{path}.name: must be a non-empty string")
    if len(name) > 80:
        raise ValidationError(f"{path}.name: at most 80 characters, got {len(name)} ({name[:20]!r}...)")
    o = {k: v for k, v in d.items() if k not in ("name", "description")}
    if "limits" in o:
        lim = o["limits"]
        if not isinstance(lim, dict) or lim.get("policy") not in ("fixed", "beijing", "income"):
            raise ValidationError(f"{path}.limits.policy: must be 'fixed', 'beijing' or 'income', "
                                  f"got {lim.get('policy') if isinstance(lim, dict) else lim!r}")
        allowed = {"policy", "amount", "income_year", "offset", "floor", "medical_share", "accident_multiple", "annual_multiple"}
        if lim["policy"] == "income":
            allowed |= {"region", "multiple"}
        bad = sorted(set(lim) - allowed)
        if bad:
            raise ValidationError(f"{path}.limits: unknown key(s) {bad}; allowed: {sorted(allowed)}")
        amt = lim.get("amount")
        if lim["policy"] == "fixed" and (not isinstance(amt, (int, float)) or isinstance(amt, bool) or not MIN_SCENARIO_LIMIT <= amt <= 1e8):
            raise ValidationError(f"{path}.limits.amount: must be a number in [{MIN_SCENARIO_LIMIT:,.0f}, 100,000,000] CNY per person, got {amt!r}")
        try:
            Scenario(name, o).limit_policy()
        except ValidationError as exc:
            raise ValidationError(f"{path}.limits: {exc}") from exc
    if "rate_change" in o:
        rc = o["rate_change"]
        items = rc.items() if isinstance(rc, dict) else [("all", rc)]
        for k, v in items:
            if k != "all" and k not in INDUSTRIES:
                raise ValidationError(f"{path}.rate_change.{k}: unknown industry code; allowed: {list(INDUSTRIES)}")
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not -0.9 <= v <= 5:
                raise ValidationError(f"{path}.rate_change{'' if k == 'all' else '.' + k}: must be a number in [-0.9, 5], got {v!r}")
    for k in ("frequency_multiplier", "severity_multiplier"):
        if k in o and (isinstance(o[k], bool) or not isinstance(o[k], (int, float)) or o[k] <= 0):
            raise ValidationError(f"{path}.{k}: must be a number > 0, got {o[k]!r}")
    for k in ("shock_cv", "frailty_cv", "cost_inflation"):
        if k in o and (isinstance(o[k], bool) or not isinstance(o[k], (int, float)) or o[k] < 0):
            raise ValidationError(f"{path}.{k}: must be a number >= 0, got {o[k]!r}")
    model_over = {k: o[k] for k in MODEL_KEYS if k in o}
    if model_over:
        try:
            LossModel.default(**model_over)
        except ValidationError as exc:
            raise ValidationError(f"{path}: {exc}") from exc
    if "fee_ratio" in o:
        from .prevention import fee_schedule

        try:
            fee_schedule(o["fee_ratio"], 1, None)
        except ValidationError as exc:
            raise ValidationError(f"{path}.{exc}") from exc
    if "carry_forward" in o and not isinstance(o["carry_forward"], bool):
        raise ValidationError(f"{path}.carry_forward: must be true or false (a TOML boolean), got {o['carry_forward']!r}")
    for k in ("table", "rules"):
        if k in o and (not isinstance(o[k], str) or not o[k]):
            raise ValidationError(f"{path}.{k}: must be a table name or a .toml path, got {o[k]!r}")
    if "pooling" in o and o["pooling"] not in POOLINGS:
        raise ValidationError(f"{path}.pooling: must be 'policy', 'segment' or 'insurer', got {o['pooling']!r}")
    return Scenario(name=name, overrides=o, description=str(d.get("description", "")))


@dataclass(frozen=True)
class ScenarioSet:
    name: str
    defaults: dict
    scenarios: tuple[Scenario, ...]
    description: str = ""

    @classmethod
    def from_dict(cls, data: dict, source: str = "<dict>") -> "ScenarioSet":
        if not isinstance(data, dict):
            raise ValidationError(f"scenarios {source}: must be a TOML document")
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise ValidationError("meta: must be a table")
        defaults = data.get("defaults", {})
        if not isinstance(defaults, dict):
            raise ValidationError(f"scenarios {source}: defaults: must be a table")
        raw = data.get("scenario")
        if not isinstance(raw, list) or not raw:
            raise ValidationError(f"scenarios {source}: needs at least one [[scenario]]")
        if len(raw) > MAX_SCENARIOS:  # before any is checked (see ajx_actuarial._bounds: why 1 000)
            raise ValidationError(f"scenarios {source}: at most {MAX_SCENARIOS:,} [[scenario]] entries, got {len(raw):,}")
        try:
            _check_scenario({"name": "defaults", **defaults}, "defaults")
            sc = []
            for i, d in enumerate(raw):
                named = isinstance(d, dict) and isinstance(d.get("name"), str) and 0 < len(d["name"]) <= 80
                try:
                    sc.append(_check_scenario(d, f"scenario[{i}]"))
                except ValidationError as exc:
                    raise ValidationError(f"scenario {d['name']!r}: {exc}" if named else str(exc)) from exc
            sc = tuple(sc)
        except ValidationError as exc:  # name the file (or <list>), the scenario and its key
            raise ValidationError(f"scenarios {source}: {exc}") from exc
        names = [s.name for s in sc]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValidationError(f"scenario names must be unique; repeated: {dup}")
        return cls(name=str(meta.get("name", source)), defaults=defaults, scenarios=sc, description=str(meta.get("description", "")))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"scenario": s.name, "description": s.description, **{k: str(v) for k, v in s.overrides.items()}} for s in self.scenarios])


def packaged_scenarios() -> list[str]:
    return packaged_toml("scenarios")


def load(name_or_path: str | os.PathLike[str]) -> ScenarioSet:
    """A packaged scenario set (``regulator-2026``) or a TOML file."""
    data, source = read_toml("scenarios", name_or_path, "scenarios", "scenario set")
    return ScenarioSet.from_dict(data, source=source)


def rate_table_with_change(base: RateTable, change) -> RateTable:
    """``base`` with every base rate (and grid cell) scaled by ``1 + change`` (uniform or by industry)."""
    if change is None:
        return base

    def factor(industry: str) -> float:
        return 1.0 + (change.get(industry, 0.0) if isinstance(change, dict) else change)

    br = dict(base.data["base_rates"])
    for key in ("industry", "medical"):
        if key in br:
            br[key] = {k: v * factor(k) for k, v in br[key].items()}
    for key in ("grid", "medical_grid"):
        if br.get(key):
            br[key] = {k: {s: v * factor(k) for s, v in cells.items()} for k, cells in br[key].items()}
    return base.with_changes(base_rates=br)


def table_at_limits(table: RateTable, lp: LimitPolicy) -> RateTable:
    """``table`` with the limit policy ``lp`` as its rule: its minimum per-person limit becomes the
    policy's (the amount every unit gets, or the policy's floor when it keeps the units' own
    limits), the reference limit of its base rates unchanged. Raises :class:`ValidationError` when
    the table's increased-limit factors cannot price that limit (``extrapolate = "none"``)."""
    new_min = float(lp.limit_death) if lp.limit_death is not None else float(lp.floor)
    table.ilf.check_limits([new_min], f"limit policy {lp.label!r} under table {table.name!r}")
    if new_min == table.min_limit_death:
        return table
    return table.with_changes(limits={"min_limit_death": new_min, "reference_limit": table.reference_limit})


@dataclass(frozen=True, eq=False)
class Resolved:
    """One scenario made concrete: its overrides (defaults applied), rate table (rate change and
    limit policy applied), limit policy, loss model and prevention fee ratio."""

    scenario: Scenario
    overrides: dict
    table: RateTable
    limits: LimitPolicy | None
    model: LossModel
    fee_ratio: object
    table_min_before: float

    @property
    def name(self) -> str:
        return self.scenario.name

    def limit_note(self) -> str:
        """What the scenario's limit does to the table's rule, in one clause ('' without limits)."""
        if self.limits is None:
            return ""
        lim = self.limits.limit_death if self.limits.limit_death is not None else self.limits.floor
        if lim < self.table_min_before:
            return (f"the policy under test sets {lim:,.0f} per person, below the table's minimum of "
                    f"{self.table_min_before:,.0f}, priced through its increased-limit factors")
        if lim > self.table_min_before:
            return f"the policy under test sets {lim:,.0f} per person, repriced through the increased-limit factors"
        return f"the policy under test sets {lim:,.0f} per person, the table's own minimum"


def resolve(sset: ScenarioSet, table: str | RateTable | None = None, fee_ratio=None,
            model: LossModel | None = None) -> list[Resolved]:
    """Every scenario of ``sset`` made concrete (see :class:`Resolved`): ``table`` overrides the
    scenarios' tables, ``fee_ratio`` their fee ratios, ``model`` the base loss model (default
    :meth:`LossModel.default`) that a scenario's model keys override."""
    base_model = LossModel.default() if model is None else model
    out = []
    for sc in sset.scenarios:
        o = {**sset.defaults, **sc.overrides}
        t = table if table is not None else o.get("table", "national-2025")
        t = t if isinstance(t, RateTable) else RateTable.load(t)
        t = rate_table_with_change(t, o.get("rate_change"))
        before = t.min_limit_death
        lp = Scenario(sc.name, o).limit_policy()
        if lp is not None:
            try:
                t = table_at_limits(t, lp)
            except ValidationError as exc:
                raise ValidationError(f"scenario {sc.name!r}: {exc}") from exc
        over = {key: o[key] for key in MODEL_KEYS if key in o}
        m = base_model.replace(**over) if over else base_model
        fee = fee_ratio if fee_ratio is not None else o.get("fee_ratio", t.loadings["prevention_fee"])
        out.append(Resolved(sc, o, t, lp, m, fee, before))
    return out


def _list_kind():
    return [(n, "stress scenarios", load(n).description) for n in packaged_scenarios()]


def _show_kind(name: str):
    if name in packaged_scenarios():
        s = load(name)
        return [(f"{s.name}: {s.description}", s.to_frame())]
    return None


register_kind(_list_kind, _show_kind)
