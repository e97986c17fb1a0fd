"""Co-insurance pools (共保体): validation, the split of a projection by member, settlement, capital, the insurer test.

References and tolerances:
* additivity: every additive column summed over the members equals the pool's figure (the
  projection's own ``by_year`` / ``summary()`` and ``capital()``), an identity to 1e-9 relative
  (shares × the same numbers; rounding only);
* capital: C-ROSS Rule 4 factors depend on ratios, which a proportional share leaves unchanged, and
  the aggregation sqrt(p² + 2ρpr + r²) is homogeneous of degree one: a member's minimum capital is
  share × the pool's, to 1e-12 relative;
* the insurer test: S04 §一(二)3 "综合偿付能力充足率不低于100%，风险综合评级在B类及以上
  （共保体承保机构主承保公司满足即可）" (the lead only); a seed that says nothing: every member.
"""

import math
import tomllib

import numpy as np
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.coinsurance import CoinsurancePool, read_bundle_table
from ajx_actuarial.jurisdictions import Jurisdiction
from ajx_actuarial.projection import premium_risk_capital, reserve_risk_capital, minimum_capital
from ajx_actuarial.projection.insurers import ADDITIVE_COLUMNS, SETTLEMENT_COLUMNS, SHARED_COLUMNS, pool_totals

REL = 1e-9

# The [coinsurance] tables proposed for the three bundles whose seeds mention pools (not yet in the packaged files).
XINZHOU = """
[coinsurance]
source = "S04 §一(三): 承保机构可自主确定承保方式，以独立承保或共保方式开展安责险业务"
insurer_test = { value = "lead", source = "S04 §一(二)3: 综合偿付能力充足率不低于100%，风险综合评级在B类及以上（共保体承保机构主承保公司满足即可）", flag = "seed" }
lead = { value = "insurer_a", source = "S04 §一(二)3: 主承保公司 (members not named in the seed)", flag = "assumption" }
settlement = { value = "lead_collects", source = "主代从收: the lead issues and collects (S04 names no settlement)", flag = "assumption" }
[coinsurance.shares]
insurer_a = { value = 0.5, source = "S04 §一(三): 以独立承保或共保方式开展 (shares not in the seed)", flag = "assumption" }
insurer_b = { value = 0.3, source = "S04 §一(三): 以独立承保或共保方式开展 (shares not in the seed)", flag = "assumption" }
insurer_c = { value = 0.2, source = "S04 §一(三): 以独立承保或共保方式开展 (shares not in the seed)", flag = "assumption" }
"""
ZHOUSHAN = """
[coinsurance]
source = "S03 §六(二): 指导承保单位按照自律、共赢的原则探索建立安全生产责任保险“共保体”，有效规避恶意压价承保等扰乱市场秩序行为; insurers chosen by 公开比选 (S03 §四(二), §五(一)2)"
lead = { value = "insurer_a", source = "S03 §六(二): 探索建立……“共保体” (members and lead not named)", flag = "assumption" }
settlement = { value = "lead_collects", source = "主代从收 (S03 names no settlement)", flag = "assumption" }
[coinsurance.shares]
insurer_a = { value = 0.4, source = "S03 §六(二): 探索建立安全生产责任保险“共保体” (shares not in the seed)", flag = "assumption" }
insurer_b = { value = 0.3, source = "S03 §六(二): 探索建立安全生产责任保险“共保体” (shares not in the seed)", flag = "assumption" }
insurer_c = { value = 0.3, source = "S03 §六(二): 探索建立安全生产责任保险“共保体” (shares not in the seed)", flag = "assumption" }
"""
ZHEJIANG = """
[coinsurance]
source = "S02 §一: 各级行业主管部门不再组织比选保险机构共保体 (authorities no longer tender pools; a pool the insurers form themselves remains possible)"
lead = { value = "insurer_a", source = "S02 §一: 不再组织比选保险机构共保体 (a market pool; members not named)", flag = "assumption" }
settlement = { value = "each_collects", source = "各收各份额 (S02 names no settlement)", flag = "assumption" }
[coinsurance.shares]
insurer_a = { value = 0.6, source = "S02 §一: 不再组织比选保险机构共保体 (shares of a market pool: not in the seed)", flag = "assumption" }
insurer_b = { value = 0.4, source = "S02 §一: 不再组织比选保险机构共保体 (shares of a market pool: not in the seed)", flag = "assumption" }
"""
SNIPPETS = {"xinzhou-2024": XINZHOU, "zhoushan-2018": ZHOUSHAN, "zhejiang": ZHEJIANG}


def _bundle_with(name: str, snippet: str, **insurer) -> Jurisdiction:
    """A packaged bundle with the proposed [coinsurance] table (and [insurer] values) added, as a temporary bundle."""
    data = dict(ajx.jurisdictions.load(name).data)
    data["coinsurance"] = tomllib.loads(snippet)["coinsurance"]
    if insurer:
        data["insurer"] = {**data.get("insurer", {}), **{k: {"value": v, "source": "test", "flag": "assumption"} for k, v in insurer.items()}}
    return Jurisdiction.from_dict(data, source=f"{name}+coinsurance")


@pytest.fixture(scope="module")
def proj():
    return ajx.project(ajx.synth.portfolio(2000, rng=1), years=3, paths=30, rng=1)


@pytest.fixture(scope="module")
def scen():
    return ajx.project(ajx.synth.portfolio(2000, rng=1), years=2, paths=20, rng=2,
                       scenarios=[{"name": "base"}, {"name": "worse", "frequency_multiplier": 1.3}])


POOL = CoinsurancePool({"a": 0.5, "b": 0.3, "c": 0.2}, lead="a")


# ---------------------------------------------------------------------------------------------- validation
@pytest.mark.parametrize("kw, fragment", [
    (dict(shares={"a": 0.5, "b": 0.3}, lead="a"), "CoinsurancePool.shares: must sum to 1 (within 1e-09), got 0.8 (a=0.5, b=0.3)"),
    (dict(shares={"a": 0.5, "b": 0.5 + 1e-7}, lead="a"), "must sum to 1"),
    (dict(shares={"a": 1.2, "b": -0.2}, lead="a"), "CoinsurancePool.shares['a']: must be in (0, 1], got 1.2"),
    (dict(shares={"a": 0.5, "b": -0.5, "c": 1.0}, lead="a"), "CoinsurancePool.shares['b']: must be in (0, 1], got -0.5"),
    (dict(shares={"a": 0.0, "b": 1.0}, lead="b"), "shares['a']: must be in (0, 1], got 0.0"),
    (dict(shares={"a": math.nan, "b": 1.0}, lead="b"), "shares['a']: must be a finite number in (0, 1], got nan"),
    (dict(shares={"a": math.inf, "b": 1.0}, lead="b"), "shares['a']: must be a finite number in (0, 1], got inf"),
    (dict(shares={"a": "half", "b": 0.5}, lead="b"), "shares['a']: must be a finite number in (0, 1], got 'half'"),
    (dict(shares={"a": True}, lead="a"), "shares['a']: must be a finite number"),
    (dict(shares={}, lead="a"), "CoinsurancePool.shares: the pool is empty"),
    (dict(shares=[("a", 1.0)], lead="a"), "CoinsurancePool.shares: must be a mapping insurer -> value"),
    (dict(shares={"": 1.0}), "an insurer name must be a non-empty string, got ''"),
    (dict(shares={"a": 0.5, " a": 0.5}, lead="a"), "insurer 'a' is listed twice"),
    (dict(shares={"a": 0.5, "b": 0.5}, lead="z"), "CoinsurancePool.lead: 'z' is not a member of the pool; members: ['a', 'b']"),
    (dict(shares={"a": 0.5, "b": 0.5}, lead="a", settlement="lead_pays"),
     "CoinsurancePool.settlement: must be one of ['lead_collects', 'each_collects'] (主代从收, 各收各份额), got 'lead_pays'"),
    (dict(shares={"a": 0.5, "b": 0.5}, insurer_test="leader"), "CoinsurancePool.insurer_test: must be one of ['lead', 'all'], got 'leader'"),
    (dict(shares={"a": 0.5, "b": 0.5}, capital={"a": 1e6}), "CoinsurancePool.capital: give every member's capital or none; missing ['b']"),
    (dict(shares={"a": 0.5, "b": 0.5}, capital={"a": 1e6, "b": 1e6, "x": 1.0}), "CoinsurancePool.capital: 'x' is not a member"),
    (dict(shares={"a": 0.5, "b": 0.5}, capital={"a": -1.0, "b": 1e6}), "CoinsurancePool.capital['a']: must be in >= 0, got -1.0"),
    (dict(shares={"a": 0.5, "b": 0.5}, risk_rating={"a": "AA"}),
     "CoinsurancePool.risk_rating['a']: must be one of ['A', 'B', 'C', 'D'] (C-ROSS), got 'AA'"),
])
def test_bad_pool_is_one_validation_error_naming_field_and_value(kw, fragment):
    with pytest.raises(ajx.ValidationError) as e:
        CoinsurancePool(**kw)
    assert fragment in str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("doc, fragment", [
    ({"coinsurance": {"lead": "a"}}, "has no 'shares'"),
    ({"coinsurance": {"shares": {"a": 1.0}, "leader": "a"}}, "unknown key(s) ['leader']"),
    ({"coinsurance": {"shares": {"a": {"share": 1.0}}}}, "CoinsurancePool.shares.a: a table must be { value = ..."),
    ({"coinsurance": {"shares": {"a": {"value": 1.0, "source": ""}}}}, "CoinsurancePool.shares.a.source: must be a non-empty string"),
    ({"coinsurance": "a=1"}, "[coinsurance] must be a table"),
])
def test_bad_pool_document(doc, fragment):
    with pytest.raises(ajx.ValidationError) as e:
        CoinsurancePool.load(doc)
    assert fragment in str(e.value) and "\n" not in str(e.value)


def test_shares_are_rescaled_to_sum_to_one_and_the_lead_defaults_to_the_largest():
    p = CoinsurancePool({"x": 0.2, "y": 0.5 + 4e-10, "z": 0.3})
    assert p.lead == "y" and math.fsum(p.shares.values()) == pytest.approx(1.0, abs=1e-15)
    assert p.followers == ["x", "z"] and p.role("x") == "follower"
    assert CoinsurancePool({"solo": 1.0}).lead == "solo"


def test_load_toml_file_with_sourced_values(tmp_path):
    f = tmp_path / "pool.toml"
    f.write_text('[coinsurance]\nlead = "picc"\nsettlement = "each_collects"\ninsurer_test = "lead"\n'
                 'shares = { picc = { value = 0.5, source = "tender 2024", flag = "assumption" }, cpic = 0.3, pingan = 0.2 }\n'
                 'capital = { picc = 6e8, cpic = 2e8, pingan = 1e8 }\nrisk_rating = { cpic = "c" }\n', encoding="utf-8")
    p = CoinsurancePool.load(f)
    assert p.shares == {"picc": 0.5, "cpic": 0.3, "pingan": 0.2} and p.settlement == "each_collects" and p.insurer_test == "lead"
    assert p.capital == {"picc": 6e8, "cpic": 2e8, "pingan": 1e8} and p.risk_rating == {"cpic": "C"}
    assert p.sources == {"shares.picc": "tender 2024"} and p.flags == {"shares.picc": "assumption"}
    assert p.to_frame()["source"].tolist() == ["tender 2024", "", ""]
    bad = tmp_path / "bad.toml"
    bad.write_text('[coinsurance]\nlead = "x"\nshares = { picc = 0.5, cpic = 0.5 }\n', encoding="utf-8")
    with pytest.raises(ajx.ValidationError, match=r"CoinsurancePool.lead: 'x' is not a member"):
        CoinsurancePool.load(bad)
    with pytest.raises(ajx.ValidationError, match="no \\[coinsurance\\] table"):
        CoinsurancePool.load("national-2025")  # a packaged bundle without a pool


# ---------------------------------------------------------------------------------------------- bundles
@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_proposed_bundle_tables_load(name):
    j = _bundle_with(name, SNIPPETS[name])
    pool = j.coinsurance
    assert isinstance(pool, CoinsurancePool) and math.fsum(pool.shares.values()) == pytest.approx(1.0)
    assert all(pool.flags[f"shares.{k}"] == "assumption" for k in pool.shares)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in pool.sources[f"shares.{k}"]) for k in pool.shares)  # quotes the seed in Chinese
    assert j.insurer_test_applies_to == ("lead" if name == "xinzhou-2024" else "all")
    assert {"coinsurance.shares.insurer_a", "coinsurance.lead"} <= set(j.sources()["path"])
    assert CoinsurancePool.load(tomllib.loads(SNIPPETS[name])).shares == pool.shares  # a standalone pool file too


def test_bundle_without_pool_and_bad_bundle_pool():
    j = ajx.jurisdictions.load("national-2025")
    assert j.coinsurance is None and j.insurer_test_applies_to == "all"
    data = dict(ajx.jurisdictions.load("xinzhou-2024").data)
    data["coinsurance"] = {"lead": "a", "shares": {"a": 0.5, "b": 0.5}}  # bare numbers: a bundle needs sources
    with pytest.raises(ajx.ValidationError, match="a number needs its source"):
        Jurisdiction.from_dict(data)
    src = {"source": "s", "flag": "assumption"}
    data["coinsurance"] = {"lead": "a", "shares": {"a": {"value": 0.5, **src}, "b": {"value": 0.4, **src}}}
    with pytest.raises(ajx.ValidationError, match="must sum to 1"):
        Jurisdiction.from_dict(data)
    data["coinsurance"] = {"insurer_test": {"value": "first", **src}}
    with pytest.raises(ajx.ValidationError, match=r"insurer_test: must be one of \['lead', 'all'\], got 'first'"):
        Jurisdiction.from_dict(data)
    assert read_bundle_table({"insurer_test": "lead", "note": "rule only"}) == (None, "lead")


# ---------------------------------------------------------------------------------------------- additivity
def _rel_close(a, b, rel=REL, scale=None):
    """|a - b| <= rel × |b| (or × ``scale``: a settlement column sums to 0, measured against the premium)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.abs(b) if scale is None else np.abs(np.asarray(scale, dtype=float))
    return bool(np.all(np.abs(a - b) <= rel * scale))


def _same(summed, total, c):
    return _rel_close(summed[c], total[c], scale=total["premium"] if c in SETTLEMENT_COLUMNS else None)


@pytest.mark.parametrize("settlement", ["lead_collects", "each_collects"])
def test_members_add_up_to_the_pool_for_every_additive_column(proj, settlement):
    pool = CoinsurancePool({"a": 0.45, "b": 0.35, "c": 0.2}, lead="b", settlement=settlement)
    t = proj.by_insurer(pool)
    assert len(t) == 3 * len(proj.years) and t["insurer"].unique().tolist() == ["a", "b", "c"]
    summed = t.groupby("year")[list(ADDITIVE_COLUMNS)].sum()
    total = pool_totals(proj.by_year, pool)
    for c in ADDITIVE_COLUMNS:
        assert _same(summed, total, c), c
    # the pool's figures are the projection's own
    summ = proj.summary(list(SHARED_COLUMNS)).xs("mean", axis=1).unstack("measure")
    for c in SHARED_COLUMNS:
        assert _rel_close(summed[c], summ[c]), c
    cap = proj.capital().summary()
    assert _rel_close(summed["cross_minimum_capital"], cap["minimum_capital"])
    assert _rel_close(summed["available_capital"], cap["capital"])
    for c in SETTLEMENT_COLUMNS:
        assert _rel_close(summed[c], 0.0, scale=summ["premium"]), c
    # per path too: each path's members add up to its by_year row
    pp = proj.by_insurer(pool, per_path=True).groupby(["path", "year"])[list(SHARED_COLUMNS)].sum()
    by = proj.by_year.set_index(["path", "year"]).loc[pp.index]
    for c in SHARED_COLUMNS:
        assert _rel_close(pp[c], by[c]), c


def test_member_capital_stated_per_insurer_adds_up(proj):
    pool = CoinsurancePool({"a": 0.5, "b": 0.3, "c": 0.2}, lead="a", capital={"a": 4e6, "b": 1e6, "c": 2.5e6})
    t = proj.by_insurer(pool, outstanding_ratio=0.4)
    first = t[t["year"] == proj.years[0]].set_index("insurer")
    res0 = proj.by_year[proj.by_year["year"] == proj.years[0]]["underwriting_result"].mean()
    assert first["available_capital"].to_dict() == pytest.approx({k: v + pool.shares[k] * res0 for k, v in pool.capital.items()}, rel=1e-12)
    total = pool_totals(proj.by_year, pool, outstanding_ratio=0.4)
    summed = t.groupby("year")[["available_capital", "cross_minimum_capital"]].sum()
    assert _rel_close(summed["available_capital"], total["available_capital"])
    assert _rel_close(summed["available_capital"], proj.capital(7.5e6, outstanding_ratio=0.4).summary()["capital"])
    with pytest.raises(ajx.ValidationError, match="do not give initial_capital too"):
        proj.by_insurer(pool, 1e6)


# ---------------------------------------------------------------------------------------------- capital scales linearly
def test_cross_capital_of_a_proportional_share_is_share_times_the_pool(proj):
    pool = CoinsurancePool({"a": 0.6, "b": 0.25, "c": 0.15}, lead="a")
    pp = proj.by_insurer(pool, per_path=True)
    pool_cap = proj.capital().by_year.set_index(["path", "year"])
    for name, s in pool.shares.items():
        m = pp[pp["insurer"] == name].set_index(["path", "year"])
        ref = pool_cap.loc[m.index]
        assert np.allclose(m["cross_minimum_capital"], s * ref["minimum_capital"], rtol=1e-12, atol=0)
        assert np.allclose(m["solvency_ratio"], ref["solvency_ratio"], rtol=1e-12, atol=0)  # capital split by share: the pool's ratio
    # the formula itself: EX and reserve scaled by s, the same combined ratio (k1 step) and run-off deviation
    for s, cr in ((0.3, 0.93), (0.5, 1.02), (0.2, 1.2)):
        p, r = premium_risk_capital(1e8, cr), reserve_risk_capital(7e7, 0.07)
        assert float(premium_risk_capital(s * 1e8, cr)) == pytest.approx(s * float(p), rel=1e-14)
        assert float(reserve_risk_capital(s * 7e7, 0.07)) == pytest.approx(s * float(r), rel=1e-14)
        assert float(minimum_capital(s * p, s * r)) == pytest.approx(s * float(minimum_capital(p, r)), rel=1e-14)


# ---------------------------------------------------------------------------------------------- settlement
def test_lead_collects_settlement_is_followers_premium_minus_claims(proj):
    pool = CoinsurancePool({"a": 0.5, "b": 0.3, "c": 0.2}, lead="a", settlement="lead_collects")
    pp = proj.by_insurer(pool, per_path=True)
    by = proj.by_year.set_index(["path", "year"])
    for name in pool.followers:
        m = pp[pp["insurer"] == name].set_index(["path", "year"])
        s, ref = pool.shares[name], by.loc[m.index]
        assert np.allclose(m["lead_collected_premium"], s * ref["premium"], rtol=1e-14, atol=0)
        assert np.allclose(m["lead_paid_claims"], s * ref["insured_loss"], rtol=1e-14, atol=0)
        assert np.allclose(m["due_from_lead"], s * (ref["premium"] - ref["insured_loss"]), rtol=1e-12, atol=1e-6)
        assert (m["receivable_on_lead"] == np.maximum(m["due_from_lead"], 0)).all()
    lead = pp[pp["insurer"] == "a"].set_index(["path", "year"])
    fol = pp[pp["insurer"] != "a"].groupby(["path", "year"])[list(SETTLEMENT_COLUMNS)].sum().loc[lead.index]
    for c in SETTLEMENT_COLUMNS:
        assert np.allclose(lead[c], -fol[c], rtol=1e-12, atol=1e-6), c
    assert (lead["receivable_on_lead"] == 0).all()
    each = proj.by_insurer(CoinsurancePool(dict(pool.shares), lead="a", settlement="each_collects"))
    assert (each[[*SETTLEMENT_COLUMNS, "receivable_on_lead"]] == 0).all().all()


# ---------------------------------------------------------------------------------------------- the insurer test
def test_lead_only_test_passes_where_a_follower_fails(proj):
    # b has almost no capital: its solvency ratio is far below 100 %; a and c are well capitalised
    pool = CoinsurancePool({"a": 0.5, "b": 0.3, "c": 0.2}, lead="a", capital={"a": 5e7, "b": 1.0, "c": 5e7})
    lead_only = proj.by_insurer(pool, test="lead")
    every = proj.by_insurer(pool, test="all")
    b_all = every[(every["insurer"] == "b") & (every["year"] == proj.years[0])]  # later years' profits may restore it
    assert (b_all["solvency_ratio"] < 1).all() and not b_all["insurer_test"].any() and (b_all["p_test_fail"] > 0.5).all()
    assert every[every["insurer"] != "b"]["insurer_test"].all()
    assert lead_only["insurer_test"].all()
    assert lead_only.groupby("insurer", sort=False)["test_applies"].first().to_dict() == {"a": True, "b": False, "c": False}
    assert (lead_only[lead_only["insurer"] != "a"]["p_test_fail"] == 0).all()
    # Xinzhou's bundle (with the proposed [coinsurance]) applies the test to the lead only, by default
    xz = _bundle_with("xinzhou-2024", XINZHOU)
    assert proj.by_insurer(pool, jurisdiction=xz)["insurer_test"].all()
    assert not proj.by_insurer(pool, jurisdiction=xz, test="all")["insurer_test"].all()
    # a seed that says nothing (Zhoushan): every member
    zs = _bundle_with("zhoushan-2018", ZHOUSHAN)
    assert not proj.by_insurer(pool, jurisdiction=zs)["insurer_test"].all()
    # the pool file's own rule, when no jurisdiction is given
    stated = CoinsurancePool(dict(pool.shares), lead="a", capital=dict(pool.capital), insurer_test="lead")
    assert proj.by_insurer(stated)["insurer_test"].all()


def test_thresholds_come_from_the_bundle_and_the_risk_rating(proj):
    pool = CoinsurancePool({"a": 0.5, "b": 0.5}, lead="a", risk_rating={"a": "B", "b": "C"})
    base = proj.by_insurer(pool, 2e7)  # ample capital: only b's rating C fails the national B-or-better
    assert base.groupby("insurer")["insurer_test"].all().to_dict() == {"a": True, "b": False}
    assert proj.by_insurer(pool, 2e7, test="lead")["insurer_test"].all()
    ratio = float(base["solvency_ratio"].max())
    strict = _bundle_with("xinzhou-2024", XINZHOU, min_solvency_ratio=ratio * 2)  # the bundle's min_solvency_ratio is live
    xz = proj.by_insurer(pool, 2e7, jurisdiction=strict)  # Xinzhou: the lead is tested, and fails
    assert xz.groupby("insurer")["insurer_test"].any().to_dict() == {"a": False, "b": True}
    assert not proj.by_insurer(pool, 2e7, jurisdiction=strict, test="all")["insurer_test"].any()
    loose = _bundle_with("xinzhou-2024", XINZHOU, min_risk_rating="C")
    assert proj.by_insurer(pool, 2e7, jurisdiction=loose, test="all")["insurer_test"].all()
    with pytest.raises(ajx.ValidationError, match="test must be one of"):
        proj.by_insurer(pool, test="followers")
    with pytest.raises(ajx.ValidationError, match="min_solvency_ratio must be a number"):
        proj.by_insurer(pool, min_solvency_ratio=-1)


def test_pool_from_the_bundle(proj):
    xz = _bundle_with("xinzhou-2024", XINZHOU)
    t = proj.by_insurer(jurisdiction=xz)
    assert t["insurer"].unique().tolist() == ["insurer_a", "insurer_b", "insurer_c"] and (t[t["role"] == "lead"]["insurer"] == "insurer_a").all()
    with pytest.raises(ajx.ValidationError, match="has no \\[coinsurance\\] shares"):
        proj.by_insurer(jurisdiction="national-2025")
    with pytest.raises(ajx.ValidationError, match="pool is required"):
        proj.by_insurer()


# ---------------------------------------------------------------------------------------------- scenarios
def test_scenario_projection_splits_per_scenario(scen):
    pool = CoinsurancePool({"a": 0.5, "b": 0.3, "c": 0.2}, lead="a")
    t = scen.by_insurer(pool)
    assert t.columns[0] == "scenario" and t["scenario"].astype(str).unique().tolist() == ["base", "worse"]
    assert len(t) == 2 * 3 * len(scen.years)
    summed = t.groupby(["scenario", "year"], observed=True)[list(ADDITIVE_COLUMNS)].sum()
    total = pool_totals(scen.by_year, pool)
    for c in ADDITIVE_COLUMNS:
        assert _same(summed, total, c), c
    cap = scen.capital().summary()
    assert _rel_close(summed["cross_minimum_capital"], cap["minimum_capital"])
    assert _rel_close(summed["available_capital"], cap["capital"])
    w = t[(t["scenario"] == "worse") & (t["insurer"] == "b")]["insured_loss"].sum()
    b = t[(t["scenario"] == "base") & (t["insurer"] == "b")]["insured_loss"].sum()
    assert w > b
    pp = scen.by_insurer(pool, per_path=True)
    assert len(pp) == 3 * len(scen.by_year)


def test_packaged_bundles_carry_their_pools_and_xinzhou_tests_the_lead_only(proj):
    """S04 §一(二)3 （共保体承保机构主承保公司满足即可）: Xinzhou's insurer test applies to the lead alone;
    Zhoushan (S03 §六(二) 探索建立“共保体”) and Zhejiang (S02 §一 不再组织比选…共保体) carry a pool as an assumption."""
    t = proj.by_insurer(jurisdiction="xinzhou-2024")
    assert t.loc[t["role"] == "lead", "test_applies"].all() and not t.loc[t["role"] != "lead", "test_applies"].any()
    for name in ("zhoushan-2018", "zhejiang"):
        j = ajx.jurisdictions.load(name)
        assert j.coinsurance is not None and j.insurer_test_applies_to == "all"
        t = proj.by_insurer(jurisdiction=name)
        assert t["test_applies"].all()
