"""`ajx jurisdictions list|show` and `ajx demo --jurisdiction NAME` end to end (small books, few years)."""

import json
from importlib import resources

import pandas as pd
import pytest

import ajx_actuarial as ajx

from _cli_helpers import assert_one_line_error

NAMES = ["beijing-2017", "beijing-2026", "national-2025", "xinzhou-2024", "zhejiang", "zhoushan-2018"]


def test_list_and_show(run_cli):
    code, out, err = run_cli("jurisdictions", "list")
    assert code == 0, err
    for name in NAMES:
        assert name in out
    code, out, err = run_cli("jurisdictions", "show", "xinzhou-2024")
    assert code == 0, err
    assert "every number with its source and confidence flag" in out and "fee.floor" in out and "S04" in out
    assert "assumed (not in the seed text)" in out and "not_provisioned" in out


def test_show_errors(run_cli, tmp_path):
    code, _, err = run_cli("jurisdictions", "show", "shanghai")
    assert_one_line_error(code, err, "'shanghai' is neither a packaged bundle")
    bad = tmp_path / "bad.toml"
    text = resources.files("ajx_actuarial.reference").joinpath("data", "jurisdictions", "zhejiang.toml").read_text("utf-8")
    bad.write_text(text.replace('ledger = "not_provisioned"', 'ledger = "accrual"'), encoding="utf-8")
    code, _, err = run_cli("jurisdictions", "show", bad)
    assert_one_line_error(code, err, "fee.ledger: must be one of")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_demo_under_each_jurisdiction(run_cli, tmp_path, name):
    out = tmp_path / name
    code, stdout, err = run_cli("demo", "-n", 300, "--years", 20, "--stress-years", 20, "-o", out, "--jurisdiction", name)
    assert code == 0, err
    for f in ("report.html", "summary.json", "priced.parquet", "prevention.parquet", "jurisdiction_sources.parquet", "sector_classes.parquet",
              "adequacy.parquet"):
        assert (out / f).is_file(), f
    s = json.loads((out / "summary.json").read_text("utf-8"))
    j = ajx.jurisdictions.load(name)
    assert s["jurisdiction"]["name"] == name and s["table"] == j.data["parts"]["rate_table"]
    assert s["prevention"]["ledger"] == j.ledger and s["prevention"]["fee_breaches"] == 0
    assert s["prevention"]["fee_schedule"] == {str(k): v for k, v in j.fee_schedule().as_mapping().items()}
    assert s["jurisdiction"]["rules"] == j.prevention_rules().name
    assert s["adequacy"]["table"] == j.data["parts"]["rate_table"] and 0 < s["adequacy"]["implied_loss_ratio"] < 2
    led = pd.read_parquet(out / "prevention_ledger.parquet")  # budget, carried in, spent at cost, carried out, lapsed, shortfall
    assert (led["budget"] + led["carried_in"] + led["above_budget"]).to_numpy() == pytest.approx(
        (led["spent"] + led["further"] + led["carried_out"] + led["lapsed"]).to_numpy())
    if j.fee_schedule().floor is not None:  # a floor is spent (Xinzhou S04: 不低于 15 %), never released
        assert s["prevention"]["spent_share"] >= j.fee_schedule().floor - 1e-12
    assert s["prevention"]["ledger_totals"]["budget"] == pytest.approx(led["budget"].sum())
    if j.ledger != "carry_forward":
        assert led["carried_out"].sum() == 0
    doc = (out / "report.html").read_text("utf-8")
    assert f"under {name}" in doc and "Key findings" in doc
    priced = pd.read_parquet(out / "priced.parquet")
    assert (priced["limit_death"] >= j.limit_policy().floor - 1e-6).all()
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["inputs"]["jurisdiction"] == name
    if name == "zhejiang":  # construction priced on project cost; major hazards deferred (S02)
        assert (priced.loc[priced["industry"] == "construction", "exposure_base"] == "project_cost").all()
        removed = pd.read_parquet(out / "underwriting.parquet")
        assert len(removed) == s["jurisdiction"]["underwriting"]["removed"] > 0
        assert (removed["rectification"] == "overdue_major").all()
        assert not set(removed["policy_id"]) & set(priced["policy_id"])
        eff = pd.read_parquet(out / "underwriting_effect.parquet").set_index("book")
        assert eff.loc["change", "premium"] == pytest.approx(s["jurisdiction"]["underwriting"]["premium_change"]) and eff.loc["change", "premium"] < 0
    if name == "beijing-2026":
        assert list(s["prevention"]["fee_schedule"]) == ["2026", "2027", "2028"] and s["prevention"]["carry_forward"]
        # limit scenarios below the table's 802 460 are the policy under test, not lifted into the baseline
        st = pd.read_parquet(out / "stress.parquet").set_index("scenario")
        assert st.loc["minimum-400k", "limit_death"] == 400_000 and st.loc["limit-800k", "limit_death"] == 800_000
        rows = st.loc[["baseline", "minimum-400k", "beijing-formula-limits", "limit-800k"]]
        assert rows["premium"].nunique() == 4 and rows["victim_compensation_share"].nunique() == 4


def test_demo_fee_floor_error_or_flag(run_cli, tmp_path):
    """A user bundle (Xinzhou with a 5 % fee): stops with one line naming the floor and its source, or runs flagged."""
    text = resources.files("ajx_actuarial.reference").joinpath("data", "jurisdictions", "xinzhou-2024.toml").read_text("utf-8")
    low = tmp_path / "xinzhou-low.toml"
    low.write_text(text.replace('ratio = { value = 0.15, source = "S04', 'ratio = { value = 0.05, source = "test: below the floor; S04', 1), encoding="utf-8")
    out = tmp_path / "run"
    code, _, err = run_cli("demo", "-n", 200, "--years", 10, "--stress-years", 10, "-o", out, "--jurisdiction", low)
    assert_one_line_error(code, err, "fee_ratio: 0.05 in 2024 is below the floor of 15%", "S04", "--fee-breach flag")
    assert not out.exists()
    code, stdout, err = run_cli("demo", "-n", 200, "--years", 10, "--stress-years", 10, "-o", out, "--jurisdiction", low, "--fee-breach", "flag")
    assert code == 0, err
    assert "fee breach flagged" in stdout
    s = json.loads((out / "summary.json").read_text("utf-8"))
    assert s["prevention"]["fee_breaches"] == 1 and s["prevention"]["fee_ratio"] == 0.05


def test_demo_bad_jurisdiction_options(run_cli, tmp_path):
    out = tmp_path / "x"
    code, _, err = run_cli("demo", "-n", 50, "-o", out, "--jurisdiction", "atlantis")
    assert_one_line_error(code, err, "'atlantis' is neither a packaged bundle")
    code, _, err = run_cli("demo", "-n", 50, "-o", out, "--jurisdiction", "zhejiang", "--fee-breach", "warn")
    assert_one_line_error(code, err, "--fee-breach: must be 'error' or 'flag', got 'warn'")
    assert not out.exists()


# --- issue 24: whole texts, the seed's title, --full and -o ---------------------------------------------------------------

def _assumptions(name: str) -> list[str]:
    return list(ajx.jurisdictions.load(name).data["meta"]["assumed"])


@pytest.mark.parametrize("columns", [80, 250])
def test_show_prints_whole_texts_at_any_width(run_cli, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run_cli("jurisdictions", "show", "xinzhou-2024")
    assert code == 0, err
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= columns
    words = set(out.split())
    for text in _assumptions("xinzhou-2024"):  # every assumption whole: each of its words is printed
        assert all(w in words or w in out for w in text.split()), text
    assert "S04" in out and "004_7f495db093a78fc6.txt" not in out  # the seed's title, not its file name
    assert "忻应急发" in out.replace("\n", "").replace("│", "").replace(" ", "")


def test_show_full_adds_the_seed_file_and_the_rule_set(run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    code, out, err = run_cli("jurisdictions", "show", "xinzhou-2024", "--full")
    assert code == 0, err
    assert "…" not in out and "prevention rule set xinzhou-2024" in out and "004_7f495db093a78fc6.txt" in out
    assert "risk_assessment" in out and "thorough_inspection" in out


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_show_output_writes_the_whole_text(run_cli, tmp_path, suffix):
    target = tmp_path / f"xinzhou{suffix}"
    code, out, err = run_cli("jurisdictions", "show", "xinzhou-2024", "--full", "--width", 100, "-o", target)
    assert code == 0, err
    assert "wrote" in out and target.is_file() and not list(tmp_path.glob(".*.tmp"))
    text = target.read_text("utf-8")
    assert "…" not in text
    if suffix == ".md":
        assert text.startswith("# xinzhou-2024") and "## every number with its source and confidence flag" in text
        for a in _assumptions("xinzhou-2024"):
            assert f"| {a} |" in text
        for p in ajx.jurisdictions.load("xinzhou-2024").sources()["path"]:
            assert f"| {p} |" in text
    else:  # the same text the console prints at that width
        code, shown, err = run_cli("jurisdictions", "show", "xinzhou-2024", "--full", "--width", 100)
        assert code == 0, err
        assert text == shown


def test_show_output_errors(run_cli, tmp_path):
    code, _, err = run_cli("jurisdictions", "show", "xinzhou-2024", "-o", tmp_path)
    assert_one_line_error(code, err, "is a folder")
    code, _, err = run_cli("jurisdictions", "show", "xinzhou-2024", "--width", 5)
    assert_one_line_error(code, err, "--width")
    assert not list(tmp_path.iterdir())
