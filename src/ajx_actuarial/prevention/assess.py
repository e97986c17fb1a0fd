"""Can the prevention fee pay for the mandated services? Per policy, segment and portfolio.

Budget per policy-year = ``fee_ratio(year) × premium / (1 + VAT)`` (the ex-VAT collected
premium, as Xinzhou S04 states) or, with ``fee_base="collected"``, ``fee_ratio(year) × premium``
(Beijing S01: 实收保费); the national cap of 21 % (N24 / N25) is enforced. Required
cost = Σ over service types of the mandated count × the unit cost for that policy (pooled
delivery shares an on-site visit among small and micro units). Money moves only within a pool:
``"insurer"`` (the default: the insurer's whole book in the jurisdiction, which is what the
seeds' ratios are a share of: 实收保费), ``"segment"`` (industry × size) or ``"policy"`` (each
policy funds only its own services: a view, stated by no seed). The money flows of each year
and pool are the prevention ledger (:mod:`.ledger`): with ``carry_forward`` unused money stays
in the pool for the next year (Beijing 2026 draft, S01); otherwise it lapses as surplus. The fee
ratio is checked against the national 21 % cap and an optional local floor
(:func:`.fees.fee_schedule`). With a ``floor`` (Xinzhou S04: 不低于…15%…据实列支) the floor is a
minimum the pool spends: mandated services are paid at actual cost up to the 21 % cap, and what
they leave below the floor goes to further services (``below_floor="spend"``, reported as
``further``) or is shown as a breach (``"flag"``, ``floor_gap``), never released silently.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._random import RngLike, generator
from ..errors import ValidationError
from ..portfolio import validate_portfolio
from ._services import SERVICE_TYPES
from .costs import CostTable
from .fees import FEE_CAP, MAX_YEARS, fee_schedule, priced_fee_ratio
from ._pools import EARMARK_COLUMNS, POOLINGS, YEAR_END_COLUMNS, pool_index, run_pools
from .ledger import BELOW_FLOOR, check_regime
from .result import PreventionResult
from .rules import MandateRules
from .timing import delivered_share, first_service, inception_label, inception_months

__all__ = ["assess", "compare", "PreventionResult", "FEE_CAP", "fee_schedule", "priced_fee_ratio", "pool_index", "POOLINGS", "FEE_BASES"]

FEE_BASES = ("ex_vat", "collected")
MAX_IT_COST = 1e6  # CNY per insured unit a year: a bound on absurd input (the packaged assumption is a few hundred)


def assess(
    priced: pd.DataFrame,
    *,
    rules: str | MandateRules = "xinzhou-2024",
    fee_ratio: float | Mapping[int, float] = 0.15,
    costs: CostTable | Mapping[str, float] | str | None = None,
    pooling: str = "insurer",
    years: int = 1,
    start_year: int | None = None,
    carry_forward: bool = False,
    ledger: str | None = None,
    floor: float | None = None,
    on_breach: str = "error",
    below_floor: str = "spend",
    fee_base: str = "ex_vat",
    cap: float | None = None,
    it_cost: float | None = None,
    earmark: str | None = None,
    inception="uniform",
    first_service_months: float | None = None,
    contract: Mapping[str, float] | None = None,
    cost_inflation: float | None = None,
    rng: RngLike = None,
    n_sims: int = 0,
) -> PreventionResult:
    """Assess whether the prevention fee funds the mandated services.

    Parameters
    ----------
    priced : DataFrame
        Output of :func:`ajx_actuarial.price` (needs ``premium``; ``premium_ex_vat`` is used
        when present, else ``premium / 1.06``).
    rules : str or MandateRules
        ``"xinzhou-2024"``, ``"beijing-2017"``, ``"aq9010"`` (with ``contract=``) or a TOML path.
    fee_ratio : float or {year: ratio}
        Share of the ex-VAT premium, in [0, 0.21]; a schedule is a step function by year.
    costs : CostTable, mapping {service_type: unit cost}, table name/path, optional
    pooling : {"insurer", "segment", "policy"}
        Where money moves: the insurer's whole book (default), industry × size, or each policy alone.
    years : int
        Policy years assessed (with a schedule, from ``start_year`` or its first year).
    carry_forward : bool
        Unused money stays in the pool for the next year (Beijing 2026 draft); the same as
        ``ledger="carry_forward"``.
    ledger : {"provisioned", "carry_forward", "not_provisioned"}, optional
        The ledger regime (:mod:`ajx_actuarial.prevention.ledger`); default
        ``"carry_forward"`` with ``carry_forward=True``, else ``"provisioned"``.
    floor : float, optional
        A local minimum fee ratio (e.g. Xinzhou 0.15): the ratio is checked against it (see
        ``on_breach``), and each pool spends at least ``floor`` × its ex-VAT premium a year,
        mandated services at actual cost up to the 21 % cap (see ``below_floor``).
    on_breach : {"error", "flag"}
        A ratio below ``floor`` or above the 21 % cap raises, or (``"flag"``) is run and listed
        in ``summary["fee_breaches"]``.
    below_floor : {"spend", "flag"}
        With a floor, what the mandates leave below it: further services beyond the mandates
        (``"spend"``, the seeds' 足额投入和使用) or a breach shown as ``floor_gap``.
    fee_base : {"ex_vat", "collected"}
        What the fee ratio and floor are a share of: the ex-VAT premium (Xinzhou S04: 实收保费（不含税）)
        or the premium collected, VAT included (Beijing S01: 实收保费). The 21 % cap is always on the
        collected premium (N24/N25: 实际收取保费).
    cap : float, optional
        The most a floor rule spends, as a share of the collected premium (default the national
        21 %, N24/N25; a bundle may state a lower one). The fee ratio is checked against it.
    it_cost : float, optional
        CNY per insured unit a year of the insurer's prevention IT systems, charged to the fee as a
        cost line beside the services (Xinzhou S04 §三(四): 事故预防服务费用包括承保机构建设事故预防技术服务
        信息系统的费用); part of ``required_cost``, paid at cost like the services (by_policy ``it_cost``,
        summary ``total_it_cost``).
    earmark : str, optional
        A service type whose cost is a ring-fenced fund inside the fee, paid before the other
        lines (Beijing 2017 S00 §(十一): 在事故预防费用中单独设立隐患排查专项资金): by_year and summary
        ``earmark_required``, ``earmark_spent``, ``earmark_shortfall``, summary ``earmark_share_of_budget``.
    inception : {"uniform", "calendar"} or twelve monthly shares
        When the policies incept within the calendar year (:mod:`ajx_actuarial.prevention.timing`):
        it places each policy's first service and the services delivered by 31 December.
    first_service_months : float, optional
        A first service is due within this many months of inception (default: the rule set's
        ``meta.first_service_within_months``; Xinzhou S04 Annex 2 §七: 3). First visits are
        scheduled at a level on-site capacity (the visits the first year's spending pays for, ÷ 12
        a month; :mod:`ajx_actuarial.prevention.timing` states the assumptions): by_policy
        ``first_service_wait`` (months) and ``first_service_late``; summary ``first_service_due``,
        ``first_service_late``, ``first_service_late_share``, ``first_service_mean_wait``.
    contract : mapping, optional
        Service counts per year for contractual rule sets (AQ 9010).
    cost_inflation : float, optional
        Yearly unit-cost inflation (overrides the cost table's).
    rng, n_sims :
        With ``n_sims > 0``, a Monte Carlo of the total shortfall with lognormal unit-cost
        uncertainty per service type (the cost table's low/high as 5 % / 95 % points).

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> mine = pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["medium"],
    ...                      "headcount": [300], "limit_death": [500_000], "premium": [120_000.0]})  # DOMAIN.md §7.4
    >>> res = ajx.prevention.assess(mine, rules="xinzhou-2024", fee_ratio=0.15)
    >>> round(res.by_policy.loc[0, "budget"], 2), res.by_policy.loc[0, "required_cost"]
    (np.float64(16981.13), np.float64(33000.0))
    """
    if not isinstance(priced, pd.DataFrame):
        raise ValidationError(f"prevention: priced must be a priced portfolio (a pandas DataFrame, the output of ajx.price), "
                              f"got {type(priced).__name__}")
    if "premium" not in priced.columns:
        raise ValidationError("prevention: the portfolio has no 'premium' column; price it first (ajx.price)")
    if not isinstance(carry_forward, (bool, np.bool_)):
        raise ValidationError(f"prevention: carry_forward must be True or False, got {carry_forward!r}"[:200])
    df = validate_portfolio(priced)
    prem = pd.to_numeric(priced["premium"], errors="coerce").to_numpy(dtype=np.float64)  # text that is no number: NaN, named below
    if not np.isfinite(prem).all() or (prem < 0).any():
        from ..errors import format_rows

        idx = np.flatnonzero(~np.isfinite(prem) | (prem < 0))
        raise ValidationError(f"prevention: column 'premium' must be finite and >= 0; bad {format_rows(idx.tolist(), priced['premium'].iloc[idx[:5]].tolist())}")
    ex_vat = pd.to_numeric(priced["premium_ex_vat"], errors="coerce").to_numpy(dtype=np.float64) if "premium_ex_vat" in priced.columns else prem / 1.06
    bad = ~np.isfinite(ex_vat) | (ex_vat < 0) | (ex_vat > prem * (1 + 1e-9))
    if bad.any():
        from ..errors import format_rows

        idx = np.flatnonzero(bad)
        raise ValidationError(f"prevention: column 'premium_ex_vat' must be finite, >= 0 and <= premium; bad {format_rows(idx.tolist(), ex_vat[idx[:5]])}")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 1 <= years <= MAX_YEARS:
        raise ValidationError(f"prevention: years must be an integer in [1, {MAX_YEARS}], got {years!r}")
    if pooling not in POOLINGS:
        raise ValidationError(f"prevention: pooling must be one of {list(POOLINGS)}, got {pooling!r}")
    if isinstance(n_sims, bool) or not isinstance(n_sims, (int, np.integer)) or n_sims < 0:
        raise ValidationError(f"prevention: n_sims must be an integer >= 0, got {n_sims!r}")
    if below_floor not in BELOW_FLOOR:
        raise ValidationError(f"prevention: below_floor must be one of {list(BELOW_FLOOR)}, got {below_floor!r}")
    if fee_base not in FEE_BASES:
        raise ValidationError(f"prevention: fee_base must be one of {list(FEE_BASES)}, got {fee_base!r}")
    regime = check_regime(ledger, "prevention: ledger") if ledger is not None else ("carry_forward" if carry_forward else "provisioned")
    if ledger is not None and carry_forward and regime != "carry_forward":
        raise ValidationError(f"prevention: carry_forward=True contradicts ledger={ledger!r}")
    carry_forward = regime == "carry_forward"
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, (int, float, np.integer, np.floating)) or not 0 <= cap <= FEE_CAP):
        raise ValidationError(f"prevention: cap must be a share of the collected premium in [0, {FEE_CAP:g}] (the national cap, N24/N25), got {cap!r}")
    cap = FEE_CAP if cap is None else float(cap)
    if it_cost is not None and (isinstance(it_cost, bool) or not isinstance(it_cost, (int, float, np.integer, np.floating))
                                or not np.isfinite(it_cost) or not 0 <= it_cost <= MAX_IT_COST):
        raise ValidationError(f"prevention: it_cost must be CNY per insured unit a year in [0, {MAX_IT_COST:,.0f}], got {it_cost!r}")
    if earmark is not None and earmark not in SERVICE_TYPES:
        raise ValidationError(f"prevention: earmark must be a service type {list(SERVICE_TYPES)}, got {earmark!r}")
    inc_label = inception_label(inception)
    # the cap is a share of the collected premium; a ratio on ex-VAT premium is held to the same money (cap × (1 + VAT))
    collected_per_ex_vat = float(prem.sum() / ex_vat.sum()) if ex_vat.sum() > 0 else 1.0
    cap_in_base = cap if fee_base == "collected" else cap * collected_per_ex_vat
    cap_text = (f"the national 21 % cap on prevention budgets (21 % of the collected premium = {cap_in_base:.4g} of ex-VAT premium; "
                "N24, 2025 national measures)") if cap == FEE_CAP and fee_base != "collected" else None
    ratios, yrs, breaches = fee_schedule(fee_ratio, int(years), start_year, floor=floor, cap=min(cap_in_base, 1.0), on_breach=on_breach,
                                         cap_text=cap_text)
    rs = rules if isinstance(rules, MandateRules) else MandateRules.load(rules)
    months = first_service_months if first_service_months is not None else rs.data["meta"].get("first_service_within_months")
    if months is not None and (isinstance(months, bool) or not isinstance(months, (int, float, np.integer, np.floating))
                               or not 0 < months <= 12):
        raise ValidationError(f"prevention: first_service_months must be in (0, 12], got {months!r}")
    if costs is None:
        ct = CostTable.load()
    elif isinstance(costs, CostTable):
        ct = costs
    elif isinstance(costs, Mapping):
        ct = CostTable.from_mapping(dict(costs))
    else:
        ct = CostTable.load(costs)
    if cost_inflation is not None:
        ct = ct.with_inflation(cost_inflation)

    rule_idx, table, pooled = rs.match(df, contract)
    n = len(df)
    onsite = ct.onsite_factor(df, pooled)
    required = ct.required(onsite, rule_idx, table, years)  # years × n
    growth = (1.0 + ct.data["inflation"]) ** np.arange(years)
    it = np.zeros((years, n)) if it_cost is None else np.broadcast_to(float(it_cost) * growth[:, None], (years, n))
    required = required + it  # the IT line is paid from the fee at cost, like the services (S04 §三(四))
    ear = None
    if earmark is not None:
        only = np.zeros_like(table)
        only[:, SERVICE_TYPES.index(earmark)] = table[:, SERVICE_TYPES.index(earmark)]
        ear = ct.required(onsite, rule_idx, only, years)
    base = prem if fee_base == "collected" else ex_vat
    budget = ratios[:, None] * base[None, :]
    pool = pool_index(df, pooling)
    band = None
    if floor is not None:
        fl = float(floor)
        if fl > cap_in_base + 1e-12:
            where = f"the national cap of {FEE_CAP:.0%} (N24/N25)" if cap == FEE_CAP else f"the cap of {cap:.4g}"
            raise ValidationError(f"prevention: floor {fl:.4g} is above {where}: no ratio can meet both")
        band = (np.broadcast_to(fl * base, budget.shape), np.broadcast_to(cap * prem, budget.shape))
    m_in = inception_months(n, inception)
    flows = run_pools(required, budget, pool, regime, band, below_floor, earmark=ear, delivered_share=delivered_share(m_in))
    # the first service (S04 Annex 2 §七), scheduled at a level on-site capacity (timing.py)
    wait, late = first_service(table[rule_idx], pooled & df["size"].astype(str).isin(["small", "micro"]).to_numpy(), ct.pool_size,
                               flows["funded0"], m_in, months)

    req_tot = required.sum(axis=0)
    bud_tot = budget.sum(axis=0)
    inv, k = pool
    Rp = np.bincount(inv, weights=req_tot, minlength=k)
    Bp = np.bincount(inv, weights=bud_tot, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(req_tot > 0, (Bp / Rp)[inv], np.nan)
    mandated = (req_tot - it.sum(axis=0)) > 0  # mandated services (the IT line is no mandate)
    funded = ~flows["short_any"]
    if rs.contractual:
        rule_col = pd.Categorical.from_codes(np.zeros(n, dtype=np.int64), categories=["contract"])
    else:
        names = [r["name"] if [x["name"] for x in rs.rules].count(r["name"]) == 1 else f"{r['name']} (#{k})" for k, r in enumerate(rs.rules)]
        rest = "(first service only)" if rs.first_service_type else "(no mandate)"
        rule_col = pd.Categorical.from_codes(rule_idx, categories=names + [rest])
    by_policy = pd.DataFrame({
        "policy_id": df["policy_id"].to_numpy(), "industry": df["industry"], "size": df["size"],
        "headcount": df["headcount"].to_numpy(), "premium": prem, "premium_ex_vat": ex_vat,
        "rule": rule_col, "pooled_delivery": pooled,
        **{f"n_{t}": table[rule_idx, k] for k, t in enumerate(SERVICE_TYPES)},
        "required_cost": req_tot, "budget": bud_tot, "coverage": coverage, "funded": funded,
        "shortfall": flows["shortfall"], "surplus": flows["surplus"], "spent": flows["spent"], "further": flows["further"],
        "it_cost": it.sum(axis=0), "inception_month": m_in, "first_service_wait": wait,
        "first_service_late": late,
    })
    # budget lost to floating-rate discounts: the same services, less premium
    lost = np.zeros(n)
    if {"float_factor", "premium_raw"} <= set(priced.columns):
        ff = priced["float_factor"].to_numpy(dtype=np.float64)
        raw = priced["premium_raw"].to_numpy(dtype=np.float64)
        undiscounted = np.maximum(np.where(ff < 1, raw / ff, raw), prem)
        vat_factor = np.where(ex_vat > 0, prem / np.where(ex_vat > 0, ex_vat, 1.0), 1.06)
        lost = ratios.sum() * (undiscounted - prem) / (1.0 if fee_base == "collected" else vat_factor)
    by_policy["budget_lost_to_discounts"] = lost

    g = by_policy.assign(mandated=mandated, funded_m=funded & mandated).groupby(["industry", "size"], observed=True)
    seg = g.agg(policies=("policy_id", "size"), mandated=("mandated", "sum"), funded=("funded_m", "sum"),
                required_cost=("required_cost", "sum"), budget=("budget", "sum"), shortfall=("shortfall", "sum"),
                surplus=("surplus", "sum"), further=("further", "sum"), premium_ex_vat=("premium_ex_vat", "sum"),
                fee_base_premium=("premium" if fee_base == "collected" else "premium_ex_vat", "sum"))
    seg["share_funded"] = np.where(seg["mandated"] > 0, seg["funded"] / seg["mandated"].clip(lower=1), np.nan)
    # break-even ratios on the fee's own base, so they read beside fee_ratio (collected premium under Beijing's base)
    seg["break_even_fee_ratio"] = seg["required_cost"] / (seg["fee_base_premium"] * years)
    to_gross = 1.0 if fee_base == "collected" else 1.06  # the gross premium whose fee pays the cost
    per_pol = by_policy.loc[mandated].assign(be=lambda d: d["required_cost"] / years * to_gross / max(ratios[0], 1e-12))
    seg["break_even_premium"] = per_pol.groupby(["industry", "size"], observed=True)["be"].median()
    seg["median_premium"] = by_policy.loc[mandated].groupby(["industry", "size"], observed=True)["premium"].median()
    seg = seg.drop(columns=["funded", "fee_base_premium"])

    led = flows["by_year"]
    by_year = pd.DataFrame({"year": yrs, "fee_ratio": ratios, "required": required.sum(axis=1), "budget": budget.sum(axis=1),
                            **{c: led[c] for c in ("carried_in", "spent", "further", "above_budget", "floor_gap", "carried_out", "lapsed",
                                                   "shortfall", "expense", *YEAR_END_COLUMNS)},
                            **{c: led[c] for c in EARMARK_COLUMNS if c in led}})
    total_prem = ex_vat.sum() * years
    summary = {
        "rules": rs.name,
        "fee_ratio": float(ratios[0]) if np.all(ratios == ratios[0]) else {int(y): float(r) for y, r in zip(yrs, ratios)},
        "pooling": pooling,
        "years": int(years),
        "carry_forward": bool(carry_forward),
        "ledger": regime,
        "fee_breaches": breaches.to_dict("records"),
        "policies": int(n),
        "mandated_policies": int(mandated.sum()),
        "share_funded": float(funded[mandated].mean()) if mandated.any() else float("nan"),
        "total_required": float(req_tot.sum()),
        "total_budget": float(bud_tot.sum()),
        "total_spent": float(flows["spent"].sum()),
        "total_further": float(led["further"].sum()),
        "total_above_budget": float(led["above_budget"].sum()),
        "total_floor_gap": float(led["floor_gap"].sum()),
        "spent_share": float((led["spent"].sum() + led["further"].sum()) / total_prem) if total_prem > 0 else float("nan"),
        "services_funded": float(flows["spent"].sum() / req_tot.sum()) if req_tot.sum() > 0 else float("nan"),
        "floor": None if floor is None else float(floor),
        "fee_base": fee_base,
        "total_shortfall": float(flows["shortfall"].sum()),
        "total_surplus": float(flows["surplus"].sum()),
        "break_even_fee_ratio": float(req_tot.sum() / (base.sum() * years)) if base.sum() > 0 else float("nan"),
        "break_even_fee_ratio_median_policy": float(np.median(req_tot[mandated] / (base[mandated] * years))) if mandated.any() else float("nan"),
        "budget_lost_to_discounts": float(lost.sum()),
        "total_it_cost": float(it.sum()),
        "inception": inc_label,
        # 31 December of the first policy year (timing.py; ledger.year_end): provisioned vs not provisioned (不得预提)
        "delivered_by_year_end": float(led["delivered_by_year_end"][0]),
        "undelivered_at_year_end": float(led["undelivered_at_year_end"][0]),
        "year_end_provision": float(led["year_end_provision"][0]),
        "booked_by_year_end": float(led["booked_by_year_end"][0]),
        "first_service_within_months": None if months is None else float(months),
    }
    if months is not None:
        due = np.isfinite(wait)
        summary.update(first_service_due=int(due.sum()), first_service_late=int(by_policy["first_service_late"].sum()),
                       first_service_late_share=float(by_policy["first_service_late"].sum() / due.sum()) if due.any() else float("nan"),
                       first_service_mean_wait=float(wait[due].mean()) if due.any() else float("nan"))
    if earmark is not None:
        summary.update(earmark=earmark, **{c: float(led[c].sum()) for c in EARMARK_COLUMNS},
                       earmark_share_of_budget=float(led["earmark_spent"].sum() / bud_tot.sum()) if bud_tot.sum() > 0 else float("nan"))
    samples = None
    if n_sims:
        g_ = generator(rng)
        sd = ct.log_sd()
        z = g_.standard_normal((int(n_sims), len(SERVICE_TYPES)))
        samples = np.empty(int(n_sims))
        for s in range(int(n_sims)):
            req_s = ct.required(onsite, rule_idx, table, years, np.exp(sd * z[s]))
            samples[s] = run_pools(req_s + it, budget, pool, regime, band, below_floor)["shortfall"].sum()
        summary["shortfall_p50"] = float(np.median(samples))
        summary["shortfall_p95"] = float(np.quantile(samples, 0.95))
    return PreventionResult(by_policy=by_policy, by_segment=seg, by_year=by_year, summary=summary, shortfall_samples=samples)


def compare(priced: pd.DataFrame, *, fee_ratios=(0.15, 0.20, 0.21), poolings=POOLINGS, **kwargs) -> pd.DataFrame:
    """What-if table: share funded, shortfall and surplus for each fee ratio × pooling level."""
    rows = []
    for r in fee_ratios:
        for p in poolings:
            s = assess(priced, fee_ratio=r, pooling=p, **kwargs).summary
            rows.append({"fee_ratio": r, "pooling": p, "share_funded": s["share_funded"], "total_shortfall": s["total_shortfall"],
                         "total_surplus": s["total_surplus"], "total_budget": s["total_budget"], "total_required": s["total_required"]})
    return pd.DataFrame(rows)
