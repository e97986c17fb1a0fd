"""The policy lab from the command line (issue 21): scenario limits below a table's minimum, the
projection's --scenarios, and bad input (one line, exit 2, nothing written)."""

import json

import pandas as pd
import pytest

import ajx_actuarial as ajx
from _cli_helpers import assert_one_line_error


def test_stress_below_the_minimum_and_project_scenarios(run_cli, inputs, tmp_path):
    toml = tmp_path / "lab.toml"
    toml.write_text('[[scenario]]\nname = "as priced"\n[[scenario]]\nname = "400k"\nlimits = { policy = "fixed", amount = 400000 }\n'
                    '[[scenario]]\nname = "800k"\nlimits = { policy = "fixed", amount = 800000 }\n', encoding="utf-8")
    out = tmp_path / "st"
    code, stdout, err = run_cli("stress", inputs["book"], "--scenarios", toml, "--table", "beijing-2026", "--years", 30, "-o", out)
    assert code == 0, err
    st = pd.read_parquet(out / "stress.parquet").set_index("scenario")
    assert st["premium"].nunique() == 3 and st.loc["400k", "limit_death"] == 400_000
    assert "victims'" in stdout
    proj = tmp_path / "pj"
    code, stdout, err = run_cli("project", inputs["book"], "--scenarios", toml, "--table", "beijing-2026", "--years", 2, "--paths", 20,
                                "-o", proj)
    assert code == 0, err
    by = pd.read_parquet(proj / "projection.parquet")
    assert list(by["scenario"].astype(str).unique()) == ["as priced", "400k", "800k"]
    s = json.loads((proj / "summary.json").read_text("utf-8"))
    assert set(s["capital"]["p_below_100_any_year"]) == {"as priced", "400k", "800k"}
    y1 = by[by["year"] == 2026].groupby("scenario", observed=True, sort=False)["premium"].mean()
    assert y1.to_numpy() == __import__("pytest").approx(st["premium"].to_numpy(), rel=1e-9)


def test_bad_policy_lab_input(run_cli, inputs, tmp_path):
    # a limit the table cannot price
    strict = ajx.RateTable.load("national-2025")
    spec = dict(strict.data["limits"]["ilf"], extrapolate="none")
    path = tmp_path / "strict.toml"
    path.write_text(strict.with_changes(limits={"ilf": spec}).toml_text(), encoding="utf-8")
    low = tmp_path / "low.toml"
    low.write_text('[[scenario]]\nname = "low"\nlimits = { policy = "fixed", amount = 150000 }\n', encoding="utf-8")
    cases = [
        (("stress", inputs["book"], "--scenarios", low, "--table", path, "--years", 10), "outside what the table's increased-limit factors price"),
        (("stress", inputs["book"], "--scenarios", tmp_path / "none.toml", "--years", 10), "none.toml"),
        (("project", inputs["book"], "--scenarios", "regulator-2026", "--limits", "beijing", "--years", 1, "--paths", 5),
         "sets 'limits' and so does the lever limits="),
        (("project", inputs["book"], "--scenarios", "no-such-set", "--years", 1, "--paths", 5), "no-such-set"),
    ]
    bad_key = tmp_path / "key.toml"
    bad_key.write_text('[[scenario]]\nname = "x"\nlimit = 3\n', encoding="utf-8")
    cases.append((("stress", inputs["book"], "--scenarios", bad_key, "--years", 10), "unknown key(s) ['limit']"))
    for args, msg in cases:
        out = tmp_path / f"o{len(list(tmp_path.iterdir()))}"
        code, _, err = run_cli(*args, "-o", out)
        assert code == 2, (args, err)
        assert msg in err and len(err.strip().splitlines()) == 1, err
        assert not out.exists()


SCENARIO_FILES = {  # issue 23: each refused in one line naming the file, the scenario and its key
    "amount 1e300": ('[[scenario]]\nname = "big"\nlimits = { policy = "fixed", amount = 1e300 }\n',
                     "scenario 'big': scenario[0].limits.amount: must be a number in [40,000, 100,000,000] CNY per person, got 1e+300"),
    "medical share 1e300": ('[[scenario]]\nname = "med"\nlimits = { policy = "fixed", amount = 800000, medical_share = 1e300 }\n',
                            "scenario 'med': scenario[0].limits: LimitPolicy.medical_share: must be <= 1"),
    "floor 1e300": ('[[scenario]]\nname = "fl"\nlimits = { policy = "beijing", floor = 1e300 }\n',
                    "scenario 'fl': scenario[0].limits: LimitPolicy.beijing: floor must be a number in (0, 1e8] CNY"),
    "carry_forward text": ('[[scenario]]\nname = "cf"\ncarry_forward = "no"\n', "scenario 'cf': scenario[0].carry_forward: must be true or false"),
    "1 001 scenarios": ("".join(f'[[scenario]]\nname = "s{i}"\n' for i in range(1001)), "at most 1,000 [[scenario]] entries, got 1,001"),
}


@pytest.mark.parametrize("case", sorted(SCENARIO_FILES))
@pytest.mark.parametrize("command", ["stress", "project"])
def test_bad_scenario_files_are_one_line_naming_file_scenario_and_key(run_cli, inputs, tmp_path, case, command):
    text, msg = SCENARIO_FILES[case]
    f = tmp_path / "in" / "set.toml"
    f.parent.mkdir()
    f.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    args = ("--years", 10) if command == "stress" else ("--years", 1, "--paths", 5)
    code, _, err = run_cli(command, inputs["book"], "--scenarios", f, *args, "-o", out)
    assert_one_line_error(code, err, "set.toml", msg)
    assert not out.exists()
