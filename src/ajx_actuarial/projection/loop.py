"""The yearly loop of :func:`ajx_actuarial.project`: price → prevention ledger → claims → histories."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import pandas as pd

from .._bounds import MAX_POLICIES, shown
from .._random import RngLike, describe, seed_sequence
from .._version import __version__
from ..errors import ValidationError
from ..losses import LossModel, simulate
from ..portfolio import validate_portfolio
from ..priced import validate_priced
from ..prevention import CostTable, MandateRules, fee_schedule, pool_index
from ..prevention.ledger import ledger_step_unchecked
from ..rating import COMMISSION_CAP, BonusMalus, RateTable, price
from ._draws import systemic_draws
from .levers import Levers
from .renewal import Renewal
from .result import BY_YEAR_COLUMNS, ProjectionResult
from .state import HistoryState

__all__ = ["project"]

CHUNK_ELEMENTS = 4_000_000  # paths × policies handled at once (memory of the temporary arrays)


def _int(v, name: str, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
        bound = f"{hi}" if name.endswith("_year") else f"{hi:,}"  # a year (start_year) as 2200, a count as 100,000
        raise ValidationError(f"project: {name} must be an integer in [{lo}, {bound}], got {shown(v)}")
    return int(v)


MAX_PATH_POLICIES = 2e9  # 4 GB of history state (2 bytes each); bounds absurd input before allocating
MAX_PATH_YEARS = 5e6  # rows of by_year (about 40 columns of 8 bytes: 1.6 GB)


def _check_call(book, progress, levers: dict) -> None:
    """What :func:`project` checks before anything else (the levers' own ranges: :meth:`Levers.check`)."""
    if not isinstance(book, pd.DataFrame):
        raise ValidationError(f"project: book must be a pandas DataFrame, got {type(book).__name__}")
    if len(book) > MAX_POLICIES:
        raise ValidationError(f"project: the book must hold at most {MAX_POLICIES:,} policies, got {len(book):,}")
    if not (progress is None or isinstance(progress, (bool, np.bool_)) or callable(progress)):
        raise ValidationError(f"project: progress must be True, False, None or a callable(done, total), got {shown(progress)}")
    c = levers.get("commission")
    if c is not None and not isinstance(c, bool) and isinstance(c, (int, float, np.integer, np.floating)) and c > COMMISSION_CAP:
        raise ValidationError(f"project: commission must be at most {COMMISSION_CAP:g} of the ex-VAT premium (5 %, 2025 national "
                              f"measures, 应急〔2025〕27号 Art. 14, as a rate table's loading), got {c!r}")


def project(book: pd.DataFrame, years: int = 5, start_year: int = 2026, *, table: RateTable | str | None = None,
            model: LossModel | None = None, paths: int = 1000, rng: RngLike = None,
            progress: bool | Callable[[int, int], None] = False, block_years: int = 250, threads: int | None = None,
            lift_limits: bool | None = None, scenarios=None, **levers) -> ProjectionResult:
    """Project a book over several policy years: renewals with floating rates, trends, limit indexation,
    the prevention-fee ledger, the insurer's result and (through :meth:`ProjectionResult.capital`) its solvency.

    Each year: (1) the book is priced once with the year's limits (``price()``), and every
    (path, policy) premium follows from its history state (:mod:`.renewal`); (2) the prevention
    budget (fee ratio × ex-VAT premium) meets the mandated services' cost in the prevention ledger
    of each pool (:mod:`ajx_actuarial.prevention.ledger`); (3) one ``simulate(book_t, years=paths,
    events=True)`` call draws every path's claims of the year (simulated year ``p`` = path ``p``),
    with the frequency trend and severity growth as the engine's exact multipliers; (4) each
    policy's history rolls forward on each path (:mod:`.state`).

    A policy's claim frequency is its own risk and does not follow its premium history: every year
    is simulated with the loss model's relativity of the policy at the start (its characteristics
    and its start history, :meth:`LossModel.relativity`; the history factor is a consequence of
    the claims, not a cause). The model's parameter uncertainty is drawn once per path and kept
    over its years; its systemic year effect is drawn afresh every year. With ``prevention_effectiveness`` > 0 a path's funded
    services lower that path's frequency: the year is simulated at full frequency and each
    policy-year with claims is kept with probability ``1 − e × funded share`` of the policy's pool
    on that path (exact in the mean; the claims of one policy-year are kept or dropped together).

    Memory: two bytes per (path, policy) for the history state (one with a BonusMalus of up to 255
    classes), one more with grade transitions, eight per (path, pool) for the carried prevention
    balance (and four more with prevention effectiveness), plus one year's claims log.

    Parameters
    ----------
    book : DataFrame
        A portfolio (priced or not; it is priced here with ``table``).
    years : int
        Policy years, from ``start_year``.
    table : RateTable or str, optional
        Default ``national-2025``; with ``scenarios``, each scenario's own table unless given.
    model : LossModel, optional
        The loss model of the start year (default :meth:`LossModel.default`); its frequency and
        severity multipliers are scaled by the trends year by year.
    paths : int
        Simulated paths (each a sequence of ``years`` policy years).
    rng : int | SeedSequence | Generator | None
        Year ``t``'s claims use ``SeedSequence(entropy, spawn_key=(*key, 0, t))``
        (:meth:`ProjectionResult.year_seed`); other draws use ``(*key, 1, t)``. Same seed ⇒
        bit-identical results.
    progress : bool or callable(done, total)
    block_years, threads :
        Passed to :func:`ajx_actuarial.simulate` (``block_years`` is part of the seed contract).
    lift_limits : bool, optional
        Passed to :func:`ajx_actuarial.price`: raise limits below the table's minimum to it
        (default False; True with ``scenarios``, as :func:`ajx_actuarial.stress.run` does).
    scenarios : str, path, ScenarioSet or list of dicts, optional
        Run every scenario of a set (``regulator-2026``, ``national-2025``, a TOML file) through
        the years with common random numbers (:mod:`ajx_actuarial.projection.scenarios`):
        ``by_year`` gains a ``scenario`` column, :meth:`ProjectionResult.capital` gives each
        scenario's capital. A lever that a scenario also sets is refused.
    **levers
        See :mod:`ajx_actuarial.projection.levers`: ``trend``, ``limits``, ``income_growth``,
        ``limit_offset``, ``severity_trend``, ``fee_ratio``, ``fee_floor``, ``fee_cap``,
        ``on_breach``, ``ledger``, ``rules``, ``pooling``, ``costs``, ``cost_inflation``,
        ``prevention_effectiveness``, ``grade_transitions``, ``history``, ``feedback``,
        ``commission``, ``admin``, ``levy``.

    Returns
    -------
    ProjectionResult

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(500, preset="beijing", rng=1)
    >>> res = ajx.project(book, years=3, table="beijing-2026", paths=100, rng=7, limits="beijing",
    ...                   fee_ratio={2026: 0.15, 2028: 0.20}, ledger="carry_forward", rules="beijing-2017")
    >>> res.by_year.groupby("year")["limit_death"].first().round().tolist()
    [802460.0, 838571.0, 876306.0]
    """
    _check_call(book, progress, levers)
    if scenarios is not None:
        from .scenarios import project_scenarios

        Levers.build(**levers)  # bad levers fail before any scenario runs
        return project_scenarios(project, book, scenarios, years=years, start_year=start_year, table=table, model=model, paths=paths,
                                 rng=rng, progress=progress, block_years=block_years, threads=threads, lift_limits=lift_limits,
                                 levers=levers)
    t0 = time.perf_counter()
    table = "national-2025" if table is None else table
    lift_limits = False if lift_limits is None else lift_limits
    lv = Levers.build(**levers)
    years = _int(years, "years", 1, 50)
    start_year = _int(start_year, "start_year", 1990, 2200)
    paths = _int(paths, "paths", 1, 1_000_000)
    block_years = _int(block_years, "block_years", 1, 100_000)
    if not isinstance(lift_limits, (bool, np.bool_)):
        raise ValidationError(f"project: lift_limits must be True or False, got {lift_limits!r}")
    tab = table if isinstance(table, RateTable) else RateTable.load(table) if isinstance(table, str) else None
    if tab is None:
        raise ValidationError(f"project: table must be a RateTable or a table name/path, got {type(table).__name__}")
    model = LossModel.default() if model is None else model
    if not isinstance(model, LossModel):
        raise ValidationError(f"project: model must be a LossModel, got {type(model).__name__}")
    ss = seed_sequence(rng)
    df0 = validate_portfolio(book)
    n = len(df0)
    if n == 0:
        raise ValidationError("project: the book has no policies")
    # memory: the history state holds 2 bytes per path and policy, the results one row per path and year
    if paths * n > MAX_PATH_POLICIES or paths * years > MAX_PATH_YEARS:
        raise ValidationError(f"project: {paths:,} paths × {n:,} policies × {years} years is too large (at most "
                              f"{MAX_PATH_POLICIES:,.0f} path-policies and {MAX_PATH_YEARS:,.0f} path-years); use fewer paths")
    yrs = list(range(start_year, start_year + years))

    cache: dict = {}

    def priced_for(year: int) -> pd.DataFrame:
        lp = lv.limit_policy(year)
        key = lp  # LimitPolicy is a frozen dataclass: equal policies price alike
        if key not in cache:
            try:
                cache.clear()
                cache[key] = price(lp.apply(df0) if lp is not None else df0, tab, lift_limits=bool(lift_limits))
            except ValidationError as exc:
                raise ValidationError(f"project: pricing policy year {year}: {exc}") from exc
        return cache[key]

    priced0 = priced_for(start_year)
    validate_priced(priced0, "project: the book priced for the first year")  # premiums > 0, factors in bounds, before any work
    rr0 = model.relativity(validate_portfolio(priced0))  # the units' risk at the start (characteristics, history): the truth stays
    fee = lv.fee_ratio if lv.fee_ratio is not None else float(tab.loadings["prevention_fee"])
    ratios, _, breaches = fee_schedule(fee, years, start_year, floor=lv.fee_floor, cap=lv.fee_cap, on_breach=lv.on_breach)
    ld = tab.loadings
    rate = {k: (getattr(lv, k) if getattr(lv, k) is not None else float(ld[k])) for k in ("commission", "admin", "levy")}
    if sum(rate.values()) >= 1:
        raise ValidationError(f"project: commission + admin + levy must be below 1 of the ex-VAT premium, got "
                              + " + ".join(f"{v:g}" for v in rate.values()))

    # prevention: requirements per policy and year (path-independent), pools
    rs = lv.rules if isinstance(lv.rules, MandateRules) else MandateRules.load(lv.rules)
    costs = lv.costs
    ct = costs if isinstance(costs, CostTable) else CostTable.load() if costs is None else CostTable.from_mapping(dict(costs)) if isinstance(costs, dict) else CostTable.load(costs)
    ct = ct.with_inflation(lv.cost_inflation)
    rule_idx, rtab, pooled = rs.match(df0, None) if not rs.contractual else (None, None, None)
    if rule_idx is None:
        raise ValidationError(f"project: rules {rs.name!r} are contractual (AQ 9010); give a rule set with frequencies")
    required = ct.required(ct.onsite_factor(df0, pooled), rule_idx, rtab, years)  # years × n
    inv, k = pool_index(df0, lv.pooling)
    req_pool = np.stack([np.bincount(inv, weights=required[t], minlength=k) for t in range(years)])

    # history state and replaced factors
    hist = [f for f in tab.factors if f.kind == "history"]
    bms = lv.history if isinstance(lv.history, BonusMalus) else None
    state = HistoryState(priced0, paths, hist[0].spec if hist else None, bms)
    hist_name = hist[0].name if hist else "__bonus_malus__"
    use_hist = bool(hist) or bms is not None
    P = lv.transition_matrix()
    grade_f = next((f for f in tab.factors if f.column == "std_grade" and f.kind == "categorical"), None) if P is not None else None
    if P is not None and grade_f is None:
        raise ValidationError(f"project: grade_transitions needs a categorical factor on std_grade in table {tab.name!r}")
    grades = np.broadcast_to(priced0["std_grade"].to_numpy(dtype=np.uint8), (paths, n)).copy() if grade_f is not None else None
    grade_lut = np.array([grade_f._lookup_scalar(g) for g in range(4)]) if grade_f is not None else None
    replaced = tuple(x for x, on in ((hist_name, use_hist), (grade_f.name if grade_f else "", grade_f is not None)) if on)
    h0 = np.broadcast_to(state.multiplier(slice(0, 1))[0], (paths, n))  # frozen factor when feedback is off

    balance = np.zeros((paths, k)) if lv.ledger == "carry_forward" else None
    eff = float(lv.prevention_effectiveness)
    frac = np.ones((paths, k), dtype=np.float32) if eff > 0 else None
    chunk = max(1, CHUNK_ELEMENTS // max(n, k))
    cols = {c: np.zeros((years, paths)) for c in BY_YEAR_COLUMNS if c not in ("path", "year")}
    class_rows = []
    nblocks = (paths + block_years - 1) // block_years
    total, done = years * (nblocks + 1), [0]

    def tick(_d=None, _t=None):
        done[0] += 1
        if callable(progress):
            progress(done[0], total)

    t_sim = 0.0
    for t, year in enumerate(yrs):
        pr = priced_for(year)
        ren = Renewal(pr, tab, replaced)
        mandated = required[t] > 0
        n_mand = int(mandated.sum())
        counts = np.zeros((paths, len(state.labels)))
        for lo in range(0, paths, chunk):
            sl = slice(lo, min(lo + chunk, paths))
            rows = sl.stop - sl.start
            mult = {}
            if use_hist:
                mult[hist_name] = state.multiplier(sl) if lv.feedback else h0[sl]
            if grade_f is not None:
                mult[grade_f.name] = grade_lut[grades[sl]]
            ff = ren.float_factor(mult, rows)
            prem, ex = ren.premium(ff)
            cols["premium"][t, sl] = prem.sum(axis=1)
            cols["premium_ex_vat"][t, sl] = ex.sum(axis=1)
            cols["mean_float_factor"][t, sl] = ff.mean(axis=1)
            cols["mean_history_factor"][t, sl] = mult[hist_name].mean(axis=1) if use_hist else 1.0
            counts[sl] = state.class_counts(sl)
            base = prem if lv.fee_base == "collected" else ex  # what the ratio is a share of (S01 实收保费 / S04 不含税)
            if lv.pooling == "policy":
                base_pool, prem_pool = base, prem
            else:
                idx = (np.arange(rows)[:, None] * k + inv[None, :]).ravel()
                base_pool = np.bincount(idx, weights=base.ravel(), minlength=rows * k).reshape(rows, k)
                prem_pool = np.bincount(idx, weights=prem.ravel(), minlength=rows * k).reshape(rows, k) if lv.fee_floor is not None else None
            b_pool = ratios[t] * base_pool
            # a floor (Xinzhou S04: >= 15 % at actual cost) is spent at least, mandates paid up to the cap on the collected
            # premium (N24/N25: 实际收取保费的21%) (prevention.ledger)
            band = (lv.fee_floor * base_pool, lv.fee_cap * prem_pool if lv.fee_cap is not None else None) if lv.fee_floor is not None else (None, None)
            # inputs built here (finite, >= 0): the ledger's arithmetic without its checks (carried_in copied: balance is updated below)
            y = ledger_step_unchecked(*np.broadcast_arrays(b_pool, req_pool[t][None, :], balance[sl].copy() if balance is not None else np.zeros(1)),
                                      lv.ledger, *band, lv.below_floor)
            if balance is not None:
                balance[sl] = y.carried_out
            f = y.funded_fraction
            for c, v in (("prevention_budget", y.budget), ("carried_in", y.carried_in), ("prevention_spent", y.spent),
                         ("carried_forward", y.carried_out), ("lapsed", y.lapsed), ("prevention_shortfall", y.shortfall),
                         ("prevention_expense", y.expense), ("prevention_further", y.further),
                         ("prevention_above_budget", y.above_budget), ("prevention_floor_gap", y.floor_gap)):
                cols[c][t, sl] = np.broadcast_to(v, y.budget.shape).sum(axis=1)
            ok = f[:, inv[mandated]] >= 1.0 - 1e-9
            cols["policies_funded"][t, sl] = ok.mean(axis=1) if n_mand else np.nan
            if frac is not None:
                frac[sl] = f
        class_rows.append(pd.DataFrame({"year": year, "class": state.labels, "share": counts.sum(axis=0) / (paths * n)}))

        # claims of the year, every path at once
        fm = model.frequency_multiplier * (1.0 + lv.trend) ** t
        sm = model.severity_multiplier * (1.0 + lv.severity_growth) ** t
        model_t = model.replace(frequency_multiplier=fm, severity_multiplier=sm)
        sim_book = pr.copy()
        sim_book["_start_relativity"] = rr0
        t1 = time.perf_counter()
        seed_t = np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (0, t), pool_size=ss.pool_size)
        res = simulate(sim_book, years=paths, rng=seed_t, model=model_t, events=True, block_years=block_years,
                       threads=threads, progress=tick if progress else False, relativity="_start_relativity",
                       systemic_draws=systemic_draws(ss, paths, t))
        t_sim += time.perf_counter() - t1
        ev = res.events
        path = ev["sim_year"].to_numpy()
        row = ev["row"].to_numpy()
        aux = np.random.Generator(np.random.PCG64(np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (1, t),
                                                                         pool_size=ss.pool_size)))
        if frac is not None:
            served = mandated[row]
            keep = aux.random(len(row)) < np.where(served, 1.0 - eff * frac[path, inv[row]], 1.0)
            ev = ev[keep]
            path, row = path[keep], row[keep]
            cols["insured_loss"][t] = np.bincount(path, weights=ev["insured"].to_numpy(), minlength=paths)
        else:
            cols["insured_loss"][t] = res.annual["insured_loss"].to_numpy()
        cols["claims"][t] = np.bincount(path, weights=ev["claims"].to_numpy(), minlength=paths)
        cols["fatal_disability_accidents"][t] = np.bincount(path, weights=ev["accidents"].to_numpy(), minlength=paths)
        cols["deaths"][t] = np.bincount(path, weights=ev["deaths"].to_numpy(), minlength=paths)
        if lv.feedback:
            state.roll(path, row, ev["claims"].to_numpy(), ev["max_deaths"].to_numpy())
        if grades is not None:  # standardisation grades move before next year's renewal
            for lo in range(0, paths, chunk):
                sl = slice(lo, min(lo + chunk, paths))
                u = aux.random((sl.stop - sl.start, n))
                cum = np.cumsum(P, axis=1)[grades[sl]]
                grades[sl] = (u[..., None] > cum[..., :3]).sum(axis=-1).astype(np.uint8)
        cols["fee_ratio"][t] = ratios[t]
        cols["prevention_required"][t] = req_pool[t].sum()
        ld = pr["limit_death"].to_numpy(dtype=np.float64)
        cols["limit_death"][t] = ld[0] if (ld == ld[0]).all() else ld.mean()
        cols["frequency_multiplier"][t] = fm
        cols["severity_multiplier"][t] = sm
        tick()

    ex = cols["premium_ex_vat"]
    for c in ("commission", "admin", "levy"):
        cols[c] = rate[c] * ex
    cols["underwriting_result"] = ex - cols["insured_loss"] - cols["prevention_expense"] - cols["commission"] - cols["admin"] - cols["levy"]
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["loss_ratio"] = cols["insured_loss"] / ex
        cols["combined_ratio"] = 1.0 - cols["underwriting_result"] / ex
        cols["cost_share_funded"] = np.where(cols["prevention_required"] > 0, cols["prevention_spent"] / cols["prevention_required"], np.nan)
    by_year = pd.DataFrame({"path": np.tile(np.arange(paths), years), "year": np.repeat(yrs, paths),
                            **{c: cols[c].ravel() for c in BY_YEAR_COLUMNS if c not in ("path", "year")}})
    by_year["path"] = by_year["path"].astype(np.int64)
    fee_text = ", ".join(f"{y}: {r:.4g}" for y, r in zip(yrs, ratios))
    prov = {
        "seed": describe(ss), "years": years, "start_year": start_year, "paths": paths, "policies": n, "table": tab.name,
        "rules": rs.name, "pooling": lv.pooling, "pools": int(k), "ledger": lv.ledger, "fee_breaches": breaches.to_dict("records"),
        "state_bytes_per_path_policy": state.bytes_per_policy_path + (1 if grades is not None else 0),
        "block_years": block_years, "seconds_total": round(time.perf_counter() - t0, 3), "seconds_simulate": round(t_sim, 3),
        "ajx_actuarial": __version__, "history": "table" if bms is None else f"BonusMalus({bms.n_classes})",
    }
    return ProjectionResult(by_year=by_year, classes=pd.concat(class_rows, ignore_index=True),
                            levers=lv.frame({k_: rate[k_] for k_ in rate}, fee_text), provenance=prov, priced_start=priced0)
