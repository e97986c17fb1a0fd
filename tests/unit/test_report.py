"""The HTML report: key findings computed from known inputs, print CSS for A4, languages, optional sections.

The key-findings numbers are checked against values computed by hand from a constructed run:
annual insured losses 1, 2, ..., 1000 million CNY (mean 500.5 m; the empirical 99.5 % quantile
x_(995) = 995 m) on a book whose ex-VAT premium is read from the priced file.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import report
from ajx_actuarial.report import REGISTRY, SECTIONS, Section, render_report, write_report
from ajx_actuarial.runs import RunFolder, add_to_run


class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h2, self._in, self.ids, self.img_alts = [], False, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self._in = True
        if tag == "section":
            self.ids.append(a.get("id"))
        if tag == "img":
            self.img_alts.append(a.get("alt", ""))

    def handle_endtag(self, tag):
        self._in = self._in and tag != "h2"

    def handle_data(self, data):
        if self._in:
            self.h2.append(data.strip())


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("r") / "run"
    book = ajx.synth.portfolio(300, rng=3)
    priced = ajx.price(book, "national-2025")
    x = np.arange(1, 1001, dtype=float) * 1e6
    sim = pd.DataFrame({"insured_loss": x, "gross_loss": 1.5 * x, "accidents": 10, "deaths": 1, "disabilities": 2})
    prev = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.20)
    with RunFolder(d, kind="demo", seed=77, inputs={"book": "test book", "table": "national-2025", "years": 1000}) as run:
        run.write_table(priced, "priced.parquet")
        run.write_table(sim, "simulation.parquet")
        run.write_table(prev.by_segment.reset_index(), "prevention_segments.parquet")
        run.write_json({"table": "national-2025", "prevention": {**{k: v for k, v in prev.summary.items() if isinstance(v, (int, float, str))},
                                                                  "fee_source": "loadings.prevention_fee"}}, "summary.json")
        run.finish()
    return d, priced, prev


def _key_findings(doc: str) -> str:
    m = re.search(r'<section class="findings" id="key-findings">(.*?)</section>', doc, re.S)
    assert m, "the report opens with a key-findings section"
    return m.group(1)


def test_key_findings_numbers_and_context(run_dir):
    d, priced, prev = run_dir
    doc = render_report(d)
    p = _Sections()
    p.feed(doc)
    assert p.h2[0] == "Key findings" and p.ids[0] == "key-findings"
    kf = _key_findings(doc)
    ex_vat = priced["premium_ex_vat"].sum()
    assert f"{100 * 500.5e6 / ex_vat:,.1f} %" in kf  # expected loss ratio = mean / ex-VAT premium
    assert "500.50 m CNY" in kf and "995.00 m CNY" in kf  # mean and the empirical 99.5 % quantile
    assert f"{100 * 995e6 / ex_vat:,.0f} % of a year&#x27;s ex-VAT premium; from 1,000 simulated years" in kf
    assert f"{100 * prev.summary['share_funded']:.1f} %" in kf and "at a 20 % fee" in kf
    for fact in ("book", "rate table", "limits", "seed", "simulated years", "300 policies", "national-2025", "77", "1,000 (book)"):
        assert fact in kf, fact
    lo, hi = priced["limit_death"].min(), priced["limit_death"].max()
    assert f"from {lo:,.0f} CNY to {hi:,.0f} CNY" in kf


def test_sections_in_order_and_figures_titled(run_dir):
    d, _, _ = run_dir
    p = _Sections()
    p.feed(render_report(d))
    assert p.h2 == ["Key findings", "Portfolio", "Pricing", "Loss simulation", "Prevention budget", "Provenance"]
    assert p.h2 == [s for s in SECTIONS if s in p.h2] and set(SECTIONS) > set(p.h2)  # registry order; sections without files left out
    assert p.img_alts and all(len(a) > 10 for a in p.img_alts)  # every figure has a caption/alt text


def test_print_css_for_a4(run_dir):
    d, _, _ = run_dir
    doc = render_report(d)
    css = re.search(r"<style>(.*?)</style>", doc, re.S).group(1)
    assert re.search(r"@page\s*\{size:A4", css)
    media = css[css.index("@media print"):]
    for rule in ("figure,.kpis,.findings{break-inside:avoid", "thead{display:table-header-group}", "tr{break-inside:avoid",
                 "max-width:100%", ".wide{overflow:visible}", "break-after:avoid"):
        assert rule in media, rule
    assert not re.search(r'(src|href)="(https?:)?//', doc), "self-contained"


def test_chinese_report(run_dir):
    d, _, _ = run_dir
    doc = render_report(d, lang="zh")
    p = _Sections()
    p.feed(doc)
    assert p.h2[:3] == ["主要结论", "业务组合", "定价"]
    assert '<html lang="zh-CN">' in doc and "煤矿" in doc
    from ajx_actuarial.plots import cjk_font

    assert ("未找到中文字体" in doc) == (cjk_font() is None)
    with pytest.raises(ajx.ValidationError, match=r"lang: must be one of \['en', 'zh'\], got 'fr'"):
        render_report(d, lang="fr")


def test_optional_section_rendered_when_its_file_is_in_the_manifest(run_dir, tmp_path, monkeypatch):
    import shutil

    d = tmp_path / "run"
    shutil.copytree(run_dir[0], d)
    sec = Section("example", ("An example section", "示例"), ("example.parquet",),
                  lambda ctx: f"<p>cells {len(ctx.table('example.parquet'))}</p>")
    monkeypatch.setattr(report, "REGISTRY", [*REGISTRY[:-1], sec, REGISTRY[-1]])
    assert "An example section" not in render_report(d)
    pd.DataFrame({"x": [1, 2]}).to_parquet(d / "example.parquet")  # present but not listed: ignored
    assert "An example section" not in render_report(d)
    add_to_run(d, pd.DataFrame({"x": [1, 2, 3]}), "example.parquet")
    doc = render_report(d)
    assert "An example section" in doc and "cells 3" in doc
    assert doc.index("An example section") < doc.index("Provenance")


def test_write_report_is_atomic_and_validates(run_dir, tmp_path):
    d, _, _ = run_dir
    out = write_report(d, tmp_path / "x" / "r.html", title="<script>t</script>")
    assert out.read_text("utf-8").count("<script>") == 0
    with pytest.raises(ajx.ValidationError, match="is a folder"):
        write_report(d, tmp_path)


def test_chinese_without_a_cjk_font_falls_back_to_english_figures(run_dir, monkeypatch):
    import ajx_actuarial.plots as plots

    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    assert plots.figure_lang("zh") == "en" and plots.figure_lang("en") == "en"
    doc = render_report(run_dir[0], lang="zh")
    assert "未找到中文字体（请安装 fonts-noto-cjk）" in doc and "<h2>主要结论</h2>" in doc
