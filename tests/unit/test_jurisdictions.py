"""Jurisdiction bundles: loading, the format's checks, sector classes, insurer tests, synthetic books."""

import copy
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.jurisdictions import FLAGS, Jurisdiction

NAMES = ["beijing-2017", "beijing-2026", "national-2025", "xinzhou-2024", "zhejiang", "zhoushan-2018"]


def _doc(name="zhejiang"):
    return tomllib.loads(resources.files("ajx_actuarial.reference").joinpath("data", "jurisdictions", f"{name}.toml").read_text("utf-8"))


def test_list_and_load_every_bundle():
    assert ajx.jurisdictions.list() == NAMES
    for name in NAMES:
        j = ajx.jurisdictions.load(name)
        assert j.name == name
        assert j.rate_table().name == j.data["parts"]["rate_table"]
        assert j.prevention_rules().rules  # every bundle mandates at least one service
        assert j.preset in ajx.synth.presets()
        src = j.sources()
        assert len(src) >= 3 and set(src["flag"]) <= set(FLAGS) and (src["source"].str.len() > 5).all()
        assert j.data["meta"]["assumed"], "every bundle lists what it assumes"
        titles = [t for t, _ in j.describe()]
        assert titles[0].startswith(name)


def test_unknown_bundle_and_bad_file(tmp_path):
    with pytest.raises(ajx.ValidationError, match=r"jurisdiction: 'shanghai' is neither a packaged bundle"):
        ajx.jurisdictions.load("shanghai")
    bad = tmp_path / "b.toml"
    bad.write_text("[meta\nname = 1", encoding="utf-8")
    with pytest.raises(ajx.ValidationError, match="malformed TOML"):
        ajx.jurisdictions.load(bad)


def _edit(fn, name="zhejiang"):
    d = _doc(name)
    fn(d)
    return d


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["fee"].__setitem__("cap", 0.21), r"jurisdiction.fee.cap: a number needs its source"),
    (lambda d: d["fee"]["ratio"].__setitem__("flag", "guess"), r"jurisdiction.fee.ratio.flag: must be one of"),
    (lambda d: d["fee"]["ratio"].__setitem__("source", ""), r"jurisdiction.fee.ratio.source: every number needs a source"),
    (lambda d: d.__setitem__("tariff", {}), r"unknown section\(s\) \['tariff'\]"),
    (lambda d: d.pop("limits"), r"missing section \[limits\]"),
    (lambda d: d["fee"].__setitem__("schedule", [{"year": 2026, "value": 0.2, "source": "x", "flag": "seed"}]), r"fee: give exactly one of 'ratio' or 'schedule'"),
    (lambda d: d["fee"].__setitem__("ledger", "accrual"), r"fee.ledger: must be one of \['provisioned', 'carry_forward', 'not_provisioned'\]"),
    (lambda d: d["fee"]["ratio"].__setitem__("value", 1.5), r"fee.ratio.value: must be in \[0, 1\]"),
    (lambda d: d["sectors"].__setitem__("mandatory", ["mining"]), r"sectors.mandatory: unknown code\(s\) \['mining'\]"),
    (lambda d: d["sectors"].__setitem__("encouraged_sub_sectors", ["karaoke"]), r"sectors.encouraged_sub_sectors: unknown code\(s\) \['karaoke'\]"),
    (lambda d: d["limits"].__setitem__("rule", "income"), r"limits.rule: must be 'minimum', 'beijing' or 'fixed'"),
    (lambda d: d["prevention"].pop("rule_set"), r"prevention.rule_set: rules = 'inline' needs"),
    (lambda d: d["underwriting"]["rules"][0].__setitem__("action", "surcharge"), r"underwriting.rules\[0\].action: must be one of \['defer', 'refuse'\]"),
    (lambda d: d["underwriting"]["rules"][0].__setitem__("when", {"hazard": ["major"]}), r"underwriting.rules\[0\].when.hazard: not a code, flag or count column"),
    (lambda d: d["underwriting"]["rules"][0].__setitem__("when", {"rectification": ["never"]}), r"when.rectification: unknown code\(s\) \['never'\]"),
    (lambda d: d["underwriting"].__setitem__("must_accept", True), r"must_accept = true .* contradicts the rules listed"),
    (lambda d: d["underwriting"]["rules"][0].pop("source"), r"underwriting.rules\[0\].source: every rule needs its source"),
])
def test_format_checks(edit, message):
    with pytest.raises(ajx.ValidationError, match=message):
        Jurisdiction.from_dict(_edit(edit))


def test_fee_schedule_steps_years_and_bad_options():
    b26 = ajx.jurisdictions.load("beijing-2026")
    fs = b26.fee_schedule()  # from the bundle's effective year (2026) to its last listed year
    assert fs.years == [2026, 2027, 2028] and fs.ratios.tolist() == [0.1667, 0.1833, 0.20]
    assert b26.fee_schedule(start_year=2025).ratios.tolist() == [0.15, 0.1667, 0.1833, 0.20]
    assert b26.fee_schedule(fee_ratio={2030: 0.18, 2031: 0.19}).as_mapping() == {2030: 0.18, 2031: 0.19}  # a user's schedule
    assert b26.fee_schedule(years=5, start_year=2027).as_mapping() == {2027: 0.1833, 2028: 0.2, 2029: 0.2, 2030: 0.2, 2031: 0.2}
    assert b26.fee_schedule(start_year=2020, years=2).ratios.tolist() == [0.15, 0.15]  # before the first year: the first value
    assert ajx.jurisdictions.load("zhejiang").fee_schedule(years=2, start_year=2030).as_mapping() == {2030: 0.2, 2031: 0.2}
    with pytest.raises(ajx.ValidationError, match=r"on_breach must be one of \['error', 'flag'\], got 'warn'"):
        b26.fee_schedule(on_breach="warn")
    with pytest.raises(ajx.ValidationError, match=r"years must be an integer in \[1, 100\], got 0"):
        b26.fee_schedule(years=0)
    with pytest.raises(ajx.ValidationError, match=r"fee_ratio\[2026\]: must be a number, got 'high'"):
        b26.fee_schedule(fee_ratio={2026: "high"})


def test_classify_sector_scopes():
    book = pd.DataFrame({
        "policy_id": range(7),
        "industry": ["hazardous_chemicals", "hazardous_chemicals", "transport", "other", "fishing", "other", "coal_mine"],
        "size": "small", "headcount": 20,
        "sub_sector": ["hazchem_storage", "none", "ships", "confined_space", "marine_fishing", "none", "none"]})
    zs = ajx.jurisdictions.load("zhoushan-2018").classify(book).astype(str).tolist()
    # S03: storage in scope; hazchem without a sub-sector: unclear (only some hazchem units are); ships in scope;
    # confined-space work encouraged; marine fishing in scope; plain 'other' voluntary; mines in scope
    assert zs == ["mandatory", "scope_unclear", "mandatory", "encouraged", "mandatory", "voluntary", "mandatory"]
    bj = ajx.jurisdictions.load("beijing-2026").classify(book).astype(str).tolist()
    # S01: seven sectors mandatory, fishing excluded ("渔业除外"), confined-space work encouraged
    assert bj == ["mandatory", "mandatory", "mandatory", "encouraged", "excluded", "voluntary", "mandatory"]
    b17 = ajx.jurisdictions.load("beijing-2017").classify(book.drop(columns="sub_sector")).astype(str).tolist()
    assert b17[4] == "encouraged" and b17[3] == "voluntary"  # S00: fishing is a key-promotion sector in 2017


def test_insurer_tests_xinzhou():
    x = ajx.jurisdictions.load("xinzhou-2024")
    t = x.check_insurer(solvency_ratio=1.0, risk_rating="b")
    assert t["passed"].tolist() == [True, True]
    t = x.check_insurer(solvency_ratio=0.99, risk_rating="C")
    assert t["passed"].tolist() == [False, False] and t["source"].str.contains("S04").all()
    with pytest.raises(ajx.ValidationError, match=r"risk_rating must be one of A, B, C, D"):
        x.check_insurer(risk_rating="AA")
    n = ajx.jurisdictions.load("beijing-2026").check_insurer(commission=0.06)
    assert n["test"].tolist() == ["commission"] and not n["passed"].iloc[0]


def test_synthetic_book_of_a_bundle():
    z = ajx.jurisdictions.load("zhejiang")
    a, b = z.book(400, rng=9), z.book(400, rng=9)
    pd.testing.assert_frame_equal(a, b)
    con = a["industry"] == "construction"
    assert con.any() and (a.loc[con, "project_cost"] > 0).all() and a.loc[~con, "project_cost"].isna().all()
    assert "limit_annual" not in a.columns  # the band aggregate of the table is the policy's aggregate
    ratio = a.loc[con, "project_cost"] / a.loc[con, "headcount"]
    assert 0.5 < np.median(ratio) / 601_300 < 2  # median 1 spread around the sourced output per worker
    bj = ajx.jurisdictions.load("beijing-2026").book(200, rng=1)
    assert np.allclose(bj["limit_death"], ajx.losses.beijing_limit(2025))
    xz = ajx.jurisdictions.load("xinzhou-2024").book(200, rng=1)
    assert (xz["limit_death"] >= 300_000).all() and set(xz["industry"].astype(str)) <= {"coal_mine", "noncoal_mine", "hazardous_chemicals", "fireworks", "metallurgy"}


def test_underwrite_rules_and_must_accept():
    book = pd.DataFrame({"policy_id": ["a", "b", "c", "d"], "industry": ["construction", "other", "transport", "other"], "size": "small",
                         "headcount": [40, 5, 12, 7], "rectification": ["overdue_major", "on_time", "late", "overdue_major"],
                         "project_cost": [2e7, None, None, None]})
    z = ajx.jurisdictions.load("zhejiang").underwrite(book)
    assert z.insured["policy_id"].tolist() == ["b", "c"] and z.removed["policy_id"].tolist() == ["a", "d"]
    assert set(z.removed["uw_action"]) == {"defer"} and z.summary["policies"].tolist() == [2] and z.summary["workers"].tolist() == [47]
    assert z.rectified["rectification"].tolist() == ["late", "late"] and "limit_annual" not in z.rectified.columns
    assert list(z.insured.columns) == list(book.columns)  # the book as given
    for name in ("beijing-2017", "xinzhou-2024", "national-2025"):
        r = ajx.jurisdictions.load(name).underwrite(book)
        assert len(r.insured) == 4 and len(r.removed) == 0
    refuse = copy.deepcopy(_doc())
    refuse["underwriting"]["rules"] = [{"name": "blacklisted refused", "action": "refuse", "when": {"blacklisted": [True]}, "source": "test", "flag": "assumption"}]
    r = Jurisdiction.from_dict(refuse).underwrite(book.assign(blacklisted=[False, True, False, False]))
    assert r.removed["policy_id"].tolist() == ["b"] and len(r.rectified) == 0
