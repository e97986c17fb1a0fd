"""The casualty and loss model (DESIGN.md §5 "Losses"; MODEL.md; DOMAIN.md §4–§6, §11).

Three kinds of accident per unit and year, counts Poisson or negative binomial (a gamma frailty of
CV ``frailty_cv`` per unit), rates proportional to headcount × the unit's risk relativity:

* **fatal accidents**, rate ``deaths_per_100k / 1e5 / E[D]`` per worker at the population
  average, with ``D`` deaths drawn from a cluster law calibrated to the accident grades of State
  Council Order 493 (general 1–2 deaths 98.16 %, larger 3–9 1.80 % with mean 3.86, major+ ≥ 10
  0.04 % with mean 16.2 and a tail to 200, past Tianjin 2015's 173), capped at headcount; plus
  ``Poisson(injury_ratio × D)`` disabled co-workers;
* **disability accidents** (one permanently disabled victim), rate
  ``(disabilities_per_100k − injury_ratio × deaths_per_100k) / 1e5`` per worker;
* **medical-only accidents** (one victim), ``medical_per_100 / 100`` per worker, cost
  lognormal (median 2 000, mean 2 700 CNY, Beijing), capped at ``limit_medical``.

Economic loss of a death = ``death_loss`` (20 × urban income, SPC 2022 Art. 15); of grade ``g`` =
``civil_share[g] ×`` that (Table B); the insured payout is ``min(death loss, limit_death)`` and
``min(grade loss, payout_share[g] × limit_death)`` (Table A); a fatal accident adds rescue and
legal costs (``rescue_share``) and third-party death and injury (``third_party_share``) of its
casualty payout; then the per-accident limit, then the unit's annual aggregate limit.

A unit's **risk relativity** comes from the model, not from the price
(:meth:`LossModel.relativity`): its size, standardisation grade, violations, blacklisting,
rectification and region, divided by the sector's ``normaliser`` (so the sector frequencies are
the averages of the reference population), times the posterior mean of its frailty given its
claims of the last three years against its own expected claims.

**Systemic and parameter risk** (on by default): every simulated year draws one multiplier
shared by the whole book (``year_cv``) and, per part (fatal, disability, medical), a frequency
level from its uncertainty (``parameter_cv``: the default model's stated ranges, or a fitted
model's posterior). :meth:`LossModel.process_only` turns both off.

Every default is read from ``reference/data/loss_model/default.toml`` with its source and flag
(:meth:`LossModel.sources`, ``ajx model show``); :meth:`LossModel.check` sets the model beside
public anchors; :meth:`LossModel.fit` estimates it from a user's experience or claims ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from .._lookup import lookup
from ..errors import ValidationError
from ..reference import INDUSTRIES
from .cluster import cluster_pmf
from .relativity import HISTORY_YEARS, factor_relativity, history_posterior
from .sources import PARTS_CV, load_model_file, typed_level

__all__ = ["LossModel", "cluster_pmf", "register_fitter"]

_FITTER: list = []  # the estimation layer (above this one) registers LossModel.fit's implementation


def register_fitter(fn) -> None:
    """Install the implementation of :meth:`LossModel.fit` (called by :mod:`ajx_actuarial.estimation`,
    which sits above ``losses``: the model names the method, the estimation layer provides it)."""
    _FITTER[:] = [fn]


def _d(key: str):
    """Default factory: the packaged default model's value of ``key``."""
    return lambda: load_model_file("default")[0][key]


@dataclass(frozen=True, eq=False)
class LossModel:
    """Parameters of the casualty model. Build with :meth:`default` and override by keyword.

    Attributes
    ----------
    frequencies : DataFrame
        Index: industry codes; columns ``deaths_per_100k``, ``disabilities_per_100k`` (per
        100 000 worker-years), ``medical_per_100`` (per 100 workers): the averages of the
        reference population (MODEL.md §2).
    counts : {"poisson", "negbin"}
        ``negbin`` (default): each unit has a gamma frailty of CV ``frailty_cv`` (persistent in
        :func:`~ajx_actuarial.synth.experience`; simulated per unit-year by its Poisson-cluster
        representation). ``poisson``: no frailty, a claim history carries no information.
    frailty_cv : float
    year_cv : float
        CV of one lognormal multiplier per simulated year shared by the whole book (systemic).
    parameter_cv : dict part -> float
        Sd of the log frequency level of ``fatal``, ``disability`` and ``medical`` accidents,
        drawn once per simulated year (parameter risk).
    shock_cv, shock_by, shock_dist
        An extra common shock per simulated year and group (``industry``, ``region`` or
        ``all``; gamma or lognormal), 0 by default (stress scenarios).
    cluster : ndarray
        Deaths per fatal accident, pmf on 0..K (:func:`cluster_pmf`).
    injury_ratio : float
        Expected disabled co-workers per death in a fatal accident.
    grade_mix, payout_share, civil_share : ndarray (10,)
        Disability grades 1..10 among the disabled; insured share of ``limit_death`` (Table A);
        economic loss share of the death loss (Table B).
    death_loss : float
        Economic loss per death, CNY (20 × 2024 national urban income = 1 083 760).
    rescue_share, third_party_share : float
        Rescue/legal costs and third-party death and injury, shares of a fatal accident's
        casualty payout (under the per-accident limit).
    medical_median, medical_sigma : float
        Lognormal cost of a medical-only claim.
    relativities : dict factor -> {level: multiplier}
        Risk relativities of ``size``, ``std_grade``, ``violations`` (top level = that many or
        more), ``blacklisted``, ``rectification``; base levels 1.
    region_effects : dict region -> multiplier (regions not listed: 1)
    normaliser : dict industry -> float
        Mean of Π relativities × region effect in the reference population.
    frequency_multiplier, severity_multiplier : float
        Stress multipliers on all frequencies and on all economic losses.
    name : str
    fit_report : DataFrame or None
        For a fitted model (:meth:`fit`): per parameter the prior, the data's estimate, the
        credibility weight ``z`` and the posterior sd.
    """

    frequencies: pd.DataFrame = field(default_factory=_d("frequencies"))
    counts: str = field(default_factory=_d("counts"))
    frailty_cv: float = field(default_factory=_d("frailty_cv"))
    year_cv: float = field(default_factory=_d("year_cv"))
    parameter_cv: dict = field(default_factory=_d("parameter_cv"))
    shock_cv: float = 0.0
    shock_by: str = "industry"
    shock_dist: str = "gamma"
    cluster: np.ndarray = field(default_factory=_d("cluster"))
    injury_ratio: float = field(default_factory=_d("injury_ratio"))
    grade_mix: np.ndarray = field(default_factory=_d("grade_mix"))
    payout_share: np.ndarray = field(default_factory=_d("payout_share"))
    civil_share: np.ndarray = field(default_factory=_d("civil_share"))
    death_loss: float = field(default_factory=_d("death_loss"))
    rescue_share: float = field(default_factory=_d("rescue_share"))
    third_party_share: float = field(default_factory=_d("third_party_share"))
    medical_median: float = field(default_factory=_d("medical_median"))
    medical_sigma: float = field(default_factory=_d("medical_sigma"))
    relativities: dict = field(default_factory=_d("relativities"))
    region_effects: dict = field(default_factory=_d("region_effects"))
    normaliser: dict = field(default_factory=_d("normaliser"))
    frequency_multiplier: float = 1.0
    severity_multiplier: float = 1.0
    name: str = "default"
    fit_report: pd.DataFrame | None = None

    @classmethod
    def default(cls, **overrides) -> "LossModel":
        """The sourced default model (``reference/data/loss_model/default.toml``), with keyword overrides.

        Examples
        --------
        >>> import ajx_actuarial as ajx
        >>> m = ajx.LossModel.default()
        >>> float(m.frequencies.loc["coal_mine", "deaths_per_100k"]), m.counts, m.year_cv
        (6.0, 'negbin', 0.06)
        """
        m = cls()
        return m.replace(**overrides) if overrides else m.validate()

    @classmethod
    def from_file(cls, path, **overrides) -> "LossModel":
        """A model from a TOML of the packaged layout (a copy of ``default.toml`` with edits)."""
        kwargs, _, _ = load_model_file(str(path))
        return cls(**kwargs).replace(**overrides) if overrides else cls(**kwargs).validate()

    @classmethod
    def fit(cls, experience_or_claims: pd.DataFrame, prior: "LossModel | None" = None, *, by=None,
            credibility: str = "buhlmann", policies: pd.DataFrame | None = None, valuation_date=None) -> "LossModel":
        """Estimate the model from a policy-year experience table or a claims ledger, by credibility to ``prior``.

        Frequencies by part and sector, relativities, the frailty CV and (from a ledger) the
        severities, each blended with ``prior`` by credibility; ``fit_report`` says per parameter
        its credibility weight. The method is :func:`ajx_actuarial.estimation.fit_loss_model`
        (registered by the estimation layer, which sits above this one).

        Examples
        --------
        >>> import ajx_actuarial as ajx
        >>> book = ajx.synth.portfolio(5000, rng=1)
        >>> fitted = ajx.LossModel.fit(ajx.synth.experience(book, 3, rng=2))
        >>> fitted.name, {"parameter", "z"} <= set(fitted.fit_report.columns)
        ('fitted', True)
        """
        if not _FITTER:  # pragma: no cover - importing ajx_actuarial registers it
            raise ValidationError("LossModel.fit: import ajx_actuarial (its estimation layer provides the fit)")
        prior = cls.default() if prior is None else prior
        if not isinstance(prior, LossModel):
            raise ValidationError(f"LossModel.fit: prior must be a LossModel, got {type(prior).__name__}")
        return _FITTER[0](experience_or_claims, prior.validate(), by=by, credibility=credibility, policies=policies,
                          valuation_date=valuation_date)

    def replace(self, **overrides) -> "LossModel":
        names = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ValidationError(f"LossModel: unknown parameter(s) {unknown}; known: {sorted(names)}")
        return replace(self, **overrides).validate()

    def process_only(self) -> "LossModel":
        """The same model without systemic and parameter risk (process risk only)."""
        return self.replace(year_cv=0.0, parameter_cv={p: 0.0 for p in PARTS_CV})

    # ------------------------------------------------------------------ validation
    def validate(self) -> "LossModel":
        from ._validate import validate_model

        validate_model(self)
        return self

    # ------------------------------------------------------------------ derived rates
    @property
    def heterogeneity_cv(self) -> float:
        """CV of a unit's frailty: ``frailty_cv`` under ``negbin``, 0 under ``poisson``."""
        return float(self.frailty_cv) if self.counts == "negbin" else 0.0

    def mean_deaths_per_fatal(self) -> float:
        c = np.asarray(self.cluster)
        return float(c @ np.arange(c.size))

    def rates(self) -> pd.DataFrame:
        """Accident rates per worker-year at the population average: ``fatal``, ``disability``, ``medical``."""
        fr = self.frequencies.loc[list(INDUSTRIES)]
        m = self.frequency_multiplier
        d = fr["deaths_per_100k"].to_numpy(float) / 1e5
        b = fr["disabilities_per_100k"].to_numpy(float) / 1e5
        return pd.DataFrame({
            "fatal": m * d / self.mean_deaths_per_fatal(),
            "disability": m * (b - self.injury_ratio * d),
            "medical": m * fr["medical_per_100"].to_numpy(float) / 100,
        }, index=pd.Index(INDUSTRIES, name="industry"))

    def factor_relativity(self, book: pd.DataFrame) -> np.ndarray:
        """Π relativities × region effect / normaliser of each row of a validated book (no history)."""
        return factor_relativity(book, self.relativities, self.region_effects, self.normaliser)

    #: Fields :meth:`relativity` does not read (a new field is assumed read: scenarios then stop sharing, never wrongly share).
    _NOT_RELATIVITY = frozenset({"name", "fit_report", "severity_multiplier", "shock_by", "shock_cv", "shock_dist", "year_cv",
                                 "parameter_cv", "death_loss", "medical_median", "medical_sigma", "payout_share", "civil_share",
                                 "rescue_share", "third_party_share"})

    def relativity_key(self) -> str:
        """Equal for two models whose :meth:`relativity` of any book is bit-identical (``stress.run`` and
        ``expected_loss_many`` compute it once for scenarios that share it)."""
        import json

        return json.dumps({k: v for k, v in self.as_dict().items() if k not in self._NOT_RELATIVITY}, sort_keys=True, default=str)

    def relativity(self, book: pd.DataFrame, *, history: bool | None = None) -> np.ndarray:
        """Each unit's risk relativity: its characteristics and, where known, its claim history.

        Parameters
        ----------
        book : DataFrame
            A validated portfolio (``validate_portfolio``).
        history : bool, optional
            Use ``accidents_3y`` (claims in three years at today's headcount) through the frailty
            posterior ``(k + N)/(k + Λ)``. Default: when the book's ``accidents_3y`` was given (not
            filled in by validation, ``attrs["defaulted"]``), on the rows whose history is known:
            ``accidents_3y > 0`` or ``claim_free_years > 0`` (both 0 — a claim last year but none in
            three years — is what an unknown history looks like after validation, so such a row
            keeps relativity 1 for its history).
        """
        rel = self.factor_relativity(book)
        if history is None:
            history = "accidents_3y" in book.columns and "accidents_3y" not in book.attrs.get("defaulted", ())
        cv = self.heterogeneity_cv
        if history and cv > 0 and "accidents_3y" in book.columns:
            base = self.rates().sum(axis=1) / self.frequency_multiplier
            ind = lookup(book["industry"], {str(k): float(v) for k, v in base.items()})
            lam = HISTORY_YEARS * book["headcount"].to_numpy(dtype=np.float64) * ind * rel
            n = book["accidents_3y"].to_numpy(dtype=np.float64)
            known = n > 0
            if "claim_free_years" in book.columns:
                known |= book["claim_free_years"].to_numpy() > 0
            rel = rel * np.where(known, history_posterior(n, lam, cv), 1.0)
        return rel

    def medical_moments(self, cap: float) -> tuple[float, float]:
        """Mean and variance of ``min(X, cap)`` for the lognormal medical cost X (scaled)."""
        from scipy import stats

        mu = np.log(self.medical_median * self.severity_multiplier)
        s = self.medical_sigma
        z = (np.log(cap) - mu) / s
        m1 = np.exp(mu + s * s / 2) * stats.norm.cdf(z - s) + cap * stats.norm.sf(z)
        m2 = np.exp(2 * mu + 2 * s * s) * stats.norm.cdf(z - 2 * s) + cap * cap * stats.norm.sf(z)
        return float(m1), float(m2 - m1 * m1)

    def summary(self) -> pd.DataFrame:
        """Rates and expected casualties per 100 000 worker-years by industry (population averages)."""
        r = self.rates()
        out = r * 1e5
        out.columns = [f"{c}_accidents_per_100k" for c in out.columns]
        fr = self.frequencies.loc[list(INDUSTRIES)]
        return out.assign(mean_deaths_per_fatal=self.mean_deaths_per_fatal(),
                          disabilities_per_death=fr["disabilities_per_100k"] / fr["deaths_per_100k"].where(fr["deaths_per_100k"] > 0))

    def sources(self) -> pd.DataFrame:
        """Every parameter of the packaged default with its value, range, source and flag (``ajx model show``)."""
        return load_model_file("default")[1]

    def check(self, book: pd.DataFrame | None = None) -> pd.DataFrame:
        """The model beside public anchors on ``book`` (default: the ``national`` reference book).

        Returns a frame with columns ``figure, model, low, high, source, ok`` (see
        :func:`ajx_actuarial.losses.check.check_model`).
        """
        from .check import check_model

        return check_model(self, book)

    # ------------------------------------------------------------------ records
    def as_dict(self) -> dict:
        """Plain data (JSON-able) for run manifests and ``attrs``; inverse :meth:`from_dict`."""
        d = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "frequencies":
                v = {c: {str(i): float(x) for i, x in v[c].items()} for c in v.columns}
            elif f.name == "fit_report":
                v = None
            elif f.name == "relativities":
                v = {fac: [[_plain(k), float(x)] for k, x in t.items()] for fac, t in v.items()}
            elif isinstance(v, np.ndarray):
                v = [float(x) for x in v]
            elif isinstance(v, Mapping):
                v = {str(k): float(x) for k, x in v.items()}
            elif isinstance(v, (np.floating, np.integer)):
                v = v.item()
            d[f.name] = v
        return d

    @classmethod
    def from_dict(cls, d: Mapping) -> "LossModel":
        d = dict(d)
        if "frequencies" in d:
            d["frequencies"] = pd.DataFrame(d["frequencies"]).reindex(list(INDUSTRIES)).rename_axis("industry")
        if "relativities" in d:
            d["relativities"] = {fac: {typed_level(fac, k): float(x) for k, x in pairs} for fac, pairs in d["relativities"].items()}
        for k in ("cluster", "grade_mix", "payout_share", "civil_share"):
            if k in d:
                d[k] = np.asarray(d[k], dtype=float)
        d.pop("fit_report", None)
        return cls(**d).validate()


def _plain(x):
    return x.item() if isinstance(x, np.generic) else x

