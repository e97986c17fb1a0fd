"""Names shared by the prevention modules (kept here, below ``rules`` and ``costs``, so neither imports the other)."""

from __future__ import annotations

__all__ = ["SERVICE_TYPES", "MAX_COUNT_PER_YEAR", "MAX_UNIT_COST"]

SERVICE_TYPES: tuple[str, ...] = ("risk_assessment", "hazard_inspection", "thorough_inspection", "training", "drill", "online")

# Bounds on absurd input (assumption): a mandate or contract above one delivery a day of each
# service type (1000 a year leaves room) or a unit cost above 10 million CNY per delivery is a
# typing or unit error, not a plan; the largest packaged unit cost is a few tens of thousands CNY.
MAX_COUNT_PER_YEAR = 1000.0
MAX_UNIT_COST = 1e7
