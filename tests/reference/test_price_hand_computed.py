"""Premiums matched to the cent against hand computation, for every packaged table.

Two independent references:
1. literal values worked by hand below (national-2025), with the arithmetic in comments;
2. a row-by-row pricer written from the TOML text alone (``tomllib``, no ajx code), applied
   to 14 policies per packaged table that together exercise every factor level.
"""

import math
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.rating import packaged_tables


def _book():
    rows = [
        # id, industry, size, headcount, std, viol, black, acc3, deaths3, cfy, rect, rescue, dual, tier, limit
        ("P01", "coal_mine", "medium", 300, 0, 0, False, 0, 0, 0, "on_time", False, False, "medium", 500_000),
        ("P02", "coal_mine", "large", 1500, 1, 0, False, 0, 0, 3, "on_time", True, True, "low", 800_000),
        ("P03", "noncoal_mine", "small", 120, 2, 1, False, 2, 0, 0, "late", False, False, "high", 400_000),
        ("P04", "hazardous_chemicals", "medium", 450, 3, 2, True, 1, 1, 0, "overdue_major", False, True, "high", 600_000),
        ("P05", "fireworks", "micro", 8, 0, 0, False, 0, 0, 1, "on_time", False, False, "medium", 400_000),
        ("P06", "civil_explosives", "small", 60, 1, 3, False, 3, 4, 0, "late", True, False, "medium", 500_000),
        ("P07", "metallurgy", "large", 2200, 2, 0, False, 1, 0, 2, "on_time", False, True, "low", 400_000),
        ("P08", "construction", "small", 45, 0, 1, True, 0, 0, 2, "overdue_major", False, False, "high", 400_000),
        ("P09", "transport", "micro", 11, 0, 0, False, 5, 12, 0, "on_time", True, False, "medium", 400_000),
        ("P10", "fishing", "micro", 3, 0, 0, False, 0, 0, 0, "on_time", False, False, "medium", 400_000),
        ("P11", "other", "micro", 5, 3, 0, False, 0, 0, 3, "on_time", False, True, "low", 400_000),
        ("P12", "other", "medium", 800, 1, 0, False, 1, 2, 1, "late", True, True, "medium", 1_000_000),
        ("P13", "construction", "medium", 301, 2, 5, True, 4, 3, 0, "overdue_major", False, False, "high", 900_000),
        ("P14", "transport", "small", 51, 0, 0, False, 1, 0, 0, "late", False, True, "low", 850_000),
    ]
    cols = ["policy_id", "industry", "size", "headcount", "std_grade", "violations", "blacklisted", "accidents_3y",
            "deaths_3y", "claim_free_years", "rectification", "rescue_participation", "dual_prevention", "risk_tier", "limit_death"]
    return pd.DataFrame(rows, columns=cols)


def _reference_premium(row, t):
    """Row-wise pricer written from the TOML format description only, in exact decimal
    arithmetic (as by hand), rounded half up to the cent (四舍五入)."""
    D = lambda v: Decimal(str(v))  # noqa: E731
    br = t["base_rates"]
    rate = br["industry"][row.industry] * br.get("size", {}).get(row.size, 1.0)
    rate = br.get("grid", {}).get(row.industry, {}).get(row.size, rate)
    rate = D(rate) / 1000
    sf = t["size_factor"]
    size_factor = sf["factors"][-1]
    for bound, f in zip(sf["bands"], sf["factors"]):
        if row.headcount <= bound:
            size_factor = f
            break
    prod = Decimal(1)
    for spec in t.get("factors", {}).values():
        kind = spec["kind"]
        if kind == "categorical":
            m = spec["levels"][str(getattr(row, spec["column"]))]
        elif kind == "banded":
            v = getattr(row, spec["column"])
            m = spec["multipliers"][-1]
            for bound, mult in zip(spec["bands"], spec["multipliers"]):
                if v <= bound:
                    m = mult
                    break
        elif kind == "boolean":
            m = spec["true"] if getattr(row, spec["column"]) else spec.get("false", 1.0)
        else:  # history
            m = 1.0
            if row.deaths_3y > 0:
                grade = 0 if row.deaths_3y <= 2 else (1 if row.deaths_3y <= 9 else 2)
                m = spec["fatal"][grade]
            elif row.claim_free_years >= 1:
                m = spec["claim_free"][min(row.claim_free_years, len(spec["claim_free"])) - 1]
            elif row.accidents_3y > 0:
                m = spec["nonfatal_claim"]
        prod *= D(m)
    p = t["premium"]
    fl = min(max(prod, D(p["float_floor"])), D(p["float_cap"]))
    raw = D(int(row.headcount)) * D(row.limit_death) * rate * D(size_factor) * fl
    prem = max(raw, D(p["min_premium"]))
    return float(prem.quantize(Decimal(1).scaleb(-p.get("decimals", 2)), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("name", packaged_tables())
def test_every_table_matches_row_wise_reference_to_the_cent(name):
    t = tomllib.loads(resources.files("ajx_actuarial.reference").joinpath("data", "tables", f"{name}.toml").read_text("utf-8"))
    book = _book()
    priced = ajx.price(book, name, lift_limits=True)
    book["limit_death"] = priced["limit_death"]
    assert len(book) >= 12
    for row, got in zip(book.itertuples(index=False), priced["premium"]):
        want = _reference_premium(row, t)
        assert got == pytest.approx(want, abs=1e-6), (name, row.policy_id)  # to the cent, exactly
    # ex-VAT and prevention budget follow from the premium
    ld = t["loadings"]
    assert priced["premium_ex_vat"].to_numpy() == pytest.approx(priced["premium"].to_numpy() / (1 + ld["vat"]))
    assert priced["prevention_budget"].to_numpy() == pytest.approx(ld["prevention_fee"] * priced["premium_ex_vat"].to_numpy())


# Hand-worked values, national-2025 (base ‰ / size factor / factors from the TOML):
HAND = {
    # coal, 300 workers, 500k, no history: 300 × 500 000 × 0.80‰ × 1.00 (51-300) × 1.00 = 120 000.00
    # (DOMAIN.md §7.4 worked example: "coal mine, 300 workers, 500k, 0.8‰ -> 120 000")
    "P01": 120_000.00,
    # coal large 1500, 800k: 1500 × 800 000 × 0.0008 × 0.90 (>1000) × [0.90 (3 yrs claim-free) × 0.90 (grade 1)] = 699 840.00
    "P02": 699_840.00,
    # fireworks micro 8 workers: 8 × 400 000 × 0.0009 × 1.20 (<=10) × 0.95 (1 yr claim-free) = 3 283.20
    "P05": 3_283.20,
    # fishing 3 workers: 3 × 400 000 × 0.0012 × 1.20 = 1 728.00
    "P10": 1_728.00,
    # other micro 5 workers: 5 × 400 000 × 0.0002 × 1.20 × (0.90 × 0.96 = 0.864) = 414.72 -> minimum premium 500.00
    "P11": 500.00,
    # hazchem 450, 600k: float 1.10 (fatal) × 0.96 × 1.10 × 1.10 × 1.15 = 1.4697 -> capped 1.30;
    # 450 × 600 000 × 0.0005 × 0.95 × 1.30 = 166 725.00
    "P04": 166_725.00,
    # transport micro 11 workers, 12 deaths (major+): 11 × 400 000 × 0.0008 × 1.05 (11-50) × 1.30 = 4 804.80
    "P09": 4_804.80,
}


def test_hand_worked_national_2025():
    priced = ajx.price(_book(), "national-2025").set_index("policy_id")
    for pid, want in HAND.items():
        assert priced.loc[pid, "premium"] == pytest.approx(want, abs=0.005), pid
    assert priced.loc["P11", "min_premium_applied"]
    assert priced.loc["P04", "float_factor"] == 1.30
    assert priced.loc["P04", "float_raw"] == pytest.approx(1.10 * 0.96 * 1.10 * 1.10 * 1.15)


def test_decomposition_columns_multiply_back():
    priced = ajx.price(ajx.synth.portfolio(5000, rng=2), "zhoushan-2018")
    fs = [c for c in priced.columns if c.startswith("f_")]
    prod = priced[fs].prod(axis=1)
    assert (prod - priced["float_raw"]).abs().max() < 1e-12
    recon = priced["headcount"] * priced["limit_death"] * priced["base_rate"] * priced["size_factor"] * priced["float_factor"]
    ok = ~priced["min_premium_applied"]
    assert ((recon[ok] - priced.loc[ok, "premium"]).abs() <= 0.005 + 1e-9).all()
    loads = priced[["prevention_budget", "commission", "admin_expense", "profit_margin", "levy", "expected_loss_allowance"]].sum(axis=1)
    assert loads.to_numpy() == pytest.approx(priced["premium_ex_vat"].to_numpy())
    assert math.isclose(priced["vat"].sum() + priced["premium_ex_vat"].sum(), priced["premium"].sum(), rel_tol=1e-12)
