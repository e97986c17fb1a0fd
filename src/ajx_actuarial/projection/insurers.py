"""A projection split by co-insurance pool member (共保体): :meth:`ProjectionResult.by_insurer`.

Proportional co-insurance: member *i* with share *s_i* carries ``s_i ×`` the pool's premium, incurred
loss, prevention budget, spending and expense, commission, admin and levy, hence ``s_i ×`` its
underwriting result; its combined ratio is the pool's.

**Capital scales linearly.** C-ROSS Rule 4 charges premium risk as ``EX × RF0 × (1 + K)`` and
reserve risk as ``reserve × RF0 × (1 + k)``: ``EX`` and the reserve are ``s_i ×`` the pool's, and
the factor adjustments (k1 by the combined ratio, k2 by the ceded ratio, the reserve k1 by the
run-off deviation) depend on ratios, which a proportional share leaves unchanged. The aggregation
``sqrt(p² + 2ρpr + r²)`` is homogeneous of degree one, so each member's minimum capital is
``s_i ×`` the pool's (to rounding), and the members' minimum capitals add up to the pool's. A
member's solvency ratio is its available capital (its ``capital``, else ``s_i ×`` the pool's, plus
its cumulative results) over its minimum capital: the same as the pool's unless the capital is not
split by share. As in :mod:`.solvency`, this is the line's stand-alone insurance-risk view.

**Settlement.** Under ``lead_collects`` (主代从收) the lead collects the gross premium (what the
enterprise pays) and pays the claims of every member, settling each year (on the accident year's
incurred loss; assumption): a follower's ``lead_collected_premium`` = ``s_i ×`` premium,
``lead_paid_claims`` = ``s_i ×`` insured loss, ``due_from_lead`` = the difference (the net the lead
owes it; negative: the follower owes the lead) and ``receivable_on_lead`` = its positive part (the
follower's credit exposure on the lead, which C-ROSS would charge as counterparty default risk; not
charged here). The lead's three settlement figures are the negatives of its followers' totals, so
each settlement column sums to zero over the pool (a transfer within it). Prevention spending and
other expenses are each member's own. Under ``each_collects`` (各收各份额) the settlement columns
are zero.

**Insurer test.** Solvency ratio >= ``min_solvency_ratio`` and, for a member whose C-ROSS risk
rating is given, rating at least ``min_risk_rating``; by default the national standard of
偿付能力达标 (综合偿付能力充足率 >= 100 %, 风险综合评级 B or better; 《保险公司偿付能力管理规定》 2021
Art. 11, recalled), overridden by a jurisdiction's ``[insurer]``. It applies to the lead only
(``test="lead"``: S04 主承保公司满足即可) or to every member (``"all"``: where the seed says nothing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coinsurance import INSURER_TESTS, RISK_RATINGS, CoinsurancePool
from ..errors import ValidationError
from .solvency import capital as _capital

__all__ = ["by_insurer", "pool_totals", "SHARED_COLUMNS", "SETTLEMENT_COLUMNS", "ADDITIVE_COLUMNS", "NATIONAL_TEST"]

#: by_year's money columns that every member carries in proportion to its share.
SHARED_COLUMNS = ("premium", "premium_ex_vat", "insured_loss", "prevention_budget", "prevention_spent", "prevention_expense",
                  "commission", "admin", "levy", "underwriting_result")
#: Settlement with the lead (zero under each_collects); each sums to zero over the pool.
SETTLEMENT_COLUMNS = ("lead_collected_premium", "lead_paid_claims", "due_from_lead")
#: Columns whose sum over the members is the pool's figure (settlement columns: zero).
ADDITIVE_COLUMNS = (*SHARED_COLUMNS, "other_expenses", "cross_minimum_capital", "available_capital", *SETTLEMENT_COLUMNS)
#: 偿付能力达标: 综合偿付能力充足率 >= 100 %, 风险综合评级 B or better (《保险公司偿付能力管理规定》 2021 Art. 11).
NATIONAL_TEST = {"min_solvency_ratio": 1.0, "min_risk_rating": "B"}


def _thresholds(jurisdiction, min_solvency_ratio, min_risk_rating) -> tuple[float, str]:
    ins = {} if jurisdiction is None else jurisdiction.data.get("insurer", {})
    sr = min_solvency_ratio if min_solvency_ratio is not None else ins.get("min_solvency_ratio", {}).get("value", NATIONAL_TEST["min_solvency_ratio"])
    rr = min_risk_rating if min_risk_rating is not None else ins.get("min_risk_rating", {}).get("value", NATIONAL_TEST["min_risk_rating"])
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.integer, np.floating)) or not np.isfinite(sr) or not 0 <= sr <= 100:
        raise ValidationError(f"by_insurer: min_solvency_ratio must be a number in [0, 100] (1.0 = 100 %), got {sr!r}")
    if rr not in RISK_RATINGS:
        raise ValidationError(f"by_insurer: min_risk_rating must be one of {list(RISK_RATINGS)}, got {rr!r}")
    return float(sr), str(rr)


def _resolve(pool, test, jurisdiction):
    if jurisdiction is not None and not hasattr(jurisdiction, "insurer_test_applies_to"):
        from ..jurisdictions import load

        jurisdiction = load(jurisdiction)
    if pool is None:  # the bundle's own pool (an assumption where the seed names no members)
        pool = jurisdiction.coinsurance if jurisdiction is not None else None
        if pool is None:
            where = f"jurisdiction {jurisdiction.name!r} has no [coinsurance] shares" if jurisdiction is not None else "no pool given"
            raise ValidationError(f"by_insurer: pool is required ({where}); give a CoinsurancePool or a TOML path")
    elif not isinstance(pool, CoinsurancePool):
        pool = CoinsurancePool.load(pool)
    if test is None:
        test = jurisdiction.insurer_test_applies_to if jurisdiction is not None else (pool.insurer_test or "all")
    if test not in INSURER_TESTS:
        raise ValidationError(f"by_insurer: test must be one of {list(INSURER_TESTS)} (the lead only, every member), got {test!r}")
    return pool, test, jurisdiction


def by_insurer(by_year: pd.DataFrame, pool=None, initial_capital: float | None = None, *, test: str | None = None, jurisdiction=None,
               min_solvency_ratio: float | None = None, min_risk_rating: str | None = None, per_path: bool = False,
               **capital_kw) -> pd.DataFrame:
    """Each pool member's share of a projection, its C-ROSS capital, settlement and insurer test.

    See :meth:`ajx_actuarial.ProjectionResult.by_insurer` (this takes its ``by_year`` frame).
    """
    pool, test, jurisdiction = _resolve(pool, test, jurisdiction)
    min_sr, min_rr = _thresholds(jurisdiction, min_solvency_ratio, min_risk_rating)
    if pool.capital is not None and initial_capital is not None:
        raise ValidationError("by_insurer: the pool states each member's capital; do not give initial_capital too")
    keys = ["scenario", "path", "year"] if "scenario" in by_year.columns else ["path", "year"]
    need = {*keys, *SHARED_COLUMNS, "combined_ratio"}
    if not isinstance(by_year, pd.DataFrame) or not need <= set(by_year.columns):
        raise ValidationError(f"by_insurer: by_year lacks {sorted(need - set(getattr(by_year, 'columns', [])))}")
    if pool.capital is None:  # the pool's capital (given, or the C-ROSS default of the pool) split by share
        if initial_capital is None:
            initial_capital = _capital(by_year, None, **capital_kw).initial_capital
    member_capital = pool.capital_of(0.0 if initial_capital is None else initial_capital)
    base = by_year[[*keys, *SHARED_COLUMNS, "combined_ratio"]]
    followers = [k for k in pool.insurers if k != pool.lead]
    f_share = sum(pool.shares[k] for k in followers)
    tested = pool.tested(test)
    ratings = pool.risk_rating or {}
    parts = []
    for order, name in enumerate(pool.insurers):
        s = pool.shares[name]
        d = base.copy()
        for c in SHARED_COLUMNS:
            d[c] = s * by_year[c].to_numpy(dtype=np.float64)
        d["other_expenses"] = d["commission"] + d["admin"] + d["levy"]
        cap = _capital(d, member_capital[name], **capital_kw).by_year
        d = d.merge(cap[[*keys, "minimum_capital", "capital", "solvency_ratio"]], on=keys, how="left", validate="one_to_one")
        d = d.rename(columns={"minimum_capital": "cross_minimum_capital", "capital": "available_capital"})
        prem, loss = by_year["premium"].to_numpy(dtype=np.float64), by_year["insured_loss"].to_numpy(dtype=np.float64)
        if pool.settlement == "each_collects":
            p = c_ = np.zeros(len(d))
        elif name == pool.lead:  # the negatives of the followers' totals: what the lead holds for them, paid for them
            p, c_ = -f_share * prem, -f_share * loss
        else:
            p, c_ = s * prem, s * loss
        d["lead_collected_premium"], d["lead_paid_claims"] = p, c_
        d["due_from_lead"] = p - c_
        d["receivable_on_lead"] = 0.0 if name == pool.lead else np.maximum(d["due_from_lead"].to_numpy(), 0.0)
        rating_ok = name not in ratings or RISK_RATINGS.index(ratings[name]) <= RISK_RATINGS.index(min_rr)
        d["risk_rating"] = ratings.get(name)
        d["test_applies"] = tested[name]
        d["_pass"] = (not tested[name]) | ((d["solvency_ratio"].to_numpy() >= min_sr) & rating_ok)
        d.insert(0, "share", s)
        d.insert(0, "role", pool.role(name))
        d.insert(0, "insurer", name)
        d["_order"] = order
        parts.append(d)
    long = pd.concat(parts, ignore_index=True)
    ids = (["scenario"] if "scenario" in keys else []) + ["_order", "insurer", "role", "share"]
    money = [*SHARED_COLUMNS, "other_expenses", "combined_ratio", "cross_minimum_capital", "available_capital", "solvency_ratio",
             *SETTLEMENT_COLUMNS, "receivable_on_lead"]
    tail = ["risk_rating", "test_applies"]
    if per_path:
        out = long.sort_values([*ids[:2], "path", "year"], kind="stable").rename(columns={"_pass": "insurer_test"})
        cols = [*[c for c in ids if c != "_order"], "path", "year", *money, *tail, "insurer_test"]
        return out[cols].reset_index(drop=True)
    g = long.groupby([*ids, "year"], observed=True, sort=True, dropna=False)
    out = g[money].mean()
    out["risk_rating"] = g["risk_rating"].first()
    out["test_applies"] = g["test_applies"].first()
    out["p_test_fail"] = 1.0 - g["_pass"].mean()
    out = out.reset_index()
    rating_ok = np.array([r is None or r != r or RISK_RATINGS.index(r) <= RISK_RATINGS.index(min_rr) for r in out["risk_rating"]], dtype=bool)
    out["insurer_test"] = ~out["test_applies"].to_numpy(dtype=bool) | ((out["solvency_ratio"].to_numpy() >= min_sr) & rating_ok)
    cols = [*[c for c in ids if c != "_order"], "year", *money, *tail, "insurer_test", "p_test_fail"]
    return out[cols].reset_index(drop=True)


def pool_totals(by_year: pd.DataFrame, pool: CoinsurancePool, initial_capital: float | None = None, **capital_kw) -> pd.DataFrame:
    """The pool's own figures of :data:`ADDITIVE_COLUMNS` (mean over paths per [scenario and] year): what the
    members' rows of :func:`by_insurer` add up to (settlement columns: zero)."""
    keys = ["scenario", "year"] if "scenario" in by_year.columns else ["year"]
    init = sum(pool.capital.values()) if pool.capital is not None else initial_capital
    cap = _capital(by_year, init, **capital_kw).by_year
    d = by_year[[*keys, "path", *SHARED_COLUMNS]].copy()
    d["other_expenses"] = d["commission"] + d["admin"] + d["levy"]
    d = d.merge(cap[[*keys, "path", "minimum_capital", "capital"]], on=[*keys, "path"], validate="one_to_one")
    d = d.rename(columns={"minimum_capital": "cross_minimum_capital", "capital": "available_capital"})
    for c in SETTLEMENT_COLUMNS:
        d[c] = 0.0
    return d.groupby(keys, observed=True, sort=True)[list(ADDITIVE_COLUMNS)].mean()
