"""Stress testing: a regulator's policy lab. Named scenarios (:mod:`ajx_actuarial.scenarios`) run
side by side with common random numbers, each measured for victims, enterprises, prevention and
the insurer.

``run`` reprices the book for each scenario — a scenario's limit is the policy under test: it
sets every unit's per-person limit and the table's minimum, priced through the table's
increased-limit factors (:func:`ajx_actuarial.scenarios.resolve`) — simulates every scenario in
ONE pass over the same accidents (:func:`ajx_actuarial.simulate_many`: limits and severity change
only the payouts, frequency and common shocks are coupled by thinning), computes the exact
expected loss (:func:`ajx_actuarial.expected_loss`), assesses the prevention budget, and returns
one comparison table (:data:`MEASURES`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ._bounds import MAX_SCENARIOS, MAX_YEARS, check_count
from ._random import RngLike, seed_sequence
from .errors import ValidationError
from .losses import LossModel
from .prevention import assess
from .priced import validate_priced
from .projection.solvency import minimum_capital, premium_risk_capital, reserve_risk_capital, unpaid_pattern
from .rating import RateTable, price
from .reference import SIZES
from .scenarios import Resolved, Scenario, ScenarioSet, load, packaged_scenarios, resolve

__all__ = ["Scenario", "ScenarioSet", "load", "run", "run_detailed", "packaged_scenarios", "StressResult", "MEASURES"]

#: The comparison table's columns, grouped by whom they concern (one row per scenario).
MEASURES = {
    "policy": ("levers", "limit_death", "mean_limit_death", "description", "note"),
    "victims": ("victims_economic_loss", "victim_compensation_share", "payout_per_death", "payout_per_death_vs_20x_income",
                "share_deaths_paid_in_full", "share_disabilities_paid_in_full", "expected_deaths"),
    "enterprises": ("premium", "premium_ex_vat", "premium_per_unit", *(f"premium_per_unit_{s}" for s in SIZES),
                    "premium_per_worker", "share_at_min_premium"),
    "prevention": ("fee_ratio", "prevention_budget", "services_funded", "share_funded", "prevention_spent_share", "prevention_shortfall",
                   "prevention_expense_ratio"),
    "insurer": ("expected_loss", "simulated_loss", "simulated_loss_se", "loss_ratio", "combined_ratio", "var_995", "tvar_99",
                "p_loss_ratio_gt_100", "outstanding_reserve", "cross_premium_capital", "cross_reserve_capital",
                "cross_minimum_capital", "var_995_unexpected"),
}


@dataclass(frozen=True, eq=False)
class StressResult:
    """Comparison table plus each scenario's simulation, prevention result and priced book."""

    table: pd.DataFrame
    simulations: dict
    prevention: dict
    scenarios: ScenarioSet
    priced: dict | None = None

    def plot(self):
        from .plots import stress_figure

        return stress_figure(self.table, {k: v.annual["insured_loss"].to_numpy() for k, v in self.simulations.items()})

    def policy_figure(self):
        """Victim compensation share against premium per unit, one point per scenario."""
        from .plots import policy_lab_figure

        return policy_lab_figure(self.table)


def _limit_key(priced: pd.DataFrame) -> bytes:
    return b"".join(priced[c].to_numpy(dtype=np.float64).tobytes() for c in ("limit_death", "limit_accident", "limit_annual", "limit_medical"))


def run_detailed(portfolio: pd.DataFrame, scenarios: ScenarioSet | str | Sequence[dict] = "regulator-2026", *, years: int = 2000,
                 rng: RngLike = 2026, table: str | RateTable | None = None, rules: str | None = None,
                 fee_ratio: float | Mapping | None = None, block_years: int = 250, threads: int | None = None,
                 exact: bool = True, progress=None, model: LossModel | None = None,
                 prevention: Mapping[str, Any] | None = None) -> StressResult:
    """Like :func:`run`, returning every scenario's simulation, prevention result and priced book too."""
    from .losses import SimSpec, expected_loss, simulate_many
    from .portfolio import validate_portfolio

    if not isinstance(portfolio, pd.DataFrame):
        raise ValidationError(f"stress: portfolio must be a pandas DataFrame, got {type(portfolio).__name__}")
    if isinstance(scenarios, ScenarioSet):
        sset = scenarios
    elif isinstance(scenarios, (str, os.PathLike)):
        sset = load(scenarios)
    elif isinstance(scenarios, (list, tuple)):
        if len(scenarios) > MAX_SCENARIOS:
            raise ValidationError(f"stress: scenarios must hold at most {MAX_SCENARIOS:,} scenarios, got {len(scenarios):,}")
        sset = ScenarioSet.from_dict({"scenario": list(scenarios)}, source="<list>")
    else:
        raise ValidationError(f"stress: scenarios must be a ScenarioSet, a scenario set name or TOML path, or a list of scenario "
                              f"dicts, got {type(scenarios).__name__}")
    check_count(years, "years", 1, MAX_YEARS, "stress")
    if not isinstance(exact, (bool, np.bool_)):
        raise ValidationError(f"stress: exact must be True or False, got {exact!r}"[:200])
    if not (progress is None or isinstance(progress, (bool, np.bool_)) or callable(progress)):
        raise ValidationError(f"stress: progress must be a callable(done, total), True, False or None, got {type(progress).__name__}")
    if model is not None and not isinstance(model, LossModel):
        raise ValidationError(f"stress: model must be a LossModel, got {type(model).__name__}")
    if prevention is not None:
        if not isinstance(prevention, Mapping):
            raise ValidationError(f"stress: prevention must be a mapping of prevention.assess keywords, got {type(prevention).__name__}")
        own = sorted(set(prevention) & {"fee_ratio", "years", "start_year", "rules", "cost_inflation"})
        if own:
            raise ValidationError(f"stress: prevention= may not set {own}: the scenarios set the fee and the run its rules "
                                  f"(pass fee_ratio= or rules= to stress.run)")
    ss = seed_sequence(rng)
    res = resolve(sset, table=table, fee_ratio=fee_ratio, model=model)
    # 1. price every scenario at its own limits (the scenario's limit is the table's minimum)
    priced = {}
    for r in res:
        book = r.limits.apply(portfolio) if r.limits is not None else portfolio
        try:
            priced[r.name] = price(book, r.table, lift_limits=True)
        except ValidationError as exc:
            raise ValidationError(f"scenario {r.name!r}: {exc}") from exc
        validate_priced(priced[r.name], f"stress: scenario {r.name!r}")  # before any simulation (premiums > 0, factors in bounds)
    # 2. simulate: scenarios over the same limits as priced share one pass; limit scenarios join the first
    groups: dict[bytes, list[Resolved]] = {}
    for r in res:
        if r.limits is None:
            groups.setdefault(_limit_key(priced[r.name]), []).append(r)
    if not groups:
        groups[b""] = []
    first = next(iter(groups))
    groups[first] += [r for r in res if r.limits is not None]
    sims, done = {}, 0
    if callable(progress):
        progress(0, len(res))
    for members in groups.values():
        base_name = next((r.name for r in members if r.limits is None), members[0].name)
        specs = {r.name: SimSpec(r.model, r.limits) for r in members}
        prem = {r.name: (float(priced[r.name]["premium"].sum()), float(priced[r.name]["premium_ex_vat"].sum())) for r in members}
        sims.update(simulate_many(priced[base_name], specs, years, rng=np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key),
                                  premiums=prem, block_years=block_years, threads=threads,
                                  progress=(lambda d, t, d0=done, m=len(members): progress(d0 + m * d / t, len(res))) if callable(progress) else False))
        done += len(members)
        if callable(progress):
            progress(done, len(res))
    # 3. exact expected losses, prevention, the measures
    rows, prevs, rels = [], {}, {}
    for r in res:
        p = priced[r.name]
        pv = dict(prevention or {})
        if r.overrides.get("carry_forward"):
            pv.update(carry_forward=True, ledger="carry_forward")
        fee = r.fee_ratio
        if pv.get("fee_base") == "collected" and fee_ratio is None:
            # a scenario's fee, like the table's loading it replaces, is a share of ex-VAT premium; on the collected
            # premium the same money is ratio / (1 + VAT)
            vat = 1.0 + float(r.table.loadings["vat"])
            fee = {y: float(v) / vat for y, v in fee.items()} if isinstance(fee, Mapping) else float(fee) / vat
            r = replace(r, fee_ratio=fee)  # the table states the ratio the budget was assessed at
        prev = assess(p, rules=rules or r.overrides.get("rules", "xinzhou-2024"), fee_ratio=fee,
                      pooling=r.overrides.get("pooling", pv.pop("pooling", "insurer")), cost_inflation=r.overrides.get("cost_inflation"),
                      **pv)
        ex = None
        if exact:  # the units' relativities do not depend on limits, price, severity or the year effects: once per model
            key = r.model.relativity_key()
            if key not in rels:
                rels[key] = r.model.relativity(validate_portfolio(p))
            ex = expected_loss(p, r.model, relativity=rels[key])
        rows.append(_measures(r, p, sims[r.name], prev, ex))
        prevs[r.name] = prev
    for row in rows:
        row["note"] = _note(row, rows[0], next(x for x in res if x.name == row["scenario"]))
    return StressResult(table=pd.DataFrame(rows).set_index("scenario"), simulations=sims, prevention=prevs, scenarios=sset,
                        priced=priced)


def _measures(r: Resolved, p: pd.DataFrame, sim, prev, ex: pd.DataFrame | None) -> dict:
    """One scenario's row: victims, enterprises, prevention, insurer (see :data:`MEASURES`)."""
    a = sim.annual
    prem, prem_ex = sim.premium, sim.premium_ex_vat
    mean_loss = float(ex["expected_loss"].sum()) if ex is not None else sim.mean()
    parts = ({k: float(ex[k].sum()) for k in ("death", "disability", "medical", "rescue", "third_party")} if ex is not None
             else {k: sim.mean(k) for k in ("death", "disability", "medical", "rescue", "third_party")})
    deaths, dis = float(a["deaths"].sum()), float(a["disabilities"].sum())
    gross = float(a["gross_loss"].sum())
    ld = p["limit_death"].to_numpy(dtype=np.float64)
    heads = p["headcount"].to_numpy(dtype=np.float64)
    by_size = p.groupby("size", observed=False)["premium"].mean()
    lo = r.table.loadings
    # the prevention charge is the ledger's (spent + further + carried − carried in: a floor spent at cost up to the cap, a
    # released surplus not charged), a share of the ex-VAT premium of the year assessed
    prev_expense = float(prev.by_year["expense"].iloc[0]) / float(p["premium_ex_vat"].sum()) if float(p["premium_ex_vat"].sum()) > 0 else 0.0
    expense = prev_expense + lo["commission"] + lo["admin"] + lo["levy"]
    lr = mean_loss / prem_ex
    u = unpaid_pattern(parts if sum(parts.values()) > 0 else None)
    outstanding = float(u.sum()) * mean_loss
    mc_p = float(premium_risk_capital(prem_ex, lr + expense))
    mc_r = float(reserve_risk_capital(outstanding))
    row = {
        "scenario": r.name,
        "levers": ", ".join(sorted(r.scenario.overrides)),
        "limit_death": float(ld[0]) if (ld == ld[0]).all() else float("nan"),
        "mean_limit_death": float(ld.mean()),
        "victims_economic_loss": gross / len(a),
        "victim_compensation_share": float(a["insured_loss"].sum()) / gross if gross > 0 else float("nan"),
        "payout_per_death": float(a["death"].sum()) / deaths if deaths > 0 else float("nan"),
        "payout_per_death_vs_20x_income": (float(a["death"].sum()) / deaths / (r.model.death_loss * r.model.severity_multiplier)
                                           if deaths > 0 else float("nan")),
        "share_deaths_paid_in_full": float(a["deaths_paid_in_full"].sum()) / deaths if deaths > 0 else float("nan"),
        "share_disabilities_paid_in_full": float(a["disabilities_paid_in_full"].sum()) / dis if dis > 0 else float("nan"),
        "expected_deaths": float(ex["expected_deaths"].sum()) if ex is not None else sim.mean("deaths"),
        "premium": prem,
        "premium_ex_vat": prem_ex,
        "premium_per_unit": prem / len(p),
        **{f"premium_per_unit_{s}": float(by_size.get(s, np.nan)) for s in SIZES},
        "premium_per_worker": prem / float(heads.sum()),
        "share_at_min_premium": float(p["min_premium_applied"].mean()),
        "fee_ratio": str(r.fee_ratio) if isinstance(r.fee_ratio, Mapping) else float(r.fee_ratio),
        "prevention_budget": prev.summary["total_budget"],
        "services_funded": prev.summary["services_funded"],
        "share_funded": prev.summary["share_funded"],
        "prevention_spent_share": prev.summary["spent_share"],
        "prevention_shortfall": prev.summary["total_shortfall"],
        "prevention_expense_ratio": prev_expense,
        "expected_loss": mean_loss,
        "simulated_loss": sim.mean(),
        "simulated_loss_se": sim.mean_se(),
        "loss_ratio": lr,
        "combined_ratio": lr + expense,
        "var_995": sim.var(0.995),
        "tvar_99": sim.tvar(0.99),
        "p_loss_ratio_gt_100": float((sim.loss_ratio() > 1).mean()),
        "outstanding_reserve": outstanding,
        "cross_premium_capital": mc_p,
        "cross_reserve_capital": mc_r,
        "cross_minimum_capital": float(minimum_capital(mc_p, mc_r)),
        "var_995_unexpected": sim.var(0.995) - sim.mean(),
        "description": r.scenario.description,
    }
    return row


def _note(row: dict, base: dict, r: Resolved) -> str:
    """One sentence on what a scenario changes, against the first scenario."""
    if row is base:
        return "reference scenario" + (f"; {r.limit_note()}" if r.limits is not None else "")
    p = row["premium"] / base["premium"]
    e = row["expected_loss"] / base["expected_loss"]
    txt = f"premium x{p:.3f}, expected loss x{e:.3f}: loss ratio {base['loss_ratio']:.1%} -> {row['loss_ratio']:.1%}"
    if r.limits is not None:
        v0, v1 = base["victim_compensation_share"], row["victim_compensation_share"]
        txt = (f"{r.limit_note()}; victims receive {v1:.1%} of their economic loss (reference {v0:.1%}); " + txt)
    return txt


def run(portfolio: pd.DataFrame, scenarios: ScenarioSet | str | Sequence[dict] = "regulator-2026", *, years: int = 2000,
        rng: RngLike = 2026, table: str | RateTable | None = None, **kwargs: Any) -> pd.DataFrame:
    """Price, simulate (common random numbers) and assess prevention for each scenario.

    Parameters
    ----------
    portfolio : DataFrame
        An unpriced or priced portfolio (it is repriced per scenario).
    scenarios : ScenarioSet, name/path of a TOML file (``regulator-2026``, ``national-2025``), or a list of scenario dicts
    years : int
        Simulated years per scenario.
    rng : seed
        One seed for all scenarios (common random numbers).
    table : rate table overriding the scenarios' ``table``
    **kwargs
        ``rules``, ``fee_ratio``, ``block_years``, ``threads``, ``exact``, ``progress``, ``model``
        (the base loss model the scenarios' model keys override), ``prevention`` (keywords of
        :func:`ajx_actuarial.prevention.assess` for every scenario: a jurisdiction's ``floor``,
        ``fee_base``, ``ledger``, ``pooling``, as :meth:`FeeSchedule.assess_kwargs` gives them).

    Returns
    -------
    DataFrame
        One row per scenario (:data:`MEASURES`):

        * the policy: ``levers`` (the keys the scenario sets), ``limit_death`` (every unit's, NaN
          when they differ), ``mean_limit_death``;
        * victims: ``victims_economic_loss`` (mean a year, before limits), ``victim_compensation_share``
          (insured ÷ victims' economic loss on the same simulated years; rescue and third-party
          costs on both sides), ``payout_per_death`` (the death part over deaths) and its ratio to
          the civil compensation of a death (``payout_per_death_vs_20x_income``: 20 × urban income),
          ``share_deaths_paid_in_full`` and ``share_disabilities_paid_in_full`` (victims of fatal
          and disability accidents whose payout no per-person, per-accident or annual limit cut),
          ``expected_deaths``;
        * enterprises: ``premium``, ``premium_ex_vat``, ``premium_per_unit`` (and by size),
          ``premium_per_worker``, ``share_at_min_premium``;
        * prevention: ``fee_ratio``, ``prevention_budget``, ``services_funded`` (spent on mandates ÷ their
          cost), ``share_funded`` (mandated units with no shortfall; all or none under the default insurer
          pool), ``prevention_spent_share`` (spent ÷ ex-VAT premium),
          ``prevention_shortfall``;
        * the insurer: ``expected_loss`` (exact; the simulated mean with ``exact=False``),
          ``simulated_loss`` ± ``simulated_loss_se``, ``loss_ratio`` (expected loss ÷ ex-VAT premium),
          ``combined_ratio`` (with the prevention ledger's charge, commission, admin and levy), ``var_995``, ``tvar_99``,
          ``p_loss_ratio_gt_100``, ``outstanding_reserve`` (steady state, from the development
          pattern), C-ROSS ``cross_premium_capital`` (Rule 4 Art. 13), ``cross_reserve_capital``
          (Art. 26), ``cross_minimum_capital`` (Art. 42, ρ = 0.5), ``var_995_unexpected`` (VaR
          less the mean: the internal-model view);
        * ``description`` and ``note`` (what the scenario changes against the first one).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(2000, rng=1)
    >>> t = ajx.stress.run(book, [{"name": "base"}, {"name": "800k", "limits": {"policy": "fixed", "amount": 800000}}], years=200)
    >>> bool(t.loc["800k", "premium"] > t.loc["base", "premium"])
    True
    >>> bool(t.loc["800k", "victim_compensation_share"] > t.loc["base", "victim_compensation_share"])
    True
    """
    return run_detailed(portfolio, scenarios, years=years, rng=rng, table=table, **kwargs).table
