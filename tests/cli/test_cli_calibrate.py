import ajx_actuarial as ajx
from _cli_helpers import DATA, assert_one_line_error


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
                      (["--frequency", "zip"], "frequency must be"),
                      # issue 23: an empty factor list fitted industry alone; a bad target after the whole fit
                      (["--factors", ","], "--factors: no column named in ','"), (["--factors", " , "], "--factors: no column named"),
                      (["--target-lr", "nan"], "--target-lr: the target loss ratio must be in (0, 1.5), got nan"),
                      (["--factors", "violations", "--bands", "violations=1:1"], "bands.violations must be a non-empty list of finite, increasing")):
        code, _, err = run_cli("calibrate", exp, *args, "-o", out)
        assert code == 2 and msg in err and err.count("\n") == 1, err
        assert not out.exists()
    code, _, err = run_cli("calibrate", book, "-o", out)
    assert code == 2 and "missing required column" in err


def test_calibrate_cli_warns_on_a_wrong_sign_and_constrains_it(run_cli, tmp_path):
    """data/experience.csv: std_grade 3 = 1.368 (a discount priced as a surcharge) is one 'warning:' line on stderr,
    not a traceback; --monotone and --fix constrain the relativities written to the table."""
    out = tmp_path / "t.toml"
    code, stdout, err = run_cli("calibrate", DATA / "experience.csv", "-o", out)
    assert code == 0, err
    lines = err.splitlines()
    assert lines and all(ln.startswith("warning: calibrate: ") for ln in lines) and "Traceback" not in err, err
    grade = [ln for ln in lines if "std_grade relativities" in ln]
    assert len(grade) == 1 and "std_grade 3 = 1.368" in grade[0] and "--monotone std_grade" in grade[0]
    assert "policy-clustered (sandwich) intervals, automatic: Pearson dispersion 2.83" in " ".join(stdout.split())
    assert out.exists()

    out2 = tmp_path / "m.toml"
    code, stdout, err = run_cli("calibrate", DATA / "experience.csv", "--monotone", "std_grade", "--monotone", "rectification",
                                "--fix", "violations=1:1.2", "--fix", "blacklisted=True:1.5", "-o", out2)
    assert code == 0, err
    assert "std_grade relativities" not in err and "rectification relativities" not in err and "Traceback" not in err
    assert "constrained: monotone std_grade, rectification; fixed violations=1:1.2; fixed blacklisted=True:1.5" in " ".join(stdout.split())
    t = ajx.RateTable.load(out2)
    g = t.factor("std_grade").spec["levels"]
    assert g["1"] <= g["2"] <= g["3"] <= g["0"] == 1.0
    r = t.factor("rectification").spec["levels"]
    assert r["on_time"] <= r["late"] <= r["overdue_major"]
    assert t.factor("violations").spec["multipliers"][1] == 1.2 and t.factor("blacklist").spec["true"] == 1.5  # fixed: Z = 1


def test_calibrate_cli_constraint_errors(run_cli, inputs, tmp_path):
    """Every bad --monotone/--fix is one stderr line, exit 2, nothing written (syntax before the fit, names after it)."""
    out = tmp_path / "t.toml"
    cases = [
        (["--fix", "std_grade=1"], "--fix: expected FACTOR=LEVEL:VALUE (e.g. std_grade=3:0.95), got 'std_grade=1'"),
        (["--fix", "std_grade1:0.9"], "--fix: expected FACTOR=LEVEL:VALUE"),
        (["--fix", "=1:0.9"], "--fix: expected FACTOR=LEVEL:VALUE"),
        (["--fix", "std_grade=1:cheap"], "--fix std_grade=1:cheap: VALUE must be a relativity > 0 (a finite number), got 'cheap'"),
        (["--fix", "std_grade=1:0"], "VALUE must be a relativity > 0"),
        (["--fix", "std_grade=1:-0.9"], "VALUE must be a relativity > 0"),
        (["--fix", "std_grade=1:inf"], "VALUE must be a relativity > 0"),
        (["--fix", "std_grade=1:0.9", "--fix", "std_grade=1:0.8"], "std_grade=1 is fixed twice"),
        (["--fix", "colour=1:0.9"], "--fix colour=...: unknown factor 'colour'; fitted factors: ['std_grade']"),
        (["--fix", "std_grade=7:0.9"], "--fix std_grade=7:0.9: unknown level '7' of std_grade; levels: ['0', '1', '2', '3']"),
        (["--fix", "std_grade=0:0.9"], "--fix std_grade=0:0.9: '0' is the base level of std_grade"),
        (["--monotone", "colour"], "--monotone: unknown factor 'colour'; fitted factors: ['std_grade']"),
        (["--monotone", "std_grade,"], "--monotone: expected FACTOR or FACTOR,FACTOR,... got 'std_grade,'"),
    ]
    for args, msg in cases:
        code, _, err = run_cli("calibrate", inputs["exp"], "--factors", "std_grade", *args, "-o", out)
        assert_one_line_error(code, err, msg)
        assert not out.exists()
    code, _, err = run_cli("calibrate", inputs["exp"], "--fix")
    assert_one_line_error(code, err, "'--fix' requires an argument")
