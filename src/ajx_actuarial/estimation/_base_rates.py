"""From fitted expected loss per worker-year to a rate table's base rates (the one place that knows
how a rate relates to the limit).

The table format (:mod:`ajx_actuarial.rating.table`) prices ``headcount × (reference_limit ×
base_rate × ILF(limit_death) + medical) × size_factor × float``. The GLM gives ``L``, the
expected loss per worker-year of an industry at the base levels for the limits the book has.
Per industry, the template's rate per head at each policy's limit,
``r = reference_limit × base_rate × ILF(limit) + medical`` (its industry × size cells, its ILF
schedule), averaged over the book's worker-years, is scaled to carry ``L``:

    c = L × (1 + VAT) / loss_ratio / mean(r),   base_rate ← c × base_rate,   medical ← c × medical

so the base rates stay stated at the reference limit through the template's ILF, and the loss
splits between the limit part and the medical part in the template's proportions
(``medical_share``: the medical part's share of the book's premium under the template). A
template without a limit dimension (no ``reference_limit``, ILF or medical charge) gets
``r = base_rate × limit``: the rate is ``L × gross / mean limit``, as in the older tables. The
off-balance step of :mod:`._to_table` then sets each industry's level on the book.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..reference import INDUSTRIES

__all__ = ["industry_rates"]


def industry_rates(loss_per_worker: pd.Series, template, book: pd.DataFrame, *, loss_ratio: float) -> pd.DataFrame:
    """Per industry: ``scale`` (c), ``base_rate`` (‰ of the reference limit per head per year, at
    the base size), ``medical`` (CNY per head per year), ``medical_share`` and ``mean_ilf``.

    Parameters
    ----------
    loss_per_worker : Series
        Expected loss per worker-year at the base levels, indexed by industry code.
    template : RateTable
    book : DataFrame
        A portfolio with ``exposure`` (worker-years): the calibration book.
    loss_ratio : float
        Target loss ratio to the ex-VAT premium.
    """
    from ..rating.price import price

    gross = (1 + template.loadings["vat"]) / loss_ratio
    ref = template.reference_limit
    pf = book.drop(columns=[c for c in ("year", "claims", "deaths", "disabilities", "incurred") if c in book.columns])
    p = price(pf.assign(policy_id=np.arange(len(pf))), template, lift_limits=True)
    ic = np.asarray(pd.Categorical(p["industry"].astype(str), categories=list(INDUSTRIES)).codes)
    w = book["exposure"].to_numpy(dtype=float)
    prem_w = p["headcount"].to_numpy(float) * p["size_factor"].to_numpy(float) * p["float_factor"].to_numpy(float)
    lim_rate, med_rate = p["limit_rate"].to_numpy(float), p["medical_rate"].to_numpy(float)
    n = len(INDUSTRIES)

    def tot(x):
        return np.bincount(ic, weights=x, minlength=n)

    expo, rate_w, ilf_w = tot(w), tot(w * (lim_rate + med_rate)), tot(w * p["ilf"].to_numpy(float))
    lim_p, med_p = tot(prem_w * lim_rate), tot(prem_w * med_rate)
    small = list(template.base_rate_grid.columns).index("small")
    grid, medical = template.base_rate_grid.to_numpy(), template.medical_grid.to_numpy()
    rows = []
    for i, k in enumerate(INDUSTRIES):
        if expo[i] > 0:
            mean_rate, mean_ilf, share = rate_w[i] / expo[i], ilf_w[i] / expo[i], med_p[i] / max(lim_p[i] + med_p[i], 1e-300)
        else:  # no policy of this industry in the book: the small size class at the reference limit
            mean_ilf = float(template.ilf(np.array([i]), np.array([ref]))[0])
            mean_rate = ref * grid[i, small] * mean_ilf + medical[i, small]
            share = medical[i, small] / mean_rate if mean_rate > 0 else 0.0
        c = float(loss_per_worker.get(k, np.nan)) * gross / mean_rate
        rows.append({"scale": c, "base_rate": c * grid[i, small] * 1000, "medical": c * medical[i, small],
                     "medical_share": share, "mean_ilf": mean_ilf})
    return pd.DataFrame(rows, index=pd.Index(INDUSTRIES, name="industry"))
