"""``ajx jurisdictions list|show``: the packaged jurisdiction bundles (one market's rules each)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.text import Text

from ..present import escape_markup, fmt_cell, frame_table, label, make_console
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
    import pandas as pd

    from .. import jurisdictions
    from ..jurisdictions.describe import seed_title

    rows = []
    for name in jurisdictions.list():
        j = jurisdictions.load(name)
        m = j.data["meta"]
        rows.append({"name": name, "seed": seed_title(m.get("seed", ""), short=True), "rate table": j.data["parts"]["rate_table"],
                     "ledger": j.ledger, "description": str(m.get("description", ""))})
    out.print(frame_table(pd.DataFrame(rows), title=label("con_bundles_title"), wrap=True, max_rows=1000))


@jurisdictions_app.command("show")
def jurisdictions_show(
    name: str = typer.Argument(..., help="A name from `ajx jurisdictions list`, or a bundle TOML path."),
    full: bool = typer.Option(False, "--full", help="Also the seed's file name and the prevention rule set's mandated services."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the whole text to FILE: .md (Markdown tables) or any other "
                                          "suffix (.txt: the console's text, wrapped to --width)."),
    width: Optional[int] = typer.Option(None, "--width", min=40, max=1000, help="Columns of the text (default: the terminal's, "
                                        "$COLUMNS, or 100 for -o FILE.txt)."),
) -> None:
    """Show one bundle: its parts, what is assumed, and every number with its source and flag; every text whole, wrapped
    to the terminal, never cut.

    Example: ajx jurisdictions show xinzhou-2024 --full -o xinzhou-2024.md
    """
    from .. import jurisdictions
    from ..io import atomic_path
    from ..jurisdictions.describe import sections, to_markdown

    j = jurisdictions.load(name)
    parts = sections(j, full=full)
    if output is None:
        _render(parts, make_console(width=width))
        return
    if output.suffix.lower() in (".md", ".markdown"):
        text = to_markdown(parts, heading=f"{j.name}: {j.title}", cell=fmt_cell)
    else:
        buf = io.StringIO()
        _render(parts, Console(file=buf, width=width or 100, highlight=False, color_system=None, force_terminal=False,
                               legacy_windows=False))
        text = buf.getvalue()
    with atomic_path(output) as tmp:
        tmp.write_text(text, encoding="utf-8")
    out.print(f"wrote {escape_markup(output, None)} ({len(parts)} sections)")


def _render(parts, con) -> None:
    """Each section: its title as a wrapped paragraph, then its table with every text whole (folded, never cut)."""
    for title, frame in parts:
        con.print(Text(str(title), style="bold"))
        con.print(frame_table(frame, float_fmt="{:,.6g}", max_rows=100_000, wrap=True))
