"""Other rating bases, against hand-computed premiums from the market figures (DOMAIN.md §3.1-3.2).

* Shandong 2018 construction (SD18, secondary): premium = project cost × rate ‰ by project-size
  band (<= 10 m 0.65, 10-50 m 0.60, 50-100 m 0.55, 100-500 m 0.50, 500 m-1 bn 0.45, > 1 bn 0.40)
  at a 500 000 per-person cover, aggregate limits 21/42/63/84/94.5/105 m by band.
* Hubei coal (HBei, secondary): 2.3 CNY per tonne of approved output at a 200 000 per-person cover;
  claim-free −5/−8/−10 %, standardisation grade 2 −8 %, grade 1 −10 %, multiplied.

Every expected value below is worked by hand in the comment beside it (exact to the cent: the
premium is rounded half up to 0.01 CNY, so the tolerance is 1e-6 CNY).
"""

import tomllib
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx

SD = "construction-shandong-2018"
HB = "coal-output-hubei"


def _projects(costs, heads=None, **cols):
    n = len(costs)
    heads = heads or [50] * n
    return pd.DataFrame({"policy_id": [f"P{i}" for i in range(n)], "industry": "construction", "size": "small", "headcount": heads,
                         "project_cost": costs, "limit_death": 500_000.0, **cols})


@pytest.mark.parametrize("cost, premium, band_aggregate", [
    (10_000_000, 6_500.00, 21_000_000),          # 10 m × 0.65‰ (<= 10 m is inclusive)
    (10_000_001, 6_000.00, 42_000_000),          # 10 000 001 × 0.60‰ = 6 000.0006 -> 6 000.00 (the published step)
    (30_000_000, 18_000.00, 42_000_000),         # 30 m × 0.60‰
    (50_000_000, 30_000.00, 42_000_000),         # 50 m × 0.60‰
    (75_000_000, 41_250.00, 63_000_000),         # 75 m × 0.55‰
    (500_000_000, 250_000.00, 84_000_000),       # 500 m × 0.50‰
    (800_000_000, 360_000.00, 94_500_000),       # 800 m × 0.45‰
    (1_200_000_000, 480_000.00, 105_000_000),    # 1.2 bn × 0.40‰
    (12_345_678, 7_407.41, 42_000_000),          # 12 345 678 × 0.60‰ = 7 407.4068 -> 7 407.41
    (500_000, 500.00, 21_000_000),               # 0.5 m × 0.65‰ = 325 -> minimum premium 500
])
def test_shandong_bands_to_the_cent(cost, premium, band_aggregate):
    priced = ajx.price(_projects([cost]), SD)
    assert priced.loc[0, "premium"] == pytest.approx(premium, abs=1e-6)
    assert priced.loc[0, "limit_annual"] == band_aggregate  # the band's aggregate limit becomes the policy's
    assert priced.loc[0, "exposure_base"] == "project_cost" and priced.loc[0, "size_factor"] == 1.0
    assert priced.loc[0, "medical_rate"] == 0.0


def test_shandong_discount_limit_and_given_aggregate():
    book = _projects([30_000_000] * 3, std_grade=[1, 2, 0], limit_death=[500_000.0, 500_000.0, 400_000.0])
    p = ajx.price(book, SD)
    # grade 1: 18 000 × 0.90 = 16 200.00; grade 2: 18 000 × 0.92 = 16 560.00
    # 400 000 limit: ILF 400 000 / 500 000 = 0.8 (the model's ILF is linear below the 1.08 m death cost) -> 14 400.00
    assert p["premium"].tolist() == pytest.approx([16_200.00, 16_560.00, 14_400.00], abs=1e-6)
    # a book that states its own aggregate keeps it
    own = ajx.price(book.assign(limit_annual=50_000_000.0), SD)
    assert (own["limit_annual"] == 50_000_000.0).all()
    # the band aggregate may not fall below the per-accident limit
    with pytest.raises(ajx.ValidationError, match=r"band aggregate limit .* below the row's limit_accident"):
        ajx.price(_projects([5_000_000], limit_accident=[30_000_000.0]), SD)


def test_progressive_schedule_by_hand():
    t = ajx.RateTable.load(SD).with_changes(exposure_base={"method": "progressive"})
    p = ajx.price(_projects([30_000_000, 60_000_000]), t)
    # 10 m × 0.65‰ + 20 m × 0.60‰ = 6 500 + 12 000 = 18 500.00
    # 10 m × 0.65‰ + 40 m × 0.60‰ + 10 m × 0.55‰ = 6 500 + 24 000 + 5 500 = 36 000.00
    assert p["premium"].tolist() == pytest.approx([18_500.00, 36_000.00], abs=1e-6)
    assert p.loc[0, "exposure_rate"] == pytest.approx(18_500 / 30_000_000 * 1000)  # average ‰


@pytest.mark.parametrize("tonnes, cfy, grade, limit, premium", [
    (90_000, 0, 0, 200_000, 207_000.00),    # 90 000 t × 2.3 = 207 000.00 (DOMAIN.md §3.2 says "about 20 700": a slip of 10)
    (60_000, 0, 0, 200_000, 138_000.00),    # 60 000 × 2.3
    (150_000, 0, 0, 200_000, 345_000.00),   # 150 000 × 2.3
    (90_000, 1, 0, 200_000, 196_650.00),    # × 0.95 (claim-free last year)
    (90_000, 2, 2, 200_000, 175_204.80),    # × 0.92 (2 claim-free years) × 0.92 (grade 2), multiplied (累计相乘)
    (90_000, 5, 1, 200_000, 167_670.00),    # × 0.90 (3+ years) × 0.90 (grade 1)
    (90_000, 0, 0, 400_000, 414_000.00),    # 400 000 cover: ILF 2 (the model's ILF is linear below the 1.08 m death cost) -> 4.6 CNY/t
    (100, 0, 0, 200_000, 500.00),           # 230 -> minimum premium 500
])
def test_hubei_coal_per_tonne_to_the_cent(tonnes, cfy, grade, limit, premium):
    mine = pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["small"], "headcount": [150], "output_tonnes": [tonnes],
                         "claim_free_years": [cfy], "std_grade": [grade], "limit_death": [limit]})
    p = ajx.price(mine, HB)
    assert p.loc[0, "premium"] == pytest.approx(premium, abs=1e-6)
    assert p.loc[0, "exposure_rate"] == pytest.approx(2.3)


def _per_head_by_hand(table, industry, size, headcount):
    """Per-head premium at the table's reference limit (ILF 1), no factor levels, from the TOML text (exact decimals)."""
    t = tomllib.loads(resources.files("ajx_actuarial.reference").joinpath("data", "tables", f"{table}.toml").read_text("utf-8"))
    br, lim = t["base_rates"], t["limits"]
    rate = Decimal(str(br.get("grid", {}).get(industry, {}).get(size, br["industry"][industry])))
    med = Decimal(str(br.get("medical_grid", {}).get(industry, {}).get(size, br.get("medical", {}).get(industry, 0.0))))
    sf = t["size_factor"]
    size_f = Decimal(str(next((f for b, f in zip(sf["bands"], sf["factors"]) if headcount <= b), sf["factors"][-1])))
    raw = headcount * (Decimal(str(lim["reference_limit"])) * rate / 1000 + med) * size_f
    return float(max(raw, Decimal(str(t["premium"]["min_premium"]))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_mixed_book_per_head_rows_and_decomposition():
    book = pd.DataFrame({"policy_id": ["C", "M", "O"], "industry": ["construction", "coal_mine", "other"], "size": ["small", "small", "medium"],
                         "headcount": [60, 120, 400], "project_cost": [30e6, np.nan, np.nan], "limit_death": 500_000.0})
    p = ajx.price(book, SD)
    # the project row on its cost: 30 m × 0.60‰ = 18 000.00; the others per head from the table's [base_rates] at 500 000
    want = [18_000.00, _per_head_by_hand(SD, "coal_mine", "small", 120), _per_head_by_hand(SD, "other", "medium", 400)]
    assert p["premium"].tolist() == pytest.approx(want, abs=1e-6)
    assert p["exposure_base"].astype(str).tolist() == ["project_cost", "headcount", "headcount"]
    assert p.loc[1, "rated_exposure"] == 120 and np.isnan(p.loc[1, "exposure_rate"]) and p.loc[1, "exposure_band"] == -1
    # one decomposition for every row: headcount × (limit_rate + medical_rate) × size_factor × float_factor = premium_raw
    recon = p["headcount"] * (p["limit_rate"] + p["medical_rate"]) * p["size_factor"] * p["float_factor"]
    assert recon.to_numpy() == pytest.approx(p["premium_raw"].to_numpy(), rel=1e-12)
    assert p["limit_rate"].to_numpy() == pytest.approx((p["base_rate"] * 500_000 * p["ilf"]).to_numpy(), rel=1e-12)


def test_missing_exposure_is_a_clear_error():
    book = pd.DataFrame({"policy_id": ["C1", "C2"], "industry": ["construction"] * 2, "size": ["small"] * 2, "headcount": [10, 20],
                         "project_cost": [1e7, np.nan]})
    with pytest.raises(ajx.ValidationError, match=r"prices construction per project_cost .* 'project_cost' is blank on such rows; bad rows \[1\]"):
        ajx.price(book, SD)
    with pytest.raises(ajx.ValidationError, match=r"'output_tonnes' is missing"):
        ajx.price(book.assign(industry="coal_mine", project_cost=1e7), HB)


def test_explain_shows_the_exposure_lines():
    p = ajx.price(_projects([30_000_000], std_grade=[2]), SD)
    text = ajx.explain(p, "P0")
    assert "exposure (project_cost)" in text and "0.6000 ‰ of project cost" in text and "18,000.00" in text
    assert "band 10,000,000-50,000,000" in text and "16,560.00" in text
    # after a Parquet-like round trip (attrs carry the table's TOML) explain rebuilds the exposure table
    q = ajx.price(pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["small"], "headcount": [150],
                                "output_tonnes": [90_000], "limit_death": [200_000]}), HB)
    assert "2.3000 CNY per tonne" in ajx.explain(q, 1)


def test_losses_follow_workers_not_the_exposure():
    """expected_loss and simulate read the headcount: doubling the project cost doubles the premium
    (same band) and leaves the losses as they are; the adequacy ratio doubles exactly."""
    a = _projects([12e6, 20e6, 15e6], heads=[30, 40, 25])
    b = a.assign(project_cost=a["project_cost"] * 2)  # still in the 10-50 m band
    pa, pb = ajx.price(a, SD), ajx.price(b, SD)
    assert pb["premium"].to_numpy() == pytest.approx(2 * pa["premium"].to_numpy(), abs=0.011)
    ea, eb = ajx.expected_loss(pa), ajx.expected_loss(pb)
    assert eb["expected_loss"].to_numpy() == pytest.approx(ea["expected_loss"].to_numpy(), rel=1e-12)
    ra, rb = ajx.adequacy(a, SD), ajx.adequacy(b, SD)
    assert rb.summary["rated_premium"] / rb.summary["risk_premium"] == pytest.approx(
        2 * ra.summary["rated_premium"] / ra.summary["risk_premium"], rel=1e-9)
    sim = ajx.simulate(pa, 200, rng=3)
    assert sim.annual.shape[0] == 200 and sim.premium == pytest.approx(pa["premium"].sum())
    assert ajx.simulate(pa, 200, rng=3).annual.equals(ajx.simulate(pb, 200, rng=3).annual)  # same losses, other premium


def test_where_the_market_figures_sit_against_the_loss_model():
    """Not tuned: the Shandong and Hubei rates are market data. On a synthetic construction book whose
    project cost is the national output per worker (601 300 CNY a year, NBS 2023, official*), the
    Shandong premium is about 0.9 × the loss model's risk premium (it was 2.3 × under the model before
    the re-anchoring to work-injury disabilities): the 2018 project-cost rates cover the risk only from
    about 640 000 CNY of project cost per worker-year; a Hubei coal mine covers the model's risk premium
    from about 90 t of output per worker a year (still below the productivity of any mine)."""
    j = ajx.jurisdictions.load("zhejiang")
    book = j.book(6000, rng=5)
    con = book[book["industry"] == "construction"].reset_index(drop=True)
    r = ajx.adequacy(con, SD).summary
    ratio = r["rated_premium"] / r["risk_premium"]
    assert 0.6 < ratio < 1.3
    # break-even project cost per worker-year: the rate that covers the risk premium (average rate of the book)
    priced = ajx.price(con, SD)
    avg_rate = float((priced["premium_raw"] / priced["project_cost"]).mean())
    breakeven = r["risk_premium"] / con["headcount"].sum() / avg_rate
    assert 450_000 < breakeven < 900_000
    mine = ajx.synth.portfolio(3000, rng=6, industry_mix={"coal_mine": 1.0})
    mine = mine.assign(limit_death=200_000.0, limit_medical=20_000.0, limit_accident=2e6, limit_annual=4e6, output_tonnes=mine["headcount"] * 1.0)
    pm = ajx.price(mine, HB)
    t = ajx.RateTable.load(HB)
    risk_per_worker = ajx.expected_loss(pm)["expected_loss"].sum() * 1.06 / t.expected_loss_ratio() / mine["headcount"].sum()
    assert 60 < risk_per_worker / 2.3 < 250  # tonnes per worker-year at which 2.3 CNY/t meets the risk premium


def test_pricing_on_an_exposure_keeps_the_users_exposure_and_limit_annual_headers():
    """Review findings: the priced exposure no longer overwrites a frame's ``exposure`` (worker-years),
    and a ``limit_annual`` given under another case (``Limit_Annual``) is the user's, not the band's."""
    book = pd.DataFrame({"policy_id": ["C"], "industry": ["construction"], "size": ["small"], "headcount": [60],
                         "project_cost": [30e6], "limit_death": 500_000.0, "exposure": [50.0], "Limit_Annual": [9e6]})
    p = ajx.price(book, SD)
    assert p.loc[0, "exposure"] == 50.0 and p.loc[0, "rated_exposure"] == 30e6
    assert p.loc[0, "limit_annual"] == 9e6
