"""From a fitted calibration to a filed :class:`RateTable`: base rates, schedules, size structure,
off-balance, provenance.

Steps of :func:`rate_table_from`:

1. expected loss per worker-year at the base levels, by industry (the fitted model);
2. the industry's limit-part base rate at the template's reference limit and its medical charge
   per head, the template's scaled to the fitted loss (:func:`._base_rates.industry_rates`, the
   one place that knows how a rate relates to the limit: the template's ILF and its split between
   the limit and medical parts are kept);
3. factor schedules from the relativities, each level blended toward the template's multiplier by
   credibility ``Z = τ² / (τ² + se²)`` (:mod:`._level_credibility`: thin levels stay near the
   template; a relativity that is not a positive number estimated from claims takes the
   template's); template factors not refit are kept;
4. the size structure (:func:`_size_structure`): when ``size`` was fitted, the template's
   industry × size cells keep their shape and the book's size gradient becomes the fitted one;
   a banded ``headcount`` fit sets the headcount factor; otherwise kept from the template (its
   industry × size cells move with their industry);
5. each industry's expected loss blended with what the template implies on the book by
   credibility; an industry without claims in the experience (no usable fitted level: frequency
   ~exp(−20), Gamma severity undefined) takes the template's (``Z = 0``) in any case, so no zero
   or undefined level reaches a base rate;
6. an off-balance factor per industry, applied to both parts, so that on the book and after the
   float bounds each industry's premium before the minimum premium is its expected loss over the
   target loss ratio. The minimum premium then lifts the smallest units; its surplus is not given
   back by pricing the other policies below their cost, so the loss ratio after the minimum is at
   or below the target (``meta.calibration.loss_ratio_after_minimum``, ``share_at_minimum``);
7. ``base_rates.float_mean`` recomputed on the book (worker-year-weighted mean float factor of the
   new schedules per industry), so risk relativities stay mean 1 per industry;
8. metadata: a new description and sources, ``meta.calibration`` (template, data, model, size
   treatment, off-balance factors, credibility by industry and by level).
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd

from .._version import __version__
from ..errors import AjxWarning, ValidationError
from ..reference import INDUSTRIES, SIZES
from ._base_rates import industry_rates
from ._factors import base_value
from ._level_credibility import blend_levels, check_tau

__all__ = ["rate_table_from", "premium_change"]


def _book_from(d: pd.DataFrame) -> pd.DataFrame:
    pf = d.drop(columns=[c for c in ("year", "exposure", "claims", "deaths", "disabilities", "incurred") if c in d.columns]).copy()
    pf["policy_id"] = np.arange(len(pf))
    if "headcount" not in pf.columns:
        raise ValidationError("to_rate_table: the book needs a 'headcount' column")
    return pf


def _last_year(res, book: pd.DataFrame | None) -> pd.DataFrame:
    d = res.data if book is None else book
    if d is None:
        raise ValidationError("to_rate_table: no calibration data kept; pass book=")
    if "year" in d.columns and book is None:
        d = d[d["year"] == d["year"].max()]
    return d.reset_index(drop=True)


def _schedule(rel: pd.DataFrame, f: str) -> dict[str, float]:
    return {lv: float(v) for lv, v in rel[rel["factor"] == f][["level", "relativity"]].itertuples(index=False)}


def _size_structure(data: dict, res, rel: pd.DataFrame, book: pd.DataFrame | None = None) -> str:
    """Re-estimate or keep the size-class rates and the headcount factor; say which.

    Fitted size classes keep the template's industry × size cells (their shape per industry and per
    part: the loss model's death cap at small headcounts, its size relativities) and move the
    book's average size gradient to the fitted one: every cell of size class ``s`` (limit part and
    medical part) × ``rel_s / p_s``, where ``p_s`` is the template's exposure-weighted mean rate per
    head of class ``s`` relative to the base class. The data say how steep size is; the template
    says how it differs between industries (one size relativity for all industries would misprice
    the fatal-heavy ones). A template without cells gets ``base_rates.size`` = the relativities.
    ``rel``: the relativities to file (blended by credibility, :mod:`._level_credibility`).
    """
    br = data["base_rates"]
    fit_size = "size" in res.factors
    fit_hc = "headcount" in res.factors and "headcount" in res.bands
    if not (fit_size or fit_hc):
        return "kept from the template (size-class rates, industry x size cells and headcount factor; not estimated)"
    sched = _schedule(rel, "size") if fit_size else {}
    base = str(res.bases.get("size", "small")) if fit_size else "small"
    size_rel = {s: sched.get(s, 1.0) / sched.get(base, 1.0) for s in SIZES}
    if fit_size and book is not None and (br.get("grid") or br.get("medical_grid")):
        from ..rating.table import RateTable

        t = RateTable.from_dict(copy.deepcopy(data), source="template")
        ref = t.reference_limit
        G, M = t.base_rate_grid.to_numpy(), t.medical_grid.to_numpy()
        tot = ref * G + M
        b = SIZES.index(base)
        w = book.groupby(book["industry"].astype(str))["exposure"].sum().reindex(list(INDUSTRIES)).fillna(0.0).to_numpy()
        ok = (tot[:, b] > 0) & (w > 0)
        prof = (w[ok, None] * tot[ok] / tot[ok, b][:, None]).sum(axis=0) / w[ok].sum() if ok.any() else np.ones(len(SIZES))
        f = {s: size_rel[s] / prof[j] if prof[j] > 0 else size_rel[s] for j, s in enumerate(SIZES)}
        br["size"] = {s: 1.0 for s in SIZES}
        br["grid"] = {k: {s: float(G[i, j] * f[s] * 1000) for j, s in enumerate(SIZES)} for i, k in enumerate(INDUSTRIES)}  # ‰ in the file
        br["medical_grid"] = {k: {s: float(M[i, j] * f[s]) for j, s in enumerate(SIZES)} for i, k in enumerate(INDUSTRIES)}
    else:
        br["size"] = size_rel
        br.pop("grid", None)
        br.pop("medical_grid", None)
        med = br.get("medical", {})
        if any(float(v) > 0 for v in med.values()):
            br["medical_grid"] = {k: {s: float(med.get(k, 0.0)) * size_rel[s] for s in SIZES} for k in INDUSTRIES}
    parts = ["size gradient fitted (the template's industry x size shape kept, both parts)" + (f"; classes without data set to 1: {[s for s in SIZES if s not in sched]}"
                                                       if any(s not in sched for s in SIZES) else "")
             if fit_size else "size-class rates neutral (the fitted headcount factor carries size)"]
    if fit_hc:
        sub = rel[rel["factor"] == "headcount"]
        data["size_factor"] = {"bands": list(res.bands["headcount"]), "factors": [float(v) for v in sub["relativity"]]}
        parts.append("headcount factor fitted")
    else:
        bands = list(data["size_factor"]["bands"])
        data["size_factor"] = {"bands": bands, "factors": [1.0] * (len(bands) + 1)}
        parts.append("headcount factor neutral (the fitted size classes carry size)")
    return "; ".join(parts)


def _factor_schedules(data: dict, res, rel: pd.DataFrame) -> None:
    facs = data.setdefault("factors", {})
    for f in res.factors:
        if f in ("size", "headcount"):
            continue
        sched = _schedule(rel, f)
        key = next((k for k, s in facs.items() if s.get("column") == f), f)
        if f in res.bands:
            facs[key] = {"kind": "banded", "column": f, "bands": list(res.bands[f]),
                         "multipliers": [sched[lv] for lv in rel[rel["factor"] == f]["level"]]}
        elif set(sched) <= {"True", "False"}:
            facs[key] = {"kind": "boolean", "column": f, "true": sched.get("True", 1.0), "false": sched.get("False", 1.0)}
        else:
            facs[key] = {"kind": "categorical", "column": f, "levels": sched, "default": res.bases[f]}


def _scale_industry(data: dict, c: dict[str, float], medical: dict[str, float] | None = None) -> None:
    """Multiply each industry's limit-part rate, its medical charge and their industry × size cells
    by ``c[industry]``; ``medical`` (if given) scales the medical part by its own factor."""
    br = data["base_rates"]
    cm = c if medical is None else medical
    br["industry"] = {k: v * c.get(k, 1.0) for k, v in br["industry"].items()}
    for k, cells in br.get("grid", {}).items():
        br["grid"][k] = {s: v * c.get(k, 1.0) for s, v in cells.items()}
    if "medical" in br:
        br["medical"] = {k: v * cm.get(k, 1.0) for k, v in br["medical"].items()}
    for k, cells in br.get("medical_grid", {}).items():
        br["medical_grid"][k] = {s: v * cm.get(k, 1.0) for s, v in cells.items()}


def _check_options(target_loss_ratio, bounds, iterations, credibility) -> None:
    """The options of :meth:`CalibrationResult.to_rate_table`, before any work (text is not a number)."""
    def real(v) -> bool:
        return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) and bool(np.isfinite(v))

    if target_loss_ratio is not None and not (real(target_loss_ratio) and 0 < target_loss_ratio < 1.5):
        raise ValidationError(f"to_rate_table: target_loss_ratio must be a number in (0, 1.5) or None, got {target_loss_ratio!r}")
    if bounds is not None and (isinstance(bounds, (str, bytes)) or not hasattr(bounds, "__len__") or len(bounds) != 2
                               or not all(real(b) for b in bounds)):
        raise ValidationError(f"to_rate_table: bounds must be (float_floor, float_cap), two numbers, or None, got {bounds!r}")
    if isinstance(iterations, (bool, np.bool_)) or not isinstance(iterations, (int, np.integer)) or not 1 <= iterations <= 100:
        raise ValidationError(f"to_rate_table: iterations must be an integer in [1, 100], got {iterations!r}")
    check_tau(credibility)


def rate_table_from(res, template, *, target_loss_ratio=None, bounds=None, book=None, name=None, iterations=4, credibility=0.25):
    """See :meth:`CalibrationResult.to_rate_table`."""
    from ..rating.price import price
    from ..rating.table import RateTable

    _check_options(target_loss_ratio, bounds, iterations, credibility)
    t = template if isinstance(template, RateTable) else RateTable.load(template)
    if res.base_severity is None:
        raise ValidationError("to_rate_table: fit a severity (severity='gamma') or pure-premium model first")
    lr = t.expected_loss_ratio() if target_loss_ratio is None else float(target_loss_ratio)
    d = _last_year(res, book)
    if not {"industry", "size", "limit_death", "exposure"} <= set(d.columns):
        raise ValidationError("to_rate_table: the book needs industry, size, limit_death and exposure columns")
    mean_limit = float(np.average(d["limit_death"], weights=d["exposure"]))
    probe = pd.DataFrame({"industry": list(INDUSTRIES), "exposure": 1.0})
    for f in res.factors:
        probe[f] = base_value(d[f], res.bases[f], res.bands.get(f))
    base_loss = pd.Series(res.predict_loss(probe), index=list(INDUSTRIES))

    data = copy.deepcopy(t.data)
    rates = industry_rates(base_loss, t, d, loss_ratio=lr)
    # an industry without claims has no usable level (frequency ~exp(-20), Gamma severity undefined): the template's
    claims_by = res.data.groupby(res.data["industry"].astype(str))["claims"].sum() if res.data is not None else pd.Series(dtype=float)
    unfitted = [k for k in INDUSTRIES if k not in res.base_frequency.index or not np.isfinite(rates.loc[k, "scale"])
                or rates.loc[k, "scale"] <= 0 or (res.data is not None and claims_by.get(k, 0) <= 0)]
    c_rate = {k: 1.0 if k in unfitted else float(rates.loc[k, "scale"]) for k in INDUSTRIES}
    _scale_industry(data, c_rate)  # both parts, and their industry x size cells (if kept), move with their industry
    rel, level_meta = blend_levels(res, t, res.data if res.data is not None else d, credibility)
    size_note = _size_structure(data, res, rel, d)
    _factor_schedules(data, res, rel)
    if bounds is not None:
        data["premium"]["float_floor"], data["premium"]["float_cap"] = float(bounds[0]), float(bounds[1])
    table_name = name or f"{t.name}-calibrated"
    data["meta"] = {"name": table_name}

    pf = _book_from(d)
    ind = pf["industry"].astype(str).to_numpy()
    if "size" in res.factors:  # the fitted size gradient is net of history: divide the history factor's mean out of each cell
        _history_per_cell(data, pf, d, table_name)
    with np.errstate(invalid="ignore", over="ignore"):
        expected = res.predict_loss(d, d["headcount"].to_numpy(dtype=np.float64))
    exp_by = pd.Series(expected).groupby(ind).sum()
    z_by = _industry_credibility(res, t, pf, ind, exp_by, lr, credibility)
    no_level = [k for k in exp_by.index if k in unfitted or not np.isfinite(exp_by[k]) or exp_by[k] <= 0]
    if z_by is not None or no_level:  # blend each industry's expected loss with what the template implies on the same book
        tp = price(pf, t.with_changes(premium={"min_premium": 0.0}), lift_limits=True)["premium_ex_vat"].to_numpy()
        implied = pd.Series(tp).groupby(ind).sum() * lr
        z_by = {k: 0.0 if k in no_level else (1.0 if z_by is None else z_by[k]) for k in exp_by.index}
        exp_by = pd.Series({k: _blend(exp_by[k], implied[k], z_by[k]) for k in exp_by.index})
        if no_level and credibility is None:
            warnings.warn(f"to_rate_table: industries {no_level} have no claims (or no usable fitted level) in the experience; "
                          "their rates are the template's on this book (credibility 0)", AjxWarning, stacklevel=3)
    # Balance before the minimum premium: a floor for small units, not a rating variable whose
    # surplus is given back by pricing the other policies below their cost. Both parts scale
    # together, so an industry's premium is proportional to its factor: one step, one to confirm.
    min_premium = float(data["premium"]["min_premium"])
    data["premium"]["min_premium"] = 0.0
    total_c = dict.fromkeys(INDUSTRIES, 1.0)
    prem0 = None
    for _ in range(iterations):
        prem = price(pf, RateTable.from_dict(data, source=table_name), lift_limits=True)["premium_ex_vat"].to_numpy()
        prem_by = pd.Series(prem).groupby(ind).sum()
        prem0 = prem.sum() if prem0 is None else prem0
        overall = exp_by.sum() / (lr * prem_by.sum())
        c = {k: float(exp_by[k] / (lr * prem_by[k])) if k in exp_by.index and prem_by[k] > 0 else overall for k in INDUSTRIES}
        _scale_industry(data, c)
        total_c = {k: total_c[k] * c[k] for k in INDUSTRIES}
        if max(abs(v - 1) for v in c.values()) < 1e-9:
            break
    data["premium"]["min_premium"] = min_premium
    final = price(pf, RateTable.from_dict(data, source=table_name), lift_limits=True)
    w = d["exposure"].to_numpy(dtype=float)
    fm = (pd.Series(w * final["float_factor"].to_numpy()).groupby(ind).sum() / pd.Series(w).groupby(ind).sum())
    data["base_rates"]["float_mean"] = {k: float(fm[k]) if k in fm.index else float(t.float_mean[k]) for k in INDUSTRIES}
    after = pd.Series(final["premium_ex_vat"].to_numpy()).groupby(ind).sum()
    at_min = float((final["premium"].to_numpy() <= min_premium + 1e-9).mean()) if min_premium > 0 else 0.0
    minimum = {"min_premium": min_premium, "share_at_minimum": at_min,
               "credibility_by_industry": {k: float(v) for k, v in (z_by or {}).items()},
               "medical_share_by_industry": {k: float(rates.loc[k, "medical_share"]) for k in INDUSTRIES},
               "mean_ilf_by_industry": {k: float(rates.loc[k, "mean_ilf"]) for k in INDUSTRIES},
               "loss_ratio_after_minimum": float(exp_by.sum() / after.sum()),
               "loss_ratio_after_minimum_by_industry": {k: float(exp_by[k] / after[k]) for k in exp_by.index if after[k] > 0}}
    years = sorted(int(y) for y in res.data["year"].unique()) if res.data is not None and "year" in res.data else []
    spec = res.provenance.get("spec", {})
    model = f"{spec.get('frequency', 'poisson')} frequency × " + ("Tweedie pure premium" if "pure_premium" in res.raw else "Gamma severity")
    n_rows = int(res.diagnostics.get("n_rows", 0))
    data["meta"] = {
        "name": table_name,
        "description": (f"Calibrated by ajx_actuarial {__version__} from {n_rows:,} policy-years"
                        + (f" ({years[0]}-{years[-1]})" if years else "")
                        + f": {model} on industry + {', '.join(res.factors) or 'no factors'}; rebalanced to loss ratio {lr:.3f} "
                          f"per industry on {len(pf):,} policies. Structure, loadings and factors not refit from template {t.name!r}."),
        "jurisdiction": t.data["meta"].get("jurisdiction", "national"),
        "sources": [f"ajx_actuarial {__version__} calibrate: GLM on experience", f"template {t.name}: {t.data['meta'].get('description', '')}"],
        "calibration": _calibration_meta(res, t, lr, float(exp_by.sum()), float(prem0 or 0.0), total_c, size_note, mean_limit, years, model, unfitted)
        | minimum | ({} if credibility is None else {"level_credibility_tau": float(credibility)}) | level_meta,
    }
    return RateTable.from_dict(data, source=table_name)


def _blend(fitted: float, template: float, z: float) -> float:
    """``exp(z log fitted + (1 − z) log template)``; the template alone where ``z`` is 0 or the fit is unusable."""
    if z <= 0 or not fitted > 0:
        return float(template)
    if not template > 0 or z >= 1:
        return float(fitted)
    return float(np.exp(z * np.log(fitted) + (1 - z) * np.log(template)))


def _history_per_cell(data: dict, pf: pd.DataFrame, d: pd.DataFrame, table_name: str) -> None:
    """Divide each industry × size cell by the book's mean history factor in it (exposure-weighted).

    The history factor is not in the GLM (experience has no history columns) and its mean differs
    by size: a large unit's claims against its many expected claims, clipped at the bounds, do not
    average 1 as a small unit's do. Left in, it would shift premium between size classes of an
    industry (the off-balance only sets industries); the risk-based builder does the same per cell.
    """
    from ..rating.price import price
    from ..rating.table import RateTable

    t = RateTable.from_dict(copy.deepcopy(data), source=table_name)
    hist = [f for f in t.factors if f.kind == "history"]
    if not hist or "history_class" not in price(pf.head(1), t, lift_limits=True).columns:
        return
    p = price(pf, t, lift_limits=True)
    h = p[f"f_{hist[0].name}"].to_numpy(dtype=np.float64)
    w = d["exposure"].to_numpy(dtype=np.float64)
    key = [p["industry"].astype(str).to_numpy(), p["size"].astype(str).to_numpy()]
    m = pd.Series(w * h).groupby(key).sum() / pd.Series(w).groupby(key).sum()
    br = data["base_rates"]
    G, M = t.base_rate_grid, t.medical_grid
    br["grid"] = {k: {s: float(G.loc[k, s] * 1000 / m.get((k, s), 1.0)) for s in SIZES} for k in INDUSTRIES}
    br["medical_grid"] = {k: {s: float(M.loc[k, s] / m.get((k, s), 1.0)) for s in SIZES} for k in INDUSTRIES}
    br["size"] = {s: 1.0 for s in SIZES}


def _industry_credibility(res, t, pf, ind, exp_by, lr, tau) -> dict | None:
    """Per industry ``Z = τ² / (τ² + v)``, ``v = Σ x² / (Σ x)²`` of its policy-years' incurred (the
    relative variance of its total, compound Poisson); ``None`` when ``tau`` is ``None``."""
    check_tau(tau)
    if tau is None:
        return None
    data = res.data
    if data is None or "incurred" not in data.columns:
        return None
    x = data["incurred"].to_numpy(dtype=np.float64)
    k = data["industry"].astype(str).to_numpy()
    s1 = pd.Series(x).groupby(k).sum()
    s2 = pd.Series(x * x).groupby(k).sum()
    out = {}
    for name in exp_by.index:
        v = float(s2.get(name, 0.0) / s1.get(name, 0.0) ** 2) if s1.get(name, 0.0) > 0 else np.inf
        out[name] = float(tau**2 / (tau**2 + v)) if np.isfinite(v) else 0.0
    return out


def _calibration_meta(res, t, lr, expected, prem0, total_c, size_note, mean_limit, years, model, unfitted) -> dict:
    d = res.data
    meta = {
        "template": t.name,
        "target_loss_ratio": lr,
        "off_balance_factor": float(expected / (lr * prem0)) if prem0 > 0 else 1.0,  # before the minimum premium
        "off_balance_by_industry": {k: float(v) for k, v in total_c.items()},
        "expected_loss": expected,
        "mean_limit": mean_limit,
        "reference_limit": t.reference_limit,
        "path": res.path,
        "model": model,
        "factors": list(res.factors),
        "bases": {k: str(v) for k, v in res.bases.items()},
        "size_structure": size_note,
        "industries_from_template": unfitted,
        "years": years,
    }
    if d is not None:
        meta.update({"policy_years": int(len(d)), "exposure": float(d["exposure"].sum()), "claims": int(d["claims"].sum()),
                     "incurred": float(d["incurred"].sum())})
    exp_prov = res.provenance.get("experience")
    if exp_prov:
        meta["experience"] = {k: v for k, v in exp_prov.items() if isinstance(v, (str, int, float, bool)) and v is not None}
    return meta


def premium_change(res, before, after, book: pd.DataFrame | None = None) -> pd.DataFrame:
    """Premium by industry × size under two tables, and the change."""
    from ..rating.price import price

    pf = _book_from(_last_year(res, book))
    a = price(pf, before, lift_limits=True)
    b = price(pf, after, lift_limits=True)
    out = pd.DataFrame({"industry": a["industry"], "size": a["size"], "before": a["premium"], "after": b["premium"]})
    g = out.groupby(["industry", "size"], observed=True).sum()
    g["change"] = g["after"] / g["before"] - 1
    return g
