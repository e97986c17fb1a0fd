"""Presentation: how results look in the console, the HTML report and the plots.

Front ends (``ajx`` CLI, ``ajx demo``, the report) format figures only through this package:
number/money/percent/year formats, one policy for every front end (:mod:`.formats`: never
scientific notation for an amount, years as ``2026``, 万/亿 under ``lang="zh"``), labels in English and Chinese
(:mod:`.labels`), and rich tables and progress bars (:mod:`.console`). It holds no model
logic and imports nothing above ``reference`` (DESIGN.md layers; see ARCHITECTURE.md).
"""

from .console import frame_table, make_console, portfolio_summary_table, premium_summary_table, progress_bar, segment_table, stress_table
from .formats import (column_kind, escape_html, escape_markup, fmt_cell, fmt_int, fmt_millions, fmt_money, fmt_num, fmt_pct, fmt_year,
                      is_year_column, shorten)
from .labels import LANGS, check_lang, code_label, code_name, label, text_label

__all__ = [
    "LANGS", "check_lang", "label", "code_label", "code_name", "text_label",
    "fmt_int", "fmt_num", "fmt_money", "fmt_millions", "fmt_pct", "fmt_year", "fmt_cell", "column_kind", "is_year_column", "shorten", "escape_markup", "escape_html",
    "make_console", "frame_table", "portfolio_summary_table", "premium_summary_table", "segment_table", "stress_table", "progress_bar",
]
