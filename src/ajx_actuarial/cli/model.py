"""``ajx model show|check|fit``: the loss model with its sources, beside public anchors, fitted to a user's data."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import frame_table
from ._app import app, out
from ._common import encoding_option, output_option, read_input, write_output

model_app = typer.Typer(help="The loss model: every parameter with its source and flag, the public anchors it is checked "
                             "against, and its fit to experience or a claims ledger.\n\nExample: ajx model check book.parquet",
                        no_args_is_help=True, rich_markup_mode=None)
app.add_typer(model_app, name="model")


@model_app.command("show")
def model_show(output: Optional[Path] = output_option("Also write the parameter table (.csv/.xlsx/.parquet/.json).")) -> None:
    """Print the default loss model: per sector frequencies, every parameter with its range, source and flag.

    Example: ajx model show -o model.xlsx
    """
    from ..losses import LossModel

    m = LossModel.default()
    s = m.summary()
    out.print(frame_table(m.frequencies.join(s[["mean_deaths_per_fatal", "disabilities_per_death"]]),
                          title="Frequencies per sector (population averages of the national book)", float_fmt="{:,.4g}"))
    src = m.sources()
    out.print(frame_table(src, title="Every parameter with its range, source and flag (reference/data/loss_model/default.toml; MODEL.md)",
                          float_fmt="{:,.6g}", max_rows=200, wrap=True))
    if output is not None:
        write_output(src, output)
        out.print(f"parameters written to {output}")


@model_app.command("check")
def model_check(book: Optional[Path] = typer.Argument(None, help="A portfolio file (default: the national reference book, 200 000 units)."),
                output: Optional[Path] = output_option("Also write the check (.csv/.xlsx/.parquet/.json)."),
                encoding: str = encoding_option()) -> None:
    """Set the default loss model beside public anchors on a book: figure, model, low, high, source, ok.

    Example: ajx model check book.parquet
    """
    from ..losses import LossModel
    from ..rating.basis import reference_book

    df = reference_book("national") if book is None else read_input(book, encoding)
    c = LossModel.default().check(df)
    out.print(frame_table(c, title=f"Loss model vs public anchors ({'national reference book' if book is None else book.name})",
                          float_fmt="{:,.4g}", wrap=True))
    n_bad = int((~c["ok"]).sum())
    out.print(f"{len(c) - n_bad} of {len(c)} anchors met" + (f"; {n_bad} outside its range" if n_bad else ""))
    if output is not None:
        write_output(c, output)


@model_app.command("fit")
def model_fit(data: Path = typer.Argument(..., help="Policy-year experience, or a claims ledger (with --policies and --valuation)."),
              policies: Optional[Path] = typer.Option(None, "--policies", help="The policies of a claims ledger (exposure, rating columns)."),
              valuation: Optional[str] = typer.Option(None, "--valuation", help="Valuation date of a claims ledger (YYYY-MM-DD)."),
              credibility: str = typer.Option("buhlmann", "--credibility", help="buhlmann (toward the default model), full or none."),
              output: Optional[Path] = output_option("The fit report: one row per parameter (.csv/.xlsx/.parquet/.json)."),
              encoding: str = encoding_option()) -> None:
    """Fit the loss model to experience or a claims ledger by credibility to the default; print the fit report.

    Example: ajx model fit experience.parquet -o fit.xlsx
    """
    from ..losses import LossModel

    d = read_input(data, encoding)
    pol = read_input(policies, encoding) if policies is not None else None
    m = LossModel.fit(d, policies=pol, valuation_date=valuation, credibility=credibility)
    rep = m.fit_report
    out.print(frame_table(rep, title=f"Loss model fitted to {data.name} ({rep.attrs.get('policy_years', 0):,} policy-years, "
                                     f"credibility {credibility}): z = 0 is the prior, 1 the data", float_fmt="{:,.4g}", max_rows=200))
    if output is not None:
        write_output(rep, output)
