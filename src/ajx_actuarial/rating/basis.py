"""From the loss model to rates: pure-risk loss rates (纯风险损失率) and risk-based rate tables.

Under the 2025 national measures, provincial authorities publish sector *pure-risk loss rates*
and filed rates gross them up by the expense loadings (DOMAIN.md §1.2, §10.1)::

    gross rate = pure risk / (1 − prevention fee − commission − admin − profit − levy) × (1 + VAT)

:func:`pure_risk_rates` computes the pure risk per worker-year of each segment of a reference
book, exactly (:func:`ajx_actuarial.expected_loss`), at reference limits (400 000, 600 000,
800 000 and the Beijing formula). :func:`risk_based_table` turns a template table (its factors,
headcount factor, loadings, minimum premium) into a table whose premium follows the loss model:
per-cell base rates of the limit part, a medical charge per head, increased-limit factors per
industry and the mean float factor that makes relativities average 1 on the reference book.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..reference import INDUSTRIES, SIZES

__all__ = ["pure_risk_rates", "reference_book", "risk_based_table", "REFERENCE_LIMITS", "ILF_LIMITS", "TABLE_PRESETS"]

#: Reference limits of the published pure-risk rates: N25 minimum, two regional levels and the
#: Beijing formula for policy year 2026 (20 × Beijing 2025 income − work-death grant; DOMAIN.md §4.2).
REFERENCE_LIMITS: tuple = (400_000.0, 600_000.0, 800_000.0, "beijing")
#: Limits listed in the packaged increased-limit schedules (the death loss 1 083 760 is the kink).
ILF_LIMITS: tuple = (300_000, 400_000, 500_000, 600_000, 700_000, 800_000, 900_000, 1_000_000, 1_083_760, 1_200_000,
                     1_400_000, 1_600_000, 2_000_000, 2_500_000, 3_000_000)
#: Synthetic preset that stands for each packaged table's market.
TABLE_PRESETS = {"national-2025": "national", "beijing-2026": "beijing", "xinzhou-2024": "shanxi-mining", "zhoushan-2018": "national",
                 "beijing-2017": "beijing"}
PARTS = ("death", "disability", "medical", "rescue", "third_party")


@functools.lru_cache(maxsize=8)
def _cached_book(preset: str, n: int, seed: int) -> pd.DataFrame:
    from .. import synth

    try:
        return synth.portfolio(n, preset=preset, rng=seed)
    except TypeError:  # a synth without presets
        return synth.portfolio(n, rng=seed)


def reference_book(preset: str = "national", n: int = 200_000, seed: int = 20_260_101) -> pd.DataFrame:
    """The synthetic book a table's risk-based rates are computed on (cached; a copy is returned)."""
    return _cached_book(preset, int(n), int(seed)).copy()


def given_book(book, preset: str, n: int = 200_000) -> pd.DataFrame:
    """``book`` validated (Chinese headers and codes normalised, clear errors), or the preset's
    reference book when it is None."""
    from ..portfolio import validate_portfolio

    return reference_book(preset, n=n) if book is None else validate_portfolio(book)


def _limit_policy(limit, floor: float = 300_000.0):
    from ..losses import LimitPolicy, beijing_limit

    if limit == "beijing":
        return LimitPolicy.fixed(beijing_limit(2025), floor=floor, label="Beijing formula 2026")
    return LimitPolicy.fixed(float(limit), floor=min(floor, float(limit)))


def pure_risk_rates(model=None, limits: Sequence = REFERENCE_LIMITS, by: Sequence[str] = ("industry", "size"),
                    book: pd.DataFrame | None = None, *, relativity: str | None = "model") -> pd.DataFrame:
    """Pure-risk loss rates (纯风险损失率) per segment at reference limits, exactly.

    Parameters
    ----------
    model : LossModel, optional
        Defaults to :meth:`LossModel.default`.
    limits : sequence of per-person limits (CNY) or ``"beijing"`` (the Beijing formula for 2026)
        Each is applied with the standard sub-limits (medical 10 %, per accident 10×, annual 2×).
    by : columns of the book to group by (default industry × size)
    book : DataFrame, optional
        The exposure the rates are averaged over (default: the ``national`` synthetic reference
        book, :func:`reference_book`); its own limits are replaced by each reference limit.

    Returns
    -------
    DataFrame
        One row per limit and segment: ``limit`` (label), ``limit_death``, ``policies``,
        ``workers``, ``pure_risk`` (expected insured loss per worker-year, CNY), its parts
        ``death``, ``disability``, ``medical``, ``rescue`` (per worker-year), ``permille`` (pure
        risk in ‰ of the per-person limit), ``deaths_per_100k`` (expected deaths per 100 000
        worker-years) and ``gross_loss`` (economic loss per worker-year).

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> book = pd.DataFrame({"policy_id": [1, 2], "industry": ["coal_mine", "other"], "size": ["medium", "small"], "headcount": [300, 40]})
    >>> r = ajx.pure_risk_rates(limits=[400_000, 800_000], book=book)
    >>> sorted(r["limit"].unique())
    ['400,000', '800,000']
    """
    from ..losses import expected_loss

    book = reference_book() if book is None else book
    by = list(by)
    for c in by:
        if c not in ("industry", "size", "region", "risk_tier") and c not in book.columns:
            raise ValidationError(f"pure_risk_rates: cannot group by {c!r}: not a column of the book")
    if not limits:
        raise ValidationError("pure_risk_rates: limits must list at least one limit")
    rows = []
    for L in limits:
        if not (L == "beijing" or (isinstance(L, (int, float)) and not isinstance(L, bool) and np.isfinite(L) and L > 0)):
            raise ValidationError(f"pure_risk_rates: each limit must be a number > 0 or 'beijing', got {L!r}")
        lp = _limit_policy(L)
        e = expected_loss(book, model, lp, relativity=relativity)
        keys = [e[c] if c in e.columns else book[c].reset_index(drop=True) for c in by]
        e = e.assign(policies=1, workers=e["headcount"], pure_risk=e["expected_loss"], deaths_per_100k=e["expected_deaths"])
        g = e.groupby(keys, observed=True)[["policies", "workers", "pure_risk", *PARTS, "gross_loss", "deaths_per_100k"]].sum()
        for c in ("pure_risk", *PARTS, "gross_loss"):
            g[c] = g[c] / g["workers"]
        g["deaths_per_100k"] = g["deaths_per_100k"] / g["workers"] * 1e5
        g["limit_death"] = float(lp.limit_death)
        g["permille"] = g["pure_risk"] / g["limit_death"] * 1000
        g["limit"] = "Beijing formula" if L == "beijing" else f"{float(L):,.0f}"
        rows.append(g.reset_index())
    out = pd.concat(rows, ignore_index=True)
    cols = ["limit", "limit_death", *by, "policies", "workers", "pure_risk", "permille", *PARTS, "deaths_per_100k", "gross_loss"]
    return out[cols]


def _cell_sums(df: pd.DataFrame, values: dict[str, np.ndarray]) -> pd.DataFrame:
    g = pd.DataFrame({"industry": df["industry"].astype(str).to_numpy(), "size": df["size"].astype(str).to_numpy(), **values})
    return g.groupby(["industry", "size"]).sum()


def risk_based_table(template, *, model=None, book: pd.DataFrame | None = None, name: str | None = None,
                     ilf_limits: Sequence[float] = ILF_LIMITS):
    """A rate table whose premium follows the loss model, built from ``template``.

    Keeps the template's factors, headcount factor, float bounds, minimum premium and loadings;
    replaces its base rates with, per industry × size cell ``c`` of the reference ``book``::

        base_rate_c = g Σ_c E[limit part at L_ref] / (L_ref Σ_c headcount × size_factor × float_factor)
        medical_c   = g Σ_c E[medical part]        / (Σ_c headcount × size_factor × float_factor)

    with ``g = (1 + VAT) / (1 − loadings)`` and the expectations exact
    (:func:`ajx_actuarial.expected_loss`) at the reference limit ``L_ref`` (the template's
    ``reference_limit``, by default its minimum limit) with each unit's risk relativity from the
    loss model (:meth:`LossModel.relativity`); adds the industries' increased-limit factors
    (:func:`~ajx_actuarial.rating.ilf.model_ilf`) and ``float_mean``.
    On the reference book, before the minimum premium, every cell's expected loss ratio is then
    the table's permissible loss ratio (exactly at the reference limit; within 0.2 points at the
    book's own limits, whose medical sub-limits differ from the reference one's). Cells absent from the book take their industry's
    rate. A template priced on another exposure (``[exposure_base]``: per project cost, per tonne)
    keeps that schedule as it is (market rates); the per-head rates are built for every industry
    and price the rows the schedule does not cover.

    Returns
    -------
    (RateTable, dict)
        The table and a record of the build (book size, permissible and achieved loss ratios).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(20_000, preset="national", rng=1)
    >>> table, record = risk_based_table("national-2025", book=book)
    >>> abs(record["loss_ratio_before_minimum"] - record["permissible_loss_ratio"]) < 0.002
    True
    """
    from ..losses import LimitPolicy, expected_loss
    from .ilf import model_ilf
    from .price import price
    from .table import RateTable

    t = template if isinstance(template, RateTable) else RateTable.load(template)
    book = given_book(book, TABLE_PRESETS.get(t.name, "national"))
    missing = sorted(set(INDUSTRIES) - set(book["industry"].astype(str).unique()))
    if missing:  # industries absent from the market (e.g. coal in Beijing) take the national reference book's units
        extra = reference_book("national")
        extra = extra[extra["industry"].astype(str).isin(missing)].copy()
        extra["policy_id"] = [f"ref-{k}" for k in range(len(extra))]
        book = pd.concat([book.assign(policy_id=book["policy_id"].astype(str)), extra], ignore_index=True)
    L_ref = t.reference_limit  # the minimum limit unless the template states its rates at another (Shandong: 500 000)
    ld = t.loadings
    g = (1 + ld["vat"]) / t.expected_loss_ratio()
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in t.data.items()}
    exposure = data.pop("exposure_base", None)  # per-head rates for every row; the exposure schedule is put back below
    data["limits"] = {"min_limit_death": t.min_limit_death, "reference_limit": L_ref,
                      **({"sub_limits": t.data["limits"]["sub_limits"]} if "sub_limits" in t.data["limits"] else {})}
    data["base_rates"] = {"industry": {i: 1.0 for i in INDUSTRIES}, "size": {s: 1.0 for s in SIZES}}
    probe = price(book, RateTable.from_dict(data, source="probe"), lift_limits=True)  # factors only; rates set below
    f, s, head = probe["float_factor"].to_numpy(), probe["size_factor"].to_numpy(), probe["headcount"].to_numpy(dtype=float)
    ind = probe["industry"].astype(str).to_numpy()
    fm = pd.Series(head * f).groupby(ind).sum() / pd.Series(head).groupby(ind).sum()
    float_mean = {i: float(fm.get(i, 1.0)) for i in INDUSTRIES}
    rel = f / np.array([float_mean[i] for i in ind])
    at_ref = LimitPolicy.fixed(L_ref, floor=L_ref).apply(probe).assign(risk_relativity=rel)
    e = expected_loss(at_ref, model)
    limit_part = (e["death"] + e["disability"] + e["rescue"] + e["third_party"]).to_numpy()
    cells = _cell_sums(at_ref, {"limit": limit_part, "medical": e["medical"].to_numpy(), "w": head * s * f})
    ind_tot = cells.groupby(level="industry").sum()
    grid, med_grid, ind_rate, ind_med = {}, {}, {}, {}
    for i in INDUSTRIES:
        if i not in ind_tot.index:
            raise ValidationError(f"risk_based_table: the reference book has no {i!r} policy; give a book that covers every industry")
        it = ind_tot.loc[i]
        ind_rate[i] = round(g * it["limit"] / (L_ref * it["w"]) * 1000, 6)
        ind_med[i] = round(g * it["medical"] / it["w"], 4)
        for sz in SIZES:
            if (i, sz) in cells.index and cells.loc[(i, sz), "w"] > 0:
                c = cells.loc[(i, sz)]
                grid.setdefault(i, {})[sz] = round(g * c["limit"] / (L_ref * c["w"]) * 1000, 6)
                med_grid.setdefault(i, {})[sz] = round(g * c["medical"] / c["w"], 4)
    ilf = model_ilf(ilf_limits, L_ref, model=model, book=at_ref)
    data["limits"]["ilf"] = {"limits": [float(x) for x in ilf.index],
                             "factors": {i: [round(float(v), 10) for v in ilf[i]] for i in INDUSTRIES}}
    data["base_rates"] = {"industry": ind_rate, "size": {s_: 1.0 for s_ in SIZES}, "medical": ind_med,
                          "float_mean": {k: round(v, 6) for k, v in float_mean.items()}, "grid": grid, "medical_grid": med_grid}
    if name:
        data["meta"] = {**data["meta"], "name": name}
    table = RateTable.from_dict(data, source=data["meta"]["name"])
    # what the minimum premium does to the book's loss ratio (at the book's own limits), every row per head
    priced = price(book, table, lift_limits=True)
    if exposure is not None:  # the market's schedule prices its rows; the record describes the per-head rows
        table = RateTable.from_dict({**data, "exposure_base": exposure}, source=data["meta"]["name"])
    own = expected_loss(priced, model)
    record = {
        "industries_from_national_book": missing,
        "policies": int(len(book)), "workers": int(book["headcount"].sum()), "gross_up": g,
        "permissible_loss_ratio": t.expected_loss_ratio(),
        "loss_ratio_before_minimum": float(own["expected_loss"].sum() / (priced["premium_raw"].sum() / (1 + ld["vat"]))),
        "loss_ratio": float(own["expected_loss"].sum() / priced["premium_ex_vat"].sum()),
        "share_at_minimum_premium": float(priced["min_premium_applied"].mean()),
    }
    if exposure is not None:
        record["exposure_base_kept"] = f"{exposure.get('kind')} for {', '.join(exposure.get('industries', INDUSTRIES))}; loss ratios above price every row per head"
    return table, record
