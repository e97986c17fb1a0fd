"""numba kernels for the exact path. Arrays in, arrays out, no validation.

* :func:`panjer_kernel`: Panjer recursion in O(n·m) (``exact.compound(..., method="panjer")``);
* :func:`pgf_functionals_kernel`: the annual-aggregate functionals of policies with large counts,
  from the closed-form pgf in the Fourier domain (:func:`._aggregate_fourier._on_grid`).

Imported only when one of them is needed, so importing the package does not start numba.
Compiled with ``cache=True`` (first call compiles, later processes load).
"""

from __future__ import annotations

import cmath
import math

import numpy as np
from numba import njit

_BIG = 1e250
_LOG_BIG = math.log(_BIG)


@njit(cache=True, nogil=True)
def panjer_kernel(a, b, f, out):  # pragma: no cover - jitted (twin: tests/unit/test_exact.py)
    """Scaled Panjer recursion for the (a, b, 0) class over a severity of support ``m = f.size``.

    ``out[k] ∝ g_k = Σ_{j=1}^{min(k, m−1)} (a + b j / k) f_j g_{k−j} / (1 − a f_0)``, started at
    ``out[0] = 1`` instead of ``g_0`` (which can underflow, e.g. Poisson(λ > 745)). Whenever a value
    exceeds 1e250 everything computed so far is multiplied by 1e-250 (the recursion is linear in
    g, so this is exact up to rounding; values pushed below the smallest double are negligible
    against the current ones). Returns the log of the total rescaling: ``g_k = out[k] · g_0 ·
    exp(returned)``. Cost ``n · (m − 1)`` multiply-adds; four partial sums per term break the
    dependency chain.
    """
    n = out.size
    m = f.size
    jf = np.empty(m)  # j·f_j, so each term is two multiply-adds on loaded values
    for j in range(m):
        jf[j] = j * f[j]
    denom = 1.0 - a * f[0]
    out[0] = 1.0
    log_scale = 0.0
    for k in range(1, n):
        top = k if k < m - 1 else m - 1
        s0 = 0.0
        s1 = 0.0
        t0 = 0.0
        t1 = 0.0
        j = 1
        while j + 1 <= top:
            o0 = out[k - j]
            o1 = out[k - j - 1]
            s0 += f[j] * o0
            t0 += jf[j] * o0
            s1 += f[j + 1] * o1
            t1 += jf[j + 1] * o1
            j += 2
        if j <= top:
            o0 = out[k - j]
            s0 += f[j] * o0
            t0 += jf[j] * o0
        val = (a * (s0 + s1) + b * (t0 + t1) / k) / denom
        out[k] = val
        if val > _BIG:
            for i in range(k + 1):
                out[i] /= _BIG
            log_scale += _LOG_BIG
    return log_scale


@njit(cache=True, nogil=True)
def pgf_functionals_kernel(Ff, Fd, cpsi, Wf, Wd, ramp, lam_f, lam_d, negbin, r, mult, shock_kind, alpha, m_nodes, w_nodes,
                           out):  # pragma: no cover - jitted (twin: _aggregate_fourier._on_grid_numpy, tests/unit/test_expected_fast.py)
    """Per policy ``i``: ``Σ_j Re(e_j cpsi_j)``, ``Σ_j Re(de_j dℓ_f,j Wf[w, j])`` for every fatal weight
    ``w``, ``Σ_j Re(de_j dℓ_d,j Wd_j)`` and ``Σ_j Re(e_j ramp_j)`` into ``out[i] = (excess, w..., dis, mean)``.

    ``ℓ_t = log pgf`` of the type-``t`` count at the transform ``F_t`` given the shock ``M = 1``
    (Poisson: ``λ (F − 1)``; negative binomial ``NB(r·mult, 1 − q)``, ``q = (λ/mult) / (r + λ/mult)``:
    ``r·mult (log(1 − q) − log(1 − q F))``), ``e = E[exp(M ℓ)]`` and ``de = E[M exp(M ℓ)]`` over the
    shock (``shock_kind`` 0: none; 1: gamma of shape ``alpha``, ``(1 − ℓ/α)^−α`` and
    ``(1 − ℓ/α)^−α−1``; 2: the quadrature nodes ``m_nodes``, ``w_nodes``). One pass over the
    frequencies per policy, nothing allocated.
    """
    n = lam_f.size
    nw = Wf.shape[0]
    G = Ff.size
    size = r * mult
    for i in range(n):
        if negbin:
            lf_ = lam_f[i] / mult
            ld_ = lam_d[i] / mult
            qf = lf_ / (r + lf_)
            qd = ld_ / (r + ld_)
            c0f = math.log1p(-qf)
            c0d = math.log1p(-qd)
        acc_x = 0.0
        acc_d = 0.0
        acc_m = 0.0
        for w in range(nw):
            out[i, 1 + w] = 0.0
        for j in range(G):
            if negbin:
                zf = 1.0 - qf * Ff[j]
                zd = 1.0 - qd * Fd[j]
                ell = size * (c0f - cmath.log(zf)) + size * (c0d - cmath.log(zd))
                dlf = size * qf / zf
                dld = size * qd / zd
            else:
                ell = lam_f[i] * (Ff[j] - 1.0) + lam_d[i] * (Fd[j] - 1.0)
                dlf = lam_f[i] + 0j
                dld = lam_d[i] + 0j
            if shock_kind == 0:
                e = cmath.exp(ell)
                de = e
            elif shock_kind == 1:
                base = 1.0 - ell / alpha
                e = cmath.exp(-alpha * cmath.log(base))
                de = e / base
            else:
                e = 0j
                de = 0j
                for k in range(m_nodes.size):
                    x = w_nodes[k] * cmath.exp(m_nodes[k] * ell)
                    e += x
                    de += m_nodes[k] * x
            acc_x += (e * cpsi[j]).real
            acc_m += (e * ramp[j]).real
            sf = de * dlf
            for w in range(nw):
                out[i, 1 + w] += (sf * Wf[w, j]).real
            acc_d += (de * dld * Wd[j]).real
        out[i, 0] = acc_x
        out[i, 1 + nw] = acc_d
        out[i, 2 + nw] = acc_m
