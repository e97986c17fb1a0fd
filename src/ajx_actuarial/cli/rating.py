"""``ajx price``, ``ajx bms`` and ``ajx calibrate``: rate tables in use."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import escape_markup, fmt_int, frame_table, premium_summary_table, shorten
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


def parse_factors(text: Optional[str]) -> Optional[list[str]]:
    """``"std_grade, violations"`` → ``["std_grade", "violations"]``; ``None`` (option not given): the API's default list."""
    from ..errors import ValidationError

    if text is None:
        return None
    names = [f.strip() for f in text.split(",") if f.strip()]
    if not names:
        raise ValidationError(f"--factors: no column named in {shorten(text)!r}; give e.g. --factors std_grade,violations "
                              "(or leave the option out for the default list)")
    return names


def parse_monotone(items: Optional[list[str]]) -> list[str]:
    """``["std_grade,violations", "rectification"]`` → ``["std_grade", "violations", "rectification"]``."""
    from ..errors import ValidationError

    out: list[str] = []
    for item in items or []:
        names = [x.strip() for x in item.split(",")]
        if not all(names):
            raise ValidationError(f"--monotone: expected FACTOR or FACTOR,FACTOR,... got {item!r}")
        out += [x for x in names if x not in out]
    return out


def parse_fix(items: Optional[list[str]]) -> dict[str, dict[str, float]]:
    """``["std_grade=1:0.9", "std_grade=3:0.95"]`` → ``{"std_grade": {"1": 0.9, "3": 0.95}}``."""
    import math

    from ..errors import ValidationError

    fix: dict[str, dict[str, float]] = {}
    for item in items or []:
        factor, eq, rest = item.partition("=")
        level, colon, value = rest.rpartition(":")
        factor, level, value = factor.strip(), level.strip(), value.strip()
        if not (eq and colon and factor and level and value):
            raise ValidationError(f"--fix: expected FACTOR=LEVEL:VALUE (e.g. std_grade=3:0.95), got {item!r}")
        try:
            v = float(value)
        except ValueError:
            v = math.nan
        if not (math.isfinite(v) and v > 0):
            raise ValidationError(f"--fix {item}: VALUE must be a relativity > 0 (a finite number), got {value!r}")
        if level in fix.get(factor, {}):
            raise ValidationError(f"--fix {item}: {factor}={level} is fixed twice")
        fix.setdefault(factor, {})[level] = v
    return fix


def _check_constraints(res, monotone: list[str], fix: dict[str, dict[str, float]]) -> None:
    """Every --monotone/--fix factor is fitted, every --fix level is one of its non-base levels."""
    from ..errors import ValidationError

    fitted = list(res.factors)
    for f in monotone:
        if f not in fitted:
            raise ValidationError(f"--monotone: unknown factor {f!r}; fitted factors: {fitted}")
    for f, levels in fix.items():
        if f not in fitted:
            raise ValidationError(f"--fix {f}=...: unknown factor {f!r}; fitted factors: {fitted}")
        known = res.relativities.loc[res.relativities["factor"] == f, "level"].astype(str).tolist()
        for lv, v in levels.items():
            if lv not in known:
                raise ValidationError(f"--fix {f}={lv}:{v:g}: unknown level {lv!r} of {f}; levels: {known}")
            if lv == str(res.bases[f]):
                raise ValidationError(f"--fix {f}={lv}:{v:g}: {lv!r} is the base level of {f} (relativity 1 by definition)")


def _print_warnings(caught) -> None:
    """AjxWarnings as one ``warning: ...`` line each on stderr; other warnings re-issued as they were."""
    import sys
    import warnings

    from ..errors import AjxWarning

    for w in caught:
        if issubclass(w.category, AjxWarning):
            print("warning: " + " ".join(str(w.message).split()), file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


@app.command()
def calibrate(
    experience: Path = typer.Argument(..., help="Policy-year experience (.csv, .parquet or .xlsx)."),
    factors: Optional[str] = typer.Option(None, "--factors", help="Comma-separated rating columns (default: size, std_grade, violations, blacklisted, rectification where the experience has them)."),
    bands: Optional[str] = typer.Option(None, "--bands", help="COLUMN=b1:b2;... inclusive upper bounds (default: violations 0 / 1 / 2+)."),
    template: str = typer.Option("national-2025", "--template", help="Rate table whose structure and loadings are kept."),
    target_lr: Optional[float] = typer.Option(None, "--target-lr", help="Target loss ratio (default: implied by the template's loadings)."),
    frequency: str = typer.Option("poisson", "--frequency", help="poisson or negbin."),
    tweedie: bool = typer.Option(False, "--tweedie/--no-tweedie", help="Tweedie pure premium instead of frequency × Gamma severity."),
    monotone: Optional[list[str]] = typer.Option(None, "--monotone", metavar="FACTOR", help="Make FACTOR monotone along its known direction (std_grade 1 <= 2 <= 3 <= 0, violations increasing, blacklisted False <= True, rectification on_time <= late <= overdue_major; else level order), then refit the rest. Repeatable or comma-separated."),
    fix: Optional[list[str]] = typer.Option(None, "--fix", metavar="FACTOR=LEVEL:VALUE", help="FACTOR=LEVEL:VALUE imposes a relativity (e.g. std_grade=1:0.9), then refits the rest. Repeatable."),
    output: Optional[Path] = output_option("Calibrated rate table (.toml)."),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Fit GLM relativities on experience and write a rebalanced rate table.

    Over-dispersed claim counts get quasi-Poisson intervals (the line under the table says which);
    a relativity against its factor's known direction (a discount grade priced as a surcharge)
    prints one 'warning:' line on stderr; --monotone and --fix constrain it.

    Example: ajx calibrate book_experience.parquet --factors std_grade,violations --monotone std_grade --target-lr 0.6 -o table.toml
    """
    import warnings

    from ..errors import AjxWarning, ValidationError
    from ..estimation import calibrate as _calibrate

    if output is not None and output.suffix.lower() != ".toml":
        raise ValidationError(f"-o: the rate table is written as TOML; got {str(output)!r}")
    mono, fixes = parse_monotone(monotone), parse_fix(fix)
    facs = parse_factors(factors)
    if target_lr is not None and not 0 < target_lr < 1.5:  # before the fit, not after it
        raise ValidationError(f"--target-lr: the target loss ratio must be in (0, 1.5), got {target_lr}")
    df = read_input(experience, encoding)
    band_map = parse_bands(bands) if bands else None
    if band_map is not None and facs is not None:
        band_map = {k: v for k, v in band_map.items() if k in facs}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AjxWarning)
        with out.status(f"fitting GLMs on {fmt_int(len(df))} policy-years ..."):
            res = _calibrate(df, facs, bands=band_map, frequency=frequency, severity=None if tweedie else "gamma",
                             pure_premium="tweedie" if tweedie else None)
        if mono or fixes:
            _check_constraints(res, mono, fixes)
            caught.clear()  # the refit's warnings describe the table written
            with out.status("refitting with the constraints ..."):
                res = res.refine(df, fix=fixes, monotone=mono)
        table = res.to_rate_table(template, target_loss_ratio=target_lr, name=output.stem) if output is not None else None
    out.print(frame_table(res.relativities.set_index(["factor", "level"]),
                          title=f"Relativities ({res.path} path, {fmt_int(res.diagnostics['n_fit'])} fitted records)", float_fmt="{:,.4g}"))
    out.print(escape_markup(res.diagnostics["intervals_note"], None))
    if mono or fixes:
        said = [f"monotone {', '.join(mono)}"] if mono else []
        said += [f"fixed {f}={lv}:{v:g}" for f, lv_v in fixes.items() for lv, v in lv_v.items()]
        out.print(escape_markup(f"constrained: {'; '.join(said)} (the other relativities refitted)", None))
    out.print(frame_table(res.base_frequency, title="Base claim frequency per worker-year (base levels)", float_fmt="{:.5f}"))
    _print_warnings(caught)
    if table is not None:
        table.to_toml(output)  # atomic
        cal = table.data["meta"]["calibration"]
        out.print(f"wrote {escape_markup(output, None)}: target loss ratio {cal['target_loss_ratio']:.3f}, "
                  f"off-balance factor {cal['off_balance_factor']:.4f}")
