"""Bounds on sizes the API and the CLI take, checked before anything is allocated (one place for both).

Each bound is an assumption on absurd input, not a limit of the method: beyond it a call only
exhausts memory or time, so it is refused at once with one :class:`~ajx_actuarial.errors.ValidationError`
naming the argument, the bound and the value.

* :data:`MAX_POLICIES` (10 000 000): above the number of insured units in China's mandated
  industries; ``synth.portfolio(n)``, ``simulate``, ``project`` and the CLI's ``-n``.
* :data:`MAX_YEARS` (1 000 000 simulated years): puts the Monte Carlo error of a 99.5 % VaR far
  below any model error; ``simulate(years=)`` and the CLI's ``--years``.
* :data:`MAX_SCENARIOS` (1 000): a policy lab compares a handful to a few dozen scenarios side by
  side (the packaged sets hold at most a dozen); a thousand rows is already past any readable
  comparison, and each scenario is priced, simulated and assessed (about a second each on a
  10 000-policy book), so a generated file of 10^5 scenarios would run for a day. Scenario sets
  (``stress``, ``project(scenarios=)``) and ``simulate_many``'s mapping.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ValidationError

__all__ = ["MAX_POLICIES", "MAX_YEARS", "MAX_SCENARIOS", "check_count", "shown"]

MAX_POLICIES = 10_000_000
MAX_YEARS = 1_000_000
MAX_SCENARIOS = 1_000


def check_count(value: Any, name: str, lo: int, hi: int, where: str) -> int:
    """``value`` as an int in ``[lo, hi]``, or one :class:`ValidationError` naming ``where`` and ``name``.

    >>> check_count(5, "n", 1, MAX_POLICIES, "portfolio")
    5
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValidationError(f"{where}: {name} must be an integer in [{lo:,}, {hi:,}], got {shown(value)}")
    return int(value)


def shown(value: Any) -> str:
    """A value for a message: its repr cut at 60 characters, a type name for anything else (a huge input is not echoed).

    >>> shown(10**12), shown(10**400), shown([1, 2])
    ('1000000000000', 'an integer of 401 digits', 'list')
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and abs(int(value)) >= 10**30:
        return f"an integer of {len(str(abs(int(value)) // 10**30)) + 30} digits" if abs(int(value)) < 10**4000 else "a huge integer"
    s = repr(value) if isinstance(value, (int, float, str, bool, type(None), np.generic)) else type(value).__name__
    return s if len(s) <= 60 else s[:57] + "..."
