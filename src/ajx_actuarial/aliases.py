"""Chinese column headers and codes, mapped onto the data contract (DESIGN.md §4).

One packaged mapping, ``reference/data/aliases_zh.csv`` (``field,alias,canonical,note``):

* ``field = column``: a header alias, e.g. ``从业人数`` → ``headcount``;
* ``field = industry | size | rectification | risk_tier``: a code alias, e.g. ``建筑业`` →
  ``construction``; every ``name_zh`` of ``reference.industries()`` and
  ``reference.size_classes()`` (``煤矿``, ``建筑施工``, ``大型`` ...) is an alias too;
* ``field = bool``: yes/no words, ``是``/``否``, ``有``/``无``.

Headers and codes are compared after stripping spaces, and English ones case-insensitively
(``Headcount`` = ``headcount``). Add a row to the CSV to accept another spelling.

>>> from ajx_actuarial.aliases import column_aliases, value_aliases
>>> column_aliases()["从业人数"], value_aliases("industry")["煤矿"], value_aliases("size")["大型"]
('headcount', 'coal_mine', 'large')
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .errors import ValidationError

__all__ = ["column_aliases", "value_aliases", "canonical_columns", "canonical_codes"]


@functools.cache
def _table() -> pd.DataFrame:
    from .reference import data_path

    with data_path("aliases_zh.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return df


@functools.cache
def column_aliases() -> dict[str, str]:
    """Header alias → contract column name."""
    t = _table()
    t = t[t["field"] == "column"]
    return dict(zip(t["alias"].str.strip(), t["canonical"].str.strip()))


@functools.cache
def value_aliases(field: str) -> dict[str, str]:
    """Code alias → contract code for ``field`` (``industry``, ``size``, ``rectification``, ``risk_tier``, ``bool``)."""
    from . import reference

    out: dict[str, str] = {}
    if field == "industry":
        out.update({str(v).strip(): k for k, v in reference.industries()["name_zh"].items()})
    elif field == "size":
        out.update({str(v).strip(): k for k, v in reference.size_classes()["name_zh"].items()})
    t = _table()
    t = t[t["field"] == field]
    out.update(dict(zip(t["alias"].str.strip(), t["canonical"].str.strip())))
    return out


def canonical_columns(df: pd.DataFrame, known: tuple[str, ...], where: str) -> pd.DataFrame:
    """``df`` with aliased or differently cased headers renamed to the contract names in ``known``.

    Raises
    ------
    ValidationError
        When two headers name the same column (e.g. ``headcount`` and ``从业人数``).
    """
    aliases = column_aliases()
    lower = {k.lower(): k for k in known}
    rename: dict = {}
    for c in df.columns:
        s = str(c).strip()
        target = s if s in known else lower.get(s.lower()) or aliases.get(s)
        if target is not None and target != c:
            rename[c] = target
    if not rename:
        return df
    new = [rename.get(c, c) for c in df.columns]
    seen: dict[str, object] = {}
    for orig, n in zip(df.columns, new):
        if n in seen:
            raise ValidationError(f"{where}: duplicate column {n!r}: headers {seen[n]!r} and {orig!r} both mean {n!r}; keep one")
        seen[n] = orig
    return df.rename(columns=rename)


def canonical_codes(series: pd.Series, field: str, allowed: tuple[str, ...]) -> pd.Series:
    """Codes of ``series`` mapped to the contract codes (Chinese names, other case, spaces).

    Values that are already contract codes, or that match nothing, are left as they are (the
    caller reports the unknown ones); missing values stay missing. Works on the distinct values
    only, so a million rows cost one factorisation.
    """
    if isinstance(series.dtype, pd.CategoricalDtype) and set(series.cat.categories) <= set(allowed):
        return series
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    table = {**{a.lower(): a for a in allowed}, **value_aliases(field)}
    mapped = []
    for u in uniques:
        v = str(u).strip()
        mapped.append(v if v in allowed else table.get(v, table.get(v.lower(), v)))
    out = np.asarray(mapped + [None], dtype=object)[codes]  # code -1 (missing) takes the trailing None
    return pd.Series(out, index=series.index, dtype=object)
