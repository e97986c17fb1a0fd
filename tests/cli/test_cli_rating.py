import pandas as pd


def test_price_and_explain(run_cli, tmp_path):
    book = tmp_path / "book.csv"
    run_cli("synth", "--n", 300, "--seed", 1, "-o", book)
    out = tmp_path / "priced.parquet"
    code, stdout, err = run_cli("price", book, "--table", "zhoushan-2018", "-o", out, "--explain", 7)
    assert code == 0, err
    df = pd.read_parquet(out)
    assert {"premium", "premium_ex_vat", "prevention_budget", "f_dual_prevention"} <= set(df.columns)
    assert "policy 7" in stdout and "Premium by industry" in stdout


def test_price_errors_exit_2_without_output(run_cli, tmp_path):
    book = tmp_path / "book.csv"
    run_cli("synth", "--n", 50, "--seed", 1, "-o", book)
    out = tmp_path / "priced.parquet"
    code, _, err = run_cli("price", book, "--table", "beijing-2026", "-o", out)
    assert code == 2 and err.count("\n") == 1 and "below the table 'beijing-2026' minimum" in err
    assert not out.exists()
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta]\nname = 'x'\n[loadings]\ncommission = 0.3\n")
    code, _, err = run_cli("price", book, "--table", bad, "-o", out)
    assert code == 2 and "missing section" in err and not out.exists()


def test_bms_and_tables_show(run_cli):
    code, out, _ = run_cli("bms", "--table", "national-2025", "--lam", 0.3)
    assert code == 0 and "Loimaranta efficiency" in out
    code, out, _ = run_cli("tables", "show", "xinzhou-2024")
    assert code == 0 and "risk_level" in out
    code, out, _ = run_cli("tables", "list")
    assert "beijing-2026" in out and "rate table" in out


def test_scenario_sets_print_as_toml(run_cli):
    import tomllib

    code, out, err = run_cli("scenarios", "list")
    assert code == 0 and "regulator-2026" in out and "9 scenarios" in out, err
    code, out, err = run_cli("scenarios", "show", "regulator-2026")
    assert code == 0, err
    text = out.split("\n", 1)[1]  # after the one-line header
    doc = tomllib.loads(text)
    assert doc["meta"]["name"] == "regulator-2026" and len(doc["scenario"]) == 9
    # `tables show` routes a scenario set to the same printer: TOML, not a table of NaN
    code, out2, _ = run_cli("tables", "show", "regulator-2026")
    assert code == 0 and out2 == out and "NaN" not in out2 and "nan" not in out2


def test_user_scenario_file_is_validated_before_printing(run_cli, tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text('[[scenario]]\nname = "x"\nshock_cv = -1\n')
    code, _, err = run_cli("scenarios", "show", bad)
    assert code == 2 and "scenario[0].shock_cv" in err and err.count("\n") == 1
    from _cli_helpers import DATA

    code, out, err = run_cli("scenarios", "show", DATA / "limit_comparison.toml")
    assert code == 0 and "limit-800k" in out and "beijing-formula" in out, err


def test_tables_show_shortens_a_long_unknown_name(run_cli):
    """Issue 23: a 100 000-character name was echoed whole."""
    from _cli_helpers import assert_one_line_error

    code, _, err = run_cli("tables", "show", "x" * 100_000)
    assert_one_line_error(code, err, "tables: unknown table 'xxxx", "…'; known: [")
    assert len(err) < 2_000


def test_price_with_a_table_whose_factor_column_the_book_lacks(run_cli, tmp_path):
    """Issue 23: a TypeError/KeyError before; with the column in the book it prices."""
    import copy

    import tomli_w

    from _cli_helpers import assert_one_line_error
    import ajx_actuarial as ajx

    data = copy.deepcopy(ajx.RateTable.load("national-2025").data)
    data["factors"]["night_shift"] = {"kind": "boolean", "column": "night_shift", "true": 1.2}
    table = tmp_path / "night.toml"
    table.write_text(tomli_w.dumps(data), encoding="utf-8")
    book = tmp_path / "book.csv"
    run_cli("synth", "--n", 20, "--seed", 1, "-o", book)
    out = tmp_path / "p.csv"
    code, _, err = run_cli("price", book, "--table", table, "-o", out)
    assert_one_line_error(code, err, "factor 'night_shift' (boolean) reads column 'night_shift', which the book lacks, and states no default")
    assert not out.exists()
    pd.read_csv(book).assign(night_shift=True).to_csv(book, index=False)
    code, _, err = run_cli("price", book, "--table", table, "-o", out)
    assert code == 0 and (pd.read_csv(out)["f_night_shift"] == 1.2).all(), err
