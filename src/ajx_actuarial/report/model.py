"""Report section: the loss model beside public anchors (``model_check.parquet`` = ``LossModel.check``) and its tail."""

from __future__ import annotations

import pandas as pd

from ..present import fmt_int
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
        boxes.append(h.kpi(ctx.zh("gross premium per worker the model needs", "模型所需每名从业人员毛保费"), f"{m['premium_per_worker']:,.0f}",
                           ctx.zh("CNY a year at the permissible loss ratio 61.2 %", "元/年，按允许赔付率61.2%")))
    body += h.kpis(*boxes)
    shown = pd.DataFrame({
        ctx.zh("figure", "指标"): c["figure"].astype(str),
        ctx.zh("model", "模型"): c["model"].map(lambda v: f"{v:,.4g}"),
        ctx.zh("low", "下限"): c["low"].map(lambda v: f"{v:,.4g}"),
        ctx.zh("high", "上限"): c["high"].map(lambda v: f"{v:,.4g}"),
        ctx.zh("within", "在区间内"): c["ok"].map(lambda v: ctx.zh("yes", "是") if bool(v) else ctx.zh("NO", "否")),
        ctx.zh("source", "来源"): c["source"].astype(str),
    })
    return body + h.table(shown, index=False, truncate=400)
