"""Ledger at a valuation date → per-claim state and chainladder triangles.

Development periods are the 12-month periods that end on the valuation date's anniversaries
(``V``, ``V − 1 year``, ...), so a mid-year valuation gives ages 6, 18, 30 ... months for the
accident years; a transaction counts in the first period whose end is on or after its date.
Origins are accident years (January 1).

Measures, each per segment × accident year × development period (incremental, summed):

* ``paid`` — payments; ``incurred`` — payments plus the change in case reserve;
* ``claims`` — accidents (distinct ``accident_id``), counted when the first claim of the
  accident is reported;
* ``deaths`` — deaths on a claim as known at the valuation date, counted at the first
  transaction that shows them; ``disabilities`` — claims whose injury at the valuation date is
  ``disability``, counted at the first transaction with that injury (grades settle late, so
  disability counts develop).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MEASURES", "COUNT_MEASURES", "period_index", "period_end", "ages", "claim_state", "build_cells", "to_triangle"]

MEASURES: tuple[str, ...] = ("paid", "incurred", "claims", "deaths", "disabilities")
COUNT_MEASURES: tuple[str, ...] = ("claims", "deaths", "disabilities")


def period_index(dates: np.ndarray, valuation: pd.Timestamp) -> np.ndarray:
    """``j`` such that a date falls in the development period ending ``j`` years before ``valuation``."""
    idx = pd.DatetimeIndex(dates)
    after = (idx.month > valuation.month) | ((idx.month == valuation.month) & (idx.day > valuation.day))
    return (valuation.year - idx.year - after).to_numpy(dtype=np.int64)


def period_end(j: np.ndarray | int, valuation: pd.Timestamp):
    """The end date of development period ``j`` (``valuation − j years``)."""
    if np.ndim(j) == 0:
        return valuation - pd.DateOffset(years=int(j))
    uniq = np.unique(j)
    ends = {int(u): valuation - pd.DateOffset(years=int(u)) for u in uniq}
    return pd.DatetimeIndex([ends[int(x)] for x in j])


def ages(origin_years: np.ndarray, valuation: pd.Timestamp) -> np.ndarray:
    """Development age in months of each accident year at the valuation date (as chainladder counts it)."""
    return (valuation.year - np.asarray(origin_years, dtype=np.int64)) * 12 + valuation.month


def _last(values: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Value on the last row of each claim (rows ordered by claim, then date; ``new`` marks first rows)."""
    last = np.r_[new[1:], True]
    return values[last]


def claim_state(led: pd.DataFrame) -> pd.DataFrame:
    """One row per claim at the valuation date (``led`` already cut at it, ordered by claim and date).

    Columns: claim code ``_claim``, ``claim_id``, ``policy_id``, ``policy_year``, ``accident_id``,
    ``accident_year``, ``report_date``, ``paid`` (to date), ``case_reserve`` (outstanding),
    ``incurred``, ``injury`` and ``deaths`` (as known), and ``death_date`` /
    ``disability_date`` (first transaction showing them; NaT if none).
    """
    code = led["_claim"].to_numpy()
    new = np.r_[True, code[1:] != code[:-1]]
    start = np.flatnonzero(new)
    first = lambda col: led[col].iloc[start].to_numpy()  # noqa: E731
    paid = np.add.reduceat(led["paid"].to_numpy(), start)
    case = _last(led["case_reserve"].to_numpy(), new)
    inj_codes = _last(np.asarray(led["injury"].cat.codes), new)
    deaths = _last(led["deaths"].to_numpy(), new)
    txn = led["transaction_date"].to_numpy()
    claim_of_row = np.cumsum(new) - 1
    n = start.size
    out = pd.DataFrame({
        "_claim": first("_claim"), "claim_id": first("claim_id"), "policy_id": first("policy_id"),
        "policy_year": first("policy_year"), "accident_id": first("accident_id"),
        "accident_year": pd.DatetimeIndex(first("accident_date")).year.to_numpy(dtype=np.int64),
        "report_date": first("report_date"), "paid": paid, "case_reserve": case, "incurred": paid + case,
        "injury": pd.Categorical.from_codes(inj_codes, categories=led["injury"].cat.categories), "deaths": deaths,
    })
    # first transaction that shows the casualty known at the valuation date
    for name, mask in (("death_date", led["deaths"].to_numpy() > 0), ("disability_date", np.asarray(led["injury"].cat.codes) == 1)):
        when = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        rows = np.flatnonzero(mask)
        # rows are in date order within a claim: the first hit per claim is the earliest
        c, first_hit = np.unique(claim_of_row[rows], return_index=True)
        when[c] = txn[rows[first_hit]]
        out[name] = when
    out.loc[out["deaths"].to_numpy() == 0, "death_date"] = pd.NaT
    out.loc[np.asarray(out["injury"].cat.codes) != 1, "disability_date"] = pd.NaT
    return out


def build_cells(led: pd.DataFrame, state: pd.DataFrame, segment_of_claim: np.ndarray, valuation: pd.Timestamp,
                paid: np.ndarray | None = None, incurred: np.ndarray | None = None) -> pd.DataFrame:
    """Incremental measures per (segment code, accident year, period ``j``).

    ``paid``/``incurred``: per-transaction increments (default: the ledger's, uncapped);
    ``segment_of_claim``: the segment code of each claim of ``state``.
    """
    code = led["_claim"].to_numpy()
    new = np.r_[True, code[1:] != code[:-1]]
    claim_of_row = np.cumsum(new) - 1
    if paid is None:
        paid = led["paid"].to_numpy()
    if incurred is None:
        case = led["case_reserve"].to_numpy()
        prev = np.r_[0.0, case[:-1]]
        prev[new] = 0.0
        incurred = paid + case - prev
    ay = state["accident_year"].to_numpy()
    seg = np.asarray(segment_of_claim)
    parts = [pd.DataFrame({"segment": seg[claim_of_row], "origin": ay[claim_of_row],
                           "j": period_index(led["transaction_date"].to_numpy(), valuation),
                           "paid": paid, "incurred": incurred})]
    # accidents: counted once, at the first report among their claims, in the segment of that claim
    rep = state["report_date"].to_numpy()
    order = np.lexsort((rep, pd.factorize(state["accident_id"])[0]))
    acc_codes = pd.factorize(state["accident_id"])[0][order]
    first_of_acc = order[np.r_[True, acc_codes[1:] != acc_codes[:-1]]]
    parts.append(pd.DataFrame({"segment": seg[first_of_acc], "origin": ay[first_of_acc],
                               "j": period_index(rep[first_of_acc], valuation), "claims": 1.0}))
    for measure, col, weight in (("deaths", "death_date", state["deaths"].to_numpy(dtype=float)),
                                 ("disabilities", "disability_date", None)):
        when = state[col].to_numpy()
        has = ~np.isnat(when)
        parts.append(pd.DataFrame({"segment": seg[has], "origin": ay[has], "j": period_index(when[has], valuation),
                                   measure: 1.0 if weight is None else weight[has]}))
    cells = pd.concat(parts, ignore_index=True).fillna({m: 0.0 for m in MEASURES})
    return cells.groupby(["segment", "origin", "j"], sort=True)[list(MEASURES)].sum().reset_index()


def to_triangle(cells: pd.DataFrame, valuation: pd.Timestamp, segment_name: str, labels: np.ndarray, origins: np.ndarray):
    """Cumulative :class:`chainladder.Triangle` (index ``segment_name``, the five measures as columns).

    ``labels[code]`` is the segment label; every accident year in ``origins`` appears (as an
    empty row when it has no transactions), so all segments share the same origins.
    """
    import chainladder as cl

    frame = cells.copy()
    frame[segment_name] = np.asarray(labels, dtype=object)[frame["segment"].to_numpy()]
    # one zero row per (segment, origin) at its first period keeps empty accident years on the grid
    grid = pd.MultiIndex.from_product([np.arange(len(labels)), np.asarray(origins)], names=["segment", "origin"]).to_frame(index=False)
    grid["j"] = valuation.year - grid["origin"]
    grid[segment_name] = np.asarray(labels, dtype=object)[grid["segment"].to_numpy()]
    for m in MEASURES:
        grid[m] = 0.0
    frame = pd.concat([frame, grid], ignore_index=True)
    frame = frame[frame["j"] <= valuation.year - frame["origin"]]
    frame["accident_year"] = pd.to_datetime(frame["origin"].astype(str) + "-01-01")
    frame["valuation"] = period_end(frame["j"].to_numpy(), valuation)
    tri = cl.Triangle(frame, origin="accident_year", development="valuation", columns=list(MEASURES), index=[segment_name],
                      cumulative=False)
    return tri.incr_to_cum()
