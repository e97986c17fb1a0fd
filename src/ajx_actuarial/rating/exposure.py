"""Exposure bases other than headcount: premium per project cost (工程造价) or per tonne of output.

The market prices construction projects by their cost, in ‰ falling with the project's size
(Shandong 2018, Hunan; DOMAIN.md §3.1-3.2), and coal mines by approved output (Hubei: 2.3 CNY/t
at a 200 000 CNY per-person cover). A rate table declares such a base in ``[exposure_base]``::

    [exposure_base]
    kind = "project_cost"          # or "output_tonnes"; absent section = "headcount" (per head)
    industries = ["construction"]  # rows priced on this base (default: every industry)
    bands = [10e6, 50e6, 100e6]    # inclusive upper bounds of the exposure (CNY or t); [] = one band
    rates = [0.65, 0.60, 0.55, 0.50]   # one per band: ‰ of project cost, or CNY per tonne,
                                   #   at the table's reference limit
    method = "flat"                # "flat": the band the exposure falls in prices all of it;
                                   # "progressive": each slice of the exposure at its band's rate
    aggregate_limits = [21e6, 42e6, 63e6, 84e6]   # optional, CNY, one per band: the policy's
                                   #   annual aggregate limit when the book gives no limit_annual

For a row priced on the base::

    exposure premium = rate(exposure) × exposure × ILF(limit_death)
    premium = round_half_up(max(min_premium, exposure premium × clip(Π f_i, floor, cap)), decimals)

The rate covers the whole cover (no per-head medical charge) and the band schedule replaces the
headcount size factor (``size_factor`` = 1). The floating factors, the minimum premium, the
loadings and the increased-limit factor (rates are stated at ``limits.reference_limit``) work as
for per-head rows. The losses still follow the workers on site (``headcount``): the loss model,
:func:`~ajx_actuarial.simulate` and :func:`~ajx_actuarial.expected_loss` never read the
exposure. So that everything downstream (adequacy, simulation, reports) reads a priced frame the
same way, :func:`~ajx_actuarial.price` also writes the per-worker equivalents: ``limit_rate`` =
exposure premium / headcount, ``base_rate`` = ``limit_rate / (reference_limit × ILF)``,
``medical_rate`` = 0, so ``headcount × (limit_rate + medical_rate) × size_factor ×
float_factor`` is the premium before the minimum, as for any table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError, format_rows
from ..reference import INDUSTRIES
from ._schema import num, table_of

__all__ = ["ExposureBase", "EXPOSURE_KINDS", "validate_exposure_base", "apply_exposure_base", "explain_exposure", "given_column"]

EXPOSURE_KINDS = ("headcount", "project_cost", "output_tonnes")
_UNITS = {"project_cost": ("‰ of project cost", "CNY project cost", 1e-3), "output_tonnes": ("CNY per tonne", "t output", 1.0)}
_KEYS = {"kind", "industries", "bands", "rates", "method", "aggregate_limits", "note", "source"}


@dataclass(frozen=True, eq=False)
class ExposureBase:
    """A validated ``[exposure_base]`` section (see the module docstring)."""

    kind: str
    industries: tuple[str, ...]
    bands: np.ndarray
    rates: np.ndarray  # in the table's unit (‰ or CNY/t)
    method: str = "flat"
    aggregate_limits: np.ndarray | None = None

    @classmethod
    def from_data(cls, spec: dict | None) -> "ExposureBase | None":
        """The section as an object; ``None`` for per-head tables (no section, or kind headcount)."""
        if spec is None or spec.get("kind", "headcount") == "headcount":
            return None
        agg = spec.get("aggregate_limits")
        return cls(kind=spec["kind"], industries=tuple(spec.get("industries", INDUSTRIES)),
                   bands=np.asarray(spec.get("bands", []), dtype=np.float64), rates=np.asarray(spec["rates"], dtype=np.float64),
                   method=spec.get("method", "flat"), aggregate_limits=None if agg is None else np.asarray(agg, dtype=np.float64))

    @property
    def column(self) -> str:
        """Portfolio column holding the exposure."""
        return self.kind

    @property
    def rate_unit(self) -> str:
        return _UNITS[self.kind][0]

    @property
    def exposure_unit(self) -> str:
        return _UNITS[self.kind][1]

    def band_of(self, x: np.ndarray) -> np.ndarray:
        """Band index of each exposure (bands are inclusive upper bounds)."""
        return np.searchsorted(self.bands, np.asarray(x, dtype=np.float64), side="left")

    def premium_at_reference(self, x: np.ndarray) -> np.ndarray:
        """Exposure premium at the reference limit (before ILF, factors and minimum), CNY."""
        x = np.asarray(x, dtype=np.float64)
        scale = _UNITS[self.kind][2]
        if self.method == "flat":
            return self.rates[self.band_of(x)] * scale * x
        lower = np.r_[0.0, self.bands]
        upper = np.r_[self.bands, np.inf]
        slices = np.clip(x[:, None] - lower[None, :], 0.0, upper - lower)
        return (slices * self.rates[None, :]).sum(axis=1) * scale

    def band_labels(self) -> list[str]:
        b = self.bands
        if b.size == 0:
            return ["all"]
        return [f"<= {b[0]:,.0f}"] + [f"{b[i - 1]:,.0f}-{b[i]:,.0f}" for i in range(1, b.size)] + [f"> {b[-1]:,.0f}"]

    def to_frame(self) -> pd.DataFrame:
        """The band schedule, for display."""
        df = pd.DataFrame({f"{self.kind} band": self.band_labels(), f"rate ({self.rate_unit})": self.rates})
        if self.aggregate_limits is not None:
            df["aggregate limit (CNY)"] = self.aggregate_limits
        return df


def validate_exposure_base(spec) -> None:
    """Check an ``[exposure_base]`` section; errors name the key path, the rule and the value."""
    if spec is None:
        return
    spec = table_of(spec, "exposure_base")
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise ValidationError(f"exposure_base: unknown key(s) {unknown}; allowed: {sorted(_KEYS)}")
    kind = spec.get("kind", "headcount")
    if kind not in EXPOSURE_KINDS:
        raise ValidationError(f"exposure_base.kind: must be one of {list(EXPOSURE_KINDS)}, got {kind!r}")
    if kind == "headcount":
        extra = sorted(set(spec) - {"kind", "note", "source"})
        if extra:
            raise ValidationError(f"exposure_base: kind 'headcount' prices per head from [base_rates]; remove {extra}")
        return
    inds = spec.get("industries", list(INDUSTRIES))
    if not isinstance(inds, list) or not inds:
        raise ValidationError(f"exposure_base.industries: must be a non-empty list of industry codes, got {inds!r}")
    bad = sorted(set(map(str, inds)) - set(INDUSTRIES))
    if bad:
        raise ValidationError(f"exposure_base.industries: unknown industry code(s) {bad}; allowed: {list(INDUSTRIES)}")
    bands = spec.get("bands", [])
    if not isinstance(bands, list):
        raise ValidationError(f"exposure_base.bands: must be a list of inclusive upper bounds, got {bands!r}")
    xs = [num(b, f"exposure_base.bands[{i}]", what="band bound", hi=1e13) for i, b in enumerate(bands)]
    for i in range(1, len(xs)):
        if xs[i] <= xs[i - 1]:
            raise ValidationError(f"exposure_base.bands[{i}]: bands must increase, got {bands}")
    rates = spec.get("rates")
    if not isinstance(rates, list) or len(rates) != len(xs) + 1:
        raise ValidationError(f"exposure_base.rates: needs len(bands) + 1 = {len(xs) + 1} rates, got {rates!r}")
    unit = _UNITS[kind][0]
    for i, r in enumerate(rates):
        num(r, f"exposure_base.rates[{i}]", what=f"rate ({unit})", hi=1e3)
    method = spec.get("method", "flat")
    if method not in ("flat", "progressive"):
        raise ValidationError(f"exposure_base.method: must be 'flat' or 'progressive', got {method!r}")
    agg = spec.get("aggregate_limits")
    if agg is not None:
        if not isinstance(agg, list) or len(agg) != len(xs) + 1:
            raise ValidationError(f"exposure_base.aggregate_limits: needs one limit per band ({len(xs) + 1}), got {agg!r}")
        for i, a in enumerate(agg):
            num(a, f"exposure_base.aggregate_limits[{i}]", what="aggregate limit (CNY)", hi=1e11)


def given_column(portfolio: pd.DataFrame, column: str) -> bool:
    """Whether the user's frame has ``column`` (by name or a Chinese alias), before defaults."""
    from ..aliases import canonical_columns

    return column in canonical_columns(portfolio.iloc[:0], (column,), "price").columns  # the contract's header matching


def apply_exposure_base(t, df: pd.DataFrame, portfolio: pd.DataFrame, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Reprice the rows of ``t.exposure_base``'s industries on their exposure (used by :func:`price`).

    ``df`` is the validated portfolio (its ``limit_annual`` is set from the band's aggregate limit
    where the table has them and ``portfolio`` gave none); ``cols`` holds the per-head arrays
    ``base_rate``, ``ilf``, ``limit_rate``, ``medical_rate``, ``size_factor``. Returns the
    replaced arrays plus ``exposure_base``, ``rated_exposure`` (the exposure priced: headcount on
    per-head rows; not ``exposure``, which in experience frames means worker-years), ``exposure_rate`` (in the table's unit,
    the average rate for a progressive schedule; NaN on per-head rows) and ``exposure_band``
    (-1 on per-head rows).
    """
    eb: ExposureBase = t.exposure_base
    n = len(df)
    head = df["headcount"].to_numpy(dtype=np.float64)
    on = df["industry"].isin(eb.industries).to_numpy(dtype=bool)
    if eb.column in df.columns:
        x = df[eb.column].to_numpy(dtype=np.float64)
    else:
        x = np.full(n, np.nan)
    missing = on & ~np.isfinite(x)
    if missing.any():
        idx = np.flatnonzero(missing)
        raise ValidationError(
            f"price: table {t.name!r} prices {', '.join(eb.industries)} per {eb.kind} ({eb.rate_unit}); column {eb.column!r} is "
            f"{'missing' if eb.column not in df.columns else 'blank'} on such rows; bad {format_rows(idx.tolist())}"
        )
    base = np.array(["headcount"] * n, dtype=object)
    base[on] = eb.kind
    exposure = head.copy()
    exposure[on] = x[on]
    band = np.full(n, -1, dtype=np.int64)
    rate = np.full(n, np.nan)
    out = {k: np.array(cols[k], dtype=np.float64, copy=True) for k in ("base_rate", "limit_rate", "medical_rate", "size_factor")}
    if on.any():
        xo = x[on]
        prem_ref = eb.premium_at_reference(xo)
        band[on] = eb.band_of(xo)
        rate[on] = prem_ref / (xo * _UNITS[eb.kind][2])
        ilf = np.asarray(cols["ilf"], dtype=np.float64)[on]
        per_head = prem_ref * ilf / head[on]
        out["limit_rate"][on] = per_head
        out["base_rate"][on] = per_head / (t.reference_limit * ilf)
        out["medical_rate"][on] = 0.0
        out["size_factor"][on] = 1.0
        if eb.aggregate_limits is not None and not given_column(portfolio, "limit_annual"):
            agg = eb.aggregate_limits[band[on]]
            acc = df["limit_accident"].to_numpy(dtype=np.float64)[on]
            clash = acc > agg
            if clash.any():
                idx = np.flatnonzero(on)[clash]
                raise ValidationError(
                    f"price: the band aggregate limit of table {t.name!r} is below the row's limit_accident; bad "
                    f"{format_rows(idx.tolist(), acc[clash][:5])}; give limit_annual or a lower limit_accident"
                )
            la = df["limit_annual"].to_numpy(dtype=np.float64).copy()
            la[on] = agg
            df["limit_annual"] = la
    out.update(exposure_base=pd.Categorical(base, categories=list(EXPOSURE_KINDS)), rated_exposure=exposure, exposure_rate=rate,
               exposure_band=band)
    return out


def explain_exposure(t, r: pd.Series) -> list[str] | None:
    """The lines of :func:`explain` that replace the per-head ones for a row priced on its exposure."""
    eb: ExposureBase | None = t.exposure_base
    if eb is None or str(r.get("exposure_base", "headcount")) == "headcount":
        return None
    head = int(r["headcount"])
    labels = eb.band_labels()
    band = labels[int(r["exposure_band"])]
    prem = r["limit_rate"] * head
    lines = [
        f"  exposure ({eb.kind})         {r['rated_exposure']:>16,.2f} {eb.exposure_unit}   (band {band}, {eb.method} schedule)",
        f"  × rate                       {r['exposure_rate']:>16.4f} {eb.rate_unit} at the reference limit {t.reference_limit:,.0f}",
        f"  × ILF                        {r['ilf']:>16.4f}     (limit_death {r['limit_death']:,.0f}; {t.ilf.source})",
        f"  = exposure premium           {prem:>16,.2f} CNY   ({r['limit_rate']:,.2f} per worker on site, {head:,} workers; "
        f"size factor 1, medical included)",
    ]
    if eb.aggregate_limits is not None:
        lines.append(f"    annual aggregate limit       {r['limit_annual']:>14,.0f} CNY   (band aggregate {eb.aggregate_limits[int(r['exposure_band'])]:,.0f})")
    return lines
