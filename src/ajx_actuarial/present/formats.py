"""Number, money and percent formats, and safe display of user-supplied text.

One place decides how a figure looks, so the console, the HTML report, the workbook and the
plots agree (the number-formatting policy):

* money in CNY with thousands separators (``1,234,567 CNY``) or in millions (``12.35 m CNY``);
  with ``lang="zh"`` in 万/亿 as a memo writes it (``1.50 亿元``, ``123.46 万元``);
* ratios as percents (``15.3 %``);
* calendar years as plain integers (``2026``, never ``2,026``: :func:`fmt_year`);
* never scientific notation for an amount from 0.01 to 10^12 (``4,324,117``, not ``4.324e+06``),
  whatever the caller's format string (:func:`fmt_cell` falls back to :func:`fmt_num`);
* negative values keep their sign (``-1,234 CNY``); a value that rounds to zero prints without one;
* a column's kind follows its name (:func:`column_kind`: ``year``, ``years``, ``year_*``,
  ``*_year`` are calendar years), so every front end formats the same column the same way;

and names shortened and escaped before they reach rich markup or HTML.
"""

from __future__ import annotations

import html
import math
import re

from rich.markup import escape as _rich_escape

from .labels import check_lang

__all__ = ["fmt_int", "fmt_num", "fmt_money", "fmt_millions", "fmt_pct", "fmt_year", "fmt_cell", "column_kind", "is_year_column",
           "shorten", "escape_markup", "escape_html"]

MAX_NAME = 60  # characters of a user-supplied name shown in a table cell or title


def _bad(v) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def _no_negative_zero(s: str) -> str:
    """``-0``, ``-0.00`` → ``0``, ``0.00``: a value that rounds to zero carries no sign."""
    return s[1:] if s.startswith("-") and not any(c in "123456789" for c in s) else s


def _infinite(v) -> str | None:
    """``"inf"`` / ``"-inf"`` for an infinite value (a ratio over a zero premium), else None: every formatter
    shows it with its sign instead of failing (``int(inf)``) or dropping the sign."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return ("inf" if x > 0 else "-inf") if math.isinf(x) else None


def fmt_int(v) -> str:
    """``12,345``; an empty string for a missing value.

    Examples
    --------
    >>> fmt_int(1234567.0), fmt_int(-1234.4)
    ('1,234,567', '-1,234')
    """
    if (inf := _infinite(v)) is not None:
        return inf
    return "" if _bad(v) else _no_negative_zero(f"{int(round(float(v))):,}")


def fmt_year(v) -> str:
    """A calendar year as a plain integer: ``2026.0`` → ``2026`` (never ``2,026``); text is kept.

    Examples
    --------
    >>> fmt_year(2026.0), fmt_year(2026), fmt_year(None)
    ('2026', '2026', '')
    """
    if isinstance(v, str):
        return v
    if (inf := _infinite(v)) is not None:
        return inf
    return "" if _bad(v) else str(int(round(float(v))))


_MAX_DECIMALS = 12


def _zh_amount(x: float, decimals: int = 2) -> str | None:
    """``x`` in 亿 (>= 10^8) or 万 (>= 10^4) as a Chinese memo writes it; None below 10 000."""
    a = abs(x)
    if a >= 1e8:
        return _no_negative_zero(f"{x / 1e8:,.{decimals}f}") + " 亿"
    if a >= 1e4:
        return _no_negative_zero(f"{x / 1e4:,.{decimals}f}") + " 万"
    return None


def fmt_num(v, digits: int = 4, lang: str = "en") -> str:
    """A compact number in fixed notation: ``digits`` significant figures below 10 000, whole
    numbers with separators above (never scientific notation); ``lang="zh"``: 万/亿 from 10 000.

    Examples
    --------
    >>> fmt_num(0.123456), fmt_num(123456.7), fmt_num(9999.9), fmt_num(4.324e6)
    ('0.1235', '123,457', '10,000', '4,324,000')
    >>> fmt_num(-0.5), fmt_num(1.503e8, lang="zh")
    ('-0.5', '1.50 亿')
    """
    check_lang(lang)
    if _bad(v):
        return ""
    x = float(v)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if lang == "zh":
        z = _zh_amount(x)
        if z is not None:
            return z
    if abs(x) >= 1e4 or x == 0:
        return _no_negative_zero(f"{x:,.0f}")
    d = min(max(digits - 1 - math.floor(math.log10(abs(x))), 0), _MAX_DECIMALS)
    s = f"{x:,.{d}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return _no_negative_zero(s)


def _unit(unit: str | None, lang: str, en: str, zh: str) -> str:
    if unit is None or unit == en:
        unit = zh if lang == "zh" else en
    return f" {unit}" if unit else ""


def fmt_money(v, unit: str | None = "CNY", lang: str = "en") -> str:
    """Whole yuan with separators and the unit: ``1,234,567 CNY``; ``lang="zh"``: ``123.46 万元``,
    ``1.50 亿元`` (元 below 10 000). Never scientific notation; a negative amount keeps its sign.

    Examples
    --------
    >>> fmt_money(400000), fmt_money(-1234.4)
    ('400,000 CNY', '-1,234 CNY')
    >>> fmt_money(1_234_567, lang="zh"), fmt_money(150_300_000, lang="zh"), fmt_money(800, lang="zh")
    ('123.46 万元', '1.50 亿元', '800 元')
    """
    check_lang(lang)
    if _bad(v):
        return ""
    if (inf := _infinite(v)) is not None:
        return inf
    x = float(v)
    if lang == "zh" and unit in ("CNY", "元", None):
        z = _zh_amount(x)
        return (z + "元") if z is not None else _no_negative_zero(f"{x:,.0f}") + " 元"
    return _no_negative_zero(f"{x:,.0f}") + _unit(unit, lang, "CNY", "元")


def fmt_millions(v, unit: str | None = "m CNY", digits: int = 2, lang: str = "en") -> str:
    """Millions of yuan: ``12.35 m CNY``; ``lang="zh"``: in 万/亿 元 as a memo writes it
    (``1,234.57 万元``, ``1.50 亿元``).

    Examples
    --------
    >>> fmt_millions(12_345_678), fmt_millions(-4_500_000), fmt_millions(-4_500)
    ('12.35 m CNY', '-4.50 m CNY', '0.00 m CNY')
    >>> fmt_millions(12_345_678, lang="zh")
    '1,234.57 万元'
    """
    check_lang(lang)
    if _bad(v):
        return ""
    if (inf := _infinite(v)) is not None:
        return inf
    if lang == "zh" and unit in ("m CNY", None):
        return fmt_money(v, lang="zh")
    s = _no_negative_zero(f"{float(v) / 1e6:,.{digits}f}")
    return s + _unit(unit, lang, "m CNY", "百万元")


_YEAR_NAMES = ("year", "years", "start_year", "policy_year", "accident_year", "income_year", "年度", "年份")


def is_year_column(name: object) -> bool:
    """Whether a column holds calendar years: ``year``, ``years``, ``year_*``, ``*_year`` (and 年度/年份).

    Examples
    --------
    >>> is_year_column("year"), is_year_column("accident_year"), is_year_column("years_simulated"), is_year_column("premium")
    (True, True, True, False)
    """
    n = str(name).strip().lower()
    return n in _YEAR_NAMES or n.startswith(("year_", "years_")) or n.endswith(("_year", "年度", "年份"))


def column_kind(name: object) -> str:
    """How a column's values are formatted, from its name: ``"year"`` or ``"number"``.

    One convention for the console, the report and the workbook (see :func:`fmt_cell`).

    Examples
    --------
    >>> column_kind("year"), column_kind("insured_loss")
    ('year', 'number')
    """
    return "year" if is_year_column(name) else "number"


_SCI = re.compile(r"[0-9][eE][+-]?[0-9]")
_FMT_DIGITS = re.compile(r"\.(\d+)[gG]")


def fmt_cell(v, column: object = None, float_fmt: str | None = None, lang: str = "en") -> str:
    """A table cell by the policy: a year column as a year, a float with ``float_fmt`` (a
    ``str.format`` pattern) or :func:`fmt_num`, and never scientific notation (a ``{:,.4g}`` that
    would print ``4.324e+06`` prints ``4,324,000``); NaN is an empty cell; anything else as text.

    Examples
    --------
    >>> fmt_cell(4.324e6, "premium", "{:,.4g}"), fmt_cell(2026.0, "year"), fmt_cell(0.1234, "x", "{:.2f}")
    ('4,324,000', '2026', '0.12')
    """
    check_lang(lang)
    if v is None or isinstance(v, bool):
        return "" if v is None else str(v)
    if isinstance(v, (int, float)) or hasattr(v, "dtype"):
        try:
            x = float(v)
        except (TypeError, ValueError):
            return str(v)
        if x != x:
            return ""
        if math.isinf(x):
            return _infinite(x)
        if column is not None and is_year_column(column) and math.isfinite(x) and x.is_integer():
            return fmt_year(x)
        if not isinstance(v, float) and not (hasattr(v, "dtype") and getattr(v.dtype, "kind", "") == "f"):
            return str(v)  # integers as written (codes, counts)
        if float_fmt:
            s = _no_negative_zero(float_fmt.format(x))
            if not _SCI.search(s):
                return s
            m = _FMT_DIGITS.search(float_fmt)
            return fmt_num(x, int(m.group(1)) if m else 4, lang)
        return fmt_num(x, lang=lang)
    return str(v)


def fmt_pct(v, digits: int | None = 1) -> str:
    """A ratio as a percent: ``0.153`` → ``15.3 %``; ``digits=None``: as many decimals as the
    ratio has, up to two (a rule's ratio as written: ``0.2`` → ``20 %``, ``0.1667`` → ``16.67 %``).

    Examples
    --------
    >>> fmt_pct(0.153)
    '15.3 %'
    >>> fmt_pct(0.2, None), fmt_pct(0.1667, None)
    ('20 %', '16.67 %')
    """
    if _bad(v):
        return ""
    if (inf := _infinite(v)) is not None:
        return inf
    if digits is None:
        digits = next((d for d in (0, 1) if abs(round(100 * float(v), d) - 100 * float(v)) < 1e-9), 2)
    return _no_negative_zero(f"{100 * float(v):,.{digits}f}") + " %"


def shorten(text: object, width: int = MAX_NAME) -> str:
    """``str(text)`` on one line, cut to ``width`` characters with an ellipsis.

    Examples
    --------
    >>> shorten("x" * 100, 10)
    'xxxxxxxxx…'
    """
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def escape_markup(text: object, width: int | None = MAX_NAME) -> str:
    """User text made safe for rich markup (``[/bold]`` is shown, not parsed), shortened.

    Examples
    --------
    >>> escape_markup("[/bold]")
    '\\\\[/bold]'
    """
    s = shorten(text, width) if width else str(text)
    return _rich_escape(s)


def escape_html(text: object, width: int | None = None) -> str:
    """User text made safe for HTML (optionally shortened).

    Examples
    --------
    >>> escape_html("<b>x</b>")
    '&lt;b&gt;x&lt;/b&gt;'
    """
    s = shorten(text, width) if width else str(text)
    return html.escape(s)
