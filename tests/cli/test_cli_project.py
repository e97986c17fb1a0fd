"""``ajx project`` end to end: a run folder the report renders, and every usage error as one stderr line, exit 2, nothing written."""

import json

import pandas as pd
import pytest

import ajx_actuarial as ajx
from _cli_helpers import assert_one_line_error


@pytest.fixture(scope="module")
def bj_book(tmp_path_factory):
    d = tmp_path_factory.mktemp("proj")
    p = d / "bj.parquet"
    ajx.synth.portfolio(300, preset="beijing", rng=5).to_parquet(p, index=False)
    return p


def test_project_cli_writes_a_run_the_report_renders(run_cli, bj_book, tmp_path):
    out = tmp_path / "proj"
    code, stdout, err = run_cli("project", bj_book, "--years", 3, "--paths", 40, "--table", "beijing-2026", "--fee-ratio", "2026:0.15,2028:0.20",
                                "--limits", "beijing", "--ledger", "carry_forward", "--rules", "beijing-2017",
                                "--outstanding-ratio", 0.5, "--seed", 3, "-o", out)
    assert code == 0, err
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    assert man["kind"] == "project"
    assert {"priced.parquet", "projection.parquet", "projection_summary.parquet", "capital.parquet", "projection_classes.parquet",
            "projection_levers.parquet", "summary.json"} <= set(man["files"])
    by = pd.read_parquet(out / "projection.parquet")
    assert len(by) == 3 * 40 and by["fee_ratio"].round(4).unique().tolist() == [0.15, 0.20]
    assert by.groupby("year")["limit_death"].first().round().tolist() == [802460.0, 838571.0, 876306.0]
    np_cap = pd.read_parquet(out / "capital.parquet")
    assert {"solvency_ratio", "minimum_capital", "var"} <= set(np_cap.columns)
    assert "C-ROSS phase II" in stdout and "Projection, mean over 40 paths" in stdout
    code, _, err = run_cli("report", out)
    assert code == 0, err
    html = (out / "report.html").read_text("utf-8")
    assert "Multi-year projection" in html and "Fan charts by policy year" in html and "C-ROSS phase II solvency ratio" in html
    # same seed, same numbers
    out2 = tmp_path / "proj2"
    assert run_cli("project", bj_book, "--years", 3, "--paths", 40, "--table", "beijing-2026", "--fee-ratio", "2026:0.15,2028:0.20",
                   "--limits", "beijing", "--ledger", "carry_forward", "--rules", "beijing-2017", "--outstanding-ratio", 0.5,
                   "--seed", 3, "-o", out2)[0] == 0
    pd.testing.assert_frame_equal(by, pd.read_parquet(out2 / "projection.parquet"))


def test_project_cli_flagged_fee_breach_runs(run_cli, bj_book, tmp_path):
    out = tmp_path / "flag"
    code, _, err = run_cli("project", bj_book, "--years", 1, "--paths", 5, "--table", "beijing-2026", "--fee-ratio", 0.10,
                           "--fee-floor", 0.15, "--fee-breach", "flag", "-o", out)
    assert code == 0, err
    assert json.loads((out / "summary.json").read_text("utf-8"))["projection"]["fee_breaches"][0]["rule"] == "floor"


@pytest.mark.parametrize("args, fragment", [
    (["--years", 0], "years must be an integer in [1, 50], got 0"),
    (["--paths", 0], "paths must be an integer"),
    (["--fee-ratio", "2026:0.15,2028:0.30"], "fee_ratio[2028]: 0.3 exceeds the national 21 % cap"),
    (["--fee-ratio", "lots"], "--fee-ratio: expected a number or YEAR:RATIO"),
    (["--fee-ratio", 0.10, "--fee-floor", 0.15], "is below the floor of 0.15"),
    (["--fee-breach", "warn"], "on_breach must be one of"),
    (["--limits", "shanghai"], "--limits: expected 'as_priced', 'beijing'"),
    (["--limits", 100], "limits must be a number in [400000"),
    (["--ledger", "accrual"], "ledger must be one of"),
    (["--pooling", "city"], "pooling must be one of"),
    (["--trend", 5], "trend must be a number in [-0.5, 1]"),
    (["--table", "nowhere-2099"], "nowhere-2099"),
    (["--rules", "aq9010"], "contractual"),
    (["--outstanding-ratio", -1], "--outstanding-ratio: must be in [0, 20]"),
    (["--initial-capital", -5], "--initial-capital: must be >= 0"),
])
def test_project_cli_usage_errors(run_cli, bj_book, tmp_path, args, fragment):
    out = tmp_path / "bad"
    code, _, err = run_cli("project", bj_book, "--paths", 3, "--years", 1, "--table", "beijing-2026", *args, "-o", out)
    assert_one_line_error(code, err, fragment)
    assert not out.exists()


def test_project_cli_missing_book(run_cli, tmp_path):
    code, _, err = run_cli("project", tmp_path / "nope.csv", "-o", tmp_path / "out")
    assert_one_line_error(code, err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_of_a_scenario_projection(run_cli, tmp_path, lang):
    """ajx report on an `ajx project --scenarios` run raised a TypeError (one (year, measure) per scenario)."""
    book = tmp_path / "b.parquet"
    ajx.synth.portfolio(200, rng=2).to_parquet(book, index=False)
    out = tmp_path / "pj"
    code, _, err = run_cli("project", book, "--scenarios", "national-2025", "--years", 2, "--paths", 20, "--seed", 1, "-o", out)
    assert code == 0, err
    code, _, err = run_cli("report", out, "--lang", lang)
    assert code == 0, err
    text = (out / "report.html").read_text("utf-8")
    names = list(dict.fromkeys(pd.read_parquet(out / "projection_summary.parquet")["scenario"].astype(str)))
    assert len(names) > 1 and all(n in text for n in names)  # the comparison table: one row per scenario
    assert ("下方图表为第一个情景" if lang == "zh" else "below are the first scenario") in text
    assert "some year: ;" not in text and "路径占比；" not in text  # the capital note's figures are the first scenario's, not blank


def test_project_provenance_names_its_table_and_policy_years(run_cli, tmp_path):
    """The report read 'simulated years 3' for policy years, 'rate table (default)' and 'scenario set (default)' on a run
    without one; the manifest now records the table used and the policy years, and leaves out what was not used."""
    book = tmp_path / "b.parquet"
    ajx.synth.portfolio(150, rng=4).to_parquet(book, index=False)
    out = tmp_path / "pj"
    assert run_cli("project", book, "--years", 2, "--paths", 10, "-o", out)[0] == 0
    inputs = json.loads((out / "manifest.json").read_text("utf-8"))["inputs"]
    assert inputs["table"] == "national-2025" and inputs["policy_years"] == 2 and "scenarios" not in inputs and "years" not in inputs
    assert run_cli("report", out)[0] == 0
    text = (out / "report.html").read_text("utf-8")
    assert "policy years projected" in text and "(default)" not in text
