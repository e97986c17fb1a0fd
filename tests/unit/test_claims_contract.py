"""The claims-ledger contract (issue 23): what would give wrong numbers silently is refused in one
ValidationError naming the column or argument, the rule and the rows or claims.

* exact duplicate rows (a ledger loaded twice doubled incurred while the claim count stayed);
  a ``transaction_id`` column lets genuinely repeated payments through;
* a claim whose paid nets below zero (it dropped out silently); a ``recovery`` column;
* numbers in a date column (Excel serials were read as nanoseconds after 1970);
* years outside ``YEAR_RANGE`` (ledger dates, policy years, valuation and rating year);
* arguments of the wrong kind: ``by``, ``columns``, list-valued ids, ``loss_model``, ``years``.
"""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.claims import validate_ledger
from ajx_actuarial.claims.ledger import YEAR_RANGE
from ajx_actuarial.errors import ValidationError

POLICIES = pd.DataFrame({"policy_id": ["A", "B"], "industry": ["construction", "other"], "size": "small", "headcount": [100, 50]})


def _ledger() -> pd.DataFrame:
    """Three claims valued 2024-12-31; incurred 2023: 5 000 (c1 3 000, c2 2 000), 2024: 1 500 (c3)."""
    return pd.DataFrame({
        "claim_id": [1, 1, 2, 3], "policy_id": ["A", "A", "B", "A"],
        "accident_date": ["2023-03-01", "2023-03-01", "2023-05-01", "2024-02-01"],
        "report_date": ["2023-03-10", "2023-03-10", "2023-06-01", "2024-02-05"],
        "transaction_date": ["2023-03-10", "2023-08-01", "2023-07-01", "2024-03-01"],
        "paid": [0.0, 3000.0, 2000.0, 1500.0], "case_reserve": [3000.0, 0.0, 0.0, 0.0]})


def _experience(led, **kw):
    return ajx.experience_from_claims(POLICIES, led, kw.pop("valuation", "2024-12-31"), **{"min_age": 0, **kw})


def _refused(led, *fragments, **kw):
    with pytest.raises(ValidationError) as e:
        validate_ledger(led, **kw)
    msg = str(e.value)
    assert "\n" not in msg
    for f in fragments:
        assert f in msg, (f, msg)
    with pytest.raises(ValidationError, match="claims: "):  # the same refusal through the API
        _experience(led, columns=kw.get("columns"))
    return msg


def test_the_clean_ledger_passes():
    v = validate_ledger(_ledger())
    assert len(v) == 4 and v.attrs["case_reserve_given"]
    # AY2023 incurred 5 000 at 12 and at 24 months: factor 1, so AY2024 stays at 1 500
    assert _experience(_ledger()).experience["incurred"].sum() == pytest.approx(6500.0)


# ---- duplicates -------------------------------------------------------------------------------

def _doubled():
    return pd.concat([_ledger(), _ledger()], ignore_index=True)


def _one_repeated():
    led = _ledger()
    return pd.concat([led, led.iloc[[2]]], ignore_index=True)


def _same_after_parsing():
    led = _ledger()
    row = led.iloc[[2]].assign(transaction_date="2023/07/01", accident_date="2023-05-01 00:00:00")
    return pd.concat([led, row], ignore_index=True)


@pytest.mark.parametrize("make, fragments", [
    (_doubled, ["4 row(s) repeat an earlier row exactly", "rows [4, 5, 6, 7]", "claim_id [1, 1, 2, 3]", "repeat rows [0, 1, 2, 3]",
                "would double incurred", "add a 'transaction_id' column"]),
    (_one_repeated, ["1 row(s) repeat an earlier row exactly", "rows [4]", "claim_id [2]", "repeat rows [2]"]),
    (_same_after_parsing, ["1 row(s) repeat an earlier row exactly", "rows [4]", "claim_id [2]"]),
], ids=["loaded-twice", "one-row", "same-date-other-format"])
def test_exact_duplicate_rows_are_refused_naming_them(make, fragments):
    _refused(make(), *fragments)


def test_a_doubled_ledger_never_doubles_incurred():
    with pytest.raises(ValidationError, match="repeat an earlier row exactly"):
        _experience(_doubled())


def test_transaction_id_lets_repeated_payments_through():
    led = _one_repeated().assign(transaction_id=[10, 11, 12, 13, 14])
    v = validate_ledger(led)
    assert v.loc[v["claim_id"] == 2, "paid"].sum() == 4000.0 and "transaction_id" in v
    res = _experience(led)
    assert res.experience.query("policy_id == 'B' and year == 2023")["incurred"].item() == pytest.approx(4000.0)


@pytest.mark.parametrize("ids", [[10, 11, 12, 13, 12], [10, 10, 12, 13, 14]])
def test_a_transaction_id_repeated_within_a_claim_is_refused(ids):
    _refused(_one_repeated().assign(transaction_id=ids), "column 'transaction_id' must be unique within a claim")


def test_a_transaction_id_may_repeat_across_claims():
    assert len(validate_ledger(_ledger().assign(transaction_id=[1, 2, 1, 1]))) == 4


def test_rows_that_differ_in_an_unread_column_are_not_duplicates():
    led = _one_repeated().assign(note=["a", "b", "c", "d", "e"])
    assert len(validate_ledger(led)) == 5


# ---- paid netting below zero; recoveries -----------------------------------------------------

def _net(paid, dates=None):
    led = _ledger()
    extra = pd.DataFrame({"claim_id": 2, "policy_id": "B", "accident_date": "2023-05-01", "report_date": "2023-06-01",
                          "transaction_date": dates or "2023-09-01", "paid": paid, "case_reserve": 0.0}, index=[0])
    return pd.concat([led, extra], ignore_index=True)


@pytest.mark.parametrize("led, fragments", [
    (_net(-6_002_000.0), ["column 'paid' nets below zero for claim(s) [2]", "net paid -6,000,000.00 by 2023-09-01"]),
    (_net(-2500.0), ["nets below zero for claim(s) [2]", "net paid -500.00"]),
    (_net(-2000.0, "2023-06-15"), ["nets below zero for claim(s) [2]", "net paid -2,000.00 by 2023-06-15",
                                   "a reversal cannot exceed what was paid before it"]),
], ids=["minus-6m", "reversal-too-large", "reversal-before-payment"])
def test_a_claim_netting_below_zero_is_refused_naming_it(led, fragments):
    _refused(led, *fragments)


def test_a_reversal_within_what_was_paid_is_kept():
    v = validate_ledger(_net(-2000.0))
    assert v.loc[v["claim_id"] == 2, "paid"].sum() == 0.0


@pytest.mark.parametrize("header", ["recovery", "Recovery"])
def test_a_recovery_column_is_refused_not_ignored(header):
    _refused(_ledger().assign(**{header: 0.0}), "column 'recovery' is not supported", "net them into 'paid'")


# ---- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("column, values, fragments", [
    ("accident_date", [45000, 45000, 45100, 45300], ["column 'accident_date' holds numbers, not dates (Excel serial date?", "bad rows [0, 1, 2, 3]"]),
    ("report_date", [45000.0, 45000.0, 45100.0, 45330.0], ["column 'report_date' holds numbers", "Excel serial date?"]),
    ("transaction_date", ["2023-03-10", 45139, "2023-07-01", "2024-03-01"], ["column 'transaction_date' holds numbers", "bad rows [1] (values [45139])"]),
    ("transaction_date", ["2023-03-10", "45139", "2023-07-01", "2024-03-01"], ["'transaction_date' has dates that do not parse (Excel serial date?"]),
    ("closed_date", [np.nan, 45200, np.nan, np.nan], ["column 'closed_date' holds numbers", "Excel serial date?"]),
    ("accident_date", [20230301] * 2 + [20230501, 20240201], ["column 'accident_date' holds numbers"]),
    ("accident_date", pd.to_datetime([45000] * 4), ["column 'accident_date' has years outside 1980-2100"]),
    ("accident_date", ["1800-03-01"] * 2 + ["2023-05-01", "2024-02-01"], ["column 'accident_date' has years outside 1980-2100", "bad rows [0, 1]"]),
    ("transaction_date", ["2023-03-10", "2101-01-01", "2023-07-01", "2024-03-01"], ["column 'transaction_date' has years outside"]),
    ("policy_year", [2023, 2023, 2023, 1800], ["column 'policy_year' must be a year in 1980-2100", "bad rows [3]"]),
], ids=["int-serial", "float-serial", "one-serial-among-dates", "serial-as-text", "closed-serial", "yyyymmdd-int",
        "nanoseconds-after-1970", "year-1800", "year-2101", "policy-year-1800"])
def test_numbers_and_far_years_in_date_columns_are_refused(column, values, fragments):
    led = _ledger()
    led[column] = values
    _refused(led, *fragments)


def test_an_empty_closed_date_read_as_floats_is_fine():
    assert validate_ledger(_ledger().assign(closed_date=np.nan))["closed_date"].isna().all()


def test_year_range_is_stated_once():
    assert YEAR_RANGE == (1980, 2100)


# ---- identifiers and arguments ---------------------------------------------------------------

@pytest.mark.parametrize("column, value, fragment", [
    ("claim_id", [1, 2], "column 'claim_id' must hold one identifier per cell"),
    ("policy_id", {"a": 1}, "column 'policy_id' must hold one identifier per cell"),
    ("claim_id", (1, 2), "column 'claim_id' must hold one identifier per cell"),
    ("accident_id", [7], "column 'accident_id' must hold one identifier per cell"),
    ("claim_id", None, "column 'claim_id' must not be missing"),
])
def test_identifiers_are_one_scalar_per_cell(column, value, fragment):
    led = _ledger()
    led[column] = pd.Series([1, 1, 2, 3] if column != "policy_id" else list("AABA"), dtype=object)
    led.at[0, column] = value
    led.at[1, column] = value if column in ("claim_id", "policy_id") else led.at[1, column]
    _refused(led, fragment, "bad rows [0")


@pytest.mark.parametrize("columns, fragment", [
    (5, "claims: columns= must be a mapping {their name: ledger name}, got 5"),
    ("claim_id", "claims: columns= must be a mapping"),
    ({"nope": "claim_id"}, "claims: columns= maps 'nope', which is not a column of the ledger"),
    ({"paid": "amount"}, "claims: columns= maps 'paid' to 'amount', not a ledger column"),
    ({"paid": 5}, "claims: columns= maps 'paid' to 5, not a ledger column"),
])
def test_columns_argument(columns, fragment):
    _refused(_ledger(), fragment, columns=columns)


def test_columns_mapping_still_renames():
    led = _ledger().rename(columns={"claim_id": "赔案号x", "paid": "amount"})
    assert validate_ledger(led, columns={"赔案号x": "claim_id", "amount": "paid"})["paid"].sum() == 6500.0


@pytest.mark.parametrize("kw, fragment", [
    ({"by": 5}, "experience_from_claims: by must be a register column name or a list of distinct names, got 5"),
    ({"by": []}, "experience_from_claims: by must be"),
    ({"by": ["industry", 5]}, "experience_from_claims: by must be"),
    ({"by": ["industry", "industry"]}, "experience_from_claims: by must be"),
    ({"by": "nowhere"}, "by= names column(s) ['nowhere'] not in the policy register"),
    ({"columns": 5}, "claims: columns= must be a mapping"),
    ({"columns": {"unused": "claim_id"}}, "claims: columns= maps 'unused'"),
    ({"loss_model": "x"}, "experience_from_claims: loss_model must be a LossModel (or None for the default), got str 'x'"),
    ({"loss_model": "x", "large": "catastrophe"}, "loss_model must be a LossModel"),
    ({"years": "2024"}, "experience_from_claims: years must be a non-empty list of years"),
    ({"years": []}, "experience_from_claims: years must be a non-empty list of years"),
    ({"years": [2024, 1800]}, "each of years must be a year (an integer) in 1980-2100, got 1800"),
    ({"years": [2024.5]}, "each of years must be a year"),
    ({"valuation": "1800-01-01"}, "experience_from_claims: valuation_date must fall in the years 1980-2100, got 1800-01-01"),
    ({"valuation": 45000}, "experience_from_claims: valuation_date must be a date"),
    ({"trend": {"to_year": 1800}}, "trend: to_year (the rating year) must be a year (an integer) in 1980-2100, got 1800"),
    ({"trend": {"to_year": 99999}}, "trend: to_year (the rating year) must be a year (an integer) in 1980-2100, got 99999"),
    ({"trend": {"to_year": "2026"}}, "trend: to_year (the rating year) must be a year (an integer) in 1980-2100, got '2026'"),
    ({"trend": {"to_year": True}}, "trend: to_year (the rating year) must be a year"),
], ids=lambda v: repr(v)[:40])
def test_experience_from_claims_arguments(kw, fragment):
    with pytest.raises(ValidationError) as e:
        _experience(_ledger(), **kw)
    assert fragment in str(e.value) and "\n" not in str(e.value), str(e.value)


def test_rating_year_99999_warns_nothing_and_gives_no_inf(recwarn):
    with pytest.raises(ValidationError, match="to_year"):
        _experience(_ledger(), trend={"to_year": 99999})
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_a_rating_year_in_range_still_trends():
    res = _experience(_ledger(), trend={"to_year": 2026})
    assert res.provenance["rating_year"] == 2026 and np.isfinite(res.experience["exposure"]).all()


# ---- one frequency-trend default (issue 24) ---------------------------------------------------

def test_experience_and_project_share_the_trend_default():
    """DOMAIN.md §6.5: −5 % to −8 % a year; the midpoint −6.5 % in experience_from_claims and project."""
    from ajx_actuarial.claims import DEFAULT_FREQUENCY_TREND, Trend
    from ajx_actuarial.projection.levers import Levers

    assert DEFAULT_FREQUENCY_TREND == -0.065 == Trend().frequency == Levers().trend
