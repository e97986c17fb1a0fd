"""Within the year (prevention/timing.py, ledger.year_end): inception, the first service, the 31 December view.

Reference values are worked by hand in the comments.
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.prevention import assess, ledger_step
from ajx_actuarial.prevention.ledger import year_end
from ajx_actuarial.prevention.timing import delivered_share, first_service_wait, inception_months


def test_inception_profiles():
    m = inception_months(12_000)
    assert (m >= 0).all() and (m < 12).all()
    np.testing.assert_allclose(np.bincount(m.astype(int), minlength=12) / 12_000, 1 / 12, atol=2e-3)  # even over the months
    assert (inception_months(7, "calendar") == 0).all()
    shares = np.array([0.5, 0.0, 0.5] + [0.0] * 9)
    mm = inception_months(1000, shares).astype(int)
    assert set(np.unique(mm)) == {0, 2} and abs((mm == 0).mean() - 0.5) < 0.01
    # a book sorted by industry does not bunch an industry in one month: every block of 100 spans the year
    assert all(np.ptp(m[i:i + 100]) > 11 for i in range(0, 1000, 100))


@pytest.mark.parametrize("bad", ["spring", [0.5, 0.5], [1.0] * 12, [-0.1] + [1.1 / 11] * 11])
def test_inception_bad_input(bad):
    with pytest.raises(ajx.ValidationError, match=r"prevention: inception"):
        inception_months(3, bad)


def test_first_service_queue_by_hand():
    # three units on 1 January, one in month 6; capacity 1 visit a month, the second unit pooled (1/5 of a visit):
    # unit 0 done at 1.0, unit 1 at 1.2, unit 2 at 2.2; unit 3 arrives at 6.0 to an idle server: done at 7.0
    w = first_service_wait(np.array([0.0, 0.0, 0.0, 6.0]), np.ones(4, bool), np.array([1.0, 0.2, 1.0, 1.0]), capacity=1.0)
    np.testing.assert_allclose(w, [1.0, 1.2, 2.2, 1.0])
    assert np.isnan(first_service_wait(np.zeros(2), np.array([True, False]), np.ones(2), 1.0)[1])
    assert np.isinf(first_service_wait(np.zeros(2), np.ones(2, bool), np.ones(2), 0.0)).all()  # no capacity: never served


def test_year_end_by_hand():
    # budget 150, services 120 delivered evenly over a policy year that starts on 1 July: 60 by 31 December
    assert delivered_share(np.array([6.0]))[0] == 0.5
    y = ledger_step([150.0], [120.0], regime="provisioned")
    prov, booked = year_end(y, [60.0], "provisioned")
    assert prov.tolist() == [90.0] and booked.tolist() == [150.0]  # 60 services to come + 30 that lapses in June
    prov, booked = year_end(ledger_step([150.0], [120.0], regime="not_provisioned"), [60.0], "not_provisioned")
    assert prov.tolist() == [0.0] and booked.tolist() == [60.0]  # 不得预提: only what was delivered
    # carried balance of 40: provision 150 + 40 - 60 = 130, booked 60 + 130 - 40 = 150 (the carried 40 was booked last year)
    y = ledger_step([150.0], [120.0], [40.0], regime="carry_forward")
    assert [a.tolist() for a in year_end(y, [60.0], "carry_forward")] == [[130.0], [150.0]]


def _book():
    return pd.DataFrame({"policy_id": [1, 2], "industry": ["other", "other"], "size": ["small", "small"], "headcount": [10, 10],
                         "premium": [10_600.0, 10_600.0]})


def test_assess_year_end_view_by_hand():
    # beijing-2017 rules: one inspection (5 000) a unit; budget 15 % of 10 000 ex VAT = 1 500 a unit, all spent; both incept
    # in July (monthly shares): each has (12 − m) / 12 of its 1 500 delivered by 31 December, m in [6, 7)
    july = [0.0] * 6 + [1.0] + [0.0] * 5
    kw = dict(rules="beijing-2017", fee_ratio=0.15, inception=july)
    r = assess(_book(), ledger="provisioned", **kw)
    s, m = r.summary, r.by_policy["inception_month"].to_numpy()
    assert ((m >= 6) & (m < 7)).all()
    delivered = float((1500.0 * (12 - m) / 12).sum())
    assert s["total_spent"] == pytest.approx(3000.0) and s["delivered_by_year_end"] == pytest.approx(delivered, rel=1e-12)
    assert s["undelivered_at_year_end"] == pytest.approx(3000.0 - delivered, rel=1e-12)
    assert s["year_end_provision"] == pytest.approx(3000.0 - delivered, rel=1e-12) and s["booked_by_year_end"] == pytest.approx(3000.0)
    n = assess(_book(), ledger="not_provisioned", **kw).summary
    assert n["year_end_provision"] == 0 and n["booked_by_year_end"] == pytest.approx(delivered, rel=1e-12)
    assert n["total_spent"] == s["total_spent"]  # the policy year's money is the same
    c = assess(_book(), ledger="provisioned", rules="beijing-2017", fee_ratio=0.15, inception="calendar").summary
    assert c["year_end_provision"] == 0 and c["delivered_by_year_end"] == pytest.approx(3000.0)


def test_assess_first_service_by_hand():
    # xinzhou rules: two medium coal mines (2 + 1 + 1 on-site visits each = 8 a year), budget paying all of it at the floor;
    # capacity 8 / 12 visits a month; both on 1 January: first visits at 1.5 and 3.0 months -> the second is not late at 3,
    # late at 2.9
    book = pd.DataFrame({"policy_id": [1, 2], "industry": ["coal_mine"] * 2, "size": ["medium"] * 2, "headcount": [300, 300],
                         "premium": [1_000_000.0] * 2})
    r = assess(book, rules="xinzhou-2024", fee_ratio=0.15, inception="calendar")
    np.testing.assert_allclose(r.by_policy["first_service_wait"], [1.5, 3.0])
    assert r.summary["first_service_late"] == 0 and r.summary["first_service_due"] == 2
    late = assess(book, rules="xinzhou-2024", fee_ratio=0.15, inception="calendar", first_service_months=2.9).summary
    assert late["first_service_late"] == 1 and late["first_service_mean_wait"] == pytest.approx(2.25)
    # a rule set without a first-service rule reports none
    assert assess(book, rules="beijing-2017", fee_ratio=0.15).summary["first_service_within_months"] is None


def test_assess_it_line_and_earmark_by_hand():
    # it_cost 300 a unit on top of one inspection (5 000): required 10 600; budget 3 000 pays the earmarked inspections first
    s = assess(_book(), rules="beijing-2017", fee_ratio=0.15, it_cost=300, earmark="hazard_inspection").summary
    assert s["total_it_cost"] == 600 and s["total_required"] == pytest.approx(10_600.0)
    assert s["earmark_required"] == 10_000 and s["earmark_spent"] == pytest.approx(3000.0) and s["earmark_shortfall"] == pytest.approx(7000.0)
    assert s["mandated_policies"] == 2


@pytest.mark.parametrize("kw, message", [
    ({"it_cost": -1}, r"it_cost must be CNY per insured unit a year"),
    ({"earmark": "lunch"}, r"earmark must be a service type"),
    ({"cap": 0.3}, r"cap must be a share of the collected premium in \[0, 0.21\]"),
    ({"first_service_months": 0}, r"first_service_months must be in \(0, 12\]"),
    ({"floor": 0.2, "cap": 0.18, "fee_ratio": 0.2, "on_breach": "flag"}, r"floor 0.2 is above the cap of 0.18"),
])
def test_assess_bad_input(kw, message):
    with pytest.raises(ajx.ValidationError, match=message):
        assess(_book(), **{"rules": "beijing-2017", "fee_ratio": 0.15, **kw})


@pytest.mark.parametrize("profile", [
    [0, 0, 1.0] + [0] * 9,
    [0.5 - 5e-10, 0.5] + [0] * 10,  # sums 1 - 5e-10 (within tolerance): December empty, the gap before the last edge
    [0.1] * 10 + [0.0, 0.0],
])
def test_every_inception_falls_in_a_month_with_policies(profile):
    """The old loop stepped an empty month forward and never ended when December was empty and a u fell past the last share."""
    from ajx_actuarial.prevention.timing import inception_months

    m = inception_months(5000, profile)
    assert np.all(np.asarray(profile)[np.floor(m).astype(int)] > 0) and m.min() >= 0 and m.max() < 12
