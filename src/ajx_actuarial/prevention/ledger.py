"""The prevention money ledger: per year and pool, where every yuan of the prevention budget goes.

Each year and pool (one policy, an industry × size segment, or the insurer's whole book):

``budget``       fee ratio × collected ex-VAT premium of the year (Xinzhou S04 states the base);
``carried_in``   money left from last year (only under ``carry_forward``);
``spent``        mandated services paid at actual cost (据实列支): ``min(required, budget + carried_in)``,
                 or, under a floor rule, ``min(required, max(budget + carried_in, cap))``;
``further``      under a floor rule, services beyond the mandates that bring the year's spending up to
                 the floor (``max(floor − spent, 0)``): money the rule says must be spent, never released;
``above_budget`` what the insurer pays beyond the budget and the carried balance (a floor rule whose
                 mandates cost more than the budget, up to the cap): charged to its result;
``floor_gap``    with ``below_floor="flag"``, the part of the floor left unspent: a breach of the rule;
``carried_out``  unspent money moved to next year (Beijing 2026 draft S01: 当年未使用费用结转下年使用);
``lapsed``       unspent money that leaves the ledger at year end (see the regimes below);
``shortfall``    mandated services the money did not pay for: ``required − spent`` (not money; a gap);
``expense``      the charge to the insurer's result: ``spent + further + carried_out − carried_in``
                 (``= budget − lapsed + above_budget``).

Money is conserved every year and pool:
``budget + carried_in + above_budget = spent + further + carried_out + lapsed``.

Floors and caps (:func:`ledger_step` ``floor=``, ``cap=``, amounts in CNY per pool). A floor
(Xinzhou S04: 不低于实收保费（不含税）15%…据实列支; Guangxi 2026: 20 %) is a minimum the insurer
spends, at actual cost: mandated services are paid whatever they cost up to the cap (national
21 %, N24/N25: 不高于实际收取保费的21%), and what the mandates leave below the floor goes to
further services (``below_floor="spend"``) or is shown as a breach (``"flag"``). Without a floor,
the budget is both what is set aside and the most that is spent (the ratio read as a budget).

Regimes (:data:`LEDGERS`, the same names as the jurisdiction bundles' ``[fee].ledger``):

``carry_forward``    the budget is set aside; what is unspent moves to next year (Beijing 2026
                     draft, S01). The insurer's expense is the whole budget; the carried balance is
                     money owed to future services.
``not_provisioned``  no provision (不得预提, Zhejiang S02, Xinzhou S04): only services actually
                     delivered are an expense; unspent budget is not an expense (it "lapses" out of
                     the ledger back into the insurer's result).
``provisioned``      the ratio is provisioned at inception (按规定比例提取, Zhoushan S03); the unused
                     provision is released at the end of the policy year (assumption: S03 states no
                     rule for unused money). Over a whole policy year its money flows equal
                     ``not_provisioned``; the two differ within the year: at 31 December of the year
                     a policy starts, a provisioned ledger holds a provision for the services still
                     to come and has booked the budget, a not-provisioned one has booked only the
                     services delivered (:func:`year_end`, with :mod:`.timing`'s inception and
                     level delivery; ``assess`` reports ``year_end_provision`` and
                     ``booked_by_year_end``).

Arrays of any shape broadcast (e.g. paths × pools in :func:`ajx_actuarial.project`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["LEDGERS", "LEDGER_COLUMNS", "BELOW_FLOOR", "LedgerYear", "ledger_step", "ledger", "year_end"]

LEDGERS = ("provisioned", "carry_forward", "not_provisioned")
MAX_AMOUNT = 1e15  # CNY in one ledger cell: far above any pool (the national market is 1.8e10 a year); bounds absurd input
LEDGER_COLUMNS = ("budget", "required", "carried_in", "spent", "further", "above_budget", "floor_gap", "carried_out", "lapsed",
                  "shortfall", "expense")
BELOW_FLOOR = ("spend", "flag")


def check_regime(regime: str, where: str = "ledger") -> str:
    if regime not in LEDGERS:
        raise ValidationError(f"{where}: regime must be one of {list(LEDGERS)}, got {regime!r}")
    return regime


@dataclass(frozen=True, eq=False)
class LedgerYear:
    """One year of the ledger (arrays of the pools' shape); see the module docstring."""

    budget: np.ndarray
    required: np.ndarray
    carried_in: np.ndarray
    spent: np.ndarray
    carried_out: np.ndarray
    lapsed: np.ndarray
    shortfall: np.ndarray
    expense: np.ndarray
    further: np.ndarray | float = 0.0
    above_budget: np.ndarray | float = 0.0
    floor_gap: np.ndarray | float = 0.0

    @property
    def funded_fraction(self) -> np.ndarray:
        """``spent / required`` (1 where nothing is required)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.required > 0, self.spent / np.where(self.required > 0, self.required, 1.0), 1.0)

    def totals(self) -> dict[str, float]:
        return {c: float(np.sum(getattr(self, c))) for c in LEDGER_COLUMNS}


def _amounts(x, name: str) -> np.ndarray:
    """``x`` as an array of CNY amounts, finite, >= 0 and at most :data:`MAX_AMOUNT`."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"ledger_step: {name} must be numbers (CNY), got {x!r}"[:200]) from None
    if not np.isfinite(a).all() or (a < 0).any() or (a > MAX_AMOUNT).any():
        raise ValidationError(f"ledger_step: {name} must be finite and >= 0 (at most {MAX_AMOUNT:.0e} CNY)")
    return a


def ledger_step(budget, required, carried_in=0.0, *, regime: str = "carry_forward", floor=None, cap=None,
                below_floor: str = "spend") -> LedgerYear:
    """One year of the prevention ledger for every pool at once.

    Parameters
    ----------
    budget, required : array-like (any shape, broadcast together)
        The year's budget (fee ratio × ex-VAT premium) and the cost of the mandated services, CNY, >= 0.
    carried_in : array-like, default 0
        Balance carried from last year (must be 0 unless ``regime="carry_forward"``).
    regime : {"carry_forward", "not_provisioned", "provisioned"}
    floor : array-like, optional
        The least the pool must spend this year (CNY: the floor ratio × its ex-VAT premium). With a
        floor, mandated services are paid at actual cost up to ``cap`` (or the budget when no cap).
    cap : array-like, optional
        The most the pool may spend this year (CNY: the cap ratio × its premium); only with ``floor``.
    below_floor : {"spend", "flag"}
        What the mandates leave below the floor: further services, or a breach (``floor_gap``).

    Returns
    -------
    LedgerYear
        ``budget + carried_in + above_budget == spent + further + carried_out + lapsed`` up to rounding.

    Examples
    --------
    >>> y = ledger_step([300.0, 800.0], [500.0, 500.0], regime="carry_forward")
    >>> y.spent.tolist(), y.carried_out.tolist(), y.shortfall.tolist()
    ([300.0, 500.0], [0.0, 300.0], [200.0, 0.0])
    >>> ledger_step([800.0], [500.0], regime="not_provisioned").expense.tolist()  # only what was delivered
    [500.0]
    >>> y = ledger_step([150.0, 150.0], [100.0, 190.0], regime="not_provisioned", floor=150.0, cap=210.0)  # Xinzhou: >= 15 %
    >>> y.spent.tolist(), y.further.tolist(), y.above_budget.tolist(), y.lapsed.tolist()
    ([100.0, 190.0], [50.0, 0.0], [0.0, 40.0], [0.0, 0.0])
    """
    check_regime(regime, "ledger_step")
    b, r, c = (_amounts(x, name) for name, x in (("budget", budget), ("required", required), ("carried_in", carried_in)))
    if below_floor not in BELOW_FLOOR:
        raise ValidationError(f"ledger_step: below_floor must be one of {list(BELOW_FLOOR)}, got {below_floor!r}")
    fl, cp = (None if x is None else _amounts(x, name) for name, x in (("floor", floor), ("cap", cap)))
    if cp is not None and fl is None:
        raise ValidationError("ledger_step: cap is the most a floor rule spends; give floor= with it (without a floor the budget is the most spent)")
    if fl is not None and cp is not None and (np.broadcast_to(fl, np.broadcast_shapes(fl.shape, cp.shape)) > cp + 1e-9).any():
        raise ValidationError("ledger_step: floor above the cap (a spending floor must be at most the cap)")
    if regime != "carry_forward" and (c > 0).any():
        raise ValidationError(f"ledger_step: carried_in must be 0 under regime {regime!r} (only 'carry_forward' moves money between years)")
    try:
        b, r, c = np.broadcast_arrays(b, r, c)
    except ValueError:
        raise ValidationError(f"ledger_step: budget, required and carried_in do not broadcast together: shapes {b.shape}, {r.shape}, {c.shape}") from None
    y = ledger_step_unchecked(b, r, c, regime, fl, cp, below_floor)
    return LedgerYear(budget=b.copy(), required=r.copy(), carried_in=c.copy(), spent=y.spent, carried_out=y.carried_out,
                      lapsed=y.lapsed, shortfall=y.shortfall, expense=y.expense, further=y.further, above_budget=y.above_budget,
                      floor_gap=y.floor_gap)


def ledger_step_unchecked(b: np.ndarray, r: np.ndarray, c, regime: str, floor=None, cap=None, below_floor: str = "spend") -> LedgerYear:
    """:func:`ledger_step` on inputs already checked (the projection's yearly loop): no checks, no copies."""
    avail = b + c
    if floor is None:
        spent = np.minimum(r, avail)
        left = avail - spent
        zero = np.zeros_like(left)
        further = above = gap = zero
    else:  # a floor rule: mandated services at cost up to the cap; what is left below the floor: further services or a breach
        ceiling = np.maximum(avail, cap) if cap is not None else avail
        spent = np.minimum(r, ceiling)
        below = np.maximum(floor - spent, 0.0)
        further = below if below_floor == "spend" else np.zeros_like(below)
        gap = below - further
        out = spent + further
        above = np.maximum(out - avail, 0.0)
        left = avail + above - out
        zero = np.zeros_like(left)
    carried_out = left if regime == "carry_forward" else zero
    lapsed = zero if regime == "carry_forward" else left
    expense = spent + further + carried_out - c
    return LedgerYear(budget=b, required=r, carried_in=c, spent=spent, carried_out=carried_out,
                      lapsed=lapsed, shortfall=r - spent, expense=expense, further=further, above_budget=above, floor_gap=gap)


def year_end(y: LedgerYear, delivered, regime: str) -> tuple[np.ndarray, np.ndarray]:
    """The provision held and the expense booked at 31 December of the year a policy year starts.

    ``delivered`` (the pools' shape): the policy year's services (spent + further) delivered by
    31 December, CNY (:func:`ajx_actuarial.prevention.timing.delivered_share`).

    * ``provisioned`` / ``carry_forward``: the budget (and the balance carried in) is set aside at
      inception and services are charged to it as delivered; the provision at 31 December is
      ``max(budget + carried_in − delivered, 0)`` (the services still to come, and the money that
      lapses or is carried at the end of the policy year); booked = ``delivered + provision −
      carried_in`` (the carried balance was booked the year before).
    * ``not_provisioned`` (不得预提): nothing is set aside ahead of the service; the provision is 0
      and only delivered services are booked.

    Returns ``(provision, booked)``.

    Examples
    --------
    >>> y = ledger_step([150.0], [120.0], regime="provisioned")
    >>> [a.tolist() for a in year_end(y, [60.0], "provisioned")]  # half the services delivered by 31 December
    [[90.0], [150.0]]
    >>> [a.tolist() for a in year_end(ledger_step([150.0], [120.0], regime="not_provisioned"), [60.0], "not_provisioned")]
    [[0.0], [60.0]]
    """
    check_regime(regime, "year_end")
    d = np.asarray(delivered, dtype=np.float64)
    if regime == "not_provisioned":
        return np.zeros(np.broadcast_shapes(d.shape, np.shape(y.budget))), d + np.zeros(np.shape(y.budget))
    provision = np.maximum(y.budget + y.carried_in - d, 0.0)
    return provision, d + provision - y.carried_in


def ledger(budget, required, *, regime: str = "carry_forward", years=None, pools=None, opening=None, floor=None, cap=None,
           below_floor: str = "spend") -> pd.DataFrame:
    """The ledger over several years: one row per year and pool.

    Parameters
    ----------
    budget, required : array-like (years,) or (years, pools)
    regime : {"carry_forward", "not_provisioned", "provisioned"}
    years : sequence of int, optional
        Labels of the years (default 0, 1, ...).
    pools : sequence, optional
        Labels of the pools (default 0, 1, ...).
    opening : array-like (pools,), optional
        Balance carried into the first year (``carry_forward`` only; default 0).
    floor, cap : array-like (years,) or (years, pools), optional
        Spending floor and cap per year and pool, CNY (:func:`ledger_step`).
    below_floor : {"spend", "flag"}

    Returns
    -------
    DataFrame
        ``year``, ``pool`` and :data:`LEDGER_COLUMNS`; each year's ``carried_in`` is the year
        before's ``carried_out``.

    Examples
    --------
    >>> led = ledger([300.0, 300.0, 300.0], [100.0, 100.0, 600.0], regime="carry_forward", years=[2026, 2027, 2028])
    >>> led[["year", "spent", "carried_out", "shortfall"]].to_numpy().tolist()
    [[2026.0, 100.0, 200.0, 0.0], [2027.0, 100.0, 400.0, 0.0], [2028.0, 600.0, 100.0, 0.0]]
    """
    check_regime(regime, "ledger")
    b = np.asarray(budget, dtype=np.float64)
    r = np.asarray(required, dtype=np.float64)
    if b.ndim == 1:
        b = b[:, None]
    if r.ndim == 1:
        r = r[:, None]
    if b.ndim != 2 or b.shape != r.shape:
        raise ValidationError(f"ledger: budget and required must have the same shape (years,) or (years, pools), got {np.shape(budget)} and {np.shape(required)}")
    t_n, k = b.shape
    if t_n == 0:
        raise ValidationError("ledger: no year to run (budget and required are empty)")
    yrs = list(range(t_n)) if years is None else list(years)
    pl = list(range(k)) if pools is None else list(pools)
    if len(yrs) != t_n or len(pl) != k:
        raise ValidationError(f"ledger: {len(yrs)} year labels and {len(pl)} pool labels for a ({t_n}, {k}) ledger")
    try:
        bal = np.zeros(k) if opening is None else np.broadcast_to(np.asarray(opening, dtype=np.float64), (k,)).copy()
    except (TypeError, ValueError):
        raise ValidationError(f"ledger: opening must be one balance or one per pool ({k}), got {opening!r}"[:200]) from None
    def per_year(x, name):
        if x is None:
            return None
        a = np.asarray(x, dtype=np.float64)
        a = a[:, None] if a.ndim == 1 else a
        if a.ndim != 2 or a.shape[0] != t_n:
            raise ValidationError(f"ledger: {name} must be one amount per year (years,) or per year and pool (years, pools), got shape {np.shape(x)}")
        return a

    fl, cp = per_year(floor, "floor"), per_year(cap, "cap")
    rows = []
    for t in range(t_n):
        y = ledger_step(b[t], r[t], bal, regime=regime, floor=None if fl is None else fl[t], cap=None if cp is None else cp[t],
                        below_floor=below_floor)
        rows.append(pd.DataFrame({"year": yrs[t], "pool": pl, **{c: np.broadcast_to(getattr(y, c), (k,)) for c in LEDGER_COLUMNS}}))
        bal = y.carried_out
    return pd.concat(rows, ignore_index=True)
