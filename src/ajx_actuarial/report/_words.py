"""A run's recorded inputs and provenance in words, in English or Chinese.

The run folder records some facts as the program wrote them (``manifest.json`` inputs such as
``"synthetic book, ajx_actuarial.synth, seed 2026"``, a fee source ``"[fee] of jurisdiction
beijing-2026"``, a fee schedule as a mapping); the report shows them as sentences a reader can
quote, never as Python reprs or raw field names. Names (tables, rule sets, jurisdictions, files)
are kept as they are: they are codes a reader types.
"""

from __future__ import annotations

import re

from ..present import fmt_int, fmt_pct, label
from ..present.formats import fmt_money, fmt_num, fmt_year

__all__ = ["book_source", "fee_source", "limit_rule", "input_value", "pooling", "period", "p_exceed", "fee_base"]

_SYNTH = re.compile(r"^synthetic book, ajx_actuarial\.synth, seed (\d+)$")
_SYNTH_J = re.compile(r"^synthetic book of jurisdiction (\S+) \(preset (\S+), limit rule (.*)\), seed (\d+)$")
_BEIJING = re.compile(r"^Beijing formula \((\d{4}) incomes\): ([\d,.]+)$")
_FIXED = re.compile(r"^fixed ([\d,.]+)$")
_INCOME = re.compile(r"^([\d.]+) × (\S+) income \((\d{4})\): ([\d,.]+)$")


def _zh(lang: str) -> bool:
    return lang == "zh"


def limit_rule(text: str, lang: str) -> str:
    """A limit policy's label (``LimitPolicy.label``) in ``lang``: ``Beijing formula (2025 incomes): 802,460``."""
    if not _zh(lang):
        return text
    if m := _BEIJING.match(text):
        return f"北京公式（{m[1]}年收入）：每人{m[2]}元"
    if m := _FIXED.match(text):
        return f"固定限额：每人{m[1]}元"
    if m := _INCOME.match(text):
        region = {"national": "全国", "beijing": "北京"}.get(m[2], m[2])
        return f"{region}{m[3]}年城镇居民人均可支配收入的{m[1]}倍：每人{m[4]}元"
    return {"as priced": "按定价"}.get(text, text)


def book_source(text: object, lang: str) -> str:
    """Where the book came from (``manifest.json`` input ``book``): a synthetic book in words, a file as its name."""
    s = str(text)
    if m := _SYNTH.match(s):
        return f"合成业务组合（ajx_actuarial.synth，随机种子{m[1]}）" if _zh(lang) else s
    if m := _SYNTH_J.match(s):
        if _zh(lang):
            return f"地区方案{m[1]}的合成业务组合（预设{m[2]}，限额规则：{limit_rule(m[3], lang)}），随机种子{m[4]}"
        return s
    return s


def fee_source(text: object, lang: str) -> str:
    """Where the prevention fee came from (``summary.json`` ``prevention.fee_source``) in words."""
    s = str(text)
    if m := re.match(r"^loadings\.prevention_fee of rate table (\S+)$", s):
        return f"费率表{m[1]}的事故预防服务费附加" if _zh(lang) else f"the prevention-fee loading of rate table {m[1]}"
    if s == "loadings.prevention_fee":
        return "费率表的事故预防服务费附加" if _zh(lang) else "the rate table's prevention-fee loading"
    if m := re.match(r"^\[fee\] of jurisdiction (\S+)$", s):
        return f"地区方案{m[1]}的服务费比例表" if _zh(lang) else f"the fee schedule of jurisdiction {m[1]}"
    return s


def pooling(code: object, lang: str) -> str:
    """A prevention pooling code (``policy``, ``segment``, ``insurer``) in words."""
    key = f"pooling_{code}"
    text = label(key, lang)
    return str(code) if text == key else text


def fee_base(code: object, lang: str) -> str:
    """A fee base code (``collected``, ``ex_vat``) in words."""
    key = f"fee_base_{code}"
    text = label(key, lang)
    return str(code) if text == key else text


def period(years: object, lang: str) -> str:
    """The period a total covers: ``a year`` / ``total over 3 policy years``."""
    try:
        n = int(years)
    except (TypeError, ValueError):
        n = 1
    if n <= 1:
        return "一个保单年度" if _zh(lang) else "one policy year"
    return f"{n}个保单年度合计" if _zh(lang) else f"total over {n} policy years"


def p_exceed(p: object, n: int | None) -> str:
    """A probability estimated from ``n`` simulated years: ``< 1/300`` when none of them exceeded."""
    try:
        x = float(p)
    except (TypeError, ValueError):
        return ""
    if x != x:
        return ""
    if x == 0 and n:
        return f"< 1/{fmt_int(n)}"
    return fmt_pct(x, 1)


def _number(key: str, v: float, lang: str) -> str:
    if key in ("start_year", "seed") or key.endswith("_year"):
        return fmt_year(v)
    if key in ("years", "stress_years", "paths", "n"):
        return fmt_int(v)
    if "fee" in key or "ratio" in key or "share" in key:
        return fmt_pct(v, None)
    if "limit" in key:
        return fmt_money(v, lang=lang)
    return fmt_num(v)


def input_value(key: str, v: object, lang: str) -> str:
    """A recorded input (``manifest.json``) in words: a fee schedule as ``2026: 16.67 %, 2028: 20 %``."""
    if v is None or v == "":
        return "（默认）" if _zh(lang) else "(default)"
    if key in ("book", "portfolio"):
        return book_source(v, lang)
    if isinstance(v, bool):
        return ("是" if v else "否") if _zh(lang) else ("yes" if v else "no")
    if isinstance(v, (int, float)):
        return _number(key, v, lang)
    if isinstance(v, dict):
        return ", ".join(f"{k}: {input_value(key, x, lang)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return ", ".join(input_value(key, x, lang) for x in v)
    return str(v)


_RATIO_LEVERS = {"trend", "income_growth", "severity_trend", "fee_ratio", "fee_floor", "fee_cap", "cost_inflation",
                 "prevention_effectiveness", "commission", "admin", "levy"}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(:?)")
_CODES = {  # a projection lever's coded value in words (en, zh)
    "as_priced": ("as priced", "按定价"), "death_grant": ("less the work-injury death grant", "扣除一次性工亡补助金"),
    "error": ("refuse the run", "拒绝运行"), "flag": ("flag the breach", "标记违规"),
    "spend": ("spend it on further services", "用于其他预防服务"), "release": ("release it", "释放"),
    "provisioned": ("provisioned at the year's end (Zhoushan S03)", "年末计提（舟山S03）"),
    "not_provisioned": ("not provisioned: services actually delivered (Zhejiang S02, Xinzhou S04)", "不得预提：据实列支（浙江S02、忻州S04）"),
    "carry_forward": ("unspent carried forward (Beijing S01)", "结余结转下年（北京S01）"),
    "table": ("as the rate table", "按费率表"), "None": ("–", "–"), "True": ("yes", "是"), "False": ("no", "否"),
    "income_growth": ("income growth", "收入增长率"),
}


def lever_value(lever: object, value: object, lang: str) -> str:
    """A projection lever's recorded value (``projection_levers.parquet``) in words: ratios as percentages
    (``-0.065`` → ``-6.5 %``, ``2026: 0.2`` → ``2026: 20 %``), codes as words, years left as they are."""
    s, zh = str(value), _zh(lang)
    if s in _CODES:
        return _CODES[s][zh]
    if str(lever) == "pooling":
        return pooling(s, lang)
    if str(lever) == "fee_base":
        return fee_base(s, lang)
    if str(lever) in _RATIO_LEVERS:
        s = _NUMBER.sub(lambda m: m.group(0) if m.group(1) else fmt_pct(float(m.group(0)), None), s)
    for code, (en_w, zh_w) in _CODES.items():
        if len(code) > 5:  # words inside a value: "(= income_growth)", "(table)"
            s = s.replace(code, zh_w if zh else en_w)
    return s.replace(" (table)", "（按费率表）" if zh else " (as the rate table)")
