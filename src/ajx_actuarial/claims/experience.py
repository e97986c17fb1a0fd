"""Claims ledger + policy register → policy-year experience at ultimate: :func:`experience_from_claims`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._lookup import lookup
from .._version import __version__
from ..errors import ValidationError
from ..portfolio import validate_experience
from ._arguments import check_arguments, valuation_date as _valuation
from .allocate import ALLOCATIONS, order_key, spread_amount, spread_count
from .develop import check_options, develop
from .large import as_large, capped_increments, catastrophe_claims, catastrophe_load
from .ledger import validate_ledger
from .register import experience_rows, link_claims, read_register
from .result import ExperienceResult
from .trend import as_trend, check_year
from .triangles import COUNT_MEASURES, MEASURES, ages, build_cells, claim_state, to_triangle

__all__ = ["experience_from_claims"]


def _segments(table: pd.DataFrame, by) -> tuple[str, np.ndarray, list[str]]:
    """Segment name, code per register row, labels."""
    if by is None:
        return "segment", np.zeros(len(table), dtype=np.int64), ["all"]
    cols = [by] if isinstance(by, str) else list(by)
    missing = [c for c in cols if c not in table.columns]
    if not cols or missing:
        raise ValidationError(f"experience_from_claims: by= names column(s) {missing or cols} not in the policy register")
    key = table[cols[0]].astype(str) if len(cols) == 1 else table[cols].astype(str).agg("|".join, axis=1)
    code, labels = pd.factorize(key, sort=True)
    return "|".join(cols), code.astype(np.int64), [str(x) for x in labels]


def _check_policies(led: pd.DataFrame, table: pd.DataFrame, form: str) -> None:
    """Every claim, reported by the valuation date or not, must belong to the register."""
    first = np.r_[True, led["_claim"].to_numpy()[1:] != led["_claim"].to_numpy()[:-1]]
    probe = led.loc[first, ["claim_id", "policy_id", "policy_year"]].reset_index(drop=True)
    link_claims(probe, table, form, table.iloc[:0].assign(year=np.int64(0)) if "year" not in table else table.iloc[:0])


def _by_cell(values: np.ndarray, cell: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(cell, weights=values, minlength=n)


def experience_from_claims(
    policies: pd.DataFrame,
    claims: pd.DataFrame,
    valuation_date,
    *,
    method: str = "chainladder",
    trend=None,
    by: str | Sequence[str] | None = None,
    basis: str | None = None,
    tail: float | str | None = None,
    average: str = "volume",
    n_periods: int = -1,
    apriori: float | None = None,
    weight: str | None = None,
    allocate: str = "reported",
    large=None,
    loss_model=None,
    years: Sequence[int] | None = None,
    min_age: int = 12,
    columns: Mapping[str, str] | None = None,
    progress=None,
) -> ExperienceResult:
    """Policy-year experience at ultimate from a claims ledger and a policy register.

    Parameters
    ----------
    policies : DataFrame
        A portfolio (one row per policy: in force every experience year, incepting January 1,
        ``exposure = headcount``) or a policy-year register (with ``year`` and ``exposure`` or
        ``headcount``). Its rating and limit columns go into the experience.
    claims : DataFrame
        The ledger, one row per transaction (:func:`ajx_actuarial.claims.validate_ledger`).
    valuation_date : date-like
        Transactions and reports after it are ignored (they had not happened). Its year, and the
        rating year, must lie in :data:`ajx_actuarial.claims.ledger.YEAR_RANGE`.
    method : {"chainladder", "bf", "capecod"}
        Development of losses. ``bf`` needs ``apriori`` (expected ultimate per unit of
        ``weight``); ``capecod`` estimates it. Counts use chain ladder, or Cape Cod on exposure
        with ``bf``/``capecod``.
    trend : None, "default", Trend or mapping
        ``None``: none. Otherwise frequency and severity trend to the rating year
        (:class:`ajx_actuarial.claims.Trend`; default −6.5 % a year and income growth).
    by : column or columns of the register, optional
        Segments with their own triangles and factors (e.g. ``"industry"``); default one book.
    basis : {"incurred", "paid"}, optional
        Loss triangle that gives the ultimate; default incurred when the ledger has
        ``case_reserve``, else paid.
    tail : None, float >= 1, "exponential" or "inverse_power"
        Development beyond the oldest age: none, a constant, or a fitted curve.
    average : {"volume", "simple", "regression"}; n_periods : int
        How age-to-age factors are averaged, over the latest ``n_periods`` diagonals (-1 all).
    weight : str, optional
        Register column for BF / Cape Cod (default ``premium`` if present, else ``exposure``).
    allocate : {"reported", "exposure"}
        How each cell's IBNR goes back to policy-years (:mod:`ajx_actuarial.claims.allocate`).
    large : None, "catastrophe", {"cap": CNY} or {"catastrophe": deaths}
        Large-loss treatment (:mod:`ajx_actuarial.claims.large`).
    loss_model : LossModel, optional
        For the catastrophe load (default ``LossModel.default()``).
    years : sequence of int, optional
        Experience policy years. Default: the policy years with claims, up to the last accident
        year at least ``min_age`` months old at the valuation date.
    min_age : int
        Months of development an accident year needs to enter the experience by default (12:
        a younger year is projected to a full year of accidents while its exposure is partial).
    columns : {their name: ledger name}, optional
        Column mapping for the ledger.
    progress : callable, optional
        ``progress(done, total)`` after each stage (ledger checked, triangles built, each
        measure developed, policy-years allocated); ``ajx experience`` draws its bar with it.

    Returns
    -------
    ExperienceResult
        ``.experience`` (passes :func:`ajx_actuarial.validate_experience`), ``.ultimates``,
        ``.triangles``, ``.ldf``, ``.cdf``, ``.large``, ``.provenance``.

    Raises
    ------
    ValidationError
        Bad ledger (exact duplicate rows, a claim netting below zero, numbers or unparseable
        text in a date column, transactions before the accident, ...: :func:`validate_ledger`),
        claims for policies not in the register, an unknown option or an argument of the wrong
        kind (``by``, ``columns``, ``loss_model``, ``years``), a valuation or rating year outside
        ``YEAR_RANGE``, nothing reported by the valuation date.

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> pol = pd.DataFrame({"policy_id": ["A", "B"], "industry": ["construction", "other"], "size": "small", "headcount": [100, 50]})
    >>> led = pd.DataFrame({"claim_id": [1, 1, 2, 3], "policy_id": ["A", "A", "B", "A"],
    ...     "accident_date": ["2023-03-01", "2023-03-01", "2023-05-01", "2024-02-01"],
    ...     "report_date": ["2023-03-10", "2023-03-10", "2024-02-01", "2024-02-05"],
    ...     "transaction_date": ["2023-03-10", "2023-08-01", "2024-03-01", "2024-03-01"],
    ...     "paid": [0.0, 3000.0, 2000.0, 1500.0], "case_reserve": [3000.0, 0.0, 0.0, 0.0]})
    >>> res = ajx.experience_from_claims(pol, led, "2024-12-31")
    >>> res.ultimates[["age", "incurred", "ultimate", "claims_reported", "claims_ultimate"]].to_dict("index")
    {2023: {'age': 24, 'incurred': 5000.0, 'ultimate': 5000.0, 'claims_reported': 2.0, 'claims_ultimate': 2.0}, 2024: {'age': 12, 'incurred': 1500.0, 'ultimate': 2500.0, 'claims_reported': 1.0, 'claims_ultimate': 2.0}}
    >>> res.experience[["policy_id", "year", "claims_reported", "claims", "incurred"]]
      policy_id  year  claims_reported  claims  incurred
    0         A  2023                1       1    3000.0
    1         B  2023                1       1    2000.0
    2         A  2024                1       2    2500.0
    3         B  2024                0       0       0.0
    """
    import chainladder as cl

    if progress is not None and not callable(progress):
        raise ValidationError(f"experience_from_claims: progress must be a callable progress(done, total) or None, got {progress!r}")
    n_stages, done = 3 + len(MEASURES), [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], n_stages)

    if progress is not None:
        progress(0, n_stages)  # the total, before the first (slowest) stage
    V = _valuation(valuation_date)
    check_options(method, tail, average, n_periods, apriori)
    if allocate not in ALLOCATIONS:
        raise ValidationError(f"experience_from_claims: allocate must be one of {list(ALLOCATIONS)}, got {allocate!r}")
    if isinstance(min_age, bool) or not isinstance(min_age, (int, np.integer)) or min_age < 0:
        raise ValidationError(f"experience_from_claims: min_age must be an integer number of months >= 0, got {min_age!r}")
    years = check_arguments(by, loss_model, years)
    rule, tr = as_large(large), as_trend(trend)
    led_all = validate_ledger(claims, columns=columns)
    basis = basis or ("incurred" if led_all.attrs.get("case_reserve_given") else "paid")
    if basis not in ("incurred", "paid"):
        raise ValidationError(f"experience_from_claims: basis must be 'incurred' or 'paid', got {basis!r}")
    table, form = read_register(policies)
    _check_policies(led_all, table, form)

    keep = (led_all["transaction_date"].to_numpy() <= V.to_datetime64()) & (led_all["report_date"].to_numpy() <= V.to_datetime64())
    led = led_all[keep].reset_index(drop=True)
    if led.empty:
        raise ValidationError(f"experience_from_claims: no claim was reported by the valuation date {V.date()} "
                              f"(earliest report {pd.Timestamp(led_all['report_date'].min()).date()})")
    state = claim_state(led)
    origin0 = int(min(state["accident_year"].min(), V.year))
    origins = np.arange(origin0, V.year + 1)
    mature = [int(y) for y in origins if ages(y, V) >= min_age]
    if years is None:
        first = int(state["policy_year"].min())
        cand = sorted(set(table["year"].astype(int))) if form == "register" else range(first, V.year + 1)
        years = [y for y in cand if y in mature or y < origin0]
    years = sorted(int(y) for y in years)
    if not years:
        raise ValidationError(f"experience_from_claims: no experience year is {min_age} months old at {V.date()}; pass years= or min_age=")
    rows = experience_rows(table, form, years)
    if rows.empty:
        raise ValidationError(f"experience_from_claims: the register has no policy-years in {years}")
    pol, row = link_claims(state, table, form, rows)
    tick()

    # ---- large losses
    large_tab, paid_inc, inc_inc, excess = None, None, None, None
    if rule is not None and rule.kind == "catastrophe":
        cat = catastrophe_claims(state, int(rule.value))
        ind = table["industry"].astype(str).to_numpy()[pol]
        large_tab = pd.DataFrame({"industry": ind[cat], "accident": state["accident_id"].to_numpy()[cat],
                                  "deaths": state["deaths"].to_numpy()[cat], "incurred": state["incurred"].to_numpy()[cat]})
        led = led[~np.isin(led["_claim"].to_numpy(), state["_claim"].to_numpy()[cat])].reset_index(drop=True)
        state, pol, row = state[~cat].reset_index(drop=True), pol[~cat], row[~cat]
    elif rule is not None:
        paid_inc, inc_inc, excess = capped_increments(led, rule.value)
        state = state.assign(paid=np.minimum(state["paid"], rule.value), incurred=np.minimum(state["incurred"], rule.value))

    # ---- triangles and development
    seg_name, seg_code, labels = _segments(table, by)
    seg_of_claim = seg_code[pol]
    cells = build_cells(led, state, seg_of_claim, V, paid=paid_inc, incurred=inc_inc)
    tri = to_triangle(cells, V, seg_name, labels, origins)
    triangles = {m: tri[m] for m in MEASURES}
    n_seg, n_org = len(labels), origins.size
    expo_cell = _weights(table, form, seg_code, "exposure" if form == "register" else "headcount", origins, n_seg)
    wcol = weight or ("premium" if "premium" in table.columns else "exposure")
    if method != "chainladder" and wcol not in table.columns and not (wcol == "exposure" and form == "portfolio"):
        raise ValidationError(f"experience_from_claims: weight column {wcol!r} not in the policy register")
    loss_w = expo_cell if wcol == "exposure" else _weights(table, form, seg_code, wcol, origins, n_seg)
    to_tri = lambda w: _weight_triangle(cl, w, labels, origins, V, seg_name)  # noqa: E731
    tick()
    fits = {}
    for m in MEASURES:
        count = m in COUNT_MEASURES
        meth = ("chainladder" if method == "chainladder" else "capecod") if count else method
        fits[m] = develop(triangles[m], measure=m, segment_name=seg_name, method=meth, tail=tail, average=average,
                          n_periods=n_periods, apriori=None if count else apriori,
                          weight=None if meth == "chainladder" else to_tri(expo_cell if count else loss_w))
        tick()

    # ---- ultimates per cell
    cell_of = lambda s, y: s * n_org + (np.asarray(y) - origin0)  # noqa: E731
    reported = {m: np.bincount(cell_of(cells["segment"].to_numpy(), cells["origin"].to_numpy()), weights=cells[m].to_numpy(),
                               minlength=n_seg * n_org) for m in MEASURES}
    ult = {m: fits[m].ultimate.reindex(columns=list(origins)).to_numpy(dtype=float).ravel() for m in MEASURES}
    ultimates = _ultimates_frame(reported, ult, fits[basis], expo_cell, labels, origins, V, seg_name, by is None, basis)

    # ---- allocation to the experience policy-years
    n_cells = n_seg * n_org
    claim_cell = cell_of(seg_of_claim, state["accident_year"].to_numpy())
    row_year = rows["year"].to_numpy(dtype=np.int64)
    row_pol = _row_policy(rows, table, form)
    row_cell = np.where((row_year >= origin0) & (row_year <= V.year), cell_of(seg_code[row_pol], row_year), 0)
    row_in = (row_year >= origin0) & (row_year <= V.year)
    row_expo = np.where(row_in, rows["exposure"].to_numpy(dtype=float), 0.0)
    row_key = order_key(rows["policy_id"].to_numpy(), row_year)
    claim_key = np.where(row >= 0, row_key[np.maximum(row, 0)], order_key(state["policy_id"].to_numpy(), state["policy_year"].to_numpy()))
    n_rows = len(rows)
    ibnr = {m: ult[m] - reported[m] for m in MEASURES}
    # cells whose IBNR goes by exposure: allocate="exposure" (positive IBNR), or nothing reported to follow
    by_expo = {m: (ibnr[m] > 0) & ((allocate == "exposure") | (reported[m] <= 0)) for m in MEASURES}
    in_rows = row >= 0

    def to_rows(values, where=in_rows, idx=row):
        return np.bincount(idx[where], weights=values[where], minlength=n_rows)

    basis_rep = state[basis].to_numpy(dtype=float)
    amount = spread_amount(claim_cell, basis_rep, np.where(by_expo[basis], 0.0, ibnr[basis]))
    loss = to_rows(basis_rep + amount) + spread_amount(row_cell, row_expo, np.where(by_expo[basis], ibnr[basis], 0.0))
    counts, counts_rep = {}, {}
    count_w = _count_weights(state)
    for m in COUNT_MEASURES:
        w = count_w[m]
        k = np.maximum(np.rint(ibnr[m]), 0).astype(np.int64)
        extra = spread_count(claim_cell, w, claim_key, np.where(by_expo[m], 0, k))
        counts_rep[m] = to_rows(w)
        counts[m] = np.rint(counts_rep[m] + to_rows(extra.astype(float))).astype(np.int64) + spread_count(
            row_cell, row_expo, row_key, np.where(by_expo[m], k, 0))

    exp = rows.copy()
    exp["worker_years"] = exp["exposure"].to_numpy(dtype=float)
    fixed = (counts["deaths"] + counts["disabilities"] > 0) & (counts["claims"] == 0)
    exp["claims"] = np.where(fixed, 1, counts["claims"])
    exp["deaths"], exp["disabilities"] = counts["deaths"], counts["disabilities"]
    exp["claims_reported"] = np.rint(counts_rep["claims"]).astype(np.int64)
    exp["deaths_reported"] = np.rint(counts_rep["deaths"]).astype(np.int64)
    exp["disabilities_reported"] = np.rint(counts_rep["disabilities"]).astype(np.int64)
    exp["paid"] = to_rows(state["paid"].to_numpy(dtype=float))
    exp["incurred_reported"] = to_rows(state["incurred"].to_numpy(dtype=float))
    loss = np.maximum(loss, 0.0)

    # ---- large-loss loads
    load = np.zeros(n_rows)
    if rule is not None and rule.kind == "cap":
        ind_claim = table["industry"].astype(str).to_numpy()[pol]
        ex = pd.Series(excess).groupby(ind_claim).sum()
        base = pd.Series(state["incurred"].to_numpy(dtype=float)).groupby(ind_claim).sum()
        factor = (ex / base.where(base > 0)).fillna(0.0)
        load = loss * lookup(exp["industry"], {str(k): float(v) for k, v in factor.items()}, 0.0)
        large_tab = pd.DataFrame({"excess": ex, "capped_incurred": base, "excess_factor": factor})
        large_tab.index.name = "industry"
    elif rule is not None:
        load = catastrophe_load(exp, int(rule.value), loss_model)
        summary = large_tab.groupby("industry").agg(accidents=("accident", "nunique"), deaths=("deaths", "sum"),
                                                    incurred_excluded=("incurred", "sum"))
        loaded = pd.Series(load).groupby(exp["industry"].astype(str).to_numpy()).sum().rename("load")
        large_tab = summary.join(loaded, how="outer").fillna(0.0)
    exp["large_load"] = load
    loss = loss + load

    # ---- trend
    rating_year = None
    if tr is not None:
        rating_year = check_year(int(tr.to_year or V.year + 1), "experience_from_claims: the rating year (trend to_year)")
        ff, sf = tr.frequency_factor(row_year, rating_year), tr.severity_factor(row_year, rating_year)
    else:
        ff = sf = np.ones(n_rows)
    exp["exposure"] = exp["worker_years"] / ff
    exp["incurred"] = loss * sf
    exp["trend_frequency"], exp["trend_severity"] = ff, sf

    prov = {
        "valuation_date": str(V.date()), "method": method, "basis": basis, "by": seg_name if by is not None else "",
        "tail": "" if tail is None else str(tail), "average": average, "n_periods": int(n_periods),
        "apriori": float(apriori) if apriori is not None else 0.0, "weight": wcol if method != "chainladder" else "",
        "allocate": allocate, "min_age": int(min_age), "years": years, "register_form": form,
        "trend": tr.as_dict() if tr else {}, "rating_year": rating_year or 0,
        "large": rule.as_dict() if rule else {},
        "transactions": int(len(led_all)), "transactions_used": int(len(led)),
        "transactions_after_valuation": int((~keep).sum()),
        "claims_used": int(len(state)), "claims_not_reported_by_valuation": int(led_all["_claim"].nunique() - led["_claim"].nunique()),
        "factors_from_whole_book": int(sum(f.patched for f in fits.values())),
        "claims_added_for_casualties": int(fixed.sum()),
        "allocation": f"IBNR to policy-years in proportion to {'reported' if allocate == 'reported' else 'exposure'} within segment x accident year",
        "ajx_actuarial": __version__, "chainladder": cl.__version__,
        "ledger_sha256": hashlib.sha256(pd.util.hash_pandas_object(led_all.drop(columns=["_claim", "injury"]), index=False).to_numpy().tobytes()).hexdigest()[:16],
    }
    exp = validate_experience(exp)
    tick()
    exp.attrs["provenance"] = {k: v for k, v in prov.items() if not isinstance(v, (dict, list))} | {
        "trend": str(prov["trend"]), "large": str(prov["large"]), "years": ",".join(map(str, years))}
    ldf = pd.concat({m: fits[m].ldf for m in MEASURES}, names=["measure"])
    cdf = pd.concat({m: fits[m].cdf for m in MEASURES}, names=["measure"])
    return ExperienceResult(experience=exp, ultimates=ultimates, triangles=triangles, ldf=ldf, cdf=cdf, large=large_tab,
                            estimators={m: fits[m].estimator for m in MEASURES}, provenance=prov)


def _row_policy(rows: pd.DataFrame, table: pd.DataFrame, form: str) -> np.ndarray:
    """Register row of each experience row (for its segment)."""
    if form == "portfolio":
        return pd.Index(table["policy_id"]).get_indexer(rows["policy_id"])
    key = pd.MultiIndex.from_arrays([table["policy_id"], table["year"].astype(np.int64)])
    return key.get_indexer(pd.MultiIndex.from_arrays([rows["policy_id"], rows["year"].astype(np.int64)]))


def _weights(table: pd.DataFrame, form: str, seg_code: np.ndarray, col: str, origins: np.ndarray, n_seg: int) -> np.ndarray:
    """Σ ``col`` per (segment, accident year), flattened: a portfolio counts every policy every year."""
    v = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(v).all() or (v < 0).any():
        raise ValidationError(f"policies: column {col!r} must be finite numbers >= 0 to weight the development")
    if form == "portfolio":
        per_seg = np.bincount(seg_code, weights=v, minlength=n_seg)
        return np.repeat(per_seg, origins.size)
    yr = table["year"].to_numpy(dtype=np.int64)
    inside = (yr >= origins[0]) & (yr <= origins[-1])
    cell = seg_code[inside] * origins.size + (yr[inside] - origins[0])
    return np.bincount(cell, weights=v[inside], minlength=n_seg * origins.size)


def _weight_triangle(cl, w: np.ndarray, labels, origins, V, seg_name):
    frame = pd.DataFrame({seg_name: np.repeat(labels, origins.size), "accident_year": np.tile(pd.to_datetime([f"{y}-01-01" for y in origins]), len(labels)),
                          "valuation": V, "weight": w})
    return cl.Triangle(frame, origin="accident_year", development="valuation", columns=["weight"], index=[seg_name], cumulative=True)


def _count_weights(state: pd.DataFrame) -> dict[str, np.ndarray]:
    """Reported counts carried by each claim: accidents (on the first-reported claim), deaths, disabilities."""
    acc = pd.factorize(state["accident_id"])[0]
    order = np.lexsort((state["report_date"].to_numpy(), acc))
    first = np.zeros(len(state))
    first[order[np.r_[True, acc[order][1:] != acc[order][:-1]]]] = 1.0
    return {"claims": first, "deaths": np.where(np.isnat(state["death_date"].to_numpy()), 0.0, state["deaths"].to_numpy(dtype=float)),
            "disabilities": (~np.isnat(state["disability_date"].to_numpy())).astype(float)}


def _ultimates_frame(reported, ult, fit_basis, expo_cell, labels, origins, V, seg_name, single, basis) -> pd.DataFrame:
    n_org = origins.size
    age = ages(origins, V)
    cdf_tab = fit_basis.cdf
    cdf = np.ones((len(labels), n_org))
    for i, a in enumerate(age):
        if a in cdf_tab.columns:
            cdf[:, i] = cdf_tab[a].to_numpy()
    idx = pd.MultiIndex.from_product([labels, origins], names=[seg_name, "accident_year"])
    out = pd.DataFrame({"age": np.tile(age, len(labels)), "exposure": expo_cell, "paid": reported["paid"],
                        "incurred": reported["incurred"], "ultimate": ult[basis], "ultimate_paid": ult["paid"],
                        "ultimate_incurred": ult["incurred"]}, index=idx)
    out["ibnr"] = out["ultimate"] - out[basis]
    out["cdf"] = cdf.ravel()
    for m in COUNT_MEASURES:
        out[f"{m}_reported"] = reported[m]
        out[f"{m}_ultimate"] = ult[m]
    return out.droplevel(0) if single else out
