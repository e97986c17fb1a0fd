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
identity. Policies with small counts share tables (matrix products over the whole group, here);
policies with large counts are evaluated one by one from the closed-form probability generating
function, each on a grid sized to its own counts (:mod:`._aggregate_fourier`). The count laws and
the common shock are in :mod:`._counts`; which policies need the term at all is decided by the
proven bound of :mod:`._aggregate_bound`.
"""

from __future__ import annotations

import numpy as np
from scipy import fft as sfft
from scipy import special

from ._aggregate_fourier import _functionals, large_counts
from ._counts import Shock, aggregate_shock, nb_params, nb_pmf, tail_prob

__all__ = ["AggregateLaws", "Shock", "aggregate_shock", "aggregate_terms", "N_LATTICE"]

N_LATTICE = 1024  # lattice points per aggregate limit
_TABLE_MAX = 12  # counts carried in the shared tables (larger counts: one transform per policy)
_EPS = 1e-16


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
        ok = (tail_prob(kind, lam_f, r, mult, shock, t) < _EPS) & (tail_prob(kind, lam_d, r, mult, shock, t) < _EPS)
        tops = np.where((tops < 0) & ok, t, tops)
    for t in np.unique(tops[tops > 0]):
        idx = np.flatnonzero(tops == t)
        res = _tables(laws, kind, lam_f[idx], lam_d[idx], r, mult, shock, int(t), fatal_weights)
        for k in out:
            out[k][idx] = res[k]
    big = np.flatnonzero(tops < 0)
    if big.size:
        res = large_counts(laws, kind, lam_f[big], lam_d[big], r, mult, shock, fatal_weights)
        for k in out:
            out[k][big] = res[k]
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
            size, qf = nb_params(lam_f, r, mult)
            _, qd = nb_params(lam_d, r, mult)
            pf, pd_ = nb_pmf(mm * size, qf, top), nb_pmf(mm * size, qd, top)
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
