"""ajx_actuarial: pricing, loss simulation and prevention budgets for 安全生产责任保险.

Importing the package is cheap and has no side effects: numba kernels compile on first use
(and are cached on disk), Dask is imported only when its backend is asked for.

>>> import ajx_actuarial as ajx
>>> book = ajx.synth.portfolio(100, rng=7)
>>> ajx.validate_portfolio(book).shape[0]
100
"""

from __future__ import annotations

from . import jurisdictions, prevention, reference, scenarios, stress, synth
from ._version import __version__
from .errors import AjxError, AjxWarning, ValidationError
from .losses import LimitPolicy, LossModel, SimSpec, SimulationResult, exact, expected_loss, simulate, simulate_many
from .rating import AdequacyResult, BonusMalus, RateTable, adequacy, explain, price, pure_risk_rates
from .portfolio import read_portfolio, read_table, validate_experience, validate_portfolio, write_table
from . import claims, estimation
from .estimation import buhlmann_straub, calibrate, hierarchical_credibility
from .claims import ExperienceResult, experience_from_claims
from .projection import ProjectionResult, project
from .coinsurance import CoinsurancePool

__all__ = [
    "__version__",
    "AjxError",
    "AjxWarning",
    "ValidationError",
    "reference",
    "RateTable",
    "price",
    "pure_risk_rates",
    "adequacy",
    "AdequacyResult",
    "explain",
    "BonusMalus",
    "calibrate",
    "buhlmann_straub",
    "hierarchical_credibility",
    "LossModel",
    "LimitPolicy",
    "simulate",
    "simulate_many",
    "SimSpec",
    "SimulationResult",
    "expected_loss",
    "exact",
    "claims",
    "estimation",
    "experience_from_claims",
    "ExperienceResult",
    "project",
    "ProjectionResult",
    "CoinsurancePool",
    "synth",
    "prevention",
    "jurisdictions",
    "scenarios",
    "stress",
    "validate_portfolio",
    "validate_experience",
    "read_portfolio",
    "read_table",
    "write_table",
]
