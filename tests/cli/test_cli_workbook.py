"""`-o x.xlsx` on the run commands and `ajx report RUN -o x.xlsx`: one workbook file, numbers as numbers, nothing left on failure."""

from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.runs import read_run

from _cli_helpers import assert_one_line_error, files_under

SCENARIOS = """
[meta]
name = "workbook-test"
[defaults]
table = "national-2025"
[[scenario]]
name = "baseline"
[[scenario]]
name = '=HYPERLINK("http://x","y")'
frequency_multiplier = 1.3
[[scenario]]
name = "@SUM(A1)"
limits = { policy = "fixed", amount = 800000 }
"""
NAMES = ["baseline", '=HYPERLINK("http://x","y")', "@SUM(A1)"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A 2 000-unit book, the scenario set, and a stress run folder of it (200 years)."""
    from ajx_actuarial.cli import main

    d = tmp_path_factory.mktemp("wbcli")
    ajx.synth.portfolio(2000, rng=21).to_parquet(d / "book.parquet", index=False)
    (d / "sc.toml").write_text(SCENARIOS, encoding="utf-8")
    assert main(["stress", str(d / "book.parquet"), "--scenarios", str(d / "sc.toml"), "--years", "200", "-o", str(d / "run")]) == 0
    return d


def _stress(run_cli, setup, out, *extra):
    return run_cli("stress", setup / "book.parquet", "--scenarios", setup / "sc.toml", "--years", 200, "-o", out, *extra)


def test_report_xlsx_round_trips_the_run(run_cli, setup, tmp_path):
    code, stdout, err = run_cli("report", setup / "run", "-o", tmp_path / "run.xlsx")
    assert code == 0, err
    assert (tmp_path / "run.xlsx").is_file() and "wrote" in stdout
    st = read_run(setup / "run").table("stress.parquet")
    sheets = pd.read_excel(tmp_path / "run.xlsx", sheet_name=None)
    assert list(sheets) == ["Summary", "Scenarios", "Levers", "Assumptions"]
    sc = sheets["Scenarios"].set_index("key")
    assert list(sc.columns[1:]) == NAMES == st["scenario"].tolist()
    for col in [c for c in st.columns if c != "scenario" and pd.api.types.is_float_dtype(st[c])]:
        assert sc.loc[col, NAMES].astype(float).to_numpy() == pytest.approx(st[col].to_numpy(), rel=1e-15, nan_ok=True), col
    ws = openpyxl.load_workbook(tmp_path / "run.xlsx")["Scenarios"]
    assert [c.value for c in ws[1]][2:] == NAMES and all(c.data_type == "s" for c in ws[1])
    prem = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "premium")
    assert all(c.data_type == "n" and c.number_format == "#,##0" for c in prem[2:])
    with zipfile.ZipFile(tmp_path / "run.xlsx") as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    a = sheets["Assumptions"]
    assert a["source"].notna().all() and {"official", "assumption"} <= set(a["flag"])
    lv = sheets["Levers"]
    assert "scenario: @SUM(A1)" in set(lv["group"])  # the set's overrides, since the file still holds the run's scenarios
    # the run's folder is untouched: a workbook is a derived file beside it
    assert not (setup / "run" / "run.xlsx").exists()


def test_report_xlsx_zh(run_cli, setup, tmp_path):
    code, _, err = run_cli("report", setup / "run", "-o", tmp_path / "zh.xlsx", "--lang", "zh", "--title", "安责险压力测试")
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "zh.xlsx")
    assert wb.sheetnames == ["摘要", "情景对比", "政策参数", "假设与来源"] and wb.properties.title == "安责险压力测试"
    labels = [r[0].value for r in wb["情景对比"].iter_rows(min_row=2)]
    assert "保费（元）" in labels and "赔付率" in labels
    assert [c.value for c in wb["假设与来源"][1]] == ["分组", "参数", "值", "下限", "上限", "来源", "标注"]


def test_stress_xlsx_writes_a_file_not_a_folder(run_cli, setup, tmp_path):
    out = tmp_path / "x.xlsx"
    code, stdout, err = _stress(run_cli, setup, out)
    assert code == 0, err
    assert out.is_file() and zipfile.is_zipfile(out)
    assert files_under(tmp_path) == {"x.xlsx"}  # no run folder, no temporary folder or file
    assert "x.xlsx" in stdout and ".ajx-run-" not in stdout
    # the same seed gives the same figures as the run folder
    got = pd.read_excel(out, sheet_name="Scenarios").set_index("key")
    want = read_run(setup / "run").table("stress.parquet").set_index("scenario")
    assert got.loc["loss_ratio", NAMES].astype(float).to_numpy() == pytest.approx(want.loc[NAMES, "loss_ratio"].to_numpy())
    # a second run replaces the workbook (still a file)
    code, _, err = _stress(run_cli, setup, out, "--seed", 5)
    assert code == 0, err and out.is_file()
    assert files_under(tmp_path) == {"x.xlsx"}


def test_project_xlsx(run_cli, setup, tmp_path):
    out = tmp_path / "sub" / "p.xlsx"
    code, stdout, err = run_cli("project", setup / "book.parquet", "--years", 2, "--paths", 20, "-o", out)
    assert code == 0, err
    assert out.is_file() and files_under(tmp_path) == {"sub", "sub/p.xlsx"}
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"Summary", "Years", "Years, percentiles", "Capital", "Levers", "Assumptions"} <= set(sheets)
    yr = sheets["Years"]
    assert yr["year"].tolist() == [2026, 2027] and (yr["paths"] == 20).all()
    assert pd.api.types.is_float_dtype(yr["premium (CNY)"]) and (yr["premium (CNY)"] > 0).all()


@pytest.mark.slow
def test_demo_xlsx_zh(run_cli, tmp_path):
    out = tmp_path / "d.xlsx"
    code, stdout, err = run_cli("demo", "-n", 2000, "--years", 200, "--stress-years", 200, "-o", out, "--lang", "zh")
    assert code == 0, err
    assert files_under(tmp_path) == {"d.xlsx"} and ".ajx-run-" not in stdout and "d.xlsx" in stdout
    wb = openpyxl.load_workbook(out)
    assert {"摘要", "情景对比", "细分_定价充足性", "细分_预防经费", "模型校验", "政策参数", "假设与来源"} <= set(wb.sheetnames)
    seg = pd.read_excel(out, sheet_name="细分_定价充足性")
    assert "煤矿" in set(seg["行业"]) and pd.api.types.is_integer_dtype(seg["保单数"])


def test_failures_leave_nothing(run_cli, setup, tmp_path, monkeypatch):
    # a folder in the way of the workbook
    (tmp_path / "d.xlsx").mkdir()
    code, _, err = _stress(run_cli, setup, tmp_path / "d.xlsx")
    assert_one_line_error(code, err, "is a folder")
    # the target's parent is a file
    (tmp_path / "f").write_text("x")
    code, _, err = _stress(run_cli, setup, tmp_path / "f" / "x.xlsx")
    assert_one_line_error(code, err, "cannot write beside")
    # a bad book: nothing is made
    (tmp_path / "bad.csv").write_text("policy_id,industry\n1,nope\n")
    code, _, err = run_cli("stress", tmp_path / "bad.csv", "--years", 10, "-o", tmp_path / "b.xlsx")
    assert code == 2 and err.count("\n") == 1
    # not a run folder
    code, _, err = run_cli("report", tmp_path / "nothing", "-o", tmp_path / "r.xlsx")
    assert_one_line_error(code, err, "not a folder of outputs")
    assert files_under(tmp_path) == {"d.xlsx", "f", "bad.csv"}
    # a failure after the run (while building the workbook): the run folder goes, an older workbook stays as it was
    import ajx_actuarial.report as report
    from ajx_actuarial.errors import ValidationError

    old = tmp_path / "keep.xlsx"
    old.write_bytes(b"older workbook")

    def boom(*a, **k):
        raise ValidationError("workbook: simulated failure")

    monkeypatch.setattr(report, "write_workbook", boom)
    code, _, err = _stress(run_cli, setup, old)
    assert_one_line_error(code, err, "simulated failure")
    assert old.read_bytes() == b"older workbook"
    assert files_under(tmp_path) == {"d.xlsx", "f", "bad.csv", "keep.xlsx"}
