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
    preset: str = typer.Option("national", "--preset", help="national, beijing, shanxi-mining or a preset TOML path (targets with sources)."),
    claims: Optional[str] = typer.Option(None, "--claims", help="Also write the claims ledger valued at this date (YYYY-MM-DD) next to OUTPUT "
                                         "(…_claims.<ext>; the same accidents as the experience; --experience-years years, default 5)."),
    check: bool = typer.Option(False, "--check/--no-check", help="Print the book beside its preset's targets and public anchors."),
) -> None:
    """Generate a synthetic portfolio from a preset (and optionally its experience and claims ledger).

    Example: ajx synth -n 100000 --preset beijing --seed 1 -o book.parquet --experience-years 3 --claims 2026-06-30 --check
    """
    from .. import synth as _synth
    from ..errors import ValidationError

    with out.status(f"synthesising {fmt_int(n)} policies ..."):
        df = _synth.portfolio(n, preset=preset, rng=seed)  # validates the seed and the preset too
        # experience and ledger draw from their own stream, spawned from the seed (not seed + 1)
        stream = np.random.SeedSequence(seed).spawn(1)[0]
        exp = _synth.experience(df, years, rng=stream) if years else None
        ledger = None
        if claims is not None:
            try:
                valuation = np.datetime64(claims, "D")
            except ValueError as exc:
                raise ValidationError(f"--claims: expected a date YYYY-MM-DD, got {claims!r}") from exc
            ledger = _synth.claims(df, years or 5, valuation, rng=stream)
    write_output(df, output)
    out.print(f"wrote {fmt_int(len(df))} policies to {escape_markup(output, None)}")
    for frame, tag, what in ((exp, "experience", "policy-years"), (ledger, "claims", "claim transactions")):
        if frame is not None:
            path = output.with_name(f"{output.stem}_{tag}{output.suffix}")
            write_output(frame, path)
            out.print(f"wrote {fmt_int(len(frame))} {what} to {escape_markup(path, None)}")
    out.print(portfolio_summary_table(df))
    if check:
        from ..present import frame_table
        from ..rating import price

        p = _synth.load_preset(preset)
        res = _synth.check(df, p, priced=price(df, p.rate_table, lift_limits=True))
        cols = [c for c in ("quantity", "generated", "target", "tolerance", "within", "flag") if c in res.columns]
        out.print(frame_table(res[cols], title=f"Book vs preset {escape_markup(p.name, None)} targets", max_rows=200))


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
