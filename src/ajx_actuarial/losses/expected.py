"""Exact expected annual insured loss per policy under the nested limits: ``ajx.expected_loss``.

No Monte Carlo. For each policy, with accident rates ``λ_t = headcount × relativity × rate_t``
(fatal, disability, medical-only; :meth:`LossModel.rates`):

``E[insured] = λ_f E[T_fatal] + λ_d E[T_dis] + λ_m E[min(X, limit_medical)] − E[(S − A)+]``

* ``E[T_fatal]`` is the exact mean of one fatal accident's payout after the per-person and
  per-accident limits (deaths capped at the headcount, disabled co-workers, grades; see
  :mod:`._accident`), ``E[T_dis]`` likewise for a disability accident;
* ``E[(S − A)+]`` is what the annual aggregate limit ``A`` removes, from the policy-year
  compound distribution of the fatal and disability payouts (Poisson or negative binomial
  counts, integrated over the common shock; :mod:`._aggregate`), computed wherever it can bind;
* medical-only claims stay outside the annual aggregate, as in :func:`simulate`;
* systemic and parameter risk (per-year multipliers of mean 1) leave the mean unchanged and
  enter only the aggregate term (:func:`._expected_core.aggregate_shock`).

The relativity of each unit is the model's (:meth:`LossModel.relativity`: its characteristics,
region and claim history), not the price's float factor.

Parts (death, disability, medical-only, rescue/legal, third party) are split pro rata exactly as the
simulation splits them, so each part's expectation equals the simulation's mean part.
Identical cells are grouped: one table per limit configuration serves every headcount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..portfolio import validate_portfolio
from .limits import LimitPolicy
from ._expected_core import EXPECTED_COLUMNS, expected_parts
from .model import LossModel

__all__ = ["expected_loss", "EXPECTED_COLUMNS"]


def _relativity(df: pd.DataFrame, model: LossModel, relativity: str | None) -> np.ndarray:
    """Each row's risk relativity: the model's (``"model"``), a column's, or 1 (``None``)."""
    n = len(df)
    if relativity == "model":
        return model.relativity(df)
    if relativity is None:
        return np.ones(n)
    if not isinstance(relativity, str) or relativity not in df.columns:
        raise ValidationError(f"expected_loss: relativity must be 'model', None or a column of the portfolio, got {relativity!r}")
    rel = df[relativity].to_numpy(dtype=np.float64)
    if not np.isfinite(rel).all() or (rel <= 0).any():
        bad = np.flatnonzero(~np.isfinite(rel) | (rel <= 0))[:5].tolist()
        raise ValidationError(f"expected_loss: relativity column {relativity!r} must be finite and > 0; bad rows {bad}")
    return rel


def expected_loss(book: pd.DataFrame, model: LossModel | None = None, limits: LimitPolicy | None = None, *,
                  relativity: str | None = "model") -> pd.DataFrame:
    """Exact expected annual loss of every policy, in total and by part, under the nested limits.

    Parameters
    ----------
    book : DataFrame
        A portfolio (validated here).
    model : LossModel, optional
        Defaults to :meth:`LossModel.default`. The common shock (``shock_cv``) and negative
        binomial counts change only what the annual aggregate removes; the rest is linear in the
        rates.
    limits : LimitPolicy, optional
        Overrides the portfolio's limits (as :func:`simulate` does).
    relativity : "model", str or None
        ``"model"`` (default): each unit's relativity from the model's relativities on its
        characteristics and history (:meth:`LossModel.relativity`); a column name: that column
        (e.g. ``risk_relativity``, the price's float factor over its mean, for comparison);
        ``None``: 1 (the sector average).

    Returns
    -------
    DataFrame
        One row per policy (same order as ``book``): ``policy_id``, ``industry``, ``headcount``,
        ``limit_death``, ``expected_loss`` (insured, CNY per year) = ``death`` + ``disability``
        + ``medical`` + ``rescue`` (rescue, medical-rescue, appraisal and legal costs) +
        ``third_party`` (third-party death and injury), then
        ``gross_loss`` (economic loss before limits), ``expected_deaths``, ``expected_accidents``
        (fatal + disability), ``aggregate_reduction`` (what the annual aggregate limit removes).
        ``attrs["method"]`` records the lattices used and whether they were exact.

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> book = pd.DataFrame({"policy_id": [1], "industry": ["coal_mine"], "size": ["medium"], "headcount": [300]})
    >>> e = ajx.expected_loss(book)
    >>> parts = ["death", "disability", "medical", "rescue", "third_party"]
    >>> round(float(e.loc[0, "expected_loss"]), 2) == round(float(e.loc[0, parts].sum()), 2)
    True
    """
    model = LossModel.default() if model is None else model
    if not isinstance(model, LossModel):
        raise ValidationError(f"expected_loss: model must be a LossModel, got {type(model).__name__}")
    model = model.validate()
    df = validate_portfolio(book)
    if limits is not None:
        if not isinstance(limits, LimitPolicy):
            raise ValidationError(f"expected_loss: limits must be a LimitPolicy, got {type(limits).__name__}")
        df = df.assign(**dict(zip(("limit_death", "limit_accident", "limit_annual", "limit_medical"),
                                  limits.arrays(df))))  # validated above: not again
    return expected_parts(df, model, _relativity(df, model, relativity))
