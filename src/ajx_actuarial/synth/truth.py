"""The known truth behind synthetic books, histories, experience and claims.

Accident rates come from the loss model (:meth:`ajx_actuarial.LossModel.rates`: fatal,
disability and medical-only accidents per worker-year by industry). The truth multiplies them
by explicit relativities of the observable factors (size, standardisation grade, violations,
blacklisting, rectification, region) and by a gamma frailty θ (mean 1). It is **normalised**:
the base-level rates are the loss model's divided by the population's headcount-weighted mean
relativity in each industry, so that a preset's book has, in expectation, exactly the loss
model's accidents and deaths per worker for its industry mix. The normaliser is computed
exactly (Gauss–Hermite quadrature over the latent management quality, exact headcount laws).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from scipy.stats import poisson

from ..reference import INDUSTRIES, SIZES
from .presets import Preset, load_preset

__all__ = ["TruthModel", "management_thresholds"]


def _default_relativities() -> dict[str, dict]:
    # assumption (DOMAIN.md §3.3 directions; magnitudes chosen to be recoverable by calibration)
    return {
        "size": {"large": 0.85, "medium": 0.95, "small": 1.0, "micro": 1.15},
        "std_grade": {0: 1.0, 1: 0.75, 2: 0.85, 3: 0.93},
        "violations": {0: 1.0, 1: 1.15, 2: 1.35},  # 2 means "2 or more"
        "blacklisted": {False: 1.0, True: 1.30},
        "rectification": {"on_time": 1.0, "late": 1.12, "overdue_major": 1.40},
    }


def _default_region_effects() -> dict[str, float]:
    # assumption: regional safety climate (Shanxi mining, Guangxi enforcement gaps reported in BS26)
    return {"beijing": 0.85, "shanxi": 1.20, "zhejiang": 0.90, "hebei": 1.10, "guangdong": 1.00,
            "guangxi": 1.15, "fujian": 0.95, "anhui": 1.05}


def management_thresholds(preset: Preset) -> dict:
    """Latent-scale thresholds that reproduce the preset's grade and rectification shares exactly.

    Grades: ``z = (q + a·e)/√(1+a²)`` against per-size thresholds ``t1 > t2 > t3`` (grade 1 if
    ``z > t1``...). Rectification: ``r = (−q + d·e')/√(1+d²)``; overdue if ``r > r2``, late if
    ``r > r1``. Both standardised variables are N(0, 1), so the shares are exact.
    """
    m = preset.management()
    grade = {}
    for s, (g1, g2, g3) in preset.std_grade().items():
        c = np.cumsum([g1, g2, g3])
        grade[s] = tuple(float(ndtri(1 - x)) if x > 0 else np.inf for x in c)
    po, pl = m["rectification_overdue_major"], m["rectification_late"]
    rect = (float(ndtri(1 - po - pl)), float(ndtri(1 - po)))
    return {"grade": grade, "rect": rect, "a": m["grade_noise"], "d": m["rectification_noise"]}


def _quad(n: int = 96):
    x, w = np.polynomial.hermite_e.hermegauss(n)
    return x, w / np.sqrt(2 * np.pi)


@dataclass(frozen=True, eq=False)
class TruthModel:
    """Known data-generating model of :func:`portfolio` histories, :func:`experience` and :func:`claims`.

    Accidents per policy-year are Poisson with mean ``exposure × rate[kind, industry] × Π
    relativities × region_effect × θ`` for the three kinds (``fatal``, ``disability``,
    ``medical``); θ ~ Gamma(mean 1, CV ``frailty_cv``) persists over a policy's years. A fatal
    accident kills ``D ~ cluster`` workers (capped at headcount) and disables
    ``Poisson(injury_ratio × D)`` more (capped at the survivors); a disability accident has one
    victim with a grade from ``grade_mix``; a medical accident one victim with a lognormal cost.

    Attributes
    ----------
    fatal, disability, medical : dict industry -> float
        Base-level accident rates per worker-year (all relativities 1): the loss model's rates
        divided by ``normaliser``.
    relativities : dict factor -> {level: multiplier}
        True effects (``violations`` level 2 stands for "2 or more"); base levels are 1.
    region_effects : dict region -> multiplier (regions not listed: 1)
    frailty_cv : float
    normaliser : dict industry -> float
        Headcount-weighted mean of ``Π relativities × region_effect`` in the population the
        truth was normalised on (``preset``).
    cluster, injury_ratio, grade_mix, payout_share, civil_share, death_loss, medical_median, medical_sigma
        Copied from the :class:`~ajx_actuarial.LossModel`.

    Examples
    --------
    >>> from ajx_actuarial.synth import TruthModel
    >>> t = TruthModel.default()
    >>> round(t.deaths_per_worker()["coal_mine"] * t.normaliser["coal_mine"] * 1e5, 6)
    6.0
    """

    fatal: dict[str, float]
    disability: dict[str, float]
    medical: dict[str, float]
    relativities: dict[str, dict] = field(default_factory=_default_relativities)
    region_effects: dict[str, float] = field(default_factory=_default_region_effects)
    frailty_cv: float = 0.5
    normaliser: dict[str, float] = field(default_factory=dict)
    preset: str = ""
    cluster: tuple[float, ...] = ()
    injury_ratio: float = 0.5
    grade_mix: tuple[float, ...] = ()
    payout_share: tuple[float, ...] = ()
    civil_share: tuple[float, ...] = ()
    death_loss: float = 1_083_760.0
    medical_median: float = 2000.0
    medical_sigma: float = float(np.sqrt(2 * np.log(1.35)))

    # ------------------------------------------------------------------ construction
    @classmethod
    def default(cls, preset: "str | Preset" = "national", *, model=None, size_mix: Mapping | None = None,
                regions: Mapping | None = None, relativities: Mapping | None = None,
                region_effects: Mapping | None = None, **overrides) -> "TruthModel":
        """Truth from ``model`` (default :meth:`LossModel.default`) normalised on ``preset``'s population.

        ``size_mix`` / ``regions`` describe a population changed by :func:`portfolio` overrides;
        ``relativities`` / ``region_effects`` replace the default effects (the normaliser is
        recomputed); other keywords (e.g. ``frailty_cv``) replace fields.
        """
        from ..losses import LossModel

        p = load_preset(preset)
        m = model if model is not None else LossModel.default()
        rel = {k: dict(v) for k, v in (relativities or _default_relativities()).items()}
        reg = dict(region_effects) if region_effects is not None else _default_region_effects()
        norm = _normaliser(p, rel, reg, size_mix, regions)
        r = m.rates()
        base = cls(
            fatal={k: float(r.loc[k, "fatal"]) / norm[k] for k in INDUSTRIES},
            disability={k: float(r.loc[k, "disability"]) / norm[k] for k in INDUSTRIES},
            medical={k: float(r.loc[k, "medical"]) / norm[k] for k in INDUSTRIES},
            relativities=rel, region_effects=reg, normaliser=norm, preset=p.name,
            cluster=tuple(float(x) for x in m.cluster), injury_ratio=float(m.injury_ratio),
            grade_mix=tuple(float(x) for x in m.grade_mix), payout_share=tuple(float(x) for x in m.payout_share),
            civil_share=tuple(float(x) for x in m.civil_share), death_loss=float(m.death_loss * m.severity_multiplier),
            medical_median=float(m.medical_median * m.severity_multiplier), medical_sigma=float(m.medical_sigma),
        )
        return replace(base, **overrides) if overrides else base

    # ------------------------------------------------------------------ derived
    def claim_freq(self) -> dict[str, float]:
        """Accidents (claims) per worker-year at base levels: fatal + disability + medical."""
        return {k: self.fatal[k] + self.disability[k] + self.medical[k] for k in self.fatal}

    def mean_cluster(self) -> float:
        c = np.asarray(self.cluster)
        return float(c @ np.arange(c.size))

    def deaths_per_worker(self) -> dict[str, float]:
        """Expected deaths per worker-year at base levels, before the cap at headcount."""
        e = self.mean_cluster()
        return {k: v * e for k, v in self.fatal.items()}

    def capped_cluster_means(self, headcount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """E[min(D, h)] and E[min(D, h)²] for each headcount ``h``."""
        c = np.asarray(self.cluster)
        k = np.arange(c.size)
        sf = np.cumsum(c[::-1])[::-1]  # P(D >= k)
        m1 = np.r_[0.0, np.cumsum(sf[1:])]  # E[min(D, h)] = Σ_{k=1..h} P(D >= k)
        m2 = np.r_[0.0, np.cumsum((2 * k[1:] - 1) * sf[1:])]
        h = np.minimum(np.asarray(headcount, dtype=np.int64), c.size - 1)
        return m1[h], m2[h]

    def relativity(self, df: pd.DataFrame) -> np.ndarray:
        """Product of the true relativities and the region effect for each row of ``df``."""
        rel = np.ones(len(df))
        for fac, table in self.relativities.items():
            if fac not in df.columns:
                continue
            col = df[fac]
            if fac == "violations":
                keys = np.minimum(col.to_numpy(dtype=np.int64), max(table))
                rel *= np.array([table[k] for k in sorted(table)])[keys]
            elif fac == "blacklisted":
                rel *= np.where(col.to_numpy(dtype=bool), table[True], table[False])
            elif isinstance(col.dtype, pd.CategoricalDtype):
                lut = np.array([table.get(c, table.get(str(c), np.nan)) for c in col.cat.categories] + [np.nan], dtype=np.float64)
                rel *= lut[col.cat.codes.to_numpy()]
            elif pd.api.types.is_integer_dtype(col.dtype):
                v = col.to_numpy(dtype=np.int64)
                lut = np.full(max(int(v.max(initial=0)), max(table)) + 1, np.nan)
                for k, m in table.items():
                    lut[int(k)] = m
                rel *= lut[v]
            else:
                rel *= col.astype(str).map({str(k): v for k, v in table.items()}).to_numpy(dtype=np.float64)
        if "region" in df.columns and self.region_effects:
            rel *= df["region"].map(self.region_effects).fillna(1.0).to_numpy(dtype=np.float64)
        return rel

    def rates_for(self, df: pd.DataFrame) -> np.ndarray:
        """Base-level (fatal, disability, medical) rates per worker-year for each row, shape (n, 3)."""
        codes = pd.Categorical(df["industry"], categories=list(INDUSTRIES)).codes
        table = np.array([[self.fatal[k], self.disability[k], self.medical[k]] for k in INDUSTRIES])
        return table[codes]

    def expected_claims(self, df: pd.DataFrame, exposure: np.ndarray | None = None) -> np.ndarray:
        """Expected accidents (before frailty) for rows of ``df`` over ``exposure`` worker-years."""
        expo = df["headcount"].to_numpy(dtype=np.float64) if exposure is None else np.asarray(exposure, dtype=np.float64)
        return expo * self.rates_for(df).sum(axis=1) * self.relativity(df)

    def as_dict(self) -> dict:
        """Plain-data copy (for ``attrs`` and provenance)."""
        d = asdict(self)
        d["relativities"] = {k: dict(v) for k, v in self.relativities.items()}
        return d

    @classmethod
    def from_dict(cls, d: Mapping) -> "TruthModel":
        """Inverse of :meth:`as_dict` (tolerates string keys from a JSON round trip)."""
        d = dict(d)
        rel = {}
        for fac, table in d.get("relativities", _default_relativities()).items():
            conv = {}
            for k, v in table.items():
                if fac in ("std_grade", "violations"):
                    k = int(k)
                elif fac == "blacklisted":
                    k = k if isinstance(k, bool) else str(k).lower() == "true"
                conv[k] = float(v)
            rel[fac] = conv
        d["relativities"] = rel
        for k in ("cluster", "grade_mix", "payout_share", "civil_share"):
            d[k] = tuple(d.get(k, ()))
        return cls(**d)


def _normaliser(p: Preset, rel: dict, reg_eff: dict, size_mix: Mapping | None, regions: Mapping | None) -> dict[str, float]:
    """Exact headcount-weighted E[Π relativities × region effect | industry] of the preset's population."""
    th = management_thresholds(p)
    m = p.management()
    x, w = _quad()
    a, d = th["a"], th["d"]
    # E over q of the management-driven relativities, per size class
    b, bs = m["violations_slope"], m["blacklisted_slope"]
    mu_v = m["violations_mean"] * np.exp(-b * x - b * b / 2)
    vt = rel["violations"]
    kmax = max(vt)
    pv = [poisson.pmf(k, mu_v) for k in range(kmax)]
    e_v = sum(vt[k] * pv[k] for k in range(kmax)) + vt[kmax] * (1 - sum(pv))
    pb = np.minimum(1.0, m["blacklisted_share"] * np.exp(-bs * x - bs * bs / 2))
    e_b = 1 + pb * (rel["blacklisted"][True] - rel["blacklisted"][False]) + (rel["blacklisted"][False] - 1)
    r1, r2 = th["rect"]
    s_late = ndtr((-x - r1 * np.sqrt(1 + d * d)) / d)
    s_over = ndtr((-x - r2 * np.sqrt(1 + d * d)) / d)
    rt = rel["rectification"]
    e_r = rt["on_time"] * (1 - s_late) + rt["late"] * (s_late - s_over) + rt["overdue_major"] * s_over
    g_size = {}
    for s in SIZES:
        t = th["grade"][s]
        above = [ndtr((x - ti * np.sqrt(1 + a * a)) / a) if np.isfinite(ti) else np.zeros_like(x) for ti in t]
        gr = rel["std_grade"]
        e_g = gr[1] * above[0] + gr[2] * (above[1] - above[0]) + gr[3] * (above[2] - above[1]) + gr[0] * (1 - above[2])
        g_size[s] = float((w * e_g * e_v * e_b * e_r).sum()) * rel["size"][s]
    regs = dict(regions) if regions is not None else p.regions()
    if not isinstance(regs, Mapping):
        regs = {r: 1.0 for r in regs}
    tot = sum(regs.values())
    r_mean = sum(v / tot * reg_eff.get(k, 1.0) for k, v in regs.items())
    out = {}
    for ind, law in p.headcount_laws().items():
        probs = np.asarray(size_mix[ind], dtype=float) if size_mix and ind in size_mix else law.class_probs()
        probs = probs / probs.sum()
        means = np.nan_to_num(law.class_means())
        wts = probs * means
        out[ind] = float(sum(wts[i] * g_size[s] for i, s in enumerate(SIZES)) / wts.sum() * r_mean) if wts.sum() > 0 else 1.0
    return out
