"""Loss engine: reproducibility, limits, parameter validation, results API."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.losses import LimitPolicy, LossModel, beijing_limit, cluster_pmf


@pytest.fixture(scope="module")
def priced():
    return ajx.price(ajx.synth.portfolio(4000, rng=1), "national-2025")


def test_cluster_pmf_matches_accident_grade_calibration():
    p = cluster_pmf()
    k = np.arange(p.size)
    assert p.sum() == pytest.approx(1.0) and p[0] == 0
    assert p[1:3].sum() == pytest.approx(0.9816, rel=1e-9)
    assert p[3:10].sum() == pytest.approx(0.0180, rel=1e-9)
    assert (p[3:10] @ k[3:10]) / p[3:10].sum() == pytest.approx(3.86, abs=1e-6)
    assert (p[10:] @ k[10:]) / p[10:].sum() == pytest.approx(16.2, abs=1e-6)


def test_model_rates_reproduce_domain_frequencies():
    m = LossModel.default()
    r = m.rates()
    # expected deaths per worker = fatal rate × mean deaths per fatal accident = deaths_per_100k / 1e5
    np.testing.assert_allclose(r["fatal"] * m.mean_deaths_per_fatal() * 1e5, m.frequencies.loc[r.index, "deaths_per_100k"])
    # disabilities: disability accidents + injuries in fatal accidents
    dis = (r["disability"] + r["fatal"] * m.mean_deaths_per_fatal() * m.injury_ratio) * 1e5
    np.testing.assert_allclose(dis, m.frequencies.loc[r.index, "disabilities_per_100k"])


def test_bit_identical_across_threads_and_chunking(priced):
    m = LossModel.default(counts="negbin", frailty_cv=0.6, shock_cv=0.25)
    a = ajx.simulate(priced, 600, rng=3, model=m, threads=1, block_years=100)
    b = ajx.simulate(priced, 600, rng=3, model=m, threads=2, block_years=100)
    pd.testing.assert_frame_equal(a.annual, b.annual)
    pd.testing.assert_frame_equal(a.segments, b.segments)
    # a longer run extends the shorter one: the first blocks are the same streams
    c = ajx.simulate(priced, 1000, rng=3, model=m, threads=2, block_years=100)
    pd.testing.assert_frame_equal(a.annual, c.annual.iloc[:600])
    d = ajx.simulate(priced, 600, rng=4, model=m, block_years=100)
    assert not a.annual["insured_loss"].equals(d.annual["insured_loss"])


@pytest.mark.slow
def test_bit_identical_on_dask(priced):
    distributed = pytest.importorskip("dask.distributed")
    m = LossModel.default(shock_cv=0.2, shock_by="region")
    a = ajx.simulate(priced, 400, rng=8, model=m, block_years=50)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as lc, distributed.Client(lc) as client:
        b = ajx.simulate(priced, 400, rng=8, model=m, block_years=50, backend="dask", client=client)
    pd.testing.assert_frame_equal(a.annual, b.annual)
    pd.testing.assert_frame_equal(a.segments, b.segments)


def test_segments_add_up(priced):
    r = ajx.simulate(priced, 300, rng=2)
    np.testing.assert_allclose(r.segments.sum(axis=1), r.annual["insured_loss"], rtol=1e-9)


def test_higher_limits_raise_insured_not_gross(priced):
    lo = ajx.simulate(priced, 500, rng=5, limits=LimitPolicy.fixed(400_000))
    hi = ajx.simulate(priced, 500, rng=5, limits=LimitPolicy.beijing(2024))
    assert hi.mean() > lo.mean()
    pd.testing.assert_series_equal(lo.annual["gross_loss"], hi.annual["gross_loss"])


def test_frequency_multiplier_scales_expected_counts(priced):
    base = ajx.simulate(priced, 200, rng=1)
    up = ajx.simulate(priced, 200, rng=1, model=LossModel.default(frequency_multiplier=1.3))
    assert up.expected["fatal_accidents"] == pytest.approx(1.3 * base.expected["fatal_accidents"])


def test_result_api(priced):
    r = ajx.simulate(priced, 1000, rng=6)
    assert r.var(0.5) <= r.var(0.99) <= r.tvar(0.99)
    assert r.exceedance(r.var(0.99)) <= 0.01 + 1e-12
    assert 0 < r.loss_ratio().mean() < 2
    lo, hi = r.var_ci(0.99)
    assert lo <= r.var(0.99) <= hi
    assert {"mean insured loss", "P(loss ratio > 100 %)"} <= set(r.summary().index)
    assert r.provenance["seed"]["entropy"] == 6 and r.provenance["block_years"] == 250
    fig = r.plot()
    assert len(fig.axes) == 2
    assert "mean insured loss" in r._repr_html_()


def test_beijing_limit_values():
    # DOMAIN.md §4.2 table
    assert beijing_limit(2021) == 682_120
    assert beijing_limit(2024) == 765_520
    assert beijing_limit(2024, "none") == 20 * 92_464
    assert beijing_limit(2024, "death_grant+funeral") == pytest.approx(765_520 - 6 * 11_761)
    lp = LimitPolicy.beijing(2024)
    df = lp.apply(ajx.synth.portfolio(10, rng=1))
    assert (df["limit_death"] == 765_520).all() and (df["limit_annual"] == 20 * 765_520).all()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: LossModel.default(shock_cv=-0.1), r"LossModel\.shock_cv: must be a finite number in \[0, 5\], got -0\.1"),
        (lambda: LossModel.default(frailty_cv=-1), r"LossModel\.frailty_cv: must be a finite number in \[0, 10\]"),
        (lambda: LossModel.default(counts="negbin", frailty_cv=0.0), r"frailty_cv: must be > 0 when counts='negbin'"),
        (lambda: LossModel.default(year_cv=-0.1), r"LossModel\.year_cv: must be a finite number in \[0, 2\]"),
        (lambda: LossModel.default(parameter_cv={"fatal": 0.1}), r"LossModel\.parameter_cv: must give \['fatal', 'disability', 'medical'\]"),
        (lambda: LossModel.default(relativities={"colour": {"red": 1.2}}), r"'colour' is not a rating characteristic"),
        (lambda: LossModel.default(relativities={"size": {"large": -1}}), r"relativities\['size'\]: must map levels to finite multipliers"),
        (lambda: LossModel.default(third_party_share=float("nan")), r"LossModel\.third_party_share: must be a finite number"),
        (lambda: LossModel.default(counts="zip"), r"counts: must be 'poisson' or 'negbin'"),
        (lambda: LossModel.default(frequencies=LossModel().frequencies.rename(index={"coal_mine": "coal"})), r"unknown industry code\(s\) \['coal'\]"),
        (lambda: LossModel.default(death_loss=0), r"LossModel\.death_loss: must be a finite number in \(0, 1e\+09\]"),
        (lambda: LossModel.default(bogus=1), r"unknown parameter\(s\) \['bogus'\]"),
        (lambda: LossModel.default(shock_cv=1e6), r"LossModel\.shock_cv: must be a finite number in \[0, 5\], got 1000000\.0"),
        (lambda: LossModel.default(frequency_multiplier=1e25), r"LossModel\.frequency_multiplier: must be a finite number in \(0, 100\]"),
        (lambda: LossModel.default(severity_multiplier="2"), r"LossModel\.severity_multiplier: must be a finite number"),
        (lambda: LimitPolicy.fixed(0), r"LimitPolicy\.limit_death: limits must be > 0"),
        (lambda: LimitPolicy.fixed(300_000), r"below the floor of 400,000"),
        (lambda: LimitPolicy.fixed(500_000, annual_multiple=0.5), r"annual_multiple: the annual aggregate must be >= the per-accident limit"),
        (lambda: LimitPolicy.beijing(2018), r"no urban disposable income for region 'beijing' year 2018"),
        (lambda: LimitPolicy.beijing(2024, offset="all"), r"offset must be one of"),
    ],
)
def test_bad_parameters(call, match):
    with pytest.raises(ajx.ValidationError, match=match):
        call()


def test_bad_simulate_arguments(priced):
    with pytest.raises(ajx.ValidationError, match=r"years must be an integer in \[1, 1,000,000\], got 0"):
        ajx.simulate(priced, 0, rng=1)
    with pytest.raises(ajx.ValidationError, match=r"block_years must be an integer in \[1, "):
        ajx.simulate(priced, 10, rng=1, block_years=-5)
    with pytest.raises(ajx.ValidationError, match="backend must be 'threads' or 'dask'"):
        ajx.simulate(priced, 10, rng=1, backend="gpu")
    with pytest.raises(ajx.ValidationError, match="relativity must be 'model', None or a column of the portfolio, got 'nope'"):
        ajx.simulate(priced, 10, rng=1, relativity="nope")
    with pytest.raises(ajx.ValidationError, match=r"column 'limit_death' must be > 0"):
        ajx.simulate(priced.assign(limit_death=-1.0), 10, rng=1)
    with pytest.raises(ajx.ValidationError, match="found no active dask.distributed client; pass client="):
        ajx.simulate(priced, 10, rng=1, backend="dask")


def test_limit_policy_validates_its_input(small_book):
    with pytest.raises(ajx.ValidationError, match=r"column 'headcount' must be >= 1"):
        LimitPolicy.fixed(500_000).apply(small_book.assign(headcount=0, limit_death=4e5, limit_annual=8e6))
    out = LimitPolicy.fixed(500_000).apply(small_book.assign(note="kept"))
    assert (out["limit_death"] == 500_000).all() and (out["note"] == "kept").all()


def test_cluster_pmf_rejects_bad_calibration():
    with pytest.raises(ajx.ValidationError, match=r"cluster_pmf: larger_mean must be in \(3, 9\)"):
        cluster_pmf(larger_mean=12)
    with pytest.raises(ajx.ValidationError, match=r"cluster_pmf: shares must be 3 numbers >= 0"):
        cluster_pmf(shares=(0.9, -0.1, 0.2))
    with pytest.raises(ajx.ValidationError, match=r"cluster_pmf: two_death_share must be in \[0, 1\]"):
        cluster_pmf(two_death_share=1.5)


def test_risk_measures_reject_bad_probability(priced):
    r = ajx.simulate(priced, 50, rng=1)
    with pytest.raises(ajx.ValidationError, match=r"probability p must be in \(0, 1\), got 1\.5"):
        r.var(1.5)
    with pytest.raises(ajx.ValidationError, match=r"probability p must be in \(0, 1\)"):
        r.tvar(0.0)
