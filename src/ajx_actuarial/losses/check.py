"""The loss model beside public anchors: :meth:`LossModel.check` (``ajx model check BOOK``).

Each row is one figure the model implies on a book, exactly (no simulation), beside the range
that public statistics allow (``[anchors]`` of ``reference/data/loss_model/default.toml``, with
their sources; MODEL.md §2): deaths and disabilities per 100 000 workers (coal and the whole
book), disabilities per death, claims per 100 workers, the mean medical-only claim, the shares of
larger and major accidents among fatal ones, the premium per worker at the permissible loss
ratio beside the market's filed rates, and the insured workers the 2024 market premium implies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..portfolio import validate_portfolio
from ..reference import INDUSTRIES, industries
from ._expected_core import expected_parts
from .limits import LimitPolicy
from .sources import load_model_file

__all__ = ["check_model", "CHECK_COLUMNS", "PERMISSIBLE_LOSS_RATIO", "MARKET_PREMIUM_2024"]

CHECK_COLUMNS = ("figure", "model", "low", "high", "source", "ok")
#: 1 − prevention 20 % − commission 5 % − admin 10 % − profit 3 % − levy 0.8 % (DOMAIN.md §7.2, derived).
PERMISSIBLE_LOSS_RATIO = 0.612
#: 安责险 premium 2024, CNY (ECER, secondary; DOMAIN.md §7.1).
MARKET_PREMIUM_2024 = 17.9e9
_MEDICAL_PER_HEAD = (60.0, 140.0)  # DOMAIN.md §3.4: market medical charge per head (EL analog)
_MARKET_LIMIT = 400_000.0


def _capped_deaths(model, head: np.ndarray) -> np.ndarray:
    c = np.asarray(model.cluster)
    sf = np.cumsum(c[::-1])[::-1]
    m1 = np.r_[0.0, np.cumsum(sf[1:])]
    return m1[np.minimum(head.astype(np.int64), c.size - 1)]


def check_model(model, book: pd.DataFrame | None) -> pd.DataFrame:
    """``figure, model, low, high, source, ok`` for the anchors of the default model's file.

    Parameters
    ----------
    model : LossModel
    book : DataFrame
        The exposure the figures are computed on (a portfolio; its own limits). The anchors are
        sourced for the national high-risk book (``ajx.synth.portfolio(n, preset="national")``);
        on another book read the sector rows.
    """
    if book is None:
        raise ValidationError("LossModel.check: give a book (e.g. ajx.synth.portfolio(100_000, preset='national', rng=1)); "
                              "`ajx model check` without a file uses the national reference book")
    df = validate_portfolio(book)
    anchors = load_model_file("default")[2]
    rel = model.relativity(df)
    head = df["headcount"].to_numpy(dtype=np.float64)
    ind = df["industry"].cat.codes.to_numpy()
    rates = model.rates().to_numpy()[ind]
    lam = rates * (head * rel)[:, None]
    deaths = lam[:, 0] * _capped_deaths(model, head)
    disab = lam[:, 1] + model.injury_ratio * deaths
    workers = head.sum()
    coal = ind == INDUSTRIES.index("coal_mine")
    med_caps, inv = np.unique(df["limit_medical"].to_numpy(dtype=np.float64), return_inverse=True)
    med_mean = np.array([model.medical_moments(c)[0] for c in med_caps])[inv]
    cl = np.asarray(model.cluster)
    e_own = expected_parts(df, model, rel)
    at_market = df.assign(**dict(zip(("limit_death", "limit_accident", "limit_annual", "limit_medical"),
                                     LimitPolicy.fixed(_MARKET_LIMIT).arrays(df))))
    e_mkt = expected_parts(at_market, model, rel)
    gross = 1.06 / PERMISSIBLE_LOSS_RATIO
    prem_own = e_own["expected_loss"].sum() * gross / workers
    prem_mkt = e_mkt["expected_loss"].sum() * gross / workers
    rates_mkt = industries()[["base_rate_permille_low", "base_rate_permille_high"]].to_numpy()[ind]
    mkt_low = float((head * (rates_mkt[:, 0] / 1000 * _MARKET_LIMIT + _MEDICAL_PER_HEAD[0])).sum() / workers)
    mkt_high = float((head * (rates_mkt[:, 1] / 1000 * _MARKET_LIMIT + _MEDICAL_PER_HEAD[1])).sum() / workers)

    def row(key, figure, value, low=None, high=None, source=None):
        a = anchors.get(key, {})
        lo = float(a["low"]) if low is None else float(low)
        hi = float(a["high"]) if high is None else float(high)
        src = a.get("source", "") if source is None else source
        return (figure, float(value), lo, hi, src, bool(lo <= value <= hi) if np.isfinite(value) else False)

    rows = []
    if coal.any():
        rows.append(row("coal_deaths_per_100k", "coal deaths per 100 000 workers", 1e5 * deaths[coal].sum() / head[coal].sum()))
    rows += [
        row("deaths_per_100k", "deaths per 100 000 workers (book)", 1e5 * deaths.sum() / workers),
        row("disabilities_per_100k", "disabilities per 100 000 workers (book)", 1e5 * disab.sum() / workers),
        row("disabilities_per_death", "disabilities per death (book)", disab.sum() / deaths.sum() if deaths.sum() > 0 else np.nan),
        row("claims_per_100_workers", "claims per 100 workers (book)", 100 * lam.sum() / workers),
        row("medical_claim_mean", "mean medical-only claim, CNY", (lam[:, 2] * med_mean).sum() / lam[:, 2].sum() if lam[:, 2].sum() > 0 else np.nan),
        row("larger_share_of_fatal", "larger accidents (3-9 deaths) among fatal ones", float(cl[3:10].sum())),
        row("major_share_of_fatal", "major+ accidents (>= 10 deaths) among fatal ones", float(cl[10:].sum())),
        row("premium_per_worker_vs_market", "premium per worker at 400 000 (model, national-2025 permissible loss ratio 61.2 %), CNY",
            prem_mkt, mkt_low, mkt_high,
            "market's filed rates per head at 400 000 (DOMAIN §3.4 low-high ‰ × 400 000 + 60-140 CNY medical, the book's sector mix); "
            "the model's pure risk / 0.612 × 1.06"),
        row("market_insured_workers_m", "insured workers the 2024 market premium implies, million",
            MARKET_PREMIUM_2024 / prem_own / 1e6),
    ]
    out = pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
    out.attrs["premium_per_worker"] = float(prem_own)
    out.attrs["pure_risk_per_worker"] = float(e_own["expected_loss"].sum() / workers)
    return out
