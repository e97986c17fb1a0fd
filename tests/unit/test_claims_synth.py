"""experience_from_claims on ``ajx.synth.claims`` ledgers: their truth is ``ajx.synth.experience``
drawn with the same seed (the synthetic ledger aggregated at full development equals it)."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx

pytestmark = pytest.mark.skipif(not hasattr(ajx.synth, "claims"), reason="ajx.synth.claims not available")


def _register(exp: pd.DataFrame) -> pd.DataFrame:
    return exp.drop(columns=["claims", "deaths", "disabilities", "incurred"])


def test_fully_developed_ledger_gives_back_the_experience():
    """Valued after every claim closed: each policy-year's claims (accidents), deaths,
    disabilities, incurred and exposure equal synth.experience's exactly (incurred to 1e-6 CNY)."""
    book = ajx.synth.portfolio(3000, rng=1)
    led = ajx.synth.claims(book, 3, "2040-12-31", rng=2)
    exp = ajx.synth.experience(book, 3, rng=2)
    res = ajx.experience_from_claims(_register(exp), led, "2040-12-31")
    got = res.experience.set_index(["policy_id", "year"]).sort_index()
    want = exp.set_index(["policy_id", "year"]).sort_index()
    assert got.index.equals(want.index)
    for c in ("claims", "deaths", "disabilities"):
        np.testing.assert_array_equal(got[c].to_numpy(), want[c].to_numpy())
    np.testing.assert_allclose(got["incurred"].to_numpy(), want["incurred"].to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(got["exposure"].to_numpy(), want["exposure"].to_numpy(), rtol=1e-12)
    assert (res.ultimates["ibnr"] == 0).all()


def test_immature_ledger_develops_to_the_experience_totals():
    """Valued at 12 months for the last year: ultimates per accident year within 4 Mack standard
    errors of the experience totals (the oldest year within 0.1 %: about 0.4 % of disabilities
    wait more than three years for their appraisal, lognormal(300 days, 0.45), and are reserved at
    the medical reserve until then); disability counts, which wait for appraisal, within 4 Poisson
    standard errors of their unreported number."""
    cl = pytest.importorskip("chainladder")
    book = ajx.synth.portfolio(20_000, rng=1)
    led = ajx.synth.claims(book, 4, "2024-12-31", rng=2)
    exp = ajx.synth.experience(book, 4, rng=2)
    res = ajx.experience_from_claims(_register(exp), led, "2024-12-31")
    u = res.ultimates
    true = exp.groupby("year")[["claims", "incurred", "disabilities"]].sum()
    se = np.nan_to_num(cl.MackChainladder().fit(cl.Development().fit_transform(res.triangles["incurred"])).mack_std_err_.values[0, 0, :, -1])
    assert u.loc[2021, "ultimate"] == pytest.approx(true.loc[2021, "incurred"], rel=1e-3)
    z = (u["ultimate"] - true["incurred"]).to_numpy()[1:] / se[1:]
    assert np.abs(z).max() < 4, z
    assert u.loc[2024, "incurred"] < 0.9 * true.loc[2024, "incurred"]  # immature
    late = (u["disabilities_ultimate"] - u["disabilities_reported"]).clip(lower=0).to_numpy()
    zd = (u["disabilities_ultimate"] - true["disabilities"]).to_numpy() / np.sqrt(late + 1)
    assert np.abs(zd).max() < 4, zd
    assert u.loc[2024, "disabilities_reported"] < 0.5 * true.loc[2024, "disabilities"]
