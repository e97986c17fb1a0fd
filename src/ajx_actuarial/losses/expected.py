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
  enter only the aggregate term (:func:`._counts.aggregate_shock`).

The relativity of each unit is the model's (:meth:`LossModel.relativity`: its characteristics,
region and claim history), not the price's float factor.

Parts (death, disability, medical-only, rescue/legal, third party) are split pro rata exactly as the
simulation splits them, so each part's expectation equals the simulation's mean part.
Identical cells are grouped: one table per limit configuration serves every headcount, and the
aggregate term is computed only where a proven bound says it can reach 10 ppm of a policy's
expected loss (:mod:`._aggregate_bound`). :func:`expected_loss_many` runs several scenarios on
one book (as :func:`simulate_many` does), validating the book and computing the relativities once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import json
from collections.abc import Mapping

from ..errors import ValidationError
from ..portfolio import validate_portfolio
from .limits import LimitPolicy
from ._expected_core import EXPECTED_COLUMNS, expected_arrays, expected_frame
from .model import LossModel

__all__ = ["expected_loss", "expected_loss_many", "EXPECTED_COLUMNS"]


def _relativity(df: pd.DataFrame, model: LossModel, relativity: str | None) -> np.ndarray:
    """Each row's risk relativity: the model's (``"model"``), a column's, or 1 (``None``)."""
    n = len(df)
    if isinstance(relativity, np.ndarray):
        rel = relativity.astype(np.float64, copy=False)
        if rel.shape != (n,):
            raise ValidationError(f"expected_loss: a relativity array must hold one finite value > 0 per unit ({n}), got shape {rel.shape}")
        bad = np.flatnonzero(~np.isfinite(rel) | (rel <= 0))
        if bad.size:
            raise ValidationError(f"expected_loss: relativities must be finite and > 0; bad rows {bad[:5].tolist()} "
                                  f"(values {rel[bad[:5]].tolist()})")
        return rel
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
        ``None``: 1 (the sector average); an array: one relativity per unit, e.g. the model's
        computed once for several calls on one book (``model.relativity(book)``; as
        :func:`ajx_actuarial.stress.run` does across scenarios).

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
    model, limits = _scenario("expected_loss", (model, limits))
    df = validate_portfolio(book)
    return expected_frame(df, expected_arrays(df, model, _relativity(df, model, relativity), _limit_arrays(df, limits)))


def expected_loss_many(book: pd.DataFrame, scenarios: Mapping[str, object], *,
                       relativity: str | None = "model") -> dict[str, pd.DataFrame]:
    """:func:`expected_loss` of several scenarios on one book, sharing what they have in common.

    The book is validated once; the relativities are computed once per group of models that
    share them (:meth:`LossModel.relativity_key`: scenarios that differ in severity, common
    shock, systemic or parameter risk, or limits share one); scenarios with equal models and limits (e.g. ones that move only the
    premium or the fee) are computed once; the laws of one accident are cached per limit
    configuration across scenarios and calls. Each result equals ``expected_loss(book, model, limits)``.

    Parameters
    ----------
    book : DataFrame
        A portfolio (validated here, once).
    scenarios : mapping of name to SimSpec, (model, limits) or LossModel
        As :func:`simulate_many` takes them: a :class:`SimSpec` (its ``model`` and ``limits``),
        a pair ``(model, limits)`` (either may be ``None``: the default model, the book's limits),
        or a model alone.
    relativity : "model", str or None
        As in :func:`expected_loss`.

    Returns
    -------
    dict of str to DataFrame
        One :func:`expected_loss` frame per scenario, in the order given.

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> from ajx_actuarial.losses import expected_loss_many
    >>> book = pd.DataFrame({"policy_id": [1, 2], "industry": ["coal_mine", "other"], "size": "medium", "headcount": [300, 20]})
    >>> m = ajx.LossModel.default()
    >>> res = expected_loss_many(book, {"base": m, "800k": (m, ajx.LimitPolicy.fixed(800_000))})
    >>> bool(res["800k"]["expected_loss"].sum() > res["base"]["expected_loss"].sum())
    True
    """
    if not isinstance(scenarios, Mapping) or not scenarios:
        raise ValidationError(f"expected_loss_many: scenarios must be a non-empty mapping of name to SimSpec, "
                              f"(model, limits) or LossModel, got {type(scenarios).__name__}")
    specs = {str(name): _scenario(f"expected_loss_many: scenario {name!r}", spec) for name, spec in scenarios.items()}
    df = validate_portfolio(book)
    rels: dict = {}
    done: dict = {}
    out = {}
    for name, (model, limits) in specs.items():
        same = (json.dumps(model.as_dict(), sort_keys=True, default=str), limits)
        if same in done:  # the same model and limits as an earlier scenario (e.g. one that only moves the fee)
            out[name] = out[done[same]].copy()
            continue
        key = model.relativity_key() if relativity == "model" else None
        if key not in rels:
            rels[key] = _relativity(df, model, relativity)
        out[name] = expected_frame(df, expected_arrays(df, model, rels[key], _limit_arrays(df, limits)))
        done[same] = name
    return out


def _scenario(where: str, spec) -> tuple[LossModel, LimitPolicy | None]:
    """``(model, limits)`` of a SimSpec, a pair or a model, checked."""
    if isinstance(spec, LossModel) or spec is None:
        model, limits = spec, None
    elif isinstance(spec, tuple) and len(spec) == 2:
        model, limits = spec
    elif hasattr(spec, "model") and hasattr(spec, "limits"):  # SimSpec (not imported: the engine stays unimported)
        model, limits = spec.model, spec.limits
    else:
        raise ValidationError(f"{where}: expected a SimSpec, a (model, limits) pair or a LossModel, got {type(spec).__name__}")
    model = LossModel.default() if model is None else model
    if not isinstance(model, LossModel):
        raise ValidationError(f"{where}: model must be a LossModel, got {type(model).__name__}")
    if limits is not None and not isinstance(limits, LimitPolicy):
        raise ValidationError(f"{where}: limits must be a LimitPolicy, got {type(limits).__name__}")
    return model.validate(), limits


def _limit_arrays(df: pd.DataFrame, limits: LimitPolicy | None) -> tuple:
    """``(limit_death, limit_accident, limit_annual, limit_medical)``: the book's, or ``limits``' (as :func:`simulate`)."""
    if limits is not None:
        return limits.arrays(df)  # validated above: not again
    return tuple(df[c].to_numpy(dtype=np.float64) for c in ("limit_death", "limit_accident", "limit_annual", "limit_medical"))
