"""RateTable: load, round trip, validation errors with key paths, price() errors."""

import copy
import re

import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.rating import RateTable, explain, packaged_tables


def test_packaged_tables_present():
    assert {"national-2025", "beijing-2026", "xinzhou-2024", "zhoushan-2018"} <= set(packaged_tables())


def test_documented_factors_per_table():
    cols = lambda n: {f.column or "history" for f in RateTable.load(n).factors}  # noqa: E731
    assert cols("beijing-2026") == {"history", "std_grade", "blacklisted", "violations", "rectification", "rescue_participation"}
    assert cols("zhoushan-2018") == {"history", "std_grade", "dual_prevention", "blacklisted", "risk_tier"}
    assert cols("xinzhou-2024") == {"history", "std_grade", "violations", "risk_tier"}
    assert RateTable.load("beijing-2026").min_limit_death == 802_460
    assert RateTable.load("xinzhou-2024").loadings["prevention_fee"] == 0.15


@pytest.mark.parametrize("name", ["national-2025", "beijing-2026", "xinzhou-2024", "zhoushan-2018"])
def test_toml_round_trip(tmp_path, name):
    t = RateTable.load(name)
    path = t.to_toml(tmp_path / f"{name}.toml")
    back = RateTable.load(path)
    assert back.data == t.data
    pd.testing.assert_frame_equal(back.base_rate_grid, t.base_rate_grid)
    book = ajx.synth.portfolio(300, rng=1)
    pd.testing.assert_series_equal(ajx.price(book, back, lift_limits=True)["premium"], ajx.price(book, t, lift_limits=True)["premium"])


def _data():
    return copy.deepcopy(RateTable.load("national-2025").data)


def _set(d, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        d = d[k]
    if value is KeyError:
        del d[keys[-1]]
    else:
        d[keys[-1]] = value


@pytest.mark.parametrize(
    "path, value, match",
    [
        ("factors.violations.multipliers", [1.0, 1.05, -1], r"factors\.violations\.multipliers\[2\]: multiplier must be > 0, got -1"),
        ("loadings.commission", 0.06, r"loadings\.commission: 0\.06 exceeds the 5 % cap .*Art\. 14"),
        ("loadings.prevention_fee", 0.25, r"loadings\.prevention_fee: 0\.25 exceeds the national 21 % cap"),
        ("loadings.admin", 1.5, r"loadings\.admin: loading must be <= 1, got 1\.5"),
        ("loadings.vat", KeyError, r"loadings\.vat: missing"),
        ("base_rates.industry.coal", 0.8, r"base_rates\.industry: unknown industry code\(s\) \['coal'\]"),
        ("base_rates.industry.coal_mine", KeyError, r"base_rates\.industry: missing industry code\(s\) \['coal_mine'\]"),
        ("base_rates.industry.fishing", "high", r"base_rates\.industry\.fishing: base rate \(‰\) must be a number, got 'high'"),
        ("premium.float_floor", 1.2, r"float bounds must satisfy float_floor <= 1 <= float_cap"),
        ("premium.min_premium", -5, r"premium\.min_premium: minimum premium must be >= 0"),
        ("size_factor.factors", [1.2, 1.0], r"size_factor: needs len\(factors\) == len\(bands\) \+ 1"),
        ("size_factor.bands", [10, 5, 300, 1000], r"size_factor\.bands\[1\]: bands must increase"),
        ("factors.std_grade.kind", "weird", r"factors\.std_grade\.kind: must be one of"),
        ("factors.std_grade.default", "7", r"factors\.std_grade\.default: '7' is not one of the levels"),
        ("factors.blacklist.true", 0, r"factors\.blacklist\.true: multiplier must be > 0, got 0"),
        ("factors.claim_history.fatal", [1.1, 1.2, 1.3, 1.4], r"factors\.claim_history: .*at most 3 multipliers"),
        ("limits.min_limit_death", 0, r"limits\.min_limit_death: minimum limit must be > 0"),
        ("meta.name", "", r"meta\.name: must be a non-empty string"),
        # issue 23: silently accepted (decimals, absurd sizes) or a TypeError when shown (sources)
        ("premium.decimals", -3, r"premium\.decimals: must be an integer in \[0, 6\] .*got -3"),
        ("premium.decimals", 2.5, r"premium\.decimals: must be an integer in \[0, 6\]"),
        ("premium.min_premium", 1e300, r"premium\.min_premium: minimum premium must be <= 1e\+06, got 1e\+300"),
        ("premium.float_cap", 1e300, r"premium\.float_cap: float cap must be <= 10, got 1e\+300"),
        ("base_rates.size.micro", 1e300, r"base_rates\.size\.micro: multiplier must be <= 10, got 1e\+300"),
        ("size_factor.factors", [1e300, 1.0, 1.0, 1.0, 1.0], r"size_factor\.factors\[0\]: multiplier must be <= 10, got 1e\+300"),
        ("meta.sources", 5, r"meta\.sources: must be a list of texts .*got 5"),
        ("meta.sources", ["N25", 5], r"meta\.sources: must be a list of texts"),
        ("meta.description", 5, r"meta\.description: must be text, got 5"),
        ("meta.effective", [2025], r"meta\.effective: must be a date"),
        ("factors.violations.default", "many", r"factors\.violations\.default: default value of the column must be a number, got 'many'"),
        ("factors.blacklist.default", "no", r"factors\.blacklist\.default: must be true or false, got 'no'"),
        ("premiums", {"min_premium": 500}, r"rate table <dict>: unknown section\(s\) \['premiums'\]; allowed: \['meta'"),
    ],
)
def test_bad_tables(path, value, match):
    d = _data()
    _set(d, path, value)
    with pytest.raises(ajx.ValidationError, match=match):
        RateTable.from_dict(d)


@pytest.mark.parametrize("path, value, key", [
    ("premium.decimals", -3, "premium.decimals"),
    ("premium.min_premium", 1e300, "premium.min_premium"),
    ("base_rates.size.large", 1e300, "base_rates.size.large"),
    ("size_factor.factors", [1e300] * 5, "size_factor.factors[0]"),
    ("meta.sources", 5, "meta.sources"),
])
def test_bad_table_file_names_the_file_and_key(tmp_path, small_book, path, value, key):
    """A bad TOML is refused where it is loaded (not priced or shown), naming the file and the key."""
    import tomli_w

    d = _data()
    _set(d, path, value)
    f = tmp_path / "mine.toml"
    f.write_text(tomli_w.dumps(d), encoding="utf-8")
    with pytest.raises(ajx.ValidationError, match=rf"^rate table '.*mine\.toml': {re.escape(key)}: "):
        ajx.price(small_book, f)
    with pytest.raises(ajx.ValidationError, match=re.escape(key)):
        RateTable.from_dict(d, source="x")


def test_price_takes_a_path(tmp_path, small_book):
    f = RateTable.load("national-2025").to_toml(tmp_path / "t.toml")
    by_path, by_name = ajx.price(small_book, f), ajx.price(small_book, "national-2025")
    pd.testing.assert_series_equal(by_path["premium"], by_name["premium"])


@pytest.mark.parametrize("kind, spec", [
    ("categorical", {"levels": {"a": 1.0, "b": 1.1}}),
    ("banded", {"bands": [1], "multipliers": [1.0, 1.1]}),
    ("boolean", {"true": 1.1}),
])
def test_factor_column_the_book_lacks_is_named(small_book, kind, spec):
    """Issue 23: a KeyError/TypeError (or, boolean, silently 1) before; with a default the default applies."""
    d = _data()
    d["factors"]["mine"] = {"kind": kind, "column": "colour", **spec}
    t = RateTable.from_dict(d)
    with pytest.raises(ajx.ValidationError, match=r"price: table 'national-2025': factor 'mine' \(" + kind + r"\) reads column 'colour', "
                                                  r"which the book lacks, and states no default"):
        ajx.price(small_book, t)
    d["factors"]["mine"]["default"] = {"categorical": "b", "banded": 5, "boolean": True}[kind]
    assert (ajx.price(small_book, RateTable.from_dict(d))["f_mine"] == 1.1).all()


def test_missing_section_and_malformed_toml(tmp_path):
    d = _data()
    del d["loadings"]
    with pytest.raises(ajx.ValidationError, match=r"missing section \[loadings\]"):
        RateTable.from_dict(d)
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta\nname = 'x'\n")
    with pytest.raises(ajx.ValidationError, match="malformed TOML"):
        RateTable.load(bad)
    with pytest.raises(ajx.ValidationError, match="does not exist"):
        RateTable.load(tmp_path / "none.toml")
    with pytest.raises(ajx.ValidationError, match="neither a packaged table"):
        RateTable.load("nowhere-2099")


def test_with_changes_and_validate():
    t = RateTable.load("national-2025").with_changes(loadings={"prevention_fee": 0.15})
    assert t.loadings["prevention_fee"] == 0.15 and t.loadings["commission"] == 0.05
    assert t.validate() is t
    with pytest.raises(ajx.ValidationError, match="exceeds the national 21 % cap"):
        t.with_changes(loadings={"prevention_fee": 0.3})


def test_limit_below_minimum(small_book):
    with pytest.raises(ajx.ValidationError, match=r"below the table 'beijing-2026' minimum of 802,460 CNY; bad rows \[0, 1, 2\]"):
        ajx.price(small_book, "beijing-2026")
    p = ajx.price(small_book, "beijing-2026", lift_limits=True)
    assert (p["limit_death"] == 802_460).all() and p["limit_lifted"].all()


def test_missing_factor_column_uses_default(small_book):
    # risk_tier absent from the input -> contract default 'medium' -> multiplier 1.0
    p = ajx.price(small_book, "xinzhou-2024")
    assert (p["f_risk_level"] == 1.0).all()


def test_price_rejects_bad_input(small_book):
    with pytest.raises(ajx.ValidationError, match=r"column 'headcount' must be >= 1"):
        ajx.price(small_book.assign(headcount=[0, 1, 2]), "national-2025")
    with pytest.raises(ajx.ValidationError, match="table must be a RateTable"):
        ajx.price(small_book, 42)
    with pytest.raises(ajx.ValidationError, match=r"price: lift_limits must be True or False, got 'no'"):
        ajx.price(small_book, "national-2025", lift_limits="no")


def test_explain(small_book):
    p = ajx.price(small_book, "national-2025")
    text = explain(p, "A1")
    assert "coal_mine / medium / 300 workers" in text and "prevention budget (20.0%)" in text
    assert f"{p.loc[0, 'premium']:,.2f}" in text
    with pytest.raises(ajx.ValidationError, match="policy_id 'ZZ' not found"):
        explain(p, "ZZ")


@pytest.mark.parametrize("table, history, expect", [
    ("beijing-2026", {"accidents_3y": 39, "claim_free_years": 0}, ["class non-fatal claim last year: 39 claim(s)", "non-fatal claim load 1.05"]),
    ("beijing-2026", {"accidents_3y": 0, "claim_free_years": 2}, ["class claim-free 2 years", "2 year(s) 0.92"]),
    ("beijing-2026", {"accidents_3y": 1, "claim_free_years": 0, "deaths_3y": 4, "max_accident_deaths_3y": 4},
     ["class fatal 3-9 deaths: the worst accident of 3 years killed 4", "3-9 deaths 1.20", "overrides"]),
    ("national-2025", {"accidents_3y": 39, "claim_free_years": 0}, ["class claims above expected: 39 claim(s) in 3 years against",
                                                                     "(k + N)/(k + E) = (4 + 39)/", "kept within [0.70, 1.30]"]),
    ("national-2025", {"accidents_3y": 0, "claim_free_years": 0}, ["class unknown", "neutral (1.00)"]),
    ("national-2025", {"accidents_3y": 30, "claim_free_years": 0, "deaths_3y": 1, "max_accident_deaths_3y": 1},
     ["class fatal 1-2 deaths", "the larger of the load and the claim ratio", "(claim ratio (k + N)/(k + E) = (4 + 30)/", "= 1.3000 within"]),
])
def test_explain_names_the_history_class_and_its_rule(small_book, table, history, expect):
    book = small_book.assign(**{k: [v] * len(small_book) for k, v in history.items()})
    text = explain(ajx.price(book, table, lift_limits=True), "A1")
    for e in expect:
        assert e in text, (e, text)
    assert "= filed premium" in text and "risk premium" not in text  # the audit's term for the model's cost is not the tariff's


@pytest.mark.parametrize("change, match", [
    ({"limits": 5}, r"limits: must be a table \(TOML section\), got int"),
    ({"limits": {"min_limit_death": 400000, "bogus": 1}}, r"limits: unknown key\(s\) \['bogus'\]"),
    ({"limits": {"min_limit_death": 400000, "ilf": {"limits": [400000, 300000], "factors": {"all": [1, 1]}}}}, r"limits.ilf.limits: must increase"),
    ({"limits": {"min_limit_death": 400000, "ilf": {"limits": [300000, 500000], "factors": {"all": [1, 1.2]}}}}, r"must include the reference limit 400,000"),
    ({"limits": {"min_limit_death": 400000, "ilf": {"limits": [400000, 800000], "factors": {"all": [1.1, 2]}}}}, r"factor at the reference limit must be 1"),
    ({"limits": {"min_limit_death": 400000, "ilf": {"limits": [400000, 800000], "factors": {"all": [1, 0.9]}}}}, r"must not decrease with the limit"),
    ({"limits": {"min_limit_death": 400000, "ilf": {"limits": [400000, 800000], "factors": {"coal": [1, 2]}}}}, r"unknown industry code\(s\) \['coal'\]"),
    ({"base_rates": {"medical": {"other": -5}}}, r"base_rates.medical.other: medical rate \(CNY per head\) must be >= 0"),
    ({"base_rates": {"float_mean": {"other": 0}}}, r"base_rates.float_mean.other: mean float factor must be > 0"),
])
def test_limit_dimension_is_validated(change, match):
    t = ajx.RateTable.load("national-2025")
    data = {**t.data, **{k: ({**t.data[k], **v} if isinstance(v, dict) and k == "base_rates" else v) for k, v in change.items()}}
    with pytest.raises(ajx.ValidationError, match=match):
        ajx.RateTable.from_dict(data)


def test_gbk_toml_is_read(tmp_path):
    t = ajx.RateTable.load("national-2025")
    text = t.toml_text().replace('name = "national-2025"', 'name = "国家费率"')
    p = tmp_path / "gbk.toml"
    p.write_bytes(text.encode("gbk"))
    assert ajx.RateTable.load(p).name == "国家费率"
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe\x00garbage\x81")
    with pytest.raises(ajx.ValidationError, match="not UTF-8 or GB18030 text"):
        ajx.RateTable.load(bad)
