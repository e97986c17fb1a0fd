"""Losses: casualty model, limit policies, numba Monte Carlo, exact compound distributions."""

from . import exact
from .limits import LimitPolicy, beijing_limit
from .model import LossModel, cluster_pmf
from .risk import tvar, var
from .simulate import SimulationResult, simulate

__all__ = ["LossModel", "LimitPolicy", "beijing_limit", "cluster_pmf", "simulate", "SimulationResult", "exact", "var", "tvar"]
