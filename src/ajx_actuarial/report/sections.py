"""The report's built-in sections. Each renderer takes a :class:`Context` and returns HTML."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..present import code_label, escape_html, fmt_int, fmt_millions, fmt_money, fmt_pct, label
from ..runs import Run
from . import _html as h

__all__ = ["Context", "key_findings", "portfolio", "pricing", "simulation", "prevention", "stress", "provenance"]


@dataclass
class Context:
    """What a section renderer may use: the run (checked file access), the language, the demo summary."""

    run: Run
    lang: str = "en"
    summary: dict = field(default_factory=dict)
    figure_lang: str = "en"
    cache: dict = field(default_factory=dict)

    def t(self, key: str) -> str:
        return label(key, self.lang)

    def zh(self, en: str, zh: str) -> str:
        return zh if self.lang == "zh" else en

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.cache:
            self.cache[name] = self.run.table(name)
        return self.cache[name]


def _limits_text(ctx: Context, pr: pd.DataFrame) -> str:
    ld = pr["limit_death"].to_numpy(dtype=float)
    if np.allclose(ld, ld[0]):
        return ctx.zh(f"{fmt_money(ld[0])} per person on every policy", f"每人{fmt_money(ld[0], '元')}（全部保单）")
    return ctx.zh(f"per person: mean {fmt_money(ld.mean())}, from {fmt_money(ld.min())} to {fmt_money(ld.max())}",
                  f"每人：平均{fmt_money(ld.mean(), '元')}，{fmt_money(ld.min(), '')}至{fmt_money(ld.max(), '元')}")


def _baseline(ctx: Context) -> pd.Series | None:
    if not ctx.run.has("stress.parquet"):
        return None
    st = ctx.table("stress.parquet")
    return st.iloc[0] if len(st) else None


def key_findings(ctx: Context) -> str:
    """Book, table, limits, seed, years, and three numbers with units: loss ratio, 1-in-200 loss, prevention funded."""
    m, s, run = ctx.run.manifest, ctx.summary, ctx.run
    inputs = m.get("inputs", {})
    facts: list[tuple[str, str]] = []
    base = _baseline(ctx)
    if run.has("priced.parquet"):
        pr = ctx.table("priced.parquet")
        src = str(inputs.get("book", inputs.get("portfolio", "")))
        facts.append((ctx.t("book"), ctx.zh(f"{fmt_int(len(pr))} policies, {fmt_int(pr['headcount'].sum())} workers ({src})",
                                            f"{fmt_int(len(pr))}张保单，{fmt_int(pr['headcount'].sum())}名从业人员（{src}）")))
        facts.append((ctx.t("table"), str(s.get("table", inputs.get("table", "")))))
        facts.append((ctx.zh("limits", "责任限额"), _limits_text(ctx, pr)))
    else:
        facts.append((ctx.t("book"), str(inputs.get("portfolio", ""))))
        facts.append((ctx.zh("scenarios", "情景"), str(inputs.get("scenarios", ""))))
    facts.append((ctx.t("seed"), str(m.get("seed", ""))))
    years = inputs.get("years")
    stress_years = inputs.get("stress_years", inputs.get("years") if m.get("kind") == "stress" else None)
    ytext = []
    if years is not None and m.get("kind") != "stress":
        ytext.append(ctx.zh(f"{fmt_int(years)} (book)", f"{fmt_int(years)}（业务组合）"))
    if stress_years is not None and run.has("stress.parquet"):
        ytext.append(ctx.zh(f"{fmt_int(stress_years)} per stress scenario", f"每个压力情景{fmt_int(stress_years)}"))
    facts.append((ctx.t("years"), "; ".join(ytext)))
    boxes = []
    if run.has("simulation.parquet") and run.has("priced.parquet"):
        x = ctx.table("simulation.parquet")["insured_loss"].to_numpy(dtype=float)
        ex_vat = float(ctx.table("priced.parquet")["premium_ex_vat"].sum())
        from ..losses.risk import var

        v = var(x, 0.995)
        boxes.append(h.kpi(ctx.zh("1. Expected loss ratio", "1. 期望赔付率"), fmt_pct(x.mean() / ex_vat),
                           ctx.zh(f"mean insured loss {fmt_millions(x.mean())} a year on {fmt_millions(ex_vat)} ex-VAT premium",
                                  f"年均赔付{fmt_millions(x.mean(), '百万元')}，不含税保费{fmt_millions(ex_vat, '百万元')}")))
        boxes.append(h.kpi(ctx.zh("2. 1-in-200-year annual loss (VaR 99.5 %)", "2. 200年一遇年度赔付（VaR 99.5%）"), fmt_millions(v, ctx.zh("m CNY", "百万元")),
                           ctx.zh(f"{fmt_pct(v / ex_vat, 0)} of ex-VAT premium", f"为不含税保费的{fmt_pct(v / ex_vat, 0)}")))
    elif base is not None:
        boxes.append(h.kpi(ctx.zh("1. Expected loss ratio (baseline)", "1. 期望赔付率（基准情景）"), fmt_pct(base["loss_ratio"]),
                           ctx.zh(f"mean insured loss {fmt_millions(base['expected_loss'])} a year", f"年均赔付{fmt_millions(base['expected_loss'], '百万元')}")))
        boxes.append(h.kpi(ctx.zh("2. 1-in-200-year annual loss (baseline)", "2. 200年一遇年度赔付（基准情景）"),
                           fmt_millions(base["var_995"], ctx.zh("m CNY", "百万元"))))
    p = s.get("prevention", {})
    if p:
        boxes.append(h.kpi(ctx.zh("3. Share of the mandated services' cost the prevention money pays", "3. 预防经费支付的强制服务费用比例"),
                           fmt_pct(p.get("services_funded", p.get("share_funded"))),
                           ctx.zh(f"at a {fmt_pct(p.get('fee_ratio'), None)} fee ({p.get('rules', '')}); spent {fmt_pct(p.get('spent_share'), 1)} of ex-VAT "
                                  f"premium" + (f" (the {fmt_pct(p.get('floor'), 0)} floor; mandates paid at cost up to the 21 % cap)" if p.get("floor") else "")
                                  + f"; shortfall {fmt_millions(p.get('total_shortfall'))}" + (f" over {p['years']} years" if p.get("years", 1) > 1 else ""),
                                  f"服务费比例{fmt_pct(p.get('fee_ratio'), None)}（{p.get('rules', '')}）；支出为不含税保费的{fmt_pct(p.get('spent_share'), 1)}"
                                  + (f"（{fmt_pct(p.get('floor'), 0)}下限；强制服务在21%上限内据实列支）" if p.get("floor") else "")
                                  + f"；缺口{fmt_millions(p.get('total_shortfall'), '百万元')}" + (f"（{p['years']}年合计）" if p.get("years", 1) > 1 else ""))))
    elif base is not None:
        boxes.append(h.kpi(ctx.zh("3. Mandated service cost paid (baseline)", "3. 强制服务费用支付比例（基准情景）"),
                           fmt_pct(base["services_funded"] if "services_funded" in base else base["share_funded"]),
                           ctx.zh(f"shortfall {fmt_millions(base['prevention_shortfall'])}", f"缺口{fmt_millions(base['prevention_shortfall'], '百万元')}")))
    dl = "<dl>" + "".join(f"<dt>{escape_html(k)}</dt><dd>{escape_html(v)}</dd>" for k, v in facts) + "</dl>"
    return dl + h.kpis(*boxes)


def portfolio(ctx: Context) -> str:
    pr = ctx.table("priced.parquet")
    mix = pr.groupby("industry", observed=True).agg(policies=("policy_id", "size"), workers=("headcount", "sum"))
    mix["share"] = mix["policies"] / mix["policies"].sum()
    mix.index = [code_label(i, ctx.lang) for i in mix.index]
    mix.index.name = ctx.t("industry")
    mix.columns = [ctx.t("policies"), ctx.t("workers"), ctx.t("share")]
    return h.table(mix, {ctx.t("share"): fmt_pct})


def pricing(ctx: Context) -> str:
    from ..plots import premium_figure

    pr = ctx.table("priced.parquet")
    fee = ctx.summary.get("prevention", {}).get("fee_ratio")
    body = h.kpis(h.kpi(ctx.t("gross_premium"), fmt_millions(pr["premium"].sum(), ctx.zh("m CNY", "百万元"))),
                  h.kpi(ctx.zh("prevention budget", "预防服务经费"), fmt_millions(pr["prevention_budget"].sum(), ctx.zh("m CNY", "百万元")),
                        ctx.zh(f"{fmt_pct(fee, 0)} of ex-VAT premium (the table's prevention_fee loading)" if fee is not None else "",
                               f"不含税保费的{fmt_pct(fee, 0)}（费率表的事故预防服务费附加）" if fee is not None else "")),
                  h.kpi(ctx.t("at_minimum"), fmt_pct(pr["min_premium_applied"].mean())))
    g = pr.groupby("industry", observed=True).agg(premium=("premium", "sum"), workers=("headcount", "sum"), mean_float=("float_factor", "mean"))
    g["per_worker"] = g["premium"] / g["workers"]
    g.index = [code_label(i, ctx.lang) for i in g.index]
    g.index.name = ctx.t("industry")
    g.columns = [ctx.t("premium_cny"), ctx.t("workers"), ctx.t("mean_float"), ctx.t("per_worker")]
    body += h.table(g, {ctx.t("premium_cny"): fmt_int, ctx.t("workers"): fmt_int, ctx.t("mean_float"): "{:.3f}", ctx.t("per_worker"): "{:,.1f}"})
    return body + h.figure(premium_figure(pr, lang=ctx.lang), ctx.zh("Premium by industry and distribution of floating factors",
                                                                      "各行业保费与浮动系数分布"))


def simulation(ctx: Context) -> str:
    from ..losses.risk import tvar, var
    from ..plots import exceedance_figure

    sim = ctx.table("simulation.parquet")
    x = sim["insured_loss"].to_numpy(dtype=float)
    unit = ctx.zh("m CNY", "百万元")
    v = var(x, 0.995)
    body = h.kpis(h.kpi(ctx.t("years"), fmt_int(len(sim))), h.kpi(ctx.t("expected_loss"), fmt_millions(x.mean(), unit)),
                  h.kpi(ctx.t("var_995"), fmt_millions(v, unit), ctx.zh(f"{v / x.mean():.2f} × the mean", f"为均值的{v / x.mean():.2f}倍")),
                  h.kpi(ctx.t("tvar_99"), fmt_millions(tvar(x, 0.99), unit)))
    sm = ctx.summary.get("simulation", {})
    if sm.get("premium_ex_vat"):
        unexp = (v - x.mean()) / sm["premium_ex_vat"]
        body += h.note(ctx.zh(
            f"Every simulated year draws the systemic year effect (CV {sm.get('year_cv', 0):.0%}, shared by the book) and each part's "
            f"frequency level from its parameter uncertainty, besides the process risk of accidents. The 1-in-200-year loss above the "
            f"mean is {fmt_pct(unexp, 1)} of the ex-VAT premium; C-ROSS phase II charges 20.3 % of premium for liability premium risk "
            f"(Rule 4 Art. 13, before its k factors).",
            f"每个模拟年度除事故的过程风险外，还抽取全组合共同的系统性年度效应（变异系数{sm.get('year_cv', 0):.0%}）以及各部分频率水平的"
            f"参数不确定性。200年一遇赔付超出均值的部分为不含税保费的{fmt_pct(unexp, 1)}；偿二代二期责任险保费风险因子为保费的20.3%"
            f"（规则第4号第13条，未含k调整）。"))
    cols = [c for c in ("gross_loss", "insured_loss", "accidents", "deaths", "disabilities") if c in sim.columns]
    desc = sim[cols].describe(percentiles=[0.5, 0.99, 0.995]).T.drop(columns=["count"])
    body += h.note(ctx.zh("Per simulated year; losses in CNY (gross = before limits, insured = after limits).",
                          "每个模拟年度；金额单位为元（gross为限额前，insured为限额后）。"))
    body += h.table(desc)
    name = "按定价" if ctx.figure_lang == "zh" else "as priced"
    return body + h.figure(exceedance_figure({name: x}, lang=ctx.lang),
                           ctx.zh("Probability that the annual insured loss exceeds a level (log scale)", "年度赔付超过某一水平的概率（对数刻度）"))


def _where_the_money_goes(ctx: Context, p: dict) -> str:
    """One paragraph from the ledger's totals: spent on mandates, on further services to reach a floor, beyond the
    budget, lapsed or carried, and the share of ex-VAT premium spent (every figure computed from the run's numbers)."""
    if "total_budget" not in p or "spent_share" not in p:
        return ""
    m = ctx.zh("m CNY", "百万元")
    spent, further, above = p.get("total_spent", 0.0), p.get("total_further", 0.0), p.get("total_above_budget", 0.0)
    lapsed, gap, floor = p.get("total_surplus", 0.0), p.get("total_floor_gap", 0.0), p.get("floor")
    share = fmt_pct(p["spent_share"], 2)
    en = (f"Where the money goes: {fmt_millions(spent, m)} paid mandated services at actual cost "
          f"({fmt_pct(p.get('services_funded'), 1)} of their cost)")
    zh = f"经费去向：{fmt_millions(spent, m)}按实际成本支付强制服务（占其成本的{fmt_pct(p.get('services_funded'), 1)}）"
    if floor is not None:
        en += (f"; {fmt_millions(further, m)} went to further services beyond the mandates to reach the {fmt_pct(floor, 0)} floor "
               f"(the rule's 不低于: money the insurer must spend, not release)")
        zh += f"；{fmt_millions(further, m)}用于强制服务之外的其他预防服务，以达到{fmt_pct(floor, 0)}的下限（“不低于”：须支出，不得释放）"
        if above > 0:
            en += (f"; {fmt_millions(above, m)} was paid beyond the budget (mandates cost more than the fee, paid at cost up to the "
                   f"21 % cap: charged to the insurer's result)")
            zh += f"；{fmt_millions(above, m)}超出预算（强制服务成本高于服务费，在21%上限内据实列支，计入保险公司经营结果）"
        if gap > 0:
            en += f"; {fmt_millions(gap, m)} of the floor was left unspent: a breach of the rule"
            zh += f"；下限中{fmt_millions(gap, m)}未支出，违反规定"
    if p.get("carry_forward"):
        en += f"; {fmt_millions(lapsed, m)} unspent, carried forward to later years' services. Spent in all: {share} of ex-VAT premium."
        zh += f"；{fmt_millions(lapsed, m)}未使用，结转以后年度使用。合计支出为不含税保费的{share}。"
    else:
        en += f"; {fmt_millions(lapsed, m)} unspent and released to the insurer's result. Spent in all: {share} of ex-VAT premium."
        zh += f"；{fmt_millions(lapsed, m)}未使用，释放至保险公司经营结果。合计支出为不含税保费的{share}。"
    if p.get("years", 1) > 1:
        en += f" Amounts are totals over the {p['years']} policy years assessed."
        zh += f" 金额为评估的{p['years']}个保单年度合计。"
    return h.note(ctx.zh(en, zh))


def prevention(ctx: Context) -> str:
    from ..plots import prevention_figure

    seg = ctx.table("prevention_segments.parquet")
    p = ctx.summary.get("prevention", {})
    body = ""
    if p:
        body += f"<p>{escape_html(ctx.zh('Rules', '规则'))} <b>{escape_html(p.get('rules', ''))}</b>, " \
                f"{escape_html(ctx.t('prevention_fee'))} <b>{escape_html(fmt_pct(p.get('fee_ratio'), 0))}</b>, " \
                f"{escape_html(ctx.zh('pooling', '统筹方式'))} <b>{escape_html(p.get('pooling', ''))}</b>.</p>"
        if p.get("fee_source"):
            body += h.note(ctx.zh(f"The fee is the one the book was priced with ({p['fee_source']}), so Pricing and this section use the same budget.",
                                  f"服务费比例取定价时的比例（{p['fee_source']}），与定价部分一致。"))
        body += _where_the_money_goes(ctx, p)
        body += h.kpis(h.kpi(ctx.t("services_funded"), fmt_pct(p.get("services_funded"))),
                       h.kpi(ctx.t("spent_share"), fmt_pct(p.get("spent_share"), 2)),
                       *([h.kpi(ctx.t("share_funded"), fmt_pct(p.get("share_funded")))] if p.get("pooling") == "policy" else []),
                       h.kpi(ctx.t("shortfall"), fmt_millions(p.get("total_shortfall"), ctx.zh("m CNY", "百万元"))),
                       h.kpi(ctx.zh("break-even fee ratio (pooled)", "盈亏平衡服务费比例（统筹）"), fmt_pct(p.get("break_even_fee_ratio"))))
    own = p.get("pooling", "policy") != "policy"  # under one pool every mandated unit is funded alike: show what each segment's fee pays
    body += h.figure(prevention_figure(seg, lang=ctx.lang, value="own_coverage" if own else "share_funded"),
                     ctx.zh("What each segment's own prevention budget pays of its mandated services' cost (the pool moves money between "
                            "segments; n = mandated policies; – none mandated)",
                            "各细分自身预防经费可支付的强制服务费用比例（统筹资金在细分之间调剂；n为强制服务保单数；–表示无）") if own else
                     ctx.zh("Share of mandated policies funded, by industry and size (n = mandated policies; – none mandated)",
                            "按行业和规模的经费足额保单占比（n为强制服务保单数；–表示无）"))
    shown = seg[seg["mandated"] > 0].copy()
    shown["industry"] = [code_label(i, ctx.lang) for i in shown["industry"]]
    shown["size"] = [code_label(i, ctx.lang) for i in shown["size"]]
    for c in ("required_cost", "budget", "shortfall"):
        shown[c] = shown[c] / 1e3
    shown = shown[["industry", "size", "mandated", "share_funded", "required_cost", "budget", "shortfall", "break_even_fee_ratio",
                   "break_even_premium", "median_premium"]]
    shown.columns = [ctx.t(k) for k in ("industry", "size", "mandated", "share_funded", "required", "budget", "shortfall_k",
                                        "break_even_fee", "break_even_premium", "median_premium")]
    body += h.note(ctx.zh("Break-even premium: the premium at which a typical mandated unit in the segment funds its own services at the first year's fee ratio.",
                          "盈亏平衡保费：该细分中典型强制服务单位在首年服务费比例下足以覆盖自身服务成本的保费。"))
    f = {ctx.t("share_funded"): fmt_pct, ctx.t("break_even_fee"): fmt_pct, ctx.t("mandated"): fmt_int, ctx.t("break_even_premium"): fmt_int,
         ctx.t("median_premium"): fmt_int, ctx.t("required"): "{:,.1f}", ctx.t("budget"): "{:,.1f}", ctx.t("shortfall_k"): "{:,.1f}"}
    return body + h.table(shown, f, index=False)


def stress(ctx: Context) -> str:
    from ..plots import exceedance_figure, stress_figure

    st = ctx.table("stress.parquet").set_index("scenario")
    unit = ctx.zh(" (m CNY)", "（百万元）")
    body = h.note(ctx.zh("All scenarios use the same random numbers (common random numbers), so differences are the scenarios' effects.",
                         "所有情景使用相同的随机数（公共随机数），差异即情景本身的影响。"))
    fee0 = ctx.summary.get("stress", {}).get("fee_ratio_default")
    if fee0 is not None:
        tab = ctx.summary.get("table", "")
        body += h.note(ctx.zh(f"Every scenario is priced with rate table {tab} unless it names another. "
                              f"Prevention in the scenarios uses that table's prevention-fee loading ({fmt_pct(fee0, None)} of ex-VAT premium) unless a scenario sets fee_ratio; "
                              "limit scenarios are repriced through the table's increased-limit factors, so a higher limit raises the premium with the expected loss "
                              "and the loss ratio stays where it was.",
                              f"各情景均按费率表{tab}定价（情景另行指定者除外）。"
                              f"情景中的预防服务经费按该费率表的预防费附加比例（不含税保费的{fmt_pct(fee0, None)}）计算，情景另有设定者除外；"
                              "限额情景按费率表的增限系数重新定价，提高限额时保费与期望赔付同步上升，赔付率基本不变。"))
    m = pd.DataFrame({ctx.t("premium") + unit: st["premium"] / 1e6, ctx.zh("expected loss", "期望赔付") + unit: st["expected_loss"] / 1e6,
                      ctx.t("loss_ratio"): st["loss_ratio"], "VaR 99.5 %" + unit: st["var_995"] / 1e6, "TVaR 99 %" + unit: st["tvar_99"] / 1e6,
                      "P(LR > 100 %)": st["p_loss_ratio_gt_100"],
                      ctx.t("services_funded"): st["services_funded"] if "services_funded" in st else st["share_funded"],
                      ctx.t("shortfall") + unit: st["prevention_shortfall"] / 1e6})
    m.index.name = ctx.t("scenario")
    fm = {c: "{:,.1f}" for c in m.columns}
    fm.update({ctx.t("loss_ratio"): fmt_pct, "P(LR > 100 %)": lambda v: fmt_pct(v, 2), ctx.t("services_funded"): fmt_pct})
    body += h.table(m, fm)
    if "description" in st.columns:
        notes = st["note"] if "note" in st.columns else pd.Series("", index=st.index)
        body += "<ul>" + "".join(f"<li><b>{escape_html(i, 80)}</b>: {escape_html(t, 300)}"
                                 + (f" <i>({escape_html(notes[i], 300)})</i>" if notes[i] and notes[i] != "reference scenario" else "") + "</li>"
                                 for i, t in st["description"].items()) + "</ul>"
    files = ctx.run.scenario_files()
    samples = {name: ctx.table(f)["insured_loss"].to_numpy() for name, f in files.items() if name in st.index}
    body += h.figure(stress_figure(st, samples, lang=ctx.lang), ctx.zh("Loss ratio, VaR 99.5 % and share of mandates funded, by scenario",
                                                                        "各情景的赔付率、VaR 99.5%与经费足额占比"))
    if samples:
        body += h.figure(exceedance_figure(samples, label("fig_exceedance_stress", ctx.figure_lang), lang=ctx.lang),
                         ctx.zh("Annual insured loss exceedance by scenario (log scale)", "各情景年度赔付超越概率（对数刻度）"))
    return body


def provenance(ctx: Context) -> str:
    from .._version import __version__

    m = ctx.run.manifest
    rows = {"ajx_actuarial": __version__, ctx.zh("run id", "运行编号"): m.get("run_id", ""), ctx.zh("run kind", "运行类型"): m.get("kind", ""),
            ctx.zh("created", "创建时间"): m.get("created", ""), ctx.t("seed"): m.get("seed", "")}
    rows.update({f"input: {k}": v for k, v in m.get("inputs", {}).items()})
    rows[ctx.zh("files (manifest.json)", "文件（manifest.json）")] = ", ".join(ctx.run.files)
    df = pd.DataFrame({ctx.zh("value", "值"): {str(k): str(v) for k, v in rows.items()}})
    return h.table(df, cls="prov", truncate=2000) + h.note(ctx.zh("Every default in the model is an assumption labelled in DOMAIN.md; the report uses only the files listed in the run's manifest.",
                                       "模型中的默认值均为DOMAIN.md中标注的假设；本报告只使用运行清单（manifest）中列出的文件。"))
