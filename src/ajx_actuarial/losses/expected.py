"""Exact expected annual insured loss per policy under the nested limits: ``ajx.expected_loss``.

No Monte Carlo. For each policy, with accident rates ``λ_t = headcount × relativity × rate_t``
(fatal, disability, medical-only; :meth:`LossModel.rates`):

``E[insured] = λ_f E[T_fatal] + λ_d E[T_dis] + λ_m E[min(X, limit_medical)] − E[(S − A)+]``

* ``E[T_fatal]`` is the exact mean of one fatal accident's payout after the per-person and
  per-accident limits (deaths capped at the headcount, disabled co-workers, grades; see
  :mod:`._accident`), ``E[T_dis]`` likewise for a disability accident;
* ``E[(S − A)+]`` is what the annual aggregate limit ``A`` removes, from the policy-year
  compound distribution of the fatal and disability payouts (Poisson or negative binomial
  counts, integrated over the common shock; :mod:`._aggregate`), computed wherever it can bind;
* medical-only claims stay outside the annual aggregate, as in :func:`simulate`.

Parts (death, disability, medical-only, rescue/legal) are split pro rata exactly as the
simulation splits them, so each part's expectation equals the simulation's mean part.
Identical cells are grouped: one table per limit configuration serves every headcount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..portfolio import validate_portfolio
from .limits import LimitPolicy
from .model import LossModel

__all__ = ["expected_loss", "EXPECTED_COLUMNS"]

EXPECTED_COLUMNS = ("expected_loss", "death", "disability", "medical", "rescue", "gross_loss", "expected_deaths",
                    "expected_accidents", "aggregate_reduction")


def _relativity(df: pd.DataFrame, relativity: str | None) -> np.ndarray:
    n = len(df)
    if relativity is None or relativity not in df.columns:
        if relativity not in (None, "risk_relativity"):
            raise ValidationError(f"expected_loss: relativity column {relativity!r} not in the portfolio; price it first or pass relativity=None")
        return np.ones(n)
    rel = df[relativity].to_numpy(dtype=np.float64)
    if not np.isfinite(rel).all() or (rel <= 0).any():
        bad = np.flatnonzero(~np.isfinite(rel) | (rel <= 0))[:5].tolist()
        raise ValidationError(f"expected_loss: relativity column {relativity!r} must be finite and > 0; bad rows {bad}")
    return rel


def expected_loss(book: pd.DataFrame, model: LossModel | None = None, limits: LimitPolicy | None = None, *,
                  relativity: str | None = "risk_relativity") -> pd.DataFrame:
    """Exact expected annual loss of every policy, in total and by part, under the nested limits.

    Parameters
    ----------
    book : DataFrame
        A portfolio (validated here); usually priced, so that its ``risk_relativity`` column
        (written by :func:`ajx_actuarial.price`) scales each policy's accident rates.
    model : LossModel, optional
        Defaults to :meth:`LossModel.default`. The common shock (``shock_cv``) and negative
        binomial counts change only what the annual aggregate removes; the rest is linear in the
        rates.
    limits : LimitPolicy, optional
        Overrides the portfolio's limits (as :func:`simulate` does).
    relativity : str or None
        Column with each policy's risk relativity (default ``risk_relativity``; 1 where the column
        is absent); ``None`` ignores it.

    Returns
    -------
    DataFrame
        One row per policy (same order as ``book``): ``policy_id``, ``industry``, ``headcount``,
        ``limit_death``, ``expected_loss`` (insured, CNY per year) = ``death`` + ``disability``
        + ``medical`` + ``rescue`` (rescue, medical-rescue, appraisal and legal costs), then
        ``gross_loss`` (economic loss before limits), ``expected_deaths``, ``expected_accidents``
        (fatal + disability), ``aggregate_reduction`` (what the annual aggregate limit removes).
        ``attrs["method"]`` records the lattices used and whether they were exact.

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> book = pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["medium"], "headcount": [300]})
    >>> e = ajx.expected_loss(book)
    >>> round(float(e.loc[0, "expected_loss"]), 2) == round(float(e.loc[0, ["death", "disability", "medical", "rescue"]].sum()), 2)
    True
    """
    from ._accident import disability_law, fatal_law
    from ._aggregate import N_LATTICE, Shock

    model = LossModel.default() if model is None else model
    if not isinstance(model, LossModel):
        raise ValidationError(f"expected_loss: model must be a LossModel, got {type(model).__name__}")
    model = model.validate()
    df = validate_portfolio(book)
    if limits is not None:
        if not isinstance(limits, LimitPolicy):
            raise ValidationError(f"expected_loss: limits must be a LimitPolicy, got {type(limits).__name__}")
        df = df.assign(**dict(zip(("limit_death", "limit_accident", "limit_annual", "limit_medical"),
                                  limits.arrays(df))))  # validated above: not again
    n = len(df)
    rel = _relativity(df, relativity)
    rates = model.rates()
    ind = df["industry"].cat.codes.to_numpy()
    H = df["headcount"].to_numpy(dtype=np.int64)
    k = H * rel
    lam_f = k * rates["fatal"].to_numpy()[ind]
    lam_d = k * rates["disability"].to_numpy()[ind]
    lam_m = k * rates["medical"].to_numpy()[ind]
    mf = model.frequency_multiplier
    dloss = model.death_loss * model.severity_multiplier
    rho = float(model.rescue_share)
    kind = model.counts
    r = 1.0 / model.frailty_cv**2 if kind == "negbin" else 0.0
    shock = Shock(model.shock_cv, model.shock_dist)

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
        _aggregate(out, sel, law, t_d, p_d, Lacc, A, H, lam_f, lam_d, mf, kind, r, shock, rho)
    out["gross_loss"] += lam_m * g_med
    out["expected_loss"] = out["death"] + out["disability"] + out["medical"] + out["rescue"]
    res = pd.DataFrame({"policy_id": df["policy_id"].to_numpy(), "industry": df["industry"], "size": df["size"],
                        "headcount": H, "limit_death": ld, **out})
    res.attrs["method"] = method
    return res


def _aggregate(out, sel, law, t_d, p_d, Lacc, A, H, lam_f, lam_d, mf, kind, r, shock, rho) -> None:
    """Subtract what the annual aggregate ``A`` removes from the parts of the policies ``sel``.

    Excess needs at least ``floor(A / limit_accident) + 1`` accidents in a year (each pays at
    most the per-accident limit); policies for which that is impossible in double precision are
    skipped, the others are computed exactly.
    """
    from ._aggregate import _EPS, N_LATTICE, AggregateLaws, aggregate_terms

    h = A / N_LATTICE
    size = int(np.floor(Lacc / h * (1 + 1e-12))) + 2
    h_agg = min(law.h_big, int(law.d_cap + law.kmax[min(law.d_cap, law.K)] + 2))
    groups = np.minimum(H[sel], h_agg)
    need_parts = []
    cache = {}
    for hg in np.unique(groups):
        co = law.coarse(int(hg), h, size)
        cache[hg] = co
        # no excess unless at least n_min accidents: each pays at most t_max
        t_max = max(np.flatnonzero(co["pmf"] > 0).max(), np.flatnonzero(t_d > 0).size and np.ceil(t_d.max() / h)) * h
        n_min = int(np.floor(A / t_max * (1 + 1e-12))) + 1 if t_max > 0 else 10**9
        idx = sel[groups == hg]
        lam = lam_f[idx] + lam_d[idx]
        # E[S 1{N >= n_min}] <= t_max λ P(N >= n_min - 1) (Poisson); keep what is not negligible
        if kind == "poisson":
            keep = shock.poisson_sf(lam, n_min - 2) > _EPS * 1e-3 if n_min >= 2 else np.ones(idx.size, bool)
        else:
            keep = np.ones(idx.size, bool)
        need_parts.append(idx[keep])
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
