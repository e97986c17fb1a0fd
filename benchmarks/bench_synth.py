"""Synthetic books and claims ledgers: vectorised paths against per-policy Python baselines.

Ours: ``ajx.synth.portfolio(n)`` (national preset, with per-accident 3-year histories) and
``ajx.synth.claims(book, 5, valuation)`` (one row per claim transaction).
Baselines (same run): per-policy Python loops that draw the same laws one policy (and one
accident, one victim) at a time, measured on a sample and reported as policies/s.
Full figures: ``python benchmarks/run.py synth`` (portfolio at 10^7, claims at 10^6 × 5 years).
"""

from __future__ import annotations

import numpy as np

import ajx_actuarial as ajx
from ajx_actuarial.reference import INDUSTRIES, SIZES
from ajx_actuarial.synth import DevelopmentTruth, TruthModel, load_preset

from _common import report, timeit


def naive_portfolio(n: int, seed: int) -> list[dict]:
    """One policy at a time: industry, size class, headcount, management, limits, 3-year history per accident."""
    g = np.random.default_rng(seed)
    p = load_preset("national")
    truth = TruthModel.default(p)
    mix = np.array([p.industry_mix()[k] for k in INDUSTRIES])
    laws = p.headcount_laws()
    cl = np.asarray(truth.cluster)
    class_probs = {k: law.class_probs() / law.class_probs().sum() for k, law in laws.items()}  # precomputed, as ours
    rows = []
    for i in range(n):
        ind = INDUSTRIES[g.choice(len(INDUSTRIES), p=mix / mix.sum())]
        law = laws[ind]
        s = int(g.choice(4, p=class_probs[ind]))
        lo, hi = law.class_bounds(SIZES[s])
        head = int(law.sample(np.array([g.random()]), np.array([float(lo)]), np.array([float(hi)]))[0])
        q = g.standard_normal()
        viol = int(g.poisson(0.35 * np.exp(-0.6 * q - 0.18)))
        rates = np.array([truth.fatal[ind], truth.disability[ind], truth.medical[ind]]) * head * g.gamma(4.0, 0.25)
        acc = deaths = worst = 0
        for _ in range(3):
            nf, nd, nm = (int(g.poisson(r)) for r in rates)
            for _ in range(nf):
                d = min(int(g.choice(cl.size, p=cl)), head)
                deaths += d
                worst = max(worst, d)
            acc += nf + nd + nm
        rows.append({"policy_id": i + 1, "industry": ind, "size": SIZES[s], "headcount": head, "violations": viol,
                     "std_grade": int(q > 1.2), "accidents_3y": acc, "deaths_3y": deaths, "max_accident_deaths_3y": worst,
                     "limit_death": 400_000.0})
    return rows


def naive_claims(book, years: int, seed: int) -> list[dict]:
    """One policy-year, one accident, one victim at a time; the same delay laws."""
    g = np.random.default_rng(seed)
    truth = TruthModel.default()
    dev = DevelopmentTruth()
    cl = np.asarray(truth.cluster)
    gm = np.asarray(truth.grade_mix) / np.sum(truth.grade_mix)
    out, cid = [], 0
    for r in book.itertuples(index=False):
        rates = np.array([truth.fatal[r.industry], truth.disability[r.industry], truth.medical[r.industry]]) * r.headcount
        for y in range(years):
            for kind, lam in enumerate(rates):
                for _ in range(int(g.poisson(lam))):
                    day = int(g.integers(0, 365))
                    victims = [0] * min(int(g.choice(cl.size, p=cl)), r.headcount) if kind == 0 else [kind]
                    for inj in victims:
                        if inj == 0:
                            amount = min(truth.death_loss, r.limit_death)
                        elif inj == 1:
                            grade = int(g.choice(10, p=gm))
                            amount = min(truth.civil_share[grade] * truth.death_loss, truth.payout_share[grade] * r.limit_death)
                        else:
                            amount = min(g.lognormal(np.log(truth.medical_median), truth.medical_sigma), r.limit_medical)
                        name = ("death", "disability", "medical")[inj]
                        rep = int(np.exp(np.log(getattr(dev, f"report_{name}")[0]) + getattr(dev, f"report_{name}")[1] * g.standard_normal()))
                        settle = rep + int(np.exp(np.log(300) + 0.45 * g.standard_normal()))
                        cid += 1
                        out.append({"claim_id": cid, "policy_id": r.policy_id, "policy_year": 2021 + y, "day": day,
                                    "report": day + rep, "paid": 0.0, "case_reserve": amount})
                        out.append({"claim_id": cid, "policy_id": r.policy_id, "policy_year": 2021 + y, "day": day,
                                    "report": day + settle, "paid": amount, "case_reserve": 0.0})
    return out


def run(sizes=(1_000_000, 10_000_000), claims_policies=(1_000_000,), years=5, n_naive=20_000, n_naive_claims=5_000) -> None:
    t_np, _ = timeit(lambda: naive_portfolio(n_naive, 1), repeat=1)
    base = n_naive / t_np
    rows = []
    for n in sizes:
        t, book = timeit(lambda: ajx.synth.portfolio(n, rng=1), repeat=1 if n > 2_000_000 else 3)
        rows.append({"policies": n, "portfolio s": t, "policies/s": n / t, "naive policies/s": base, "ratio": (n / t) / base,
                     "workers/unit": float(book["headcount"].mean())})
        del book
    report(rows, f"synth.portfolio (national preset, per-accident histories) vs a per-policy Python loop ({n_naive:,} policies)")
    sample = ajx.synth.portfolio(n_naive_claims, rng=2)
    t_nc, led_naive = timeit(lambda: naive_claims(sample, years, 3), repeat=1)
    base_c = n_naive_claims * years / t_nc
    rows = []
    for n in claims_policies:
        book = ajx.synth.portfolio(n, rng=4)
        t, led = timeit(lambda: ajx.synth.claims(book, years, f"{2021 + years + 10}-12-31", rng=5), repeat=1)
        rows.append({"policies": n, "years": years, "claims s": t, "policy-years/s": n * years / t,
                     "naive policy-years/s": base_c, "ratio": (n * years / t) / base_c,
                     "ledger rows": len(led), "claims": int(led["claim_id"].nunique())})
        del book, led
    report(rows, f"synth.claims (transaction ledger at full development) vs a per-policy, per-victim Python loop ({n_naive_claims:,} policies × {years})")


if __name__ == "__main__":
    run()
