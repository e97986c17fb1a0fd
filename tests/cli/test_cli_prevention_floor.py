"""``ajx prevention --floor``: a floor is spent and said so; a floor above the cap is one line, exit 2, nothing written."""

import ajx_actuarial as ajx

from _cli_helpers import assert_one_line_error


def _priced(tmp_path):
    f = tmp_path / "p.parquet"
    ajx.price(ajx.synth.portfolio(300, rng=4), "national-2025").to_parquet(f)
    return f


def test_floor_above_the_cap_is_one_line(run_cli, tmp_path):
    f = _priced(tmp_path)
    out = tmp_path / "prev.csv"
    code, _, err = run_cli("prevention", f, "--fee-ratio", "0.21", "--floor", "0.25", "-o", out)
    assert_one_line_error(code, err, "floor")
    assert not out.exists()
    code, _, err = run_cli("prevention", f, "--fee-ratio", "0.15", "--floor", "0.15", "--below-floor", "keep")
    assert_one_line_error(code, err, "below_floor")


def test_floor_is_reported(run_cli, tmp_path):
    code, stdout, err = run_cli("prevention", _priced(tmp_path), "--fee-ratio", "0.15", "--floor", "0.15")
    assert code == 0, err
    text = " ".join(stdout.split())
    assert "pooling insurer" in text and "floor" in text and "of ex-VAT premium" in text
