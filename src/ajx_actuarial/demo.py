"""``ajx demo``: the main job on built-in defaults, end to end.

Synthesises a book and writes it with its summary. Each capability adds its step here;
the demo uses only the public API.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from rich.console import Console

from . import synth
from .portfolio import atomic_path, write_table
from .rating import price

__all__ = ["run_demo"]


def run_demo(*, n: int = 20_000, seed: int = 2026, table: str = "national-2025", out_dir: Path = Path("ajx-demo"), console: Console | None = None) -> dict:
    """Run the demo and return a dict of headline figures (also written to ``summary.json``)."""
    from .cli import portfolio_summary_table, premium_summary_table, segment_table

    con = console or Console()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with con.status(f"synthesising {n:,} policies ..."):
        book = synth.portfolio(n, rng=seed)
    write_table(book, out_dir / "portfolio.parquet")
    con.print(portfolio_summary_table(book))
    with con.status("pricing with national-2025 ..."):
        priced = price(book, table)
    write_table(priced, out_dir / "priced.parquet")
    con.print(premium_summary_table(priced, title=f"Premium by industry, table {table}"))
    from .prevention import assess

    prev = assess(priced, rules="xinzhou-2024", fee_ratio=0.15)
    write_table(prev.by_policy, out_dir / "prevention.parquet")
    con.print(segment_table(prev, "Prevention budget: Xinzhou 2024 mandates at a 15 % fee"))
    summary = {
        "policies": int(len(book)),
        "workers": int(book["headcount"].sum()),
        "table": table,
        "premium": float(priced["premium"].sum()),
        "prevention_budget": float(priced["prevention_budget"].sum()),
        "prevention": {k: v for k, v in prev.summary.items() if isinstance(v, (int, float, str))},
        "seed": seed,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    with atomic_path(out_dir / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    con.print(f"outputs in {out_dir.resolve()}")
    return summary
