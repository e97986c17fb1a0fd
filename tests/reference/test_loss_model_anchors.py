"""The default loss model against public anchors (reference/data/loss_model/default.toml [anchors], MODEL.md §2).

Each anchor is a range that public statistics allow, with its source in the file: deaths and
disabilities per 100 000 workers, disabilities per death (MOHRSS work-injury appraisals), claims
per 100 workers, the mean medical-only claim (Beijing 2017), the shares of larger and major
accidents (MEM 2024), the premium per worker beside the market's filed rates, and the insured
workers the 2024 market premium implies. The test fails when an anchor is missed; it also shows
that the checks can fail: the model of the previous release (2.7 disabilities per death) misses
three of them.
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.losses.sources import load_model_file

ANCHOR_KEYS = ("coal_deaths_per_100k", "deaths_per_100k", "disabilities_per_100k", "disabilities_per_death", "claims_per_100_workers",
               "medical_claim_mean", "larger_share_of_fatal", "major_share_of_fatal", "premium_per_worker_vs_market",
               "market_insured_workers_m")


@pytest.fixture(scope="module")
def national():
    return ajx.synth.portfolio(100_000, preset="national", rng=20_261_206)


@pytest.fixture(scope="module")
def check(national):
    return ajx.LossModel.default().check(national)


def test_every_anchor_is_sourced_in_the_model_file():
    _, rows, anchors = load_model_file("default")
    assert set(ANCHOR_KEYS) <= set(anchors)
    for key in ANCHOR_KEYS:
        a = anchors[key]
        assert a["low"] < a["high"] and len(a["source"]) > 20 and a["flag"] in ("official", "official*", "secondary", "derived"), key
    # every parameter has a source and a flag
    assert rows["source"].str.len().min() > 3
    assert set(rows["flag"]) <= {"official", "official*", "secondary", "assumption", "derived", "seed"}


def test_the_default_model_meets_every_anchor_on_the_national_book(check):
    assert list(check.columns) == ["figure", "model", "low", "high", "source", "ok"]
    assert len(check) >= 6
    bad = check[~check["ok"]]
    assert bad.empty, bad[["figure", "model", "low", "high"]].to_string()


def test_the_check_figures_are_the_model_s_own(national, check):
    """Two figures recomputed independently: coal deaths per 100 000 (sector rate × relativity × capped
    cluster mean) and the share of larger accidents (the cluster pmf)."""
    m = ajx.LossModel.default()
    v = ajx.validate_portfolio(national)
    coal = v[v["industry"] == "coal_mine"]
    rel = m.relativity(coal)
    c = np.asarray(m.cluster)
    capped = np.array([(np.minimum(np.arange(c.size), h) * c).sum() for h in coal["headcount"]])
    deaths = (coal["headcount"].to_numpy() * rel * m.rates().loc["coal_mine", "fatal"] * capped).sum()
    got = check.set_index("figure").loc["coal deaths per 100 000 workers", "model"]
    assert got == pytest.approx(1e5 * deaths / coal["headcount"].sum(), rel=1e-9)
    assert check.set_index("figure").loc["larger accidents (3-9 deaths) among fatal ones", "model"] == pytest.approx(c[3:10].sum())


def test_the_previous_model_misses_the_work_injury_anchors(national):
    """DOMAIN.md §6.5's 2-3 disabilities per death (the model before the re-anchoring) fails the disability and
    market anchors: the check can fail."""
    m = ajx.LossModel.default()
    old = m.frequencies.copy()
    old["disabilities_per_100k"] = [18, 30, 9, 15, 8, 10, 15, 16, 20, 4]
    c = m.replace(frequencies=old).check(national).set_index("figure")
    assert not c.loc["disabilities per 100 000 workers (book)", "ok"]
    assert not c.loc["disabilities per death (book)", "ok"]
    assert not c.loc["insured workers the 2024 market premium implies, million", "ok"]


def test_a_fitted_model_can_be_checked_too(national):
    exp = ajx.synth.experience(national.head(20_000), 2, rng=3)
    fitted = ajx.LossModel.fit(exp)
    c = fitted.check(national)
    assert isinstance(c, pd.DataFrame) and len(c) == len(ANCHOR_KEYS)


def test_check_needs_a_book():
    with pytest.raises(ajx.ValidationError, match="give a book"):
        ajx.LossModel.default().check(None)
