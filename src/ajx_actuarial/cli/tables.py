"""``ajx tables list|show`` and ``ajx scenarios list|show``: packaged data, tables and scenario sets."""

from __future__ import annotations

import typer

from ..present import escape_markup, frame_table, shorten
from ._app import app, out

tables_app = typer.Typer(help="Packaged reference data and rate tables.\n\nExample: ajx tables show industries",
                         no_args_is_help=True, rich_markup_mode=None)
scenarios_app = typer.Typer(help="Stress-scenario sets: list them, print one as TOML (the format to copy).\n\n"
                                 "Example: ajx scenarios show regulator-2026", no_args_is_help=True,
                            rich_markup_mode=None)
app.add_typer(tables_app, name="tables")
app.add_typer(scenarios_app, name="scenarios")


def _catalogue_table(rows, title: str):
    from rich.table import Table

    t = Table(title=title)
    for c in ("name", "kind", "description"):
        t.add_column(c)
    for name, kind, desc in rows:
        t.add_row(escape_markup(name), escape_markup(kind), escape_markup(desc, 160))
    return t


@tables_app.command("list")
def tables_list() -> None:
    """List packaged reference datasets, rate tables, rule sets and scenario sets.

    Example: ajx tables list
    """
    from ..reference import catalogue

    out.print(_catalogue_table(catalogue(), "Packaged tables"))


@tables_app.command("show")
def tables_show(name: str = typer.Argument(..., help="A name from `ajx tables list`.")) -> None:
    """Show one packaged table (a scenario set is printed as its TOML).

    Example: ajx tables show industries
    """
    from ..errors import ValidationError
    from ..reference import show
    from ..stress import packaged_scenarios

    if name in packaged_scenarios():
        _print_scenarios(name)
        return
    try:
        frames = show(name)
    except ValidationError as exc:  # the name echoed shortened (a 100 000-character name is not printed whole)
        short = shorten(name)
        if short == name:
            raise
        raise ValidationError(str(exc).replace(repr(name), repr(short))) from None
    for title, frame in frames:
        out.print(frame_table(frame, title=title, float_fmt="{:,.6g}", max_rows=60))


def _scenario_text(name: str) -> str:
    from importlib import resources

    return resources.files("ajx_actuarial.reference").joinpath("data", "scenarios", f"{name}.toml").read_text(encoding="utf-8")


def _print_scenarios(name: str) -> None:
    from pathlib import Path

    from rich.syntax import Syntax

    from .. import stress as _stress
    from ..errors import ValidationError

    sset = _stress.load(name)  # validates a user's file; one-line error otherwise
    if name in _stress.packaged_scenarios():
        text = _scenario_text(name)
    else:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:  # pragma: no cover - load() has read it already
            raise ValidationError(f"scenarios: {name!r} is not UTF-8 text") from exc
    out.print(f"# {escape_markup(sset.name, 120)}: {len(sset.scenarios)} scenarios. "
              + escape_markup("Keys a [[scenario]] may set: see `ajx scenarios show --help`.", None))
    out.print(Syntax(text, "toml", theme="ansi_light", word_wrap=True))


@scenarios_app.command("list")
def scenarios_list() -> None:
    """List the packaged scenario sets.

    Example: ajx scenarios list
    """
    from .. import stress as _stress

    rows = [(n, f"{len(_stress.load(n).scenarios)} scenarios", _stress.load(n).description) for n in _stress.packaged_scenarios()]
    out.print(_catalogue_table(rows, "Packaged scenario sets"))


@scenarios_app.command("show")
def scenarios_show(name: str = typer.Argument(..., help="A packaged scenario set or a .toml path.")) -> None:
    """Print a scenario set as TOML: copy it, edit it, pass it to `ajx stress --scenarios FILE`.

    A file has [meta] (name, description), optional [defaults] and one [[scenario]] per scenario
    (name, description and any of: limits = {policy = "fixed", amount = 800000} or
    {policy = "beijing", income_year = 2024}; rate_change; table; frequency_multiplier;
    severity_multiplier; shock_cv; shock_by; counts; frailty_cv; fee_ratio; rules; pooling;
    cost_inflation; carry_forward). Example file: data/limit_comparison.toml.

    Example: ajx scenarios show regulator-2026
    """
    _print_scenarios(name)
