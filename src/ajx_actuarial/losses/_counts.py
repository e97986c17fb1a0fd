"""Count laws of the annual-aggregate term: Poisson or negative binomial counts per accident type,
mixed over the common shock ``M`` (mean 1), and the tail sizes the exact term needs.

With negative binomial counts the simulation's cluster representation gives, given ``M``,
``NB(size = M r m, p = 1 − q)`` with ``q = (λ/m) / (r + λ/m)`` (``m`` the frequency multiplier).
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

__all__ = ["Shock", "aggregate_shock", "nb_params", "nb_pmf", "count_top", "tail_prob"]


class Shock:
    """The common shock M (mean 1): none, gamma(1/cv², cv²) or lognormal with CV ``cv``."""

    def __init__(self, cv: float, dist: str, nodes: int = 48):
        self.cv = float(cv)
        self.dist = dist if cv > 0 else "none"
        if self.dist == "lognormal":
            s2 = np.log1p(cv**2)
            z, w = special.roots_hermite(nodes)
            self.m = np.exp(-s2 / 2 + np.sqrt(2 * s2) * z)
            w = w / np.sqrt(np.pi)
            keep = w > 1e-300
            self.m, self.w = self.m[keep], w[keep] / w[keep].sum()
        self.alpha = 1.0 / cv**2 if self.dist == "gamma" else np.inf

    def mix(self, ell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``E[exp(M ℓ)]`` and ``E[M exp(M ℓ)]`` for complex ``ℓ`` (Re ℓ ≤ 0)."""
        if self.dist == "none":
            e = np.exp(ell)
            return e, e
        if self.dist == "gamma":
            base = 1.0 - ell / self.alpha
            e = np.exp(-self.alpha * np.log(base))
            return e, e / base
        e = np.zeros_like(ell)
        d = np.zeros_like(ell)
        for m, w in zip(self.m, self.w):
            x = w * np.exp(m * ell)
            e = e + x
            d = d + m * x
        return e, d

    def poisson_pmf(self, lam: np.ndarray, top: int) -> np.ndarray:
        """pmf on 0..top of Poisson(M λ) mixed over M, one row per λ (recurrences, no special functions)."""
        n = lam.size
        out = np.empty((n, top + 1))
        if self.dist == "lognormal":
            return sum(w * Shock(0, "none").poisson_pmf(m * lam, top) for m, w in zip(self.m, self.w))
        if self.dist == "none":
            out[:, 0] = np.exp(-lam)
            for k in range(1, top + 1):
                out[:, k] = out[:, k - 1] * lam / k
            return out
        a = self.alpha  # gamma shock: negative binomial(a, a / (a + λ))
        p = lam / (a + lam)
        out[:, 0] = np.exp(a * np.log1p(-p))
        for k in range(1, top + 1):
            out[:, k] = out[:, k - 1] * (a + k - 1) / k * p
        return out

    def poisson_sf(self, lam: np.ndarray, top: int) -> np.ndarray:
        if self.dist == "none":
            return stats.poisson.sf(top, lam)
        if self.dist == "gamma":
            a = self.alpha
            return stats.nbinom.sf(top, a, a / (a + lam))
        return self.w @ stats.poisson.sf(top, self.m[:, None] * np.asarray(lam)[None, :])

    def nodes(self) -> tuple[np.ndarray, np.ndarray]:
        """Quadrature (M, weight) for the negative binomial tables (computed once per shock)."""
        if not hasattr(self, "_nodes"):
            self._nodes = self._quadrature()
        return self._nodes

    def _quadrature(self) -> tuple[np.ndarray, np.ndarray]:
        if self.dist == "none":
            return np.ones(1), np.ones(1)
        if self.dist == "gamma":
            if self.alpha > 100:  # CV < 0.1: Gauss–Laguerre overflows; the lognormal of the same CV (Gauss–Hermite)
                s2 = np.log1p(1.0 / self.alpha)
                z, w = special.roots_hermite(24)
                return np.exp(-s2 / 2 + np.sqrt(2 * s2) * z), w / w.sum()
            x, w = special.roots_genlaguerre(64, self.alpha - 1.0)
            w = np.exp(np.log(w) - special.gammaln(self.alpha))
            keep = w > 1e-300
            return x[keep] / self.alpha, w[keep] / w[keep].sum()
        return self.m, self.w


def aggregate_shock(model):
    """The one multiplier the annual-aggregate term integrates: the common shock alone (exact), or,
    with systemic or parameter risk, a gamma of the combined CV ``√((1+shock²)(1+year²)(1+p²) − 1)``,
    ``p`` the larger of the fatal and disability parameter CVs. The product of lognormal year and
    parameter draws is not gamma: this approximates a term that is small wherever the aggregate
    limit is at its default (2 × the per-accident limit), and the gamma keeps it in closed form."""
    p = max(float(model.parameter_cv.get("fatal", 0.0)), float(model.parameter_cv.get("disability", 0.0)))
    y = float(model.year_cv)
    if p == 0 and y == 0:
        return Shock(model.shock_cv, model.shock_dist)
    cv2 = (1 + model.shock_cv**2) * (1 + y * y) * (1 + p * p) - 1
    return Shock(float(np.sqrt(cv2)), "gamma")


def nb_pmf(size: float, q: np.ndarray, top: int) -> np.ndarray:
    """NB(size, 1 − q) pmf on 0..top by recurrence, one row per q."""
    out = np.empty((q.size, top + 1))
    out[:, 0] = np.exp(size * np.log1p(-q))
    for k in range(1, top + 1):
        out[:, k] = out[:, k - 1] * (size + k - 1) / k * q
    return out


def count_top(kind, lam, r, mult, shock) -> np.ndarray:
    """Per policy, a count beyond which the (mixed) count law of one type has mass below 1e-17
    (the ladder 8, 12, 17, … of factor 1.4; every policy still above the mass moves up one rung)."""
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    tops = np.full(lam.size, 8, dtype=np.int64)
    todo = np.arange(lam.size)
    top = 8
    while todo.size:
        todo = todo[tail_prob(kind, lam[todo], r, mult, shock, top) > 1e-17]
        if top >= 10**7 or todo.size == 0:
            break
        top = int(top * 1.4) + 1
        tops[todo] = top
    return tops


def nb_params(lam, r, mult):
    """``(size, q)`` of the negative binomial count given M = 1: NB(r·mult, 1 − q), q = (λ/mult) / (r + λ/mult)."""
    lamb = lam / mult
    q = lamb / (r + lamb)
    return r * mult, q


def tail_prob(kind, lam, r, mult, shock, top):
    """P(N_t > top) per policy, mixed over the shock (one vectorised call over nodes × policies)."""
    if kind == "poisson":
        return shock.poisson_sf(lam, top)
    size, q = nb_params(lam, r, mult)
    ms, ws = shock.nodes()
    return ws @ stats.nbinom.sf(top, ms[:, None] * size, 1.0 - np.asarray(q)[None, :])
