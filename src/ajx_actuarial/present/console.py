"""Rich tables and progress bars for the console (CLI and demo).

Every cell and title that may hold user text goes through :func:`escape_markup`, so a
scenario called ``[/bold]`` prints as written and a 300-character name is shortened. Numbers
follow the policy of :mod:`.formats` (:func:`~.formats.fmt_cell`: years as ``2026``, never
scientific notation, whatever ``float_fmt`` a caller passes).
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Mapping

import pandas as pd
from rich.console import Console
from rich.table import Table

from .formats import escape_markup, fmt_cell, fmt_int, fmt_pct
from .labels import code_label, label

__all__ = ["make_console", "refit_console", "frame_table", "portfolio_summary_table", "premium_summary_table", "segment_table", "stress_table",
           "progress_bar"]


def _columns_env() -> int | None:
    try:
        w = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return None
    return w if w >= 20 else None


def _width(stderr: bool, width: int | None) -> int | None:
    stream = sys.stderr if stderr else sys.stdout
    return width or _columns_env() or (None if stream.isatty() else 160)


def make_console(stderr: bool = False, width: int | None = None) -> Console:
    """A console: ``width``, else ``$COLUMNS`` when set, else the terminal's width, or 160 columns when
    piped (files, CI logs)."""
    return Console(highlight=False, width=_width(stderr, width), stderr=stderr)


def refit_console(con: Console, stderr: bool = False) -> Console:
    """``con`` with its width taken again as :func:`make_console` would now (``$COLUMNS``, the terminal,
    or 160 when piped): a long-lived console (the CLI's) follows the environment of each command."""
    con.width = _width(stderr, None)
    return con


def _cell(v, float_fmt: str | None, wrap: bool = False, column: object = None, fmt: Callable | None = None) -> str:
    if fmt is not None and not isinstance(v, str):
        return escape_markup(fmt(v), None)
    if isinstance(v, str) or not (isinstance(v, (int, float)) or hasattr(v, "dtype")):
        return escape_markup(v, None if wrap else 80)
    return escape_markup(fmt_cell(v, column, float_fmt), None)


def frame_table(df: pd.DataFrame, title: str | None = None, float_fmt: str | None = None, max_rows: int = 30,
                wrap: bool = False, formats: Mapping[str, Callable] | None = None, caption: str | None = None) -> Table:
    """A rich Table for a small DataFrame (index included when named); ``wrap``: text cells and the
    title whole, folded over lines (sources and notes), never shortened.

    Numbers follow :func:`~ajx_actuarial.present.formats.fmt_cell` (a year column as ``2026``, never
    scientific notation); ``formats`` maps a column to its own formatter (e.g. ``fmt_pct``).

    Examples
    --------
    >>> t = frame_table(pd.DataFrame({"x": [1.5], "name": ["[/bold]"]}), title="demo")
    >>> t.row_count
    1
    """
    d = df.reset_index() if (df.index.name or isinstance(df.index, pd.MultiIndex)) else df
    formats = dict(formats or {})
    t = Table(title=(escape_markup(title, None if wrap else 200) if title else None), show_lines=False)
    for c in d.columns:
        num = pd.api.types.is_numeric_dtype(d[c].dtype)
        if wrap:  # every text and header whole, folded over lines
            t.add_column(escape_markup(c, None), justify="right" if num else "left", overflow="fold")
        else:
            t.add_column(escape_markup(c), justify="right" if num else "left")
    cols = list(d.columns)
    for row in d.head(max_rows).itertuples(index=False):
        t.add_row(*[_cell(v, float_fmt, wrap, c, formats.get(c)) for v, c in zip(row, cols)])
    notes = [caption] if caption else []
    if len(d) > max_rows:
        notes.append(f"... {len(d) - max_rows} more rows")
    if notes:
        t.caption = escape_markup("; ".join(notes), None)
    return t


def portfolio_summary_table(df: pd.DataFrame, lang: str = "en") -> Table:
    """Policies, share, workers and 3-year accidents by industry."""
    g = df.groupby("industry", observed=True).agg(
        policies=("policy_id", "size"), workers=("headcount", "sum"), accidents_3y=("accidents_3y", "sum"))
    g["share"] = g["policies"] / g["policies"].sum()
    t = Table(title=f"{label('portfolio', lang)}: {fmt_int(len(df))} {label('policies', lang)}, "
                    f"{fmt_int(df['headcount'].sum())} {label('workers', lang)}")
    for c in ("industry", "policies", "share", "workers", "accidents_3y"):
        t.add_column(label(c, lang), justify="left" if c == "industry" else "right")
    for ind, r in g.iterrows():
        t.add_row(escape_markup(code_label(ind, lang)), fmt_int(r.policies), fmt_pct(r.share), fmt_int(r.workers), fmt_int(r.accidents_3y))
    return t


def premium_summary_table(priced: pd.DataFrame, title: str, lang: str = "en") -> Table:
    """Premium, premium per worker, prevention budget, mean float and share at minimum, by industry."""
    g = priced.groupby("industry", observed=True).agg(
        policies=("policy_id", "size"), workers=("headcount", "sum"), premium=("premium", "sum"),
        prevention=("prevention_budget", "sum"), float_mean=("float_factor", "mean"),
        at_min=("min_premium_applied", "mean"))
    t = Table(title=escape_markup(title, 200))
    for key in ("industry", "policies", "premium_cny", "per_worker", "prevention_budget", "mean_float", "at_minimum"):
        t.add_column(label(key, lang), justify="left" if key == "industry" else "right")
    for ind, r in g.iterrows():
        t.add_row(escape_markup(code_label(ind, lang)), fmt_int(r.policies), fmt_int(r.premium), f"{r.premium / r.workers:,.1f}",
                  fmt_int(r.prevention), f"{r.float_mean:.3f}", fmt_pct(r.at_min))
    tot = g.sum(numeric_only=True)
    t.add_row("total" if lang == "en" else "合计", fmt_int(tot.policies), fmt_int(tot.premium), f"{tot.premium / tot.workers:,.1f}",
              fmt_int(tot.prevention), "", "")
    return t


def segment_table(res, title: str, lang: str = "en") -> Table:
    """Mandated segments of a :class:`~ajx_actuarial.prevention.PreventionResult`, with its summary as caption."""
    seg = res.by_segment[res.by_segment["mandated"] > 0]
    t = Table(title=escape_markup(title, 200))
    keys = ("industry", "size", "mandated", "share_funded", "required", "budget", "shortfall_k", "break_even_fee",
            "break_even_premium", "median_premium")
    for k in keys:  # a code too wide for its column folds onto a second line, never cut to "hazardous_che…"
        t.add_column(label(k, lang), justify="left" if k in ("industry", "size") else "right", overflow="fold")
    for (ind, size), r in seg.iterrows():
        t.add_row(escape_markup(code_label(ind, lang)), escape_markup(code_label(size, lang)), fmt_int(r.mandated),
                  fmt_pct(r.share_funded), f"{r.required_cost / 1e3:,.1f}", f"{r.budget / 1e3:,.1f}", f"{r.shortfall / 1e3:,.1f}",
                  fmt_pct(r.break_even_fee_ratio), fmt_int(r.break_even_premium), fmt_int(r.median_premium))
    s = res.summary
    floor = s.get("floor")
    if lang == "zh":
        pool = label(f"con_pooling_{s['pooling']}", "zh")
        t.caption = (f"统筹方式：{s['pooling'] if pool.startswith('con_') else pool}；强制服务成本已支付 {fmt_pct(s.get('services_funded'))}；经费足额占比 {fmt_pct(s['share_funded'])}；"
                     f"缺口 {fmt_int(s['total_shortfall'])} 元；结余 {fmt_int(s['total_surplus'])} 元；"
                     + (f"为达到{fmt_pct(floor, 0)}下限的其他服务 {fmt_int(s.get('total_further', 0))} 元，超出预算 {fmt_int(s.get('total_above_budget', 0))} 元；"
                        if floor is not None else "")
                     + f"支出占不含税保费 {fmt_pct(s.get('spent_share'), 2)}；盈亏平衡费用比例 {fmt_pct(s['break_even_fee_ratio'])}（合并）/ "
                     f"{fmt_pct(s['break_even_fee_ratio_median_policy'])}（保单中位数）")
    else:
        t.caption = (f"pooling {s['pooling']}; mandated services paid {fmt_pct(s.get('services_funded'))} of their cost; "
                     f"mandated units fully funded {fmt_pct(s['share_funded'])}; shortfall {fmt_int(s['total_shortfall'])} CNY; "
                     f"surplus {fmt_int(s['total_surplus'])} CNY; "
                     + (f"further services to reach the {fmt_pct(floor, 0)} floor {fmt_int(s.get('total_further', 0))} CNY, beyond the budget "
                        f"{fmt_int(s.get('total_above_budget', 0))} CNY; " if floor is not None else "")
                     + f"spent {fmt_pct(s.get('spent_share'), 2)} of ex-VAT premium; break-even fee ratio {fmt_pct(s['break_even_fee_ratio'])} (pooled) / "
                     f"{fmt_pct(s['break_even_fee_ratio_median_policy'])} (median policy)")
    return t


def stress_table(table: pd.DataFrame, title: str, lang: str = "en") -> Table:
    """Scenarios side by side: the per-person limit, premium and premium per unit (enterprises),
    the share of victims' loss compensated and of deaths paid in full (victims), the loss ratio,
    VaR 99.5 % and C-ROSS minimum capital (insurer), the share of the mandated services' cost paid (prevention)."""
    t = Table(title=escape_markup(title, 200))
    keys = ("limit_k", "premium_mcny", "premium_per_unit_short", "victims_compensated", "deaths_in_full", "loss_ratio_short",
            "var_995_mcny", "cross_mc_mcny", "mandates_funded")
    rows = []
    for name, r in table.iterrows():
        lim = r.get("limit_death", float("nan"))
        lim_txt = f"{lim / 1e3:,.0f}" if lim == lim else f"~{r.get('mean_limit_death', float('nan')) / 1e3:,.0f}"
        rows.append([escape_markup(name), lim_txt, f"{r['premium'] / 1e6:,.2f}", f"{r.get('premium_per_unit', float('nan')):,.0f}",
                     fmt_pct(r.get("victim_compensation_share", float("nan"))), fmt_pct(r.get("share_deaths_paid_in_full", float("nan"))),
                     fmt_pct(r["loss_ratio"]), f"{r['var_995'] / 1e6:,.2f}", f"{r.get('cross_minimum_capital', float('nan')) / 1e6:,.2f}",
                     fmt_pct(r.get("services_funded", r["share_funded"]))])
    # the scenario's name whole where it fits; a number column no wider than its widest figure (its header wraps), so
    # the nine measures fit beside it at 160 columns (a piped console) instead of the last ones being cropped
    t.add_column(label("scenario", lang), overflow="fold")
    for j, key in enumerate(keys, start=1):
        widest = max((len(row[j]) for row in rows), default=6)
        t.add_column(label(key, lang), justify="right", max_width=max(widest, 8), overflow="fold")
    for row in rows:
        t.add_row(*row)
    return t


class _Bar:
    """The context manager :func:`progress_bar` returns: starts and stops the rich bar (no-op when quiet)."""

    def __init__(self, progress, quiet: bool):
        self.progress, self.quiet = progress, quiet

    def __enter__(self):
        if not self.quiet:
            self.progress.start()
        return self.progress

    def __exit__(self, *exc) -> None:
        if not self.quiet:
            self.progress.stop()


def progress_bar(label_text: str, console: Console | None = None, total: float | None = None):
    """A transient progress bar with a total and an ETA, and a ``callback(done, total)`` that advances it.

    Use as ``bar, cb = progress_bar("simulating 2,000 years", total=2000); with bar: simulate(..., progress=cb)``.
    ``total``, known before the work starts (years, scenarios × years, ...), is shown at once
    (``0/2000``, not ``0/?``); the callback's own ``(done, total)`` steps (e.g. blocks) are then
    scaled to it. Quiet (nothing printed, the callback a no-op) when the console is not a terminal
    (files, pipes, CI logs, tests).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    con = console or make_console()
    quiet = not con.is_terminal
    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   "ETA", TimeRemainingColumn(), console=con, transient=True, disable=quiet)
    known = float(total) if total is not None and total > 0 else None
    task = bar.add_task(escape_markup(label_text, 120), total=known)

    def cb(done: float, steps: float | None = None) -> None:
        if quiet:
            return
        if known is not None:
            bar.update(task, completed=known * done / steps if steps else min(done, known))
        else:
            bar.update(task, completed=done, total=steps)

    return _Bar(bar, quiet), cb
