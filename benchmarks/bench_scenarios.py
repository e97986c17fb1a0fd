"""Where a multi-scenario pass spends its time (issue "Performance", goal: 7 scenarios ≤ 1.5 × one).

One block of the engine's kernel (:func:`ajx_actuarial.losses.engine.run_block`, one thread,
no Python overhead) on the default book, for grids that add one kind of scenario at a time:
extra limit sets (payouts per scenario on the same accidents), a frequency multiplier above 1
(the extra accident layer, thinned), a common shock (the layer drawn at each year's largest
multiplier). The floor is the one-scenario pass; ``accidents drawn`` counts fatal and
disability accidents (base and extra layer) so that the cost per drawn accident separates
"more accidents" from "more work per accident". Median of ``repeat`` runs.
"""

from __future__ import annotations

import numpy as np

import ajx_actuarial as ajx
from ajx_actuarial.losses import LimitPolicy, LossModel, SimSpec
from ajx_actuarial.losses.engine import prepare, run_block

from _common import report, timeit

O_ACC, O_MEDN = 6, 9


def run(n: int = 1_000_000, years: int = 2000, repeat: int = 3) -> None:
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


if __name__ == "__main__":
    run()
