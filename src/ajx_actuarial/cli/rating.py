"""``ajx price``, ``ajx bms`` and ``ajx calibrate``: rate tables in use."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import escape_markup, fmt_int, frame_table, premium_summary_table
from ._app import app, out
from ._common import TABLE_SUFFIXES, encoding_option, output_option, read_input, write_output


@app.command()
def price(
    portfolio: Path = typer.Argument(..., help="Portfolio file (.csv, .parquet or .xlsx)."),
    table: str = typer.Option("national-2025", "--table", "-t", help="Packaged table name or a .toml path."),
    output: Optional[Path] = output_option(f"Priced portfolio ({TABLE_SUFFIXES})."),
    explain_id: Optional[str] = typer.Option(None, "--explain", help="Print one policy's premium line by line."),
    lift_limits: bool = typer.Option(False, "--lift-limits/--no-lift-limits", help="Raise limits below the table minimum instead of failing."),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Price a portfolio with a rate table.

    Example: ajx price book.parquet --table beijing-2026 -o priced.xlsx --explain 17
    """
    from ..rating import explain, price as _price

    df = read_input(portfolio, encoding)
    with out.status(f"pricing {fmt_int(len(df))} policies ..."):
        priced = _price(df, table, lift_limits=lift_limits)
    if explain_id is not None:
        out.print(escape_markup(explain(priced, explain_id), None))
    if output is not None:
        write_output(priced, output)
        out.print(f"wrote {fmt_int(len(priced))} priced policies to {escape_markup(output, None)}")
    out.print(premium_summary_table(priced, title=f"Premium by industry, table {table}"))


@app.command()
def bms(
    table: str = typer.Option("national-2025", "--table", "-t", help="Rate table whose accident-history factor is analysed."),
    lam: float = typer.Option(0.3, "--lam", help="Annual claim frequency of the policy (or portfolio mean with --shape)."),
    shape: Optional[float] = typer.Option(None, "--shape", help="Gamma shape of the portfolio's frequency (None: one policy)."),
) -> None:
    """Bonus-malus analytics of a rate table's accident-history factor.

    Example: ajx bms --table national-2025 --lam 0.3 --shape 2
    """
    from ..rating import RateTable

    t = RateTable.load(table)
    b = t.bonus_malus(lam)
    summ = b.summary(lam, shape).groupby("relativity", as_index=False)["stationary"].sum()
    gamma = f", gamma shape {shape}" if shape else ""
    out.print(frame_table(summ, title=f"{t.name}: stationary mass by relativity (λ = {lam}{gamma})", float_fmt="{:.4f}"))
    pi = b.stationary(lam) if shape is None else b.portfolio_stationary(lam, shape)
    out.print(f"mean relativity {pi @ b.relativities:.4f}; Loimaranta efficiency at λ = {lam}: {b.efficiency(lam):.4f}; classes {b.n_classes}")


def parse_bands(bands: Optional[str]) -> dict[str, list[float]]:
    """``violations=0:1;claims=0:2`` → ``{"violations": [0, 1], "claims": [0, 2]}``."""
    from ..errors import ValidationError

    band_map: dict[str, list[float]] = {}
    if bands:
        try:
            for item in bands.split(";"):
                col, b = item.split("=")
                band_map[col.strip()] = [float(x) for x in b.split(":")]
        except ValueError as exc:
            raise ValidationError(f"--bands: expected COLUMN=b1:b2;... got {bands!r}") from exc
    return band_map


@app.command()
def calibrate(
    experience: Path = typer.Argument(..., help="Policy-year experience (.csv, .parquet or .xlsx)."),
    factors: Optional[str] = typer.Option(None, "--factors", help="Comma-separated rating columns (default: size, std_grade, violations, blacklisted, rectification where the experience has them)."),
    bands: Optional[str] = typer.Option(None, "--bands", help="COLUMN=b1:b2;... inclusive upper bounds (default: violations 0 / 1 / 2+)."),
    template: str = typer.Option("national-2025", "--template", help="Rate table whose structure and loadings are kept."),
    target_lr: Optional[float] = typer.Option(None, "--target-lr", help="Target loss ratio (default: implied by the template's loadings)."),
    frequency: str = typer.Option("poisson", "--frequency", help="poisson or negbin."),
    tweedie: bool = typer.Option(False, "--tweedie/--no-tweedie", help="Tweedie pure premium instead of frequency × Gamma severity."),
    output: Optional[Path] = output_option("Calibrated rate table (.toml)."),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Fit GLM relativities on experience and write a rebalanced rate table.

    Example: ajx calibrate book_experience.parquet --factors std_grade,violations --target-lr 0.6 -o table.toml
    """
    from ..errors import ValidationError
    from ..estimation import calibrate as _calibrate

    if output is not None and output.suffix.lower() != ".toml":
        raise ValidationError(f"-o: the rate table is written as TOML; got {str(output)!r}")
    df = read_input(experience, encoding)
    facs = [f.strip() for f in factors.split(",") if f.strip()] if factors else None  # None: the API's default list
    band_map = parse_bands(bands) if bands else None
    if band_map is not None and facs is not None:
        band_map = {k: v for k, v in band_map.items() if k in facs}
    with out.status(f"fitting GLMs on {fmt_int(len(df))} policy-years ..."):
        res = _calibrate(df, facs, bands=band_map, frequency=frequency, severity=None if tweedie else "gamma",
                         pure_premium="tweedie" if tweedie else None)
    out.print(frame_table(res.relativities.set_index(["factor", "level"]),
                          title=f"Relativities ({res.path} path, {fmt_int(res.diagnostics['n_fit'])} fitted records)", float_fmt="{:,.4g}"))
    out.print(frame_table(res.base_frequency, title="Base claim frequency per worker-year (base levels)", float_fmt="{:.5f}"))
    if output is not None:
        table = res.to_rate_table(template, target_loss_ratio=target_lr, name=output.stem)
        table.to_toml(output)  # atomic
        cal = table.data["meta"]["calibration"]
        out.print(f"wrote {escape_markup(output, None)}: target loss ratio {cal['target_loss_ratio']:.3f}, "
                  f"off-balance factor {cal['off_balance_factor']:.4f}")
