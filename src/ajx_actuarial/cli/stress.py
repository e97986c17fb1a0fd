"""``ajx stress``: named scenarios side by side with common random numbers, saved as a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import escape_markup, fmt_int, progress_bar, stress_table
from ._app import app, out
from ._common import MAX_YEARS, XLSX_HELP, encoding_option, is_workbook, output_option, read_input, run_output, seed_option


@app.command()
def stress(
    portfolio: Path = typer.Argument(..., help="Portfolio (.csv, .parquet or .xlsx); it is repriced per scenario."),
    scenarios: str = typer.Option("regulator-2026", "--scenarios", help="Packaged scenario set or a TOML path (see `ajx scenarios show`)."),
    years: int = typer.Option(2_000, "--years", max=MAX_YEARS, help="Simulated years per scenario."),
    table: Optional[str] = typer.Option(None, "--table", "-t", help="Rate table for every scenario (packaged name or .toml path), "
                                        "overriding the scenarios' own."),
    seed: int = seed_option(),
    output: Path = output_option("Run folder for stress.parquet, per-scenario losses and manifest.json (for `ajx report`). " + XLSX_HELP, ...),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Run named scenarios side by side with common random numbers.

    -o DIR writes a run folder (`ajx report DIR` renders it); -o FILE.xlsx writes only an Excel workbook
    (Summary, Scenarios side by side, Levers, Assumptions with sources).

    A scenario's limit is the policy under test: every unit gets it, even below the table's minimum
    (priced through the table's increased-limit factors).

    Example: ajx stress book.parquet --scenarios data/limit_comparison.toml -o stress-out

    Example: ajx stress book.parquet --scenarios national-2025 --table beijing-2026 -o lab.xlsx
    """
    from .. import stress as _stress
    from ..runs import RunFolder, save_stress

    from ..rating import RateTable

    df = read_input(portfolio, encoding)
    sset = _stress.load(scenarios)
    tab = RateTable.load(table) if table is not None else None
    with run_output(output) as folder:
        run = RunFolder(folder, kind="stress", seed=seed, inputs={"portfolio": str(portfolio), "scenarios": str(scenarios), "years": years,
                                                                  "table": table})
        bar, cb = progress_bar(f"{len(sset.scenarios)} scenarios × {fmt_int(years)} years", out, total=len(sset.scenarios) * years)
        with bar:
            res = _stress.run_detailed(df, sset, years=years, rng=seed, progress=cb, table=tab)
        with run:
            save_stress(res, run)
            run.finish()
    out.print(stress_table(res.table, title=f"Stress: {sset.name} (common random numbers, {fmt_int(years)} years)"))
    if is_workbook(output):
        out.print(f"wrote {escape_markup(output, None)} (Excel workbook, {len(sset.scenarios)} scenarios)")
    else:
        out.print(f"wrote {escape_markup(output / 'stress.parquet', None)} and {len(sset.scenarios)} scenario files (manifest.json)")
