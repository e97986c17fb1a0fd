"""The ``ajx`` command line.

Every command reads CSV or Parquet, writes Parquet/CSV/JSON atomically and prints a short
summary. Bad input prints one line on stderr (``error: ...``) and exits with code 2, leaving
no partial output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click
import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import AjxError

app = typer.Typer(
    name="ajx",
    help="Pricing, loss simulation and prevention budgets for Work Safety Liability Insurance (安责险).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
tables_app = typer.Typer(help="Packaged reference data and rate tables.", no_args_is_help=True)
app.add_typer(tables_app, name="tables")

# Wide output when piped or captured (files, CI logs); the terminal's width otherwise.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _version_cb(value: bool) -> None:
    if value:
        print(f"ajx_actuarial {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version_cb, is_eager=True, help="Print the version and exit."),
) -> None:
    """ajx: 安责险 actuarial toolkit."""


def frame_table(df, title: str | None = None, float_fmt: str = "{:,.2f}", max_rows: int = 30) -> Table:
    """A rich Table for a small DataFrame (index included when named)."""
    import pandas as pd

    t = Table(title=title, show_lines=False)
    d = df.reset_index() if (df.index.name or isinstance(df.index, pd.MultiIndex)) else df
    for c in d.columns:
        t.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(d[c].dtype) else "left")
    for _, row in d.head(max_rows).iterrows():
        t.add_row(*[float_fmt.format(v) if isinstance(v, float) else str(v) for v in row])
    if len(d) > max_rows:
        t.caption = f"... {len(d) - max_rows} more rows"
    return t


# ----------------------------------------------------------------------------- synth / validate


@app.command()
def synth(
    n: int = typer.Option(10_000, "--n", help="Number of policies."),
    seed: int = typer.Option(2026, "--seed", help="Random seed (same seed ⇒ identical file)."),
    output: Path = typer.Option(..., "-o", "--output", help="Output file (.parquet or .csv)."),
    years: int = typer.Option(0, "--experience-years", help="Also write policy-year experience for this many years next to OUTPUT (…_experience.<ext>)."),
) -> None:
    """Generate a synthetic portfolio (and optionally its claim experience).

    Example: ajx synth --n 100000 --seed 1 -o book.parquet
    """
    from . import synth as _synth
    from .portfolio import write_table

    with out.status(f"synthesising {n:,} policies ..."):
        df = _synth.portfolio(n, rng=seed)
        exp = _synth.experience(df, years, rng=seed + 1) if years else None
    write_table(df, output)
    out.print(f"wrote {len(df):,} policies to {output}")
    if exp is not None:
        exp_path = output.with_name(f"{output.stem}_experience{output.suffix}")
        write_table(exp, exp_path)
        out.print(f"wrote {len(exp):,} policy-years to {exp_path}")
    out.print(portfolio_summary_table(df))


def portfolio_summary_table(df) -> Table:
    g = df.groupby("industry", observed=True).agg(
        policies=("policy_id", "size"), workers=("headcount", "sum"), accidents_3y=("accidents_3y", "sum")
    )
    g["share"] = g["policies"] / g["policies"].sum()
    t = Table(title=f"Portfolio: {len(df):,} policies, {int(df['headcount'].sum()):,} workers")
    for c in ("industry", "policies", "share", "workers", "accidents_3y"):
        t.add_column(c, justify="left" if c == "industry" else "right")
    for ind, r in g.iterrows():
        t.add_row(str(ind), f"{int(r.policies):,}", f"{r.share:.1%}", f"{int(r.workers):,}", f"{int(r.accidents_3y):,}")
    return t


@app.command()
def validate(path: Path = typer.Argument(..., help="Portfolio file (.csv or .parquet).")) -> None:
    """Validate a portfolio file against the data contract.

    Example: ajx validate book.csv
    """
    from .portfolio import read_portfolio

    df = read_portfolio(path)
    out.print(f"ok: {path} is a valid portfolio ({len(df):,} policies, {len(df.columns)} columns)")


# ----------------------------------------------------------------------------- tables


@tables_app.command("list")
def tables_list() -> None:
    """List packaged reference datasets and rate tables.

    Example: ajx tables list
    """
    from .reference import catalogue

    t = Table(title="Packaged tables")
    t.add_column("name")
    t.add_column("kind")
    t.add_column("description")
    for name, kind, desc in catalogue():
        t.add_row(name, kind, desc)
    out.print(t)


@tables_app.command("show")
def tables_show(name: str = typer.Argument(..., help="A name from `ajx tables list`.")) -> None:
    """Show one packaged table.

    Example: ajx tables show industries
    """
    from .reference import show

    for title, frame in show(name):
        out.print(frame_table(frame, title=title, float_fmt="{:,.6g}", max_rows=60))


# ----------------------------------------------------------------------------- rating


@app.command()
def price(
    portfolio: Path = typer.Argument(..., help="Portfolio file (.csv or .parquet)."),
    table: str = typer.Option("national-2025", "--table", "-t", help="Packaged table name or a .toml path."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Priced portfolio (.parquet/.csv/.json)."),
    explain_id: Optional[str] = typer.Option(None, "--explain", help="Print one policy's premium line by line."),
    lift_limits: bool = typer.Option(False, "--lift-limits", help="Raise limits below the table minimum instead of failing."),
) -> None:
    """Price a portfolio with a rate table.

    Example: ajx price book.parquet --table beijing-2026 -o priced.parquet --explain 17
    """
    from .portfolio import read_table, write_table
    from .rating import explain, price as _price

    df = read_table(portfolio)
    with out.status(f"pricing {len(df):,} policies ..."):
        priced = _price(df, table, lift_limits=lift_limits)
    if explain_id is not None:
        out.print(explain(priced, explain_id))
    if output is not None:
        write_table(priced, output)
        out.print(f"wrote {len(priced):,} priced policies to {output}")
    out.print(premium_summary_table(priced, title=f"Premium by industry, table {table}"))


def premium_summary_table(priced, title: str) -> Table:
    g = priced.groupby("industry", observed=True).agg(
        policies=("policy_id", "size"), workers=("headcount", "sum"), premium=("premium", "sum"),
        prevention=("prevention_budget", "sum"), float_mean=("float_factor", "mean"),
        at_min=("min_premium_applied", "mean"),
    )
    t = Table(title=title)
    for c in ("industry", "policies", "premium (CNY)", "per worker", "prevention budget", "mean float", "at minimum"):
        t.add_column(c, justify="left" if c == "industry" else "right")
    for ind, r in g.iterrows():
        t.add_row(str(ind), f"{int(r.policies):,}", f"{r.premium:,.0f}", f"{r.premium / r.workers:,.1f}",
                  f"{r.prevention:,.0f}", f"{r.float_mean:.3f}", f"{r.at_min:.1%}")
    tot = g.sum(numeric_only=True)
    t.add_row("total", f"{int(tot.policies):,}", f"{tot.premium:,.0f}", f"{tot.premium / tot.workers:,.1f}", f"{tot.prevention:,.0f}", "", "")
    return t


@app.command()
def bms(
    table: str = typer.Option("national-2025", "--table", "-t", help="Rate table whose accident-history factor is analysed."),
    lam: float = typer.Option(0.3, "--lam", help="Annual claim frequency of the policy (or portfolio mean with --shape)."),
    shape: Optional[float] = typer.Option(None, "--shape", help="Gamma shape of the portfolio's frequency (None: one policy)."),
) -> None:
    """Bonus-malus analytics of a rate table's accident-history factor.

    Example: ajx bms --table national-2025 --lam 0.3 --shape 2
    """
    from .rating import RateTable

    t = RateTable.load(table)
    b = t.bonus_malus()
    summ = b.summary(lam, shape).groupby("relativity", as_index=False)["stationary"].sum()
    out.print(frame_table(summ, title=f"{t.name}: stationary mass by relativity (λ = {lam}{', gamma shape ' + str(shape) if shape else ''})", float_fmt="{:.4f}"))
    pi = b.stationary(lam) if shape is None else b.portfolio_stationary(lam, shape)
    out.print(f"mean relativity {pi @ b.relativities:.4f}; Loimaranta efficiency at λ = {lam}: {b.efficiency(lam):.4f}; classes {b.n_classes}")


@app.command()
def calibrate(
    experience: Path = typer.Argument(..., help="Policy-year experience (.csv/.parquet)."),
    factors: str = typer.Option("std_grade,violations,blacklisted,rectification", "--factors", help="Comma-separated rating columns."),
    bands: Optional[str] = typer.Option("violations=0:1", "--bands", help="COLUMN=b1:b2;... inclusive upper bounds, e.g. violations=0:1."),
    template: str = typer.Option("national-2025", "--template", help="Rate table whose structure and loadings are kept."),
    target_lr: Optional[float] = typer.Option(None, "--target-lr", help="Target loss ratio (default: implied by the template's loadings)."),
    frequency: str = typer.Option("poisson", "--frequency", help="poisson or negbin."),
    tweedie: bool = typer.Option(False, "--tweedie", help="Tweedie pure premium instead of frequency × Gamma severity."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Calibrated rate table (.toml)."),
) -> None:
    """Fit GLM relativities on experience and write a rebalanced rate table.

    Example: ajx calibrate book_experience.parquet --factors std_grade,violations --target-lr 0.6 -o table.toml
    """
    from .errors import ValidationError
    from .portfolio import read_table
    from .rating import calibrate as _calibrate

    df = read_table(experience)
    band_map = {}
    if bands:
        try:
            for item in bands.split(";"):
                col, b = item.split("=")
                band_map[col.strip()] = [float(x) for x in b.split(":")]
        except ValueError as exc:
            raise ValidationError(f"--bands: expected COLUMN=b1:b2;... got {bands!r}") from exc
    facs = [f.strip() for f in factors.split(",") if f.strip()]
    band_map = {k: v for k, v in band_map.items() if k in facs}
    with out.status(f"fitting GLMs on {len(df):,} policy-years ..."):
        res = _calibrate(df, facs, bands=band_map, frequency=frequency, severity=None if tweedie else "gamma",
                         pure_premium="tweedie" if tweedie else None)
    out.print(frame_table(res.relativities.set_index(["factor", "level"]), title=f"Relativities ({res.path} path, {res.diagnostics['n_fit']:,} fitted records)", float_fmt="{:,.4g}"))
    out.print(frame_table(res.base_frequency, title="Base claim frequency per worker-year (base levels)", float_fmt="{:.5f}"))
    if output is not None:
        if output.suffix.lower() != ".toml":
            raise ValidationError(f"-o: the rate table is written as TOML; got {str(output)!r}")
        table = res.to_rate_table(template, target_loss_ratio=target_lr, name=output.stem)
        table.to_toml(output)
        cal = table.data["meta"]["calibration"]
        out.print(f"wrote {output}: target loss ratio {cal['target_loss_ratio']:.3f}, off-balance factor {cal['off_balance_factor']:.4f}")


# ----------------------------------------------------------------------------- simulation


def parse_limits(spec: Optional[str]):
    """``fixed:800000`` | ``beijing:2024`` | ``beijing:2024:death_grant+funeral`` | None."""
    from .errors import ValidationError
    from .losses import LimitPolicy

    if spec is None:
        return None
    parts = spec.split(":")
    try:
        if parts[0] == "fixed" and len(parts) == 2:
            return LimitPolicy.fixed(float(parts[1]))
        if parts[0] == "beijing" and len(parts) in (2, 3):
            return LimitPolicy.beijing(int(parts[1]), *(parts[2:] or []))
    except ValueError as exc:
        raise ValidationError(f"--limits: cannot read {spec!r}: {exc}") from exc
    raise ValidationError(f"--limits: expected 'fixed:AMOUNT' or 'beijing:INCOME_YEAR[:OFFSET]', got {spec!r}")


def progress_bar(label: str):
    """A rich progress bar and a ``callback(done, total)`` that advances it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=out, transient=True)
    task = bar.add_task(label, total=None)

    def cb(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, cb


@app.command()
def simulate(
    priced: Path = typer.Argument(..., help="Priced portfolio (output of `ajx price`)."),
    years: int = typer.Option(10_000, "--years", help="Simulated years."),
    seed: int = typer.Option(2026, "--seed", help="Random seed."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Annual results (.parquet/.csv)."),
    limits: Optional[str] = typer.Option(None, "--limits", help="fixed:AMOUNT or beijing:INCOME_YEAR (default: as priced)."),
    counts: str = typer.Option("poisson", "--counts", help="poisson or negbin."),
    frailty_cv: float = typer.Option(0.0, "--frailty-cv", help="Gamma frailty CV for negbin counts."),
    shock_cv: float = typer.Option(0.0, "--shock-cv", help="Common-shock CV per simulated year."),
    shock_by: str = typer.Option("industry", "--shock-by", help="industry, region or all."),
    block_years: int = typer.Option(250, "--block-years", help="Years per random-stream block."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (runs blocks on the cluster)."),
) -> None:
    """Monte Carlo of the portfolio's annual losses after limits.

    Example: ajx simulate priced.parquet --years 10000 --limits beijing:2024 -o sim.parquet
    """
    from .losses import LossModel, simulate as _simulate
    from .portfolio import read_table, write_table

    df = read_table(priced)
    model = LossModel.default(counts=counts, frailty_cv=frailty_cv, shock_cv=shock_cv, shock_by=shock_by)
    lim = parse_limits(limits)
    bar, cb = progress_bar(f"simulating {years:,} years")
    with bar:
        res = _simulate(df, years, rng=seed, model=model, limits=lim, block_years=block_years,
                        backend="dask" if scheduler else "threads", client=scheduler, progress=cb)
    if output is not None:
        write_table(res.annual.reset_index(), output)
        out.print(f"wrote {res.years:,} simulated years to {output}")
    out.print(f"limits: {res.provenance['limits']}; counts: {res.provenance['counts']}; seed {seed}")
    out.print(frame_table(res.summary(), title=f"Simulation: {res.provenance['policies']:,} policies, {years:,} years", float_fmt="{:,.4g}"))


# ----------------------------------------------------------------------------- prevention


def parse_fee(spec: str):
    """``0.15`` or a schedule ``2026:0.15,2028:0.20``."""
    from .errors import ValidationError

    try:
        if ":" in spec:
            return {int(k): float(v) for k, v in (item.split(":") for item in spec.split(","))}
        return float(spec)
    except ValueError as exc:
        raise ValidationError(f"--fee-ratio: expected a number or YEAR:RATIO,... got {spec!r}") from exc


def segment_table(res, title: str) -> Table:
    seg = res.by_segment[res.by_segment["mandated"] > 0]
    t = Table(title=title)
    for c in ("industry", "size", "mandated", "share funded", "required", "budget", "shortfall", "break-even fee", "break-even premium", "median premium"):
        t.add_column(c, justify="left" if c in ("industry", "size") else "right")
    for (ind, size), r in seg.iterrows():
        t.add_row(str(ind), str(size), f"{int(r.mandated):,}", f"{r.share_funded:.1%}", f"{r.required_cost:,.0f}", f"{r.budget:,.0f}",
                  f"{r.shortfall:,.0f}", f"{r.break_even_fee_ratio:.1%}", f"{r.break_even_premium:,.0f}", f"{r.median_premium:,.0f}")
    s = res.summary
    t.caption = (f"share funded {s['share_funded']:.1%}; shortfall {s['total_shortfall']:,.0f}; surplus {s['total_surplus']:,.0f}; "
                 f"break-even fee ratio {s['break_even_fee_ratio']:.1%} (pooled) / {s['break_even_fee_ratio_median_policy']:.1%} (median policy)")
    return t


@app.command()
def prevention(
    priced: Path = typer.Argument(..., help="Priced portfolio (output of `ajx price`)."),
    rules: str = typer.Option("xinzhou-2024", "--rules", help="xinzhou-2024, beijing-2017, aq9010 or a TOML path."),
    fee_ratio: str = typer.Option("0.15", "--fee-ratio", help="Share of ex-VAT premium (<= 0.21), or YEAR:RATIO,... schedule."),
    pooling: str = typer.Option("policy", "--pooling", help="policy, segment or insurer."),
    years: int = typer.Option(1, "--years", help="Policy years assessed."),
    carry_forward: bool = typer.Option(False, "--carry-forward", help="Unused money carried to the next year."),
    costs: Optional[str] = typer.Option(None, "--costs", help="Cost table TOML (default: DOMAIN.md §7.4)."),
    contract: Optional[str] = typer.Option(None, "--contract", help="Contract counts for aq9010, e.g. hazard_inspection=1,training=2."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Per-policy results (.parquet/.csv)."),
) -> None:
    """Does the prevention fee fund the mandated services? Per segment and portfolio.

    Example: ajx prevention priced.parquet --rules xinzhou-2024 --fee-ratio 0.15 --pooling insurer
    """
    from .portfolio import read_table, write_table
    from .prevention import assess

    df = read_table(priced)
    counts = None
    if contract:
        from .errors import ValidationError

        try:
            counts = {k.strip(): float(v) for k, v in (item.split("=") for item in contract.split(","))}
        except ValueError as exc:
            raise ValidationError(f"--contract: expected TYPE=COUNT,... got {contract!r}") from exc
    res = assess(df, rules=rules, fee_ratio=parse_fee(fee_ratio), pooling=pooling, years=years, carry_forward=carry_forward, costs=costs, contract=counts)
    if output is not None:
        write_table(res.by_policy, output)
        out.print(f"wrote {len(res.by_policy):,} policies to {output}")
    out.print(segment_table(res, f"Prevention budget: rules {rules}, fee {fee_ratio}, pooling {pooling}"))


# ----------------------------------------------------------------------------- demo


@app.command()
def demo(
    n: int = typer.Option(100_000, "--n", help="Policies in the synthetic book."),
    years: int = typer.Option(5_000, "--years", help="Simulated years."),
    stress_years: int = typer.Option(2_000, "--stress-years", help="Simulated years per stress scenario."),
    seed: int = typer.Option(2026, "--seed", help="Random seed."),
    out_dir: Path = typer.Option(Path("ajx-demo"), "--out", help="Folder for the outputs and report.html."),
) -> None:
    """Run the main job on built-in defaults: synthesise, price, simulate, prevention, stress, report.

    Example: ajx demo --n 100000 --out ajx-demo
    """
    from .demo import run_demo

    run_demo(n=n, years=years, stress_years=stress_years, seed=seed, out_dir=out_dir, console=out)


@app.command()
def stress(
    portfolio: Path = typer.Argument(..., help="Portfolio (.csv/.parquet); it is repriced per scenario."),
    scenarios: str = typer.Option("regulator-2026", "--scenarios", help="Packaged scenario set or a TOML path."),
    years: int = typer.Option(2_000, "--years", help="Simulated years per scenario."),
    seed: int = typer.Option(2026, "--seed", help="Random seed (common to all scenarios)."),
    output: Path = typer.Option(..., "-o", "--output", help="Folder for stress.parquet and per-scenario losses."),
) -> None:
    """Run named scenarios side by side with common random numbers.

    Example: ajx stress book.parquet --scenarios regulator-2026 -o stress-out
    """
    from . import stress as _stress
    from .demo import save_stress
    from .portfolio import read_table

    df = read_table(portfolio)
    sset = _stress.load(scenarios)
    bar, cb = progress_bar(f"{len(sset.scenarios)} scenarios × {years:,} years")
    with bar:
        res = _stress.run_detailed(df, sset, years=years, rng=seed, progress=cb)
    output.mkdir(parents=True, exist_ok=True)
    save_stress(res, output)
    out.print(frame_table(res.table.drop(columns=["description"]), title=f"Stress: {sset.name}", float_fmt="{:,.4g}"))
    out.print(f"wrote {output / 'stress.parquet'}")


@app.command()
def report(
    folder: Path = typer.Argument(..., help="Folder of saved outputs (from ajx demo or ajx stress)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="HTML file (default FOLDER/report.html)."),
) -> None:
    """Write the self-contained HTML report from saved outputs.

    Example: ajx report ajx-demo -o report.html
    """
    from .report import write_report

    path = write_report(folder, output)
    out.print(f"wrote {path}")


# ----------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: an AjxError becomes one stderr line and code 2."""
    try:
        rv = app(args=argv, standalone_mode=False, prog_name="ajx")
        return rv if isinstance(rv, int) else 0
    except AjxError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        print("error: aborted", file=sys.stderr)
        return 1
    except click.ClickException as exc:
        exc.show(file=sys.stderr)
        return exc.exit_code


def run() -> None:  # console-script entry point
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
