"""experience_from_claims on small ledgers built by hand: every number checked by hand or by an
independent computation (stated per test)."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.claims import Trend, income_index, validate_ledger
from ajx_actuarial.claims.allocate import spread_count

POLICIES = pd.DataFrame({"policy_id": ["A", "B", "C"], "industry": ["construction", "construction", "coal_mine"],
                         "size": ["small", "medium", "large"], "headcount": [100, 400, 2000], "std_grade": [0, 1, 2]})


def tx(claim, policy, acc, rep, date, paid, reserve=0.0, injury="medical", deaths=None, accident=None):
    row = {"claim_id": claim, "policy_id": policy, "accident_date": acc, "report_date": rep, "transaction_date": date,
           "paid": paid, "case_reserve": reserve, "injury": injury, "deaths": int(injury == "death") if deaths is None else deaths}
    if accident is not None:
        row["accident_id"] = accident
    return row


@pytest.fixture
def ledger():
    """Accident years 2023-2025 valued 2025-12-31 (ages 36, 24, 12).

    Claim development by hand (incurred = paid + case reserve):
    AY2023: c1 (A) 1000 at 12 → 1000; c2 (B) reported at 24: 3000 → 3000.   cum 1000, 4000, 4000
    AY2024: c3 (A) 2000 at 12, reserve 2000 then paid 2500 at 24;           cum 2000, 2500
            c4 (C) reported in 2025 (age 24): 1000                            cum 2000, 3500
    AY2025: c5 (B) 1500 at 12.
    Incurred LDFs (volume): 12-24 = (4000 + 3500) / (1000 + 2000) = 2.5; 24-36 = 4000 / 4000 = 1.
    """
    rows = [
        tx(1, "A", "2023-02-01", "2023-02-10", "2023-03-01", 1000.0),
        tx(2, "B", "2023-06-01", "2024-03-01", "2024-04-01", 3000.0),
        tx(3, "A", "2024-01-15", "2024-02-01", "2024-02-01", 0.0, 2000.0),
        tx(3, "A", "2024-01-15", "2024-02-01", "2025-01-10", 2500.0, 0.0),
        tx(4, "C", "2024-09-01", "2025-01-20", "2025-02-01", 1000.0),
        tx(5, "B", "2025-03-01", "2025-03-05", "2025-04-01", 1500.0),
        tx(6, "C", "2025-11-01", "2026-01-15", "2026-02-01", 9999.0),  # reported after the valuation date
    ]
    return pd.DataFrame(rows)


def test_hand_computed_development(ledger):
    res = ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", min_age=0)
    ldf = res.ldf.loc[("incurred", "all")]
    assert ldf["12-24"] == pytest.approx(2.5) and ldf["24-36"] == pytest.approx(1.0)
    u = res.ultimates
    assert u.loc[2025, "incurred"] == 1500 and u.loc[2025, "ultimate"] == pytest.approx(1500 * 2.5)
    assert u.loc[2024, "ultimate"] == pytest.approx(3500) and u.loc[2023, "ultimate"] == pytest.approx(4000)
    assert list(u["age"]) == [36, 24, 12]
    # accidents: 12-24 = (2 + 2) / (1 + 1) = 2 → AY2025 1 reported, 2 ultimate
    assert res.ldf.loc[("claims", "all"), "12-24"] == pytest.approx(2.0)
    assert u.loc[2025, "claims_ultimate"] == pytest.approx(2.0)
    assert res.provenance["claims_not_reported_by_valuation"] == 1 and res.provenance["transactions_after_valuation"] == 1
    assert u["exposure"].tolist() == [2500.0] * 3  # every policy in force every year (portfolio form)
    s = res.summary()
    assert s.loc[2025, "ultimate_per_worker"] == pytest.approx(3750 / 2500)
    assert len(res.plot().axes) == 1 and "Experience from claims" in res._repr_html_()
    assert res.development("incurred").loc["all", "cdf@12"] == pytest.approx(2.5)


def test_allocation_in_proportion_to_reported(ledger):
    """AY2025's IBNR (3750 − 1500) all goes to B, the only policy with a reported 2025 claim; its
    one reported accident becomes 2 (ultimate 2 accidents, 1 reported)."""
    res = ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", min_age=0)
    e = res.experience.set_index(["policy_id", "year"])
    assert e.loc[("B", 2025), "incurred"] == pytest.approx(3750.0)
    assert e.loc[("B", 2025), "claims"] == 2 and e.loc[("B", 2025), "claims_reported"] == 1
    assert e.loc[("A", 2025), "incurred"] == 0 and e.loc[("C", 2025), "claims"] == 0
    assert e.loc[("C", 2024), "incurred"] == pytest.approx(1000.0) and e.loc[("A", 2024), "incurred"] == pytest.approx(2500.0)
    assert e["incurred"].sum() == pytest.approx(res.ultimates["ultimate"].sum())
    ajx.validate_experience(res.experience)  # the contract holds


def test_allocation_by_exposure(ledger):
    """allocate='exposure': AY2025's IBNR 2250 is spread 100 : 400 : 2000 over A, B, C."""
    res = ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", min_age=0, allocate="exposure")
    e = res.experience.set_index(["policy_id", "year"])
    np.testing.assert_allclose([e.loc[(p, 2025), "incurred"] for p in "ABC"], [2250 * 0.04, 1500 + 2250 * 0.16, 2250 * 0.8])
    assert e.xs(2025, level="year")["claims"].sum() == 2  # 1 reported + 1 IBNR, placed by exposure


def test_default_years_leave_out_the_immature_year(ledger):
    res = ajx.experience_from_claims(POLICIES, ledger, "2025-06-30")
    assert sorted(res.experience["year"].unique()) == [2023, 2024]  # 2025 is 6 months old
    assert res.ultimates["age"].tolist() == [30, 18, 6]


def test_paid_basis_and_column_mapping(ledger):
    mapped = ledger.drop(columns=["case_reserve"]).rename(columns={"claim_id": "赔案号", "paid": "Paid"})
    res = ajx.experience_from_claims(POLICIES, mapped, "2025-12-31", columns={"赔案号": "claim_id"}, min_age=0)
    assert res.provenance["basis"] == "paid"
    # paid at 12 months: AY2023 1000, AY2024 0 (c3 only reserved). chainladder stores zero as
    # missing, so AY2024 leaves the 12-24 average: 4000 / 1000 (not (4000 + 3500) / 1000)
    assert res.ldf.loc[("paid", "all"), "12-24"] == pytest.approx(4.0)


def test_register_form_and_segments(ledger):
    reg = pd.concat([POLICIES.assign(year=y, exposure=POLICIES["headcount"] * 0.5) for y in (2023, 2024, 2025)], ignore_index=True)
    res = ajx.experience_from_claims(reg, ledger, "2025-12-31", by="industry", min_age=0)
    assert res.ultimates.index.names == ["industry", "accident_year"]
    assert res.ultimates.loc[("construction", 2023), "exposure"] == 250.0
    # coal has one claim: its 12-24 factor cannot be estimated (nothing at 12 months) and comes from the book
    assert res.ldf.loc[("incurred", "coal_mine"), "12-24"] == pytest.approx(2.5)
    assert res.provenance["factors_from_whole_book"] > 0
    assert set(res.triangles["incurred"].index["industry"]) == {"coal_mine", "construction"}
    bad = reg[~((reg["policy_id"] == "C") & (reg["year"] == 2024))]
    with pytest.raises(ajx.ValidationError, match=r"claims: 1 claim\(s\) for policy years not in the register \(policy_id/policy_year \['C/2024'\]\)"):
        ajx.experience_from_claims(bad, ledger, "2025-12-31")


def test_bf_and_cape_cod(ledger):
    """BF: ultimate = reported + apriori × weight × (1 − 1/CDF); Cape Cod estimates the apriori."""
    pol = POLICIES.assign(premium=[1000.0, 2000.0, 5000.0])
    bf = ajx.experience_from_claims(pol, ledger, "2025-12-31", method="bf", apriori=0.5, min_age=0)
    assert bf.provenance["weight"] == "premium"
    assert bf.ultimates.loc[2025, "ultimate"] == pytest.approx(1500 + 0.5 * 8000 * (1 - 1 / 2.5))
    cc = ajx.experience_from_claims(pol, ledger, "2025-12-31", method="capecod", min_age=0)
    # Cape Cod ELR = Σ reported / Σ (weight / CDF) = (4000 + 3500 + 1500) / (8000 + 8000 + 8000 / 2.5)
    elr = 9000 / (16000 + 3200)
    assert cc.ultimates.loc[2025, "ultimate"] == pytest.approx(1500 + elr * 8000 * 0.6)
    with pytest.raises(ajx.ValidationError, match=r"method='bf' needs apriori > 0"):
        ajx.experience_from_claims(pol, ledger, "2025-12-31", method="bf")


def test_tails(ledger):
    res = ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", tail=1.05, min_age=0)
    assert res.ultimates.loc[2023, "ultimate"] == pytest.approx(4000 * 1.05)
    assert res.ultimates.loc[2025, "cdf"] == pytest.approx(2.5 * 1.05)
    with pytest.raises(ajx.ValidationError, match=r"tail must be None, a factor >= 1 or one of"):
        ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", tail=0.9)


def test_trend_factors_and_their_effect(ledger):
    """Exposure is on-levelled by the frequency trend, incurred by the income ratio: claims per
    exposure and incurred per claim come out at rating-year level."""
    res = ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", trend={"frequency": -0.06, "to_year": 2027}, min_age=0)
    e = res.experience
    k = 2027 - e["year"].to_numpy()
    np.testing.assert_allclose(e["trend_frequency"], 0.94 ** k)
    np.testing.assert_allclose(e["exposure"], e["worker_years"] / 0.94 ** k)
    inc = income_index(e["year"] - 1)
    np.testing.assert_allclose(e["trend_severity"], income_index([2026])[0] / inc)
    untrended = ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", min_age=0).experience
    np.testing.assert_allclose(e["incurred"], untrended["incurred"] * e["trend_severity"])
    assert Trend().frequency == -0.065 and Trend(severity=0.05).severity_factor([2024], 2026)[0] == pytest.approx(1.05**2)
    assert income_index([2024, 2025]).round(0).tolist() == [54188, 56502]  # DOMAIN.md §5.2
    with pytest.raises(ajx.ValidationError, match=r"trend: frequency must be an annual rate in \(-0.5, 0.5\), got 2"):
        Trend(frequency=2)


def test_catastrophe_accidents_are_taken_out_and_loaded_back(ledger):
    cat = [tx(10 + i, "C", "2024-05-01", "2024-05-02", "2024-06-01", 500_000.0, injury="death", accident="X") for i in range(4)]
    led = pd.concat([ledger, pd.DataFrame(cat)], ignore_index=True)
    led["accident_id"] = led["accident_id"].fillna(led["claim_id"].astype(str))
    res = ajx.experience_from_claims(POLICIES, led, "2025-12-31", large="catastrophe", min_age=0)
    base = ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", min_age=0)
    assert res.large.loc["coal_mine", "accidents"] == 1 and res.large.loc["coal_mine", "deaths"] == 4
    assert res.ultimates["ultimate"].sum() == pytest.approx(base.ultimates["ultimate"].sum())  # the cluster is out
    # load = exposure × fatal rate × Σ_{K>=3} P(K) × min(K × L × (1 + 0.5 × mean disability share), limit_accident)
    m = ajx.LossModel.default()
    pmf = np.asarray(m.cluster)
    share = float(np.dot(m.grade_mix, m.payout_share))
    k = np.arange(pmf.size)
    per = sum(pmf[i] * min(i * 400_000 * (1 + m.injury_ratio * share), 4_000_000) for i in k[k >= 3])
    e = res.experience.set_index(["policy_id", "year"])
    assert e.loc[("C", 2024), "large_load"] == pytest.approx(2000 * m.rates().loc["coal_mine", "fatal"] * per, rel=1e-12)
    assert (e["incurred"] - base.experience.set_index(["policy_id", "year"])["incurred"]).to_numpy() == pytest.approx(e["large_load"].to_numpy())


def test_cap_spreads_the_excess_by_industry(ledger):
    """Cap 2000: c2 (3000) and c3 (2500) exceed it by 1000 and 500, both construction; the
    construction excess factor is 1500 / capped reported (1000 + 2000 + 2000 + 1500) = 1500 / 6500."""
    res = ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", large={"cap": 2000}, min_age=0)
    assert res.large.loc["construction", "excess"] == 1500
    assert res.large.loc["construction", "excess_factor"] == pytest.approx(1500 / 6500)
    assert res.large.loc["coal_mine", "excess_factor"] == 0
    assert res.triangles["incurred"].to_frame(origin_as_datetime=False).max().max() <= 6500
    e = res.experience
    con = e["industry"] == "construction"
    np.testing.assert_allclose(e.loc[con, "large_load"], (e.loc[con, "incurred"] - e.loc[con, "large_load"]) * 1500 / 6500)


def test_integer_allocation_is_exact_and_proportional():
    """Systematic sampling: each item gets K w / W rounded up or down, totals exact, zero weights nothing."""
    g = np.random.default_rng(0)
    cell = np.repeat(np.arange(50), 40)
    w = g.exponential(size=cell.size) * (g.random(cell.size) > 0.2)
    k = g.integers(0, 30, 50)
    out = spread_count(cell, w, g.integers(0, 2**62, cell.size), k)
    np.testing.assert_array_equal(np.bincount(cell, weights=out, minlength=50), k)
    want = k[cell] * w / np.bincount(cell, weights=w)[cell]
    assert (np.abs(out - want) < 1).all() and (out[w == 0] == 0).all()


@pytest.mark.parametrize("change, match", [
    ({"accident_date": "2024-13-45"}, r"claims: column 'accident_date' has dates that do not parse \(use YYYY-MM-DD\); bad rows \[0\] \(values \['2024-13-45'\]\)"),
    ({"transaction_date": "2023-01-15"}, r"column 'transaction_date' must be on or after accident_date \(a payment or reserve before the accident\); bad rows \[0\]"),
    ({"report_date": "2023-01-20"}, r"column 'report_date' must be on or after accident_date"),
    ({"policy_id": "ZZ"}, r"claims: column 'policy_id' has policies not in the policy register: \['ZZ'\]"),
    ({"injury": "burn"}, r"column 'injury' must be one of \['death', 'disability', 'medical'\]"),
    ({"case_reserve": -5.0}, r"column 'case_reserve' must be >= 0"),
    ({"paid": "lots"}, r"column 'paid' must be finite numbers"),
])
def test_bad_ledgers(ledger, change, match):
    bad = ledger.copy().astype({k: object for k in change})
    for k, v in change.items():
        bad.loc[0, k] = v
    with pytest.raises(ajx.ValidationError, match=match):
        ajx.experience_from_claims(POLICIES, bad, "2025-12-31")


def test_more_errors(ledger):
    with pytest.raises(ajx.ValidationError, match=r"claims: missing required column\(s\) \['paid'\]"):
        validate_ledger(ledger.drop(columns=["paid"]))
    two = ledger.copy()
    two.loc[3, "policy_id"] = "B"
    with pytest.raises(ajx.ValidationError, match=r"column 'policy_id' must be the same on every row of a claim; claim\(s\) \['3'\]"):
        validate_ledger(two)
    with pytest.raises(ajx.ValidationError, match=r"valuation_date must be a date \(YYYY-MM-DD\), got 'mid-2025'"):
        ajx.experience_from_claims(POLICIES, ledger, "mid-2025")
    with pytest.raises(ajx.ValidationError, match=r"no claim was reported by the valuation date 2022-12-31"):
        ajx.experience_from_claims(POLICIES, ledger, "2022-12-31")
    with pytest.raises(ajx.ValidationError, match=r"method must be one of \['chainladder', 'bf', 'capecod'\]"):
        ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", method="mack")
    with pytest.raises(ajx.ValidationError, match=r"by= names column\(s\) \['colour'\] not in the policy register"):
        ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", by="colour")
    with pytest.raises(ajx.ValidationError, match=r"large: cap must be a threshold > 0"):
        ajx.experience_from_claims(POLICIES, ledger, "2025-12-31", large={"cap": -1})
    with pytest.raises(ajx.ValidationError, match=r"policies: column 'headcount' must be >= 1"):
        ajx.experience_from_claims(POLICIES.assign(headcount=0), ledger, "2025-12-31")


def test_deaths_and_late_disability_grades_are_counted_when_they_appear():
    """A claim reported as medical and graded a disability 14 months later counts as a
    disability at age 24, not 12; a death counts at once."""
    rows = [tx(1, "A", "2024-03-01", "2024-03-05", "2024-03-05", 0.0, 20000.0),
            tx(1, "A", "2024-03-01", "2024-03-05", "2025-05-01", 60000.0, 0.0, injury="disability"),
            tx(2, "B", "2024-04-01", "2024-04-02", "2024-04-02", 0.0, 500000.0, injury="death"),
            tx(3, "B", "2025-04-01", "2025-04-02", "2025-04-02", 0.0, 20000.0)]
    res = ajx.experience_from_claims(POLICIES, pd.DataFrame(rows), "2025-12-31", min_age=0)
    dis = res.triangles["disabilities"].to_frame(origin_as_datetime=False).to_numpy()  # rows AY2024, AY2025; ages 12, 24
    assert np.isnan(dis[0, 0]) and dis[0, 1] == 1
    assert res.triangles["deaths"].to_frame(origin_as_datetime=False).to_numpy()[0, 0] == 1
    e = res.experience.set_index(["policy_id", "year"])
    assert e.loc[("A", 2024), "disabilities"] == 1 and e.loc[("B", 2024), "deaths"] == 1
