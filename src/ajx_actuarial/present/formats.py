"""Number, money and percent formats, and safe display of user-supplied text.

One place decides how a figure looks, so the console, the HTML report and the plots agree:
money in CNY with thousands separators (or in millions with ``m CNY``), ratios as percents,
and names shortened and escaped before they reach rich markup or HTML.
"""

from __future__ import annotations

import html
import math

from rich.markup import escape as _rich_escape

__all__ = ["fmt_int", "fmt_num", "fmt_money", "fmt_millions", "fmt_pct", "shorten", "escape_markup", "escape_html"]

MAX_NAME = 60  # characters of a user-supplied name shown in a table cell or title


def _bad(v) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def fmt_int(v) -> str:
    """``12,345``; an empty string for a missing value.

    Examples
    --------
    >>> fmt_int(1234567.0)
    '1,234,567'
    """
    return "" if _bad(v) else f"{int(round(float(v))):,}"


def fmt_num(v, digits: int = 4) -> str:
    """A compact number: ``digits`` significant figures below 10 000, whole numbers above.

    Examples
    --------
    >>> fmt_num(0.123456), fmt_num(123456.7)
    ('0.1235', '123,457')
    """
    if _bad(v):
        return ""
    x = float(v)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:,.{digits}g}" if abs(x) < 1e4 else f"{x:,.0f}"


def fmt_money(v, unit: str = "CNY") -> str:
    """Whole yuan with separators and the unit: ``1,234,567 CNY``.

    Examples
    --------
    >>> fmt_money(400000)
    '400,000 CNY'
    """
    return "" if _bad(v) else f"{float(v):,.0f}{' ' + unit if unit else ''}"


def fmt_millions(v, unit: str = "m CNY", digits: int = 2) -> str:
    """Millions of yuan: ``12.35 m CNY``.

    Examples
    --------
    >>> fmt_millions(12_345_678)
    '12.35 m CNY'
    """
    return "" if _bad(v) else f"{float(v) / 1e6:,.{digits}f}{' ' + unit if unit else ''}"


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
    if digits is None:
        digits = next((d for d in (0, 1) if abs(round(100 * float(v), d) - 100 * float(v)) < 1e-9), 2)
    return f"{100 * float(v):,.{digits}f} %"


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
