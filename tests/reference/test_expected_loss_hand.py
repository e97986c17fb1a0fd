"""ajx.expected_loss against closed forms computed by hand (relative tolerance 1e-9).

Each case is chosen so that the answer has a closed form:
* a one-worker unit: a fatal accident kills that worker and nobody else, so it pays (1 + ρ) L,
  ρ = rescue/legal share + third-party share;
  a disability pays Σ_g mix_g · payout_g · L; a medical-only claim the capped lognormal mean
  (Klugman, Panjer & Willmot, *Loss Models*, limited expected value of the lognormal);
* a per-accident limit equal to the per-person limit with no co-workers hurt: every fatal
  accident pays L, of which L / (1 + ρ) is the death part;
* an annual aggregate equal to that limit: the year pays L · P(N ≥ 1), with
  P(N = 0) = e^{−λ} (Poisson), (r / (r + λ))^r (negative binomial), (1 + λ/α)^{−α} (Poisson
  with a gamma(α) common shock).

The models are the default's laws with its relativities switched off (every unit at its sector's
average) and, where a closed form of the count law is used, process risk only (the systemic year
effect and the parameter draws change only the aggregate term).
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ajx_actuarial as ajx
from ajx_actuarial import LimitPolicy, LossModel
from ajx_actuarial.reference import INDUSTRIES

RTOL = 1e-9


def _flat(**kw):
    """The default model without relativities: every unit at its sector's average rate."""
    return LossModel.default(relativities={}, region_effects={}, normaliser={}, **kw)


def _lev_lognormal(mu, s, c):
    return np.exp(mu + s * s / 2) * stats.norm.cdf((np.log(c) - mu - s * s) / s) + c * stats.norm.sf((np.log(c) - mu) / s)


def test_one_worker_unit_by_hand():
    m = _flat()
    book = pd.DataFrame({"policy_id": [1], "industry": ["other"], "size": ["micro"], "headcount": [1], "limit_death": [500_000.0]})
    e = ajx.expected_loss(book, m).iloc[0]
    L, rho = 500_000.0, m.rescue_share + m.third_party_share
    r = m.rates().loc["other"]
    dis = float(np.dot(m.grade_mix, m.payout_share)) * L  # death loss 1 083 760 > L: Table A shares of L pay
    med = _lev_lognormal(np.log(m.medical_median), m.medical_sigma, 0.10 * L)
    assert e["death"] == pytest.approx(r["fatal"] * L, rel=RTOL)
    assert e["rescue"] == pytest.approx(r["fatal"] * m.rescue_share * L, rel=RTOL)
    assert e["third_party"] == pytest.approx(r["fatal"] * m.third_party_share * L, rel=RTOL)
    assert e["disability"] == pytest.approx(r["disability"] * dis, rel=RTOL)
    assert e["medical"] == pytest.approx(r["medical"] * med, rel=RTOL)
    assert e["expected_loss"] == pytest.approx(r["fatal"] * (1 + rho) * L + r["disability"] * dis + r["medical"] * med, rel=RTOL)
    assert e["expected_deaths"] == pytest.approx(r["fatal"], rel=RTOL)


def test_per_accident_limit_binding_on_every_fatal_accident():
    m = _flat(injury_ratio=0.0)
    book = pd.DataFrame({"policy_id": [1, 2], "industry": ["coal_mine", "fishing"], "size": ["large", "medium"], "headcount": [3000, 500]})
    lp = LimitPolicy.fixed(400_000, accident_multiple=1, annual_multiple=1e6)
    e = ajx.expected_loss(book, m, lp)
    L, rho = 400_000.0, m.rescue_share + m.third_party_share
    rates = m.rates()
    for i, ind in enumerate(["coal_mine", "fishing"]):
        lam = book.headcount[i] * rates.loc[ind]
        assert e.loc[i, "death"] == pytest.approx(lam["fatal"] * L / (1 + rho), rel=RTOL)
        assert e.loc[i, "rescue"] + e.loc[i, "third_party"] == pytest.approx(lam["fatal"] * rho * L / (1 + rho), rel=RTOL)
        assert e.loc[i, "disability"] == pytest.approx(lam["disability"] * float(np.dot(m.grade_mix, m.payout_share)) * L, rel=RTOL)


def _fatal_only_model(**kw):
    fr = pd.DataFrame({"deaths_per_100k": 0.0, "disabilities_per_100k": 0.0, "medical_per_100": 0.0}, index=list(INDUSTRIES))
    fr.loc["coal_mine", "deaths_per_100k"] = 60_000.0  # a fatal accident rate of the order of 1 per worker-year
    return _flat(frequencies=fr, injury_ratio=0.0, counts=kw.pop("counts", "poisson"), **kw).process_only()


@pytest.mark.parametrize("counts, p0", [
    ("poisson", lambda lam: np.exp(-lam)),
    ("negbin", lambda lam: (4.0 / (4.0 + lam)) ** 4.0),          # frailty CV 0.5: r = 4
    ("gamma-shock", lambda lam: (1.0 + lam / 2.0) ** -2.0),     # shock CV 1/sqrt(2): alpha = 2
])
@pytest.mark.parametrize("headcount", [1, 40])
def test_annual_aggregate_equal_to_one_limit(counts, p0, headcount):
    kw = {"poisson": {}, "negbin": {"counts": "negbin", "frailty_cv": 0.5}, "gamma-shock": {"shock_cv": 2 ** -0.5}}[counts]
    m = _fatal_only_model(**kw)
    book = pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["micro"], "headcount": [headcount]})
    L, rho = 400_000.0, m.rescue_share + m.third_party_share
    e = ajx.expected_loss(book, m, LimitPolicy.fixed(L, accident_multiple=1, annual_multiple=1)).iloc[0]
    lam = headcount * float(m.rates().loc["coal_mine", "fatal"])
    paid = L * (1.0 - p0(lam))
    assert e["expected_loss"] == pytest.approx(paid, rel=RTOL)
    assert e["death"] == pytest.approx(paid / (1 + rho), rel=RTOL)
    assert e["rescue"] + e["third_party"] == pytest.approx(paid * rho / (1 + rho), rel=RTOL)
    assert e["aggregate_reduction"] == pytest.approx(lam * L - paid, rel=1e-7)
