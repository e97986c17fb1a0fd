"""Report section: the regulator's page. The limit and prevention policies of a stress run side by
side, for victims, enterprises, prevention and the insurer (``stress.parquet``, the columns of
:data:`ajx_actuarial.stress.MEASURES`), with the trade-off chart: the share of victims' economic
loss compensated against the premium per unit."""

from __future__ import annotations

import pandas as pd

from ..present import fmt_int, fmt_pct, label
from . import _html as h

__all__ = ["render", "POLICY_LEVERS"]

#: Scenario keys that make a scenario a policy (what a regulator sets) rather than a stress of the world.
POLICY_LEVERS = ("limits", "fee_ratio", "rate_change", "table", "rules", "pooling", "carry_forward")

_ROWS = (  # (group, column, format)
    ("victims", "victim_compensation_share", "pct"),
    ("victims", "payout_per_death", "cny"),
    ("victims", "payout_per_death_vs_20x_income", "pct"),
    ("victims", "share_deaths_paid_in_full", "pct"),
    ("victims", "share_disabilities_paid_in_full", "pct"),
    ("enterprises", "premium_per_unit", "cny"),
    ("enterprises", "premium_per_unit_micro", "cny"),
    ("enterprises", "premium_per_unit_small", "cny"),
    ("enterprises", "premium_per_unit_medium", "cny"),
    ("enterprises", "premium_per_unit_large", "cny"),
    ("enterprises", "premium_per_worker", "cny"),
    ("enterprises", "share_at_min_premium", "pct"),
    ("prevention", "fee_ratio", "pct"),
    ("prevention", "prevention_budget", "mcny"),
    ("prevention", "services_funded", "pct"),
    ("prevention", "prevention_spent_share", "pct"),
    ("insurer", "loss_ratio", "pct"),
    ("insurer", "combined_ratio", "pct"),
    ("insurer", "var_995", "mcny"),
    ("insurer", "cross_minimum_capital", "mcny"),
    ("insurer", "var_995_unexpected", "mcny"),
)


_GROUP_LABEL = {"prevention": "prevention_measures"}  # a group's label key where it differs from the group's name


def _fmt(v, kind: str) -> str:
    """A cell (escaped later by the table): percent, millions with one decimal, or whole yuan."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if x != x:
        return "–"
    if kind == "pct":
        return fmt_pct(x)
    if kind == "mcny":
        return h.fixed(1)(x / 1e6)
    return fmt_int(x)


def _policies(st: pd.DataFrame) -> pd.DataFrame:
    """The reference scenario and every scenario that sets a policy lever."""
    if "levers" not in st.columns:
        return st
    keep = [i == st.index[0] or any(k.strip() in POLICY_LEVERS for k in str(lv).split(",") if k.strip())
            for i, lv in zip(st.index, st["levers"])]
    return st[keep]


def render(ctx) -> str:
    from ..plots import policy_lab_figure

    st = ctx.table("stress.parquet").set_index("scenario")
    if "victim_compensation_share" not in st.columns:
        return h.note(ctx.zh("This run predates the policy measures; rerun it to see them.", "此运行早于政策指标，请重新运行。"))
    pol = _policies(st)
    body = h.note(ctx.zh(
        "Each column is a policy a regulator may set, priced through the rate table and simulated on the same accidents. "
        "A scenario's limit is the policy under test: every unit gets it, even below the table's minimum. Victims: the share "
        "of their economic loss (20 × urban income for a death, by grade for a disability, medical costs) that the insurance "
        "pays; a victim is paid in full when no per-person, per-accident or annual limit cuts the payout. Enterprises: what "
        "they pay. Insurer: the expected loss and combined ratio, the 99.5 % value at risk and the C-ROSS minimum capital "
        "(premium and reserve risk, the reserve from the claims' development pattern).",
        "每一列是监管可设定的一项政策，按费率表定价，并在同一组模拟事故上计算。情景中的限额即被检验的政策：所有企业均适用，"
        "即使低于费率表最低限额。受害者：保险赔付占其经济损失（死亡按20倍城镇居民人均可支配收入，伤残按等级，及医疗费用）的比例；"
        "若每人、每次事故及年度累计限额均未削减赔付，则视为足额赔付。企业：所缴保费。保险公司：期望赔付与综合成本率、"
        "99.5% VaR及偿二代最低资本（保费风险与准备金风险，准备金按赔案进展模式）。"))
    rows, index = [], []
    for group, col, kind in _ROWS:
        if col in pol.columns:
            rows.append([_fmt(v, kind) for v in pol[col]])
            name = ctx.t(col)
            if kind == "mcny":  # the unit once: millions
                name = name.replace(" (CNY)", "").replace("（元）", "") + ctx.zh(" (m CNY)", "（百万元）")
            index.append(f"{label(_GROUP_LABEL.get(group, group), ctx.lang)}{ctx.zh(': ', '：')}{name}")
    lim = [(_fmt(v, "cny") if v == v else ctx.zh("as written", "按保单")) for v in pol.get("limit_death", pd.Series(dtype=float))]
    if lim:
        rows.insert(0, lim)
        index.insert(0, ctx.t("limit_death"))
    grid = pd.DataFrame(rows, index=index, columns=[str(c) for c in pol.index])
    body += h.table(grid)
    body += h.figure(policy_lab_figure(pol, lang=ctx.lang),
                     ctx.zh("Each point a policy: higher limits compensate victims more and cost units more, one for one in the "
                            "expected loss (the rates follow the risk through the increased-limit factors).",
                            "每个点代表一项政策：限额越高，受害者获赔越多，企业保费也越高（费率经增限系数随风险变化）。"))
    return body
