"""Multi-year projection throughput: ``ajx.project`` against a path-by-path loop.

Ours: ``ajx.project`` (one ``price()`` a year, vectorised renewals of every path and policy from a
two-byte history state, one ``simulate(events=True)`` a year for all paths).
Baseline, same run: the straightforward loop a modeller writes first, path by path and year by
year: write the path's history columns into the book, ``price()`` it, ``simulate(years=1,
events=True)``, update the histories from the claims; measured on a few paths and reported as
path-years per second.
"""

from __future__ import annotations

import numpy as np

import ajx_actuarial as ajx

from _common import report, timeit


def naive(book, years: int, paths: int, table: str, seed: int = 1) -> float:
    """Path-by-path loop; returns the total insured loss (to keep the work honest)."""
    total = 0.0
    for p in range(paths):
        df = book.copy()
        hist = np.zeros((len(df), 3), dtype=np.int64)  # claims in each of the last 3 years (deaths ignored: cheaper than ours)
        free = df["claim_free_years"].to_numpy().copy()
        for t in range(years):
            df["accidents_3y"] = hist.sum(axis=1)
            df["deaths_3y"] = 0
            df["max_accident_deaths_3y"] = 0
            df["claim_free_years"] = free
            priced = ajx.price(df, table)
            model = ajx.LossModel.default(frequency_multiplier=0.94**t)
            res = ajx.simulate(priced, years=1, rng=np.random.SeedSequence([seed, p, t]), model=model, events=True)
            ev = res.events
            c = np.zeros(len(df), dtype=np.int64)
            c[ev["row"].to_numpy()] = ev["claims"].to_numpy()
            hist = np.column_stack([hist[:, 1:], c])
            free = np.where(c > 0, 0, free + 1)
            total += float(res.annual["insured_loss"].iloc[0])
    return total


def run(n: int = 100_000, years: int = 5, paths: int = 1000, naive_paths: int = 3, table: str = "beijing-2026") -> None:
    book = ajx.synth.portfolio(n, preset="beijing", rng=1)
    kw = dict(years=years, table=table, paths=paths, rng=7, limits="beijing", fee_ratio={2026: 0.15, 2028: 0.20},
              ledger="carry_forward", rules="beijing-2017")
    ajx.project(book.head(200), **{**kw, "paths": 2})  # compile the kernels outside the timing
    t, res = timeit(lambda: ajx.project(book, **kw), repeat=1)
    tn, _ = timeit(lambda: naive(book, years, naive_paths, table), repeat=1)
    ours = paths * years / t
    base = naive_paths * years / tn
    rows = [{"policies": n, "years": years, "paths": paths, "project s": t, "of which simulate s": res.provenance["seconds_simulate"],
             "path-years/s": ours, "naive path-years/s": base, "speed-up": ours / base,
             "state MB": n * paths * res.provenance["state_bytes_per_path_policy"] / 1e6}]
    report(rows, f"Projection: ajx.project vs a path-by-path price()+simulate() loop ({naive_paths} paths), beijing book, {table}")


if __name__ == "__main__":
    run()
