"""Portfolio Monte Carlo: ``simulate(priced, years, rng=...) -> SimulationResult``.

Engine (DESIGN.md §5, PERFORMANCE.md): cost follows the number of simulated accidents, not
policies × years. Per simulated year and segment the collective count of accidents is drawn
from Poisson(shock × Σλ) and each accident is allocated to a policy with a Walker/Vose alias
table; negative binomial counts use their Poisson-cluster (logarithmic) representation; the
annual aggregate limit is applied only to policies with two or more accidents in the year.

Years are simulated in fixed blocks of ``block_years``; block ``b`` draws only from the
stream spawned from the seed with key ``b``, so the result is bit-identical whatever the
thread count, the grouping of blocks into tasks, or the backend (threads or Dask).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from .._random import RngLike, block_seed, describe, seed_sequence
from .._version import __version__
from ..errors import ValidationError
from ..portfolio import validate_portfolio
from ..reference import INDUSTRIES
from .limits import LimitPolicy
from .model import LossModel
from .risk import tvar, var

__all__ = ["simulate", "SimulationResult", "prepare", "run_block"]

_ANNUAL_COLUMNS = ("gross_loss", "insured_loss", "accidents", "deaths", "disabilities", "medical_only")


@dataclass(frozen=True)
class Prepared:
    """Arrays the kernel needs, built once per simulation (picklable for Dask)."""

    seg_names: tuple[str, ...]
    seg_off: np.ndarray
    rate_tot: np.ndarray
    alias: np.ndarray
    rec: np.ndarray
    limit_med: np.ndarray
    nb: bool
    model_arrays: dict
    shock_cv: float
    shock_dist: str
    shock_by: str
    expected: dict = field(default_factory=dict)


def _check_int(value: Any, name: str, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ValidationError(f"simulate: {name} must be an integer >= {lo}, got {value!r}")
    return int(value)


def prepare(priced: pd.DataFrame, model: LossModel, limits: LimitPolicy | None = None, *,
            relativity: str | None = "float_factor", death_loss_region: dict[str, float] | None = None,
            med_threshold: int = 1000) -> tuple[Prepared, pd.DataFrame]:
    """Validate inputs and build the kernel arrays. Returns the arrays and the policy frame used."""
    from ._kernels import build_alias_kernel

    df = validate_portfolio(priced)  # keeps the pricing columns (extra columns are kept)
    if limits is not None:
        if not isinstance(limits, LimitPolicy):
            raise ValidationError(f"simulate: limits must be a LimitPolicy, got {type(limits).__name__}")
        df = limits.apply(df)
    model = model.validate()
    n = len(df)
    rates = model.rates()
    ind_codes = df["industry"].cat.codes.to_numpy()
    head = df["headcount"].to_numpy(dtype=np.float64)
    rel = np.ones(n)
    if relativity is not None:
        if relativity not in df.columns:
            raise ValidationError(f"simulate: relativity column {relativity!r} not in the portfolio; price it first or pass relativity=None")
        rel = df[relativity].to_numpy(dtype=np.float64)
        if not np.isfinite(rel).all() or (rel <= 0).any():
            raise ValidationError(f"simulate: relativity column {relativity!r} must be finite and > 0")
        # pricing factors redistribute risk within an industry: normalise to exposure-weighted mean 1
        w = np.bincount(ind_codes, weights=head * rel, minlength=len(INDUSTRIES))
        e = np.bincount(ind_codes, weights=head, minlength=len(INDUSTRIES))
        with np.errstate(invalid="ignore", divide="ignore"):
            norm = np.where(e > 0, w / e, 1.0)
        rel = rel / norm[ind_codes]

    if model.shock_by == "region":
        seg_names = tuple(sorted(df["region"].astype(str).unique()))
        seg = pd.Categorical(df["region"].astype(str), categories=list(seg_names)).codes.astype(np.int64)
    else:
        seg_names = tuple(INDUSTRIES)
        seg = ind_codes.astype(np.int64)
    order = np.argsort(seg, kind="stable")
    df = df.iloc[order].reset_index(drop=True)
    seg = seg[order]
    head, rel, ind_codes = head[order], rel[order], ind_codes[order]
    n_seg = len(seg_names)
    seg_off = np.zeros(n_seg + 1, dtype=np.int64)
    seg_off[1:] = np.cumsum(np.bincount(seg, minlength=n_seg))

    lam = np.empty((3, n))
    for t, col in enumerate(("fatal", "disability", "medical")):
        lam[t] = head * rel * rates[col].to_numpy()[ind_codes]
    nb = model.counts == "negbin"
    weights = lam.copy()
    q = np.zeros((2, n))
    if nb:
        r = 1.0 / model.frailty_cv**2
        for t in range(2):
            weights[t] = r * np.log1p(lam[t] / r)  # expected number of clusters
            q[t] = lam[t] / (r + lam[t])
    rate_tot = np.zeros((3, n_seg))
    alias = np.empty((3, n, 2))
    for t in range(3):
        rate_tot[t] = np.bincount(seg, weights=weights[t], minlength=n_seg)
        for s in range(n_seg):
            lo, hi = seg_off[s], seg_off[s + 1]
            if hi > lo:
                build_alias_kernel(np.ascontiguousarray(weights[t, lo:hi]), alias[t, lo:hi])

    if death_loss_region:
        dl = df["region"].astype(str).map(death_loss_region).fillna(model.death_loss).to_numpy(dtype=np.float64)
    else:
        dl = np.full(n, model.death_loss)
    rec = np.empty((n, 8))
    rec[:, 0] = head
    rec[:, 1] = df["limit_death"].to_numpy(dtype=np.float64)
    rec[:, 2] = df["limit_accident"].to_numpy(dtype=np.float64)
    rec[:, 3] = df["limit_annual"].to_numpy(dtype=np.float64)
    rec[:, 4] = dl
    rec[:, 5] = seg
    rec[:, 6] = q[0]
    rec[:, 7] = q[1]
    limit_med = df["limit_medical"].to_numpy(dtype=np.float64)

    # medical-only: segment moments of the capped and uncapped lognormal, weighted by rate
    med_mean_ins = np.zeros(n_seg)
    med_sd_ins = np.zeros(n_seg)
    caps, inv = np.unique(limit_med, return_inverse=True)
    mom = np.array([model.medical_moments(c) for c in caps])  # (k, 2): mean, var
    m1 = mom[inv, 0]
    m2 = mom[inv, 1] + m1**2
    for s in range(n_seg):
        lo, hi = seg_off[s], seg_off[s + 1]
        w = lam[2, lo:hi]
        if w.sum() > 0:
            mean = (w * m1[lo:hi]).sum() / w.sum()
            med_mean_ins[s] = mean
            med_sd_ins[s] = np.sqrt(max((w * m2[lo:hi]).sum() / w.sum() - mean**2, 0.0))
    mu = np.log(model.medical_median * model.severity_multiplier)
    sg = model.medical_sigma
    g_mean = np.exp(mu + sg**2 / 2)
    g_sd = np.sqrt((np.exp(sg**2) - 1) * np.exp(2 * mu + sg**2))

    cl = np.asarray(model.cluster, dtype=np.float64)
    gm = np.asarray(model.grade_mix, dtype=np.float64)
    arrays = {
        "cluster_cdf": np.minimum(np.cumsum(cl / cl.sum()), 1.0),
        "injury_ratio": float(model.injury_ratio),
        "grade_cdf": np.minimum(np.cumsum(gm / gm.sum()), 1.0),
        "payout_share": np.asarray(model.payout_share, dtype=np.float64),
        "civil_share": np.asarray(model.civil_share, dtype=np.float64),
        "rescue_share": float(model.rescue_share),
        "sev_mult": float(model.severity_multiplier),
        "med_mu": float(mu),
        "med_sigma": float(sg),
        "med_threshold": int(med_threshold),
        "med_mean_ins": med_mean_ins,
        "med_sd_ins": med_sd_ins,
        "med_mean_gross": np.full(n_seg, g_mean),
        "med_sd_gross": np.full(n_seg, g_sd),
    }
    # expectations without shocks (shocks have mean 1): casualties per year
    # E[min(D, headcount)] per distinct headcount: the kernel caps deaths at headcount
    c_idx = np.arange(cl.size)
    uh, hinv = np.unique(head, return_inverse=True)
    capped_mean = np.minimum(c_idx[None, :], uh[:, None]) @ (cl / cl.sum())
    expected = {
        "fatal_accidents": float(lam[0].sum()),
        "disability_accidents": float(lam[1].sum()),
        "medical_only": float(lam[2].sum()),
        "deaths": float((lam[0] * capped_mean[hinv]).sum()),
    }
    prep = Prepared(seg_names, seg_off, rate_tot, alias, rec, limit_med, nb, arrays,
                    float(model.shock_cv), model.shock_dist, model.shock_by, expected)
    return prep, df


def _shocks(g: np.random.Generator, n_years: int, prep: Prepared) -> np.ndarray:
    n_seg = len(prep.seg_names)
    cv = prep.shock_cv
    if cv <= 0:
        return np.ones((n_years, n_seg))
    k = 1 if prep.shock_by == "all" else n_seg
    if prep.shock_dist == "gamma":
        a = 1.0 / cv**2
        m = g.gamma(a, 1.0 / a, size=(n_years, k))
    else:
        s2 = np.log1p(cv**2)
        m = g.lognormal(-s2 / 2, np.sqrt(s2), size=(n_years, k))
    return np.ascontiguousarray(np.broadcast_to(m, (n_years, n_seg)))


def run_block(prep: Prepared, entropy, spawn_key: tuple, block: int, n_years: int) -> dict[str, np.ndarray]:
    """Simulate block ``block`` (``n_years`` years) from its own spawned stream."""
    from ._kernels import simulate_block_kernel

    ss = block_seed(np.random.SeedSequence(entropy, spawn_key=spawn_key), block)
    g = np.random.Generator(np.random.PCG64(ss))
    shocks = _shocks(g, n_years, prep)
    n_seg = len(prep.seg_names)
    out = {c: np.zeros(n_years, dtype=np.float64 if c.endswith("loss") else np.int64) for c in _ANNUAL_COLUMNS}
    seg_ins = np.zeros((n_years, n_seg))
    a = prep.model_arrays
    simulate_block_kernel(
        g, shocks, prep.seg_off, prep.rate_tot, prep.alias, prep.rec, prep.limit_med, prep.nb,
        a["cluster_cdf"], a["injury_ratio"], a["grade_cdf"], a["payout_share"], a["civil_share"], a["rescue_share"], a["sev_mult"],
        a["med_mu"], a["med_sigma"], a["med_threshold"], a["med_mean_ins"], a["med_sd_ins"], a["med_mean_gross"], a["med_sd_gross"],
        out["gross_loss"], out["insured_loss"], out["accidents"], out["deaths"], out["disabilities"], out["medical_only"], seg_ins,
    )
    out["segment_insured"] = seg_ins
    return out


def simulate(
    priced: pd.DataFrame,
    years: int = 10_000,
    *,
    rng: RngLike = None,
    model: LossModel | None = None,
    limits: LimitPolicy | None = None,
    block_years: int = 250,
    backend: str = "threads",
    threads: int | None = None,
    client: Any = None,
    relativity: str | None = "float_factor",
    med_threshold: int = 1000,
    progress: bool | Callable[[int, int], None] = False,
) -> "SimulationResult":
    """Simulate ``years`` independent years of the portfolio's losses after limits.

    Parameters
    ----------
    priced : DataFrame
        A portfolio, usually the output of :func:`ajx_actuarial.price` (its ``premium`` gives
        the loss ratio; its ``float_factor`` the within-industry risk relativity).
    years : int
        Simulated years (>= 1).
    rng : int | SeedSequence | Generator | None
        Same seed and ``block_years`` ⇒ bit-identical results for any ``threads``, task
        grouping or ``backend``.
    model : LossModel, optional
        Defaults to :meth:`LossModel.default`.
    limits : LimitPolicy, optional
        Overrides the portfolio's limits (e.g. ``LimitPolicy.beijing(2024)``).
    block_years : int
        Years per block (each block has its own random stream; part of the seed contract).
    backend : {"threads", "dask"}
        ``"dask"`` runs blocks as tasks on ``client`` (a ``dask.distributed.Client``) or on the
        scheduler at that address.
    threads : int, optional
        Local threads (default: ``NUMBA_NUM_THREADS`` or the CPU count).
    relativity : str or None
        Column used as the within-industry frequency relativity (exposure-normalised).
    med_threshold : int
        Segment-year medical-only counts above this use the normal approximation of their
        total (attritional claims; the per-claim cap is in the moments).
    progress : bool or callable(done, total)

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> priced = ajx.price(ajx.synth.portfolio(2000, rng=1), "national-2025")
    >>> res = ajx.simulate(priced, years=500, rng=7)
    >>> res.annual.shape[0]
    500
    """
    years = _check_int(years, "years", 1)
    block_years = _check_int(block_years, "block_years", 1)
    if backend not in ("threads", "dask"):
        raise ValidationError(f"simulate: backend must be 'threads' or 'dask', got {backend!r}")
    if threads is not None:
        threads = _check_int(threads, "threads", 1)
    model = model or LossModel.default()
    if not isinstance(model, LossModel):
        raise ValidationError(f"simulate: model must be a LossModel, got {type(model).__name__}")
    ss = seed_sequence(rng)
    t0 = time.perf_counter()
    prep, df = prepare(priced, model, limits, relativity=relativity, med_threshold=med_threshold)
    t_prep = time.perf_counter() - t0
    blocks = [(b, min(block_years, years - b * block_years)) for b in range((years + block_years - 1) // block_years)]
    t1 = time.perf_counter()
    if backend == "threads":
        results = _run_threads(prep, ss, blocks, threads, progress)
    else:
        results = _run_dask(prep, ss, blocks, client, progress)
    t_run = time.perf_counter() - t1
    annual = pd.DataFrame({c: np.concatenate([r[c] for r in results]) for c in _ANNUAL_COLUMNS})
    annual.index.name = "sim_year"
    seg = pd.DataFrame(np.vstack([r["segment_insured"] for r in results]), columns=pd.Index(prep.seg_names, name=model.shock_by if model.shock_by == "region" else "industry"))
    seg.index.name = "sim_year"
    premium = float(df["premium"].sum()) if "premium" in df.columns else float("nan")
    premium_ex_vat = float(df["premium_ex_vat"].sum()) if "premium_ex_vat" in df.columns else float("nan")
    import numba

    prov = {
        "seed": describe(ss), "years": years, "block_years": block_years, "backend": backend,
        "policies": int(len(df)), "ajx_actuarial": __version__, "numpy": np.__version__, "numba": numba.__version__,
        "seconds_prepare": round(t_prep, 3), "seconds_simulate": round(t_run, 3),
        "limits": limits.label if limits is not None else "as priced", "counts": model.counts,
        "med_threshold": med_threshold,
    }
    return SimulationResult(annual=annual, segments=seg, premium=premium, premium_ex_vat=premium_ex_vat,
                            expected=prep.expected, provenance=prov)


def _n_threads(threads: int | None) -> int:
    if threads:
        return threads
    env = os.environ.get("NUMBA_NUM_THREADS")
    return int(env) if env else (os.cpu_count() or 1)


def _report(progress, done: int, total: int) -> None:
    if callable(progress):
        progress(done, total)


def _run_threads(prep, ss, blocks, threads, progress):
    n = _n_threads(threads)
    args = [(prep, ss.entropy, tuple(ss.spawn_key), b, ny) for b, ny in blocks]
    if n == 1 or len(blocks) == 1:
        out = []
        for k, a in enumerate(args):
            out.append(run_block(*a))
            _report(progress, k + 1, len(args))
        return out
    with ThreadPoolExecutor(max_workers=n) as ex:
        futs = [ex.submit(run_block, *a) for a in args]
        out = []
        for k, f in enumerate(futs):
            out.append(f.result())
            _report(progress, k + 1, len(args))
        return out


def _run_dask(prep, ss, blocks, client, progress):
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover
        raise ValidationError("simulate: backend='dask' needs dask[distributed] (pip install 'ajx_actuarial[dask]')") from exc
    own = False
    if client is None:
        raise ValidationError("simulate: backend='dask' needs client= (a dask.distributed.Client or a scheduler address)")
    if isinstance(client, str):
        client = Client(client)
        own = True
    try:
        prep_f = client.scatter(prep, broadcast=True)
        futs = [client.submit(run_block, prep_f, ss.entropy, tuple(ss.spawn_key), b, ny, pure=False) for b, ny in blocks]
        out = []
        for k, f in enumerate(futs):
            out.append(f.result())
            _report(progress, k + 1, len(futs))
        return out
    finally:
        if own:
            client.close()


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Simulated annual totals with risk measures, loss ratios, standard errors and provenance.

    Attributes
    ----------
    annual : DataFrame
        One row per simulated year: ``gross_loss`` (economic, before limits), ``insured_loss``
        (after per-person, per-accident and annual limits), ``accidents``, ``deaths``,
        ``disabilities``, ``medical_only``.
    segments : DataFrame
        Insured loss per simulated year and segment (industry, or region with region shocks).
    premium, premium_ex_vat : float
        Portfolio premium (gross and ex-VAT) from the priced frame (``nan`` if unpriced).
    expected : dict
        Model expectations per year without shocks (accidents by type, deaths).
    provenance : dict
        Seed, block size, backend, versions, timings.
    """

    annual: pd.DataFrame
    segments: pd.DataFrame
    premium: float
    premium_ex_vat: float
    expected: dict
    provenance: dict

    def _x(self, column: str) -> np.ndarray:
        if column not in self.annual.columns:
            raise ValidationError(f"SimulationResult: unknown column {column!r}; columns: {list(self.annual.columns)}")
        return self.annual[column].to_numpy(dtype=np.float64)

    @property
    def years(self) -> int:
        return len(self.annual)

    def mean(self, column: str = "insured_loss") -> float:
        return float(self._x(column).mean())

    def std(self, column: str = "insured_loss") -> float:
        return float(self._x(column).std(ddof=1)) if self.years > 1 else 0.0

    def mean_se(self, column: str = "insured_loss") -> float:
        """Monte Carlo standard error of :meth:`mean`."""
        return self.std(column) / np.sqrt(self.years)

    def var(self, p: float = 0.995, column: str = "insured_loss") -> float:
        """Value at risk: the ``p`` quantile of the annual total."""
        return var(self._x(column), p)

    def tvar(self, p: float = 0.99, column: str = "insured_loss") -> float:
        """Tail value at risk: mean of the annual totals at or above the ``p`` quantile."""
        return tvar(self._x(column), p)

    def var_ci(self, p: float = 0.995, column: str = "insured_loss", level: float = 0.95) -> tuple[float, float]:
        """Distribution-free confidence interval of the VaR from order statistics."""
        from scipy import stats

        x = np.sort(self._x(column))
        n = x.size
        z = stats.norm.ppf(0.5 + level / 2)
        half = z * np.sqrt(n * p * (1 - p))
        lo = int(max(np.floor(n * p - half), 0))
        hi = int(min(np.ceil(n * p + half), n - 1))
        return float(x[lo]), float(x[hi])

    def exceedance(self, x, column: str = "insured_loss") -> np.ndarray | float:
        """P(annual total > x) for a threshold or an array of thresholds."""
        v = np.sort(self._x(column))
        xs = np.asarray(x, dtype=np.float64)
        res = 1.0 - np.searchsorted(v, xs, side="right") / v.size
        return float(res) if res.ndim == 0 else res

    def loss_ratio(self, basis: str = "premium_ex_vat") -> np.ndarray:
        """Annual insured loss / premium (``basis``: ``premium_ex_vat`` or ``premium``)."""
        prem = self.premium_ex_vat if basis == "premium_ex_vat" else self.premium
        if not np.isfinite(prem) or prem <= 0:
            raise ValidationError("SimulationResult.loss_ratio: the simulated portfolio was not priced")
        return self._x("insured_loss") / prem

    def summary(self) -> pd.DataFrame:
        """Headline figures with Monte Carlo standard errors."""
        rows = [
            ("years simulated", self.years, np.nan),
            ("mean insured loss", self.mean(), self.mean_se()),
            ("sd insured loss", self.std(), np.nan),
            ("VaR 99.5 % insured", self.var(0.995), np.nan),
            ("TVaR 99 % insured", self.tvar(0.99), np.nan),
            ("mean gross (economic) loss", self.mean("gross_loss"), self.mean_se("gross_loss")),
            ("mean accidents", self.mean("accidents"), self.mean_se("accidents")),
            ("mean deaths", self.mean("deaths"), self.mean_se("deaths")),
            ("expected deaths (model)", self.expected.get("deaths", np.nan), np.nan),
            ("mean disabilities", self.mean("disabilities"), self.mean_se("disabilities")),
        ]
        if np.isfinite(self.premium_ex_vat):
            lr = self.loss_ratio()
            rows += [
                ("premium (gross)", self.premium, np.nan),
                ("premium ex VAT", self.premium_ex_vat, np.nan),
                ("mean loss ratio (ex VAT)", float(lr.mean()), float(lr.std(ddof=1) / np.sqrt(lr.size)) if lr.size > 1 else np.nan),
                ("P(loss ratio > 100 %)", float((lr > 1).mean()), float(np.sqrt((lr > 1).mean() * (1 - (lr > 1).mean()) / lr.size))),
            ]
        return pd.DataFrame(rows, columns=["measure", "value", "mc_se"]).set_index("measure")

    def to_frame(self) -> pd.DataFrame:
        return self.annual.copy()

    def plot(self, ax=None, column: str = "insured_loss"):
        """Exceedance curve (log scale) and histogram of the annual total."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
        else:
            fig = np.atleast_1d(ax)[0].figure
        axes = np.atleast_1d(ax)
        x = np.sort(self._x(column)) / 1e6
        p = 1.0 - np.arange(1, x.size + 1) / x.size
        axes[0].step(x, np.maximum(p, 1.0 / x.size), where="post")
        axes[0].set_yscale("log")
        axes[0].set_xlabel(f"annual {column.replace('_', ' ')} (million CNY)")
        axes[0].set_ylabel("exceedance probability")
        axes[0].axvline(self.var(0.995, column) / 1e6, ls="--", color="grey", label="VaR 99.5 %")
        axes[0].legend()
        if axes.size > 1:
            axes[1].hist(x, bins=60)
            axes[1].set_xlabel(f"annual {column.replace('_', ' ')} (million CNY)")
            axes[1].set_ylabel("simulated years")
        fig.tight_layout()
        return fig

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format=lambda v: f"{v:,.4g}")
