"""Bounds of fee schedules and bundles found in review: each bad input is one clear ValidationError."""

import tomllib
from importlib import resources

import pytest

import ajx_actuarial as ajx
from ajx_actuarial.jurisdictions import Jurisdiction
from ajx_actuarial.prevention import fee_schedule


def _doc(name):
    return tomllib.loads(resources.files("ajx_actuarial.reference").joinpath("data", "jurisdictions", f"{name}.toml").read_text("utf-8"))


@pytest.mark.parametrize("kwargs, message", [
    ({"fee_ratio": 0.15, "years": 10**9, "start_year": 2026}, r"years must be an integer in \[1, 100\], got 1000000000"),
    ({"fee_ratio": 0.15, "years": 2, "start_year": "x"}, r"start_year: must be a calendar year in \[1990, 2200\], got 'x'"),
    ({"fee_ratio": 0.15, "years": 2, "start_year": 2.7}, r"start_year: must be a calendar year"),
    ({"fee_ratio": 0.15, "years": 2, "start_year": 10**12}, r"start_year: must be a calendar year"),
    ({"fee_ratio": {2026.7: 0.15}, "years": 2, "start_year": None}, r"schedule key 2026.7: must be a calendar year"),
    ({"fee_ratio": {2026: 0.15, "2026": 0.2}, "years": 2, "start_year": None}, r"fee_ratio: year 2026 is listed twice"),
    ({"fee_ratio": 1.5, "years": 1, "start_year": 2026, "on_breach": "flag"}, r"fee_ratio: fee ratio must be <= 1, got 1.5"),
])
def test_fee_schedule_bounds(kwargs, message):
    with pytest.raises(ajx.ValidationError, match=message):
        fee_schedule(**kwargs)


def test_a_flagged_cap_breach_below_one_still_runs():
    fs = fee_schedule(0.3, 1, 2026, on_breach="flag")
    assert fs.ratios.tolist() == [0.3] and fs.breaches["rule"].tolist() == ["cap"]


def _set(path, value):
    def edit(d):
        node = d
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
    return edit


@pytest.mark.parametrize("name, edit, message", [
    ("zhejiang", _set(("fee", "ratio", "value"), "0.2"), r"fee.ratio.value: value must be a number, got '0.2'"),
    ("zhejiang", _set(("fee", "cap"), "0.21"), r"fee.cap: must be a table"),
    ("zhejiang", _set(("fee", "cap", "value"), 0.5), r"fee.cap.value: must be in \[0, 0.21\], got 0.5"),
    ("beijing-2026", _set(("fee", "schedule"), [0.15]), r"jurisdiction.fee.schedule\[0\]: a number needs its source"),
    ("beijing-2026", _set(("fee", "schedule"), "0.15"), r"fee.schedule: must be a list"),
    ("zhejiang", _set(("meta", "effective"), "soon"), r"meta.effective: must be a date \(YYYY-MM-DD\) or a year, got 'soon'"),
])
def test_bundle_format_bounds(name, edit, message):
    d = _doc(name)
    edit(d)
    with pytest.raises(ajx.ValidationError, match=message):
        Jurisdiction.from_dict(d)


def test_bundle_schedule_year_listed_twice():
    d = _doc("beijing-2026")
    d["fee"]["schedule"].append(dict(d["fee"]["schedule"][0]))
    with pytest.raises(ajx.ValidationError, match=r"fee.schedule: a year is listed twice"):
        Jurisdiction.from_dict(d)


@pytest.mark.parametrize("kwargs, message", [
    ({"solvency_ratio": float("nan")}, r"solvency_ratio: value must be finite"),
    ({"solvency_ratio": "1.2"}, r"solvency_ratio: value must be a number"),
    ({"solvency_ratio": 1e12}, r"solvency_ratio: value must be <= 100"),
    ({"commission": -3.0}, r"commission: value must be >= 0"),
])
def test_check_insurer_numbers(kwargs, message):
    with pytest.raises(ajx.ValidationError, match=message):
        ajx.jurisdictions.load("xinzhou-2024").check_insurer(**kwargs)


def test_underwriting_after_must_be_a_table_and_effect_takes_a_name():
    d = _doc("zhejiang")
    d["underwriting"]["rules"][0]["after"] = "late"
    with pytest.raises(ajx.ValidationError, match=r"underwriting.rules\[0\].after: must be a table column = value, got 'late'"):
        Jurisdiction.from_dict(d)
    z = ajx.jurisdictions.load("zhejiang")
    book = z.book(300, rng=1)
    by_name = ajx.jurisdictions.underwriting_effect(book, "zhejiang")
    assert by_name.equals(ajx.jurisdictions.underwriting_effect(book, z))
    with pytest.raises(ajx.ValidationError, match=r"underwriting_effect: jurisdiction must be a bundle name or a Jurisdiction, got int"):
        ajx.jurisdictions.underwriting_effect(book, 3)
