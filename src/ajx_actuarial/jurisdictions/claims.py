"""Claim rules of a jurisdiction as a cash-flow view: Beijing's 48-hour fast or advance payment.

Beijing 2026 draft (S01 §三): for an accident with two or more deaths (or a major social impact)
the insurer starts a fast-claim or advance-payment channel within 48 hours of the report. From a
simulation with ``events=True`` (one row per simulated year and policy with claims),
:func:`fast_payments` counts the policy-years whose worst accident killed at least
``min_deaths`` and adds up their insured loss: the cash the insurer must be ready to advance
within 48 hours, year by year. The policy-year's insured loss includes its other claims, so the
amount is an upper bound of the fast payments themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["FastPayments", "fast_payments"]


@dataclass(frozen=True, eq=False)
class FastPayments:
    """Fast/advance payments per simulated year.

    Attributes
    ----------
    by_year : DataFrame
        ``sim_year``, ``cases`` (policy-years whose worst accident had >= ``min_deaths`` deaths),
        ``amount`` (their insured loss, CNY).
    summary : dict
        ``min_deaths``, ``hours``, ``mean_cases``, ``mean_amount``, ``p99_amount``,
        ``share_of_years_with_a_case``, ``share_of_insured_loss``.
    """

    by_year: pd.DataFrame
    summary: dict


def fast_payments(result, min_deaths: int = 2, hours: int = 48) -> FastPayments:
    """The fast-payment cash flow of a simulation run with ``events=True``.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> priced = ajx.price(ajx.synth.portfolio(500, rng=1), "national-2025")
    >>> fp = ajx.jurisdictions.fast_payments(ajx.simulate(priced, 50, rng=2, events=True))
    >>> len(fp.by_year), fp.summary["min_deaths"]
    (50, 2)
    """
    ev = getattr(result, "events", None)
    if ev is None:
        raise ValidationError("fast_payments: the simulation has no events; run ajx.simulate(..., events=True)")
    if isinstance(min_deaths, bool) or not isinstance(min_deaths, (int, np.integer)) or min_deaths < 1:
        raise ValidationError(f"fast_payments: min_deaths must be an integer >= 1, got {min_deaths!r}")
    years = int(result.annual.shape[0])
    hit = ev["max_deaths"].to_numpy() >= min_deaths
    yr = ev["sim_year"].to_numpy()[hit]
    cases = np.bincount(yr, minlength=years)
    amount = np.bincount(yr, weights=ev["insured"].to_numpy()[hit], minlength=years)
    by_year = pd.DataFrame({"sim_year": np.arange(years), "cases": cases, "amount": amount})
    total = float(ev["insured"].sum())
    summary = {"min_deaths": int(min_deaths), "hours": int(hours), "mean_cases": float(cases.mean()), "mean_amount": float(amount.mean()),
               "p99_amount": float(np.quantile(amount, 0.99)), "share_of_years_with_a_case": float((cases > 0).mean()),
               "share_of_insured_loss": float(amount.sum() / total) if total > 0 else float("nan")}
    return FastPayments(by_year=by_year, summary=summary)
