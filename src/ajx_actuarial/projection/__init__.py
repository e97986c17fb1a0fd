"""Multi-year projection of a book for regulators and insurers (issue 15).

``ajx.project(book, years=5, start_year=2026, table=..., paths=1000, rng=..., **levers)`` follows a
book over several policy years on many simulated paths: claims per policy (``simulate(...,
events=True)``), accident histories (:mod:`.state`), renewals with the floating rates
(:mod:`.renewal`), policy levers (:mod:`.levers`: frequency trend, limit indexation, fee schedule,
carry-forward, unit-cost inflation, prevention effectiveness, grade transitions), the prevention
ledger (:mod:`ajx_actuarial.prevention.ledger`), the insurer's result (:mod:`.result`) and its
C-ROSS phase II solvency with an internal-model view (:mod:`.solvency`).

Modules: ``levers``, ``state``, ``renewal``, ``loop`` (the yearly loop), ``result``, ``solvency``,
``insurers`` (the split by co-insurance pool member: ``ProjectionResult.by_insurer``).
"""

from .solvency import (CapitalResult, capital, k1_combined_ratio, k1_reserve, k2_ceded, minimum_capital, premium_risk_capital,
                      reserve_risk_capital)
from .levers import LEVER_SOURCES, Levers, indexed_income, indexed_limit
from .loop import project
from .result import ProjectionResult

__all__ = ["project", "ProjectionResult", "Levers", "LEVER_SOURCES", "indexed_limit", "indexed_income", "CapitalResult", "capital",
           "k1_combined_ratio", "k2_ceded", "k1_reserve", "premium_risk_capital", "reserve_risk_capital", "minimum_capital"]
