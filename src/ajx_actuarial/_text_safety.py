"""Text safety of tables, shared by the readers and writers of :mod:`ajx_actuarial.io`.

Reading: is a file named ``.csv`` text at all (:func:`not_text`), and which line of a CSV has
more fields than its header (:func:`ragged`). Writing: which text cells a spreadsheet would
run as a formula (OWASP CSV injection, :data:`FORMULA_START`) and :func:`neutralise_text`,
which puts a ``'`` before them.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ValidationError

__all__ = ["FORMULA_START", "formula_mask", "neutralise_text", "not_text", "ragged", "risky", "text_columns"]

#: First characters that make a spreadsheet read a text cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAGIC = ((b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook?); give it the suffix .xlsx"),
          (b"PAR1", "a Parquet file; give it the suffix .parquet"),
          (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook; save it as .xlsx or CSV"),
          (b"%PDF", "a PDF document"))


def not_text(raw: bytes) -> str | None:
    """Why ``raw`` is not the text of a CSV file (``None`` when it may be)."""
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            return what
    head = raw[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # UTF-16 text (Excel's "Unicode text"): the decoder says what to pass
    nul = head.find(b"\0")
    if nul >= 0:
        return f"binary data (a NUL byte at byte {nul})"
    control = sum(head.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 32), 127))
    if head and control > 0.05 * len(head):
        return f"binary data ({control} control bytes in the first {len(head):,})"
    return None


def ragged(p: Path, text: str, sep: str, first_only: bool = False) -> ValidationError | None:
    """The first line with more fields than the header, as an error naming the file and line.

    ``first_only``: look at the first record only (pandas takes the first column as the row
    index when that record has one field more than the header, and shifts every name).
    """
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        width = len(next((r for r in reader if r), []))  # the header: the first line that is not blank
        for row in reader:
            if len(row) <= width:
                if first_only and row:
                    break
                continue
            why = ("empty fields after the last column: a trailing delimiter?" if not any(f.strip() for f in row[width:])
                   else "a stray delimiter, or a missing column name?")
            return ValidationError(f"read: {str(p)!r} line {reader.line_num}: {len(row)} fields but the header has {width} "
                                   f"(delimiter {sep!r}; {why}); every row may have at most as many fields as the header")
    except csv.Error:  # a field over the csv module's size limit: leave the verdict to pandas
        return None
    return None


def risky(values) -> np.ndarray:
    """Mask of the values that are text starting like a formula (:data:`FORMULA_START`)."""
    return np.fromiter((isinstance(v, str) and v.startswith(FORMULA_START) for v in values), dtype=bool, count=len(values))


def formula_mask(col: pd.Series) -> np.ndarray:
    """Mask of the cells of a text column that start like a formula (vectorised for string columns)."""
    if isinstance(col.dtype, pd.StringDtype):
        return col.str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool)
    return risky(col.to_numpy(dtype=object))


def text_columns(df: pd.DataFrame):
    """(position, column) of every column that may hold text: object, string and categorical columns."""
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        if col.dtype == object or isinstance(col.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            yield i, col


def neutralise_text(df: pd.DataFrame, *, header: bool = True) -> pd.DataFrame:
    """``df`` with a ``'`` before every text cell that a spreadsheet would run as a formula.

    A string starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP's
    CSV-injection list) gets a leading single quote; numbers, missing values and every
    other cell are left alone, so a numeric column with negative numbers stays numeric.
    With ``header`` the column names are treated the same way. ``df`` itself is not changed
    (columns are copied only where a cell changes). Used by :func:`ajx_actuarial.io.write_table` for CSV and
    JSON.

    Examples
    --------
    >>> neutralise_text(pd.DataFrame({"region": ["=1+1", "Beijing", "-2"], "x": [-1.5, 2.0, 3.0]})).to_dict("list")
    {'region': ["'=1+1", 'Beijing', "'-2"], 'x': [-1.5, 2.0, 3.0]}
    """
    out = df
    for i, col in text_columns(df):
        if isinstance(col.dtype, pd.CategoricalDtype):
            if not risky(col.cat.categories).any():
                continue
            col = col.astype(object)
        mask = formula_mask(col)
        if not mask.any():
            continue
        if isinstance(col.dtype, pd.StringDtype):
            new = col.mask(mask, "'" + col)
        else:
            values = col.to_numpy(dtype=object).copy()
            values[mask] = ["'" + v for v in values[mask]]
            new = pd.Series(values, index=col.index, name=col.name, dtype=object)
        out = out.copy(deep=False) if out is df else out
        out.isetitem(i, new)
    names = list(out.columns)
    if header and risky(names).any():
        out = out.copy(deep=False) if out is df else out
        out.columns = ["'" + n if isinstance(n, str) and n.startswith(FORMULA_START) else n for n in names]
    return out
