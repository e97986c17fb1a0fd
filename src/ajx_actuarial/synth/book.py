"""``portfolio``: a synthetic book drawn from a named preset, with per-accident histories."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._attrs import SharedRecord
from .._bounds import MAX_POLICIES, shown
from .._random import RngLike, generator
from ..errors import ValidationError
from ..portfolio import NATIONAL_MIN_LIMIT, PORTFOLIO_COLUMNS, RECTIFICATION_LEVELS, RISK_TIERS
from ..reference import INDUSTRIES, SIZES
from . import _core
from .presets import Preset, load_preset
from .population import management_thresholds

__all__ = ["portfolio", "frailty"]


def _check_mix(mix: Mapping, allowed: tuple[str, ...], name: str) -> np.ndarray:
    unknown = sorted(set(map(str, mix)) - set(allowed))
    if unknown:
        raise ValidationError(f"{name}: unknown code(s) {unknown}; allowed: {list(allowed)}")
    p = np.array([float(mix.get(k, 0.0)) for k in allowed])
    if not np.isfinite(p).all() or (p < 0).any() or p.sum() <= 0:
        raise ValidationError(f"{name}: shares must be finite, >= 0 and not all zero, got {dict(mix)}")
    return p / p.sum()


def frailty(seed: int, n: int, cv: float) -> np.ndarray:
    """The book's frailties θ (policy ``i`` gets element ``i − 1``), reproducible from ``seed``."""
    if cv <= 0:
        return np.ones(n)
    shape = 1.0 / cv**2
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed)))).gamma(shape, 1.0 / shape, size=n)


def _size_table(p: Preset, size_mix: Mapping | None) -> np.ndarray:
    laws = p.headcount_laws()
    rows = []
    for k in INDUSTRIES:
        implied = laws[k].class_probs()
        if size_mix and k in size_mix:
            given = _check_mix(dict(zip(SIZES, size_mix[k])), SIZES, f"size_mix[{k}]")
            empty = [s for s, q, imp in zip(SIZES, given, implied) if q > 0 and laws[k].class_bounds(s)[0] > laws[k].class_bounds(s)[1]]
            if empty:
                raise ValidationError(f"size_mix[{k}]: size class(es) {empty} exceed the preset's largest unit ({laws[k].max} workers)")
            rows.append(given)
        else:
            rows.append(implied / implied.sum())
    return np.array(rows)


def _limits(g: np.random.Generator, p: Preset, n: int, limit_death) -> np.ndarray:
    mix = p.limit_mix() if limit_death is None else limit_death
    if isinstance(mix, Mapping):
        levels = np.array([float(k) for k in mix], dtype=np.float64)
        shares = _check_mix({str(i): v for i, v in enumerate(mix.values())}, tuple(str(i) for i in range(len(mix))), "limit_death")
        out = levels[g.choice(levels.size, size=n, p=shares)] if levels.size > 1 else np.full(n, levels[0])
    else:
        levels = np.array([float(mix)])
        out = np.full(n, float(mix))
    if not np.isfinite(levels).all() or (levels < NATIONAL_MIN_LIMIT).any():
        raise ValidationError(f"limit_death: every limit must be >= {NATIONAL_MIN_LIMIT:,.0f} CNY (N25 Art. 15), got {sorted(levels.tolist())}")
    return out


def portfolio(
    n: int,
    *,
    preset: "str | Preset" = "national",
    rng: RngLike = None,
    industry_mix: Mapping[str, float] | None = None,
    size_mix: Mapping[str, tuple[float, float, float, float]] | None = None,
    regions: Mapping[str, float] | tuple[str, ...] | None = None,
    limit_death: float | Mapping[float, float] | None = None,
    model=None,
) -> pd.DataFrame:
    """A synthetic book satisfying the portfolio contract (DESIGN.md §4), drawn from a preset.

    Industry from the preset's mix; headcount from the industry's law (discretised lognormal,
    NBS size class implied by the headcount); region; a latent management quality q ~ N(0, 1)
    that drives standardisation grade (shares by size class exactly as in the preset),
    violations, blacklisting and rectification together; the per-person limit (mix, or the
    Beijing formula) with sub-limits; a gamma frailty θ; and a 3-year history drawn **per
    accident** from the loss model (fatal accidents with cluster sizes capped at headcount,
    disability and medical-only accidents; the unit's rates are the model's sector rates × its
    relativity × θ), so history factors relate to risk as in real data.

    Parameters
    ----------
    n : int
        Number of policies, 1 to 10 000 000 (:data:`ajx_actuarial._bounds.MAX_POLICIES`, the CLI's ``-n`` bound).
    preset : {"national", "beijing", "shanxi-mining"} or path or Preset
        Targets and rate table of the book (:func:`presets`).
    rng : int | SeedSequence | Generator | None
        Same seed ⇒ identical frame.
    industry_mix : mapping industry -> share, optional
        Replaces the preset's mix (normalised).
    size_mix : mapping industry -> (large, medium, small, micro), optional
        Replaces the implied size-class shares of those industries; headcounts are then drawn
        from the industry's law within the class bounds.
    regions : mapping region -> share, or a tuple of regions (equal shares), optional
    limit_death : float or mapping limit -> share, optional
        Replaces the preset's per-person limit; every value must be >= 400 000 (N25 Art. 15).
    model : LossModel, optional
        Generates the history and, recorded in ``attrs``, the book's later experience and claims;
        default :meth:`LossModel.default`.

    Returns
    -------
    DataFrame
        Contract columns, ``policy_id`` 1..n. ``attrs["synth"]`` records the preset, the model
        (:meth:`LossModel.as_dict`) and the frailty seed, so :func:`experience` and
        :func:`claims` continue the same policies' risk.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> df = ajx.synth.portfolio(1000, rng=1)
    >>> len(df), bool((df["limit_death"] >= 400_000).all()), df.attrs["synth"]["preset"]
    (1000, True, 'national')
    >>> bj = ajx.synth.portfolio(1000, preset="beijing", rng=1)
    >>> sorted(bj["region"].unique()), round(float(bj["limit_death"].iloc[0]))
    (['beijing'], 802460)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_POLICIES:  # before anything is allocated
        raise ValidationError(f"portfolio: n must be an integer >= 1 and at most {MAX_POLICIES:,} (the CLI's -n bound; "
                              f"about 400 bytes a policy), got {shown(n)}")
    n = int(n)
    p = load_preset(preset)
    g = generator(rng)
    frailty_seed = int(g.integers(0, 2**63))
    if size_mix:
        unknown = sorted(set(size_mix) - set(INDUSTRIES))
        if unknown:
            raise ValidationError(f"size_mix: unknown industry code(s) {unknown}")
    reg = p.regions() if regions is None else (dict(regions) if isinstance(regions, Mapping) else {r: 1.0 for r in regions})
    reg_names = tuple(reg)
    p_reg = _check_mix(reg, reg_names, "regions")
    p_ind = _check_mix(industry_mix if industry_mix is not None else p.industry_mix(), INDUSTRIES, "industry_mix")
    size_table = _size_table(p, size_mix)
    from ..losses import LossModel

    if model is None:
        model = LossModel.default()
    elif not isinstance(model, LossModel):
        raise ValidationError(f"portfolio: model must be a LossModel, got {type(model).__name__}")
    cv = model.heterogeneity_cv

    ind = g.choice(len(INDUSTRIES), size=n, p=p_ind).astype(np.int8)
    cum = np.cumsum(size_table, axis=1)
    cum[:, -1] = 1.0
    size = (g.random(n)[:, None] >= cum[ind]).sum(axis=1).astype(np.int8)
    u = g.random(n)
    head = np.empty(n, np.int64)
    laws = p.headcount_laws()
    key = ind.astype(np.int64) * len(SIZES) + size
    order = np.argsort(key, kind="stable")
    edges = np.r_[0, np.cumsum(np.bincount(key, minlength=len(INDUSTRIES) * len(SIZES)))]
    for i, k in enumerate(INDUSTRIES):
        for j, s in enumerate(SIZES):
            sel = order[edges[i * len(SIZES) + j]:edges[i * len(SIZES) + j + 1]]
            if sel.size:
                lo, hi = laws[k].class_bounds(s)
                head[sel] = laws[k].sample(u[sel], np.full(sel.size, float(lo)), np.full(sel.size, float(hi)))
    region = g.choice(len(reg_names), size=n, p=p_reg)

    th, m = management_thresholds(p), p.management()
    q = g.standard_normal(n)
    z = (q + th["a"] * g.standard_normal(n)) / np.sqrt(1 + th["a"] ** 2)
    t = np.array([th["grade"][s] for s in SIZES])[size]
    std_grade = np.where(z > t[:, 0], 1, np.where(z > t[:, 1], 2, np.where(z > t[:, 2], 3, 0))).astype(np.int64)
    b = m["violations_slope"]
    violations = g.poisson(m["violations_mean"] * np.exp(-b * q - b * b / 2)).astype(np.int64)
    c = m["blacklisted_slope"]
    blacklisted = g.random(n) < np.minimum(1.0, m["blacklisted_share"] * np.exp(-c * q - c * c / 2))
    r = (-q + th["d"] * g.standard_normal(n)) / np.sqrt(1 + th["d"] ** 2)
    rect = np.where(r > th["rect"][1], 2, np.where(r > th["rect"][0], 1, 0)).astype(np.int8)
    rescue = g.random(n) < m["rescue_participation"] * np.where(q > 0, 4 / 3, 2 / 3)
    dual = (q + g.standard_normal(n)) / np.sqrt(2) > -_ndtri(m["dual_prevention"])
    limits = _limits(g, p, n, limit_death)

    df = pd.DataFrame({
        "policy_id": np.arange(1, n + 1, dtype=np.int64),
        "industry": pd.Categorical.from_codes(ind, categories=list(INDUSTRIES)),
        "size": pd.Categorical.from_codes(size, categories=list(SIZES)),
        "headcount": head,
        "region": np.asarray(reg_names, dtype=object)[region],
        "std_grade": std_grade,
        "violations": violations,
        "blacklisted": blacklisted,
        "rectification": pd.Categorical.from_codes(rect, categories=list(RECTIFICATION_LEVELS)),
    })
    theta = frailty(frailty_seed, n, cv)
    # relativity without the text column, then the region effect by code (no string mapping)
    rel = model.factor_relativity(df.drop(columns="region")) * np.array([model.region_effects.get(r, 1.0) for r in reg_names])[region]
    rates = _core.unit_rates(model, df)
    lam = rates * (head * rel * theta)[:, None]
    acc, deaths, worst, free = _core.history(g, model, lam, head, years=3)
    df["accidents_3y"] = acc
    df["deaths_3y"] = deaths
    df["max_accident_deaths_3y"] = worst
    df["claim_free_years"] = free
    df["rescue_participation"] = rescue
    hazard = np.log(rates.sum(axis=1) / 0.01)
    tz = -q + hazard + 0.7 * g.standard_normal(n)
    df["risk_tier"] = pd.Categorical.from_codes(np.where(tz > 1.2, 2, np.where(tz > -0.6, 1, 0)).astype(np.int8), categories=list(RISK_TIERS))
    df["dual_prevention"] = dual
    med, acc_mult, ann_mult = p.limit_multiples()
    df["limit_death"] = limits
    df["limit_medical"] = med * limits
    df["limit_accident"] = acc_mult * limits
    df["limit_annual"] = ann_mult * limits
    out = df[[col.name for col in PORTFOLIO_COLUMNS]]
    out.attrs["synth"] = SharedRecord({"preset": p.name, "n": n, "frailty_seed": frailty_seed, "frailty_cv": cv, "model": model.as_dict()})
    return out


def _ndtri(x: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(x))
