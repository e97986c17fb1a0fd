"""English and Chinese labels of the workbook's sheets, columns and summary keys.

Keys not listed fall back to the report's labels (:func:`ajx_actuarial.present.label`) and then to
the column name itself, so a new column shows its own name until someone adds a line here.
Money columns get their unit (CNY / 元) from the number format, so no label here names a unit.
"""

from __future__ import annotations

__all__ = ["SHEETS", "COLUMNS", "GROUPS"]

SHEETS: dict[str, tuple[str, str]] = {
    "summary": ("Summary", "摘要"),
    "scenarios": ("Scenarios", "情景对比"),
    "adequacy": ("Segments, adequacy", "细分_定价充足性"),
    "prevention": ("Segments, prevention", "细分_预防经费"),
    "ledger": ("Prevention ledger", "预防经费台账"),
    "model_check": ("Model check", "模型校验"),
    "years": ("Years", "年度预测"),
    "bands": ("Years, percentiles", "年度分位数"),
    "capital": ("Capital", "偿付能力"),
    "classes": ("History classes", "事故记录类别"),
    "underwriting": ("Underwriting", "承保"),
    "sector_classes": ("Sector classes", "行业类别"),
    "levers": ("Levers", "政策参数"),
    "assumptions": ("Assumptions", "假设与来源"),
}

GROUPS: dict[str, tuple[str, str]] = {
    "run": ("run", "运行"),
    "simulation": ("loss simulation", "损失模拟"),
    "model": ("loss model", "损失模型"),
    "prevention": ("prevention budget", "事故预防服务经费"),
    "stress": ("stress scenarios", "压力情景"),
    "adequacy": ("risk-based pricing adequacy", "风险定价充足性"),
    "projection": ("multi-year projection", "多年度预测"),
    "capital": ("capital", "偿付能力"),
    "jurisdiction": ("jurisdiction", "地区方案"),
    "baseline": ("baseline scenario", "基准情景"),
    "book": ("book", "业务组合"),
    "inputs": ("run inputs (manifest.json)", "运行输入（manifest.json）"),
    "projection_levers": ("projection levers", "预测参数"),
    "scenario_defaults": ("scenario defaults", "情景默认值"),
    "loss_model": ("loss model parameters", "损失模型参数"),
    "loadings": ("rate table loadings", "费率表附加费用"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    # layout
    "group": ("group", "分组"), "measure": ("measure", "指标"), "key": ("key", "字段"), "value": ("value", "值"),
    "lever": ("lever", "参数"), "parameter": ("parameter", "参数"), "source": ("source", "来源"), "flag": ("flag", "标注"),
    "low": ("low", "下限"), "high": ("high", "上限"), "mean": ("mean over paths", "路径均值"),
    "p5": ("5th percentile", "5%分位数"), "p50": ("median", "中位数"), "p95": ("95th percentile", "95%分位数"),
    # run
    "run_id": ("run id", "运行编号"), "kind": ("run kind", "运行类型"), "created": ("created", "创建时间"),
    "ajx_actuarial": ("ajx_actuarial version", "ajx_actuarial版本"),
    "title": ("title", "标题"), "name": ("name", "名称"), "path": ("path", "路径"), "year": ("year", "年度"),
    "years": ("years", "年数"), "paths": ("paths", "路径数"), "start_year": ("first policy year", "起始保单年度"),
    # book and pricing
    "limit_band": ("limit band", "限额档"),
    "premium_ex_vat": ("premium ex VAT", "不含税保费"), "prevention_budget": ("prevention budget", "预防服务经费"),
    "limit_death": ("per-person limit", "每人伤亡责任限额"), "mean_limit_death": ("mean per-person limit", "平均每人伤亡责任限额"),
    "filed_premium": ("filed premium", "备案保费"), "rated_premium": ("rated premium", "费率保费"),
    "filed_ex_vat": ("filed premium ex VAT", "不含税备案保费"), "risk_premium": ("risk premium", "风险保费"),
    "ratio": ("rated / risk premium", "费率保费/风险保费"), "ratio_se": ("standard error of the ratio", "比值标准误"),
    "implied_loss_ratio": ("implied loss ratio", "隐含赔付率"), "thin": ("thin segment", "样本不足"),
    "below_risk": ("below the risk premium", "低于风险保费"), "premium_per_worker": ("premium per worker", "人均保费"),
    # losses
    "description": ("description", "说明"), "note": ("note", "备注"),
    "expected_loss": ("expected loss", "期望赔付"), "simulated_loss": ("simulated mean loss", "模拟年均赔付"),
    "simulated_loss_se": ("standard error of the simulated mean", "模拟均值标准误"), "loss_ratio": ("loss ratio", "赔付率"),
    "var_995": ("VaR 99.5 %", "99.5% VaR"), "tvar_99": ("TVaR 99 %", "99% TVaR"),
    "p_loss_ratio_gt_100": ("P(loss ratio > 100 %)", "赔付率超过100%的概率"), "expected_deaths": ("expected deaths", "期望死亡人数"),
    "mean_insured_loss": ("mean insured loss a year", "年均赔付"), "mean_loss_ratio": ("mean loss ratio", "平均赔付率"),
    "var_995_over_mean": ("VaR 99.5 % / mean", "99.5% VaR / 均值"),
    "unexpected_over_premium": ("(VaR 99.5 % − mean) / premium ex VAT", "（99.5% VaR − 均值）/ 不含税保费"),
    "cross_premium_factor": ("C-ROSS premium-risk factor", "偿二代保费风险因子"), "year_cv": ("systemic year CV", "年度系统性变异系数"),
    "parameter_cv": ("parameter CV", "参数不确定性变异系数"),
    "fatal": ("fatal", "死亡"), "disability": ("disability", "伤残"), "medical": ("medical", "医疗"), "limits": ("limits", "责任限额"),
    "insured_loss": ("insured loss", "赔付"), "claims": ("claims", "赔案数"), "deaths": ("deaths", "死亡人数"),
    "fatal_disability_accidents": ("fatal or disabling accidents", "死亡伤残事故数"),
    "anchors_met": ("public anchors met", "满足的公开锚点"), "anchors": ("public anchors", "公开锚点数"),
    "disabilities_per_death": ("disabilities per death", "每死亡伤残人数"), "figure": ("figure", "指标"), "model": ("model", "模型"),
    "ok": ("within range", "在区间内"), "victim_compensation_share": ("victim compensation share", "受害人赔偿占比"),
    "payout_per_death": ("payout per death", "每死亡赔付"), "frequency_multiplier": ("frequency multiplier", "频率乘数"),
    "severity_multiplier": ("severity multiplier", "损失程度乘数"),
    # prevention
    "prevention_shortfall": ("prevention shortfall", "预防经费缺口"), "mandated": ("mandated policies", "强制服务保单数"),
    "required_cost": ("required cost", "所需经费"), "budget": ("budget", "经费"), "shortfall": ("shortfall", "缺口"),
    "surplus": ("surplus", "结余"), "break_even_fee_ratio": ("break-even fee ratio", "盈亏平衡服务费比例"),
    "break_even_premium": ("break-even premium", "盈亏平衡保费"), "median_premium": ("median premium", "保费中位数"),
    "required": ("required", "所需经费"), "carried_in": ("carried in", "上年结转"), "spent": ("spent", "已支出"),
    "carried_out": ("carried out", "结转下年"), "lapsed": ("lapsed", "失效"), "expense": ("expense", "费用"),
    "rules": ("mandate rules", "强制服务规则"), "pooling": ("pooling", "统筹方式"), "carry_forward": ("carry forward", "结转"),
    "ledger": ("ledger", "台账"), "mandated_policies": ("mandated policies", "强制服务保单数"),
    "total_required": ("required, total", "所需经费合计"), "total_budget": ("budget, total", "经费合计"),
    "total_spent": ("spent, total", "支出合计"), "total_shortfall": ("shortfall, total", "缺口合计"),
    "total_surplus": ("surplus, total", "结余合计"),
    "break_even_fee_ratio_median_policy": ("break-even fee ratio, median policy", "中位保单盈亏平衡服务费比例"),
    "budget_lost_to_discounts": ("budget lost to discounts", "因费率优惠减少的经费"),
    "first_service_within_months": ("first service within (months)", "首次服务期限（月）"), "fee_source": ("fee source", "服务费来源"),
    "prevention_required": ("prevention required", "预防所需经费"), "prevention_spent": ("prevention spent", "预防经费支出"),
    "carried_forward": ("carried forward", "结转"), "prevention_expense": ("prevention expense", "预防费用"),
    "cost_share_funded": ("mandated service cost funded", "强制服务费用覆盖率"), "policies_funded": ("policies funded", "经费足额保单占比"),
    # stress, adequacy summary
    "scenarios": ("scenario set", "情景集"), "fee_ratio_default": ("default fee ratio", "默认服务费比例"),
    "permissible_loss_ratio": ("permissible loss ratio", "允许赔付率"), "flagged_segments": ("segments flagged", "被标记细分数"),
    "segments": ("segments", "细分数"), "thin_segments": ("thin segments", "样本不足细分数"), "min_policies": ("minimum policies", "最少保单数"),
    "flagged_premium_share": ("premium share flagged", "被标记保费占比"), "tolerance": ("tolerance", "容差"), "relativity": ("relativity", "相对系数"),
    # projection, capital
    "commission": ("commission", "手续费"), "admin": ("administration", "管理费用"), "levy": ("protection-fund levy", "保险保障基金"),
    "underwriting_result": ("underwriting result", "承保结果"),
    "mean_float_factor": ("mean floating factor", "平均浮动系数"), "mean_history_factor": ("mean history factor", "平均事故记录系数"),
    "minimum_capital": ("minimum capital", "最低资本"), "capital": ("capital", "实际资本"), "solvency_ratio": ("solvency ratio", "偿付能力充足率"),
    "p_below_100": ("P(solvency ratio < 100 %)", "充足率低于100%的概率"), "p_capital_negative": ("P(capital < 0)", "资本为负的概率"),
    "level": ("VaR level", "VaR置信水平"), "mean_result": ("mean result", "平均承保结果"), "var": ("loss at VaR (below 0: a profit)", "VaR水平的承保亏损（负值为盈利）"),
    "var_unexpected": ("unexpected loss at VaR (VaR − mean loss)", "非预期损失（VaR − 平均亏损）"), "var_lo": ("VaR, lower bound", "VaR下限"), "var_hi": ("VaR, upper bound", "VaR上限"),
    "cross_minimum_capital": ("C-ROSS minimum capital", "偿二代最低资本"), "initial_capital": ("initial capital", "初始资本"),
    "outstanding_ratio": ("outstanding reserve ratio", "未决赔款准备金比例"),
    "p_below_100_any_year": ("P(solvency ratio < 100 % in some year)", "任一年充足率低于100%的概率"),
    "required_initial_capital_995": ("initial capital for >= 100 % on 99.5 % of paths", "99.5%路径充足率不低于100%所需初始资本"),
    "pools": ("pools", "统筹单元数"), "class": ("class", "类别"),
    "sector_class": ("sector class", "行业类别"),
    # projection levers (projection_levers.parquet)
    "trend": ("frequency trend a year", "年度频率趋势"), "income_growth": ("income growth a year", "年收入增长率"),
    "limit_offset": ("limit offset", "限额扣减项"), "severity_trend": ("severity trend a year", "年度损失程度趋势"),
    "fee_floor": ("fee floor", "服务费下限"), "fee_cap": ("fee cap", "服务费上限"), "on_breach": ("on a fee breach", "服务费越限时"),
    "below_floor": ("money below the floor", "下限以内未用资金"), "fee_base": ("fee base", "服务费基数"), "costs": ("service costs", "服务成本"),
    "cost_inflation": ("service cost inflation", "服务成本增长率"), "prevention_effectiveness": ("prevention effectiveness", "预防服务效果"),
    "grade_transitions": ("grade transitions", "分级转移矩阵"), "history": ("history factor", "事故记录系数"),
    "feedback": ("renewal feedback", "续保反馈"),
}
