"""``ajx demo`` and ``ajx report``: the main job end to end, and the HTML report of a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import escape_markup
from ._app import app, out
from ._common import MAX_POLICIES, MAX_YEARS, lang_option, n_option, output_option, seed_option


@app.command()
def demo(
    n: int = n_option(100_000, "Policies in the synthetic book.", max=MAX_POLICIES),
    years: int = typer.Option(5_000, "--years", max=MAX_YEARS, help="Simulated years."),
    stress_years: int = typer.Option(2_000, "--stress-years", max=MAX_YEARS, help="Simulated years per stress scenario."),
    seed: int = seed_option(),
    output: Path = output_option("Run folder for the outputs, manifest.json and report.html.", Path("ajx-demo")),
    lang: str = lang_option(),
    jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", help="Run the whole job under one bundle (`ajx jurisdictions list`, or a bundle TOML): "
                                               "its preset, limit rule, underwriting, rate table, prevention rules and fee schedule."),
    fee_breach: str = typer.Option("error", "--fee-breach", help="A bundle fee below its floor or above its cap: 'error' (stop) or 'flag' (run, report the breach)."),
) -> None:
    """Run the main job on built-in defaults: synthesise, price, simulate, prevention, stress, report.

    Example: ajx demo -n 100000 -o ajx-demo --lang zh --jurisdiction xinzhou-2024
    """
    from ..demo import run_demo
    from ..errors import ValidationError
    from ..present import check_lang
    from ..prevention import BREACH_MODES

    if fee_breach not in BREACH_MODES:
        raise ValidationError(f"--fee-breach: must be 'error' or 'flag', got {fee_breach!r}")
    run_demo(n=n, years=years, stress_years=stress_years, seed=seed, out_dir=output, console=out, lang=check_lang(lang),
             jurisdiction=jurisdiction, fee_breach=fee_breach)


@app.command()
def report(
    folder: Path = typer.Argument(..., help="Run folder (from `ajx demo` or `ajx stress`)."),
    output: Optional[Path] = output_option("HTML file (default FOLDER/report.html)."),
    lang: str = lang_option(),
    title: Optional[str] = typer.Option(None, "--title", help="Report heading (default: by language)."),
) -> None:
    """Write the self-contained HTML report of a run folder (only files listed in its manifest).

    Example: ajx report ajx-demo -o report.html --lang zh
    """
    from ..report import write_report

    path = write_report(folder, output, title=title, lang=lang)
    out.print(f"wrote {escape_markup(path, None)}")
