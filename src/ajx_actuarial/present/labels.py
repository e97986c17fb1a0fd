"""Labels in two languages (``en``, ``zh``) for tables, the report and the plots.

``label(key, lang)`` returns the text of ``key``; an unknown key is returned as is, so a new
column shows its own name until someone adds its translation here (one line per key).
Industry and size codes take their Chinese names from the packaged reference data.
"""

from __future__ import annotations

import functools

from ..errors import ValidationError
from ._labels_console import CONSOLE_LABELS
from ._labels_text import TEXT_ZH

__all__ = ["LANGS", "check_lang", "label", "code_label", "code_name", "text_label"]

LANGS: tuple[str, ...] = ("en", "zh")

_LABELS: dict[str, tuple[str, str]] = {
    # report sections
    "key_findings": ("Key findings", "主要结论"),
    "portfolio": ("Portfolio", "业务组合"),
    "pricing": ("Pricing", "定价"),
    "simulation": ("Loss simulation", "损失模拟"),
    "prevention": ("Prevention budget", "事故预防服务经费"),
    "stress": ("Stress scenarios", "压力情景"),
    "provenance": ("Provenance", "来源与可复现性"),
    # quantities
    "policies": ("policies", "保单数"),
    "workers": ("workers", "从业人员数"),
    "industry": ("industry", "行业"),
    "size": ("size", "规模"),
    "share": ("share", "占比"),
    "accidents_3y": ("accidents (3 y)", "近3年事故数"),
    "premium": ("premium", "保费"),
    "premium_cny": ("premium (CNY)", "保费（元）"),
    "premium_m": ("premium, million CNY", "保费（百万元）"),
    "per_worker": ("premium per worker (CNY)", "人均保费（元）"),
    "prevention_budget": ("prevention budget (CNY)", "预防服务经费（元）"),
    "prevention_fee": ("prevention fee ratio", "事故预防服务费比例"),
    "mean_float": ("mean floating factor", "平均浮动系数"),
    "at_minimum": ("at minimum premium", "适用最低保费"),
    "float_factor": ("floating factor", "浮动系数"),
    "limit_death": ("per-person limit (CNY)", "每人伤亡责任限额（元）"),
    "book": ("book", "业务组合"),
    "table": ("rate table", "费率表"),
    "seed": ("seed", "随机种子"),
    "years": ("simulated years", "模拟年数"),
    "gross_premium": ("gross premium", "总保费"),
    "expected_loss": ("mean insured loss per year", "年均赔付"),
    "loss_ratio": ("expected loss ratio (ex-VAT premium)", "期望赔付率（不含税保费）"),
    "var_995": ("VaR 99.5 % of annual insured loss", "年度赔付99.5% VaR"),
    "tvar_99": ("TVaR 99 %", "TVaR 99%"),
    "share_funded": ("mandated policies funded", "经费足额保单占比"),
    "services_funded": ("mandated service cost paid", "强制服务费用支付比例"),
    "spent_share": ("prevention spent, share of ex-VAT premium", "预防支出占不含税保费比例"),
    "prevention_spent_share": ("prevention spent, share of ex-VAT premium", "预防支出占不含税保费比例"),
    "shortfall": ("prevention shortfall", "预防经费缺口"),
    "break_even_fee": ("break-even fee ratio", "盈亏平衡费率比例"),
    "mandated": ("mandated", "强制服务保单数"),
    "required": ("required (k CNY)", "所需经费（千元）"),
    "budget": ("budget (k CNY)", "经费（千元）"),
    "shortfall_k": ("shortfall (k CNY)", "缺口（千元）"),
    "break_even_premium": ("break-even premium (CNY)", "盈亏平衡保费（元）"),
    "median_premium": ("median premium (CNY)", "保费中位数（元）"),
    "scenario": ("scenario", "情景"),
    "premium_mcny": ("premium (m CNY)", "保费（百万元）"),
    "mean_loss_mcny": ("mean loss (m CNY)", "年均赔付（百万元）"),
    "loss_ratio_short": ("loss ratio", "赔付率"),
    "var_995_mcny": ("VaR 99.5 % (m CNY)", "99.5% VaR（百万元）"),
    "mandates_funded": ("mandates paid", "强制服务费用支付比例"),
    "shortfall_mcny": ("shortfall (m CNY)", "预防经费缺口（百万元）"),
    # figures
    "fig_premium": ("Premium by industry", "各行业保费"),
    "fig_float": ("Distribution of floating factors", "浮动系数分布"),
    "fig_exceedance": ("Annual insured loss: exceedance probability", "年度赔付超越概率"),
    "fig_exceedance_stress": ("Exceedance by scenario", "各情景年度赔付超越概率"),
    "fig_prevention": ("Share of mandated policies whose fee funds the services", "经费足以覆盖强制服务的保单比例"),
    "fig_prevention_own": ("What each segment's own fee pays of its mandated services (the pool pays the rest)",
                           "各细分自身服务费可支付的强制服务费用比例（其余由统筹资金支付）"),
    "own_coverage": ("own budget ÷ mandated cost (at most 1)", "自身经费 / 强制服务费用（上限1）"),
    "fig_stress": ("Stress scenarios side by side", "压力情景对比"),
    "annual_loss_m": ("annual insured loss, million CNY", "年度赔付（百万元）"),
    "exceedance": ("exceedance probability", "超越概率"),
    "var_995_m": ("VaR 99.5 %, million CNY", "99.5% VaR（百万元）"),
    "share_policies": ("policies", "保单数"),
    # the regulator's policy lab (stress measures)
    "policy_lab": ("Limit policies side by side", "责任限额政策对比"),
    "fig_policy_lab": ("What victims receive against what units pay", "受害者获赔比例与企业保费"),
    "victims": ("victims", "受害者"),
    "enterprises": ("enterprises", "企业"),
    "insurer": ("insurer", "保险公司"),
    "victims_economic_loss": ("victims' economic loss a year (CNY)", "受害者年经济损失（元）"),
    "victim_compensation_share": ("share of victims' loss compensated", "受害者损失获赔比例"),
    "payout_per_death": ("payout per death (CNY)", "每名死亡者赔付（元）"),
    "payout_per_death_vs_20x_income": ("payout per death / 20 × income", "每名死亡者赔付 / 20倍收入"),
    "share_deaths_paid_in_full": ("deaths paid in full", "死亡足额赔付占比"),
    "share_disabilities_paid_in_full": ("disabilities paid in full", "伤残足额赔付占比"),
    "expected_deaths": ("expected deaths a year", "年期望死亡人数"),
    "premium_per_unit": ("premium per unit (CNY)", "户均保费（元）"),
    "premium_per_unit_large": ("premium per large unit (CNY)", "大型企业户均保费（元）"),
    "premium_per_unit_medium": ("premium per medium unit (CNY)", "中型企业户均保费（元）"),
    "premium_per_unit_small": ("premium per small unit (CNY)", "小型企业户均保费（元）"),
    "premium_per_unit_micro": ("premium per micro unit (CNY)", "微型企业户均保费（元）"),
    "premium_per_worker": ("premium per worker (CNY)", "人均保费（元）"),
    "share_at_min_premium": ("units at the minimum premium", "适用最低保费企业占比"),
    "combined_ratio": ("combined ratio", "综合成本率"),
    "outstanding_reserve": ("outstanding reserve (CNY)", "未决赔款准备金（元）"),
    "cross_premium_capital": ("C-ROSS premium-risk capital (CNY)", "偿二代保费风险最低资本（元）"),
    "cross_reserve_capital": ("C-ROSS reserve-risk capital (CNY)", "偿二代准备金风险最低资本（元）"),
    "cross_minimum_capital": ("C-ROSS minimum capital (CNY)", "偿二代最低资本（元）"),
    "var_995_unexpected": ("VaR 99.5 % − mean (CNY)", "99.5% VaR − 均值（元）"),
    "limit_k": ("limit (k CNY)", "每人限额（千元）"),
    "premium_per_unit_short": ("premium / unit", "户均保费"),
    "victims_compensated": ("victims' loss paid", "受害者获赔比例"),
    "deaths_in_full": ("deaths paid in full", "死亡足额赔付"),
    "cross_mc_mcny": ("C-ROSS capital (m)", "偿二代最低资本（百万元）"),
    "mean_limit_death": ("mean per-person limit (CNY)", "平均每人限额（元）"),
    "premium_ex_vat": ("premium ex VAT (CNY)", "不含税保费（元）"),
    "fee_ratio": ("prevention fee ratio", "事故预防服务费比例"),
    "prevention_shortfall": ("prevention shortfall (CNY)", "预防经费缺口（元）"),
    "simulated_loss": ("simulated mean loss (CNY)", "模拟年均赔付（元）"),
    "p_loss_ratio_gt_100": ("P(loss ratio > 100 %)", "赔付率超100%概率"),
    "p_lr_gt_100_short": ("P(LR > 100 %)", "赔付率超100%概率"),
    "tvar_995": ("TVaR 99.5 %", "TVaR 99.5%"),
    "tvar_995_long": ("TVaR 99.5 % (mean of the worst 0.5 % of years)", "TVaR 99.5%（最差0.5%年度的均值）"),
    "tvar_99_long": ("TVaR 99 % (mean of the worst 1 % of years)", "TVaR 99%（最差1%年度的均值）"),
    # the simulation table (per simulated year)
    "gross_loss": ("gross loss (before limits)", "限额前损失"),
    "insured_loss": ("insured loss (after limits)", "限额后赔付"),
    "accidents": ("accidents", "事故数"),
    "deaths": ("deaths", "死亡人数"),
    "disabilities": ("disabilities", "伤残人数"),
    "mean": ("mean", "均值"),
    "std": ("standard deviation", "标准差"),
    "min": ("min", "最小值"),
    "max": ("max", "最大值"),
    "median": ("median", "中位数"),
    # the regulator's page: measure groups
    "prevention_measures": ("prevention", "事故预防"),
    # prevention pooling (prevention.POOLINGS) and fee bases
    "pooling_policy": ("per policy (each unit's budget pays its own services)", "按保单（各单位经费只支付自身服务）"),
    "pooling_segment": ("per segment (budgets pooled within industry × size)", "按细分（行业×规模内统筹）"),
    "pooling_insurer": ("one pool (the insurer's whole book)", "保险公司统筹（全部业务一个资金池）"),
    "fee_base_collected": ("collected premium (VAT included)", "实收保费（含增值税）"),
    "fee_base_ex_vat": ("ex-VAT premium", "不含税保费"),
    # provenance rows (the run's inputs, manifest.json)
    "input": ("input", "输入"),
    "input_book": ("book", "业务组合"),
    "input_portfolio": ("book", "业务组合"),
    "input_table": ("rate table", "费率表"),
    "input_years": ("simulated years", "模拟年数"),
    "input_rules": ("mandate rules", "强制服务规则"),
    "input_fee_ratio": ("prevention fee ratio", "事故预防服务费比例"),
    "input_scenarios": ("scenario set", "情景集"),
    "input_stress_years": ("simulated years per stress scenario", "每个压力情景模拟年数"),
    "input_jurisdiction": ("jurisdiction", "地区方案"),
    "input_limits": ("limit policy", "限额政策"),
    "input_paths": ("paths", "路径数"),
    "input_start_year": ("first policy year", "起始保单年度"),
    "input_policy_years": ("policy years projected", "预测保单年度数"),
    "input_ledger": ("ledger", "台账"),
}
_LABELS.update({k: v for k, v in CONSOLE_LABELS.items() if k not in _LABELS})


def check_lang(lang: str) -> str:
    """``lang`` if it is ``en`` or ``zh``; a :class:`ValidationError` otherwise.

    Examples
    --------
    >>> check_lang("zh")
    'zh'
    """
    if lang not in LANGS:
        raise ValidationError(f"lang: must be one of {list(LANGS)}, got {lang!r}")
    return lang


def label(key: str, lang: str = "en") -> str:
    """The label of ``key`` in ``lang`` (``key`` itself when there is none).

    Examples
    --------
    >>> label("premium", "zh"), label("premium"), label("no_such_key")
    ('保费', 'premium', 'no_such_key')
    """
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[LANGS.index(check_lang(lang))]


def text_label(text: object, lang: str = "en") -> str:
    """A whole text (a packaged scenario's description, a loss-model anchor's figure or source) in
    ``lang``: its Chinese form under ``zh`` when one is listed (:mod:`._labels_text`), else as is.

    Examples
    --------
    >>> text_label("all accident frequencies +30 %", "zh"), text_label("all accident frequencies +30 %")
    ('所有事故频率上升30%', 'all accident frequencies +30 %')
    """
    s = str(text)
    return TEXT_ZH.get(s, s) if check_lang(lang) == "zh" else s


@functools.cache
def _code_names() -> dict[str, str]:
    from .. import reference

    names = dict(reference.industries()["name_zh"])
    names.update(dict(reference.size_classes()["name_zh"]))
    return names


@functools.cache
def _code_names_en() -> dict[str, str]:
    from .. import reference

    return dict(reference.industries()["name_en"])


def code_name(code: object, lang: str = "en") -> str:
    """An industry or size code in words, in either language (the report's tables): ``coal_mine`` →
    ``Coal mine (underground)`` / ``煤矿``; an unknown code is returned as is.

    Examples
    --------
    >>> code_name("hazardous_chemicals"), code_name("hazardous_chemicals", "zh"), code_name("micro")
    ('Hazardous chemicals', '危险化学品', 'micro')
    """
    s = str(code)
    return _code_names().get(s, s) if check_lang(lang) == "zh" else _code_names_en().get(s, s)


def code_label(code: object, lang: str = "en") -> str:
    """An industry or size code in ``lang``: ``coal_mine`` → ``煤矿`` in ``zh``.

    Examples
    --------
    >>> code_label("coal_mine", "zh"), code_label("large", "zh"), code_label("coal_mine")
    ('煤矿', '大型', 'coal_mine')
    """
    s = str(code)
    return _code_names().get(s, s) if check_lang(lang) == "zh" else s
