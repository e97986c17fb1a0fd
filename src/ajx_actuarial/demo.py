"""``ajx demo``: the main job on built-in defaults, end to end, using only the public API.

Synthesise a book → price it (``national-2025``) → simulate its annual losses → assess the
prevention budget (Xinzhou 2024 mandates, at the fee the book was priced with: the rate
table's ``prevention_fee`` loading) → run the ``regulator-2026`` stress scenarios → write a
run folder (Parquet/JSON outputs, ``manifest.json`` last, see :mod:`ajx_actuarial.runs`) and
a self-contained HTML report.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from . import stress as _stress
from . import synth
from .errors import ValidationError
from .losses import simulate
from .present import (fmt_millions, fmt_pct, portfolio_summary_table, premium_summary_table, progress_bar, segment_table,
                      stress_table)
from .prevention import assess
from .rating import RateTable, price
from .report import write_report
from .runs import RunFolder, save_stress

__all__ = ["run_demo"]

RULES = "xinzhou-2024"
SCENARIOS = "regulator-2026"


def run_demo(*, n: int = 100_000, years: int = 5_000, stress_years: int = 2_000, seed: int = 2026,
             table: str = "national-2025", out_dir: str | Path = Path("ajx-demo"), console: Console | None = None,
             lang: str = "en") -> dict:
    """Run the demo into the run folder ``out_dir``; returns the headline figures (also in ``summary.json``).

    Parameters
    ----------
    n : int
        Policies in the synthetic book.
    years, stress_years : int
        Simulated years for the book and for each stress scenario.
    seed : int
        Seed (``rng=`` of every step; same seed ⇒ identical outputs).
    table : str
        Rate table; its ``prevention_fee`` loading is also the fee the prevention budget is assessed at.
    out_dir : path-like
        Run folder; a previous run there is replaced (its manifest is removed first).
    console : rich Console, optional
        Where progress and tables go.
    lang : {"en", "zh"}
        Labels of the console tables and the report.

    Examples
    --------
    >>> import tempfile
    >>> s = run_demo(n=200, years=20, stress_years=20, out_dir=tempfile.mkdtemp(), console=Console(quiet=True))  # doctest: +SKIP
    >>> s["prevention"]["fee_ratio"]  # doctest: +SKIP
    0.2
    """
    con = console or Console()
    t0 = time.perf_counter()
    rate_table = RateTable.load(table)
    fee = float(rate_table.loadings["prevention_fee"])
    run = RunFolder(Path(out_dir), kind="demo", seed=seed,
                    inputs={"book": f"synthetic book, ajx_actuarial.synth, seed {seed}", "table": table, "years": years,
                            "stress_years": stress_years, "rules": RULES, "fee_ratio": fee, "scenarios": SCENARIOS})
    for name, v in (("years", years), ("stress_years", stress_years)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValidationError(f"demo: {name} must be an integer >= 1, got {v!r}")
    # Inputs are checked (synthesis, pricing) before the previous run in out_dir is replaced.
    with con.status(f"synthesising {n:,} policies ..."):
        book = synth.portfolio(n, rng=seed)
    priced = price(book, rate_table)
    with run:
        return _run(run, con, t0, book, priced, years=years, stress_years=stress_years, seed=seed, table=table, fee=fee, lang=lang)


def _run(run: RunFolder, con: Console, t0: float, book, priced, *, years, stress_years, seed, table, fee, lang) -> dict:
    run.write_table(book, "portfolio.parquet")
    con.print(portfolio_summary_table(book, lang))
    run.write_table(priced, "priced.parquet")
    con.print(premium_summary_table(priced, title=f"Premium by industry, table {table}", lang=lang))

    bar, cb = progress_bar(f"simulating {years:,} years (first run compiles the numba kernels)", con)
    with bar:
        sim = simulate(priced, years, rng=seed, progress=cb)
    run.write_table(sim.annual.reset_index(), "simulation.parquet")
    s = sim.summary()["value"]
    con.print(f"simulation: mean insured loss {fmt_millions(s['mean insured loss'])}, VaR 99.5 % {fmt_millions(s['VaR 99.5 % insured'])}, "
              f"mean loss ratio {fmt_pct(s['mean loss ratio (ex VAT)'])} of ex-VAT premium")

    prev = assess(priced, rules=RULES, fee_ratio=fee)
    run.write_table(prev.by_policy, "prevention.parquet")
    run.write_table(prev.by_segment.reset_index(), "prevention_segments.parquet")
    con.print(segment_table(prev, f"Prevention budget: Xinzhou 2024 mandates at the table's {fmt_pct(fee, 0)} prevention fee", lang))

    sset = _stress.load(SCENARIOS)
    bar, cb = progress_bar(f"stress scenarios ({SCENARIOS})", con)
    with bar:
        st = _stress.run_detailed(book, sset, years=stress_years, rng=seed, progress=cb)
    save_stress(st, run)
    con.print(stress_table(st.table, title=f"Stress scenarios {SCENARIOS} (common random numbers)", lang=lang))

    summary = {
        "policies": int(len(book)), "workers": int(book["headcount"].sum()), "seed": seed, "table": table,
        "premium": float(priced["premium"].sum()), "premium_ex_vat": float(priced["premium_ex_vat"].sum()),
        "prevention_budget": float(priced["prevention_budget"].sum()),
        "simulation": {"years": years, "mean_insured_loss": sim.mean(), "var_995": sim.var(0.995), "tvar_99": sim.tvar(0.99),
                       "mean_loss_ratio": float(sim.loss_ratio().mean()), "limits": str(sim.provenance.get("limits", "as priced"))},
        "prevention": {**{k: v for k, v in prev.summary.items() if isinstance(v, (int, float, str))},
                       "fee_ratio": fee, "fee_source": f"loadings.prevention_fee of rate table {table}"},
        "stress": {"scenarios": SCENARIOS, "years": stress_years, "fee_ratio_default": sset.defaults.get("fee_ratio", fee)},
    }
    run.write_json(summary, "summary.json")
    run.finish(derived=("report.html",))
    title = "ajx demo：合成安责险业务组合" if lang == "zh" else "ajx demo: synthetic 安责险 book"
    report = write_report(run.folder, run.folder / "report.html", title=title, lang=lang)
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    con.print(f"report: {report.resolve()}\noutputs in {run.folder.resolve()} ({summary['seconds']} s)")
    return summary
