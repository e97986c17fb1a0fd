"""Report section: multi-year projection (``ajx project``): fan charts, the prevention ledger, history classes, solvency.

Needs ``projection_summary.parquet`` (:meth:`ProjectionResult.summary`, reset); uses
``capital.parquet`` (C-ROSS summary joined with the VaR view), ``projection_classes.parquet`` and
``projection_levers.parquet`` when the run lists them.
"""

from __future__ import annotations

import pandas as pd

from ..present import fmt_pct
from . import _html as h

__all__ = ["render"]

_FANS = ("premium", "insured_loss", "underwriting_result", "combined_ratio", "prevention_budget", "cost_share_funded",
         "carried_forward", "mean_float_factor")


def render(ctx) -> str:
    from ..plots import projection_fan_figure, solvency_figure

    s = ctx.table("projection_summary.parquet").set_index(["year", "measure"])
    have = [m for m in _FANS if m in set(s.index.get_level_values("measure"))]
    years = sorted(set(s.index.get_level_values("year")))
    meta = ctx.summary.get("projection", {})
    body = h.note(ctx.zh(
        f"{meta.get('paths', '')} simulated paths of {meta.get('policies', '')} policies, policy years {years[0]}-{years[-1]}: each year the book "
        "is repriced with the floating rates on each path's accident histories, the prevention budget meets the mandated services in the "
        "ledger, and the year's claims are simulated per policy. Bands: 5-95 % of paths; dashed: mean.",
        f"{meta.get('paths', '')}条模拟路径，{meta.get('policies', '')}张保单，保单年度{years[0]}-{years[-1]}：每年按各路径的事故记录浮动费率续保，"
        "事故预防预算按台账支付强制服务，并逐单模拟当年赔案。区间为路径的5%-95%，虚线为均值。"))
    first, last = years[0], years[-1]

    def mean(m, y):
        return float(s.loc[(y, m), "mean"]) if (y, m) in s.index else float("nan")

    body += h.kpis(
        h.kpi(ctx.zh("premium, first → last year", "保费（首年→末年）"), f"{mean('premium', first) / 1e6:,.2f} → {mean('premium', last) / 1e6:,.2f} m",
              ctx.zh("mean over paths, million CNY", "路径均值，百万元")),
        h.kpi(ctx.zh("mean combined ratio, last year", "末年平均综合成本率"), fmt_pct(mean("combined_ratio", last))),
        h.kpi(ctx.zh("mandated service cost funded, last year", "末年强制服务费用覆盖率"), fmt_pct(mean("cost_share_funded", last))),
        h.kpi(ctx.zh("mean float factor, first → last", "平均浮动系数（首年→末年）"), f"{mean('mean_float_factor', first):.4f} → {mean('mean_float_factor', last):.4f}"),
    )
    body += h.figure(projection_fan_figure(s.loc[(slice(None), have), :], lang=ctx.figure_lang),
                     ctx.zh("Fan charts by policy year (money in million CNY)", "分年度扇形图（金额单位：百万元）"))
    means = s["mean"].unstack("measure")[have]
    body += h.table(means, {c: "{:,.4g}" for c in have})
    if ctx.run.has("capital.parquet"):
        cap = ctx.table("capital.parquet").set_index("year")
        body += h.figure(solvency_figure(cap, cap, lang=ctx.figure_lang),
                         ctx.zh("C-ROSS phase II solvency ratio of the liability line (Rule 4: RF0 0.203, k1 by combined ratio; "
                                "reserve RF0 0.433; ρ 0.5) and the 99.5 % VaR of the one-year result (the 99.5 % level is an assumption)",
                                "偿二代二期责任险偿付能力充足率（规则第4号：基础因子0.203，k1按综合成本率；准备金0.433；相关系数0.5）"
                                "及一年期承保结果的99.5% VaR（99.5%为假设）"))
        cols = [c for c in ("minimum_capital", "capital", "solvency_ratio", "p5", "p_below_100", "var", "var_unexpected") if c in cap.columns]
        body += h.table(cap[cols], {c: "{:,.4g}" for c in cols} | {"p_below_100": fmt_pct})
        c = ctx.summary.get("capital", {})
        if c:
            body += h.note(ctx.zh(
                f"Initial capital {c.get('initial_capital', 0):,.0f} CNY; share of paths below 100 % in some year: "
                f"{fmt_pct(c.get('p_below_100_any_year'))}; capital that keeps >= 100 % in every year on 99.5 % of paths: "
                f"{c.get('required_initial_capital_995', 0):,.0f} CNY. Stand-alone line: no market, credit or control risk, no diversification.",
                f"初始资本{c.get('initial_capital', 0):,.0f}元；任一年充足率低于100%的路径占比{fmt_pct(c.get('p_below_100_any_year'))}；"
                f"99.5%路径每年不低于100%所需初始资本{c.get('required_initial_capital_995', 0):,.0f}元。仅本险种，不含市场、信用、控制风险及分散效应。"))
    if ctx.run.has("projection_classes.parquet"):
        cl = ctx.table("projection_classes.parquet").pivot(index="year", columns="class", values="share")
        cl = cl[[c for c in pd.unique(ctx.table("projection_classes.parquet")["class"]) if c in cl.columns]]
        body += h.note(ctx.zh("Accident-history classes at each renewal (share of policies, mean over paths): the bonus-malus balance.",
                              "每次续保时的事故记录类别（保单占比，路径均值）：奖惩系统的平衡。"))
        body += h.table(cl, {c: fmt_pct for c in cl.columns})
    if ctx.run.has("projection_levers.parquet"):
        body += h.note(ctx.zh("Levers as run, with their source and flag:", "本次运行的政策参数及其来源与标注："))
        body += h.table(ctx.table("projection_levers.parquet"), index=False, truncate=120)
    return body
