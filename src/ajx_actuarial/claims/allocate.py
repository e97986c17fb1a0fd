"""Ultimates per segment × accident year back to policy-years.

Two rules (``allocate=``), each applied within a cell (segment, accident year):

* ``"reported"`` (default): a policy-year gets the cell's IBNR in proportion to what it has
  reported — losses in proportion to its reported losses, counts to its reported counts. When
  reporting delays do not depend on the rating factors this keeps every relativity unbiased
  (a policy-year's expected unreported claims are proportional to its reported ones).
* ``"exposure"``: the IBNR is spread over the cell's policy-years by exposure (the
  Bornhuetter–Ferguson way). Smoother for claim-free policies, but it pulls relativities toward
  1 by the IBNR share, so it suits mature data or segments without rating factors.

Losses are allocated as amounts. Counts stay whole numbers (the experience contract): a cell's
IBNR count ``K = round(ultimate − reported)`` (0 if negative) is placed by systematic sampling
along the policy-years in a fixed pseudo-random order (a hash of policy and year, independent
of the rating factors), so each gets ``K × weight / Σ weight`` within less than one claim and
the cell total is exact. Negative loss development (case reserve releases) is always taken
back in proportion to reported losses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ALLOCATIONS", "order_key", "spread_amount", "spread_count"]

ALLOCATIONS = ("reported", "exposure")


def order_key(policy_id: np.ndarray, year: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random order of policy-years (64-bit hash of policy id and year)."""
    h = pd.util.hash_pandas_object(pd.Series(policy_id).astype(str), index=False).to_numpy()
    return pd.util.hash_array(h ^ np.asarray(year, dtype=np.uint64))


def spread_amount(cell: np.ndarray, weight: np.ndarray, amount_by_cell: np.ndarray) -> np.ndarray:
    """``amount[cell] × weight / Σ_cell weight`` per item; cells without weight get nothing."""
    tot = np.bincount(cell, weights=weight, minlength=amount_by_cell.size)
    share = np.divide(weight, tot[cell], out=np.zeros_like(weight, dtype=float), where=tot[cell] > 0)
    return amount_by_cell[cell] * share


def spread_count(cell: np.ndarray, weight: np.ndarray, key: np.ndarray, k_by_cell: np.ndarray) -> np.ndarray:
    """Place ``k_by_cell[c]`` whole units over the items of cell ``c`` by systematic sampling.

    Items are ordered by ``(cell, key)``; unit ``i`` of a cell goes to the item whose
    cumulative-weight interval holds ``(i + 0.5) × W_c / K_c``. An item gets
    ``K_c w / W_c`` rounded up or down; items of weight 0 get nothing.
    """
    n = cell.size
    out = np.zeros(n, dtype=np.int64)
    k = np.asarray(k_by_cell, dtype=np.int64)
    if n == 0 or k.sum() == 0:
        return out
    order = np.lexsort((key, cell))
    w = np.asarray(weight, dtype=float)[order]
    c = cell[order]
    cum = np.cumsum(w)
    tot = np.bincount(c, weights=w, minlength=k.size)
    start = np.r_[0.0, cum][np.searchsorted(c, np.arange(k.size), side="left")]  # cumulative weight before each cell
    live = (k > 0) & (tot > 0)
    cells = np.flatnonzero(live)
    units = np.repeat(cells, k[cells])
    within = np.arange(units.size) - np.repeat(np.cumsum(k[cells]) - k[cells], k[cells])
    pos = start[units] + (within + 0.5) * tot[units] / k[units]
    hit = np.minimum(np.searchsorted(cum, pos, side="right"), n - 1)
    np.add.at(out, order[hit], 1)
    return out
