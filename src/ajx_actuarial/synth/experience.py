"""``experience``: policy-year claim experience of a book, from the known truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._attrs import SharedRecord
from .._random import RngLike, generator
from ..errors import ValidationError
from . import _core
from .book import frailty
from .truth import TruthModel

__all__ = ["experience"]


@dataclass
class _Years:
    pf: pd.DataFrame
    rows: np.ndarray
    year: np.ndarray
    t: np.ndarray
    exposure: np.ndarray
    acc: _core.Accidents
    truth: TruthModel


def _theta(book: pd.DataFrame, pf: pd.DataFrame, truth: TruthModel, g: np.random.Generator) -> np.ndarray:
    """The book's own frailties when it carries them for this truth's CV, else fresh draws from ``g``."""
    meta = book.attrs.get("synth") if hasattr(book, "attrs") else None
    n = len(pf)
    if isinstance(meta, dict) and "frailty_seed" in meta:
        ids = pf["policy_id"].to_numpy()
        cv = float(meta.get("truth", {}).get("frailty_cv", -1.0))
        if np.issubdtype(ids.dtype, np.integer) and cv == truth.frailty_cv and ids.min() >= 1 and ids.max() <= int(meta["n"]):
            return frailty(int(meta["frailty_seed"]), int(meta["n"]), cv)[ids - 1]
    if truth.frailty_cv <= 0:
        return np.ones(n)
    shape = 1.0 / truth.frailty_cv**2
    return g.gamma(shape, 1.0 / shape, size=n)


def simulate_years(book: pd.DataFrame, years: int, g: np.random.Generator, truth: TruthModel | None,
                   start_year: int, partial_share: float, where: str) -> _Years:
    """Shared core of :func:`experience` and :func:`claims` (identical draws for the same ``g``)."""
    from ..portfolio import validate_portfolio

    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise ValidationError(f"{where}: years must be an integer >= 1, got {years!r}")
    if isinstance(start_year, bool) or not isinstance(start_year, (int, np.integer)) or not 1900 <= start_year <= 2200 - years:
        raise ValidationError(f"{where}: start_year must be an integer year in 1900..{2200 - years}, got {start_year!r}")
    if not 0.0 <= partial_share <= 1.0:
        raise ValidationError(f"{where}: partial_share must be in [0, 1], got {partial_share!r}")
    pf = validate_portfolio(book)
    meta = book.attrs.get("synth", {}) if hasattr(book, "attrs") else {}
    if truth is None:
        truth = TruthModel.from_dict(meta["truth"]) if isinstance(meta, dict) and "truth" in meta else TruthModel.default()
    n = len(pf)
    theta = _theta(book, pf, truth, g)
    rows = np.repeat(np.arange(n), years)
    year = np.tile(np.arange(start_year, start_year + years, dtype=np.int64), n)
    t = np.ones(rows.size)
    part = g.random(rows.size) < partial_share
    t[part] = g.uniform(0.25, 1.0, size=int(part.sum()))
    head = pf["headcount"].to_numpy(dtype=np.int64)
    exposure = head[rows] * t
    per_worker = truth.rates_for(pf) * (truth.relativity(pf) * theta)[:, None]
    lam = per_worker[rows] * exposure[:, None]
    limits = pf[["limit_death", "limit_medical", "limit_accident", "limit_annual"]].to_numpy(dtype=np.float64)
    acc = _core.draw(g, truth, lam, head[rows], limits[rows])
    return _Years(pf, rows, year, t, exposure, acc, truth)


def experience(
    portfolio: pd.DataFrame,
    years: int,
    *,
    rng: RngLike = None,
    truth: TruthModel | None = None,
    start_year: int = 2021,
    partial_share: float = 0.1,
) -> pd.DataFrame:
    """Policy-year claim experience of ``portfolio`` drawn per accident and victim from a known truth.

    Policy years are calendar years ``start_year …``; exposure = headcount × t with t = 1 except
    for a ``partial_share`` of rows with t ~ U(0.25, 1) (mid-year inception). Each policy keeps
    its frailty θ over the years (the book's own θ when it came from :func:`portfolio` with a
    truth of the same frailty CV, so its history predicts its experience). Accidents and victims
    come from the generator shared with :func:`claims`: with the same ``rng`` the claims ledger
    valued at full development aggregates exactly to this table.

    Counts and amounts per policy-year:

    * ``claims`` — **accidents** (fatal + disability + medical-only), Poisson in exposure;
    * ``deaths`` — deaths (cluster per fatal accident, capped at headcount);
    * ``disabilities`` — permanently disabled victims (disability accidents plus co-workers
      disabled in fatal accidents);
    * ``incurred`` — **insured loss at ultimate**: per-victim payouts after the per-person
      limits (death ``min(death_loss, limit_death)``; grade g ``min(civil_share[g] ×
      death_loss, payout_share[g] × limit_death)``; medical ``min(cost, limit_medical)``), then
      the per-accident and annual aggregate limits pro rata, floored to the fen. Rescue,
      appraisal and legal costs and third-party losses are **not** included.

    Parameters
    ----------
    portfolio : DataFrame
        A book satisfying the portfolio contract.
    years : int
        Policy years (>= 1).
    rng : int | SeedSequence | Generator | None
    truth : TruthModel, optional
        Default: the truth recorded by :func:`portfolio` in ``attrs["synth"]``, else
        :meth:`TruthModel.default`.
    start_year : int
    partial_share : float in [0, 1]

    Returns
    -------
    DataFrame
        The experience contract (``policy_id``, ``year``, rating columns, ``exposure``,
        ``claims``, ``deaths``, ``disabilities``, ``incurred``), ordered by policy then year;
        ``attrs["truth"]`` holds :meth:`TruthModel.as_dict`.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(2000, rng=1)
    >>> exp = ajx.synth.experience(book, 3, rng=2)
    >>> len(exp), bool((exp["deaths"] <= exp["headcount"]).all())
    (6000, True)
    """
    g = generator(rng)
    sim = simulate_years(portfolio, years, g, truth, start_year, partial_share, "experience")
    acc, m = sim.acc, sim.rows.size
    base = sim.pf.iloc[sim.rows].reset_index(drop=True)
    out = base.drop(columns=["accidents_3y", "deaths_3y", "max_accident_deaths_3y", "claim_free_years"], errors="ignore")
    out.insert(1, "year", sim.year)
    out["exposure"] = sim.exposure
    out["claims"] = np.bincount(acc.row, minlength=m).astype(np.int64)
    out["deaths"] = np.bincount(acc.row, weights=acc.deaths, minlength=m).astype(np.int64)
    out["disabilities"] = np.bincount(acc.row, weights=acc.disabled, minlength=m).astype(np.int64)
    out["incurred"] = np.bincount(acc.row[acc.v_acc], weights=acc.v_paid, minlength=m)
    out.attrs["truth"] = SharedRecord(sim.truth.as_dict())
    return out
