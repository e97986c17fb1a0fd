"""``claims``: a transaction-level claims ledger from the same accidents as :func:`experience`."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtri

from .._attrs import SharedRecord
from .._random import RngLike, generator
from ..errors import ValidationError
from . import _core
from .experience import simulate_years

__all__ = ["claims", "DevelopmentTruth", "LEDGER_COLUMNS"]

LEDGER_COLUMNS: tuple[str, ...] = ("claim_id", "accident_id", "policy_id", "policy_year", "industry", "accident_date", "report_date",
                                   "transaction_date", "paid", "case_reserve", "injury", "grade", "deaths", "closed_date")
INJURY_NAMES = ("death", "disability", "medical")


@dataclass(frozen=True)
class DevelopmentTruth:
    """Known reporting and settlement delays of :func:`claims` (all ``assumption``, liability style).

    Delays are lognormal in days, ``(median, sigma)``, floored to whole days:

    * report delay (accident → report): deaths ``(2, 0.8)`` (reported within days: a fatal
      accident must be reported to the authorities at once); disabilities ``(10, 1.0)`` and
      medical ``(7, 1.0)`` (injured workers' claims reach the insurer within weeks);
    * deaths settle ``(75, 0.5)`` days after the report (paid within months; Beijing's draft
      asks for advance payment within 48 h of a >= 2-death accident, not modelled);
    * disabilities are reported as injuries (``injury = "medical"``, grade 0), appraised
      (劳动能力鉴定) ``(300, 0.45)`` days after the report — 5–95 % ≈ 5–21 months — when the
      grade and amount become known and, unless disputed, the claim is paid and closed;
      a share ``lawsuit_share`` (0.10) goes to court and is paid ``(365, 0.5)`` days later;
    * medical-only claims settle ``(30, 0.8)`` days after the report.

    Case reserves: deaths are reserved at their amount from the report; injuries at
    ``reserve_medical`` until settled, or until appraisal for disabilities (then at their
    amount while in court).
    """

    report_death: tuple[float, float] = (2.0, 0.8)
    report_disability: tuple[float, float] = (10.0, 1.0)
    report_medical: tuple[float, float] = (7.0, 1.0)
    settle_death: tuple[float, float] = (75.0, 0.5)
    appraisal_disability: tuple[float, float] = (300.0, 0.45)
    lawsuit_share: float = 0.10
    lawsuit_delay: tuple[float, float] = (365.0, 0.5)
    settle_medical: tuple[float, float] = (30.0, 0.8)
    reserve_medical: float = 2700.0

    def validate(self) -> "DevelopmentTruth":
        for k, v in asdict(self).items():
            if isinstance(v, tuple) and not (v[0] > 0 and 0 < v[1] <= 5):
                raise ValidationError(f"DevelopmentTruth.{k}: (median > 0, 0 < sigma <= 5) expected, got {v!r}")
        if not 0 <= self.lawsuit_share <= 1 or not self.reserve_medical >= 0:
            raise ValidationError("DevelopmentTruth: lawsuit_share must be in [0, 1] and reserve_medical >= 0")
        return self

    def as_dict(self) -> dict:
        return asdict(self)

    def _days(self, name: str, u: np.ndarray) -> np.ndarray:
        med, s = getattr(self, name)
        return np.floor(np.exp(np.log(med) + s * ndtri(u))).astype(np.int64)

    def report_cdf(self, injury: str, days: np.ndarray) -> np.ndarray:
        """P(report delay <= days) for ``injury`` in ``death``/``disability``/``medical`` (exact)."""
        med, s = getattr(self, f"report_{injury}")
        return stats.norm.cdf((np.log(np.floor(np.asarray(days, float)) + 1) - np.log(med)) / s)

    def settlement_pmf(self, injury: str, horizon: int) -> np.ndarray:
        """P(settlement delay after the accident = d days), d = 0..horizon (exact convolution)."""
        def pmf(par):
            k = np.arange(horizon + 1, dtype=float)
            c = stats.norm.cdf((np.log(k + 1) - np.log(par[0])) / par[1])
            return np.diff(np.r_[0.0, c])
        rep = pmf(getattr(self, f"report_{injury}"))
        if injury == "death":
            rest = pmf(self.settle_death)
        elif injury == "medical":
            rest = pmf(self.settle_medical)
        else:
            app = pmf(self.appraisal_disability)
            rest = (1 - self.lawsuit_share) * app + self.lawsuit_share * np.convolve(app, pmf(self.lawsuit_delay))[: horizon + 1]
        return np.convolve(rep, rest)[: horizon + 1]

    def unpaid_shares(self, injury: str, years: int = 10) -> np.ndarray:
        """Share of an accident year's claims of ``injury`` still unpaid at the end of development
        year ``k`` = 0 (the accident year's 31 December), 1, ..., ``years − 1`` (accident dates
        uniform over the 365 days; exact from :meth:`settlement_pmf`).

        >>> d = DevelopmentTruth()
        >>> d.unpaid_shares("death", 2).round(3).tolist(), d.unpaid_shares("disability", 3).round(3).tolist()
        ([0.238, 0.0], [0.826, 0.197, 0.035])
        """
        if injury not in INJURY_NAMES:
            raise ValidationError(f"unpaid_shares: injury must be one of {list(INJURY_NAMES)}, got {injury!r}")
        sf = np.clip(1.0 - np.cumsum(self.settlement_pmf(injury, 365 * years + 365)), 0.0, 1.0)
        # an accident on day a (0..364) is unpaid at the end of development year k if its delay > 365 k + 364 − a
        return np.array([sf[365 * k: 365 * k + 365].mean() for k in range(years)])

    def unpaid_pattern(self, parts: dict, years: int = 10) -> np.ndarray:
        """:meth:`unpaid_shares` of a loss split by part (``death``, ``disability``, ``medical``,
        ``rescue``, ``third_party``; rescue and third-party costs settle with the fatal accident),
        weighted by the parts: the share of an accident year's insured loss outstanding at the end
        of each development year.

        >>> DevelopmentTruth().unpaid_pattern({"death": 1.0, "disability": 1.0}, 2).round(3).tolist()
        [0.532, 0.099]
        """
        injury = {"death": "death", "rescue": "death", "third_party": "death", "disability": "disability", "medical": "medical"}
        bad = sorted(set(parts) - set(injury))
        if bad:
            raise ValidationError(f"unpaid_pattern: unknown part(s) {bad}; allowed: {sorted(injury)}")
        w = {k: float(v) for k, v in parts.items()}
        if any(not np.isfinite(v) or v < 0 for v in w.values()) or sum(w.values()) <= 0:
            raise ValidationError(f"unpaid_pattern: part weights must be finite, >= 0 and not all 0, got {parts!r}")
        return sum(v * self.unpaid_shares(injury[k], years) for k, v in w.items()) / sum(w.values())

    def outstanding_ratio(self, parts: dict) -> float:
        """Outstanding claims at a year's end over a year's insured loss for an insurer writing
        the same book every year (steady state: the sum of :meth:`unpaid_pattern`, about the
        mean payment delay in years): the reserve-risk exposure of C-ROSS Rule 4 Art. 22.

        >>> round(DevelopmentTruth().outstanding_ratio({"death": 1.0, "disability": 1.0}), 3)
        0.651
        """
        return float(self.unpaid_pattern(parts).sum())


def _dates(year: np.ndarray, day: np.ndarray) -> np.ndarray:
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    return (start + day.astype("timedelta64[D]")).astype("datetime64[ns]")


def claims(
    portfolio: pd.DataFrame,
    years: int,
    valuation_date,
    *,
    rng: RngLike = None,
    model=None,
    development: DevelopmentTruth | None = None,
    start_year: int = 2021,
    partial_share: float = 0.1,
) -> pd.DataFrame:
    """Claims ledger (one row per claim transaction) of ``portfolio`` as known at ``valuation_date``.

    The accidents and victims are those of :func:`experience` with the same ``rng``,
    ``model``, ``start_year`` and ``partial_share`` (one shared generator); delays are drawn
    afterwards from the same stream. One claim per victim; ``accident_id`` groups the victims of
    an accident. Valued after every claim has closed, the ledger aggregated per policy-year gives
    exactly experience()'s ``claims`` (distinct accidents), ``deaths``, ``disabilities`` and
    ``incurred`` (sum of ``paid``, to the fen).

    Columns: ``claim_id``, ``accident_id``, ``policy_id``, ``policy_year``, ``industry``,
    ``accident_date``, ``report_date``, ``transaction_date``, ``paid`` (incremental payment,
    CNY, >= 0), ``case_reserve`` (outstanding case estimate after the transaction),
    ``injury`` (``death`` | ``disability`` | ``medical`` as known after the transaction:
    disabilities show as ``medical`` until appraised), ``grade`` (1–10 once appraised, else 0),
    ``deaths`` (1 on a death claim's rows), ``closed_date`` (NaT while open). Only
    transactions dated on or before ``valuation_date`` appear (so only reported claims).
    Accidents occur uniformly within a policy's exposure window of its calendar policy year.

    Parameters
    ----------
    portfolio : DataFrame
    years : int
    valuation_date : date-like
    rng : int | SeedSequence | Generator | None
    model : LossModel, optional
        As in :func:`experience` (the loss model is the truth; :class:`DevelopmentTruth` adds
        the delays).
    development : DevelopmentTruth, optional
        Reporting and settlement delays (default :class:`DevelopmentTruth`).
    start_year, partial_share
        As in :func:`experience`.

    Returns
    -------
    DataFrame
        Ordered by claim then transaction date; ``attrs`` hold ``model``, ``development`` and
        ``valuation_date``.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(3000, rng=1)
    >>> led = ajx.synth.claims(book, 2, "2040-12-31", rng=2)
    >>> exp = ajx.synth.experience(book, 2, rng=2)
    >>> bool(round(led["paid"].sum(), 2) == round(exp["incurred"].sum(), 2))
    True
    >>> int(led.groupby("claim_id")["deaths"].max().sum()) == int(exp["deaths"].sum())
    True
    """
    try:
        ts = pd.Timestamp(valuation_date)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"claims: valuation_date must be a date (YYYY-MM-DD), got {valuation_date!r}") from exc
    if ts is pd.NaT or pd.isna(ts):
        raise ValidationError(f"claims: valuation_date must be a date (YYYY-MM-DD), got {valuation_date!r}")
    val = np.datetime64(ts.normalize().to_datetime64(), "ns")
    if development is not None and not isinstance(development, DevelopmentTruth):
        raise ValidationError(f"claims: development must be a DevelopmentTruth, got {type(development).__name__}")
    dev = (development or DevelopmentTruth()).validate()
    g = generator(rng)
    sim = simulate_years(portfolio, years, g, model, start_year, partial_share, "claims")
    acc = sim.acc
    na, nv = acc.row.size, acc.v_acc.size
    # accident dates: uniform within the exposure window [1 - t, 1) of the calendar policy year
    yr = sim.year[acc.row]
    ndays = np.where((yr % 4 == 0) & ((yr % 100 != 0) | (yr % 400 == 0)), 366, 365)
    frac = (1.0 - sim.t[acc.row]) + sim.t[acc.row] * acc.when
    acc_day = np.minimum(np.floor(frac * ndays), ndays - 1).astype(np.int64)
    # delays per victim
    inj = acc.v_injury
    u = g.random((4, nv))
    rep = np.empty(nv, np.int64)
    s1 = np.empty(nv, np.int64)
    for code, name in enumerate(INJURY_NAMES):
        sel = inj == code
        rep[sel] = dev._days(f"report_{name}", u[0, sel])
        key = {0: "settle_death", 1: "appraisal_disability", 2: "settle_medical"}[code]
        s1[sel] = dev._days(key, u[1, sel])
    suit = (inj == _core.DISABILITY) & (u[2] < dev.lawsuit_share)
    s2 = np.where(suit, dev._days("lawsuit_delay", u[3]), 0)
    a_date = _dates(yr, acc_day)[acc.v_acc]
    r_date = a_date + rep.astype("timedelta64[D]")
    t1 = r_date + s1.astype("timedelta64[D]")
    t2 = t1 + s2.astype("timedelta64[D]")
    closed = np.where(suit, t2, t1)
    amount = acc.v_paid
    reserve0 = np.where(inj == _core.DEATH, amount, dev.reserve_medical)
    # transactions: report; first event (settle or appraisal); lawsuit settlement
    ids = np.arange(nv)
    tx_claim = np.concatenate([ids, ids, ids[suit]])
    tx_date = np.concatenate([r_date, t1, t2[suit]])
    tx_paid = np.concatenate([np.zeros(nv), np.where(suit, 0.0, amount), amount[suit]])
    tx_res = np.concatenate([reserve0, np.where(suit, amount, 0.0), np.zeros(int(suit.sum()))])
    appraised = np.concatenate([np.zeros(nv, bool), inj == _core.DISABILITY, np.ones(int(suit.sum()), bool)])
    keep = tx_date <= val
    tx_claim, tx_date, tx_paid, tx_res, appraised = tx_claim[keep], tx_date[keep], tx_paid[keep], tx_res[keep], appraised[keep]
    # number claims by policy, accident date, accident, victim
    pol = sim.pf["policy_id"].to_numpy()
    v_row = acc.row[acc.v_acc]
    acc_order = np.lexsort((np.arange(na), acc_day, sim.year[acc.row], acc.row))
    acc_id = np.empty(na, np.int64)
    acc_id[acc_order] = np.arange(1, na + 1)
    claim_order = np.lexsort((ids, acc_id[acc.v_acc]))
    claim_id = np.empty(nv, np.int64)
    claim_id[claim_order] = np.arange(1, nv + 1)
    v_inj_now = np.where((inj[tx_claim] == _core.DISABILITY) & ~appraised, _core.MEDICAL, inj[tx_claim])
    order = np.lexsort((tx_date, claim_id[tx_claim]))
    c = tx_claim[order]
    closed_c = closed[c]
    led = pd.DataFrame({
        "claim_id": claim_id[c],
        "accident_id": acc_id[acc.v_acc[c]],
        "policy_id": pol[sim.rows[v_row[c]]],
        "policy_year": sim.year[v_row[c]],
        "industry": sim.pf["industry"].to_numpy()[sim.rows[v_row[c]]],
        "accident_date": a_date[c],
        "report_date": r_date[c],
        "transaction_date": tx_date[order],
        "paid": tx_paid[order],
        "case_reserve": tx_res[order],
        "injury": pd.Categorical.from_codes(v_inj_now[order].astype(np.int8), categories=list(INJURY_NAMES)),
        "grade": np.where(v_inj_now[order] == _core.DISABILITY, acc.v_grade[c], 0).astype(np.int64),
        "deaths": (inj[c] == _core.DEATH).astype(np.int64),
        "closed_date": np.where(closed_c <= val, closed_c, np.datetime64("NaT")).astype("datetime64[ns]"),
    })
    led["industry"] = pd.Categorical(led["industry"], categories=sim.pf["industry"].cat.categories)
    led.attrs.update({"model": SharedRecord(sim.model.as_dict()), "development": dev.as_dict(), "valuation_date": str(pd.Timestamp(val).date())})
    return led
