"""Synthetic books: contract, reproducibility, overrides, errors, truth normalisation, experience."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.reference import INDUSTRIES
from ajx_actuarial.synth import TruthModel, load_preset


@pytest.fixture(scope="module")
def book():
    return ajx.synth.portfolio(200_000, rng=11)


def test_satisfies_contract(book):
    v = ajx.validate_portfolio(book)
    pd.testing.assert_frame_equal(v, book, check_dtype=False)
    assert (book["max_accident_deaths_3y"] <= book["deaths_3y"]).all()
    assert (book["deaths_3y"] <= 3 * book["headcount"] * 50).all()  # bounded by the cluster cap per accident
    assert book.attrs["synth"]["preset"] == "national"


def test_size_class_follows_the_nbs_headcount_bounds(book):
    """Size is implied by headcount (NBS 2017: micro < 20, small 20-299, medium 300-999, large >= 1000)."""
    h, s = book["headcount"], book["size"].astype(str)
    assert ((s == "micro") == (h < 20)).all() and ((s == "large") == (h >= 1000)).all()
    assert ((s == "small") == ((h >= 20) & (h < 300))).all()


def test_bit_identical_for_same_seed():
    a = ajx.synth.portfolio(5_000, rng=123)
    b = ajx.synth.portfolio(5_000, rng=np.random.SeedSequence(123))
    pd.testing.assert_frame_equal(a, b)
    assert not a["headcount"].equals(ajx.synth.portfolio(5_000, rng=124)["headcount"])
    pd.testing.assert_frame_equal(ajx.synth.experience(a, 3, rng=9), ajx.synth.experience(b, 3, rng=9))


def test_overrides_on_top_of_a_preset():
    df = ajx.synth.portfolio(20_000, rng=1, preset="beijing", industry_mix={"coal_mine": 1}, limit_death=800_000)
    assert (df["industry"] == "coal_mine").all() and (df["limit_death"] == 800_000).all()
    assert (df["region"] == "beijing").all()
    sm = ajx.synth.portfolio(20_000, rng=2, size_mix={"other": (0.0, 0.0, 1.0, 0.0)}, regions=("a", "b"))
    other = sm[sm["industry"] == "other"]
    assert (other["size"] == "small").all() and other["headcount"].between(20, 299).all()
    assert set(sm["region"]) == {"a", "b"}
    # a size mix changes the population, so the default truth is normalised on it
    assert sm.attrs["synth"]["truth"]["normaliser"]["other"] != ajx.synth.portfolio(10, rng=2).attrs["synth"]["truth"]["normaliser"]["other"]


def test_bad_input_is_refused():
    with pytest.raises(ajx.ValidationError, match=r"every limit must be >= 400,000"):
        ajx.synth.portfolio(10, rng=1, limit_death=300_000)
    with pytest.raises(ajx.ValidationError, match=r"industry_mix: unknown code\(s\) \['coal'\]"):
        ajx.synth.portfolio(10, rng=1, industry_mix={"coal": 1})
    with pytest.raises(ajx.ValidationError, match="n must be an integer >= 1"):
        ajx.synth.portfolio(0, rng=1)
    with pytest.raises(ajx.ValidationError, match=r"neither a packaged preset"):
        ajx.synth.portfolio(10, rng=1, preset="atlantis")
    with pytest.raises(ajx.ValidationError, match=r"size_mix\[fishing\]: size class\(es\) \['large'\] exceed the preset's largest unit \(200 workers\)"):
        ajx.synth.portfolio(10, rng=1, size_mix={"fishing": (1, 0, 0, 0)})
    with pytest.raises(ajx.ValidationError, match=r"experience: years must be an integer >= 1, got 0"):
        ajx.synth.experience(ajx.synth.portfolio(10, rng=1), 0, rng=1)


def test_normaliser_is_the_population_mean_relativity():
    """Quadrature normaliser vs the headcount-weighted mean relativity of a large book (independent MC)."""
    truth = TruthModel.default()
    big = ajx.synth.portfolio(400_000, rng=5, truth=truth)
    rel = truth.relativity(big)
    h = big["headcount"].to_numpy(float)
    ind = big["industry"].astype(str).to_numpy()
    for k in ("construction", "transport", "other", "hazardous_chemicals"):
        sel = ind == k
        w = h[sel] / h[sel].sum()
        est = (w * rel[sel]).sum()
        se = np.sqrt((w**2 * (rel[sel] - est) ** 2).sum())
        assert est == pytest.approx(truth.normaliser[k], abs=4 * se), k


def test_truth_reproduces_the_loss_model():
    """Base rates × normaliser are exactly the loss model's rates (deaths per 100k as in DOMAIN §6.5)."""
    lm = ajx.LossModel.default()
    for preset in ajx.synth.presets():
        t = TruthModel.default(preset)
        for k in INDUSTRIES:
            assert t.fatal[k] * t.normaliser[k] == pytest.approx(lm.rates().loc[k, "fatal"], rel=1e-12)
            assert t.deaths_per_worker()[k] * t.normaliser[k] * 1e5 == pytest.approx(lm.frequencies.loc[k, "deaths_per_100k"], rel=1e-9)


def test_truth_round_trips_through_plain_data():
    t = TruthModel.default("beijing", frailty_cv=0.3)
    import json

    back = TruthModel.from_dict(json.loads(json.dumps(t.as_dict())))
    assert back.as_dict() == t.as_dict()


def test_experience_counts_match_the_truth():
    book = ajx.synth.portfolio(30_000, rng=21)
    truth = TruthModel.default(frailty_cv=0.0)
    exp = ajx.synth.experience(book, 4, rng=22, truth=truth)
    assert exp.attrs["truth"] == truth.as_dict()
    ajx.validate_experience(exp)
    lam = truth.expected_claims(exp, exp["exposure"].to_numpy())
    assert exp["claims"].sum() == pytest.approx(lam.sum(), abs=4 * np.sqrt(lam.sum()))
    rel = truth.relativity(exp) * exp["exposure"].to_numpy()
    fatal = truth.rates_for(exp)[:, 0] * rel
    e1, e2 = truth.capped_cluster_means(exp["headcount"].to_numpy())
    d = (fatal * e1).sum()
    assert exp["deaths"].sum() == pytest.approx(d, abs=4 * np.sqrt((fatal * e2).sum()))
    assert (exp["deaths"] + exp["disabilities"] <= exp["headcount"] * 50).all()
    assert (exp["deaths"] <= exp["headcount"] * exp["claims"]).all()
    # incurred: at least the death payouts unless an accident limit binds, never above the annual limit
    assert (exp["incurred"] <= exp["limit_annual"] + 1e-6).all()


def test_history_predicts_experience_through_the_frailty():
    """The book's frailty persists into experience(): units with claims in their history have more
    claims per expected claim later (the history is informative beyond the observed factors)."""
    book = ajx.synth.portfolio(100_000, rng=31)
    exp = ajx.synth.experience(book, 3, rng=32)
    truth = TruthModel.from_dict(book.attrs["synth"]["truth"])
    e = exp.assign(expected=truth.expected_claims(exp, exp["exposure"].to_numpy()))
    by = e.groupby(np.repeat(book["accidents_3y"].to_numpy() > 0, 3))[["claims", "expected"]].sum()
    ratio = by["claims"] / by["expected"]
    assert ratio[True] > 1.1 * ratio[False]
    # with a fresh frailty draw (another CV) the link is gone: both groups at their expectation
    exp0 = ajx.synth.experience(book, 3, rng=32, truth=TruthModel.default(frailty_cv=0.0))
    e0 = exp0.assign(expected=TruthModel.default(frailty_cv=0.0).expected_claims(exp0, exp0["exposure"].to_numpy()))
    by0 = e0.groupby(np.repeat(book["accidents_3y"].to_numpy() > 0, 3))[["claims", "expected"]].sum()
    np.testing.assert_allclose(by0["claims"], by0["expected"], atol=0, rtol=4 / np.sqrt(by0["expected"].min()))


def test_headcount_law_is_exact():
    """The discretised lognormal sampler reproduces its own pmf (chi-square on a 200k sample)."""
    from scipy import stats

    law = load_preset("national").headcount_laws()["construction"]
    g = np.random.default_rng(0)
    n = 200_000
    h = law.sample(g.random(n), np.ones(n), np.full(n, float(law.max)))
    pmf = law.pmf()
    bins = [1, 2, 3, 5, 10, 20, 50, 100, 300, 1000, law.max + 1]
    obs = np.histogram(h, bins=bins)[0]
    exp = np.array([pmf[a - 1:b - 1].sum() for a, b in zip(bins[:-1], bins[1:])]) * n
    assert stats.chisquare(obs, exp).pvalue > 1e-4
