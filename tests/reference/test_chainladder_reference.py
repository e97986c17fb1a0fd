"""Chain ladder through ``ajx.experience_from_claims`` on published triangles.

Each published cumulative triangle is written out as a claims ledger (one claim per accident
year, one payment per development year equal to the triangle's increment, dated on the last
day of that development year; negative increments are recoveries), then read back by
``experience_from_claims``: ledger → triangles → chainladder development → ultimates. The
age-to-age factors and reserves must equal the published ones.

* **RAA** (Historical Loss Development Study, 1991; ``chainladder.load_sample("raa")``): Mack
  (1994), "Measuring the variability of chain ladder reserve estimates", CAS Forum Spring 1994,
  pp. 101–182, RAA example: f̂_k = 2.999, 1.624, 1.271, 1.172, 1.113, 1.042, 1.033, 1.017,
  1.009 and reserves R̂_i = 154, 617, 1 636, 2 747, 3 649, 5 435, 10 907, 10 650, 16 339 (total
  52 135); its tables of σ̂_k² and s.e.(R̂_i) are on p. 130 (page as cited by chainladder-python's
  own test ``test_mack1994_hardcode``).
* **Taylor–Ashe** (Taylor & Ashe 1983; ``load_sample("genins")``): Mack (1993), "Distribution-free
  calculation of the standard error of chain ladder reserve estimates", ASTIN Bulletin 23(2),
  213–225, numerical example: f̂_k = 3.4906, 1.7473, 1.4574, 1.1739, 1.1038, 1.0863, 1.0539,
  1.0766, 1.0177 and reserves 94 634, 469 511, 709 638, 984 889, 1 419 459, 2 177 641,
  3 920 301, 4 278 972, 4 625 811 (total 18 680 856). (Page of the table not checked here.)

Tolerances: the published factors are printed to 3 (RAA) or 4 (Taylor–Ashe) decimals, so half a
unit of the last digit; reserves are printed to the unit, so 0.5 (0.6 for the totals, which
are sums of rounded numbers in the paper).
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx

RAA_F = [2.999, 1.624, 1.271, 1.172, 1.113, 1.042, 1.033, 1.017, 1.009]
RAA_RESERVES = [0, 154, 617, 1636, 2747, 3649, 5435, 10907, 10650, 16339]
TA_F = [3.4906, 1.7473, 1.4574, 1.1739, 1.1038, 1.0863, 1.0539, 1.0766, 1.0177]
TA_RESERVES = [0, 94634, 469511, 709638, 984889, 1419459, 2177641, 3920301, 4278972, 4625811]


def _ledger(tri) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    cum = tri.to_frame(origin_as_datetime=False).to_numpy(dtype=float)
    years = [int(o.year) for o in tri.origin.to_timestamp(how="s")]
    rows = []
    for i, y in enumerate(years):
        c = cum[i][~np.isnan(cum[i])]
        inc = np.diff(np.r_[0.0, c])
        for k, amount in enumerate(inc):
            rows.append({"claim_id": y, "policy_id": "P", "accident_date": f"{y}-01-01", "report_date": f"{y}-12-31",
                         "transaction_date": f"{y + k}-12-31", "paid": amount})
    policies = pd.DataFrame({"policy_id": ["P"], "industry": ["other"], "size": ["large"], "headcount": [1000]})
    return pd.DataFrame(rows), policies, f"{years[-1]}-12-31"


@pytest.mark.parametrize("sample, factors, reserves, ftol", [("raa", RAA_F, RAA_RESERVES, 5e-4), ("genins", TA_F, TA_RESERVES, 5e-5)])
def test_published_factors_and_reserves(sample, factors, reserves, ftol):
    cl = pytest.importorskip("chainladder")
    tri = cl.load_sample(sample)
    ledger, policies, valuation = _ledger(tri)
    res = ajx.experience_from_claims(policies, ledger, valuation, min_age=0)
    assert res.provenance["basis"] == "paid"  # no case reserves in the ledger
    np.testing.assert_allclose(res.ldf.loc[("paid", "all")].to_numpy(), factors, rtol=0, atol=ftol)
    u = res.ultimates
    # the rebuilt triangle is the published one
    np.testing.assert_allclose(res.triangles["paid"].to_frame(origin_as_datetime=False).to_numpy(),
                               tri.to_frame(origin_as_datetime=False).to_numpy(), equal_nan=True)
    np.testing.assert_allclose((u["ultimate"] - u["paid"]).to_numpy(), reserves, rtol=0, atol=0.5)
    assert (u["ultimate"] - u["paid"]).sum() == pytest.approx(sum(reserves), abs=0.6 * len(reserves))
    np.testing.assert_allclose(u["ultimate"].to_numpy(), u["paid"].to_numpy() + np.array(reserves), rtol=0, atol=0.5)


def test_raa_mack_standard_errors_from_the_rebuilt_triangle():
    """Mack (1994) p. 130: s.e.(R̂_i) = 206, 623, 747, 1 469, 2 002, 2 209, 5 358, 6 333, 24 566
    (printed to the unit; chainladder's Mack with Mack's σ² extrapolation, on our triangle)."""
    cl = pytest.importorskip("chainladder")
    ledger, policies, valuation = _ledger(cl.load_sample("raa"))
    res = ajx.experience_from_claims(policies, ledger, valuation, min_age=0)
    dev = cl.Development(sigma_interpolation="mack").fit_transform(res.triangles["paid"])
    se = cl.MackChainladder().fit(dev).summary_.values[0, 0, 1:, -1]
    np.testing.assert_allclose(se, [206, 623, 747, 1469, 2002, 2209, 5358, 6333, 24566], rtol=0, atol=1.0)
