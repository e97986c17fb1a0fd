"""The policy lab from the command line (issue 21): scenario limits below a table's minimum, the
projection's --scenarios, and bad input (one line, exit 2, nothing written)."""

import json

import pandas as pd

import ajx_actuarial as ajx


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
