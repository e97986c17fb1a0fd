"""Rating: rate tables, premium calculation, floating factors, bonus-malus analytics, calibration,
credibility, pure-risk loss rates and the adequacy audit."""

from .adequacy import AdequacyResult, adequacy
from .basis import pure_risk_rates, risk_based_table
from .bonus_malus import BonusMalus
from .calibrate import CalibrationResult, calibrate, double_lift, gini, lift_table
from .credibility import BuhlmannStraubResult, HierarchicalResult, buhlmann_straub, hierarchical_credibility
from .price import PRICE_COLUMNS, explain, price
from .table import COMMISSION_CAP, FEE_CAP, Factor, RateTable, packaged_tables

__all__ = ["adequacy", "AdequacyResult", "pure_risk_rates", "risk_based_table", "BonusMalus", "calibrate", "CalibrationResult", "gini", "lift_table", "double_lift", "buhlmann_straub", "hierarchical_credibility", "BuhlmannStraubResult", "HierarchicalResult", "RateTable", "Factor", "price", "explain", "packaged_tables", "PRICE_COLUMNS", "COMMISSION_CAP", "FEE_CAP"]
