"""`ajx demo` end to end: outputs and a self-contained HTML report with its sections."""

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from ajx_actuarial.report import SECTIONS


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h2, self.tables, self.imgs, self._in_h2 = [], 0, [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self._in_h2 = True
        elif tag == "table":
            self.tables += 1
        elif tag == "img":
            self.imgs.append(a.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data.strip())


@pytest.mark.slow
def test_demo_writes_outputs_and_report(run_cli, tmp_path):
    out = tmp_path / "demo"
    code, stdout, err = run_cli("demo", "--n", 3000, "--years", 300, "--stress-years", 200, "-o", out)
    assert code == 0, err
    for f in ("portfolio.parquet", "priced.parquet", "simulation.parquet", "prevention.parquet", "stress.parquet", "summary.json", "report.html"):
        assert (out / f).is_file(), f
    assert len(pd.read_parquet(out / "simulation.parquet")) == 300
    doc = (out / "report.html").read_text("utf-8")
    p = _Collect()
    p.feed(doc)
    # every section whose files the demo writes, in registry order (the projection has its own command)
    from ajx_actuarial.report import REGISTRY
    from ajx_actuarial.runs import read_run

    run = read_run(out)
    assert p.h2 == [sec.heading[0] for sec in REGISTRY if all(run.has(f) for f in sec.needs)]
    assert {"Key findings", "Pricing", "Loss simulation", "Prevention budget", "Risk-based pricing adequacy", "Stress scenarios"} <= set(p.h2)
    assert p.tables >= 6
    assert len(p.imgs) >= 5 and all(src.startswith("data:image/png;base64,") for src in p.imgs)
    assert not re.search(r'(src|href)="(https?:)?//', doc), "report must be readable offline"
    assert "report:" in stdout
    # the same report from saved outputs
    code, _, err = run_cli("report", out, "-o", tmp_path / "again.html")
    assert code == 0, err
    assert (tmp_path / "again.html").read_text("utf-8").count("<h2>") == len(p.h2)
    # the demo assesses prevention at the rate table's own prevention_fee loading, and says so
    import json

    import ajx_actuarial as ajx

    summary = json.loads((out / "summary.json").read_text("utf-8"))
    fee = ajx.RateTable.load("national-2025").loadings["prevention_fee"]
    assert summary["prevention"]["fee_ratio"] == fee
    priced = pd.read_parquet(out / "priced.parquet")
    assert priced["prevention_budget"].sum() == pytest.approx(fee * priced["premium_ex_vat"].sum(), rel=1e-9)
    assert f"at a {100 * fee:.0f} % fee" in doc
    assert "the same budget" in doc
    code, _, err = run_cli("report", out, "-o", tmp_path / "zh.html", "--lang", "zh")
    assert code == 0, err
    zh = (tmp_path / "zh.html").read_text("utf-8")
    assert "<h2>主要结论</h2>" in zh and "事故预防服务经费" in zh
    # the stress section: distinct limit rows, with victim and capital columns; the regulator's page shows them
    st = pd.read_parquet(out / "stress.parquet").set_index("scenario")
    lim = st.loc[st["levers"].str.contains("limits"), ["limit_death", "premium", "victim_compensation_share", "cross_minimum_capital"]]
    assert len(lim) >= 4 and lim["limit_death"].nunique() == len(lim) and lim["premium"].nunique() == len(lim)
    assert lim.sort_values("limit_death")["victim_compensation_share"].is_monotonic_increasing
    assert (st["cross_minimum_capital"] > 0).all() and st["share_deaths_paid_in_full"].between(0, 1).all()
    assert "Limit policies side by side" in p.h2 and "victims'" in stdout
    assert "责任限额政策对比" in zh


def test_stress_and_report_cli(run_cli, tmp_path):
    book = tmp_path / "book.parquet"
    run_cli("synth", "--n", 500, "-o", book)
    out = tmp_path / "st"
    code, stdout, err = run_cli("stress", book, "--scenarios", "regulator-2026", "--years", 100, "-o", out)
    assert code == 0, err
    assert len(pd.read_parquet(out / "stress.parquet")) == 9
    code, _, err = run_cli("report", out)
    assert code == 0, err and (out / "report.html").exists()


def test_stress_and_report_errors(run_cli, tmp_path):
    book = tmp_path / "book.parquet"
    run_cli("synth", "--n", 50, "-o", book)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[scenario]]\nname = 'x'\nfrequency_multiplier = -1\n")
    code, _, err = run_cli("stress", book, "--scenarios", bad, "-o", tmp_path / "o")
    assert code == 2 and "scenario[0].frequency_multiplier" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()
    code, _, err = run_cli("report", tmp_path / "nothing")
    assert code == 2 and "not a folder of outputs" in err
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli("report", tmp_path / "empty")
    assert code == 2 and "has no readable manifest.json: not a complete run" in err


# --- issue 24: the console speaks --lang; no scientific notation ----------------------------------------------------------

@pytest.mark.parametrize("lang, present, absent", [
    ("zh", ("费率充足性：隐含赔付率", "损失模拟：年均赔付", "损失模型：本业务组合满足", "分行业保费", "压力情景", "万元"),
     ("adequacy:", "simulation:", "loss model:", "Premium by industry", "Stress scenarios")),
    ("en", ("adequacy: implied loss ratio", "simulation: mean insured loss", "loss model:", "Premium by industry"), ("费率充足性", "损失模拟")),
])
def test_demo_console_speaks_its_language(run_cli, tmp_path, monkeypatch, lang, present, absent):
    monkeypatch.setenv("COLUMNS", "250")
    code, stdout, err = run_cli("demo", "-n", 300, "--years", 20, "--stress-years", 20, "--lang", lang, "-o", tmp_path / "d")
    assert code == 0, err
    flat = " ".join(stdout.split())
    for s in present:
        assert s in flat, s
    for s in absent:
        assert s not in flat, s
    assert not re.search(r"[0-9]e[+-][0-9]", stdout)


def test_beijing_demo_labels_come_from_its_own_figures(run_cli, tmp_path):
    """`ajx demo --jurisdiction beijing-2026`: the pricing card states the budget's share computed from the priced book
    (budget ÷ ex-VAT premium; the table now loads the 2026 step, 17.67 %, not the 2028 target of 20 %) and the stress text
    names the run's own table and rules (beijing-2026, beijing-2017), never the scenario set's default national-2025."""
    import html as _html

    from ajx_actuarial.present import fmt_pct

    out = tmp_path / "bj"
    code, _, err = run_cli("demo", "--n", 800, "--years", 200, "--stress-years", 100, "--jurisdiction", "beijing-2026", "-o", out)
    assert code == 0, err
    doc = _html.unescape((out / "report.html").read_text("utf-8"))
    pricing = doc[doc.index('id="pricing"'):doc.index('id="simulation"')]
    stress = doc[doc.index('id="stress"'):doc.index('id="provenance"')]
    pr = pd.read_parquet(out / "priced.parquet")
    assert f"{fmt_pct(pr['prevention_budget'].sum() / pr['premium_ex_vat'].sum(), 2)} of ex-VAT premium" in pricing
    assert "rate table beijing-2026" in stress and "mandate rules beijing-2017" in stress and "national-2025" not in stress
    # the 3-year prevention totals run on the bundle's schedule: key finding 3 and the section say so, not one year's step
    findings = doc[doc.index('id="key-findings"'):doc.index('id="portfolio"')]
    assert "of 16.67 % in 2026, 18.33 % in 2027, 20 % in 2028" in findings and "at a 16.67 % fee" not in findings


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_projection_report_numbers_follow_the_formats_policy(run_cli, tmp_path, lang):
    """`ajx project` then `ajx report`: money never in scientific notation (it printed 1.503e+08), years as 2026
    (it printed 2,026), and the Chinese report has no English sentence (tests/unit/test_report_zh.py's definition)."""
    from html.parser import HTMLParser

    class _Nodes(HTMLParser):
        def __init__(self):
            super().__init__()
            self.text, self._skip = [], 0

        def handle_starttag(self, tag, attrs):
            self._skip += tag in ("style", "script")

        def handle_endtag(self, tag):
            self._skip -= tag in ("style", "script")

        def handle_data(self, data):
            if not self._skip:
                self.text.append(data)

    def english_sentences(doc: str) -> list[str]:
        p = _Nodes()
        p.feed(doc)
        code = re.compile(r"`[^`]*`|\S+\.(?:md|toml|json|parquet|html)\b|[A-Za-z0-9]+(?:[-_.:/][A-Za-z0-9]+)+")
        return [m for t in p.text for m in re.findall(r"(?<![A-Za-z])[A-Za-z]+(?: [A-Za-z]+){2,}(?![A-Za-z])", code.sub(" ", t))]

    book = tmp_path / "book.parquet"
    run_cli("synth", "--n", 300, "-o", book)
    code, _, err = run_cli("project", book, "--years", 3, "--paths", 20, "-o", tmp_path / "p")
    assert code == 0, err
    code, _, err = run_cli("report", tmp_path / "p", "-o", tmp_path / "p.html", "--lang", lang)
    assert code == 0, err
    doc = (tmp_path / "p.html").read_text("utf-8")
    assert not re.search(r"\d\.?\d*e[+-]\d", re.sub(r"data:image/png;base64,[^\"]+", "", doc))
    assert "2,026" not in doc and ">2026<" in doc
    if lang == "zh":
        assert english_sentences(doc) == []
