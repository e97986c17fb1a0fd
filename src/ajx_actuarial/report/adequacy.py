"""Report section: risk-based pricing adequacy (``adequacy.parquet`` = ``AdequacyResult.by_segment``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..present import fmt_int, fmt_pct, label
from ..present.labels import code_name
from ..present.formats import fmt_cell
from . import _html as h

__all__ = ["render"]


def render(ctx) -> str:
    seg = ctx.table("adequacy.parquet")
    meta = ctx.summary.get("adequacy", {})
    table_name = meta.get("table", "")
    tol = float(meta.get("tolerance", 0.05))
    g = seg.groupby(["industry", "size"], observed=True)[["policies", "filed_premium", "rated_premium", "risk_premium",
                                                          "expected_loss", "filed_ex_vat"]].sum()
    tot = g.sum()
    implied = tot["expected_loss"] / tot["filed_ex_vat"]
    permissible = meta.get("permissible_loss_ratio", np.nan)
    flagged = seg[seg["below_risk"].astype(bool)]
    n_min, thin = int(meta.get("min_policies", 30)), int(meta.get("thin_segments", 0))
    body = h.note(ctx.zh(
        "Risk premium = the loss model's exact expected loss / (1 − the table's loadings) × (1 + VAT): what the table's own "
        "loadings need on top of the pure risk. A segment (industry × size × limit band) is flagged as priced below cost "
        f"(低价恶性竞争) when its rates (before the minimum premium) fall more than {fmt_pct(tol, 0)} below it, the shortfall "
        f"is larger than twice its standard error over the segment's units, and it holds at least {fmt_int(n_min)} policies "
        f"({fmt_int(thin)} of {fmt_int(meta.get('segments', len(seg)))} segments hold fewer: shown, not flagged). The table "
        "below sums the limit bands of each industry × size, so a ratio under the threshold there is not itself a flag.",
        "风险保费 = 损失模型的精确期望赔付 ÷（1 − 费率表附加费用率）×（1 + 增值税）。细分（行业 × 规模 × 限额档）同时满足以下条件时"
        f"被标记为低于成本定价（低价恶性竞争）：费率（最低保费之前）低于风险保费超过{fmt_pct(tol, 0)}，差额大于该细分内各单位标准误的2倍，"
        f"且保单数不少于{fmt_int(n_min)}（{fmt_int(meta.get('segments', len(seg)))}个细分中有{fmt_int(thin)}个不足：列示但不标记）。"
        "下表按行业 × 规模汇总各限额档，表中比值低于阈值本身并不构成标记。"))
    body += h.kpis(
        h.kpi(ctx.zh("implied expected loss ratio", "隐含期望赔付率"), fmt_pct(implied),
              ctx.zh(f"permissible for {table_name}: {fmt_pct(permissible)} (1 − its loadings)",
                     f"{table_name}的允许赔付率：{fmt_pct(permissible)}（1 − 附加费用率）") if np.isfinite(permissible) else ""),
        h.kpi(ctx.zh("rated / risk premium, book", "费率保费 / 风险保费（全组合）"), fmt_cell(tot["rated_premium"] / tot["risk_premium"], None, "{:.3f}")),
        h.kpi(ctx.zh("segments below the risk premium", "低于风险保费的细分"), f"{fmt_int(len(flagged))} / {fmt_int(len(seg))}"),
    )
    shown = pd.DataFrame({
        ctx.zh("policies", "保单数"): g["policies"],
        ctx.zh("rated premium (m CNY)", "费率保费（百万元）"): g["rated_premium"] / 1e6,
        ctx.zh("risk premium (m CNY)", "风险保费（百万元）"): g["risk_premium"] / 1e6,
        ctx.zh("ratio", "比值"): g["rated_premium"] / g["risk_premium"],
        ctx.zh("implied loss ratio", "隐含赔付率"): g["expected_loss"] / g["filed_ex_vat"],
    })
    shown.index = pd.MultiIndex.from_tuples([(code_name(i, ctx.lang), code_name(s, ctx.lang)) for i, s in shown.index],
                                            names=[label("industry", ctx.lang), label("size", ctx.lang)])
    fm = {shown.columns[0]: fmt_int, shown.columns[1]: h.fixed(2), shown.columns[2]: h.fixed(2), shown.columns[3]: h.fixed(3), shown.columns[4]: fmt_pct}
    from ..plots import adequacy_figure

    body += h.figure(adequacy_figure(seg, table_name, tol, lang=ctx.lang),
                     ctx.zh("Rated premium over risk premium by industry × size (1 = priced at the loss model's risk; red = below)",
                            "各行业 × 规模的费率保费与风险保费之比（1 = 按损失模型风险定价；红色 = 偏低）"))
    body += h.table(shown, fm)
    if len(flagged):
        cells = flagged[["industry", "size", "limit_band"]].astype(str).to_numpy()
        names = ", ".join(f"{code_name(i, ctx.lang)}/{code_name(s, ctx.lang)}/{b}" for i, s, b in cells[:12])
        more = len(cells) - 12
        body += h.note(ctx.zh(f"Flagged (industry/size/limit band): {names}" + (f" and {more} more" if more > 0 else ""),
                              f"被标记（行业/规模/限额档）：{names}" + (f"，另有{more}个" if more > 0 else "")))
    return body
