"""The result of :func:`~ajx_actuarial.calibrate`: predictions, summaries, refinement, plots.

The conversion to a filed rate table lives in :mod:`._to_table`; the fit in :mod:`._glm`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..portfolio import validate_experience
from ._directions import monotone_order
from ._factors import labels, lut
from .diagnostics import gini, lift_table

__all__ = ["CalibrationResult"]


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """Fitted frequency (and severity or pure-premium) models with relativities.

    Attributes
    ----------
    relativities : DataFrame
        ``factor``, ``level``, ``relativity``, ``ci_low``, ``ci_high``, ``se`` (standard error of
        the log relativity; 0 for base and fixed levels), ``exposure``, ``claims`` (base levels
        have relativity 1).
    base_frequency : DataFrame
        Claims per worker-year by industry at the base levels, with confidence interval.
    base_severity : DataFrame or None
        Mean claim size by industry at base levels (Gamma) or pure premium (Tweedie).
    raw : dict
        The fitted statsmodels results (``"frequency"``, ``"severity"``, ``"pure_premium"``).
    path : str
        ``"cells"`` (aggregated rating cells) or ``"rows"``.
    factors, bases, bands : the model specification.
    diagnostics : dict
        ``dispersion`` (Pearson χ²/df of the frequency fit on rating cells; also
        ``dispersion_pearson``), its ``dispersion_chi2``, ``dispersion_df``,
        ``dispersion_p_value``; ``frequency_scale`` (the scale of the frequency standard errors),
        ``intervals`` (``"poisson"``, ``"quasi-poisson"``, ``"negative-binomial"``) and
        ``intervals_note`` (why); severity dispersion, deviance, AIC (of the likelihood fit),
        number of cells/rows; Gini; holdout metrics.
    fixed : dict
        Relativities imposed as offsets.
    provenance : dict
        ``spec`` (the GLM options as given), ``intervals`` (the sentence of
        ``diagnostics["intervals_note"]``) and, when the experience came from
        :func:`~ajx_actuarial.experience_from_claims`, its provenance under ``experience``.
    """

    relativities: pd.DataFrame
    base_frequency: pd.DataFrame
    base_severity: pd.DataFrame | None
    raw: dict
    path: str
    factors: tuple[str, ...]
    bases: dict
    bands: dict
    diagnostics: dict
    fixed: dict = field(default_factory=dict)
    data: pd.DataFrame | None = field(default=None, repr=False)
    holdout: pd.DataFrame | None = field(default=None, repr=False)
    provenance: dict = field(default_factory=dict, repr=False)
    fitter: Callable[..., "CalibrationResult"] | None = field(default=None, repr=False)  # calibrate(), for refine()

    # ------------------------------------------------------------------ prediction
    def relativity_of(self, df: pd.DataFrame) -> np.ndarray:
        """Product of the fitted relativities for the rows of ``df``."""
        rel = np.ones(len(df))
        for f in self.factors:
            sub = self.relativities[self.relativities["factor"] == f]
            rel *= lut(labels(df[f], f, self.bands.get(f)), dict(zip(sub["level"], sub["relativity"])))
        return rel

    def predict_frequency(self, df: pd.DataFrame, exposure: np.ndarray | None = None) -> np.ndarray:
        """Expected claims for ``df`` over ``exposure`` (default column ``exposure``)."""
        expo = df["exposure"].to_numpy(dtype=np.float64) if exposure is None else exposure
        base = lut(labels(df["industry"], "industry", None), self.base_frequency["frequency"].to_dict())
        return expo * base * self.relativity_of(df)

    def predict_loss(self, df: pd.DataFrame, exposure: np.ndarray | None = None) -> np.ndarray:
        """Expected incurred loss (frequency × severity, or the pure-premium model)."""
        if self.base_severity is None:
            raise ValidationError("CalibrationResult: no severity or pure-premium model was fitted")
        expo = df["exposure"].to_numpy(dtype=np.float64) if exposure is None else exposure
        col = self.base_severity.columns[0]
        sev = lut(labels(df["industry"], "industry", None), self.base_severity[col].to_dict())
        if col == "pure_premium":
            return expo * sev * self._rel_model("pure_premium", df)
        return self.predict_frequency(df, expo) * sev * self._rel_model("severity", df)

    def _rel_model(self, which: str, df: pd.DataFrame) -> np.ndarray:
        res = self.raw.get(which)
        if res is None:
            return np.ones(len(df))
        rel = np.ones(len(df))
        for name, beta in zip(res.model.exog_names, res.params):
            f, lv = name.split("=", 1)
            if f == "industry":
                continue
            rel *= lut(labels(df[f], f, self.bands.get(f)), {lv: float(np.exp(beta))})
        return rel

    # ------------------------------------------------------------------ summaries
    def summary(self) -> pd.DataFrame:
        """Relativities with confidence intervals, one row per factor level.

        ``attrs["intervals"]`` says which intervals they are and why (Poisson, quasi-Poisson
        chosen automatically for over-dispersed counts, or negative binomial: the sentence of
        ``diagnostics["intervals_note"]``), ``attrs["dispersion"]`` the Pearson χ²/df.
        """
        out = self.relativities.copy()
        out.attrs = {"intervals": self.diagnostics.get("intervals_note", ""), "dispersion": self.diagnostics.get("dispersion", np.nan)}
        return out

    def actual_vs_expected(self, factor: str, data: pd.DataFrame | None = None) -> pd.DataFrame:
        """Claims observed vs expected by level of ``factor`` (default: the fitting data)."""
        d = self.data if data is None else validate_experience(data)
        if d is None:
            raise ValidationError("actual_vs_expected: no data kept; pass data=")
        if factor not in d.columns:
            raise ValidationError(f"actual_vs_expected: column {factor!r} not in the data")
        lab = labels(d[factor], factor, self.bands.get(factor))
        out = pd.DataFrame({"level": lab.astype(str), "exposure": d["exposure"], "actual": d["claims"], "expected": self.predict_frequency(d)})
        g = out.groupby("level", observed=True).sum()
        g["ratio"] = g["actual"] / g["expected"]
        return g

    def cell_adjustments(self, levels: tuple[str, str] = ("industry", "region"), data: pd.DataFrame | None = None) -> pd.DataFrame:
        """Credibility-weighted actual/expected factors for sparse cells the GLM has no interaction for.

        For each (sector, group) cell, e.g. industry × region, and each policy year, the ratio of
        actual to GLM-expected claims (weight: expected claims) goes into the hierarchical
        credibility model: sparse cells are shrunk toward their sector, sectors toward 1. The
        returned ``adjustment`` multiplies the GLM frequency of the cell.
        """
        from .credibility import hierarchical_credibility

        d = self.data if data is None else validate_experience(data)
        if d is None:
            raise ValidationError("cell_adjustments: no data kept; pass data=")
        sec, grp = levels
        for c in levels:
            if c not in d.columns:
                raise ValidationError(f"cell_adjustments: column {c!r} not in the experience")
        period = "year" if "year" in d.columns else None
        frame = pd.DataFrame({sec: d[sec].astype(str), grp: d[grp].astype(str), "actual": d["claims"].to_numpy(float),
                              "expected": self.predict_frequency(d), "period": d[period] if period else 0})
        g = frame.groupby([sec, grp, "period"], observed=True)[["actual", "expected"]].sum().reset_index()
        g = g[g["expected"] > 0]
        g["ratio"] = g["actual"] / g["expected"]
        h = hierarchical_credibility(g, levels=(sec, grp), ratio="ratio", weight="expected")
        out = h.groups.rename(columns={"weight": "expected_claims", "mean": "actual_over_expected", "premium": "adjustment"})
        return out[["expected_claims", "actual_over_expected", "z", "adjustment"]]

    # ------------------------------------------------------------------ refinement
    def refine(self, experience: pd.DataFrame, *, cap: Mapping[str, tuple[float, float]] | None = None,
               fix: Mapping[str, Mapping[Any, float]] | None = None, monotone: Sequence[str] = ()) -> "CalibrationResult":
        """Cap, restrict (fix) and smooth (monotone) relativities, then refit the rest.

        Parameters
        ----------
        experience : DataFrame
            The experience to refit (normally the one calibrated).
        cap : {factor: (low, high)}, optional
            ``cap={"violations": (0.8, 1.5)}`` fixes levels outside the bounds at the bound
            (``0 < low <= 1 <= high``).
        fix : {factor: {level: relativity}}, optional
            ``fix={"std_grade": {"1": 0.90}}`` imposes a relativity (> 0, finite; e.g. the
            regulator's −10 %). The level must be a fitted level of the factor other than its base.
        monotone : sequence of str
            Factors made monotone by weighted isotonic regression on the log relativities
            (exposure weights): along their known direction where there is one (``std_grade``
            ``1 <= 2 <= 3 <= 0``, ``violations`` increasing, ``blacklisted`` ``False <= True``,
            ``rectification`` ``on_time <= late <= overdue_major``, see
            :mod:`ajx_actuarial.estimation._directions`), else non-decreasing in level order.

        Returns
        -------
        CalibrationResult
            Fixed levels enter the refit as offsets, so the other coefficients adjust to them.
            The refit uses the same GLM options (frequency family, severity or pure-premium
            model, scale, level).

        Raises
        ------
        ValidationError
            An unknown factor or level, a fixed base level, a relativity that is not a positive
            finite number, cap bounds out of order.
        """
        if self.fitter is None:
            raise ValidationError("refine: this result has no fitter; build it with ajx.calibrate")
        fixed = {f: dict(v) for f, v in self.fixed.items()}
        rel = self.relativities
        for f, levels in (fix or {}).items():
            if f not in self.factors:
                raise ValidationError(f"refine: fix: unknown factor {f!r}; factors: {list(self.factors)}")
            known = rel.loc[rel["factor"] == f, "level"].astype(str).tolist()
            for lv, v in levels.items():
                if str(lv) not in known:
                    raise ValidationError(f"refine: fix.{f}: unknown level {str(lv)!r}; levels of {f}: {known}")
                if str(lv) == str(self.bases[f]):
                    raise ValidationError(f"refine: fix.{f}.{lv}: {lv} is the base level of {f} (relativity 1 by definition); "
                                          "fix the other levels")
                if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not np.isfinite(v) or v <= 0:
                    raise ValidationError(f"refine: fix.{f}.{lv}: relativity must be a number > 0, got {v!r}")
                fixed.setdefault(f, {})[str(lv)] = float(v)
        for f, (lo, hi) in (cap or {}).items():
            if f not in self.factors:
                raise ValidationError(f"refine: cap: unknown factor {f!r}")
            if not 0 < lo <= 1 <= hi:
                raise ValidationError(f"refine: cap.{f}: bounds must satisfy 0 < low <= 1 <= high, got {(lo, hi)}")
            sub = rel[rel["factor"] == f]
            for _, r in sub.iterrows():
                if r["relativity"] < lo or r["relativity"] > hi:
                    fixed.setdefault(f, {})[r["level"]] = float(np.clip(r["relativity"], lo, hi))
        for f in monotone:
            if f not in self.factors:
                raise ValidationError(f"refine: monotone: unknown factor {f!r}")
            sub = rel[rel["factor"] == f].set_index("level")
            order = monotone_order(f, sub.index.astype(str).tolist())
            sub = sub.loc[order]
            logr = np.log(np.clip(sub["relativity"].to_numpy(dtype=np.float64), 1e-300, 1e300))
            iso = _isotonic(logr, np.maximum(sub["exposure"].to_numpy(), 1e-12))
            iso = iso - iso[order.index(str(self.bases[f]))]
            for lv, v in zip(order, np.exp(iso)):
                if lv != self.bases[f]:
                    fixed.setdefault(f, {})[lv] = float(v)
        spec = self.provenance.get("spec", {})
        return self.fitter(experience, list(self.factors), bases=self.bases, bands=self.bands, fixed=fixed,
                         frequency=spec.get("frequency", "poisson"), scale=spec.get("scale"), level=spec.get("level", 0.95),
                         severity="gamma" if "severity" in self.raw else None,
                         pure_premium="tweedie" if "pure_premium" in self.raw else None)

    # ------------------------------------------------------------------ rate table
    def to_rate_table(self, template, *, target_loss_ratio: float | None = None, bounds: tuple[float, float] | None = None,
                      book: pd.DataFrame | None = None, name: str | None = None, iterations: int = 4,
                      credibility: float | None = 0.25):
        """A :class:`~ajx_actuarial.RateTable` from the fitted model, rebalanced to the target loss ratio.

        Base rates come from the expected loss per worker-year at base levels (see
        :func:`ajx_actuarial.estimation._to_table.industry_base_rates`); factor schedules from the
        relativities (template factors matched by column, others added); the size structure is
        re-estimated when ``size`` (or a banded ``headcount``) was fitted and kept from the
        template otherwise; then an off-balance correction per industry on ``book`` (default:
        the calibration data's last year) so that, after the float bounds and before the
        minimum premium, ``Σ expected loss = target_loss_ratio × Σ premium_ex_vat`` in every
        industry (the minimum premium's surplus is reported, not taken from other policies).
        Each industry's expected loss is blended with what the template implies on the same book
        (``target_loss_ratio`` × its premium) by credibility ``Z = τ² / (τ² + v)``, ``v`` the
        relative variance of the industry's incurred (``Σ x² / (Σ x)²`` over its policy-years,
        compound Poisson), ``τ`` = ``credibility`` (the prior sd of an industry's level, default
        0.25; ``None``: no blending, the data alone): thin industries stay near the template
        (``meta.calibration.credibility_by_industry``). An industry without claims in the
        experience (no usable fitted level) takes the template's level (``Z = 0``) in any case.
        Each factor level's log relativity is blended likewise with the template's multiplier
        for that level (relative to its base; 1 for a factor the template does not price) by
        ``Z = τ² / (τ² + se²)``, ``se`` the standard error of the fitted log relativity, with the
        same ``τ``: a level with few policy-years ends near the template, a well-observed one
        keeps the data's (``meta.calibration.credibility_by_level``,
        ``template_relativity_by_level``, ``fitted_relativity_by_level``; see
        :mod:`ajx_actuarial.estimation._level_credibility`). A relativity that is not a positive
        finite number or was estimated from no claims (the GLM's ~0 for a level without claims)
        takes the template's multiplier in any case, with an ``AjxWarning`` when
        ``credibility=None``; so no fitted zero reaches a base rate or a schedule.
        ``table.data["meta"]`` gets a new description and ``calibration`` metadata (template,
        data, model, size treatment, off-balance factors); :meth:`premium_change` reports the
        change by segment. ``target_loss_ratio`` is a number in (0, 1.5) (text such as ``"0.6"`` is
        refused), ``bounds`` two numbers, ``iterations`` an integer in [1, 100]: a
        :class:`~ajx_actuarial.errors.ValidationError` names the option otherwise.
        """
        from ._to_table import rate_table_from

        return rate_table_from(self, template, target_loss_ratio=target_loss_ratio, bounds=bounds, book=book,
                               name=name, iterations=iterations, credibility=credibility)

    def premium_change(self, before, after, book: pd.DataFrame | None = None) -> pd.DataFrame:
        """Premium by industry × size under two tables, and the change."""
        from ._to_table import premium_change

        return premium_change(self, before, after, book)

    # ------------------------------------------------------------------ plots
    def _plot_data(self, data):
        if data is not None:
            return data
        return self.holdout if self.holdout is not None else self.data

    def plot_lift(self, data: pd.DataFrame | None = None, bins: int = 10, ax=None):
        import matplotlib.pyplot as plt

        d = self._plot_data(data)
        lt = lift_table(d["claims"].to_numpy(), self.predict_frequency(d), d["exposure"].to_numpy(), bins)
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        ax.plot(lt.index, lt["actual"], "o-", label="actual")
        ax.plot(lt.index, lt["predicted"], "s--", label="predicted")
        ax.set_xlabel("decile of predicted frequency")
        ax.set_ylabel("claims per worker-year")
        ax.legend()
        return ax.figure

    def plot_lorenz(self, data: pd.DataFrame | None = None, ax=None):
        import matplotlib.pyplot as plt

        d = self._plot_data(data)
        g, (x, y) = gini(d["claims"].to_numpy(), self.predict_frequency(d), d["exposure"].to_numpy(), curve=True)
        if ax is None:
            _, ax = plt.subplots(figsize=(5, 5))
        ax.plot(x, y, label=f"model (Gini {g:.3f})")
        ax.plot([0, 1], [0, 1], "k--", lw=0.8)
        ax.set_xlabel("cumulative exposure (sorted by predicted frequency)")
        ax.set_ylabel("cumulative claims")
        ax.legend()
        return ax.figure


def _isotonic(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted non-decreasing isotonic regression (pool-adjacent-violators)."""
    vals, wts, sizes = [], [], []
    for yi, wi in zip(y, w):
        vals.append(yi)
        wts.append(wi)
        sizes.append(1)
        while len(vals) > 1 and vals[-2] > vals[-1]:
            v = (vals[-2] * wts[-2] + vals[-1] * wts[-1]) / (wts[-2] + wts[-1])
            wts[-2] += wts[-1]
            sizes[-2] += sizes[-1]
            vals[-2] = v
            vals.pop()
            wts.pop()
            sizes.pop()
    return np.repeat(vals, sizes)
