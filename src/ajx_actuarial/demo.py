"""``ajx demo``: the main job on built-in defaults, end to end, using only the public API.

Synthesise a book → price it (national-2025) → simulate its annual losses → assess the
prevention budget (Xinzhou 2024 mandates, 15 % fee) → run the regulator-2026 stress scenarios
→ write Parquet/JSON outputs and a self-contained HTML report.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from rich.console import Console

from . import stress as _stress
from . import synth
from .losses import simulate
from .portfolio import atomic_path, write_table
from .prevention import assess
from .rating import price
from .report import write_report

__all__ = ["run_demo", "save_stress", "safe_name"]


def safe_name(name: str) -> str:
    """A file-name-safe version of a scenario name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def save_stress(result, out_dir: Path) -> None:
    """Write a stress comparison and each scenario's annual losses (for ``ajx report``)."""
    write_table(result.table.reset_index(), out_dir / "stress.parquet")
    for name, sim in result.simulations.items():
        write_table(sim.annual[["insured_loss"]].reset_index(), out_dir / f"stress_{safe_name(name)}.parquet")


def run_demo(*, n: int = 100_000, years: int = 5_000, stress_years: int = 2_000, seed: int = 2026,
             table: str = "national-2025", out_dir: Path = Path("ajx-demo"), console: Console | None = None) -> dict:
    """Run the demo; returns headline figures (also in ``summary.json``)."""
    from .cli import portfolio_summary_table, premium_summary_table, progress_bar, segment_table

    con = console or Console()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with con.status(f"synthesising {n:,} policies ..."):
        book = synth.portfolio(n, rng=seed)
    write_table(book, out_dir / "portfolio.parquet")
    con.print(portfolio_summary_table(book))

    priced = price(book, table)
    write_table(priced, out_dir / "priced.parquet")
    con.print(premium_summary_table(priced, title=f"Premium by industry, table {table}"))

    bar, cb = progress_bar(f"simulating {years:,} years (first run compiles the numba kernels)")
    with bar:
        sim = simulate(priced, years, rng=seed, progress=cb)
    write_table(sim.annual.reset_index(), out_dir / "simulation.parquet")
    s = sim.summary()["value"]
    con.print(f"simulation: mean insured loss {s['mean insured loss'] / 1e6:,.2f} m CNY, VaR 99.5 % {s['VaR 99.5 % insured'] / 1e6:,.2f} m, "
              f"mean loss ratio {s['mean loss ratio (ex VAT)']:.1%} of ex-VAT premium")

    prev = assess(priced, rules="xinzhou-2024", fee_ratio=0.15)
    write_table(prev.by_policy, out_dir / "prevention.parquet")
    write_table(prev.by_segment.reset_index(), out_dir / "prevention_segments.parquet")
    con.print(segment_table(prev, "Prevention budget: Xinzhou 2024 mandates at a 15 % fee"))

    bar, cb = progress_bar("stress scenarios (regulator-2026)")
    with bar:
        st = _stress.run_detailed(book, "regulator-2026", years=stress_years, rng=seed, progress=cb)
    save_stress(st, out_dir)
    from .cli import frame_table

    con.print(frame_table(st.table[["premium", "expected_loss", "loss_ratio", "var_995", "share_funded", "prevention_shortfall"]],
                          title="Stress scenarios (common random numbers)", float_fmt="{:,.4g}"))

    summary = {
        "policies": int(len(book)), "workers": int(book["headcount"].sum()), "seed": seed, "table": table,
        "premium": float(priced["premium"].sum()), "prevention_budget": float(priced["prevention_budget"].sum()),
        "simulation": {"years": years, "mean_insured_loss": sim.mean(), "var_995": sim.var(0.995), "tvar_99": sim.tvar(0.99),
                       "mean_loss_ratio": float(sim.loss_ratio().mean())},
        "prevention": {k: v for k, v in prev.summary.items() if isinstance(v, (int, float, str))},
    }
    with atomic_path(out_dir / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    report = write_report(out_dir, out_dir / "report.html", title="ajx demo: synthetic 安责险 book")
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    con.print(f"report: {report.resolve()}\noutputs in {out_dir.resolve()} ({summary['seconds']} s)")
    return summary
