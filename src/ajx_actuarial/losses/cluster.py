"""Deaths per fatal accident: the cluster law calibrated to the accident grades of State Council
Order 493 (DOMAIN.md §6.2; ``reference/data/loss_model/default.toml`` ``[cluster]``)."""

from __future__ import annotations

import numpy as np

from ..errors import ValidationError

__all__ = ["cluster_pmf"]


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
