"""Synthetic portfolio generation and validation throughput.

Ours: vectorised ``ajx.synth.portfolio`` / ``ajx.validate_portfolio``.
Baselines (same run): a per-policy Python loop that draws one policy at a time with the
same Generator calls (synth), and a row-by-row validator over ``itertuples`` (validate),
both on a sample, reported as rows/s. ``python benchmarks/bench_foundation.py export [N]``: the
spreadsheet-safe CSV export against pandas ``to_csv`` of the same frame.
"""

from __future__ import annotations

import numpy as np

import ajx_actuarial as ajx
from ajx_actuarial.reference import INDUSTRIES, SIZES
from ajx_actuarial.synth import load_preset

from _common import report, timeit


def naive_synth(n: int, seed: int) -> list[dict]:
    p = load_preset("national")
    mix = p.industry_mix()
    laws = p.headcount_laws()
    probs = {k: law.class_probs() / law.class_probs().sum() for k, law in laws.items()}
    g = np.random.default_rng(seed)
    pr = np.array([mix[k] for k in INDUSTRIES])
    rows = []
    for i in range(n):
        ind = INDUSTRIES[g.choice(len(INDUSTRIES), p=pr / pr.sum())]
        s = int(g.choice(4, p=probs[ind]))
        lo, hi = laws[ind].class_bounds(SIZES[s])
        head = int(laws[ind].sample(np.array([g.random()]), np.array([float(lo)]), np.array([float(hi)]))[0])
        q = g.standard_normal()
        lam = head * 0.01 * np.exp(-0.3 * q)
        rows.append({"policy_id": i, "industry": ind, "size": SIZES[s], "headcount": head,
                     "std_grade": int(q > 1), "violations": int(g.poisson(0.35)),
                     "accidents_3y": int(g.poisson(3 * lam)), "limit_death": 400_000.0})
    return rows


def naive_validate(df) -> int:
    seen = set()
    for r in df.itertuples(index=False):
        if r.policy_id in seen or r.industry not in INDUSTRIES or r.size not in SIZES:
            raise ValueError(r)
        if not (isinstance(r.headcount, (int, np.integer)) and r.headcount >= 1):
            raise ValueError(r)
        if not (0 <= r.std_grade <= 3) or r.violations < 0 or r.accidents_3y < 0 or not r.limit_death > 0:
            raise ValueError(r)
        seen.add(r.policy_id)
    return len(seen)


def run(sizes=(1_000_000, 10_000_000)) -> None:
    rows = []
    n_naive = 20_000
    t_ns, _ = timeit(lambda: naive_synth(n_naive, 1), repeat=1)
    book_small = ajx.synth.portfolio(200_000, rng=1)
    t_nv, _ = timeit(lambda: naive_validate(book_small), repeat=1)
    base_synth, base_val = n_naive / t_ns, len(book_small) / t_nv
    for n in sizes:
        t_s, book = timeit(lambda: ajx.synth.portfolio(n, rng=1), repeat=1 if n > 2_000_000 else 3)
        t_v, _ = timeit(lambda: ajx.validate_portfolio(book), repeat=1 if n > 2_000_000 else 3)
        rows.append({"rows": n, "synth s": t_s, "synth rows/s": n / t_s,
                     "naive synth rows/s": base_synth, "synth ratio": (n / t_s) / base_synth,
                     "validate s": t_v, "validate rows/s": n / t_v,
                     "naive validate rows/s": base_val, "validate ratio": (n / t_v) / base_val})
        del book
    report(rows, "Foundation: synthetic portfolio and validation (naive baselines: per-row Python loops, measured on 20k / 200k rows)")


def run_export(n: int = 1_000_000) -> None:
    """Spreadsheet-safe CSV export (issue 23): ``io.write_table`` (neutralises formula-like text cells, then writes)
    against its floor, pandas ``to_csv`` of the same frame with nothing neutralised, in the same run."""
    import tempfile
    from pathlib import Path

    priced = ajx.price(ajx.synth.portfolio(n, rng=1), "national-2025")
    d = Path(tempfile.mkdtemp())
    t_floor, _ = timeit(lambda: priced.to_csv(d / "floor.csv", index=False, encoding="utf-8-sig", lineterminator="\r\n"), repeat=3)
    t_ours, _ = timeit(lambda: ajx.write_table(priced, d / "ours.csv"), repeat=3)
    t_mask, _ = timeit(lambda: ajx.io.neutralise_text(priced), repeat=3)
    report([{"rows": n, "columns": priced.shape[1], "write_table s": t_ours, "to_csv floor s": t_floor, "ratio": t_ours / t_floor,
             "neutralise alone s": t_mask, "neutralise / floor": t_mask / t_floor}],
           "Export: write_table CSV (formula-like text neutralised) vs pandas to_csv of the same frame (floor)")


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["export"]:
        run_export(int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
    else:
        run()
