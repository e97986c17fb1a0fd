"""A claims ledger with a known truth, for the tests of ``ajx.experience_from_claims``.

Independent of ``ajx.synth`` (rebuilt elsewhere): the book is drawn here, frequencies come from
the packaged industry table (DOMAIN.md §6.5), relativities are fixed here. Per policy-year, claims are Poisson:

* medical: rate ``medical_per_100 / 100 × REL``; reported after an exponential delay (mean
  ``report_days``, cut at 600 days), reserved at 2 500 CNY, paid (lognormal, median 2 000, capped at the
  medical limit) after another exponential delay (mean 60 days), then closed;
* death: rate ``deaths_per_100k / 1e5 × REL``; reported after 7 days on average, reserved at
  the limit, paid the limit after 120 days;
* disability: rate ``disabilities_per_100k / 1e5 × REL``; reported after 40 days as a medical
  claim reserved at 20 000, graded 400 days later on average (cut at 700; ``injury`` becomes
  ``disability``) and paid grade share × limit (Table A).

``REL = SIZE[size] × GRADE[std_grade]``. Accident dates are uniform in the policy year (policies
incept on January 1). The ledger holds every transaction, future ones included (the function
under test must cut them at the valuation date); ``truth`` has one row per claim with its
final amount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import ajx_actuarial as ajx

SIZE = {"large": 0.85, "medium": 0.95, "small": 1.0, "micro": 1.15}
GRADE = {0: 1.0, 1: 0.75, 2: 0.85, 3: 0.93}
TABLE_A = ajx.reference.disability_tables()["table_a"].to_numpy(dtype=float)
GRADE_MIX = ajx.reference.disability_grade_mix()["share"].to_numpy(dtype=float)


INDUSTRY_MIX = {"coal_mine": 0.03, "noncoal_mine": 0.05, "hazardous_chemicals": 0.12, "fireworks": 0.03, "civil_explosives": 0.01,
                "metallurgy": 0.06, "construction": 0.22, "transport": 0.18, "fishing": 0.05, "other": 0.25}
SIZE_MIX = {"large": 0.05, "medium": 0.15, "small": 0.45, "micro": 0.35}
HEADCOUNT = {"large": (1000, 5000), "medium": (300, 999), "small": (20, 299), "micro": (1, 19)}


def register(n: int, years: range, *, rng: int, upgrade: float = 0.15) -> pd.DataFrame:
    """Policy-year register of ``n`` units (its own book, independent of ``ajx.synth``): industry
    and size drawn from fixed mixes, headcount log-uniform within the size class, grades 0 / 1 /
    2 / 3 with shares 60 / 10 / 10 / 20 %, limits 400 / 500 / 600 thousand. Each year ``upgrade``
    more of the ungraded units reach grade 1 (the book's mix drifts toward grade 1)."""
    g = np.random.default_rng(rng)
    ind = g.choice(list(INDUSTRY_MIX), size=n, p=list(INDUSTRY_MIX.values()))
    size = g.choice(list(SIZE_MIX), size=n, p=list(SIZE_MIX.values()))
    lo = np.array([HEADCOUNT[s][0] for s in size], dtype=float)
    hi = np.array([HEADCOUNT[s][1] for s in size], dtype=float)
    head = np.floor(np.exp(np.log(lo) + g.random(n) * (np.log(hi + 1) - np.log(lo)))).astype(np.int64)
    grade0 = g.choice(4, size=n, p=[0.6, 0.1, 0.1, 0.2])
    limit = g.choice([400_000.0, 500_000.0, 600_000.0], size=n, p=[0.6, 0.25, 0.15])
    base = pd.DataFrame({"policy_id": [f"P{i:06d}" for i in range(n)], "industry": ind, "size": size, "headcount": head,
                         "limit_death": limit, "limit_medical": 0.1 * limit, "limit_accident": 10 * limit})
    u = g.random(n)
    out = []
    for t, y in enumerate(years):
        grade = np.where((grade0 == 0) & (u < upgrade * t), 1, grade0)
        out.append(base.assign(year=y, std_grade=grade, exposure=base["headcount"].astype(float)))
    return pd.concat(out, ignore_index=True)


# This fixture's own truth: the DOMAIN.md §6.5 frequencies (deaths, disabilities per 100 000, medical per 100),
# independent of the package's loss model, which the development tests do not need.
FREQUENCIES = pd.DataFrame({
    "deaths_per_100k": [6, 10, 3, 6, 3, 3, 5, 8, 15, 1],
    "disabilities_per_100k": [18, 30, 9, 15, 8, 10, 15, 16, 20, 4],
    "medical_per_100": [2.0, 2.0, 1.0, 1.0, 0.8, 1.5, 1.5, 1.0, 1.0, 0.7],
}, index=list(ajx.reference.INDUSTRIES))


def ledger(reg: pd.DataFrame, *, rng: int, report_days: float = 180.0, scale: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ledger, truth) for the register ``reg``; ``scale`` multiplies every frequency."""
    g = np.random.default_rng(rng)
    ind = FREQUENCIES
    rel = reg["size"].astype(str).map(SIZE).to_numpy() * reg["std_grade"].map(GRADE).to_numpy()
    expo = reg["exposure"].to_numpy(dtype=float) * rel * scale
    i = reg["industry"].astype(str)
    lam = {"medical": expo * i.map(ind["medical_per_100"]).to_numpy(float) / 100,
           "death": expo * i.map(ind["deaths_per_100k"]).to_numpy(float) / 1e5,
           "disability": expo * i.map(ind["disabilities_per_100k"]).to_numpy(float) / 1e5}
    parts = []
    for kind, lm in lam.items():
        row = np.repeat(np.arange(len(reg)), g.poisson(lm))
        parts.append(pd.DataFrame({"row": row, "kind": kind}))
    c = pd.concat(parts, ignore_index=True)
    n = len(c)
    year = reg["year"].to_numpy()[c["row"]]
    limit = reg["limit_death"].to_numpy(float)[c["row"]]
    acc = pd.to_datetime(year.astype(str) + "-01-01").to_numpy() + (g.random(n) * 365).astype("timedelta64[D]")
    kind = c["kind"].to_numpy()
    delay = np.select([kind == "medical", kind == "death"], [report_days, 7.0], 40.0)
    # delays are cut at 600 / 700 days so that every claim is settled within 3.6 years: the
    # development pattern ends inside a 5-year triangle (no tail to guess)
    rep = acc + np.minimum(g.exponential(delay), 600).astype("timedelta64[D]")
    wait = np.minimum(g.exponential(np.select([kind == "medical", kind == "death"], [60.0, 120.0], 400.0)), 700)
    settle = rep + wait.astype("timedelta64[D]") + np.timedelta64(1, "D")
    med = np.minimum(g.lognormal(np.log(2000), np.sqrt(2 * np.log(1.35)), n), reg["limit_medical"].to_numpy(float)[c["row"]])
    grade = g.choice(10, size=n, p=GRADE_MIX / GRADE_MIX.sum()) + 1
    final = np.select([kind == "medical", kind == "death"], [med, limit], TABLE_A[grade - 1] * limit)
    reserve = np.select([kind == "medical", kind == "death"], [2500.0, limit], 20_000.0)
    claim = np.arange(n)
    pid = reg["policy_id"].to_numpy()[c["row"]]
    common = {"claim_id": np.r_[claim, claim], "policy_id": np.r_[pid, pid],
              "accident_date": np.r_[acc, acc], "report_date": np.r_[rep, rep], "policy_year": np.r_[year, year]}
    led = pd.DataFrame({
        **common,
        "transaction_date": np.r_[rep, settle],
        "paid": np.r_[np.zeros(n), final],
        "case_reserve": np.r_[reserve, np.zeros(n)],
        "injury": np.r_[np.where(kind == "death", "death", "medical"), kind],
        "deaths": np.r_[(kind == "death").astype(int), (kind == "death").astype(int)],
        "grade": np.r_[np.zeros(n, int), np.where(kind == "disability", grade, 0)],
        "closed_date": np.r_[np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), settle],
    }).sort_values(["claim_id", "transaction_date"], kind="stable").reset_index(drop=True)
    truth = pd.DataFrame({"claim_id": claim, "row": c["row"], "accident_year": year, "kind": kind, "final": final,
                          "accident_date": acc, "report_date": rep})
    return led, truth
