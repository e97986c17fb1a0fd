"""One number-formatting policy (issue 24): no scientific notation for an amount from 0.01 to 10^12 in any
formatter or console table, years as 2026, 万/亿 under zh, negative values keep their sign."""

import re

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

import ajx_actuarial as ajx
from ajx_actuarial.present import (fmt_cell, fmt_int, fmt_millions, fmt_money, fmt_num, fmt_pct, fmt_year, frame_table,
                                   is_year_column)

SCI = re.compile(r"[0-9][eE][+-]?[0-9]")
AMOUNTS = [0.01, 0.0123, 0.5, 1.0, 9.99, 12.345, 999.99, 9_999.9, 12_345.6, 99_999.5, 1e6, 4.324e6, 9.312e6, 1.503e8, 2.5e9, 1e10,
           3.7e11, 1e12]
FORMATTERS = {
    "fmt_num": fmt_num,
    "fmt_num zh": lambda v: fmt_num(v, lang="zh"),
    "fmt_int": fmt_int,
    "fmt_money": fmt_money,
    "fmt_money zh": lambda v: fmt_money(v, lang="zh"),
    "fmt_millions": fmt_millions,
    "fmt_millions zh": lambda v: fmt_millions(v, lang="zh"),
    "fmt_cell {:,.4g}": lambda v: fmt_cell(v, "premium", "{:,.4g}"),
    "fmt_cell {:.3g}": lambda v: fmt_cell(v, "premium", "{:.3g}"),
    "fmt_cell {:,.6g}": lambda v: fmt_cell(v, "value", "{:,.6g}"),
    "fmt_cell": lambda v: fmt_cell(v, "premium"),
}


def _render(table, width: int = 250) -> str:
    c = Console(record=True, width=width)
    c.print(table)
    return c.export_text()


@pytest.mark.parametrize("name", list(FORMATTERS))
@pytest.mark.parametrize("amount", AMOUNTS)
def test_no_scientific_notation(name, amount):
    for v in (amount, -amount, np.float64(amount)):
        s = FORMATTERS[name](v)
        assert s and not SCI.search(s), (name, v, s)


@pytest.mark.parametrize("float_fmt", [None, "{:,.4g}", "{:,.6g}", "{:.3g}"])
def test_console_table_has_no_scientific_notation(float_fmt):
    df = pd.DataFrame({"year": [2026.0 + i for i in range(len(AMOUNTS))], "amount": AMOUNTS, "loss": [-a for a in AMOUNTS]})
    text = _render(frame_table(df, title="amounts", float_fmt=float_fmt, max_rows=100))
    assert not SCI.search(text), text
    assert "4,324,000" in text and "-1,000,000,000,000" in text
    assert "2026" in text and "2,026" not in text


@pytest.mark.parametrize("v, expected", [(2026, "2026"), (2026.0, "2026"), (np.int64(2031), "2031"), (np.float64(2040.0), "2040"),
                                         (None, ""), (float("nan"), "")])
def test_years_print_as_plain_integers(v, expected):
    assert fmt_year(v) == expected
    if expected:
        assert fmt_cell(v, "year") == expected and fmt_cell(v, "accident_year", "{:,.4g}") == expected


@pytest.mark.parametrize("name, is_year", [("year", True), ("years", True), ("year_end", True), ("start_year", True),
                                           ("保单年度", True), ("premium", False), ("yearly_trend", False)])
def test_year_column_convention(name, is_year):
    assert is_year_column(name) is is_year


@pytest.mark.parametrize("v, fmt, expected", [
    (150_300_000, fmt_money, "1.50 亿元"), (1_234_567, fmt_money, "123.46 万元"), (800, fmt_money, "800 元"),
    (-2_500_000, fmt_money, "-250.00 万元"), (12_345_678, fmt_millions, "1,234.57 万元"), (1.503e8, fmt_num, "1.50 亿"),
    (0.1234, fmt_num, "0.1234"),
])
def test_zh_uses_wan_and_yi(v, fmt, expected):
    assert fmt(v, lang="zh") == expected


@pytest.mark.parametrize("v", [1.0, 12.5, 4_324_117.0, 1.503e8, 1e12])
def test_negative_values_keep_their_sign(v):
    for f in (fmt_num, fmt_int, fmt_money, lambda x: fmt_money(x, lang="zh"), lambda x: fmt_cell(x, "var", "{:,.4g}")):
        assert f(-v).startswith("-") and not f(v).startswith("-")
    assert fmt_millions(-v * 1e6).startswith("-") and fmt_pct(-v / 100).startswith("-")


@pytest.mark.parametrize("v", [-0.0, -1e-9, -0.4])
def test_a_value_rounding_to_zero_has_no_sign(v):
    assert fmt_money(v) == "0 CNY" and fmt_int(v) == "0" and fmt_millions(v) == "0.00 m CNY"


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    d = tmp_path_factory.mktemp("fmt")
    book = ajx.synth.portfolio(150, preset="beijing", rng=5)
    book.to_parquet(d / "book.parquet", index=False)
    ajx.price(book, "beijing-2026").to_parquet(d / "priced.parquet", index=False)
    return d


def test_simulate_console_has_no_scientific_notation(run_cli, books):
    code, out, err = run_cli("simulate", books / "priced.parquet", "--years", 400, "--seed", 1)
    assert code == 0, err
    assert "years simulated" in out and not re.search(r"e\+0|e-0", out), out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_project_console_has_no_scientific_notation_and_explains_the_var_column(run_cli, books, tmp_path, lang):
    code, out, err = run_cli("project", books / "book.parquet", "--years", 2, "--paths", 20, "--table", "beijing-2026", "--seed", 2,
                             "--lang", lang, "-o", tmp_path / "proj")
    assert code == 0, err
    assert not re.search(r"e\+0|e-0", out), out
    assert "2026" in out and "2,026" not in out
    flat = " ".join(out.split())  # captions wrap at the console's width
    if lang == "en":
        assert "loss at 99.5 %" in flat and "negative: even that path makes a profit" in flat and "┃ var " not in out
        shown = re.sub(r"\S+\.parquet", "", out.split("wrote")[0])  # file names are names
        assert not re.search(r"[a-z]+_[a-z]+", shown), out  # headers in words: no insured_loss, solvency_ratio
    else:
        assert "99.5% 分位损失" in flat and "为负值表示即使在该路径上也有盈利" in flat.replace(" ", "") and "多年预测" in flat and "万" in out
        assert "已写入" in out and "wrote" not in out


def test_charts_draw_amounts_without_scientific_notation_and_show_a_negative_var():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ajx_actuarial import plots

    plots.style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1.2e8, 9.9e9])
    fig.canvas.draw()
    texts = [t.get_text() for t in ax.get_yticklabels()] + [ax.yaxis.get_offset_text().get_text()]
    assert not any(SCI.search(t) for t in texts), texts
    plt.close(fig)
    years = pd.Index([2026, 2027], name="year")
    cap = pd.DataFrame({"solvency_ratio": [1.5, 1.7], "p5": [0.9, 1.0], "p95": [2.0, 2.2]}, index=years)
    internal = pd.DataFrame({"cross_minimum_capital": [4e5, 4.5e5], "var": [-2e5, 3e5]}, index=years)
    fig = plots.solvency_figure(cap, internal)
    ax2 = fig.axes[1]
    assert ax2.get_ylim()[0] < -0.2  # the negative VaR bar (a profit even at 99.5 %) is inside the axes
    assert any("below 0: a profit" in t.get_text() for t in ax2.get_legend().get_texts())
    plt.close(fig)


@pytest.mark.parametrize("lang, line", [("en", "implied loss ratio"), ("zh", "隐含赔付率")])
def test_adequacy_console_speaks_its_language(run_cli, books, lang, line):
    code, out, err = run_cli("adequacy", books / "book.parquet", "--table", "beijing-2026", "--lang", lang)
    assert code == 0, err
    assert line in out and not SCI.search(out)
    if lang == "zh":
        assert "风险保费" in out and "implied loss ratio" not in out and "Adequacy of" not in out


@pytest.mark.parametrize("name", sorted(FORMATTERS))
def test_infinite_values_keep_their_sign_and_never_fail(name):
    """A ratio over a zero premium is inf: fmt_int/fmt_year raised OverflowError, fmt_money(-inf) dropped the sign."""
    f = FORMATTERS[name]
    assert f(float("inf")) == "inf" and f(float("-inf")) == "-inf"


def test_infinite_values_in_cells_and_years():
    assert fmt_year(float("inf")) == "inf" and fmt_cell(float("-inf"), "year") == "-inf"
    assert fmt_cell(float("-inf"), "var", "{:,.4g}") == "-inf" and fmt_pct(float("-inf")) == "-inf"
    assert fmt_millions(float("inf"), lang="zh") == "inf"


@pytest.mark.parametrize("call", [lambda: fmt_money(1e6, lang="fr"), lambda: fmt_num(1.5, lang="EN"), lambda: fmt_millions(1e6, lang=""),
                                  lambda: fmt_cell(1.5, "x", lang="de")])
def test_a_formatters_language_is_checked(call):
    with pytest.raises(ajx.ValidationError, match=r"lang: must be one of \['en', 'zh'\]"):
        call()
