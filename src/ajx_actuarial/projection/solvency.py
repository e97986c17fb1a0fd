"""Solvency of the insurer writing the book: C-ROSS phase II minimum capital for 责任险 and an internal-model view.

C-ROSS phase II, Rule 4 (《保险公司偿付能力监管规则第4号：保险风险最低资本（非寿险业务）》, 2021 revision; read in
the public Markdown copy ferryhe/c-ross-2, DOMAIN.md §10.2, official*):

* Art. 6(4): 安责险 is 责任险 (liability).
* Art. 7: ``MC = EX × RF``, ``RF = RF0 × (1 + K)``, ``K = Σ k_i ∈ [−0.25, 0.25]``; a k_i without a rule is 0.
* Art. 9: premium-risk exposure EX = retained premium of the last 12 months (最近12个月自留保费).
* Art. 13: 责任险 premium risk ``RF0 = 0.203``; ``k1`` by the 12-month combined ratio C (a step function):
  −0.05 for C ∈ (0, 95 %], 0 for (95 %, 100 %], +0.05 for (100 %, 105 %], +0.10 above 105 %;
  ``k2`` by the net non-proportional ceded ratio NE: +0.136 (NE < −1 %), +0.012 [−1 %, 0), 0 [0, 2.5 %),
  −0.018 [2.5 %, 5 %), −0.047 (>= 5 %).
* Art. 20: k_i = 0 when the combined ratio is below 0 (or the history is too short).
* Art. 22, 26: reserve-risk exposure = outstanding claims reserve after reinsurance; 责任险 ``RF0 = 0.433``;
  ``k1`` by the two-year average run-off deviation R of non-motor reserves: 0 (R <= 5 %), +0.05 (5-10 %], +0.10 (> 10 %).
* Art. 42: ``MC = sqrt(MC_p² + 2 ρ MC_p MC_r + MC_r²)`` with ρ = 0.5.
* 金规〔2023〕5号: small insurers' minimum capital × 0.9 (assets < 10 bn) or × 0.95 (10-200 bn): ``relief``.

The solvency ratio here is the line's stand-alone view: available capital / the line's insurance-risk
minimum capital (no market, credit or control risk, no diversification with other lines; no
catastrophe charge, which Rule 4 sets for motor and property only). Available capital at the end of
year t = ``initial_capital`` + the underwriting results of years up to t (no investment income, no
dividends; assumption). Retained = written: no reinsurance (assumption).

Internal-model view: the 99.5 % value at risk of the one-year underwriting result over the paths.
The 99.5 % calibration is an **assumption**: Rule 2 Art. 9 names VaR without a level for these
factors; 99.5 % appears in Rule 4 only for catastrophe risk (Arts. 47-53).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["RF0_PREMIUM", "RF0_RESERVE", "RHO_PREMIUM_RESERVE", "k1_combined_ratio", "k2_ceded", "k1_reserve",
           "premium_risk_capital", "reserve_risk_capital", "minimum_capital", "CapitalResult", "capital",
           "outstanding_ratio", "unpaid_pattern"]

RF0_PREMIUM = 0.203          # Rule 4 Art. 13 (责任险)
RF0_RESERVE = 0.433          # Rule 4 Art. 26 (责任险)
RHO_PREMIUM_RESERVE = 0.5    # Rule 4 Art. 42
K_BOUNDS = (-0.25, 0.25)     # Rule 4 Art. 7


def k1_combined_ratio(combined_ratio) -> np.ndarray:
    """Rule 4 Art. 13 k1 (责任险 premium risk) of the 12-month combined ratio; 0 below 0 (Art. 20).

    Examples
    --------
    >>> k1_combined_ratio([0.90, 0.95, 0.97, 1.00, 1.03, 1.05, 1.2, -0.1]).tolist()
    [-0.05, -0.05, 0.0, 0.0, 0.05, 0.05, 0.1, 0.0]
    """
    c = np.asarray(combined_ratio, dtype=np.float64)
    return np.select([c < 0, c <= 0.95, c <= 1.00, c <= 1.05], [0.0, -0.05, 0.0, 0.05], default=0.10)


def k2_ceded(ne) -> np.ndarray:
    """Rule 4 Art. 13 k2 (责任险) of the net non-proportional ceded ratio NE (0 without reinsurance).

    >>> k2_ceded([-0.02, -0.01, 0.0, 0.03, 0.05]).tolist()
    [0.136, 0.012, 0.0, -0.018, -0.047]
    """
    x = np.asarray(ne, dtype=np.float64)
    return np.select([x < -0.01, x < 0, x < 0.025, x < 0.05], [0.136, 0.012, 0.0, -0.018], default=-0.047)


def k1_reserve(runoff_deviation) -> np.ndarray:
    """Rule 4 Art. 26 k1 (责任险 reserve risk) of the average run-off deviation ratio R.

    >>> k1_reserve([0.0, 0.05, 0.07, 0.2]).tolist()
    [0.0, 0.0, 0.05, 0.1]
    """
    r = np.asarray(runoff_deviation, dtype=np.float64)
    return np.select([r <= 0.05, r <= 0.10], [0.0, 0.05], default=0.10)


def premium_risk_capital(retained_premium, combined_ratio, ne=0.0) -> np.ndarray:
    """``EX × 0.203 × (1 + clip(k1 + k2, −0.25, 0.25))`` (Rule 4 Arts. 7, 9, 13).

    >>> round(float(premium_risk_capital(100.0, 1.10)), 6)  # k1 = +0.10
    22.33
    """
    k = np.clip(k1_combined_ratio(combined_ratio) + k2_ceded(ne), *K_BOUNDS)
    return np.asarray(retained_premium, dtype=np.float64) * RF0_PREMIUM * (1.0 + k)


def reserve_risk_capital(outstanding, runoff_deviation=0.0) -> np.ndarray:
    """``reserve × 0.433 × (1 + k1)`` (Rule 4 Arts. 22, 26).

    >>> round(float(reserve_risk_capital(100.0, runoff_deviation=0.07)), 6)  # k1 = +0.05
    45.465
    """
    k = np.clip(k1_reserve(runoff_deviation), *K_BOUNDS)
    return np.asarray(outstanding, dtype=np.float64) * RF0_RESERVE * (1.0 + k)


def minimum_capital(mc_premium, mc_reserve, relief: float = 1.0) -> np.ndarray:
    """Premium and reserve risk aggregated with ρ = 0.5 (Rule 4 Art. 42), times the small-insurer ``relief``.

    >>> float(minimum_capital(3.0, 4.0))  # sqrt(9 + 2·0.5·12 + 16)
    6.082762530298219
    """
    p, r = np.asarray(mc_premium, dtype=np.float64), np.asarray(mc_reserve, dtype=np.float64)
    return relief * np.sqrt(p * p + 2.0 * RHO_PREMIUM_RESERVE * p * r + r * r)


@dataclass(frozen=True, eq=False)
class CapitalResult:
    """Solvency of the projected book per path and year (see the module docstring).

    Attributes
    ----------
    by_year : DataFrame
        ``path``, ``year``, ``retained_premium``, ``combined_ratio``, ``k1``, ``rf``, ``mc_premium``,
        ``outstanding``, ``mc_reserve``, ``minimum_capital``, ``capital`` (available, end of year),
        ``solvency_ratio``.
    internal : DataFrame
        Per year: ``level`` (0.995 by default, an assumption), mean result, ``var`` (VaR of the
        one-year underwriting loss = −result, measured from 0), ``var_unexpected`` (the same less the
        mean loss), ``var_lo``/``var_hi`` (distribution-free 95 % interval of the quantile from order
        statistics), ``cross_minimum_capital`` (mean C-ROSS minimum capital, for comparison).
    initial_capital : float
    """

    by_year: pd.DataFrame
    internal: pd.DataFrame
    initial_capital: float

    @property
    def _keys(self) -> list[str]:
        return ["scenario", "year"] if "scenario" in self.by_year.columns else ["year"]

    def summary(self) -> pd.DataFrame:
        """Per year (and scenario): mean minimum capital, solvency ratio mean and 5/50/95 %,
        P(ratio < 100 %), P(capital < 0)."""
        g = self.by_year.groupby(self._keys, observed=True, sort=False)
        r = g["solvency_ratio"]
        return pd.DataFrame({
            "minimum_capital": g["minimum_capital"].mean(), "capital": g["capital"].mean(),
            "solvency_ratio": r.mean(), "p5": r.quantile(0.05), "p50": r.quantile(0.5), "p95": r.quantile(0.95),
            "p_below_100": g["solvency_ratio"].apply(lambda x: float((x < 1.0).mean())),
            "p_capital_negative": g["capital"].apply(lambda x: float((x < 0).mean())),
        })

    def p_below(self, level: float = 1.0):
        """Share of paths whose solvency ratio falls below ``level`` at any year's end (a Series by
        scenario when the projection ran scenarios)."""
        level = _number(level, "p_below: level", 0.0, 100.0)
        if "scenario" in self.by_year.columns:
            return self.by_year.groupby("scenario", observed=True, sort=False).apply(
                lambda g: float((g.pivot(index="path", columns="year", values="solvency_ratio") < level).any(axis=1).mean()))
        w = self.by_year.pivot(index="path", columns="year", values="solvency_ratio")
        return float((w < level).any(axis=1).mean())

    def required_initial_capital(self, prob: float = 0.995, level: float = 1.0) -> float:
        """Initial capital that keeps the solvency ratio >= ``level`` in every year on a share ``prob`` of paths.

        Capital grows linearly with the initial amount, so per path the need is
        ``max_t(level × MC_t − cumulative result_t)``; this is its ``prob`` quantile over paths.
        """
        if isinstance(prob, bool) or not isinstance(prob, (int, float, np.integer, np.floating)) or not 0 < prob < 1:
            raise ValidationError(f"required_initial_capital: prob must be in (0, 1), got {prob!r}")
        level = _number(level, "required_initial_capital: level", 0.0, 100.0)
        d = self.by_year.assign(cum=self.by_year["capital"] - self.initial_capital)
        d["need"] = level * d["minimum_capital"] - d["cum"]
        if "scenario" in d.columns:
            return d.groupby("scenario", observed=True, sort=False).apply(
                lambda g: float(np.quantile(g.groupby("path")["need"].max().to_numpy(), prob)))
        return float(np.quantile(d.groupby("path")["need"].max().to_numpy(), prob))


@functools.lru_cache(maxsize=1)
def _default_parts() -> tuple[tuple[str, float], ...]:
    """The default loss model's expected loss by part on a 20 000-unit national book (cached)."""
    from ..losses import expected_loss
    from ..synth import portfolio

    e = expected_loss(portfolio(20_000, rng=0))
    return tuple((k, float(e[k].sum())) for k in ("death", "disability", "medical", "rescue", "third_party"))


def unpaid_pattern(parts: dict | None = None, development=None, years: int = 10) -> np.ndarray:
    """Share of an accident year's insured loss outstanding at the end of each development year,
    from the development pattern (:meth:`ajx_actuarial.synth.DevelopmentTruth.unpaid_pattern`):
    deaths settle within months, disabilities wait for their appraisal (about ten months).

    ``parts``: expected loss by part (default: the default loss model's mix on the national
    book); ``development``: a :class:`~ajx_actuarial.synth.DevelopmentTruth` (default delays).

    >>> unpaid_pattern({"death": 1.0}, years=2).round(3).tolist()
    [0.238, 0.0]
    """
    from ..synth import DevelopmentTruth

    dev = DevelopmentTruth() if development is None else development
    return dev.unpaid_pattern(dict(_default_parts()) if parts is None else dict(parts), years)


def outstanding_ratio(parts: dict | None = None, development=None) -> float:
    """Outstanding claims at a year's end over a year's insured loss for an insurer writing the
    same book every year (the sum of :func:`unpaid_pattern`): about 0.72 for the default model's
    mix, of which 0.58 is the accident year's own.

    >>> round(outstanding_ratio({"death": 1.0}), 3)
    0.238
    """
    return float(unpaid_pattern(parts, development).sum())


def _number(v, name: str, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v) or not lo <= v <= hi:
        raise ValidationError(f"{name} must be a number in [{lo:g}, {hi:g}], got {v!r}")
    return float(v)


def capital(by_year: pd.DataFrame, initial_capital: float | None = None, *, outstanding_ratio: float | None = None,
            runoff_deviation: float = 0.0, ne: float = 0.0, relief: float = 1.0, level: float = 0.995) -> CapitalResult:
    """C-ROSS capital and solvency ratio per path and year of a projection's ``by_year`` frame.

    Parameters
    ----------
    by_year : DataFrame
        :attr:`ProjectionResult.by_year` (``path``, ``year``, ``premium_ex_vat``, ``insured_loss``,
        ``combined_ratio``, ``underwriting_result``).
    initial_capital : float, optional
        Available capital at the start (CNY). Default: the C-ROSS minimum capital of the first
        year's mean premium at k = 0 and its mean year-end reserve (an insurer starting at about
        100 % of the first year's requirement).
    outstanding_ratio : float, optional
        Outstanding claims reserve at year end as a share of the year's insured loss (the
        reserve-risk exposure; 0 leaves reserve risk out). Default (``None``): from the
        development pattern (:func:`unpaid_pattern`): on each path the reserve at the end of
        year t is ``Σ_k u_k × loss(t − k)``, the years before the projection at the first year's
        mean loss (the insurer wrote the book before: about 0.72 of a year's loss in steady
        state, 0.58 of it the year's own accidents).

    Solvency is checked at each year's end (31 December: capital after the year's result, the
    minimum capital on the year's premium and year-end reserves), as C-ROSS reports it in the
    fourth quarter; within the year, claims are paid over months (the pattern above), so a year's
    losses do not reduce capital before they are paid, and no quarter-end check is made.
    runoff_deviation, ne : float
        Inputs of reserve-risk k1 and premium-risk k2 (0: no reinsurance, no adverse run-off).
    relief : float
        Small-insurer factor (1, 0.95 or 0.9; 金规〔2023〕5号).
    level : float
        Internal-model VaR level (0.995, assumption).

    Returns
    -------
    CapitalResult

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.DataFrame({"path": [0, 0], "year": [2026, 2027], "premium_ex_vat": [100.0, 100.0], "insured_loss": [60.0, 80.0],
    ...                   "combined_ratio": [0.90, 1.10], "underwriting_result": [10.0, -10.0]})
    >>> capital(y, initial_capital=20.0, outstanding_ratio=0.0).by_year["solvency_ratio"].round(4).tolist()  # 30 / 19.285, 20 / 22.33
    [1.5556, 0.8957]
    >>> capital(y, initial_capital=20.0).by_year["solvency_ratio"].round(4).tolist()  # reserve risk on year-end reserves
    [0.9041, 0.4974]
    """
    need = {"path", "year", "premium_ex_vat", "insured_loss", "combined_ratio", "underwriting_result"}
    if not isinstance(by_year, pd.DataFrame) or by_year.empty:
        raise ValidationError(f"capital: by_year must be a non-empty DataFrame (ProjectionResult.by_year), got {type(by_year).__name__}")
    if "scenario" in by_year.columns:  # one insurer, one starting capital (the first scenario's default), each scenario's path
        groups = [(k, g.drop(columns="scenario")) for k, g in by_year.groupby("scenario", observed=True, sort=False)]
        kw = dict(outstanding_ratio=outstanding_ratio, runoff_deviation=runoff_deviation, ne=ne, relief=relief, level=level)
        first = capital(groups[0][1], initial_capital, **kw)
        parts = [(k, first if i == 0 else capital(g, first.initial_capital, **kw)) for i, (k, g) in enumerate(groups)]
        cat = pd.Categorical([k for k, _ in parts], categories=[k for k, _ in parts], ordered=True)
        out = pd.concat([c.by_year.assign(scenario=k) for k, c in parts], ignore_index=True)
        out["scenario"] = pd.Categorical(out["scenario"], categories=cat.categories, ordered=True)
        internal = pd.concat({k: c.internal for k, c in parts}, names=["scenario", "year"])
        return CapitalResult(by_year=out[["scenario", *first.by_year.columns]], internal=internal, initial_capital=first.initial_capital)
    if not need <= set(by_year.columns):
        raise ValidationError(f"capital: by_year lacks {sorted(need - set(by_year.columns))}")
    # ne: net non-proportional ceded ratio; runoff_deviation: average run-off deviation ratio (both ratios of premium/reserve)
    pattern = None
    if outstanding_ratio is None:
        pattern = unpaid_pattern()
        outstanding_ratio = float(pattern.sum())
    for name, v, lo, hi in (("outstanding_ratio", outstanding_ratio, 0.0, 20.0), ("relief", relief, 0.5, 1.0), ("level", level, 0.5, 0.9999),
                            ("ne", ne, -1.0, 1.0), ("runoff_deviation", runoff_deviation, -1.0, 10.0)):
        _number(v, f"capital: {name}", lo, hi)
    d = by_year.sort_values(["path", "year"]).reset_index(drop=True)
    ex = d["premium_ex_vat"].to_numpy(dtype=np.float64)
    cr = d["combined_ratio"].to_numpy(dtype=np.float64)
    k = np.clip(k1_combined_ratio(cr) + k2_ceded(ne), *K_BOUNDS)
    mc_p = premium_risk_capital(ex, cr, ne)
    loss = d["insured_loss"].to_numpy(dtype=np.float64)
    if pattern is None:
        res = outstanding_ratio * loss
    else:  # Σ_k u_k loss(t − k) per path; years before the first at its mean loss
        wide = d.pivot(index="path", columns="year", values="insured_loss").sort_index(axis=1)
        w = wide.to_numpy()
        prior = float(np.nanmean(w[:, 0]))
        res_w = np.zeros_like(w)
        for t in range(w.shape[1]):
            for j, u in enumerate(pattern):
                res_w[:, t] += u * (w[:, t - j] if t - j >= 0 else prior)
        res = res_w[wide.index.get_indexer(d["path"]), wide.columns.get_indexer(d["year"])]
    mc_r = reserve_risk_capital(res, runoff_deviation)
    mc = minimum_capital(mc_p, mc_r, relief)
    if initial_capital is None:
        first = d["year"] == d["year"].min()
        initial_capital = float(minimum_capital(RF0_PREMIUM * d.loc[first, "premium_ex_vat"].mean(),
                                                reserve_risk_capital(float(np.mean(res[first.to_numpy()])), runoff_deviation), relief))
    if isinstance(initial_capital, bool) or not isinstance(initial_capital, (int, float, np.integer, np.floating)) \
            or not np.isfinite(initial_capital) or initial_capital < 0:
        raise ValidationError(f"capital: initial_capital must be a number >= 0, got {initial_capital!r}")
    cap = float(initial_capital) + d.groupby("path")["underwriting_result"].cumsum().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mc > 0, cap / mc, np.inf)
    out = pd.DataFrame({"path": d["path"], "year": d["year"], "retained_premium": ex, "combined_ratio": cr,
                        "k1": k1_combined_ratio(cr), "rf": RF0_PREMIUM * (1 + k), "mc_premium": mc_p, "outstanding": res,
                        "mc_reserve": mc_r, "minimum_capital": mc, "capital": cap, "solvency_ratio": ratio})
    rows = []
    for year, g in d.groupby("year"):
        loss = -g["underwriting_result"].to_numpy(dtype=np.float64)
        x = np.sort(loss)
        n = x.size
        v = float(np.quantile(loss, level))
        half = 1.959964 * np.sqrt(n * level * (1 - level))
        lo, hi = x[int(max(np.floor(n * level - half), 0))], x[int(min(np.ceil(n * level + half), n - 1))]
        rows.append({"year": year, "level": level, "mean_result": float(-loss.mean()), "var": v, "var_unexpected": v - float(loss.mean()),
                     "var_lo": float(lo), "var_hi": float(hi), "paths": n,
                     "cross_minimum_capital": float(out.loc[out["year"] == year, "minimum_capital"].mean())})
    internal = pd.DataFrame(rows).set_index("year")
    return CapitalResult(by_year=out, internal=internal, initial_capital=float(initial_capital))
