"""ajx.project: the yearly loop against simulate, BonusMalus analytics, the ledger and the Beijing formula.

References and tolerances:
* one year, trend 0, no feedback: the year's claims are simulate()'s on the same book and seed
  (bit-identical: the same engine call), premiums are price()'s (bit-identical: same products);
* a homogeneous book under a -1/+2 BonusMalus: class shares after enough years against the
  stationary law of ``BonusMalus.stationary`` (exact Markov-chain analytics), within 4 binomial SE
  (policies and paths are independent samples; 4 SE keeps the false-alarm rate below 1e-3 over
  the 5 classes) plus the chain's own distance from stationarity at that year (computed exactly);
* money conservation of the ledger: an identity, to 1e-9 relative;
* the limit: ``beijing_limit(year - 1)`` exactly where the packaged incomes exist.
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.losses import beijing_limit
from ajx_actuarial.projection import indexed_limit


@pytest.fixture(scope="module")
def beijing_book():
    return ajx.synth.portfolio(1500, preset="beijing", rng=11)


def test_one_year_no_trend_no_feedback_equals_simulate(beijing_book):
    res = ajx.project(beijing_book, years=1, table="beijing-2026", paths=300, rng=7, trend=0.0, feedback=False)
    priced = ajx.price(beijing_book, "beijing-2026")
    rel = ajx.LossModel.default().relativity(ajx.validate_portfolio(priced))  # the model's start relativity
    sim = ajx.simulate(priced.assign(_rel=rel), years=300, rng=res.year_seed(0), events=True, relativity="_rel",
                       systemic_draws=res.year_systemic(0))
    y = res.by_year.sort_values("path")
    assert np.array_equal(y["insured_loss"].to_numpy(), sim.annual["insured_loss"].to_numpy())
    assert np.array_equal(y["claims"].to_numpy(), sim.annual["accidents"].to_numpy())  # annual 'accidents' counts all claims
    assert (y["premium"] == priced["premium"].sum()).all()  # the renewal engine reproduces price() on the book's histories
    assert y["premium_ex_vat"].iloc[0] == pytest.approx(priced["premium_ex_vat"].sum(), rel=1e-12)


def test_same_seed_same_result_and_threads_do_not_matter(beijing_book):
    kw = dict(years=2, table="beijing-2026", paths=260, block_years=100, limits="beijing")
    a = ajx.project(beijing_book, rng=3, threads=1, **kw)
    b = ajx.project(beijing_book, rng=3, threads=2, **kw)
    pd.testing.assert_frame_equal(a.by_year, b.by_year)
    c = ajx.project(beijing_book, rng=4, **kw)
    assert not np.array_equal(a.by_year["insured_loss"], c.by_year["insured_loss"])


def test_homogeneous_book_converges_to_the_bonus_malus_stationary_law():
    n, paths, years = 1000, 40, 14
    book = pd.DataFrame({"policy_id": np.arange(n), "industry": "other", "size": "small", "headcount": 20, "limit_death": 800_000.0})
    bms = ajx.BonusMalus([0.6, 0.8, 1.0, 1.3, 1.6], start=2)  # -1 per claim-free year, +2 per claim
    flat = ajx.LossModel.default(counts="poisson", relativities={}, region_effects={}, normaliser={}).process_only()
    res = ajx.project(book, years=years, table="national-2025", paths=paths, rng=5, trend=0.0, severity_trend=0.0, history=bms,
                      model=flat)
    lam = 20 * flat.rates().loc["other"].sum()  # Poisson claims a year
    pi = bms.stationary(lam)
    last = res.classes[res.classes["year"] == res.classes["year"].max()]["share"].to_numpy()
    at_t = np.linalg.matrix_power(bms.transition_matrix(lam), years - 1)[bms.start]  # exact law after years-1 transitions
    bias = np.abs(at_t - pi)
    assert bias.max() < 2e-3  # the chain has (nearly) forgotten its start
    se = np.sqrt(pi * (1 - pi) / (n * paths))
    assert np.all(np.abs(last - pi) <= 4 * se + bias), (last, pi)
    # the book's mean relativity converges to the stationary mean relativity
    h = res.by_year.loc[res.by_year["year"] == res.by_year["year"].max(), "mean_history_factor"].mean()
    assert h == pytest.approx(bms.mean_relativity(lam), abs=4 * np.sqrt((pi * bms.relativities**2).sum() - (pi @ bms.relativities) ** 2) / np.sqrt(n * paths))


@pytest.mark.parametrize("ledger", ["carry_forward", "not_provisioned", "provisioned"])
@pytest.mark.parametrize("pooling", ["policy", "insurer"])
def test_prevention_ledger_conserves_money_every_path_and_year(beijing_book, ledger, pooling):
    res = ajx.project(beijing_book, years=4, table="beijing-2026", paths=30, rng=2, rules="beijing-2017", pooling=pooling,
                      fee_ratio={2026: 0.15, 2028: 0.20}, ledger=ledger, costs={"hazard_inspection": 400.0})
    y = res.by_year.sort_values(["path", "year"])
    lhs = y["prevention_budget"] + y["carried_in"]
    rhs = y["prevention_spent"] + y["carried_forward"] + y["lapsed"]
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9)
    np.testing.assert_allclose(y["prevention_expense"], y["prevention_budget"] - y["lapsed"], rtol=1e-9, atol=1e-6)
    prev = y.groupby("path")["carried_forward"].shift(1).fillna(0.0)
    np.testing.assert_allclose(y["carried_in"], prev, rtol=1e-12)
    assert y["fee_ratio"].round(4).tolist()[:4] == [0.15, 0.15, 0.20, 0.20]
    np.testing.assert_allclose(y["prevention_budget"], y["fee_ratio"] * y["premium_ex_vat"], rtol=1e-9)
    if ledger != "carry_forward":
        assert (y["carried_forward"] == 0).all()
    r = y["underwriting_result"]
    expect = y["premium_ex_vat"] - y["insured_loss"] - y["prevention_expense"] - y["commission"] - y["admin"] - y["levy"]
    np.testing.assert_allclose(r, expect, rtol=1e-9, atol=1e-3)


def test_indexed_beijing_limit_equals_the_formula_every_year():
    book = ajx.synth.portfolio(200, rng=3)
    res = ajx.project(book, years=9, start_year=2020, table="national-2025", paths=3, rng=1, limits="beijing")
    lim = res.by_year.groupby("year")["limit_death"].first()
    for year in range(2020, 2027):  # the packaged incomes reach income year 2025
        assert lim[year] == beijing_limit(year - 1), year
    g = 0.045  # the default income_growth, beyond the data (assumption)
    for year in (2027, 2028):
        bj = ajx.reference.income(2025, "beijing") * (1 + g) ** (year - 2026)
        nat = ajx.reference.income(2025, "national") * (1 + g) ** (year - 2026)
        assert lim[year] == pytest.approx(20 * bj - 20 * nat, rel=1e-12)
        assert lim[year] == indexed_limit(year)
    prem = res.by_year.groupby("year")["premium"].mean()
    assert prem[2028] > prem[2020]  # the limit part of the premium follows the limit through the ILF


def test_frequency_trend_scales_claims(beijing_book):
    res = ajx.project(beijing_book, years=3, table="beijing-2026", paths=400, rng=9, trend=-0.3, severity_trend=0.0)
    c = res.by_year.groupby("year")["claims"].agg(["mean", "sem"])
    ratio = c["mean"].iloc[2] / c["mean"].iloc[0]
    se = ratio * np.sqrt((c["sem"].iloc[2] / c["mean"].iloc[2]) ** 2 + (c["sem"].iloc[0] / c["mean"].iloc[0]) ** 2)
    assert abs(ratio - 0.7**2) < 4 * se
    assert res.by_year.groupby("year")["frequency_multiplier"].first().round(12).tolist() == [1.0, 0.7, 0.49]


def test_prevention_effectiveness_thins_claims_of_served_policies(beijing_book):
    kw = dict(years=1, table="beijing-2026", paths=400, rng=6, rules="beijing-2017", costs={"hazard_inspection": 1.0})
    base = ajx.project(beijing_book, **kw)
    eff = ajx.project(beijing_book, prevention_effectiveness=0.4, **kw)
    assert (eff.by_year["cost_share_funded"] == 1.0).all()
    sim = ajx.simulate(ajx.price(beijing_book, "beijing-2026"), years=400, rng=base.year_seed(0), events=True)
    x = sim.events["insured"].to_numpy()
    # each policy-year with claims is kept with probability 0.6: conditional mean and variance are exact
    expected, sd = 0.6 * x.sum(), np.sqrt((x**2).sum() * 0.6 * 0.4)
    assert abs(eff.by_year["insured_loss"].sum() - expected) < 4 * sd
    assert eff.by_year["insured_loss"].sum() < base.by_year["insured_loss"].sum()


def test_feedback_and_grade_transitions(beijing_book):
    frozen = ajx.project(beijing_book, years=3, table="beijing-2026", paths=50, rng=1, feedback=False)
    assert frozen.by_year.groupby("year")["premium"].std().max() == 0.0  # every path keeps the book's factors
    live = ajx.project(beijing_book, years=3, table="beijing-2026", paths=50, rng=1)
    assert live.by_year.groupby("year")["premium"].std().iloc[-1] > 0
    to_best = np.tile([0.0, 1.0, 0.0, 0.0], (4, 1))  # everyone reaches grade 1 (best) after a year
    g = ajx.project(beijing_book, years=2, table="beijing-2026", paths=5, rng=1, feedback=False, grade_transitions=to_best)
    pr = ajx.price(beijing_book.assign(std_grade=1), "beijing-2026")
    assert g.by_year.loc[g.by_year["year"] == 2027, "premium"].tolist() == [pr["premium"].sum()] * 5
    same = ajx.project(beijing_book, years=2, table="beijing-2026", paths=5, rng=1, feedback=False, grade_transitions=np.eye(4))
    assert same.by_year["premium"].tolist() == frozen.by_year.loc[frozen.by_year["path"] < 5].sort_values("year")["premium"].tolist()[:10]


def test_summary_bands_and_levers(beijing_book):
    res = ajx.project(beijing_book, years=2, table="beijing-2026", paths=60, rng=1)
    s = res.summary()
    assert list(s.columns) == ["mean", "p5", "p50", "p95"]
    row = s.loc[(2027, "insured_loss")]
    x = res.by_year.loc[res.by_year["year"] == 2027, "insured_loss"]
    assert row["mean"] == pytest.approx(x.mean()) and row["p95"] == pytest.approx(x.quantile(0.95))
    assert (s["p5"] <= s["p50"]).all() and (s["p50"] <= s["p95"]).all()
    lev = res.levers.set_index("lever")
    assert lev.loc["trend", "flag"] == "assumption" and lev.loc["prevention_effectiveness", "value"] == "0.0"
    assert res.provenance["state_bytes_per_path_policy"] == 2
    fig = res.plot()
    assert len(fig.axes) == 4


@pytest.mark.parametrize("kwargs, match", [
    ({"speed": 1}, r"unknown lever\(s\) \['speed'\]"),
    ({"trend": 2.0}, r"trend must be a number in \[-0\.5, 1\], got 2\.0"),
    ({"limits": "shanghai"}, r"limits must be 'as_priced', 'beijing', an amount, a LimitPolicy or \{year: LimitPolicy\}, got 'shanghai'"),
    ({"ledger": "accrual"}, r"ledger must be one of"),
    ({"fee_ratio": 0.10, "fee_floor": 0.15}, r"fee_ratio: 0\.1 in 2026 is below the floor of 0\.15"),
    ({"fee_ratio": 0.25}, r"exceeds the national 21 % cap"),
    ({"years": 0}, r"years must be an integer in \[1, 50\], got 0"),
    ({"paths": 0}, r"paths must be an integer in \[1, 1,000,000\], got 0"),
    ({"grade_transitions": np.eye(3)}, r"grade_transitions must be a 4 × 4 matrix"),
    ({"history": "lemaire"}, r"history must be 'table' or a BonusMalus"),
    ({"rules": "aq9010"}, r"rules 'aq9010' are contractual"),
])
def test_bad_levers(beijing_book, kwargs, match):
    with pytest.raises(ajx.ValidationError, match=match):
        ajx.project(beijing_book, **{"table": "beijing-2026", "paths": 2, **kwargs})


def test_flagged_fee_breach_runs(beijing_book):
    res = ajx.project(beijing_book, years=1, table="beijing-2026", paths=2, rng=1, fee_ratio=0.10, fee_floor=0.15, on_breach="flag")
    assert res.provenance["fee_breaches"][0]["rule"] == "floor"


@pytest.mark.parametrize("kwargs, match", [
    ({"block_years": 0}, r"project: block_years must be an integer in \[1, 100,000\], got 0"),
    ({"block_years": "a"}, r"project: block_years must be an integer"),
    ({"lift_limits": "no"}, r"project: lift_limits must be True or False, got 'no'"),
    ({"grade_transitions": "abc"}, r"project: grade_transitions must be a 4 × 4 matrix"),
    ({"history": np.array([1, 2])}, r"project: history must be 'table' or a BonusMalus"),
    ({"paths": 1_000_000, "years": 50}, r"project: 1,000,000 paths × .* is too large"),
    # issue 23
    ({"commission": 0.5}, r"project: commission must be at most 0\.05 of the ex-VAT premium .* got 0\.5"),
    ({"commission": 0.05, "admin": 0.6, "levy": 0.4}, r"project: commission \+ admin \+ levy must be below 1"),
    ({"progress": "yes"}, r"project: progress must be True, False, None or a callable\(done, total\), got 'yes'"),
    ({"progress": 5}, r"project: progress must be True, False, None or a callable"),
    ({"lift_limits": "no", "scenarios": [{"name": "a"}]}, r"lift_limits must be True or False, got 'no'"),
    ({"scenarios": [{"name": "a", "carry_forward": "no"}]}, r"scenario 'a': scenario\[0\]\.carry_forward: must be true or false"),
    ({"progress": "yes", "scenarios": [{"name": "a"}]}, r"project: progress must be True, False, None or a callable"),
])
def test_bad_inputs_found_in_review(beijing_book, kwargs, match):
    with pytest.raises(ajx.ValidationError, match=match):
        ajx.project(beijing_book, **{"table": "beijing-2026", "paths": 2, **kwargs})


def test_project_refuses_what_is_not_a_book():
    with pytest.raises(ajx.ValidationError, match=r"project: book must be a pandas DataFrame, got NoneType"):
        ajx.project(None, years=1, paths=2)
