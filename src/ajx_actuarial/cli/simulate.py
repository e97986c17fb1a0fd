"""``ajx simulate``: Monte Carlo of a priced book's annual losses after limits."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import escape_markup, fmt_int, frame_table, progress_bar
from ._app import app, out
from ._common import MAX_YEARS, TABLE_SUFFIXES, encoding_option, output_option, read_input, seed_option, write_output


def parse_limits(spec: Optional[str]):
    """``fixed:800000`` | ``beijing:2024`` | ``beijing:2024:death_grant+funeral`` | None → a LimitPolicy."""
    from ..errors import ValidationError
    from ..losses import LimitPolicy

    if spec is None:
        return None
    parts = spec.split(":")
    if parts[0] in ("fixed", "beijing") and len(parts) in ((2,) if parts[0] == "fixed" else (2, 3)):
        try:
            value = float(parts[1]) if parts[0] == "fixed" else int(parts[1])
        except ValueError as exc:
            raise ValidationError(f"--limits: cannot read {spec[:80]!r}: {exc}") from exc
        try:
            return LimitPolicy.fixed(value) if parts[0] == "fixed" else LimitPolicy.beijing(value, *(parts[2:] or []))
        except ValidationError as exc:  # the amount's rule (e.g. at most 100 000 000 CNY per person), named as the option
            raise ValidationError(f"--limits {spec[:80]!r}: {exc}") from exc
    raise ValidationError(f"--limits: expected 'fixed:AMOUNT' or 'beijing:INCOME_YEAR[:OFFSET]', got {spec[:80]!r}")


def check_scheduler(address: Optional[str]) -> None:
    """``--scheduler``: a dask scheduler address (``tcp://HOST:PORT`` or ``HOST:PORT``), checked before anything is read;
    the scheduler itself is reached before any work, within ``losses.simulate.DASK_CONNECT_TIMEOUT`` seconds."""
    from ..errors import ValidationError
    from ..losses.simulate import is_scheduler_address

    if address is None:
        return
    if not is_scheduler_address(address):
        raise ValidationError(f"--scheduler: expected a dask scheduler address such as tcp://10.0.0.5:8786 or HOST:PORT, "
                              f"got {address[:60]!r}")
    try:
        import dask.distributed  # noqa: F401
    except ImportError as exc:  # pragma: no cover
        raise ValidationError("--scheduler: needs dask[distributed] (pip install 'ajx_actuarial[dask]')") from exc


@app.command()
def simulate(
    priced: Path = typer.Argument(..., help="Priced portfolio (output of `ajx price`)."),
    years: int = typer.Option(10_000, "--years", max=MAX_YEARS, help="Simulated years."),
    seed: int = seed_option(),
    output: Optional[Path] = output_option(f"Annual results ({TABLE_SUFFIXES})."),
    limits: Optional[str] = typer.Option(None, "--limits", help="fixed:AMOUNT or beijing:INCOME_YEAR (default: as priced)."),
    counts: Optional[str] = typer.Option(None, "--counts", help="poisson or negbin (default: the loss model's, negbin)."),
    frailty_cv: Optional[float] = typer.Option(None, "--frailty-cv", help="Gamma frailty CV for negbin counts (default: the model's, 0.5)."),
    process_only: bool = typer.Option(False, "--process-only", help="No systemic year effect and no parameter uncertainty "
                                                                     "(process risk alone; default: both on)."),
    shock_cv: float = typer.Option(0.0, "--shock-cv", help="Common-shock CV per simulated year."),
    shock_by: str = typer.Option("industry", "--shock-by", help="industry, region or all."),
    block_years: int = typer.Option(250, "--block-years", help="Years per random-stream block."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address, tcp://HOST:PORT (runs blocks on the "
                                            "cluster; reached within 10 s before any work)."),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Monte Carlo of the portfolio's annual losses after limits.

    The book must be priced (`ajx price`): premiums finite and > 0, float factors within the table's
    bounds; a broken book is refused in one line before any work, and nothing is written.

    Example: ajx simulate priced.parquet --years 10000 --limits beijing:2024 -o sim.parquet
    """
    from ..losses import LossModel, simulate as _simulate
    from ..priced import validate_priced

    # every option first, then the book (a priced one: checked before any work), then the run; the output is
    # written only once everything that could fail has run, so a failure leaves no file behind
    check_scheduler(scheduler)
    kw = {k: v for k, v in (("counts", counts), ("frailty_cv", frailty_cv)) if v is not None}
    if kw.get("counts") == "poisson" and "frailty_cv" not in kw:
        kw["frailty_cv"] = 0.0
    model = LossModel.default(shock_cv=shock_cv, shock_by=shock_by, **kw)
    if process_only:
        model = model.process_only()
    lim = parse_limits(limits)
    df = read_input(priced, encoding)
    validate_priced(df, "simulate")
    bar, cb = progress_bar(f"simulating {fmt_int(years)} years", out, total=years)
    with bar:
        res = _simulate(df, years, rng=seed, model=model, limits=lim, block_years=block_years,
                        backend="dask" if scheduler else "threads", client=scheduler, progress=cb)
    summary = res.summary()
    if output is not None:
        write_output(res.annual.reset_index(), output)
        out.print(f"wrote {fmt_int(res.years)} simulated years to {escape_markup(output, None)}")
    risk = "process risk only" if process_only else (f"systemic year effect CV {model.year_cv:g}, parameter uncertainty "
                                                      + ", ".join(f"{k} {v:g}" for k, v in model.parameter_cv.items()))
    out.print(f"limits: {escape_markup(res.provenance['limits'], None)}; counts: {res.provenance['counts']}; {risk}; seed {seed}")
    out.print(frame_table(summary, title=f"Simulation: {fmt_int(res.provenance['policies'])} policies, {fmt_int(years)} years",
                          float_fmt="{:,.4g}"))
