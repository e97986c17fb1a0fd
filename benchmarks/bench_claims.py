"""Claims ledger → experience at ultimate (``ajx.experience_from_claims``), against building the
triangles straight from the transactions with chainladder, same ledger, same run.

The ledger comes from the test suite's generator (``tests/unit/_claims_ledger.py``: its own
book, medical / death / disability claims with reporting and grading delays, every transaction
dated), scaled so that ``n_policies`` policies over five policy years give about
``n_claims`` claims, valued at 12 months for the last year. Our path: validate the ledger,
per-claim state, cells aggregated with numpy, one chainladder Triangle of five measures per
industry, development, allocation of IBNR to policy-years, validation of the experience.
Baselines, as a user of chainladder would write them:

* **per policy** (the same output: ultimates per policy and accident year): ``cl.Triangle`` on the
  transaction rows indexed by ``policy_id``, developed with the book's chain-ladder factors
  (``DevelopmentConstant`` + ``Chainladder``), paid only;
* **triangles only** (less work than ours, no policy-years): ``cl.Triangle`` on the transaction
  rows (incurred increments and an accident count, index industry) and ``Chainladder``.

Times are medians of ``repeat`` warm calls; the first call (chainladder, scikit-learn and
sparse imported, numba compiled) is reported apart.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pandas as pd

import ajx_actuarial as ajx

from _common import report, timeit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "unit"))
from _claims_ledger import ledger, register  # noqa: E402

YEARS = range(2021, 2026)
VALUATION = "2025-12-31"


def _baseline(led: pd.DataFrame, reg: pd.DataFrame):
    import chainladder as cl

    ind = reg.drop_duplicates("policy_id").set_index("policy_id")["industry"].astype(str)
    case = led["case_reserve"].to_numpy()
    new = np.r_[True, led["claim_id"].to_numpy()[1:] != led["claim_id"].to_numpy()[:-1]]
    prev = np.r_[0.0, case[:-1]]
    prev[new] = 0.0
    cut = led["transaction_date"] <= pd.Timestamp(VALUATION)
    frame = pd.DataFrame({"industry": led["policy_id"].map(ind).to_numpy(), "accident_date": led["accident_date"],
                          "transaction_date": led["transaction_date"], "incurred": led["paid"].to_numpy() + case - prev,
                          "claims": new.astype(float)})[cut.to_numpy()]
    tri = cl.Triangle(frame, origin="accident_date", development="transaction_date", columns=["incurred", "claims"],
                      index=["industry"], cumulative=False).grain("OYDY").incr_to_cum()
    return cl.Chainladder().fit(cl.Development().fit_transform(tri)).ultimate_


def _per_policy(led: pd.DataFrame):
    import chainladder as cl

    cut = led[led["transaction_date"] <= pd.Timestamp(VALUATION)]
    tri = cl.Triangle(cut, origin="accident_date", development="transaction_date", columns=["paid"], index=["policy_id"],
                      cumulative=False).grain("OYDY").incr_to_cum()
    dev = cl.Development().fit(tri.sum())
    ages = [int(a.split("-")[0]) for a in dev.ldf_.development]
    pattern = dict(zip(ages, dev.ldf_.values.ravel()))
    return cl.Chainladder().fit(cl.DevelopmentConstant(patterns=pattern, style="ldf").fit_transform(tri)).ultimate_


def run(n_policies: int = 100_000, n_claims: int = 1_000_000, repeat: int = 3, baseline: bool = True,
        per_policy_max: int = 100_000) -> None:
    t0 = time.perf_counter()
    reg = register(n_policies, YEARS, rng=1)
    expected = 2.6 * n_policies * len(YEARS)  # ≈ claims per policy-year of the generator's book
    led, truth = ledger(reg, rng=2, scale=n_claims / expected)
    t_gen = time.perf_counter() - t0
    print(f"ledger: {len(truth):,} claims, {len(led):,} transactions, {n_policies:,} policies x {len(YEARS)} years "
          f"(generated in {t_gen:.1f} s)", flush=True)
    t0 = time.perf_counter()
    res = ajx.experience_from_claims(reg, led, VALUATION, by="industry")
    t_first = time.perf_counter() - t0
    t_ours, res = timeit(lambda: ajx.experience_from_claims(reg, led, VALUATION, by="industry"), repeat)
    rows = [{"path": "ajx.experience_from_claims (policy-year experience)", "claims": len(truth), "transactions": len(led),
             "first call s": t_first, "warm s": t_ours, "claims/s": len(truth) / t_ours, "ratio": 1.0}]
    if baseline and n_policies <= per_policy_max:
        t_pp, _ = timeit(lambda: _per_policy(led), 1)
        rows.append({"path": "chainladder Triangle indexed by policy_id, book factors (per policy, paid)", "claims": len(truth),
                     "transactions": len(led), "first call s": t_pp, "warm s": t_pp, "claims/s": len(truth) / t_pp,
                     "ratio": t_pp / t_ours})
    if baseline:
        t0 = time.perf_counter()
        _baseline(led, reg)
        t_bf = time.perf_counter() - t0
        t_base, _ = timeit(lambda: _baseline(led, reg), repeat)
        rows.append({"path": "chainladder Triangle on the transactions + Chainladder (triangles only)", "claims": len(truth),
                     "transactions": len(led), "first call s": t_bf, "warm s": t_base, "claims/s": len(truth) / t_base,
                     "ratio": t_base / t_ours})
    report(rows, f"Claims ledger to experience: {len(truth):,} claims from {n_policies:,} policies (ratio = baseline time / ours)")
    u = res.ultimates.groupby(level="accident_year")[["claims_reported", "claims_ultimate"]].sum()
    true_n = truth.groupby("accident_year").size()
    print(f"\nultimate accidents vs truth by accident year: {np.round((u['claims_ultimate'] / true_n).to_numpy(), 4).tolist()}"
          f" (reported share of the last year {u['claims_reported'].iloc[-1] / true_n.iloc[-1]:.2f});"
          f" experience: {len(res.experience):,} policy-years")


if __name__ == "__main__":
    run()
