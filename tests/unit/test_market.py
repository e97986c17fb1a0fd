"""``rating.market.market_comparison``: DOMAIN.md §3.2's market points beside a table's own prices."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.rating.market import MARKET_POINTS, market_comparison


def _one(table, industry, size, headcount, limit):
    book = pd.DataFrame({"policy_id": [1], "industry": [industry], "size": [size], "headcount": [headcount], "limit_death": [limit]})
    return float(ajx.price(book, table, lift_limits=True)["premium"].iloc[0])


def _position(lo, hi, vlo, vhi):
    return "below" if vhi < lo else "above" if vlo > hi else "within"


def test_points_are_the_tables_own_prices_and_positions_follow_them():
    book = ajx.synth.portfolio(4000, preset="national", rng=3)
    res = market_comparison("national-2025", book)
    assert len(res) == len(MARKET_POINTS) - 2  # no Beijing point for a national table
    t = ajx.RateTable.load("national-2025")
    nc = book[book["industry"] == "noncoal_mine"]
    for i, sz in enumerate(("large", "medium", "small")):
        heads = nc.loc[nc["size"] == sz, "headcount"]
        h = int(heads.median()) if len(heads) else {"large": 1500, "medium": 500, "small": 80}[sz]  # the documented fallback
        v = _one(t, "noncoal_mine", sz, h, 500_000.0)
        assert res["table"].iloc[i] == f"{v:,.4g}"
        assert res["position"].iloc[i] == _position(res["market_low"].iloc[i], res["market_high"].iloc[i], v, v)
    pw = sorted(_one(t, ind, "medium", 500, 200_000.0) / 500 for ind in ("noncoal_mine", "coal_mine"))
    assert res["table"].iloc[3] == f"{pw[0]:,.4g}-{pw[1]:,.4g}"
    assert res["position"].iloc[3] == _position(40, 140, *pw)
    assert set(res["position"]) <= {"below", "within", "above"}


def test_beijing_table_gets_the_beijing_book_points():
    book = ajx.synth.portfolio(4000, preset="beijing", rng=4)
    res = market_comparison("beijing-2026", book)
    priced = ajx.price(book, "beijing-2026", lift_limits=True)
    row = res[res["point"].str.startswith("Beijing book: premium per insured unit")].iloc[0]
    assert row["table"] == f"{priced['premium'].mean():,.4g}"
    share = res[res["point"].str.startswith("Beijing book: share")].iloc[0]
    assert share["table"] == f"{(priced['premium'] <= 2000).mean():,.4g}"


@pytest.mark.parametrize("name", ["construction-shandong-2018", "coal-output-hubei"])
def test_tables_priced_on_another_exposure(name):
    """Per-head market points do not apply to units priced per project cost or per tonne: they are
    marked n/a (Hubei's coal mines) instead of failing for want of an exposure column."""
    book = ajx.synth.portfolio(3000, preset="national", rng=5)
    res = market_comparison(name, book)
    assert len(res) == len(MARKET_POINTS) - 2
    pw = res.iloc[3]
    if name == "coal-output-hubei":  # coal per tonne: only the non-coal per-head price is left
        v = _one(ajx.RateTable.load(name), "noncoal_mine", "medium", 500, 200_000.0) / 500
        assert pw["table"] == f"{v:,.4g}-{v:,.4g} (coal_mine priced per output_tonnes: not included)"
        grid = ajx.RateTable.load(name).base_rate_grid.drop(index="coal_mine") * 1000  # coal's per-head rates are not used
        assert res.iloc[4]["table"] == f"{grid.to_numpy().min():,.4g}-{grid.to_numpy().max():,.4g}"
    assert np.all(res["position"].isin(["below", "within", "above", "n/a"]))


@pytest.mark.parametrize("book, message", [
    ([1, 2], r"portfolio: expected a pandas DataFrame, got list"),
    (pd.DataFrame(), r"portfolio: the table is empty"),
    (pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"]}), r"portfolio: missing required column"),
])
def test_market_comparison_and_risk_based_table_validate_the_book(book, message):
    from ajx_actuarial.rating.basis import risk_based_table

    with pytest.raises(ajx.ValidationError, match=message):
        market_comparison("national-2025", book)
    with pytest.raises(ajx.ValidationError, match=message):
        risk_based_table("national-2025", book=book)


def test_a_book_with_chinese_codes_is_read_as_its_codes():
    book = ajx.synth.portfolio(3000, preset="national", rng=5)
    zh = book.assign(industry=book["industry"].map(ajx.reference.industries()["name_zh"]).astype(str))
    assert market_comparison("national-2025", zh).equals(market_comparison("national-2025", book))
