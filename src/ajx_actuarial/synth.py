"""Synthetic portfolios and claim experience drawn from a known "truth" model.

The truth (:class:`TruthModel`) is explicit: true claim frequencies per worker-year by
industry, true multiplicative relativities for the observable rating factors, a region
effect, and gamma-distributed unobserved heterogeneity (frailty, mean 1). Calibration code
can therefore be checked against the parameters that generated the data.

Everything is vectorised; 10 million policies take a few seconds on two cores
(``python benchmarks/run.py``).

Frequencies default to DOMAIN.md §6.5 (``assumption``); sizes follow the NBS classes (§2.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._random import RngLike, generator
from .errors import ValidationError
from .portfolio import NATIONAL_MIN_LIMIT, PORTFOLIO_COLUMNS, RECTIFICATION_LEVELS, RISK_TIERS
from .reference import INDUSTRIES, SIZES, disability_grade_mix, disability_tables, industries

__all__ = ["TruthModel", "portfolio", "experience", "DEFAULT_INDUSTRY_MIX", "DEFAULT_SIZE_MIX", "DEFAULT_REGIONS"]

#: Default industry shares of a mandatory-insurance book (assumption).
DEFAULT_INDUSTRY_MIX: dict[str, float] = {
    "coal_mine": 0.03, "noncoal_mine": 0.05, "hazardous_chemicals": 0.12, "fireworks": 0.03,
    "civil_explosives": 0.01, "metallurgy": 0.06, "construction": 0.22, "transport": 0.18,
    "fishing": 0.05, "other": 0.25,
}
#: Size-class shares (large, medium, small, micro) by industry (assumption).
DEFAULT_SIZE_MIX: dict[str, tuple[float, float, float, float]] = {
    "coal_mine": (0.15, 0.35, 0.45, 0.05),
    "noncoal_mine": (0.05, 0.20, 0.50, 0.25),
    "hazardous_chemicals": (0.05, 0.15, 0.50, 0.30),
    "fireworks": (0.01, 0.09, 0.50, 0.40),
    "civil_explosives": (0.10, 0.30, 0.50, 0.10),
    "metallurgy": (0.10, 0.25, 0.45, 0.20),
    "construction": (0.05, 0.15, 0.45, 0.35),
    "transport": (0.03, 0.12, 0.45, 0.40),
    "fishing": (0.00, 0.02, 0.28, 0.70),
    "other": (0.01, 0.06, 0.38, 0.55),
}
#: Headcount bounds per size class (NBS 2017; large capped at 20 000 for synthesis).
HEADCOUNT_BOUNDS: dict[str, tuple[int, int]] = {
    "large": (1000, 20000), "medium": (300, 999), "small": (20, 299), "micro": (1, 19),
}
DEFAULT_REGIONS: tuple[str, ...] = ("beijing", "shanxi", "zhejiang", "hebei", "guangdong", "guangxi", "fujian", "anhui")
DEFAULT_LIMIT_MIX: dict[float, float] = {400_000.0: 0.55, 500_000.0: 0.25, 600_000.0: 0.12, 800_000.0: 0.08}


def _default_relativities() -> dict[str, dict]:
    return {
        "size": {"large": 0.85, "medium": 0.95, "small": 1.0, "micro": 1.15},
        "std_grade": {0: 1.0, 1: 0.75, 2: 0.85, 3: 0.93},
        "violations": {0: 1.0, 1: 1.15, 2: 1.35},  # 2 means "2 or more"
        "blacklisted": {False: 1.0, True: 1.30},
        "rectification": {"on_time": 1.0, "late": 1.12, "overdue_major": 1.40},
    }


def _default_region_effects() -> dict[str, float]:
    vals = (0.85, 1.20, 0.90, 1.10, 1.00, 1.15, 0.95, 1.05)
    return dict(zip(DEFAULT_REGIONS, vals))


@dataclass(frozen=True)
class TruthModel:
    """The data-generating model behind :func:`portfolio` history and :func:`experience`.

    Frequencies are per worker-year. A policy's true claim rate is
    ``headcount × (minor_freq + severe_freq)[industry] × Π relativities × region_effect × θ``
    with ``θ ~ Gamma(1/cv², cv²)`` (mean 1) persistent over the policy's years.
    Severe claims are single casualties: death with probability
    ``death_freq / severe_freq``, otherwise a disability with grade drawn from ``grade_mix``.

    Attributes
    ----------
    minor_freq, death_freq, disability_freq : dict industry -> float
        Per worker-year (DOMAIN.md §6.5: medical per 100, deaths and disabilities per 100 000).
    relativities : dict factor -> {level: multiplier}
        True multiplicative effects (``violations`` level 2 stands for "2 or more").
    region_effects : dict region -> multiplier
    frailty_cv : float
        Coefficient of variation of the unobserved heterogeneity (0 = pure Poisson).
    medical_median, medical_sigma : float
        Lognormal medical cost per minor claim (median 2 000, mean ≈ 2 700 CNY; §6.5).
    """

    minor_freq: dict[str, float]
    death_freq: dict[str, float]
    disability_freq: dict[str, float]
    relativities: dict[str, dict] = field(default_factory=_default_relativities)
    region_effects: dict[str, float] = field(default_factory=_default_region_effects)
    frailty_cv: float = 0.5
    medical_median: float = 2000.0
    medical_sigma: float = float(np.sqrt(2 * np.log(1.35)))
    grade_mix: tuple[float, ...] = ()
    disability_table: tuple[float, ...] = ()

    @classmethod
    def default(cls, **overrides) -> "TruthModel":
        """DOMAIN.md §6.5 frequencies, Table A disability shares, default relativities."""
        ind = industries()
        mix = disability_grade_mix()["share"].to_numpy(dtype=float)
        table = disability_tables()["table_a"].to_numpy(dtype=float)
        base = cls(
            minor_freq={k: float(v) / 100 for k, v in ind["medical_per_100"].items()},
            death_freq={k: float(v) / 1e5 for k, v in ind["deaths_per_100k"].items()},
            disability_freq={k: float(v) / 1e5 for k, v in ind["disabilities_per_100k"].items()},
            grade_mix=tuple(mix / mix.sum()),
            disability_table=tuple(table),
        )
        return replace(base, **overrides) if overrides else base

    def claim_freq(self) -> dict[str, float]:
        """Total claim frequency per worker-year by industry (minor + severe)."""
        return {k: self.minor_freq[k] + self.death_freq[k] + self.disability_freq[k] for k in self.minor_freq}

    def relativity(self, df: pd.DataFrame) -> np.ndarray:
        """Product of the true relativities (and region effect) for each row of ``df``."""
        rel = np.ones(len(df))
        r = self.relativities
        for fac, table in r.items():
            if fac not in df.columns:
                continue
            col = df[fac]
            if fac == "violations":
                keys = np.minimum(col.to_numpy(dtype=np.int64), max(table))
                lut = np.array([table[k] for k in sorted(table)])
                rel *= lut[keys]
            else:
                rel *= col.map(table).to_numpy(dtype=np.float64)
        if "region" in df.columns and self.region_effects:
            rel *= df["region"].map(self.region_effects).fillna(1.0).to_numpy(dtype=np.float64)
        return rel

    def expected_claims(self, df: pd.DataFrame, exposure: np.ndarray | None = None) -> np.ndarray:
        """Expected claims (before frailty) for rows of ``df`` over ``exposure`` worker-years."""
        freq = df["industry"].map(self.claim_freq()).to_numpy(dtype=np.float64)
        expo = df["headcount"].to_numpy(dtype=np.float64) if exposure is None else exposure
        return expo * freq * self.relativity(df)

    def as_dict(self) -> dict:
        return {
            "minor_freq": dict(self.minor_freq), "death_freq": dict(self.death_freq),
            "disability_freq": dict(self.disability_freq), "relativities": {k: dict(v) for k, v in self.relativities.items()},
            "region_effects": dict(self.region_effects), "frailty_cv": self.frailty_cv,
        }


def _check_mix(mix: Mapping[str, float], allowed: tuple[str, ...], name: str) -> np.ndarray:
    unknown = sorted(set(mix) - set(allowed))
    if unknown:
        raise ValidationError(f"{name}: unknown code(s) {unknown}; allowed: {list(allowed)}")
    p = np.array([float(mix.get(k, 0.0)) for k in allowed])
    if (p < 0).any() or not np.isfinite(p).all() or p.sum() <= 0:
        raise ValidationError(f"{name}: shares must be finite, >= 0 and not all zero, got {dict(mix)}")
    return p / p.sum()


def _frailty(g: np.random.Generator, n: int, cv: float) -> np.ndarray:
    if cv <= 0:
        return np.ones(n)
    shape = 1.0 / cv**2
    return g.gamma(shape, 1.0 / shape, size=n)


def portfolio(
    n: int,
    *,
    rng: RngLike = None,
    industry_mix: Mapping[str, float] | None = None,
    size_mix: Mapping[str, tuple[float, float, float, float]] | None = None,
    regions: Mapping[str, float] | tuple[str, ...] | None = None,
    limit_death: float | Mapping[float, float] | None = None,
    truth: TruthModel | None = None,
) -> pd.DataFrame:
    """A realistic heterogeneous book satisfying the portfolio contract (DESIGN.md §4).

    Industry mix, size by industry, headcount within the NBS bounds of the size class
    (log-uniform, skewed toward the lower bound), a latent management quality that drives
    standardisation grade, violations, blacklisting and rectification together, and a
    3-year claim history drawn from ``truth`` (so the history is informative of risk).

    Parameters
    ----------
    n : int
        Number of policies (>= 1).
    rng : int | SeedSequence | Generator | None
        Same seed ⇒ identical frame.
    industry_mix : mapping industry -> share, optional
        Defaults to :data:`DEFAULT_INDUSTRY_MIX`; shares are normalised.
    size_mix : mapping industry -> (large, medium, small, micro) shares, optional
    regions : mapping region -> share, or a tuple of regions (equal shares), optional
    limit_death : float or mapping limit -> share, optional
        Per-person death/disability limit; every value must be >= 400 000 (N25 Art. 15).
    truth : TruthModel, optional
        Generates the claim history; defaults to :meth:`TruthModel.default`.

    Returns
    -------
    DataFrame
        All contract columns with their normalised dtypes, ``policy_id`` 1..n.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> df = ajx.synth.portfolio(1000, rng=1)
    >>> len(df), bool((df["limit_death"] >= 400_000).all())
    (1000, True)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValidationError(f"portfolio: n must be an integer >= 1, got {n!r}")
    n = int(n)
    g = generator(rng)
    truth = truth or TruthModel.default()
    p_ind = _check_mix(industry_mix or DEFAULT_INDUSTRY_MIX, INDUSTRIES, "industry_mix")
    smix = dict(DEFAULT_SIZE_MIX)
    if size_mix:
        unknown = sorted(set(size_mix) - set(INDUSTRIES))
        if unknown:
            raise ValidationError(f"size_mix: unknown industry code(s) {unknown}")
        smix.update(size_mix)
    if regions is None:
        regions = {r: 1.0 for r in DEFAULT_REGIONS}
    elif not isinstance(regions, Mapping):
        regions = {r: 1.0 for r in regions}
    reg_names = tuple(regions)
    p_reg = _check_mix(regions, reg_names, "regions")

    ind_codes = g.choice(len(INDUSTRIES), size=n, p=p_ind).astype(np.int8)
    # size by industry: inverse-CDF on a per-industry cumulative table
    cum = np.cumsum(np.array([_check_mix(dict(zip(SIZES, smix[k])), SIZES, f"size_mix[{k}]") for k in INDUSTRIES]), axis=1)
    cum[:, -1] = 1.0
    u = g.random(n)
    size_codes = (u[:, None] >= cum[ind_codes]).sum(axis=1).astype(np.int8)
    lo = np.array([HEADCOUNT_BOUNDS[s][0] for s in SIZES], dtype=np.float64)[size_codes]
    hi = np.array([HEADCOUNT_BOUNDS[s][1] for s in SIZES], dtype=np.float64)[size_codes]
    v = g.random(n) ** 1.6
    headcount = np.floor(np.exp(np.log(lo) + v * (np.log(hi + 1) - np.log(lo)))).astype(np.int64)
    np.clip(headcount, lo.astype(np.int64), hi.astype(np.int64), out=headcount)
    region_codes = g.choice(len(reg_names), size=n, p=p_reg)

    # latent management quality q ~ N(0,1): good management -> better grade, fewer violations
    q = g.standard_normal(n)
    z = q + 0.6 * g.standard_normal(n)
    # grade: 1 (best) top ~8 %, 2 next ~17 %, 3 next ~25 %, rest none (0); larger firms graded more
    size_shift = np.array([0.6, 0.3, 0.0, -0.4])[size_codes]
    zz = z + size_shift
    std_grade = np.where(zz > 1.6, 1, np.where(zz > 0.9, 2, np.where(zz > 0.2, 3, 0))).astype(np.int64)
    violations = g.poisson(0.35 * np.exp(-0.6 * q)).astype(np.int64)
    blacklisted = g.random(n) < 0.015 * np.exp(-0.9 * q)
    rz = -q + 0.8 * g.standard_normal(n)
    rect_codes = np.where(rz > 2.0, 2, np.where(rz > 1.0, 1, 0)).astype(np.int8)
    rescue = g.random(n) < 0.05 + 0.05 * (q > 0)
    dual = g.random(n) < 1.0 / (1.0 + np.exp(-(0.5 + q)))

    if limit_death is None:
        limit_death = DEFAULT_LIMIT_MIX
    if isinstance(limit_death, Mapping):
        levels = np.array([float(k) for k in limit_death], dtype=np.float64)
        p_lim = _check_mix({str(k): v for k, v in limit_death.items()}, tuple(str(k) for k in limit_death), "limit_death")
        limits = levels[g.choice(len(levels), size=n, p=p_lim)]
    else:
        levels = np.array([float(limit_death)])
        limits = np.full(n, float(limit_death))
    if not np.isfinite(levels).all() or (levels < NATIONAL_MIN_LIMIT).any():
        raise ValidationError(f"limit_death: every limit must be >= {NATIONAL_MIN_LIMIT:,.0f} CNY (N25 Art. 15), got {sorted(levels.tolist())}")

    df = pd.DataFrame({
        "policy_id": np.arange(1, n + 1, dtype=np.int64),
        "industry": pd.Categorical.from_codes(ind_codes, categories=list(INDUSTRIES)),
        "size": pd.Categorical.from_codes(size_codes, categories=list(SIZES)),
        "headcount": headcount,
        "region": np.asarray(reg_names, dtype=object)[region_codes],
        "std_grade": std_grade,
        "violations": violations,
        "blacklisted": blacklisted,
    })
    df["rectification"] = pd.Categorical.from_codes(rect_codes, categories=list(RECTIFICATION_LEVELS))

    # 3-year history from the truth (frailty persistent over the three years)
    lam = truth.expected_claims(df) * _frailty(g, n, truth.frailty_cv)
    claim_freq = df["industry"].map(truth.claim_freq()).to_numpy(dtype=np.float64)
    death_freq = df["industry"].map(truth.death_freq).to_numpy(dtype=np.float64)
    severe_share = (death_freq + df["industry"].map(truth.disability_freq).to_numpy(dtype=np.float64)) / claim_freq
    fatal_share = death_freq / (severe_share * claim_freq)
    acc = np.empty((3, n), dtype=np.int64)
    deaths = np.zeros(n, dtype=np.int64)
    for y in range(3):
        severe = g.poisson(lam * severe_share)
        acc[y] = severe + g.poisson(lam * (1.0 - severe_share))
        deaths += g.binomial(severe, fatal_share)
    # consecutive claim-free years counted back from the most recent year (3 = 3 or more)
    claim_free = np.where(acc[2] > 0, 0, np.where(acc[1] > 0, 1, np.where(acc[0] > 0, 2, 3))).astype(np.int64)

    df["accidents_3y"] = acc.sum(axis=0)
    df["deaths_3y"] = deaths
    df["max_accident_deaths_3y"] = deaths  # one casualty per claim in this generator (placeholder until per-accident histories)
    df["claim_free_years"] = claim_free
    df["rescue_participation"] = rescue
    # insurer's risk tier: from the (noisy) management quality and the industry's hazard level
    hazard = np.log(df["industry"].map(truth.claim_freq()).to_numpy(dtype=np.float64) / 0.01)
    tz = -q + hazard + 0.7 * g.standard_normal(n)
    df["risk_tier"] = pd.Categorical.from_codes(np.where(tz > 1.2, 2, np.where(tz > -0.6, 1, 0)).astype(np.int8), categories=list(RISK_TIERS))
    df["dual_prevention"] = dual
    df["limit_death"] = limits
    df["limit_medical"] = 0.10 * limits
    df["limit_accident"] = 10.0 * limits
    df["limit_annual"] = 20.0 * limits
    return df[[c.name for c in PORTFOLIO_COLUMNS]]


def experience(
    portfolio: pd.DataFrame,
    years: int,
    *,
    rng: RngLike = None,
    truth: TruthModel | None = None,
    start_year: int = 2021,
    partial_share: float = 0.1,
) -> pd.DataFrame:
    """Policy-year claim experience for ``portfolio`` drawn from a known ``truth``.

    Each policy gets a frailty θ (persistent across its years). Per policy-year: exposure =
    headcount × t, with t = 1 except for a ``partial_share`` of rows with t ~ U(0.25, 1)
    (mid-year inception); minor claims ~ Poisson, severe claims ~ Poisson, each severe claim
    one casualty (death, or disability with a grade from the truth's grade mix); incurred =
    lognormal medical costs (capped at ``limit_medical``) + deaths × ``limit_death`` +
    Σ disability share × ``limit_death``.

    Returns
    -------
    DataFrame
        The experience contract (``policy_id``, ``year``, rating columns, ``exposure``,
        ``claims``, ``deaths``, ``disabilities``, ``incurred``), ordered by policy then year.
        ``df.attrs["truth"]`` holds ``truth.as_dict()`` (the :class:`TruthModel` itself is
        the ``truth`` argument you passed, or :meth:`TruthModel.default`).
    """
    from .portfolio import validate_portfolio

    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise ValidationError(f"experience: years must be an integer >= 1, got {years!r}")
    if not 0.0 <= partial_share <= 1.0:
        raise ValidationError(f"experience: partial_share must be in [0, 1], got {partial_share!r}")
    pf = validate_portfolio(portfolio)
    g = generator(rng)
    truth = truth or TruthModel.default()
    n = len(pf)
    theta = _frailty(g, n, truth.frailty_cv)
    rows = np.repeat(np.arange(n), years)
    yr = np.tile(np.arange(start_year, start_year + years, dtype=np.int64), n)
    base = pf.iloc[rows].reset_index(drop=True)
    m = n * years
    t = np.ones(m)
    part = g.random(m) < partial_share
    t[part] = g.uniform(0.25, 1.0, size=int(part.sum()))
    exposure = base["headcount"].to_numpy(dtype=np.float64) * t

    lam = truth.expected_claims(base, exposure) * theta[rows]
    claim_freq = base["industry"].map(truth.claim_freq()).to_numpy(dtype=np.float64)
    d_f = base["industry"].map(truth.death_freq).to_numpy(dtype=np.float64)
    s_f = d_f + base["industry"].map(truth.disability_freq).to_numpy(dtype=np.float64)
    severe = g.poisson(lam * s_f / claim_freq)
    minor = g.poisson(lam * (1.0 - s_f / claim_freq))
    deaths = g.binomial(severe, d_f / s_f)
    disab = severe - deaths

    limit = base["limit_death"].to_numpy(dtype=np.float64)
    lim_med = base["limit_medical"].to_numpy(dtype=np.float64)
    owner = np.repeat(np.arange(m), minor)
    med = np.minimum(g.lognormal(np.log(truth.medical_median), truth.medical_sigma, size=owner.size), lim_med[owner])
    incurred = np.bincount(owner, weights=med, minlength=m)
    incurred += deaths * limit
    d_owner = np.repeat(np.arange(m), disab)
    grades = g.choice(len(truth.grade_mix), size=d_owner.size, p=np.asarray(truth.grade_mix))
    incurred += np.bincount(d_owner, weights=np.asarray(truth.disability_table)[grades] * limit[d_owner], minlength=m)

    out = base.drop(columns=["accidents_3y", "deaths_3y", "max_accident_deaths_3y", "claim_free_years"], errors="ignore")
    out.insert(1, "year", yr)
    out["exposure"] = exposure
    out["claims"] = (severe + minor).astype(np.int64)
    out["deaths"] = deaths.astype(np.int64)
    out["disabilities"] = disab.astype(np.int64)
    out["incurred"] = incurred
    out.attrs["truth"] = truth.as_dict()
    return out
