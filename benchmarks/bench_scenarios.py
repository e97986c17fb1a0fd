"""Where a multi-scenario pass spends its time (issue "Performance", goal: 7 scenarios ≤ 1.5 × one),
and the exact expected losses beside the simulation (issue 21, item 4).

Part 1 (:func:`run`): one block of the engine's kernel (:func:`ajx_actuarial.losses.engine.run_block`,
one thread, no Python overhead) on the default book, for grids that add one kind of scenario at a
time: extra limit sets (payouts per scenario on the same accidents), a frequency multiplier above 1
(the extra accident layer, thinned), a common shock (the layer drawn at each year's largest
multiplier). The floor is the one-scenario pass; ``accidents drawn`` counts fatal and
disability accidents (base and extra layer) so that the cost per drawn accident separates
"more accidents" from "more work per accident". Median of ``repeat`` runs.

Part 2 (:func:`run_expected`): ``ajx.expected_loss`` on 10^6 policies (``synth.portfolio(10**6,
rng=1)`` priced with ``national-2025``, default model) against a 2 000-year ``ajx.simulate`` of the
same book (the named baseline; goal ≤ 0.25×) and a floor (a plain numpy pass that reads the inputs
and writes the same output frame, one multiply per column); the first call in the process (laws of
one accident built, nothing cached) is reported apart from the warm median. Then the regulator
grid end to end, ``ajx.stress.run(book, "regulator-2026")`` (300 000 units × 2 000 years), against
``stress.run`` of its baseline scenario alone (goal ≤ 1.5×), with the grid's exact expected losses
one call per scenario beside ``expected_loss_many``. ``python benchmarks/bench_scenarios.py
expected [--quick]`` runs this part alone.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

import ajx_actuarial as ajx
from ajx_actuarial.losses import LimitPolicy, LossModel, SimSpec
from ajx_actuarial.losses.engine import prepare, run_block

from _common import report, timeit

O_ACC, O_MEDN = 6, 9


def run(n: int = 1_000_000, years: int = 2000, repeat: int = 3, expected: bool = True) -> None:
    """Part 1, then part 2 (``expected``) at ``n`` policies and ``years`` years (the grid at 0.3 ``n``)."""
    priced = ajx.price(ajx.synth.portfolio(n, rng=1), "national-2025")
    m = LossModel.default()
    lim = [SimSpec(m), SimSpec(m, LimitPolicy.beijing(2024)), SimSpec(m, LimitPolicy.fixed(800_000))]
    grids = {
        "1 scenario (floor)": [SimSpec(m)],
        "2 severities, one limit set": [SimSpec(m), SimSpec(m.replace(severity_multiplier=1.2))],
        "3 limit sets": lim,
        "frequency × 1.3 alone": [SimSpec(m.replace(frequency_multiplier=1.3))],
        "1 scenario + frequency × 1.3": [SimSpec(m), SimSpec(m.replace(frequency_multiplier=1.3))],
        "3 limit sets + frequency × 1.3": lim + [SimSpec(m.replace(frequency_multiplier=1.3))],
        "the grid's 5 distinct (+ shock cv 0.6)": lim + [SimSpec(m.replace(frequency_multiplier=1.3)), SimSpec(m.replace(shock_cv=0.6))],
    }
    rows, t0, d0 = [], None, None
    for label, specs in grids.items():
        prep, _ = prepare(priced, specs)
        run_block(prep, 1, (0,), 0, 5)  # compiled and warm
        t, (out, _) = timeit(lambda: run_block(prep, 1, (0,), 0, years), repeat)
        # accidents drawn: every base accident is kept by a scenario at multiplier >= 1; the layer by the largest
        drawn = float(np.max(out[:, :, O_ACC] - out[:, :, O_MEDN], axis=1).sum())
        t0, d0 = (t, drawn) if t0 is None else (t0, d0)
        rows.append({"grid": label, "scenarios": len(specs), "seconds": t, "x floor": t / t0, "accidents drawn": drawn / d0,
                     "ns per drawn accident": t / drawn * 1e9})
    report(rows, f"One pass, K scenarios: {n:,} policies, {years:,} years, one thread (kernel only)")
    print("\nread: 'x floor' / 'accidents drawn' is the extra work per accident (payouts per scenario, thinning)")
    if expected:
        run_expected(n=n, years=years, grid_n=max(1000, int(0.3 * n)), grid_years=years, repeat=min(repeat, 2))


# --- part 2: expected_loss on a book (issue 21, item 4) -----------------------------------------------


def _floor_frame(priced, rel, rates):
    """A plain numpy pass over the inputs that writes the output frame (one multiply per column):
    what any per-policy expected loss costs at the least."""
    import pandas as pd

    ind = priced["industry"].cat.codes.to_numpy()
    lam = priced["headcount"].to_numpy(dtype=np.float64) * rel * rates[ind]
    ld = priced["limit_death"].to_numpy(dtype=np.float64)
    cols = {c: lam * (k + 1.0) for k, c in enumerate(("expected_loss", "death", "disability", "medical", "rescue", "third_party",
                                                      "gross_loss", "expected_deaths", "expected_accidents", "aggregate_reduction"))}
    return pd.DataFrame({"policy_id": priced["policy_id"].to_numpy(), "industry": priced["industry"], "size": priced["size"],
                         "headcount": priced["headcount"].to_numpy(), "limit_death": ld, **cols})


def run_expected(n: int = 1_000_000, years: int = 2000, grid_n: int = 300_000, grid_years: int = 2000, repeat: int = 2) -> None:
    """``expected_loss`` vs a ``years``-year ``simulate`` vs the floor on ``n`` policies; the regulator grid
    vs its baseline on ``grid_n`` units (all timed in this run, on this machine's load)."""
    from ajx_actuarial.losses import expected_loss_many
    from ajx_actuarial.portfolio import validate_portfolio
    from ajx_actuarial.scenarios import load, resolve

    print(f"\n# Exact expected losses on a book: {n:,} policies (national preset, national-2025, default model)")
    priced = ajx.price(ajx.synth.portfolio(n, rng=1), "national-2025")
    model = LossModel.default()
    t = time.perf_counter()
    e = ajx.expected_loss(priced)  # first call: laws of one accident built, transforms computed
    t_cold = time.perf_counter() - t
    ajx.simulate(priced.head(1000), 5, rng=1)  # kernels compiled / loaded
    t_exact, t_sim = [], []
    for _ in range(repeat):  # alternate, so both see the same load
        t_exact.append(timeit(lambda: ajx.expected_loss(priced), 1)[0])
        t_sim.append(timeit(lambda: ajx.simulate(priced, years, rng=1), 1)[0])
    t_exact, t_sim = statistics.median(t_exact), statistics.median(t_sim)
    df = validate_portfolio(priced)
    t_rel, rel = timeit(lambda: model.relativity(df), repeat)
    rates = model.rates()["fatal"].to_numpy()
    t_floor, _ = timeit(lambda: _floor_frame(priced, rel, rates), repeat)
    m = e.attrs["method"]
    rows = [
        {"workload": f"ajx.simulate, {years:,} years (baseline)", "seconds": t_sim, "/ simulate": 1.0, "/ floor": t_sim / t_floor, "goal": ""},
        {"workload": "ajx.expected_loss, warm (median)", "seconds": t_exact, "/ simulate": t_exact / t_sim, "/ floor": t_exact / t_floor,
         "goal": "<= 0.25 x simulate"},
        {"workload": "ajx.expected_loss, first call in the process", "seconds": t_cold, "/ simulate": t_cold / t_sim,
         "/ floor": t_cold / t_floor, "goal": ""},
        {"workload": "  of which LossModel.relativity", "seconds": t_rel, "/ simulate": t_rel / t_sim, "/ floor": t_rel / t_floor, "goal": ""},
        {"workload": "floor: numpy pass over the inputs writing the frame", "seconds": t_floor, "/ simulate": t_floor / t_sim,
         "/ floor": 1.0, "goal": ""},
    ]
    report(rows, f"expected_loss vs simulate, {n:,} policies: aggregate term computed on {n - m['aggregate_skipped']:,} "
                 f"(skipped on {m['aggregate_skipped']:,}, proven below {m['aggregate_skipped_max_bound']:.3g} CNY each)")
    met = t_exact / t_sim <= 0.25
    print(f"\ngoal expected_loss <= 0.25 x a {years:,}-year simulate: {t_exact / t_sim:.3f} x warm, {t_cold / t_sim:.3f} x "
          f"first call ({'met' if met else 'MISSED'})")
    del priced, e, df

    # the regulator grid end to end against its baseline alone
    book = ajx.synth.portfolio(grid_n, rng=1)
    sset = load("regulator-2026")
    ajx.stress.run(book.head(2000), [{"name": "baseline"}], years=20)  # warm: kernels, tables, laws
    t_base = timeit(lambda: ajx.stress.run(book, [{"name": "baseline"}], years=grid_years), 1)[0]
    t_grid = timeit(lambda: ajx.stress.run(book, sset, years=grid_years), 1)[0]
    res = resolve(sset)
    base = ajx.price(book, res[0].table, lift_limits=True)
    priced = {r.name: ajx.price(r.limits.apply(book) if r.limits is not None else book, r.table, lift_limits=True) for r in res}
    t_each = timeit(lambda: [ajx.expected_loss(priced[r.name], r.model) for r in res], 1)[0]
    t_many = timeit(lambda: expected_loss_many(base, {r.name: SimSpec(r.model, r.limits) for r in res}), 1)[0]
    rows = [
        {"workload": "stress.run, baseline scenario alone", "seconds": t_base, "ratio": 1.0, "goal": ""},
        {"workload": f"stress.run regulator-2026 ({len(res)} scenarios)", "seconds": t_grid, "ratio": t_grid / t_base,
         "goal": "<= 1.5 x baseline"},
        {"workload": f"  its exact expected losses: expected_loss x {len(res)}", "seconds": t_each, "ratio": t_each / t_base, "goal": ""},
        {"workload": "  the same by expected_loss_many (one book, relativities once)", "seconds": t_many, "ratio": t_many / t_base,
         "goal": ""},
    ]
    report(rows, f"The regulator grid end to end: {grid_n:,} units x {grid_years:,} years")
    print(f"\ngoal grid <= 1.5 x its baseline: {t_grid / t_base:.2f} x ({'met' if t_grid / t_base <= 1.5 else 'MISSED'})")


if __name__ == "__main__":
    if "expected" in sys.argv[1:]:
        run_expected(**({"n": 20_000, "years": 100, "grid_n": 5_000, "grid_years": 50, "repeat": 1} if "--quick" in sys.argv else {}))
    else:
        run()
