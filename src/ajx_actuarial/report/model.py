"""Report section: the loss model beside public anchors (``model_check.parquet`` = ``LossModel.check``) and its tail."""

from __future__ import annotations

import pandas as pd

from ..present import fmt_int, fmt_pct
from ..present.formats import fmt_money, fmt_num
from ..present.labels import text_label
from . import _html as h

__all__ = ["render"]


def render(ctx) -> str:
    c = ctx.table("model_check.parquet")
    m = ctx.summary.get("model", {})
    ok = int(c["ok"].astype(bool).sum())
    body = h.note(ctx.zh(
        "Every number this run prints rests on the loss model. Its sector frequencies are averages of the national high-risk "
        "book, anchored to public statistics (deaths: MEM accident statistics; disabilities: MOHRSS work-injury appraisals, "
        "about 25 per death; medical claims: the Beijing pilot). Each figure below is the model's on this book, exactly, beside "
        "the range the sources allow (reference/data/loss_model/default.toml; `ajx model show` lists every parameter with its "
        "source and flag).",
        "本次运行的所有数字都建立在损失模型之上。其行业频率为全国高危行业业务组合的平均值，以公开统计为锚"
        "（死亡：应急管理部事故统计；伤残：人社部劳动能力鉴定，约每死亡25人；医疗：北京试点）。下表为模型在本组合上的精确数值，"
        "以及来源所允许的区间（reference/data/loss_model/default.toml；`ajx model show` 列出每个参数的来源与可信度）。"))
    boxes = [h.kpi(ctx.zh("public anchors met", "满足的公开锚点"), f"{fmt_int(ok)} / {fmt_int(len(c))}")]
    if "premium_per_worker" in m:
        boxes.append(h.kpi(ctx.zh("gross premium per worker the model needs", "模型所需每名从业人员毛保费"),
                           fmt_money(m["premium_per_worker"], lang=ctx.lang), _permissible_note(ctx, m["premium_per_worker"])))
    body += h.kpis(*boxes)
    shown = pd.DataFrame({
        ctx.zh("figure", "指标"): c["figure"].astype(str),
        ctx.zh("model", "模型"): c["model"].map(fmt_num),
        ctx.zh("low", "下限"): c["low"].map(fmt_num),
        ctx.zh("high", "上限"): c["high"].map(fmt_num),
        ctx.zh("within", "在区间内"): c["ok"].map(lambda v: ctx.zh("yes", "是") if bool(v) else ctx.zh("NO", "否")),
        ctx.zh("source", "来源"): c["source"].astype(str).map(lambda t: text_label(t, ctx.lang)),
    })
    shown[ctx.zh("figure", "指标")] = shown[ctx.zh("figure", "指标")].map(lambda t: text_label(t, ctx.lang))
    return body + h.table(shown, index=False)


def _permissible_note(ctx, per_worker: float) -> str:
    """The loss ratio the model-check premium is grossed up at names its table (national-2025's 61.2 %), and the
    premium at this run's own table's permissible loss ratio when that differs."""
    from ..losses.check import PERMISSIBLE_LOSS_RATIO as plr

    en = f"a year, at national-2025's permissible loss ratio {fmt_pct(plr)} (the model check's reference)"
    zh = f"每年，按national-2025的允许赔付率{fmt_pct(plr)}（模型校验的参照）"
    a = ctx.summary.get("adequacy", {})
    own, table = a.get("permissible_loss_ratio"), a.get("table") or ctx.summary.get("table")
    if isinstance(own, (int, float)) and own > 0 and abs(own - plr) > 5e-4 and table:
        v = fmt_money(per_worker * plr / own, lang=ctx.lang)
        en += f"; {v} at {table}'s own {fmt_pct(own)}"
        zh += f"；按{table}自身的{fmt_pct(own)}为{v}"
    return ctx.zh(en, zh)
