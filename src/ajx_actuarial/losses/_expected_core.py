"""The computation behind :func:`~ajx_actuarial.expected_loss` (no import of the model class, so
:meth:`LossModel.check` can use it without an import circle)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["expected_parts", "EXPECTED_COLUMNS", "aggregate_shock"]

EXPECTED_COLUMNS = ("expected_loss", "death", "disability", "medical", "rescue", "third_party", "gross_loss", "expected_deaths",
                    "expected_accidents", "aggregate_reduction")


def aggregate_shock(model):
    """The one multiplier the annual-aggregate term integrates: the common shock alone (exact), or,
    with systemic or parameter risk, a gamma of the combined CV ``√((1+shock²)(1+year²)(1+p²) − 1)``,
    ``p`` the larger of the fatal and disability parameter CVs. The product of lognormal year and
    parameter draws is not gamma: this approximates a term that is small wherever the aggregate
    limit is at its default (2 × the per-accident limit), and the gamma keeps it in closed form."""
    from ._aggregate import Shock

    p = max(float(model.parameter_cv.get("fatal", 0.0)), float(model.parameter_cv.get("disability", 0.0)))
    y = float(model.year_cv)
    if p == 0 and y == 0:
        return Shock(model.shock_cv, model.shock_dist)
    cv2 = (1 + model.shock_cv**2) * (1 + y * y) * (1 + p * p) - 1
    return Shock(float(np.sqrt(cv2)), "gamma")


def expected_parts(df: pd.DataFrame, model, rel: np.ndarray) -> pd.DataFrame:
    """Exact expected annual loss by part of every row of a validated book (limits already set) with
    risk relativities ``rel``; see :func:`ajx_actuarial.expected_loss`."""
    from ._accident import disability_law, fatal_law
    from ._aggregate import N_LATTICE

    n = len(df)
    rates = model.rates()
    ind = df["industry"].cat.codes.to_numpy()
    H = df["headcount"].to_numpy(dtype=np.int64)
    k = H * rel
    lam_f = k * rates["fatal"].to_numpy()[ind]
    lam_d = k * rates["disability"].to_numpy()[ind]
    lam_m = k * rates["medical"].to_numpy()[ind]
    mf = model.frequency_multiplier
    dloss = model.death_loss * model.severity_multiplier
    rho = float(model.rescue_share + model.third_party_share)
    kind = model.counts
    r = 1.0 / model.frailty_cv**2 if kind == "negbin" else 0.0
    shock = aggregate_shock(model)

    out = {c: np.zeros(n) for c in EXPECTED_COLUMNS}
    ld = df["limit_death"].to_numpy(dtype=np.float64)
    la = df["limit_accident"].to_numpy(dtype=np.float64)
    lann = df["limit_annual"].to_numpy(dtype=np.float64)
    lmed = df["limit_medical"].to_numpy(dtype=np.float64)
    method = {"lattices": [], "aggregate_lattice": f"A / {N_LATTICE}", "counts": kind, "shock": shock.dist}

    # medical-only claims: capped lognormal, per distinct medical limit
    caps, inv = np.unique(lmed, return_inverse=True)
    med_mean = np.array([model.medical_moments(cap)[0] for cap in caps])[inv]
    out["medical"] = lam_m * med_mean
    g_med = np.exp(np.log(model.medical_median * model.severity_multiplier) + model.medical_sigma**2 / 2)

    # limit configurations: factorize each limit, combine the codes (no per-row tuples)
    key = np.zeros(n, dtype=np.int64)
    levels = []
    for arr in (ld, la, lann):
        codes, uniq_vals = pd.factorize(arr, sort=False)
        key = key * len(uniq_vals) + codes
        levels.append(uniq_vals)
    ukey, first, cfg_inv = np.unique(key, return_index=True, return_inverse=True)
    uniq = [(ld[i], la[i], lann[i]) for i in first]
    for ci, (L, Lacc, A) in enumerate(uniq):
        sel = np.flatnonzero(cfg_inv == ci)
        law = fatal_law(limit_death=L, limit_accident=Lacc, death_loss=dloss, rescue_share=rho, cluster=model.cluster,
                        injury_ratio=model.injury_ratio, grade_mix=model.grade_mix, payout_share=model.payout_share,
                        civil_share=model.civil_share)
        t_d, p_d, gross_d = disability_law(limit_death=L, limit_accident=Lacc, death_loss=dloss, grade_mix=model.grade_mix,
                                           payout_share=model.payout_share, civil_share=model.civil_share)
        method["lattices"].append({"limit_death": float(L), "unit": law.u, "exact": law.exact})
        hb = law.h_big
        hs = np.minimum(H[sel], hb)
        uh, hinv = np.unique(hs, return_inverse=True)
        mom = {key: v[hinv] for key, v in law.moments(uh).items()}
        lf, ldd = lam_f[sel], lam_d[sel]
        e_dis = p_d @ t_d
        out["death"][sel] = lf * mom["death"]
        out["disability"][sel] = lf * mom["disability"] + ldd * e_dis
        out["rescue"][sel] = lf * mom["rescue"]
        out["gross_loss"][sel] = lf * mom["gross"] + ldd * gross_d
        out["expected_deaths"][sel] = lf * mom["deaths"]
        out["expected_accidents"][sel] = lf + ldd
        _aggregate(out, sel, law, t_d, p_d, Lacc, A, H, lam_f, lam_d, mf, kind, r, shock, rho, method)
    out["gross_loss"] += lam_m * g_med
    extra = out["rescue"]
    share = model.third_party_share / rho if rho > 0 else 0.0
    out["third_party"] = extra * share
    out["rescue"] = extra - out["third_party"]
    out["expected_loss"] = out["death"] + out["disability"] + out["medical"] + out["rescue"] + out["third_party"]
    res = pd.DataFrame({"policy_id": df["policy_id"].to_numpy(), "industry": df["industry"], "size": df["size"],
                        "headcount": H, "limit_death": ld, **out})
    res.attrs["method"] = method
    return res


def _chernoff(co_pmf: np.ndarray, t_d: np.ndarray, p_d: np.ndarray, h: float, A: float, Lacc: float, lam_f, lam_d,
              mf: float, kind: str, r: float, shock) -> np.ndarray:
    """A proven upper bound on ``E[(S − A)+]`` per policy: ``min_t E[e^{tS}] e^{−tA−1} / t``.

    ``(s − A)+ <= e^{t(s−A)−1} / t`` for every ``t > 0``; ``E[e^{tS}]`` is the closed-form
    moment generating function of the compound count law (Poisson or the negative binomial
    cluster form, mixed over the common shock's nodes) at the accident laws' transforms, on the
    lattice the exact term uses. Evaluated at ``t = c / Lacc``, ``c`` in 0.5 … 24.
    """
    grid = np.arange(co_pmf.size) * h
    best = np.full(lam_f.size, np.inf)
    nz = co_pmf > 0
    for c in (0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 20.0, 24.0):
        t = c / Lacc
        with np.errstate(over="ignore"):
            phi_f = float(co_pmf[nz] @ np.exp(t * grid[nz]))
            phi_d = float(p_d @ np.exp(t * t_d))
        if not (np.isfinite(phi_f) and np.isfinite(phi_d)):
            continue
        if kind == "poisson":
            ell = lam_f * (phi_f - 1.0) + lam_d * (phi_d - 1.0)
        else:
            size = r * mf
            qf = (lam_f / mf) / (r + lam_f / mf)
            qd = (lam_d / mf) / (r + lam_d / mf)
            with np.errstate(divide="ignore", invalid="ignore"):
                ell = size * (np.log1p(-qf) - np.log(1.0 - qf * phi_f) + np.log1p(-qd) - np.log(1.0 - qd * phi_d))
            ell = np.where((qf * phi_f < 1.0) & (qd * phi_d < 1.0), ell, np.inf)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if shock.dist == "none":
                mgf_log = ell
            elif shock.dist == "gamma":
                a = shock.alpha
                mgf_log = np.where(ell < a, -a * np.log1p(-np.minimum(ell, a) / a), np.inf)
            else:
                mgf_log = np.log(sum(w * np.exp(m * ell) for m, w in zip(shock.m, shock.w)))
            b = np.exp(mgf_log - t * A - 1.0) / t
        best = np.minimum(best, np.where(np.isfinite(b), b, np.inf))
    return best


#: A policy's annual-aggregate term is computed only where its Chernoff bound exceeds this share of its expected
#: fatal + disability loss (elsewhere the term is proven below it: skipped, the largest bound recorded in attrs["method"]);
#: 10 ppm of a policy's expected loss is far below any Monte Carlo error or rounding to the fen of a premium.
AGGREGATE_TOLERANCE = 1e-5


def _aggregate(out, sel, law, t_d, p_d, Lacc, A, H, lam_f, lam_d, mf, kind, r, shock, rho, method=None) -> None:
    """Subtract what the annual aggregate ``A`` removes from the parts of the policies ``sel``.

    Policies whose Chernoff bound on ``E[(S − A)+]`` (:func:`_chernoff`) is below
    ``AGGREGATE_TOLERANCE`` × their expected fatal + disability loss are skipped (the term is
    then proven negligible); the others are computed exactly.
    """
    from ._aggregate import N_LATTICE, AggregateLaws, aggregate_terms

    h = A / N_LATTICE
    size = int(np.floor(Lacc / h * (1 + 1e-12))) + 2
    h_agg = min(law.h_big, int(law.d_cap + law.kmax[min(law.d_cap, law.K)] + 2))
    groups = np.minimum(H[sel], h_agg)
    need_parts = []
    cache = {}
    skipped, worst = 0, 0.0
    for hg in np.unique(groups):
        co = law.coarse(int(hg), h, size)
        cache[hg] = co
        idx = sel[groups == hg]
        bound = _chernoff(co["pmf"], t_d, p_d, h, A, Lacc, lam_f[idx], lam_d[idx], mf, kind, r, shock)
        scale = out["death"][idx] + out["disability"][idx] + out["rescue"][idx]
        keep = ~(bound <= AGGREGATE_TOLERANCE * np.maximum(scale, 1e-300))
        skipped += int((~keep).sum())
        if (~keep).any():
            worst = max(worst, float(bound[~keep].max()))
        need_parts.append(idx[keep])
    if method is not None:
        method["aggregate_skipped"] = method.get("aggregate_skipped", 0) + skipped
        method["aggregate_skipped_max_bound"] = max(method.get("aggregate_skipped_max_bound", 0.0), worst)
    need = np.concatenate(need_parts) if need_parts else sel[:0]
    if need.size == 0:
        return
    groups = np.minimum(H[need], h_agg)
    dis = {"pmf": _split_atoms(t_d, p_d, h, size), "w": _split_atoms(t_d, p_d * t_d, h, size)}
    for hg in np.unique(groups):
        idx = need[groups == hg]
        co = cache[hg]
        laws = AggregateLaws(A, {"pmf": co["pmf"], "death": co["death"], "cas": co["cas"], "cap_death": co["unit_cap"]}, dis)
        res = aggregate_terms(laws, kind, lam_f[idx], lam_d[idx], r, mf, shock, ("death", "cas", "cap_death"))
        uh, hinv = np.unique(H[idx], return_inverse=True)
        red_death = res["death"] + law.cap_death_weight(uh)[hinv] * res["cap_death"]
        red_cas = res["cas"]
        out["death"][idx] -= red_death
        out["disability"][idx] -= (red_cas - red_death) + res["dis"]
        out["rescue"][idx] -= rho * red_cas
        out["aggregate_reduction"][idx] = res["excess"]


def _split_atoms(t: np.ndarray, w: np.ndarray, h: float, size: int) -> np.ndarray:
    from ._accident import _split

    return _split(t, w, h, size)
