"""A bundle as whole text: the sections of ``ajx jurisdictions show NAME [--full] [-o FILE]``.

:meth:`Jurisdiction.describe` gives the bundle's titled frames; this module names each seed
document by its title (not its internal file name, ``SEED_TITLES``), adds with ``full=True``
the seed's file and the mandated services of the bundle's prevention rule set, and writes the
sections as Markdown (:func:`to_markdown`) with every text whole: nothing here shortens a cell.
The console rendering (wrapped to the terminal) is the CLI's, through :mod:`ajx_actuarial.present`.

>>> import ajx_actuarial as ajx
>>> from ajx_actuarial.jurisdictions.describe import sections, seed_title
>>> seed_title("004_7f495db093a78fc6.txt")[:3]
'S04'
>>> title, parts = sections(ajx.jurisdictions.load("xinzhou-2024"))[0]
>>> parts.set_index("part").loc["seed", "value"].startswith("S04 忻州市应急管理局")
True
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

__all__ = ["SEED_TITLES", "seed_title", "sections", "to_markdown"]

# The seed documents (../shared/seeds/, DOMAIN.md §9): file -> (code, title as the document heads itself, short English name).
SEED_TITLES: dict[str, tuple[str, str, str]] = {
    "000_cfab71da9970dddf.txt": ("S00", "北京市安全生产委员会关于印发《北京市全面推行安全生产责任保险制度工作的实施意见》的通知（京安发〔2017〕7号）",
                                 "Beijing 2017 implementation opinions"),
    "001_48c9a47281f9b49f.txt": ("S01", "《关于进一步加强安全生产责任保险工作的通知（征求意见稿）》的起草情况说明（北京市应急管理局）",
                                 "Beijing 2026 draft notice, drafting explanation"),
    "002_ccd35aedbd212f86.txt": ("S02", "Zhejiang provincial notice on deepening the 安责险 work mechanism (about 2022; the text begins at "
                                        "its addressees and carries no heading)",
                                 "Zhejiang notice on deepening the 安责险 mechanism"),
    "003_1b2cc6c0d34e541f.txt": ("S03", "舟山市人民政府办公室关于印发舟山市高危行业全面推行安全生产责任保险工作实施方案的通知（舟政办发〔2018〕45号）",
                                 "Zhoushan 2018 plan for high-risk industries"),
    "004_7f495db093a78fc6.txt": ("S04", "忻州市应急管理局 国家金融监督管理总局忻州监管分局关于做好2024年度安全生产责任保险有关工作的通知"
                                        "（忻应急发〔2024〕71号）and its prevention-service norm (Annex 3)",
                                 "Xinzhou 2024 notice and prevention-service norm"),
}


def seed_title(seed: object, *, with_file: bool = False, short: bool = False) -> str:
    """``S04 忻州市…通知（忻应急发〔2024〕71号）…`` for a seed's file name (``short``: ``S04 Xinzhou 2024 notice …``);
    any other text as given.

    Examples
    --------
    >>> seed_title("none (DOMAIN.md §1.2-1.3)")
    'none (DOMAIN.md §1.2-1.3)'
    >>> seed_title("003_1b2cc6c0d34e541f.txt", short=True)
    'S03 Zhoushan 2018 plan for high-risk industries'
    >>> seed_title("003_1b2cc6c0d34e541f.txt", with_file=True).endswith("(seed file 003_1b2cc6c0d34e541f.txt)")
    True
    """
    s = str(seed)
    hit = SEED_TITLES.get(s.strip())
    if hit is None:
        return s
    code, title, name = hit
    return f"{code} {name if short else title}" + (f" (seed file {s.strip()})" if with_file else "")


def sections(j, *, full: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """The titled frames of ``ajx jurisdictions show``: :meth:`Jurisdiction.describe` with the seed's
    title; ``full``: also the seed's file name and the prevention rule set's sections (its mandated
    services by industry and size)."""
    out = []
    for title, frame in j.describe():
        if "part" in frame.columns and "value" in frame.columns:
            frame = frame.copy()
            seed = frame["part"] == "seed"
            frame.loc[seed, "value"] = frame.loc[seed, "value"].map(lambda v: seed_title(v, with_file=full))
        out.append((title, frame))
    if full:
        rules = j.prevention_rules()
        out += [(f"prevention rule set {t}", f) for t, f in rules.describe()]
    return out


def _md_cell(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return " ".join(str(v).split()).replace("|", "\\|")


def to_markdown(parts: list[tuple[str, pd.DataFrame]], heading: str | None = None,
                cell: Callable[[object, object], str] | None = None) -> str:
    """The sections as Markdown: a ``##`` heading and a pipe table each, every cell whole.

    ``heading`` (e.g. the bundle's name) becomes the ``#`` title. ``cell(value, column)`` formats a
    cell (the CLI passes :func:`ajx_actuarial.present.fmt_cell`, the console's number policy);
    by default the value as text, a whole float without its ``.0``.

    Examples
    --------
    >>> print(to_markdown([("t", pd.DataFrame({"a": [1.0], "b": ["x|y"]}))]))
    ## t
    <BLANKLINE>
    | a | b |
    |---|---|
    | 1 | x\\|y |
    <BLANKLINE>
    """
    lines = [f"# {_md_cell(heading)}", ""] if heading else []
    for title, frame in parts:
        d = frame.reset_index() if (frame.index.name or isinstance(frame.index, pd.MultiIndex)) else frame
        lines += [f"## {_md_cell(title)}", ""]
        lines.append("| " + " | ".join(_md_cell(c) for c in d.columns) + " |")
        lines.append("|" + "|".join("---" for _ in d.columns) + "|")
        for row in d.itertuples(index=False):
            lines.append("| " + " | ".join(_md_cell(cell(v, c) if cell else _plain(v)) for v, c in zip(row, d.columns)) + " |")
        lines.append("")
    return "\n".join(lines)


def _plain(v: object) -> object:
    if isinstance(v, float) and v == v and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v
