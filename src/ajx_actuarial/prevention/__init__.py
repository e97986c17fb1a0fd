"""Prevention-fee budgets against mandated service frequencies (DESIGN.md §5; DOMAIN.md §2, §7.4).

Modules: ``rules`` (mandates), ``costs`` (unit costs), ``fees`` (fee ratio by year, floor and cap),
``ledger`` (money per year and pool: budget, carried in, spent, carried out, lapsed, shortfall),
``timing`` (within the year: inception, the first service, what is delivered and provisioned by
31 December), ``assess`` (per policy, segment and portfolio; its result in ``result``).
"""

from ._services import SERVICE_TYPES
from .assess import FEE_CAP, POOLINGS, PreventionResult, assess, compare, fee_schedule, pool_index, priced_fee_ratio
from .costs import CostTable
from .fees import BREACH_MODES, FeeRatios
from .ledger import LEDGERS, LedgerYear, ledger, ledger_step
from .rules import MandateRules, packaged_rules

__all__ = ["assess", "compare", "PreventionResult", "MandateRules", "CostTable", "SERVICE_TYPES", "packaged_rules", "fee_schedule",
           "priced_fee_ratio", "FEE_CAP",
           "FeeRatios", "BREACH_MODES", "pool_index", "POOLINGS", "ledger", "ledger_step", "LedgerYear", "LEDGERS"]
