"""Hypothesis: coverage rises with the fee ratio; pooling never changes portfolio totals;
carry-forward conserves money."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ajx_actuarial as ajx
from ajx_actuarial.prevention import assess

BOOK = ajx.price(ajx.synth.portfolio(800, rng=5), "national-2025")
RULES = st.sampled_from(["xinzhou-2024", "beijing-2017"])


@settings(max_examples=30, deadline=None)
@given(r1=st.floats(0.0, 0.21), r2=st.floats(0.0, 0.21), rules=RULES, pooling=st.sampled_from(["policy", "segment", "insurer"]))
def test_coverage_rises_with_fee_ratio(r1, r2, rules, pooling):
    lo, hi = sorted((r1, r2))
    a = assess(BOOK, rules=rules, fee_ratio=lo, pooling=pooling).by_policy
    b = assess(BOOK, rules=rules, fee_ratio=hi, pooling=pooling).by_policy
    m = a["required_cost"] > 0
    assert (b.loc[m, "coverage"] >= a.loc[m, "coverage"] - 1e-12).all()
    assert (b["shortfall"] <= a["shortfall"] + 1e-6).all()
    assert b["funded"].sum() >= a["funded"].sum()


@settings(max_examples=30, deadline=None)
@given(ratio=st.floats(0.0, 0.21), rules=RULES, years=st.integers(1, 3), carry=st.booleans())
def test_pooling_never_changes_portfolio_totals(ratio, rules, years, carry):
    res = [assess(BOOK, rules=rules, fee_ratio=ratio, pooling=p, years=years, carry_forward=carry).summary
           for p in ("policy", "segment", "insurer")]
    for s in res[1:]:
        assert np.isclose(s["total_budget"], res[0]["total_budget"], rtol=1e-12)
        assert np.isclose(s["total_required"], res[0]["total_required"], rtol=1e-12)
    # wider pools never fund less in total
    assert res[2]["total_spent"] >= res[1]["total_spent"] - 1e-6 >= res[0]["total_spent"] - 2e-6


@settings(max_examples=30, deadline=None)
@given(sched=st.lists(st.floats(0.0, 0.21), min_size=1, max_size=4), rules=RULES,
       pooling=st.sampled_from(["policy", "segment", "insurer"]), carry=st.booleans(), infl=st.floats(0.0, 0.2))
def test_money_is_conserved(sched, rules, pooling, carry, infl):
    fee = {2026 + i: r for i, r in enumerate(sched)}
    r = assess(BOOK, rules=rules, fee_ratio=fee, pooling=pooling, years=len(sched), carry_forward=carry, cost_inflation=infl)
    p = r.by_policy
    # every yuan of budget is spent or left over (lapsed, or carried to the end)
    assert np.isclose(p["budget"].sum(), p["spent"].sum() + p["surplus"].sum(), rtol=1e-9, atol=1e-6)
    # every yuan of required cost is spent or short
    assert np.isclose(p["required_cost"].sum(), p["spent"].sum() + p["shortfall"].sum(), rtol=1e-9, atol=1e-6)
    if carry:
        no = assess(BOOK, rules=rules, fee_ratio=fee, pooling=pooling, years=len(sched), carry_forward=False, cost_inflation=infl)
        assert p["spent"].sum() >= no.by_policy["spent"].sum() - 1e-6
