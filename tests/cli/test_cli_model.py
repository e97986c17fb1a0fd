"""``ajx model show|check|fit`` end to end: the loss model's sources, its public anchors, its fit; usage errors."""

import pandas as pd

import ajx_actuarial as ajx

from _cli_helpers import assert_one_line_error


def test_model_show_prints_every_parameter_with_its_source(run_cli, tmp_path):
    code, out, _ = run_cli("model", "show", "-o", tmp_path / "model.csv")
    assert code == 0
    assert "disabilities_per_100k" in out and "MOHRSS" in out and "parameter_uncertainty.disability" in out
    back = pd.read_csv(tmp_path / "model.csv", encoding="utf-8-sig")
    assert {"parameter", "value", "low", "high", "source", "flag"} <= set(back.columns)
    assert len(back) == len(ajx.LossModel.default().sources())


def test_model_check_on_a_book(run_cli, tmp_path):
    book = ajx.synth.portfolio(20_000, preset="national", rng=5)
    book.to_parquet(tmp_path / "book.parquet", index=False)
    code, out, _ = run_cli("model", "check", tmp_path / "book.parquet", "-o", tmp_path / "check.json")
    assert code == 0 and "disabilities per death" in out and "anchors met" in out
    c = pd.read_json(tmp_path / "check.json")
    assert list(c.columns) == ["figure", "model", "low", "high", "source", "ok"] and c["ok"].all()


def test_model_fit_prints_the_credibility_of_each_parameter(run_cli, inputs, tmp_path):
    code, out, _ = run_cli("model", "fit", inputs["exp"], "-o", tmp_path / "fit.csv")
    assert code == 0 and "z = 0 is the prior" in out
    rep = pd.read_csv(tmp_path / "fit.csv", encoding="utf-8-sig")
    assert {"parameter", "prior", "estimate", "posterior", "z", "sd_log"} <= set(rep.columns)
    assert rep["parameter"].str.startswith("fatal frequency: ").sum() == 10  # one per sector (and the book-level "fatal frequency level")


def test_model_usage_errors(run_cli, inputs, tmp_path):
    code, _, err = run_cli("model", "fit", inputs["exp"], "--credibility", "bayes")
    assert_one_line_error(code, err, "credibility must be one of")
    code, _, err = run_cli("model", "fit", inputs["book"])
    assert_one_line_error(code, err, "no 'exposure' column")
    code, _, err = run_cli("model", "check", tmp_path / "missing.csv")
    assert_one_line_error(code, err, "does not exist")
    assert not list(tmp_path.iterdir())
