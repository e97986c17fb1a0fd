"""Per-policy history state of a projection, one small integer per (path, policy).

Rate-table history (the table's ``history`` factor, :func:`ajx_actuarial.rating.factors.history_multiplier`)
--------------------------------------------------------------------------------------------------------
The factor reads ``accidents_3y``, ``max_accident_deaths_3y`` (graded 1-2 / 3-9 / >= 10 deaths,
State Council Order 493) and ``claim_free_years``. It depends on them only through: any claim in
the last three years, the grade of the worst accident in them, and the claim-free count capped at
the table's ladder. So the state of a policy on a path is

* ``window`` (uint8): the last three policy years' outcomes as base-5 digits, the latest year the
  least significant: 0 claim-free, 1 a non-fatal claim (medical-only or disability), 2/3/4 a
  fatal accident with 1-2 / 3-9 / >= 10 deaths in the worst accident of the year;
* ``free`` (uint8): consecutive claim-free years, capped at ``max(len(claim_free ladder), 3)``.

Two bytes per (path, policy). Rolling a year: ``window = (window % 25) × 5 + outcome``;
``free = 0`` after a claim, else ``min(free + 1, cap)``. The multiplier of every state is
computed once by the table's own ``history_multiplier`` on a frame of all states (a lookup table),
so renewals follow the pricing code path exactly.

The book's aggregates do not say in which year each past accident happened. The initial window
puts the worst grade in the latest year with a claim, ``claim_free_years + 1`` years back (at most
3): pricing in the first year is then exactly the book's, and a surcharge stays as long as the
book allows (assumption: the worst accident is the latest; older lesser claims do not change the
factor while a later claim is in the window).

An exposure-aware history factor (``basis = "expected"``) reads the number of claims of the three
years, not only whether there were any: its state adds the claim count of each of the three years
(``counts``, uint16, six bytes per (path, policy)); the multiplier is the table's
``(k + N) / (k + E)`` within its bounds (``E`` fixed per policy: three years of its expected
claims), the fatal grade and the unknown-history rule as in pricing.

Bonus-malus classes (``history=BonusMalus(...)``)
-----------------------------------------------
The class (uint8, or int16 above 255 classes) moves by the system's rule table with the year's
outcome: the number of claims (capped at the last column), or, for a severity system with 5
outcomes (as :meth:`RateTable.bonus_malus`), the outcome code above. Every policy starts in the
system's ``start`` class; the class relativity replaces the table's history factor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..rating import BonusMalus
from ..rating.factors import HISTORY_CLASSES as FACTOR_CLASSES
from ..rating.factors import expected_claims_3y, history_multiplier

__all__ = ["HistoryState", "outcome_codes", "HISTORY_CLASSES"]

_DEATHS_OF_CODE = np.array([0, 0, 1, 3, 10])  # representative deaths of outcome codes 0..4 (grades of Order 493)
HISTORY_CLASSES = ("no history", "claim-free 1 y", "claim-free 2 y", "claim-free 3+ y", "claim last year",
                   "claim 2-3 y ago", "fatal accident (3 y)")


def outcome_codes(claims: np.ndarray, max_deaths: np.ndarray) -> np.ndarray:
    """Outcome code of a policy-year with claims: 1 non-fatal, 2/3/4 worst accident with 1-2 / 3-9 / >= 10 deaths."""
    d = np.asarray(max_deaths)
    code = np.where(d >= 10, 4, np.where(d >= 3, 3, np.where(d >= 1, 2, 1)))
    return np.where(np.asarray(claims) > 0, code, 0).astype(np.uint8)


def _window_digits() -> np.ndarray:
    w = np.arange(125)
    return np.stack([w // 25, (w // 5) % 5, w % 5], axis=1)  # oldest, middle, latest


class HistoryState:
    """History state of ``paths`` × ``n`` policies under the table's history factor or a BonusMalus."""

    def __init__(self, book: pd.DataFrame, paths: int, spec: dict | None, bms: BonusMalus | None = None):
        self.paths, self.n = int(paths), len(book)
        self.bms = bms
        self.expected = False
        if bms is not None:
            if bms.severity is not None and bms.rules.shape[1] != 5:
                raise ValidationError(f"project: history BonusMalus with a severity law needs 5 outcomes (claim-free, non-fatal, "
                                      f"1-2, 3-9, >= 10 deaths), got {bms.rules.shape[1]}")
            dt = np.uint8 if bms.n_classes <= 255 else np.int16
            self.cls = np.full((self.paths, self.n), bms.start, dtype=dt)
            self.lut = bms.relativities.astype(np.float64)
            self.labels = list(bms.labels) if bms.labels is not None else [f"class {k}" for k in range(bms.n_classes)]
            self.class_lut = np.arange(bms.n_classes)
            return
        spec = spec or {}
        self.spec = spec
        self.expected = spec.get("basis", "claims") == "expected"
        cf = spec.get("claim_free", [])
        self.cap = max(len(cf), 3)
        acc = book["accidents_3y"].to_numpy(dtype=np.int64)
        worst = book["max_accident_deaths_3y"].to_numpy(dtype=np.int64)
        free = book["claim_free_years"].to_numpy(dtype=np.int64)
        code = np.where(acc > 0, outcome_codes(np.ones_like(acc), worst), 0).astype(np.int64)
        back = np.minimum(free + 1, 3)  # years back of the latest claim: 1 = last year
        window0 = (code * 5 ** (back - 1)).astype(np.uint8)
        self.window = np.broadcast_to(window0, (self.paths, self.n)).copy()
        self.free = np.broadcast_to(np.minimum(free, self.cap).astype(np.uint8), (self.paths, self.n)).copy()
        # lookup tables over (window, free): multiplier and reporting class
        dig = _window_digits()
        w_idx, f_idx = np.meshgrid(np.arange(125), np.arange(self.cap + 1), indexing="ij")
        w_idx, f_idx = w_idx.ravel(), f_idx.ravel()
        d = dig[w_idx]
        frame = pd.DataFrame({"accidents_3y": (d > 0).sum(axis=1), "deaths_3y": _DEATHS_OF_CODE[d].max(axis=1),
                              "max_accident_deaths_3y": _DEATHS_OF_CODE[d].max(axis=1), "claim_free_years": f_idx})
        self.lut = history_multiplier(frame, spec) if spec and not self.expected else np.ones(len(frame))
        fatal = d.max(axis=1) >= 2
        anyc = d.max(axis=1) >= 1
        cls = np.where(fatal, 6, np.where((f_idx == 0) & (d[:, 2] > 0), 4, np.where(f_idx >= 1, np.minimum(f_idx, 3), np.where(anyc, 5, 0))))
        self.class_lut = cls
        self.labels = list(HISTORY_CLASSES)
        if self.expected:  # claim counts of the three years (the book's total put in its latest claim year, as the window)
            self.counts = np.zeros((3, self.paths, self.n), dtype=np.uint16)
            c0 = np.minimum(acc, 65535).astype(np.uint16)
            for b in (1, 2, 3):
                self.counts[b - 1] = np.broadcast_to(np.where(back == b, c0, 0).astype(np.uint16), (self.paths, self.n))
            self.E = expected_claims_3y(book, spec)
            self.k = float(spec.get("credibility", 4.0))
            self.bounds = tuple(float(x) for x in spec.get("bounds", [0.7, 1.3]))
            self.fatal = np.asarray(spec.get("fatal", []), dtype=np.float64)
            self.labels = list(FACTOR_CLASSES[:4]) + list(FACTOR_CLASSES[8:])

    # ------------------------------------------------------------------ reading
    def index(self, sl: slice) -> np.ndarray:
        """State index per (path, policy) of the paths in ``sl`` (into :attr:`lut`)."""
        if self.bms is not None:
            return self.cls[sl].astype(np.int64)
        return self.window[sl].astype(np.int64) * (self.cap + 1) + self.free[sl]

    def _expected_state(self, sl: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = self.counts[:, sl].sum(axis=0, dtype=np.int64)
        grade = _window_digits()[self.window[sl].astype(np.int64)].max(axis=-1)  # 0 none, 1 non-fatal, 2/3/4 fatal grades
        known = (n > 0) | (self.free[sl] > 0)
        return n, grade, known

    def multiplier(self, sl: slice) -> np.ndarray:
        if self.bms is None and self.expected:
            n, grade, known = self._expected_state(sl)
            lo, hi = self.bounds
            out = np.where(known, np.clip((self.k + n) / (self.k + self.E[None, :]), lo, hi), 1.0)
            if self.fatal.size:
                g = np.minimum(np.maximum(grade - 2, 0), self.fatal.size - 1)
                out = np.where(grade >= 2, np.maximum(self.fatal[g], out), out)  # a death never lowers the factor (as price)
            return out
        return self.lut[self.index(sl)]

    def class_counts(self, sl: slice) -> np.ndarray:
        """(paths in sl) × classes counts of policies per reporting class."""
        if self.bms is None and self.expected:
            n, grade, known = self._expected_state(sl)
            idx = np.where(~known, 0, np.where(n == 0, 1, np.where(n <= self.E[None, :], 2, 3)))
            idx = np.where(grade >= 2, 2 + grade, idx)  # fatal 1-2 / 3-9 / >= 10 deaths -> 4, 5, 6
            k = len(self.labels)
            p = idx.shape[0]
            return np.bincount((np.arange(p)[:, None] * k + idx).ravel(), minlength=p * k).reshape(p, k)
        idx = self.class_lut[self.index(sl)]
        k = len(self.labels)
        p = idx.shape[0]
        return np.bincount((np.arange(p)[:, None] * k + idx).ravel(), minlength=p * k).reshape(p, k)

    @property
    def bytes_per_policy_path(self) -> int:
        return int(self.cls.itemsize) if self.bms is not None else (8 if self.expected else 2)

    # ------------------------------------------------------------------ rolling
    def roll(self, path: np.ndarray, row: np.ndarray, claims: np.ndarray, max_deaths: np.ndarray) -> None:
        """One policy year: every policy rolls forward; the (path, row) pairs listed had claims."""
        code = outcome_codes(claims, max_deaths)
        if self.bms is not None:
            rules = self.bms.rules
            out = np.zeros((self.paths, self.n), dtype=np.int16)  # outcome per (path, policy): 0 = claim-free
            if self.bms.severity is not None:
                out[path, row] = code
            else:
                out[path, row] = np.minimum(claims, rules.shape[1] - 1)
            for s in range(self.paths):  # path by path: bounded memory
                self.cls[s] = rules[self.cls[s].astype(np.int64), out[s].astype(np.int64)]
            return
        self.window %= 25
        self.window *= 5
        self.free += (self.free < self.cap).astype(np.uint8)
        self.window[path, row] += code
        self.free[path, row] = 0
        if self.expected:
            self.counts[2] = self.counts[1]
            self.counts[1] = self.counts[0]
            self.counts[0] = 0
            self.counts[0][path, row] = np.minimum(np.asarray(claims), 65535).astype(np.uint16)
