"""Which units of a book a bundle's sector lists cover, and how many must insure (:meth:`Jurisdiction.scope`).

A unit's sector class follows the bundle's ``[sectors]``: ``mandatory`` and ``encouraged``
industries, ``excluded`` ones, and sub-sectors named by the seed (``mandatory_sub_sectors``,
``encouraged_sub_sectors``; a sub-sector decides over its industry: Xinzhou S04 makes hazardous
chemicals mandatory but only promotes the chemical industry). An industry only partly in scope
(Zhoushan S03: 海洋渔业, not all fishing) with no ``sub_sector`` to say which part is
``scope_unclear``.

A ``participation_target`` (Beijing 2017 S00 §(三): 确保全市生产经营单位安责险参保率不低于6%) is a share
of all units. The offered book stands for the market's units (assumption: the synthetic book is
the population of 生产经营单位 the target is a share of), so ``units_required = ceil(target ×
units)``; if every mandatory unit insures, ``beyond_mandate = max(units_required − mandatory, 0)``
units outside the mandatory sectors must be brought in to reach it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SECTOR_CLASSES", "Scope", "classify", "scope"]

#: What a unit is under a bundle's sector list.
SECTOR_CLASSES = ("mandatory", "encouraged", "scope_unclear", "excluded", "voluntary")


@dataclass(frozen=True, eq=False)
class Scope:
    """A book under a bundle's sector lists.

    Attributes
    ----------
    sector_class : Series
        Per policy (the book's index): one of :data:`SECTOR_CLASSES`.
    counts : DataFrame
        ``sector_class``, ``policies``, ``workers``.
    summary : dict
        ``policies``, one count per sector class, ``participation_target`` (None where the bundle
        states none), ``units_required`` (units that must insure to meet it), ``mandatory_share``
        (mandatory units ÷ units), ``beyond_mandate`` (units outside the mandatory sectors that must
        insure as well) and ``target_met_by_mandate``.
    """

    sector_class: pd.Series
    counts: pd.DataFrame
    summary: dict


def classify(sectors: dict, df: pd.DataFrame) -> pd.Series:
    """Sector class of every policy of a validated book under ``[sectors]`` (see the module docstring)."""
    from ..reference import sub_sectors

    ind = df["industry"].astype(str).to_numpy()
    sub = df["sub_sector"].astype(str).to_numpy() if "sub_sector" in df.columns else np.full(len(df), "none")
    msub, esub = set(sectors.get("mandatory_sub_sectors", [])), set(sectors.get("encouraged_sub_sectors", []))
    parents = sub_sectors()["parent"]
    partial = {parents[c] for c in msub} - set(sectors.get("mandatory", []))
    out = np.full(len(df), "voluntary", dtype=object)
    out[np.isin(ind, list(partial)) & (sub == "none")] = "scope_unclear"
    out[np.isin(ind, sectors.get("encouraged", []))] = "encouraged"
    out[np.isin(ind, sectors.get("excluded", []))] = "excluded"
    out[np.isin(ind, sectors.get("mandatory", []))] = "mandatory"
    # a sub-sector the seed names decides over its industry (Xinzhou S04: hazchem 全面实施, chemical industry 全面推行)
    out[np.isin(sub, list(esub))] = "encouraged"
    out[np.isin(sub, list(msub))] = "mandatory"
    return pd.Series(pd.Categorical(out, categories=SECTOR_CLASSES), index=df.index, name="sector_class")


def scope(sectors: dict, df: pd.DataFrame) -> Scope:
    """Sector classes of a validated book and the participation the bundle asks for."""
    cls = classify(sectors, df)
    head = df["headcount"].to_numpy(dtype=np.float64)
    counts = pd.DataFrame({"sector_class": list(SECTOR_CLASSES),
                           "policies": [int((cls == c).sum()) for c in SECTOR_CLASSES],
                           "workers": [int(head[(cls == c).to_numpy()].sum()) for c in SECTOR_CLASSES]})
    n = len(df)
    mandatory = int((cls == "mandatory").sum())
    target = sectors.get("participation_target", {}).get("value") if isinstance(sectors.get("participation_target"), dict) else None
    required = None if target is None else int(math.ceil(float(target) * n - 1e-9))
    summary = {"policies": n, **{c: int(v) for c, v in zip(counts["sector_class"], counts["policies"])},
               "participation_target": None if target is None else float(target), "units_required": required,
               "mandatory_share": mandatory / n if n else float("nan"),
               "beyond_mandate": None if required is None else max(required - mandatory, 0),
               "target_met_by_mandate": None if required is None else bool(mandatory >= required)}
    return Scope(sector_class=cls, counts=counts, summary=summary)
