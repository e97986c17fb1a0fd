"""From a fitted calibration to a filed :class:`RateTable`: base rates, schedules, size structure,
off-balance, provenance.

Steps of :func:`rate_table_from`:

1. expected loss per worker-year at the base levels, by industry (the fitted model);
2. industry base rates from it (:func:`industry_base_rates`, the one place that knows how a
   rate relates to the limit; the planned reference-limit × ILF format changes only it);
3. factor schedules from the relativities; template factors not refit are kept;
4. the size structure (:func:`_size_structure`): re-estimated when ``size`` (size-class base
   rates) or a banded ``headcount`` (the headcount factor) was fitted, kept from the template
   otherwise (with its industry × size grid rescaled with the industry rates);
5. an off-balance factor per industry so that, on the book and after the float bounds, each
   industry's premium before the minimum premium is its expected loss over the target loss
   ratio. The minimum premium then lifts the smallest units; its surplus is not given back by
   pricing the other policies below their cost, so the loss ratio after the minimum is at or
   below the target (``meta.calibration.loss_ratio_after_minimum``, ``share_at_minimum``).
   The premium of an industry is affine in its base rate (a medical charge per head does not
   scale with it), so each step prices twice and solves; an industry whose other charges alone
   exceed its target keeps 0.1 % of its rate and is listed in ``industries_below_target``;
6. metadata: a new description and sources, ``meta.calibration`` (template, data, model, size
   treatment, off-balance factors).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from .._version import __version__
from ..errors import ValidationError
from ..reference import INDUSTRIES, SIZES
from ._factors import base_value

__all__ = ["rate_table_from", "premium_change", "industry_base_rates"]


def industry_base_rates(loss_per_worker: pd.Series, *, vat: float, loss_ratio: float, mean_limit: float) -> dict[str, float]:
    """Base rates (‰ of ``limit_death`` per head per year) from expected loss per worker-year.

    ``rate = loss × (1 + VAT) / loss_ratio / mean_limit``: the gross premium per worker that
    carries the loss at the target loss ratio, as a fraction of the book's exposure-weighted
    mean limit (today's tables price linearly in the limit).
    """
    return {k: float(loss_per_worker[k] * (1 + vat) / loss_ratio / mean_limit * 1000) for k in INDUSTRIES}


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


def _size_structure(data: dict, res) -> str:
    """Re-estimate or keep the size-class base rates and the headcount factor; say which."""
    rel = res.relativities
    fit_size = "size" in res.factors
    fit_hc = "headcount" in res.factors and "headcount" in res.bands
    if not (fit_size or fit_hc):
        return "kept from the template (size base rates, grid and headcount factor; not estimated)"
    parts = []
    if fit_size:
        sched = _schedule(rel, "size")
        data["base_rates"]["size"] = {s: sched.get(s, 1.0) for s in SIZES}
        data["base_rates"].pop("grid", None)
        parts.append("size base rates fitted" + (f" (levels without data set to 1: {[s for s in SIZES if s not in sched]})"
                                                 if any(s not in sched for s in SIZES) else ""))
    else:
        data["base_rates"]["size"] = {s: 1.0 for s in SIZES}
        data["base_rates"].pop("grid", None)
        parts.append("size base rates neutral (the fitted headcount factor carries size)")
    if fit_hc:
        sub = rel[rel["factor"] == "headcount"]
        data["size_factor"] = {"bands": list(res.bands["headcount"]), "factors": [float(v) for v in sub["relativity"]]}
        parts.append("headcount factor fitted")
    else:
        bands = list(data["size_factor"]["bands"])
        data["size_factor"] = {"bands": bands, "factors": [1.0] * (len(bands) + 1)}
        parts.append("headcount factor neutral (the fitted size classes carry size)")
    return "; ".join(parts)


def _factor_schedules(data: dict, res) -> None:
    facs = data.setdefault("factors", {})
    rel = res.relativities
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


def _scale_industry(data: dict, c: dict[str, float]) -> None:
    """Multiply each industry's base rate (and its grid cells, if any) by ``c[industry]``."""
    br = data["base_rates"]
    br["industry"] = {k: v * c.get(k, 1.0) for k, v in br["industry"].items()}
    for k, cells in br.get("grid", {}).items():
        br["grid"][k] = {s: v * c.get(k, 1.0) for s, v in cells.items()}


def rate_table_from(res, template, *, target_loss_ratio=None, bounds=None, book=None, name=None, iterations=4):
    """See :meth:`CalibrationResult.to_rate_table`."""
    from .price import price
    from .table import RateTable

    t = template if isinstance(template, RateTable) else RateTable.load(template)
    if res.base_severity is None:
        raise ValidationError("to_rate_table: fit a severity (severity='gamma') or pure-premium model first")
    lr = t.expected_loss_ratio() if target_loss_ratio is None else float(target_loss_ratio)
    if not 0 < lr < 1.5:
        raise ValidationError(f"to_rate_table: target_loss_ratio must be in (0, 1.5), got {target_loss_ratio!r}")
    d = _last_year(res, book)
    mean_limit = float(np.average(d["limit_death"], weights=d["exposure"]))
    probe = pd.DataFrame({"industry": list(INDUSTRIES), "exposure": 1.0})
    for f in res.factors:
        probe[f] = base_value(d[f], res.bases[f], res.bands.get(f))
    base_loss = pd.Series(res.predict_loss(probe), index=list(INDUSTRIES))

    data = copy.deepcopy(t.data)
    old = dict(data["base_rates"]["industry"])
    new = industry_base_rates(base_loss, vat=t.loadings["vat"], loss_ratio=lr, mean_limit=mean_limit)
    unfitted = [k for k in INDUSTRIES if k not in res.base_frequency.index or not np.isfinite(new[k]) or new[k] <= 0]
    new.update({k: old[k] for k in unfitted})  # no data: the template's rate, moved by the book's overall off-balance
    size_note = _size_structure(data, res)
    _scale_industry(data, {k: new[k] / old[k] for k in INDUSTRIES})  # grid cells (if kept) follow their industry
    _factor_schedules(data, res)
    if bounds is not None:
        data["premium"]["float_floor"], data["premium"]["float_cap"] = float(bounds[0]), float(bounds[1])
    table_name = name or f"{t.name}-calibrated"
    data["meta"] = {"name": table_name}

    pf = _book_from(d)
    ind = pf["industry"].astype(str).to_numpy()
    expected = res.predict_loss(d, d["headcount"].to_numpy(dtype=np.float64))
    exp_by = pd.Series(expected).groupby(ind).sum()
    # Balance before the minimum premium: a floor for small units, not a rating variable whose
    # surplus is given back by pricing the other policies below their cost.
    min_premium = float(data["premium"]["min_premium"])
    data["premium"]["min_premium"] = 0.0
    total_c = dict.fromkeys(INDUSTRIES, 1.0)
    target = exp_by / lr

    def premium_by(d_):
        prem = price(pf, RateTable.from_dict(d_, source=table_name), lift_limits=True)["premium_ex_vat"].to_numpy()
        return pd.Series(prem).groupby(ind).sum()

    prem0 = float(premium_by(data).sum())
    infeasible: list[str] = []
    for _ in range(iterations):
        # premium of an industry is affine in its base rate (a medical charge per head may not
        # scale with it): two pricings give slope and intercept, one step solves it
        p1 = premium_by(data)
        if (abs(p1 / target.reindex(p1.index) - 1) < 1e-9).all():
            break
        doubled = copy.deepcopy(data)
        _scale_industry(doubled, dict.fromkeys(INDUSTRIES, 2.0))
        slope = premium_by(doubled) - p1
        c = {}
        for k in INDUSTRIES:
            if k in p1.index and slope[k] > 0:
                want = (target[k] - (p1[k] - slope[k])) / slope[k]
                if want <= 1e-3:
                    infeasible.append(k)
                c[k] = float(max(want, 1e-3))
            else:
                c[k] = 1.0
        _scale_industry(data, c)
        total_c = {k: total_c[k] * c[k] for k in INDUSTRIES}
    infeasible = sorted(set(infeasible))
    data["premium"]["min_premium"] = min_premium
    final = price(pf, RateTable.from_dict(data, source=table_name), lift_limits=True)
    after = pd.Series(final["premium_ex_vat"].to_numpy()).groupby(ind).sum()
    at_min = float((final["premium"].to_numpy() <= min_premium + 1e-9).mean()) if min_premium > 0 else 0.0
    minimum = {"min_premium": min_premium, "share_at_minimum": at_min, "industries_below_target": infeasible,
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
        | minimum,
    }
    return RateTable.from_dict(data, source=table_name)


def _calibration_meta(res, t, lr, expected, prem0, total_c, size_note, mean_limit, years, model, unfitted) -> dict:
    d = res.data
    meta = {
        "template": t.name,
        "target_loss_ratio": lr,
        "off_balance_factor": float(expected / (lr * prem0)) if prem0 > 0 else 1.0,  # before the minimum premium
        "off_balance_by_industry": {k: float(v) for k, v in total_c.items()},
        "expected_loss": expected,
        "mean_limit": mean_limit,
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
    from .price import price

    pf = _book_from(_last_year(res, book))
    a = price(pf, before, lift_limits=True)
    b = price(pf, after, lift_limits=True)
    out = pd.DataFrame({"industry": a["industry"], "size": a["size"], "before": a["premium"], "after": b["premium"]})
    g = out.groupby(["industry", "size"], observed=True).sum()
    g["change"] = g["after"] / g["before"] - 1
    return g
