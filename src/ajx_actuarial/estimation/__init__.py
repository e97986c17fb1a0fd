"""Estimation from a user's data, one layer above ``losses`` and ``rating``.

* :func:`fit_loss_model` — :meth:`ajx_actuarial.LossModel.fit`: frequencies by part and sector,
  relativities, frailty and severities, blended with a prior by credibility (``fit.py``,
  ``_fit_frequency.py``, ``_fit_severity.py``);
* :func:`calibrate` — GLM relativities from experience to a rate table (``calibrate.py`` re-exports
  ``_glm``, ``_calibration``, ``_to_table``, ``_base_rates``, ``_factors``, ``diagnostics``);
* :func:`buhlmann_straub`, :func:`hierarchical_credibility` — credibility (``credibility.py``).
"""

from ..losses.model import register_fitter
from .calibrate import CalibrationResult, calibrate, double_lift, gini, lift_table
from .credibility import BuhlmannStraubResult, HierarchicalResult, buhlmann_straub, hierarchical_credibility
from .fit import CREDIBILITY, fit_loss_model

register_fitter(fit_loss_model)

__all__ = ["fit_loss_model", "CREDIBILITY", "calibrate", "CalibrationResult", "gini", "lift_table", "double_lift", "buhlmann_straub",
           "hierarchical_credibility", "BuhlmannStraubResult", "HierarchicalResult"]
