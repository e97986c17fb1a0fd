"""The report's built-in sections. Each renderer takes a :class:`Context` and returns HTML.

Every label is derived from the figure it describes: a share is computed from the amounts it
relates, every total names its period, the tables and rules named are the run's own, and every
VaR names the years it was estimated from (the empirical quantile of :mod:`ajx_actuarial.losses.risk`,
the same in the boxes and the tables). Numbers go through :mod:`ajx_actuarial.present.formats`
(万/亿 in Chinese text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..present import escape_html, fmt_int, fmt_pct, label
from ..present.labels import code_name
from ..present.formats import fmt_millions, fmt_money, fmt_num, fmt_year
from ..runs import Run
from . import _html as h
from . import _words as w

__all__ = ["Context", "key_findings", "portfolio", "pricing", "simulation", "prevention", "provenance"]


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

    def money(self, v) -> str:
        """An amount in text: ``12.35 m CNY``; in Chinese ``1,234.57 万元`` / ``1.50 亿元``."""
        return fmt_millions(v, lang=self.lang)

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.cache:
            self.cache[name] = self.run.table(name)
        return self.cache[name]


def _limits_text(ctx: Context, pr: pd.DataFrame) -> str:
    ld = pr["limit_death"].to_numpy(dtype=float)
    m = lambda v: fmt_money(v, lang=ctx.lang)  # noqa: E731
    if np.allclose(ld, ld[0]):
        return ctx.zh(f"{m(ld[0])} per person on every policy", f"每人{m(ld[0])}（全部保单）")
    return ctx.zh(f"per person: mean {m(ld.mean())}, from {m(ld.min())} to {m(ld.max())}",
                  f"每人：平均{m(ld.mean())}，{m(ld.min())}至{m(ld.max())}")


def _baseline(ctx: Context) -> pd.Series | None:
    if not ctx.run.has("stress.parquet"):
        return None
    st = ctx.table("stress.parquet")
    return st.iloc[0] if len(st) else None


def stress_years(ctx: Context) -> int | None:
    """Simulated years behind each stress scenario: its sample's length, else the recorded input."""
    files = ctx.run.scenario_files() if ctx.run.has("stress.parquet") else {}
    for f in files.values():
        return len(ctx.table(f))
    inputs = ctx.run.manifest.get("inputs", {})
    n = inputs.get("stress_years", inputs.get("years") if ctx.run.manifest.get("kind") == "stress" else None)
    return int(n) if isinstance(n, (int, float)) else None


def _fee_words(p: dict, lang: str) -> str:
    """The fee as run: one ratio, or a schedule's ratio for each year ("16.67 % in 2026, 18.33 % in 2027, 20 % in 2028")."""
    sched = p.get("fee_schedule") or {}
    if isinstance(sched, dict) and len({float(v) for v in sched.values()}) > 1:
        part = [(fmt_year(int(y)), fmt_pct(float(r), None)) for y, r in sorted(sched.items(), key=lambda kv: int(kv[0]))]
        return ("、".join(f"{y}年{r}" for y, r in part) if lang == "zh" else ", ".join(f"{r} in {y}" for y, r in part))
    return fmt_pct(p.get("fee_ratio"), None)


def _prevention_detail(ctx: Context, p: dict) -> str:
    """Key finding 3's detail: the fee and its base, the rules, what was spent, the shortfall and its period."""
    fee, rules, per = _fee_words(p, ctx.lang), p.get("rules", ""), w.period(p.get("years", 1), ctx.lang)
    base = f" of {w.fee_base(p['fee_base'], 'en')}" if p.get("fee_base") else ""
    floor = p.get("floor")
    en = ((f"at a fee{base} of {fee}" if " in " in fee else f"at a {fee} fee{base}") + f", rules {rules}; spent {fmt_pct(p.get('spent_share'), 1)} of ex-VAT premium"
          + (f" (the {fmt_pct(floor, 0)} floor; mandates paid at cost up to the 21 % cap)" if floor else "")
          + f"; shortfall {ctx.money(p.get('total_shortfall'))}, {per}")
    zh = (f"服务费比例{fee}（" + (f"以{w.fee_base(p['fee_base'], 'zh')}为基数，" if p.get("fee_base") else "") + f"{rules}）；"
          f"支出为不含税保费的{fmt_pct(p.get('spent_share'), 1)}" + (f"（{fmt_pct(floor, 0)}下限；强制服务在21%上限内据实列支）" if floor else "")
          + f"；缺口{ctx.money(p.get('total_shortfall'))}（{per}）")
    return ctx.zh(en, zh)


def key_findings(ctx: Context) -> str:
    """Book, table, limits, seed, years, and three numbers with units: loss ratio, 1-in-200 loss, prevention funded."""
    m, s, run = ctx.run.manifest, ctx.summary, ctx.run
    inputs = m.get("inputs", {})
    facts: list[tuple[str, str]] = []
    base = _baseline(ctx)
    if run.has("priced.parquet"):
        pr = ctx.table("priced.parquet")
        src = w.book_source(inputs.get("book", inputs.get("portfolio", "")), ctx.lang)
        facts.append((ctx.t("book"), ctx.zh(f"{fmt_int(len(pr))} policies, {fmt_int(pr['headcount'].sum())} workers ({src})",
                                            f"{fmt_int(len(pr))}张保单，{fmt_int(pr['headcount'].sum())}名从业人员（{src}）")))
        facts.append((ctx.t("table"), str(s.get("table", inputs.get("table", "")))))
        facts.append((ctx.zh("limits", "责任限额"), _limits_text(ctx, pr)))
    else:
        facts.append((ctx.t("book"), w.book_source(inputs.get("portfolio", ""), ctx.lang)))
        facts.append((ctx.zh("scenarios", "情景"), str(inputs.get("scenarios", ""))))
    facts.append((ctx.t("seed"), str(m.get("seed", ""))))
    years = inputs.get("years")
    n_stress = stress_years(ctx)
    ytext = []
    if m.get("kind") == "project":
        proj = s.get("projection", {})
        n_years, paths = years if years is not None else proj.get("years"), inputs.get("paths", proj.get("paths"))
        facts.append((ctx.zh("projection", "多年度预测"), ctx.zh(f"{fmt_int(n_years)} policy years × {fmt_int(paths)} simulated paths",
                                                             f"{fmt_int(n_years)}个保单年度 × {fmt_int(paths)}条模拟路径")))
    elif years is not None and m.get("kind") != "stress":
        ytext.append(ctx.zh(f"{fmt_int(years)} (book)", f"{fmt_int(years)}（业务组合）"))
    if n_stress is not None:
        ytext.append(ctx.zh(f"{fmt_int(n_stress)} per stress scenario", f"每个压力情景{fmt_int(n_stress)}"))
    if ytext:
        facts.append((ctx.t("years"), ctx.zh("; ", "；").join(ytext)))
    boxes = []
    if run.has("simulation.parquet") and run.has("priced.parquet"):
        x = ctx.table("simulation.parquet")["insured_loss"].to_numpy(dtype=float)
        ex_vat = float(ctx.table("priced.parquet")["premium_ex_vat"].sum())
        from ..losses.risk import var

        v = var(x, 0.995)
        boxes.append(h.kpi(ctx.zh("1. Expected loss ratio", "1. 期望赔付率"), fmt_pct(x.mean() / ex_vat),
                           ctx.zh(f"mean insured loss {ctx.money(x.mean())} a year on {ctx.money(ex_vat)} ex-VAT premium a year",
                                  f"年均赔付{ctx.money(x.mean())}，年不含税保费{ctx.money(ex_vat)}")))
        boxes.append(h.kpi(ctx.zh("2. 1-in-200-year annual loss (VaR 99.5 %)", "2. 200年一遇年度赔付（VaR 99.5%）"), ctx.money(v),
                           ctx.zh(f"{fmt_pct(v / ex_vat, 0)} of a year's ex-VAT premium; from {fmt_int(len(x))} simulated years, as priced",
                                  f"为年不含税保费的{fmt_pct(v / ex_vat, 0)}；按定价，{fmt_int(len(x))}个模拟年度")))
    elif base is not None:
        nb = f"{fmt_int(n_stress)} " if n_stress else ""
        boxes.append(h.kpi(ctx.zh("1. Expected loss ratio (baseline)", "1. 期望赔付率（基准情景）"), fmt_pct(base["loss_ratio"]),
                           ctx.zh(f"mean insured loss {ctx.money(base['expected_loss'])} a year", f"年均赔付{ctx.money(base['expected_loss'])}")))
        boxes.append(h.kpi(ctx.zh("2. 1-in-200-year annual loss (baseline)", "2. 200年一遇年度赔付（基准情景）"), ctx.money(base["var_995"]),
                           ctx.zh(f"VaR 99.5 % from {nb}simulated years", f"VaR 99.5%，{nb}个模拟年度")))
    p = s.get("prevention", {})
    if p:
        boxes.append(h.kpi(ctx.zh("3. Share of the mandated services' cost the prevention money pays", "3. 预防经费支付的强制服务费用比例"),
                           fmt_pct(p.get("services_funded", p.get("share_funded"))), _prevention_detail(ctx, p)))
    elif base is not None:
        boxes.append(h.kpi(ctx.zh("3. Mandated service cost paid (baseline)", "3. 强制服务费用支付比例（基准情景）"),
                           fmt_pct(base["services_funded"] if "services_funded" in base else base["share_funded"]),
                           ctx.zh(f"shortfall {ctx.money(base['prevention_shortfall'])}, one policy year",
                                  f"缺口{ctx.money(base['prevention_shortfall'])}（一个保单年度）")))
    dl = "<dl>" + "".join(f"<dt>{escape_html(k)}</dt><dd>{escape_html(v)}</dd>" for k, v in facts) + "</dl>"
    return dl + h.kpis(*boxes)


def portfolio(ctx: Context) -> str:
    pr = ctx.table("priced.parquet")
    mix = pr.groupby("industry", observed=True).agg(policies=("policy_id", "size"), workers=("headcount", "sum"))
    mix["share"] = mix["policies"] / mix["policies"].sum()
    mix.index = [code_name(i, ctx.lang) for i in mix.index]
    mix.index.name = ctx.t("industry")
    mix.columns = [ctx.t("policies"), ctx.t("workers"), ctx.t("share")]
    return h.table(mix, {ctx.t("share"): fmt_pct})


def fee_share_text(ctx: Context, pr: pd.DataFrame) -> str:
    """The prevention budget's share, computed from the priced book (budget ÷ ex-VAT premium), with the
    fee it came from when that is stated on another base (a jurisdiction's share of the collected premium)."""
    budget, ex_vat, gross = (float(pr[c].sum()) for c in ("prevention_budget", "premium_ex_vat", "premium"))
    if ex_vat <= 0:
        return ""
    share = fmt_pct(budget / ex_vat, 2)
    p = ctx.summary.get("prevention", {})
    en, zh = [f"{share} of ex-VAT premium (budget ÷ ex-VAT premium, a year)"], [f"为不含税保费的{share}（经费 ÷ 不含税保费，一年）"]
    if p.get("fee_base") == "collected" and gross > 0:
        en.append(f"{fmt_pct(budget / gross, 2)} of the collected premium")
        zh.append(f"为实收保费的{fmt_pct(budget / gross, 2)}")
    if p.get("fee_source"):
        en.append(f"fee from {w.fee_source(p['fee_source'], 'en')}")
        zh.append(f"服务费来自{w.fee_source(p['fee_source'], 'zh')}")
    return ctx.zh("; ".join(en), "；".join(zh))


def pricing(ctx: Context) -> str:
    from ..plots import premium_figure

    pr = ctx.table("priced.parquet")
    year = ctx.zh("a year", "每年")
    body = h.kpis(h.kpi(ctx.t("gross_premium"), ctx.money(pr["premium"].sum()), year),
                  h.kpi(ctx.zh("prevention budget", "预防服务经费"), ctx.money(pr["prevention_budget"].sum()), fee_share_text(ctx, pr)),
                  h.kpi(ctx.t("at_minimum"), fmt_pct(pr["min_premium_applied"].mean())))
    g = pr.groupby("industry", observed=True).agg(premium=("premium", "sum"), workers=("headcount", "sum"), mean_float=("float_factor", "mean"))
    g["per_worker"] = g["premium"] / g["workers"]
    g.index = [code_name(i, ctx.lang) for i in g.index]
    g.index.name = ctx.t("industry")
    g.columns = [ctx.t("premium_cny"), ctx.t("workers"), ctx.t("mean_float"), ctx.t("per_worker")]
    body += h.table(g, {ctx.t("premium_cny"): fmt_int, ctx.t("workers"): fmt_int, ctx.t("mean_float"): h.fixed(3), ctx.t("per_worker"): h.fixed(1)})
    return body + h.figure(premium_figure(pr, lang=ctx.lang), ctx.zh("Premium by industry and distribution of floating factors",
                                                                      "各行业保费与浮动系数分布"))


_STATS = (("mean", None), ("std", None), ("min", None), ("median", 0.5), ("q99", 0.99), ("q995", 0.995), ("max", None))


def _sim_table(ctx: Context, sim: pd.DataFrame) -> pd.DataFrame:
    """Per-year statistics; the quantiles are the empirical ``x_(⌈n p⌉)`` of :func:`~ajx_actuarial.losses.risk.var`, as the VaR box."""
    from ..losses.risk import var

    cols = [c for c in ("gross_loss", "insured_loss", "accidents", "deaths", "disabilities") if c in sim.columns]
    names = {"q99": ctx.zh("99 % quantile", "99%分位数"), "q995": ctx.zh("99.5 % quantile (VaR)", "99.5%分位数（VaR）")}
    rows = {}
    for c in cols:
        x = sim[c].to_numpy(dtype=float)
        rows[ctx.t(c)] = {names.get(k, ctx.t(k)): (var(x, q) if q is not None else getattr(np, k)(x)) for k, q in _STATS}
    return pd.DataFrame.from_dict(rows, orient="index")


def simulation(ctx: Context) -> str:
    from ..losses.risk import tvar, var
    from ..plots import exceedance_figure

    sim = ctx.table("simulation.parquet")
    x = sim["insured_loss"].to_numpy(dtype=float)
    v = var(x, 0.995)
    n = fmt_int(len(sim))
    body = h.kpis(h.kpi(ctx.t("years"), n), h.kpi(ctx.t("expected_loss"), ctx.money(x.mean())),
                  h.kpi(ctx.t("var_995"), ctx.money(v), ctx.zh(f"{fmt_num(v / x.mean(), 3)} × the mean; from {n} years",
                                                                 f"为均值的{fmt_num(v / x.mean(), 3)}倍；{n}个模拟年度")),
                  h.kpi(ctx.t("tvar_995_long"), ctx.money(tvar(x, 0.995)), ctx.zh("the same years and level as the VaR", "与VaR相同的年度与水平")))
    sm = ctx.summary.get("simulation", {})
    if sm.get("premium_ex_vat"):
        unexp = (v - x.mean()) / sm["premium_ex_vat"]
        cv = fmt_pct(sm.get("year_cv", 0), 0)
        body += h.note(ctx.zh(
            f"Every simulated year draws the systemic year effect (CV {cv}, shared by the book) and each part's "
            f"frequency level from its parameter uncertainty, besides the process risk of accidents. The 1-in-200-year loss above the "
            f"mean is {fmt_pct(unexp, 1)} of a year's ex-VAT premium; C-ROSS phase II charges 20.3 % of premium for liability premium risk "
            f"(Rule 4 Art. 13, before its k factors).",
            f"每个模拟年度除事故的过程风险外，还抽取全组合共同的系统性年度效应（变异系数{cv}）以及各部分频率水平的"
            f"参数不确定性。200年一遇赔付超出均值的部分为年不含税保费的{fmt_pct(unexp, 1)}；偿二代二期责任险保费风险因子为保费的20.3%"
            f"（规则第4号第13条，未含k调整）。"))
    body += h.note(ctx.zh("Per simulated year; losses in CNY (gross = before limits, insured = after limits); quantiles are the empirical "
                          "quantile of the simulated years, the same as the VaR above.",
                          "按模拟年度；金额单位为元（限额前损失与限额后赔付）；分位数为模拟年度的经验分位数，与上方VaR的算法相同。"))
    body += h.table(_sim_table(ctx, sim))
    name = "按定价" if ctx.figure_lang == "zh" else "as priced"
    return body + h.figure(exceedance_figure({name: x}, lang=ctx.lang),
                           ctx.zh("Probability that the annual insured loss exceeds a level (log scale)", "年度赔付超过某一水平的概率（对数刻度）"))


def _where_the_money_goes(ctx: Context, p: dict) -> str:
    """One paragraph from the ledger's totals: spent on mandates, on further services to reach a floor, beyond the
    budget, lapsed or carried, and the share of ex-VAT premium spent (every figure computed from the run's numbers)."""
    if "total_budget" not in p or "spent_share" not in p:
        return ""
    spent, further, above = p.get("total_spent", 0.0), p.get("total_further", 0.0), p.get("total_above_budget", 0.0)
    lapsed, gap, floor = p.get("total_surplus", 0.0), p.get("total_floor_gap", 0.0), p.get("floor")
    share = fmt_pct(p["spent_share"], 2)
    en = (f"Where the money goes: {ctx.money(spent)} paid mandated services at actual cost "
          f"({fmt_pct(p.get('services_funded'), 1)} of their cost)")
    zh = f"经费去向：{ctx.money(spent)}按实际成本支付强制服务（占其成本的{fmt_pct(p.get('services_funded'), 1)}）"
    if floor is not None:
        en += (f"; {ctx.money(further)} went to further services beyond the mandates to reach the {fmt_pct(floor, 0)} floor "
               f"(the rule's 不低于: money the insurer must spend, not release)")
        zh += f"；{ctx.money(further)}用于强制服务之外的其他预防服务，以达到{fmt_pct(floor, 0)}的下限（“不低于”：须支出，不得释放）"
        if above > 0:
            en += (f"; {ctx.money(above)} was paid beyond the budget (mandates cost more than the fee, paid at cost up to the "
                   f"21 % cap: charged to the insurer's result)")
            zh += f"；{ctx.money(above)}超出预算（强制服务成本高于服务费，在21%上限内据实列支，计入保险公司经营结果）"
        if gap > 0:
            en += f"; {ctx.money(gap)} of the floor was left unspent: a breach of the rule"
            zh += f"；下限中{ctx.money(gap)}未支出，违反规定"
    if p.get("carry_forward"):
        en += f"; {ctx.money(lapsed)} unspent, carried forward to later years' services. Spent in all: {share} of ex-VAT premium."
        zh += f"；{ctx.money(lapsed)}未使用，结转以后年度使用。合计支出为不含税保费的{share}。"
    else:
        en += f"; {ctx.money(lapsed)} unspent and released to the insurer's result. Spent in all: {share} of ex-VAT premium."
        zh += f"；{ctx.money(lapsed)}未使用，释放至保险公司经营结果。合计支出为不含税保费的{share}。"
    en += f" Amounts: {w.period(p.get('years', 1), 'en')} assessed."
    zh += f"金额为评估期（{w.period(p.get('years', 1), 'zh')}）的数额。"
    return h.note(ctx.zh(en, zh))


def prevention(ctx: Context) -> str:
    from ..plots import prevention_figure

    seg = ctx.table("prevention_segments.parquet")
    p = ctx.summary.get("prevention", {})
    body = ""
    if p:
        base = (ctx.zh(f" of {w.fee_base(p['fee_base'], 'en')}", f"（以{w.fee_base(p['fee_base'], 'zh')}为基数）")
                if p.get("fee_base") else "")
        sep = ctx.zh(", ", "，")
        body += f"<p>{escape_html(ctx.zh('Rules ', '规则'))}<b>{escape_html(p.get('rules', ''))}</b>{sep}" \
                f"{escape_html(ctx.t('prevention_fee'))} <b>{escape_html(_fee_words(p, ctx.lang))}</b>{escape_html(base)}{sep}" \
                f"{escape_html(ctx.zh('pooling ', '统筹方式：'))}<b>{escape_html(w.pooling(p.get('pooling', ''), ctx.lang))}</b>{ctx.zh('.', '。')}</p>"
        if p.get("fee_source"):
            body += h.note(ctx.zh(f"The fee is the one the book was priced with ({w.fee_source(p['fee_source'], 'en')}), so Pricing and this section use the same budget.",
                                  f"服务费比例取定价时的比例（{w.fee_source(p['fee_source'], 'zh')}），与定价部分一致。"))
        body += _where_the_money_goes(ctx, p)
        body += h.kpis(h.kpi(ctx.t("services_funded"), fmt_pct(p.get("services_funded"))),
                       h.kpi(ctx.t("spent_share"), fmt_pct(p.get("spent_share"), 2)),
                       *([h.kpi(ctx.t("share_funded"), fmt_pct(p.get("share_funded")))] if p.get("pooling") == "policy" else []),
                       h.kpi(ctx.t("shortfall"), ctx.money(p.get("total_shortfall")), w.period(p.get("years", 1), ctx.lang)),
                       h.kpi(ctx.zh("break-even fee ratio (pooled)", "盈亏平衡服务费比例（统筹）"), fmt_pct(p.get("break_even_fee_ratio"))))
    own = p.get("pooling", "policy") != "policy"  # under one pool every mandated unit is funded alike: show what each segment's fee pays
    body += h.figure(prevention_figure(seg, lang=ctx.lang, value="own_coverage" if own else "share_funded"),
                     ctx.zh("What each segment's own prevention budget pays of its mandated services' cost (the pool moves money between "
                            "segments; n = mandated policies; – none mandated)",
                            "各细分自身预防经费可支付的强制服务费用比例（统筹资金在细分之间调剂；n为强制服务保单数；–表示无）") if own else
                     ctx.zh("Share of mandated policies funded, by industry and size (n = mandated policies; – none mandated)",
                            "按行业和规模的经费足额保单占比（n为强制服务保单数；–表示无）"))
    shown = seg[seg["mandated"] > 0].copy()
    shown["industry"] = [code_name(i, ctx.lang) for i in shown["industry"]]
    shown["size"] = [code_name(i, ctx.lang) for i in shown["size"]]
    for c in ("required_cost", "budget", "shortfall"):
        shown[c] = shown[c] / 1e3
    shown = shown[["industry", "size", "mandated", "share_funded", "required_cost", "budget", "shortfall", "break_even_fee_ratio",
                   "break_even_premium", "median_premium"]]
    shown.columns = [ctx.t(k) for k in ("industry", "size", "mandated", "share_funded", "required", "budget", "shortfall_k",
                                        "break_even_fee", "break_even_premium", "median_premium")]
    body += h.note(ctx.zh("Break-even premium: the premium at which a typical mandated unit in the segment funds its own services at the first year's fee ratio.",
                          "盈亏平衡保费：该细分中典型强制服务单位在首年服务费比例下足以覆盖自身服务成本的保费。"))
    f = {ctx.t("share_funded"): fmt_pct, ctx.t("break_even_fee"): fmt_pct, ctx.t("mandated"): fmt_int, ctx.t("break_even_premium"): fmt_int,
         ctx.t("median_premium"): fmt_int, ctx.t("required"): h.fixed(1), ctx.t("budget"): h.fixed(1), ctx.t("shortfall_k"): h.fixed(1)}
    return body + h.table(shown, f, index=False)



_KINDS = {"demo": ("demo (ajx demo)", "演示运行（ajx demo）"), "stress": ("stress scenarios (ajx stress)", "压力情景（ajx stress）"),
          "project": ("multi-year projection (ajx project)", "多年度预测（ajx project）")}

def provenance(ctx: Context) -> str:
    from .._version import __version__

    m = ctx.run.manifest
    rows = {"ajx_actuarial": __version__, ctx.zh("run id", "运行编号"): m.get("run_id", ""), ctx.zh("run kind", "运行类型"): _KINDS.get(str(m.get("kind", "")), (m.get("kind", ""),) * 2)[ctx.lang == "zh"],
            ctx.zh("created", "创建时间"): m.get("created", ""), ctx.t("seed"): m.get("seed", "")}
    for k, v in m.get("inputs", {}).items():
        name = label(f"input_{k}", ctx.lang)
        rows[f"{ctx.t('input')}{ctx.zh(': ', '：')}{k if name == f'input_{k}' else name}"] = w.input_value(k, v, ctx.lang)
    rows[ctx.zh("files (manifest.json)", "文件（manifest.json）")] = ", ".join(ctx.run.files)
    df = pd.DataFrame({ctx.zh("value", "值"): {str(k): str(v) for k, v in rows.items()}})
    return h.table(df, cls="prov") + h.note(ctx.zh("Every default in the model is an assumption labelled in DOMAIN.md; the report uses only the files listed in the run's manifest.",
                                                   "模型中的默认值均为DOMAIN.md中标注的假设；本报告只使用运行清单（manifest）中列出的文件。"))
