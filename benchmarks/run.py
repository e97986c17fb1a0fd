"""Run the benchmarks: ``python benchmarks/run.py [foundation rating simulation prevention ...] [--quick]``.

Each benchmark times our path and a named baseline in the same process and prints the ratio
(markdown tables). ``--quick`` uses small sizes (a smoke test, not figures to quote).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SUITES = {
    "foundation": ("bench_foundation", {"sizes": (1_000_000, 10_000_000)}, {"sizes": (100_000,)}),
    "rating": ("bench_rating", {"sizes": (1_000_000, 10_000_000)}, {"sizes": (100_000,)}),
    "calibration": ("bench_calibration", {"sizes": (1_000_000, 10_000_000)}, {"sizes": (100_000,)}),
    "prevention": ("bench_prevention", {"sizes": (1_000_000, 10_000_000)}, {"sizes": (100_000,)}),
    "exact": ("bench_exact", {}, {"cases": None, "targets": (1e-4,), "sizes": tuple(2**k for k in range(10, 16)),
                                  "n_ref": 2**18, "repeat": 3, "same_grid": (2**14,)}),
    "claims": ("bench_claims", {"n_policies": 100_000, "n_claims": 1_000_000}, {"n_policies": 10_000, "n_claims": 100_000, "repeat": 1}),
    "simulation": ("bench_simulation", {}, {"n": 20_000, "years": 200, "baseline_years": 20, "naive_years": 5, "grid_years": 200, "stress_years": 200}),
    "scenarios": ("bench_scenarios", {}, {"n": 20_000, "years": 200, "repeat": 1}),
    "synth": ("bench_synth", {}, {"sizes": (100_000,), "claims_policies": (20_000,), "n_naive": 2_000, "n_naive_claims": 1_000}),
    "project": ("bench_project", {}, {"n": 5_000, "years": 2, "paths": 50, "naive_paths": 2}),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("suites", nargs="*", default=list(SUITES), help=f"any of {list(SUITES)}")
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = ap.parse_args()
    import numpy, numba, pandas  # noqa: E401

    import ajx_actuarial

    print(f"# ajx_actuarial {ajx_actuarial.__version__} benchmarks")
    print(f"python {platform.python_version()}, numpy {numpy.__version__}, pandas {pandas.__version__}, "
          f"numba {numba.__version__}, cores {os.cpu_count()}, {platform.machine()}")
    for name in args.suites:
        if name not in SUITES:
            ap.error(f"unknown suite {name!r}; choose from {list(SUITES)}")
        mod, full, quick = SUITES[name]
        importlib.import_module(mod).run(**(quick if args.quick else full))


if __name__ == "__main__":
    main()
