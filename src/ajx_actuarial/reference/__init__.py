"""Packaged reference data: every number traceable to DOMAIN.md, with ``source`` and ``flag``.

Each loader returns a fresh :class:`pandas.DataFrame` (callers may modify it freely).

>>> from ajx_actuarial import reference
>>> float(reference.industries().loc["coal_mine", "base_rate_permille"])
0.8
>>> reference.income(2024, "beijing")
92464.0
"""

from __future__ import annotations

import functools
import os
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .._bounds import shown
from ..errors import ValidationError

__all__ = [
    "INDUSTRIES",
    "SIZES",
    "SIZE_ORDER",
    "data_path",
    "industries",
    "size_classes",
    "sub_sectors",
    "SUB_SECTORS",
    "disability_tables",
    "disability_grade_mix",
    "disability_lump_sum_months",
    "urban_income",
    "income",
    "work_injury",
    "constant",
    "accident_grades",
    "list_files",
]

INDUSTRIES: tuple[str, ...] = (
    "coal_mine",
    "noncoal_mine",
    "hazardous_chemicals",
    "fireworks",
    "civil_explosives",
    "metallurgy",
    "construction",
    "transport",
    "fishing",
    "other",
)
SIZES: tuple[str, ...] = ("large", "medium", "small", "micro")
SIZE_ORDER = SIZES
#: Sub-sector codes (``reference/data/sub_sectors.csv``; first is ``"none"``).
SUB_SECTORS: tuple[str, ...] = tuple(
    line.split(",", 1)[0]
    for line in resources.files(__package__).joinpath("data", "sub_sectors.csv").read_text(encoding="utf-8").splitlines()[1:]
    if line.strip()
)


def data_path(name: str):
    """Path-like handle of a packaged data file (``importlib.resources``)."""
    return resources.files(__package__).joinpath("data", name)


def packaged_toml(subdir: str, prefix_excluded: str | None = None) -> list[str]:
    """Names (without ``.toml``) of the packaged TOML files in ``data/<subdir>``."""
    base = resources.files(__package__).joinpath("data", subdir)
    return sorted(p.name[:-5] for p in base.iterdir()
                  if p.name.endswith(".toml") and not (prefix_excluded and p.name.startswith(prefix_excluded)))


def read_toml(subdir: str, name_or_path: str | os.PathLike[str], what: str, noun: str,
              packaged: list[str] | None = None) -> tuple[dict, str]:
    """Parse a packaged TOML (by name, from ``data/<subdir>``) or a user's TOML file (by path).

    Returns the parsed document and a printable source. Raises :class:`ValidationError` for an
    unknown name, a missing file or malformed TOML, naming ``what`` (e.g. ``"rate table"``).
    """
    s = str(name_or_path)
    names = packaged_toml(subdir) if packaged is None else packaged
    if s in names:
        text = resources.files(__package__).joinpath("data", subdir, f"{s}.toml").read_text(encoding="utf-8")
    else:
        p = Path(s)
        if p.suffix.lower() != ".toml" and not p.exists():
            raise ValidationError(f"{what}: {s!r} is neither a packaged {noun} {names} nor a .toml file")
        if not p.is_file():
            raise ValidationError(f"{what}: file {s!r} does not exist")
        raw = p.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")  # GBK files from Chinese Windows editors
            except UnicodeDecodeError as exc:
                raise ValidationError(f"{what} {s!r}: not UTF-8 or GB18030 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    try:
        return tomllib.loads(text), repr(s)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{what} {s!r}: malformed TOML: {exc}") from exc


def list_files(subdir: str | None = None) -> list[str]:
    base = resources.files(__package__).joinpath("data")
    if subdir:
        base = base.joinpath(subdir)
    return sorted(p.name for p in base.iterdir() if p.is_file())


@functools.cache
def _read(name: str, index: str | None) -> pd.DataFrame:
    with data_path(name).open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh)
    if index is not None:
        df = df.set_index(index)
    return df


def industries() -> pd.DataFrame:
    """Industry codes with Chinese names, mandatory flag and the market's base rates in ‰ of the
    per-person limit (DOMAIN.md §3.4: low, default, high). The loss model's frequencies are in
    ``reference/data/loss_model/default.toml`` (:meth:`ajx_actuarial.LossModel.sources`).
    """
    return _read("industries.csv", "code").copy()


def size_classes() -> pd.DataFrame:
    """NBS 2017 enterprise size classes by headcount (industry definition), DOMAIN.md §2.2."""
    return _read("size_classes.csv", "size").copy()


def sub_sectors() -> pd.DataFrame:
    """Sub-sector codes (portfolio column ``sub_sector``) with their parent industry and source.

    They name the scopes the seed documents list inside the ten industries (Zhoushan's hazchem
    storage, charter buses, ships; Beijing's encouraged venues ...); ``none`` is the default.
    """
    return _read("sub_sectors.csv", "code").copy()


def disability_tables() -> pd.DataFrame:
    """Disability-grade payout shares of the per-person limit, tables A/B/C (DOMAIN.md §4.4)."""
    return _read("disability_tables.csv", "grade").copy()


def disability_grade_mix() -> pd.DataFrame:
    """Default distribution of disability grades 1-10 among permanent disabilities (§6.5)."""
    return _read("disability_grade_mix.csv", "grade").copy()


def disability_lump_sum_months() -> pd.DataFrame:
    """Work-injury lump-sum disability grant (months of wage) and allowance shares (§5.1)."""
    return _read("disability_lump_sum_months.csv", "grade").copy()


def urban_income() -> pd.DataFrame:
    """Urban per-capita disposable income, national and Beijing, CNY (DOMAIN.md §5.2)."""
    return _read("urban_income.csv", None).copy()


def income(year: int, region: str = "national") -> float:
    """Urban per-capita disposable income of ``region`` in ``year`` (CNY).

    Raises
    ------
    ValidationError
        If the series has no value for that year and region.
    """
    integral = isinstance(year, (int, np.integer)) or (isinstance(year, (float, np.floating)) and float(year).is_integer())
    if isinstance(year, (bool, np.bool_)) or not integral:
        raise ValidationError(f"income_year: must be an integer year such as 2024, got {shown(year)}")
    if not -10**6 < year < 10**6:  # before printing it: a 5 000-digit year cannot be written as text
        raise ValidationError(f"income_year: must be an integer year such as 2024, got {shown(year)}")
    df = _read("urban_income.csv", None)
    hit = df[(df["year"] == int(year)) & (df["region"] == region)]
    if hit.empty:
        have = sorted(df.loc[df["region"] == region, "year"].tolist())
        raise ValidationError(
            f"income: no urban disposable income for region {region!r} year {year}; "
            f"packaged years for {region!r}: {have or 'none (regions: national, beijing)'}"
        )
    return float(hit["income_cny"].iloc[0])


def work_injury() -> pd.DataFrame:
    """Work-injury and regulatory constants (DOMAIN.md §1, §5.1, §7.2)."""
    return _read("work_injury.csv", "key").copy()


def constant(key: str) -> float:
    """One constant from :func:`work_injury` by key."""
    df = _read("work_injury.csv", "key")
    if key not in df.index:
        raise ValidationError(f"constant: unknown key {key!r}; known: {sorted(df.index)}")
    return float(df.loc[key, "value"])


def accident_grades() -> pd.DataFrame:
    """Accident grades of State Council Order 493 with 2024 cluster-size calibration (§6.2)."""
    return _read("accident_grades.csv", "grade").copy()


_DATASETS = {
    "industries": (industries, "industry codes, names and the market's base rates (DOMAIN.md §3.4)"),
    "size_classes": (size_classes, "NBS 2017 enterprise size classes (DOMAIN.md §2.2)"),
    "sub_sectors": (sub_sectors, "sub-sector codes inside the ten industries, with parent (seeds S00-S04)"),
    "disability_tables": (disability_tables, "disability-grade payout shares, tables A/B/C (DOMAIN.md §4.4)"),
    "disability_grade_mix": (disability_grade_mix, "default disability-grade distribution (DOMAIN.md §6.5)"),
    "disability_lump_sum_months": (disability_lump_sum_months, "work-injury lump-sum disability grant (DOMAIN.md §5.1)"),
    "urban_income": (urban_income, "urban disposable income, national and Beijing (DOMAIN.md §5.2)"),
    "work_injury": (work_injury, "work-injury and regulatory constants (DOMAIN.md §1, §5.1, §7.2)"),
    "accident_grades": (accident_grades, "accident grades, State Council Order 493 (DOMAIN.md §6.2)"),
}
_EXTRA_KINDS: list = []  # (lister, shower) pairs registered by rating/prevention/stress


def register_kind(lister, shower) -> None:
    """Let another layer add packaged tables of its own to :func:`catalogue` and :func:`show`."""
    if (lister, shower) not in _EXTRA_KINDS:
        _EXTRA_KINDS.append((lister, shower))


def _load_extra_kinds() -> None:
    # Importing these modules registers their kinds; kept lazy so `import reference` stays cheap.
    import importlib

    for mod in ("ajx_actuarial.rating.table", "ajx_actuarial.prevention.rules", "ajx_actuarial.stress"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise


def catalogue() -> list[tuple[str, str, str]]:
    """``(name, kind, description)`` of every packaged table."""
    rows = [(k, "reference", d) for k, (_, d) in _DATASETS.items()]
    _load_extra_kinds()
    for lister, _ in _EXTRA_KINDS:
        rows.extend(lister())
    return rows


def show(name: str) -> list[tuple[str, pd.DataFrame]]:
    """Titled frames describing the packaged table ``name`` (for ``ajx tables show``)."""
    if name in _DATASETS:
        fn, desc = _DATASETS[name]
        return [(f"{name}: {desc}", fn())]
    _load_extra_kinds()
    found: list[tuple[str, pd.DataFrame]] = []
    for _, shower in _EXTRA_KINDS:  # a name may be both a rate table and a rule set
        got = shower(name)
        if got is not None:
            found.extend(got)
    if found:
        return found
    shown = name if len(str(name)) <= 80 else str(name)[:79] + "…"
    raise ValidationError(f"tables: unknown table {shown!r}; known: {[r[0] for r in catalogue()]}")
