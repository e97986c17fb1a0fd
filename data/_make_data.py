"""Regenerate the example inputs in data/ (run from the repository root: python data/_make_data.py).

The files are small, deterministic (fixed seeds) and meant to be copied and edited:

* portfolio_zh.csv       60 insured units, Chinese headers and codes, UTF-8 with BOM (Excel-friendly)
* portfolio_zh_gbk.csv   the same file encoded as GBK (what Chinese Excel writes as "CSV")
* experience.csv         three policy years of claim experience for 400 units (for ajx calibrate)
* limit_comparison.toml  scenario set: per-person limits 400k / 600k / 800k / Beijing formula (hand-written)
* custom_table.toml      a custom provincial rate table (hand-written)
"""

from __future__ import annotations

from pathlib import Path

import ajx_actuarial as ajx
from ajx_actuarial.aliases import value_aliases

HERE = Path(__file__).resolve().parent

HEADERS_ZH = {  # contract column -> Chinese header (all listed in reference/data/aliases_zh.csv)
    "policy_id": "保单号", "industry": "行业", "size": "企业规模", "headcount": "从业人数", "region": "地区",
    "std_grade": "安全生产标准化等级", "violations": "行政处罚次数", "blacklisted": "失信联合惩戒",
    "accidents_3y": "近三年事故次数", "deaths_3y": "近三年死亡人数", "rectification": "隐患整改情况",
    "risk_tier": "风险等级", "limit_death": "每人伤亡责任限额",
}


def _to_zh(field: str, values):
    first = {}
    for alias, code in value_aliases(field).items():
        first.setdefault(code, alias)  # reference name_zh first, then the CSV's first alias
    return [first.get(str(v), str(v)) for v in values]


def main() -> None:
    book = ajx.synth.portfolio(60, rng=20261)
    zh = book[list(HEADERS_ZH)].copy()
    for col in ("industry", "size", "rectification", "risk_tier"):
        zh[col] = _to_zh(col, zh[col])
    zh["blacklisted"] = ["是" if b else "否" for b in zh["blacklisted"]]
    zh["limit_death"] = zh["limit_death"].round().astype("int64")
    zh["policy_id"] = [f"AJX-2026-{i:04d}" for i in zh["policy_id"]]
    zh = zh.rename(columns=HEADERS_ZH)
    zh.to_csv(HERE / "portfolio_zh.csv", index=False, encoding="utf-8-sig")
    zh.to_csv(HERE / "portfolio_zh_gbk.csv", index=False, encoding="gbk")
    exp = ajx.synth.experience(ajx.synth.portfolio(400, rng=20262), 3, rng=20263)
    exp.to_csv(HERE / "experience.csv", index=False, encoding="utf-8-sig", float_format="%.6g")


if __name__ == "__main__":
    main()
