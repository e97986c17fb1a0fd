"""Sub-limits priced (rating.sublimits): per-accident, annual and medical sub-limits off the standard.

References, each computed independently of the pricing code:

* the limit part: the exact expected loss of the default loss model, ``ajx.expected_loss`` at
  relativity 1, under the policy's limits against the standard ones (``LimitPolicy`` defaults:
  per accident 10 ×, a year 20 × limit_death; DOMAIN.md §4.5, §10.1);
* the medical part: the limited expected value of the model's lognormal medical cost,
  ``E[min(X, c)] = ∫_0^c P(X > x) dx``, integrated numerically from ``scipy.stats.lognorm``.
"""

import time

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import ajx_actuarial as ajx
from ajx_actuarial.errors import ValidationError
from ajx_actuarial.rating import RateTable
from ajx_actuarial.rating.price import round_half_up

L = 400_000.0
LIMIT_PARTS = ["death", "disability", "rescue", "third_party"]


def _coal(**limits):
    """The issue's policy: a 5 000-worker coal mine at the national minimum limit."""
    return pd.DataFrame({"policy_id": ["C1"], "industry": ["coal_mine"], "size": ["large"], "headcount": [5000],
                         "limit_death": [L], **{k: [v] for k, v in limits.items()}})


def _limit_part(e: pd.DataFrame) -> float:
    return float(e[LIMIT_PARTS].to_numpy().sum())


def _none_table(name="national-2025") -> RateTable:
    return RateTable.load(name).with_changes(limits={"sub_limits": "none"})


def test_coal_policy_lower_accident_and_annual_limits_priced_by_expected_loss():
    std = ajx.price(_coal())
    low = ajx.price(_coal(limit_accident=2 * L, limit_annual=4 * L))
    assert std.loc[0, "float_factor"] == 1.0 and low.loc[0, "float_factor"] == 1.0
    assert not std.loc[0, "min_premium_applied"] and not low.loc[0, "min_premium_applied"]
    # independent: the loss model's expected limit part under the two limit structures (relativity 1)
    e_std = ajx.expected_loss(_coal(), limits=ajx.LimitPolicy.fixed(L), relativity=None)
    e_low = ajx.expected_loss(_coal(), limits=ajx.LimitPolicy.fixed(L, accident_multiple=2.0, annual_multiple=2.0), relativity=None)
    e_cols = ajx.expected_loss(_coal(limit_accident=2 * L, limit_annual=4 * L), relativity=None)
    assert _limit_part(e_cols) == pytest.approx(_limit_part(e_low), rel=1e-12)
    ratio = _limit_part(e_low) / _limit_part(e_std)
    assert 0.9 < ratio < 0.99  # the lower limits bind on a large mine's catastrophe
    assert low.loc[0, "sublimit_factor"] == pytest.approx(ratio, rel=1e-9, abs=0)
    assert low.loc[0, "limit_rate"] / std.loc[0, "limit_rate"] == pytest.approx(ratio, rel=1e-9, abs=0)
    # the premium (before the minimum) falls by the limit part's share of that drop; the medical part is untouched
    lr, mr = std.loc[0, "limit_rate"], std.loc[0, "medical_rate"]
    assert low.loc[0, "medical_rate"] == mr and low.loc[0, "medical_sublimit_factor"] == 1.0
    assert low.loc[0, "premium_raw"] / std.loc[0, "premium_raw"] == pytest.approx((lr * ratio + mr) / (lr + mr), rel=1e-9, abs=0)
    assert low.loc[0, "premium"] < std.loc[0, "premium"]
    # sub_limits = "none": the premium of today, whatever the sub-limits
    assert ajx.price(_coal(limit_accident=2 * L, limit_annual=4 * L), _none_table()).loc[0, "premium"] == std.loc[0, "premium"]


def _lognormal_lev(model, cap: float) -> float:
    """E[min(X, cap)] = ∫_0^cap P(X > x) dx for the model's lognormal medical cost, numerically."""
    x = stats.lognorm(s=model.medical_sigma, scale=model.medical_median * model.severity_multiplier)
    val, err = integrate.quad(x.sf, 0.0, cap, limit=200, epsabs=0, epsrel=1e-12)
    return val


@pytest.mark.parametrize("share", [0.02, 0.05, 0.20])
def test_medical_sub_limit_scales_only_the_medical_part_by_the_lognormal_lev(share):
    std = ajx.price(_coal())
    other = ajx.price(_coal(limit_medical=share * L))
    m = ajx.LossModel.default()
    want = _lognormal_lev(m, share * L) / _lognormal_lev(m, 0.10 * L)
    assert other.loc[0, "medical_sublimit_factor"] == pytest.approx(want, rel=1e-8)
    assert other.loc[0, "medical_rate"] / std.loc[0, "medical_rate"] == pytest.approx(want, rel=1e-8)
    assert other.loc[0, "limit_rate"] == std.loc[0, "limit_rate"] and other.loc[0, "sublimit_factor"] == 1.0
    assert (want < 1) == (share < 0.10)  # both directions: a higher sub-limit costs more


def test_higher_sub_limits_cost_more():
    std = ajx.price(_coal())
    high = ajx.price(_coal(limit_accident=20 * L, limit_annual=40 * L, limit_medical=0.5 * L))
    e_std = ajx.expected_loss(_coal(), relativity=None)
    e_high = ajx.expected_loss(_coal(limit_accident=20 * L, limit_annual=40 * L), relativity=None)
    assert high.loc[0, "sublimit_factor"] == pytest.approx(_limit_part(e_high) / _limit_part(e_std), rel=1e-9)
    assert 1.0 < high.loc[0, "sublimit_factor"] < 1.01 and high.loc[0, "medical_sublimit_factor"] > 1.0
    assert high.loc[0, "premium"] > std.loc[0, "premium"]


def test_standard_sub_limits_give_factor_one_and_todays_premiums():
    book = ajx.synth.portfolio(3000, rng=7)
    a = ajx.price(book)
    b = ajx.price(book, _none_table())
    assert (a["sublimit_factor"] == 1.0).all() and (a["medical_sublimit_factor"] == 1.0).all()
    pd.testing.assert_series_equal(a["premium"], b["premium"])
    pd.testing.assert_series_equal(a["limit_rate"], b["limit_rate"])
    # the defaults of an input without limit columns are the standard
    bare = book[["policy_id", "industry", "size", "headcount", "limit_death"]]
    assert (ajx.price(bare)["sublimit_factor"] == 1.0).all()


def test_lifted_limits_carry_their_standard_sub_limits():
    # 300 000 lifted to the national 400 000: the default sub-limits of 300 000 follow to those of 400 000
    book = pd.DataFrame({"policy_id": [1, 2], "industry": ["coal_mine", "other"], "size": ["large", "small"], "headcount": [5000, 40],
                         "limit_death": [300_000.0, 300_000.0]})
    p = ajx.price(book, lift_limits=True)
    assert p["limit_death"].tolist() == [L, L]
    assert p["limit_accident"].tolist() == [10 * L] * 2 and p["limit_annual"].tolist() == [20 * L] * 2
    assert p["limit_medical"].tolist() == pytest.approx([0.1 * L] * 2, rel=1e-15)
    assert (p["sublimit_factor"] == 1.0).all() and (p["medical_sublimit_factor"] == 1.0).all()
    # a sub-limit stated otherwise is kept (and priced)
    q = ajx.price(book.assign(limit_accident=[600_000.0, 3_000_000.0], limit_annual=[1_200_000.0, 6_000_000.0]), lift_limits=True)
    assert q.loc[0, "limit_accident"] == 600_000.0 and q.loc[0, "sublimit_factor"] < 1.0
    assert q.loc[1, "limit_accident"] == 10 * L and q.loc[1, "sublimit_factor"] == 1.0


def test_premium_decomposition_holds_with_sub_limits():
    book = ajx.synth.portfolio(400, rng=3)
    rng = np.random.default_rng(5)
    ld = book["limit_death"].to_numpy(dtype=float)
    acc = ld * rng.choice([2.0, 5.0, 10.0, 15.0], size=len(book))
    book = book.assign(limit_accident=acc, limit_annual=acc * rng.choice([1.0, 2.0, 3.0], size=len(book)),
                       limit_medical=ld * rng.choice([0.05, 0.10, 0.20], size=len(book)))
    p = ajx.price(book)
    assert (p["sublimit_factor"] != 1.0).any() and (p["medical_sublimit_factor"] != 1.0).any()
    t = RateTable.load("national-2025")
    raw = p["headcount"] * (p["limit_rate"] + p["medical_rate"]) * p["size_factor"] * p["float_factor"]
    want = round_half_up(np.maximum(raw.to_numpy(), t.min_premium), t.decimals)
    np.testing.assert_array_equal(p["premium"].to_numpy(), want)
    np.testing.assert_allclose(p["limit_rate"], t.reference_limit * p["base_rate"] * p["ilf"] * p["sublimit_factor"], rtol=1e-12)
    np.testing.assert_allclose(p["medical_rate"], t.medical_grid.to_numpy()[p["industry"].cat.codes, p["size"].cat.codes]
                               * p["medical_sublimit_factor"], rtol=1e-12)
    # each row's factor is the ratio of its own expected limit part (deduplication keeps rows apart)
    one = p.iloc[[7]]
    assert one["sublimit_factor"].iloc[0] != 1.0
    e_own = ajx.expected_loss(book.iloc[[7]], relativity=None)
    e_std = ajx.expected_loss(book.iloc[[7]], limits=ajx.LimitPolicy.fixed(float(ld[7]), floor=float(ld[7])), relativity=None)
    assert one["sublimit_factor"].iloc[0] == pytest.approx(_limit_part(e_own) / _limit_part(e_std), rel=1e-9)


def test_explain_names_the_sub_limits_only_when_they_move_the_price():
    p = ajx.price(pd.concat([_coal(limit_accident=10 * L, limit_annual=20 * L, limit_medical=0.10 * L),
                             _coal(limit_accident=2 * L, limit_annual=4 * L, limit_medical=0.05 * L).assign(policy_id="C2")]))
    plain, moved = ajx.explain(p, "C1"), ajx.explain(p, "C2")
    assert "sub-limit factor" not in plain
    assert "sub-limit factor" in moved and "per accident 800,000 (2 × limit_death)" in moved and "a year 1,600,000 (4 ×)" in moved
    assert "medical sub-limit factor" in moved and "limit_medical 20,000 = 5.0% of limit_death" in moved


def test_exposure_base_rows_keep_their_schedule():
    # Shandong construction: priced per project cost with the band's own aggregate; no sub-limit factor there
    book = pd.DataFrame({"policy_id": ["P1"], "industry": ["construction"], "size": ["small"], "headcount": [50],
                         "project_cost": [30_000_000.0], "limit_death": [500_000.0], "limit_accident": [1_000_000.0]})
    p = ajx.price(book, "construction-shandong-2018")
    assert p.loc[0, "sublimit_factor"] == 1.0 and p.loc[0, "premium"] == pytest.approx(18_000.00, abs=1e-6)


def test_large_book_at_standard_sub_limits(capsys):
    book = ajx.synth.portfolio(200_000, rng=1)
    none = _none_table()
    ajx.price(book.head(100))  # warm
    t0 = time.perf_counter()
    a = ajx.price(book)
    t1 = time.perf_counter()
    b = ajx.price(book, none)
    t2 = time.perf_counter()
    with capsys.disabled():
        print(f"\nprice 200 000 policies: sub_limits='model' {t1 - t0:.2f} s, 'none' {t2 - t1:.2f} s")
    assert (a["sublimit_factor"] == 1.0).all() and (a["medical_sublimit_factor"] == 1.0).all()
    np.testing.assert_array_equal(a["premium"].to_numpy(), b["premium"].to_numpy())


@pytest.mark.parametrize("value", ["maybe", 1, True, ""])
def test_bad_sub_limits_key(value):
    with pytest.raises(ValidationError, match=r"limits\.sub_limits: .*must be one of \['model', 'none'\]"):
        RateTable.load("national-2025").with_changes(limits={"sub_limits": value})


def test_sub_limits_key_round_trips_and_defaults_to_model(tmp_path):
    t = RateTable.load("national-2025")
    assert t.sub_limits == "model" and "sub_limits" not in t.data["limits"]
    back = RateTable.load(_none_table().to_toml(tmp_path / "t.toml"))
    assert back.sub_limits == "none"
