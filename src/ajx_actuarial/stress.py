"""Stress testing: named scenarios of overrides, run side by side with common random numbers.

A scenario file (TOML) has ``[meta]``, optional ``[defaults]`` and ``[[scenario]]`` entries.
Keys a scenario may set (each optional):

``limits``                 ``{policy = "fixed", amount = 800000}`` or
                           ``{policy = "beijing", income_year = 2024, offset = "death_grant"}``
``rate_change``            uniform change of all base rates (−0.15), or ``{coal_mine = 0.1, ...}``
``table``                  rate table name or path
``frequency_multiplier``, ``severity_multiplier``, ``shock_cv``, ``shock_by``, ``counts``,
``frailty_cv``             loss-model overrides
``fee_ratio``              number or ``{2026 = 0.15, 2028 = 0.20}`` (default: the rate table's
                           prevention-fee loading, so the budget assessed is the one priced)
``rules``, ``pooling``, ``cost_inflation``, ``carry_forward``   prevention overrides

``run`` reprices the (limit-adjusted) book for each scenario — a higher limit raises the premium
by the table's increased-limit factor — and simulates every scenario in ONE pass over the same
accidents (:func:`ajx_actuarial.simulate_many`: limits and severity change only the payouts,
frequency and common shocks are coupled by thinning), assesses the prevention budget, computes
the exact expected loss (:func:`ajx_actuarial.expected_loss`), and returns one comparison table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ._random import RngLike, seed_sequence
from .errors import ValidationError
from .losses import LimitPolicy, LossModel
from .prevention import POOLINGS, assess
from .rating import RateTable, price
from .reference import INDUSTRIES, packaged_toml, read_toml, register_kind

__all__ = ["Scenario", "ScenarioSet", "load", "run", "packaged_scenarios", "StressResult"]

_KEYS = {"name", "description", "limits", "rate_change", "table", "frequency_multiplier", "severity_multiplier",
         "shock_cv", "shock_by", "counts", "frailty_cv", "fee_ratio", "rules", "pooling", "cost_inflation", "carry_forward"}
_MODEL_KEYS = ("frequency_multiplier", "severity_multiplier", "shock_cv", "shock_by", "counts", "frailty_cv")


@dataclass(frozen=True)
class Scenario:
    """One named set of overrides (validated)."""

    name: str
    overrides: dict = field(default_factory=dict)
    description: str = ""

    def limit_policy(self) -> LimitPolicy | None:
        spec = self.overrides.get("limits")
        if spec is None:
            return None
        kw = {k: spec[k] for k in ("floor", "medical_share", "accident_multiple", "annual_multiple") if k in spec}
        if spec["policy"] == "fixed":
            return LimitPolicy.fixed(spec["amount"], **kw)
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
        if not isinstance(lim, dict) or lim.get("policy") not in ("fixed", "beijing"):
            raise ValidationError(f"{path}.limits.policy: must be 'fixed' or 'beijing', got {lim.get('policy') if isinstance(lim, dict) else lim!r}")
        allowed = {"policy", "amount", "income_year", "offset", "floor", "medical_share", "accident_multiple", "annual_multiple"}
        bad = sorted(set(lim) - allowed)
        if bad:
            raise ValidationError(f"{path}.limits: unknown key(s) {bad}; allowed: {sorted(allowed)}")
        if lim["policy"] == "fixed" and (not isinstance(lim.get("amount"), (int, float)) or isinstance(lim.get("amount"), bool) or lim["amount"] <= 0):
            raise ValidationError(f"{path}.limits.amount: must be a number > 0, got {lim.get('amount')!r}")
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
    model_over = {k: o[k] for k in _MODEL_KEYS if k in o}
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
            raise ValidationError("defaults: must be a table")
        _check_scenario({"name": "defaults", **defaults}, "defaults")
        raw = data.get("scenario")
        if not isinstance(raw, list) or not raw:
            raise ValidationError(f"scenarios {source}: needs at least one [[scenario]]")
        sc = tuple(_check_scenario(d, f"scenario[{i}]") for i, d in enumerate(raw))
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


@dataclass(frozen=True, eq=False)
class StressResult:
    """Comparison table plus each scenario's simulation and prevention results."""

    table: pd.DataFrame
    simulations: dict
    prevention: dict
    scenarios: ScenarioSet

    def plot(self):
        from .plots import stress_figure

        return stress_figure(self.table, {k: v.annual["insured_loss"].to_numpy() for k, v in self.simulations.items()})


def _rate_table(base: RateTable, change) -> RateTable:
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


def _lifted(lp: LimitPolicy, minimum: float) -> LimitPolicy:
    """``lp`` with its per-person limit (and floor) raised to a rate table's ``minimum``, its
    sub-limits following: the limits ``price(..., lift_limits=True)`` charges for are the ones simulated."""
    if lp.limit_death is not None and lp.limit_death < minimum:
        return replace(lp, limit_death=float(minimum), floor=min(lp.floor, float(minimum)), label=f"{lp.label} (lifted to {minimum:,.0f})")
    if lp.limit_death is None and lp.floor < minimum:
        return replace(lp, floor=float(minimum))
    return lp


def run_detailed(portfolio: pd.DataFrame, scenarios: ScenarioSet | str | Sequence[dict] = "regulator-2026", *, years: int = 2000,
                 rng: RngLike = 2026, table: str | RateTable | None = None, rules: str | None = None,
                 fee_ratio: float | Mapping | None = None, block_years: int = 250, threads: int | None = None,
                 exact: bool = True, progress=None) -> StressResult:
    """Like :func:`run`, returning every scenario's simulation and prevention result too."""
    from .losses import SimSpec, expected_loss, simulate_many

    if isinstance(scenarios, ScenarioSet):
        sset = scenarios
    elif isinstance(scenarios, (str, os.PathLike)):
        sset = load(scenarios)
    else:
        sset = ScenarioSet.from_dict({"scenario": list(scenarios)}, source="<list>")
    ss = seed_sequence(rng)
    # 1. price every scenario (limits reprice through the table's increased-limit factor)
    setups = []
    for sc in sset.scenarios:
        o = {**sset.defaults, **sc.overrides}
        t = table if table is not None else o.get("table", "national-2025")
        t = t if isinstance(t, RateTable) else RateTable.load(t)
        t = _rate_table(t, o.get("rate_change"))
        lp = Scenario(sc.name, o).limit_policy()
        if lp is not None:  # a limit below the table's minimum is priced, simulated and costed at the minimum alike
            lp = _lifted(lp, t.min_limit_death)
        book = lp.apply(portfolio) if lp is not None else portfolio
        priced = price(book, t, lift_limits=True)
        model = LossModel.default(**{key: o[key] for key in _MODEL_KEYS if key in o})
        fee = fee_ratio if fee_ratio is not None else o.get("fee_ratio", t.loadings["prevention_fee"])
        setups.append((sc, o, t, priced, model, fee, lp))
    # 2. simulate: scenarios whose books carry the same risk relativities share one pass
    groups: dict[bytes, list[int]] = {}
    for k, (_, _, _, priced, _, _, _) in enumerate(setups):
        groups.setdefault(priced["risk_relativity"].to_numpy().tobytes(), []).append(k)
    sims = {}
    done = [0]
    for members in groups.values():
        # the pass's book: one whose limits are the portfolio's own (scenarios without limits use them as priced)
        base = next((setups[k][3] for k in members if setups[k][6] is None), setups[members[0]][3])
        # one book for the pass (same risk relativities); each scenario brings its own limits
        specs = {setups[k][0].name: SimSpec(setups[k][4], setups[k][6]) for k in members}
        prem = {setups[k][0].name: (float(setups[k][3]["premium"].sum()), float(setups[k][3]["premium_ex_vat"].sum())) for k in members}
        sims.update(simulate_many(base, specs, years, rng=np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key), premiums=prem,
                                  block_years=block_years, threads=threads))
        done[0] += len(members)
        if progress:
            progress(done[0], len(setups))
    # 3. exact expected losses, prevention, the comparison table
    rows, prevs = [], {}
    base_row = None
    for sc, o, t, priced, model, fee, _ in setups:
        sim = sims[sc.name]
        prev = assess(priced, rules=rules or o.get("rules", "xinzhou-2024"), fee_ratio=fee,
                      pooling=o.get("pooling", "policy"), cost_inflation=o.get("cost_inflation"),
                      carry_forward=bool(o.get("carry_forward", False)))
        lr = sim.loss_ratio()
        ex = float(expected_loss(priced, model)["expected_loss"].sum()) if exact else float("nan")
        row = {
            "scenario": sc.name,
            "premium": sim.premium,
            "premium_ex_vat": sim.premium_ex_vat,
            "mean_limit_death": float(priced["limit_death"].mean()),
            "expected_loss": ex if exact else sim.mean(),
            "simulated_loss": sim.mean(),
            "simulated_loss_se": sim.mean_se(),
            "loss_ratio": (ex if exact else sim.mean()) / sim.premium_ex_vat,
            "var_995": sim.var(0.995),
            "tvar_99": sim.tvar(0.99),
            "p_loss_ratio_gt_100": float((lr > 1).mean()),
            "expected_deaths": sim.mean("deaths"),
            "fee_ratio": str(fee) if isinstance(fee, Mapping) else float(fee),
            "share_funded": prev.summary["share_funded"],
            "prevention_shortfall": prev.summary["total_shortfall"],
            "prevention_budget": prev.summary["total_budget"],
            "description": sc.description,
        }
        if base_row is None:
            base_row = row
        row["note"] = _note(row, base_row, "limits" in sc.overrides)
        rows.append(row)
        prevs[sc.name] = prev
    return StressResult(table=pd.DataFrame(rows).set_index("scenario"), simulations=sims, prevention=prevs, scenarios=sset)


def _note(row: dict, base: dict, limit_scenario: bool) -> str:
    """One sentence on what a scenario changes, against the first scenario."""
    if row is base:
        return "reference scenario"
    p = row["premium"] / base["premium"]
    e = row["expected_loss"] / base["expected_loss"]
    txt = (f"premium x{p:.3f}, expected loss x{e:.3f}: loss ratio {base['loss_ratio']:.1%} -> {row['loss_ratio']:.1%}")
    if limit_scenario:
        txt = ("higher limits raise the premium by the increased-limit factor, so the loss ratio stays where it was; " + txt)
    return txt


def run(portfolio: pd.DataFrame, scenarios: ScenarioSet | str | Sequence[dict] = "regulator-2026", *, years: int = 2000,
        rng: RngLike = 2026, table: str | RateTable | None = None, **kwargs: Any) -> pd.DataFrame:
    """Price, simulate (common random numbers) and assess prevention for each scenario.

    Parameters
    ----------
    portfolio : DataFrame
        An unpriced or priced portfolio (it is repriced per scenario).
    scenarios : ScenarioSet, name/path of a TOML file, or a list of scenario dicts
    years : int
        Simulated years per scenario.
    rng : seed
        One seed for all scenarios (common random numbers).
    table : rate table overriding the scenarios' ``table``

    Returns
    -------
    DataFrame
        One row per scenario: ``premium``, ``premium_ex_vat``, ``mean_limit_death``,
        ``expected_loss`` (exact; the simulated mean with ``exact=False``), ``simulated_loss`` (±
        ``simulated_loss_se``), ``loss_ratio`` (expected loss / ex-VAT premium), ``var_995``,
        ``tvar_99``, ``p_loss_ratio_gt_100``, ``expected_deaths``, ``fee_ratio``,
        ``share_funded``, ``prevention_shortfall``, ``prevention_budget``, ``description`` and
        ``note`` (one sentence on what the scenario changes against the first one).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(2000, rng=1)
    >>> t = ajx.stress.run(book, [{"name": "base"}, {"name": "800k", "limits": {"policy": "fixed", "amount": 800000}}], years=200)
    >>> bool(t.loc["800k", "premium"] > t.loc["base", "premium"])
    True
    """
    return run_detailed(portfolio, scenarios, years=years, rng=rng, table=table, **kwargs).table


def _list_kind():
    return [(n, "stress scenarios", load(n).description) for n in packaged_scenarios()]


def _show_kind(name: str):
    if name in packaged_scenarios():
        s = load(name)
        return [(f"{s.name}: {s.description}", s.to_frame())]
    return None


register_kind(_list_kind, _show_kind)
