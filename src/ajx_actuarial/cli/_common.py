"""Options shared by the ``ajx`` commands, so every command spells them the same way.

``-o/--output`` (a file, or a folder for run commands), ``-n/--n``, ``--seed`` (the API's
``rng=``), ``--encoding`` (CSV input), ``--lang`` (labels). Reading and writing go through
:func:`read_input` / :func:`write_output` (atomic writes, CSV/Parquet/JSON/Excel by suffix).
Run commands (``demo``, ``stress``, ``project``) write through :func:`run_output`: ``-o DIR`` is
the run folder, ``-o FILE.xlsx`` one Excel workbook of the run and nothing else.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import typer

from .._bounds import MAX_POLICIES, MAX_YEARS  # the API's bounds on absurd option values, from one place

__all__ = ["MAX_YEARS", "MAX_POLICIES", "output_option", "seed_option", "n_option", "encoding_option", "lang_option", "read_input", "write_output",
           "TABLE_SUFFIXES", "XLSX_HELP", "run_output", "is_workbook"]

TABLE_SUFFIXES = ".parquet, .csv (UTF-8 with BOM), .xlsx or .json"
XLSX_HELP = ("A path ending in .xlsx writes ONE Excel workbook of the run instead (the run is built in a temporary folder "
             "beside it, which is removed; nothing is left behind if the run fails).")
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


def is_workbook(path: Optional[Path]) -> bool:
    """Whether ``-o PATH`` asks for an Excel workbook (``.xlsx``, any case)."""
    return path is not None and path.suffix.lower() == ".xlsx"


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False


def _remove_stale_runs(target: Path) -> None:
    """Remove temporary run folders of earlier ``-o target`` runs whose process is gone (killed)."""
    pat = re.compile(rf"^\.{re.escape(target.name)}\.ajx-run-(\d+)-[0-9a-f]+$")
    try:
        stale = [d for d in target.parent.iterdir() if (m := pat.match(d.name)) and d.is_dir() and _pid_gone(int(m.group(1)))]
    except OSError:
        return
    for d in stale:
        shutil.rmtree(d, ignore_errors=True)


@contextmanager
def _reserved(folder: Path) -> Iterator[Path]:
    """Hold ``folder``'s run lock for the whole command (:func:`ajx_actuarial.runs.run_lock`): a second
    run into it is refused at once, before either computes. Folders made for it are removed again
    when the command fails and leaves them empty."""
    from ..errors import ValidationError
    from ..runs import run_lock

    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"output: {str(folder)!r} is a file; a run writes into a folder (give a folder name)")
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"output: cannot prepare run folder {str(folder)!r}: {exc.strerror or exc}") from exc
    ok = False
    try:
        with run_lock(folder):
            yield folder
        ok = True
    finally:
        if not ok:
            for p in made:  # deepest first
                try:
                    p.rmdir()
                except OSError:
                    break


@contextmanager
def run_output(output: Path, lang: str = "en", title: Optional[str] = None) -> Iterator[Path]:
    """The folder a run command writes its run into, for ``-o output``.

    ``output`` not ending in ``.xlsx``: ``output`` itself, the run folder, locked for the whole command
    (a second run into it is refused at once). Ending in ``.xlsx``: a
    temporary folder beside it (``.NAME.ajx-run-PID-RANDOM``); when the body succeeds, the run's
    workbook (:func:`ajx_actuarial.report.write_workbook`) is written to ``output`` atomically,
    and the folder is removed in every case, so ``-o x.xlsx`` never makes a folder ``x.xlsx``
    and a failed run leaves nothing behind (a previous ``x.xlsx`` is kept as it was).

    Raises
    ------
    ValidationError
        ``output`` is an existing folder, or its parent cannot be written.
    """
    from ..errors import ValidationError

    if not is_workbook(output):
        with _reserved(output):
            yield output
        return
    from ..report import write_workbook

    if output.is_dir():
        raise ValidationError(f"output: {str(output)!r} is a folder; -o ending in .xlsx writes one workbook file (remove the folder or pick another name)")
    parent = output.parent
    made = [p for p in (parent, *parent.parents) if not p.exists()]
    tmp = parent / f".{output.name}.ajx-run-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_runs(output)
        tmp.mkdir()
    except OSError as exc:
        raise ValidationError(f"output: cannot write beside {str(output)!r}: {exc.strerror or exc}") from exc
    ok = False
    try:
        yield tmp
        write_workbook(tmp, output, lang=lang, title=title)
        ok = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not ok:
            for p in made:  # folders made for the output, emptied again
                try:
                    p.rmdir()
                except OSError:
                    break
