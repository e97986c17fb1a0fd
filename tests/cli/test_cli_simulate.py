import pandas as pd


def test_simulate_cli(run_cli, tmp_path):
    book = tmp_path / "book.parquet"
    priced = tmp_path / "priced.parquet"
    run_cli("synth", "--n", 300, "-o", book)
    run_cli("price", book, "-o", priced)
    out = tmp_path / "sim.parquet"
    code, stdout, err = run_cli("simulate", priced, "--years", 200, "--limits", "beijing:2024", "-o", out)
    assert code == 0, err
    df = pd.read_parquet(out)
    assert len(df) == 200 and {"insured_loss", "deaths"} <= set(df.columns)
    assert "Beijing formula" in stdout and "VaR 99.5 %" in stdout


def test_simulate_cli_errors(run_cli, tmp_path):
    book = tmp_path / "book.parquet"
    run_cli("synth", "--n", 30, "-o", book)
    out = tmp_path / "sim.parquet"
    for args, msg in ((["--limits", "fixed:100"], "below the floor"), (["--years", 0], "years must be"),
                      (["--shock-cv", -1], "shock_cv"), (["--limits", "cap:5"], "--limits: expected")):
        code, _, err = run_cli("simulate", book, *args, "-o", out)
        assert code == 2 and msg in err and err.count("\n") == 1, err
        assert not out.exists()
