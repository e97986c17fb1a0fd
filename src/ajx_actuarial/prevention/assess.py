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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._random import RngLike, generator
from ..errors import ValidationError
from ..portfolio import validate_portfolio
from ._services import SERVICE_TYPES
from .costs import CostTable
from .fees import FEE_CAP, MAX_YEARS, fee_schedule, priced_fee_ratio
from .ledger import BELOW_FLOOR, LEDGER_COLUMNS, check_regime, ledger_step
from .rules import MandateRules

__all__ = ["assess", "compare", "PreventionResult", "FEE_CAP", "fee_schedule", "priced_fee_ratio", "pool_index", "POOLINGS", "FEE_BASES"]

POOLINGS = ("policy", "segment", "insurer")
FEE_BASES = ("ex_vat", "collected")


def pool_index(df: pd.DataFrame, pooling: str) -> tuple[np.ndarray, int]:
    """Pool of each policy (0..k-1) and the number of pools k for ``pooling`` in ``("policy", "segment", "insurer")``.

    ``df`` is a validated portfolio (categorical ``industry`` and ``size``); segments are industry × size.
    """
    if pooling not in POOLINGS:
        raise ValidationError(f"prevention: pooling must be one of {list(POOLINGS)}, got {pooling!r}")
    n = len(df)
    if pooling == "policy":
        return np.arange(n), n
    if pooling == "segment":
        return df["industry"].cat.codes.to_numpy().astype(np.int64) * 4 + df["size"].cat.codes.to_numpy(), 4 * 10
    return np.zeros(n, dtype=np.int64), 1


def _run(required: np.ndarray, budget: np.ndarray, pool: tuple[np.ndarray, int], regime: str,
         band: tuple[np.ndarray, np.ndarray | None] | None = None, below_floor: str = "spend") -> dict[str, np.ndarray]:
    """Money flows per year within pools through :func:`.ledger.ledger_step`; per-policy horizon totals.

    ``required`` and ``budget`` are (years × policies); ``band``, under a floor rule, the floor and
    cap amounts (years × policies, CNY). Within a pool, spending on mandates is shared in
    proportion to required cost; further services and unspent money (lapsed, or the final carried
    balance) in proportion to budget.
    """
    years, n = required.shape
    inv, k = pool
    balance = np.zeros(k)
    spent_i = np.zeros(n)
    short_i = np.zeros(n)
    lapsed_i = np.zeros(n)
    further_i = np.zeros(n)
    short_any = np.zeros(n, dtype=bool)
    pools = {c: np.zeros((years, k)) for c in LEDGER_COLUMNS}
    for t in range(years):
        R = np.bincount(inv, weights=required[t], minlength=k)
        B = np.bincount(inv, weights=budget[t], minlength=k)
        F = C = None
        if band is not None:
            F = np.bincount(inv, weights=band[0][t], minlength=k)
            C = np.bincount(inv, weights=band[1][t], minlength=k) if band[1] is not None else None
        y = ledger_step(B, R, balance, regime=regime, floor=F, cap=C, below_floor=below_floor)
        for c in pools:
            pools[c][t] = np.broadcast_to(getattr(y, c), (k,))
        with np.errstate(invalid="ignore", divide="ignore"):
            bshare = np.where(B[inv] > 0, budget[t] / B[inv], 0.0)
        s_i = required[t] * y.funded_fraction[inv]
        spent_i += s_i
        short = required[t] - s_i
        short_i += short
        short_any |= short > 1e-9 * np.maximum(required[t], 1.0)
        lapsed_i += y.lapsed[inv] * bshare
        further_i += np.broadcast_to(y.further, (k,))[inv] * bshare
        balance = y.carried_out
    # final balance (carry-forward) attributed in proportion to each policy's budget
    Btot = np.bincount(inv, weights=budget.sum(axis=0), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(Btot[inv] > 0, budget.sum(axis=0) / Btot[inv], 0.0)
    lapsed_i += balance[inv] * share
    return {"spent": spent_i, "shortfall": short_i, "surplus": lapsed_i, "further": further_i, "short_any": short_any,
            "by_year": {c: v.sum(axis=1) for c, v in pools.items()}}


@dataclass(frozen=True, eq=False)
class PreventionResult:
    """Prevention-budget assessment.

    Attributes
    ----------
    by_policy : DataFrame
        Per policy (horizon totals): required services by type (per year), ``required_cost``,
        ``budget``, ``coverage`` (budget available to the policy / required cost, pooled
        transfers included), ``funded`` (no shortfall in any year), ``shortfall``, ``surplus``
        (unspent money; carried-forward balance at the end with ``carry_forward``), ``spent``
        (mandated services paid), ``further`` (its share of the floor money spent beyond the
        mandates, in proportion to budget), ``rule``.
    by_segment : DataFrame
        Industry × size: policies, mandated policies, share funded, required, budget, shortfall,
        surplus, ``break_even_fee_ratio`` (required / ex-VAT premium) and
        ``break_even_premium`` (median premium per mandated policy that funds its own mandate).
    by_year : DataFrame
        Portfolio required, budget and the ledger's columns (:data:`.ledger.LEDGER_COLUMNS`) per policy year.
    summary : dict
        ``share_funded`` (mandated policies with no shortfall), ``services_funded`` (spent ÷
        required cost), ``spent_share`` ((spent + further) ÷ ex-VAT premium), ``total_further``
        (floor money spent beyond the mandates), ``total_above_budget``, ``total_floor_gap``,
        ``total_shortfall``, ``total_surplus``, ``break_even_fee_ratio``, ...
    shortfall_samples : ndarray or None
        Total shortfall per cost-uncertainty simulation.
    """

    by_policy: pd.DataFrame
    by_segment: pd.DataFrame
    by_year: pd.DataFrame
    summary: dict
    shortfall_samples: np.ndarray | None = field(default=None)

    def to_frame(self) -> pd.DataFrame:
        return self.by_policy.copy()

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"value": pd.Series(self.summary, dtype=object)})

    def plot(self, lang: str = "en"):
        """Share of mandated policies funded, industry × size (the report's heatmap), beside the
        distribution of coverage = budget / required cost over mandated policies."""
        import matplotlib.pyplot as plt

        from ..plots import figure_lang, prevention_figure

        zh = figure_lang(lang) == "zh"

        n_ind = self.by_segment[self.by_segment["mandated"] > 0].index.get_level_values(0).nunique()
        fig, axes = plt.subplots(1, 2, figsize=(12, 1.4 + 0.45 * max(n_ind, 4)), gridspec_kw={"width_ratios": [1.5, 1]})
        prevention_figure(self.by_segment, lang=lang, ax=axes[0], value="share_funded" if self.summary["pooling"] == "policy" else "own_coverage")
        cov = self.by_policy.loc[self.by_policy["required_cost"] > 0, "coverage"].clip(upper=3)
        axes[1].hist(cov, bins=60)
        axes[1].axvline(1.0, color="k", ls="--")
        s = self.summary
        if zh:
            axes[1].set_xlabel("覆盖率 = 经费 / 所需费用（上限 3）")
            axes[1].set_ylabel("强制服务保单数")
            fig.suptitle(f"事故预防服务经费：{s['rules']}，费用比例 {s['fee_ratio']}，统筹方式 {s['pooling']}")
        else:
            axes[1].set_xlabel("coverage = budget / required cost (capped at 3)")
            axes[1].set_ylabel("mandated policies")
            fig.suptitle(f"Prevention budget: {s['rules']}, fee {s['fee_ratio']}, pooling {s['pooling']}")
        fig.tight_layout()
        return fig

    def _repr_html_(self) -> str:
        return self.summary_frame().to_html()


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
    if "premium" not in priced.columns:
        raise ValidationError("prevention: the portfolio has no 'premium' column; price it first (ajx.price)")
    df = validate_portfolio(priced)
    prem = priced["premium"].to_numpy(dtype=np.float64)
    if not np.isfinite(prem).all() or (prem < 0).any():
        raise ValidationError("prevention: column 'premium' must be finite and >= 0")
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
    ratios, yrs, breaches = fee_schedule(fee_ratio, int(years), start_year, floor=floor, on_breach=on_breach)
    rs = rules if isinstance(rules, MandateRules) else MandateRules.load(rules)
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
    base = prem if fee_base == "collected" else ex_vat
    budget = ratios[:, None] * base[None, :]
    pool = pool_index(df, pooling)
    band = None
    if floor is not None:
        fl = float(floor)
        if fl > FEE_CAP + 1e-12:
            raise ValidationError(f"prevention: floor {fl:.4g} is above the national cap of {FEE_CAP:.0%} (N24/N25): no ratio can meet both")
        band = (np.broadcast_to(fl * base, budget.shape), np.broadcast_to(FEE_CAP * prem, budget.shape))
    flows = _run(required, budget, pool, regime, band, below_floor)

    req_tot = required.sum(axis=0)
    bud_tot = budget.sum(axis=0)
    inv, k = pool
    Rp = np.bincount(inv, weights=req_tot, minlength=k)
    Bp = np.bincount(inv, weights=bud_tot, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(req_tot > 0, (Bp / Rp)[inv], np.nan)
    mandated = req_tot > 0
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
                surplus=("surplus", "sum"), further=("further", "sum"), premium_ex_vat=("premium_ex_vat", "sum"))
    seg["share_funded"] = np.where(seg["mandated"] > 0, seg["funded"] / seg["mandated"].clip(lower=1), np.nan)
    seg["break_even_fee_ratio"] = seg["required_cost"] / (seg["premium_ex_vat"] * years)
    per_pol = by_policy.loc[mandated].assign(be=lambda d: d["required_cost"] / years * 1.06 / max(ratios[0], 1e-12))
    seg["break_even_premium"] = per_pol.groupby(["industry", "size"], observed=True)["be"].median()
    seg["median_premium"] = by_policy.loc[mandated].groupby(["industry", "size"], observed=True)["premium"].median()
    seg = seg.drop(columns="funded")

    led = flows["by_year"]
    by_year = pd.DataFrame({"year": yrs, "fee_ratio": ratios, "required": required.sum(axis=1), "budget": budget.sum(axis=1),
                            **{c: led[c] for c in ("carried_in", "spent", "further", "above_budget", "floor_gap", "carried_out", "lapsed",
                                                   "shortfall", "expense")}})
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
        "break_even_fee_ratio": float(req_tot.sum() / total_prem) if total_prem > 0 else float("nan"),
        "break_even_fee_ratio_median_policy": float(np.median(req_tot[mandated] / (ex_vat[mandated] * years))) if mandated.any() else float("nan"),
        "budget_lost_to_discounts": float(lost.sum()),
        "first_service_within_months": rs.data["meta"].get("first_service_within_months"),
    }
    samples = None
    if n_sims:
        g_ = generator(rng)
        sd = ct.log_sd()
        z = g_.standard_normal((int(n_sims), len(SERVICE_TYPES)))
        samples = np.empty(int(n_sims))
        for s in range(int(n_sims)):
            req_s = ct.required(onsite, rule_idx, table, years, np.exp(sd * z[s]))
            samples[s] = _run(req_s, budget, pool, regime, band, below_floor)["shortfall"].sum()
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
