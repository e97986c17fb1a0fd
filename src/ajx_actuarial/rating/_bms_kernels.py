"""numba kernel for bonus-malus trajectories (a NumPy twin lives in the tests)."""

from __future__ import annotations

from numba import njit


@njit(cache=True, nogil=True)
def simulate_bms_kernel(rules, start, lam, sev_cum, years, rng, out):  # pragma: no cover - jitted
    """Fill ``out[y, i]`` with the class of policy ``i`` at the start of year ``y``.

    ``rules[c, o]`` is the next class; the outcome ``o`` is the claim count (capped at the
    last column) or, when ``sev_cum`` (cumulative severity law) is non-empty, 0 for a
    claim-free year and ``1 + worst severity`` otherwise.
    """
    n = lam.size
    n_sev = sev_cum.size
    m = rules.shape[1] - 1
    for i in range(n):
        c = start
        out[0, i] = c
        for y in range(years):
            k = rng.poisson(lam[i])
            if n_sev == 0:
                o = k if k < m else m
            elif k == 0:
                o = 0
            else:
                worst = 0
                for _ in range(k):
                    u = rng.random()
                    s = 0
                    while s < n_sev - 1 and u > sev_cum[s]:
                        s += 1
                    if s > worst:
                        worst = s
                o = 1 + worst
            c = rules[c, o]
            out[y + 1, i] = c
