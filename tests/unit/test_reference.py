"""Packaged reference data: completeness, provenance columns, published values (DOMAIN.md)."""

import numpy as np
import pytest

import ajx_actuarial as ajx
from ajx_actuarial import reference as ref


def test_every_table_has_source_and_flag():
    for name, fn in [("industries", ref.industries), ("size_classes", ref.size_classes),
                     ("disability_tables", ref.disability_tables), ("urban_income", ref.urban_income),
                     ("work_injury", ref.work_injury), ("accident_grades", ref.accident_grades),
                     ("disability_grade_mix", ref.disability_grade_mix)]:
        df = fn()
        assert {"source", "flag"} <= set(df.columns), name
        assert df["source"].notna().all() and df["flag"].notna().all(), name


def test_industries_cover_contract_codes():
    ind = ref.industries()
    assert tuple(ind.index) == ref.INDUSTRIES
    assert ind.loc["coal_mine", "name_zh"] == "煤矿"
    assert not ind.loc["other", "mandatory"] and ind.loc["fishing", "mandatory"]
    # DOMAIN.md §3.4 table (the market's rates); the loss model's frequencies are in loss_model/default.toml
    assert ind.loc["fishing", "base_rate_permille"] == 1.2 and ind.loc["coal_mine", "base_rate_permille_high"] == 1.2
    assert "deaths_per_100k" not in ind.columns


def test_disability_table_a_and_mean_payout():
    t = ref.disability_tables()
    np.testing.assert_allclose(t["table_a"], [1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    mix = ref.disability_grade_mix()["share"]
    assert mix.sum() == pytest.approx(1.0)
    # DOMAIN.md §6.5: "this gives a mean payout ≈ 17.5 % of the limit"
    assert float((mix * t["table_a"]).sum()) == pytest.approx(0.175, abs=0.01)


def test_incomes_and_beijing_formula_values():
    assert ref.income(2024, "national") == 54188
    assert ref.income(2023, "beijing") == 88650
    # DOMAIN.md §4.2: limit = 20 × Beijing − 20 × national
    assert 20 * ref.income(2024, "beijing") - 20 * ref.income(2024, "national") == 765_520
    with pytest.raises(ajx.ValidationError, match="no urban disposable income for region 'beijing' year 2018"):
        ref.income(2018, "beijing")


def test_constants():
    assert ref.constant("national_min_limit_death_2025") == 400_000
    assert ref.constant("prevention_fee_cap") == 0.21
    with pytest.raises(ajx.ValidationError, match="unknown key"):
        ref.constant("nope")


def test_accident_grade_shares():
    g = ref.accident_grades()
    assert g.loc[["general", "larger", "major"], "share_of_fatal_accidents"].sum() == pytest.approx(1.0, abs=1e-9)
    assert g.loc["larger", "min_deaths"] == 3 and g.loc["major", "min_deaths"] == 10


def test_loaders_return_copies():
    a = ref.industries()
    a.loc["coal_mine", "base_rate_permille"] = -1
    assert ref.industries().loc["coal_mine", "base_rate_permille"] == 0.8
