"""``ajx.project(book, ..., scenarios=NAME_OR_FILE)``: every scenario of a set through the years.

Each scenario (:mod:`ajx_actuarial.scenarios`) runs through renewals, limit indexation, the fee
schedule, the prevention ledger and the claims, with the SAME seed (common random numbers: the
claims of year ``t`` on path ``p`` come from the same stream in every scenario, so differences
between scenarios are theirs, not Monte Carlo noise). The results are stacked with a
``scenario`` column.

How a scenario's keys become levers:

* ``limits``: the policy under test, every unit at it, the table's minimum lowered to it
  (:func:`ajx_actuarial.scenarios.table_at_limits`). A fixed amount stays fixed; the Beijing
  formula and ``income`` policies are indexed: policy year ``start_year + t`` uses the
  scenario's ``income_year + t`` incomes (beyond the packaged series grown by ``income_growth``),
  so year 1 is the scenario's own limit, as in :func:`ajx_actuarial.stress.run`;
* ``fee_ratio``, ``rules``, ``pooling``, ``cost_inflation``: the levers of the same name;
  ``carry_forward = true``: ``ledger = "carry_forward"``;
* ``table``, ``rate_change``: the rate table; the loss-model keys: the model.

A lever given to :func:`project` that a scenario also sets (its own key, not the set's
``[defaults]``) is a conflict: one :class:`ValidationError`, nothing run. Levers the scenarios do
not set apply to every scenario. Limits below the table's minimum are lifted for the scenarios
that keep the units' own limits, as :func:`ajx_actuarial.stress.run` does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._random import seed_sequence
from ..errors import ValidationError
from ..losses import LimitPolicy
from ..losses.limits import beijing_formula
from ..reference import constant
from ..scenarios import ScenarioSet, load, resolve
from .levers import indexed_income
from .result import ProjectionResult

__all__ = ["project_scenarios", "SCENARIO_LEVERS"]

#: scenario key -> projection lever
SCENARIO_LEVERS = {"limits": "limits", "fee_ratio": "fee_ratio", "rules": "rules", "pooling": "pooling",
                   "cost_inflation": "cost_inflation", "carry_forward": "ledger"}


def _as_set(scenarios) -> ScenarioSet:
    if isinstance(scenarios, ScenarioSet):
        return scenarios
    if isinstance(scenarios, (str, os.PathLike)):
        return load(scenarios)
    if isinstance(scenarios, Sequence) and not isinstance(scenarios, (str, bytes)):
        return ScenarioSet.from_dict({"scenario": list(scenarios)}, source="<list>")
    raise ValidationError(f"project: scenarios must be a scenario set name, a TOML path, a ScenarioSet or a list of scenario dicts, "
                          f"got {type(scenarios).__name__}")


def _limit_schedule(spec: dict, lp: LimitPolicy, years: list[int], growth: float) -> LimitPolicy | dict:
    """The scenario's limit for each policy year: fixed, or its income formula indexed year by year."""
    if spec["policy"] == "fixed":
        return lp
    y0 = int(spec.get("income_year", 2024))
    out = {}
    for t, year in enumerate(years):
        nat, _ = indexed_income(y0 + t, "national", growth)
        if spec["policy"] == "beijing":
            inc, _ = indexed_income(y0 + t, "beijing", growth)
            amount = beijing_formula(inc, nat, spec.get("offset", "death_grant"), lp.floor)
        else:
            inc, _ = indexed_income(y0 + t, spec.get("region", "national"), growth)
            mult = float(spec.get("multiple", 20.0)) / constant("beijing_limit_income_multiple")
            amount = beijing_formula(inc * mult, nat, spec.get("offset", "none"), lp.floor)
        out[year] = LimitPolicy(limit_death=amount, floor=min(lp.floor, amount), medical_share=lp.medical_share,
                                accident_multiple=lp.accident_multiple, annual_multiple=lp.annual_multiple,
                                label=f"{lp.label.split(':')[0]} ({y0 + t} incomes): {amount:,.0f}")
    return out


def project_scenarios(project_fn, book: pd.DataFrame, scenarios, *, years: int, start_year: int, table, model, paths: int, rng,
                      progress, block_years: int, threads, lift_limits: bool, levers: dict) -> ProjectionResult:
    """Run ``project_fn`` (:func:`ajx_actuarial.project`) once per scenario with common random
    numbers and stack the results (see the module docstring)."""
    sset = _as_set(scenarios)
    res = resolve(sset, table=table, model=model)
    ss = seed_sequence(rng)
    yrs = list(range(int(start_year), int(start_year) + int(years)))
    runs = []
    for r in res:
        own = r.scenario.overrides
        lv = dict(levers)
        for key, lever in SCENARIO_LEVERS.items():
            if key in own and lever in levers:
                raise ValidationError(f"project: scenario {r.name!r} sets {key!r} and so does the lever {lever}=; "
                                      f"drop one (a scenario's {key} is the policy under test)")
            if lever in lv or key not in r.overrides:
                continue
            v = r.overrides[key]
            if key == "limits":
                lv["limits"] = _limit_schedule(v, r.limits, yrs, float(levers.get("income_growth", 0.045)))
            elif key == "carry_forward":
                lv["ledger"] = "carry_forward" if v else "provisioned"
            else:
                lv[lever] = v
        if "fee_ratio" not in lv and isinstance(r.fee_ratio, (Mapping, int, float)):
            lv["fee_ratio"] = r.fee_ratio
        try:
            one = project_fn(book, years=years, start_year=start_year, table=r.table, model=r.model, paths=paths,
                             rng=np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key, pool_size=ss.pool_size),
                             progress=progress, block_years=block_years, threads=threads, lift_limits=True if lift_limits is None else lift_limits,
                             **lv)
        except ValidationError as exc:
            raise ValidationError(f"scenario {r.name!r}: {exc}") from exc
        runs.append((r.name, one))
    return _stack(runs)


def _stack(runs: list[tuple[str, ProjectionResult]]) -> ProjectionResult:
    def tagged(frames):
        return pd.concat([f.assign(scenario=name)[["scenario", *f.columns]] for name, f in frames], ignore_index=True)

    first = runs[0][1]
    by_year = tagged([(n, r.by_year) for n, r in runs])
    by_year["scenario"] = pd.Categorical(by_year["scenario"], categories=[n for n, _ in runs], ordered=True)
    prov = dict(first.provenance)
    prov["scenarios"] = {n: r.provenance for n, r in runs}
    prov["seconds_total"] = round(sum(r.provenance.get("seconds_total", 0.0) for _, r in runs), 3)
    return ProjectionResult(by_year=by_year, classes=tagged([(n, r.classes) for n, r in runs]),
                            levers=tagged([(n, r.levers) for n, r in runs]), provenance=prov, priced_start=first.priced_start)
