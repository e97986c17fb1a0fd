"""``ajx project --pool FILE.toml``: the by-insurer table of a co-insurance pool (共保体), and bad pools as one line, exit 2, nothing written."""

import json

import pandas as pd
import pytest

import ajx_actuarial as ajx
from _cli_helpers import assert_one_line_error

POOL = """[coinsurance]
lead = "picc"
settlement = "lead_collects"
shares = { picc = 0.5, cpic = { value = 0.3, source = "共保协议 (assumption)", flag = "assumption" }, pingan = 0.2 }
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("pool")
    ajx.synth.portfolio(300, rng=5).to_parquet(d / "book.parquet", index=False)
    (d / "pool.toml").write_text(POOL, encoding="utf-8")
    (d / "lead_only.toml").write_text(POOL.replace('settlement = "lead_collects"', 'settlement = "each_collects"\ninsurer_test = "lead"\n'
                                                   'capital = { picc = 5e7, cpic = 1.0, pingan = 5e7 }'), encoding="utf-8")
    return d


def test_pool_prints_the_by_insurer_table_and_stores_it(run_cli, files, tmp_path):
    out = tmp_path / "proj"
    code, stdout, err = run_cli("project", files / "book.parquet", "--years", 2, "--paths", 20, "--pool", files / "pool.toml",
                                "--pool-rules", "xinzhou-2024", "--seed", 4, "-o", out)
    assert code == 0, err
    assert "Co-insurance pool (共保体): lead picc, lead_collects (主代从收)" in stdout and "insurer test (xinzhou-2024)" in stdout
    assert all(k in stdout for k in ("picc", "cpic", "pingan", "min_capital", "due_from_lead", "test_passed"))
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "by_insurer.parquet" in man["files"]
    bi = pd.read_parquet(out / "by_insurer.parquet")
    by = pd.read_parquet(out / "projection.parquet")
    assert bi["insurer"].unique().tolist() == ["picc", "cpic", "pingan"] and len(bi) == 3 * 2
    summed = bi.groupby("year")["premium"].sum().to_numpy()
    assert summed == pytest.approx(by.groupby("year")["premium"].mean().to_numpy(), rel=1e-9)
    assert (bi.loc[bi["insurer"] == "picc", "due_from_lead"] < 0).all()  # the lead owes its followers premium less claims


def test_pool_file_states_capital_and_lead_only_test(run_cli, files, tmp_path):
    out = tmp_path / "lead"
    code, stdout, err = run_cli("project", files / "book.parquet", "--years", 1, "--paths", 10, "--pool", files / "lead_only.toml", "-o", out)
    assert code == 0, err
    assert "each_collects (各收各份额)" in stdout and "on the lead only" in stdout
    bi = pd.read_parquet(out / "by_insurer.parquet").set_index("insurer")
    assert bi["insurer_test"].all() and not bi.loc["cpic", "test_applies"] and bi.loc["cpic", "solvency_ratio"] < 1
    code, stdout, err = run_cli("project", files / "book.parquet", "--years", 1, "--paths", 10, "--pool", files / "lead_only.toml",
                                "--pool-test", "all", "-o", tmp_path / "all")
    assert code == 0, err
    assert not pd.read_parquet(tmp_path / "all" / "by_insurer.parquet").set_index("insurer").loc["cpic", "insurer_test"]


@pytest.mark.parametrize("text, args, fragment", [
    ('[coinsurance]\nlead = "picc"\nshares = { picc = 0.5, cpic = 0.3 }\n', [],
     "CoinsurancePool.shares: must sum to 1 (within 1e-09), got 0.8 (picc=0.5, cpic=0.3)"),
    ('[coinsurance]\nlead = "sinosafe"\nshares = { picc = 0.5, cpic = 0.5 }\n', [],
     "CoinsurancePool.lead: 'sinosafe' is not a member of the pool; members: ['picc', 'cpic']"),
    ('[coinsurance]\nlead = "picc"\nshares = { picc = 1.5, cpic = -0.5 }\n', [], "CoinsurancePool.shares['picc']: must be in (0, 1], got 1.5"),
    ('[coinsurance]\nlead = "picc"\nsettlement = "lead_pays"\nshares = { picc = 1.0 }\n', [], "CoinsurancePool.settlement: must be one of"),
    ('[coinsurance]\nshares = {}\n', [], "CoinsurancePool.shares: the pool is empty"),
    ('[pool]\nshares = { picc = 1.0 }\n', [], "no [coinsurance] table"),
    ('[coinsurance\n', [], "malformed TOML"),
    (POOL, ["--pool-test", "followers"], "--pool-test: must be one of ['lead', 'all'], got 'followers'"),
    (POOL, ["--pool-rules", "atlantis-2030"], "atlantis-2030"),
    (POOL.replace("pingan = 0.2 }", "pingan = 0.2 }\ncapital = { picc = 1e8, cpic = 1e8, pingan = 1e8 }"), ["--initial-capital", 5e6],
     "--initial-capital: the pool"),
])
def test_bad_pool_one_line_exit_2_nothing_written(run_cli, files, tmp_path, text, args, fragment):
    pool = tmp_path / "bad_pool.toml"
    pool.write_text(text, encoding="utf-8")
    out = tmp_path / "bad"
    code, stdout, err = run_cli("project", files / "book.parquet", "--years", 1, "--paths", 3, "--pool", pool, *args, "-o", out)
    assert_one_line_error(code, err, fragment)
    assert not out.exists() and "Projection" not in stdout


def test_pool_options_need_a_pool_and_a_file_that_exists(run_cli, files, tmp_path):
    out = tmp_path / "x"
    code, _, err = run_cli("project", files / "book.parquet", "--years", 1, "--paths", 3, "--pool-test", "lead", "-o", out)
    assert_one_line_error(code, err, "--pool-test and --pool-rules need --pool")
    code, _, err = run_cli("project", files / "book.parquet", "--years", 1, "--paths", 3, "--pool", tmp_path / "none.toml", "-o", out)
    assert_one_line_error(code, err, "does not exist")
    assert not out.exists()
