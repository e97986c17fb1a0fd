"""Input handling end to end: Chinese files, encodings, delimiters, absurd numbers, odd names."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import tomli_w

import ajx_actuarial as ajx
from _cli_helpers import DATA, assert_one_line_error, files_under
from ajx_actuarial.runs import read_run

READERS = {  # every command that reads a table, with a valid call for input PATH
    "validate": lambda p, o: ["validate", p],
    "price": lambda p, o: ["price", p, "-o", o / "p.parquet"],
    "calibrate": lambda p, o: ["calibrate", p, "-o", o / "t.toml"],
    "simulate": lambda p, o: ["simulate", p, "--years", 10, "-o", o / "s.parquet"],
    "prevention": lambda p, o: ["prevention", p, "-o", o / "v.parquet"],
    "stress": lambda p, o: ["stress", p, "--years", 10, "-o", o / "st"],
}


@pytest.mark.parametrize("cmd", sorted(READERS))
def test_unknown_encoding(run_cli, inputs, tmp_path, cmd):
    code, _, err = run_cli(*READERS[cmd](inputs["book"], tmp_path), "--encoding", "klingon")
    assert_one_line_error(code, err, "--encoding: unknown text encoding 'klingon'")
    assert files_under(tmp_path) == set()


@pytest.mark.parametrize("cmd", sorted(READERS))
def test_undecodable_file(run_cli, tmp_path, cmd):
    bad = tmp_path / "in" / "bad.csv"
    bad.parent.mkdir()
    bad.write_bytes(b"policy_id,industry,size,headcount\n1,coal\xff\xfe\x80,large,5\n")
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run_cli(*READERS[cmd](bad, out))
    assert_one_line_error(code, err, "neither UTF-8 nor GBK/GB18030", "--encoding")
    assert files_under(out) == set()


def test_wrong_explicit_encoding(run_cli):
    code, _, err = run_cli("validate", DATA / "portfolio_zh_gbk.csv", "--encoding", "utf-8")
    assert_one_line_error(code, err, "is not valid utf-8 text")


@pytest.mark.parametrize("name", ["portfolio_zh.csv", "portfolio_zh_gbk.csv"])
def test_chinese_headers_codes_and_gbk(run_cli, tmp_path, name):
    code, out, err = run_cli("validate", DATA / name)
    assert code == 0 and "60 policies" in out, err
    direct = ajx.read_portfolio(DATA / name)
    # the GBK copy and the UTF-8 copy hold the same book
    same = ajx.read_portfolio(DATA / "portfolio_zh.csv")
    pd.testing.assert_frame_equal(direct, same)
    assert set(direct["industry"].astype(str)) <= set(ajx.reference.INDUSTRIES)
    assert direct["blacklisted"].dtype == bool
    code, _, err = run_cli("price", DATA / name, "--table", DATA / "custom_table.toml", "--lift-limits", "-o", tmp_path / "p.xlsx")
    assert code == 0, err
    priced = pd.read_excel(tmp_path / "p.xlsx")
    assert (priced["limit_death"] >= 600_000).all()  # the custom table's minimum, lifted


def test_semicolon_and_tab_files_are_read(run_cli, inputs, tmp_path):
    df = pd.read_csv(inputs["book"])
    for sep, name in ((";", "semi.csv"), ("\t", "tab.csv")):
        df.to_csv(tmp_path / name, sep=sep, index=False)
        code, out, err = run_cli("validate", tmp_path / name)
        assert code == 0 and "200 policies" in out, err


def test_duplicated_header_is_named(run_cli, tmp_path):
    f = tmp_path / "dup.csv"
    f.write_text("policy_id,industry,size,headcount,headcount\n1,coal_mine,large,5,6\n")
    code, _, err = run_cli("validate", f)
    assert_one_line_error(code, err, "duplicate column(s) ['headcount']")
    f2 = tmp_path / "dup2.csv"
    f2.write_text("policy_id,industry,size,headcount,从业人数\n1,coal_mine,large,5,6\n")
    code, _, err = run_cli("validate", f2)
    assert_one_line_error(code, err, "duplicate column 'headcount'", "从业人数")


ABSURD = [
    (["validate", "{book_big_headcount}"], "column 'headcount' must be <= 1,000,000"),
    (["price", "{book_big_limit}"], "column 'limit_death' must be"),
    (["calibrate", "{exp_big_incurred}"], "column 'incurred' must be <= 100,000,000,000"),
    (["simulate", "{priced}", "--years", 10**12], "'--years'"),
    (["stress", "{book}", "--years", 10**12, "-o", "{out}/st"], "'--years'"),
    (["demo", "-n", 10**12, "-o", "{out}/d"], "'-n'"),
    (["synth", "-n", 10**12, "-o", "{out}/x.csv"], "'-n'"),
    (["prevention", "{priced}", "--years", 1000], "years must be an integer in [1, 100], got 1000"),
    (["bms", "--lam", "nan"], "lam must be a finite number > 0"),
    (["bms", "--shape", "1e300"], "gamma shape must be <= 1e+06"),
    # issue 23: rate tables with absurd keys name the file and the key; crashes and silent fits of calibrate and price
    (["price", "{book}", "--table", "{table_decimals}", "-o", "{out}/p.csv"], "decimals.toml': premium.decimals: must be an integer in [0, 6]"),
    (["price", "{book}", "--table", "{table_size}", "-o", "{out}/p.csv"], "size.toml': base_rates.size.micro: multiplier must be <= 10, got 1e+300"),
    (["price", "{book}", "--table", "{table_min_premium}", "-o", "{out}/p.csv"], "min_premium.toml': premium.min_premium: minimum premium must be <= 1e+06"),
    (["price", "{book}", "--table", "{table_sources}", "-o", "{out}/p.csv"], "sources.toml': meta.sources: must be a list of texts"),
    (["price", "{book}", "--table", "{table_factor}", "-o", "{out}/p.csv"], "factor 'colour' (categorical) reads column 'colour', which the book lacks"),
    (["calibrate", "{exp}", "--factors", ",", "-o", "{out}/t.toml"], "--factors: no column named in ','"),
    (["calibrate", "{exp_one_row}", "-o", "{out}/t.toml"], "calibrate: the experience has 1 policy (1 policy-years) for 1 parameter(s)"),
    (["calibrate", "{exp}", "--factors", "violations", "--bands", "violations=2:1", "-o", "{out}/t.toml"], "bands.violations must be a non-empty list of finite, increasing"),
    (["calibrate", "{exp}", "--target-lr", "0", "-o", "{out}/t.toml"], "--target-lr: the target loss ratio must be in (0, 1.5), got 0.0"),
]


@pytest.fixture(scope="module")
def absurd_files(inputs, tmp_path_factory):
    d = tmp_path_factory.mktemp("absurd")
    book = pd.read_csv(inputs["book"])
    book.assign(headcount=book["headcount"].astype("int64") * 0 + 10**18).to_csv(d / "hc.csv", index=False)
    book.assign(limit_death=1e308).to_csv(d / "lim.csv", index=False)
    exp = pd.read_parquet(inputs["exp"])
    exp.assign(incurred=1e300).to_parquet(d / "exp.parquet", index=False)
    exp[exp["claims"] > 0].head(1).to_csv(d / "exp1.csv", index=False)
    tables = {"table_decimals": ("premium", "decimals", -3), "table_size": ("base_rates", "size", {"micro": 1e300}),
              "table_min_premium": ("premium", "min_premium", 1e300), "table_sources": ("meta", "sources", 5),
              "table_factor": ("factors", "colour", {"kind": "categorical", "column": "colour", "levels": {"red": 1.1}})}
    files = {}
    for key, (section, k, v) in tables.items():
        data = copy.deepcopy(ajx.RateTable.load("national-2025").data)
        data[section][k] = v
        files[key] = d / f"{key.removeprefix('table_')}.toml"
        files[key].write_text(tomli_w.dumps(data), encoding="utf-8")
    return {"book_big_headcount": d / "hc.csv", "book_big_limit": d / "lim.csv", "exp_big_incurred": d / "exp.parquet",
            "exp_one_row": d / "exp1.csv", **files}


@pytest.mark.parametrize("args, msg", ABSURD, ids=[a[0][0] for a in ABSURD])
def test_absurd_numbers(run_cli, inputs, absurd_files, tmp_path, args, msg):
    names = {**{k: str(v) for k, v in inputs.items()}, **{k: str(v) for k, v in absurd_files.items()}, "out": str(tmp_path)}
    code, _, err = run_cli(*[str(a).format(**names) for a in args])
    assert_one_line_error(code, err, msg)
    assert files_under(tmp_path) == set()


def test_absurd_limit_names_field_rule_and_value(inputs, absurd_files):
    with pytest.raises(ajx.ValidationError, match=r"portfolio: column 'limit_death' must be <= 100,000,000 .*values \[1e\+308"):
        ajx.validate_portfolio(pd.read_csv(absurd_files["book_big_limit"]))


ODD = ["[/bold]", "L" * 80, "x/y", "x?y", "基准", "压力", "[red]alert[/red]"]


def test_markup_and_long_scenario_names(run_cli, inputs, tmp_path):
    toml = tmp_path / "odd.toml"
    body = "".join(f'[[scenario]]\nname = "{n}"\nrate_change = {0.01 * k}\n' for k, n in enumerate(ODD))
    toml.write_text("[meta]\nname = \"[/bold] set\"\n" + body, encoding="utf-8")
    run = tmp_path / "run"
    code, out, err = run_cli("stress", inputs["book"], "--scenarios", toml, "--years", 10, "-o", run)
    assert code == 0, err
    assert "[/bold]" in out and "[red]alert[/red]" in out  # printed, not parsed as markup
    manifest = read_run(run).manifest
    files = [s["file"] for s in manifest["scenarios"]]
    assert [s["name"] for s in manifest["scenarios"]] == ODD
    assert len(set(files)) == len(ODD) and all(f.startswith("stress_") and f.isascii() for f in files)
    code, _, err = run_cli("report", run, "-o", tmp_path / "r.html")
    assert code == 0, err
    doc = (tmp_path / "r.html").read_text("utf-8")
    assert "[red]alert[/red]" in doc and "基准" in doc and "x?y" in doc and "<red>" not in doc
    code, out, err = run_cli("scenarios", "show", toml)
    assert code == 0 and "[/bold]" in out, err
    toml.write_text('[[scenario]]\nname = "' + "L" * 300 + '"\n', encoding="utf-8")
    code, _, err = run_cli("stress", inputs["book"], "--scenarios", toml, "--years", 10, "-o", tmp_path / "run2")
    assert_one_line_error(code, err, "at most 80 characters, got 300")
    assert not (tmp_path / "run2").exists()


def test_markup_in_policy_ids_and_tables(run_cli, tmp_path):
    f = tmp_path / "b.csv"
    pd.DataFrame({"policy_id": ["[/bold]", "[x]" * 200], "industry": ["coal_mine", "other"], "size": ["large", "micro"],
                  "headcount": [1000, 5]}).to_csv(f, index=False)
    code, out, err = run_cli("price", f, "--explain", "[/bold]")
    assert code == 0 and "[/bold]" in out, err
    code, _, err = run_cli("tables", "show", "[/bold]")
    assert_one_line_error(code, err, "unknown table '[/bold]'")


def test_long_unknown_code_is_one_short_line(run_cli, tmp_path):
    f = tmp_path / "b.csv"
    pd.DataFrame({"policy_id": [1], "industry": ["矿" * 300], "size": ["large"], "headcount": [5]}).to_csv(f, index=False)
    code, _, err = run_cli("validate", f)
    assert_one_line_error(code, err, "column 'industry' has unknown code(s)", "Chinese names")
    assert len(err) < 600


def test_semicolon_hint_when_columns_are_missing(run_cli, tmp_path):
    # A file whose header really lacks the required columns still names them.
    f = tmp_path / "x.csv"
    f.write_text("a;b\n1;2\n")
    code, _, err = run_cli("validate", f)
    assert_one_line_error(code, err, "missing required column(s)", "delimiter ';'")


def test_example_experience_calibrates(run_cli, tmp_path):
    code, out, err = run_cli("calibrate", DATA / "experience.csv", "--factors", "std_grade,violations", "-o", tmp_path / "t.toml")
    assert code == 0 and "Relativities" in out, err
    assert ajx.RateTable.load(tmp_path / "t.toml").name == "t"


@pytest.mark.parametrize("args, msg", [(["price", "{book}", "--table", "{toml}"], "missing section [limits]"),
                                       (["stress", "{book}", "--scenarios", "{toml}", "-o", "{out}/st"], "needs at least one [[scenario]]"),
                                       (["prevention", "{priced}", "--rules", "{toml}"], "needs at least one [[rules]]"),
                                       (["scenarios", "show", "{toml}"], "needs at least one [[scenario]]")],
                         ids=["price", "stress", "prevention", "scenarios"])
def test_gbk_toml_is_read_and_judged_on_its_content(run_cli, inputs, tmp_path, args, msg):
    """A GBK (GB18030) TOML is decoded, then validated like any other: one line, exit 2, nothing written."""
    toml = tmp_path / "gbk.toml"
    toml.write_bytes('[meta]\nname = "煤矿费率"\n'.encode("gbk"))
    out = tmp_path / "out"
    out.mkdir()
    names = {"book": inputs["book"], "priced": inputs["priced"], "toml": toml, "out": out}
    code, _, err = run_cli(*[str(a).format(**names) for a in args])
    assert_one_line_error(code, err, msg)
    assert files_under(out) == set()


@pytest.mark.parametrize("argv", [
    ["scenarios", "show", "{long}"], ["jurisdictions", "show", "{long}"], ["tables", "show", "{long}"],
    ["price", "{book}", "--table", "{long}", "-o", "{out}/p.parquet"], ["price", "{book}", "--explain", "{long}", "-o", "{out}/p.parquet"],
    ["demo", "--lang", "{long}", "-o", "{out}/d"], ["stress", "{book}", "--scenarios", "{long}", "-o", "{out}/s"],
    ["simulate", "{priced}", "--counts", "{long}", "-o", "{out}/s.parquet"],
])
def test_a_huge_argument_is_not_echoed_whole(run_cli, inputs, tmp_path, argv):
    """Issue 23: a 100 000-character name came back whole in the one-line error of several commands."""
    long = "x" * 100_000
    args = [a.format(long=long, out=tmp_path, **inputs) for a in argv]
    code, _, err = run_cli(*args)
    assert code == 2 and err.count("\n") == 1 and len(err) < 1_000, err[:300]
    assert "…" in err  # cut, not dropped: the user still sees which argument it was
    assert not any(tmp_path.iterdir())
