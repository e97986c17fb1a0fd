"""The prevention money ledger: per year and pool, where every yuan of the prevention budget goes.

Each year and pool (one policy, an industry × size segment, or the insurer's whole book):

``budget``       fee ratio × collected ex-VAT premium of the year (Xinzhou S04 states the base);
``carried_in``   money left from last year (only under ``carry_forward``);
``spent``        mandated services paid at actual cost (据实列支): ``min(required, budget + carried_in)``;
``carried_out``  unspent money moved to next year (Beijing 2026 draft S01: 当年未使用费用结转下年使用);
``lapsed``       unspent money that leaves the ledger at year end (see the regimes below);
``shortfall``    mandated services the money did not pay for: ``required − spent`` (not money; a gap);
``expense``      the charge to the insurer's result: ``budget − lapsed = spent + carried_out − carried_in``.

Money is conserved every year and pool: ``budget + carried_in = spent + carried_out + lapsed``.

Regimes (:data:`LEDGERS`, the same names as the jurisdiction bundles' ``[fee].ledger``):

``carry_forward``    the budget is set aside; what is unspent moves to next year (Beijing 2026
                     draft, S01). The insurer's expense is the whole budget; the carried balance is
                     money owed to future services.
``not_provisioned``  no provision (不得预提, Zhejiang S02, Xinzhou S04): only services actually
                     delivered are an expense; unspent budget is not an expense (it "lapses" out of
                     the ledger back into the insurer's result).
``provisioned``      the ratio is provisioned at inception (按规定比例提取, Zhoushan S03); the unused
                     provision is released at year end (assumption: S03 states no rule for unused
                     money). Over a whole year its money flows equal ``not_provisioned``; the two
                     differ only within the year, which an annual ledger does not model.

Arrays of any shape broadcast (e.g. paths × pools in :func:`ajx_actuarial.project`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["LEDGERS", "LEDGER_COLUMNS", "LedgerYear", "ledger_step", "ledger"]

LEDGERS = ("provisioned", "carry_forward", "not_provisioned")
MAX_AMOUNT = 1e15  # CNY in one ledger cell: far above any pool (the national market is 1.8e10 a year); bounds absurd input
LEDGER_COLUMNS = ("budget", "required", "carried_in", "spent", "carried_out", "lapsed", "shortfall", "expense")


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

    @property
    def funded_fraction(self) -> np.ndarray:
        """``spent / required`` (1 where nothing is required)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.required > 0, self.spent / np.where(self.required > 0, self.required, 1.0), 1.0)

    def totals(self) -> dict[str, float]:
        return {c: float(np.sum(getattr(self, c))) for c in LEDGER_COLUMNS}


def ledger_step(budget, required, carried_in=0.0, *, regime: str = "carry_forward") -> LedgerYear:
    """One year of the prevention ledger for every pool at once.

    Parameters
    ----------
    budget, required : array-like (any shape, broadcast together)
        The year's budget (fee ratio × ex-VAT premium) and the cost of the mandated services, CNY, >= 0.
    carried_in : array-like, default 0
        Balance carried from last year (must be 0 unless ``regime="carry_forward"``).
    regime : {"carry_forward", "not_provisioned", "provisioned"}

    Returns
    -------
    LedgerYear
        ``budget + carried_in == spent + carried_out + lapsed`` holds exactly up to rounding.

    Examples
    --------
    >>> y = ledger_step([300.0, 800.0], [500.0, 500.0], regime="carry_forward")
    >>> y.spent.tolist(), y.carried_out.tolist(), y.shortfall.tolist()
    ([300.0, 500.0], [0.0, 300.0], [200.0, 0.0])
    >>> ledger_step([800.0], [500.0], regime="not_provisioned").expense.tolist()  # only what was delivered
    [500.0]
    """
    check_regime(regime, "ledger_step")
    arrays = []
    for name, x in (("budget", budget), ("required", required), ("carried_in", carried_in)):
        try:
            a = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValidationError(f"ledger_step: {name} must be numbers (CNY), got {x!r}"[:200]) from None
        if not np.isfinite(a).all() or (a < 0).any() or (a > MAX_AMOUNT).any():
            raise ValidationError(f"ledger_step: {name} must be finite and >= 0 (at most {MAX_AMOUNT:.0e} CNY)")
        arrays.append(a)
    b, r, c = arrays
    if regime != "carry_forward" and (c > 0).any():
        raise ValidationError(f"ledger_step: carried_in must be 0 under regime {regime!r} (only 'carry_forward' moves money between years)")
    try:
        b, r, c = np.broadcast_arrays(b, r, c)
    except ValueError:
        raise ValidationError(f"ledger_step: budget, required and carried_in do not broadcast together: shapes {b.shape}, {r.shape}, {c.shape}") from None
    y = ledger_step_unchecked(b, r, c, regime)
    return LedgerYear(budget=b.copy(), required=r.copy(), carried_in=c.copy(), spent=y.spent, carried_out=y.carried_out,
                      lapsed=y.lapsed, shortfall=y.shortfall, expense=y.expense)


def ledger_step_unchecked(b: np.ndarray, r: np.ndarray, c, regime: str) -> LedgerYear:
    """:func:`ledger_step` on inputs already checked (the projection's yearly loop): no checks, no copies."""
    avail = b + c
    spent = np.minimum(r, avail)
    left = avail - spent
    zero = np.zeros_like(left)
    carried_out = left if regime == "carry_forward" else zero
    lapsed = zero if regime == "carry_forward" else left
    expense = spent + carried_out - c
    return LedgerYear(budget=b, required=r, carried_in=c, spent=spent, carried_out=carried_out,
                      lapsed=lapsed, shortfall=r - spent, expense=expense)


def ledger(budget, required, *, regime: str = "carry_forward", years=None, pools=None, opening=None) -> pd.DataFrame:
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

    Returns
    -------
    DataFrame
        ``year``, ``pool``, ``budget``, ``required``, ``carried_in``, ``spent``, ``carried_out``,
        ``lapsed``, ``shortfall``, ``expense``; each year's ``carried_in`` is the year before's
        ``carried_out``.

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
    rows = []
    for t in range(t_n):
        y = ledger_step(b[t], r[t], bal, regime=regime)
        rows.append(pd.DataFrame({"year": yrs[t], "pool": pl, **{c: getattr(y, c) for c in LEDGER_COLUMNS}}))
        bal = y.carried_out
    return pd.concat(rows, ignore_index=True)
