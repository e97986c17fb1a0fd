"""Severities of a loss model from a claims ledger: medical-only costs, disability grades, deaths per accident.

Only a ledger holds amounts per claim, grades and the deaths of each accident; from an experience
table the severities stay the prior's (credibility 0, said so in the report).

* **medical-only cost**: lognormal by maximum likelihood on the closed medical claims, a claim
  paid at its medical limit censored there; the log-median and log-sd blended with the prior's
  (normal–normal; prior sd of the log-median from the file's 1 500–2 700 range, of the log-sd
  20 %);
* **disability grades**: the appraised grades' counts and the prior mix as a Dirichlet prior
  worth ``grade_weight`` appraisals (credibility ``n / (n + grade_weight)``);
* **deaths per fatal accident**: the shares of general (1–2), larger (3–9) and major+ (≥ 10)
  accidents, a Dirichlet prior worth ``cluster_weight`` fatal accidents, with the prior's
  within-grade shapes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..losses.cluster import cluster_pmf

__all__ = ["fit_severities"]


def _lognormal_censored(x: np.ndarray, cap: np.ndarray) -> tuple[float, float, np.ndarray]:
    """MLE (mu, sigma) of a lognormal with right-censoring at ``cap`` (x >= cap - 0.01 is censored)."""
    cens = x >= cap - 0.01
    lx = np.log(np.maximum(x, 1e-2))
    lc = np.log(cap)

    def nll(p):
        mu, ls = p
        s = np.exp(ls)
        ll = stats.norm.logpdf(lx[~cens], mu, s).sum() - lx[~cens].sum() + stats.norm.logsf(lc[cens], mu, s).sum()
        return -ll

    r = optimize.minimize(nll, x0=[float(np.median(lx)), np.log(max(float(lx.std()), 0.1))], method="Nelder-Mead",
                          options={"xatol": 1e-8, "fatol": 1e-8, "maxiter": 4000})
    mu, s = float(r.x[0]), float(np.exp(r.x[1]))
    return mu, s, cens


def fit_severities(ledger: pd.DataFrame, exp: pd.DataFrame, prior, credibility: str, *, grade_weight: float = 200.0,
                   cluster_weight: float = 2000.0) -> tuple[dict, list]:
    """Posterior severity parameters and report rows from a (validated) ledger."""
    led = ledger
    if "closed_date" in led.columns:
        tot = led.groupby("claim_id", sort=False).agg(paid=("paid", "sum"), injury=("injury", "last"), grade=("grade", "max"),
                                                      closed=("closed_date", "last"), policy_id=("policy_id", "first"),
                                                      deaths=("deaths", "max"), accident=("accident_id", "first") if "accident_id" in led.columns else ("claim_id", "first"))
        tot = tot[tot["closed"].notna()]
    else:
        tot = led.groupby("claim_id", sort=False).agg(paid=("paid", "sum"), injury=("injury", "last"), grade=("grade", "max"),
                                                      policy_id=("policy_id", "first"), deaths=("deaths", "max"),
                                                      accident=("accident_id", "first") if "accident_id" in led.columns else ("claim_id", "first"))
    out, report = {}, []
    full, none = credibility == "full", credibility == "none"
    # medical-only costs
    med = tot[tot["injury"].astype(str) == "medical"]
    caps = exp.drop_duplicates("policy_id").set_index(exp.drop_duplicates("policy_id")["policy_id"].astype(str))["limit_medical"]
    cap = med["policy_id"].astype(str).map(caps).to_numpy(dtype=np.float64)
    ok = np.isfinite(cap) & (med["paid"].to_numpy() > 0)
    mu0, s0 = np.log(prior.medical_median), prior.medical_sigma
    if ok.sum() >= 30 and not none:
        mu, s, _ = _lognormal_censored(med["paid"].to_numpy()[ok], cap[ok])
        n = int(ok.sum())
        tau_mu, tau_s = np.log(2700 / 1500) / 3.29, 0.2 * s0
        v_mu, v_s = s * s / n, s * s / (2 * n)
        z_mu = 1.0 if full else tau_mu**2 / (tau_mu**2 + v_mu)
        z_s = 1.0 if full else tau_s**2 / (tau_s**2 + v_s)
        mu_p, s_p = z_mu * mu + (1 - z_mu) * mu0, z_s * s + (1 - z_s) * s0
        out["medical_median"], out["medical_sigma"] = float(np.exp(mu_p)), float(s_p)
        report += [{"parameter": "medical-only median, CNY", "prior": float(np.exp(mu0)), "estimate": float(np.exp(mu)),
                    "posterior": float(np.exp(mu_p)), "z": float(z_mu), "sd_log": float(np.sqrt(z_mu * v_mu)), "n": float(n)},
                   {"parameter": "medical-only log-sd", "prior": float(s0), "estimate": float(s), "posterior": float(s_p), "z": float(z_s),
                    "sd_log": float(np.sqrt(z_s * v_s) / s_p), "n": float(n)}]
    else:
        report.append({"parameter": "medical-only median, CNY", "prior": float(np.exp(mu0)), "estimate": np.nan,
                       "posterior": float(np.exp(mu0)), "z": 0.0, "sd_log": np.nan, "n": float(ok.sum())})
    # disability grades
    dis = tot[(tot["injury"].astype(str) == "disability") & (tot["grade"] >= 1)]
    counts = np.bincount(dis["grade"].to_numpy(dtype=np.int64) - 1, minlength=10)[:10].astype(float)
    n = counts.sum()
    pm = np.asarray(prior.grade_mix, dtype=float)
    if n > 0 and not none:
        w = 0.0 if full else grade_weight
        post = (counts + w * pm) / (n + w)
        z = n / (n + w)
        out["grade_mix"] = post / post.sum()
        mean_prior = float(pm @ np.asarray(prior.payout_share))
        report.append({"parameter": "disability grade mix: mean Table-A share", "prior": mean_prior,
                       "estimate": float((counts / n) @ np.asarray(prior.payout_share)), "posterior": float(out["grade_mix"] @ np.asarray(prior.payout_share)),
                       "z": float(z), "sd_log": np.nan, "n": float(n)})
    else:
        report.append({"parameter": "disability grade mix: mean Table-A share", "prior": float(pm @ np.asarray(prior.payout_share)),
                       "estimate": np.nan, "posterior": float(pm @ np.asarray(prior.payout_share)), "z": 0.0, "sd_log": np.nan, "n": float(n)})
    # deaths per fatal accident (grades of Order 493)
    d = tot[tot["injury"].astype(str) == "death"].groupby("accident", sort=False)["deaths"].sum().to_numpy()
    c = np.asarray(prior.cluster)
    sh0 = np.array([c[1:3].sum(), c[3:10].sum(), c[10:].sum()])
    n = float(d.size)
    if n > 0 and not none:
        obs = np.array([(d <= 2).sum(), ((d >= 3) & (d <= 9)).sum(), (d >= 10).sum()], dtype=float)
        w = 0.0 if full else cluster_weight
        sh = (obs + w * sh0) / (n + w)
        k = np.arange(c.size)
        two = float(c[2] / c[1:3].sum()) if c[1:3].sum() > 0 else 0.1
        lm = float((c[3:10] * k[3:10]).sum() / c[3:10].sum()) if c[3:10].sum() > 0 else 3.86
        mm = float((c[10:] * k[10:]).sum() / c[10:].sum()) if c[10:].sum() > 0 else 16.2
        out["cluster"] = cluster_pmf(shares=tuple(sh), two_death_share=two, larger_mean=lm, major_mean=mm, max_deaths=int(c.size - 1))
        report.append({"parameter": "larger + major accidents among fatal ones", "prior": float(sh0[1:].sum()),
                       "estimate": float(obs[1:].sum() / n), "posterior": float(sh[1:].sum()), "z": float(n / (n + w)), "sd_log": np.nan, "n": n})
    else:
        report.append({"parameter": "larger + major accidents among fatal ones", "prior": float(sh0[1:].sum()), "estimate": np.nan,
                       "posterior": float(sh0[1:].sum()), "z": 0.0, "sd_log": np.nan, "n": n})
    return out, report


def _tilt(mix: np.ndarray, share: np.ndarray, target: float) -> np.ndarray:
    """The exponential tilt ``mix × e^{θ share}`` (normalised) whose mean share is ``target`` (bisection)."""
    lo, hi = -60.0, 60.0
    for _ in range(200):
        th = (lo + hi) / 2
        w = mix * np.exp(th * (share - share.max()))
        m = float((w * share).sum() / w.sum())
        lo, hi = (th, hi) if m < target else (lo, th)
    w = mix * np.exp(((lo + hi) / 2) * (share - share.max()))
    return w / w.sum()


def fit_scales_from_incurred(exp: pd.DataFrame, counts: np.ndarray, model, credibility: str, *, prior_sd: float = 0.2) -> tuple[dict, list]:
    """Severity scales of fatal, disability and medical-only accidents from an experience table's incurred.

    ``incurred_i = a_f X_f,i + a_d X_d,i + a_m X_m,i + ε_i`` with ``X_t,i`` = the row's count of
    part ``t`` × the model's expected insured cost of one such accident at the row's limits
    (:func:`ajx_actuarial.expected_loss` per accident); least squares with heteroscedasticity-robust
    standard errors, each ``log a`` blended with 0 (prior sd ``prior_sd``). The disability scale
    tilts the grade mix (``mix × e^{θ × Table-A share}``) to the new mean share; the medical scale
    moves the lognormal median; the fatal scale is reported (a death pays ``min(loss, limit)``:
    a fatal scale away from 1 points at rescue and third-party costs or at the deaths per accident).
    """
    from ..losses._expected_core import expected_parts

    rel = model.relativity(exp, history=False) * exp["exposure"].to_numpy(dtype=np.float64) / exp["headcount"].to_numpy(dtype=np.float64)
    e = expected_parts(exp, model, rel)
    head = exp["headcount"].to_numpy(dtype=np.float64)
    lam = model.rates().to_numpy()[exp["industry"].cat.codes.to_numpy()] * (head * rel)[:, None]
    amounts = np.column_stack([e["death"] + e["rescue"] + e["third_party"], e["disability"], e["medical"]])
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(lam > 0, amounts / lam, 0.0)
    X = counts * per
    y = exp["incurred"].to_numpy(dtype=np.float64)
    keep = X.sum(axis=0) > 0
    a = np.ones(3)
    se = np.full(3, np.inf)
    if keep.sum() and X.shape[0] > 10:
        Xk = X[:, keep]
        beta, *_ = np.linalg.lstsq(Xk, y, rcond=None)
        r = y - Xk @ beta
        inv = np.linalg.pinv(Xk.T @ Xk)
        cov = inv @ (Xk.T * r**2) @ Xk @ inv
        a[keep] = np.maximum(beta, 1e-3)
        se[keep] = np.sqrt(np.maximum(np.diag(cov), 0.0))
    report, out = [], {}
    names = ("fatal accident", "disability accident", "medical-only claim")
    post = np.zeros(3)
    for t in range(3):
        v = (se[t] / a[t]) ** 2 if np.isfinite(se[t]) else np.inf
        if credibility == "full":
            z = 1.0 if np.isfinite(v) else 0.0
        elif credibility == "none":
            z = 0.0
        else:
            z = prior_sd**2 / (prior_sd**2 + v) if np.isfinite(v) else 0.0
        post[t] = z * np.log(a[t])
        report.append({"parameter": f"severity scale from incurred: {names[t]}", "prior": 1.0, "estimate": float(a[t]),
                       "posterior": float(np.exp(post[t])), "z": float(z), "sd_log": float(np.sqrt(z * v)) if np.isfinite(v) else prior_sd,
                       "n": float(counts[:, t].sum())})
    share = np.minimum(np.asarray(model.payout_share, dtype=float), 1.0)
    mix = np.asarray(model.grade_mix, dtype=float)
    if abs(post[1]) > 1e-9:
        out["grade_mix"] = _tilt(mix, share, float(np.exp(post[1]) * (mix @ share)))
    if abs(post[2]) > 1e-9:
        out["medical_median"] = float(model.medical_median * np.exp(post[2]))
    return out, report
