"""The result of :func:`~ajx_actuarial.experience_from_claims`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["ExperienceResult"]


@dataclass(frozen=True, eq=False)
class ExperienceResult:
    """Experience at ultimate built from a claims ledger, with the development behind it.

    Attributes
    ----------
    experience : DataFrame
        Policy-year experience satisfying :func:`ajx_actuarial.validate_experience`:
        ``exposure`` (worker-years, on-levelled to the rating year when a trend is given),
        ``claims``, ``deaths``, ``disabilities`` (whole numbers, reported + allocated IBNR),
        ``incurred`` (developed, large-loss treated, trended), the register's rating and limit
        columns, and what was observed: ``worker_years``, ``claims_reported``,
        ``deaths_reported``, ``disabilities_reported``, ``paid`` and ``incurred_reported``
        (at the valuation date), ``trend_frequency``, ``trend_severity``, ``large_load``.
        ``experience.attrs["provenance"]`` holds :attr:`provenance` (``ajx.calibrate`` carries
        it into the rate table's metadata).
    ultimates : DataFrame
        Index ``accident_year``, or (segment, ``accident_year``) with ``by=``. Columns
        ``age`` (months), ``exposure`` (worker-years), ``paid``, ``incurred`` (reported at the
        valuation date), ``ultimate`` (selected basis), ``ultimate_paid``,
        ``ultimate_incurred``, ``ibnr`` (ultimate − reported on the basis), ``cdf`` (basis
        CDF to ultimate at the age), and for ``claims``, ``deaths``, ``disabilities``:
        ``<count>_reported`` and ``<count>_ultimate``. Untrended, before large-loss loads.
    triangles : dict of str -> chainladder.Triangle
        Cumulative triangles ``paid``, ``incurred``, ``claims``, ``deaths``, ``disabilities``
        (index: the segment), as of the valuation date.
    ldf, cdf : DataFrame
        Age-to-age factors and CDFs to ultimate used, index (measure, segment), columns the
        development intervals / ages.
    large : DataFrame or None
        Large-loss treatment by industry: excess and excess factor (cap), or excluded
        catastrophe accidents, deaths and the loss-model load.
    estimators : dict of str -> fitted chainladder method, per measure.
    provenance : dict
        Valuation date, method, basis, tail, allocation, trend, large-loss rule, counts of
        transactions and claims used or cut, factors patched, versions, input hash.
    """

    experience: pd.DataFrame
    ultimates: pd.DataFrame
    triangles: dict
    ldf: pd.DataFrame
    cdf: pd.DataFrame
    large: pd.DataFrame | None
    estimators: dict = field(repr=False)
    provenance: dict = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Ultimates by accident year (summed over segments): reported, ultimate, IBNR, counts."""
        u = self.ultimates
        cols = ["exposure", "paid", "incurred", "ultimate", "ibnr", "claims_reported", "claims_ultimate",
                "deaths_reported", "deaths_ultimate", "disabilities_reported", "disabilities_ultimate"]
        if isinstance(u.index, pd.MultiIndex):
            g = u[cols].groupby(level="accident_year").sum()
        else:
            g = u[cols].copy()
        g["ultimate_per_worker"] = g["ultimate"] / g["exposure"].where(g["exposure"] > 0)
        return g

    def to_frame(self) -> pd.DataFrame:
        """The experience table (a copy)."""
        return self.experience.copy()

    def development(self, measure: str = "incurred") -> pd.DataFrame:
        """Age-to-age factors of one measure, one row per segment, with the CDF to ultimate."""
        ldf = self.ldf.xs(measure, level="measure")
        cdf = self.cdf.xs(measure, level="measure")
        cdf.columns = [f"cdf@{c}" for c in cdf.columns]
        return pd.concat([ldf, cdf], axis=1)

    def plot(self, ax=None):
        """Reported and ultimate loss by accident year (summed over segments), IBNR stacked."""
        import matplotlib.pyplot as plt

        s = self.summary()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        basis = self.provenance.get("basis", "incurred")
        years = [str(y) for y in s.index]
        ax.bar(years, s[basis], label=f"{basis} at {self.provenance.get('valuation_date')}")
        ax.bar(years, s["ultimate"] - s[basis], bottom=s[basis], label="IBNR (developed)", alpha=0.6)
        ax.set_xlabel("accident year")
        ax.set_ylabel("CNY")
        ax.legend()
        return ax.figure

    def _repr_html_(self) -> str:
        p = self.provenance
        head = (f"<p><b>Experience from claims</b> valued {p.get('valuation_date')}, method {p.get('method')}, "
                f"basis {p.get('basis')}, {len(self.experience):,} policy-years</p>")
        return head + self.summary().to_html(float_format=lambda v: f"{v:,.4g}")
