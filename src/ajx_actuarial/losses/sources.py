"""The sourced default loss model: ``reference/data/loss_model/<name>.toml`` → LossModel keywords.

Every parameter of the file is ``{value, low, high, source, flag}``; :func:`load_model_file`
returns the keywords of :class:`~ajx_actuarial.LossModel`, one row per parameter (``parameter,
value, low, high, source, flag``) for ``ajx model show``, and the public anchors that
:meth:`LossModel.check` compares the model with.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..reference import INDUSTRIES, disability_tables, income, read_toml
from .cluster import cluster_pmf

__all__ = ["load_model_file", "RELATIVITY_FACTORS", "typed_level", "PARTS_CV"]

#: Factors a loss model may hold relativities for (portfolio columns).
RELATIVITY_FACTORS = ("size", "std_grade", "violations", "blacklisted", "rectification")
#: The parts whose frequency level carries parameter uncertainty.
PARTS_CV = ("fatal", "disability", "medical")
_FREQ = ("deaths_per_100k", "disabilities_per_100k", "medical_per_100")


def typed_level(factor: str, level):
    """A relativity level in the type of its portfolio column (TOML keys are strings)."""
    if factor in ("std_grade", "violations"):
        return int(level)
    if factor == "blacklisted":
        return level if isinstance(level, bool) else str(level).strip().lower() in ("true", "1", "yes")
    return str(level)


def _entry(doc: Mapping, path: str, rows: list, *, where: str):
    node = doc
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            raise ValidationError(f"{where}: missing [{path.rsplit('.', 1)[0]}] {path.rsplit('.', 1)[-1]!r}")
        node = node[key]
    if not isinstance(node, Mapping) or "value" not in node:
        raise ValidationError(f"{where}: {path} must be {{ value = ..., source = ..., flag = ... }}")
    for k in ("source", "flag"):
        if not isinstance(node.get(k), str) or not node.get(k):
            raise ValidationError(f"{where}: {path} has no {k}")
    v = node["value"]
    rows.append({"parameter": path, "value": v if not isinstance(v, list) else str(v), "low": node.get("low", np.nan),
                 "high": node.get("high", np.nan), "source": node["source"], "flag": node["flag"]})
    return v


@functools.lru_cache(maxsize=4)
def _load(name: str) -> tuple[dict, pd.DataFrame, dict]:
    doc, src = read_toml("loss_model", name, "loss model", "loss model")
    where = f"loss model {src}"
    rows: list = []
    fr = {c: [] for c in _FREQ}
    for ind in INDUSTRIES:
        for c in _FREQ:
            fr[c].append(float(_entry(doc, f"frequencies.{ind}.{c}", rows, where=where)))
    freq = pd.DataFrame(fr, index=pd.Index(INDUSTRIES, name="industry"))
    meta = doc.get("meta", {})
    year = int(meta.get("income_year", 2024))
    multiple = float(_entry(doc, "severity.death_loss_income_multiple", rows, where=where))
    tables = disability_tables()
    pay_t = str(_entry(doc, "severity.payout_table", rows, where=where))
    civ_t = str(_entry(doc, "severity.civil_table", rows, where=where))
    for t in (pay_t, civ_t):
        if t not in tables.columns:
            raise ValidationError(f"{where}: disability table {t!r} unknown; known: {[c for c in tables.columns if c.startswith('table_')]}")
    median = float(_entry(doc, "severity.medical_median", rows, where=where))
    mean = float(_entry(doc, "severity.medical_mean", rows, where=where))
    if not mean > median > 0:
        raise ValidationError(f"{where}: severity.medical_mean must exceed medical_median (lognormal), got {mean} and {median}")
    cl = {k: _entry(doc, f"cluster.{k}", rows, where=where) for k in ("shares", "two_death_share", "larger_mean", "major_mean", "max_deaths")}
    rel: dict = {}
    for fac, levels in doc.get("relativities", {}).items():
        if fac not in RELATIVITY_FACTORS:
            raise ValidationError(f"{where}: [relativities.{fac}] is not a rating characteristic; known: {list(RELATIVITY_FACTORS)}")
        rel[fac] = {typed_level(fac, lev): float(_entry(doc, f"relativities.{fac}.{lev}", rows, where=where)) for lev in levels}
    regions = {str(r): float(_entry(doc, f"region_effects.{r}", rows, where=where)) for r in doc.get("region_effects", {})}
    norm = {i: float(_entry(doc, f"normaliser.{i}", rows, where=where)) for i in INDUSTRIES}
    kwargs = {
        "frequencies": freq,
        "counts": str(_entry(doc, "counts.law", rows, where=where)),
        "frailty_cv": float(_entry(doc, "counts.frailty_cv", rows, where=where)),
        "year_cv": float(_entry(doc, "systemic.year_cv", rows, where=where)),
        "parameter_cv": {p: float(_entry(doc, f"parameter_uncertainty.{p}", rows, where=where)) for p in PARTS_CV},
        "cluster": cluster_pmf(shares=tuple(cl["shares"]), two_death_share=float(cl["two_death_share"]),
                               larger_mean=float(cl["larger_mean"]), major_mean=float(cl["major_mean"]), max_deaths=int(cl["max_deaths"])),
        "injury_ratio": float(_entry(doc, "severity.injury_ratio", rows, where=where)),
        "grade_mix": np.asarray(_entry(doc, "severity.grade_mix", rows, where=where), dtype=float),
        "payout_share": tables[pay_t].to_numpy(dtype=float),
        "civil_share": tables[civ_t].to_numpy(dtype=float),
        "death_loss": multiple * income(year, "national"),
        "rescue_share": float(_entry(doc, "severity.rescue_share", rows, where=where)),
        "third_party_share": float(_entry(doc, "severity.third_party_share", rows, where=where)),
        "medical_median": median,
        "medical_sigma": float(np.sqrt(2 * np.log(mean / median))),
        "relativities": rel,
        "region_effects": regions,
        "normaliser": norm,
        "name": str(meta.get("name", name)),
    }
    anchors = {k: dict(v) for k, v in doc.get("anchors", {}).items()}
    return kwargs, pd.DataFrame(rows), anchors


def load_model_file(name: str = "default") -> tuple[dict, pd.DataFrame, dict]:
    """Keywords of :class:`LossModel`, the parameter table and the anchors of a loss-model TOML.

    ``name`` is a packaged model (``default``) or the path of a user's TOML of the same layout.
    Fresh copies are returned (callers may modify them).
    """
    kwargs, rows, anchors = _load(str(name))
    out = {k: (v.copy() if hasattr(v, "copy") else v) for k, v in kwargs.items()}
    out["relativities"] = {f: dict(t) for f, t in kwargs["relativities"].items()}
    return out, rows.copy(), {k: dict(v) for k, v in anchors.items()}
