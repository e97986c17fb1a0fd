"""Report section: multi-year projection (``ajx project``): fan charts, the prevention ledger, history classes, solvency.

Needs ``projection_summary.parquet`` (:meth:`ProjectionResult.summary`, reset); uses
``capital.parquet`` (C-ROSS summary joined with the VaR view), ``projection_classes.parquet`` and
``projection_levers.parquet`` when the run lists them.
"""

from __future__ import annotations

import pandas as pd

from ..present import fmt_int, fmt_pct, label
from ..present.labels import text_label
from ..present.formats import fmt_cell, fmt_money, fmt_year
from . import _html as h
from . import _words as w
from ._wb_labels import COLUMNS

__all__ = ["render"]

_FANS = ("premium", "insured_loss", "underwriting_result", "combined_ratio", "prevention_budget", "cost_share_funded",
         "carried_forward", "mean_float_factor")


def _col(key: object, lang: str) -> str:
    """A measure's header: the workbook's label, else the report's, else the name."""
    k = str(key)
    return COLUMNS[k][lang == "zh"] if k in COLUMNS else label(k, lang)


def _count(v) -> str:
    """A count with thousands separators (``2,000``), or '' when the run did not record it."""
    return fmt_int(v) if isinstance(v, (int, float)) else ""


def _one_scenario(df: pd.DataFrame, name: str | None) -> pd.DataFrame:
    """``df`` of one scenario, without its ``scenario`` column (a projection run with ``--scenarios``)."""
    if name is None or "scenario" not in df.columns:
        return df
    return df[df["scenario"].astype(str) == name].drop(columns="scenario")


def _scenarios_table(ctx, raw: pd.DataFrame) -> str:
    """Last policy year's path means, one row per scenario (the sections below show the first)."""
    last = raw["year"].max()
    order = list(dict.fromkeys(raw["scenario"].astype(str)))
    comp = raw[raw["year"] == last].pivot_table(index="scenario", columns="measure", values="mean", aggfunc="first")
    cols = [m for m in ("premium", "insured_loss", "underwriting_result", "combined_ratio", "prevention_budget", "cost_share_funded",
                        "mean_float_factor") if m in comp.columns]
    comp = comp.reindex(order)[cols]
    if ctx.run.has("capital.parquet"):
        cap = ctx.table("capital.parquet")
        if "scenario" in cap.columns and "solvency_ratio" in cap.columns:
            comp["solvency_ratio"] = cap[cap["year"] == last].set_index("scenario")["solvency_ratio"].reindex(order).to_numpy()
            cols.append("solvency_ratio")
    comp.columns = [_col(c, ctx.lang) for c in cols]
    comp.index.name = ctx.zh("scenario", "情景")
    fmts = {_col(c, ctx.lang): (fmt_pct if c in ("combined_ratio", "cost_share_funded", "solvency_ratio") else
                                (h.fixed(4) if c == "mean_float_factor" else None)) for c in cols}
    return (h.note(ctx.zh(f"{len(order)} scenarios on common random numbers; policy year {fmt_year(last)}, mean over paths (amounts in CNY a year). "
                          f"The charts and tables below are the first scenario, {order[0]}.",
                          f"{len(order)}个情景，共同随机数；{fmt_year(last)}保单年度，路径均值（金额单位为元/年）。下方图表为第一个情景 {order[0]}。"))
            + h.table(comp, fmts))


def render(ctx) -> str:
    from ..plots import projection_fan_figure, solvency_figure

    raw = ctx.table("projection_summary.parquet")
    base = str(raw["scenario"].iloc[0]) if "scenario" in raw.columns and len(raw) else None
    s = _one_scenario(raw, base).set_index(["year", "measure"])
    have = [m for m in _FANS if m in set(s.index.get_level_values("measure"))]
    years = sorted(set(s.index.get_level_values("year")))
    meta = ctx.summary.get("projection", {})
    body = h.note(ctx.zh(
        f"{_count(meta.get('paths'))} simulated paths of {_count(meta.get('policies'))} policies, policy years {fmt_year(years[0])}-{fmt_year(years[-1])}: each year the book "
        "is repriced with the floating rates on each path's accident histories, the prevention budget meets the mandated services in the "
        "ledger, and the year's claims are simulated per policy. Bands: 5-95 % of paths; dashed: mean.",
        f"{_count(meta.get('paths'))}条模拟路径，{_count(meta.get('policies'))}张保单，保单年度{fmt_year(years[0])}-{fmt_year(years[-1])}：每年按各路径的事故记录浮动费率续保，"
        "事故预防预算按台账支付强制服务，并逐单模拟当年赔案。区间为路径的5%-95%，虚线为均值。"))
    if base is not None:
        body += _scenarios_table(ctx, raw)
    first, last = years[0], years[-1]

    def mean(m, y):
        return float(s.loc[(y, m), "mean"]) if (y, m) in s.index else float("nan")

    body += h.kpis(
        h.kpi(ctx.zh("premium, first → last year", "保费（首年→末年）"), f"{ctx.money(mean('premium', first))} → {ctx.money(mean('premium', last))}",
              ctx.zh(f"mean over paths, a year ({fmt_year(first)} and {fmt_year(last)})", f"路径均值，每年（{fmt_year(first)}年与{fmt_year(last)}年）")),
        h.kpi(ctx.zh("mean combined ratio, last year", "末年平均综合成本率"), fmt_pct(mean("combined_ratio", last))),
        h.kpi(ctx.zh("mandated service cost funded, last year", "末年强制服务费用覆盖率"), fmt_pct(mean("cost_share_funded", last))),
        h.kpi(ctx.zh("mean float factor, first → last", "平均浮动系数（首年→末年）"),
              f"{fmt_cell(mean('mean_float_factor', first), None, '{:.4f}')} → {fmt_cell(mean('mean_float_factor', last), None, '{:.4f}')}"),
    )
    body += h.figure(projection_fan_figure(s.loc[(slice(None), have), :], lang=ctx.figure_lang),
                     ctx.zh("Fan charts by policy year (money in million CNY)", "分年度扇形图（金额单位：百万元）"))
    means = s["mean"].unstack("measure")[have]
    means.columns = [_col(c, ctx.lang) for c in means.columns]
    means.index.name = _col("year", ctx.lang)
    body += h.note(ctx.zh("Mean over paths per policy year; amounts in CNY a year.", "每个保单年度的路径均值；金额单位为元/年。"))
    body += h.table(means, {c: (fmt_pct if k in ("combined_ratio", "cost_share_funded") else (h.fixed(4) if k == "mean_float_factor" else None))
                            for c, k in zip(means.columns, have)})
    if ctx.run.has("capital.parquet"):
        cap = _one_scenario(ctx.table("capital.parquet"), base).set_index("year")
        body += h.figure(solvency_figure(cap, cap, lang=ctx.figure_lang),
                         ctx.zh("C-ROSS phase II solvency ratio of the liability line (Rule 4: RF0 0.203, k1 by combined ratio; "
                                "reserve RF0 0.433; ρ 0.5) and the 99.5 % VaR of the one-year result (the 99.5 % level is an assumption)",
                                "偿二代二期责任险偿付能力充足率（规则第4号：基础因子0.203，k1按综合成本率；准备金0.433；相关系数0.5）"
                                "及一年期承保结果的99.5% VaR（99.5%为假设）"))
        cols = [c for c in ("minimum_capital", "capital", "solvency_ratio", "p5", "p_below_100", "var", "var_unexpected") if c in cap.columns]
        shown = cap[cols].copy()
        shown.columns = [_col(c, ctx.lang) for c in cols]
        shown.index.name = _col("year", ctx.lang)
        pct = {_col(c, ctx.lang) for c in ("solvency_ratio", "p5", "p_below_100")}
        body += h.table(shown, {c: fmt_pct for c in pct})
        if "var" in cols:
            body += h.note(ctx.zh("Amounts in CNY. Loss at VaR: the one-year underwriting loss (−result) exceeded in one year in 200; "
                                  "a negative value is a profit even in that year. Unexpected loss at VaR = that loss − the mean loss.",
                                  "金额单位为元。VaR水平的承保亏损：一年期承保亏损（即承保结果的相反数）200年一遇的水平；负值表示即使在该年份仍有盈利。"
                                  "非预期损失 = 该亏损 − 平均亏损。"))
        c = dict(ctx.summary.get("capital", {}))
        for k in ("p_below_100_any_year", "required_initial_capital_995", "initial_capital"):
            if isinstance(c.get(k), dict):  # a scenario projection: one figure per scenario; this section shows the first
                c[k] = c[k].get(base, next(iter(c[k].values()), None))
        if c:
            body += h.note(ctx.zh(
                f"Initial capital {fmt_money(c.get('initial_capital', 0))} (given, or by default the C-ROSS minimum of the first year's mean "
                f"premium and reserve before the combined-ratio adjustment k1: about 100 % of the first year's requirement); share of paths below 100 % in some year: "
                f"{fmt_pct(c.get('p_below_100_any_year'))}; capital that keeps >= 100 % in every year on 99.5 % of paths: "
                f"{fmt_money(c.get('required_initial_capital_995', 0))}. Stand-alone line: no market, credit or control risk, no diversification.",
                f"初始资本{fmt_money(c.get('initial_capital', 0), lang='zh')}（给定值；默认取首年平均保费与准备金在综合成本率调整k1之前的偿二代最低资本，约为首年要求的100%）；任一年充足率低于100%的路径占比{fmt_pct(c.get('p_below_100_any_year'))}；"
                f"99.5%路径每年不低于100%所需初始资本{fmt_money(c.get('required_initial_capital_995', 0), lang='zh')}。仅本险种，不含市场、信用、控制风险及分散效应。"))
    if ctx.run.has("projection_classes.parquet"):
        classes = _one_scenario(ctx.table("projection_classes.parquet"), base)
        cl = classes.pivot(index="year", columns="class", values="share")
        cl = cl[[c for c in pd.unique(classes["class"]) if c in cl.columns]]
        cl.columns = [text_label(c, ctx.lang) for c in cl.columns]
        body += h.note(ctx.zh("Accident-history classes at each renewal (share of policies, mean over paths): the bonus-malus balance.",
                              "每次续保时的事故记录类别（保单占比，路径均值）：奖惩系统的平衡。"))
        cl.index.name = _col("year", ctx.lang)
        body += h.table(cl, {c: fmt_pct for c in cl.columns})
    if ctx.run.has("projection_levers.parquet"):
        body += h.note(ctx.zh("Levers as run, with their source and flag:", "本次运行的政策参数及其来源与标注："))
        lv = _one_scenario(ctx.table("projection_levers.parquet"), base).copy()
        raw_levers = list(lv["lever"]) if "lever" in lv else [""] * len(lv)
        if "lever" in lv:
            lv["lever"] = [_col(v, ctx.lang) for v in lv["lever"]]
        if "value" in lv:
            lv["value"] = [w.lever_value(k, v, ctx.lang) for k, v in zip(raw_levers, lv["value"])]
        for c in ("source", "flag"):
            if c in lv:
                lv[c] = [text_label(v, ctx.lang) for v in lv[c]]
        body += h.table(lv.rename(columns={c: _col(c, ctx.lang) for c in lv.columns}), index=False)
    return body
