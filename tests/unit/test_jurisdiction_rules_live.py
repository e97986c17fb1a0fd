"""The bundle rules turned into outputs (issue 22, item 2): their format checks, scope, table checks,
the insurer's appetite under must_accept, fast-payment liquidity."""

import copy

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.jurisdictions import Jurisdiction


def _doc(name):
    return copy.deepcopy(ajx.jurisdictions.load(name).data)


def _src(v):
    return {"value": v, "source": "test", "flag": "assumption"}


@pytest.mark.parametrize("name, edit, message", [
    ("xinzhou-2024", lambda d: d["fee"].__setitem__("it_cost", _src(-5)), r"fee.it_cost.value"),
    ("xinzhou-2024", lambda d: d["fee"].__setitem__("includes", ["IT"]), r"fee.includes: state each line the fee pays as a number"),
    ("beijing-2017", lambda d: d["fee"].__setitem__("earmark", _src("party")), r"fee.earmark.value: must be a service type"),
    ("xinzhou-2024", lambda d: d["prevention"].__setitem__("first_service_within_months", _src(13)), r"prevention.first_service_within_months.value"),
    ("beijing-2017", lambda d: d["sectors"].__setitem__("participation_target", _src(1.5)), r"sectors.participation_target.value"),
    ("beijing-2017", lambda d: d["underwriting"].__setitem__("must_accept", "yes"), r"underwriting.must_accept: must be true or false"),
    ("xinzhou-2024", lambda d: d["insurer"].__setitem__("first_service_months", _src(3)), r"insurer: unknown key\(s\) \['first_service_months'\]"),
    ("xinzhou-2024", lambda d: d["insurer"].__setitem__("min_risk_rating", _src("E")), r"insurer.min_risk_rating.value: must be one of A, B, C, D"),
    ("beijing-2026", lambda d: d["insurer"].__setitem__("max_commission", _src(1.5)), r"insurer.max_commission.value"),
    ("beijing-2026", lambda d: d["claims"].__setitem__("fast_payment_min_deaths", _src(2.5)), r"fast_payment_min_deaths.value: must be an integer"),
    ("beijing-2026", lambda d: d["claims"].__setitem__("fast_payment_hours", _src(10_000)), r"claims.fast_payment_hours.value"),
])
def test_bad_rule_values(name, edit, message):
    d = _doc(name)
    edit(d)
    with pytest.raises(ajx.ValidationError, match=message):
        Jurisdiction.from_dict(d)


def test_bundle_first_service_replaces_the_rule_sets():
    d = _doc("xinzhou-2024")
    d["prevention"]["first_service_within_months"]["value"] = 1.5
    assert Jurisdiction.from_dict(d).prevention_rules().data["meta"]["first_service_within_months"] == 1.5
    assert ajx.jurisdictions.load("xinzhou-2024").prevention_rules().data["meta"]["first_service_within_months"] == 3


def test_scope_counts_and_participation():
    j = ajx.jurisdictions.load("beijing-2017")
    book = j.book(500, rng=2)
    s = j.scope(book)
    assert s.counts["policies"].sum() == 500 and s.summary["policies"] == 500
    assert s.summary["units_required"] == 30  # ceil(0.06 × 500)
    assert s.summary["target_met_by_mandate"] == (s.summary["mandatory"] >= 30)
    assert (s.sector_class == j.classify(book)).all()
    n = ajx.jurisdictions.load("national-2025").scope(book).summary  # no target stated
    assert n["participation_target"] is None and n["units_required"] is None


def test_check_table_flags_a_commission_above_the_cap():
    d = _doc("beijing-2026")
    d["insurer"]["max_commission"]["value"] = 0.03
    t = Jurisdiction.from_dict(d).check_table().set_index("test")
    assert not t.loc["commission loading", "passed"] and t.loc["commission loading", "margin"] == pytest.approx(-0.02)
    assert t.loc["prevention loading = first-year budget", "passed"]  # the table loads the 2026 step (S01)
    titles = [title for title, _ in ajx.jurisdictions.load("beijing-2026").describe()]
    assert "the rate table against the bundle's rules" in titles


def test_appetite_bad_input():
    j = ajx.jurisdictions.load("zhejiang")
    book = j.book(50, rng=1)
    with pytest.raises(ajx.ValidationError, match="appetite must be a list of rules"):
        j.underwrite(book, appetite={"action": "refuse"})
    with pytest.raises(ajx.ValidationError, match=r"underwriting.rules\[0\].action"):
        j.underwrite(book, appetite=[{"action": "shun", "when": {"blacklisted": [True]}, "source": "x"}])


def test_appetite_after_the_bundle_rules():
    # Zhejiang defers overdue major hazards (S02); an appetite refusing blacklisted units takes the rest of those
    j = ajx.jurisdictions.load("zhejiang")
    book = j.book(2000, rng=1)
    app = [{"name": "no blacklist", "action": "refuse", "when": {"blacklisted": [True]}, "source": "appetite"}]
    r = j.underwrite(book, appetite=app)
    deferred = book["rectification"] == "overdue_major"
    assert r.summary["by"].tolist() == ["bundle", "insurer"]
    assert r.summary["policies"].tolist() == [int(deferred.sum()), int((book["blacklisted"] & ~deferred).sum())]
    assert len(r.kept) == 0 and r.summary["kept"].sum() == 0


def test_fast_payment_peak_cash_by_hand():
    class Sim:  # three cases in year 0 (1, 2 and 4 million), none in year 1; times drawn from rng
        annual = np.zeros((2, 1))
        events = pd.DataFrame({"sim_year": [0, 0, 0], "max_deaths": [2, 3, 2], "insured": [1e6, 2e6, 4e6]})

    times = np.random.default_rng(7).random(3) * 8760  # hours into the year, as fast_payments draws them
    fp = ajx.jurisdictions.fast_payments(Sim(), 2, 48, rng=7)
    amounts = np.array([1e6, 2e6, 4e6])
    peak = max(amounts[(times >= t) & (times < t + 48)].sum() for t in times)
    assert fp.by_year["peak_cash"].tolist() == [pytest.approx(peak), 0.0]
    assert ajx.jurisdictions.fast_payments(Sim(), 2, 8760, rng=7).by_year["peak_cash"].iloc[0] == pytest.approx(7e6)
    with pytest.raises(ajx.ValidationError, match=r"hours must be a number in \(0, 8784\]"):
        ajx.jurisdictions.fast_payments(Sim(), 2, 0)
