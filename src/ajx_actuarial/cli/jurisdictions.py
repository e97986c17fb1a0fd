"""``ajx jurisdictions list|show``: the packaged jurisdiction bundles (one market's rules each)."""

from __future__ import annotations

import typer

from ..present import escape_markup, frame_table
from ._app import app, out

jurisdictions_app = typer.Typer(help="Jurisdiction bundles: rate table, prevention rules, fee floor/cap and ledger, limit rule, "
                                     "sector lists, underwriting rules, with the source of every number.\n\n"
                                     "Example: ajx jurisdictions show xinzhou-2024", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(jurisdictions_app, name="jurisdictions")


@jurisdictions_app.command("list")
def jurisdictions_list() -> None:
    """List the packaged jurisdiction bundles.

    Example: ajx jurisdictions list
    """
    from rich.table import Table

    from .. import jurisdictions

    t = Table(title="Jurisdiction bundles (ajx demo --jurisdiction NAME)")
    for c in ("name", "seed", "rate table", "ledger", "description"):
        t.add_column(c)
    for name in jurisdictions.list():
        j = jurisdictions.load(name)
        m = j.data["meta"]
        t.add_row(escape_markup(name), escape_markup(str(m.get("seed", ""))), escape_markup(j.data["parts"]["rate_table"]),
                  escape_markup(j.ledger), escape_markup(str(m.get("description", "")), 160))
    out.print(t)


@jurisdictions_app.command("show")
def jurisdictions_show(name: str = typer.Argument(..., help="A name from `ajx jurisdictions list`, or a bundle TOML path.")) -> None:
    """Show one bundle: its parts, what is assumed, and every number with its source and flag.

    Example: ajx jurisdictions show beijing-2026
    """
    from .. import jurisdictions

    for title, frame in jurisdictions.load(name).describe():
        out.print(frame_table(frame, title=title, float_fmt="{:,.6g}", max_rows=80))
