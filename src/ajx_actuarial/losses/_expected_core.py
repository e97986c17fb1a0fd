"""The computation behind :func:`~ajx_actuarial.expected_loss` (no import of the model class, so
:meth:`LossModel.check` can use it without an import circle).

Cost on a book of ``n`` policies with ``C`` limit configurations (a handful): the linear terms are
gathers from per-configuration tables over the capped headcount (:attr:`FatalLaw.moment_table`,
cached with the law); the annual-aggregate term is skipped wherever the Chernoff bound proves it
negligible (:mod:`._aggregate_bound`, one vectorised pass whose transforms are tables over
configuration × headcount group), and computed exactly (:mod:`._aggregate`) on the few policies
left, grouped by configuration and headcount group. Nothing loops over policies in Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._accident import disability_law, fatal_law
from ._aggregate import N_LATTICE, aggregate_shock
from ._aggregate_bound import AGGREGATE_TOLERANCE
from ._aggregate_reduction import subtract_aggregate

__all__ = ["expected_parts", "expected_arrays", "EXPECTED_COLUMNS", "aggregate_shock", "AGGREGATE_TOLERANCE"]

EXPECTED_COLUMNS = ("expected_loss", "death", "disability", "medical", "rescue", "third_party", "gross_loss", "expected_deaths",
                    "expected_accidents", "aggregate_reduction")


def expected_parts(df: pd.DataFrame, model, rel: np.ndarray) -> pd.DataFrame:
    """Exact expected annual loss by part of every row of a validated book (limits already set) with
    risk relativities ``rel``; see :func:`ajx_actuarial.expected_loss`."""
    limits = tuple(df[c].to_numpy(dtype=np.float64) for c in ("limit_death", "limit_accident", "limit_annual", "limit_medical"))
    return expected_frame(df, expected_arrays(df, model, rel, limits))


def expected_frame(df: pd.DataFrame, result: tuple[dict, dict]) -> pd.DataFrame:
    """The result frame of :func:`expected_arrays` (one row per row of ``df``, same order)."""
    out, method = result
    res = pd.DataFrame({"policy_id": df["policy_id"].to_numpy(), "industry": df["industry"], "size": df["size"],
                        "headcount": df["headcount"].to_numpy(dtype=np.int64), "limit_death": out.pop("_limit_death"), **out})
    res.attrs["method"] = method
    return res


def _configurations(ld, la, lann) -> tuple[np.ndarray, np.ndarray]:
    """Code of each row's limit configuration (sorted as ``np.unique`` of the combined code) and the
    first row of each configuration, without sorting the book."""
    n = ld.size
    key = np.zeros(n, dtype=np.int64)
    for arr in (ld, la, lann):
        codes, uniq = pd.factorize(arr, sort=False)
        key = key * len(uniq) + codes
    codes, ukey = pd.factorize(key, sort=False)
    rank = np.empty(ukey.size, dtype=np.int64)
    rank[np.argsort(ukey, kind="stable")] = np.arange(ukey.size)
    first = np.empty(ukey.size, dtype=np.int64)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)
    order = np.empty(ukey.size, dtype=np.int64)
    order[rank] = np.arange(ukey.size)
    return rank[codes], first[order]


def expected_arrays(df: pd.DataFrame, model, rel: np.ndarray, limits: tuple) -> tuple[dict, dict]:
    """Every column of :data:`EXPECTED_COLUMNS` (and ``_limit_death``) as arrays, and ``attrs["method"]``.

    ``df``: a validated book (its ``industry`` and ``headcount`` are read); ``rel``: risk
    relativities; ``limits``: per-row ``(limit_death, limit_accident, limit_annual, limit_medical)``.
    """
    ld, la, lann, lmed = (np.asarray(a, dtype=np.float64) for a in limits)
    n = ld.size
    rates = model.rates()
    ind = df["industry"].cat.codes.to_numpy()
    H = df["headcount"].to_numpy(dtype=np.int64)
    k = H * rel
    lam_f = k * rates["fatal"].to_numpy()[ind]
    lam_d = k * rates["disability"].to_numpy()[ind]
    lam_m = k * rates["medical"].to_numpy()[ind]
    dloss = model.death_loss * model.severity_multiplier
    rho = float(model.rescue_share + model.third_party_share)
    method = {"lattices": [], "aggregate_lattice": f"A / {N_LATTICE}", "counts": model.counts, "shock": aggregate_shock(model).dist}

    out = {}
    # medical-only claims: capped lognormal, per distinct medical limit
    med_codes, caps = pd.factorize(lmed, sort=False)
    out["medical"] = lam_m * np.array([model.medical_moments(cap)[0] for cap in caps])[med_codes]
    g_med = np.exp(np.log(model.medical_median * model.severity_multiplier) + model.medical_sigma**2 / 2)

    # per limit configuration: the laws of one accident, and their moments by capped headcount
    cfg, first = _configurations(ld, la, lann)
    laws, dis, offsets = [], [], [0]
    for i in first:
        L, Lacc = ld[i], la[i]
        law = fatal_law(limit_death=L, limit_accident=Lacc, death_loss=dloss, rescue_share=rho, cluster=model.cluster,
                        injury_ratio=model.injury_ratio, grade_mix=model.grade_mix, payout_share=model.payout_share,
                        civil_share=model.civil_share)
        t_d, p_d, gross_d = disability_law(limit_death=L, limit_accident=Lacc, death_loss=dloss, grade_mix=model.grade_mix,
                                           payout_share=model.payout_share, civil_share=model.civil_share)
        method["lattices"].append({"limit_death": float(L), "unit": law.u, "exact": law.exact})
        laws.append(law)
        dis.append((t_d, p_d, float(p_d @ t_d), gross_d))
        offsets.append(offsets[-1] + law.h_big)
    tab = {name: np.concatenate([law.moment_table[name] for law in laws])
           for name in ("death", "disability", "rescue", "gross", "deaths", "cap_death")}
    hb = np.array([law.h_big for law in laws])
    mrow = np.asarray(offsets[:-1])[cfg] + np.minimum(H, hb[cfg]) - 1  # row of the moment tables
    e_dis = np.array([d[2] for d in dis])[cfg]
    gross_d = np.array([d[3] for d in dis])[cfg]
    out["death"] = lam_f * tab["death"][mrow]
    out["disability"] = lam_f * tab["disability"][mrow] + lam_d * e_dis
    out["rescue"] = lam_f * tab["rescue"][mrow]
    out["gross_loss"] = lam_f * tab["gross"][mrow] + lam_d * gross_d + lam_m * g_med
    out["expected_deaths"] = lam_f * tab["deaths"][mrow]
    out["expected_accidents"] = lam_f + lam_d
    out["aggregate_reduction"] = np.zeros(n)
    subtract_aggregate(out, model, laws, dis, [(ld[i], la[i], lann[i]) for i in first], cfg, H, lam_f, lam_d,
                       tab["cap_death"][mrow], method)
    extra = out["rescue"]
    share = model.third_party_share / rho if rho > 0 else 0.0
    out["third_party"] = extra * share
    out["rescue"] = extra - out["third_party"]
    out["expected_loss"] = out["death"] + out["disability"] + out["medical"] + out["rescue"] + out["third_party"]
    return {"_limit_death": ld, **{c: out[c] for c in EXPECTED_COLUMNS}}, method
