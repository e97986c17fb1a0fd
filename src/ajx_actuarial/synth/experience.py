"""``experience``: policy-year claim experience of a book, drawn from a loss model (the one generator)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._attrs import SharedRecord
from .._random import RngLike, generator
from ..errors import ValidationError
from . import _core
from .book import frailty

__all__ = ["experience"]


@dataclass
class _Years:
    pf: pd.DataFrame
    rows: np.ndarray
    year: np.ndarray
    t: np.ndarray
    exposure: np.ndarray
    acc: _core.Accidents
    model: object
    year_effect: np.ndarray


def book_model(book: pd.DataFrame):
    """The loss model a synthetic book was drawn from (``attrs["synth"]["model"]``), else the default."""
    from ..losses import LossModel

    meta = book.attrs.get("synth", {}) if hasattr(book, "attrs") else {}
    if isinstance(meta, dict) and "model" in meta:
        return LossModel.from_dict(meta["model"])
    return LossModel.default()


def _theta(book: pd.DataFrame, pf: pd.DataFrame, cv: float, g: np.random.Generator) -> np.ndarray:
    """The book's own frailties when it carries them for this CV, else fresh draws from ``g``."""
    meta = book.attrs.get("synth") if hasattr(book, "attrs") else None
    n = len(pf)
    if isinstance(meta, dict) and "frailty_seed" in meta:
        ids = pf["policy_id"].to_numpy()
        if np.issubdtype(ids.dtype, np.integer) and float(meta.get("frailty_cv", -1.0)) == cv and ids.min() >= 1 and ids.max() <= int(meta["n"]):
            return frailty(int(meta["frailty_seed"]), int(meta["n"]), cv)[ids - 1]
    if cv <= 0:
        return np.ones(n)
    shape = 1.0 / cv**2
    return g.gamma(shape, 1.0 / shape, size=n)


def year_effects(model, g: np.random.Generator, years: int, industry_codes: np.ndarray) -> np.ndarray:
    """Calendar-year multipliers of each row's industry, shape (years, industries): the model's
    systemic year effect (lognormal, ``year_cv``, shared by the book) × its common shock
    (``shock_cv`` by industry or for all). Parameter uncertainty is not drawn: a synthetic
    book's truth is known."""
    k = int(industry_codes.max(initial=0)) + 1
    out = np.ones((years, k))
    if model.year_cv > 0:
        s2 = np.log1p(model.year_cv**2)
        out *= g.lognormal(-s2 / 2, np.sqrt(s2), size=years)[:, None]
    if model.shock_cv > 0:
        cols = k if model.shock_by == "industry" else 1
        if model.shock_dist == "gamma":
            a = 1.0 / model.shock_cv**2
            out *= g.gamma(a, 1.0 / a, size=(years, cols))
        else:
            s2 = np.log1p(model.shock_cv**2)
            out *= g.lognormal(-s2 / 2, np.sqrt(s2), size=(years, cols))
    return out


def simulate_years(book: pd.DataFrame, years: int, g: np.random.Generator, model,
                   start_year: int, partial_share: float, where: str) -> _Years:
    """Shared core of :func:`experience` and :func:`claims` (identical draws for the same ``g``)."""
    from ..portfolio import validate_portfolio

    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise ValidationError(f"{where}: years must be an integer >= 1, got {years!r}")
    if isinstance(start_year, bool) or not isinstance(start_year, (int, np.integer)) or not 1900 <= start_year <= 2200 - years:
        raise ValidationError(f"{where}: start_year must be an integer year in 1900..{2200 - years}, got {start_year!r}")
    if not 0.0 <= partial_share <= 1.0:
        raise ValidationError(f"{where}: partial_share must be in [0, 1], got {partial_share!r}")
    from ..losses import LossModel

    pf = validate_portfolio(book)
    if model is None:
        model = book_model(book)
    elif not isinstance(model, LossModel):
        raise ValidationError(f"{where}: model must be a LossModel, got {type(model).__name__}")
    n = len(pf)
    theta = _theta(book, pf, model.heterogeneity_cv, g)
    rows = np.repeat(np.arange(n), years)
    year = np.tile(np.arange(start_year, start_year + years, dtype=np.int64), n)
    t = np.ones(rows.size)
    part = g.random(rows.size) < partial_share
    t[part] = g.uniform(0.25, 1.0, size=int(part.sum()))
    head = pf["headcount"].to_numpy(dtype=np.int64)
    exposure = head[rows] * t
    ind = pf["industry"].cat.codes.to_numpy()
    ye = year_effects(model, g, years, ind)
    per_worker = _core.unit_rates(model, pf) * (model.relativity(pf, history=False) * theta)[:, None]
    lam = per_worker[rows] * (exposure * ye[year - start_year, ind[rows]])[:, None]
    limits = pf[["limit_death", "limit_medical", "limit_accident", "limit_annual"]].to_numpy(dtype=np.float64)
    acc = _core.draw(g, model, lam, head[rows], limits[rows])
    return _Years(pf, rows, year, t, exposure, acc, model, ye)


def experience(
    portfolio: pd.DataFrame,
    years: int,
    *,
    rng: RngLike = None,
    model=None,
    start_year: int = 2021,
    partial_share: float = 0.1,
) -> pd.DataFrame:
    """Policy-year claim experience of ``portfolio`` drawn per accident and victim from a loss model.

    Policy years are calendar years ``start_year …``; exposure = headcount × t with t = 1 except
    for a ``partial_share`` of rows with t ~ U(0.25, 1) (mid-year inception). The law is the
    :class:`~ajx_actuarial.LossModel`'s — the one :func:`~ajx_actuarial.simulate` and
    :func:`~ajx_actuarial.expected_loss` use: accident rates by sector × the unit's relativity
    (:meth:`LossModel.relativity` without history) × its frailty θ, which persists over the years
    (the book's own θ when it came from :func:`portfolio` with the same frailty CV, so its history
    predicts its experience) × the calendar year's systemic effect (``year_cv``, shared by the
    book). Parameter uncertainty is not drawn: the model *is* the truth here. Accidents and victims
    come from the generator shared with :func:`claims`: with the same ``rng`` the claims ledger
    valued at full development aggregates exactly to this table.

    Counts and amounts per policy-year:

    * ``claims`` — **accidents** (fatal + disability + medical-only), Poisson in exposure, and
      by kind ``fatal_accidents``, ``disability_accidents``, ``medical_claims``;
    * ``deaths`` — deaths (cluster per fatal accident, capped at headcount);
    * ``disabilities`` — permanently disabled victims (disability accidents plus co-workers
      disabled in fatal accidents);
    * ``incurred`` — **insured loss at ultimate**: per-victim payouts after the per-person
      limits (death ``min(death_loss, limit_death)``; grade g ``min(civil_share[g] ×
      death_loss, payout_share[g] × limit_death)``; medical ``min(cost, limit_medical)``), a
      fatal accident's rescue/legal and third-party costs, then the per-accident and annual
      aggregate limits pro rata, floored to the fen.

    Parameters
    ----------
    portfolio : DataFrame
        A book satisfying the portfolio contract.
    years : int
        Policy years (>= 1).
    rng : int | SeedSequence | Generator | None
    model : LossModel, optional
        Default: the model recorded by :func:`portfolio` in ``attrs["synth"]``, else
        :meth:`LossModel.default`.
    start_year : int
    partial_share : float in [0, 1]

    Returns
    -------
    DataFrame
        The experience contract (``policy_id``, ``year``, rating columns, ``exposure``,
        ``claims``, ``deaths``, ``disabilities``, ``incurred``) and the counts by kind, ordered
        by policy then year; ``attrs["model"]`` holds :meth:`LossModel.as_dict`.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(2000, rng=1)
    >>> exp = ajx.synth.experience(book, 3, rng=2)
    >>> len(exp), bool((exp["deaths"] <= exp["headcount"]).all())
    (6000, True)
    """
    g = generator(rng)
    sim = simulate_years(portfolio, years, g, model, start_year, partial_share, "experience")
    acc, m = sim.acc, sim.rows.size
    base = sim.pf.iloc[sim.rows].reset_index(drop=True)
    out = base.drop(columns=["accidents_3y", "deaths_3y", "max_accident_deaths_3y", "claim_free_years"], errors="ignore")
    out.insert(1, "year", sim.year)
    out["exposure"] = sim.exposure
    out["claims"] = np.bincount(acc.row, minlength=m).astype(np.int64)
    out["deaths"] = np.bincount(acc.row, weights=acc.deaths, minlength=m).astype(np.int64)
    out["disabilities"] = np.bincount(acc.row, weights=acc.disabled, minlength=m).astype(np.int64)
    out["incurred"] = np.bincount(acc.row[acc.v_acc], weights=acc.v_paid, minlength=m)
    for k, name in enumerate(("fatal_accidents", "disability_accidents", "medical_claims")):
        out[name] = np.bincount(acc.row[acc.kind == k], minlength=m).astype(np.int64)
    out.attrs["model"] = SharedRecord(sim.model.as_dict())
    return out
