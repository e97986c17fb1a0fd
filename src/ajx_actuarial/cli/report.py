"""``ajx demo`` and ``ajx report``: the main job end to end, and the HTML report (or Excel workbook) of a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import escape_markup
from ._app import app, out
from ._common import MAX_POLICIES, MAX_YEARS, XLSX_HELP, is_workbook, lang_option, n_option, output_option, run_output, seed_option


class _HidePath:
    """The console, less any printed text naming ``hide`` (the temporary run folder of ``-o x.xlsx``)."""

    def __init__(self, console, hide: str):
        self._console, self._hide = console, hide

    def __getattr__(self, name):
        return getattr(self._console, name)

    def __enter__(self):
        self._console.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._console.__exit__(*exc)

    def print(self, *objects, **kwargs) -> None:
        if not any(isinstance(o, str) and self._hide in o for o in objects):
            self._console.print(*objects, **kwargs)


@app.command()
def demo(
    n: int = n_option(100_000, "Policies in the synthetic book.", max=MAX_POLICIES),
    years: int = typer.Option(5_000, "--years", max=MAX_YEARS, help="Simulated years."),
    stress_years: int = typer.Option(2_000, "--stress-years", max=MAX_YEARS, help="Simulated years per stress scenario."),
    seed: int = seed_option(),
    output: Path = output_option("Run folder for the outputs, manifest.json and report.html. " + XLSX_HELP, Path("ajx-demo")),
    lang: str = lang_option(),
    jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", help="Run the whole job under one bundle (`ajx jurisdictions list`, or a bundle TOML): "
                                               "its preset, limit rule, underwriting, rate table, prevention rules and fee schedule."),
    fee_breach: str = typer.Option("error", "--fee-breach", help="A bundle fee below its floor or above its cap: 'error' (stop) or 'flag' (run, report the breach)."),
) -> None:
    """Run the main job on built-in defaults: synthesise, price, simulate, prevention, stress, report.

    -o DIR writes the run folder with report.html; -o FILE.xlsx writes only an Excel workbook of the run (in --lang).

    Example: ajx demo -n 100000 -o ajx-demo --lang zh --jurisdiction xinzhou-2024
    """
    from ..demo import run_demo
    from ..errors import ValidationError
    from ..present import check_lang
    from ..prevention import BREACH_MODES

    if fee_breach not in BREACH_MODES:
        raise ValidationError(f"--fee-breach: must be 'error' or 'flag', got {fee_breach!r}")
    lang = check_lang(lang)
    with run_output(output, lang=lang) as folder:
        console = _HidePath(out, str(folder.resolve())) if folder != output else out
        run_demo(n=n, years=years, stress_years=stress_years, seed=seed, out_dir=folder, console=console, lang=lang,
                 jurisdiction=jurisdiction, fee_breach=fee_breach)
    if is_workbook(output):
        out.print(f"wrote {escape_markup(output.resolve(), None)} (Excel workbook)")


@app.command()
def report(
    folder: Path = typer.Argument(..., help="Run folder (from `ajx demo`, `ajx stress` or `ajx project`)."),
    output: Optional[Path] = output_option("HTML file (default FOLDER/report.html), or an Excel workbook when it ends in .xlsx."),
    lang: str = lang_option(),
    title: Optional[str] = typer.Option(None, "--title", help="Report heading, or the workbook's title (default: by language)."),
) -> None:
    """Write the self-contained HTML report, or an Excel workbook (-o FILE.xlsx), of a run folder (only files listed in its manifest).

    The workbook has a sheet per thing the run holds: Summary, Scenarios side by side, Segments, Years, Capital,
    Levers, Assumptions (loss-model parameters and rate-table loadings with their sources); numbers as numbers.

    Example: ajx report ajx-demo -o report.html --lang zh   (or -o ajx-demo.xlsx)
    """
    from ..report import write_report, write_workbook

    if is_workbook(output):
        path = write_workbook(folder, output, lang=lang, title=title)
    else:
        path = write_report(folder, output, title=title, lang=lang)
    out.print(f"wrote {escape_markup(path, None)}")
