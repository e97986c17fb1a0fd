"""Rating: rate tables, premium calculation, floating factors, bonus-malus analytics, pure-risk loss
rates and the adequacy audit. (Calibration and credibility, which estimate rates from data, are in
:mod:`ajx_actuarial.estimation`, a layer above.)"""

from .adequacy import AdequacyResult, adequacy
from .basis import pure_risk_rates, risk_based_table
from .bonus_malus import BonusMalus
from .price import PRICE_COLUMNS, explain, price
from .table import COMMISSION_CAP, FEE_CAP, Factor, RateTable, packaged_tables

__all__ = ["adequacy", "AdequacyResult", "pure_risk_rates", "risk_based_table", "BonusMalus", "RateTable", "Factor", "price",
           "explain", "packaged_tables", "PRICE_COLUMNS", "COMMISSION_CAP", "FEE_CAP"]
