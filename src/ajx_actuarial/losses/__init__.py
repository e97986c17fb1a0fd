"""Losses: casualty model, limit policies, exact expected losses, numba Monte Carlo, exact compound distributions."""

from . import exact
from .engine import SimSpec
from .expected import expected_loss, expected_loss_many
from .limits import LimitPolicy, beijing_limit
from .model import LossModel, cluster_pmf
from .risk import tvar, var
from .simulate import SimulationResult, simulate, simulate_many

__all__ = ["LossModel", "LimitPolicy", "beijing_limit", "cluster_pmf", "simulate", "simulate_many", "SimSpec", "SimulationResult",
           "expected_loss", "expected_loss_many", "exact", "var", "tvar"]
