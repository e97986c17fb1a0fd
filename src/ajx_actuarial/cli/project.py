"""``ajx project``: a multi-year projection of a book (premiums, result, prevention ledger, solvency) as a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..claims.trend import DEFAULT_FREQUENCY_TREND
from ..present import escape_markup, fmt_int, fmt_money, fmt_num, fmt_pct, frame_table, label, progress_bar
from ._app import app, out
from ._pool import pool_option, pool_rules_option, pool_table, pool_test_option, read_pool
from ._common import XLSX_HELP, encoding_option, is_workbook, lang_option, output_option, read_input, run_output, seed_option
from .prevention import parse_fee


def parse_projection_limits(spec: str):
    """``as_priced`` | ``beijing`` | ``fixed:AMOUNT`` | ``AMOUNT`` → the ``limits`` lever."""
    from ..errors import ValidationError

    s = spec.strip().lower()
    if s in ("as_priced", "as-priced", "beijing"):
        return s.replace("-", "_")
    try:
        return float(s.split(":", 1)[1] if s.startswith("fixed:") else s)
    except ValueError as exc:
        raise ValidationError(f"--limits: expected 'as_priced', 'beijing', 'fixed:AMOUNT' or an amount, got {spec!r}") from exc


@app.command()
def project(
    book: Path = typer.Argument(..., help="Portfolio (.csv, .parquet or .xlsx); priced here with --table."),
    years: int = typer.Option(5, "--years", help="Policy years projected (1-50)."),
    start_year: int = typer.Option(2026, "--start-year", help="First policy year."),
    paths: int = typer.Option(1000, "--paths", help="Simulated paths."),
    table: Optional[str] = typer.Option(None, "--table", "-t", help="Packaged rate table or a .toml path (default national-2025; "
                                        "with --scenarios, each scenario's own)."),
    scenarios: Optional[str] = typer.Option(None, "--scenarios", help="Run every scenario of a set through the years with common random "
                                            "numbers: national-2025, regulator-2026 or a TOML file (a lever a scenario sets may not be given too)."),
    fee_ratio: Optional[str] = typer.Option(None, "--fee-ratio", help="Prevention fee, a share of ex-VAT premium, or YEAR:RATIO,... "
                                            "(default: the table's prevention_fee loading)."),
    fee_floor: Optional[float] = typer.Option(None, "--fee-floor", help="Local floor of the fee ratio (e.g. 0.15, Xinzhou)."),
    fee_breach: str = typer.Option("error", "--fee-breach", help="error or flag: a fee below the floor or above the 21 % cap."),
    ledger: Optional[str] = typer.Option(None, "--ledger", help="provisioned (default), carry_forward (Beijing) or not_provisioned (Zhejiang, Xinzhou)."),
    limits: Optional[str] = typer.Option(None, "--limits", help="as_priced (default), beijing (indexed year by year) or an amount (fixed)."),
    income_growth: float = typer.Option(0.045, "--income-growth", help="Urban income growth beyond the data (assumption)."),
    trend: float = typer.Option(DEFAULT_FREQUENCY_TREND, "--trend", help="Yearly frequency trend (default -6.5 %: the midpoint of DOMAIN.md §6.5, as ajx experience)."),
    severity_trend: Optional[float] = typer.Option(None, "--severity-trend", help="Yearly growth of economic losses (default: --income-growth)."),
    rules: Optional[str] = typer.Option(None, "--rules", help="Mandated services: xinzhou-2024 (default), beijing-2017 or a TOML path."),
    pooling: Optional[str] = typer.Option(None, "--pooling", help="insurer (default), segment or policy."),
    cost_inflation: Optional[float] = typer.Option(None, "--cost-inflation", help="Yearly unit-cost inflation of services (default 0.045, assumption)."),
    effectiveness: float = typer.Option(0.0, "--prevention-effectiveness", help="Frequency reduction of a fully served policy (assumption; 0 = off)."),
    initial_capital: Optional[float] = typer.Option(None, "--initial-capital", help="Insurer capital at the start, CNY (default: the C-ROSS minimum of the first year's mean premium and reserve before the combined-ratio adjustment k1, about 100 % of the first year's requirement)."),
    outstanding_ratio: Optional[float] = typer.Option(None, "--outstanding-ratio", help="Outstanding reserve at year end / the year's insured loss "
                                                      "(default: from the claims' development pattern; 0 = reserve risk left out)."),
    lift_limits: Optional[bool] = typer.Option(None, "--lift-limits/--no-lift-limits", help="Raise limits below the table's minimum to it "
                                               "(default: no; yes with --scenarios)."),
    pool: Optional[str] = pool_option(),
    pool_test: Optional[str] = pool_test_option(),
    pool_rules: Optional[str] = pool_rules_option(),
    seed: int = seed_option(),
    output: Path = output_option("Run folder (projection.parquet, projection_summary.parquet, capital.parquet, manifest.json; for `ajx report`). "
                                 + XLSX_HELP, ...),
    encoding: Optional[str] = encoding_option(),
    lang: str = lang_option(),
) -> None:
    """Project a book over several policy years: renewals, trends, limit indexation, the fee ledger, result and solvency.

    Example: ajx project book.parquet --years 5 --fee-ratio 2026:0.15,2028:0.20 --limits beijing --trend -0.06 -o proj

    Example: ajx project book.parquet --scenarios national-2025 --years 5 --paths 500 -o lab.xlsx

    Example: ajx project book.parquet --years 3 --pool pool.toml --pool-rules xinzhou-2024 -o proj
    """
    from ..projection import project as _project
    from ..runs import RunFolder

    from ..errors import ValidationError
    from ..present import check_lang

    lang = check_lang(lang)
    if outstanding_ratio is not None and not 0 <= outstanding_ratio <= 20:
        raise ValidationError(f"--outstanding-ratio: must be in [0, 20], got {outstanding_ratio!r}")
    if initial_capital is not None and not initial_capital >= 0:
        raise ValidationError(f"--initial-capital: must be >= 0 CNY, got {initial_capital!r}")
    pool_spec, initial_capital = read_pool(pool, pool_test, pool_rules, initial_capital)  # a bad pool stops here, nothing run
    df = read_input(book, encoding)
    lev = dict(trend=trend, income_growth=income_growth, severity_trend=severity_trend, fee_floor=fee_floor, on_breach=fee_breach,
               prevention_effectiveness=effectiveness)
    for name, v in (("ledger", ledger), ("rules", rules), ("pooling", pooling), ("cost_inflation", cost_inflation)):
        if v is not None:  # given: a lever (a scenario that sets it too is refused); not given: the default or the scenario's
            lev[name] = v
    if limits is not None:
        lev["limits"] = parse_projection_limits(limits)
    if fee_ratio is not None:
        lev["fee_ratio"] = parse_fee(fee_ratio)
    with run_output(output, lang=lang) as folder:  # the folder is locked from here: a second run is refused before computing
        bar, cb = progress_bar(label("con_projecting", lang).format(n=fmt_int(len(df)), years=years, paths=fmt_int(paths)), out,
                               total=years * paths)
        with bar:
            res = _project(df, years=years, start_year=start_year, table=table, paths=paths, rng=seed, progress=cb,
                           lift_limits=lift_limits, scenarios=scenarios, **lev)
        cap = res.capital(initial_capital=initial_capital, outstanding_ratio=outstanding_ratio)
        p_below = cap.p_below(1.0)
        need = cap.required_initial_capital(0.995)
        if res.scenarios:
            p_below, need = {k: float(v) for k, v in p_below.items()}, {k: float(v) for k, v in need.items()}
        summary = res.summary()
        cap_year = cap.summary().join(cap.internal.drop(columns=["paths"]))
        insurers, insurer_table = pool_table(res, pool_spec, initial_capital, outstanding_ratio) if pool_spec else (None, None)
        inputs = {"book": str(book), "table": res.provenance.get("table", table), "scenarios": scenarios, "policy_years": years,
                  "start_year": start_year, "paths": paths, "limits": limits, "fee_ratio": fee_ratio, "ledger": ledger}
        with RunFolder(folder, kind="project", seed=seed, inputs={k: v for k, v in inputs.items() if v is not None}) as run:
            run.write_table(res.priced_start, "priced.parquet")
            run.write_table(res.by_year, "projection.parquet")
            run.write_table(summary.reset_index(), "projection_summary.parquet")
            run.write_table(res.classes, "projection_classes.parquet")
            run.write_table(res.levers, "projection_levers.parquet")
            run.write_table(cap_year.reset_index(), "capital.parquet")
            if insurers is not None:
                run.write_table(insurers, "by_insurer.parquet")
            run.write_json({"table": res.provenance["table"], "projection": {k: v for k, v in res.provenance.items() if k != "seed"},
                            "capital": {"initial_capital": cap.initial_capital,
                                        "outstanding_ratio": "development pattern" if outstanding_ratio is None else outstanding_ratio,
                                        "p_below_100_any_year": p_below, "required_initial_capital_995": need}}, "summary.json")
            run.finish()
    _print_console(res, cap, cap_year, p_below, need, insurer_table, scenarios, paths, lang)
    where = escape_markup(output, None)
    out.print(label("con_wrote_workbook", lang).format(path=where) if is_workbook(output) else
              label("con_wrote_run", lang).format(path=where))


_MONEY = ("premium", "insured_loss", "underwriting_result", "prevention_budget", "prevention_spent", "carried_forward", "minimum_capital",
          "capital")


def _print_console(res, cap, cap_year, p_below, need, insurer_table, scenarios, paths: int, lang: str) -> None:
    """The projection's console view: money in whole yuan (万/亿 in zh), ratios as percents, years as 2026, and the
    VaR column named for what it is (the loss at 99.5 %: negative when even that path makes a profit)."""
    keys = ["premium", "insured_loss", "underwriting_result", "prevention_budget", "prevention_spent", "carried_forward", "cost_share_funded",
            "mean_float_factor"]
    ids = ["scenario", "year"] if res.scenarios else ["year"]
    wide = res.by_year.groupby(ids, observed=True, sort=False)[keys].mean()
    money = {k: (lambda v: fmt_num(v, lang=lang)) for k in _MONEY}
    where = f"scenarios {scenarios}" if res.scenarios else res.provenance["table"]
    fmts = {**money, "var": money["premium"], "cost_share_funded": fmt_pct, "mean_float_factor": lambda v: f"{v:.3f}",
            "solvency_ratio": fmt_pct, "p5": fmt_pct, "p_below_100": fmt_pct}
    heads = {"var": label("con_var_loss", lang), **{k: label(f"con_col_{k}", lang) for k in ("scenario", "year", *_MONEY, *fmts)
                                                    if k != "var"}}

    def show(frame, title: str, caption: str | None = None) -> None:
        d = frame.reset_index().rename(columns=heads)
        out.print(frame_table(d, title=title, caption=caption, formats={heads.get(k, k): f for k, f in fmts.items()}))

    show(wide, label("con_projection_title", lang).format(paths=fmt_int(paths), where=escape_markup(where, 120)))
    show(cap_year[["minimum_capital", "capital", "solvency_ratio", "p5", "p_below_100", "var"]], label("con_capital_title", lang),
         label("con_var_note", lang))
    if insurer_table is not None:
        out.print(insurer_table)
    if res.scenarios:
        for k in res.scenarios:
            out.print(label("con_p_below_scenario", lang).format(name=escape_markup(k, 80), p=fmt_pct(p_below[k]),
                                                                 need=fmt_money(need[k], lang=lang)))
        out.print(label("con_one_insurer", lang).format(capital=fmt_money(cap.initial_capital, lang=lang)))
    else:
        out.print(label("con_p_below", lang).format(p=fmt_pct(p_below), capital=fmt_money(cap.initial_capital, lang=lang),
                                                    need=fmt_money(need, lang=lang)))
