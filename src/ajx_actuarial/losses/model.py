"""The casualty and loss model (DESIGN.md §5 "Losses"; DOMAIN.md §4–§6).

Three kinds of accident per policy and year, each a Poisson (or negative binomial) count with
rate proportional to headcount:

* **fatal accidents**, rate ``deaths_per_100k / 1e5 / E[D]`` per worker, with ``D`` deaths
  drawn from a cluster law calibrated to the accident grades of State Council Order 493
  (general 1–2 deaths 98.16 %, larger 3–9 1.80 % with mean 3.86, major+ ≥ 10 0.04 % with
  mean 16.2; DOMAIN.md §6.2), capped at headcount; plus ``Poisson(injury_ratio × D)``
  disabled co-workers;
* **disability accidents** (one permanently disabled victim), rate
  ``(disabilities_per_100k − injury_ratio × deaths_per_100k) / 1e5`` per worker;
* **medical-only accidents** (one victim), ``medical_per_100 / 100`` per worker, cost
  lognormal (median 2 000, mean ≈ 2 700 CNY), capped at ``limit_medical``.

Economic loss of a death = ``death_loss_multiple × urban income`` (civil death compensation,
SPC 2022 Art. 15); of grade ``g`` = ``civil_share[g] ×`` that (Table B); the insured payout is
``min(death loss, limit_death)`` and ``min(grade loss, payout_share[g] × limit_death)``
(Table A), with rescue/legal costs ``rescue_share`` on fatal accidents; then the per-accident
limit, then the policy's annual aggregate limit. Every parameter is overridable; all are
``assumption`` unless DOMAIN.md flags them otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..reference import INDUSTRIES, disability_grade_mix, disability_tables, income, industries

__all__ = ["LossModel", "cluster_pmf"]


def _solve_ratio(mean: float, lo: int, hi: int) -> float:
    """Geometric ratio ρ of P(k) ∝ ρ^(k-lo) on lo..hi with the given mean (bisection)."""
    k = np.arange(lo, hi + 1)
    a, b = 1e-6, 0.999999
    for _ in range(200):
        m = (a + b) / 2
        w = m ** (k - lo)
        if (w * k).sum() / w.sum() < mean:
            a = m
        else:
            b = m
    return (a + b) / 2


def _solve_pareto(mean: float, lo: int, hi: int) -> float:
    """Exponent α of P(k) ∝ k^-α on lo..hi with the given mean (bisection)."""
    k = np.arange(lo, hi + 1, dtype=np.float64)
    a, b = 0.01, 20.0
    for _ in range(200):
        m = (a + b) / 2
        w = k**-m
        if (w * k).sum() / w.sum() > mean:
            a = m
        else:
            b = m
    return (a + b) / 2


def cluster_pmf(shares=(0.9816, 0.0180, 0.0004), two_death_share: float = 0.10, larger_mean: float = 3.86,
                major_mean: float = 16.2, max_deaths: int = 200) -> np.ndarray:
    """Deaths per fatal accident: pmf on 0..max_deaths (index = deaths; index 0 has mass 0).

    General accidents (1–2 deaths) take ``shares[0]`` with ``two_death_share`` of them at 2;
    larger accidents (3–9) a truncated geometric law with mean ``larger_mean``; major+ (≥ 10)
    a truncated discrete Pareto with mean ``major_mean`` (DOMAIN.md §6.2, derived from 2024).
    """
    s = np.asarray(shares, dtype=np.float64)
    if s.shape != (3,) or not np.isfinite(s).all() or (s < 0).any() or s.sum() <= 0:
        raise ValidationError(f"cluster_pmf: shares must be 3 numbers >= 0 (general, larger, major+), got {shares!r}")
    if not 0 <= two_death_share <= 1:
        raise ValidationError(f"cluster_pmf: two_death_share must be in [0, 1], got {two_death_share!r}")
    if not 3 < larger_mean < 9:
        raise ValidationError(f"cluster_pmf: larger_mean must be in (3, 9) (3-9 deaths), got {larger_mean!r}")
    if isinstance(max_deaths, bool) or not isinstance(max_deaths, (int, np.integer)) or max_deaths < 11:
        raise ValidationError(f"cluster_pmf: max_deaths must be an integer >= 11, got {max_deaths!r}")
    if not 10 < major_mean < max_deaths:
        raise ValidationError(f"cluster_pmf: major_mean must be in (10, max_deaths), got {major_mean!r}")
    p = np.zeros(max_deaths + 1)
    s = s / s.sum()
    p[1] = s[0] * (1 - two_death_share)
    p[2] = s[0] * two_death_share
    k = np.arange(3, 10)
    w = _solve_ratio(larger_mean, 3, 9) ** (k - 3)
    p[3:10] = s[1] * w / w.sum()
    k = np.arange(10, max_deaths + 1, dtype=np.float64)
    w = k ** -_solve_pareto(major_mean, 10, max_deaths)
    p[10:] = s[2] * w / w.sum()
    return p


def _default_industry_table() -> pd.DataFrame:
    ind = industries()
    return pd.DataFrame({
        "deaths_per_100k": ind["deaths_per_100k"].astype(float),
        "disabilities_per_100k": ind["disabilities_per_100k"].astype(float),
        "medical_per_100": ind["medical_per_100"].astype(float),
    })


@dataclass(frozen=True, eq=False)
class LossModel:
    """Parameters of the casualty model. Build with :meth:`default` and override by keyword.

    Attributes
    ----------
    frequencies : DataFrame
        Index: industry codes; columns ``deaths_per_100k``, ``disabilities_per_100k`` (per
        100 000 worker-years), ``medical_per_100`` (per 100 workers) — DOMAIN.md §6.5.
    counts : {"poisson", "negbin"}
        Accident counts per policy-year; ``negbin`` = Poisson with a gamma frailty of CV
        ``frailty_cv`` per policy-year (simulated by its Poisson-cluster representation).
    frailty_cv : float
    shock_cv : float
        CV of a common multiplier per simulated year and shock group (0 = none).
    shock_by : {"industry", "region", "all"}
    shock_dist : {"gamma", "lognormal"}
    cluster : ndarray
        Deaths per fatal accident, pmf on 0..K (:func:`cluster_pmf`).
    injury_ratio : float
        Expected disabled co-workers per death in a fatal accident.
    grade_mix : ndarray (10,)
        Disability grades 1..10 among disabled victims (DOMAIN.md §6.5).
    payout_share : ndarray (10,)
        Insured payout share of ``limit_death`` by grade (Table A, DOMAIN.md §4.4).
    civil_share : ndarray (10,)
        Economic loss share of the death loss by grade (Table B).
    death_loss : float
        Economic loss per death, CNY (default 20 × 2024 national urban income = 1 083 760).
    rescue_share : float
        Rescue, medical-rescue, appraisal and legal costs as a share of a fatal accident's
        casualty loss (DOMAIN.md §6.5: 10–20 %).
    medical_median, medical_sigma : float
        Lognormal medical cost per medical-only claim (median, log-sd).
    frequency_multiplier, severity_multiplier : float
        Stress multipliers on all frequencies and on all economic losses.
    """

    frequencies: pd.DataFrame = field(default_factory=_default_industry_table)
    counts: str = "poisson"
    frailty_cv: float = 0.0
    shock_cv: float = 0.0
    shock_by: str = "industry"
    shock_dist: str = "gamma"
    cluster: np.ndarray = field(default_factory=cluster_pmf)
    injury_ratio: float = 0.5
    grade_mix: np.ndarray = field(default_factory=lambda: disability_grade_mix()["share"].to_numpy(dtype=float))
    payout_share: np.ndarray = field(default_factory=lambda: disability_tables()["table_a"].to_numpy(dtype=float))
    civil_share: np.ndarray = field(default_factory=lambda: disability_tables()["table_b"].to_numpy(dtype=float))
    death_loss: float = field(default_factory=lambda: 20.0 * income(2024, "national"))
    rescue_share: float = 0.15
    medical_median: float = 2000.0
    medical_sigma: float = float(np.sqrt(2 * np.log(1.35)))
    frequency_multiplier: float = 1.0
    severity_multiplier: float = 1.0

    @classmethod
    def default(cls, **overrides) -> "LossModel":
        """The default model from the packaged reference data, with keyword overrides."""
        m = cls()
        return m.replace(**overrides) if overrides else m.validate()

    def replace(self, **overrides) -> "LossModel":
        names = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ValidationError(f"LossModel: unknown parameter(s) {unknown}; known: {sorted(names)}")
        return replace(self, **overrides).validate()

    # ------------------------------------------------------------------ validation
    def validate(self) -> "LossModel":
        fr = self.frequencies
        if not isinstance(fr, pd.DataFrame):
            raise ValidationError("LossModel.frequencies: must be a DataFrame indexed by industry")
        need = {"deaths_per_100k", "disabilities_per_100k", "medical_per_100"}
        if not need <= set(fr.columns):
            raise ValidationError(f"LossModel.frequencies: missing column(s) {sorted(need - set(fr.columns))}")
        unknown = sorted(set(fr.index) - set(INDUSTRIES))
        if unknown:
            raise ValidationError(f"LossModel.frequencies: unknown industry code(s) {unknown}; allowed: {list(INDUSTRIES)}")
        missing = [i for i in INDUSTRIES if i not in fr.index]
        if missing:
            raise ValidationError(f"LossModel.frequencies: no frequencies for industry code(s) {missing}")
        vals = fr[sorted(need)].to_numpy(dtype=float)
        if not np.isfinite(vals).all() or (vals < 0).any():
            raise ValidationError("LossModel.frequencies: frequencies must be finite and >= 0")
        if (fr["disabilities_per_100k"] < self.injury_ratio * fr["deaths_per_100k"]).any():
            bad = fr.index[fr["disabilities_per_100k"] < self.injury_ratio * fr["deaths_per_100k"]].tolist()
            raise ValidationError(f"LossModel: disabilities_per_100k must be >= injury_ratio × deaths_per_100k (disabilities in fatal accidents); fails for {bad}")
        if self.counts not in ("poisson", "negbin"):
            raise ValidationError(f"LossModel.counts: must be 'poisson' or 'negbin', got {self.counts!r}")
        for name, hi in (("frailty_cv", 10.0), ("shock_cv", 5.0), ("injury_ratio", 50.0), ("rescue_share", 10.0), ("medical_sigma", 5.0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not np.isfinite(v) or v < 0 or v > hi:
                raise ValidationError(f"LossModel.{name}: must be a finite number in [0, {hi:g}], got {v!r}")
        if self.counts == "negbin" and self.frailty_cv <= 0:
            raise ValidationError("LossModel.frailty_cv: must be > 0 when counts='negbin'")
        for name, hi in (("death_loss", 1e9), ("medical_median", 1e8), ("frequency_multiplier", 100.0), ("severity_multiplier", 100.0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not np.isfinite(v) or v <= 0 or v > hi:
                raise ValidationError(f"LossModel.{name}: must be a finite number in (0, {hi:g}], got {v!r}")
        if self.shock_by not in ("industry", "region", "all"):
            raise ValidationError(f"LossModel.shock_by: must be 'industry', 'region' or 'all', got {self.shock_by!r}")
        if self.shock_dist not in ("gamma", "lognormal"):
            raise ValidationError(f"LossModel.shock_dist: must be 'gamma' or 'lognormal', got {self.shock_dist!r}")
        c = np.asarray(self.cluster, dtype=float)
        if c.ndim != 1 or c.size < 2 or (c < 0).any() or c[0] != 0 or not np.isclose(c.sum(), 1.0):
            raise ValidationError("LossModel.cluster: must be a pmf on 0..K with no mass at 0 deaths")
        for name in ("grade_mix", "payout_share", "civil_share"):
            a = np.asarray(getattr(self, name), dtype=float)
            if a.shape != (10,) or (a < 0).any() or not np.isfinite(a).all():
                raise ValidationError(f"LossModel.{name}: must be 10 finite values >= 0 (grades 1..10)")
        if not np.isclose(np.sum(self.grade_mix), 1.0):
            raise ValidationError("LossModel.grade_mix: shares must sum to 1")
        if (np.asarray(self.payout_share) > 1).any():
            raise ValidationError("LossModel.payout_share: shares of the limit must be <= 1")
        return self

    # ------------------------------------------------------------------ derived rates
    def mean_deaths_per_fatal(self) -> float:
        c = np.asarray(self.cluster)
        return float(c @ np.arange(c.size))

    def rates(self) -> pd.DataFrame:
        """Accident rates per worker-year by industry: ``fatal``, ``disability``, ``medical``."""
        fr = self.frequencies.loc[list(INDUSTRIES)]
        m = self.frequency_multiplier
        d = fr["deaths_per_100k"].to_numpy(float) / 1e5
        b = fr["disabilities_per_100k"].to_numpy(float) / 1e5
        return pd.DataFrame({
            "fatal": m * d / self.mean_deaths_per_fatal(),
            "disability": m * (b - self.injury_ratio * d),
            "medical": m * fr["medical_per_100"].to_numpy(float) / 100,
        }, index=pd.Index(INDUSTRIES, name="industry"))

    def medical_moments(self, cap: float) -> tuple[float, float]:
        """Mean and variance of ``min(X, cap)`` for the lognormal medical cost X (scaled)."""
        from scipy import stats

        mu = np.log(self.medical_median * self.severity_multiplier)
        s = self.medical_sigma
        z = (np.log(cap) - mu) / s
        m1 = np.exp(mu + s * s / 2) * stats.norm.cdf(z - s) + cap * stats.norm.sf(z)
        m2 = np.exp(2 * mu + 2 * s * s) * stats.norm.cdf(z - 2 * s) + cap * cap * stats.norm.sf(z)
        return float(m1), float(m2 - m1 * m1)

    def summary(self) -> pd.DataFrame:
        """Rates and expected casualties per 100 000 worker-years by industry."""
        r = self.rates()
        out = r * 1e5
        out.columns = [f"{c}_accidents_per_100k" for c in out.columns]
        return out.assign(mean_deaths_per_fatal=self.mean_deaths_per_fatal())
