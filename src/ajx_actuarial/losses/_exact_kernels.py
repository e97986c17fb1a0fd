"""numba kernel for the exact path: Panjer recursion in O(n·m). Arrays in, arrays out, no validation.

Imported only when ``exact.compound(..., method="panjer")`` is asked for, so importing the package
does not start numba. Compiled with ``cache=True`` (first call compiles, later processes load).
"""

from __future__ import annotations

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
