"""``ajx synth`` and ``ajx validate``: make or check a portfolio file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer

from ..present import escape_markup, fmt_int, portfolio_summary_table
from ._app import app, out
from ._common import MAX_POLICIES, TABLE_SUFFIXES, encoding_option, n_option, output_option, read_input, seed_option, write_output


@app.command()
def synth(
    n: int = n_option(10_000, "Number of policies.", max=MAX_POLICIES),
    seed: int = seed_option(),
    output: Path = output_option(f"Output file ({TABLE_SUFFIXES}).", ...),
    years: int = typer.Option(0, "--experience-years", max=100, help="Also write policy-year experience for this many years next to OUTPUT "
                              "(…_experience.<ext>; rng=SeedSequence(SEED).spawn(1)[0])."),
) -> None:
    """Generate a synthetic portfolio (and optionally its claim experience).

    Example: ajx synth -n 100000 --seed 1 -o book.parquet
    """
    from .. import synth as _synth

    with out.status(f"synthesising {fmt_int(n)} policies ..."):
        df = _synth.portfolio(n, rng=seed)  # validates the seed too
        # the experience draws from its own stream, spawned from the seed (not seed + 1)
        exp = _synth.experience(df, years, rng=np.random.SeedSequence(seed).spawn(1)[0]) if years else None
    write_output(df, output)
    out.print(f"wrote {fmt_int(len(df))} policies to {escape_markup(output, None)}")
    if exp is not None:
        exp_path = output.with_name(f"{output.stem}_experience{output.suffix}")
        write_output(exp, exp_path)
        out.print(f"wrote {fmt_int(len(exp))} policy-years to {escape_markup(exp_path, None)}")
    out.print(portfolio_summary_table(df))


@app.command()
def validate(
    path: Path = typer.Argument(..., help="Portfolio file (.csv, .parquet or .xlsx; Chinese headers and codes accepted)."),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Validate a portfolio file against the data contract.

    Example: ajx validate data/portfolio_zh.csv
    """
    from ..portfolio import validate_portfolio

    df = validate_portfolio(read_input(path, encoding))
    out.print(f"ok: {escape_markup(path, None)} is a valid portfolio ({fmt_int(len(df))} policies, {len(df.columns)} columns)")
