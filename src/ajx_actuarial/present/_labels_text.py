"""Chinese forms of whole texts the report shows: the packaged scenario sets' descriptions and the
loss model's public anchors (figure and source).

Keyed by the English text itself, so an edited English text loses its translation rather than
keeping a stale one (``tests/unit/test_report_zh.py`` then finds the English sentence in the
Chinese report). :func:`ajx_actuarial.present.labels.text_label` looks texts up here.
"""

from __future__ import annotations

__all__ = ["TEXT_ZH"]

TEXT_ZH: dict[str, str] = {
    # reference/data/scenarios/national-2025.toml
    "N25 minimum 400k, 800k, 20 × income (a death paid in full), the Beijing formula, prevention at the 21 % cap (within the premium, or grossed up)":
        "N25最低限额40万元、80万元、20倍收入（死亡足额赔付）、北京公式、预防费用取21%上限（在保费内，或相应上调费率）",
    "the rate table the run prices with, each unit's limit as written, the table's prevention fee":
        "本次运行定价所用的费率表，各单位按保单所载限额，费率表的事故预防服务费",
    "every unit at the national minimum of 400 000 per person (N25 Art. 15)": "所有单位按全国最低限额每人40万元（N25第15条）",
    "every unit at 800 000 per person (the minimum some regions set)": "所有单位按每人80万元（部分地区设定的最低限额）",
    "20 × 2024 national urban income (1 083 760): the civil compensation of a death (SPC 2022 Art. 15), so a death is paid in full":
        "2024年全国城镇居民人均可支配收入的20倍（1,083,760元）：死亡的民事赔偿标准（最高法2022年第15条），死亡足额赔付",
    "20 × 2024 Beijing urban income − the work-injury death grant (765 520; Beijing 2026 draft)":
        "2024年北京城镇居民人均可支配收入的20倍减去工亡补助金（765,520元；北京2026年征求意见稿）",
    "prevention budget at the national cap of 21 % of the premium, within the same premium (one point less for the insurer)":
        "预防服务经费取全国上限，即保费的21%，保费不变（保险公司少一个百分点）",
    "prevention at 21 % with the rates grossed up to keep the pure-risk loss ratio (0.612 / 0.602 − 1 = +1.66 %)":
        "预防服务经费取21%，费率相应上调以保持纯风险赔付率（0.612 / 0.602 − 1 = +1.66%）",
    # reference/data/scenarios/regulator-2026.toml
    "Limits at 400k, the Beijing formula, 800k and 20 × income; frequency +30 %, major-accident years, fee at the 15 % floor, competition -15 %":
        "限额40万元、北京公式、80万元及20倍收入；事故频率+30%、重大事故年份、服务费取15%下限、价格竞争-15%",
    "the rate table the run prices with, limits as priced, the table's prevention fee":
        "本次运行定价所用的费率表，限额按定价时，费率表的事故预防服务费",
    "every per-person limit at the national minimum of 400 000 (N25 Art. 15), below some tables' minimum, repriced":
        "每人限额均取全国最低40万元（N25第15条），低于部分费率表的最低限额，重新定价",
    "20 × 2024 Beijing urban income − work-death grant (765 520), repriced":
        "2024年北京城镇居民人均可支配收入的20倍减去工亡补助金（765,520元），重新定价",
    "every per-person limit raised to 800 000 (some regions' minimum), repriced": "每人限额均提高至80万元（部分地区的最低限额），重新定价",
    "20 × 2024 national urban income (1 083 760): a death paid in full (SPC 2022 Art. 15), repriced":
        "2024年全国城镇居民人均可支配收入的20倍（1,083,760元）：死亡足额赔付（最高法2022年第15条），重新定价",
    "all accident frequencies +30 %": "所有事故频率上升30%",
    "common industry shocks with CV 0.6 (bad years cluster across the book)": "行业共同冲击，变异系数0.6（不利年份在全组合中集中出现）",
    "prevention fee at the 15 % floor of Xinzhou 2024 / Hebei 2019 (ex-VAT), premium unchanged":
        "事故预防服务费取忻州2024/河北2019的15%下限（不含税），保费不变",
    "price war: all base rates -15 %": "价格战：所有基准费率下调15%",
    # the loss model's public anchors (losses/check.py figures; reference/data/loss_model/default.toml sources)
    "coal deaths per 100 000 workers": "煤矿每10万从业人员死亡人数",
    "deaths per 100 000 workers (book)": "每10万从业人员死亡人数（本组合）",
    "disabilities per 100 000 workers (book)": "每10万从业人员伤残人数（本组合）",
    "disabilities per death (book)": "每死亡1人对应的伤残人数（本组合）",
    "claims per 100 workers (book)": "每100名从业人员赔案数（本组合）",
    "mean medical-only claim, CNY": "仅医疗赔案的平均金额（元）",
    "larger accidents (3-9 deaths) among fatal ones": "较大事故（死亡3-9人）占死亡事故的比例",
    "major+ accidents (>= 10 deaths) among fatal ones": "重大及以上事故（死亡10人及以上）占死亡事故的比例",
    "premium per worker at 400 000 (model, national-2025 permissible loss ratio 61.2 %), CNY":
        "限额40万元时的人均保费（模型，按national-2025允许赔付率61.2%），元",
    "insured workers the 2024 market premium implies, million": "2024年市场保费对应的参保从业人员（百万人）",
    "D65/DOMAIN §6.1: ≈ 178 coal deaths (2021) / ≈ 2.6 m workers": "D65/DOMAIN §6.1：约178名煤矿死亡人数（2021年）/ 约260万名从业人员",
    "above the 工矿商贸 average of all workers (1.1-1.4, DOMAIN §6.1, official) and below the riskiest sector's rate: the book holds the high-risk sectors":
        "高于工矿商贸全部从业人员的平均水平（1.1-1.4，DOMAIN §6.1，官方），低于风险最高行业的水平：本组合由高危行业组成",
    "MOHRSS: ≈ 200 appraisals per 100 000 insured × 60-80 % production accidents = 120-170 for all sectors; a high-risk book at 0.8-1.8 × that":
        "人社部：每10万参保人约200例劳动能力鉴定 × 60-80%为生产安全事故 = 全部行业120-170；高危行业组合为其0.8-1.8倍",
    "MOHRSS ≈ 0.6 m × 0.6-0.8 / 19 600-29 500 production-safety deaths (2019-2024) = 12-25; up to 40 because those deaths include non-employee road victims":
        "人社部约60万 × 0.6-0.8 / 19,600-29,500名生产安全事故死亡人数（2019-2024年）= 12-25；最高40，因为这些死亡包括非从业人员的道路交通受害者",
    "MOHRSS ≈ 1.2 m recognised injuries / 2.9 × 10^8 insured ≈ 0.4 per 100 (all sectors, serious enough to be recognised); BJ17 0.51 closed within six months; D65 up to 2.0 in mines":
        "人社部约120万例认定工伤 / 2.9亿参保人 ≈ 每100人0.4例（全部行业，达到认定程度）；BJ17六个月内结案0.51；D65矿山最高2.0",
    "BJ17: mean non-death closed claim ≈ 2 670 CNY": "BJ17：非死亡已结赔案平均约2,670元",
    "MEM24: 389 larger accidents among ≈ 17 800-21 800 accidents": "MEM24：约17,800-21,800起事故中有389起较大事故",
    "MEM24: 9 major+ accidents (2023: ≈ 16)": "MEM24：9起重大及以上事故（2023年约16起）",
    "market's filed rates per head at 400 000 (DOMAIN §3.4 low-high ‰ × 400 000 + 60-140 CNY medical, the book's sector mix); the model's pure risk / 0.612 × 1.06":
        "市场备案费率在40万元限额下的人均保费（DOMAIN §3.4 费率下限至上限‰ × 400,000 + 医疗60-140元，按本组合行业结构）；模型纯风险 / 0.612 × 1.06",
    "17.9 bn CNY (2024, ECER, secondary) / the model's premium per worker, against ≈ 52 m construction, ≈ 6 m mining, road transport and chemical workers (NBS, CEN18; official*) partly insured":
        "179亿元（2024年，ECER，二手资料）/ 模型人均保费，对照约5,200万建筑业及约600万矿山、道路运输和化工从业人员（国家统计局，CEN18；官方*），部分参保",
    # accident-history classes (rating/factors.py and projection/state.py HISTORY_CLASSES)
    "unknown": "未知", "claim-free": "无赔案", "claims at or below expected": "赔案不高于期望", "claims above expected": "赔案高于期望",
    "non-fatal claim last year": "上年有非死亡赔案", "claim-free 1 year": "连续1年无赔案", "claim-free 2 years": "连续2年无赔案",
    "claim-free 3+ years": "连续3年及以上无赔案", "fatal 1-2 deaths": "死亡事故（1-2人）", "fatal 3-9 deaths": "死亡事故（3-9人）",
    "fatal >= 10 deaths": "死亡事故（10人及以上）", "no history": "无记录", "claim-free 1 y": "连续1年无赔案", "claim-free 2 y": "连续2年无赔案",
    "claim-free 3+ y": "连续3年及以上无赔案", "claim last year": "上年有赔案", "claim 2-3 y ago": "2-3年前有赔案",
    "fatal accident (3 y)": "近3年有死亡事故",
    # projection levers' sources (projection/levers.py)
    "DOMAIN.md §6.5 (−5 % to −8 % a year, midpoint; deaths −7.5 %/yr 2020→2024)": "DOMAIN.md §6.5（每年−5%至−8%，取中点；死亡人数2020→2024年每年−7.5%）",
    "Beijing 2026 draft S01 formula (DOMAIN.md §4.2) or fixed": "北京2026年征求意见稿S01公式（DOMAIN.md §4.2）或固定限额",
    "beyond the packaged incomes; DOMAIN.md §4.2 uses +4.5 % for Beijing 2025": "超出内置收入数据的年份；DOMAIN.md §4.2对北京2025年取+4.5%",
    "work-injury death grant, 20 × national income (DOMAIN.md §4.2 natural reading)": "工亡补助金，全国收入的20倍（DOMAIN.md §4.2的自然解读）",
    "economic loss per casualty follows urban income (SPC 2022 Art. 15)": "每名伤亡者的经济损失随城镇居民收入增长（最高法2022年第15条）",
    "rate-table prevention_fee loading or a schedule (Beijing 20 % by 2028, S01)": "费率表的事故预防服务费附加或逐年比例表（北京2028年达到20%，S01）",
    "local floor, e.g. Xinzhou 15 % ex-VAT (S04)": "地方下限，例如忻州不含税15%（S04）",
    "national 21 % cap (N24; 2025 measures)": "全国21%上限（N24；2025年办法）",
    "error or flag a fee below the floor / above the cap": "服务费低于下限或高于上限时报错或标记",
    "with a floor: spend what the mandates leave below it on further services, or flag it as a breach":
        "有下限时：强制服务未用完的下限部分用于其他预防服务，或标记为违规",
    "the ratio's base: ex-VAT premium (Xinzhou S04) or collected premium (Beijing S01 实收保费)": "比例的基数：不含税保费（忻州S04）或实收保费（北京S01）",
    "carry_forward (Beijing S01), not_provisioned (Zhejiang S02, Xinzhou S04), provisioned (Zhoushan S03)":
        "结转（北京S01）、不计提（浙江S02、忻州S04）、计提（舟山S03）",
    "mandated service frequencies (DOMAIN.md §2.2)": "强制服务频次（DOMAIN.md §2.2）",
    "pool the prevention money moves in": "预防资金统筹的范围",
    "unit costs of services (DOMAIN.md §7.4)": "服务单位成本（DOMAIN.md §7.4）",
    "service costs are expert days, which follow incomes": "服务成本为专家工日，随收入增长",
    "frequency reduction of a fully served policy; no source measures it": "服务完全到位的保单的事故频率降幅；尚无来源测算",
    "yearly std_grade Markov matrix": "标准化分级的年度马尔可夫转移矩阵",
    "the rate table's accident-history factor, or a BonusMalus": "费率表的事故记录系数，或奖惩系统",
    "renewals follow the simulated histories": "续保按模拟的事故记录浮动",
    "rate-table loading (commission <= 5 %, N25 Art. 14)": "费率表附加费用（手续费不超过5%，N25第14条）",
    "rate-table loading (8-12 %, DOMAIN.md §7.2)": "费率表附加费用（8-12%，DOMAIN.md §7.2）",
    "rate-table loading (protection fund 0.8 %, DOMAIN.md §7.2)": "费率表附加费用（保险保障基金0.8%，DOMAIN.md §7.2）",
    # flags of sources
    "assumption": "假设", "seed": "政策原文", "official": "官方", "official*": "官方*", "derived": "推导", "option": "选项", "secondary": "二手资料",
}
