"""Low-level Excel writing for the run workbook: safe cells, number formats by column name, labels, sheets.

A string cell is always written as literal text (``data_type = "s"``, never a formula), and
one that starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break
(:data:`ajx_actuarial.io.FORMULA_START`, plus LF) also carries Excel's quote prefix, so
editing it in Excel keeps it text; ``ajx price -o x.xlsx`` and every table written by
:func:`ajx_actuarial.io.write_table` do the same. Characters XML cannot hold become U+FFFD, and
a carriage return a line feed (what any XML reader would make of it).
Numbers stay numbers; their display comes from :func:`number_format`, chosen by the column (or
measure) name, so a new column of a run table gets a sensible format without an edit here.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from ..io import FORMULA_START
from ..present import check_lang, label

__all__ = ["Sheet", "FORMATS", "number_kind", "number_format", "col_label", "cell_value", "is_number", "put", "add_sheet"]

# Kinds of number and their Excel formats; money is CNY with thousands separators (the unit is in the header).
FORMATS = {"cny": "#,##0", "pct": "0.0%", "int": "#,##0", "count": "#,##0.00", "year": "0", "ratio": "0.00", "dec": "#,##0.00##"}
_FORMULA_START = (*FORMULA_START, "\n")  # a raw CR is written as LF (below)
_MAX_TEXT = 32_767  # characters in one Excel cell
_EXCEL_MAX_ROWS = 1_048_576

_YEAR_RE = re.compile(r"(^|_)year$|^seed$")
_PCT_RE = re.compile(r"share|ratio|funded|_vs_|^fee_|(^|_)lr($|_)|^p_|probab|tolerance|^level$|over_premium|(^|_)cv($|_)|rate_change|loading")
_OVER_RE = re.compile(r"_over_")
_FACTOR_RE = re.compile(r"factor|multiplier")
_CNY_RE = re.compile(r"premium|loss|budget|capital|cost|shortfall|surplus|spent|carried|lapsed|expense|required|commission|admin|levy|"
                     r"result|limit|payout|compensation|(^|_)t?var(_|$)|amount|income|reserve|grant|ex_vat|minimum|price")
_COUNT_RE = re.compile(r"death|disabilit|claims|accident|polic|worker|headcount|units|count|mandated|paths|segments|anchors|pools|"
                       r"medical_only|^n$|^rows$|years|months|bytes")


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def number_kind(key: str, values: Sequence[Any] = ()) -> str:
    """The kind of number in a column or measure named ``key`` (its last dotted part decides); see :func:`number_format`."""
    parts = str(key).lower().split(".")
    kind = _kind(parts[-1], values)
    if kind in ("dec", "int") and len(parts) > 1:  # fee.floor: the parent names what the number is
        kind2 = _kind(f"{parts[-2]}_{parts[-1]}", values)
        kind = kind2 if kind2 in ("pct", "cny") else kind
    return kind


def _kind(k: str, values: Sequence[Any]) -> str:
    if _OVER_RE.search(k) and "over_premium" not in k:
        return "ratio"
    if _PCT_RE.search(k):
        return "pct"
    if _YEAR_RE.search(k):
        return "year"
    if _FACTOR_RE.search(k):
        return "dec"
    if _CNY_RE.search(k):
        return "cny"
    nums = [v for v in values if is_number(v) and math.isfinite(v)]
    whole = all(float(v).is_integer() for v in nums)
    if _COUNT_RE.search(k):
        return "int" if whole else "count"
    return "int" if nums and whole and all(isinstance(v, int) for v in nums) else "dec"


def number_format(key: str, values: Sequence[Any] = ()) -> str:
    """The Excel number format of a column or measure named ``key`` (its last dotted part decides).

    Shares, ratios and probabilities ``0.0%``; years and seeds ``0``; factors and multipliers
    ``#,##0.00##``; money (premium, loss, budget, capital, limit, VaR ...) ``#,##0`` CNY; counts
    (deaths, policies, workers ...) ``#,##0`` when every value is whole, ``#,##0.00`` otherwise;
    anything else ``#,##0.00##``.

    Examples
    --------
    >>> number_format("loss_ratio"), number_format("simulation.var_995"), number_format("deaths", [1, 2.5])
    ('0.0%', '#,##0', '#,##0.00')
    """
    return FORMATS[number_kind(key, values)]


def col_label(key: str, lang: str, labels: dict[str, tuple[str, str]], kind: str | None = None) -> str:
    """Header text of column ``key``: the workbook's labels, then the report's (``present.label``), then the key.

    A money column names its unit: ``premium (CNY)`` / ``保费（元）``.
    """
    i = 1 if check_lang(lang) == "zh" else 0
    k = str(key)
    text = labels[k][i] if k in labels else label(k, lang)
    if kind == "cny" and "CNY" not in text and "元" not in text:
        text += "（元）" if i else " (CNY)"
    return text


def cell_value(v: Any) -> Any:
    """A Python value openpyxl writes faithfully: numbers as int/float, missing as None, containers as JSON text."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return None
        return f if math.isfinite(f) else ("inf" if f > 0 else "-inf")
    if isinstance(v, int):
        return v
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def _text(v: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # XML readers turn a raw CR into LF anyway: write LF, so what is read back is what was written
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", v.replace("\r\n", "\n").replace("\r", "\n"))[:_MAX_TEXT]


def put(ws, row: int, col: int, value: Any, kind: str | None = None):
    """Write one cell: text as literal text (never a formula), numbers in the format of ``kind``."""
    v = cell_value(value)
    cell = ws.cell(row=row, column=col)
    if isinstance(v, str):
        v = _text(v)
        cell.value = v
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if v.startswith(_FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = v
        if kind and is_number(v):
            cell.number_format = FORMATS[kind]
    return cell


def _width(v: Any, kind: str | None) -> int:
    v = cell_value(v)
    if v is None:
        return 0
    if is_number(v):
        if kind == "pct":
            return len(f"{v * 100:.1f}%")
        return len(f"{v:,.0f}") + (0 if kind in ("cny", "int", "year") else 5)
    s = str(v).split("\n", 1)[0]
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in s[:80])


@dataclass
class Sheet:
    """One sheet: (en, zh) name, header texts, rows, and the kind of number (``FORMATS``) of each cell."""

    name: tuple[str, str]
    header: list[str]
    rows: list[list[Any]]
    formats: Callable[[int, int], str | None] = lambda r, c: None
    freeze: str = "A2"
    wrap: set[int] = field(default_factory=set)  # columns of long text (notes, sources): wrapped, width capped
    wrap_width: int = 60


def add_sheet(wb, sheet: Sheet, lang: str) -> None:
    """Append ``sheet`` to ``wb``: bold frozen header, formatted numbers, column widths from the content."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from ..errors import ValidationError

    if len(sheet.rows) + 1 > _EXCEL_MAX_ROWS:
        raise ValidationError(f"workbook: sheet {sheet.name[0]!r} has {len(sheet.rows):,} rows, more than one Excel sheet holds")
    ws = wb.create_sheet(sheet.name[1] if lang == "zh" else sheet.name[0])
    widths = [0] * len(sheet.header)
    bold = Font(bold=True)
    for c, h in enumerate(sheet.header, start=1):
        put(ws, 1, c, h).font = bold
        widths[c - 1] = min(_width(h, None), 40)
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row, start=1):
            fmt = sheet.formats(r, c - 1)
            cell = put(ws, r + 2, c, v, fmt)
            if c - 1 in sheet.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if c - 1 < len(widths):
                widths[c - 1] = max(widths[c - 1], _width(v, fmt))
    for c, w in enumerate(widths, start=1):
        cap = sheet.wrap_width if (c - 1) in sheet.wrap else 50
        ws.column_dimensions[get_column_letter(c)].width = max(8, min(w + 2, cap))
    ws.freeze_panes = sheet.freeze
