"""Report section: the stress scenarios (``stress.parquet`` and each scenario's simulated years).

Every figure's label is derived from the run: the rate table and mandate rules named are the
ones the scenarios ran with (a jurisdiction's, a ``--table`` override, else the scenario set's
defaults), the prevention budget's share is computed from the baseline's budget and premium, and
the VaR and TVaR are computed from each scenario's simulated years with the empirical quantile of
the Loss simulation section, at the same level (99.5 %), with the number of years stated. The
scenarios' descriptions and notes are shown in the report's language (:func:`scenario_note`).
"""

from __future__ import annotations

import re

import pandas as pd

from ..present import escape_html, fmt_pct, label
from ..present.formats import fmt_cell, fmt_int, fmt_money
from ..present.labels import text_label
from . import _html as h
from . import _words as w
from .sections import stress_years

__all__ = ["render", "scenario_note", "stress_basis"]

_BELOW = re.compile(r"sets ([\d,]+) per person, below the table's minimum of ([\d,]+)")
_ABOVE = re.compile(r"sets ([\d,]+) per person, repriced")
_OWN = re.compile(r"sets ([\d,]+) per person, the table's own minimum")


def _amount(text: str) -> float:
    return float(text.replace(",", ""))


def _limit_clause(note: str, lang: str) -> str:
    """The clause of ``stress``'s note on a scenario's limit, from its figures, in ``lang`` ('' when the note has none)."""
    m = lambda v: fmt_money(_amount(v), lang=lang)  # noqa: E731
    if g := _BELOW.search(note):
        return (f"被检验的政策为每人{m(g[1])}，低于费率表最低限额{m(g[2])}，按增限系数定价" if lang == "zh" else
                f"the policy under test sets {m(g[1])} per person, below the table's minimum of {m(g[2])}, priced through its increased-limit factors")
    if g := _ABOVE.search(note):
        return (f"被检验的政策为每人{m(g[1])}，按增限系数重新定价" if lang == "zh" else
                f"the policy under test sets {m(g[1])} per person, repriced through the increased-limit factors")
    if g := _OWN.search(note):
        return (f"被检验的政策为每人{m(g[1])}，即费率表自身的最低限额" if lang == "zh" else
                f"the policy under test sets {m(g[1])} per person, the table's own minimum")
    return ""


def scenario_note(row: pd.Series, base: pd.Series, first: bool, lang: str) -> str:
    """What a scenario changes against the first, from the row's figures (``stress``'s note only for the limit clause)."""
    zh = lang == "zh"
    note = str(row.get("note", "") or "")
    parts = [c for c in (_limit_clause(note, lang),) if c]
    if first:
        return "；".join(["参照情景", *parts]) if zh else "; ".join(["reference scenario", *parts])
    if parts and "victim_compensation_share" in row:
        v1, v0 = fmt_pct(row["victim_compensation_share"]), fmt_pct(base["victim_compensation_share"])
        parts.append(f"受害者获赔其经济损失的{v1}（参照情景{v0}）" if zh else f"victims receive {v1} of their economic loss (reference {v0})")
    x = lambda a, b: fmt_cell(float(row[a]) / float(base[a]), None, "{:.3f}") if float(base[a]) else ""  # noqa: E731
    lr0, lr1 = fmt_pct(base["loss_ratio"]), fmt_pct(row["loss_ratio"])
    parts.append(f"保费 × {x('premium', 0)}，期望赔付 × {x('expected_loss', 0)}：赔付率 {lr0} → {lr1}" if zh else
                 f"premium × {x('premium', 0)}, expected loss × {x('expected_loss', 0)}: loss ratio {lr0} → {lr1}")
    return ("；" if zh else "; ").join(parts)


def stress_basis(ctx) -> tuple[str, str]:
    """The rate table and mandate rules the scenarios ran with (each scenario may name another table)."""
    from .. import stress

    j = ctx.summary.get("jurisdiction") or {}
    if j.get("table"):
        return str(j["table"]), str(j.get("rules", ""))
    inputs = ctx.run.manifest.get("inputs", {})
    defaults: dict = {}
    name = inputs.get("scenarios") or ctx.summary.get("stress", {}).get("scenarios")
    if name:
        try:
            defaults = stress.load(name).defaults
        except Exception:  # a user's set moved since the run: the names are left out, never guessed
            defaults = {}
    table = inputs.get("table") if ctx.run.manifest.get("kind") == "stress" and inputs.get("table") else defaults.get("table", "")
    return str(table or ""), str(defaults.get("rules", "") or "")


def _basis_note(ctx, st: pd.DataFrame, n: int | None, n_book: int | None) -> str:
    table, rules = stress_basis(ctx)
    b = st.iloc[0]
    share = fmt_pct(float(b["prevention_budget"]) / float(b["premium_ex_vat"]), 2) if "premium_ex_vat" in st and float(b["premium_ex_vat"]) else ""
    fee = fmt_pct(b["fee_ratio"], None) if isinstance(b.get("fee_ratio"), float) else ""
    fb = ctx.summary.get("prevention", {}).get("fee_base") if ctx.summary.get("jurisdiction") else None
    fee_en = f" (fee ratio {fee}{' of ' + w.fee_base(fb, 'en') if fb else ''})" if fee else ""
    fee_zh = f"（服务费比例{fee}{'，以' + w.fee_base(fb, 'zh') + '为基数' if fb else ''}）" if fee else ""
    en = (f"Every scenario is priced with rate table {table or 'of the scenario set'} unless it names another"
          + (f", and its prevention is assessed under the mandate rules {rules}" if rules else "")
          + (f"; the baseline's prevention budget is {share} of its ex-VAT premium{fee_en}, and so in every scenario that sets no "
             "fee ratio of its own" if share else "")
          + ". Limit scenarios are repriced through the table's increased-limit factors, so a higher limit raises the premium with "
            "the expected loss and the loss ratio stays where it was.")
    zh = (f"各情景均按费率表{table or '（情景集所定）'}定价（情景另行指定者除外）" + (f"，预防服务按强制服务规则{rules}评估" if rules else "")
          + (f"；基准情景的预防服务经费为其不含税保费的{share}{fee_zh}，未另行设定服务费比例的情景相同" if share else "")
          + "。限额情景按费率表的增限系数重新定价，提高限额时保费与期望赔付同步上升，赔付率基本不变。")
    if n:
        en += f" Each scenario: {fmt_int(n)} simulated years"
        zh += f"每个情景模拟{fmt_int(n)}年"
        if n_book and n_book != n:
            en += (f" (the Loss simulation section: {fmt_int(n_book)} years, so the baseline's VaR differs from that section's "
                   "by Monte Carlo error)")
            zh += f"（损失模拟部分为{fmt_int(n_book)}年，因此基准情景的VaR与该部分的差异来自蒙特卡洛误差）"
        en += "; VaR and TVaR at 99.5 %, the empirical quantile of those years as in the Loss simulation section."
        zh += "；VaR与TVaR均为99.5%水平，取这些年度的经验分位数，与损失模拟部分的算法相同。"
    return h.note(ctx.zh(en, zh))


def render(ctx) -> str:
    from ..losses.risk import tvar, var
    from ..plots import exceedance_figure, stress_figure

    st = ctx.table("stress.parquet").set_index("scenario")
    files = ctx.run.scenario_files()
    samples = {name: ctx.table(f)["insured_loss"].to_numpy() for name, f in files.items() if name in st.index}
    n = stress_years(ctx)
    n_book = len(ctx.table("simulation.parquet")) if ctx.run.has("simulation.parquet") else None
    unit = ctx.zh(" (m CNY)", "（百万元）")
    body = h.note(ctx.zh("All scenarios use the same random numbers (common random numbers), so differences are the scenarios' effects.",
                         "所有情景使用相同的随机数（公共随机数），差异即情景本身的影响。"))
    body += _basis_note(ctx, st, n, n_book)
    have = all(i in samples for i in st.index)
    var_col, tvar_col = "VaR 99.5 %" + unit, (label("tvar_995", ctx.lang) if have else label("tvar_99_long", ctx.lang)) + unit
    m = pd.DataFrame({ctx.t("premium") + unit: st["premium"] / 1e6, ctx.zh("expected loss", "期望赔付") + unit: st["expected_loss"] / 1e6,
                      ctx.t("loss_ratio"): st["loss_ratio"],
                      var_col: [var(samples[i], 0.995) / 1e6 for i in st.index] if have else st["var_995"] / 1e6,
                      tvar_col: [tvar(samples[i], 0.995) / 1e6 for i in st.index] if have else st["tvar_99"] / 1e6,
                      ctx.t("p_lr_gt_100_short"): st["p_loss_ratio_gt_100"],
                      ctx.t("services_funded"): st["services_funded"] if "services_funded" in st else st["share_funded"],
                      ctx.t("shortfall") + unit: st["prevention_shortfall"] / 1e6})
    m.index.name = ctx.t("scenario")
    fm = {c: h.fixed(1) for c in m.columns}
    fm.update({ctx.t("loss_ratio"): fmt_pct, ctx.t("p_lr_gt_100_short"): lambda v: w.p_exceed(v, n), ctx.t("services_funded"): fmt_pct})
    body += h.table(m, fm)
    if "description" in st.columns:
        base = st.iloc[0]
        items = []
        for k, (name, row) in enumerate(st.iterrows()):
            note = scenario_note(row, base, k == 0, ctx.lang)
            items.append(f"<li><b>{escape_html(name)}</b>{ctx.zh(': ', '：')}{escape_html(text_label(row['description'], ctx.lang))}"
                         + (f"<i>{escape_html(ctx.zh(f' ({note})', f'（{note}）'))}</i>" if note else "") + "</li>")
        body += "<ul>" + "".join(items) + "</ul>"
    body += h.figure(stress_figure(st, samples, lang=ctx.lang), ctx.zh("Loss ratio, VaR 99.5 % and share of the mandated services' cost paid, "
                                                                        "by scenario", "各情景的赔付率、VaR 99.5%与强制服务费用支付比例"))
    if samples:
        body += h.figure(exceedance_figure(samples, label("fig_exceedance_stress", ctx.figure_lang), lang=ctx.lang),
                         ctx.zh("Annual insured loss exceedance by scenario (log scale)", "各情景年度赔付超越概率（对数刻度）"))
    return body
