"""``_lookup.lookup`` equals ``col.astype(str).map(mapping).fillna(default)`` on every column kind a book has."""

import numpy as np
import pandas as pd
import pytest

from ajx_actuarial._lookup import lookup

M = {"coal_mine": 2.0, "other": 0.5, "1": 7.0, "True": 3.0}


@pytest.mark.parametrize("col", [
    pd.Series(pd.Categorical(["coal_mine", "other", "fishing", "coal_mine"])),
    pd.Series(["coal_mine", "other", None, "x"], dtype="string"),
    pd.Series(["coal_mine", "other", None, "x"], dtype=object),
    pd.Series([1, 2, 1, 3]),
    pd.Series([True, False, True]),
    pd.Series([], dtype="string"),
])
@pytest.mark.parametrize("default", [np.nan, 1.0])
def test_lookup_equals_astype_str_map(col, default):
    ref = col.astype(str).map(M).astype(float).fillna(default).to_numpy(dtype=np.float64)
    got = lookup(col, M, default)
    na = col.isna().to_numpy()
    np.testing.assert_array_equal(got[~na], ref[~na])
    assert (np.isnan(got[na]) if np.isnan(default) else (got[na] == default)).all()
