"""Money flows of :func:`.assess.assess` per year within pools, and each policy's part of them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .ledger import LEDGER_COLUMNS, ledger_step, year_end

__all__ = ["POOLINGS", "pool_index", "run_pools", "YEAR_END_COLUMNS", "EARMARK_COLUMNS"]

POOLINGS = ("policy", "segment", "insurer")
#: The within-year view of each policy year (:func:`.ledger.year_end`).
YEAR_END_COLUMNS = ("delivered_by_year_end", "undelivered_at_year_end", "year_end_provision", "booked_by_year_end")
#: The earmarked fund (Beijing 2017 S00: 隐患排查专项资金): its service's cost, paid first, and what it lacks.
EARMARK_COLUMNS = ("earmark_required", "earmark_spent", "earmark_shortfall")


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


def run_pools(required: np.ndarray, budget: np.ndarray, pool: tuple[np.ndarray, int], regime: str,
              band: tuple[np.ndarray, np.ndarray | None] | None = None, below_floor: str = "spend", *,
              earmark: np.ndarray | None = None, delivered_share: np.ndarray | None = None) -> dict:
    """Money flows per year within pools through :func:`.ledger.ledger_step`; per-policy horizon totals.

    ``required`` and ``budget`` are (years × policies); ``band``, under a floor rule, the floor and
    cap amounts (years × policies, CNY). Within a pool, spending on mandates is shared in
    proportion to required cost, except that an ``earmark`` (years × policies: the cost of the
    earmarked service) is paid first; further services and unspent money (lapsed, or the final
    carried balance) in proportion to budget. With ``delivered_share`` (policies: the share of a
    policy year delivered by 31 December) the year-end view (:data:`YEAR_END_COLUMNS`) is added.
    """
    years, n = required.shape
    inv, k = pool
    balance = np.zeros(k)
    spent_i = np.zeros(n)
    short_i = np.zeros(n)
    lapsed_i = np.zeros(n)
    further_i = np.zeros(n)
    funded0 = np.ones(n)
    short_any = np.zeros(n, dtype=bool)
    pools = {c: np.zeros((years, k)) for c in LEDGER_COLUMNS}
    extra = {c: np.zeros(years) for c in (*(YEAR_END_COLUMNS if delivered_share is not None else ()),
                                          *(EARMARK_COLUMNS if earmark is not None else ()))}
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
            if earmark is None:
                s_i = required[t] * y.funded_fraction[inv]
            else:  # the earmarked service first, the rest of the pool's spending in proportion to the other costs
                E = np.bincount(inv, weights=earmark[t], minlength=k)
                e_paid = np.minimum(E, y.spent)
                f_e = np.where(E > 0, e_paid / np.where(E > 0, E, 1.0), 1.0)
                f_o = np.where(R - E > 0, (y.spent - e_paid) / np.where(R - E > 0, R - E, 1.0), 1.0)
                s_i = earmark[t] * f_e[inv] + (required[t] - earmark[t]) * f_o[inv]
                extra["earmark_required"][t], extra["earmark_spent"][t] = E.sum(), e_paid.sum()
                extra["earmark_shortfall"][t] = E.sum() - e_paid.sum()
        if t == 0:
            funded0 = np.where(required[0] > 0, s_i / np.where(required[0] > 0, required[0], 1.0), 1.0)
        spent_i += s_i
        short = required[t] - s_i
        short_i += short
        short_any |= short > 1e-9 * np.maximum(required[t], 1.0)
        lapsed_i += y.lapsed[inv] * bshare
        f_i = np.broadcast_to(y.further, (k,))[inv] * bshare
        further_i += f_i
        if delivered_share is not None:
            d_i = delivered_share * (s_i + f_i)
            D = np.bincount(inv, weights=d_i, minlength=k)
            prov, booked = year_end(y, D, regime)
            extra["delivered_by_year_end"][t] = D.sum()
            extra["undelivered_at_year_end"][t] = (s_i + f_i).sum() - D.sum()
            extra["year_end_provision"][t], extra["booked_by_year_end"][t] = prov.sum(), booked.sum()
        balance = y.carried_out
    # final balance (carry-forward) attributed in proportion to each policy's budget
    Btot = np.bincount(inv, weights=budget.sum(axis=0), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(Btot[inv] > 0, budget.sum(axis=0) / Btot[inv], 0.0)
    lapsed_i += balance[inv] * share
    return {"spent": spent_i, "shortfall": short_i, "surplus": lapsed_i, "further": further_i, "short_any": short_any,
            "funded0": funded0, "by_year": {**{c: v.sum(axis=1) for c, v in pools.items()}, **extra}}
