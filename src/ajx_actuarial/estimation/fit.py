"""``LossModel.fit``: a loss model estimated from a user's experience or claims ledger, by credibility to a prior.

The estimate keeps the prior's structure (sector frequencies by part, relativities, casualty and
payout laws) and moves each parameter as far as the data support it:

* frequencies of fatal accidents, disability accidents and medical-only claims by sector, and the
  relativities of the rating characteristics (:mod:`._fit_frequency`), the frailty CV;
* severities (:mod:`._fit_severity`): from a claims ledger, the medical-only cost law, the
  disability grade mix and the deaths per fatal accident (a ledger is first developed to ultimate,
  :func:`ajx_actuarial.experience_from_claims`, for the counts); from an experience table, the
  severity scales of the parts regressed from its incurred (grade-mix tilt, medical median);
* the fitted model's parameter uncertainty: per part, the book-level sd of the posterior sector
  levels (sectors independent), which :func:`~ajx_actuarial.simulate` then draws per year.

``model.fit_report`` lists every parameter with its prior, the data's raw estimate, the
posterior, the credibility weight ``z`` (0: the prior, 1: the data) and the posterior sd of its
log. Thin data fall back to the prior visibly: ``z`` near 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..reference import INDUSTRIES
from ._fit_frequency import PARTS, fit_frailty, fit_levels, fit_relativities, part_counts
from ._fit_severity import fit_scales_from_incurred, fit_severities

__all__ = ["fit_loss_model", "CREDIBILITY"]

CREDIBILITY = ("buhlmann", "full", "none")
_FREQ_COL = {"fatal": "deaths_per_100k", "disability": "disabilities_per_100k", "medical": "medical_per_100"}
_LEDGER_MARKERS = ("claim_id", "paid")


def _is_ledger(df: pd.DataFrame) -> bool:
    return all(c in df.columns for c in _LEDGER_MARKERS)


def _sector_sd() -> dict:
    """Prior sd of each sector's log frequency by part: the default file's 90 % range, ln(high / low) / 3.29."""
    from ..losses.sources import load_model_file

    rows = load_model_file("default")[1].set_index("parameter")
    out = {}
    for ind in INDUSTRIES:
        for part, col in _FREQ_COL.items():
            r = rows.loc[f"frequencies.{ind}.{col}"]
            out[(ind, part)] = float(np.log(float(r["high"]) / float(r["low"])) / 3.29)
    return out


def _experience(data: pd.DataFrame, policies, valuation_date) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    from ..portfolio import validate_experience

    if _is_ledger(data):
        from ..claims import experience_from_claims, validate_ledger

        if policies is None:
            raise ValidationError("LossModel.fit: a claims ledger needs policies= (the policy register or book it belongs to), "
                                  "for the exposure")
        if valuation_date is None:
            valuation_date = data.attrs.get("valuation_date")
            if valuation_date is None:
                raise ValidationError("LossModel.fit: a claims ledger needs valuation_date= (the date it was valued at)")
        led = validate_ledger(data)
        yrs = led["policy_year"].to_numpy() if "policy_year" in led.columns else pd.to_datetime(led["accident_date"]).dt.year.to_numpy()
        years = list(range(int(yrs.min()), int(yrs.max()) + 1))  # the ledger's policy years, not every year up to the valuation
        res = experience_from_claims(policies, data, valuation_date, years=years)
        return validate_experience(res.experience), led
    if "exposure" not in data.columns:
        raise ValidationError("LossModel.fit: the data has no 'exposure' column (worker-years): give a policy-year experience table "
                              "(ajx.synth.experience, ajx.experience_from_claims) or a claims ledger with policies=")
    return validate_experience(data), None


def fit_loss_model(data: pd.DataFrame, prior, *, by=None, credibility: str = "buhlmann", policies=None, valuation_date=None,
                   relativity_sd: float = 0.25):
    """Estimate a :class:`~ajx_actuarial.LossModel` from experience or a claims ledger, blended with ``prior``.

    Parameters
    ----------
    data : DataFrame
        A policy-year experience table (``exposure``, ``claims``, ``deaths``, ``disabilities``,
        ``incurred`` and rating columns; counts by part ``fatal_accidents``,
        ``disability_accidents``, ``medical_claims`` when known) or a claims ledger (``claim_id``,
        ``paid``, … as :func:`ajx_actuarial.claims.validate_ledger`) with ``policies``.
    prior : LossModel
    by : list of str, optional
        The rating characteristics whose relativities are estimated (default: every one the
        prior has a relativity for and the data hold with two or more levels, and ``region``
        when the data hold two or more regions); the others keep the prior's.
    credibility : {"buhlmann", "full", "none"}
        ``buhlmann`` (default): each parameter ``Z = τ² / (τ² + v)`` toward the prior;
        ``full``: the data's estimates; ``none``: the prior (for comparison).
    policies, valuation_date
        For a ledger: the policies (exposure, rating columns) and the valuation date (default
        the ledger's ``attrs["valuation_date"]``).
    relativity_sd : float
        Prior sd of a log relativity (default 0.25: a relativity is known to within a factor of
        about 1.5 either way at 90 %; assumption).

    Returns
    -------
    LossModel
        With ``fit_report`` (one row per parameter) and ``name`` ``"fitted"``.

    Raises
    ------
    ValidationError
        Data the fit cannot use (no exposure, negative counts, a ``by`` column missing, a ledger
        without policies), an unknown ``credibility``.
    """
    from ..synth.population import normaliser

    if not isinstance(data, pd.DataFrame):
        raise ValidationError(f"LossModel.fit: data must be a DataFrame (experience or claims ledger), got {type(data).__name__}")
    if credibility not in CREDIBILITY:
        raise ValidationError(f"LossModel.fit: credibility must be one of {list(CREDIBILITY)}, got {credibility!r}")
    if isinstance(relativity_sd, bool) or not isinstance(relativity_sd, (int, float)) or not 0 < relativity_sd <= 5:
        raise ValidationError(f"LossModel.fit: relativity_sd must be a number in (0, 5], got {relativity_sd!r}")
    exp, ledger = _experience(data, policies, valuation_date)
    counts = part_counts(exp, prior)
    if by is None:
        factors = [f for f in prior.relativities if f in exp.columns and exp[f].nunique() > 1]
        if "region" in exp.columns and exp["region"].nunique() > 1:
            factors.append("region")
    else:
        factors = [by] if isinstance(by, str) else list(by) if isinstance(by, (list, tuple)) else None
        if factors is None or not all(isinstance(f, str) for f in factors):
            raise ValidationError(f"LossModel.fit: by must be a list of rating columns, got {by!r}")
        missing = [f for f in factors if f not in exp.columns]
        if missing:
            raise ValidationError(f"LossModel.fit: by names column(s) {missing} the data do not have; columns: {list(exp.columns)[:20]}")
        unknown = [f for f in factors if f != "region" and f not in prior.relativities]
        if unknown:
            raise ValidationError(f"LossModel.fit: by names {unknown}, which the loss model has no relativity for; "
                                  f"known: {sorted(prior.relativities) + ['region']}")
    report: list = []
    if factors:
        rel, reg, rows = fit_relativities(exp, prior, factors, float(relativity_sd), credibility)
        report += rows
    else:
        rel, reg = dict(prior.relativities), dict(prior.region_effects)
    rel_model = prior.replace(relativities=rel, region_effects=reg)
    norm_post = normaliser(rel_model, "national")
    rel_model = rel_model.replace(normaliser=norm_post)
    sector_sd = _sector_sd()
    mult, rows, sd = fit_levels(exp, counts, prior, rel_model, sector_sd, credibility, prior.heterogeneity_cv)
    report += rows
    # posterior frequencies: base rates b = prior rates / prior normaliser × multiplier; population averages = b × new normaliser
    base = (prior.rates() / prior.frequency_multiplier).to_numpy() / np.array([prior.normaliser.get(k, 1.0) for k in INDUSTRIES])[:, None]
    post = base * mult * np.array([norm_post[k] for k in INDUSTRIES])[:, None]
    f = prior.frequencies.loc[list(INDUSTRIES)].copy()
    deaths = post[:, 0] * prior.mean_deaths_per_fatal()
    f["deaths_per_100k"] = 1e5 * deaths
    f["disabilities_per_100k"] = 1e5 * (post[:, 1] + prior.injury_ratio * deaths)
    f["medical_per_100"] = 100 * post[:, 2]
    # the book-level parameter uncertainty of each part (sectors independent), weighted by the data's expected counts
    rates = rel_model.rates().to_numpy()
    ind = exp["industry"].cat.codes.to_numpy()
    w = np.zeros((len(INDUSTRIES), 3))
    np.add.at(w, ind, rates[ind] * (exp["exposure"].to_numpy(dtype=np.float64) * rel_model.factor_relativity(exp))[:, None])
    pcv = {}
    for t, part in enumerate(PARTS):
        tot = w[:, t].sum()
        pcv[part] = float(np.sqrt(((w[:, t] * sd[:, t]) ** 2).sum()) / tot) if tot > 0 else float(prior.parameter_cv[part])
    npost = np.array([norm_post[k] for k in INDUSTRIES])
    mu = base[ind] * mult[ind] * (exp["exposure"].to_numpy(dtype=np.float64) * rel_model.factor_relativity(exp) * npost[ind])[:, None]
    cv, row = fit_frailty(exp, counts, mu, prior.frailty_cv, credibility) if prior.counts == "negbin" else (prior.frailty_cv, None)
    if row is not None:
        report.append(row)
    sev: dict = {}
    if ledger is not None:
        sev, rows = fit_severities(ledger, exp, prior, credibility)
    else:  # an experience table holds amounts per policy-year only: severity scales by part from its incurred
        freq_model = rel_model.replace(frequencies=f, frailty_cv=cv)
        sev, rows = fit_scales_from_incurred(exp, counts, freq_model, credibility)
    report += rows
    for part in PARTS:
        report.append({"parameter": f"parameter uncertainty (book level): {part}", "prior": float(prior.parameter_cv[part]),
                       "estimate": np.nan, "posterior": pcv[part], "z": np.nan, "sd_log": pcv[part], "n": np.nan})
    fitted = rel_model.replace(frequencies=f, parameter_cv=pcv, frailty_cv=cv, name="fitted", **sev)
    rep = pd.DataFrame(report, columns=["parameter", "prior", "estimate", "posterior", "z", "sd_log", "n"])
    rep.attrs.update({"credibility": credibility, "policy_years": int(len(exp)), "source": "ledger" if ledger is not None else "experience",
                      "prior": prior.name})
    return fitted.replace(fit_report=rep)

