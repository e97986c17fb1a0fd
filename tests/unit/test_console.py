"""Console tables speak the language asked for: no English header left in a ``--lang zh`` table."""

import pandas as pd
from rich.console import Console

from ajx_actuarial.present.console import stress_table


def _render(table) -> str:
    c = Console(record=True, width=200)
    c.print(table)
    return c.export_text()


def test_stress_table_headers_in_both_languages():
    st = pd.DataFrame({"premium": [572.04e6], "expected_loss": [324.31e6], "loss_ratio": [0.601], "var_995": [353.67e6],
                       "share_funded": [0.442], "prevention_shortfall": [189.59e6], "limit_death": [765_520.0],
                       "premium_per_unit": [5720.4], "victim_compensation_share": [0.556], "share_deaths_paid_in_full": [0.0],
                       "cross_minimum_capital": [129.28e6]}, index=pd.Index(["baseline"], name="scenario"))
    en, zh = _render(stress_table(st, "t", "en")), _render(stress_table(st, "t", "zh"))
    for head in ("limit (k CNY)", "premium (m CNY)", "premium / unit", "victims' loss paid", "deaths paid in full", "loss ratio",
                 "VaR 99.5 % (m CNY)", "C-ROSS capital (m)", "mandates paid"):
        assert head in en and head not in zh
    for head in ("情景", "每人限额（千元）", "保费（百万元）", "户均保费", "受害者获赔比例", "死亡足额赔付", "赔付率", "偿二代最低资本（百万元）",
                 "强制服务费用支付比例"):
        assert head in zh
    for cell in ("766", "572.04", "5,720", "55.6 %", "0.0 %", "60.1 %", "353.67", "129.28", "44.2 %"):  # same figures either way
        assert cell in en and cell in zh
