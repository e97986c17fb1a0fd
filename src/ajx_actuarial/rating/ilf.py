"""Increased-limit factors: the limit dimension of a rate table.

``ILF(L) = E[insured loss | per-person limit L] / E[insured loss | reference limit]`` for the part
of the premium that depends on the per-person death/disability limit (deaths, disabilities,
rescue and legal costs; medical-only claims are priced per head under their own sub-limit).
With the nested 安责险 limits (per person → per accident → per year) the factor is linear in the
limit while the economic loss of a death exceeds it, then concave (DOMAIN.md §10.1).

A table declares it in ``[limits.ilf]``:

* ``limits`` and ``factors.<industry>`` (or ``factors.all``): an explicit schedule, interpolated
  linearly between the listed limits, proportionally below the first (the factor is linear in
  the limit there) and along the last segment's slope above the last (``extrapolate =
  "linear"``, the default); with ``extrapolate = "none"`` the table prices only limits inside
  its schedule and refuses the others (:meth:`ILFSchedule.check_limits`);
* ``source = "model"``: factors derived when pricing from the default loss model
  (:func:`ajx_actuarial.expected_loss`), per industry;
* no ``[limits.ilf]``: ``ILF(L) = L / reference_limit`` (premium linear in the limit, the format of
  the first tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..reference import INDUSTRIES
from ._schema import num, table_of

__all__ = ["ILFSchedule", "validate_ilf", "model_ilf"]


@dataclass(frozen=True, eq=False)
class ILFSchedule:
    """The increased-limit factors of one table (see the module docstring)."""

    reference_limit: float
    source: str  # "linear", "table" or "model"
    limits: np.ndarray = field(default_factory=lambda: np.zeros(0))
    factors: dict = field(default_factory=dict)  # industry -> array over limits
    extrapolate: str = "linear"  # "linear" or "none" (a schedule's limits only)

    @classmethod
    def from_data(cls, data: dict) -> "ILFSchedule":
        lim = data["limits"]
        ref = float(lim.get("reference_limit", lim["min_limit_death"]))
        spec = lim.get("ilf")
        if spec is None:
            return cls(ref, "linear")
        if spec.get("source") == "model":
            return cls(ref, "model")
        limits = np.asarray(spec["limits"], dtype=np.float64)
        fac = {k: np.asarray(v, dtype=np.float64) for k, v in spec["factors"].items()}
        return cls(ref, "table", limits, fac, str(spec.get("extrapolate", "linear")))

    def priceable(self) -> tuple[float, float]:
        """The per-person limits this schedule prices: ``(low, high)`` CNY (``(0, inf)`` unless an
        explicit schedule says ``extrapolate = "none"``)."""
        if self.source == "table" and self.extrapolate == "none":
            return float(self.limits[0]), float(self.limits[-1])
        return 0.0, float("inf")

    def check_limits(self, limit, where: str = "price") -> None:
        """Raise one :class:`ValidationError` when a limit lies outside :meth:`priceable`."""
        lo, hi = self.priceable()
        v = np.asarray(limit, dtype=np.float64)
        bad = (v < lo * (1 - 1e-12)) | (v > hi * (1 + 1e-12))
        if bad.any():
            x = float(v[bad][0])
            raise ValidationError(f"{where}: a per-person limit of {x:,.0f} CNY is outside what the table's increased-limit "
                                  f"factors price ({lo:,.0f} to {hi:,.0f}; [limits.ilf] extrapolate = \"none\")")

    def curve(self, industry: str) -> np.ndarray:
        return self.factors.get(industry, self.factors.get("all"))

    def __call__(self, industry_codes: np.ndarray, limit: np.ndarray) -> np.ndarray:
        """ILF per policy (industry codes index ``INDUSTRIES``)."""
        limit = np.asarray(limit, dtype=np.float64)
        if self.source == "linear":
            return limit / self.reference_limit
        if self.source == "model":
            return _model_factors(industry_codes, limit, self.reference_limit)
        # a book has few distinct limits: interpolate each industry's curve at them, then gather
        codes, uniq = pd.factorize(limit, sort=False)
        tab = np.vstack([_interp(self.limits, self.curve(ind), uniq) for ind in INDUSTRIES])
        return tab[industry_codes, codes]

    def to_frame(self) -> pd.DataFrame:
        """The schedule: one row per limit, one column per industry (for display)."""
        if self.source != "table":
            return pd.DataFrame({"source": [self.source], "reference_limit": [self.reference_limit]})
        cols = {k: v for k, v in self.factors.items()}
        df = pd.DataFrame(cols, index=pd.Index(self.limits, name="limit_death"))
        return df


def _interp(x: np.ndarray, y: np.ndarray, v: np.ndarray) -> np.ndarray:
    out = np.interp(v, x, y)
    lo = v < x[0]
    out[lo] = y[0] * v[lo] / x[0]
    hi = v > x[-1]
    if hi.any():
        slope = (y[-1] - y[-2]) / (x[-1] - x[-2]) if x.size > 1 else y[-1] / x[-1]
        out[hi] = y[-1] + slope * (v[hi] - x[-1])
    return out


def validate_ilf(lim: dict) -> None:
    """Check ``[limits]`` (reference limit and the optional ``[limits.ilf]`` schedule)."""
    ref = num(lim.get("reference_limit", lim.get("min_limit_death")), "limits.reference_limit", what="reference limit", hi=1e8)
    spec = lim.get("ilf")
    if spec is None:
        return
    spec = table_of(spec, "limits.ilf")
    unknown = sorted(set(spec) - {"source", "limits", "factors", "extrapolate", "note"})
    if unknown:
        raise ValidationError(f"limits.ilf: unknown key(s) {unknown}; allowed: source, limits, factors, extrapolate, note")
    if spec.get("extrapolate", "linear") not in ("linear", "none"):
        raise ValidationError(f"limits.ilf.extrapolate: must be 'linear' or 'none', got {spec['extrapolate']!r}")
    if spec.get("source") == "model":
        return
    if "source" in spec and spec["source"] != "table":
        raise ValidationError(f"limits.ilf.source: must be 'table' or 'model', got {spec['source']!r}")
    limits = spec.get("limits")
    if not isinstance(limits, list) or len(limits) < 2:
        raise ValidationError("limits.ilf.limits: must be a list of at least two limits (CNY per person)")
    xs = [num(v, f"limits.ilf.limits[{i}]", what="limit", hi=1e8) for i, v in enumerate(limits)]
    if any(b <= a for a, b in zip(xs, xs[1:])):
        raise ValidationError(f"limits.ilf.limits: must increase, got {limits}")
    if not any(abs(x - ref) <= 1e-9 * ref for x in xs):
        raise ValidationError(f"limits.ilf.limits: must include the reference limit {ref:,.0f}")
    fac = table_of(spec.get("factors"), "limits.ilf.factors")
    unknown = sorted(set(fac) - set(INDUSTRIES) - {"all"})
    if unknown:
        raise ValidationError(f"limits.ilf.factors: unknown industry code(s) {unknown}; allowed: {list(INDUSTRIES)} or 'all'")
    if "all" not in fac and any(k not in fac for k in INDUSTRIES):
        raise ValidationError(f"limits.ilf.factors: needs 'all' or every industry; missing {[k for k in INDUSTRIES if k not in fac]}")
    iref = [abs(x - ref) <= 1e-9 * ref for x in xs].index(True)
    for k, v in fac.items():
        path = f"limits.ilf.factors.{k}"
        if not isinstance(v, list) or len(v) != len(xs):
            raise ValidationError(f"{path}: needs one factor per limit ({len(xs)}), got {v!r}")
        ys = [num(f, f"{path}[{i}]", what="factor", hi=1e3) for i, f in enumerate(v)]
        if abs(ys[iref] - 1.0) > 1e-6:
            raise ValidationError(f"{path}: the factor at the reference limit must be 1, got {ys[iref]}")
        if any(b < a for a, b in zip(ys, ys[1:])):
            raise ValidationError(f"{path}: factors must not decrease with the limit, got {v}")


def model_ilf(limits, reference_limit: float, *, model=None, book: pd.DataFrame | None = None, by_size: bool = False) -> pd.DataFrame:
    """Increased-limit factors from the loss model: one row per limit, one column per industry.

    ``ILF_industry(L) = Σ E[death + disability + rescue + third party | L] / Σ E[... | reference_limit]`` over the
    industry's policies of ``book`` (exposure and risk relativity as in the book), with the
    nested limits of :func:`ajx_actuarial.expected_loss` (per-accident and annual limits scaled
    with the per-person limit as :class:`~ajx_actuarial.LimitPolicy` does). Without a book, one
    100-worker policy per industry. Medical-only claims are left out (priced per head).

    Examples
    --------
    >>> from ajx_actuarial.rating.ilf import model_ilf
    >>> t = model_ilf([400_000, 800_000, 2_000_000], 400_000)
    >>> bool(abs(t.loc[800_000, "coal_mine"] - 2.0) < 1e-9)   # linear while a death costs more than the limit
    True
    """
    from ..losses import LimitPolicy, expected_loss

    if book is None:
        book = pd.DataFrame({"policy_id": range(len(INDUSTRIES)), "industry": list(INDUSTRIES), "size": "small", "headcount": 100})
    limits = sorted({float(x) for x in limits} | {float(reference_limit)})
    floor = min(limits)
    parts = {}
    for L in limits:
        e = expected_loss(book, model, LimitPolicy.fixed(L, floor=floor))
        e["nonmed"] = e["death"] + e["disability"] + e["rescue"] + e["third_party"]
        key = ["industry", "size"] if by_size else ["industry"]
        parts[L] = e.groupby(key, observed=True)["nonmed"].sum()
    ref = parts[float(reference_limit)]
    return pd.DataFrame({L: parts[L] / ref for L in limits}).T.rename_axis("limit_death")


_MODEL_CACHE: dict = {}


def _model_factors(industry_codes: np.ndarray, limit: np.ndarray, ref: float) -> np.ndarray:
    """ILF from the default loss model for each (industry, limit) present (cached)."""
    out = np.empty(limit.size)
    keys = pd.MultiIndex.from_arrays([industry_codes, limit])
    codes, uniq = keys.factorize()
    want = sorted({float(L) for _, L in uniq} - {k[1] for k in _MODEL_CACHE if k[0] == ref})
    if want:
        t = model_ilf(want, ref)
        for L in t.index:
            for ind in t.columns:
                _MODEL_CACHE[(ref, float(L), ind)] = float(t.loc[L, ind])
    vals = np.array([_MODEL_CACHE[(ref, float(L), INDUSTRIES[c])] for c, L in uniq])
    out[:] = vals[codes]
    return out
