"""The exposure-base section of a rate table and the optional exposure columns of a portfolio: bad input."""

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.rating.exposure import ExposureBase

SD = "construction-shandong-2018"


def _eb(**changes):
    t = ajx.RateTable.load(SD)
    spec = {**t.data["exposure_base"], **changes}
    return t.with_changes(exposure_base=spec) if changes else t


@pytest.mark.parametrize("changes, message", [
    ({"kind": "revenue"}, r"exposure_base.kind: must be one of \['headcount', 'project_cost', 'output_tonnes'\], got 'revenue'"),
    ({"rates": [0.65, 0.60]}, r"exposure_base.rates: needs len\(bands\) \+ 1 = 6 rates"),
    ({"rates": [0.65, 0.60, 0.55, 0.50, 0.45, -0.4]}, r"exposure_base.rates\[5\]: rate \(‰ of project cost\) must be > 0, got -0.4"),
    ({"bands": [10e6, 5e6, 1e8, 5e8, 1e9]}, r"exposure_base.bands\[1\]: bands must increase"),
    ({"industries": ["building"]}, r"exposure_base.industries: unknown industry code\(s\) \['building'\]"),
    ({"method": "marginal"}, r"exposure_base.method: must be 'flat' or 'progressive', got 'marginal'"),
    ({"aggregate_limits": [21e6]}, r"exposure_base.aggregate_limits: needs one limit per band \(6\)"),
    ({"unit": "CNY"}, r"exposure_base: unknown key\(s\) \['unit'\]"),
])
def test_exposure_base_validation(changes, message):
    with pytest.raises(ajx.ValidationError, match=message):
        _eb(**changes)


def test_headcount_kind_takes_no_schedule():
    t = ajx.RateTable.load("national-2025")
    assert t.exposure_base is None and t.with_changes(exposure_base={"kind": "headcount"}).exposure_base is None
    with pytest.raises(ajx.ValidationError, match=r"kind 'headcount' prices per head from \[base_rates\]; remove \['rates'\]"):
        t.with_changes(exposure_base={"kind": "headcount", "rates": [1.0]})


def test_band_lookup_is_inclusive_and_round_trips_through_toml(tmp_path):
    eb = ExposureBase.from_data({"kind": "project_cost", "bands": [10, 20], "rates": [3.0, 2.0, 1.0]})
    assert eb.band_of(np.array([0.5, 10, 10.5, 20, 21])).tolist() == [0, 0, 1, 1, 2]
    assert eb.premium_at_reference(np.array([10.0, 30.0])).tolist() == pytest.approx([10 * 3e-3, 30 * 1e-3])
    t = ajx.RateTable.load(SD)
    again = ajx.RateTable.load(t.to_toml(tmp_path / "t.toml"))
    assert again.exposure_base.rates.tolist() == t.exposure_base.rates.tolist()
    titles = [title for title, _ in t.describe()]
    assert any(title.startswith("exposure base project_cost for construction") for title in titles)


def _book(**cols):
    base = {"policy_id": [1, 2, 3], "industry": ["construction", "transport", "other"], "size": ["small"] * 3, "headcount": [50, 10, 5]}
    return pd.DataFrame({**base, **cols})


def test_exposure_columns_absent_blank_and_bad():
    v = ajx.validate_portfolio(_book())
    assert not {"project_cost", "output_tonnes", "sub_sector"} & set(v.columns)  # absent unless given
    v = ajx.validate_portfolio(_book(project_cost=[3e7, None, ""], output_tonnes=[np.nan, np.nan, 12.5]))
    assert v["project_cost"].iloc[0] == 3e7 and v["project_cost"].iloc[1:].isna().all()
    assert v["output_tonnes"].iloc[2] == 12.5
    with pytest.raises(ajx.ValidationError, match=r"column 'project_cost' must be > 0 \(or blank\); bad rows \[1\] \(values \[-5.0\]\)"):
        ajx.validate_portfolio(_book(project_cost=[1e7, -5, None]))
    with pytest.raises(ajx.ValidationError, match=r"column 'project_cost' must be numeric or blank \(non-numeric values found\); bad rows \[0\]"):
        ajx.validate_portfolio(_book(project_cost=["ten million", None, None]))
    with pytest.raises(ajx.ValidationError, match=r"column 'output_tonnes' must be a finite number or blank \(inf found\)"):
        ajx.validate_portfolio(_book(output_tonnes=[np.inf, 1.0, 1.0]))
    with pytest.raises(ajx.ValidationError, match=r"column 'project_cost' must be <= 1,000,000,000,000"):
        ajx.validate_portfolio(_book(project_cost=[2e12, None, None]))


def test_sub_sector_codes_parents_and_chinese():
    v = ajx.validate_portfolio(_book(sub_sector=["construction_project", "charter_bus", None]))
    assert v["sub_sector"].astype(str).tolist() == ["construction_project", "charter_bus", "none"]
    zh = pd.DataFrame({"保单号": [1, 2], "行业": ["交通运输", "其他"], "规模": ["小型", "微型"], "从业人数": [12, 3],
                       "子行业": ["交通运输船舶", "九小场所"], "工程造价": [None, None]})
    v = ajx.validate_portfolio(zh)
    assert v["sub_sector"].astype(str).tolist() == ["ships", "nine_small_venues"]
    with pytest.raises(ajx.ValidationError, match=r"'sub_sector' must belong to the row's industry .* ships \(parent transport\) under construction; bad rows \[0\]"):
        ajx.validate_portfolio(_book(sub_sector=["ships", "ships", "none"]))
    with pytest.raises(ajx.ValidationError, match=r"'sub_sector' has unknown code\(s\) \['boats'\]"):
        ajx.validate_portfolio(_book(sub_sector=["boats", "none", "none"]))
    ref = ajx.reference.sub_sectors()
    assert set(ref.loc[ref.index != "none", "parent"]) <= set(ajx.reference.INDUSTRIES)
    assert ref["source"].str.len().min() > 0 and set(ref["flag"]) <= {"seed", "secondary", "assumption"}
