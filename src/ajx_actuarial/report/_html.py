"""HTML building blocks of the report: CSS (screen and A4 print), tables, KPI boxes, figures."""

from __future__ import annotations

import base64
import io

import pandas as pd

from ..present import escape_html, fmt_int
from ..present.formats import fmt_cell, fmt_num, fmt_year, is_year_column

__all__ = ["CSS", "PRINT_CSS", "table", "fixed", "kpi", "kpis", "figure", "note", "section"]

CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",Helvetica,Arial,sans-serif;
 margin:2em auto;max-width:1100px;padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:3px solid #1f4e79;padding-bottom:.3em;color:#1f4e79;font-size:1.7em}
h2{color:#1f4e79;margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.8em 0;font-size:.85em}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:right;vertical-align:top}
td{white-space:nowrap}td.wrap{white-space:normal;min-width:12em;max-width:36em;overflow-wrap:anywhere}.prov td{white-space:normal;text-align:left;overflow-wrap:anywhere}.prov td:first-child{white-space:nowrap;overflow-wrap:normal}
th{background:#eef3f8;font-weight:600}.txt{text-align:left}.num{text-align:right}
thead th{white-space:normal;vertical-align:bottom;word-break:keep-all;overflow-wrap:normal;hyphens:none;min-width:3.5em}
.wide table{max-width:100%}td.wrap,.prov td{word-break:normal}
figure{margin:1em 0;text-align:center}figure img{max-width:100%;height:auto}
figcaption{font-size:.85em;color:#444;margin-top:.2em}
.kpis{display:flex;flex-wrap:wrap;gap:.6em;margin:.6em 0}
.kpi{flex:1 1 14em;padding:.5em .9em;background:#f5f8fb;border-left:4px solid #1f4e79}
.kpi b{display:block;font-size:1.3em}.kpi span{display:block;font-size:.8em;color:#555}
.findings{background:#fbfcfe;border:1px solid #d6e2ee;padding:.2em 1.2em 1em;margin-top:1em}
.findings h2{margin-top:.5em}
.findings dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1.2em;margin:.6em 0}
.findings dt{font-weight:600;color:#1f4e79}.findings dd{margin:0}
.note{color:#555;font-size:.85em}.warn{color:#8a4b00;font-size:.85em}
.wide{overflow-x:auto}
"""

# A4 print: no clipped columns (tables wrap and shrink instead of scrolling), no figure split
# across pages, headings kept with what follows, table headers repeated on each page.
PRINT_CSS = """
@page{size:A4 portrait;margin:14mm 12mm 14mm 12mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:9.5pt;line-height:1.35}
 h1{font-size:16pt}h2{font-size:12.5pt;margin-top:1.1em;break-after:avoid;page-break-after:avoid}
 .wide{overflow:visible}
 table{width:auto;max-width:100%;font-size:7.5pt;table-layout:auto;break-inside:auto}
 th,td{padding:2px 4px}
 thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
 figure,.kpis,.findings{break-inside:avoid;page-break-inside:avoid}
 figure img{max-width:100%;max-height:235mm}
 .findings{background:none}
}
"""


def fixed(decimals: int):
    """A cell format with ``decimals`` decimals and separators (through :func:`ajx_actuarial.present.formats.fmt_cell`)."""
    pattern = "{:,.%df}" % decimals
    return lambda v: fmt_cell(v, None, pattern)


def _cell(column: object, f):
    """The formatter of one column: ``f`` (a callable or a ``str.format`` pattern) or the number policy by dtype and name."""
    if callable(f):
        return f
    if f is not None:
        return lambda x: fmt_cell(x, column, f)
    return None


def table(df: pd.DataFrame, fmt: dict | None = None, index: bool = True, cls: str = "") -> str:
    """An escaped HTML table; ``fmt`` maps a column to a callable or a format pattern. No cell is ever cut:
    long text wraps in its cell instead (class ``wrap``).

    Numeric columns are right-aligned, text columns left-aligned; a named index becomes the first columns.
    Floats follow :func:`~ajx_actuarial.present.formats.fmt_num` (never scientific notation), integers get
    separators, and a year column (``year``, ``*_year``) prints as ``2026``.
    """
    fmt = fmt or {}
    d = df.reset_index() if index and (df.index.name or isinstance(df.index, pd.MultiIndex)) else df
    if index and not (df.index.name or isinstance(df.index, pd.MultiIndex)) and not isinstance(df.index, pd.RangeIndex):
        d = df.reset_index().rename(columns={"index": ""})
    cols, aligns = [], []
    for c in d.columns:
        f, v = _cell(c, fmt.get(c)), d[c]
        numeric = pd.api.types.is_numeric_dtype(v.dtype) and not pd.api.types.is_bool_dtype(v.dtype)
        if f is not None:
            text = v.map(lambda x, f=f: f(x) if pd.notna(x) else "")
        elif numeric and is_year_column(c):
            text = v.map(fmt_year)
        elif pd.api.types.is_float_dtype(v.dtype):
            text = v.map(fmt_num)
        elif pd.api.types.is_integer_dtype(v.dtype):
            text = v.map(fmt_int)
        else:
            text = v.map(lambda x: "" if x is None or (isinstance(x, float) and x != x) else str(x))
        cols.append([escape_html(t) for t in text])
        # long text (sources, descriptions) wraps in its cell instead of widening the table past the page
        aligns.append("num" if numeric else ("txt wrap" if len(text) and text.map(len).max() > 40 else "txt"))
    head = "".join(f'<th class="{a}">{escape_html(c)}</th>' for c, a in zip(d.columns, aligns))
    rows = "".join("<tr>" + "".join(f'<td class="{a}">{col[i]}</td>' for col, a in zip(cols, aligns)) + "</tr>" for i in range(len(d)))
    return f'<div class="wide {cls}"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def kpi(label: str, value: str, detail: str = "") -> str:
    """A key-figure box: label, big value, small detail line."""
    extra = f"<span>{escape_html(detail)}</span>" if detail else ""
    return f'<div class="kpi">{escape_html(label)}<b>{escape_html(value)}</b>{extra}</div>'


def kpis(*boxes: str) -> str:
    return '<div class="kpis">' + "".join(boxes) + "</div>"


def figure(fig, caption: str) -> str:
    """A matplotlib figure as an embedded PNG in a ``<figure>`` with caption (never split in print)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    cap = escape_html(caption)
    return f'<figure><img alt="{cap}" src="data:image/png;base64,{data}"><figcaption>{cap}</figcaption></figure>'


def note(text: str, cls: str = "note") -> str:
    return f'<p class="{cls}">{escape_html(text)}</p>'


def section(key: str, heading: str, body: str) -> str:
    return f'<section id="{key}"><h2>{escape_html(heading)}</h2>{body}</section>'
