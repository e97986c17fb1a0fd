"""The CLI contract: every usage error is one stderr line and exit 2; help and examples everywhere.

Classes covered per command: bad option value, unknown option, missing argument. typer >= 0.29
vendors click as ``typer._click``; these tests fail if ``main`` only catches ``click`` errors.
"""

from __future__ import annotations

import pytest
import typer

from _cli_helpers import assert_one_line_error, files_under
from ajx_actuarial.cli import app


def _leaf_commands():
    """``[("synth",), ("tables", "list"), ...]``: every runnable command path."""
    root = typer.main.get_command(app)
    paths = []
    for name, cmd in root.commands.items():
        sub = getattr(cmd, "commands", None)
        paths.extend([(name, s) for s in sub] if sub else [(name,)])
    return paths


COMMANDS = _leaf_commands()
EXPECTED = {("synth",), ("validate",), ("price",), ("bms",), ("calibrate",), ("simulate",), ("prevention",), ("stress",),
            ("demo",), ("report",), ("tables", "list"), ("tables", "show"), ("scenarios", "list"), ("scenarios", "show")}


def test_all_commands_known():
    # New commands from other modules are welcome; these must stay.
    assert EXPECTED <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_help_has_an_example(run_cli, path):
    code, out, err = run_cli(*path, "--help")
    assert code == 0 and err == ""
    assert f"Example: ajx {' '.join(path)}" in out, out
    assert "<bool>" not in out  # flags show as --x / --no-x, not as taking a value


def test_bare_ajx_prints_help_and_exits_0(run_cli):
    code, out, err = run_cli()
    assert code == 0 and err == "" and "Usage: ajx" in out and "Example: ajx demo" in out
    code, out, err = run_cli("tables")
    assert code == 0 and err == "" and "Usage: ajx tables" in out


def test_unknown_command(run_cli):
    code, _, err = run_cli("foo")
    assert_one_line_error(code, err, "No such command 'foo'")


def test_option_missing_its_value(run_cli, tmp_path):
    code, _, err = run_cli("demo", "-o")
    assert_one_line_error(code, err, "'-o' requires an argument")
    assert list(tmp_path.iterdir()) == []


def _valid(path, inputs, out):
    """A valid call of each command (used with a bad option added)."""
    i = inputs
    return {
        ("synth",): ["synth", "-n", 20, "-o", out / "x.parquet"],
        ("validate",): ["validate", i["book"]],
        ("price",): ["price", i["book"], "-o", out / "p.parquet"],
        ("bms",): ["bms"],
        ("calibrate",): ["calibrate", i["exp"], "-o", out / "t.toml"],
        ("simulate",): ["simulate", i["priced"], "--years", 10, "-o", out / "s.parquet"],
        ("prevention",): ["prevention", i["priced"], "-o", out / "v.parquet"],
        ("stress",): ["stress", i["book"], "--years", 10, "-o", out / "st"],
        ("demo",): ["demo", "-n", 50, "--years", 10, "--stress-years", 10, "-o", out / "d"],
        ("report",): ["report", out / "nowhere", "-o", out / "r.html"],
        ("tables", "list"): ["tables", "list"],
        ("tables", "show"): ["tables", "show", "industries"],
        ("scenarios", "list"): ["scenarios", "list"],
        ("scenarios", "show"): ["scenarios", "show", "regulator-2026"],
    }.get(tuple(path))


@pytest.mark.parametrize("path", sorted(EXPECTED), ids=[" ".join(p) for p in sorted(EXPECTED)])
def test_unknown_option(run_cli, inputs, tmp_path, path):
    code, _, err = run_cli(*_valid(path, inputs, tmp_path), "--bogus")
    assert_one_line_error(code, err, "No such option: --bogus", f"ajx {' '.join(path)} --help")
    assert files_under(tmp_path) == set()


BAD_VALUES = {
    ("synth",): (["-n", "abc"], "'-n'"),
    ("price",): (["--lift-limits=maybe"], "does not take a value"),
    ("bms",): (["--lam", "abc"], "'--lam'"),
    ("calibrate",): (["--target-lr", "high"], "'--target-lr'"),
    ("simulate",): (["--years", "abc"], "'--years'"),
    ("prevention",): (["--years", "1.5"], "'--years'"),
    ("stress",): (["--seed", "x"], "'--seed'"),
    ("demo",): (["-n", "many"], "'-n'"),
    ("report",): (["--lang", "fr"], "lang: must be one of ['en', 'zh'], got 'fr'"),
    ("validate",): (["--encoding"], "'--encoding' requires an argument"),
}


@pytest.mark.parametrize("path", sorted(BAD_VALUES), ids=[" ".join(p) for p in sorted(BAD_VALUES)])
def test_bad_option_value(run_cli, inputs, tmp_path, path):
    extra, msg = BAD_VALUES[path]
    args = _valid(path, inputs, tmp_path)
    if path == ("report",):
        args = ["report", inputs["dir"], "-o", tmp_path / "r.html"]
    code, _, err = run_cli(*args, *extra)
    assert_one_line_error(code, err, msg)
    assert files_under(tmp_path) == set()


MISSING = {
    ("synth",): (["synth", "-n", 5], "Missing option '-o' / '--output'"),
    ("validate",): (["validate"], "Missing argument 'PATH'"),
    ("price",): (["price"], "Missing argument 'PORTFOLIO'"),
    ("calibrate",): (["calibrate"], "Missing argument 'EXPERIENCE'"),
    ("simulate",): (["simulate"], "Missing argument 'PRICED'"),
    ("prevention",): (["prevention"], "Missing argument 'PRICED'"),
    ("stress",): (["stress", "book.csv"], "Missing option '-o' / '--output'"),
    ("report",): (["report"], "Missing argument 'FOLDER'"),
    ("tables", "show"): (["tables", "show"], "Missing argument 'NAME'"),
    ("scenarios", "show"): (["scenarios", "show"], "Missing argument 'NAME'"),
}


@pytest.mark.parametrize("path", sorted(MISSING), ids=[" ".join(p) for p in sorted(MISSING)])
def test_missing_argument(run_cli, tmp_path, path):
    args, msg = MISSING[path]
    code, _, err = run_cli(*args)
    assert_one_line_error(code, err.lower(), msg.lower())
    assert files_under(tmp_path) == set()


def test_boolean_flags_accept_what_help_shows(run_cli, inputs, tmp_path):
    code, out, _ = run_cli("prevention", "--help")
    assert "--carry-forward / --no-carry-forward" in out
    for flag in ("--carry-forward", "--no-carry-forward"):
        code, _, err = run_cli("prevention", inputs["priced"], "--years", 2, flag)
        assert code == 0, err
    code, out, _ = run_cli("price", "--help")
    assert "--lift-limits / --no-lift-limits" in out


def test_consistent_option_names(run_cli):
    """-o/--output on every command that writes; -n/--n for sizes; --seed documented as the API's rng."""
    for cmd in ("synth", "price", "calibrate", "simulate", "prevention", "stress", "demo", "report"):
        _, out, _ = run_cli(cmd, "--help")
        assert "-o, --output" in out, cmd
    for cmd in ("synth", "demo"):
        _, out, _ = run_cli(cmd, "--help")
        assert "-n, --n" in out, cmd
    for cmd in ("synth", "simulate", "stress", "demo"):
        _, out, _ = run_cli(cmd, "--help")
        assert "rng=SEED" in " ".join(out.split()), cmd
