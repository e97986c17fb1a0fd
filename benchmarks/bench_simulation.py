"""Portfolio Monte Carlo, exact expected losses and the stress grid, 10^6 policies (``national`` preset).

Every figure is measured in this run beside:

* **floors**: one-thread numpy lognormal and uniform draws per second (PCG64), a memory copy;
* **baselines**, same book, model and medical-only treatment:
  - *numpy collective*: per batch of years, Poisson(Σλ) counts, a vectorised alias table,
    vectorised casualties and payouts, the annual aggregate by sorting on (year, policy);
  - *naive per-policy*: one Poisson draw per policy, type and year, then the same vectorised
    casualty code;
* **goals** (issue "Performance"): kernel ≥ 0.40 × the lognormal floor and ≥ 8 × the numpy
  collective; a 7-scenario grid in one pass ≤ 1.5 × one scenario; the regulator grid
  (10^6 policies × 10^4 years × the regulator-2026 scenarios, 9 since issue 21) end to end < 90 s.

Throughput counts the fatal and disability accidents simulated one by one; medical-only claims
(attritional, about one per 100 workers a year) are drawn as segment totals by every method.
Compile time is reported apart: the kernels are compiled in a fresh process with an empty
numba cache.

``python benchmarks/bench_simulation.py memory [N] [YEARS]`` measures only the peak memory per
policy (tracemalloc) of ``synth.portfolio``, ``price`` and ``simulate`` (default 10^6 policies,
2 000 years), with and without the priced-book check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

import ajx_actuarial as ajx
from ajx_actuarial.losses import LimitPolicy, LossModel, SimSpec
from ajx_actuarial.losses.engine import prepare

from _common import report


def floors() -> dict:
    g = np.random.default_rng(1)
    n = 20_000_000
    out = {}
    for name, f in (("lognormal", lambda: g.lognormal(0.0, 1.0, n)), ("uniform", lambda: g.random(n))):
        f()
        t = time.perf_counter()
        f()
        out[name] = n / (time.perf_counter() - t)
    a = np.ones(2**27 // 8 * 8)  # 1 GiB
    b = np.empty_like(a)
    np.copyto(b, a)
    t = time.perf_counter()
    np.copyto(b, a)
    out["copy_GBps"] = 2 * a.nbytes / (time.perf_counter() - t) / 1e9
    return out


def _alias_numpy(w):
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


def _casualties(g, idx, typ, head, ld, lacc, a):
    """Vectorised casualties and insured payout per accident (the kernel's model)."""
    dloss, rho = a["dloss"], a["rho"]
    h, L, Lacc = head[idx], ld[idx], lacc[idx]
    fatal = typ == 0
    d = np.where(fatal, np.searchsorted(a["cluster_cdf"], g.random(idx.size)), 0)
    d = np.minimum(d, h).astype(np.int64)
    inj = np.where(fatal, np.minimum(g.poisson(a["injury_ratio"] * d), h - d), 1).astype(np.int64)
    owner = np.repeat(np.arange(idx.size), inj)
    gr = np.searchsorted(a["grade_cdf"], g.random(owner.size))
    il = np.minimum(a["civil"][gr] * dloss, a["payout"][gr] * L[owner])
    ins = d * np.minimum(dloss, L) + np.bincount(owner, il, idx.size)
    ins = np.minimum(np.where(fatal, ins * (1 + rho), ins), Lacc)
    return ins


def run_numpy_collective(lam, head, ld, lacc, lann, a, years, seed, batch=50):
    g = np.random.default_rng(seed)
    tabs = [_alias_numpy(lam[t]) for t in range(2)]
    tot = lam[:2].sum(axis=1)
    n = lam.shape[1]
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
        ins = _casualties(g, idx, typ, head, ld, lacc, a)
        key = yr * n + idx
        order = np.argsort(key, kind="stable")
        ks = key[order]
        start = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        per = np.minimum(np.add.reduceat(ins[order], start), lann[ks[start] % n])
        np.bincount(ks[start] // n, per, ny)
        acc += idx.size
    return acc


def run_naive(lam, head, ld, lacc, lann, a, years, seed):
    g = np.random.default_rng(seed)
    acc = 0
    for _ in range(years):
        idx_l, typ_l = [], []
        for t in range(2):
            c = g.poisson(lam[t])
            pol = np.flatnonzero(c)
            idx_l.append(np.repeat(pol, c[pol]))
            typ_l.append(np.full(idx_l[-1].size, t, np.int8))
        idx, typ = np.concatenate(idx_l), np.concatenate(typ_l)
        ins = _casualties(g, idx, typ, head, ld, lacc, a)
        order = np.argsort(idx, kind="stable")
        ks = idx[order]
        start = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        np.minimum(np.add.reduceat(ins[order], start), lann[ks[start]]).sum()
        acc += idx.size
    return acc


def compile_seconds() -> float:
    """Compile the kernels in a fresh process with an empty numba cache."""
    code = ("import time, ajx_actuarial as ajx; b = ajx.synth.portfolio(200, rng=1); t = time.perf_counter(); "
            "ajx.simulate(b, 2, rng=0); print(time.perf_counter() - t)")
    with tempfile.TemporaryDirectory() as d:
        env = {**os.environ, "NUMBA_CACHE_DIR": d}
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(r.stdout.strip().splitlines()[-1])


def run(n=1_000_000, years=2000, baseline_years=200, naive_years=20, grid_years=10_000, stress_years=10_000) -> None:
    fl = floors()
    book = ajx.synth.portfolio(n, rng=1)
    tracemalloc.start()
    t0 = time.perf_counter()
    priced = ajx.price(book, "national-2025")
    t_price = time.perf_counter() - t0
    price_bytes = tracemalloc.get_traced_memory()[1] / n
    tracemalloc.stop()
    model = LossModel.default()
    t_compile = compile_seconds()
    t0 = time.perf_counter()
    ajx.simulate(priced.head(500), 5, rng=0)
    t_load = time.perf_counter() - t0
    tracemalloc.start()
    res = ajx.simulate(priced, years, rng=1, model=model)
    sim_bytes = tracemalloc.get_traced_memory()[1] / n
    tracemalloc.stop()
    t_ours = res.provenance["seconds_simulate"]
    sev = float((res.annual["accidents"] - res.annual["medical_only"]).sum())
    ours_rate = sev / t_ours

    prep, df = prepare(priced, [SimSpec(model)])
    rates = model.rates()
    ind = df["industry"].cat.codes.to_numpy()
    rel = df["risk_relativity"].to_numpy()
    head = df["headcount"].to_numpy(dtype=float)
    lam = np.vstack([head * rel * rates[c].to_numpy()[ind] for c in ("fatal", "disability")])
    ld, lacc, lann = (df[c].to_numpy(dtype=float) for c in ("limit_death", "limit_accident", "limit_annual"))
    t0 = time.perf_counter()
    acc_c = run_numpy_collective(lam, head, ld, lacc, lann, prep.arrays, baseline_years, 2)
    t_col = time.perf_counter() - t0
    t0 = time.perf_counter()
    acc_n = run_naive(lam, head, ld, lacc, lann, prep.arrays, naive_years, 3)
    t_naive = time.perf_counter() - t0
    rows = [
        {"method": "ajx.simulate (numba collective, 2 threads)", "years": years, "seconds": t_ours, "accidents/s": ours_rate,
         "ours / this": 1.0, "this / lognormal floor": ours_rate / fl["lognormal"]},
        {"method": "numpy collective (alias table, sort by policy)", "years": baseline_years, "seconds": t_col, "accidents/s": acc_c / t_col,
         "ours / this": ours_rate / (acc_c / t_col), "this / lognormal floor": acc_c / t_col / fl["lognormal"]},
        {"method": "naive numpy, one Poisson draw per policy per year", "years": naive_years, "seconds": t_naive, "accidents/s": acc_n / t_naive,
         "ours / this": ours_rate / (acc_n / t_naive), "this / lognormal floor": acc_n / t_naive / fl["lognormal"]},
        {"method": "floor: numpy lognormal draws, one thread", "years": "", "seconds": "", "accidents/s": fl["lognormal"],
         "ours / this": ours_rate / fl["lognormal"], "this / lognormal floor": 1.0},
    ]
    report(rows, f"Simulation: {n:,} policies (national preset), {sev / years:,.0f} fatal+disability accidents and "
                 f"{res.mean('medical_only'):,.0f} medical-only claims a year; compile {t_compile:.1f} s (fresh cache), "
                 f"first call {t_load:.2f} s (cache load), prepare {res.provenance['seconds_prepare']:.2f} s")
    print(f"\ngoal kernel >= 0.40 x lognormal floor: {ours_rate / fl['lognormal']:.2f} x; goal >= 8 x numpy collective: "
          f"{ours_rate / (acc_c / t_col):.1f} x; floors: uniform {fl['uniform'] / 1e6:.0f} M/s, lognormal {fl['lognormal'] / 1e6:.0f} M/s, "
          f"copy {fl['copy_GBps']:.1f} GB/s")

    # many scenarios in one pass vs one
    specs = {"baseline": SimSpec(model), "beijing": SimSpec(model, LimitPolicy.beijing(2024)),
             "800k": SimSpec(model, LimitPolicy.fixed(800_000)), "freq+30%": SimSpec(model.replace(frequency_multiplier=1.3)),
             "shock": SimSpec(model.replace(shock_cv=0.6)), "fee-15%": SimSpec(model), "competition": SimSpec(model)}
    t0 = time.perf_counter()
    one = ajx.simulate(priced, grid_years, rng=1, model=model)
    t_one = time.perf_counter() - t0
    t0 = time.perf_counter()
    ajx.simulate_many(priced, specs, grid_years, rng=1)
    t_grid = time.perf_counter() - t0
    del one

    # exact expected loss vs the Monte Carlo of the same book
    t0 = time.perf_counter()
    e = ajx.expected_loss(priced)
    t_exact = time.perf_counter() - t0

    # the regulator grid end to end
    t0 = time.perf_counter()
    st = ajx.stress.run(book, "regulator-2026", years=stress_years, rng=1)
    t_stress = time.perf_counter() - t0
    rows = [
        {"workload": f"simulate, 1 scenario, {grid_years:,} years", "seconds": t_one, "ratio": 1.0, "goal": ""},
        {"workload": f"simulate_many, 7 scenarios (5 distinct) in one pass, {grid_years:,} years", "seconds": t_grid,
         "ratio": t_grid / t_one, "goal": "<= 1.5 x one scenario"},
        {"workload": f"expected_loss (exact, by part), {n:,} policies", "seconds": t_exact, "ratio": t_exact / t_ours,
         "goal": f"vs {years:,}-year simulate ({t_ours:.1f} s)"},
        {"workload": f"stress.run regulator-2026, {n:,} policies x {stress_years:,} years x {len(st):,} scenarios (pricing, one pass, "
                     "exact losses, prevention)",
         "seconds": t_stress, "ratio": t_stress / 90.0, "goal": "< 90 s"},
        {"workload": f"price, {n:,} policies (national-2025)", "seconds": t_price, "ratio": "", "goal": ""},
    ]
    report(rows, "Scenarios, exact losses, the regulator grid")
    mc = res.mean()
    print(f"\nexact expected loss {e['expected_loss'].sum():,.0f} CNY vs simulated mean {mc:,.0f} ± {res.mean_se():,.0f}; "
          f"regulator grid: loss ratio baseline {st.loc['baseline', 'loss_ratio']:.3f}, Beijing limits {st.loc['beijing-formula-limits', 'loss_ratio']:.3f}")
    print(f"memory (tracemalloc peak): price {price_bytes:,.0f} bytes per policy, simulate {sim_bytes:,.0f} bytes per policy "
          f"({years:,} years; the per-year results add {8 * 16:,} bytes per simulated year)")


def _peak_per_policy(f, n: int):
    """``f()`` under tracemalloc: its result and the peak of traced memory in bytes per policy."""
    tracemalloc.start()
    try:
        out = f()
        return out, tracemalloc.get_traced_memory()[1] / n
    finally:
        tracemalloc.stop()


def memory(n: int = 1_000_000, years: int = 2000) -> dict:
    """Peak memory per policy (tracemalloc) of ``synth.portfolio``, ``price`` and ``simulate`` on ``n`` policies,
    and of ``simulate`` with its priced-book check switched off (the check's own share, issue 23: it must not copy the book)."""
    sim_mod = sys.modules["ajx_actuarial.losses.simulate"]  # the module (the package's attribute of that name is the function)

    ajx.simulate(ajx.price(ajx.synth.portfolio(500, rng=0), "national-2025"), 5, rng=0)  # kernels loaded outside the measure
    book, synth_b = _peak_per_policy(lambda: ajx.synth.portfolio(n, rng=1), n)
    priced, price_b = _peak_per_policy(lambda: ajx.price(book, "national-2025"), n)
    _, sim_b = _peak_per_policy(lambda: ajx.simulate(priced, years, rng=1), n)
    real = sim_mod.validate_priced
    sim_mod.validate_priced = lambda *a, **k: True
    try:
        _, sim_unchecked_b = _peak_per_policy(lambda: ajx.simulate(priced, years, rng=1), n)
    finally:
        sim_mod.validate_priced = real
    from ajx_actuarial.priced import validate_priced

    _, check_b = _peak_per_policy(lambda: validate_priced(priced), n)
    rows = [{"step": f"synth.portfolio({n:,})", "bytes per policy": synth_b},
            {"step": "price (national-2025)", "bytes per policy": price_b},
            {"step": f"simulate ({years:,} years, priced-book check on)", "bytes per policy": sim_b},
            {"step": f"simulate ({years:,} years, check switched off)", "bytes per policy": sim_unchecked_b},
            {"step": "validate_priced alone", "bytes per policy": check_b}]
    report(rows, f"Peak memory (tracemalloc) per policy, {n:,} policies (national preset)")
    return {r["step"]: r["bytes per policy"] for r in rows}


if __name__ == "__main__":
    # python benchmarks/bench_simulation.py            the full benchmark
    # python benchmarks/bench_simulation.py memory [N] [YEARS]   peak memory per policy of synth, price, simulate
    if len(sys.argv) > 1 and sys.argv[1] == "memory":
        memory(*(int(a) for a in sys.argv[2:4]))
    else:
        run()
