"""Prevention-fee budgets against mandated service frequencies (DESIGN.md §5; DOMAIN.md §2, §7.4)."""

from ._services import SERVICE_TYPES
from .assess import FEE_CAP, PreventionResult, assess, compare, fee_schedule, priced_fee_ratio
from .costs import CostTable
from .rules import MandateRules, packaged_rules

__all__ = ["assess", "compare", "PreventionResult", "MandateRules", "CostTable", "SERVICE_TYPES", "packaged_rules", "fee_schedule",
           "priced_fee_ratio", "FEE_CAP"]
