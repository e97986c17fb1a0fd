"""Portfolio Monte Carlo throughput, 10^6 policies, default casualty model.

Ours: ``ajx.simulate`` (numba collective sampler, alias tables, phased memory access, hash for
the annual aggregate), 2 threads. Baselines in the same run, same model and the same
medical-only treatment (attritional totals, normal approximation):

* **numpy collective** — per batch of years: Poisson(Σλ) accident counts, allocation with a
  vectorised alias table, casualties and payouts vectorised, annual aggregate by sorting on
  (year, policy);
* **naive per-policy** — one Poisson draw per policy per type per year, then the same
  vectorised casualty code for the policies with accidents.

Throughput counts the fatal and disability accidents simulated one by one; the medical-only
claims (about 4 million a year at this size) are drawn as segment totals by every method and
reported separately.
"""

from __future__ import annotations

import time

import numpy as np

import ajx_actuarial as ajx
from ajx_actuarial.losses import LossModel
from ajx_actuarial.losses.simulate import prepare

from _common import report


def _alias_numpy(w):
    """Vose alias table (numpy twin of the kernel)."""
    n = w.size
    prob = np.empty(n)
    alias = np.arange(n)
    scaled = w * n / w.sum()
    small = list(np.flatnonzero(scaled < 1))
    large = list(np.flatnonzero(scaled >= 1))
    while small and large:
        s, g = small.pop(), large.pop()
        prob[s], alias[s] = scaled[s], g
        scaled[g] = scaled[g] + scaled[s] - 1
        (small if scaled[g] < 1 else large).append(g)
    for j in small + large:
        prob[j] = 1.0
    return prob, alias


def _casualties(g, idx, typ, rec, a):
    """Vectorised casualties and insured payout per accident; returns (insured, gross, deaths, dis)."""
    head, ld, lacc, dloss = rec[idx, 0], rec[idx, 1], rec[idx, 2], rec[idx, 4]
    fatal = typ == 0
    d = np.where(fatal, np.searchsorted(a["cluster_cdf"], g.random(idx.size)), 0)
    d = np.minimum(d, head).astype(np.int64)
    inj = np.where(fatal, np.minimum(g.poisson(a["injury_ratio"] * d), head - d), 1).astype(np.int64)
    owner = np.repeat(np.arange(idx.size), inj)
    gr = np.searchsorted(a["grade_cdf"], g.random(owner.size))
    gl = a["civil_share"][gr] * dloss[owner]
    il = np.minimum(gl, a["payout_share"][gr] * ld[owner])
    gross = d * dloss + np.bincount(owner, gl, idx.size)
    ins = d * np.minimum(dloss, ld) + np.bincount(owner, il, idx.size)
    gross = np.where(fatal, gross * (1 + a["rescue_share"]), gross)
    ins = np.minimum(np.where(fatal, ins * (1 + a["rescue_share"]), ins), lacc)
    return ins, gross, d.sum(), inj.sum()


def run_numpy_collective(lam, rec, prep, years, seed, batch=50):
    g = np.random.default_rng(seed)
    a = prep.model_arrays
    tabs = [_alias_numpy(lam[t]) for t in range(2)]
    tot = lam[:2].sum(axis=1)
    n = lam.shape[1]
    ins_year = np.zeros(years)
    acc = 0
    for y0 in range(0, years, batch):
        ny = min(batch, years - y0)
        cnt = g.poisson(np.broadcast_to(tot, (ny, 2)))
        idx_l, typ_l, yr_l = [], [], []
        for t in range(2):
            k = int(cnt[:, t].sum())
            u = g.random(k) * n
            j = u.astype(np.int64)
            prob, alias = tabs[t]
            idx_l.append(np.where(u - j < prob[j], j, alias[j]))
            typ_l.append(np.full(k, t, np.int8))
            yr_l.append(np.repeat(np.arange(ny), cnt[:, t]))
        idx, typ, yr = np.concatenate(idx_l), np.concatenate(typ_l), np.concatenate(yr_l)
        ins, _, _, _ = _casualties(g, idx, typ, rec, a)
        key = yr * n + idx
        order = np.argsort(key, kind="stable")
        ks, ins_s = key[order], ins[order]
        start = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        per = np.add.reduceat(ins_s, start)
        per = np.minimum(per, rec[ks[start] % n, 3])
        ins_year[y0:y0 + ny] = np.bincount(ks[start] // n, per, ny)
        acc += idx.size
    return ins_year, acc


def run_naive(lam, rec, prep, years, seed):
    g = np.random.default_rng(seed)
    a = prep.model_arrays
    ins_year = np.zeros(years)
    acc = 0
    for y in range(years):
        idx_l, typ_l = [], []
        for t in range(2):
            c = g.poisson(lam[t])
            pol = np.flatnonzero(c)
            idx_l.append(np.repeat(pol, c[pol]))
            typ_l.append(np.full(idx_l[-1].size, t, np.int8))
        idx, typ = np.concatenate(idx_l), np.concatenate(typ_l)
        ins, _, _, _ = _casualties(g, idx, typ, rec, a)
        order = np.argsort(idx, kind="stable")
        ks = idx[order]
        start = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        per = np.minimum(np.add.reduceat(ins[order], start), rec[ks[start], 3])
        ins_year[y] = per.sum()
        acc += idx.size
    return ins_year, acc


def run(n=1_000_000, years=2000, baseline_years=200, naive_years=20) -> None:
    book = ajx.price(ajx.synth.portfolio(n, rng=1), "national-2025")
    model = LossModel.default()
    t0 = time.perf_counter()
    ajx.simulate(book.head(500), 5, rng=0)  # JIT (cached on disk after the first run)
    t_jit = time.perf_counter() - t0
    res = ajx.simulate(book, years, rng=1, model=model)
    t_ours = res.provenance["seconds_simulate"]
    sev = float((res.annual["accidents"] - res.annual["medical_only"]).sum())
    ours_rate = sev / t_ours

    prep, df = prepare(book, model)
    rates = model.rates()
    ind = df["industry"].cat.codes.to_numpy()
    rel = df["float_factor"].to_numpy() / np.bincount(ind, df["headcount"] * df["float_factor"], 10)[ind] * np.bincount(ind, df["headcount"], 10)[ind]
    lam = np.vstack([df["headcount"].to_numpy() * rel * rates[c].to_numpy()[ind] for c in ("fatal", "disability")])
    t0 = time.perf_counter()
    ins_c, acc_c = run_numpy_collective(lam, prep.rec, prep, baseline_years, 2)
    t_col = time.perf_counter() - t0
    t0 = time.perf_counter()
    ins_n, acc_n = run_naive(lam, prep.rec, prep, naive_years, 3)
    t_naive = time.perf_counter() - t0
    med_mean = res.mean("medical_only")
    rows = [
        {"method": "ajx.simulate (numba collective, 2 threads)", "years": years, "seconds": t_ours, "accidents/s": ours_rate, "ratio": 1.0},
        {"method": "numpy collective (alias table, sort by policy)", "years": baseline_years, "seconds": t_col, "accidents/s": acc_c / t_col, "ratio": ours_rate / (acc_c / t_col)},
        {"method": "naive numpy, one Poisson draw per policy per year", "years": naive_years, "seconds": t_naive, "accidents/s": acc_n / t_naive, "ratio": ours_rate / (acc_n / t_naive)},
    ]
    report(rows, f"Simulation: {n:,} policies, default casualty model ({sev / years:,.0f} fatal+disability accidents and {med_mean:,.0f} attritional medical claims per year); JIT compile {t_jit:.1f} s, prepare {res.provenance['seconds_prepare']:.2f} s")
    print(f"\nmean severe accidents per year: ours {sev / years:,.0f}, numpy collective {acc_c / baseline_years:,.0f}, naive {acc_n / naive_years:,.0f}")


if __name__ == "__main__":
    run()
