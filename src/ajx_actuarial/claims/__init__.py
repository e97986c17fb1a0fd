"""From a claims ledger to policy-year experience at ultimate (issue 14).

Modules: :mod:`.ledger` (the ledger contract and its validation), :mod:`.register` (the policy
register), :mod:`.triangles` (per-claim state at the valuation date, chainladder triangles),
:mod:`.develop` (chain ladder, Bornhuetter–Ferguson, Cape Cod, tails), :mod:`.allocate`
(ultimates back to policy-years), :mod:`.large` (capping, catastrophes), :mod:`.trend`
(frequency and severity trend), :mod:`.experience` (:func:`experience_from_claims`).
"""

from .develop import METHODS, TAIL_CURVES
from .experience import experience_from_claims
from .ledger import INJURIES, LEDGER_COLUMNS, OPTIONAL_COLUMNS, validate_ledger
from .result import ExperienceResult
from .trend import DEFAULT_FREQUENCY_TREND, Trend, income_index

__all__ = ["experience_from_claims", "ExperienceResult", "validate_ledger", "Trend", "income_index", "LEDGER_COLUMNS",
           "OPTIONAL_COLUMNS", "INJURIES", "METHODS", "TAIL_CURVES", "DEFAULT_FREQUENCY_TREND"]
