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
                       "share_funded": [0.442], "prevention_shortfall": [189.59e6]}, index=pd.Index(["baseline"], name="scenario"))
    en, zh = _render(stress_table(st, "t", "en")), _render(stress_table(st, "t", "zh"))
    for head in ("premium (m CNY)", "mean loss (m CNY)", "loss ratio", "VaR 99.5 % (m CNY)", "mandates funded", "shortfall (m CNY)"):
        assert head in en and head not in zh
    for head in ("情景", "保费（百万元）", "年均赔付（百万元）", "赔付率", "强制服务经费足额占比"):
        assert head in zh
    for cell in ("572.04", "324.31", "60.1 %", "353.67", "44.2 %", "189.59"):  # same figures either way
        assert cell in en and cell in zh
