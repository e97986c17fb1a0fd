"""Pricing throughput.

Ours: vectorised ``ajx.price`` (validation included).
Baselines, same run: (1) a row-wise pandas implementation (``DataFrame.apply`` over rows with
the same table), measured on a 20 000-row sample and reported as rows/s; (2) "one pass over
the inputs": the cost of reading every input column once (``headcount × limit_death`` plus a
sum over the other rating columns), the floor for any pricing code; and (3) the cost of writing
the ~25 new columns ``price`` returns (allocation and first-touch page faults), which any code that
returns them pays too.
"""

from __future__ import annotations

import numpy as np

import ajx_actuarial as ajx
from ajx_actuarial.rating import RateTable

from _common import report, timeit


def rowwise_price(df, t: RateTable):
    from ajx_actuarial.reference import INDUSTRIES

    grid, med = t.base_rate_grid, t.medical_grid
    bands, facs = t.size_bands
    lo, hi = t.float_bounds

    def one(r):
        ilf = t.ilf(np.array([INDUSTRIES.index(r["industry"])]), np.array([r["limit_death"]]))[0]
        per_head = t.reference_limit * grid.loc[r["industry"], r["size"]] * ilf + med.loc[r["industry"], r["size"]]
        sf = facs[np.searchsorted(bands, r["headcount"], side="left")]
        f = 1.0
        for fac in t.factors:
            f *= fac.evaluate(r.to_frame().T.infer_objects())[0] if fac.kind == "history" else fac._lookup_scalar(r[fac.column])
        return round(max(r["headcount"] * per_head * sf * min(max(f, lo), hi), t.min_premium), 2)

    return df.apply(one, axis=1)


def one_pass(df):
    s = df["headcount"].to_numpy() * df["limit_death"].to_numpy()
    for c in ("std_grade", "violations", "accidents_3y", "deaths_3y", "claim_free_years"):
        s = s + df[c].to_numpy()
    return s + df["industry"].cat.codes.to_numpy() + df["size"].cat.codes.to_numpy()


def write_floor(n: int, columns: int) -> float:
    """Allocate and fill ``columns`` new float64 arrays of ``n`` (first-touch page faults included)."""
    import time

    t = time.perf_counter()
    arrs = [np.ones(n) for _ in range(columns)]
    dt = time.perf_counter() - t
    del arrs
    return dt


def run(sizes=(1_000_000, 10_000_000)) -> None:
    t = RateTable.load("national-2025")
    sample = ajx.synth.portfolio(20_000, rng=3)
    t_row, ref = timeit(lambda: rowwise_price(sample, t), repeat=1)
    ours_sample = ajx.price(sample, t)["premium"].to_numpy()
    assert np.allclose(ref.to_numpy(dtype=float), ours_sample, atol=0.011), "baseline disagrees with ajx.price"
    row_rate = len(sample) / t_row
    rows = []
    for n in sizes:
        book = ajx.synth.portfolio(n, rng=1)
        new_cols = len(ajx.price(book.head(10), t).columns) - len(ajx.validate_portfolio(book.head(10)).columns)
        # each call's result is dropped before the next (timeit keeps only the last), so freed memory can be reused
        t_ours, _ = timeit(lambda: ajx.price(book, t), repeat=3 if n <= 2_000_000 else 1)
        t_pass, _ = timeit(lambda: one_pass(book), repeat=3)
        t_write = min(write_floor(n, new_cols) for _ in range(3))
        rows.append({"policies": n, "ajx.price s": t_ours, "rows/s": n / t_ours, "row-wise apply rows/s": row_rate,
                     "speed-up vs apply": (n / t_ours) / row_rate, "one pass s": t_pass, "ajx / one pass": t_ours / t_pass,
                     f"write {new_cols} new columns s": t_write, "ajx / (one pass + writes)": t_ours / (t_pass + t_write)})
        del book
    report(rows, "Rating: ajx.price (national-2025, 5 factors) vs row-wise pandas apply (20k sample) and one pass over the inputs")


if __name__ == "__main__":
    run()
