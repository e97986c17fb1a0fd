"""``ajx stress``: named scenarios side by side with common random numbers, saved as a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import escape_markup, fmt_int, progress_bar, stress_table
from ._app import app, out
from ._common import MAX_YEARS, encoding_option, output_option, read_input, seed_option


@app.command()
def stress(
    portfolio: Path = typer.Argument(..., help="Portfolio (.csv, .parquet or .xlsx); it is repriced per scenario."),
    scenarios: str = typer.Option("regulator-2026", "--scenarios", help="Packaged scenario set or a TOML path (see `ajx scenarios show`)."),
    years: int = typer.Option(2_000, "--years", max=MAX_YEARS, help="Simulated years per scenario."),
    seed: int = seed_option(),
    output: Path = output_option("Run folder for stress.parquet, per-scenario losses and manifest.json (for `ajx report`).", ...),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Run named scenarios side by side with common random numbers.

    Example: ajx stress book.parquet --scenarios data/limit_comparison.toml -o stress-out
    """
    from .. import stress as _stress
    from ..runs import RunFolder, save_stress

    df = read_input(portfolio, encoding)
    sset = _stress.load(scenarios)
    run = RunFolder(output, kind="stress", seed=seed, inputs={"portfolio": str(portfolio), "scenarios": str(scenarios), "years": years})
    bar, cb = progress_bar(f"{len(sset.scenarios)} scenarios × {fmt_int(years)} years", out)
    with bar:
        res = _stress.run_detailed(df, sset, years=years, rng=seed, progress=cb)
    with run:
        save_stress(res, run)
        run.finish()
    out.print(stress_table(res.table, title=f"Stress: {sset.name} (common random numbers, {fmt_int(years)} years)"))
    out.print(f"wrote {escape_markup(output / 'stress.parquet', None)} and {len(sset.scenarios)} scenario files (manifest.json)")
