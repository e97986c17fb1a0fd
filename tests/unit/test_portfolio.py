"""Data contract: normalisation, defaults and every documented bad input (DESIGN.md §4)."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.portfolio import read_table, write_table


def test_defaults_and_dtypes(small_book):
    df = ajx.validate_portfolio(small_book)
    assert list(df.columns[:4]) == ["policy_id", "industry", "size", "headcount"]
    assert isinstance(df["industry"].dtype, pd.CategoricalDtype)
    assert df["headcount"].dtype == np.int64
    assert df["blacklisted"].dtype == bool
    assert (df["std_grade"] == 0).all() and (df["violations"] == 0).all()
    assert (df["rectification"] == "on_time").all()
    np.testing.assert_array_equal(df["limit_death"], 400_000.0)
    np.testing.assert_array_equal(df["limit_medical"], 40_000.0)
    np.testing.assert_array_equal(df["limit_accident"], 4_000_000.0)
    np.testing.assert_array_equal(df["limit_annual"], 8_000_000.0)


def test_derived_limit_defaults_follow_given_limit(small_book):
    df = ajx.validate_portfolio(small_book.assign(limit_death=[500_000, 600_000, 800_000]))
    np.testing.assert_array_equal(df["limit_medical"], [50_000, 60_000, 80_000])


def test_input_not_modified_and_extra_columns_kept(small_book):
    before = small_book.copy()
    df = ajx.validate_portfolio(small_book.assign(note=["x", "y", "z"]))
    pd.testing.assert_frame_equal(small_book, before)
    assert df.columns[-1] == "note"


def test_string_booleans_and_float_ints(small_book):
    df = ajx.validate_portfolio(small_book.assign(blacklisted=["true", "0", "No"], violations=[1.0, 0.0, 2.0]))
    assert df["blacklisted"].tolist() == [True, False, False]
    assert df["violations"].dtype == np.int64


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda d: d.drop(columns="headcount"), r"missing required column\(s\) \['headcount'\]"),
        (lambda d: d.assign(industry=["coal_mine", "mining", "other"]), r"column 'industry' has unknown code\(s\) \['mining'\].*rows \[1\]"),
        (lambda d: d.assign(size=["huge", "micro", "small"]), r"column 'size' has unknown code\(s\) \['huge'\]"),
        (lambda d: d.assign(headcount=[300, -3, 0]), r"column 'headcount' must be >= 1; bad rows \[1, 2\] \(values \[-3, 0\]\)"),
        (lambda d: d.assign(headcount=[300, 2.5, 4]), r"column 'headcount' must be a whole number; bad rows \[1\]"),
        (lambda d: d.assign(headcount=[300, np.nan, 4]), r"column 'headcount' must not be missing \(NaN\); bad rows \[1\]"),
        (lambda d: d.assign(headcount=["300", "many", "4"]), r"column 'headcount' must be an integer"),
        (lambda d: d.assign(policy_id=["A1", "A1", "A3"]), r"column 'policy_id' must be unique; bad rows \[0, 1\]"),
        (lambda d: d.assign(policy_id=["A1", None, "A3"]), r"column 'policy_id' must not be missing"),
        (lambda d: d.assign(std_grade=[0, 4, 1]), r"column 'std_grade' must be <= 3; bad rows \[1\] \(values \[4\]\)"),
        (lambda d: d.assign(std_grade=[0, -1, 1]), r"column 'std_grade' must be >= 0"),
        (lambda d: d.assign(violations=[0, -2, 1]), r"column 'violations' must be >= 0"),
        (lambda d: d.assign(accidents_3y=[0, 0, -1]), r"column 'accidents_3y' must be >= 0"),
        (lambda d: d.assign(accidents_3y=[0, 0, 0], deaths_3y=[1, 0, 0]), r"column 'deaths_3y' must be 0 when accidents_3y is 0"),
        (lambda d: d.assign(limit_death=[400_000, 0, 500_000]), r"column 'limit_death' must be > 0; bad rows \[1\]"),
        (lambda d: d.assign(limit_death=[400_000, np.nan, 500_000]), r"column 'limit_death' must be a finite number \(NaN or inf found\)"),
        (lambda d: d.assign(limit_medical=["a", "b", "c"]), r"column 'limit_medical' must be numeric"),
        (lambda d: d.assign(limit_accident=[1e6, 1e6, 1e6], limit_annual=[1e6, 5e5, 2e6]), r"column 'limit_annual' must be >= limit_accident"),
        (lambda d: d.assign(blacklisted=["yes", "maybe", "no"]), r"column 'blacklisted' must be boolean"),
        (lambda d: d.assign(rectification=["on_time", "never", "late"]), r"column 'rectification' has unknown code"),
        (lambda d: d.assign(headcount=[True, False, True]), r"column 'headcount' must be an integer, got booleans"),
        (lambda d: d.iloc[0:0], r"the table is empty"),
        (lambda d: d.assign(region=["bj", None, "sx"]), r"column 'region' must not be missing"),
        # issue 23: complex numbers (a RecursionError, or the imaginary part silently dropped) and list/dict ids
        (lambda d: d.assign(headcount=np.array([300, 1 + 2j, 4], dtype=object)),
         r"column 'headcount' must be a real number, got complex values; bad rows \[1\] \(values \[\(1\+2j\)\]\)"),
        (lambda d: d.assign(headcount=[1 + 2j, 2 + 0j, 3j]), r"column 'headcount' must be a real number, got complex values; bad rows \[0, 1, 2\]"),
        (lambda d: d.assign(limit_death=[4e5 + 1j, 5e5, 6e5]), r"column 'limit_death' must be a real number, got complex values"),
        (lambda d: d.assign(project_cost=np.array([None, 1e6 + 1j, 2e6], dtype=object)), r"column 'project_cost' must be a real number"),
        (lambda d: d.assign(blacklisted=[1j, 0, 1]), r"column 'blacklisted' must be a real number, got complex values"),
        (lambda d: d.assign(std_grade=[1 + 1j, 0, 1]), r"column 'std_grade' must be a real number"),
        (lambda d: d.assign(policy_id=[["A1"], "A2", "A3"]), r"column 'policy_id' must be a string or a number, got list; bad rows \[0\]"),
        (lambda d: d.assign(policy_id=["A1", {"id": 2}, {"id": 3}]), r"column 'policy_id' must be a string or a number, got dict; bad rows \[1, 2\]"),
    ],
)
def test_bad_portfolios(small_book, mutate, match):
    with pytest.raises(ajx.ValidationError, match=match):
        ajx.validate_portfolio(mutate(small_book))


def test_experience_with_list_valued_ids_names_the_rows():
    exp = ajx.synth.experience(ajx.synth.portfolio(3, rng=1), 1, rng=2)
    exp["policy_id"] = exp["policy_id"].astype(object)
    exp.at[1, "policy_id"] = [7]
    with pytest.raises(ajx.ValidationError, match=r"experience: column 'policy_id' must be a string or a number, got list; bad rows \[1\]"):
        ajx.validate_experience(exp)


def test_not_a_frame():
    with pytest.raises(ajx.ValidationError, match="expected a pandas DataFrame, got list"):
        ajx.validate_portfolio([1, 2])


def test_validation_error_is_value_error():
    assert issubclass(ajx.ValidationError, ValueError)
    assert issubclass(ajx.ValidationError, ajx.AjxError)


def test_many_bad_rows_are_summarised(small_book):
    big = pd.concat([small_book] * 10, ignore_index=True).assign(policy_id=range(30), headcount=-1)
    with pytest.raises(ajx.ValidationError, match=r"rows \[0, 1, 2, 3, 4, \.\.\.\].*30 in all"):
        ajx.validate_portfolio(big)


def test_experience_contract():
    book = ajx.synth.portfolio(50, rng=3)
    exp = ajx.synth.experience(book, 2, rng=4)
    v = ajx.validate_experience(exp)
    assert len(v) == 100
    with pytest.raises(ajx.ValidationError, match=r"column 'exposure' must be > 0"):
        ajx.validate_experience(exp.assign(exposure=0.0))
    with pytest.raises(ajx.ValidationError, match=r"\(policy_id, year\)"):
        ajx.validate_experience(exp.assign(year=2021))
    with pytest.raises(ajx.ValidationError, match=r"column 'incurred' must be >= 0"):
        ajx.validate_experience(exp.assign(incurred=-1.0))
    bad = exp.assign(claims=0, deaths=1)
    with pytest.raises(ajx.ValidationError, match=r"column 'claims' must be >= 1 when deaths"):
        ajx.validate_experience(bad)
    with pytest.raises(ajx.ValidationError, match=r"missing required column\(s\) \['claims'\]"):
        ajx.validate_experience(exp.drop(columns="claims"))


@pytest.mark.parametrize("ext", [".csv", ".parquet"])
def test_roundtrip(tmp_path, ext):
    book = ajx.synth.portfolio(200, rng=5)
    path = write_table(book, tmp_path / f"book{ext}")
    back = ajx.read_portfolio(path)
    pd.testing.assert_frame_equal(ajx.validate_portfolio(book), back, check_dtype=False)
    assert [p.name for p in tmp_path.iterdir()] == [f"book{ext}"]  # no temp file left behind


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    def boom(df, path):
        path.write_text("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.csv", writer=boom)
    assert list(tmp_path.iterdir()) == []


def test_read_errors(tmp_path):
    with pytest.raises(ajx.ValidationError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(ajx.ValidationError, match="unsupported file type '.xls'"):
        read_table(tmp_path / "book.xls")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(ajx.ValidationError, match="cannot parse"):
        read_table(tmp_path / "bad.parquet")


# ----------------------------------------------------------------------------- Chinese input, bounds


def test_chinese_headers_and_codes_map_to_the_contract():
    zh = pd.DataFrame({"保单号": ["A", "B", "C", "D"], "行业": ["煤矿", "建筑施工", "危化品", "其他（工贸等）"],
                       "企业规模": ["大型", "中型企业", "小型", "微型"], "从业人数": [1200, 300, 25, 5],
                       "失信联合惩戒": ["是", "否", "否", "无"], "隐患整改情况": ["按期整改", "逾期整改", "重大隐患逾期未整改", "按期整改"],
                       "风险等级": ["高", "中风险", "低", "中"]})
    df = ajx.validate_portfolio(zh)
    assert df["industry"].astype(str).tolist() == ["coal_mine", "construction", "hazardous_chemicals", "other"]
    assert df["size"].astype(str).tolist() == ["large", "medium", "small", "micro"]
    assert df["headcount"].tolist() == [1200, 300, 25, 5]
    assert df["blacklisted"].tolist() == [True, False, False, False]
    assert df["rectification"].astype(str).tolist() == ["on_time", "late", "overdue_major", "on_time"]
    assert df["risk_tier"].astype(str).tolist() == ["high", "medium", "low", "medium"]
    # every industry's reference Chinese name is accepted (reference.industries().name_zh)
    names = ajx.reference.industries()["name_zh"]
    got = ajx.validate_portfolio(pd.DataFrame({"policy_id": range(len(names)), "industry": names.tolist(), "size": "small", "headcount": 30}))
    assert got["industry"].astype(str).tolist() == names.index.tolist()


def test_english_headers_in_other_case_and_spaces():
    df = ajx.validate_portfolio(pd.DataFrame({" Policy_ID": [1], "Industry ": [" Coal_Mine"], "SIZE": ["Large"], "headcount": [5]}))
    assert df.loc[0, "industry"] == "coal_mine" and df.loc[0, "size"] == "large"


def test_two_headers_for_one_column():
    with pytest.raises(ajx.ValidationError, match=r"duplicate column 'headcount': headers 'headcount' and '从业人数' both mean"):
        ajx.validate_portfolio(pd.DataFrame({"policy_id": [1], "industry": ["煤矿"], "size": ["大型"], "headcount": [5], "从业人数": [6]}))


def test_pandas_renamed_duplicate_header_is_reported():
    with pytest.raises(ajx.ValidationError, match=r"duplicate column\(s\) \['headcount'\] \(pandas renamed the repeated header to \['headcount\.1'\]\)"):
        ajx.validate_portfolio(pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["large"], "headcount": [5], "headcount.1": [6]}))


@pytest.mark.parametrize("col, value, match", [
    ("headcount", 10**18, r"column 'headcount' must be <= 1,000,000; bad rows \[1\] \(values \[1000000000000000000\]\)"),
    ("headcount", 1e20, r"column 'headcount' must be an integer below 2\*\*53"),
    ("limit_death", 1e308, r"column 'limit_death' must be <= 100,000,000 .*values \[1e\+308\]"),
    ("limit_death", np.inf, r"column 'limit_death' must be a finite number"),
    ("limit_accident", 5e10, r"column 'limit_accident' must be <= 10,000,000,000"),
    ("violations", 5_000_000, r"column 'violations' must be <= 1,000,000"),
    ("claim_free_years", 500, r"column 'claim_free_years' must be <= 200"),
])
def test_absurd_values_name_field_rule_and_value(small_book, col, value, match):
    bad = small_book.assign(**{col: [1, value, 1]})
    with pytest.raises(ajx.ValidationError, match=match):
        ajx.validate_portfolio(bad)


def test_bounds_accept_the_largest_plausible_values(small_book):
    df = ajx.validate_portfolio(small_book.assign(headcount=[1_000_000, 1, 20], limit_death=[1e8, 4e5, 2e6]))
    assert df["headcount"].max() == 1_000_000


def test_missing_columns_message_shows_what_was_read(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("行业|规模\n煤矿|大型\n", encoding="utf-8")
    with pytest.raises(ajx.ValidationError, match=r"missing required column\(s\) \['policy_id', 'headcount'\].*columns found: "
                                                  r"\['industry', 'size'\] \(read as CSV with delimiter '\|', encoding utf-8-sig\)"):
        ajx.read_portfolio(p)
