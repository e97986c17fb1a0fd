"""Known directions of ordered rating factors: the check that warns, the order ``refine`` smooths in.

A rating factor whose direction is known a priori (a safety-standardisation grade is a discount, a
violation a surcharge) must not come out of a fit the other way round without the actuary seeing
it: a relativity that turns a discount into a surcharge would be filed as it stands. The chains
below run from the lowest expected frequency to the highest; the fitted relativities should be
non-decreasing along them (ties allowed).

=======================  =====================================  ==========================================
factor                   expected order (low → high risk)       basis
=======================  =====================================  ==========================================
``std_grade``            ``1 ≤ 2 ≤ 3 ≤ 0``                      grade 1 is the best; every grade a discount
                                                                against none (the packaged tables, e.g.
                                                                national-2025: 0.90 / 0.92 / 0.96 / 1)
``violations``           increasing in the count (level order:  more penalties, more risk
                         ``0 ≤ 1 ≤ 2+`` or ``0 ≤ 1 ≤ 2 ≤ …``)
``blacklisted``          ``False ≤ True``                       a surcharge in every packaged table
``rectification``        ``on_time ≤ late ≤ overdue_major``     national-2025: 1 / 1.05 / 1.15
``risk_tier``            ``low ≤ medium ≤ high``                xinzhou-2024, zhoushan-2018
``dual_prevention``      ``True ≤ False``                       zhoushan-2018: −5 % in place
``rescue_participation`` ``True ≤ False``                       beijing-2026: −2 % when taking part
=======================  =====================================  ==========================================

Levels not named in a chain (e.g. a user's own grade 4) are left out of the check.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import AjxWarning

__all__ = ["KNOWN_ORDER", "known_order", "monotone_order", "direction_violations", "warn_directions"]

#: Expected order (lowest risk first) of factors whose direction is known; ``None`` = the level
#: order of the fit (a count, banded or not: ``0``, ``1``, ``2+``).
KNOWN_ORDER: dict[str, tuple[str, ...] | None] = {
    "std_grade": ("1", "2", "3", "0"),
    "violations": None,
    "blacklisted": ("False", "True"),
    "rectification": ("on_time", "late", "overdue_major"),
    "risk_tier": ("low", "medium", "high"),
    "dual_prevention": ("True", "False"),
    "rescue_participation": ("True", "False"),
}


def known_order(factor: str, levels: Sequence[str]) -> list[str] | None:
    """The fitted ``levels`` of ``factor`` in their expected order, or ``None`` (no known direction)."""
    if factor not in KNOWN_ORDER:
        return None
    chain = KNOWN_ORDER[factor]
    if chain is None:
        return list(levels)
    return [lv for lv in chain if lv in set(levels)]


def monotone_order(factor: str, levels: Sequence[str]) -> list[str]:
    """The order :meth:`CalibrationResult.refine` makes non-decreasing: the known direction where
    there is one, else the level order of the fit (``levels``)."""
    order = known_order(factor, levels)
    return list(levels) if order is None else order + [lv for lv in levels if lv not in order]


def direction_violations(relativities: pd.DataFrame, bases: dict) -> dict[str, dict[str, list]]:
    """Per factor with a known order that its fitted relativities break: ``pairs``, the adjacent
    levels ``(low, r_low, high, r_high)`` along the order with ``r_low > r_high``, and
    ``wrong_sign``, the levels ``(level, r)`` on the wrong side of the base (a level the order puts
    below the base with ``r > 1``: a discount priced as a surcharge; above it with ``r < 1``).

    ``relativities`` is :attr:`CalibrationResult.relativities`; a difference below 1e-9 (relative)
    is a tie (isotonic pooling and fixed levels give exact ties).
    """
    out: dict[str, dict[str, list]] = {}
    for f, sub in relativities.groupby("factor", sort=False):
        rel = dict(zip(sub["level"].astype(str), sub["relativity"].astype(float)))
        order = known_order(str(f), list(rel))
        if not order:
            continue
        ok = {lv for lv in order if np.isfinite(rel[lv])}
        pairs = [(a, rel[a], b, rel[b]) for a, b in zip(order, order[1:]) if a in ok and b in ok and rel[a] > rel[b] * (1 + 1e-9)]
        base = str(bases.get(f, ""))
        sign = []
        if base in order:
            i = order.index(base)
            sign = [(lv, rel[lv]) for j, lv in enumerate(order) if lv in ok and ((j < i and rel[lv] > 1 + 1e-9) or (j > i and rel[lv] < 1 - 1e-9))]
        wrong = {lv for lv, _ in sign}
        pairs = [p for p in pairs if not ((p[2] == base and p[0] in wrong) or (p[0] == base and p[2] in wrong))]  # said once
        if pairs or sign:
            out[str(f)] = {"pairs": pairs, "wrong_sign": sign}
    return out


def warn_directions(relativities: pd.DataFrame, bases: dict, *, where: str = "calibrate", stacklevel: int = 3) -> list[str]:
    """One :class:`~ajx_actuarial.errors.AjxWarning` per factor whose relativities break its known
    order (:func:`direction_violations`), naming the levels, their values and 95 % intervals, and
    the remedies; returns the messages."""
    ci = {(r.factor, str(r.level)): (r.ci_low, r.ci_high) for r in relativities.itertuples(index=False)}

    def val(f, lv, r):
        lo, hi = ci.get((f, lv), (np.nan, np.nan))
        return f"{f} {lv} = {r:.3f}" + ("" if lo == hi else f" [{lo:.3g}, {hi:.3g}]")

    messages = []
    for f, v in direction_violations(relativities, bases).items():
        levels = list(relativities.loc[relativities["factor"] == f, "level"].astype(str))
        chain = " <= ".join(known_order(f, levels) or [])
        parts = []
        if v["wrong_sign"]:
            base = str(bases.get(f, ""))
            parts.append(f"wrong sign against the base {f} {base} = 1: " + ", ".join(val(f, lv, r) for lv, r in v["wrong_sign"]))
        if v["pairs"]:
            parts.append("not monotone: " + ", ".join(f"{val(f, a, ra)} > {b} = {rb:.3f}" for a, ra, b, rb in v["pairs"]))
        msg = (f"{where}: {f} relativities break the expected order {chain}: {'; '.join(parts)}; "
               f"constrain with refine(monotone=[{f!r}]) or fix=, or ajx calibrate --monotone {f} / --fix {f}=LEVEL:VALUE")
        warnings.warn(msg, AjxWarning, stacklevel=stacklevel)
        messages.append(msg)
    return messages
