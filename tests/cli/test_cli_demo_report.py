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
    assert p.h2 == list(SECTIONS)
    assert p.tables >= 6
    assert len(p.imgs) >= 5 and all(src.startswith("data:image/png;base64,") for src in p.imgs)
    assert not re.search(r'(src|href)="(https?:)?//', doc), "report must be readable offline"
    assert "report:" in stdout
    # the same report from saved outputs
    code, _, err = run_cli("report", out, "-o", tmp_path / "again.html")
    assert code == 0, err
    assert (tmp_path / "again.html").read_text("utf-8").count("<h2>") == len(SECTIONS)


def test_stress_and_report_cli(run_cli, tmp_path):
    book = tmp_path / "book.parquet"
    run_cli("synth", "--n", 500, "-o", book)
    out = tmp_path / "st"
    code, stdout, err = run_cli("stress", book, "--scenarios", "regulator-2026", "--years", 100, "-o", out)
    assert code == 0, err
    assert len(pd.read_parquet(out / "stress.parquet")) == 7
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
