"""Prevention-fee rules of a jurisdiction as data: ratio or yearly schedule, floor, cap and ledger.

A bundle's ``[fee]`` gives the fee ratio (a share of the ``base``: the ex-VAT premium, as Xinzhou
S04 states, or the premium collected, as Beijing S01) either as one ``ratio`` or as a ``schedule``
by year (Beijing's ramp to 20 % by end-2028), a ``floor`` (Xinzhou: >= 15 %), a ``cap`` (national:
<= 21 %; the most a floor rule spends), the lines the fee pays besides the services (``it_cost``:
Xinzhou S04 §三(四) 包括承保机构建设事故预防技术服务信息系统的费用, CNY per insured unit a year), a
ring-fenced fund inside it (``earmark``: Beijing 2017 S00 §(十一) 隐患排查专项资金, the service it pays
first) and the ``ledger`` regime:

``provisioned``       the budget (ratio × collected premium) is set aside; services are charged to
                      it at actual cost; what is unspent at year end lapses (Zhoushan's 按规定比例提取);
``carry_forward``     as provisioned, but what is unspent moves to next year (Beijing 2026 draft);
``not_provisioned``   no provision: only the services actually delivered are an expense
                      (据实列支, 不得预提: Zhejiang, Xinzhou); the ratio is a floor on that spend, and
                      unspent budget is not an expense.

A ratio below the floor or above the cap is a breach, found by
:func:`ajx_actuarial.prevention.fee_schedule`: with ``on_breach="error"`` a
:class:`~ajx_actuarial.errors.ValidationError` naming the year, the ratio, the rule and the bundle's
source for it; with ``"flag"`` the schedule is returned with the breach listed in ``breaches``.
The money then runs through :func:`ajx_actuarial.prevention.ledger` under the bundle's regime
(:func:`ajx_actuarial.prevention.assess` with ``ledger=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..prevention import fee_schedule as _fee_schedule
from ..prevention.fees import BREACH_MODES, MAX_YEARS, _year
from ..prevention.ledger import LEDGERS

__all__ = ["FeeSchedule", "LEDGERS", "BREACH_MODES", "resolve_fee"]


@dataclass(frozen=True, eq=False)
class FeeSchedule:
    """Fee ratio per policy year under a jurisdiction's floor and cap.

    Attributes
    ----------
    years : list of int
    ratios : ndarray
        Share of the collected (ex-VAT) premium budgeted for prevention, per year.
    floor, cap : float or None
    ledger : str
    base : {"ex_vat", "collected"}
        What the ratios are a share of: the ex-VAT premium (Xinzhou S04: 实收保费（不含税）) or the
        collected premium, VAT included (Beijing S01, Zhejiang, Zhoushan: 实收保费 / 保费).
        One of :data:`LEDGERS` (:mod:`ajx_actuarial.prevention.ledger`).
    it_cost : float or None
        CNY per insured unit a year of the insurer's prevention IT systems, paid from the fee.
    earmark : str or None
        The service type a ring-fenced fund inside the fee pays first.
    breaches : DataFrame
        ``year``, ``fee_ratio``, ``rule`` (``floor`` / ``cap``), ``limit``, ``source``; empty when the
        schedule respects both.
    """

    years: list[int]
    ratios: np.ndarray
    floor: float | None
    cap: float | None
    ledger: str
    breaches: pd.DataFrame = field(default_factory=pd.DataFrame)
    base: str = "ex_vat"
    it_cost: float | None = None
    earmark: str | None = None

    def __post_init__(self):
        # as_mapping() keys on the year: a year listed twice would keep one ratio silently
        yrs = [int(y) for y in self.years]
        twice = sorted({y for y in yrs if yrs.count(y) > 1})
        if twice:
            raise ValidationError(f"FeeSchedule: years must be distinct; {twice[0]} is listed twice (years {yrs})"[:300])
        if len(yrs) != len(np.atleast_1d(self.ratios)):
            raise ValidationError(f"FeeSchedule: {len(yrs)} years but {len(np.atleast_1d(self.ratios))} ratios")

    def as_mapping(self) -> dict[int, float]:
        """``{year: ratio}``, the form :func:`ajx_actuarial.prevention.assess` takes as ``fee_ratio``."""
        return {int(y): float(r) for y, r in zip(self.years, self.ratios)}

    @property
    def carry_forward(self) -> bool:
        return self.ledger == "carry_forward"

    def assess_kwargs(self) -> dict:
        """Keywords of :func:`ajx_actuarial.prevention.assess` that run this schedule on its ledger
        (a flagged breach runs as flagged)."""
        kw = {"fee_ratio": self.as_mapping(), "years": len(self.years), "start_year": self.years[0], "ledger": self.ledger,
              "floor": self.floor, "on_breach": "flag" if len(self.breaches) else "error", "fee_base": self.base, "cap": self.cap}
        kw.update({k: v for k, v in (("it_cost", self.it_cost), ("earmark", self.earmark)) if v is not None})
        return kw

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"year": self.years, "fee_ratio": self.ratios, "floor": self.floor, "cap": self.cap, "ledger": self.ledger,
                             "base": self.base, "it_cost": self.it_cost, "earmark": self.earmark})


def resolve_fee(fee: dict, name: str, *, fee_ratio=None, years: int | None = None, start_year: int | None = None,
                default_start: int = 2026, on_breach: str = "error") -> FeeSchedule:
    """The fee schedule of a bundle's ``[fee]`` (or the user's ``fee_ratio``) checked against its floor and cap."""
    if on_breach not in BREACH_MODES:
        raise ValidationError(f"fee: on_breach must be one of {list(BREACH_MODES)}, got {on_breach!r}")
    if years is not None and (isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 1 <= years <= MAX_YEARS):
        raise ValidationError(f"fee: years must be an integer in [1, {MAX_YEARS}], got {years!r}")
    if start_year is not None:
        start_year = _year(start_year, "start_year")
    floor = fee["floor"]["value"] if "floor" in fee else None
    cap = fee["cap"]["value"] if "cap" in fee else None
    bundle_sched = {int(it["year"]): it["value"] for it in fee.get("schedule", [])}
    given = fee_ratio if fee_ratio is not None else (bundle_sched or fee["ratio"]["value"])
    if isinstance(given, Mapping):
        keys = sorted(int(k) for k in given) if given else []
        # the bundle's own schedule starts at its effective year; a user's at its first listed year
        first = default_start if fee_ratio is None else (keys[0] if keys else default_start)
        start = int(start_year) if start_year is not None else first
        n = int(years) if years is not None else max(1, (keys[-1] - start + 1) if keys else 1)
    else:
        start = int(start_year) if start_year is not None else default_start
        n = int(years) if years is not None else 1
    fr = _fee_schedule(given, n, start, floor=floor, cap=cap, on_breach="flag")
    breaches = fr.breaches.assign(source=[fee[r]["source"] for r in fr.breaches["rule"]])
    if len(breaches) and on_breach == "error":
        b = breaches.iloc[0]
        word = "below the floor" if b["rule"] == "floor" else "above the cap"
        more = f" ({len(breaches)} breaches in all)" if len(breaches) > 1 else ""
        raise ValidationError(
            f"fee_ratio: {b['fee_ratio']:.4g} in {int(b['year'])} is {word} of {b['limit']:.0%} of the collected premium under "
            f"jurisdiction {name!r} ({b['source']}){more}; pass on_breach='flag' (CLI: --fee-breach flag) to run it as a flagged breach"
        )
    return FeeSchedule(years=list(fr.years), ratios=np.asarray(fr.ratios, dtype=np.float64), floor=floor, cap=cap, ledger=fee["ledger"],
                       breaches=breaches, base=str(fee.get("base", "ex_vat")),
                       it_cost=float(fee["it_cost"]["value"]) if "it_cost" in fee else None,
                       earmark=str(fee["earmark"]["value"]) if "earmark" in fee else None)
