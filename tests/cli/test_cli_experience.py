"""ajx experience end to end: ledger and register files in, experience out, bad input refused."""

import sys
from pathlib import Path

import pandas as pd
import pytest

import ajx_actuarial as ajx

sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))
from _claims_ledger import ledger, register  # noqa: E402


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("exp")
    reg = register(400, range(2021, 2026), rng=1)
    led, _ = ledger(reg, rng=2)
    book = reg.drop_duplicates("policy_id").drop(columns=["year", "exposure"])
    book.to_csv(d / "book.csv", index=False)
    led.to_csv(d / "ledger.csv", index=False)
    return d, book, led


def test_experience_writes_what_calibrate_reads(run_cli, files, tmp_path):
    d, book, led = files
    out = tmp_path / "exp.parquet"
    code, stdout, err = run_cli("experience", "--policies", d / "book.csv", "--claims", d / "ledger.csv", "--valuation", "2025-06-30",
                                "-o", out, "--method", "chainladder", "--by", "industry")
    assert code == 0, err
    assert "Cumulative incurred by accident year and age" in stdout and "Age-to-age factors used" in stdout
    assert "Ultimates by accident year" in stdout and "wrote 1,600 policy-years (2021, 2022, 2023, 2024)" in stdout
    exp = ajx.read_table(out)
    ajx.validate_experience(exp)
    # the file is the API's result
    api = ajx.experience_from_claims(pd.read_csv(d / "book.csv"), pd.read_csv(d / "ledger.csv"), "2025-06-30", by=["industry"])
    assert exp["incurred"].sum() == pytest.approx(api.experience["incurred"].sum(), rel=1e-12)
    assert exp["claims"].sum() == api.experience["claims"].sum()
    cal = tmp_path / "t.toml"
    code, _, err = run_cli("calibrate", out, "--factors", "size,std_grade", "--bands", "", "--target-lr", 0.6, "-o", cal)
    assert code == 0, err and cal.exists()


def test_experience_methods_and_options(run_cli, files, tmp_path):
    d, book, _ = files
    book.assign(premium=book["headcount"] * 200.0).to_csv(tmp_path / "book_p.csv", index=False)
    for args in (["--method", "bf", "--apriori", "0.6"], ["--method", "capecod"], ["--tail", "1.02", "--trend"],
                 ["--cap", "300000", "--basis", "paid"], ["--catastrophe", "--trend", "--rating-year", "2027"]):
        out = tmp_path / "e.parquet"
        code, stdout, err = run_cli("experience", "--policies", tmp_path / "book_p.csv", "--claims", d / "ledger.csv",
                                    "--valuation", "2025-12-31", "-o", out, *args)
        assert code == 0, (args, err)
        assert out.exists()
        out.unlink()


def _bad(led, **change):
    """Change the first claim: claim-level fields on all its rows, a transaction date on its first row."""
    bad = led.copy().astype({k: object for k in change})
    first = bad["claim_id"] == bad.loc[0, "claim_id"]
    for k, v in change.items():
        bad.loc[first if k != "transaction_date" else bad.index == 0, k] = v
    return bad


@pytest.mark.parametrize("change, message", [
    ({"accident_date": "2024-02-30"}, "column 'accident_date' has dates that do not parse"),
    ({"policy_id": "NOBODY"}, "column 'policy_id' has policies not in the policy register: ['NOBODY']"),
    ({"transaction_date": "2019-01-01"}, "column 'transaction_date' must be on or after accident_date (a payment or reserve before the accident)"),
])
def test_bad_ledgers_fail_cleanly(run_cli, files, tmp_path, change, message):
    d, _, led = files
    _bad(led, **change).to_csv(tmp_path / "bad.csv", index=False)
    out = tmp_path / "exp.parquet"
    code, stdout, err = run_cli("experience", "--policies", d / "book.csv", "--claims", tmp_path / "bad.csv",
                                "--valuation", "2025-06-30", "-o", out)
    assert code == 2 and message in err and err.count("\n") == 1 and err.startswith("error: "), err
    assert not out.exists()


def test_bad_options_fail_cleanly(run_cli, files, tmp_path):
    d, _, _ = files
    out = tmp_path / "exp.parquet"
    base = ["experience", "--policies", d / "book.csv", "--claims", d / "ledger.csv", "-o", out]
    for args, message in ((["--valuation", "soon"], "valuation_date must be a date"),
                          (["--valuation", "2025-06-30", "--method", "bf"], "method='bf' needs apriori > 0"),
                          (["--valuation", "2025-06-30", "--cap", "1e6", "--catastrophe"], "choose one large-loss treatment"),
                          (["--valuation", "2025-06-30", "--tail", "steep"], "tail must be None, a factor >= 1")):
        code, _, err = run_cli(*base, *args)
        assert code == 2 and message in err and err.count("\n") == 1, (args, err)
        assert not out.exists()


def _doubled(led):
    return pd.concat([led, led], ignore_index=True)


def _serial(led):
    return led.assign(accident_date=(pd.to_datetime(led["accident_date"]) - pd.Timestamp("1899-12-30")).dt.days)


def _negative(led):
    bad = led.copy()
    bad.loc[bad["claim_id"] == bad.loc[0, "claim_id"], "paid"] = -3_000_000.0
    return bad


@pytest.mark.parametrize("change, message", [
    (_doubled, "row(s) repeat an earlier row exactly"),
    (_serial, "column 'accident_date' holds numbers, not dates (Excel serial date?"),
    (_negative, "column 'paid' nets below zero for claim(s) [0]"),
    (lambda led: led.assign(recovery=0.0), "column 'recovery' is not supported"),
], ids=["loaded-twice", "excel-serial", "net-negative", "recovery"])
def test_ledger_contract_one_line_nothing_written(run_cli, files, tmp_path, change, message):
    """Issue 23: a ledger loaded twice, Excel serial dates, a claim netting below zero: one line, exit 2, no output."""
    d, _, led = files
    change(led).to_csv(tmp_path / "bad.csv", index=False)
    out = tmp_path / "exp.parquet"
    code, _, err = run_cli("experience", "--policies", d / "book.csv", "--claims", tmp_path / "bad.csv",
                           "--valuation", "2025-06-30", "-o", out)
    assert code == 2 and message in err and err.count("\n") == 1 and err.startswith("error: "), err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--valuation", "2025-06-30", "--trend", "--rating-year", "1800"], "to_year (the rating year) must be a year (an integer) in 1980-2100, got 1800"),
    (["--valuation", "2025-06-30", "--trend", "--rating-year", "99999"], "to_year (the rating year) must be a year (an integer) in 1980-2100, got 99999"),
    (["--valuation", "1800-01-01"], "valuation_date must fall in the years 1980-2100, got 1800-01-01"),
], ids=["rating-1800", "rating-99999", "valuation-1800"])
def test_years_out_of_range_one_line_nothing_written(run_cli, files, tmp_path, args, message):
    d, _, _ = files
    out = tmp_path / "exp.parquet"
    code, _, err = run_cli("experience", "--policies", d / "book.csv", "--claims", d / "ledger.csv", "-o", out, *args)
    assert code == 2 and message in err and err.count("\n") == 1 and "RuntimeWarning" not in err, (args, err)
    assert not out.exists()
