"""Each preset's book matches its packaged targets within the statistical tolerances of the file."""

import tomllib
from importlib import resources

import numpy as np
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.synth import load_preset

PRESETS = ("national", "beijing", "shanxi-mining")
# rows whose tolerance is sampling error (binomial, mean, Poisson); anchors and premiums are reported, not tested here
STATISTICAL = ("binomial", "mean", "ratio estimator", "compound Poisson", "Poisson", "loss model")


def test_packaged_presets_are_listed():
    assert ajx.synth.presets() == sorted(PRESETS)


@pytest.mark.parametrize("name", PRESETS)
def test_every_number_has_a_source_and_a_flag(name):
    doc = tomllib.loads(resources.files("ajx_actuarial.reference").joinpath("data", "presets", f"{name}.toml").read_text("utf-8"))
    flags = {"seed", "official", "official*", "secondary", "assumption", "derived"}
    n = 0
    for sec in ("industry_mix", "headcount", "regions", "std_grade", "management", "limits", "tolerance", "anchors"):
        for key, item in doc[sec].items():
            assert item.get("source"), (sec, key)
            assert item.get("flag") in flags, (sec, key, item.get("flag"))
            n += 1
    assert n > 40


@pytest.mark.parametrize("name", PRESETS)
def test_book_matches_its_targets(name):
    book = ajx.synth.portfolio(100_000, preset=name, rng=2026)
    t = ajx.synth.check(book)
    stat = t[t["basis"].str.startswith(STATISTICAL)]
    assert len(stat) > 60
    bad = stat.loc[~stat["within"].astype(bool), ["quantity", "generated", "target", "tolerance"]]
    assert bad.empty, bad.to_string()
    # tolerances are z standard errors at the book's size: z from the file, never zero where the target is inside (0, 1)
    z = load_preset(name).z
    shares = stat[stat["basis"].str.startswith("binomial") & stat["target"].between(1e-9, 1 - 1e-9)]
    assert (shares["tolerance"] > 0).all() and z == 4.0


def test_check_flags_a_book_that_misses_its_targets():
    """The check can fail: a national book checked against the Beijing preset misses the industry mix."""
    book = ajx.synth.portfolio(50_000, rng=7)
    t = ajx.synth.check(book, "beijing")
    row = t.set_index("quantity").loc["industry share: other"]
    assert not row["within"] and row["target"] > 0.7


def test_preset_limits_and_tables():
    nat, bj, sx = (load_preset(p) for p in PRESETS)
    assert (nat.rate_table, bj.rate_table, sx.rate_table) == ("national-2025", "beijing-2026", "xinzhou-2024")
    assert min(nat.limit_mix()) >= 400_000 and min(sx.limit_mix()) >= 400_000
    assert list(bj.limit_mix()) == [pytest.approx(ajx.LimitPolicy.beijing(2025).amount if hasattr(ajx.LimitPolicy.beijing(2025), "amount") else 802_460, abs=1)]
    for p in (nat, bj, sx):
        ajx.RateTable.load(p.rate_table)


def test_headline_figures_against_the_issue():
    """The national book is no longer the 289-workers-per-unit book of issue 11."""
    book = ajx.synth.portfolio(100_000, rng=1)
    h = book["headcount"]
    assert 30 < h.mean() < 50 and h.median() < 15
    large = book["size"] == "large"
    assert h[large].sum() / h.sum() < 0.3
    bj = ajx.synth.portfolio(100_000, preset="beijing", rng=1)
    assert 9 < bj["headcount"].mean() < 13.5  # Beijing anchor: 5.4 m CNY insured per unit at 0.4-0.6 m per person


def test_issue_complaint_fatal_surcharge_share_follows_the_truth():
    """Large units carry a fatal-accident history only as often as their risk says (not 34 %)."""
    book = ajx.synth.portfolio(100_000, rng=3)
    t = ajx.synth.check(book).set_index("quantity")
    for s in ("large", "medium", "small", "micro"):
        assert t.loc[f"fatal accident in 3 years: {s}", "within"]
        assert t.loc[f"claim-free last year: {s}", "within"]
    assert t.loc["fatal accident in 3 years: large", "generated"] < 0.34
    assert t.loc["claim-free last year: micro", "generated"] > t.loc["claim-free last year: small", "generated"] > t.loc["claim-free last year: large", "generated"]


def test_check_with_premiums():
    book = ajx.synth.portfolio(20_000, preset="beijing", rng=4)
    t = ajx.synth.check(book, priced=ajx.price(book, "beijing-2026"))
    q = " | ".join(t["quantity"])
    assert "premium per unit (beijing-2026)" in q and "share of units paying <= 2 000 CNY" in q
    with pytest.raises(ajx.ValidationError, match=r"check: priced must be the book priced row for row"):
        ajx.synth.check(book, priced=book.iloc[:10])
    assert np.isfinite(t.loc[t["quantity"].str.startswith("premium per unit"), "generated"]).all()
