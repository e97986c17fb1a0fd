"""Renewal premiums of every (path, policy), vectorised, without calling ``price()`` per path.

``price()`` runs once per projection year on the book with that year's limits (path-independent:
base rate, ILF, medical rate, size factor and every floating factor but the history factor). A
path changes a premium only through the history factor (and, with grade transitions, the
standardisation factor), so for each (path, policy)

``float = clip(f_1 × … × h × … × f_m, floor, cap)`` (the factors in the table's order, the history
multiplier ``h`` in its place, exactly as ``price()`` multiplies them) and
``premium = round_half_up(max(base × float, min_premium), decimals)`` with
``base = headcount × (limit_rate + medical_rate) × size_factor``; ``premium_ex_vat = premium / (1 + vat)``.
With the book's own histories this reproduces ``price()``'s premiums bit for bit (tested).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..rating import RateTable
from ..rating.price import round_half_up

__all__ = ["Renewal"]


class Renewal:
    """Premium engine of one projection year (see the module docstring)."""

    def __init__(self, priced: pd.DataFrame, table: RateTable, replaced: tuple[str, ...] = ()):
        self.table = table
        head = priced["headcount"].to_numpy(dtype=np.float64)
        rate = priced["limit_rate"].to_numpy(dtype=np.float64) + priced["medical_rate"].to_numpy(dtype=np.float64)
        self.base = head * rate * priced["size_factor"].to_numpy(dtype=np.float64)
        # the factors in the table's order: fixed columns, or a name whose multiplier the caller supplies
        self.steps: list[tuple[str, np.ndarray | None]] = []
        for f in table.factors:
            name = f.name
            self.steps.append((name, None) if name in replaced else (name, priced[f"f_{name}"].to_numpy(dtype=np.float64)))
        # leading fixed factors fold into one prefix (the same left-to-right product as price())
        prefix = np.ones(len(priced))
        k = 0
        while k < len(self.steps) and self.steps[k][1] is not None:
            prefix = prefix * self.steps[k][1]
            k += 1
        self.prefix, self.rest = prefix, self.steps[k:]
        self.lo, self.hi = table.float_bounds
        self.min_premium = float(table.min_premium)
        self.decimals = int(table.decimals)
        self.vat = float(table.loadings["vat"])

    def float_factor(self, mult: dict[str, np.ndarray], rows: int) -> np.ndarray:
        """Clipped float factor for ``rows`` paths × policies; ``mult`` maps each replaced factor to its
        (rows × policies) multipliers (a name the table lacks multiplies last, e.g. a BonusMalus on a table
        without a history factor)."""
        out = np.broadcast_to(self.prefix, (rows, self.prefix.size))
        for name, col in self.rest:
            out = out * (mult[name] if col is None else col)
        known = {name for name, _ in self.steps}
        for name, m in mult.items():
            if name not in known:
                out = out * m
        return np.clip(out, self.lo, self.hi)

    def premium(self, float_factor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gross premium (rounded, minimum applied) and ex-VAT premium."""
        raw = self.base * float_factor
        prem = round_half_up(np.maximum(raw, self.min_premium), self.decimals)
        return prem, prem / (1.0 + self.vat)
