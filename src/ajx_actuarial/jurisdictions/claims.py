"""Claim rules of a jurisdiction as a cash-flow view: Beijing's 48-hour fast or advance payment.

Beijing 2026 draft (S01 §三): for an accident with two or more deaths (or a major social impact)
the insurer starts a fast-claim or advance-payment channel within 48 hours of the report. From a
simulation with ``events=True`` (one row per simulated year and policy with claims),
:func:`fast_payments` counts the policy-years whose worst accident killed at least
``min_deaths`` and adds up their insured loss: the cash the insurer must be ready to advance
within 48 hours, year by year. The policy-year's insured loss includes its other claims, so the
amount is an upper bound of the fast payments themselves.

**Liquidity within the hours.** Each case must be paid within ``hours`` of its report, so the cash
the insurer must find at once is the most that falls due within one ``hours``-long span:
``peak_cash`` of a simulated year is the largest total of cases reported within ``hours`` of one
another (cases placed at uniform random times in the year, drawn from ``rng``: accidents spread
evenly over the year, no season; assumption). With few cases it is the largest single case; the
longer the window, the more cases it gathers (a 8 760-hour window is the whole year's amount).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._random import RngLike, generator
from ..errors import ValidationError

__all__ = ["FastPayments", "fast_payments"]


@dataclass(frozen=True, eq=False)
class FastPayments:
    """Fast/advance payments per simulated year.

    Attributes
    ----------
    by_year : DataFrame
        ``sim_year``, ``cases`` (policy-years whose worst accident had >= ``min_deaths`` deaths),
        ``amount`` (their insured loss, CNY), ``peak_cash`` (the most falling due within one
        ``hours``-long span of the year, CNY).
    summary : dict
        ``min_deaths``, ``hours``, ``mean_cases``, ``mean_amount``, ``p99_amount``,
        ``share_of_years_with_a_case``, ``share_of_insured_loss``, ``mean_peak_cash``,
        ``p99_peak_cash``, ``max_peak_cash``.
    """

    by_year: pd.DataFrame
    summary: dict


def _peak(yr: np.ndarray, amount: np.ndarray, times: np.ndarray, span: float, years: int) -> np.ndarray:
    """Per year, the largest sum of amounts whose times lie within ``span`` of the first (a sliding window)."""
    peak = np.zeros(years)
    if yr.size == 0:
        return peak
    key = yr.astype(np.float64) * 2.0 + times  # times in [0, 1): years never mix (2 > 1 + span)
    order = np.argsort(key, kind="stable")
    key, a, y = key[order], amount[order], yr[order]
    cum = np.concatenate([[0.0], np.cumsum(a)])
    end = np.searchsorted(key, key + span, side="right")
    np.maximum.at(peak, y, cum[end] - cum[np.arange(key.size)])
    return peak


def fast_payments(result, min_deaths: int = 2, hours: float = 48, *, rng: RngLike = None) -> FastPayments:
    """The fast-payment cash flow of a simulation run with ``events=True``; ``rng`` places the cases in the
    year for ``peak_cash``.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> priced = ajx.price(ajx.synth.portfolio(500, rng=1), "national-2025")
    >>> fp = ajx.jurisdictions.fast_payments(ajx.simulate(priced, 50, rng=2, events=True))
    >>> len(fp.by_year), fp.summary["min_deaths"]
    (50, 2)
    >>> bool((fp.by_year["peak_cash"] <= fp.by_year["amount"] + 1e-6).all())
    True
    """
    ev = getattr(result, "events", None)
    if ev is None:
        raise ValidationError("fast_payments: the simulation has no events; run ajx.simulate(..., events=True)")
    if isinstance(min_deaths, bool) or not isinstance(min_deaths, (int, np.integer)) or min_deaths < 1:
        raise ValidationError(f"fast_payments: min_deaths must be an integer >= 1, got {min_deaths!r}")
    if isinstance(hours, bool) or not isinstance(hours, (int, float, np.integer, np.floating)) or not 0 < hours <= 8784:
        raise ValidationError(f"fast_payments: hours must be a number in (0, 8784] (at most a year), got {hours!r}")
    years = int(result.annual.shape[0])
    hit = ev["max_deaths"].to_numpy() >= min_deaths
    yr = ev["sim_year"].to_numpy()[hit]
    cases = np.bincount(yr, minlength=years)
    amount = np.bincount(yr, weights=ev["insured"].to_numpy()[hit], minlength=years)
    times = generator(rng).random(int(hit.sum()))  # report time of each case, as a share of the year
    peak = _peak(yr, ev["insured"].to_numpy(dtype=np.float64)[hit], times, float(hours) / 8760.0, years)
    by_year = pd.DataFrame({"sim_year": np.arange(years), "cases": cases, "amount": amount, "peak_cash": peak})
    total = float(ev["insured"].sum())
    summary = {"min_deaths": int(min_deaths), "hours": float(hours), "mean_cases": float(cases.mean()), "mean_amount": float(amount.mean()),
               "p99_amount": float(np.quantile(amount, 0.99)), "share_of_years_with_a_case": float((cases > 0).mean()),
               "share_of_insured_loss": float(amount.sum() / total) if total > 0 else float("nan"),
               "mean_peak_cash": float(peak.mean()), "p99_peak_cash": float(np.quantile(peak, 0.99)), "max_peak_cash": float(peak.max())}
    return FastPayments(by_year=by_year, summary=summary)
