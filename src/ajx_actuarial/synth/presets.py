"""Named presets of synthetic books: packaged TOML files with sourced targets.

A preset (``reference/data/presets/<name>.toml``) fixes everything :func:`portfolio` draws:
industry mix, a headcount law per industry (discretised lognormal; the NBS size class follows
from the headcount), regions, standardisation grades by size class, the latent-management
parameters behind violations, blacklisting and rectification, the per-person limits and the
rate table that prices the book. Every number carries ``source`` and ``flag`` (DOMAIN.md §0);
:func:`ajx_actuarial.synth.check` compares a generated book with them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from ..errors import ValidationError
from ..reference import INDUSTRIES, SIZES, packaged_toml, read_toml

__all__ = ["Preset", "HeadcountLaw", "load_preset", "presets", "SIZE_BOUNDS"]

#: Headcount bounds of the NBS 2017 size classes (industry definition, DOMAIN.md §2.2, official*).
SIZE_BOUNDS: dict[str, tuple[int, int]] = {"large": (1000, 10**9), "medium": (300, 999), "small": (20, 299), "micro": (1, 19)}
_SECTIONS = ("meta", "industry_mix", "headcount", "regions", "std_grade", "management", "limits", "tolerance")
_MANAGEMENT = ("grade_noise", "violations_mean", "violations_slope", "blacklisted_share", "blacklisted_slope",
               "rectification_late", "rectification_overdue_major", "rectification_noise", "rescue_participation", "dual_prevention")


def presets() -> list[str]:
    """Names of the packaged presets.

    Examples
    --------
    >>> from ajx_actuarial import synth
    >>> synth.presets()
    ['beijing', 'national', 'shanxi-mining']
    """
    return packaged_toml("presets")


@dataclass(frozen=True)
class HeadcountLaw:
    """Discretised lognormal headcount on ``1..max``: ``P(k) ∝ Φ((ln(k+½)−μ)/σ) − Φ((ln(k−½)−μ)/σ)``."""

    median: float
    sigma: float
    max: int

    @property
    def mu(self) -> float:
        return float(np.log(self.median))

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return ndtr((np.log(np.maximum(x, 1e-300)) - self.mu) / self.sigma)

    def pmf(self) -> np.ndarray:
        """Probabilities of headcounts 1..max (index 0 is headcount 1)."""
        k = np.arange(1, self.max + 1, dtype=np.float64)
        p = self._cdf(k + 0.5) - self._cdf(k - 0.5)
        return p / p.sum()

    def class_bounds(self, size: str) -> tuple[int, int]:
        lo, hi = SIZE_BOUNDS[size]
        return lo, min(hi, self.max)

    def class_probs(self) -> np.ndarray:
        """P(size class) in the order of ``SIZES`` (large, medium, small, micro)."""
        p, out = self.pmf(), []
        for s in SIZES:
            lo, hi = self.class_bounds(s)
            out.append(p[lo - 1:hi].sum() if lo <= hi else 0.0)
        return np.asarray(out)

    def class_means(self) -> np.ndarray:
        """E[headcount | size class] (NaN for an empty class)."""
        p, k, out = self.pmf(), np.arange(1, self.max + 1, dtype=np.float64), []
        for s in SIZES:
            lo, hi = self.class_bounds(s)
            w = p[lo - 1:hi] if lo <= hi else np.zeros(0)
            out.append(float((w * k[lo - 1:hi]).sum() / w.sum()) if w.sum() > 0 else np.nan)
        return np.asarray(out)

    def class_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """E[h | class] and Var[h | class] (NaN for an empty class)."""
        p, k = self.pmf(), np.arange(1, self.max + 1, dtype=np.float64)
        m, v = [], []
        for s in SIZES:
            lo, hi = self.class_bounds(s)
            w = p[lo - 1:hi] if lo <= hi else np.zeros(0)
            if w.sum() <= 0:
                m.append(np.nan), v.append(np.nan)
                continue
            kk = k[lo - 1:hi]
            mm = (w * kk).sum() / w.sum()
            m.append(mm), v.append((w * (kk - mm) ** 2).sum() / w.sum())
        return np.asarray(m), np.asarray(v)

    def sample(self, u: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Headcounts in ``[lo, hi]`` by inverse CDF of uniforms ``u`` (vectorised, tail-accurate)."""
        a, b = np.log(lo - 0.5), np.log(hi + 0.5)
        za, zb = (a - self.mu) / self.sigma, (b - self.mu) / self.sigma
        upper = za > 0  # sample the upper tail through the survival function for precision
        z = np.empty_like(u)
        fa, fb = ndtr(za[~upper]), ndtr(zb[~upper])
        z[~upper] = ndtri(fa + u[~upper] * (fb - fa))
        sa, sb = ndtr(-za[upper]), ndtr(-zb[upper])
        z[upper] = -ndtri(sa - u[upper] * (sa - sb))
        z = np.where(np.isfinite(z), z, np.where(z > 0, zb, za))
        x = np.floor(np.exp(self.mu + self.sigma * z) + 0.5)
        return np.clip(x, lo, hi).astype(np.int64)


@dataclass(frozen=True, eq=False)
class Preset:
    """A parsed preset. ``doc`` is the TOML document (with every ``source`` and ``flag``)."""

    name: str
    doc: dict

    @property
    def rate_table(self) -> str:
        return str(self.doc["meta"]["rate_table"])

    @property
    def policy_year(self) -> int:
        return int(self.doc["meta"]["policy_year"])

    def industry_mix(self) -> dict[str, float]:
        return {k: float(v["value"]) for k, v in self.doc["industry_mix"].items()}

    def headcount_laws(self) -> dict[str, HeadcountLaw]:
        return {k: HeadcountLaw(float(v["median"]), float(v["sigma"]), int(v["max"])) for k, v in self.doc["headcount"].items()}

    def size_mix(self) -> dict[str, tuple[float, ...]]:
        """Implied size-class shares per industry (large, medium, small, micro)."""
        return {k: tuple(float(x) for x in law.class_probs()) for k, law in self.headcount_laws().items()}

    def regions(self) -> dict[str, float]:
        return {k: float(v["value"]) for k, v in self.doc["regions"].items()}

    def std_grade(self) -> dict[str, tuple[float, float, float]]:
        return {s: (float(v["g1"]), float(v["g2"]), float(v["g3"])) for s, v in self.doc["std_grade"].items()}

    def management(self) -> dict[str, float]:
        return {k: float(v["value"]) for k, v in self.doc["management"].items()}

    def limit_mix(self) -> dict[float, float]:
        """Per-person death/disability limit levels and their shares."""
        d = self.doc["limits"]["death"]
        if "formula" in d:
            from ..losses.limits import beijing_limit

            return {round(float(beijing_limit(int(d["income_year"]))), 2): 1.0}
        return {float(k): float(v) for k, v in d["mix"].items()}

    def limit_multiples(self) -> tuple[float, float, float]:
        lim = self.doc["limits"]
        return float(lim["medical_share"]["value"]), float(lim["accident_multiple"]["value"]), float(lim["annual_multiple"]["value"])

    @property
    def z(self) -> float:
        return float(self.doc["tolerance"]["z"]["value"])

    def anchors(self) -> dict[str, dict]:
        return dict(self.doc.get("anchors", {}))

    def source(self, section: str, key: str | None = None) -> tuple[str, str]:
        """``(source, flag)`` of an entry (or of the section's first entry)."""
        sec = self.doc.get(section, {})
        item = sec.get(key) if key is not None else next(iter(sec.values()), {})
        if isinstance(item, Mapping) and "source" in item:
            return str(item["source"]), str(item.get("flag", ""))
        return "", ""


def _validate(doc: dict, where: str) -> None:
    missing = [s for s in _SECTIONS if s not in doc]
    if missing:
        raise ValidationError(f"{where}: missing section(s) {missing}")
    for sec in ("industry_mix", "headcount", "regions", "std_grade", "management"):
        for key, item in doc[sec].items():
            if not isinstance(item, Mapping) or "source" not in item or "flag" not in item:
                raise ValidationError(f"{where}: [{sec}] {key} needs 'source' and 'flag'")
    bad = sorted(set(doc["industry_mix"]) - set(INDUSTRIES))
    if bad or sorted(doc["headcount"]) != sorted(INDUSTRIES):
        raise ValidationError(f"{where}: [industry_mix] and [headcount] must use industry codes {list(INDUSTRIES)}; got unknown {bad}"
                              f" / headcount for {sorted(doc['headcount'])}")
    for k, v in doc["headcount"].items():
        if not (v.get("median", 0) >= 1 and 0 < v.get("sigma", 0) <= 5 and int(v.get("max", 0)) >= max(1, v["median"])):
            raise ValidationError(f"{where}: [headcount] {k}: need median >= 1, 0 < sigma <= 5, max >= median; got {dict(v)}")
    if sorted(doc["std_grade"]) != sorted(SIZES):
        raise ValidationError(f"{where}: [std_grade] needs the size classes {list(SIZES)}")
    for s, v in doc["std_grade"].items():
        g = [v.get("g1", -1), v.get("g2", -1), v.get("g3", -1)]
        if min(g) < 0 or sum(g) > 1:
            raise ValidationError(f"{where}: [std_grade] {s}: g1, g2, g3 must be >= 0 with sum <= 1, got {g}")
    missing = [k for k in _MANAGEMENT if k not in doc["management"]]
    if missing:
        raise ValidationError(f"{where}: [management] missing {missing}")


@functools.lru_cache(maxsize=32)
def _load_packaged(name: str) -> Preset:
    doc, src = read_toml("presets", name, "synth preset", "preset")
    _validate(doc, f"synth preset {src}")
    return Preset(str(doc["meta"].get("name", name)), doc)


def load_preset(preset: "str | os.PathLike[str] | Preset") -> Preset:
    """A packaged preset by name (see :func:`presets`) or a user's TOML file of the same layout.

    Raises
    ------
    ValidationError
        Unknown name, missing file, malformed TOML or a missing section/source.

    Examples
    --------
    >>> from ajx_actuarial.synth import load_preset
    >>> p = load_preset("beijing")
    >>> p.rate_table, round(next(iter(p.limit_mix())))
    ('beijing-2026', 802460)
    """
    if isinstance(preset, Preset):
        return preset
    s = str(preset)
    if s in presets():
        return _load_packaged(s)
    doc, src = read_toml("presets", s, "synth preset", "preset")
    _validate(doc, f"synth preset {src}")
    return Preset(str(doc.get("meta", {}).get("name", s)), doc)
