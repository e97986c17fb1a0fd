"""One accident-and-victim generator shared by histories, :func:`experience` and :func:`claims`.

Rows are policy-years. For row ``r`` with exposure ``e`` (worker-years), headcount ``h`` and
risk multiplier ``m = Π relativities × region effect × θ``:

1. fatal, disability and medical-only accident counts ~ Poisson(``e × rate[kind] × m``);
2. each fatal accident: deaths ``D ~ cluster`` capped at ``h``, disabled co-workers
   ``min(Poisson(injury_ratio × D), h − D)``; its time within the exposure window ~ U(0, 1);
3. victims: deaths first, then the disabled (grade ~ ``grade_mix``), then the medical victim
   (cost ~ lognormal);
4. insured amounts: death ``min(death_loss, limit_death)``; grade g
   ``min(civil_share[g] × death_loss, payout_share[g] × limit_death)``; medical
   ``min(cost, limit_medical)``; a fatal accident's rescue/legal costs and third-party losses
   (``(rescue_share + third_party_share) ×`` its casualty payout) are booked on its death
   claims, pro rata; then the per-accident limit and the annual aggregate limit, each applied
   pro rata to the amounts it covers; amounts are floored to the fen (0.01 CNY).

The law is the :class:`~ajx_actuarial.LossModel`'s (the one the simulation and the exact
expected loss use). The draws happen in this order whatever the caller, so the same generator
state gives the same accidents to :func:`experience` and :func:`claims`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


DEATH, DISABILITY, MEDICAL = 0, 1, 2


@dataclass
class Accidents:
    """Accident and victim arrays (victims ordered by accident)."""

    row: np.ndarray          # policy-year row of each accident
    kind: np.ndarray         # 0 fatal, 1 disability, 2 medical
    deaths: np.ndarray       # deaths per accident
    disabled: np.ndarray     # disabled victims per accident
    when: np.ndarray         # position within the exposure window, U(0, 1)
    v_acc: np.ndarray        # accident of each victim
    v_injury: np.ndarray     # 0 death, 1 disability, 2 medical
    v_grade: np.ndarray      # 1..10 for disability, 0 otherwise
    v_paid: np.ndarray       # insured amount (ultimate), CNY


def unit_rates(model, df) -> np.ndarray:
    """(fatal, disability, medical) accident rates per worker-year of each row's sector at the
    population average (:meth:`LossModel.rates`), shape (n, 3); times the unit's relativity it is
    the unit's rate."""
    codes = df["industry"].cat.codes.to_numpy() if hasattr(df["industry"], "cat") else None
    r = model.rates()
    if codes is None:
        return r.loc[df["industry"].astype(str)].to_numpy()
    return r.to_numpy()[codes]


def capped_cluster_means(model, headcount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E[min(D, h)] and E[min(D, h)²] of the deaths D of a fatal accident for each headcount ``h``."""
    c = np.asarray(model.cluster)
    k = np.arange(c.size)
    sf = np.cumsum(c[::-1])[::-1]  # P(D >= k)
    m1 = np.r_[0.0, np.cumsum(sf[1:])]  # E[min(D, h)] = Σ_{k=1..h} P(D >= k)
    m2 = np.r_[0.0, np.cumsum((2 * k[1:] - 1) * sf[1:])]
    h = np.minimum(np.asarray(headcount, dtype=np.int64), c.size - 1)
    return m1[h], m2[h]


def counts(g: np.random.Generator, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Accident counts per row for the three kinds; ``lam`` has shape (rows, 3)."""
    return g.poisson(lam[:, 0]), g.poisson(lam[:, 1]), g.poisson(lam[:, 2])


def cluster_deaths(g: np.random.Generator, model, cap: np.ndarray) -> np.ndarray:
    """Deaths of fatal accidents (one per element of ``cap``), capped at ``cap``."""
    cdf = np.cumsum(np.asarray(model.cluster))
    cdf[-1] = 1.0
    d = np.searchsorted(cdf, g.random(cap.size), side="right")
    return np.minimum(np.maximum(d, 1), cap)


def draw(g: np.random.Generator, model, lam: np.ndarray, headcount: np.ndarray, limits: np.ndarray) -> Accidents:
    """All accidents and victims of the rows. ``limits`` columns: death, medical, accident, annual."""
    n = lam.shape[0]
    nf, nd, nm = counts(g, lam)
    rows = np.arange(n)
    f_row = np.repeat(rows, nf)
    d_f = cluster_deaths(g, model, headcount[f_row])
    k_f = np.minimum(g.poisson(model.injury_ratio * d_f), headcount[f_row] - d_f)
    row = np.concatenate([f_row, np.repeat(rows, nd), np.repeat(rows, nm)])
    kind = np.concatenate([np.zeros(f_row.size, np.int8), np.ones(nd.sum(), np.int8), np.full(nm.sum(), 2, np.int8)])
    deaths = np.concatenate([d_f, np.zeros(nd.sum() + nm.sum(), np.int64)])
    disabled = np.concatenate([k_f, np.ones(nd.sum(), np.int64), np.zeros(nm.sum(), np.int64)])
    when = g.random(row.size)
    med = (kind == MEDICAL).astype(np.int64)
    per_acc = deaths + disabled + med
    v_acc = np.repeat(np.arange(row.size), per_acc)
    start = np.cumsum(per_acc) - per_acc
    pos = np.arange(v_acc.size) - start[v_acc]
    v_inj = np.where(pos < deaths[v_acc], DEATH, np.where(pos < deaths[v_acc] + disabled[v_acc], DISABILITY, MEDICAL)).astype(np.int8)
    dis = v_inj == DISABILITY
    v_grade = np.zeros(v_acc.size, np.int64)
    v_grade[dis] = g.choice(10, size=int(dis.sum()), p=np.asarray(model.grade_mix) / np.sum(model.grade_mix)) + 1
    medv = v_inj == MEDICAL
    sev = model.severity_multiplier
    cost = g.lognormal(np.log(model.medical_median * sev), model.medical_sigma, size=int(medv.sum()))
    v_row = row[v_acc]
    lim = limits[v_row]
    pay = np.empty(v_acc.size)
    dloss = model.death_loss * sev
    dead = v_inj == DEATH
    pay[dead] = np.minimum(dloss, lim[dead, 0])
    gi = v_grade[dis] - 1
    pay[dis] = np.minimum(np.asarray(model.civil_share)[gi] * dloss, np.asarray(model.payout_share)[gi] * lim[dis, 0])
    pay[medv] = np.minimum(cost, lim[medv, 1])
    # a fatal accident's rescue/legal and third-party costs, on its death claims pro rata
    rho = float(model.rescue_share + model.third_party_share)
    if rho > 0 and dead.any():
        cas = np.bincount(v_acc, weights=np.where(v_inj == MEDICAL, 0.0, pay), minlength=row.size)
        pay[dead] += rho * cas[v_acc[dead]] / deaths[v_acc[dead]]
    # per-accident limit, then the annual aggregate, pro rata
    tot_a = np.bincount(v_acc, weights=pay, minlength=row.size)
    acc_lim = limits[row, 2]
    sa = np.where(tot_a > acc_lim, acc_lim / np.where(tot_a > 0, tot_a, 1.0), 1.0)
    pay = pay * sa[v_acc]
    tot_r = np.bincount(v_row, weights=pay, minlength=n)
    sr = np.where(tot_r > limits[:, 3], limits[:, 3] / np.where(tot_r > 0, tot_r, 1.0), 1.0)
    pay = np.floor(pay * sr[v_row] * 100.0 + 1e-6) / 100.0
    return Accidents(row, kind, deaths, disabled, when, v_acc, v_inj, v_grade, pay)


def history(g: np.random.Generator, model, lam: np.ndarray, headcount: np.ndarray, years: int = 3):
    """Per-accident claim history over ``years`` full years (``lam`` per year, shape (n, 3)).

    Returns ``accidents``, ``deaths``, ``max_accident_deaths`` and ``claim_free_years``
    (consecutive claim-free years counted back from the latest; ``years`` = that many or more).
    """
    n = lam.shape[0]
    acc = np.zeros(n, np.int64)
    deaths = np.zeros(n, np.int64)
    worst = np.zeros(n, np.int64)
    free = np.zeros(n, np.int64)
    still = np.ones(n, bool)
    for _ in range(years):  # most recent year first
        nf, nd, nm = counts(g, lam)
        f_row = np.repeat(np.arange(n), nf)
        d = cluster_deaths(g, model, headcount[f_row])
        deaths += np.bincount(f_row, weights=d, minlength=n).astype(np.int64)
        np.maximum.at(worst, f_row, d)
        k = nf + nd + nm
        acc += k
        still &= k == 0
        free += still
    return acc, deaths, worst, free
