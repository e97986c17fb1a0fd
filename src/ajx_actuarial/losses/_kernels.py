"""numba kernels for the loss engine. Typed arrays in, preallocated arrays out, no validation.

Layout (built by :mod:`.engine`): policies are sorted by segment, so segment ``s`` owns rows
``seg_off[s]:seg_off[s+1]``. Per accident type ``t`` (0 fatal, 1 disability, 2 medical)
``alias[t]`` holds one packed 8-byte entry per policy: the acceptance probability scaled to
2^32 in the low 32 bits and the alias row (within the segment) in the high 32 bits, so a draw
touches one word. ``rec`` holds the hot record of each policy, read for every accident (32 bytes
for one limit set): ``headcount`` then, per limit set ``j``, ``[limit_death, limit_accident,
limit_annual]`` at columns ``1 + 3 j``; ``cold`` what only some paths read: ``[q_fatal, q_dis]``
(log-series parameters of the negative-binomial cluster representation) then ``limit_medical``
of each set at column ``2 + j``.

One pass simulates K scenarios on the same accidents (common random numbers made literal):
scenario ``q`` has its limit set ``set_of[q]``, severity multiplier ``sev[q]`` and, per year,
segment and accident type, a frequency multiplier ``mult[y, q, s, t]`` (frequency × common shock ×
systemic year effect × the year's parameter draw of type ``t``). Base accidents are
drawn at multiplier 1 from the block's base stream ``g0``; a scenario with multiplier ``m < 1``
keeps each with probability ``m`` (thinning); accidents above 1 come from one extra layer drawn
at the largest multiplier of the year from the layer stream ``g1`` and thinned for the smaller
ones. So every scenario is exact in distribution, and a scenario at multiplier 1 draws exactly
what it would draw alone.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# indices of the per-year, per-scenario output columns (engine.OUT_COLUMNS, same order)
O_GROSS, O_INS, O_DEATH, O_DIS, O_MED, O_RESC, O_ACC, O_DEATHS, O_DISAB, O_MEDN, O_FULLD, O_FULLI = range(12)


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


@njit(cache=True)
def pack_alias_kernel(table, out):  # pragma: no cover - jitted
    """Pack a (prob, alias) float table into 8-byte entries: prob · 2^32 (low) | alias row (high)."""
    for j in range(table.shape[0]):
        p = table[j, 0] * 4294967296.0
        pu = np.int64(p) if p < 4294967295.0 else np.int64(4294967295)
        out[j] = (np.int64(table[j, 1]) << 32) | pu


@njit(cache=True, inline="always")
def _alias_draw(rng, alias, t, lo, n):  # pragma: no cover - jitted
    u = rng.random() * n
    j = int(u)
    if j >= n:
        j = n - 1
    e = alias[t, lo + j]
    if np.int64((u - j) * 4294967296.0) < (e & 4294967295):
        return lo + j
    return lo + (e >> 32)


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


@njit(cache=True, inline="always")
def _fatal_casualties(rng, head, cluster_cdf, injury_ratio, grade_cdf, hist):  # pragma: no cover - jitted
    """Deaths (capped at headcount) and the grade histogram of the disabled co-workers."""
    d = _cdf_draw(rng, cluster_cdf)
    if d > head:
        d = int(head)
    inj = rng.poisson(injury_ratio * d) if injury_ratio > 0 else 0
    if inj > head - d:
        inj = int(head - d)
    for gg in range(10):
        hist[gg] = 0
    for _v in range(inj):
        hist[_cdf_draw_back(rng, grade_cdf)] += 1
    return d, inj


@njit(cache=True, inline="always")
def _hash_tables(cap, K):  # pragma: no cover - jitted
    """Open-addressing table of (year, policy) keys (``cap`` slots, at most half full) and, per slot,
    the key's entry; the accumulators are dense, one row per entry in order of first accident, so
    that their memory grows with the accidents and is walked in order (not with the slots)."""
    m = cap // 2 + 1
    return (np.full(cap, -1, np.int64), np.empty(cap, np.int64), np.zeros((m, K, 5)), np.zeros((m, K), np.int64),
            np.zeros(m, np.int64), np.zeros(m, np.int64), np.zeros(m, np.int64), np.empty(m, np.int64))


@njit(cache=True, inline="always")
def _accident_buffers(bcap, K, width):  # pragma: no cover - jitted
    """Per-year accident buffers: policy, type, segment, layer, scenario inclusion, payouts."""
    return (np.empty(bcap, np.int64), np.empty(bcap, np.int8), np.empty(bcap, np.int64), np.empty(bcap, np.int8),
            np.empty((bcap, K), np.uint8), np.empty((bcap, width)))


@njit(cache=True, inline="always")
def _allocate(rng, alias, counts, seg_off, layer, idx, typ, sg, orig, k):  # pragma: no cover - jitted
    """Place ``counts[t, s]`` accidents of layer ``layer`` on policies by the segments' alias tables,
    from buffer position ``k``; returns the next free position."""
    for t in range(2):
        for s in range(seg_off.size - 1):
            lo = seg_off[s]
            n = seg_off[s + 1] - lo
            for _ in range(counts[t, s]):
                idx[k] = _alias_draw(rng, alias, t, lo, n)
                typ[k] = t
                sg[k] = s
                orig[k] = layer
                k += 1
    return k


@njit(cache=True, nogil=True)
def simulate_block_kernel(  # pragma: no cover - jitted
    g0, g1, mult, seg_off, seg_ind, W, alias, rec, cold, n_sets, set_of, nb,
    cluster_cdf, injury_ratio, grade_cdf, payout, civil, rho, dloss, sev,
    med_mu, med_sigma, med_threshold, med_mean_ins, med_sd_ins, med_mean_gross, med_sd_gross,
    out, out_seg, log_on, log_y, log_i, log_claims, log_acc, log_maxd, log_deaths, log_ins, log_state,
):
    """Simulate ``mult.shape[0]`` years of one block for K scenarios into ``out`` (years, K, 10)
    and ``out_seg`` (years, K, industries, insured loss).

    With ``log_on`` the first scenario's claims are also logged per policy and year (``log_*``,
    ``log_state = [entries written, overflow flag]``): one entry per policy with fatal or
    disability accidents (claims, accidents, deaths in the worst accident, deaths, insured loss
    after the limits) and one entry per medical-only claim (drawn one by one in that mode).

    Per year, in phases: (1) per segment and type the Poisson counts of base accidents (or
    negative-binomial clusters) and of the extra layer; (2) each allocated to a policy by the
    segment's alias table; (3) which scenarios keep each accident (thinning); (4) the policies'
    records gathered into a contiguous buffer; (5) casualties drawn once per accident, payouts
    per scenario: per-person limits, per-accident limit, parts pro rata; (6) the annual aggregate
    limit for policies with two or more accidents in a scenario (a small hash on the policy
    row); (7) medical-only claims, one by one up to ``med_threshold`` per segment-year, else
    their total from the normal approximation with the segment's capped-lognormal moments (a
    scenario's thinned count from one normal draw shared by all scenarios, so a scenario's
    draws do not depend on how many others share the pass).
    """
    n_years, K, n_seg, _nt = mult.shape
    width = 1 + 3 * n_sets
    cap = 1024
    keys, ent, hval, hcnt, hseg, hmaxd, hdeaths, used = _hash_tables(cap, K)
    log_cap = log_y.size
    bcap = 1024
    idx, typ, sg, orig, incl, buf = _accident_buffers(bcap, K, width)
    c0 = np.empty((3, n_seg), np.int64)
    c1 = np.empty((3, n_seg), np.int64)
    mm = np.empty((3, n_seg))
    low = np.zeros((3, n_seg), np.bool_)
    hist = np.zeros(10, np.int64)
    acc = np.zeros(K)
    for y in range(n_years):
        # (1) counts of base and extra-layer accidents
        for t in range(3):
            for s in range(n_seg):
                m = 1.0
                lw = False
                for q in range(K):
                    if mult[y, q, s, t] > m:
                        m = mult[y, q, s, t]
                    if mult[y, q, s, t] < 1.0:
                        lw = True
                mm[t, s] = m
                low[t, s] = lw
        total = 0
        for t in range(2):
            for s in range(n_seg):
                c = g0.poisson(W[t, s]) if W[t, s] > 0 else 0
                c0[t, s] = c
                total += c
        for t in range(2):
            for s in range(n_seg):
                lam = (mm[t, s] - 1.0) * W[t, s]
                c = g1.poisson(lam) if lam > 0 else 0
                c1[t, s] = c
                total += c
        if total > bcap:
            while bcap < total:
                bcap *= 2
            idx, typ, sg, orig, incl, buf = _accident_buffers(bcap, K, width)
        if 2 * total + 16 > cap:
            while cap < 2 * total + 16:
                cap *= 2
            keys, ent, hval, hcnt, hseg, hmaxd, hdeaths, used = _hash_tables(cap, K)
        mask = cap - 1
        # (2) allocation: base accidents from g0, extra layer from g1
        k = _allocate(g0, alias, c0, seg_off, 0, idx, typ, sg, orig, 0)
        _allocate(g1, alias, c1, seg_off, 1, idx, typ, sg, orig, k)
        # (3) thinning per scenario
        for k in range(total):
            s = sg[k]
            t = typ[k]
            if orig[k] == 0:
                u = g1.random() if low[t, s] else 0.0
                for q in range(K):
                    mq = mult[y, q, s, t]
                    incl[k, q] = 1 if (mq >= 1.0 or u < mq) else 0
            else:
                v = g1.random() * (mm[t, s] - 1.0)
                for q in range(K):
                    incl[k, q] = 1 if v < mult[y, q, s, t] - 1.0 else 0
        # (4) gather
        for k in range(total):
            i = idx[k]
            for c in range(width):
                buf[k, c] = rec[i, c]
        # (5) casualties once, payouts per scenario
        n_used = 0
        for k in range(total):
            t = typ[k]
            i = idx[k]
            head = buf[k, 0]
            n_acc = 1
            if nb:
                if orig[k] == 0:
                    n_acc = _logseries(g0, cold[i, t])
                else:
                    n_acc = _logseries(g1, cold[i, t])
            # hash slot of the policy
            h = (i * 0x9E3779B1) & mask
            while keys[h] != -1 and keys[h] != i:
                h = (h + 1) & mask
            if keys[h] == -1:
                keys[h] = i
                e = n_used
                ent[h] = e
                hseg[e] = sg[k]
                hmaxd[e] = 0
                hdeaths[e] = 0
                used[e] = h
                n_used += 1
                for q in range(K):
                    hcnt[e, q] = 0
                    for c in range(5):
                        hval[e, q, c] = 0.0
            else:
                e = ent[h]
            for _a in range(n_acc):
                d = 0
                inj = 0
                gr = 0
                if t == 0:
                    if orig[k] == 0:
                        d, inj = _fatal_casualties(g0, head, cluster_cdf, injury_ratio, grade_cdf, hist)
                    else:
                        d, inj = _fatal_casualties(g1, head, cluster_cdf, injury_ratio, grade_cdf, hist)
                else:
                    if orig[k] == 0:
                        gr = _cdf_draw_back(g0, grade_cdf)
                    else:
                        gr = _cdf_draw_back(g1, grade_cdf)
                for q in range(K):
                    if incl[k, q] == 0:
                        continue
                    base = 1 + 3 * set_of[q]
                    ld = buf[k, base]
                    lacc = buf[k, base + 1]
                    dl = dloss * sev[q]
                    if t == 0:
                        aa = dl if dl < ld else ld
                        da = d * aa
                        sb = 0.0
                        gc = float(d)
                        fi = 0.0
                        for gg in range(10):
                            if hist[gg] > 0:
                                cv = civil[gg] * dl
                                pv = payout[gg] * ld
                                sb += hist[gg] * (cv if cv < pv else pv)
                                gc += hist[gg] * civil[gg]
                                if cv <= pv:
                                    fi += hist[gg]
                        yy = da + sb
                        tt = (1.0 + rho) * yy
                        sc = 1.0
                        fd = float(d) if dl <= ld else 0.0
                        if tt > lacc:
                            sc = lacc / tt
                            fd = 0.0
                            fi = 0.0
                        p0 = sc * da
                        p1 = sc * sb
                        p2 = sc * rho * yy
                        out[y, q, O_GROSS] += (1.0 + rho) * gc * dl
                        out[y, q, O_DEATHS] += d
                        out[y, q, O_DISAB] += inj
                    else:
                        cv = civil[gr] * dl
                        pv = payout[gr] * ld
                        b = cv if cv < pv else pv
                        fd = 0.0
                        fi = 1.0 if cv <= pv else 0.0
                        if b > lacc:
                            b = lacc
                            fi = 0.0
                        p0 = 0.0
                        p1 = b
                        p2 = 0.0
                        out[y, q, O_GROSS] += cv
                        out[y, q, O_DISAB] += 1
                    out[y, q, O_DEATH] += p0
                    out[y, q, O_DIS] += p1
                    out[y, q, O_RESC] += p2
                    out[y, q, O_ACC] += 1
                    out_seg[y, q, seg_ind[sg[k]]] += p0 + p1 + p2
                    if q == 0 and log_on:
                        hdeaths[e] += d
                        if d > hmaxd[e]:
                            hmaxd[e] = d
                    hcnt[e, q] += 1
                    hval[e, q, 0] += p0
                    hval[e, q, 1] += p1
                    hval[e, q, 2] += p2
                    hval[e, q, 3] += fd
                    hval[e, q, 4] += fi
                    out[y, q, O_FULLD] += fd
                    out[y, q, O_FULLI] += fi
        # (6) the annual aggregate, only where a policy had two or more accidents
        for e in range(n_used):
            h = used[e]
            i = keys[h]
            for q in range(K):
                tot = hval[e, q, 0] + hval[e, q, 1] + hval[e, q, 2]
                if hcnt[e, q] >= 2:
                    lann = rec[i, 3 + 3 * set_of[q]]
                    if tot > lann:
                        f = 1.0 - lann / tot
                        out[y, q, O_DEATH] -= f * hval[e, q, 0]
                        out[y, q, O_DIS] -= f * hval[e, q, 1]
                        out[y, q, O_RESC] -= f * hval[e, q, 2]
                        out[y, q, O_FULLD] -= hval[e, q, 3]  # the aggregate cut every victim of the year
                        out[y, q, O_FULLI] -= hval[e, q, 4]
                        out_seg[y, q, seg_ind[hseg[e]]] -= tot - lann
                        tot = lann
                if q == 0 and log_on and hcnt[e, 0] > 0:
                    _log(log_state, log_cap, log_y, log_i, log_claims, log_acc, log_maxd, log_deaths, log_ins,
                         y, i, hcnt[e, 0], hcnt[e, 0], hmaxd[e], hdeaths[e], tot)
            keys[h] = -1
        # (7) medical-only claims (outside the annual aggregate)
        for s in range(n_seg):
            lo = seg_off[s]
            n = seg_off[s + 1] - lo
            ind = seg_ind[s]
            c = g0.poisson(W[2, s]) if W[2, s] > 0 else 0
            if c > 0 and c <= med_threshold:
                for _ in range(c):
                    i = _alias_draw(g0, alias, 2, lo, n)
                    z = g0.standard_normal()
                    u = g1.random() if low[2, s] else 0.0
                    for q in range(K):
                        mq = mult[y, q, s, 2]
                        if mq >= 1.0 or u < mq:
                            _medical_claim(out, out_seg, y, q, ind, i, z, med_mu, med_sigma, cold, set_of, log_on, log_state, log_cap,
                                           log_y, log_i, log_claims, log_acc, log_maxd, log_deaths, log_ins)
            elif c > 0:
                z = g0.standard_normal()
                zt = g1.standard_normal() if low[2, s] else 0.0  # one thinning draw shared by every scenario
                for q in range(K):
                    mq = mult[y, q, s, 2]
                    cq = c if mq >= 1.0 else _thin_count(c, mq, zt)
                    _medical_total(out, out_seg, y, q, s, ind, cq, z, med_mean_ins, med_sd_ins, med_mean_gross, med_sd_gross)
            lam = (mm[2, s] - 1.0) * W[2, s]
            c = g1.poisson(lam) if lam > 0 else 0
            if c > 0 and c <= med_threshold:
                for _ in range(c):
                    i = _alias_draw(g1, alias, 2, lo, n)
                    z = g1.standard_normal()
                    v = g1.random() * (mm[2, s] - 1.0)
                    for q in range(K):
                        if v < mult[y, q, s, 2] - 1.0:
                            _medical_claim(out, out_seg, y, q, ind, i, z, med_mu, med_sigma, cold, set_of, log_on, log_state, log_cap,
                                           log_y, log_i, log_claims, log_acc, log_maxd, log_deaths, log_ins)
            elif c > 0:
                z = g1.standard_normal()
                zt = g1.standard_normal()
                for q in range(K):
                    mq = mult[y, q, s, 2]
                    if mq <= 1.0:
                        continue
                    cq = c if mq >= mm[2, s] else _thin_count(c, (mq - 1.0) / (mm[2, s] - 1.0), zt)
                    _medical_total(out, out_seg, y, q, s, ind, cq, z, med_mean_ins, med_sd_ins, med_mean_gross, med_sd_gross)
        for q in range(K):
            out[y, q, O_INS] = out[y, q, O_DEATH] + out[y, q, O_DIS] + out[y, q, O_MED] + out[y, q, O_RESC]
            out[y, q, O_ACC] += out[y, q, O_MEDN]


@njit(cache=True, inline="always")
def _thin_count(c, p, z):  # pragma: no cover - jitted
    """Binomial(c, p) by its normal approximation from the shared standard normal ``z`` (c is above the
    per-claim threshold, >= 1000 by default): monotone in p, so thinned scenarios stay nested."""
    m = c * p
    k = int(math.floor(m + z * math.sqrt(m * (1.0 - p)) + 0.5))
    if k < 0:
        return 0
    if k > c:
        return c
    return k


@njit(cache=True, inline="always")
def _medical_claim(out, out_seg, y, q, ind, i, z, med_mu, med_sigma, cold, set_of, log_on, log_state, log_cap,
                   log_y, log_i, log_claims, log_acc, log_maxd, log_deaths, log_ins):  # pragma: no cover - jitted
    """One medical-only claim of policy ``i`` in scenario ``q``: lognormal cost, capped at the medical limit."""
    x = math.exp(med_mu[q] + med_sigma * z)
    lm = cold[i, 2 + set_of[q]]
    xi = x if x < lm else lm
    out[y, q, O_GROSS] += x
    out[y, q, O_MED] += xi
    out[y, q, O_MEDN] += 1
    out_seg[y, q, ind] += xi
    if q == 0 and log_on:
        _log(log_state, log_cap, log_y, log_i, log_claims, log_acc, log_maxd, log_deaths, log_ins, y, i, 1, 0, 0, 0, xi)


@njit(cache=True, inline="always")
def _log(state, cap, ly, li, lc, la, lm, ld, lx, y, i, claims, acc, maxd, deaths, ins):  # pragma: no cover - jitted
    n = state[0]
    if n >= cap:
        state[1] = 1
        return
    ly[n] = y
    li[n] = i
    lc[n] = claims
    la[n] = acc
    lm[n] = maxd
    ld[n] = deaths
    lx[n] = ins
    state[0] = n + 1


@njit(cache=True, inline="always")
def _medical_total(out, out_seg, y, q, s, ind, cq, z, mean_ins, sd_ins, mean_gross, sd_gross):  # pragma: no cover - jitted
    """Normal approximation of the total of ``cq`` medical-only claims (common ``z`` across scenarios)."""
    if cq <= 0:
        return
    rc = math.sqrt(cq)
    tg = cq * mean_gross[q, s] + rc * sd_gross[q, s] * z
    ti = cq * mean_ins[q, s] + rc * sd_ins[q, s] * z
    if tg < 0.0:
        tg = 0.0
    if ti < 0.0:
        ti = 0.0
    out[y, q, O_GROSS] += tg
    out[y, q, O_MED] += ti
    out[y, q, O_MEDN] += cq
    out_seg[y, q, ind] += ti
