"""The Monte Carlo engine behind :func:`simulate` and :func:`simulate_many`: kernel arrays, blocks, streams.

One *pass* simulates K scenarios on the same accidents (:mod:`._kernels`). Scenarios may differ
in their limits, severity multiplier, frequency multiplier, common shock, systemic year effect
and parameter uncertainty; everything that shapes the accidents themselves (counts law, casualty
law, payout tables, rescue and third-party shares, death loss, medical law, relativities) is
shared by a pass (:func:`pass_key`).

Streams: block ``b`` of a call seeded with ``ss`` draws base accidents from spawn key
``(..., b)``, the extra frequency layer and thinning uniforms from ``(..., b, 1)``, the
common shocks from ``(..., b, 2)`` and the systemic year effect and parameter draws from
``(..., b, 3)`` (standard normals shared by every scenario: common random numbers). The result
is bit-identical for any thread count, grouping of blocks into tasks, or backend; a scenario
whose multipliers are all 1 draws exactly what it draws alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._random import block_seed
from ..errors import ValidationError
from ..portfolio import validate_portfolio
from ..reference import INDUSTRIES
from .limits import LimitPolicy
from .model import LossModel

__all__ = ["SimSpec", "Prepared", "prepare", "run_block", "pass_key", "MAX_ACCIDENTS_PER_YEAR", "OUT_COLUMNS"]

#: columns of the kernel's per-year, per-scenario output (same order as the ``O_*`` indices of :mod:`._kernels`)
OUT_COLUMNS = ("gross_loss", "insured_loss", "death", "disability", "medical", "rescue", "accidents", "deaths",
               "disabilities", "medical_only", "deaths_paid_in_full", "disabilities_paid_in_full")
# "rescue" holds rescue/legal + third party; simulate splits them. "..._paid_in_full": victims of fatal and
# disability accidents whose insured payout equals their economic loss (no per-person, per-accident or
# annual limit cut it)

#: Upper bound on the expected fatal + disability accidents (or clusters) per simulated year;
#: beyond it the input is absurd for this line (the national total is about 20 000 deaths a year).
MAX_ACCIDENTS_PER_YEAR = 5e6
_SHARED = ("counts", "frailty_cv", "injury_ratio", "rescue_share", "third_party_share", "death_loss", "medical_median", "medical_sigma")


@dataclass(frozen=True)
class SimSpec:
    """One scenario of a pass: a loss model (its multipliers and shock may differ) and limits."""

    model: LossModel
    limits: LimitPolicy | None = None
    name: str = "scenario"


def pass_key(model: LossModel) -> tuple:
    """What scenarios of one pass must share (anything else may differ)."""
    arrays = tuple(tuple(np.round(np.asarray(getattr(model, a), dtype=float), 15)) for a in ("cluster", "grade_mix", "payout_share", "civil_share"))
    freq = tuple(np.round(model.frequencies.loc[list(INDUSTRIES)].to_numpy(dtype=float).ravel(), 15))
    rel = tuple((f, tuple(sorted((str(k), float(v)) for k, v in t.items()))) for f, t in sorted(model.relativities.items()))
    tabs = tuple(tuple(sorted((str(k), float(v)) for k, v in getattr(model, a).items())) for a in ("region_effects", "normaliser"))
    return tuple(getattr(model, k) for k in _SHARED) + arrays + (freq, rel) + tabs


@dataclass(frozen=True)
class Prepared:
    """Arrays the kernel needs, built once per pass (picklable for Dask)."""

    seg_off: np.ndarray
    seg_ind: np.ndarray
    seg_region: np.ndarray
    regions: tuple[str, ...]
    W: np.ndarray
    alias: np.ndarray
    rec: np.ndarray
    cold: np.ndarray
    n_sets: int
    set_of: np.ndarray
    nb: bool
    arrays: dict
    freq: np.ndarray
    shocks: tuple  # per scenario: (cv, dist, by)
    systemic: tuple = ()  # per scenario: (year_cv, fatal, disability, medical parameter sd)
    systemic_z: np.ndarray | None = None  # given standard normals (all years × 4), else drawn per block
    block_years: int = 0
    expected: list = field(default_factory=list)
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # sorted row -> row of the input book


def _relativity(df: pd.DataFrame, relativity: str | None, model: LossModel) -> np.ndarray:
    if relativity is None:
        return np.ones(len(df))
    if relativity == "model":
        return model.relativity(df)
    if not isinstance(relativity, str) or relativity not in df.columns:
        raise ValidationError(f"simulate: relativity must be 'model', None or a column of the portfolio, got {relativity!r}")
    rel = df[relativity].to_numpy(dtype=np.float64)
    if not np.isfinite(rel).all() or (rel <= 0).any():
        bad = np.flatnonzero(~np.isfinite(rel) | (rel <= 0))[:5].tolist()
        raise ValidationError(f"simulate: relativity column {relativity!r} must be finite and > 0; bad rows {bad}")
    return rel


def prepare(priced: pd.DataFrame, specs: list[SimSpec], *, relativity: str | None = "model",
            med_threshold: int = 1000) -> tuple[Prepared, pd.DataFrame]:
    """Validate inputs and build the kernel arrays of one pass. Returns them and the validated book (in
    input order; ``Prepared.order`` maps kernel rows to its rows)."""
    from ._kernels import build_alias_kernel, pack_alias_kernel

    if not specs:
        raise ValidationError("simulate: no scenario to simulate")
    models = []
    for sp in specs:
        if not isinstance(sp.model, LossModel):
            raise ValidationError(f"simulate: model must be a LossModel, got {type(sp.model).__name__}")
        if sp.limits is not None and not isinstance(sp.limits, LimitPolicy):
            raise ValidationError(f"simulate: limits must be a LimitPolicy, got {type(sp.limits).__name__}")
        models.append(sp.model.validate())
    key = pass_key(models[0])
    if any(pass_key(m) != key for m in models[1:]):
        raise ValidationError("simulate: scenarios of one pass must share the counts, casualty and payout laws (use simulate_many)")
    m0 = models[0]
    df = validate_portfolio(priced)
    n = len(df)
    rel = _relativity(df, relativity, m0)
    ind = df["industry"].cat.codes.to_numpy().astype(np.int64)
    by_region = any(m.shock_by == "region" for m in models)
    if by_region:
        regions = tuple(sorted(df["region"].astype(str).unique()))
        reg = pd.Categorical(df["region"].astype(str), categories=list(regions)).codes.astype(np.int64)
    else:
        regions = ()
        reg = np.zeros(n, dtype=np.int64)
    nreg = max(len(regions), 1)
    seg = ind * nreg + reg
    order = np.argsort(seg, kind="stable")
    # the kernel's arrays are in segment order; the book itself stays in input order (reordering every
    # column of a priced book cost a second per million policies): only the columns used are gathered
    seg, rel, ind, reg = seg[order], rel[order], ind[order], reg[order]
    present = np.unique(seg)
    remap = np.full(len(INDUSTRIES) * nreg, -1, dtype=np.int64)
    remap[present] = np.arange(present.size)
    seg = remap[seg]
    n_seg = present.size
    seg_off = np.zeros(n_seg + 1, dtype=np.int64)
    seg_off[1:] = np.cumsum(np.bincount(seg, minlength=n_seg))
    seg_ind = (present // nreg).astype(np.int64)
    seg_region = (present % nreg).astype(np.int64) if by_region else np.full(n_seg, -1, dtype=np.int64)

    head = df["headcount"].to_numpy(dtype=np.float64)[order]
    rates = m0.rates() / m0.frequency_multiplier  # base rates: multipliers are applied per scenario
    lam = np.empty((3, n))
    for t, col in enumerate(("fatal", "disability", "medical")):
        lam[t] = head * rel * rates[col].to_numpy()[ind]
    nb = m0.counts == "negbin"
    weights = lam.copy()
    pol = np.zeros((n, 3))
    pol[:, 0] = head
    if nb:
        r = 1.0 / m0.frailty_cv**2
        for t in range(2):
            weights[t] = r * np.log1p(lam[t] / r)  # expected clusters
            pol[:, 1 + t] = lam[t] / (r + lam[t])
    W = np.zeros((3, n_seg))
    alias = np.empty((3, n), dtype=np.int64)
    for t in range(3):
        W[t] = np.bincount(seg, weights=weights[t], minlength=n_seg)
        for s in range(n_seg):
            lo, hi = seg_off[s], seg_off[s + 1]
            if hi > lo:
                tab = np.empty((hi - lo, 2))
                build_alias_kernel(np.ascontiguousarray(weights[t, lo:hi]), tab)
                pack_alias_kernel(tab, alias[t, lo:hi])
    # memory bound: a year's accidents must fit comfortably
    top_mult = max(m.frequency_multiplier * (1 + 6 * m.shock_cv) * np.exp(6 * np.sqrt(m.year_cv**2 + max(m.parameter_cv.values())**2))
                   for m in models)
    per_year = float(W[:2].sum()) * top_mult
    if per_year > MAX_ACCIDENTS_PER_YEAR:
        raise ValidationError(
            f"simulate: the book would have about {per_year:,.0f} fatal and disability accidents a year "
            f"(limit {MAX_ACCIDENTS_PER_YEAR:,.0f}); check headcount, frequency_multiplier and shock_cv"
        )

    # limit sets: one per distinct limit policy
    sets, set_of = [], []
    for sp in specs:
        k = None if sp.limits is None else sp.limits
        try:
            j = sets.index(k)
        except ValueError:
            sets.append(k)
            j = len(sets) - 1
        set_of.append(j)
    # hot record per policy (32 bytes with one limit set): head, then limit_death, limit_accident, limit_annual per set;
    # cold: q_f, q_d (negative binomial), then limit_medical per set
    rec = np.zeros((n, 1 + 3 * len(sets) + (1 if len(sets) % 2 == 0 else 0)))
    rec[:, 0] = pol[:, 0]
    cold = np.zeros((n, 2 + len(sets)))
    cold[:, :2] = pol[:, 1:]
    lim = np.empty((len(sets), n, 4))
    for j, lp in enumerate(sets):
        if lp is None:  # the book's own limits
            lim[j] = df[["limit_death", "limit_accident", "limit_annual", "limit_medical"]].to_numpy(dtype=np.float64)[order]
        else:
            for c, values in enumerate(lp.arrays(df)):  # df is validated above: not again
                lim[j, :, c] = np.asarray(values)[order]
        rec[:, 1 + 3 * j: 4 + 3 * j] = lim[j, :, :3]
        cold[:, 2 + j] = lim[j, :, 3]

    # medical-only moments per scenario and segment (capped lognormal, rate-weighted)
    K = len(specs)
    mean_ins = np.zeros((K, n_seg))
    sd_ins = np.zeros((K, n_seg))
    mean_g = np.zeros((K, n_seg))
    sd_g = np.zeros((K, n_seg))
    sev = np.array([m.severity_multiplier for m in models], dtype=np.float64)
    med_mu = np.log(m0.medical_median * sev)
    sgm = m0.medical_sigma
    for q, (m, j) in enumerate(zip(models, set_of)):
        caps, inv = np.unique(lim[j, :, 3], return_inverse=True)
        mom = np.array([m.medical_moments(c) for c in caps])
        m1 = mom[inv, 0]
        m2 = mom[inv, 1] + m1**2
        w_all = lam[2]
        wsum = np.bincount(seg, weights=w_all, minlength=n_seg)
        s1 = np.bincount(seg, weights=w_all * m1, minlength=n_seg)
        s2 = np.bincount(seg, weights=w_all * m2, minlength=n_seg)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(wsum > 0, s1 / wsum, 0.0)
            mean_ins[q] = mean
            sd_ins[q] = np.sqrt(np.maximum(np.where(wsum > 0, s2 / wsum, 0.0) - mean**2, 0.0))
        mean_g[q] = np.exp(med_mu[q] + sgm**2 / 2)
        sd_g[q] = np.sqrt((np.exp(sgm**2) - 1) * np.exp(2 * med_mu[q] + sgm**2))

    cl = np.asarray(m0.cluster, dtype=np.float64)
    gm = np.asarray(m0.grade_mix, dtype=np.float64)
    arrays = {
        "cluster_cdf": np.minimum(np.cumsum(cl / cl.sum()), 1.0),
        "injury_ratio": float(m0.injury_ratio),
        "grade_cdf": np.minimum(np.cumsum(gm / gm.sum()), 1.0),
        "payout": np.asarray(m0.payout_share, dtype=np.float64),
        "civil": np.asarray(m0.civil_share, dtype=np.float64),
        "rho": float(m0.rescue_share + m0.third_party_share),
        "dloss": float(m0.death_loss),
        "sev": sev,
        "med_mu": med_mu,
        "med_sigma": float(sgm),
        "med_threshold": int(med_threshold),
        "med_mean_ins": mean_ins, "med_sd_ins": sd_ins, "med_mean_gross": mean_g, "med_sd_gross": sd_g,
    }
    # model expectations per year without shocks (shocks have mean 1)
    c_idx = np.arange(cl.size)
    uh, hinv = np.unique(head, return_inverse=True)
    capped_mean = np.minimum(c_idx[None, :], uh[:, None]) @ (cl / cl.sum())
    expected = []
    for m in models:
        f = m.frequency_multiplier
        expected.append({
            "fatal_accidents": f * float(lam[0].sum()), "disability_accidents": f * float(lam[1].sum()),
            "medical_only": f * float(lam[2].sum()), "deaths": f * float((lam[0] * capped_mean[hinv]).sum()),
        })
    prep = Prepared(seg_off=seg_off, seg_ind=seg_ind, seg_region=seg_region, regions=regions, W=W, alias=alias, rec=rec, cold=cold, n_sets=len(sets),
                    set_of=np.asarray(set_of, dtype=np.int64), nb=nb, arrays=arrays,
                    freq=np.array([m.frequency_multiplier for m in models]),
                    shocks=tuple((m.shock_cv, m.shock_dist, m.shock_by) for m in models), expected=expected, order=order,
                    systemic=tuple((float(m.year_cv), *(float(m.parameter_cv[p]) for p in ("fatal", "disability", "medical"))) for m in models))
    return prep, df


def _lognormal(z: np.ndarray, sd_log: float) -> np.ndarray:
    """Mean-1 lognormal multipliers ``exp(σ z − σ²/2)`` from standard normals ``z``."""
    return np.exp(sd_log * z - sd_log * sd_log / 2) if sd_log > 0 else np.ones_like(z)


def _multipliers(ss_shock: np.random.SeedSequence, ss_sys: np.random.SeedSequence, n_years: int, prep: Prepared,
                 first_year: int = 0) -> np.ndarray:
    """Frequency × common shock × year effect × parameter draw per (year, scenario, segment, type).

    The year effect and the parameter draws of a year come from standard normals shared by every
    scenario (one for the year, one per accident type), each scenario scaling them by its own
    sd (``σ² = log(1 + year_cv²)`` for the year, the parameter sd of the log level for each type).
    """
    K = prep.freq.size
    n_seg = prep.seg_ind.size
    out = np.empty((n_years, K, n_seg, 3))
    g = np.random.Generator(np.random.PCG64(ss_shock))
    for q, (cv, dist, by) in enumerate(prep.shocks):
        if cv <= 0:
            out[:, q, :, :] = prep.freq[q]
            continue
        groups = {"industry": prep.seg_ind, "region": np.maximum(prep.seg_region, 0), "all": np.zeros(n_seg, dtype=np.int64)}[by]
        k = int(groups.max()) + 1 if by != "industry" else len(INDUSTRIES)
        if dist == "gamma":
            a = 1.0 / cv**2
            m = g.gamma(a, 1.0 / a, size=(n_years, k))
        else:
            s2 = np.log1p(cv**2)
            m = g.lognormal(-s2 / 2, np.sqrt(s2), size=(n_years, k))
        out[:, q, :, :] = (prep.freq[q] * m[:, groups])[:, :, None]
    if any(any(v > 0 for v in sy) for sy in prep.systemic):
        if prep.systemic_z is not None:  # the caller's draws (the projection keeps a path's parameters over its years)
            z = prep.systemic_z[first_year:first_year + n_years]
        else:
            z = np.random.Generator(np.random.PCG64(ss_sys)).standard_normal((n_years, 4))
        for q, (ycv, *pcv) in enumerate(prep.systemic):
            year = _lognormal(z[:, 0], float(np.sqrt(np.log1p(ycv**2))))
            for t in range(3):
                out[:, q, :, t] *= (year * _lognormal(z[:, 1 + t], pcv[t]))[:, None]
    return out


def run_block(prep: Prepared, entropy, spawn_key: tuple, block: int, n_years: int, log: bool = False):
    """Simulate block ``block`` (``n_years`` years) of every scenario of the pass.

    Returns ``(out, out_seg)``, plus the claims log of the first scenario with ``log=True``
    (a dict of arrays, years counted within the block)."""
    from ._kernels import simulate_block_kernel

    root = np.random.SeedSequence(entropy, spawn_key=tuple(spawn_key))
    ss0 = block_seed(root, block)
    mult = _multipliers(np.random.SeedSequence(entropy, spawn_key=tuple(ss0.spawn_key) + (2,)),
                        np.random.SeedSequence(entropy, spawn_key=tuple(ss0.spawn_key) + (3,)), n_years, prep,
                        first_year=block * prep.block_years)
    K = prep.freq.size
    out = np.zeros((n_years, K, len(OUT_COLUMNS)))
    out_seg = np.zeros((n_years, K, len(INDUSTRIES)))
    a = prep.arrays
    expected = float(prep.W.sum()) * max(float(mult.max()), 1.0) * n_years
    cap = int(expected * 1.3 + 12 * np.sqrt(expected) + 1024) if log else 0
    med_thr = 2**62 if log else a["med_threshold"]
    while True:
        logs = _log_arrays(cap)
        g0 = np.random.Generator(np.random.PCG64(ss0))
        g1 = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=tuple(ss0.spawn_key) + (1,))))
        out[:] = 0.0
        out_seg[:] = 0.0
        simulate_block_kernel(
            g0, g1, mult, prep.seg_off, prep.seg_ind, prep.W, prep.alias, prep.rec, prep.cold, prep.n_sets, prep.set_of, prep.nb,
            a["cluster_cdf"], a["injury_ratio"], a["grade_cdf"], a["payout"], a["civil"], a["rho"], a["dloss"], a["sev"],
            a["med_mu"], a["med_sigma"], med_thr, a["med_mean_ins"], a["med_sd_ins"], a["med_mean_gross"], a["med_sd_gross"],
            out, out_seg, bool(log), *logs.values(),
        )
        if not log:
            return out, out_seg
        if logs["state"][1] == 0:
            n = int(logs["state"][0])
            return out, out_seg, {k: v[:n] for k, v in logs.items() if k != "state"}
        cap *= 2  # the log overflowed: rerun the block (same streams) with twice the room


def _log_arrays(cap: int) -> dict:
    return {"y": np.empty(cap, np.int64), "i": np.empty(cap, np.int64), "claims": np.empty(cap, np.int64),
            "accidents": np.empty(cap, np.int64), "max_deaths": np.empty(cap, np.int64), "deaths": np.empty(cap, np.int64),
            "insured": np.empty(cap), "state": np.zeros(2, np.int64)}
