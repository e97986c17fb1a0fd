"""The regulator's policy lab (issue 21): a scenario's limit is the policy under test, victims'
measures from the same simulated draws, C-ROSS capital per scenario, scenarios through the years.

References: the simulation alone (``ajx.simulate`` on the same seed gives the same draws, so the
victims' share must equal its insured ÷ gross exactly); the model's grade law in closed form for
the share of victims paid in full (binomial tolerance, 4 standard errors); the stress run itself
for the projection's first year (identical pricing, 1e-9 relative).
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.errors import ValidationError
from ajx_actuarial.rating import RateTable
from ajx_actuarial.rating.table import packaged_tables

LOW = 150_000  # below every packaged table's minimum (Hubei's is 200 000)


@pytest.fixture(scope="module")
def book():
    return ajx.synth.portfolio(1_500, rng=11)


@pytest.mark.parametrize("name", packaged_tables())
def test_a_limit_below_the_tables_minimum_is_priced_and_simulated_at_that_limit(book, name):
    t = RateTable.load(name)
    assert LOW < t.min_limit_death
    sc = [{"name": "low", "limits": {"policy": "fixed", "amount": LOW}},
          {"name": "high", "limits": {"policy": "fixed", "amount": 1_500_000}}]
    if t.exposure_base is not None:  # per tonne / per project cost: the exposure the table rates (91 t, 600 000 CNY a worker)
        book = book.assign(output_tonnes=book["headcount"] * 91.0, project_cost=book["headcount"] * 600_000.0)
    st = ajx.stress.run_detailed(book, sc, years=60, rng=3, table=name)
    low = st.priced["low"]
    assert (low["limit_death"] == LOW).all() and not low.get("limit_lifted", pd.Series(False)).any()
    # the table's increased-limit factor at 150 000: proportional below its first point (its rule)
    first = t.ilf.limits[0]
    if first > LOW and t.ilf.source == "table":
        ic = low["industry"].cat.codes.to_numpy()
        np.testing.assert_allclose(low["ilf"], t.ilf(ic, np.full(len(low), first)) * LOW / first, rtol=1e-12)
    assert st.table.loc["low", "premium"] < st.table.loc["high", "premium"]
    assert st.table.loc["low", "limit_death"] == LOW
    # simulated at its own limit: no death pays more than 150 000
    assert st.table.loc["low", "payout_per_death"] <= LOW * (1 + 1e-9)
    assert "below the table's minimum" in st.table.loc["low", "note"]


def test_a_table_that_does_not_extrapolate_refuses_the_limit(book):
    t = RateTable.load("national-2025")
    spec = dict(t.data["limits"]["ilf"])
    spec["extrapolate"] = "none"
    strict = t.with_changes(limits={"ilf": spec})
    with pytest.raises(ValidationError, match="scenario 'low'.*outside what the table's increased-limit factors price"):
        ajx.stress.run(book, [{"name": "low", "limits": {"policy": "fixed", "amount": LOW}}], years=10, table=strict)
    with pytest.raises(ValidationError, match="outside what the table"):
        ajx.price(ajx.LimitPolicy.fixed(5_000_000).apply(book), strict)
    # inside the schedule it prices as before
    assert ajx.price(book, strict)["premium"].sum() == pytest.approx(ajx.price(book, t)["premium"].sum(), rel=1e-12)


def test_two_limits_never_give_the_same_premium_under_beijing_2026():
    bj = ajx.synth.portfolio(2_000, preset="beijing", rng=2)
    t = ajx.stress.run(bj, "regulator-2026", years=40, rng=1, table="beijing-2026")
    lim = t.loc[t["levers"].str.contains("limits") | (t.index == "baseline"), "limit_death"]
    assert len(lim) == 5 and lim.nunique() == len(lim)  # 400k, 765 520, 800k, 1 083 760 and the table's 802 460 as priced
    prem = t.loc[lim.index, "premium"]
    assert prem.nunique() == len(prem)
    assert (np.diff(prem.loc[lim.sort_values().index].to_numpy()) > 0).all()


def test_victim_share_rises_with_the_limit_and_equals_insured_over_gross_of_the_same_draws(book):
    limits = [400_000, 800_000, 1_083_760, 2_000_000]
    sc = [{"name": f"L{x}", "limits": {"policy": "fixed", "amount": x}} for x in limits]
    seed = 7
    st = ajx.stress.run_detailed(book, sc, years=300, rng=seed)
    share = st.table["victim_compensation_share"].to_numpy()
    assert (np.diff(share) > 0).all() and 0 < share[0] < share[-1] <= 1
    for x in limits:
        a = st.simulations[f"L{x}"].annual
        assert st.table.loc[f"L{x}", "victim_compensation_share"] == a["insured_loss"].sum() / a["gross_loss"].sum()
    # the same draws as simulate() alone on the same seed: the pass changes nothing
    alone = ajx.simulate(st.priced["L400000"], years=300, rng=np.random.SeedSequence(seed), limits=ajx.LimitPolicy.fixed(400_000))
    a = st.simulations["L400000"].annual
    pd.testing.assert_frame_equal(alone.annual, a)
    assert alone.annual["insured_loss"].sum() / alone.annual["gross_loss"].sum() == share[0]
    # payout per death: the per-person limit below the civil compensation of a death (20 × income)
    m = ajx.LossModel.default()
    assert st.table.loc["L400000", "payout_per_death_vs_20x_income"] == pytest.approx(400_000 / m.death_loss, rel=0.01)


def test_share_paid_in_full_matches_the_grade_law():
    # accident and annual limits far away: a victim is paid in full exactly when the per-person limit covers
    # the civil compensation: deaths when L >= death loss; a disability of grade g when civil_g × dl <= payout_g × L
    m = ajx.LossModel.default()
    bk = ajx.synth.portfolio(3_000, rng=5)
    for L in (1_200_000, 2_000_000):
        lp = {"policy": "fixed", "amount": L, "accident_multiple": 200, "annual_multiple": 200}
        st = ajx.stress.run_detailed(bk, [{"name": "x", "limits": lp}], years=1500, rng=2, exact=False)
        row = st.table.loc["x"]
        assert row["share_deaths_paid_in_full"] == 1.0
        mix = np.asarray(m.grade_mix, dtype=float)
        full = np.asarray(m.civil_share) * m.death_loss <= np.asarray(m.payout_share) * L
        p = float(mix[full].sum() / mix.sum())
        n = st.simulations["x"].annual["disabilities"].sum()
        assert row["share_disabilities_paid_in_full"] == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n) + 1e-12)
    st = ajx.stress.run_detailed(bk, [{"name": "y", "limits": {"policy": "fixed", "amount": 1_000_000}}], years=200, rng=2, exact=False)
    assert st.table.loc["y", "share_deaths_paid_in_full"] == 0.0  # 1 000 000 < 1 083 760


def test_capital_columns_follow_c_ross_by_hand(book):
    st = ajx.stress.run_detailed(book, [{"name": "base"}], years=100, rng=1)
    r = st.table.loc["base"]
    t = RateTable.load("national-2025").loadings
    cr = r["loss_ratio"] + t["prevention_fee"] + t["commission"] + t["admin"] + t["levy"]
    assert r["combined_ratio"] == pytest.approx(cr, rel=1e-12)
    k1 = -0.05 if cr <= 0.95 else 0.0 if cr <= 1.0 else 0.05 if cr <= 1.05 else 0.10
    mc_p = r["premium_ex_vat"] * 0.203 * (1 + k1)
    mc_r = r["outstanding_reserve"] * 0.433
    assert r["cross_premium_capital"] == pytest.approx(mc_p, rel=1e-12)
    assert r["cross_reserve_capital"] == pytest.approx(mc_r, rel=1e-12)
    assert r["cross_minimum_capital"] == pytest.approx(np.sqrt(mc_p**2 + mc_p * mc_r + mc_r**2), rel=1e-12)
    # reserve: the development pattern's outstanding share of the expected loss (0.5-1 of a year for this line)
    assert 0.5 < r["outstanding_reserve"] / r["expected_loss"] < 1.0


def test_project_scenarios_year_one_equals_the_stress_run():
    bk = ajx.synth.portfolio(1_200, preset="beijing", rng=3)
    kw = dict(table="beijing-2026")
    proj = ajx.project(bk, years=2, paths=60, rng=9, scenarios="regulator-2026", **kw)
    st = ajx.stress.run(bk, "regulator-2026", years=60, rng=9, **kw)
    y1 = proj.by_year[proj.by_year["year"] == 2026].groupby("scenario", observed=True).mean(numeric_only=True)
    assert list(y1.index) == list(st.index) == proj.scenarios
    for c in ("premium", "premium_ex_vat", "prevention_budget"):
        np.testing.assert_allclose(y1[c].to_numpy(), st[c].to_numpy(), rtol=1e-9, err_msg=c)
    lim = st["limit_death"].dropna()
    np.testing.assert_allclose(y1.loc[lim.index, "limit_death"], lim, rtol=1e-12)
    # the Beijing formula is indexed: 2027 uses 2025 incomes
    bjl = proj.by_year.query("scenario == 'beijing-formula-limits'").groupby("year")["limit_death"].first()
    assert bjl[2026] == pytest.approx(765_520) and bjl[2027] > bjl[2026]
    # common random numbers: the fee scenario has the baseline's claims on every path
    base = proj.scenario("baseline").by_year
    fee = proj.scenario("fee-15%").by_year
    np.testing.assert_array_equal(base["insured_loss"], fee["insured_loss"])
    cap = proj.capital()
    assert set(cap.internal.index.get_level_values("scenario")) == set(proj.scenarios)
    assert isinstance(cap.p_below(), pd.Series) and len(cap.summary()) == 2 * len(proj.scenarios)


def test_project_scenarios_refuses_a_conflicting_lever():
    bk = ajx.synth.portfolio(300, rng=3)
    with pytest.raises(ValidationError, match="scenario 'minimum-400k' sets 'limits' and so does the lever limits="):
        ajx.project(bk, years=1, paths=5, rng=1, scenarios="regulator-2026", limits="beijing")
    with pytest.raises(ValidationError, match="unknown key"):
        ajx.project(bk, years=1, paths=5, rng=1, scenarios=[{"name": "x", "limit": 3}])
    # a lever no scenario sets applies to all of them
    r = ajx.project(bk, years=1, paths=5, rng=1, scenarios=[{"name": "a"}, {"name": "b", "frequency_multiplier": 1.2}], trend=-0.1)
    assert set(r.levers.query("lever == 'trend'")["value"]) == {"-0.1"}


def test_the_national_2025_set():
    s = ajx.stress.load("national-2025")
    names = [x.name for x in s.scenarios]
    assert {"minimum-400k", "minimum-800k", "20x-national-income", "beijing-formula", "prevention-21%"} <= set(names)
    bk = ajx.synth.portfolio(1_000, rng=4)
    t = ajx.stress.run(bk, s, years=30, rng=1)
    assert t.loc["20x-national-income", "limit_death"] == 1_083_760
    assert t.loc["prevention-21%", "fee_ratio"] == 0.21
    assert t.loc["prevention-21%", "premium"] == t.loc["as-priced", "premium"]
    assert t.loc["prevention-21%-repriced", "premium"] > t.loc["as-priced", "premium"]
