"""Frequencies of a loss model from policy-year experience: relativities, sector levels by part, frailty.

Three steps, each blended with the prior by credibility (normal–normal on the log scale, the
Bühlmann credibility ``Z = τ² / (τ² + v)`` with the prior's structural variance ``τ²`` and the
data's sampling variance ``v``):

1. **relativities** of the rating characteristics: a negative binomial GLM (statsmodels, log
   link, ``alpha`` the prior's frailty CV²) of each unit's claims over its years with offset
   ``log(Σ exposure × prior sector rate)`` and robust (sandwich) standard errors — a unit's years
   share its frailty, so they are one observation; ``τ`` = ``relativity_sd``;
2. **frequency levels by part** (fatal accidents, disability accidents, medical-only claims):
   observed ``O`` against ``E = Σ exposure × prior base rate × posterior relativity``, with
   ``v = Var(O) / E²`` from the counts law itself — Poisson plus the units' gamma frailty
   (``Σ cv² (μ_i T_i)²``, a unit's years are correlated) plus the systemic year effect
   (``year_cv² / years``) — in a normal hierarchy: a common book level (prior sd 0.3: a book may
   differ from the national averages), a deviation per part (0.1: parts move together), a
   deviation per sector and part (``ln(high / low) / 3.29``, the sector's stated 90 % range);
   so a book whose disabilities and medical claims run 40 % above the prior lifts its thinly
   observed fatal rate too;
3. **frailty CV**: method of moments on the units' totals over their years,
   ``cv² = Σ [(N_i − μ_i)² − N_i] / Σ μ_i²``, with its sampling sd, blended with the prior's.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._lookup import lookup
from ..errors import ValidationError
from ..reference import INDUSTRIES

__all__ = ["part_counts", "fit_relativities", "fit_levels", "fit_frailty", "PARTS"]

PARTS = ("fatal", "disability", "medical")
_COUNT_COLUMNS = ("fatal_accidents", "disability_accidents", "medical_claims")


def blend(log_est: np.ndarray, var_est: np.ndarray, tau: np.ndarray, log_prior: np.ndarray | float = 0.0):
    """Normal–normal credibility on the log scale: posterior mean, credibility weight, posterior sd."""
    tau2 = np.asarray(tau, dtype=float) ** 2
    v = np.asarray(var_est, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(np.isfinite(v) & (tau2 > 0), tau2 / (tau2 + v), 0.0)
    post = z * np.nan_to_num(log_est) + (1 - z) * log_prior
    sd = np.sqrt(np.where(z > 0, z * v, tau2))
    return post, z, sd


def part_counts(exp: pd.DataFrame, prior) -> np.ndarray:
    """Counts by part per policy-year, shape (n, 3): the experience's own columns when it has them
    (``fatal_accidents``, ``disability_accidents``, ``medical_claims``), else estimated from
    ``claims``, ``deaths``, ``disabilities``: fatal = deaths / E[deaths per fatal accident at the
    unit's headcount], disability = disabilities − injury_ratio × deaths, medical = the rest."""
    if all(c in exp.columns for c in _COUNT_COLUMNS):
        out = exp[list(_COUNT_COLUMNS)].to_numpy(dtype=np.float64)
        if (out < 0).any() or not np.isfinite(out).all():
            raise ValidationError(f"LossModel.fit: {list(_COUNT_COLUMNS)} must be finite counts >= 0")
        return out
    c = np.asarray(prior.cluster)
    sf = np.cumsum(c[::-1])[::-1]
    m1 = np.r_[0.0, np.cumsum(sf[1:])]
    per = m1[np.minimum(exp["headcount"].to_numpy(dtype=np.int64), c.size - 1)]
    deaths = exp["deaths"].to_numpy(dtype=np.float64)
    fatal = deaths / np.maximum(per, 1.0)
    dis = np.maximum(exp["disabilities"].to_numpy(dtype=np.float64) - prior.injury_ratio * deaths, 0.0)
    med = np.maximum(exp["claims"].to_numpy(dtype=np.float64) - fatal - dis, 0.0)
    return np.column_stack([fatal, dis, med])


def _levels(col: pd.Series, factor: str) -> pd.Series:
    if factor == "violations":
        return np.minimum(col.to_numpy(dtype=np.int64), 2).astype(str)
    return col.astype(str).to_numpy()


def fit_relativities(exp: pd.DataFrame, prior, factors: list[str], relativity_sd: float, credibility: str) -> tuple[dict, dict, list]:
    """Posterior relativities (and region effects) and report rows.

    The GLM runs on each unit's claims summed over its years (rows grouped by unit and rating
    levels): a unit's frailty persists, so its years are not independent observations. Negative
    binomial with the prior's frailty (``alpha = cv²``; Poisson without frailty), so a few very
    large units do not dominate a level; heteroscedasticity-robust (sandwich) standard errors, valid
    whatever the true dispersion.
    """
    import statsmodels.api as sm

    base = prior.rates().sum(axis=1) / prior.frequency_multiplier / pd.Series(prior.normaliser).reindex(list(INDUSTRIES)).fillna(1.0)
    off = exp["exposure"].to_numpy(dtype=np.float64) * lookup(exp["industry"], {str(k): float(v) for k, v in base.items()})
    keys = {"policy": exp["policy_id"].astype(str).to_numpy(), "industry": exp["industry"].astype(str).to_numpy()}
    for f in factors:
        keys[f] = _levels(exp[f], f)
    cells = pd.DataFrame({**keys, "y": exp["claims"].to_numpy(dtype=np.float64), "off": off}).groupby(list(keys), sort=False).sum().reset_index()
    cells = cells[cells["off"] > 0]
    tables = {f: (dict(prior.region_effects) if f == "region" else dict(prior.relativities.get(f, {}))) for f in factors}
    cols, names, refs = [], [], {}
    X = pd.get_dummies(cells["industry"], dtype=float)
    for f in factors:
        lv = cells[f].astype(str)
        prior_t = {str(k): float(v) for k, v in tables[f].items()}
        present = lv.unique().tolist()
        ones = [k for k, v in prior_t.items() if abs(v - 1.0) < 1e-12 and k in present]
        ref = ones[0] if ones else cells.groupby(f)["off"].sum().idxmax()
        refs[f] = ref
        d = pd.get_dummies(lv, dtype=float)
        for k in d.columns:
            if k != ref:
                cols.append(d[k].rename(f"{f}={k}"))
                names.append((f, k))
    if cols:
        X = pd.concat([X] + cols, axis=1)
    cv = prior.heterogeneity_cv
    family = sm.families.NegativeBinomial(alpha=cv**2) if cv > 0 else sm.families.Poisson()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(cells["y"].to_numpy(), X.to_numpy(), family=family, offset=np.log(cells["off"].to_numpy())).fit(cov_type="HC0")
        disp = float(res.pearson_chi2 / max(res.df_resid, 1))
    beta = pd.Series(res.params, index=X.columns)
    se = pd.Series(res.bse, index=X.columns)
    rel_out = {f: dict(prior.relativities.get(f, {})) for f in prior.relativities}
    reg_out = dict(prior.region_effects)
    report = []
    for f in factors:
        prior_t = {str(k): float(v) for k, v in tables[f].items()}
        ref = refs[f]
        r_ref = prior_t.get(ref, 1.0)
        for (ff, k) in [n for n in names if n[0] == f]:
            col = f"{f}={k}"
            est = float(beta[col]) + np.log(r_ref)  # relative to the prior's value at the reference level
            v = float(se[col]) ** 2
            p = np.log(prior_t.get(k, 1.0))
            tau = relativity_sd if credibility == "buhlmann" else (np.inf if credibility == "full" else 0.0)
            if credibility == "full":
                post, z, sd = est, 1.0, np.sqrt(v)
            elif credibility == "none":
                post, z, sd = p, 0.0, relativity_sd
            else:
                post, z, sd = (float(x) for x in blend(np.array(est - p), np.array(v), np.array(tau)))
                post += p
            report.append({"parameter": f"relativity {f} = {k}", "prior": float(np.exp(p)), "estimate": float(np.exp(est)),
                           "posterior": float(np.exp(post)), "z": float(z), "sd_log": float(sd), "n": float(cells.loc[cells[f] == k, "y"].sum())})
            if f == "region":
                reg_out[k] = float(np.exp(post))
            else:
                typed = {str(kk): kk for kk in prior.relativities.get(f, {})}
                key = typed.get(k, int(k) if f in ("std_grade", "violations") else (k == "True") if f == "blacklisted" else k)
                rel_out.setdefault(f, {})[key] = float(np.exp(post))
    return rel_out, reg_out, report + [{"parameter": "claims dispersion (Pearson χ² / df, units)", "prior": np.nan,
                                        "estimate": disp, "posterior": disp, "z": np.nan, "sd_log": np.nan, "n": float(len(cells))}]


#: Prior sd of the book's common log frequency level against the prior (an insurer's book may differ from national
#: averages by a factor of 1.6 either way at 90 %: assumption) and of a part's deviation from it (parts move together).
BOOK_LEVEL_SD = 0.3
PART_SD = 0.1


def fit_levels(exp: pd.DataFrame, counts: np.ndarray, prior, rel_model, sector_sd: dict, credibility: str, cv: float) -> tuple[np.ndarray, list, np.ndarray]:
    """Posterior multipliers of the prior's base rates, shape (industries, 3), report rows, posterior sd.

    A normal hierarchy on the log scale: a common book level ``L`` (prior sd ``BOOK_LEVEL_SD``),
    a deviation per part (``PART_SD``), a deviation per sector and part (the sector's stated
    range); estimated level by level, each with its credibility weight; a part's raw level is the
    credibility-weighted mean of its sectors (Bühlmann–Straub's collective).
    """
    rates = (prior.rates() / prior.frequency_multiplier).to_numpy()  # population averages per worker
    norm = np.array([prior.normaliser.get(k, 1.0) for k in INDUSTRIES])
    ind = exp["industry"].cat.codes.to_numpy()
    rel = rel_model.factor_relativity(exp) * np.array([rel_model.normaliser.get(k, 1.0) for k in INDUSTRIES])[ind] / norm[ind]
    expo = exp["exposure"].to_numpy(dtype=np.float64)
    mu = rates[ind] * (expo * rel)[:, None]  # expected counts per row under the prior's levels
    years = max(int(exp["year"].nunique()), 1) if "year" in exp.columns else 1
    codes, uniq = pd.factorize(exp["policy_id"].astype(str).to_numpy())
    ind_pol = np.zeros(uniq.size, dtype=np.int64)
    ind_pol[codes] = ind
    K = len(INDUSTRIES)
    O = np.zeros((K, 3))
    E = np.zeros((K, 3))
    V = np.full((K, 3), np.inf)  # sampling variance of log(O / E)
    for t in range(3):
        np.add.at(O[:, t], ind, counts[:, t])
        np.add.at(E[:, t], ind, mu[:, t])
        mu_pol = np.bincount(codes, weights=mu[:, t], minlength=uniq.size)
        sq = np.bincount(ind_pol, weights=mu_pol**2, minlength=K)
        with np.errstate(divide="ignore", invalid="ignore"):
            V[:, t] = np.where(E[:, t] > 0, (E[:, t] + cv**2 * sq) / E[:, t] ** 2 + prior.year_cv**2 / years, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        R = np.where(E > 0, np.log(np.maximum(O, 0.5) / E), 0.0)
    Ot, Et = O.sum(axis=0), E.sum(axis=0)
    # a part's level: the sectors' log ratios weighted by their credibility (Bühlmann–Straub's collective), so one large
    # sector does not set the level of the others; its variance from the sectors' spread around it
    TAU = np.array([[sector_sd[(name, part)] for part in PARTS] for name in INDUSTRIES])
    ok = np.isfinite(V) & (E > 0)
    Zs = np.where(ok, TAU**2 / (TAU**2 + np.where(ok, V, 1.0)), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        Rt = np.where(Zs.sum(axis=0) > 0, (Zs * R).sum(axis=0) / Zs.sum(axis=0), 0.0)
        Vt = np.where(ok.any(axis=0), 1.0 / np.where(ok, 1.0 / (TAU**2 + np.where(ok, V, 1.0)), 0.0).sum(axis=0), np.inf)
    fin = np.isfinite(Vt)
    report = []
    if credibility == "none":
        part_post, part_var = np.zeros(3), np.full(3, PART_SD**2 + BOOK_LEVEL_SD**2)
        L, vL = 0.0, BOOK_LEVEL_SD**2
    elif credibility == "full":
        part_post, part_var = Rt, Vt
        L, vL = (float(np.average(Rt[fin], weights=1 / Vt[fin])), float(1 / (1 / Vt[fin]).sum())) if fin.any() else (0.0, np.inf)
    else:
        w = np.where(fin, 1.0 / (PART_SD**2 + np.where(fin, Vt, 1.0)), 0.0)
        vL = 1.0 / (1.0 / BOOK_LEVEL_SD**2 + w.sum())
        L = vL * float((w * Rt).sum())
        # each part around L: prior N(L, PART_SD² + vL)
        part_post, zt, sdt = blend(Rt - L, Vt, np.full(3, np.sqrt(PART_SD**2 + vL)))
        part_post = part_post + L
        part_var = sdt**2
    raw_level = float(np.exp(np.average(Rt[fin], weights=1 / Vt[fin]))) if fin.any() else np.nan
    report.append({"parameter": "book frequency level (all parts)", "prior": 1.0, "estimate": raw_level,
                   "posterior": float(np.exp(L)), "z": float(1 - vL / BOOK_LEVEL_SD**2) if credibility != "none" else 0.0,
                   "sd_log": float(np.sqrt(vL)), "n": float(Ot.sum())})
    for t, part in enumerate(PARTS):
        report.append({"parameter": f"{part} frequency level (book)", "prior": 1.0, "estimate": float(np.exp(Rt[t])),
                       "posterior": float(np.exp(part_post[t])), "z": float(1 - part_var[t] / (PART_SD**2 + vL)) if credibility == "buhlmann" else float(credibility == "full"),
                       "sd_log": float(np.sqrt(part_var[t])), "n": float(Ot[t])})
    mult = np.ones((K, 3))
    sd_out = np.zeros((K, 3))
    for t, part in enumerate(PARTS):
        for k, name in enumerate(INDUSTRIES):
            tau = np.sqrt(sector_sd[(name, part)] ** 2 + part_var[t])
            if E[k, t] <= 0:
                post, z, sd = part_post[t], 0.0, tau
            elif credibility == "full":
                post, z, sd = R[k, t], 1.0, np.sqrt(V[k, t])
            elif credibility == "none":
                post, z, sd = 0.0, 0.0, sector_sd[(name, part)]
            else:
                d, z, sd = (float(x) for x in blend(np.array(R[k, t] - part_post[t]), np.array(V[k, t]), np.array(tau)))
                post = d + part_post[t]
            mult[k, t] = np.exp(post)
            sd_out[k, t] = sd
            report.append({"parameter": f"{part} frequency: {name}", "prior": 1.0, "estimate": float(O[k, t] / E[k, t]) if E[k, t] > 0 else np.nan,
                           "posterior": float(np.exp(post)), "z": float(z), "sd_log": float(sd), "n": float(O[k, t])})
    return mult, report, sd_out


def fit_frailty(exp: pd.DataFrame, counts: np.ndarray, mu: np.ndarray, prior_cv: float, credibility: str) -> tuple[float, dict]:
    """Frailty CV from the units' claim totals over their years (method of moments), blended with the prior."""
    codes, uniq = pd.factorize(exp["policy_id"].astype(str).to_numpy())
    n_i = np.bincount(codes, weights=counts.sum(axis=1), minlength=uniq.size)
    m_i = np.bincount(codes, weights=mu.sum(axis=1), minlength=uniq.size)
    den = float((m_i**2).sum())
    if den <= 0 or uniq.size < 30:
        return prior_cv, {"parameter": "frailty cv", "prior": prior_cv, "estimate": np.nan, "posterior": prior_cv, "z": 0.0,
                          "sd_log": np.nan, "n": float(uniq.size)}
    a = (n_i - m_i) ** 2 - n_i
    cv2 = float(a.sum()) / den
    se = float(np.sqrt(((a - cv2 * m_i**2) ** 2).sum())) / den
    p2 = prior_cv**2
    if credibility == "full":
        post, z = max(cv2, 1e-4), 1.0
    elif credibility == "none":
        post, z = p2, 0.0
    else:
        tau = 0.5 * p2  # a prior CV of cv² of 50 %
        z = tau**2 / (tau**2 + se**2)
        post = max(z * cv2 + (1 - z) * p2, 1e-4)
    return float(np.sqrt(post)), {"parameter": "frailty cv", "prior": prior_cv, "estimate": float(np.sqrt(max(cv2, 0.0))),
                                  "posterior": float(np.sqrt(post)), "z": float(z), "sd_log": float(se / (2 * max(post, 1e-4))),
                                  "n": float(uniq.size)}
