import pandas as pd


def test_prevention_cli(run_cli, tmp_path):
    book, priced, out = tmp_path / "b.parquet", tmp_path / "p.parquet", tmp_path / "prev.parquet"
    run_cli("synth", "--n", 400, "-o", book)
    run_cli("price", book, "-o", priced)
    code, stdout, err = run_cli("prevention", priced, "--rules", "xinzhou-2024", "--fee-ratio", "0.15", "--pooling", "insurer", "-o", out)
    assert code == 0, err
    assert "mandated units fully funded" in stdout and len(pd.read_parquet(out)) == 400
    code, stdout, err = run_cli("prevention", priced, "--rules", "aq9010", "--contract", "hazard_inspection=1,training=2", "--fee-ratio", "2026:0.15,2028:0.2", "--years", 3)
    assert code == 0, err


def test_prevention_cli_errors(run_cli, tmp_path):
    book, priced, out = tmp_path / "b.parquet", tmp_path / "p.parquet", tmp_path / "prev.parquet"
    run_cli("synth", "--n", 40, "-o", book)
    run_cli("price", book, "-o", priced)
    bad_rules = tmp_path / "r.toml"
    bad_rules.write_text("[meta]\nname='x'\n[[rules]]\nservices = { hazard_inspection = 1, yoga = 1 }\n")
    for args, msg in ((["--fee-ratio", "1.5"], "exceeds the national 21 % cap"), (["--rules", bad_rules], "unknown service type 'yoga'"),
                      (["--pooling", "world"], "pooling must be one of"), (["--fee-ratio", "abc"], "--fee-ratio: expected")):
        code, _, err = run_cli("prevention", priced, *args, "-o", out)
        assert code == 2 and msg in err and err.count("\n") == 1, err
        assert not out.exists()
    code, _, err = run_cli("prevention", book, "-o", out)
    assert code == 2 and "price it first" in err
