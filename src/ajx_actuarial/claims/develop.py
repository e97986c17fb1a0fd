"""Development to ultimate with chainladder-python: age-to-age factors, tails, CL / BF / Cape Cod.

For each measure (paid, incurred, claims, deaths, disabilities) and segment:

1. age-to-age factors from :class:`chainladder.Development` (``average``, ``n_periods``); a
   factor a segment cannot estimate (no claims at that age in any accident year) is taken from
   the whole book's triangle, and the patched set is applied with
   :class:`chainladder.DevelopmentConstant`;
2. a tail: none, a constant (:class:`chainladder.TailConstant`) or a fitted curve
   (:class:`chainladder.TailCurve`, ``"exponential"`` or ``"inverse_power"``);
3. ultimates: :class:`chainladder.Chainladder`; :class:`chainladder.BornhuetterFerguson` with an
   a-priori ratio to a weight (premium or exposure); :class:`chainladder.CapeCod` (a-priori
   estimated from the data and the weight). Counts use chain ladder, or Cape Cod on exposure
   when the losses use BF or Cape Cod.

Accident years with nothing reported have an ultimate of 0 under chain ladder and the a-priori
expectation ``apriori × weight × (1 − 1/CDF)`` under BF and Cape Cod.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["METHODS", "TAIL_CURVES", "Fitted", "develop", "check_options"]

METHODS = ("chainladder", "bf", "capecod")
TAIL_CURVES = ("exponential", "inverse_power")
AVERAGES = ("volume", "simple", "regression")


def check_options(method: str, tail, average: str, n_periods: int, apriori) -> None:
    if method not in METHODS:
        raise ValidationError(f"experience_from_claims: method must be one of {list(METHODS)}, got {method!r}")
    if method == "bf" and (apriori is None or isinstance(apriori, bool) or not np.isfinite(float(apriori)) or float(apriori) <= 0):
        raise ValidationError(f"experience_from_claims: method='bf' needs apriori > 0 (expected ultimate loss per unit of the weight, "
                              f"e.g. a loss ratio to premium), got {apriori!r}")
    if tail is not None and not (isinstance(tail, str) and tail in TAIL_CURVES):
        if isinstance(tail, bool) or not isinstance(tail, (int, float)) or not np.isfinite(tail) or tail < 1:
            raise ValidationError(f"experience_from_claims: tail must be None, a factor >= 1 or one of {list(TAIL_CURVES)}, got {tail!r}")
    if average not in AVERAGES:
        raise ValidationError(f"experience_from_claims: average must be one of {list(AVERAGES)}, got {average!r}")
    if isinstance(n_periods, bool) or not isinstance(n_periods, (int, np.integer)) or (n_periods < 1 and n_periods != -1):
        raise ValidationError(f"experience_from_claims: n_periods must be -1 (all) or an integer >= 1, got {n_periods!r}")


@dataclass(frozen=True)
class Fitted:
    """Development of one measure: factors, CDFs, ultimates and the chainladder estimators."""

    ldf: pd.DataFrame  # index: segment; columns: "6-18", ..., tail interval if any
    cdf: pd.DataFrame  # index: segment; columns: ages (CDF to ultimate from that age)
    ultimate: pd.DataFrame  # index: segment; columns: accident years
    estimator: object  # the fitted chainladder method
    patched: int  # factors taken from the whole book


def _frame(tri, segment_name: str) -> tuple[np.ndarray, list]:
    """(values[index, origin, dev], segment labels) of a one-column triangle."""
    return tri.values[:, 0, :, :], tri.index[segment_name].tolist()


def _ldf_patterns(tri, pooled, average: str, n_periods: int, segment_name: str):
    import chainladder as cl

    seg = cl.Development(average=average, n_periods=n_periods).fit(tri)
    book = cl.Development(average=average, n_periods=n_periods).fit(pooled)
    ages = [int(a.split("-")[0]) for a in seg.ldf_.development.tolist()]
    vals = np.asarray(seg.ldf_.values[:, 0, 0, :], dtype=float)
    fallback = np.asarray(book.ldf_.values[0, 0, 0, :], dtype=float)
    fallback = np.where(np.isfinite(fallback) & (fallback > 0), fallback, 1.0)
    bad = ~np.isfinite(vals) | (vals <= 0)
    vals = np.where(bad, fallback[None, :], vals)
    labels = tri.index[segment_name].tolist()
    return {lab: dict(zip(ages, map(float, row))) for lab, row in zip(labels, vals)}, int(bad.sum())


def develop(tri, *, measure: str, segment_name: str, method: str = "chainladder", tail=None, average: str = "volume",
            n_periods: int = -1, apriori: float | None = None, weight=None) -> Fitted:
    """Develop one cumulative one-column triangle (index = segments) to ultimate.

    ``weight``: a chainladder Triangle (same index and origins, one development) for BF and
    Cape Cod; ``apriori``: the BF a-priori ratio to it.
    """
    import chainladder as cl

    pooled = tri.sum(axis=0) if tri.shape[0] > 1 else tri
    if tri.shape[3] < 2:
        raise ValidationError(f"experience_from_claims: the {measure} triangle has a single development age; "
                              "development needs at least two accident years")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 in sparse segments, patched below
        patterns, patched = _ldf_patterns(tri, pooled, average, n_periods, segment_name)
        dev = cl.DevelopmentConstant(patterns=lambda row: patterns[row[segment_name]], style="ldf", callable_axis=0).fit_transform(tri)
        if isinstance(tail, str):
            dev = cl.TailCurve(curve=tail).fit_transform(dev)
        elif tail is not None:
            dev = cl.TailConstant(tail=float(tail)).fit_transform(dev)
        if method == "chainladder":
            est = cl.Chainladder().fit(dev)
        elif method == "bf":
            est = cl.BornhuetterFerguson(apriori=float(apriori)).fit(dev, sample_weight=weight)
        else:
            est = cl.CapeCod().fit(dev, sample_weight=weight)
    labels = tri.index[segment_name].tolist()
    origins = [int(o.year) for o in tri.origin.to_timestamp(how="s")] if hasattr(tri.origin, "to_timestamp") else list(tri.origin)
    ult = np.asarray(est.ultimate_.values[:, 0, :, 0], dtype=float)
    cdf_vals = np.asarray(dev.cdf_.values[:, 0, 0, :], dtype=float)
    cdf_ages = [int(a.split("-")[0]) for a in dev.cdf_.development.tolist()]
    ldf_vals = np.asarray(dev.ldf_.values[:, 0, 0, :], dtype=float)
    missing = ~np.isfinite(ult)
    if missing.any():
        if method == "chainladder":
            ult[missing] = 0.0
        else:
            # nothing reported: the a-priori part only, apriori × weight × (1 − 1/CDF)
            prior = float(apriori) if method == "bf" else None
            w = np.asarray(weight.values[:, 0, :, 0], dtype=float)
            ap = np.full_like(w, prior) if prior is not None else np.asarray(est.apriori_.values[:, 0, :, 0], dtype=float)
            age_idx = _age_index(tri, cdf_ages)
            cdf_at = np.take_along_axis(cdf_vals, np.broadcast_to(age_idx, ult.shape), axis=1)
            fill = np.nan_to_num(ap * w * (1 - 1 / cdf_at))
            ult[missing] = fill[missing]
    return Fitted(
        ldf=pd.DataFrame(ldf_vals, index=pd.Index(labels, name=segment_name), columns=dev.ldf_.development.tolist()),
        cdf=pd.DataFrame(cdf_vals, index=pd.Index(labels, name=segment_name), columns=cdf_ages),
        ultimate=pd.DataFrame(ult, index=pd.Index(labels, name=segment_name), columns=origins),
        estimator=est, patched=patched)


def _age_index(tri, cdf_ages: list[int]) -> np.ndarray:
    """Column of the CDF that applies to each origin's latest age (shape (1, n_origin))."""
    val = pd.Timestamp(tri.valuation_date)
    years = np.array([int(o.year) for o in tri.origin.to_timestamp(how="s")])
    age = (val.year - years) * 12 + val.month
    idx = np.searchsorted(np.asarray(cdf_ages), age)
    return np.minimum(idx, len(cdf_ages) - 1)[None, :]
