"""Console labels (en, zh): titles and lines the CLI prints, merged into :mod:`.labels`.

Kept apart from the report's labels so the two can grow independently; one key, one line.
Keys start with ``con_`` (a key the report's labels already have keeps the report's text). A
label with ``{fields}`` is a template: ``label("con_adequacy", lang).format(...)``; the figures
are formatted by the caller through :mod:`.formats`, so both languages show the same numbers.
"""

from __future__ import annotations

CONSOLE_LABELS: dict[str, tuple[str, str]] = {
    # demo
    "con_synthesising": ("synthesising {n} policies ...", "正在合成 {n} 份保单 ..."),
    "con_loss_model": ("loss model: {met} of {anchors} public anchors met on this book (ajx model check); {dpd} disabilities per death, "
                       "gross premium needed {ppw} per worker a year",
                       "损失模型：本业务组合满足 {anchors} 个公开锚点中的 {met} 个（ajx model check）；每例死亡对应伤残 {dpd} 例，"
                       "所需总保费每人每年 {ppw}"),
    "con_premium_title": ("Premium by industry, table {table}", "分行业保费（费率表 {table}）"),
    "con_adequacy_status": ("rate adequacy audit (exact expected loss) ...", "费率充足性审计（精确期望损失）..."),
    "con_adequacy": ("adequacy: implied loss ratio {implied} vs permissible {permissible}; {flagged} of {segments} segments below their "
                     "risk premium",
                     "费率充足性：隐含赔付率 {implied}，允许赔付率 {permissible}；{segments} 个细分中有 {flagged} 个低于其风险保费"),
    "con_simulating": ("simulating {years} years", "模拟 {years} 年"),
    "con_simulating_compile": ("simulating {years} years (first run compiles the numba kernels)", "模拟 {years} 年（首次运行需编译 numba 内核）"),
    "con_simulation": ("simulation: mean insured loss {mean}, VaR 99.5 % {var} ({ratio} × the mean; systemic year effect and parameter "
                       "uncertainty included), mean loss ratio {lr} of ex-VAT premium; VaR − mean = {unexpected} of ex-VAT premium beside "
                       "C-ROSS's 20.3 % liability premium-risk factor",
                       "损失模拟：年均赔付 {mean}，99.5% VaR {var}（为均值的 {ratio} 倍；含系统性年度效应与参数不确定性），"
                       "平均赔付率为不含税保费的 {lr}；VaR 减均值 = 不含税保费的 {unexpected}（偿二代责任险保费风险因子为 20.3%）"),
    "con_prevention_title": ("Prevention budget: {rules} at {fee}", "事故预防服务经费：{rules}，{fee}"),
    "con_rules_xinzhou": ("Xinzhou 2024 mandates", "忻州 2024 强制服务要求"),
    "con_rules_bundle": ("{name} mandates", "{name} 强制服务要求"),
    "con_fee_table": ("the table's {fee} prevention fee", "费率表的事故预防服务费 {fee}"),
    "con_fee_schedule": ("fee {schedule} ({ledger})", "服务费 {schedule}（{ledger}）"),
    "con_stress_progress": ("stress scenarios ({name})", "压力情景（{name}）"),
    "con_stress_title": ("Stress scenarios {name} (common random numbers)", "压力情景 {name}（共同随机数）"),
    "con_underwriting": ("underwriting ({name}): {removed} of {offered} units deferred or refused; premium {premium}, expected loss "
                         "{loss}, prevention budget {budget}",
                         "承保（{name}）：{offered} 家单位中 {removed} 家被暂缓或拒保；保费 {premium}，期望损失 {loss}，预防服务经费 {budget}"),
    "con_fee_breach": ("fee breach flagged ({name}): {items}", "服务费比例越界已标记（{name}）：{items}"),
    "con_report_written": ("report: {report}\noutputs in {folder} ({seconds} s)", "报告：{report}\n输出目录 {folder}（{seconds} 秒）"),
    "con_pooling_insurer": ("insurer", "保险公司统筹（全部业务一个资金池）"),
    "con_pooling_segment": ("segment", "按行业×规模统筹"),
    "con_pooling_policy": ("policy", "按保单（各单位经费只支付自身服务）"),
    # ajx adequacy
    "con_adequacy_title": ("Adequacy of {table} (all limit bands)", "费率表 {table} 的充足性（全部限额档）"),
    "con_adequacy_cli": ("implied loss ratio {implied} vs permissible {permissible}; {flagged} of {segments} segments below the risk "
                         "premium ({share} of premium)",
                         "隐含赔付率 {implied}，允许赔付率 {permissible}；{segments} 个细分中有 {flagged} 个低于风险保费（占保费 {share}）"),
    "con_adq_industry": ("industry", "行业"),
    "con_adq_size": ("size", "规模"),
    "con_adq_policies": ("policies", "保单数"),
    "con_adq_rated_premium": ("rated_premium", "费率表保费"),
    "con_adq_risk_premium": ("risk_premium", "风险保费"),
    "con_adq_ratio": ("ratio", "比值"),
    "con_adq_implied LR": ("implied LR", "隐含赔付率"),
    # project
    "con_projecting": ("projecting {n} policies × {years} years × {paths} paths", "预测 {n} 份保单 × {years} 年 × {paths} 条路径"),
    "con_projection_title": ("Projection, mean over {paths} paths ({where}, levers: projection_levers.parquet)",
                             "多年预测，{paths} 条路径的均值（{where}；参数：projection_levers.parquet）"),
    "con_capital_title": ("C-ROSS phase II (liability): minimum capital, capital, solvency ratio; loss at 99.5 % = VaR 99.5 % of the "
                          "one-year underwriting loss (assumption)",
                          "偿二代二期（责任险）：最低资本、实际资本、偿付能力充足率；99.5% 分位损失 = 一年期承保亏损的 99.5% VaR（假设）"),
    "con_var_loss": ("loss at 99.5 %", "99.5% 分位损失"),
    "con_var_note": ("loss at 99.5 %: the one-year underwriting loss exceeded on 0.5 % of paths (VaR 99.5 %); negative: even that "
                     "path makes a profit",
                     "99.5% 分位损失：仅 0.5% 的路径超过的一年期承保亏损（99.5% VaR）；为负值表示即使在该路径上也有盈利"),
    "con_p_below": ("P(solvency ratio < 100 % at some year end) = {p} with initial capital {capital}; capital for >= 100 % in every "
                    "year on 99.5 % of paths: {need}",
                    "某一年末偿付能力充足率低于 100% 的概率 = {p}（初始资本 {capital}）；99.5% 的路径每年充足率不低于 100% 所需资本：{need}"),
    "con_p_below_scenario": ("{name}: P(solvency ratio < 100 % at some year end) = {p}; capital for >= 100 % every year on 99.5 % of "
                             "paths: {need}",
                             "{name}：某一年末偿付能力充足率低于 100% 的概率 = {p}；99.5% 的路径每年充足率不低于 100% 所需资本：{need}"),
    "con_one_insurer": ("(one insurer, initial capital {capital} in every scenario)", "（单一保险公司，各情景初始资本均为 {capital}）"),
    # projection columns (zh heads; en keeps the column names of projection.parquet / capital.parquet)
    "con_wrote_workbook": ("wrote {path} (Excel workbook)", "已写入 {path}（Excel 工作簿）"),
    "con_wrote_run": ("wrote {path} (manifest.json); `ajx report {path}` renders it", "已写入 {path}（manifest.json）；`ajx report {path}` 生成报告"),
    "con_col_year": ("year", "保单年度"),
    "con_col_scenario": ("scenario", "情景"),
    "con_col_premium": ("premium", "保费"),
    "con_col_insured_loss": ("insured loss", "赔付"),
    "con_col_underwriting_result": ("underwriting result", "承保结果"),
    "con_col_prevention_budget": ("prevention budget", "预防服务经费"),
    "con_col_prevention_spent": ("prevention spent", "预防服务支出"),
    "con_col_carried_forward": ("carried forward", "结转"),
    "con_col_cost_share_funded": ("mandated cost paid", "强制服务费用支付比例"),
    "con_col_mean_float_factor": ("mean floating factor", "平均浮动系数"),
    "con_col_minimum_capital": ("C-ROSS minimum capital", "最低资本"),
    "con_col_capital": ("capital", "实际资本"),
    "con_col_solvency_ratio": ("solvency ratio", "偿付能力充足率"),
    "con_col_p5": ("solvency ratio p5", "充足率 5% 分位"),
    "con_col_p_below_100": ("P(ratio < 100 %)", "充足率低于 100% 的概率"),
    # jurisdictions
    "con_bundles_title": ("Jurisdiction bundles (ajx demo --jurisdiction NAME)", "地区规则包（ajx demo --jurisdiction NAME）"),
    "con_seed_title": ("seed document", "依据文件"),
}
