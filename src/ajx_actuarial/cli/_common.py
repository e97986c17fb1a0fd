"""Options shared by the ``ajx`` commands, so every command spells them the same way.

``-o/--output`` (a file, or a folder for run commands), ``-n/--n``, ``--seed`` (the API's
``rng=``), ``--encoding`` (CSV input), ``--lang`` (labels). Reading and writing go through
:func:`read_input` / :func:`write_output` (atomic writes, CSV/Parquet/JSON/Excel by suffix).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

__all__ = ["MAX_YEARS", "MAX_POLICIES", "output_option", "seed_option", "n_option", "encoding_option", "lang_option", "read_input", "write_output",
           "TABLE_SUFFIXES"]

# Bounds on absurd option values (assumption): a million simulated years puts the Monte Carlo
# error of a 99.5 % VaR far below any model error, and ten million policies is above the number
# of insured units in China's mandated industries; beyond them a run only exhausts memory.
MAX_YEARS = 1_000_000
MAX_POLICIES = 10_000_000
TABLE_SUFFIXES = ".parquet, .csv (UTF-8 with BOM), .xlsx or .json"
SEED_HELP = "Random seed, passed to the API as rng=SEED (an int >= 0; same seed ⇒ bit-identical results)."


def output_option(help: str, default: Any = None) -> Any:
    """``-o/--output PATH``; required when ``default`` is ``...``."""
    return typer.Option(default, "-o", "--output", help=help, show_default=default not in (None, ...))


def seed_option(default: int = 2026) -> Any:
    return typer.Option(default, "--seed", help=SEED_HELP)


def n_option(default: int, help: str, max: int | None = None) -> Any:
    return typer.Option(default, "-n", "--n", max=max, help=help)


def encoding_option() -> Any:
    return typer.Option(None, "--encoding", help="Text encoding of a CSV input, e.g. gbk, gb18030, utf-8 (default: detect UTF-8 or GB18030).")


def lang_option() -> Any:
    return typer.Option("en", "--lang", help="Language of labels: en or zh (中文).")


def read_input(path: Path, encoding: Optional[str] = None):
    """Read a CSV/Parquet/Excel input (delimiter and encoding detected for CSV)."""
    from ..io import read_table

    return read_table(path, encoding=encoding)


def write_output(df, path: Path) -> Path:
    """Write a table atomically; the format follows the suffix."""
    from ..io import write_table

    return write_table(df, path)
