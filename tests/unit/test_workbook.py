"""The Excel workbook of a run (report.write_workbook) on hand-made run folders: sheets, numbers, formats, labels, safety."""

from __future__ import annotations

import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.errors import ValidationError
from ajx_actuarial.report import build_workbook, write_workbook
from ajx_actuarial.report._xlsx import number_format
from ajx_actuarial.runs import RunFolder, read_run

NASTY = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "-2+3", "+cmd|' /C calc'!A0", "\tx", "\rx"]


def _stress_table(names) -> pd.DataFrame:
    n = len(names)
    return pd.DataFrame({"scenario": names, "premium": np.linspace(1e7, 2e7, n), "expected_loss": np.linspace(6e6, 9e6, n),
                         "loss_ratio": np.linspace(0.55, 0.8, n), "var_995": np.linspace(2e7, 3e7, n), "expected_deaths": np.linspace(4, 5.5, n),
                         "share_funded": np.linspace(0.6, 0.7, n), "victim_compensation_share": np.linspace(0.3, 0.5, n),  # columns the
                         "payout_per_death": np.linspace(4e5, 8e5, n), "new_measure_units": np.arange(n) + 10,            # table may grow
                         "description": ["=1+1"] + ["plain"] * (n - 1), "note": [""] * n})


def _run(folder, kind="stress", names=("baseline", *NASTY), extra=None, inputs=None):
    with RunFolder(folder, kind=kind, seed=7, inputs=inputs or {"portfolio": "=cmd()", "scenarios": "nowhere.toml", "years": 30}) as run:
        run.write_table(_stress_table(list(names)), "stress.parquet")
        for name, df in (extra or {}).items():
            run.write_table(df, name)
        run.finish()
    return folder


@pytest.fixture(scope="module")
def stress_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("wb") / "run")


@pytest.fixture(scope="module")
def book_path(stress_run, tmp_path_factory):
    p = tmp_path_factory.mktemp("out") / "run.xlsx"
    write_workbook(stress_run, p)
    return p


@pytest.mark.parametrize("key, values, fmt", [
    ("premium", [1.5], "#,##0"), ("simulation.var_995", [1.0], "#,##0"), ("capital", [1.0], "#,##0"), ("prevention_budget", [1.0], "#,##0"),
    ("loss_ratio", [0.6], "0.0%"), ("share_funded", [0.6], "0.0%"), ("victim_compensation_share", [0.4], "0.0%"), ("p_below_100", [0.1], "0.0%"),
    ("implied_lr", [0.6], "0.0%"), ("fee.floor", [0.15], "0.0%"), ("limits.minimum", [300000], "#,##0"), ("payout_per_death_vs_20x_income", [0.4], "0.0%"),
    ("deaths", [3, 4], "#,##0"), ("expected_deaths", [4.4], "#,##0.00"), ("policies", [200], "#,##0"), ("units", [5], "#,##0"),
    ("year", [2026], "0"), ("start_year", [2026], "0"), ("seed", [2026], "0"),
    ("var_995_over_mean", [1.6], "0.00"), ("mean_float_factor", [1.01], "#,##0.00##"), ("cross_premium_factor", [0.203], "#,##0.00##"),
])
def test_number_format_follows_the_column_name(key, values, fmt):
    assert number_format(key, values) == fmt


def test_sheets_of_a_stress_run(book_path):
    wb = openpyxl.load_workbook(book_path)
    assert wb.sheetnames == ["Summary", "Scenarios", "Levers", "Assumptions"]  # no Segments/Years: the run has no such data
    for ws in wb.worksheets:
        assert ws.freeze_panes in ("A2", "C2")
        assert all(c.font.bold for c in ws[1] if c.value is not None)


def test_scenarios_side_by_side_numbers_are_numbers(stress_run, book_path):
    st = read_run(stress_run).table("stress.parquet")
    ws = openpyxl.load_workbook(book_path)["Scenarios"]
    header = [c.value for c in ws[1]]
    assert header[2:] == [n.replace("\r", "\n") for n in st["scenario"]]  # formula-looking names, literally (CR read back as LF by any XML reader)
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert set(st.columns) - {"scenario"} <= set(rows)  # every column flows in, new ones included
    for key, fmt in (("premium", "#,##0"), ("loss_ratio", "0.0%"), ("victim_compensation_share", "0.0%"), ("payout_per_death", "#,##0"),
                     ("expected_deaths", "#,##0.00"), ("new_measure_units", "#,##0")):
        cells = rows[key][2:]
        assert [c.value for c in cells] == pytest.approx(st[key].tolist(), rel=1e-15)
        assert all(isinstance(c.value, (int, float)) and c.data_type == "n" and c.number_format == fmt for c in cells), key
    assert rows["premium"][0].value == "premium (CNY)"
    assert rows["description"][2].value == "=1+1" and rows["description"][2].data_type == "s"
    # pandas reads the same numbers back
    df = pd.read_excel(book_path, sheet_name="Scenarios", index_col=1)
    assert df.loc["var_995", st["scenario"].iloc[3]] == pytest.approx(st["var_995"].iloc[3])
    assert df.loc["loss_ratio"].iloc[1:].astype(float).to_numpy() == pytest.approx(st["loss_ratio"].to_numpy())


def test_formula_looking_text_stays_text(book_path):
    wb = openpyxl.load_workbook(book_path)
    for name in (n.replace("\r", "\n") for n in NASTY):
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == name]
        assert cells, name
        assert all(c.data_type == "s" and c.quotePrefix for c in cells), name
    with zipfile.ZipFile(book_path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(re.search(rb"<f[ >]", z.read(n)) for n in sheets), "no formula may be written"
    levers = pd.read_excel(book_path, sheet_name="Levers")
    assert "=cmd()" in levers["value"].tolist()  # the run's inputs are text too


def test_summary_and_assumptions_carry_sources(book_path):
    s = pd.read_excel(book_path, sheet_name="Summary")
    row = s.set_index("key").loc["stress.loss_ratio"]
    assert row["value"] == pytest.approx(0.55) and "baseline" in row["group"]
    a = pd.read_excel(book_path, sheet_name="Assumptions")
    src = ajx.LossModel.default().sources()
    got = a[a["group"].str.startswith("loss model parameters")].set_index("parameter")
    assert list(got.index) == src["parameter"].tolist()
    assert got["source"].notna().all() and set(got["flag"]) == set(src["flag"])
    num = src[src["value"].map(lambda v: isinstance(v, (int, float)))].set_index("parameter")["value"].astype(float)
    assert got.loc[num.index, "value"].astype(float).to_numpy() == pytest.approx(num.to_numpy())


def test_levers_and_loadings_from_the_run(tmp_path):
    d = _run(tmp_path / "r", kind="demo", names=["baseline"], inputs={"table": "national-2025", "years": 30, "fee_ratio": 0.2},
             extra={"projection_levers.parquet": pd.DataFrame({"lever": ["trend"], "value": ["-0.06"], "source": ["DOMAIN.md §6.5"],
                                                               "flag": ["assumption"]})})
    p = write_workbook(d, tmp_path / "r.xlsx")
    lv = pd.read_excel(p, sheet_name="Levers").set_index("lever")
    assert lv.loc["trend", "value"] == pytest.approx(-0.06) and lv.loc["trend", "flag"] == "assumption"  # text lever back to a number
    assert lv.loc["fee_ratio", "value"] == pytest.approx(0.2)
    wb = openpyxl.load_workbook(p)
    a = pd.read_excel(p, sheet_name="Assumptions")
    load = a[a["group"] == "rate table loadings: national-2025"].set_index("parameter")
    assert load["value"].to_dict() == pytest.approx(ajx.RateTable.load("national-2025").loadings)
    assert load.loc["commission", "source"].startswith("rate table national-2025 [loadings]: N25")
    assert load.loc["profit", "flag"] == "assumption"
    cells = [r[2] for r in wb["Assumptions"].iter_rows(min_row=2) if r[0].value.startswith("rate table loadings")]
    assert all(c.number_format == "0.0%" for c in cells)


def test_segments_years_and_zh_labels(tmp_path):
    book = ajx.synth.portfolio(300, rng=5)
    priced = ajx.price(book, "national-2025")
    prev = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.2)
    by_year = pd.DataFrame({"path": [0, 1, 0, 1] * 2, "year": [2026, 2026, 2027, 2027] * 2, "scenario": ["a"] * 4 + ["=b"] * 4,
                            "premium": np.arange(8) * 1e6, "deaths": [1, 2, 3, 4, 5, 6, 7, 8], "loss_ratio": np.linspace(0.5, 0.9, 8)})
    d = _run(tmp_path / "r", kind="project", names=["baseline"],
             extra={"prevention_segments.parquet": prev.by_segment.reset_index(), "projection.parquet": by_year})
    p = write_workbook(d, tmp_path / "zh.xlsx", lang="zh")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["摘要", "情景对比", "细分_预防经费", "年度预测", "政策参数", "假设与来源"]
    seg = pd.read_excel(p, sheet_name="细分_预防经费")
    assert {"行业", "规模", "保单数", "经费（元）", "经费足额保单占比"} <= set(seg.columns)
    assert "煤矿" in set(seg["行业"]) and "coal_mine" not in set(seg["行业"])
    want = prev.by_segment.reset_index()
    assert seg["经费（元）"].to_numpy() == pytest.approx(want["budget"].to_numpy())
    yr = pd.read_excel(p, sheet_name="年度预测")
    assert list(yr.columns[:3]) == ["年度", "情景", "路径数"]  # grouped per year and per text column, mean over paths
    got = yr.set_index(["年度", "情景"])
    assert got.loc[(2027, "=b"), "死亡人数"] == pytest.approx(7.5) and got.loc[(2026, "a"), "路径数"] == 2
    ws = wb["年度预测"]
    assert ws["B1"].value == "情景" and [c.number_format for c in ws[2]][3:6] == ["#,##0", "#,##0.00", "0.0%"]
    assert [c.value for c in wb["摘要"]["A"]][1] == "运行"


def test_run_object_and_title(stress_run, tmp_path):
    wb = build_workbook(read_run(stress_run), title="安责险 2026")
    assert wb.properties.title == "安责险 2026" and wb.properties.creator.startswith("ajx_actuarial")


@pytest.mark.parametrize("case", ["no_manifest", "not_xlsx", "folder", "parent_is_file", "changed", "nothing_to_show"])
def test_failures_raise_and_leave_nothing(case, stress_run, tmp_path):
    import shutil

    run, target = stress_run, tmp_path / "out" / "x.xlsx"
    msg = {"no_manifest": "has no readable manifest.json", "not_xlsx": "must end in .xlsx", "folder": "is a folder",
           "parent_is_file": "cannot write", "changed": "changed after run", "nothing_to_show": "holds none of"}[case]
    if case == "no_manifest":
        run = tmp_path / "empty"
        run.mkdir()
    elif case == "not_xlsx":
        target = tmp_path / "out" / "x.html"
    elif case == "folder":
        target.mkdir(parents=True)
    elif case == "parent_is_file":
        (tmp_path / "out").write_text("a file")
    elif case == "changed":
        run = tmp_path / "copy"
        shutil.copytree(stress_run, run)
        pd.DataFrame({"scenario": ["x"]}).to_parquet(run / "stress.parquet")
    else:
        run = tmp_path / "other"
        with RunFolder(run, kind="example") as w:
            w.write_table(pd.DataFrame({"x": [1]}), "x.parquet")
            w.finish()
    before = {p for p in tmp_path.rglob("*")}
    with pytest.raises(ValidationError, match=msg):
        write_workbook(run, target)
    assert {p for p in tmp_path.rglob("*")} == before  # no workbook, no temporary file


def test_bad_lang(stress_run, tmp_path):
    with pytest.raises(ValidationError, match="lang: must be one of"):
        write_workbook(stress_run, tmp_path / "x.xlsx", lang="fr")
    assert not (tmp_path / "x.xlsx").exists()
