"""A proven upper bound on what the annual aggregate limit removes, ``E[(S − A)+]``, so that the
exact term (:mod:`._aggregate`) is computed only where it can matter.

The bound (Chernoff, for every ``t > 0``)::

    (s − A)+ <= e^{t (s − A) − 1} / t        ⇒        E[(S − A)+] <= E[e^{tS}] e^{−tA − 1} / t

(``x <= e^{x−1}`` for every real ``x``, applied to ``x = t (s − A)``, divided by ``t``; for ``s <= A``
the left side is 0 and the right side positive). ``E[e^{tS}]`` is the closed-form moment generating
function of the policy-year total on the lattice the exact term uses: the count law's pgf at the
accident laws' transforms ``φ_f(t) = Σ_y P(T_f = y) e^{ty}``, ``φ_d(t)`` (Poisson or the negative
binomial cluster form), mixed over the common shock (gamma: closed form; lognormal: the quadrature
nodes the exact term uses). It is evaluated at ``t = c / limit_accident`` for the ``c`` of
:data:`CHERNOFF_C`; a policy is skipped when the bound at *some* ``c`` is at most
:data:`AGGREGATE_TOLERANCE` × its expected fatal + disability loss (so its term is proven below
that share of its expected loss).

Cheap for a whole book: the transforms depend only on the limit configuration and the headcount
group (tables of ``configurations × headcount groups × c``, gathered per policy), and the ``c`` are
tried in the order that settles most policies first (:data:`_ORDER`: on the national book
``c = 10`` settles 99.9 % of them), each later ``c`` only on the policies still undecided. Trying
every ``c`` and taking the minimum skips exactly the same policies (a policy is skipped iff some
``c`` passes); the bound recorded for a skipped policy is the one at the first ``c`` that passed,
itself a proven bound on its term.
"""

from __future__ import annotations

import numpy as np

__all__ = ["AGGREGATE_TOLERANCE", "CHERNOFF_C", "chernoff_bound", "transforms", "negligible"]

#: A policy's annual-aggregate term is computed only where its Chernoff bound exceeds this share of its expected
#: fatal + disability loss (elsewhere the term is proven below it: skipped, the largest bound recorded in attrs["method"]);
#: 10 ppm of a policy's expected loss is far below any Monte Carlo error or rounding to the fen of a premium.
AGGREGATE_TOLERANCE = 1e-5

#: ``t = c / limit_accident`` at which the bound is evaluated.
CHERNOFF_C = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 20.0, 24.0)
#: The order in which the ``c`` are tried (indices into :data:`CHERNOFF_C`): most settled first.
_ORDER = (7, 6, 8, 5, 9, 10, 4, 11, 12, 3, 2, 1, 0)


def transforms(co_pmf: np.ndarray, t_d: np.ndarray, p_d: np.ndarray, h: float, limit_accident: float):
    """``φ_f`` (rows of ``co_pmf`` × c), ``φ_d`` (c) and ``t`` (c) for one limit configuration.

    ``co_pmf``: lattice laws of one fatal accident's insured total, one row per headcount group
    (step ``h``); ``t_d``, ``p_d``: atoms and probabilities of a disability accident. Overflow gives
    ``inf`` (that ``c`` then never passes).
    """
    t = np.asarray(CHERNOFF_C) / limit_accident
    grid = np.arange(co_pmf.shape[1]) * h
    with np.errstate(over="ignore", invalid="ignore"):
        phi_f = np.stack([_row_mgf(co_pmf, grid, tt) for tt in t], axis=1)
        phi_d = np.array([float(p_d @ np.exp(tt * t_d)) for tt in t])
    return phi_f, phi_d, t


def _row_mgf(co_pmf, grid, t):
    """Σ_y p(y) e^{ty} per row, over the points that carry mass (an overflowing point with no mass
    does not turn the sum into NaN)."""
    return np.where(co_pmf > 0, co_pmf * np.exp(t * grid)[None, :], 0.0).sum(axis=1)


def _log_mgf(ell: np.ndarray, shock) -> np.ndarray:
    """``log E[exp(M ℓ)]`` over the common shock ``M`` (``inf`` where it diverges)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if shock.dist == "none":
            return ell
        if shock.dist == "gamma":
            a = shock.alpha
            return np.where(ell < a, -a * np.log1p(-np.minimum(ell, a) / a), np.inf)
        return np.log(sum(w * np.exp(m * ell) for m, w in zip(shock.m, shock.w)))


def _bound_at(phi_f, phi_d, t, A, lam_f, lam_d, kind, r, mf, shock, log_q0=None, qf=None, qd=None) -> np.ndarray:
    """The bound at one ``t`` per policy (arrays broadcast); ``inf`` where it is not finite."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if kind == "poisson":
            ell = lam_f * (phi_f - 1.0) + lam_d * (phi_d - 1.0)
        else:
            if qf is None:
                qf = (lam_f / mf) / (r + lam_f / mf)
                qd = (lam_d / mf) / (r + lam_d / mf)
                log_q0 = np.log1p(-qf) + np.log1p(-qd)
            ell = (r * mf) * (log_q0 - np.log(1.0 - qf * phi_f) - np.log(1.0 - qd * phi_d))
            ell = np.where((qf * phi_f < 1.0) & (qd * phi_d < 1.0), ell, np.inf)
        b = np.exp(_log_mgf(ell, shock) - t * A - 1.0) / t
    return np.where(np.isfinite(b), b, np.inf)


def chernoff_bound(co_pmf: np.ndarray, t_d: np.ndarray, p_d: np.ndarray, h: float, A: float, limit_accident: float,
                   lam_f, lam_d, mf: float, kind: str, r: float, shock) -> np.ndarray:
    """The bound per policy of one headcount group, minimised over every ``c`` (the plain form,
    kept as the reference :func:`negligible` is tested against)."""
    phi_f, phi_d, t = transforms(co_pmf[None, :], t_d, p_d, h, limit_accident)
    lam_f, lam_d = np.asarray(lam_f, dtype=np.float64), np.asarray(lam_d, dtype=np.float64)
    best = np.full(lam_f.size, np.inf)
    for j in range(t.size):
        if np.isfinite(phi_f[0, j]) and np.isfinite(phi_d[j]):
            best = np.minimum(best, _bound_at(phi_f[0, j], phi_d[j], t[j], A, lam_f, lam_d, kind, r, mf, shock))
    return best


def negligible(row: np.ndarray, cfg: np.ndarray, lam_f: np.ndarray, lam_d: np.ndarray, threshold: np.ndarray,
               phi_f: np.ndarray, phi_d: np.ndarray, t: np.ndarray, A: np.ndarray, kind: str, r: float, mf: float,
               shock) -> tuple[np.ndarray, np.ndarray]:
    """Which policies' aggregate terms are proven at most ``threshold``, and the bound that proved it.

    Parameters
    ----------
    row, cfg : int arrays (per policy)
        Row of ``phi_f`` (limit configuration × headcount group) and limit configuration.
    lam_f, lam_d, threshold : float arrays (per policy)
        Expected fatal and disability accidents a year; the largest term that may be dropped (CNY).
    phi_f : (rows, c) ; phi_d, t : (configurations, c) ; A : (configurations,)
        From :func:`transforms`, and each configuration's annual aggregate limit.
    kind, r, mf, shock
        Count law (``"poisson"`` / ``"negbin"``), negative binomial shape, frequency multiplier,
        the common shock (:class:`._counts.Shock`).

    Returns
    -------
    skip : bool array
        True where the term is proven negligible.
    bound : float array
        The bound that proved it (``inf`` where not skipped).
    """
    n = lam_f.size
    bound = np.full(n, np.inf)
    todo = np.arange(n)
    if kind != "poisson":
        with np.errstate(divide="ignore", invalid="ignore"):
            qf_all = (lam_f / mf) / (r + lam_f / mf)
            qd_all = (lam_d / mf) / (r + lam_d / mf)
    for j in _ORDER:
        if todo.size == 0:
            break
        c = cfg[todo]
        pf, pd_, tt, AA = phi_f[row[todo], j], phi_d[c, j], t[c, j], A[c]
        lf, ld = lam_f[todo], lam_d[todo]
        if kind == "poisson":
            b = _bound_at(pf, pd_, tt, AA, lf, ld, kind, r, mf, shock)
        else:
            qf, qd = qf_all[todo], qd_all[todo]
            b = _bound_at(pf, pd_, tt, AA, lf, ld, kind, r, mf, shock, np.log1p(-qf) + np.log1p(-qd), qf, qd)
        ok = b <= threshold[todo]
        bound[todo[ok]] = b[ok]
        todo = todo[~ok]
    skip = np.ones(n, dtype=bool)
    skip[todo] = False
    return skip, bound
