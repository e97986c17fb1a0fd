"""The annual aggregate limit, exactly: ``E[min(S, A)]`` and its pro-rata split into parts.

For one policy-year, ``S = Σ_fatal T_i + Σ_disability T_j`` (accident payouts after the
per-person and per-accident limits; medical-only claims are outside the aggregate, as in the
simulation). The aggregate pays ``min(S, A)`` and scales every accident's parts by
``g(S) = min(1, A / S)``.

Counts given the year's common shock ``M`` (mean 1) are independent per type: Poisson(``M λ_t``)
or, with negative binomial counts, the simulation's cluster representation — Poisson(``M w_t``)
clusters of logarithmic(``q_t``) accidents, i.e. ``NB(size = M r m, p = 1 − q_t)`` where ``m`` is
the frequency multiplier. Mixed over ``M``: closed forms for a gamma shock (negative
binomial / negative multinomial), Gauss–Hermite quadrature for a lognormal one.

* ``E[(S − A)+] = Σ_n P(N = n) c_n`` (Poisson: one count ``N`` of iid mixture accidents, since
  ``λ_f / λ_d`` is fixed within an industry), or ``Σ_{m,n} P(m, n) c_{m,n}`` (negative binomial).
* Part reductions by exchangeability (the Palm–Mecke identity ``E[Σ_i h(X_i, S)] = E[N h(X_1, S)]``):
  ``Σ_n n P(N = n) E[X_j (1 − g(X + X^{*(n−1)}))]``.

Laws live on the lattice ``0, h, 2h, ...`` with ``h = A / 1024``; convolutions are powers of the
discrete Fourier transforms (``scipy.fft``), and the functionals are evaluated by Parseval's
identity. Policies with small counts share tables (matrix products over the whole group);
policies with large counts get one transform each, from the closed-form probability
generating function.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import fft as sfft
from scipy import special, stats

__all__ = ["AggregateLaws", "Shock", "aggregate_terms", "N_LATTICE"]

N_LATTICE = 1024  # lattice points per aggregate limit
_TABLE_MAX = 12  # counts carried in the shared tables (larger counts: one transform per policy)
_EPS = 1e-16


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
            return base ** (-self.alpha), base ** (-self.alpha - 1.0)
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
        return sum(w * stats.poisson.sf(top, m * lam) for m, w in zip(self.m, self.w))

    def nodes(self) -> tuple[np.ndarray, np.ndarray]:
        """Quadrature (M, weight) for the negative binomial tables."""
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


class AggregateLaws:
    """Lattice laws of one accident of each type with part weights ``E[part · 1{T = t}]``.

    ``fatal``: dict with ``pmf``, ``death``, ``cas`` (+ extra weights); ``dis``: dict with
    ``pmf``, ``w`` (the disability part = the whole payout).
    """

    def __init__(self, A: float, fatal: dict, dis: dict):
        self.A = float(A)
        self.h = self.A / N_LATTICE
        self.fatal = fatal
        self.dis = dis


@functools.lru_cache(maxsize=64)
def _functionals(G: int, h: float, A: float) -> tuple[np.ndarray, np.ndarray]:
    """``ψ(y) = (y h − A)+`` and ``γ(y) = (1 − A / (y h))+`` on the lattice, transformed for Parseval."""
    y = np.arange(G) * h
    psi = np.maximum(y - A, 0.0)
    gam = np.where(y > A, 1.0 - A / np.where(y > 0, y, 1.0), 0.0)
    wt = np.full(G // 2 + 1, 2.0)
    wt[0] = 1.0
    if G % 2 == 0:
        wt[-1] = 1.0
    return np.conj(sfft.rfft(psi)) * wt / G, np.conj(sfft.rfft(gam)) * wt / G


def aggregate_terms(laws: AggregateLaws, kind: str, lam_f: np.ndarray, lam_d: np.ndarray, r: float, mult: float,
                    shock: Shock, fatal_weights: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Per policy: ``excess`` = E[(S − A)+] and the reduction of every fatal weight in
    ``fatal_weights`` (keys of ``laws.fatal``) and of the disability part (``dis``).

    ``lam_*``: expected accidents per year; ``r``: negative binomial frailty shape; ``mult``:
    the frequency multiplier (negative binomial cluster rate); ``shock``: common shock law.
    """
    n = lam_f.size
    out = {k: np.zeros(n) for k in ("excess", "dis", *fatal_weights)}
    if n == 0:
        return out
    lam_f = np.maximum(lam_f, 1e-300)
    lam_d = np.maximum(lam_d, 1e-300)
    # counts each policy needs (tail mass below 1e-16), in a few buckets; large counts one by one
    tops = np.full(n, -1)
    for t in (4, 8, _TABLE_MAX):
        ok = (_sf(kind, lam_f, r, mult, shock, t) < _EPS) & (_sf(kind, lam_d, r, mult, shock, t) < _EPS)
        tops = np.where((tops < 0) & ok, t, tops)
    for t in np.unique(tops[tops > 0]):
        idx = np.flatnonzero(tops == t)
        res = _tables(laws, kind, lam_f[idx], lam_d[idx], r, mult, shock, int(t), fatal_weights)
        for k in out:
            out[k][idx] = res[k]
    big = np.flatnonzero(tops < 0)
    if big.size:
        res = _large_counts(laws, kind, lam_f[big], lam_d[big], r, mult, shock, fatal_weights)
        for k in out:
            out[k][big] = res[k]
    return out


def _count_top(kind, lam, r, mult, shock) -> int:
    """A count beyond which the (mixed) count law of one type has mass below 1e-17."""
    top = 8
    while _sf(kind, np.array([float(lam)]), r, mult, shock, top)[0] > 1e-17 and top < 10**7:
        top = int(top * 1.4) + 1
    return top


def _nb_params(lam, r, mult):
    lamb = lam / mult
    q = lamb / (r + lamb)
    return r * mult, q


def _sf(kind, lam, r, mult, shock, top):
    """P(N_t > top) per policy, mixed over the shock."""
    if kind == "poisson":
        return shock.poisson_sf(lam, top)
    size, q = _nb_params(lam, r, mult)
    ms, ws = shock.nodes()
    return sum(w * stats.nbinom.sf(top, m * size, 1.0 - q) for m, w in zip(ms, ws))


def _nb_pmf(size: float, q: np.ndarray, top: int) -> np.ndarray:
    """NB(size, 1 − q) pmf on 0..top by recurrence, one row per q."""
    out = np.empty((q.size, top + 1))
    out[:, 0] = np.exp(size * np.log1p(-q))
    for k in range(1, top + 1):
        out[:, k] = out[:, k - 1] * (size + k - 1) / k * q
    return out


def _joint(kind, lam_f, lam_d, r, mult, shock, top) -> np.ndarray:
    """P(N_f = m, N_d = n) for m, n in 0..top, per policy: (n_pol, top+1, top+1)."""
    if kind == "poisson" and shock.dist != "lognormal":
        if shock.dist == "none":
            pf = Shock(0, "none").poisson_pmf(lam_f, top)
            pd_ = Shock(0, "none").poisson_pmf(lam_d, top)
            return pf[:, :, None] * pd_[:, None, :]
        # gamma shock: negative multinomial = NB(total) × binomial split
        lam = lam_f + lam_d
        tot = shock.poisson_pmf(lam, 2 * top)
        p = lam_f / lam
        m = np.arange(top + 1)
        M, N = np.meshgrid(m, m, indexing="ij")
        logc = special.gammaln(M + N + 1) - special.gammaln(M + 1) - special.gammaln(N + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            lp, lq = np.log(p)[:, None, None], np.log1p(-p)[:, None, None]
            expo = logc[None] + np.where(M[None] > 0, M[None] * lp, 0.0) + np.where(N[None] > 0, N[None] * lq, 0.0)
        return tot[:, M + N] * np.exp(expo)
    ms, ws = shock.nodes()
    out = 0.0
    for mm, w in zip(ms, ws):
        if kind == "poisson":
            pf = Shock(0, "none").poisson_pmf(mm * lam_f, top)
            pd_ = Shock(0, "none").poisson_pmf(mm * lam_d, top)
        else:
            size, qf = _nb_params(lam_f, r, mult)
            _, qd = _nb_params(lam_d, r, mult)
            pf, pd_ = _nb_pmf(mm * size, qf, top), _nb_pmf(mm * size, qd, top)
        out = out + w * pf[:, :, None] * pd_[:, None, :]
    return out


def _tables(laws, kind, lam_f, lam_d, r, mult, shock, top, fatal_weights) -> dict[str, np.ndarray]:
    """Two-way tables over (fatal count, disability count), shared by all the policies given."""
    fa, di = laws.fatal, laws.dis
    G = sfft.next_fast_len((top + 1) * (fa["pmf"].size + di["pmf"].size) + 2, real=True)
    cpsi, cgam = _functionals(G, laws.h, laws.A)
    Ff, Fd = sfft.rfft(fa["pmf"], G), sfft.rfft(di["pmf"], G)
    Pf = np.empty((top + 1, Ff.size), dtype=complex)
    Pd = np.empty((top + 1, Fd.size), dtype=complex)
    Pf[0] = Pd[0] = 1.0
    for k in range(1, top + 1):
        Pf[k] = Pf[k - 1] * Ff
        Pd[k] = Pd[k - 1] * Fd
    # every table in one complex matrix product: rows (functional × fatal count), columns disability count
    weights = [cpsi] + [sfft.rfft(fa[name], G) * cgam for name in fatal_weights] + [sfft.rfft(di["w"], G) * cgam]
    stacked = np.concatenate([Pf * w for w in weights], axis=0)
    tabs = np.real(stacked @ Pd.T).reshape(len(weights), top + 1, top + 1)
    C = tabs[0]
    Rf = {name: tabs[1 + k] for k, name in enumerate(fatal_weights)}
    Rd = tabs[-1]
    n = lam_f.size
    out = {k: np.zeros(n) for k in ("excess", "dis", *fatal_weights)}
    kk = np.arange(top + 1, dtype=np.float64)
    step = max(1, 2_000_000 // (top + 1) ** 2)
    for lo in range(0, n, step):
        sl = slice(lo, min(n, lo + step))
        P = _joint(kind, lam_f[sl], lam_d[sl], r, mult, shock, top)
        out["excess"][sl] = np.einsum("imn,mn->i", P, C)
        Pm = P[:, 1:, :] * kk[None, 1:, None]  # m P(m, n) against m - 1 other fatal accidents
        for name, R in Rf.items():
            out[name][sl] = np.einsum("imn,mn->i", Pm, R[:-1, :])
        Pn = P[:, :, 1:] * kk[None, None, 1:]
        out["dis"][sl] = np.einsum("imn,mn->i", Pn, Rd[:, :-1])
    return out


def _log_pgf(kind, F, lam, r, mult):
    """ℓ(F) (log pgf given M = 1) and dℓ/dF at the transform F (``lam`` broadcasts against F)."""
    if kind == "poisson":
        return lam * (F - 1.0), lam * np.ones_like(F)
    size, q = _nb_params(lam, r, mult)
    return size * (np.log1p(-q) - np.log(1.0 - q * F)), size * q / (1.0 - q * F)


def _large_counts(laws, kind, lam_f, lam_d, r, mult, shock, fatal_weights) -> dict[str, np.ndarray]:
    """Policies with large counts: each compound law from its closed-form pgf, in the Fourier
    domain on one grid that holds the largest of them (transforms of the laws computed once)."""
    fa, di = laws.fatal, laws.dis
    i_max = int(np.argmax(lam_f + lam_d))
    tail = max(_count_top(kind, lam_f[i_max], r, mult, shock), _count_top(kind, lam_d[i_max], r, mult, shock))
    size = max(fa["pmf"].size, di["pmf"].size)
    G = sfft.next_fast_len(tail * size + 2, real=True)
    cpsi, cgam = _functionals(G, laws.h, laws.A)
    Ff, Fd = sfft.rfft(fa["pmf"], G), sfft.rfft(di["pmf"], G)
    Wf = {name: sfft.rfft(fa[name], G) * cgam for name in fatal_weights}
    Wd = sfft.rfft(di["w"], G) * cgam
    ramp = np.conj(sfft.rfft(np.arange(G) * laws.h)) * _wt(G) / G
    grid = np.arange(size) * laws.h
    mean_f, mean_d = float(fa["pmf"] @ grid[: fa["pmf"].size]), float(di["pmf"] @ grid[: di["pmf"].size])
    n = lam_f.size
    out = {k: np.zeros(n) for k in ("excess", "dis", *fatal_weights)}
    step = max(1, 4_000_000 // Ff.size)
    for lo in range(0, n, step):
        sl = slice(lo, min(n, lo + step))
        lf, dlf = _log_pgf(kind, Ff[None, :], lam_f[sl, None], r, mult)
        ld, dld = _log_pgf(kind, Fd[None, :], lam_d[sl, None], r, mult)
        e, de = shock.mix(lf + ld)
        out["excess"][sl] = np.real(e @ cpsi)
        sf_ = de * dlf
        for name in fatal_weights:
            out[name][sl] = np.real(sf_ @ Wf[name])
        out["dis"][sl] = np.real((de * dld) @ Wd)
        # wrap-around would lose mass at the top: the mean must match the analytic one
        mean_num = np.real(e @ ramp)
        mean_an = lam_f[sl] * mean_f + lam_d[sl] * mean_d
        if (np.abs(mean_num - mean_an) > 1e-9 * np.maximum(mean_an, laws.h)).any():
            raise ArithmeticError("aggregate: compound law not contained in the grid")
    return out


def _wt(G: int) -> np.ndarray:
    wt = np.full(G // 2 + 1, 2.0)
    wt[0] = 1.0
    if G % 2 == 0:
        wt[-1] = 1.0
    return wt
