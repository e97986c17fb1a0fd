"""Synthetic books: contract, reproducibility, overrides, errors, the loss model's normaliser, experience (one generator)."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.reference import INDUSTRIES
from ajx_actuarial.synth import load_preset
from ajx_actuarial.synth._core import capped_cluster_means, unit_rates

POISSON = ajx.LossModel.default(counts="poisson").process_only()  # no frailty, no year effect


def _expected_claims(model, df, exposure):
    return exposure * unit_rates(model, df).sum(axis=1) * model.factor_relativity(df)


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
    # one model: a size mix changes the population, not the model (its normaliser is the national population's)
    assert sm.attrs["synth"]["model"]["normaliser"] == ajx.LossModel.default().as_dict()["normaliser"]
    pop = ajx.synth.normaliser(ajx.LossModel.default(), "national", size_mix={"other": (0.0, 0.0, 1.0, 0.0)})
    assert pop["other"] != pytest.approx(ajx.LossModel.default().normaliser["other"], rel=1e-3)


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
    model = ajx.LossModel.default()
    big = ajx.synth.portfolio(400_000, rng=5, model=model)
    v = ajx.validate_portfolio(big)
    rel = model.factor_relativity(v) * v["industry"].astype(str).map(model.normaliser).to_numpy(float)  # Π relativities × region
    h = big["headcount"].to_numpy(float)
    ind = big["industry"].astype(str).to_numpy()
    for k in ("construction", "transport", "other", "hazardous_chemicals"):
        sel = ind == k
        w = h[sel] / h[sel].sum()
        est = (w * rel[sel]).sum()
        se = np.sqrt((w**2 * (rel[sel] - est) ** 2).sum())
        assert est == pytest.approx(model.normaliser[k], abs=4 * se), k


def test_the_packaged_normaliser_is_the_national_population_mean():
    """The default model's stored [normaliser] is synth.normaliser on the national preset (regenerate with
    tools/build_tables.py --normaliser)."""
    m = ajx.LossModel.default()
    n = ajx.synth.normaliser(m, "national")
    for k in INDUSTRIES:
        assert n[k] == pytest.approx(m.normaliser[k], rel=1e-8), k


def test_the_national_book_has_the_model_s_sector_rates():
    """The sector frequencies are the national population's averages: deaths per 100k as in the model file."""
    m = ajx.LossModel.default()
    n = ajx.synth.normaliser(m, "national")
    for k in INDUSTRIES:
        rate = m.rates().loc[k, "fatal"] / m.normaliser[k] * n[k] * m.mean_deaths_per_fatal() * 1e5
        assert rate == pytest.approx(m.frequencies.loc[k, "deaths_per_100k"], rel=1e-9)


def test_model_round_trips_through_plain_data():
    m = ajx.LossModel.default(frailty_cv=0.3)
    import json

    back = ajx.LossModel.from_dict(json.loads(json.dumps(m.as_dict())))
    assert back.as_dict() == m.as_dict()


def test_experience_counts_match_the_model():
    book = ajx.synth.portfolio(30_000, rng=21)
    exp = ajx.synth.experience(book, 4, rng=22, model=POISSON)
    assert exp.attrs["model"] == POISSON.as_dict()
    ajx.validate_experience(exp)
    lam = _expected_claims(POISSON, exp, exp["exposure"].to_numpy())
    assert exp["claims"].sum() == pytest.approx(lam.sum(), abs=4 * np.sqrt(lam.sum()))
    assert (exp["claims"] == exp[["fatal_accidents", "disability_accidents", "medical_claims"]].sum(axis=1)).all()
    rel = POISSON.factor_relativity(exp) * exp["exposure"].to_numpy()
    fatal = unit_rates(POISSON, exp)[:, 0] * rel
    e1, e2 = capped_cluster_means(POISSON, exp["headcount"].to_numpy())
    d = (fatal * e1).sum()
    assert exp["deaths"].sum() == pytest.approx(d, abs=4 * np.sqrt((fatal * e2).sum()))
    assert (exp["deaths"] + exp["disabilities"] <= exp["headcount"] * 50).all()
    assert (exp["deaths"] <= exp["headcount"] * exp["claims"]).all()
    # incurred: at least the death payouts unless an accident limit binds, never above the annual limit
    assert (exp["incurred"] <= exp["limit_annual"] + 1e-6).all()


def test_experience_incurred_is_the_exact_expected_loss():
    """One generator: the experience's mean incurred per policy-year equals expected_loss of the same model
    (rescue/legal and third-party costs included), within 4 standard errors."""
    book = ajx.synth.portfolio(40_000, rng=23)
    exp = ajx.synth.experience(book, 5, rng=24, model=POISSON, partial_share=0.0)
    e = ajx.expected_loss(book, POISSON, relativity=None)
    want = (e["expected_loss"].to_numpy() * POISSON.factor_relativity(ajx.validate_portfolio(book))).sum() * 5
    got = exp["incurred"].sum()
    per_pol = exp.groupby("policy_id")["incurred"].sum()
    se = per_pol.std() * np.sqrt(len(per_pol))
    assert got == pytest.approx(want, abs=4 * se)


def test_history_predicts_experience_through_the_frailty():
    """The book's frailty persists into experience(): units with claims in their history have more
    claims per expected claim later (the history is informative beyond the observed factors)."""
    book = ajx.synth.portfolio(100_000, rng=31)
    exp = ajx.synth.experience(book, 3, rng=32)
    model = ajx.LossModel.from_dict(book.attrs["synth"]["model"])
    e = exp.assign(expected=_expected_claims(model, exp, exp["exposure"].to_numpy()))
    by = e.groupby(np.repeat(book["accidents_3y"].to_numpy() > 0, 3))[["claims", "expected"]].sum()
    ratio = by["claims"] / by["expected"]
    assert ratio[True] > 1.1 * ratio[False]
    # with a fresh frailty draw (another CV) the link is gone: both groups at their expectation
    exp0 = ajx.synth.experience(book, 3, rng=32, model=POISSON)
    e0 = exp0.assign(expected=_expected_claims(POISSON, exp0, exp0["exposure"].to_numpy()))
    by0 = e0.groupby(np.repeat(book["accidents_3y"].to_numpy() > 0, 3))[["claims", "expected"]].sum()
    np.testing.assert_allclose(by0["claims"], by0["expected"], atol=0, rtol=4 / np.sqrt(by0["expected"].min()))


def test_the_model_s_history_relativity_is_the_frailty_posterior():
    """LossModel.relativity's history term E[θ | claims] predicts the next years' claims of each history class:
    claims / (expected × posterior) ≈ 1 for units with no claims, at expectation and above (one generator)."""
    model = ajx.LossModel.default().process_only()
    book = ajx.synth.portfolio(150_000, rng=41, model=model)
    v = ajx.validate_portfolio(book)
    post = model.relativity(v) / model.factor_relativity(v)
    exp = ajx.synth.experience(book, 3, rng=42, partial_share=0.0)
    exp_claims = exp.groupby("policy_id", sort=False)["claims"].sum().to_numpy()
    lam = 3 * _expected_claims(model, v, v["headcount"].to_numpy(float))
    cls = np.where(v["accidents_3y"].to_numpy() == 0, 0, np.where(v["accidents_3y"].to_numpy() <= lam, 1, 2))
    for c in (0, 1, 2):
        sel = cls == c
        ratio = exp_claims[sel].sum() / (lam[sel] * post[sel]).sum()
        assert ratio == pytest.approx(1.0, abs=0.04), c


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


@pytest.mark.parametrize("n, shown", [(10**12, "1000000000000"), (10_000_001, "10000001"), (0, "0"), (2.5, "2.5"), ("10", "'10'"),
                                      (True, "True"), (10**400, "an integer of 401 digits")])
def test_n_is_bounded_before_anything_is_allocated(n, shown):
    """Issue 23: portfolio(10**12) raised numpy's MemoryError; the API now has the CLI's -n bound (10^7)."""
    import re

    with pytest.raises(ajx.ValidationError, match=r"^portfolio: n must be an integer >= 1 and at most 10,000,000 .*got " + re.escape(shown) + "$"):
        ajx.synth.portfolio(n, rng=1)
