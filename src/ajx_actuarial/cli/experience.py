"""``ajx experience``: a claims ledger and a policy register to policy-year experience at ultimate."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import escape_markup, fmt_int, frame_table, progress_bar
from ._app import app, out
from ._common import TABLE_SUFFIXES, encoding_option, output_option, read_input, write_output


def _tail(value: Optional[str]):
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return value  # a curve name; the API validates it


def _triangle_frame(tri):
    """The book's cumulative triangle (segments summed) with accident years as the index."""
    t = tri.sum(axis=0) if tri.shape[0] > 1 else tri
    df = t.to_frame(origin_as_datetime=True)
    df.index = [ts.year for ts in df.index]
    df.index.name = "accident year"
    df.columns = [f"{c}m" for c in df.columns]
    return df


@app.command()
def experience(
    policies: Path = typer.Option(..., "--policies", help="Policy register: a portfolio, or policy-years with 'year' (.csv, .parquet, .xlsx)."),
    claims: Path = typer.Option(..., "--claims", help="Claims ledger, one row per transaction (.csv, .parquet, .xlsx)."),
    valuation: str = typer.Option(..., "--valuation", help="Valuation date, YYYY-MM-DD: later transactions and reports are ignored."),
    output: Path = output_option(f"Policy-year experience at ultimate ({TABLE_SUFFIXES}).", ...),
    method: str = typer.Option("chainladder", "--method", help="Development of losses: chainladder, bf or capecod."),
    apriori: Optional[float] = typer.Option(None, "--apriori", help="BF a-priori ratio to the weight (premium if the register has it, else exposure)."),
    by: Optional[str] = typer.Option(None, "--by", help="Segment triangles by register column(s), comma-separated, e.g. industry."),
    basis: Optional[str] = typer.Option(None, "--basis", help="incurred or paid (default: incurred when the ledger has case_reserve)."),
    tail: Optional[str] = typer.Option(None, "--tail", help="Tail factor (a number >= 1) or a curve: exponential, inverse_power."),
    trend: bool = typer.Option(False, "--trend/--no-trend", help="Trend to the rating year: frequency -6.5 %/yr, severity with income."),
    rating_year: Optional[int] = typer.Option(None, "--rating-year", help="Rating year for --trend, 1980-2100 (default: valuation year + 1)."),
    cap: Optional[float] = typer.Option(None, "--cap", help="Cap each claim at this amount (CNY) and spread the excess by industry."),
    catastrophe: bool = typer.Option(False, "--catastrophe/--no-catastrophe", help="Take out accidents with >= 3 deaths; load them back from the loss model."),
    min_age: int = typer.Option(12, "--min-age", help="Months an accident year needs to enter the experience."),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Build policy-year experience at ultimate from a claims ledger (chain ladder, BF or Cape Cod).

    Prints the triangles and development factors; writes experience that `ajx calibrate` reads.

    Example: ajx experience --policies book.parquet --claims ledger.parquet --valuation 2026-06-30 -o exp.parquet --method chainladder
    """
    from ..claims import experience_from_claims
    from ..errors import ValidationError

    if cap is not None and catastrophe:
        raise ValidationError("--cap and --catastrophe: choose one large-loss treatment")
    large = {"cap": cap} if cap is not None else ("catastrophe" if catastrophe else None)
    trend_spec = ({"to_year": rating_year} if rating_year is not None else "default") if trend else None
    if rating_year is not None and not trend:
        raise ValidationError("--rating-year: only with --trend")
    pol = read_input(policies, encoding)
    led = read_input(claims, encoding)
    segments = [c.strip() for c in by.split(",") if c.strip()] if by else None
    bar, tick = progress_bar(f"developing {fmt_int(len(led))} transactions", out)
    with bar:
        res = experience_from_claims(pol, led, valuation, method=method, apriori=apriori, by=segments, basis=basis,
                                     tail=_tail(tail), trend=trend_spec, large=large, min_age=min_age, progress=tick)
    p = res.provenance
    for measure, fmt in ((p["basis"], "{:,.0f}"), ("claims", "{:,.0f}")):
        out.print(frame_table(_triangle_frame(res.triangles[measure]), title=f"Cumulative {measure} by accident year and age "
                              f"(valued {p['valuation_date']}{', all segments' if segments else ''})", float_fmt=fmt))
    ldf = res.ldf.loc[[p["basis"], "claims"]]
    out.print(frame_table(ldf, title="Age-to-age factors used (chainladder; a segment's missing factor is the book's)", float_fmt="{:.4f}"))
    summ = res.summary()[["exposure", "paid", "incurred", "ultimate", "ibnr", "claims_reported", "claims_ultimate"]]
    out.print(frame_table(summ, title=f"Ultimates by accident year ({p['method']}, {p['basis']} basis)", float_fmt="{:,.0f}"))
    write_output(res.experience, output)
    out.print(f"wrote {fmt_int(len(res.experience))} policy-years ({', '.join(map(str, p['years']))}) to {escape_markup(output, None)}")
