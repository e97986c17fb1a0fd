"""numba kernels for the loss engine. Typed arrays in, preallocated arrays out, no validation.

Layout (built by ``losses.simulate``): policies are sorted by segment, so segment ``s`` owns
rows ``seg_off[s]:seg_off[s+1]``. Per accident type ``t`` (0 fatal, 1 disability, 2 medical)
``alias[t]`` holds one interleaved record per policy: (probability, alias row as float).
``rec`` holds one 8-float record per policy, read together on a single cache line:
``[headcount, limit_death, limit_accident, limit_annual, death_loss, segment, q_fatal, q_dis]``
(``q_*``: log-series parameter of the negative-binomial cluster representation).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

REC_HEAD, REC_LD, REC_LACC, REC_LANN, REC_DLOSS, REC_SEG, REC_QF, REC_QD = range(8)


@njit(cache=True)
def build_alias_kernel(weights, out):  # pragma: no cover - jitted
    """Vose's alias method: fill ``out[j] = (prob_j, alias_j)`` for sampling j ∝ weights[j]."""
    n = weights.size
    total = 0.0
    for j in range(n):
        total += weights[j]
    small = np.empty(n, np.int64)
    large = np.empty(n, np.int64)
    scaled = np.empty(n)
    ns = 0
    nl = 0
    for j in range(n):
        scaled[j] = weights[j] * n / total if total > 0 else 1.0
        if scaled[j] < 1.0:
            small[ns] = j
            ns += 1
        else:
            large[nl] = j
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s = small[ns]
        nl -= 1
        g = large[nl]
        out[s, 0] = scaled[s]
        out[s, 1] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        if scaled[g] < 1.0:
            small[ns] = g
            ns += 1
        else:
            large[nl] = g
            nl += 1
    while nl > 0:
        nl -= 1
        g = large[nl]
        out[g, 0] = 1.0
        out[g, 1] = g
    while ns > 0:
        ns -= 1
        s = small[ns]
        out[s, 0] = 1.0
        out[s, 1] = s


@njit(cache=True, inline="always")
def _alias_draw(rng, alias, t, lo, n):  # pragma: no cover - jitted
    u = rng.random() * n
    j = int(u)
    if j >= n:
        j = n - 1
    if u - j < alias[t, lo + j, 0]:
        return lo + j
    return lo + int(alias[t, lo + j, 1])


@njit(cache=True, inline="always")
def _cdf_draw(rng, cdf):  # pragma: no cover - jitted
    """Smallest k with u <= cdf[k] (linear scan: the mass sits at the front)."""
    u = rng.random()
    k = 0
    last = cdf.size - 1
    while k < last and u > cdf[k]:
        k += 1
    return k


@njit(cache=True, inline="always")
def _logseries(rng, q):  # pragma: no cover - jitted
    """Logarithmic(q) variate, Kemp's algorithm LK (as numpy's legacy sampler)."""
    if q <= 0.0:
        return 1
    r = math.log1p(-q)
    v = rng.random()
    if v >= q:
        return 1
    u = rng.random()
    qq = -math.expm1(r * u)
    if v <= qq * qq:
        res = math.floor(1.0 + math.log(v) / math.log(qq))
        if res < 1.0 or res > 1e9:
            return 1
        return int(res)
    if v >= qq:
        return 1
    return 2


@njit(cache=True, inline="always")
def _cdf_draw_back(rng, cdf):  # pragma: no cover - jitted
    """Smallest k with u <= cdf[k], scanning down from the top (mass at the end)."""
    u = rng.random()
    k = cdf.size - 1
    while k > 0 and u <= cdf[k - 1]:
        k -= 1
    return k


@njit(cache=True, nogil=True)
def simulate_block_kernel(  # pragma: no cover - jitted
    rng, shocks, seg_off, rate_tot, alias, rec, limit_med, nb,
    cluster_cdf, injury_ratio, grade_cdf, payout_share, civil_share, rescue_share, sev_mult,
    med_mu, med_sigma, med_threshold, med_mean_ins, med_sd_ins, med_mean_gross, med_sd_gross,
    out_gross, out_ins, out_acc, out_deaths, out_dis, out_med, out_seg_ins,
):
    """Simulate ``shocks.shape[0]`` years of one block into the ``out_*`` rows of the block.

    Per year, in phases (PERFORMANCE.md "memory-aware"): (1) per segment and type a Poisson
    count of fatal and of disability accidents (or of their negative-binomial clusters) with
    mean ``shock × rate_tot``; (2) every accident allocated to a policy by the segment's alias
    table; (3) the policies' records gathered into a contiguous buffer (independent loads the
    CPU overlaps); (4) casualties, payouts and the per-accident limit from the buffer; (5) the
    annual aggregate limit only for policies with two or more accidents (a small hash keyed by
    policy). Medical-only claims: drawn one by one when the segment-year count is at most
    ``med_threshold``, otherwise their total from the normal approximation with the segment's
    capped-lognormal moments.
    """
    n_years, n_seg = shocks.shape
    cap = 1024
    keys = np.full(cap, -1, np.int64)
    vals = np.zeros(cap)
    cnts = np.zeros(cap, np.int64)
    used = np.empty(cap, np.int64)
    buf_cap = 1024
    idx = np.empty(buf_cap, np.int64)
    typ = np.empty(buf_cap, np.int8)
    sg = np.empty(buf_cap, np.int64)
    buf = np.empty((buf_cap, 8))
    counts = np.empty((2, n_seg), np.int64)
    for y in range(n_years):
        # (1) counts
        total = 0
        for t in range(2):
            for s in range(n_seg):
                lam = shocks[y, s] * rate_tot[t, s]
                c = rng.poisson(lam) if lam > 0 else 0
                counts[t, s] = c
                total += c
        if total > buf_cap:
            while buf_cap < total:
                buf_cap *= 2
            idx = np.empty(buf_cap, np.int64)
            typ = np.empty(buf_cap, np.int8)
            sg = np.empty(buf_cap, np.int64)
            buf = np.empty((buf_cap, 8))
        if 2 * total + 16 > cap:
            while cap < 2 * total + 16:
                cap *= 2
            keys = np.full(cap, -1, np.int64)
            vals = np.zeros(cap)
            cnts = np.zeros(cap, np.int64)
            used = np.empty(cap, np.int64)
        mask = cap - 1
        # (2) allocation
        k = 0
        for t in range(2):
            for s in range(n_seg):
                lo = seg_off[s]
                n = seg_off[s + 1] - lo
                for _ in range(counts[t, s]):
                    idx[k] = _alias_draw(rng, alias, t, lo, n)
                    typ[k] = t
                    sg[k] = s
                    k += 1
        # (3) gather
        for k in range(total):
            i = idx[k]
            for c in range(8):
                buf[k, c] = rec[i, c]
        # (4) casualties and payouts
        gross = 0.0
        ins = 0.0
        acc = 0
        deaths = 0
        dis = 0
        n_used = 0
        for k in range(total):
            t = typ[k]
            head = buf[k, REC_HEAD]
            ld = buf[k, REC_LD]
            lacc = buf[k, REC_LACC]
            dloss = buf[k, REC_DLOSS] * sev_mult
            n_acc = 1
            if nb:
                n_acc = _logseries(rng, buf[k, REC_QF + t])
            pol_ins = 0.0
            for _a in range(n_acc):
                g_acc = 0.0
                i_acc = 0.0
                if t == 0:
                    d = _cdf_draw(rng, cluster_cdf)
                    if d > head:
                        d = int(head)
                    inj = rng.poisson(injury_ratio * d) if injury_ratio > 0 else 0
                    if inj > head - d:
                        inj = int(head - d)
                    g_acc = d * dloss
                    i_acc = d * min(dloss, ld)
                    deaths += d
                else:
                    inj = 1
                for _v in range(inj):
                    gr = _cdf_draw_back(rng, grade_cdf)
                    loss = civil_share[gr] * dloss
                    g_acc += loss
                    i_acc += min(loss, payout_share[gr] * ld)
                dis += inj
                if t == 0:
                    g_acc *= 1.0 + rescue_share
                    i_acc *= 1.0 + rescue_share
                if i_acc > lacc:
                    i_acc = lacc
                gross += g_acc
                pol_ins += i_acc
                acc += 1
            ins += pol_ins
            out_seg_ins[y, sg[k]] += pol_ins
            # (5) bookkeeping for the annual aggregate: open addressing on the policy row
            i = idx[k]
            h = (i * 0x9E3779B1) & mask
            while keys[h] != -1 and keys[h] != i:
                h = (h + 1) & mask
            if keys[h] == -1:
                keys[h] = i
                vals[h] = pol_ins
                cnts[h] = n_acc
                used[n_used] = h
                n_used += 1
            else:
                vals[h] += pol_ins
                cnts[h] += n_acc
        for u_ in range(n_used):
            h = used[u_]
            if cnts[h] >= 2:
                i = keys[h]
                excess = vals[h] - rec[i, REC_LANN]
                if excess > 0:
                    ins -= excess
                    out_seg_ins[y, int(rec[i, REC_SEG])] -= excess
            keys[h] = -1
        # medical-only claims
        med = 0
        for s in range(n_seg):
            lam = shocks[y, s] * rate_tot[2, s]
            c = rng.poisson(lam) if lam > 0 else 0
            med += c
            if c == 0:
                continue
            if c <= med_threshold:
                lo = seg_off[s]
                n = seg_off[s + 1] - lo
                for _ in range(c):
                    i = _alias_draw(rng, alias, 2, lo, n)
                    x = math.exp(med_mu + med_sigma * rng.standard_normal())
                    gross += x
                    xi = min(x, limit_med[i])
                    ins += xi
                    out_seg_ins[y, s] += xi
            else:
                z = rng.standard_normal()
                rc = math.sqrt(c)
                tg = c * med_mean_gross[s] + rc * med_sd_gross[s] * z
                ti = c * med_mean_ins[s] + rc * med_sd_ins[s] * z
                gross += max(tg, 0.0)
                ti = max(ti, 0.0)
                ins += ti
                out_seg_ins[y, s] += ti
        out_gross[y] = gross
        out_ins[y] = ins
        out_acc[y] = acc + med
        out_deaths[y] = deaths
        out_dis[y] = dis
        out_med[y] = med


@njit(cache=True)
def panjer_kernel(a, b, p0_agg, f, out):  # pragma: no cover - jitted
    """Panjer recursion for the (a, b, 0) class: ``g_k = Σ_j (a + b j/k) f_j g_{k-j} / (1 - a f_0)``."""
    n = out.size
    out[0] = p0_agg
    denom = 1.0 - a * f[0]
    m = f.size
    for k in range(1, n):
        acc = 0.0
        top = k if k < m else m - 1
        for j in range(1, top + 1):
            acc += (a + b * j / k) * f[j] * out[k - j]
        out[k] = acc / denom
