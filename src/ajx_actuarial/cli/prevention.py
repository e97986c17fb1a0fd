"""``ajx prevention``: does the prevention fee fund the mandated services?"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import escape_markup, fmt_int, segment_table
from ._app import app, out
from ._common import TABLE_SUFFIXES, encoding_option, output_option, read_input, write_output


def parse_fee(spec: str):
    """``0.15`` or a schedule ``2026:0.15,2028:0.20`` (each year once: a year named twice is refused, not overwritten)."""
    from ..errors import ValidationError

    bad = f"--fee-ratio: expected a number or YEAR:RATIO,... got {spec!r}"[:300]
    if ":" not in spec:
        try:
            return float(spec)
        except ValueError as exc:
            raise ValidationError(bad) from exc
    sched: dict[int, float] = {}
    for item in spec.split(","):
        try:
            k, v = item.split(":")
            year, ratio = int(k), float(v)
        except ValueError as exc:
            raise ValidationError(bad) from exc
        if year in sched:
            raise ValidationError(f"--fee-ratio: year {year} is listed twice ({sched[year]:g} and {ratio:g}); give each year once")
        sched[year] = ratio
    return sched


def parse_contract(spec: Optional[str]) -> Optional[dict[str, float]]:
    """``hazard_inspection=1,training=2`` → ``{"hazard_inspection": 1.0, "training": 2.0}``."""
    from ..errors import ValidationError

    if not spec:
        return None
    try:
        return {k.strip(): float(v) for k, v in (item.split("=") for item in spec.split(","))}
    except ValueError as exc:
        raise ValidationError(f"--contract: expected TYPE=COUNT,... got {spec!r}") from exc


@app.command()
def prevention(
    priced: Path = typer.Argument(..., help="Priced portfolio (output of `ajx price`)."),
    rules: str = typer.Option("xinzhou-2024", "--rules", help="xinzhou-2024, beijing-2017, aq9010 or a TOML path."),
    fee_ratio: Optional[str] = typer.Option(None, "--fee-ratio", help="Share of ex-VAT premium (<= 0.21), or YEAR:RATIO,... schedule "
                                            "(default: the prevention_fee loading the book was priced with, else 0.15)."),
    pooling: str = typer.Option("insurer", "--pooling", help="insurer (default: the whole book), segment or policy."),
    floor: Optional[float] = typer.Option(None, "--floor", help="A spending floor as a share of ex-VAT premium (Xinzhou: 0.15): "
                                          "mandates paid at cost up to the 21 % cap, the rest of the floor spent on further services."),
    below_floor: str = typer.Option("spend", "--below-floor", help="spend (further services) or flag (a breach) what the mandates leave below the floor."),
    years: int = typer.Option(1, "--years", help="Policy years assessed."),
    carry_forward: bool = typer.Option(False, "--carry-forward/--no-carry-forward", help="Carry unused money to the next year."),
    costs: Optional[str] = typer.Option(None, "--costs", help="Cost table TOML (default: DOMAIN.md §7.4)."),
    contract: Optional[str] = typer.Option(None, "--contract", help="Contract counts for aq9010, e.g. hazard_inspection=1,training=2."),
    output: Optional[Path] = output_option(f"Per-policy results ({TABLE_SUFFIXES})."),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Does the prevention fee fund the mandated services? Per segment and portfolio.

    Example: ajx prevention priced.parquet --rules xinzhou-2024 --fee-ratio 0.15 --pooling insurer -o prev.xlsx
    """
    from ..prevention import assess, priced_fee_ratio

    df = read_input(priced, encoding)
    counts = parse_contract(contract)
    fee = parse_fee(fee_ratio) if fee_ratio is not None else priced_fee_ratio(df, default=0.15)
    res = assess(df, rules=rules, fee_ratio=fee, pooling=pooling, years=years, carry_forward=carry_forward, costs=costs, contract=counts,
                 floor=floor, below_floor=below_floor)
    if output is not None:
        write_output(res.by_policy, output)
        out.print(f"wrote {fmt_int(len(res.by_policy))} policies to {escape_markup(output, None)}")
    out.print(segment_table(res, f"Prevention budget: rules {rules}, fee {fee}, pooling {pooling}"))
