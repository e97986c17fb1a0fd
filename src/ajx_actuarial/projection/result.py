"""The result of :func:`ajx_actuarial.project`: one row per path and year, bands, classes, capital."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .solvency import CapitalResult, capital as _capital

__all__ = ["ProjectionResult", "BY_YEAR_COLUMNS", "FAN_COLUMNS"]

BY_YEAR_COLUMNS = (
    "path", "year", "premium", "premium_ex_vat", "insured_loss", "loss_ratio", "claims", "fatal_disability_accidents", "deaths",
    "fee_ratio", "prevention_budget", "prevention_required", "carried_in", "prevention_spent", "carried_forward", "lapsed",
    "prevention_shortfall", "prevention_further", "prevention_above_budget", "prevention_floor_gap", "prevention_expense",
    "cost_share_funded", "policies_funded", "commission", "admin", "levy",
    "underwriting_result", "combined_ratio", "mean_float_factor", "mean_history_factor", "limit_death",
    "frequency_multiplier", "severity_multiplier",
)
FAN_COLUMNS = ("premium", "insured_loss", "loss_ratio", "underwriting_result", "prevention_budget", "prevention_spent",
               "carried_forward", "cost_share_funded", "mean_float_factor", "combined_ratio")


@dataclass(frozen=True, eq=False)
class ProjectionResult:
    """A multi-year projection of a book.

    Attributes
    ----------
    by_year : DataFrame
        One row per path and year: ``path``, ``year``, ``premium`` (gross) and ``premium_ex_vat``
        (collected), ``insured_loss``, ``loss_ratio`` (insured / ex-VAT premium), ``claims`` (all,
        medical-only included), ``fatal_disability_accidents``, ``deaths``; the prevention ledger
        (``fee_ratio``, ``prevention_budget``, ``prevention_required``, ``carried_in``,
        ``prevention_spent``, ``carried_forward``, ``lapsed``, ``prevention_shortfall``,
        ``prevention_expense`` = the charge to the result); ``cost_share_funded`` (spent / required:
        the share of the mandated services' cost the money pays for), ``policies_funded`` (share of
        mandated policies whose own services are fully funded); ``commission``, ``admin``,
        ``levy``; ``underwriting_result`` = ex-VAT premium − insured loss − prevention expense −
        commission − admin − levy; ``combined_ratio`` = 1 − result / ex-VAT premium;
        ``mean_float_factor`` and ``mean_history_factor`` (simple means over policies: the
        bonus-malus balance), ``limit_death`` (mean per-person limit), ``frequency_multiplier``,
        ``severity_multiplier``.
    classes : DataFrame
        Share of policies per history class at each year's renewal (mean over paths).
    levers : DataFrame
        Every lever as run, with its source and flag.
    provenance : dict
        Seed, sizes, state memory, timings, versions.
    priced_start : DataFrame or None
        The book priced for the first projection year (its limits, the book's histories).
    """

    by_year: pd.DataFrame
    classes: pd.DataFrame
    levers: pd.DataFrame
    provenance: dict = field(default_factory=dict)
    priced_start: pd.DataFrame | None = None

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year["year"].unique().tolist())

    @property
    def paths(self) -> int:
        return int(self.by_year["path"].nunique())

    def year_seed(self, t: int) -> np.random.SeedSequence:
        """The seed of projection year index ``t``'s claims: ``simulate(book_t, years=paths, rng=this, events=True,
        systemic_draws=self.year_systemic(t))``."""
        seed = self.provenance["seed"]
        return np.random.SeedSequence(seed["entropy"], spawn_key=tuple(seed["spawn_key"]) + (0, int(t)))

    def year_systemic(self, t: int) -> np.ndarray:
        """The standard normals of year index ``t``'s systemic effect (fresh each year) and of the paths'
        parameter draws (one per path, kept over the years), shape (paths, 4)."""
        from ._draws import systemic_draws

        seed = self.provenance["seed"]
        ss = np.random.SeedSequence(seed["entropy"], spawn_key=tuple(seed["spawn_key"]))
        return systemic_draws(ss, int(self.provenance["paths"]), int(t))

    def summary(self, columns=None) -> pd.DataFrame:
        """Mean and 5 / 50 / 95 % bands per year (rows: year × measure).

        Examples
        --------
        >>> import ajx_actuarial as ajx
        >>> res = ajx.project(ajx.synth.portfolio(300, rng=1), years=2, paths=50, rng=1)
        >>> res.summary(["premium"]).columns.tolist()
        ['mean', 'p5', 'p50', 'p95']
        """
        cols = list(FAN_COLUMNS if columns is None else columns)
        bad = [c for c in cols if c not in self.by_year.columns or c in ("path", "year")]
        if bad:
            raise ValidationError(f"ProjectionResult.summary: unknown column(s) {bad}; columns: {list(self.by_year.columns[2:])}")
        ids = ["scenario", "year"] if "scenario" in self.by_year.columns else ["year"]
        long = self.by_year.melt(id_vars=ids, value_vars=cols, var_name="measure")
        g = long.groupby([*ids, "measure"], sort=False, observed=True)["value"]
        out = pd.DataFrame({"mean": g.mean(), "p5": g.quantile(0.05), "p50": g.quantile(0.5), "p95": g.quantile(0.95)})
        order = {c: i for i, c in enumerate(cols)}
        return out.sort_index(key=lambda ix: ix.map(order) if ix.name == "measure" else ix)

    def capital(self, initial_capital: float | None = None, **kw) -> CapitalResult:
        """C-ROSS phase II minimum capital for 责任险, the solvency ratio per path and year, and the 99.5 % VaR
        view; see :func:`ajx_actuarial.projection.solvency.capital` (keywords ``outstanding_ratio``,
        ``runoff_deviation``, ``ne``, ``relief``, ``level``)."""
        return _capital(self.by_year, initial_capital, **kw)

    def by_insurer(self, pool=None, initial_capital: float | None = None, *, test: str | None = None, jurisdiction=None,
                   min_solvency_ratio: float | None = None, min_risk_rating: str | None = None, per_path: bool = False,
                   **kw) -> pd.DataFrame:
        """The projection split by co-insurance pool member (共保体; :mod:`ajx_actuarial.projection.insurers`).

        Parameters
        ----------
        pool : CoinsurancePool, or what :meth:`CoinsurancePool.load` reads (a TOML path, a mapping, a bundle name)
            Default: the ``jurisdiction``'s own pool (its ``[coinsurance]`` shares).
        initial_capital : float, optional
            The pool's capital at the start (CNY), split by share; default as :meth:`capital`. Not
            with a pool that states each member's ``capital``.
        test : {"lead", "all"}, optional
            Whom the insurer test applies to. Default: the jurisdiction's rule
            (:attr:`~ajx_actuarial.jurisdictions.Jurisdiction.insurer_test_applies_to`; Xinzhou: the
            lead), else the pool's ``insurer_test``, else every member.
        jurisdiction : Jurisdiction or bundle name, optional
            Its ``[insurer]`` ``min_solvency_ratio`` / ``min_risk_rating`` replace the national
            standard (100 %, B); ``min_solvency_ratio`` / ``min_risk_rating`` replace both.
        per_path : bool
            One row per path too (``insurer_test`` per path) instead of means over paths.
        **kw
            :func:`~ajx_actuarial.projection.solvency.capital`'s keywords (``outstanding_ratio``, ...).

        Returns
        -------
        DataFrame
            One row per [scenario,] insurer and year (mean over paths): ``insurer``, ``role``,
            ``share``, ``year``, the member's ``premium``, ``premium_ex_vat``, ``insured_loss``,
            ``prevention_budget``, ``prevention_spent``, ``prevention_expense``, ``commission``,
            ``admin``, ``levy``, ``other_expenses``, ``underwriting_result``, ``combined_ratio``,
            ``cross_minimum_capital`` (C-ROSS premium + reserve risk; share × the pool's),
            ``available_capital``, ``solvency_ratio`` (mean over paths), ``lead_collected_premium``,
            ``lead_paid_claims``, ``due_from_lead``, ``receivable_on_lead`` (settlement with the lead),
            ``risk_rating``, ``test_applies``, ``insurer_test`` (passes, or not tested; on the mean
            solvency ratio) and ``p_test_fail`` (share of paths on which the member fails). The
            additive columns (:data:`~ajx_actuarial.projection.insurers.ADDITIVE_COLUMNS`) add up
            over the members to the pool's.

        Examples
        --------
        >>> import ajx_actuarial as ajx
        >>> res = ajx.project(ajx.synth.portfolio(300, rng=1), years=2, paths=20, rng=1)
        >>> pool = ajx.CoinsurancePool({"a": 0.5, "b": 0.3, "c": 0.2}, lead="a", capital={"a": 9e6, "b": 1.0, "c": 9e6})
        >>> t = res.by_insurer(pool, test="lead")
        >>> t.groupby("insurer", sort=False)["insurer_test"].all().to_dict()  # b fails 100 %, but only the lead is tested
        {'a': True, 'b': True, 'c': True}
        >>> res.by_insurer(pool, test="all").groupby("insurer", sort=False)["insurer_test"].all().to_dict()
        {'a': True, 'b': False, 'c': True}
        >>> bool(abs(t.groupby("year")["premium"].sum() / res.summary(["premium"])["mean"].to_numpy() - 1).max() < 1e-12)
        True
        """
        from .insurers import by_insurer

        return by_insurer(self.by_year, pool, initial_capital, test=test, jurisdiction=jurisdiction, min_solvency_ratio=min_solvency_ratio,
                          min_risk_rating=min_risk_rating, per_path=per_path, **kw)

    def to_frame(self) -> pd.DataFrame:
        return self.by_year.copy()

    @property
    def scenarios(self) -> list[str]:
        """The scenarios of a ``project(..., scenarios=...)`` run, in order ([] otherwise)."""
        if "scenario" not in self.by_year.columns:
            return []
        return [str(c) for c in self.by_year["scenario"].cat.categories]

    def scenario(self, name: str) -> "ProjectionResult":
        """One scenario's projection (its rows, without the ``scenario`` column)."""
        if name not in self.scenarios:
            raise ValidationError(f"ProjectionResult.scenario: unknown scenario {name!r}; scenarios: {self.scenarios}")
        by = self.by_year[self.by_year["scenario"] == name].drop(columns="scenario").reset_index(drop=True)
        pick = lambda f: f[f["scenario"] == name].drop(columns="scenario").reset_index(drop=True) if "scenario" in f.columns else f  # noqa: E731
        prov = dict(self.provenance.get("scenarios", {}).get(name, self.provenance))
        return ProjectionResult(by_year=by, classes=pick(self.classes), levers=pick(self.levers), provenance=prov,
                                priced_start=self.priced_start if name == self.scenarios[0] else None)

    def plot(self, columns=("premium", "underwriting_result", "cost_share_funded", "mean_float_factor"), lang: str = "en",
             scenario: str | None = None):
        """Fan charts (mean, 50 % line, 5-95 % band) of ``columns`` by year (of ``scenario``, by
        default the first, when the projection ran scenarios)."""
        from ..plots import projection_fan_figure

        if self.scenarios:
            return self.scenario(scenario or self.scenarios[0]).plot(columns, lang=lang)
        return projection_fan_figure(self.summary(list(columns)), lang=lang)

    def _repr_html_(self) -> str:
        return self.summary().to_html(float_format=lambda v: f"{v:,.4g}")
