"""Stress scenarios: common random numbers, frequency shock, limits, scenario-file errors."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import stress


@pytest.fixture(scope="module")
def book():
    return ajx.synth.portfolio(3000, rng=21)


def test_identical_scenario_gives_identical_figures(book):
    res = stress.run(book, [{"name": "baseline"}, {"name": "copy"}], years=300, rng=5)
    a, b = res.loc["baseline"], res.loc["copy"]
    pd.testing.assert_series_equal(a.drop(["description", "note"]), b.drop(["description", "note"]), check_names=False)


def test_frequency_plus_30_percent_raises_expected_loss_by_30_percent(book):
    r = stress.run_detailed(book, [{"name": "base"}, {"name": "f30", "frequency_multiplier": 1.3}], years=3000, rng=6)
    base, up = r.simulations["base"], r.simulations["f30"]
    ratio = up.mean() / base.mean()
    se = ratio * np.hypot(base.mean_se() / base.mean(), up.mean_se() / up.mean())  # conservative (CRN correlate)
    assert abs(ratio - 1.3) < 3 * se, (ratio, se)
    assert r.table.loc["f30", "premium"] == r.table.loc["base", "premium"]


def test_limit_and_rate_scenarios_reprice(book):
    res = stress.run(book, [{"name": "base"}, {"name": "bj", "limits": {"policy": "beijing", "income_year": 2024}},
                            {"name": "war", "rate_change": -0.15}], years=200, rng=1)
    assert res.loc["bj", "mean_limit_death"] == 765_520
    assert res.loc["bj", "premium"] > res.loc["base", "premium"]
    assert res.loc["bj", "expected_loss"] > res.loc["base", "expected_loss"]
    assert res.loc["war", "premium"] < res.loc["base", "premium"]
    assert res.loc["war", "expected_loss"] == res.loc["base", "expected_loss"]


def test_packaged_regulator_set():
    s = stress.load("regulator-2026")
    names = [x.name for x in s.scenarios]
    assert {"baseline", "beijing-formula-limits", "limit-800k", "frequency+30%", "major-accident-years", "fee-15%", "competition-15%"} <= set(names)


@pytest.mark.parametrize(
    "text, match",
    [
        ("[[scenario]]\nname = 'x'\nfrequency_multiplier = -1\n", r"scenario\[0\]\.frequency_multiplier: must be a number > 0, got -1"),
        ("[[scenario]]\nname = 'x'\nshock_cv = -0.2\n", r"scenario\[0\]\.shock_cv: must be a number >= 0"),
        ("[[scenario]]\nname = 'x'\nfee_ratio = 1.5\n", r"scenario\[0\]\.fee_ratio: 1\.5 exceeds the national 21 % cap"),
        ("[[scenario]]\nname = 'x'\nlimits = { policy = 'moon' }\n", r"scenario\[0\]\.limits\.policy: must be 'fixed', 'beijing' or 'income'"),
        ("[[scenario]]\nname = 'x'\nlimits = { policy = 'fixed', amount = 100 }\n", r"scenario\[0\]\.limits\.amount: must be a number in \[40,000, 100,000,000\] CNY per person, got 100"),
        ("[[scenario]]\nname = 'x'\nrate_change = { coal = 0.1 }\n", r"scenario\[0\]\.rate_change\.coal: unknown industry code"),
        ("[[scenario]]\nname = 'x'\ncolour = 'red'\n", r"scenario\[0\]: unknown key\(s\) \['colour'\]"),
        ("[[scenario]]\nname = 'x'\n[[scenario]]\nname = 'x'\n", r"scenario names must be unique; repeated: \['x'\]"),
        ("[meta]\nname = 'empty'\n", r"needs at least one \[\[scenario\]\]"),
        ("[[scenario]\nname = 'x'\n", r"malformed TOML"),
        # issue 23: a limit's sub-keys are named with the file, the scenario and the key (not "portfolio: column limit_medical")
        ("[[scenario]]\nname = 'big'\nlimits = { policy = 'fixed', amount = 1e300 }\n",
         r"s\.toml'?: scenario 'big': scenario\[0\]\.limits\.amount: must be a number in \[40,000, 100,000,000\] CNY per person, got 1e\+300"),
        ("[[scenario]]\nname = 'med'\nlimits = { policy = 'fixed', amount = 800000, medical_share = 1e300 }\n",
         r"scenario 'med': scenario\[0\]\.limits: LimitPolicy\.medical_share: must be <= 1 .*got 1e\+300"),
        ("[[scenario]]\nname = 'acc'\nlimits = { policy = 'fixed', amount = 800000, accident_multiple = 1e300 }\n",
         r"scenario 'acc': scenario\[0\]\.limits: LimitPolicy\.accident_multiple: must be <= 1,000"),
        ("[[scenario]]\nname = 'fl'\nlimits = { policy = 'fixed', amount = 800000, floor = 1e300 }\n",
         r"scenario 'fl': scenario\[0\]\.limits: LimitPolicy\.floor: must be <= 100,000,000 .*got 1e\+300$"),
        ("[[scenario]]\nname = 'cf'\ncarry_forward = 'no'\n", r"scenario 'cf': scenario\[0\]\.carry_forward: must be true or false"),
        ("".join(f"[[scenario]]\nname = 's{i}'\n" for i in range(1001)), r"s\.toml'?: at most 1,000 \[\[scenario\]\] entries, got 1,001"),
    ],
)
def test_bad_scenario_files(tmp_path, text, match):
    p = tmp_path / "s.toml"
    p.write_text(text)
    with pytest.raises(ajx.ValidationError, match=match):
        stress.load(p)


def test_rate_change_by_industry_scales_base_rates_and_grid():
    from ajx_actuarial.rating import RateTable
    from ajx_actuarial.scenarios import rate_table_with_change as _rate_table

    base = RateTable.load("xinzhou-2024")  # has a coal-mine grid
    t = _rate_table(base, {"coal_mine": 0.10})
    np.testing.assert_allclose(t.base_rate_grid.loc["coal_mine"], 1.10 * base.base_rate_grid.loc["coal_mine"])
    np.testing.assert_allclose(t.base_rate_grid.loc["other"], base.base_rate_grid.loc["other"])
    u = _rate_table(base, -0.15)
    np.testing.assert_allclose(u.base_rate_grid.to_numpy(), 0.85 * base.base_rate_grid.to_numpy())


def test_default_limits_apply_to_every_scenario(book):
    sset = stress.ScenarioSet.from_dict({"defaults": {"limits": {"policy": "fixed", "amount": 800000}},
                                         "scenario": [{"name": "a"}, {"name": "b", "limits": {"policy": "beijing", "income_year": 2024}}]})
    res = stress.run(book, sset, years=50, rng=1)
    assert res.loc["a", "mean_limit_death"] == 800_000 and res.loc["b", "mean_limit_death"] == 765_520


def test_limit_scenarios_simulate_their_own_limits(book):
    """Scenarios share one pass: each must still pay claims under its own limits."""
    r = stress.run_detailed(book, [{"name": "base"}, {"name": "800k", "limits": {"policy": "fixed", "amount": 800000}}], years=400, rng=3)
    base, hi = r.simulations["base"], r.simulations["800k"]
    assert hi.mean() > 1.2 * base.mean()
    assert (hi.annual["insured_loss"] >= base.annual["insured_loss"] - 1e-6).all()  # same accidents, higher limits
    t = r.table
    assert abs(t.loc["800k", "simulated_loss"] - t.loc["800k", "expected_loss"]) < 4 * t.loc["800k", "simulated_loss_se"]


def test_scenario_order_does_not_change_as_priced_limits(book):
    a = stress.run(book, [{"name": "800k", "limits": {"policy": "fixed", "amount": 800000}}, {"name": "base"}], years=100, rng=3)
    b = stress.run(book, [{"name": "base"}, {"name": "800k", "limits": {"policy": "fixed", "amount": 800000}}], years=100, rng=3)
    cols = ["premium", "expected_loss", "simulated_loss", "var_995"]
    pd.testing.assert_frame_equal(a.loc[["base", "800k"], cols], b.loc[["base", "800k"], cols])


def test_a_limit_below_the_tables_minimum_is_priced_and_simulated_at_that_limit():
    """Issue 21: a scenario's limit is the policy under test. 500 000 under beijing-2026 (minimum
    802 460) was lifted to the minimum, silently a no-op; now it is priced, costed and simulated at
    500 000, and the exact and simulated means agree within the Monte Carlo error."""
    book = ajx.synth.portfolio(2000, rng=3)
    res = ajx.stress.run_detailed(book, [{"name": "below", "limits": {"policy": "fixed", "amount": 500_000}},
                                         {"name": "at minimum", "limits": {"policy": "fixed", "amount": 802_460}}],
                                  years=300, rng=4, table="beijing-2026")
    t = res.table
    assert (res.priced["below"]["limit_death"] == 500_000).all()
    assert t.loc["below", "premium"] < t.loc["at minimum", "premium"]
    assert t.loc["below", "expected_loss"] < t.loc["at minimum", "expected_loss"]
    for name in ("below", "at minimum"):
        assert abs(t.loc[name, "simulated_loss"] - t.loc[name, "expected_loss"]) < 4 * t.loc[name, "simulated_loss_se"]


@pytest.mark.parametrize("call, match", [
    (lambda b: stress.run(b, 5), r"stress: scenarios must be a ScenarioSet, a scenario set name or TOML path, or a list of scenario dicts, got int"),
    (lambda b: stress.run(None, [{"name": "a"}]), r"stress: portfolio must be a pandas DataFrame, got NoneType"),
    (lambda b: stress.run(b, [{"name": f"s{i}"} for i in range(1001)]), r"stress: scenarios must hold at most 1,000 scenarios, got 1,001"),
    (lambda b: stress.run(b, [{"name": "a"}], years=0), r"stress: years must be an integer in \[1, 1,000,000\], got 0"),
    (lambda b: stress.run(b, [{"name": "a"}], years=10, progress="yes"), r"stress: progress must be a callable"),
    (lambda b: stress.run(b, [{"name": "a"}], years=10, exact="no"), r"stress: exact must be True or False"),
    (lambda b: stress.run(b, [{"name": "a"}], years=10, model="default"), r"stress: model must be a LossModel, got str"),
    (lambda b: stress.run(b, [{"name": "a", "carry_forward": "no"}], years=10), r"<list>: scenario 'a': scenario\[0\]\.carry_forward: must be true or false"),
])
def test_bad_stress_calls_are_one_error_naming_the_argument(book, call, match):
    with pytest.raises(ajx.ValidationError, match=match):
        call(book)


def test_a_scenario_set_of_a_hundred_thousand_is_refused_at_once():
    """Issue 23: 10^5 scenarios ran past 60 s; the count is refused before any scenario is checked (the
    broken 50 000th would be named otherwise)."""
    raw = [{"name": f"s{i}"} for i in range(100_000)]
    raw[50_000] = {"name": "broken", "colour": "red"}
    with pytest.raises(ajx.ValidationError, match=r"at most 1,000 \[\[scenario\]\] entries, got 100,000"):
        ajx.scenarios.ScenarioSet.from_dict({"scenario": raw})


def test_progress_reports_its_total_at_once_and_climbs_to_it(book):
    """Issue 24: a bar showed 0/? until the end; the total now comes first, then steps within each pass."""
    calls = []
    stress.run(book, [{"name": "base"}, {"name": "hi", "limits": {"policy": "fixed", "amount": 800_000}},
                      {"name": "f30", "frequency_multiplier": 1.3}], years=600, rng=3, block_years=100,
               progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, 3) and calls[-1][0] == pytest.approx(3)
    done = [d for d, _ in calls]
    assert all(b >= a for a, b in zip(done, done[1:])) and len(calls) > 4  # steps within the simulation, not one per group
    sim_calls = []
    ajx.simulate(ajx.price(book, "national-2025"), years=400, rng=1, block_years=100, progress=lambda d, t: sim_calls.append((d, t)))
    assert sim_calls[0] == (0, 4) and sim_calls[-1] == (4, 4)


def test_collected_fee_base_assesses_the_tables_loading_as_the_same_money():
    """A table's prevention loading is a share of ex-VAT premium; a bundle that assesses on the collected
    premium (Beijing) gets loading / (1 + VAT), so the stress baseline's budget is the priced book's."""
    bj = ajx.synth.portfolio(2000, preset="beijing", rng=4)
    r = stress.run_detailed(bj, [{"name": "base"}], years=50, rng=1, table="beijing-2026", exact=False,
                            prevention={"fee_base": "collected"})
    priced = ajx.price(bj, "beijing-2026", lift_limits=True)
    assert r.table.loc["base", "prevention_budget"] == pytest.approx(priced["prevention_budget"].sum(), rel=1e-9)
    assert r.table.loc["base", "fee_ratio"] == pytest.approx(0.1767 / 1.06)


def test_a_scenarios_fee_is_a_share_of_ex_vat_premium_on_any_fee_base():
    """The regulator set's fee-15% row (15 % of ex-VAT, Xinzhou's floor) was assessed as 15 % of the collected premium
    under Beijing's base (15.9 % of ex-VAT); it is the same money on either base."""
    bj = ajx.synth.portfolio(1500, preset="beijing", rng=7)
    sc = [{"name": "f15", "fee_ratio": 0.15}]
    a = stress.run(bj, sc, years=20, rng=1, table="beijing-2026", exact=False, prevention={"fee_base": "collected"})
    b = stress.run(bj, sc, years=20, rng=1, table="beijing-2026", exact=False)
    assert a.loc["f15", "prevention_budget"] == pytest.approx(b.loc["f15", "prevention_budget"], rel=1e-9)
    ex_vat = ajx.price(bj, "beijing-2026", lift_limits=True)["premium_ex_vat"].sum()
    assert a.loc["f15", "prevention_budget"] / ex_vat == pytest.approx(0.15, rel=1e-6)
