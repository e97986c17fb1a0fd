"""Issue 23: absurd limits, bundle limits and prevention arguments are one ValidationError naming the argument (the
limit policy's own field, the bundle and its key, prevention's argument), never a message about a derived column."""

import copy

import numpy as np
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import LimitPolicy


@pytest.mark.parametrize("call, match", [
    (lambda: LimitPolicy.fixed(1e300), r"^LimitPolicy\.limit_death: must be <= 100,000,000 CNY per person .*got 1e\+300$"),
    (lambda: LimitPolicy.fixed(float("inf")), r"LimitPolicy\.limit_death: limits must be > 0, got inf"),
    (lambda: LimitPolicy.fixed("800k"), r"LimitPolicy\.fixed: amount must be a number of CNY per person, got '800k'"),
    (lambda: LimitPolicy.fixed(True), r"LimitPolicy\.fixed: amount must be a number of CNY per person, got True"),
    (lambda: LimitPolicy.fixed(800_000, floor=1e300), r"LimitPolicy\.floor: must be <= 100,000,000 .*got 1e\+300$"),
    (lambda: LimitPolicy.fixed(800_000, medical_share=2), r"LimitPolicy\.medical_share: must be <= 1 "),
    (lambda: LimitPolicy.fixed(800_000, accident_multiple=1e300), r"LimitPolicy\.accident_multiple: must be <= 1,000 "),
    (lambda: LimitPolicy.fixed(800_000, annual_multiple=1e7), r"LimitPolicy\.annual_multiple: must be <= 1,000,000 "),
    (lambda: LimitPolicy.fixed(800_000, annual_multiple="2"), r"LimitPolicy\.annual_multiple: must be a finite number > 0, got '2'"),
    (lambda: LimitPolicy(limit_death=None, floor=-300_000.0), r"LimitPolicy\.floor: must be a finite number > 0, got -300000\.0"),
])
def test_limit_policy_bounds(call, match):
    with pytest.raises(ajx.ValidationError, match=match):
        call()


def test_the_largest_plausible_limits_still_work():
    lp = LimitPolicy.fixed(1e8, accident_multiple=1_000, annual_multiple=1e6, medical_share=1.0)
    assert lp.limit_death == 1e8


def _bundle(name, change):
    d = copy.deepcopy(ajx.jurisdictions.load(name).data)
    change(d["limits"])
    return d


@pytest.mark.parametrize("name, change, match", [
    ("beijing-2026", lambda lim: lim["floor"].__setitem__("value", -300_000), r"limits\.floor\.value: per-person limit \(CNY\) must be > 0, got -300000"),
    ("beijing-2026", lambda lim: lim["floor"].__setitem__("value", 1e300), r"limits\.floor\.value: per-person limit \(CNY\) must be <= 1e\+08"),
    ("zhejiang", lambda lim: lim["minimum"].__setitem__("value", -300_000), r"limits\.minimum\.value: per-person limit \(CNY\) must be > 0"),
    ("zhejiang", lambda lim: lim["minimum"].__setitem__("value", "400k"), r"limits\.minimum\.value: per-person limit \(CNY\) must be a number"),
    ("beijing-2026", lambda lim: lim.__setitem__("income_year", "2025"), r"limits\.income_year: must be an integer year in \[1990, 2200\], got '2025'"),
    ("beijing-2026", lambda lim: lim.__setitem__("offset", "all"), r"limits\.offset: must be one of"),
])
def test_a_bundles_bad_limit_names_the_bundle_and_key(name, change, match):
    with pytest.raises(ajx.ValidationError, match=r"^jurisdiction .*: " + match):
        ajx.jurisdictions.Jurisdiction.from_dict(_bundle(name, change), source=name)


def test_a_limit_rule_failing_later_names_the_bundle():
    j = ajx.jurisdictions.load("beijing-2026")
    bad = copy.deepcopy(j)
    object.__setattr__(bad, "data", _bundle("beijing-2026", lambda lim: lim.__setitem__("income_year", 1995)))
    with pytest.raises(ajx.ValidationError, match=r"^jurisdiction beijing-2026 \[limits\] \(rule 'beijing'\): income: no urban disposable income"):
        bad.limit_policy()


@pytest.fixture(scope="module")
def priced():
    return ajx.price(ajx.synth.portfolio(60, rng=2), "national-2025")


@pytest.mark.parametrize("call, match", [
    (lambda p: ajx.prevention.assess(None), r"prevention: priced must be a priced portfolio \(a pandas DataFrame, the output of ajx\.price\), got NoneType"),
    (lambda p: ajx.prevention.assess(p.to_dict()), r"prevention: priced must be a priced portfolio .* got dict"),
    (lambda p: ajx.prevention.assess(p, carry_forward="no"), r"prevention: carry_forward must be True or False, got 'no'"),
    (lambda p: ajx.prevention.assess(p, carry_forward=1), r"prevention: carry_forward must be True or False, got 1"),
    (lambda p: ajx.prevention.assess(p.assign(premium=p["premium"].astype(object).where(np.arange(len(p)) != 3, "abc"))),
     r"prevention: column 'premium' must be finite and >= 0; bad rows \[3\] \(values \['abc'\]\)"),
])
def test_prevention_arguments(priced, call, match):
    with pytest.raises(ajx.ValidationError, match=match):
        call(priced)


@pytest.mark.parametrize("year", ["2024", 2024.5, True, None])
def test_income_year_must_be_an_integer_year(year):
    """Issue 23: income_year = "2024" as text (and 2024.5) priced silently at 2024's incomes."""
    with pytest.raises(ajx.ValidationError, match=r"income_year: must be an integer year such as 2024, got "):
        ajx.LimitPolicy.beijing(year)
    with pytest.raises(ajx.ValidationError, match=r"scenario 'bj': .*income_year: must be an integer year"):
        ajx.stress.run(ajx.synth.portfolio(50, rng=1), [{"name": "bj", "limits": {"policy": "beijing", "income_year": year}}], years=5, rng=1)


def test_an_integral_float_income_year_is_the_year():
    assert ajx.LimitPolicy.beijing(2024.0).limit_death == ajx.LimitPolicy.beijing(2024).limit_death


@pytest.mark.parametrize("call, match", [
    (lambda p: ajx.simulate(p, 10**5000), r"simulate: years must be an integer in \[1, 1,000,000\], got a huge integer"),
    (lambda p: ajx.project(p, years=10**5000), r"project: years must be an integer in \[1, 50\], got a huge integer"),
    (lambda p: ajx.LimitPolicy.beijing(10**5000), r"income_year: must be an integer year such as 2024, got a huge integer"),
    (lambda p: ajx.LimitPolicy.beijing(float("inf")), r"income_year: must be an integer year such as 2024, got inf"),
])
def test_a_huge_number_is_named_not_echoed(priced, call, match):
    """repr of a 5 000-digit integer raises a plain ValueError (Python's 4 300-digit limit) inside the error message."""
    with pytest.raises(ajx.ValidationError, match=match):
        call(priced)
