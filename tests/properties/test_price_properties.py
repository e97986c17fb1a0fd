"""Hypothesis properties of price(): monotone in bad behaviour, bounds, minimum, decomposition."""

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ajx_actuarial as ajx
from ajx_actuarial.rating import RateTable, packaged_tables
from ajx_actuarial.reference import INDUSTRIES, SIZES

TABLES = {n: t for n in packaged_tables() if (t := RateTable.load(n)).data.get("exposure_base", {}).get("kind", "headcount") == "headcount"}


@st.composite
def policies(draw):
    acc = draw(st.integers(0, 6))
    return {
        "policy_id": 1,
        "industry": draw(st.sampled_from(INDUSTRIES)),
        "size": draw(st.sampled_from(SIZES)),
        "headcount": draw(st.integers(1, 30_000)),
        "std_grade": draw(st.integers(0, 3)),
        "violations": draw(st.integers(0, 8)),
        "blacklisted": draw(st.booleans()),
        "accidents_3y": acc,
        "deaths_3y": draw(st.integers(0, 15)) if acc else 0,
        "claim_free_years": draw(st.integers(0, 5)),
        "rectification": draw(st.sampled_from(["on_time", "late", "overdue_major"])),
        "rescue_participation": draw(st.booleans()),
        "dual_prevention": draw(st.booleans()),
        "risk_tier": draw(st.sampled_from(["low", "medium", "high"])),
        "limit_death": draw(st.sampled_from([800_000.0, 1_000_000.0, 2_000_000.0])),
    }


def _premium(rows, name):
    return ajx.price(pd.DataFrame(rows).assign(policy_id=range(len(rows))), TABLES[name], lift_limits=True)


def _expected_basis(name: str) -> bool:
    """An exposure-aware history factor judges claims against the unit's expected claims: one claim in
    three years is a discount for a unit that expects more than one, so an unknown history (neutral)
    is not a lower bound there."""
    return any(f.kind == "history" and f.spec.get("basis") == "expected" for f in TABLES[name].factors)


@settings(max_examples=60, deadline=None)
@given(p=policies(), name=st.sampled_from(sorted(TABLES)), more=st.integers(1, 5))
@example(p={"policy_id": 1, "industry": "coal_mine", "size": "large", "headcount": 1, "std_grade": 0, "violations": 0,
            "blacklisted": False, "accidents_3y": 1, "deaths_3y": 0, "claim_free_years": 0, "rectification": "on_time",
            "rescue_participation": False, "dual_prevention": False, "risk_tier": "low", "limit_death": 800000.0},
         name="national-2025", more=1)  # found by CI: a one-worker unit's claim ratio (1.25) above the fatal load (1.10)
def test_monotone_in_violations_accidents_deaths_blacklist(p, name, more):
    known = p["accidents_3y"] > 0 or p["claim_free_years"] > 0  # both 0 is an unknown history: neutral, not claim-free
    worse = [
        {**p, "violations": p["violations"] + more},
        {**p, "blacklisted": True},
        {**p, "accidents_3y": p["accidents_3y"] + more} if known else p,
        {**p, "accidents_3y": max(p["accidents_3y"], 1), "deaths_3y": p["deaths_3y"] + more},
        {**p, "claim_free_years": 0, "accidents_3y": max(p["accidents_3y"], 1)} if p["deaths_3y"] == 0 and not _expected_basis(name) else p,
    ]
    prem = _premium([p, *worse], name)["premium"].to_numpy()
    assert (prem[1:] >= prem[0] - 1e-9).all(), prem


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(policies(), min_size=1, max_size=20), name=st.sampled_from(sorted(TABLES)))
def test_bounds_minimum_and_decomposition(rows, name):
    t = TABLES[name]
    pr = _premium(rows, name)
    lo, hi = t.float_bounds
    assert ((pr["float_factor"] >= lo) & (pr["float_factor"] <= hi)).all()
    assert (pr["premium"] >= t.min_premium).all()
    recon = pr["headcount"] * (pr["limit_rate"] + pr["medical_rate"]) * pr["size_factor"] * pr["float_factor"]
    expect = np.maximum(recon, t.min_premium)
    assert np.allclose(pr["premium"], expect, rtol=0, atol=0.005 + 1e-9 * expect)
    fs = [c for c in pr.columns if c.startswith("f_")]
    assert np.allclose(pr[fs].prod(axis=1), pr["float_raw"], rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(p=policies(), name=st.sampled_from(sorted(TABLES)), extra=st.floats(0, 3_000_000))
def test_premium_is_non_decreasing_and_concave_enough_in_the_limit(p, name, extra):
    """A higher per-person limit never lowers the premium, and raises it by at most the limit's ratio
    (increased-limit factors are concave: ILF(L2) / ILF(L1) <= L2 / L1 for L2 > L1)."""
    lo = {**p, "limit_death": p["limit_death"]}
    hi = {**p, "limit_death": p["limit_death"] + extra}
    pr = _premium([lo, hi], name)
    assert pr["premium"].iloc[1] >= pr["premium"].iloc[0] - 1e-9
    assert pr["ilf"].iloc[1] / pr["ilf"].iloc[0] <= hi["limit_death"] / lo["limit_death"] * (1 + 1e-9)
