"""Portfolio Monte Carlo: ``simulate(priced, years, rng=...)`` and ``simulate_many`` (many scenarios, one pass).

Engine (DESIGN.md §5, PERFORMANCE.md; :mod:`.engine`, :mod:`._kernels`): cost follows the
number of simulated accidents, not policies × years. Per simulated year and segment the
collective count of accidents is drawn from Poisson(Σλ) and each accident is allocated to a
policy with a Walker/Vose alias table; negative binomial counts use their Poisson-cluster
(logarithmic) representation; the annual aggregate limit is applied only to policies with two
or more accidents in the year. Insured losses are split into death, disability, medical-only,
rescue/legal and third-party parts (pro rata under the per-accident and annual limits), exactly
as :func:`ajx_actuarial.expected_loss` computes their means.

By default every simulated year also draws the model's systemic year effect (shared by the
book) and each part's frequency level from its parameter uncertainty
(:class:`~ajx_actuarial.LossModel`: ``year_cv``, ``parameter_cv``); ``model.process_only()``
simulates process risk alone.

Years are simulated in fixed blocks of ``block_years``; block ``b`` draws only from the
streams spawned from the seed with key ``b``, so the result is bit-identical whatever the
thread count, the grouping of blocks into tasks, or the backend (threads or Dask).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from .._bounds import MAX_POLICIES, MAX_SCENARIOS, MAX_YEARS, check_count, shown
from .._random import RngLike, describe, seed_sequence
from .._version import __version__
from ..errors import ValidationError
from ..priced import validate_priced
from ..reference import INDUSTRIES
from ._dask import DASK_CONNECT_TIMEOUT, dask_client as _dask_client, is_scheduler_address, run_dask as _run_dask
from .engine import OUT_COLUMNS, SimSpec, pass_key, prepare, run_block
from .limits import LimitPolicy
from .model import LossModel
from .risk import tvar, var

__all__ = ["simulate", "simulate_many", "SimulationResult", "SimSpec"]

PART_COLUMNS = ("death", "disability", "medical", "rescue", "third_party")
#: C-ROSS phase II premium-risk factor for liability insurance (Rule 4 Art. 13; DOMAIN.md §10.2), shown beside VaR / mean.
CROSS_PREMIUM_FACTOR = 0.203
#: Scenario-years of one simulate_many call: the annual results hold about 14 columns of 8 bytes per scenario-year
#: (20 000 000 of them: about 2.2 GB), a bound on absurd input before anything is allocated.
MAX_SCENARIO_YEARS = 20_000_000
_INT_COLUMNS = ("accidents", "deaths", "disabilities", "medical_only", "deaths_paid_in_full", "disabilities_paid_in_full")


def _check_int(value: Any, name: str, lo: int, hi: int) -> int:
    return check_count(value, name, lo, hi, "simulate")  # a huge integer is named, not echoed (repr fails past 4 300 digits)


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
    relativity: str | None = "model",
    med_threshold: int = 1000,
    progress: bool | Callable[[int, int], None] = False,
    events: bool = False,
    systemic_draws: np.ndarray | None = None,
) -> "SimulationResult":
    """Simulate ``years`` independent years of the portfolio's losses after limits.

    Parameters
    ----------
    priced : DataFrame
        A portfolio, usually the output of :func:`ajx_actuarial.price` (its ``premium`` gives
        the loss ratio), at most 10 000 000 policies. Its priced columns are checked before any
        work (:func:`ajx_actuarial.priced.validate_priced`: premiums finite and > 0, float factors
        within the table's floor and cap); a book with none of them is simulated for its losses
        alone (``premium`` NaN), one with only some is refused.
    years : int
        Simulated years (1 to 1 000 000).
    rng : int | SeedSequence | Generator | None
        Same seed and ``block_years`` ⇒ bit-identical results for any ``threads``, task
        grouping or ``backend``.
    model : LossModel, optional
        Defaults to :meth:`LossModel.default` (systemic and parameter risk on; use
        ``model.process_only()`` for process risk alone).
    limits : LimitPolicy, optional
        Overrides the portfolio's limits (e.g. ``LimitPolicy.beijing(2024)``).
    block_years : int
        Years per block (each block has its own random streams; part of the seed contract).
    backend : {"threads", "dask"}
        ``"dask"`` runs blocks as tasks on ``client`` (a ``dask.distributed.Client`` or a
        scheduler address such as ``"tcp://10.0.0.5:8786"``, reached before any work, within
        :data:`DASK_CONNECT_TIMEOUT` = 10 seconds); without ``client`` the active distributed client is used.
    threads : int, optional
        Local threads (default: ``NUMBA_NUM_THREADS`` or the CPU count).
    relativity : "model", str or None
        Each policy's frequency relativity: ``"model"`` (default) the loss model's
        (:meth:`LossModel.relativity`: characteristics, region, claim history); a column name
        that column (e.g. the price's ``risk_relativity``); ``None`` every policy at its
        industry's average rate.
    med_threshold : int
        Segment-year medical-only counts above this use the normal approximation of their
        total (attritional claims; the per-claim cap is in the moments).
    progress : bool or callable(done, total)
    events : bool
        Also record every policy's claims in every simulated year (``result.events``: claims,
        fatal and disability accidents, deaths in the worst accident, deaths, insured loss);
        medical-only claims are then drawn one by one (``med_threshold`` is ignored), so the
        annual totals differ from a run without events in their medical part's randomness.
    systemic_draws : ndarray (years, 4), optional
        The standard normals of each simulated year's systemic effect and of its fatal,
        disability and medical parameter draws (default: drawn from ``rng``). The projection
        passes them so that a path keeps its parameters over its years.

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
    model = LossModel.default() if model is None else model
    res = simulate_many(priced, {"scenario": SimSpec(model, limits)}, years, rng=rng, block_years=block_years, backend=backend,
                        threads=threads, client=client, relativity=relativity, med_threshold=med_threshold, progress=progress,
                        _events=events, _systemic_draws=systemic_draws)
    return res["scenario"]


def _model_key(m: LossModel) -> tuple:
    """Every field of ``m`` as a hashable value: two scenarios merge only when their models are equal."""
    out = []
    for f in dataclasses.fields(m):
        v = getattr(m, f.name)
        if isinstance(v, pd.DataFrame):
            v = (tuple(v.index), tuple(v.columns), tuple(np.asarray(v, dtype=float).ravel()))
        elif isinstance(v, np.ndarray):
            v = tuple(v.ravel().tolist())
        out.append((f.name, v))
    return tuple(out)


def simulate_many(
    priced: pd.DataFrame,
    scenarios: Mapping[str, SimSpec] | Sequence[SimSpec],
    years: int = 10_000,
    *,
    rng: RngLike = None,
    premiums: Mapping[str, tuple[float, float]] | None = None,
    block_years: int = 250,
    backend: str = "threads",
    threads: int | None = None,
    client: Any = None,
    relativity: str | None = "model",
    med_threshold: int = 1000,
    progress: bool | Callable[[int, int], None] = False,
    _events: bool = False,
    _systemic_draws: np.ndarray | None = None,
) -> dict[str, "SimulationResult"]:
    """Simulate several scenarios on the same accidents (common random numbers made literal).

    Scenarios that share the counts, casualty and payout laws run in ONE pass: accidents,
    victims and grades are drawn once, and each scenario's limits and severity multiplier are
    applied to every accident; frequency multipliers and common shocks are coupled by thinning
    and one extra layer (see :mod:`._kernels`). A scenario whose multipliers are all 1 gives
    bit-identically what :func:`simulate` gives alone with the same seed. Scenarios that differ
    in those laws (e.g. Poisson vs negative binomial counts) run in separate passes.

    Parameters
    ----------
    scenarios : {name: SimSpec} or a list of SimSpec (named by their ``name``)
        At most 1 000 scenarios (:data:`ajx_actuarial._bounds.MAX_SCENARIOS`), named by non-empty
        strings; years × scenarios at most 20 000 000.
    premiums : {name: (premium, premium_ex_vat)}, optional
        Each scenario's premium for its loss ratio (default: the sums of ``priced``).

    Returns
    -------
    dict name -> SimulationResult

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.price(ajx.synth.portfolio(2000, rng=1), "national-2025")
    >>> m = ajx.LossModel.default()
    >>> res = ajx.simulate_many(book, {"as priced": ajx.SimSpec(m), "800k": ajx.SimSpec(m, ajx.LimitPolicy.fixed(800_000))}, 200, rng=3)
    >>> bool(res["800k"].mean() >= res["as priced"].mean())
    True
    """
    if not isinstance(scenarios, (Mapping, list, tuple)):
        raise ValidationError(f"simulate_many: scenarios must be a mapping name -> SimSpec or a list of SimSpec, got {type(scenarios).__name__}")
    if len(scenarios) > MAX_SCENARIOS:  # before anything is listed: a huge mapping is refused, not copied
        raise ValidationError(f"simulate_many: scenarios must hold at most {MAX_SCENARIOS:,} scenarios, got {len(scenarios):,}")
    if isinstance(scenarios, Mapping):
        items = list(scenarios.items())
    else:
        items = [(getattr(sp, "name", None), sp) for sp in scenarios]
    if not items:
        raise ValidationError("simulate_many: no scenario given")
    for k, sp in items:
        if not isinstance(sp, SimSpec):
            raise ValidationError(f"simulate_many: scenario {shown(k)} must be a SimSpec(model, limits), got {type(sp).__name__}")
        if not isinstance(k, str) or not k.strip() or len(k) > 80:
            raise ValidationError(f"simulate_many: scenario names must be non-empty strings of at most 80 characters, got {shown(k)}"
                                  + (" (name a SimSpec in a list with SimSpec(..., name=...))" if k is None else ""))
    if premiums is not None:
        if not isinstance(premiums, Mapping):
            raise ValidationError(f"simulate_many: premiums must be a mapping name -> (premium, premium ex VAT), got {type(premiums).__name__}")
        unknown = sorted(set(premiums) - {k for k, _ in items})
        if unknown:
            raise ValidationError(f"simulate_many: premiums name no scenario: {unknown[:5]}")
        for k, v in premiums.items():
            ok = isinstance(v, (tuple, list)) and len(v) == 2 and all(
                isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) and np.isfinite(x) and x >= 0 for x in v)
            if not ok:
                raise ValidationError(f"simulate_many: premiums[{k!r}] must be two finite amounts >= 0 (premium, premium ex VAT), got {v!r}")
    names = [k for k, _ in items]
    if len(set(names)) != len(names):
        raise ValidationError(f"simulate_many: scenario names must be unique, got {sorted({n for n in names if names.count(n) > 1})[:5]} twice")
    years = _check_int(years, "years", 1, MAX_YEARS)
    if years * len(items) > MAX_SCENARIO_YEARS:
        raise ValidationError(f"simulate_many: {years:,} years × {len(items)} scenarios is above {MAX_SCENARIO_YEARS:,} scenario-years (memory); "
                              f"simulate fewer years")
    block_years = _check_int(block_years, "block_years", 1, 1_000_000)
    if backend not in ("threads", "dask"):
        raise ValidationError(f"simulate: backend must be 'threads' or 'dask', got {shown(backend)}")
    if client is not None and backend != "dask":
        raise ValidationError(f"simulate: client= is used only with backend='dask', got backend={backend!r}")
    if threads is not None:
        threads = _check_int(threads, "threads", 1, 1024)
    med_threshold = _check_int(med_threshold, "med_threshold", 0, 10**9)
    if not (progress is None or isinstance(progress, (bool, np.bool_)) or callable(progress)):
        raise ValidationError(f"simulate: progress must be True, False or a callable(done, total), got {shown(progress)}")
    if not isinstance(_events, (bool, np.bool_)):
        raise ValidationError(f"simulate: events must be True or False, got {shown(_events)}")
    # the book: a DataFrame of at most MAX_POLICIES rows, its priced columns valid when it has them (nothing copied)
    validate_priced(priced, "simulate", required=False)
    if len(priced) > MAX_POLICIES:
        raise ValidationError(f"simulate: the book must hold at most {MAX_POLICIES:,} policies, got {len(priced):,}")
    if client is not None and not is_scheduler_address(client) and not hasattr(client, "submit"):
        raise ValidationError(f"simulate: client must be a dask.distributed Client or a scheduler address such as "
                              f"'tcp://10.0.0.5:8786', got {shown(client)}")
    ss = seed_sequence(rng)
    dask_client, own_client = _dask_client(client) if backend == "dask" else (None, False)
    try:
        return _simulate_passes(priced, items, names, years, ss, premiums, block_years, backend, threads, dask_client, relativity,
                                med_threshold, progress, _events, _systemic_draws)
    finally:
        if own_client:
            dask_client.close()


def _simulate_passes(priced, items, names, years, ss, premiums, block_years, backend, threads, client, relativity, med_threshold,
                     progress, _events, _systemic_draws) -> dict[str, "SimulationResult"]:
    """The passes of :func:`simulate_many` on validated arguments (``client``: an open dask client or None)."""
    passes: dict[tuple, list[int]] = {}
    for j, (_, sp) in enumerate(items):
        if not isinstance(sp.model, LossModel):
            raise ValidationError(f"simulate: model must be a LossModel, got {type(sp.model).__name__}")
        passes.setdefault(pass_key(sp.model.validate()), []).append(j)
    blocks = [(b, min(block_years, years - b * block_years)) for b in range((years + block_years - 1) // block_years)]
    total_steps = len(blocks) * len(passes)
    done = [0]
    if callable(progress):
        progress(0, total_steps)  # the total at once: the first block reports only when it is done

    def step(_d, _t):
        done[0] += 1
        if callable(progress):
            progress(done[0], total_steps)

    results: dict[str, SimulationResult] = {}
    import numba

    for members in passes.values():
        # identical scenarios (e.g. a fee or price scenario with the baseline's losses) are simulated once
        keys, col_of = [], []
        for j in members:
            key = (_model_key(items[j][1].model), items[j][1].limits)
            if key not in keys:
                keys.append(key)
            col_of.append(keys.index(key))
        first = {}
        for j, c in zip(members, col_of):
            first.setdefault(c, j)
        specs = [items[first[c]][1] for c in range(len(keys))]
        t0 = time.perf_counter()
        prep, df = prepare(priced, specs, relativity=relativity, med_threshold=med_threshold)
        if _systemic_draws is not None:
            zs = np.asarray(_systemic_draws, dtype=np.float64)
            if zs.shape != (years, 4) or not np.isfinite(zs).all():
                raise ValidationError(f"simulate: systemic_draws must be finite standard normals of shape ({years}, 4), got {zs.shape}")
            prep = dataclasses.replace(prep, systemic_z=zs)
        prep = dataclasses.replace(prep, block_years=block_years)
        t_prep = time.perf_counter() - t0
        t1 = time.perf_counter()
        if backend == "threads":
            outs = _run_threads(prep, ss, blocks, threads, step, _events)
        else:
            outs = _run_dask(prep, ss, blocks, client, step, _events)
        t_run = time.perf_counter() - t1
        out = np.concatenate([o[0] for o in outs], axis=0)
        seg = np.concatenate([o[1] for o in outs], axis=0)
        events = _events_frame(outs, blocks, block_years, prep, df) if _events else None
        prem_all = (float(df["premium"].sum()) if "premium" in df.columns else float("nan"),
                    float(df["premium_ex_vat"].sum()) if "premium_ex_vat" in df.columns else float("nan"))
        for j, q in zip(members, col_of):
            name, sp = items[j]
            annual = pd.DataFrame({c: out[:, q, i] for i, c in enumerate(OUT_COLUMNS)})
            m_q = sp.model
            extra = annual["rescue"].to_numpy()
            rho = m_q.rescue_share + m_q.third_party_share
            annual["third_party"] = extra * (m_q.third_party_share / rho if rho > 0 else 0.0)
            annual["rescue"] = extra - annual["third_party"].to_numpy()
            for c in _INT_COLUMNS:
                annual[c] = np.rint(annual[c].to_numpy()).astype(np.int64)
            annual = annual[["gross_loss", "insured_loss", *PART_COLUMNS, *_INT_COLUMNS]]
            annual.index.name = "sim_year"
            segments = pd.DataFrame(seg[:, q, :], columns=pd.Index(INDUSTRIES, name="industry"))
            segments.index.name = "sim_year"
            premium, premium_ex_vat = (premiums or {}).get(name, prem_all)
            prov = {
                "seed": describe(ss), "years": years, "block_years": block_years, "backend": backend,
                "policies": int(len(df)), "ajx_actuarial": __version__, "numpy": np.__version__, "numba": numba.__version__,
                "seconds_prepare": round(t_prep, 3), "seconds_simulate": round(t_run, 3), "scenarios_in_pass": len(members),
                "distinct_scenarios_in_pass": len(keys),
                "limits": sp.limits.label if sp.limits is not None else "as priced", "counts": sp.model.counts,
                "year_cv": sp.model.year_cv, "parameter_cv": dict(sp.model.parameter_cv), "relativity": str(relativity),
                "med_threshold": med_threshold,
            }
            results[name] = SimulationResult(annual=annual, segments=segments, premium=premium, premium_ex_vat=premium_ex_vat,
                                             expected=prep.expected[q], provenance=prov, events=events if (q == 0 and j == first[0]) else None)
    return {k: results[k] for k in names}


def _n_threads(threads: int | None) -> int:
    if threads:
        return threads
    env = os.environ.get("NUMBA_NUM_THREADS")
    return int(env) if env else (os.cpu_count() or 1)


def _events_frame(outs, blocks, block_years, prep, df) -> pd.DataFrame:
    """The claims log of the first scenario: one row per (simulated year, policy) with claims."""
    parts = []
    for (b, _), o in zip(blocks, outs):
        lg = o[2]
        parts.append(pd.DataFrame({"sim_year": lg["y"] + b * block_years, "row": prep.order[lg["i"]], "claims": lg["claims"],
                                   "accidents": lg["accidents"], "max_deaths": lg["max_deaths"], "deaths": lg["deaths"],
                                   "insured": lg["insured"]}))
    ev = pd.concat(parts, ignore_index=True)
    agg = ev.groupby(["sim_year", "row"], sort=True).agg(claims=("claims", "sum"), accidents=("accidents", "sum"),
                                                         max_deaths=("max_deaths", "max"), deaths=("deaths", "sum"),
                                                         insured=("insured", "sum")).reset_index()
    pid = df["policy_id"].to_numpy()  # the validated book is in input order: input row -> policy id
    agg.insert(2, "policy_id", pid[agg["row"].to_numpy()])
    return agg


def _run_threads(prep, ss, blocks, threads, step, log=False):
    n = _n_threads(threads)
    args = [(prep, ss.entropy, tuple(ss.spawn_key), b, ny, log) for b, ny in blocks]
    if n == 1 or len(blocks) == 1:
        out = []
        for k, a in enumerate(args):
            out.append(run_block(*a))
            step(k + 1, len(args))
        return out
    with ThreadPoolExecutor(max_workers=n) as ex:
        futs = [ex.submit(run_block, *a) for a in args]
        out = []
        for k, f in enumerate(futs):
            out.append(f.result())
            step(k + 1, len(args))
        return out


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Simulated annual totals with risk measures, loss ratios, standard errors and provenance.

    Attributes
    ----------
    annual : DataFrame
        One row per simulated year: ``gross_loss`` (economic, before limits), ``insured_loss``
        (after per-person, per-accident and annual limits) and its parts ``death``,
        ``disability``, ``medical``, ``rescue`` (rescue/legal), ``third_party``; counts ``accidents`` (all, medical-only
        included), ``deaths``, ``disabilities``, ``medical_only``.
    segments : DataFrame
        Insured loss per simulated year and industry.
    premium, premium_ex_vat : float
        Portfolio premium (gross and ex-VAT) from the priced frame (``nan`` if unpriced).
    expected : dict
        Model expectations per year without shocks (accidents by type, deaths).
    provenance : dict
        Seed, block size, backend, versions, timings.
    events : DataFrame or None
        With ``simulate(..., events=True)``: one row per simulated year and policy with claims:
        ``sim_year``, ``row`` (position in the input book), ``policy_id``, ``claims`` (all,
        medical-only included), ``accidents`` (fatal and disability), ``max_deaths`` (deaths in
        the worst accident), ``deaths``, ``insured`` (after all limits).
    """

    annual: pd.DataFrame
    segments: pd.DataFrame
    premium: float
    premium_ex_vat: float
    expected: dict
    provenance: dict
    events: pd.DataFrame | None = None

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
            ("VaR 99.5 % / mean", self.var(0.995) / self.mean() if self.mean() > 0 else np.nan, np.nan),
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
                ("(VaR 99.5 % − mean) / premium ex VAT", (self.var(0.995) - self.mean()) / self.premium_ex_vat, np.nan),
                ("C-ROSS premium risk factor, liability", CROSS_PREMIUM_FACTOR, np.nan),
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
