"""An Excel workbook of a run folder (``ajx report RUN -o run.xlsx``; ``-o x.xlsx`` on ``ajx demo|stress|project``).

:func:`write_workbook` reads a finished run (:func:`ajx_actuarial.runs.read_run`: only the files
its manifest lists, checksums verified) and writes ONE ``.xlsx`` atomically, with only the
sheets the run has data for:

* **Summary**: the run (id, kind, seed, version), every headline figure of ``summary.json``
  (nested keys flattened: ``simulation.var_995``) and the baseline scenario's measures.
* **Scenarios**: ``stress.parquet`` side by side, one column per scenario, one row per measure.
* **Segments, adequacy** / **Segments, prevention**: ``adequacy.parquet``, ``prevention_segments.parquet``.
* **Prevention ledger**, **Model check**, **Capital**, **History classes**, **Underwriting**,
  **Sector classes**: the run's tables of those names, as written.
* **Years**: ``projection.parquet`` averaged over paths per year (and per any text column, e.g.
  a scenario); **Years, percentiles**: ``projection_summary.parquet``.
* **Levers**: the run's inputs (``manifest.json``), the projection levers and the jurisdiction's
  numbers with their source and flag, and the scenario set's overrides (when the set named in
  the inputs still loads and has the run's scenarios).
* **Assumptions**: every loss-model parameter with its range, ``source`` and ``flag`` (the model
  saved in the run as ``loss_model_sources.parquet`` if any, else ``LossModel.default()``), and
  the loadings of each rate table the run priced with (source: the table file's comment).

Every column of a table is written, so a new column flows in without an edit; its number format
follows its name (:func:`ajx_actuarial.report._xlsx.number_format`: money ``#,##0`` CNY,
shares and ratios ``0.0%``, counts ``#,##0``). Numbers are numbers, not text; text is always
literal (a scenario named ``=HYPERLINK(...)`` stays text). ``lang="zh"``: Chinese sheet names,
headers and industry/size names.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ValidationError
from ..io import atomic_path
from ..present import check_lang, code_label
from ..present.labels import text_label
from ..runs import Run, read_run
from . import _xlsx as x
from ._wb_labels import COLUMNS, GROUPS, SHEETS
from ._words import book_source, fee_source

__all__ = ["write_workbook", "build_workbook", "WORKBOOK_TABLES"]

# Files that give a run something to show (a run holding none of them is refused).
WORKBOOK_TABLES = ("summary.json", "stress.parquet", "priced.parquet", "simulation.parquet", "adequacy.parquet",
                   "prevention_segments.parquet", "projection.parquet", "projection_summary.parquet", "capital.parquet")
_CODES = ("industry", "size")
_TEXTS = ("description", "figure", "source", "flag", "class")  # packaged texts with a Chinese form (present.text_label)
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class _Ctx:
    run: Run
    lang: str
    summary: dict
    cache: dict = field(default_factory=dict)

    def t(self, key: str, kind: str | None = None, extra: dict | None = None) -> str:
        return x.col_label(key, self.lang, {**COLUMNS, **(extra or {})}, kind)

    def group(self, key: str) -> str:
        return GROUPS[key][self.lang == "zh"] if key in GROUPS else key

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.cache:
            self.cache[name] = self.run.table(name)
        return self.cache[name]

    def cell(self, col: str, v: Any) -> Any:
        if self.lang != "zh" or not isinstance(v, str):
            return v
        if col in _CODES:
            return code_label(v, self.lang)
        return text_label(v, self.lang) if col in _TEXTS else v


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _parse(v: Any) -> Any:
    """A number stored as text (lever tables keep values as strings) back to a number; anything else as is."""
    if isinstance(v, str) and _NUMBER.match(v.strip()):
        f = float(v)
        return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f
    return v


def _frame(ctx: _Ctx, sheet: str, df: pd.DataFrame, *, hints: dict | None = None, labels: dict | None = None,
           wrap: tuple[str, ...] = ("source", "description", "note", "figure")) -> x.Sheet:
    """A table as a sheet: one header row (labels), one row per record, formats by column name."""
    cols = [str(c) for c in df.columns]
    kinds = [(hints or {}).get(c) or (x.number_kind(c, df[c].tolist()) if _numeric(df[c]) else None) for c in cols]
    rows = [[ctx.cell(c, v) for c, v in zip(cols, rec)] for rec in zip(*(df[c].tolist() for c in df.columns))]
    return x.Sheet(SHEETS[sheet], [ctx.t(c, k, labels) for c, k in zip(cols, kinds)], rows, lambda r, c: kinds[c],
                   wrap={i for i, c in enumerate(cols) if c in wrap})


def _flatten(d: dict, parts: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    out = []
    for k, v in d.items():
        if isinstance(v, dict) and v:
            out += _flatten(v, (*parts, str(k)))
        else:
            out.append(((*parts, str(k)), v))
    return out


def _summary(ctx: _Ctx) -> x.Sheet:
    m = ctx.run.manifest
    rows: list[list[Any]] = [[ctx.group("run"), ctx.t(k), k, m.get(k)] for k in ("run_id", "kind", "created", "ajx_actuarial", "seed")]
    kinds: list[str | None] = [None, None, None, None, "year"]
    for parts, v in _flatten(ctx.summary):
        if parts == ("seed",):
            continue
        group, rest = (parts[0], parts[1:]) if len(parts) > 1 else ("book", parts)
        kind = x.number_kind("_".join(rest), [x.cell_value(v)]) if x.is_number(x.cell_value(v)) else None
        v = fee_source(v, ctx.lang) if parts[-1] == "fee_source" else v
        rows.append([ctx.group(group), " / ".join(ctx.t(p, kind if p == rest[-1] else None) for p in rest), ".".join(parts), v])
        kinds.append(kind)
    if ctx.run.has("stress.parquet") and len(ctx.table("stress.parquet")):
        st = ctx.table("stress.parquet")
        base = st.iloc[0]
        for c in st.columns:
            if c != "scenario" and _numeric(st[c]):
                kind = x.number_kind(c, [x.cell_value(base[c])])
                rows.append([f"{ctx.group('baseline')}: {base.get('scenario', '')}", ctx.t(c, kind), f"stress.{c}", base[c]])
                kinds.append(kind)
    return x.Sheet(SHEETS["summary"], [ctx.t(k) for k in ("group", "measure", "key", "value")], rows,
                   lambda r, c: kinds[r] if c == 3 else None, wrap={3})


def _scenarios(ctx: _Ctx) -> x.Sheet:
    st = ctx.table("stress.parquet")
    names = st["scenario"].tolist() if "scenario" in st.columns else [str(i) for i in range(len(st))]
    measures = [c for c in st.columns if c != "scenario"]
    measures = [c for c in measures if _numeric(st[c])] + [c for c in measures if not _numeric(st[c])]
    kinds = [x.number_kind(c, st[c].tolist()) if _numeric(st[c]) else None for c in measures]
    rows = [[ctx.t(c, f), c, *_scenario_cells(ctx, st, c)] for c, f in zip(measures, kinds)]
    return x.Sheet(SHEETS["scenarios"], [ctx.t("measure"), ctx.t("key"), *names], rows,
                   lambda r, c: kinds[r] if c >= 2 else None, freeze="C2", wrap=set(range(2, 2 + len(names))), wrap_width=28)


def _scenario_cells(ctx: _Ctx, st: pd.DataFrame, col: str) -> list:
    """One measure across the scenarios; under zh a packaged description in Chinese and the note rebuilt from the figures."""
    if ctx.lang == "zh" and col == "note" and {"premium", "expected_loss", "loss_ratio"} <= set(st.columns) and len(st):
        from .scenarios import scenario_note

        return [scenario_note(row, st.iloc[0], i == 0, "zh") for i, (_, row) in enumerate(st.iterrows())]
    return [ctx.cell(col, v) for v in st[col].tolist()]


def _years(ctx: _Ctx) -> x.Sheet:
    if ctx.run.has("projection.parquet"):
        by = ctx.table("projection.parquet")
        keys = [c for c in by.columns if c != "path" and (c == "year" or not _numeric(by[c]))]
        num = [c for c in by.columns if c not in keys and c != "path" and _numeric(by[c])]
        g = by.groupby(keys, sort=False, observed=True)
        df = g[num].mean()
        if "path" in by.columns:
            df.insert(0, "paths", g["path"].nunique())
        return _frame(ctx, "years", df.reset_index())
    s = ctx.table("projection_summary.parquet")
    idx = [c for c in s.columns if c not in ("measure", "mean", "p5", "p50", "p95")]
    wide = s.pivot_table(index=idx, columns="measure", values="mean", sort=False)
    return _frame(ctx, "years", wide[[m for m in pd.unique(s["measure"]) if m in wide.columns]].reset_index())


def _bands(ctx: _Ctx) -> x.Sheet:
    from openpyxl.utils import get_column_letter

    s = ctx.table("projection_summary.parquet")
    ids = [c for c in s.columns if c != "measure" and (c == "year" or not _numeric(s[c]))]
    stats = [c for c in s.columns if c not in ids and c != "measure"]
    rows, kinds = [], []
    for rec in s.to_dict("records"):
        f = x.number_kind(str(rec["measure"]), [x.cell_value(rec[c]) for c in stats])
        rows.append([*(ctx.cell(c, rec[c]) for c in ids), ctx.t(str(rec["measure"]), f), rec["measure"], *(rec[c] for c in stats)])
        kinds.append(f)
    n = len(ids)
    return x.Sheet(SHEETS["bands"], [*(ctx.t(c) for c in ids), ctx.t("measure"), ctx.t("key"), *(ctx.t(c) for c in stats)], rows,
                   lambda r, c: ("year" if ids[c] == "year" else None) if c < n else (kinds[r] if c >= n + 2 else None), freeze=f"{get_column_letter(n + 2)}2")


def _classes(ctx: _Ctx) -> x.Sheet:
    cl = ctx.table("projection_classes.parquet")
    if {"class", "share"} <= set(cl.columns):
        idx = [c for c in cl.columns if c not in ("class", "share")]
        wide = cl.pivot_table(index=idx, columns="class", values="share", sort=False)
        wide = wide[[c for c in pd.unique(cl["class"]) if c in wide.columns]]
        wide.columns = [text_label(c, ctx.lang) for c in wide.columns]
        return _frame(ctx, "classes", wide.reset_index(), hints={c: "pct" for c in wide.columns})
    return _frame(ctx, "classes", cl)


def _capital(ctx: _Ctx) -> x.Sheet:
    q = {"p5": ("solvency ratio, 5th percentile", "充足率5%分位数"), "p50": ("solvency ratio, median", "充足率中位数"),
         "p95": ("solvency ratio, 95th percentile", "充足率95%分位数")}
    return _frame(ctx, "capital", ctx.table("capital.parquet"), hints={k: "pct" for k in q}, labels=q)


def _scenario_set(ctx: _Ctx):
    """The scenario set named in the run's inputs, when it still loads and holds the run's scenarios; else None."""
    from .. import stress

    name = ctx.run.manifest.get("inputs", {}).get("scenarios") or ctx.summary.get("stress", {}).get("scenarios")
    if not name or not ctx.run.has("stress.parquet"):
        return None
    try:
        sset = stress.load(name)
    except Exception:  # a user's file moved or changed since the run: the levers are left out, never guessed
        return None
    have = [str(n) for n in ctx.table("stress.parquet").get("scenario", pd.Series(dtype=str))]
    return sset if [s.name for s in sset.scenarios] == have else None


def _replaced(ctx: _Ctx) -> set[str]:
    """Scenario defaults a jurisdiction run replaced (``ajx demo --jurisdiction``: its table and rules)."""
    return {"table", "rules"} if ctx.run.manifest.get("inputs", {}).get("jurisdiction") else set()


def _levers(ctx: _Ctx) -> x.Sheet:
    rows: list[list[Any]] = []
    for k, v in ctx.run.manifest.get("inputs", {}).items():
        v = book_source(v, ctx.lang) if k in ("book", "portfolio") else v
        rows.append([ctx.group("inputs"), k, _parse(v) if isinstance(v, str) else v, "manifest.json", ""])
    for name, group, col in (("projection_levers.parquet", "projection_levers", "lever"), ("jurisdiction_sources.parquet", "jurisdiction", "path")):
        if ctx.run.has(name):
            for rec in ctx.table(name).to_dict("records"):
                rows.append([ctx.group(group), rec.get(col, ""), _parse(rec.get("value")), ctx.cell("source", rec.get("source", "")),
                             ctx.cell("flag", rec.get("flag", ""))])
    sset = _scenario_set(ctx)
    if sset is not None:
        src = str(ctx.run.manifest.get("inputs", {}).get("scenarios", sset.name))
        rows += [[ctx.group("scenario_defaults"), k, v, src, ""] for k, v in sset.defaults.items() if k not in _replaced(ctx)]
        for s in sset.scenarios:
            rows += [[f"{ctx.t('scenario')}: {s.name}", k, v, src, ""] for k, v in s.overrides.items()]
    kinds = [x.number_kind(str(r[1]), [x.cell_value(r[2])]) for r in rows]
    return x.Sheet(SHEETS["levers"], [ctx.t(k) for k in ("group", "lever", "value", "source", "flag")], rows,
                   lambda r, c: kinds[r] if c == 2 else None, wrap={3})


def _tables_used(ctx: _Ctx) -> list[str]:
    inputs = ctx.run.manifest.get("inputs", {})
    names = [ctx.summary.get("table") or inputs.get("table")]
    sset = _scenario_set(ctx)
    if sset is not None:
        if "table" not in _replaced(ctx):
            names.append(sset.defaults.get("table", "national-2025"))
        names += [s.overrides.get("table") for s in sset.scenarios]
    return list(dict.fromkeys(str(n) for n in names if isinstance(n, (str, os.PathLike)) and n))


def _loading_notes(name: str) -> dict[str, str]:
    """The comment after each ``key = value`` of the table file's ``[loadings]`` (its source)."""
    from ..reference import data_path, packaged_toml

    try:
        text = (data_path("tables").joinpath(f"{name}.toml") if name in packaged_toml("tables") else Path(name)).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    notes, inside = {}, False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("["):
            inside = s == "[loadings]"
        elif inside and "=" in s and "#" in s:
            notes[s.split("=", 1)[0].strip()] = s.split("#", 1)[1].strip()
    return notes


def _assumptions(ctx: _Ctx) -> x.Sheet:
    from ..losses import LossModel
    from ..rating import RateTable

    saved = ctx.run.has("loss_model_sources.parquet")
    src = ctx.table("loss_model_sources.parquet") if saved else LossModel.default().sources()
    group = f"{ctx.group('loss_model')} ({'loss_model_sources.parquet' if saved else 'LossModel.default()'})"
    rows = [[group, r.get("parameter"), r.get("value"), r.get("low"), r.get("high"), r.get("source"), r.get("flag")]
            for r in src.to_dict("records")]
    kinds = [x.number_kind(str(r[1]), [x.cell_value(v) for v in r[2:5]]) for r in rows]
    for name in _tables_used(ctx):
        try:
            loadings = RateTable.load(name).loadings
        except ValidationError as exc:
            rows.append([f"{ctx.group('loadings')}: {name}", "", None, None, None, str(exc), ""])
            kinds.append(None)
            continue
        notes = _loading_notes(name)
        for k, v in loadings.items():
            note = notes.get(k, "")
            flag = "assumption" if "assumption" in note.lower() else ("official" if "official" in note.lower() else "filed")
            rows.append([f"{ctx.group('loadings')}: {name}", k, v, None, None, f"rate table {name} [loadings]" + (f": {note}" if note else ""), flag])
            kinds.append("pct")
    return x.Sheet(SHEETS["assumptions"], [ctx.t(k) for k in ("group", "parameter", "value", "low", "high", "source", "flag")], rows,
                   lambda r, c: kinds[r] if c in (2, 3, 4) else None, wrap={5})


def _sheets(ctx: _Ctx) -> list[x.Sheet]:
    has = ctx.run.has
    out = [_summary(ctx)]
    if has("stress.parquet"):
        out.append(_scenarios(ctx))
    for f, key in (("adequacy.parquet", "adequacy"), ("prevention_segments.parquet", "prevention"), ("prevention_ledger.parquet", "ledger"),
                   ("model_check.parquet", "model_check")):
        if has(f):
            out.append(_frame(ctx, key, ctx.table(f)))
    if has("projection.parquet") or has("projection_summary.parquet"):
        out.append(_years(ctx))
    if has("projection_summary.parquet"):
        out.append(_bands(ctx))
    if has("capital.parquet"):
        out.append(_capital(ctx))
    if has("projection_classes.parquet"):
        out.append(_classes(ctx))
    for f, key in (("underwriting_effect.parquet", "underwriting"), ("sector_classes.parquet", "sector_classes")):
        if has(f):
            out.append(_frame(ctx, key, ctx.table(f)))
    return out + [_levers(ctx), _assumptions(ctx)]


def build_workbook(run: Run | str | os.PathLike[str], lang: str = "en", title: str | None = None):
    """The workbook of a run as an ``openpyxl.Workbook`` (see :func:`write_workbook`)."""
    from openpyxl import Workbook

    from .._version import __version__

    check_lang(lang)
    run = run if isinstance(run, Run) else read_run(run)
    if not any(run.has(f) for f in WORKBOOK_TABLES):
        raise ValidationError(f"workbook: run in {str(run.folder)!r} holds none of {list(WORKBOOK_TABLES)} "
                              "(run `ajx demo -o DIR`, `ajx stress BOOK -o DIR` or `ajx project BOOK -o DIR`)")
    ctx = _Ctx(run, lang, run.json("summary.json") if run.has("summary.json") else {})
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in _sheets(ctx):
        x.add_sheet(wb, sheet, lang)
    wb.properties.title = title or ("安全生产责任保险精算结果" if lang == "zh" else "ajx_actuarial run: Work Safety Liability Insurance")
    wb.properties.creator = f"ajx_actuarial {__version__}"
    wb.properties.subject = str(run.manifest.get("run_id", ""))
    return wb


def write_workbook(run: Run | str | os.PathLike[str], path: str | os.PathLike[str], lang: str = "en", title: str | None = None) -> Path:
    """Write the Excel workbook of a finished run to ``path`` (atomically); returns ``path``.

    Parameters
    ----------
    run : Run or path-like
        A run folder written by ``ajx demo`` / ``ajx stress`` / ``ajx project`` (with
        ``manifest.json``), or a :class:`~ajx_actuarial.runs.Run` read from one.
    path : path-like
        The ``.xlsx`` file; written to a temporary file beside it and renamed, so a failure
        leaves nothing behind and a previous file is replaced only by a complete one.
    lang : {"en", "zh"}
        Language of sheet names, headers and industry/size names.
    title : str, optional
        The workbook's title property (default: by language).

    Raises
    ------
    ValidationError
        ``path`` not ending in ``.xlsx`` or a folder; not a run folder, an interrupted run, a
        changed or corrupt listed file, a run with nothing to show; an unwritable target.

    Examples
    --------
    >>> write_workbook("ajx-demo", "ajx-demo.xlsx", lang="zh")  # doctest: +SKIP
    PosixPath('ajx-demo.xlsx')
    >>> import pandas as pd
    >>> pd.read_excel("ajx-demo.xlsx", sheet_name=None).keys()  # doctest: +SKIP
    dict_keys(['摘要', '情景对比', '细分_定价充足性', ..., '政策参数', '假设与来源'])
    """
    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise ValidationError(f"workbook: {str(p)!r} must end in .xlsx")
    if p.is_dir():
        raise ValidationError(f"workbook: {str(p)!r} is a folder; give a file name ending in .xlsx")
    wb = build_workbook(run, lang=lang, title=title)
    with atomic_path(p) as tmp:
        wb.save(tmp)
    return p
