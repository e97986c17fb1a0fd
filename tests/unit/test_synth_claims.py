"""Claims ledger: same accidents as experience(), exact aggregation at full development, and the
truth's reporting and payment pattern recovered from the transactions within sampling error."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ajx_actuarial as ajx
from ajx_actuarial.synth import DevelopmentTruth

COLUMNS = ["claim_id", "accident_id", "policy_id", "policy_year", "industry", "accident_date", "report_date",
           "transaction_date", "paid", "case_reserve", "injury", "grade", "deaths", "closed_date"]


@pytest.fixture(scope="module")
def book():
    return ajx.synth.portfolio(40_000, rng=8)


@pytest.fixture(scope="module")
def full(book):
    return ajx.synth.claims(book, 3, "2100-12-31", rng=9)


def test_schema(full):
    assert list(full.columns) == COLUMNS
    assert (full["paid"] >= 0).all() and (full["case_reserve"] >= 0).all()
    assert (full["report_date"] >= full["accident_date"]).all() and (full["transaction_date"] >= full["report_date"]).all()
    assert set(full["injury"].astype(str)) == {"death", "disability", "medical"}
    dis = full["injury"] == "disability"
    assert full.loc[dis, "grade"].between(1, 10).all() and (full.loc[~dis, "grade"] == 0).all()
    assert full["closed_date"].notna().all()  # everything has closed by 2100
    assert full.groupby("claim_id")["accident_id"].nunique().max() == 1
    assert {"model", "development", "valuation_date"} <= set(full.attrs)


def test_full_development_aggregates_exactly_to_experience(book, full):
    exp = ajx.synth.experience(book, 3, rng=9).set_index(["policy_id", "year"])
    last = full.groupby("claim_id").tail(1)
    agg = pd.DataFrame({
        "claims": full.groupby(["policy_id", "policy_year"])["accident_id"].nunique(),
        "deaths": last.groupby(["policy_id", "policy_year"])["deaths"].sum(),
        "disabilities": (last["injury"] == "disability").groupby([last["policy_id"], last["policy_year"]]).sum(),
        "incurred": full.groupby(["policy_id", "policy_year"])["paid"].sum(),
    }).rename_axis(["policy_id", "year"])
    got = agg.reindex(exp.index, fill_value=0)
    for c in ("claims", "deaths", "disabilities"):
        np.testing.assert_array_equal(got[c].to_numpy(dtype=np.int64), exp[c].to_numpy())
    np.testing.assert_array_equal(np.round(got["incurred"].to_numpy(), 2), np.round(exp["incurred"].to_numpy(), 2))
    assert exp["claims"].sum() > 1000 and exp["deaths"].sum() > 5


def test_the_ledger_is_accepted_by_the_claims_package(full):
    ledger = pytest.importorskip("ajx_actuarial.claims.ledger")
    v = ledger.validate_ledger(full)
    assert len(v) == len(full)


def test_valuation_cuts_the_ledger(book, full):
    val = pd.Timestamp("2022-06-30")
    part = ajx.synth.claims(book, 3, val, rng=9)
    assert (part["transaction_date"] <= val).all() and (part["report_date"] <= val).all()
    # the same claims (same ids), cut at the date
    keep = full[full["transaction_date"] <= val]
    pd.testing.assert_frame_equal(part.drop(columns=["closed_date", "injury", "grade"]).reset_index(drop=True),
                                  keep.drop(columns=["closed_date", "injury", "grade"]).reset_index(drop=True))
    last = part.groupby("claim_id").tail(1)
    open_ = last["closed_date"].isna()
    assert (last.loc[~open_, "case_reserve"] == 0).all() and open_.any()
    # disabilities show as medical injuries until appraised
    pend = full.groupby("claim_id").tail(1)
    dis_ids = pend.loc[pend["injury"] == "disability", "claim_id"]
    seen = part[part["claim_id"].isin(dis_ids)].groupby("claim_id").tail(1)
    assert (seen["injury"] == "medical").any() and ((seen["injury"] == "medical") == (seen["grade"] == 0)).all()
    with pytest.raises(ajx.ValidationError, match=r"claims: valuation_date must be a date"):
        ajx.synth.claims(book, 1, "not a date", rng=1)


@pytest.fixture(scope="module")
def cohort():
    """One accident year (2021), full exposure, large book: the development sample."""
    book = ajx.synth.portfolio(120_000, rng=12)
    return ajx.synth.claims(book, 1, "2100-12-31", rng=13, partial_share=0.0)


def test_report_delay_distribution_is_recovered(cohort):
    dev = DevelopmentTruth()
    first = cohort.groupby("claim_id").head(1)
    final = cohort.groupby("claim_id").tail(1).set_index("claim_id")["injury"].astype(str)
    delay = (first["report_date"] - first["accident_date"]).dt.days.to_numpy()
    injury = final.loc[first["claim_id"]].to_numpy()
    for inj in ("death", "disability", "medical"):
        d = delay[injury == inj]
        n = d.size
        assert n > 20, inj
        for days in (0, 1, 3, 7, 14, 30, 90):
            p = float(dev.report_cdf(inj, days))
            sd = max(np.sqrt(p * (1 - p) / n), 1 / n)
            assert np.mean(d <= days) == pytest.approx(p, abs=4 * sd), (inj, days)


def test_paid_to_ultimate_by_development_year_is_recovered(cohort):
    """Share of ultimate paid by the end of development year d (accident year 2021), per injury type,
    against the truth's exact pattern: uniform accident day ⊛ report delay ⊛ settlement delay."""
    dev = DevelopmentTruth()
    horizon = 3000
    final = cohort.groupby("claim_id").tail(1).set_index("claim_id")
    ultimate = cohort.groupby("claim_id")["paid"].sum()
    settle = cohort[cohort["paid"] > 0].groupby("claim_id")["transaction_date"].max()
    acc = cohort.groupby("claim_id")["accident_date"].first()
    start = pd.Timestamp("2021-01-01")
    for inj in ("death", "disability", "medical"):
        ids = final.index[(final["injury"].astype(str) == inj) & (ultimate.loc[final.index] > 0)]
        u = ultimate.loc[ids].to_numpy()
        s = (settle.loc[ids] - start).dt.days.to_numpy()
        assert (acc.loc[ids] >= start).all()
        pmf = dev.settlement_pmf(inj, horizon)
        cdf = np.cumsum(pmf)
        for d in (1, 2, 3):
            end = (pd.Timestamp(f"{2021 + d}-01-01") - start).days - 1
            # P(accident day a + delay <= end), a uniform on 0..364
            a = np.arange(365)
            expected = float(np.mean(cdf[np.clip(end - a, 0, horizon)] * (end - a >= 0)))
            got = u[s <= end].sum() / u.sum()
            # model standard error of the amount-weighted share (settlement independent of amount), and
            # for rare misses the exact Poisson tail at the same 4-sd probability, in the largest claim's weight
            se = np.sqrt((u**2).sum() * expected * (1 - expected)) / u.sum()
            m = u.size * (1 - expected)
            rare = (stats.poisson.ppf(1 - 3.2e-5, m) - m) * u.max() / u.sum() if m < 100 else 0.0
            assert got == pytest.approx(expected, abs=max(4 * se, rare) + 1e-12), (inj, d, got, expected)
    # deaths are paid within months, disabilities late
    pattern = {inj: float(np.cumsum(dev.settlement_pmf(inj, horizon))[364]) for inj in ("death", "disability", "medical")}
    assert pattern["death"] > 0.95 and pattern["medical"] > 0.95 and pattern["disability"] < 0.6


@pytest.mark.parametrize("kwargs, message", [
    ({"valuation_date": None}, r"claims: valuation_date must be a date \(YYYY-MM-DD\), got None"),
    ({"valuation_date": pd.NaT}, r"claims: valuation_date must be a date"),
    ({"valuation_date": "2030-12-31", "development": "x"}, r"claims: development must be a DevelopmentTruth, got str"),
])
def test_bad_claims_inputs_found_in_review(book, kwargs, message):
    with pytest.raises(ajx.ValidationError, match=message):
        ajx.synth.claims(book, 2, rng=1, **kwargs)


def test_check_model_must_be_a_loss_model(book):
    with pytest.raises(ajx.ValidationError, match=r"check: model must be a LossModel, got str"):
        ajx.synth.check(book, model="x")
    with pytest.raises(ajx.ValidationError, match=r"claims: model must be a LossModel, got str"):
        ajx.synth.claims(book, 2, "2030-12-31", rng=1, model="x")
