"""Within a year: when policies incept, when each unit gets its first service, what is delivered by 31 December.

The prevention ledger (:mod:`.ledger`) runs per policy year. Two rules of the seeds are about time
inside the year, and need a clock:

* **First service** (Xinzhou S04 Annex 2 §七: 保单生效后3个月内，至少开展1次事故预防服务): a unit must
  get at least one prevention service within ``months`` of its policy's inception.
* **No provisioning** (不得预提: Zhejiang S02 §二(四), Xinzhou S04 Annex 3 Art. 5) against a
  provisioned fee (按规定比例提取: Zhoushan S03): they book the same money over a whole policy year,
  but not by the 31 December of the year the policy starts, when part of its services are still
  to come (:func:`ajx_actuarial.prevention.ledger.year_end`).

Assumptions (each stated, each a parameter of :func:`ajx_actuarial.prevention.assess`):

``inception``
    When the book's policies incept: ``"uniform"`` (evenly over the calendar year, as renewal
    dates spread; the default), ``"calendar"`` (every policy on 1 January: calendar-year policies,
    or the first year of a new mandate) or twelve monthly shares. The i-th policy of the book
    incepts at the quantile ``frac((i + 1) × φ)`` (φ the golden ratio: a low-discrepancy sequence,
    so a book sorted by industry does not bunch an industry in one month) of that profile;
    deterministic, no random numbers.
level delivery
    A policy year's services (mandated and further) are delivered at an even pace over its twelve
    months: a policy incepting ``m`` months into the year has ``(12 − m) / 12`` of them delivered by
    31 December.
capacity
    The insurer's on-site service capacity is level through the year: the on-site visits that the
    first policy year's spending pays for (each unit's mandated visits × the share of its mandated
    cost the ledger paid), divided by 12, a month. A pooled visit to small and micro units
    (集中统筹) counts ``1 / pool_size`` of a visit per unit.
first service
    Units whose mandate includes an online service get it at inception (S04 Annex 3 Art. 8 counts
    线上服务; a platform push has no capacity limit). The others wait for their first on-site visit;
    first visits are served before repeat visits, in order of inception. A unit whose first visit
    would come after ``months`` is late; after its twelve-month policy year, unserved (also late).

Under uniform inception a level capacity that pays for at least one visit per unit serves every
unit almost at once (no unit is late for any ``months``); the rule bites when inception is
concentrated (``"calendar"``: the first visits of the whole book queue from 1 January) or when the
spending pays for fewer visits than units.
"""

from __future__ import annotations

import numpy as np

from ..errors import ValidationError
from ._services import SERVICE_TYPES

__all__ = ["INCEPTIONS", "inception_months", "delivered_share", "first_service_wait", "first_service", "inception_label"]

INCEPTIONS = ("uniform", "calendar")
_PHI = (np.sqrt(5.0) - 1.0) / 2.0  # frac(golden ratio)


def _profile(inception) -> np.ndarray | None:
    """Monthly shares (12,) of a profile, or None for the calendar (all on 1 January)."""
    if isinstance(inception, str):
        if inception not in INCEPTIONS:
            raise ValidationError(f"prevention: inception must be one of {list(INCEPTIONS)} or twelve monthly shares, got {inception!r}")
        return None if inception == "calendar" else np.full(12, 1.0 / 12.0)
    try:
        p = np.asarray(inception, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"prevention: inception must be one of {list(INCEPTIONS)} or twelve monthly shares, got {inception!r}"[:200]) from None
    if p.shape != (12,) or not np.isfinite(p).all() or (p < 0).any() or abs(p.sum() - 1.0) > 1e-9:
        raise ValidationError(f"prevention: inception as monthly shares needs twelve numbers >= 0 summing to 1, got {inception!r}"[:200])
    return p


def inception_label(inception) -> str:
    """``"uniform"``, ``"calendar"`` or ``"monthly shares"`` (checked)."""
    _profile(inception)
    return inception if isinstance(inception, str) else "monthly shares"


def inception_months(n: int, inception="uniform") -> np.ndarray:
    """Months from 1 January to each policy's inception, in [0, 12) (see the module docstring).

    Examples
    --------
    >>> inception_months(3, "calendar").tolist()
    [0.0, 0.0, 0.0]
    >>> m = inception_months(1200)
    >>> bool(abs(m.mean() - 6.0) < 0.05), bool(m.min() >= 0 and m.max() < 12)
    (True, True)
    """
    p = _profile(inception)
    if p is None:
        return np.zeros(int(n))
    u = np.mod((np.arange(int(n)) + 1.0) * _PHI, 1.0)
    edges = np.concatenate([[0.0], np.cumsum(p)])
    edges[-1] = 1.0
    month = np.clip(np.searchsorted(edges, u, side="right") - 1, 0, 11)
    # a u on the edge of an empty month goes to the next month with policies (the last one with policies if none
    # follows: a profile summing just short of 1 leaves a gap before the forced last edge)
    full = np.flatnonzero(p > 0)
    nearest = np.array([full[full >= m][0] if (full >= m).any() else full[-1] for m in range(12)])
    month = nearest[month]
    within = np.where(p[month] > 0, (u - edges[month]) / np.where(p[month] > 0, p[month], 1.0), 0.0)
    return month + np.clip(within, 0.0, 1.0 - 1e-12)


def delivered_share(months_in: np.ndarray) -> np.ndarray:
    """Share of a policy year's services delivered by 31 December under level delivery: ``(12 − m) / 12``."""
    return (12.0 - np.asarray(months_in, dtype=np.float64)) / 12.0


def first_service_wait(months_in: np.ndarray, onsite_first: np.ndarray, work: np.ndarray, capacity: float) -> np.ndarray:
    """Months from inception to the first on-site visit of each unit that waits for one (NaN for the others).

    ``onsite_first`` (bool, n): the unit's first service is an on-site visit; ``work`` (n): the visit
    it takes (1, or 1 / pool_size for pooled delivery); ``capacity``: visits a month. First visits
    are served in order of inception at the level capacity (a fluid FIFO queue from 1 January):
    ``D_k = max(a_k, D_(k−1)) + w_k / c``. With no capacity no unit is served (``inf``).

    Examples
    --------
    >>> first_service_wait(np.zeros(4), np.ones(4, bool), np.ones(4), capacity=1.0).tolist()  # 4 units on 1 January, 1 visit a month
    [1.0, 2.0, 3.0, 4.0]
    """
    a = np.asarray(months_in, dtype=np.float64)
    need = np.asarray(onsite_first, dtype=bool)
    wait = np.full(a.shape, np.nan)
    if not need.any():
        return wait
    idx = np.flatnonzero(need)
    if not capacity > 0:
        wait[idx] = np.inf
        return wait
    order = idx[np.argsort(a[idx], kind="stable")]
    a_s, w_s = a[order], np.asarray(work, dtype=np.float64)[order]
    W = np.cumsum(w_s)
    done = W / capacity + np.maximum.accumulate(a_s - (W - w_s) / capacity)
    wait[order] = done - a_s
    return wait


def first_service(counts: np.ndarray, pooled_small: np.ndarray, pool_size: float, funded: np.ndarray, months_in: np.ndarray,
                  months: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's wait for its first service and whether it is late (see the module docstring).

    ``counts`` (n × service types): the unit's services a year; ``pooled_small``: a small or micro
    unit served by pooled visits; ``funded`` (n): the share of its mandated cost the first year's
    ledger paid; ``months``: the rule (None: no rule, every wait NaN, nobody late). Returns
    ``(wait, late)``: months from inception (0 for an online first service; capped at 12 = not
    within the policy year; NaN where no service is due) and late (the wait exceeds ``months``).
    """
    n = len(months_in)
    wait = np.full(n, np.nan)
    if months is None:
        return wait, np.zeros(n, dtype=bool)
    online = counts[:, SERVICE_TYPES.index("online")] > 0
    is_onsite = np.arange(len(SERVICE_TYPES)) != SERVICE_TYPES.index("online")
    per_visit = np.where(pooled_small, 1.0 / pool_size, 1.0)
    visits = counts[:, is_onsite].sum(axis=1) * per_visit
    due = counts.sum(axis=1) > 0
    wait = first_service_wait(months_in, due & ~online & (visits > 0), per_visit, float((visits * funded).sum()) / 12.0)
    wait[due & online] = 0.0
    late = np.nan_to_num(wait, nan=0.0) > months  # after its policy year: unserved, late too
    return np.minimum(wait, 12.0), late
