"""Policy levers of a projection: each has a default and a source or an ``assumption`` label.

============================  =================  =========================================================================
lever                         default            source / flag
============================  =================  =========================================================================
``trend``                     −0.065 a year      DOMAIN.md §6.5: scale frequencies by −5 % to −8 % a year (deaths fell
                                                 about 7.5 % a year 2020→2024); its midpoint, the same constant as
                                                 ``experience_from_claims`` (``claims.DEFAULT_FREQUENCY_TREND``); assumption
``limits``                    ``"as_priced"``    ``"beijing"``: Beijing 2026 draft (S01) 20 × prior-year Beijing income −
                                                 work-injury death grant, year by year (DOMAIN.md §4.2); a number or a
                                                 LimitPolicy: fixed; ``{year: LimitPolicy}``: a schedule; seed
``income_growth``             0.045 a year       urban incomes beyond the packaged series (DOMAIN.md §4.2 assumes +4.5 %
                                                 for Beijing 2025); assumption
``severity_trend``            = income_growth    economic loss per casualty follows urban income (civil death
                                                 compensation 20 × income, SPC 2022 Art. 15; DOMAIN.md §4.2); assumption
``fee_ratio``                 table loading      the rate table's ``prevention_fee`` loading, or a ``{year: ratio}``
                                                 schedule (Beijing: 20 % by end-2028, S01); checked against ``fee_floor``
                                                 (Xinzhou 15 %, S04) and ``fee_cap`` (21 %, N24/N25)
``ledger``                    ``"provisioned"``  ``carry_forward`` (Beijing, S01) or ``not_provisioned`` (Zhejiang S02,
                                                 Xinzhou S04); :mod:`ajx_actuarial.prevention.ledger`
``rules``, ``pooling``        xinzhou-2024,      mandated services (DOMAIN.md §2.2) and the pool money moves in
                              policy
``cost_inflation``            0.045 a year       unit costs of services are mostly expert days, which follow incomes;
                                                 assumption
``prevention_effectiveness``  0 (off)            relative frequency reduction of a policy whose mandated services are
                                                 fully funded in the year (proportional to the funded share);
                                                 assumption, no source measures it
``grade_transitions``         None (off)         yearly Markov matrix over ``std_grade`` 0-3; assumption
``history``                   ``"table"``        the table's accident-history factor, or a ``BonusMalus`` class system
``feedback``                  True               renewals follow the histories (False: the book's factor every year)
``commission``, ``admin``,    table loadings     fractions of the ex-VAT premium (commission <= 5 %, N25 Art. 14)
``levy``
============================  =================  =========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from ..claims.trend import DEFAULT_FREQUENCY_TREND
from ..errors import ValidationError
from ..losses import LimitPolicy
from ..losses.limits import beijing_formula
from ..portfolio import NATIONAL_MIN_LIMIT
from ..prevention import FEE_CAP, LEDGERS, POOLINGS
from ..prevention.assess import FEE_BASES
from ..prevention.ledger import BELOW_FLOOR
from ..rating import BonusMalus
from ..reference import urban_income

__all__ = ["Levers", "LEVER_SOURCES", "indexed_income", "indexed_limit"]

LEVER_SOURCES = {
    "trend": ("DOMAIN.md §6.5 (−5 % to −8 % a year, midpoint; deaths −7.5 %/yr 2020→2024)", "assumption"),
    "limits": ("Beijing 2026 draft S01 formula (DOMAIN.md §4.2) or fixed", "seed"),
    "income_growth": ("beyond the packaged incomes; DOMAIN.md §4.2 uses +4.5 % for Beijing 2025", "assumption"),
    "limit_offset": ("work-injury death grant, 20 × national income (DOMAIN.md §4.2 natural reading)", "derived"),
    "severity_trend": ("economic loss per casualty follows urban income (SPC 2022 Art. 15)", "assumption"),
    "fee_ratio": ("rate-table prevention_fee loading or a schedule (Beijing 20 % by 2028, S01)", "seed"),
    "fee_floor": ("local floor, e.g. Xinzhou 15 % ex-VAT (S04)", "seed"),
    "fee_cap": ("national 21 % cap (N24; 2025 measures)", "official"),
    "on_breach": ("error or flag a fee below the floor / above the cap", "option"),
    "below_floor": ("with a floor: spend what the mandates leave below it on further services, or flag it as a breach", "option"),
    "fee_base": ("the ratio's base: ex-VAT premium (Xinzhou S04) or collected premium (Beijing S01 实收保费)", "seed"),
    "ledger": ("carry_forward (Beijing S01), not_provisioned (Zhejiang S02, Xinzhou S04), provisioned (Zhoushan S03)", "seed"),
    "rules": ("mandated service frequencies (DOMAIN.md §2.2)", "seed"),
    "pooling": ("pool the prevention money moves in", "option"),
    "costs": ("unit costs of services (DOMAIN.md §7.4)", "assumption"),
    "cost_inflation": ("service costs are expert days, which follow incomes", "assumption"),
    "prevention_effectiveness": ("frequency reduction of a fully served policy; no source measures it", "assumption"),
    "grade_transitions": ("yearly std_grade Markov matrix", "assumption"),
    "history": ("the rate table's accident-history factor, or a BonusMalus", "option"),
    "feedback": ("renewals follow the simulated histories", "option"),
    "commission": ("rate-table loading (commission <= 5 %, N25 Art. 14)", "official"),
    "admin": ("rate-table loading (8-12 %, DOMAIN.md §7.2)", "assumption"),
    "levy": ("rate-table loading (protection fund 0.8 %, DOMAIN.md §7.2)", "official*"),
}


def _num(v, name: str, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v) or not lo <= v <= hi:
        raise ValidationError(f"project: {name} must be a number in [{lo:g}, {hi:g}], got {v!r}")
    return float(v)


def indexed_income(year: int, region: str, growth: float) -> tuple[float, str]:
    """Urban income of ``region`` in ``year``: the packaged series, grown by ``growth`` a year beyond its last year.

    Returns the income and its flag (the series' flag, or ``assumption`` when extrapolated).

    Examples
    --------
    >>> indexed_income(2024, "beijing", 0.045)
    (92464.0, 'secondary')
    """
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not 1990 <= year <= 2200:
        raise ValidationError(f"project: income year must be an integer in [1990, 2200], got {year!r}")
    growth = _num(growth, "income_growth", -0.5, 1.0)
    df = urban_income()
    s = df[df["region"] == region].set_index("year")
    if s.empty:
        raise ValidationError(f"project: no urban income for region {region!r} (regions: {sorted(df['region'].unique())})")
    if year in s.index:
        return float(s.loc[year, "income_cny"]), str(s.loc[year, "flag"])
    last = int(s.index.max())
    if year < last:
        raise ValidationError(f"project: no urban income for {region!r} in {year} (packaged years: {sorted(s.index.tolist())})")
    return float(s.loc[last, "income_cny"]) * (1.0 + growth) ** (year - last), "assumption"


def indexed_limit(policy_year: int, income_growth: float = 0.045, offset: str | float = "death_grant",
                  floor: float = NATIONAL_MIN_LIMIT) -> float:
    """Beijing 2026 draft limit of ``policy_year``: 20 × Beijing income(year − 1) − offset, floored.

    Equals :func:`ajx_actuarial.losses.beijing_limit` ``(policy_year − 1)`` where the packaged series
    has both incomes, and extends it with ``income_growth`` (assumption) beyond.

    Examples
    --------
    >>> round(indexed_limit(2025))
    765520
    """
    if isinstance(policy_year, bool) or not isinstance(policy_year, (int, np.integer)) or not 1991 <= policy_year <= 2200:
        raise ValidationError(f"project: policy_year must be an integer year in [1991, 2200], got {policy_year!r}")
    y = int(policy_year) - 1
    bj, _ = indexed_income(y, "beijing", income_growth)
    nat, _ = indexed_income(y, "national", income_growth)
    return beijing_formula(bj, nat, offset, floor, where="project: limit_offset")


@dataclass(frozen=True)
class Levers:
    """The levers of :func:`ajx_actuarial.project` (see the module docstring for defaults and sources)."""

    trend: float = DEFAULT_FREQUENCY_TREND
    limits: Any = "as_priced"
    income_growth: float = 0.045
    limit_offset: Any = "death_grant"
    severity_trend: float | None = None
    fee_ratio: Any = None
    fee_floor: float | None = None
    fee_cap: float | None = FEE_CAP
    on_breach: str = "error"
    below_floor: str = "spend"
    fee_base: str = "ex_vat"
    ledger: str = "provisioned"
    rules: Any = "xinzhou-2024"
    pooling: str = "insurer"
    costs: Any = None
    cost_inflation: float = 0.045
    prevention_effectiveness: float = 0.0
    grade_transitions: Any = None
    history: Any = "table"
    feedback: bool = True
    commission: float | None = None
    admin: float | None = None
    levy: float | None = None

    @classmethod
    def build(cls, **kw) -> "Levers":
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(kw) - set(names))
        if unknown:
            raise ValidationError(f"project: unknown lever(s) {unknown}; levers: {names}")
        lv = cls(**kw)
        lv.check()
        return lv

    def check(self) -> None:
        _num(self.trend, "trend", -0.5, 1.0)
        _num(self.income_growth, "income_growth", -0.5, 1.0)
        if self.severity_trend is not None:
            _num(self.severity_trend, "severity_trend", -0.5, 1.0)
        _num(self.cost_inflation, "cost_inflation", -0.5, 1.0)
        _num(self.prevention_effectiveness, "prevention_effectiveness", 0.0, 1.0)
        for name in ("commission", "admin", "levy"):
            v = getattr(self, name)
            if v is not None:
                _num(v, name, 0.0, 1.0)
        if self.ledger not in LEDGERS:
            raise ValidationError(f"project: ledger must be one of {list(LEDGERS)}, got {self.ledger!r}")
        if self.fee_base not in FEE_BASES:
            raise ValidationError(f"project: fee_base must be one of {list(FEE_BASES)}, got {self.fee_base!r}")
        if self.below_floor not in BELOW_FLOOR:
            raise ValidationError(f"project: below_floor must be one of {list(BELOW_FLOOR)}, got {self.below_floor!r}")
        nums = (int, float, np.integer, np.floating)
        if (isinstance(self.fee_floor, nums) and isinstance(self.fee_cap, nums) and not isinstance(self.fee_floor, bool)
                and float(self.fee_floor) > float(self.fee_cap) + 1e-12):
            raise ValidationError(f"project: fee_floor {self.fee_floor} is above fee_cap {self.fee_cap}: no ratio can meet both")
        if self.pooling not in POOLINGS:
            raise ValidationError(f"project: pooling must be one of {list(POOLINGS)}, got {self.pooling!r}")
        if not isinstance(self.feedback, (bool, np.bool_)):
            raise ValidationError(f"project: feedback must be True or False, got {self.feedback!r}")
        if not (isinstance(self.history, BonusMalus) or (isinstance(self.history, str) and self.history == "table")):
            raise ValidationError(f"project: history must be 'table' or a BonusMalus, got {self.history!r}")
        lim = self.limits
        if isinstance(lim, Mapping):
            bad = [k for k, v in lim.items() if not isinstance(v, LimitPolicy) or isinstance(k, bool) or not isinstance(k, (int, np.integer))]
            if bad or not lim:
                raise ValidationError(f"project: a limits schedule must map policy years to LimitPolicy objects, got {lim!r}")
            self.transition_matrix()
            return
        if not (isinstance(lim, LimitPolicy) or lim in ("as_priced", "beijing")
                or (isinstance(lim, (int, float, np.integer, np.floating)) and not isinstance(lim, bool))):
            raise ValidationError(f"project: limits must be 'as_priced', 'beijing', an amount, a LimitPolicy or "
                                  f"{{year: LimitPolicy}}, got {lim!r}")
        if isinstance(lim, (int, float, np.integer, np.floating)) and not isinstance(lim, LimitPolicy):
            _num(lim, "limits", NATIONAL_MIN_LIMIT, 1e8)
        self.transition_matrix()

    @property
    def severity_growth(self) -> float:
        return self.income_growth if self.severity_trend is None else float(self.severity_trend)

    def transition_matrix(self) -> np.ndarray | None:
        """The 4 × 4 std_grade matrix (rows: grade 0 none, 1 best, 2, 3), or None."""
        g = self.grade_transitions
        if g is None:
            return None
        try:
            P = np.asarray(g, dtype=np.float64)
        except (TypeError, ValueError):
            P = np.full(1, np.nan)
        if P.shape != (4, 4) or not np.isfinite(P).all() or (P < 0).any() or not np.allclose(P.sum(axis=1), 1.0):
            raise ValidationError("project: grade_transitions must be a 4 × 4 matrix of probabilities (rows std_grade 0-3) summing to 1 by row")
        return P

    def limit_policy(self, year: int) -> LimitPolicy | None:
        """The year's limit policy (None: the book's own limits)."""
        lim = self.limits
        if isinstance(lim, LimitPolicy):
            return lim
        if isinstance(lim, Mapping):
            if year not in lim:
                raise ValidationError(f"project: the limits schedule has no policy year {year} (years: {sorted(lim)})")
            return lim[year]
        if lim == "as_priced":
            return None
        if lim == "beijing":
            amount = indexed_limit(year, self.income_growth, self.limit_offset)
            return LimitPolicy(limit_death=amount, label=f"Beijing formula ({year - 1} incomes): {amount:,.0f}")
        return LimitPolicy.fixed(float(lim))

    def frame(self, table_loadings: Mapping[str, float], fee_text: str) -> pd.DataFrame:
        """The levers as run: ``lever``, ``value``, ``source``, ``flag``."""
        rows = []
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "severity_trend" and v is None:
                v = f"{self.severity_growth} (= income_growth)"
            elif f.name == "fee_ratio":
                v = fee_text
            elif f.name in ("commission", "admin", "levy") and v is None:
                v = f"{table_loadings[f.name]} (table)"
            elif isinstance(v, BonusMalus):
                v = f"BonusMalus({v.n_classes} classes)"
            elif isinstance(v, LimitPolicy):
                v = v.label
            elif f.name == "limits" and isinstance(v, Mapping):
                v = "; ".join(f"{y}: {p.limit_death:,.0f}" for y, p in sorted(v.items()))
            elif f.name in ("rules", "costs") and v is not None and not isinstance(v, (str, dict)):
                v = getattr(v, "name", None) or v.data.get("meta", {}).get("name", type(v).__name__)
            elif v is not None and f.name == "grade_transitions":
                v = np.asarray(v).round(4).tolist()
            src, flag = LEVER_SOURCES[f.name]
            rows.append({"lever": f.name, "value": str(v), "source": src, "flag": flag})
        return pd.DataFrame(rows)
