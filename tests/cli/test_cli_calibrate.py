import ajx_actuarial as ajx


def test_calibrate_cli_writes_a_loadable_table(run_cli, tmp_path):
    book = tmp_path / "book.parquet"
    run_cli("synth", "--n", 3000, "--seed", 4, "-o", book, "--experience-years", 2)
    exp = tmp_path / "book_experience.parquet"
    out = tmp_path / "calibrated.toml"
    code, stdout, err = run_cli("calibrate", exp, "--factors", "std_grade,violations,rectification", "--target-lr", 0.6, "-o", out)
    assert code == 0, err
    assert "Relativities (cells path" in stdout
    t = ajx.RateTable.load(out)
    assert t.data["meta"]["calibration"]["target_loss_ratio"] == 0.6


def test_calibrate_cli_errors(run_cli, tmp_path):
    book = tmp_path / "book.parquet"
    run_cli("synth", "--n", 200, "-o", book, "--experience-years", 1)
    exp = tmp_path / "book_experience.parquet"
    out = tmp_path / "t.toml"
    for args, msg in ((["--factors", "colour"], "factor column 'colour'"), (["--bands", "violations"], "--bands: expected"),
                      (["--frequency", "zip"], "frequency must be")):
        code, _, err = run_cli("calibrate", exp, *args, "-o", out)
        assert code == 2 and msg in err and err.count("\n") == 1, err
        assert not out.exists()
    code, _, err = run_cli("calibrate", book, "-o", out)
    assert code == 2 and "missing required column" in err
