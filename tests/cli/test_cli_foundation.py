"""CLI end to end on small files: outputs, one-line errors, exit code 2, no partial files."""

import pandas as pd

import ajx_actuarial as ajx


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert code == 0 and ajx.__version__ in out


def test_synth_validate_roundtrip(run_cli, tmp_path):
    path = tmp_path / "book.parquet"
    code, out, err = run_cli("synth", "--n", 500, "--seed", 3, "-o", path, "--experience-years", 2)
    assert code == 0, err
    assert pd.read_parquet(path).shape[0] == 500
    assert pd.read_parquet(tmp_path / "book_experience.parquet").shape[0] == 1000
    code, out, _ = run_cli("validate", path)
    assert code == 0 and "valid portfolio" in out


def test_validate_bad_file_one_line_exit_2(run_cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("policy_id,industry,size,headcount\n1,coal_mine,large,-5\n")
    code, out, err = run_cli("validate", bad)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: portfolio: column 'headcount' must be >= 1")


def test_synth_bad_parameter_leaves_no_file(run_cli, tmp_path):
    path = tmp_path / "book.csv"
    code, _, err = run_cli("synth", "--n", 0, "-o", path)
    assert code == 2 and "n must be an integer >= 1" in err and err.count("\n") == 1
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_synth_bad_extension(run_cli, tmp_path):
    code, _, err = run_cli("synth", "--n", 10, "-o", tmp_path / "book.xls")
    assert code == 2 and "unsupported file type" in err
    assert list(tmp_path.iterdir()) == []


def test_tables(run_cli):
    code, out, _ = run_cli("tables", "list")
    assert code == 0 and "industries" in out
    code, out, _ = run_cli("tables", "show", "industries")
    assert code == 0 and "coal_mine" in out
    code, _, err = run_cli("tables", "show", "nope")
    assert code == 2 and "unknown table 'nope'" in err


def test_missing_file(run_cli, tmp_path):
    code, _, err = run_cli("validate", tmp_path / "none.csv")
    assert code == 2 and "does not exist" in err
