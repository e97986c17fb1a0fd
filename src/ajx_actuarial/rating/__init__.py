"""Rating: rate tables, premium calculation, floating factors and bonus-malus analytics."""

from .bonus_malus import BonusMalus
from .price import PRICE_COLUMNS, explain, price
from .table import COMMISSION_CAP, FEE_CAP, Factor, RateTable, packaged_tables

__all__ = ["BonusMalus", "RateTable", "Factor", "price", "explain", "packaged_tables", "PRICE_COLUMNS", "COMMISSION_CAP", "FEE_CAP"]
