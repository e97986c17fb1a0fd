"""The market data points of DOMAIN.md §3.2 beside a table's rates (printed comparison).

Risk-based rates follow the loss model (:func:`~ajx_actuarial.rating.basis.risk_based_table`);
the market's rates are what insurers filed or charged. Where a table leaves a market range the
comparison says so, and why: the default frequencies of DOMAIN.md §6.5 are assumptions, the
market data predate the 5 % commission cap of 2025 (15–30 % commissions were common) and
include prevention-service costs that the mandates now budget separately.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["market_comparison", "MARKET_POINTS"]

#: (key, description, low, high, unit, source, flag)
MARKET_POINTS = (
    ("henan_noncoal_large", "non-coal open-pit mine, large unit, premium per enterprise at a 500 000 limit", 126_000, 373_200, "CNY/unit", "ZZG quoting the Henan table (DOMAIN.md §3.2)", "secondary"),
    ("henan_noncoal_medium", "non-coal open-pit mine, medium unit, premium per enterprise at a 500 000 limit", 31_500, 104_000, "CNY/unit", "ZZG (DOMAIN.md §3.2)", "secondary"),
    ("henan_noncoal_small", "non-coal open-pit mine, small unit, premium per enterprise at a 500 000 limit", 9_460, 21_500, "CNY/unit", "ZZG (DOMAIN.md §3.2)", "secondary"),
    ("high_risk_per_worker_200k", "high-risk industries, premium per worker at a 200 000 limit (0.2‰ non-coal surface to 0.7‰ coal, read as ‰)", 40, 140, "CNY/worker", "FDK (DOMAIN.md §3.2; suspect units)", "secondary"),
    ("employer_liability_rate", "employer-liability analog: death/disability rate, ‰ of the per-person limit (classes 1-6)", 0.28, 1.79, "‰", "EL, Shandong 2026 filing (DOMAIN.md §3.2)", "secondary"),
    ("employer_liability_medical", "employer-liability analog: medical base premium per person (classes 1-6)", 58, 135, "CNY/worker", "EL (DOMAIN.md §3.2)", "secondary"),
    ("beijing_premium_per_unit", "Beijing book: premium per insured unit", 1_950, 1_950, "CNY/unit", "BJ17 (DOMAIN.md §3.2, §6.4)", "secondary"),
    ("beijing_share_le_2000", "Beijing book: share of units paying at most 2 000 CNY a year", 0.85, 0.85, "share", "BJ20 (DOMAIN.md §3.2)", "secondary"),
)


def _unit_premium(table, industry: str, size: str, headcount: int, limit: float) -> float:
    """Premium of one per-head unit; NaN where the table prices ``industry`` on another exposure."""
    from .price import price

    eb = table.exposure_base
    if eb is not None and industry in eb.industries:
        return float("nan")
    book = pd.DataFrame({"policy_id": [1], "industry": [industry], "size": [size], "headcount": [headcount], "limit_death": [limit]})
    return float(price(book, table, lift_limits=True)["premium"].iloc[0])


def market_comparison(table, book: pd.DataFrame | None = None) -> pd.DataFrame:
    """The market data points of DOMAIN.md §3.2 beside what ``table`` charges.

    ``book`` is the table's market (default: its synthetic reference preset) for the per-unit
    points; the per-enterprise points use the median headcount of the size class in the book
    (1 500 / 500 / 80 workers where the book has no non-coal mine of that size).
    Columns: ``point``, ``market_low``, ``market_high``, ``unit``, ``table`` (this table's value),
    ``position`` (``below``, ``within`` or ``above`` the market range; ``n/a`` where the table
    prices those units on another exposure, e.g. coal mines per tonne), ``source``, ``flag``.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> res = market_comparison("national-2025", ajx.synth.portfolio(5_000, preset="national", rng=1))
    >>> len(res), list(res.columns[:4])
    (6, ['point', 'market_low', 'market_high', 'unit'])
    >>> set(res["position"]) <= {"below", "within", "above", "n/a"}
    True
    """
    from .basis import TABLE_PRESETS, given_book
    from .price import price
    from .table import RateTable

    t = table if isinstance(table, RateTable) else RateTable.load(table)
    ref = given_book(book, TABLE_PRESETS.get(t.name, "national"), n=100_000)
    nc = ref[ref["industry"].astype(str) == "noncoal_mine"]
    med = nc.groupby(nc["size"].astype(str))["headcount"].median() if len(nc) else pd.Series(dtype=float)
    default_h = {"large": 1500, "medium": 500, "small": 80}
    values = {}
    for sz in ("large", "medium", "small"):
        h = int(med.get(sz, default_h[sz])) if sz in med.index else default_h[sz]
        values[f"henan_noncoal_{sz}"] = _unit_premium(t, "noncoal_mine", sz, h, 500_000.0)
    per_worker = [v for v in (_unit_premium(t, ind, "medium", 500, 200_000.0) / 500 for ind in ("noncoal_mine", "coal_mine")) if v == v]
    values["high_risk_per_worker_200k"] = (min(per_worker), max(per_worker)) if per_worker else (np.nan, np.nan)
    per_head = [i for i in t.base_rate_grid.index if t.exposure_base is None or i not in t.exposure_base.industries]
    limit_part = t.base_rate_grid.loc[per_head].to_numpy() * 1000  # ‰ of the reference limit per head, rows priced per head
    values["employer_liability_rate"] = (float(limit_part.min()), float(limit_part.max()))
    medg = t.medical_grid.loc[per_head].to_numpy()
    values["employer_liability_medical"] = (float(medg.min()), float(medg.max()))
    # the per-worker point covers non-coal and coal mines; say which one is left out when it is priced on another exposure
    off = [ind for ind in ("noncoal_mine", "coal_mine") if t.exposure_base is not None and ind in t.exposure_base.industries]
    rows = []
    beijing = TABLE_PRESETS.get(t.name) == "beijing"
    if beijing:  # the per-unit points price the whole book (a Beijing table prices every row per head)
        priced = price(ref, t, lift_limits=True)
        values["beijing_premium_per_unit"] = float(priced["premium"].mean())
        values["beijing_share_le_2000"] = float((priced["premium"] <= 2000).mean())
    eb = t.exposure_base
    for key, desc, lo, hi, unit, src, flag in MARKET_POINTS:
        if key.startswith("beijing_") and not beijing:
            continue  # a Beijing market figure says nothing about another market's table
        v = values[key]
        vlo, vhi = (v if isinstance(v, tuple) else (v, v))
        if not (np.isfinite(vlo) and np.isfinite(vhi)):  # the table prices these units on another exposure
            pos, shown = "n/a", f"priced per {eb.kind}" if eb is not None else "n/a"
        else:
            pos = "below" if vhi < lo * (1 - 1e-9) else "above" if vlo > hi * (1 + 1e-9) else "within"
            shown = f"{vlo:,.4g}-{vhi:,.4g}" if isinstance(v, tuple) else f"{vlo:,.4g}"
            if key == "high_risk_per_worker_200k" and off:
                shown += f" ({', '.join(off)} priced per {eb.kind}: not included)"
        rows.append({"point": desc, "market_low": lo, "market_high": hi, "unit": unit, "table": shown, "position": pos, "source": src, "flag": flag})
    return pd.DataFrame(rows)
