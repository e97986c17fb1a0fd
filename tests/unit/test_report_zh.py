"""The Chinese report is Chinese, no table cell is cut, and every label is derived from the figure it describes.

Two small demo runs (module fixtures, a few seconds each): the national demo and the Beijing
demo (``ajx demo --jurisdiction beijing-2026``), both rendered in either language.

"An English sentence" is defined as a run of three or more consecutive ASCII words of letters
separated only by spaces (``[A-Za-z]+( [A-Za-z]+){2,}``), found in a text node of the HTML
(scripts and styles excepted) after removing what is a code, name or unit: text in backticks (a
command), file names (``*.md``, ``*.toml``, ``*.json``, ``*.parquet``), and hyphenated, dotted or
underscored identifiers (``national-2025``, ``ajx_actuarial.synth``, ``C-ROSS``). Two-word
phrases (``VaR 99.5 %``, ``ajx demo``) are allowed: they are names and units.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from rich.console import Console

import ajx_actuarial as ajx
from ajx_actuarial.present import fmt_pct
from ajx_actuarial.report import render_report
from ajx_actuarial.report import _words as words
from ajx_actuarial.runs import RunFolder

_CODE = re.compile(r"`[^`]*`|\S+\.(?:md|toml|json|parquet|html|csv|xlsx)\b|[A-Za-z0-9]+(?:[-_.:/][A-Za-z0-9]+)+")
_ENGLISH = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?: [A-Za-z]+){2,}(?![A-Za-z])")


class _Text(HTMLParser):
    """Text nodes (outside style/script) and the text of each table cell."""

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self.cells: list[str] = []
        self._skip = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.nodes.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse(doc: str) -> _Text:
    p = _Text()
    p.feed(doc)
    return p


def english_sentences(doc: str) -> list[str]:
    """Every English sentence (see the module docstring) in the text nodes of ``doc``."""
    found = []
    for node in _parse(doc).nodes:
        found += _ENGLISH.findall(_CODE.sub(" ", node))
    return found


def _demo(tmp_path_factory, **kw) -> tuple:
    d = tmp_path_factory.mktemp("demo") / "run"
    from ajx_actuarial.demo import run_demo

    summary = run_demo(n=600, years=200, stress_years=100, seed=5, out_dir=d, console=Console(quiet=True), **kw)
    return d, summary


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    return _demo(tmp_path_factory, lang="zh")


@pytest.fixture(scope="module")
def beijing(tmp_path_factory):
    return _demo(tmp_path_factory, jurisdiction="beijing-2026")


_DOCS: dict = {}


def _doc(d, lang: str) -> str:
    """The report of run folder ``d`` in ``lang``, rendered once per module (figures take seconds)."""
    if (d, lang) not in _DOCS:
        _DOCS[(d, lang)] = render_report(d, lang=lang)
    return _DOCS[(d, lang)]


@pytest.fixture(scope="module", params=["national", "beijing"])
def run(request):
    return request.getfixturevalue(request.param)


def _section(doc: str, key: str) -> str:
    m = re.search(rf'<section (?:class="findings" )?id="{key}">(.*?)</section>', doc, re.S)
    assert m, key
    return m.group(1)


def test_the_detector_finds_english_and_spares_codes_names_and_units():
    doc = ("<p>情景national-2025的VaR 99.5 %（`ajx model show` 列出）manifest.json C-ROSS ajx demo</p>"
           "<p>higher limits raise premium</p><style>body{font-family:a b c}</style>")
    assert english_sentences(doc) == ["higher limits raise premium"]


def test_zh_report_has_no_english_sentence(run):
    doc = _doc(run[0], "zh")
    assert english_sentences(doc) == []
    assert "统筹方式" in doc and "保险公司统筹" in doc  # the pooling code in words
    assert "{'" not in doc and "prevention_fee" not in doc and "[fee]" not in doc  # no Python reprs, no raw field names


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_table_cell_is_cut(run, lang):
    doc = _doc(run[0], lang)
    cells = _parse(doc).cells
    assert cells and not [c for c in cells if "…" in c]
    css = re.search(r"<style>(.*?)</style>", doc, re.S).group(1)
    assert re.search(r"thead th\{[^}]*word-break:keep-all", css), "a Chinese header wraps between words, never per character"


def test_english_report_names_industries_in_words(national):
    doc = _doc(national[0], "en")
    assert "Hazardous chemicals" in _section(doc, "portfolio") and "hazardous_chemicals" not in _section(doc, "portfolio")


def test_beijing_pricing_card_and_stress_text_derive_from_the_run(beijing):
    d, summary = beijing
    doc = _doc(d, "en")
    pr = pd.read_parquet(d / "priced.parquet")
    share = pr["prevention_budget"].sum() / pr["premium_ex_vat"].sum()
    pricing = _section(doc, "pricing")
    assert f"{fmt_pct(share, 2)} of ex-VAT premium" in pricing
    assert "the fee schedule of jurisdiction beijing-2026" in pricing and "prevention_fee loading" not in pricing
    stress = _section(doc, "stress")
    assert "rate table beijing-2026" in stress and "mandate rules beijing-2017" in stress
    assert "national-2025" not in stress  # the run's own table, not the scenario set's default
    # the two baseline VaRs say which years they come from
    assert "from 200 simulated years" in _section(doc, "key-findings")
    assert "Each scenario: 100 simulated years" in stress and "200 years" in stress
    # a total states its period: the Beijing ledger runs three policy years
    assert summary["prevention"]["years"] == 3
    assert "total over 3 policy years" in _section(doc, "key-findings")


@pytest.fixture()
def priced_run(tmp_path):
    """A constructed run whose prevention budget is ``ratio`` × the ex-VAT premium (the label must follow it)."""
    def make(ratio: float, years: int = 1):
        d = tmp_path / f"run-{ratio}-{years}"
        priced = ajx.price(ajx.synth.portfolio(200, rng=3), "national-2025")
        priced["prevention_budget"] = ratio * priced["premium_ex_vat"]
        x = (pd.Series(range(1, 301), dtype=float) * 1e4).to_numpy()
        with RunFolder(d, kind="demo", seed=1, inputs={"book": "test book", "table": "national-2025", "years": 300}) as r:
            r.write_table(priced, "priced.parquet")
            r.write_table(pd.DataFrame({"insured_loss": x}), "simulation.parquet")
            r.write_json({"table": "national-2025", "prevention": {"fee_ratio": ratio, "rules": "xinzhou-2024", "services_funded": 0.5,
                                                                    "spent_share": ratio, "total_shortfall": 1e6, "years": years,
                                                                    "fee_source": "loadings.prevention_fee of rate table national-2025"}},
                         "summary.json")
            r.finish()
        return d
    return make


@pytest.mark.parametrize("ratio, text", [(0.2, "20.00 % of ex-VAT premium"), (0.1767, "17.67 % of ex-VAT premium"), (0.15, "15.00 % of ex-VAT premium")])
def test_fee_share_label_follows_the_figures(priced_run, ratio, text):
    doc = render_report(priced_run(ratio), lang="en")
    assert text in _section(doc, "pricing")
    assert f"at a {fmt_pct(ratio, None)} fee" in _section(doc, "key-findings")


@pytest.mark.parametrize("years, en, zh", [(1, "one policy year", "一个保单年度"), (3, "total over 3 policy years", "3个保单年度合计")])
def test_totals_state_their_period(priced_run, years, en, zh):
    d = priced_run(0.2, years)
    assert en in _section(render_report(d, lang="en"), "key-findings")
    assert zh in _section(render_report(d, lang="zh"), "key-findings")


@pytest.mark.parametrize("p, n, text", [(0.0, 300, "< 1/300"), (0.0, 2000, "< 1/2,000"), (0.075, 200, "7.5 %"), (0.0, None, "0.0 %")])
def test_a_probability_from_simulated_years_says_how_small_zero_is(p, n, text):
    assert words.p_exceed(p, n) == text


@pytest.mark.parametrize("value, zh", [
    ("synthetic book, ajx_actuarial.synth, seed 7", "合成业务组合（ajx_actuarial.synth，随机种子7）"),
    ("synthetic book of jurisdiction beijing-2026 (preset beijing, limit rule Beijing formula (2025 incomes): 802,460), seed 2",
     "地区方案beijing-2026的合成业务组合（预设beijing，限额规则：北京公式（2025年收入）：每人802,460元），随机种子2"),
    ("book.parquet", "book.parquet"),
])
def test_book_source_in_words(value, zh):
    assert words.book_source(value, "zh") == zh and words.book_source(value, "en") == value


@pytest.mark.parametrize("key, value, en", [
    ("fee_ratio", {"2026": 0.1667, "2028": 0.2}, "2026: 16.67 %, 2028: 20 %"),
    ("years", 5000, "5,000"), ("start_year", 2026, "2026"), ("table", None, "(default)"),
])
def test_inputs_in_words(key, value, en):
    assert words.input_value(key, value, "en") == en


def test_zh_workbook_headers_and_packaged_texts_are_chinese(run):
    from ajx_actuarial.report import build_workbook

    wb = build_workbook(run[0], lang="zh")
    for ws in wb.worksheets:
        header = [v for v in next(ws.iter_rows(values_only=True)) if isinstance(v, str)]
        assert not [v for v in header if _ENGLISH.findall(_CODE.sub(" ", v))], ws.title
    sc = {r[1]: r[2:] for r in wb["情景对比"].iter_rows(min_row=2, values_only=True)}
    for key in ("description", "note"):
        assert not [v for v in sc[key] if _ENGLISH.findall(_CODE.sub(" ", str(v)))], key
    check = list(wb["模型校验"].iter_rows(min_row=2, values_only=True))
    assert check and not [r for r in check if _ENGLISH.findall(_CODE.sub(" ", f"{r[0]} {r[4]}"))]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_adequacy_text_states_every_condition_of_the_flag(national, lang):
    """14 of 93 industry × size rows read below 0.95 while one segment was flagged, and the text named only the 5 %:
    it now states the standard-error and minimum-size conditions, with the run's own count of thin segments."""
    d, _ = national
    meta = __import__("json").loads((d / "summary.json").read_text("utf-8"))["adequacy"]
    sec = _section(_doc(d, lang), "adequacy")
    n_min, thin = f"{meta['min_policies']:,}", f"{meta['thin_segments']:,}"
    if lang == "en":
        assert f"at least {n_min} policies" in sec and f"({thin} of" in sec and "twice its standard error" in sec
    else:
        assert f"不少于{n_min}" in sec and f"有{thin}个不足" in sec and "标准误的2倍" in sec


@pytest.mark.parametrize("lever, value, en, zh", [
    ("trend", "-0.065", "-6.5 %", "-6.5 %"),
    ("fee_ratio", "2026: 0.2, 2027: 0.1833", "2026: 20 %, 2027: 18.33 %", "2026: 20 %, 2027: 18.33 %"),
    ("commission", "0.05 (table)", "5 % (as the rate table)", "5 %（按费率表）"),
    ("severity_trend", "0.045 (= income_growth)", "4.5 % (= income growth)", "4.5 % (= 收入增长率)"),
    ("ledger", "provisioned", "provisioned at the year's end (Zhoushan S03)", "年末计提（舟山S03）"),
    ("pooling", "insurer", "one pool (the insurer's whole book)", "保险公司统筹（全部业务一个资金池）"),
    ("limits", "as_priced", "as priced", "按定价"),
    ("rules", "xinzhou-2024", "xinzhou-2024", "xinzhou-2024"),
])
def test_projection_levers_read_as_words(lever, value, en, zh):
    """The levers table showed raw decimals (-0.065, 0.05 (table)) and codes (as_priced, provisioned, insurer)."""
    from ajx_actuarial.report._words import lever_value

    assert lever_value(lever, value, "en") == en and lever_value(lever, value, "zh") == zh


def test_run_kind_in_words(national):
    d, _ = national
    assert "演示运行（ajx demo）" in _section(_doc(d, "zh"), "provenance")
    assert "demo (ajx demo)" in _section(_doc(d, "en"), "provenance")
