"""Risk-based pricing: the packaged tables follow the loss model (issue "Risk-based pricing").

* each packaged table's expected loss ratio on its market's default synthetic book is within
  2 points of the table's permissible loss ratio (1 − loadings);
* increased-limit factors: 1 at the reference limit, non-decreasing and concave in the limit;
* raising limits 400k → 800k → Beijing formula raises the premium by the book's ILF (±1 %) and
  moves the expected loss ratio by at most 2 points;
* the adequacy audit flags every segment of a table whose rates are cut to 60 %, none of a
  packaged table on its default book.
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import LimitPolicy
from ajx_actuarial.rating import RateTable
from ajx_actuarial.rating.basis import TABLE_PRESETS
from ajx_actuarial.rating.ilf import model_ilf
from ajx_actuarial.reference import INDUSTRIES

TABLES = ["national-2025", "beijing-2026", "xinzhou-2024", "zhoushan-2018"]


def _book(table, n=60_000, seed=11):
    return ajx.synth.portfolio(n, preset=TABLE_PRESETS[table], rng=seed)


@pytest.mark.parametrize("name", TABLES)
def test_packaged_table_hits_its_permissible_loss_ratio_on_its_default_book(name):
    t = RateTable.load(name)
    priced = ajx.price(_book(name), t, lift_limits=True)
    lr = ajx.expected_loss(priced)["expected_loss"].sum() / priced["premium_ex_vat"].sum()
    assert abs(lr - t.expected_loss_ratio()) <= 0.02, (name, lr, t.expected_loss_ratio())
    # the risk relativity averages 1 per industry (exposure-weighted), so losses follow the model's frequencies
    rel = priced.groupby("industry", observed=True).apply(lambda g: np.average(g["risk_relativity"], weights=g["headcount"]), include_groups=False)
    assert rel.between(0.97, 1.03).all(), rel


@pytest.mark.parametrize("name", TABLES)
def test_increased_limit_factors_are_one_at_reference_non_decreasing_and_concave(name):
    t = RateTable.load(name)
    ilf = t.ilf
    assert ilf.source == "table"
    L = np.linspace(t.reference_limit * 0.75, 3_500_000, 400)
    for c, ind in enumerate(INDUSTRIES):
        f = ilf(np.full(L.size, c), L)
        assert ilf(np.array([c]), np.array([t.reference_limit]))[0] == pytest.approx(1.0, abs=1e-9)
        assert (np.diff(f) >= -1e-12).all(), ind
        slope = np.diff(f) / np.diff(L)
        assert (np.diff(slope) <= 1e-6 * np.abs(slope).max()).all(), ind  # concave (factors are stored to 1e-10)


def test_model_ilf_is_concave_on_a_fine_grid():
    grid = np.arange(300_000, 3_000_001, 100_000)
    t = model_ilf(grid, 400_000)
    assert (t.loc[400_000] == 1.0).all()
    f = t.to_numpy()
    slope = np.diff(f, axis=0) / np.diff(grid)[:, None]
    assert (np.diff(f, axis=0) >= 0).all()
    assert (np.diff(slope, axis=0) <= 1e-15).all()
    # linear while a death costs more than the limit (death loss 1 083 760)
    assert t.loc[800_000].to_numpy() == pytest.approx(2.0, abs=1e-9)


def test_raising_limits_raises_premium_by_the_book_ilf_and_keeps_the_loss_ratio():
    t = RateTable.load("national-2025")
    book = _book("national-2025", n=40_000, seed=3)
    base = LimitPolicy.fixed(400_000).apply(book)
    p0 = ajx.price(base, t)
    e0 = ajx.expected_loss(p0)["expected_loss"].sum()
    lr0 = e0 / p0["premium_ex_vat"].sum()
    for lp in (LimitPolicy.fixed(800_000), LimitPolicy.beijing(2024)):
        p = ajx.price(lp.apply(book), t)
        e = ajx.expected_loss(p)["expected_loss"].sum()
        book_ilf = e / e0
        assert p["premium"].sum() / p0["premium"].sum() == pytest.approx(book_ilf, rel=0.01), lp.label
        assert abs(e / p["premium_ex_vat"].sum() - lr0) <= 0.02, lp.label
        assert book_ilf > 1.2


@pytest.fixture(scope="module")
def national_book():
    return _book("national-2025", n=40_000, seed=5)


def test_adequacy_flags_every_segment_of_a_table_cut_to_sixty_percent(national_book):
    t = RateTable.load("national-2025")
    br = t.data["base_rates"]
    cut = {k: {i: 0.6 * v for i, v in br[k].items()} for k in ("industry", "medical")}
    for k in ("grid", "medical_grid"):
        cut[k] = {i: {s: 0.6 * v for s, v in cells.items()} for i, cells in br[k].items()}
    res = ajx.adequacy(national_book, t.with_changes(base_rates=cut))
    seg = res.by_segment
    assert seg.loc[~seg["thin"], "below_risk"].all() and not seg.loc[seg["thin"], "below_risk"].any()
    s = res.summary
    assert s["rated_premium"] / s["risk_premium"] == pytest.approx(0.6, abs=0.02)
    assert s["flagged_segments"] == s["segments"] - s["thin_segments"] > 0


@pytest.mark.parametrize("name", TABLES)
def test_adequacy_flags_no_segment_of_a_packaged_table_on_its_default_book(name):
    """A risk-based table on a fresh book of its market: its loss ratio is the permissible one, and at most a
    few segments (5 %, 2 % of premium) are flagged — the model relativity follows each unit's own history,
    which the table's class-based or clipped history factor cannot, so a segment's mix of histories can put
    it below cost by more than its standard error."""
    res = ajx.adequacy(_book(name, n=40_000, seed=5), name)
    s = res.summary
    assert s["flagged_segments"] <= 0.05 * s["segments"] and s["flagged_premium_share"] <= 0.02, res.flagged
    assert abs(s["implied_loss_ratio"] - s["permissible_loss_ratio"]) <= 0.02


def test_adequacy_result_and_bad_input(national_book):
    res = ajx.adequacy(national_book.head(3000), "national-2025", relativity=None)
    assert set(res.by_segment.index.names) == {"industry", "size", "limit_band"}
    fig = res.plot()
    assert fig.axes and "Rated / risk premium, table national-2025" in fig.axes[0].get_title()
    g = res.by_segment.groupby(level=["industry", "size"], observed=True)[["rated_premium", "risk_premium"]].sum()
    ratio = (g["rated_premium"] / g["risk_premium"]).unstack("size")
    cells = sorted(float(t.get_text()) for t in fig.axes[0].texts)
    assert cells == sorted(round(float(v), 2) for v in ratio.to_numpy().ravel() if np.isfinite(v))
    zh = res.plot(lang="zh")  # Chinese labels where a CJK font is installed, else the English figure
    from ajx_actuarial.plots import cjk_font

    if cjk_font():
        assert "费率保费 / 风险保费" in zh.axes[0].get_title()
        assert all(t.get_text() != "coal" for t in zh.axes[0].get_yticklabels())
    else:
        assert zh.axes[0].get_title() == fig.axes[0].get_title()
    assert "implied loss ratio" in res._repr_html_()
    with pytest.raises(ajx.ValidationError, match="relativity must be 'model', 'table' or None"):
        ajx.adequacy(national_book.head(10), "national-2025", relativity="x")
    with pytest.raises(ajx.ValidationError, match=r"tolerance must be in \[0, 1\)"):
        ajx.adequacy(national_book.head(10), "national-2025", tolerance=1.5)


def test_pure_risk_rates_are_the_exact_expected_loss_per_worker():
    book = _book("national-2025", n=5000, seed=2)
    r = ajx.pure_risk_rates(limits=[400_000, "beijing"], by=["industry"], book=book)
    e = ajx.expected_loss(LimitPolicy.fixed(400_000).apply(book))
    want = e.groupby("industry", observed=True)["expected_loss"].sum() / e.groupby("industry", observed=True)["headcount"].sum()
    got = r[r["limit"] == "400,000"].set_index("industry")["pure_risk"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False, rtol=1e-12)
    bj = r[r["limit"] == "Beijing formula"]
    assert (bj["limit_death"] == ajx.losses.beijing_limit(2025)).all()
    assert np.allclose(r["permille"], r["pure_risk"] / r["limit_death"] * 1000)
    with pytest.raises(ajx.ValidationError, match="each limit must be a number > 0 or 'beijing'"):
        ajx.pure_risk_rates(limits=[-5], book=book)


def test_regulator_stress_no_longer_rewards_higher_limits():
    book = _book("national-2025", n=15_000, seed=9)
    t = ajx.stress.run(book, "regulator-2026", years=200, rng=1)
    base = t.loc["baseline"]
    for sc in ("beijing-formula-limits", "limit-800k"):
        row = t.loc[sc]
        assert row["premium"] > 1.2 * base["premium"]
        assert abs(row["loss_ratio"] - base["loss_ratio"]) <= 0.02, (sc, row["loss_ratio"], base["loss_ratio"])
        assert "increased-limit factor" in row["note"]
    assert t.loc["fee-15%", "premium"] == base["premium"] and t.loc["fee-15%", "fee_ratio"] == 0.15
    assert base["fee_ratio"] == RateTable.load("national-2025").loadings["prevention_fee"]


@pytest.mark.parametrize("name", ["construction-shandong-2018", "coal-output-hubei"])
def test_risk_based_table_keeps_an_exposure_schedule_and_its_reference_limit(name):
    """tools/build_tables.py rebuilds the per-head rows of a table priced per project cost or per tonne:
    the market schedule and the limit its rates are stated at stay as they are, and the per-head rates are
    those of the same template without the schedule."""
    from ajx_actuarial.rating.basis import risk_based_table

    t = RateTable.load(name)
    book = ajx.synth.portfolio(20_000, preset="national", rng=8)
    built, record = risk_based_table(t, book=book)
    assert built.exposure_base is not None and built.data["exposure_base"] == t.data["exposure_base"]
    assert built.reference_limit == t.reference_limit and built.min_limit_death == t.min_limit_death
    bare = RateTable.from_dict({k: v for k, v in t.data.items() if k != "exposure_base"}, source="bare")
    per_head, _ = risk_based_table(bare, book=book)
    assert built.data["base_rates"] == per_head.data["base_rates"] and built.data["limits"] == per_head.data["limits"]
    assert record["exposure_base_kept"].startswith(t.exposure_base.kind)
    ilf = built.data["limits"]["ilf"]
    k = ilf["limits"].index(t.reference_limit)
    assert all(f[k] == 1.0 for f in ilf["factors"].values())  # ILF = 1 at the limit the rates are stated at
    # per-head rows price at the rebuilt rates; schedule rows still need their exposure
    ph = book[~book["industry"].isin(t.exposure_base.industries)].head(200)
    assert np.isfinite(ajx.price(ph, built)["premium"]).all()
    with pytest.raises(ajx.ValidationError, match=t.exposure_base.kind):
        ajx.price(book[book["industry"].isin(t.exposure_base.industries)].head(5), built)


@pytest.mark.parametrize("kwargs, match", [
    ({"limit_bands": ()}, r"adequacy: limit_bands must be a non-empty list of finite, positive, increasing limits \(CNY\), got \(\)"),
    ({"limit_bands": ("a",)}, r"limit_bands must be a non-empty list .*got \('a',\)"),
    ({"limit_bands": (-1,)}, r"limit_bands must be a non-empty list .*got \(-1,\)"),
    ({"limit_bands": (np.nan,)}, r"limit_bands must be a non-empty list .*got \(nan,\)"),
    ({"limit_bands": (800_000, 400_000)}, r"limit_bands must be a non-empty list of finite, positive, increasing"),
    ({"limit_bands": (True,)}, r"limit_bands must be a non-empty list"),
    ({"limit_bands": "400000"}, r"adequacy: limit_bands must be a list of increasing limits \(CNY\), got '400000'"),
    ({"limit_bands": 400_000}, r"adequacy: limit_bands must be a list of increasing limits"),
    ({"tolerance": "0.05"}, r"adequacy: tolerance must be in \[0, 1\), got '0\.05'"),
    ({"min_policies": 0}, r"adequacy: min_policies must be an integer >= 1, got 0"),
    ({"relativity": "frailty"}, r"adequacy: relativity must be 'model', 'table' or None, got 'frailty'"),
    ({"by": 5}, r"adequacy: by must be a column name or a list of them, got 5"),
])
def test_adequacy_bad_arguments(kwargs, match):
    """Issue 23: each bad argument is one ValidationError naming it, before the book is priced."""
    book = ajx.synth.portfolio(50, rng=1)
    with pytest.raises(ajx.ValidationError, match=match):
        ajx.adequacy(book, "national-2025", **kwargs)
