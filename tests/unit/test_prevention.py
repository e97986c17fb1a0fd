"""Prevention assessment: rules, costs, pooling, schedules, carry-forward, errors."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.prevention import CostTable, MandateRules, assess, compare
from ajx_actuarial.rating import RateTable


@pytest.fixture(scope="module")
def priced():
    return ajx.price(ajx.synth.portfolio(3000, rng=12), "national-2025")


def test_rules_match_by_industry_and_size(priced):
    r = assess(priced, rules="xinzhou-2024", fee_ratio=0.15).by_policy
    coal = r[r["industry"] == "coal_mine"]
    assert (coal["n_risk_assessment"] == 2).all() and (coal["n_thorough_inspection"] == 1).all()
    hz_small = r[(r["industry"] == "hazardous_chemicals") & r["size"].isin(["small", "micro"])]
    assert hz_small["pooled_delivery"].all() and (hz_small["n_online"] == 1).all()
    # S04 §七: every insured unit gets >= 1 service within 3 months; without a frequency mandate, one online service
    other = r[r["industry"] == "other"]
    assert (other["n_online"] == 1).all() and (other["required_cost"] == 100).all()
    assert (other["rule"] == "(first service only)").all()
    bj = assess(priced, rules="beijing-2017", fee_ratio=0.15).by_policy
    assert (bj["n_online"] == 0).all()


def test_pooled_delivery_divides_onsite_cost():
    small = pd.DataFrame({"policy_id": [1], "industry": ["fireworks"], "size": ["small"], "headcount": [50], "premium": [10_000.0]})
    r = assess(small, rules="xinzhou-2024", fee_ratio=0.15).by_policy.loc[0]
    assert r["required_cost"] == pytest.approx(5_000 / 5 + 100)  # one pooled inspection (pool of 5) + online


def test_contractual_rules_need_a_contract(priced):
    with pytest.raises(ajx.ValidationError, match=r"contractual, AQ 9010 §6\); pass contract="):
        assess(priced, rules="aq9010")
    r = assess(priced, rules="aq9010", contract={"hazard_inspection": 1, "training": 1}, fee_ratio=0.2)
    assert (r.by_policy["required_cost"] == 8_500).all()
    with pytest.raises(ajx.ValidationError, match=r"contract\.fly: unknown service type"):
        assess(priced, rules="aq9010", contract={"fly": 1})


def test_schedule_and_inflation(priced):
    r = assess(priced, rules="beijing-2017", fee_ratio={2026: 0.15, 2028: 0.20}, years=3, cost_inflation=0.05)
    assert r.by_year["fee_ratio"].tolist() == [0.15, 0.15, 0.20]
    np.testing.assert_allclose(r.by_year["required"].to_numpy(), 5_000 * len(priced) * 1.05 ** np.arange(3))


def test_floating_discounts_reduce_budget_not_services(priced):
    r = assess(priced, rules="beijing-2017", fee_ratio=0.2)
    disc = priced["float_factor"] < 1
    assert r.summary["budget_lost_to_discounts"] > 0
    assert (r.by_policy.loc[disc.to_numpy(), "budget_lost_to_discounts"] >= 0).all()


def test_cost_uncertainty_monte_carlo(priced):
    a = assess(priced, rules="xinzhou-2024", fee_ratio=0.15, n_sims=200, rng=3)
    b = assess(priced, rules="xinzhou-2024", fee_ratio=0.15, n_sims=200, rng=3)
    np.testing.assert_array_equal(a.shortfall_samples, b.shortfall_samples)
    assert a.summary["shortfall_p95"] >= a.summary["shortfall_p50"] > 0


def test_costs_as_mapping_and_table(priced):
    cheap = assess(priced, rules="beijing-2017", fee_ratio=0.2, costs={"hazard_inspection": 300})
    assert (cheap.by_policy["required_cost"] == 300).all()
    ct = CostTable.load().with_inflation(0.1)
    assert ct.data["inflation"] == 0.1


def test_compare_and_plot(priced):
    c = compare(priced, rules="xinzhou-2024", fee_ratios=(0.15, 0.2), poolings=("policy", "insurer"))
    assert len(c) == 4
    for pooling in ("policy", "insurer"):
        r = assess(priced, rules="xinzhou-2024", fee_ratio=0.15, pooling=pooling)
        fig = r.plot()
        heat, hist = fig.axes[0], fig.axes[1]  # then the heatmap's colorbar
        seg = r.by_segment[r.by_segment["mandated"] > 0]
        shown = sorted(t.get_text().split("\n")[0] for t in heat.texts if t.get_text() != "–")
        if pooling == "policy":  # one cell per mandated industry × size, its share funded
            expected = seg.groupby(level=[0, 1], observed=True)["share_funded"].mean()
        else:  # under one pool: what each segment's own budget pays of its mandated cost
            expected = np.minimum(seg["budget"] / seg["required_cost"], 1.0)
        assert shown == sorted(f"{v:.0%}" for v in expected), pooling
        assert sum(p.get_height() for p in hist.patches) == (r.by_policy["required_cost"] > 0).sum()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fee_ratio": -0.1}, r"fee_ratio: fee ratio must be >= 0, got -0\.1"),
        ({"fee_ratio": 1.5}, r"fee_ratio: 1\.5 exceeds the national 21 % cap"),
        ({"fee_ratio": {2026: 0.15, 2028: 0.25}}, r"fee_ratio\[2028\]: 0\.25 exceeds the national 21 % cap"),
        ({"pooling": "region"}, r"pooling must be one of"),
        ({"years": 0}, r"years must be an integer in \[1, 100\], got 0"),
            ({"years": 101}, r"years must be an integer in \[1, 100\], got 101"),
        ({"costs": {"hazard_inspection": -5}}, r"costs\.hazard_inspection: cost must be a number >= 0, got -5"),
        ({"costs": {"massage": 5}}, r"costs\.massage: unknown service type 'massage'"),
        ({"rules": "nowhere-2030"}, r"neither a packaged rule set"),
    ],
)
def test_bad_parameters(priced, kwargs, match):
    with pytest.raises(ajx.ValidationError, match=match):
        assess(priced, **{"fee_ratio": 0.15, **kwargs})


@pytest.mark.parametrize(
    "data, match",
    [
        ({"meta": {"name": "x"}, "rules": [{"services": {"hazard_inspection": 1, "yoga": 2}}]}, r"rules\[0\]\.services\.yoga: unknown service type 'yoga'"),
        ({"meta": {"name": "x"}, "rules": [{"services": {"hazard_inspection": -1}}]}, r"rules\[0\]\.services\.hazard_inspection: count must be a number >= 0"),
        ({"meta": {"name": "x"}, "rules": [{"industry": ["coal"], "services": {}}]}, r"rules\[0\]\.industry: unknown code\(s\) \['coal'\]"),
        ({"meta": {"name": "x"}, "rules": [{"services": {}, "colour": "red"}]}, r"rules\[0\]: unknown key\(s\) \['colour'\]"),
        ({"meta": {"name": "x"}, "rules": [{"name": "no services"}]}, r"rules\[0\]\.services: missing"),
        ({"meta": {"name": "x"}, "rules": []}, r"needs at least one \[\[rules\]\] entry"),
        ({"rules": []}, r"missing section \[meta\]"),
        ({"meta": {"name": "x", "first_service_within_months": 20}, "rules": [{"services": {}}]}, r"first_service_within_months: must be in \(0, 12\]"),
        ({"meta": {"name": "x", "first_service_within_months": 3, "first_service_type": "party"}, "rules": [{"services": {}}]}, r"meta\.first_service_type: unknown service type 'party'"),
    ],
)
def test_bad_rule_files(data, match):
    with pytest.raises(ajx.ValidationError, match=match):
        MandateRules.from_dict(data)


def test_malformed_rule_and_cost_files(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]\n")
    with pytest.raises(ajx.ValidationError, match="malformed TOML"):
        MandateRules.load(bad)
    with pytest.raises(ajx.ValidationError, match="malformed TOML"):
        CostTable.load(bad)
    with pytest.raises(ajx.ValidationError, match=r"unit_cost\.drill: needs low <= default <= high"):
        CostTable.from_dict({"unit_cost": {"drill": [5000, 6000, 7000]}})


def test_unpriced_portfolio_is_rejected(small_book):
    with pytest.raises(ajx.ValidationError, match="no 'premium' column; price it first"):
        assess(small_book)


# ----------------------------------------------------------------------------- bad input bounds, priced fee


@pytest.mark.parametrize("value", [-1.0, np.nan, np.inf, "abc"])
def test_premium_ex_vat_must_be_finite_non_negative(priced, value):
    bad = priced.copy()
    bad["premium_ex_vat"] = bad["premium_ex_vat"].astype(object)
    bad.loc[7, "premium_ex_vat"] = value
    with pytest.raises(ajx.ValidationError, match=r"prevention: column 'premium_ex_vat' must be finite, >= 0 and <= premium; bad rows \[7\]"):
        assess(bad)


def test_premium_ex_vat_above_premium_is_refused(priced):
    bad = priced.assign(premium_ex_vat=priced["premium"] * 2)
    with pytest.raises(ajx.ValidationError, match=r"'premium_ex_vat' must be finite, >= 0 and <= premium"):
        assess(bad)


def test_absurd_counts_and_costs():
    with pytest.raises(ajx.ValidationError, match=r"contract\.training: count must be <= 1000 a year"):
        MandateRules.load("aq9010").match(pd.DataFrame({"policy_id": [1]}), {"training": 5000})
    with pytest.raises(ajx.ValidationError, match=r"costs\.drill: must be <= 10,000,000"):
        CostTable.from_mapping({"drill": 1e12})
    data = CostTable.load().data
    with pytest.raises(ajx.ValidationError, match=r"pooling\.pool_size: must be a number in \[1, 1000\], got inf"):
        CostTable.from_dict({**data, "pooling": {"pool_size": float("inf")}})


@pytest.mark.parametrize("table, fee", [("national-2025", 0.20), ("xinzhou-2024", 0.15), ("zhoushan-2018", 0.15)])
def test_priced_fee_ratio_recovers_the_tables_loading(table, fee):
    from ajx_actuarial.prevention import priced_fee_ratio

    book = ajx.synth.portfolio(300, rng=4)
    t = ajx.RateTable.load(table)
    p = ajx.price(book, t, lift_limits=True)
    assert t.loadings["prevention_fee"] == fee
    assert priced_fee_ratio(p) == pytest.approx(fee, abs=1e-9)
    other = "national-2025" if fee != 0.20 else "xinzhou-2024"
    mixed = pd.concat([p, ajx.price(book, other, lift_limits=True)])  # two fees in one book: no single fee
    assert priced_fee_ratio(mixed, default=0.123) == 0.123


@pytest.mark.parametrize("fee_base, ratio, ok", [
    ("ex_vat", 0.215, True),     # 20.3 % of the collected premium: within the 21 % cap (refused before: capped at 21 % of ex-VAT)
    ("ex_vat", 0.2226, True),    # 21 % × 1.06, the cap itself
    ("ex_vat", 0.2240, False),
    ("collected", 0.21, True),
    ("collected", 0.215, False),
])
def test_the_fee_cap_is_21_percent_of_the_collected_premium_on_either_base(fee_base, ratio, ok):
    """The schedule check held an ex-VAT ratio to 21 % of ex-VAT while the floor band and the bundle check used 21 % of
    the collected premium; one cap, on the collected premium (N24/N25), restated in the fee's base."""
    priced = ajx.price(ajx.synth.portfolio(300, rng=5), "national-2025")
    if ok:
        assert assess(priced, fee_ratio=ratio, fee_base=fee_base, years=1).summary["total_budget"] > 0
    else:
        with pytest.raises(ajx.ValidationError, match="exceeds the national 21 % cap"):
            assess(priced, fee_ratio=ratio, fee_base=fee_base, years=1)


def test_a_loading_is_held_to_the_same_cap():
    t = RateTable.load("national-2025")
    assert t.with_changes(loadings={"prevention_fee": 0.22}).loadings["prevention_fee"] == 0.22  # 20.75 % of collected
    with pytest.raises(ajx.ValidationError, match="exceeds the national 21 % cap"):
        t.with_changes(loadings={"prevention_fee": 0.2240})


def test_break_even_ratio_is_on_the_fees_own_base():
    """Under fee_base='collected' the break-even ratio was required / ex-VAT premium: 6 % above the collected-base
    ratio it is read beside."""
    priced = ajx.price(ajx.synth.portfolio(800, rng=6), "national-2025")
    a = assess(priced, fee_ratio=0.15, years=1)
    b = assess(priced, fee_ratio=0.15, years=1, fee_base="collected")
    k = priced["premium"].sum() / priced["premium_ex_vat"].sum()
    assert b.summary["break_even_fee_ratio"] == pytest.approx(a.summary["break_even_fee_ratio"] / k, rel=1e-9)
    assert np.allclose(b.by_segment["break_even_fee_ratio"], a.by_segment["break_even_fee_ratio"] / 1.06, rtol=1e-3, equal_nan=True)
