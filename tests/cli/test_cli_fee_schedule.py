"""A projection fee schedule names each year once: ``--fee-ratio 2026:0.15,2026:0.20`` is refused (it
kept the last ratio silently), in the parser and end to end (one line, exit 2, nothing written)."""

import pytest

import ajx_actuarial as ajx
from _cli_helpers import assert_one_line_error
from ajx_actuarial.cli.prevention import parse_fee
from ajx_actuarial.errors import ValidationError


@pytest.mark.parametrize("spec, expected", [
    ("0.15", 0.15),
    ("2026:0.15", {2026: 0.15}),
    ("2026:0.15,2028:0.20", {2026: 0.15, 2028: 0.20}),
])
def test_parse_fee_reads_a_ratio_or_a_schedule(spec, expected):
    assert parse_fee(spec) == expected


@pytest.mark.parametrize("spec, fragment", [
    ("2026:0.15,2026:0.20", "--fee-ratio: year 2026 is listed twice (0.15 and 0.2)"),
    ("2026:0.15,2028:0.2,2026:0.15", "--fee-ratio: year 2026 is listed twice"),
    ("2026:0.15,2026.0:0.2", "--fee-ratio: expected a number or YEAR:RATIO"),
    ("2026:0.15:0.2", "--fee-ratio: expected a number or YEAR:RATIO"),
    ("lots", "--fee-ratio: expected a number or YEAR:RATIO"),
])
def test_parse_fee_refuses(spec, fragment):
    with pytest.raises(ValidationError) as e:
        parse_fee(spec)
    assert fragment in str(e.value)


@pytest.mark.parametrize("command", ["project", "prevention"])
def test_a_year_named_twice_is_one_line_and_nothing_written(run_cli, inputs, tmp_path, command):
    out = tmp_path / ("bad" if command == "project" else "bad.csv")
    extra = ["--paths", 3, "--years", 1] if command == "project" else []
    code, _, err = run_cli(command, inputs["priced"], *extra, "--fee-ratio", "2026:0.15,2026:0.20", "-o", out)
    assert_one_line_error(code, err, "--fee-ratio: year 2026 is listed twice")
    assert not out.exists()


@pytest.mark.parametrize("years", [[2026, 2026], [2026, 2027, 2026]])
def test_fee_schedule_object_refuses_a_year_twice(years):
    import numpy as np

    with pytest.raises(ValidationError, match=r"FeeSchedule: years must be distinct; 2026 is listed twice"):
        ajx.jurisdictions.FeeSchedule(years=years, ratios=np.full(len(years), 0.15), floor=None, cap=0.21, ledger="provisioned")
