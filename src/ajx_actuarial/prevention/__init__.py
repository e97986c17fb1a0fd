"""Prevention-fee budgets against mandated service frequencies (DESIGN.md §5; DOMAIN.md §2, §7.4)."""

from .assess import FEE_CAP, PreventionResult, assess, compare, fee_schedule
from .costs import CostTable
from .rules import SERVICE_TYPES, MandateRules, packaged_rules

__all__ = ["assess", "compare", "PreventionResult", "MandateRules", "CostTable", "SERVICE_TYPES", "packaged_rules", "fee_schedule", "FEE_CAP"]
