"""Reading and writing tables: CSV (encoding and delimiter detected), Parquet, Excel, JSON.

Reading (:func:`read_table`) does no validation. A CSV is decoded as UTF-8 (with or without
BOM) and, failing that, as GB18030 (a superset of GBK/GB2312, what Chinese Excel saves as
"CSV"); ``encoding=`` overrides. The delimiter (comma, semicolon, tab or ``|``) is detected
from the header line. A header that repeats a column name is an error (pandas would
silently rename the second copy ``headcount.1``).

A file that is not text (a NUL byte, a workbook or Parquet file renamed ``.csv``) is refused
naming the file; so is a ragged CSV (a row with more fields than the header), naming the
line, instead of letting pandas shift the columns under the wrong names.

Writing (:func:`write_table`) picks the format from the suffix: ``.parquet``, ``.csv``
(UTF-8 with BOM, so Excel shows Chinese correctly; CRLF line ends as RFC 4180 has them, so a
carriage return inside a cell is quoted), ``.xlsx`` (openpyxl) or ``.json``. Text
meant for a spreadsheet is neutralised (OWASP CSV injection, :func:`neutralise_text`): in
CSV and JSON a text cell (or CSV header) starting with ``= + - @``, a tab or a carriage
return gets a leading ``'``; in xlsx such a cell is written as a string with Excel's quote
prefix, never a formula. Numbers are never altered; Parquet is written as it is. Every
write is atomic (:class:`atomic_path`): a temporary file beside the target, renamed onto it
on success, removed on failure; a temporary file left by a killed process (SIGKILL) is
removed by the next write into the same folder (:func:`remove_stale_temps`). File-system
failures (a folder as target, no permission, disk full) become one
:class:`~ajx_actuarial.errors.ValidationError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import secrets
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ._text_safety import FORMULA_START, formula_mask, neutralise_text, not_text, ragged, risky, text_columns
from .errors import ValidationError

__all__ = ["read_table", "write_table", "atomic_path", "detect_encoding", "detect_delimiter", "neutralise_text", "remove_stale_temps",
           "FORMULA_START", "TABLE_FORMATS"]

#: Frame attributes a Parquet file keeps (pandas stores them in its metadata): the rate table a priced
#: book was priced with, so a priced file read back is checked against that table's floor and cap
#: (``simulate``) and explained (``explain``). Every other attribute is dropped, as in CSV, JSON and xlsx.
KEPT_ATTRS = ("rate_table", "rate_table_toml")

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".json": "json", ".xlsx": "xlsx"}
DELIMITERS = (",", ";", "\t", "|")
EXCEL_MAX_ROWS = 1_048_576  # rows of one sheet, header included (Excel 2007+ limit)
EXCEL_MAX_COLS = 16_384
_TMP_MARK = ".ajx-"  # temporary files are named .<target name>.ajx-<pid>-<random>.tmp
_LEGACY_TMP_AGE_S = 3600.0  # older .<name>.*.tmp files (no pid in the name) are stale after an hour
_TMP_RE = re.compile(r"^\..+\.ajx-(\d+)-[0-9A-Za-z]+\.tmp$")  # any target's temporary file, with its writer's pid


def _format_of(path: Path, where: str) -> str:
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValidationError(f"{where}: {str(path)!r}: unsupported file type {path.suffix!r}; use .csv, .parquet, .xlsx or .json")
    return fmt


def _check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValidationError(f"--encoding: unknown text encoding {encoding!r}; e.g. utf-8, gbk, gb18030") from None


def detect_encoding(raw: bytes) -> str:
    """``utf-8-sig`` when ``raw`` decodes as UTF-8, ``gb18030`` when it decodes as GB18030.

    Raises
    ------
    ValidationError
        When neither decodes (the caller should pass the encoding explicitly).

    Examples
    --------
    >>> detect_encoding("煤矿".encode("gbk")), detect_encoding("煤矿".encode("utf-8"))
    ('gb18030', 'utf-8-sig')
    """
    for enc in ("utf-8-sig", "gb18030"):
        try:
            raw.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    raise ValidationError("read: the file is neither UTF-8 nor GBK/GB18030 text; pass --encoding (e.g. big5, latin-1)")


def detect_delimiter(header: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the header line into the most fields.

    Examples
    --------
    >>> detect_delimiter("policy_id;industry;size;headcount"), detect_delimiter("a,b")
    (';', ',')
    """
    best, best_n = ",", 1
    for d in DELIMITERS:
        n = len(next(csv.reader([header], delimiter=d), []))
        if n > best_n:
            best, best_n = d, n
    return best


def _duplicates(names: list) -> list[str]:
    seen, dup = set(), []
    for n in (str(x).strip() for x in names):
        if n in seen and n not in dup:
            dup.append(n)
        seen.add(n)
    return dup


def _read_csv(p: Path, encoding: str | None) -> pd.DataFrame:
    raw = p.read_bytes()
    why = None if encoding else not_text(raw)
    if why:
        raise ValidationError(f"read: {str(p)!r} is not a text CSV file: it holds {why}"
                              + ("; if it is UTF-16 text, pass --encoding utf-16" if why.startswith("binary") else ""))
    if encoding:
        enc = _check_encoding(encoding)
    else:
        try:
            enc = detect_encoding(raw)
        except ValidationError as exc:
            raise ValidationError(f"read: {str(p)!r} is not a text CSV file: neither UTF-8 nor GBK/GB18030 text; "
                                  "pass --encoding if it is text in another encoding (e.g. big5, latin-1, utf-16)") from exc
    if enc == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as exc:
        raise ValidationError(f"read: {str(p)!r} is not valid {encoding} text (byte {exc.start}); "
                              "omit --encoding to detect UTF-8/GB18030, or name the right one") from exc
    if not text.strip():
        raise ValidationError(f"read: {str(p)!r} is empty")
    header = text.lstrip().splitlines()[0]
    sep = detect_delimiter(header)
    dup = _duplicates(next(csv.reader([header], delimiter=sep)))
    if dup:
        raise ValidationError(f"read: {str(p)!r}: duplicate column(s) {dup} in the header; each column may appear once")
    err = ragged(p, text, sep, first_only=True)  # else pandas would make the first column the index and shift the names
    if err is not None:
        raise err
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep)
    except (ValueError, pd.errors.ParserError) as exc:
        raise (ragged(p, text, sep) or ValidationError(
            f"read: cannot parse {str(p)!r} as CSV (delimiter {sep!r}, encoding {enc}): {str(exc).splitlines()[0]}")) from exc
    df.attrs["read"] = {"format": "csv", "delimiter": sep, "encoding": enc}
    return df


def _read_xlsx(p: Path) -> pd.DataFrame:
    head = pd.read_excel(p, engine="openpyxl", header=None, nrows=1)
    dup = _duplicates([v for v in head.iloc[0].tolist() if pd.notna(v)]) if len(head) else []
    if dup:
        raise ValidationError(f"read: {str(p)!r}: duplicate column(s) {dup} in the header; each column may appear once")
    return pd.read_excel(p, engine="openpyxl")


def read_table(path: str | os.PathLike[str], *, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV, Parquet, Excel (.xlsx) or JSON file into a DataFrame (no validation).

    Parameters
    ----------
    path : path-like
        The file; its suffix picks the format.
    encoding : str, optional
        Text encoding of a CSV (``gbk``, ``gb18030``, ``utf-8``...). Default: UTF-8, else GB18030.

    Raises
    ------
    ValidationError
        Missing file, unknown suffix or encoding, undecodable text, duplicate header, parse error.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.csv"
    >>> _ = p.write_bytes("行业;规模\\n煤矿;大型\\n".encode("gbk"))
    >>> read_table(p).columns.tolist()
    ['行业', '规模']
    """
    p = Path(path)
    fmt = _format_of(p, "read")
    if not p.is_file():
        raise ValidationError(f"read: file {str(p)!r} does not exist")
    if encoding is not None and fmt != "csv":
        _check_encoding(encoding)
    try:
        if fmt == "csv":
            return _read_csv(p, encoding)
        if fmt == "xlsx":
            return _read_xlsx(p)
        if fmt == "parquet":
            return pd.read_parquet(p)
        return pd.read_json(p)
    except ValidationError:
        raise
    except (ValueError, OSError, KeyError, pd.errors.ParserError) as exc:  # pyarrow / zipfile errors subclass these
        raise ValidationError(f"read: cannot parse {str(p)!r} as {fmt}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
    except Exception as exc:  # openpyxl raises assorted errors on a file that is not a workbook
        if type(exc).__module__.split(".")[0] in ("openpyxl", "zipfile"):
            raise ValidationError(f"read: cannot parse {str(p)!r} as xlsx: {exc}") from exc
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    except (OverflowError, ValueError):  # not a possible pid
        return False
    return True


def _unlink_all(files: list[Path]) -> list[Path]:
    removed = []
    for f in files:
        try:
            f.unlink()
            removed.append(f)
        except OSError:
            pass
    return removed


def remove_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files in ``folder`` whose writer is gone (e.g. killed by SIGKILL); returns them.

    A temporary file of :class:`atomic_path` is named ``.<target>.ajx-<pid>-<random>.tmp``;
    it is stale when no process has that pid (a pid still alive, this process included, is
    left alone). Called by every write into the folder and when a run folder is started.
    """
    try:
        entries = [f for f in Path(folder).iterdir() if f.name.endswith(".tmp") and _TMP_MARK in f.name]
    except OSError:
        return []
    stale = []
    for f in entries:
        m = _TMP_RE.match(f.name)
        if m is not None and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            stale.append(f)
    return _unlink_all(stale)


def _remove_stale_temps(target: Path) -> list[Path]:
    """Remove stale temporary files beside ``target``: any with a dead writer's pid, and an older version's of ``target``."""
    removed = remove_stale_temps(target.parent)
    prefix = f".{target.name}."
    try:  # an older version's mkstemp name (no pid) for this target: stale after an hour
        legacy = [f for f in target.parent.iterdir()
                  if f.name.startswith(prefix) and f.name.endswith(".tmp") and _TMP_MARK not in f.name[len(prefix) - 1:]]
    except OSError:
        return removed
    old = []
    for f in legacy:
        try:
            if time.time() - f.stat().st_mtime > _LEGACY_TMP_AGE_S:
                old.append(f)
        except OSError:
            continue
    return removed + _unlink_all(old)


def _make_temp(target: Path) -> Path:
    """Create an empty temporary file beside ``target`` (mode 0666 less the umask)."""
    tmp = target.parent / f".{target.name}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(fd)
    return tmp


class atomic_path:
    """Context manager yielding a temporary path beside ``target``; renamed onto it on success.

    On any exception the temporary file is removed and ``target`` is left untouched; an
    ``OSError`` (no permission, disk full, a folder in the way) is re-raised as
    :class:`ValidationError` naming the target. Stale temporary files of earlier, killed
    writes into the same folder are removed first (:func:`remove_stale_temps`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("ok")
    >>> target.read_text()
    'ok'
    """

    def __init__(self, target: str | os.PathLike[str]):
        self.target = Path(target)
        self.tmp: Path | None = None

    def _fail(self, exc: BaseException) -> ValidationError:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return ValidationError(f"write: cannot write {str(self.target)!r}: {reason}")

    def __enter__(self) -> Path:
        if self.target.is_dir():
            raise ValidationError(f"write: {str(self.target)!r} is a folder; give a file name (e.g. {str(self.target / 'out.parquet')!r})")
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_temps(self.target)
            self.tmp = _make_temp(self.target)
        except OSError as exc:
            self.tmp = None
            raise self._fail(exc) from exc
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        assert self.tmp is not None
        if exc_type is None:
            try:
                os.replace(self.tmp, self.target)
                return False
            except OSError as err:
                self.tmp.unlink(missing_ok=True)
                raise self._fail(err) from err
        try:
            self.tmp.unlink(missing_ok=True)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise self._fail(exc) from exc
        return False


def _write_xlsx(df: pd.DataFrame, tmp: Path) -> None:
    if len(df) + 1 > EXCEL_MAX_ROWS or df.shape[1] > EXCEL_MAX_COLS:
        raise ValidationError(f"write: {len(df):,} rows × {df.shape[1]} columns do not fit one Excel sheet "
                              f"(at most {EXCEL_MAX_ROWS - 1:,} rows, {EXCEL_MAX_COLS:,} columns); write .parquet or .csv")
    d = df.copy(deep=False)
    cells = [(0, c) for c in np.flatnonzero(risky(list(d.columns)))]  # (sheet row - 1, column) of formula-like text
    for i, col in text_columns(d):
        if isinstance(col.dtype, pd.CategoricalDtype):  # Excel has no categorical or nullable types
            d.isetitem(i, col.astype(object))
        cells += [(r + 1, i) for r in np.flatnonzero(formula_mask(d.iloc[:, i]))]
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        d.to_excel(xw, index=False, sheet_name="data")
        ws = xw.sheets["data"]
        for r, c in cells:  # openpyxl stores "=..." as a formula: make each such cell literal text, quote-prefixed like Excel's '
            cell = ws.cell(row=int(r) + 1, column=int(c) + 1)
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.quotePrefix = True


def write_table(df: pd.DataFrame, path: str | os.PathLike[str], *, writer: Callable[[pd.DataFrame, Path], None] | None = None) -> Path:
    """Write ``df`` atomically as CSV (UTF-8 with BOM), Parquet, Excel or JSON, by suffix.

    Text that a spreadsheet would run as a formula is neutralised: a ``'`` before it in CSV
    and JSON (:func:`neutralise_text`), literal quote-prefixed text (never a formula) in xlsx;
    numbers are never changed. A custom ``writer`` gets ``df`` as it is.

    Parameters
    ----------
    df : DataFrame
        The table (written without its index).
    path : path-like
        Target; ``.csv``, ``.parquet``/``.pq``, ``.xlsx`` or ``.json``.
    writer : callable, optional
        ``writer(df, tmp_path)`` replacing the built-in writer (still atomic).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValidationError
        Unknown suffix, a folder as target, a file-system failure (nothing is left behind).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_table(pd.DataFrame({"行业": ["煤矿"]}), pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_bytes()[:3] == b"\\xef\\xbb\\xbf"
    True
    """
    p = Path(path)
    if p.is_dir():
        raise ValidationError(f"write: {str(p)!r} is a folder; give a file name (e.g. {str(p / 'out.parquet')!r})")
    fmt = _format_of(p, "write")
    if df.attrs:
        keep = {k: df.attrs[k] for k in KEPT_ATTRS if fmt == "parquet" and isinstance(df.attrs.get(k), str)}
        df = df.copy(deep=False)
        df.attrs = keep
    if fmt == "xlsx" and (len(df) + 1 > EXCEL_MAX_ROWS or df.shape[1] > EXCEL_MAX_COLS):
        _write_xlsx(df, p)  # raises before any file is made
    with atomic_path(p) as tmp:
        if writer is not None:
            writer(df, tmp)
        elif fmt == "csv":
            neutralise_text(df).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        elif fmt == "parquet":
            df.to_parquet(tmp, index=False)
        elif fmt == "xlsx":
            _write_xlsx(df, tmp)
        else:
            neutralise_text(df, header=False).to_json(tmp, orient="records", force_ascii=False, indent=1)
    return p
