"""Many scenarios in one pass (ajx.simulate_many): coupling, identity with single runs, reproducibility."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import LimitPolicy, LossModel, SimSpec


@pytest.fixture(scope="module")
def book():
    g = np.random.default_rng(8)
    n = 3000
    return pd.DataFrame({"policy_id": np.arange(n), "industry": g.choice(["coal_mine", "construction", "other", "fishing"], n),
                         "size": "small", "headcount": g.integers(5, 400, n),
                         "region": g.choice(["beijing", "shanxi", "zhejiang"], n)})


def test_limit_and_severity_scenarios_are_bit_identical_to_single_runs(book):
    m = LossModel.default()
    specs = {
        "base": SimSpec(m),
        "800k": SimSpec(m, LimitPolicy.fixed(800_000)),
        "beijing": SimSpec(m, LimitPolicy.beijing(2024)),
        "severity+20%": SimSpec(m.replace(severity_multiplier=1.2)),
    }
    many = ajx.simulate_many(book, specs, 300, rng=5)
    for name, sp in specs.items():
        alone = ajx.simulate(book, 300, rng=5, model=sp.model, limits=sp.limits)
        pd.testing.assert_frame_equal(many[name].annual, alone.annual)
        pd.testing.assert_frame_equal(many[name].segments, alone.segments)
    assert many["800k"].mean() > many["base"].mean()
    # same accidents: identical death counts in every year
    np.testing.assert_array_equal(many["800k"].annual["deaths"], many["base"].annual["deaths"])


def test_a_grid_with_a_frequency_scenario_keeps_the_others_identical(book):
    """Process risk only: the base scenario's multipliers are all 1, so it draws nothing from the layer
    stream and is bit-identical alone. (With systemic and parameter risk every scenario's multiplier
    moves each year, the layer stream is shared, and a pass is exact in distribution, not bit-identical
    to single runs whose other scenarios differ.)"""
    m = LossModel.default().process_only()
    specs = {"base": SimSpec(m), "freq+30%": SimSpec(m.replace(frequency_multiplier=1.3)),
             "freq-40%": SimSpec(m.replace(frequency_multiplier=0.6))}
    many = ajx.simulate_many(book, specs, 300, rng=5)
    alone = ajx.simulate(book, 300, rng=5, model=m)
    pd.testing.assert_frame_equal(many["base"].annual, alone.annual)
    # coupling: the +30 % scenario contains every base accident, the -40 % one only base accidents
    a = many["base"].annual
    assert (many["freq+30%"].annual["deaths"] >= a["deaths"]).all()
    assert (many["freq-40%"].annual["deaths"] <= a["deaths"]).all()


@pytest.mark.parametrize("mult", [1.3, 0.6])
def test_thinning_and_layering_keep_the_mean(book, mult):
    """A scenario at multiplier m in a coupled grid has the mean of a direct simulation at m (3 SE)."""
    m = LossModel.default()
    mm = m.replace(frequency_multiplier=mult)
    many = ajx.simulate_many(book, {"base": SimSpec(m), "other": SimSpec(m.replace(frequency_multiplier=1.7)),
                                    "x": SimSpec(mm)}, 4000, rng=11)
    exact = ajx.expected_loss(book, mm)
    for part, col in [("insured_loss", "expected_loss"), ("death", "death"), ("medical", "medical")]:
        r = many["x"]
        assert abs(r.mean(part) - exact[col].sum()) < 3 * r.mean_se(part)
    assert abs(many["x"].mean("accidents") - exact["expected_accidents"].sum() - many["x"].mean("medical_only")) < 3 * many["x"].mean_se("accidents")


def test_common_shock_scenarios_keep_their_mean(book):
    m = LossModel.default()
    specs = {"base": SimSpec(m), "industry shock": SimSpec(m.replace(shock_cv=0.6)),
             "region shock": SimSpec(m.replace(shock_cv=0.4, shock_by="region", shock_dist="lognormal"))}
    many = ajx.simulate_many(book, specs, 4000, rng=2)
    for name in ("industry shock", "region shock"):
        ex = ajx.expected_loss(book, specs[name].model)
        r = many[name]
        assert abs(r.mean() - ex["expected_loss"].sum()) < 3 * r.mean_se()
        assert r.std() > many["base"].std()


def test_multi_scenario_results_do_not_depend_on_threads_or_dask(book):
    from dask.distributed import Client, LocalCluster

    m = LossModel.default()
    specs = {"base": SimSpec(m), "freq+30%": SimSpec(m.replace(frequency_multiplier=1.3, shock_cv=0.3)),
             "800k": SimSpec(m, LimitPolicy.fixed(800_000))}
    one = ajx.simulate_many(book, specs, 120, rng=9, block_years=25, threads=1)
    two = ajx.simulate_many(book, specs, 120, rng=9, block_years=25, threads=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl, Client(cl) as client:
        dk = ajx.simulate_many(book, specs, 120, rng=9, block_years=25, backend="dask", client=client)
        active = ajx.simulate_many(book, specs, 120, rng=9, block_years=25, backend="dask")  # the active client
    for name in specs:
        pd.testing.assert_frame_equal(one[name].annual, two[name].annual)
        pd.testing.assert_frame_equal(one[name].annual, dk[name].annual)
        pd.testing.assert_frame_equal(one[name].annual, active[name].annual)


def test_scenarios_with_different_count_laws_run_in_separate_passes(book):
    m = LossModel.default()
    nb = m.replace(counts="negbin", frailty_cv=0.7)
    res = ajx.simulate_many(book, {"poisson": SimSpec(m), "negbin": SimSpec(nb)}, 200, rng=4)
    assert res["poisson"].provenance["scenarios_in_pass"] == 1
    pd.testing.assert_frame_equal(res["negbin"].annual, ajx.simulate(book, 200, rng=4, model=nb).annual)


def test_bad_scenarios(book):
    with pytest.raises(ajx.ValidationError, match="scenario 'x' must be a SimSpec"):
        ajx.simulate_many(book, {"x": LossModel.default()}, 10, rng=1)
    with pytest.raises(ajx.ValidationError, match="no scenario given"):
        ajx.simulate_many(book, {}, 10, rng=1)


def test_absurd_books_are_refused_before_allocating(book):
    with pytest.raises(ajx.ValidationError, match=r"column 'headcount' must be <= 1,000,000"):
        ajx.simulate(book.head(1).assign(headcount=10**12), 10, rng=1)
    with pytest.raises(ajx.ValidationError, match=r"frequency_multiplier: must be a finite number in \(0, 100\]"):
        ajx.simulate(book, 10, rng=1, model=LossModel.default(frequency_multiplier=1e17))
    big = pd.DataFrame({"policy_id": np.arange(20_000), "industry": "fishing", "size": "large", "headcount": 1_000_000})
    with pytest.raises(ajx.ValidationError, match=r"accidents a year \(limit 5,000,000\)"):
        ajx.simulate(big, 10, rng=1, model=LossModel.default(frequency_multiplier=100))


def test_event_log_reconciles_with_the_annual_totals(book):
    r = ajx.simulate(book, 150, rng=3, events=True, block_years=40)
    ev, a = r.events, r.annual
    per_year = ev.groupby("sim_year")[["claims", "deaths", "insured"]].sum().reindex(a.index, fill_value=0)
    np.testing.assert_allclose(per_year["insured"], a["insured_loss"], rtol=1e-9)
    np.testing.assert_array_equal(per_year["deaths"], a["deaths"])
    np.testing.assert_array_equal(per_year["claims"], a["accidents"])
    assert (ev["max_deaths"] <= ev["deaths"]).all() and not ev.duplicated(["sim_year", "policy_id"]).any()
    assert set(ev["policy_id"]) <= set(book["policy_id"])
    np.testing.assert_array_equal(book["policy_id"].to_numpy()[ev["row"]], ev["policy_id"])
    pd.testing.assert_frame_equal(ev, ajx.simulate(book, 150, rng=3, events=True, block_years=40, threads=1).events)


def test_identical_scenarios_are_simulated_once(book):
    m = LossModel.default()
    res = ajx.simulate_many(book, {"a": SimSpec(m), "b": SimSpec(m), "c": SimSpec(m, LimitPolicy.fixed(800_000))}, 50, rng=1)
    assert res["a"].provenance["distinct_scenarios_in_pass"] == 2
    pd.testing.assert_frame_equal(res["a"].annual, res["b"].annual)


def test_the_book_is_validated_once_whatever_the_limit_sets(book, monkeypatch):
    import ajx_actuarial.losses.engine as engine
    import ajx_actuarial.losses.limits as limits
    from ajx_actuarial.portfolio import validate_portfolio

    calls = []

    def counting(df, *a, **k):
        calls.append(len(df))
        return validate_portfolio(df, *a, **k)

    monkeypatch.setattr(engine, "validate_portfolio", counting)
    monkeypatch.setattr(limits, "validate_portfolio", counting)
    m = LossModel.default()
    specs = {"as priced": SimSpec(m), "800k": SimSpec(m, LimitPolicy.fixed(800_000)),
             "beijing": SimSpec(m, LimitPolicy.beijing(2024))}
    out = ajx.simulate_many(book, specs, 20, rng=1)
    assert calls == [len(book)]
    # and the limits reached the kernel: higher limits, larger payouts
    assert out["800k"].summary().loc["mean insured loss", "value"] >= out["as priced"].summary().loc["mean insured loss", "value"]


@pytest.mark.parametrize("scenarios, premiums, message", [
    (5, None, r"simulate_many: scenarios must be a mapping name -> SimSpec or a list of SimSpec, got int"),
    (["a", "b"], None, r"simulate_many: scenario None must be a SimSpec\(model, limits\), got str"),
    ({"a": SimSpec(LossModel.default())}, {"a": "x"}, r"simulate_many: premiums\['a'\] must be two finite amounts >= 0"),
    ({"a": SimSpec(LossModel.default())}, {"a": (-1.0, 1.0)}, r"simulate_many: premiums\['a'\] must be two finite amounts >= 0"),
    ({"a": SimSpec(LossModel.default())}, {"b": (1.0, 1.0)}, r"simulate_many: premiums name no scenario: \['b'\]"),
    # issue 23: names are strings, the mapping's size is bounded before it is listed
    ({1: SimSpec(LossModel.default())}, None, r"simulate_many: scenario names must be non-empty strings of at most 80 characters, got 1"),
    ({"  ": SimSpec(LossModel.default())}, None, r"simulate_many: scenario names must be non-empty strings"),
    ({"x" * 81: SimSpec(LossModel.default())}, None, r"simulate_many: scenario names must be non-empty strings .* got 'xxxx"),
    ({f"s{i}": SimSpec(LossModel.default()) for i in range(1_001)}, None, r"simulate_many: scenarios must hold at most 1,000 scenarios, got 1,001"),
    ([SimSpec(LossModel.default())] * 1_001, None, r"simulate_many: scenarios must hold at most 1,000 scenarios, got 1,001"),
])
def test_bad_scenarios_and_premiums_found_in_review(book, scenarios, premiums, message):
    with pytest.raises(ajx.ValidationError, match=message):
        ajx.simulate_many(book, scenarios, 10, rng=1, premiums=premiums)


def test_scenarios_differing_in_any_model_field_are_not_merged(book):
    """Review finding: the merge key of identical scenarios listed model fields by hand."""
    from ajx_actuarial.losses.simulate import _model_key

    m = LossModel.default()
    assert _model_key(m) == _model_key(LossModel.default())
    assert _model_key(m) != _model_key(m.replace(death_loss=m.death_loss * 1.01))
