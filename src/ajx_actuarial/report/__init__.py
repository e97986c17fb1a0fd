"""A self-contained HTML report (inline CSS, figures embedded as PNG) of a run folder.

``write_report(folder)`` reads a finished run (:func:`ajx_actuarial.runs.read_run`: only the
files its ``manifest.json`` lists, checksums verified) and writes ``report.html``. It opens
with *Key findings* (book, rate table, limits, seed, simulated years, and three numbers with
units: expected loss ratio, 1-in-200-year annual loss, share of mandated policies whose
prevention fee funds the services), then one section per output present, then provenance.
Labels are English or Chinese (``lang="zh"``); figures use a CJK font when one is installed
and say so when they fall back to English. Print CSS lays it out on A4.

``write_workbook(folder, "run.xlsx", lang="zh")`` writes the same run as ONE Excel workbook
(:mod:`.workbook`: Summary, Scenarios side by side, Segments, Years, Levers, Assumptions with
their sources; numbers as numbers, text never a formula), for ``ajx report RUN -o run.xlsx``
and ``-o x.xlsx`` on ``ajx demo|stress|project``.

Adding a section (e.g. risk-based pricing adequacy)
---------------------------------------------------
1. The command that computes it stores its table in the run folder with
   ``ajx_actuarial.runs.add_to_run(folder, frame, "adequacy.parquet")`` (or
   ``RunFolder.write_table`` inside a run), so the manifest lists it.
2. Write ``report/adequacy.py`` with ``def render(ctx: Context) -> str`` (HTML built with
   ``report._html``; read files with ``ctx.table("adequacy.parquet")``; labels ``ctx.t(key)``).
3. Add ONE line to ``REGISTRY`` below, before ``provenance``:
   ``Section("adequacy", ("Risk-based pricing adequacy", "风险定价充足性"), ("adequacy.parquet",), adequacy.render)``.
   The section is rendered when every file it needs is in the manifest, and left out otherwise.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import ValidationError
from ..io import atomic_path
from ..present import check_lang, escape_html
from ..runs import is_plain_name, list_in_run, read_run, run_lock
from . import _html as h
from . import adequacy as adq
from . import model, policy
from . import projection as proj
from . import scenarios as scn
from . import sections as s
from .workbook import build_workbook, write_workbook

__all__ = ["write_report", "render_report", "write_workbook", "build_workbook", "SECTIONS", "REGISTRY", "Section"]


@dataclass(frozen=True)
class Section:
    """A report section: key (HTML id), heading (en, zh), files it needs, renderer."""

    key: str
    heading: tuple[str, str]
    needs: tuple[str, ...]
    render: Callable[[s.Context], str]


REGISTRY: list[Section] = [
    Section("key-findings", ("Key findings", "主要结论"), (), s.key_findings),
    Section("portfolio", ("Portfolio", "业务组合"), ("priced.parquet",), s.portfolio),
    Section("model", ("Loss model and public anchors", "损失模型与公开锚点"), ("model_check.parquet",), model.render),
    Section("pricing", ("Pricing", "定价"), ("priced.parquet",), s.pricing),
    Section("simulation", ("Loss simulation", "损失模拟"), ("simulation.parquet",), s.simulation),
    Section("prevention", ("Prevention budget", "事故预防服务经费"), ("prevention_segments.parquet",), s.prevention),
    Section("adequacy", ("Risk-based pricing adequacy", "风险定价充足性"), ("adequacy.parquet",), adq.render),
    Section("policy", ("Limit policies side by side", "责任限额政策对比"), ("stress.parquet",), policy.render),
    Section("stress", ("Stress scenarios", "压力情景"), ("stress.parquet",), scn.render),
    Section("projection", ("Multi-year projection", "多年度预测"), ("projection_summary.parquet",), proj.render),
    Section("provenance", ("Provenance", "来源与可复现性"), (), s.provenance),
]
SECTIONS: tuple[str, ...] = tuple(sec.heading[0] for sec in REGISTRY)
_CORE = ("priced.parquet", "simulation.parquet", "stress.parquet")


def render_report(folder: str | os.PathLike[str], title: str | None = None, lang: str = "en") -> str:
    """The report of the run in ``folder`` as an HTML string (see :func:`write_report`)."""
    from ..plots import cjk_font, figure_lang

    check_lang(lang)
    title = title or ("安全生产责任保险精算报告" if lang == "zh" else "ajx_actuarial report: Work Safety Liability Insurance")
    run = read_run(folder)
    if not any(run.has(f) for f in _CORE):
        raise ValidationError(f"report: run in {str(run.folder)!r} holds none of {list(_CORE)} (run `ajx demo -o DIR` or `ajx stress BOOK -o DIR`)")
    ctx = s.Context(run=run, lang=lang, summary=run.json("summary.json") if run.has("summary.json") else {}, figure_lang=figure_lang(lang))
    parts = [f"<h1>{escape_html(title)}</h1>",
             h.note(ctx.zh("Work Safety Liability Insurance (安全生产责任保险). Every default in the model is an assumption labelled in DOMAIN.md; "
                           "figures are for the synthetic or supplied book below.",
                           "安全生产责任保险精算报告。模型默认值均为DOMAIN.md中标注的假设；数字对应下述合成或用户提供的业务组合。"))]
    if lang == "zh" and cjk_font() is None:
        parts.append(h.note("未找到中文字体（请安装 fonts-noto-cjk），图中标签使用英文。", "warn"))
    for sec in REGISTRY:
        if all(run.has(f) for f in sec.needs):
            body = sec.render(ctx)
            html_sec = h.section(sec.key, sec.heading[1] if lang == "zh" else sec.heading[0], body)
            parts.append(html_sec.replace("<section ", '<section class="findings" ', 1) if sec.key == "key-findings" else html_sec)
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape_html(title)}</title>'
            f"<style>{h.CSS}{h.PRINT_CSS}</style></head><body>{''.join(parts)}</body></html>")


def write_report(out_dir: str | os.PathLike[str], path: str | os.PathLike[str] | None = None,
                 title: str | None = None, lang: str = "en") -> Path:
    """Write the self-contained HTML report of the run in ``out_dir``; returns its path.

    Parameters
    ----------
    out_dir : path-like
        A run folder written by ``ajx demo`` / ``ajx stress`` (with ``manifest.json``).
    path : path-like, optional
        The HTML file (default ``out_dir/report.html``). A file written into the run folder
        is listed in its manifest (:func:`ajx_actuarial.runs.list_in_run`), under the folder's lock.
    title : str, optional
        Heading and HTML title (default: by language).
    lang : {"en", "zh"}
        Language of headings, labels and figures.

    Raises
    ------
    ValidationError
        Not a run folder, an interrupted run (no manifest), a changed or corrupt listed file,
        an unwritable target, a run folder another live run holds.

    Examples
    --------
    >>> write_report("ajx-demo", lang="zh")  # doctest: +SKIP
    PosixPath('ajx-demo/report.html')
    """
    target = Path(path) if path is not None else Path(out_dir) / "report.html"
    folder = Path(out_dir)
    # written into the run folder: under the folder's lock, and listed in its manifest
    in_run = folder.is_dir() and target.parent.resolve() == folder.resolve() and is_plain_name(target.name)
    with run_lock(folder) if in_run else nullcontext():
        doc = render_report(out_dir, title=title, lang=lang)
        with atomic_path(target) as tmp:
            tmp.write_text(doc, encoding="utf-8")
        if in_run:
            list_in_run(folder, target.name)
    return target
