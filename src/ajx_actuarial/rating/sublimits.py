"""Sub-limit factors: the price of per-accident, annual and medical sub-limits off the standard.

A rate table states its rates under the standard sub-limits of DOMAIN.md §4.5 (the defaults of
:class:`~ajx_actuarial.LimitPolicy`, on which :func:`~ajx_actuarial.rating.risk_based_table` and
the increased-limit factors are computed): per accident 10 × ``limit_death``, a year
2 × the per-accident limit = 20 × ``limit_death``, medical 10 % of ``limit_death`` per person.
A policy written with other sub-limits has another expected loss; with ``[limits] sub_limits =
"model"`` (the default) :func:`~ajx_actuarial.price` scales

* the **limit part** (deaths, disabilities, rescue and legal costs, third party) by
  ``E[limit part | the policy's limits] / E[limit part | standard sub-limits, same limit_death]``,
  exact under the nested per-person → per-accident → annual limits of the default loss model
  (:func:`ajx_actuarial.losses._expected_core.expected_parts`), for the policy's industry and
  headcount (deaths are capped by the headcount and a large unit's accident fills a per-accident
  limit sooner), at risk relativity 1;
* the **medical part** by ``E[min(X, limit_medical)] / E[min(X, 0.10 × limit_death)]``, ``X`` the
  model's lognormal medical cost (:meth:`LossModel.medical_moments`, closed form).

Design decisions:

* **Both directions.** A sub-limit below the standard earns a credit and one above it costs more:
  the table's rate is the expected loss under the standard limits, and the increased-limit
  principle (DOMAIN.md §10.1: ``ILF(L) = E[loss at L] / E[loss at L_ref]``) that prices a higher
  ``limit_death`` prices a higher aggregate the same way. A credit-only rule would sell a larger
  cover at the standard price to exactly the units that expect accidents large enough to need it.
  The charge is bounded: above the standard the limits seldom bind (a 5 000-worker coal mine at
  per accident 20 ×, a year 40 × pays 1.0005 ×).
* **Relativity 1.** The factor depends on the rating variables printed on the policy (industry,
  headcount, limits) only, so a filed tariff can state it and anyone can reproduce it; the unit's
  own risk is priced by the floating factors. The relativity would cancel in the ratio but for
  the annual-aggregate term, where it is a second-order effect.
* **Standard at the same limit_death.** The increased-limit factor already prices
  ``limit_death`` under the standard sub-limits, so the two compose: ILF × sub-limit factor
  = E[own limits] / E[standard limits at the reference limit].
* **Fast.** Policies at the standard (up to a relative 1e-9) get exactly 1 with no loss-model call;
  the exact expectations run once per distinct (industry, headcount, limit_death,
  limit_accident, limit_annual) among the others (the size class does not enter at relativity 1).
* Rows priced on an exposure base (:mod:`.exposure`) keep factor 1: the market schedule prices its
  own cover, with the band's aggregate limits.

Cost: nothing for a book at the standard (200 000 policies price in the same ~0.25 s). Off the
standard it is that of :func:`~ajx_actuarial.expected_loss` on the distinct combinations, dominated
by the exact annual-aggregate term wherever the aggregate can bind (a few ms per distinct industry
× headcount; about 30 s for a 200 000-policy book all written at 5 × / 10 × limit_death).

References
----------
DOMAIN.md §4.3, §4.5 (observed and standard sub-limits), §10.1 (increased limits under the nested
per-person, per-accident and annual limits).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SUB_LIMIT_MODES", "STANDARD", "standard_sub_limits", "follow_lifted_limits", "sublimit_factors", "describe_sub_limits"]

#: Values of the rate-table key ``[limits] sub_limits``: ``"model"`` prices sub-limits off the
#: standard with the default loss model; ``"none"`` ignores them (rates as stated).
SUB_LIMIT_MODES = ("model", "none")


def _standard_multiples() -> dict[str, float]:
    from ..losses import LimitPolicy

    lp = LimitPolicy()  # the defaults the tables' rates and ILFs are computed under (DOMAIN.md §4.5)
    return {"limit_medical": float(lp.medical_share), "limit_accident": float(lp.accident_multiple),
            "limit_annual": float(lp.accident_multiple * lp.annual_multiple)}


#: Standard sub-limits as multiples of ``limit_death``: medical 0.10, per accident 10, annual 20.
STANDARD = _standard_multiples()
_RTOL = 1e-9
_KEY = ["industry", "headcount", "limit_death", "limit_accident", "limit_annual"]
_LIMIT_PARTS = ("death", "disability", "rescue", "third_party")


def standard_sub_limits(limit_death: np.ndarray) -> dict[str, np.ndarray]:
    """The standard ``limit_medical``, ``limit_accident`` and ``limit_annual`` at each ``limit_death``.

    Parameters
    ----------
    limit_death : array_like
        Per-person death/disability limits, CNY (> 0).

    Returns
    -------
    dict of str to ndarray
        The three standard sub-limits, CNY, keyed by column name.

    Examples
    --------
    >>> {k: v.tolist() for k, v in standard_sub_limits([400_000.0]).items()}
    {'limit_medical': [40000.0], 'limit_accident': [4000000.0], 'limit_annual': [8000000.0]}
    """
    ld = np.asarray(limit_death, dtype=np.float64)
    return {col: m * ld for col, m in STANDARD.items()}


def _is_standard(value: np.ndarray, standard: np.ndarray) -> np.ndarray:
    return np.abs(value - standard) <= _RTOL * np.abs(standard)


def follow_lifted_limits(df: pd.DataFrame, old_limit: np.ndarray, lifted: np.ndarray) -> None:
    """Let the standard sub-limits of lifted rows follow their new ``limit_death``, in place.

    On ``lifted`` rows (``limit_death`` raised from ``old_limit`` to the table minimum by
    ``price(..., lift_limits=True)``) each sub-limit that was at its standard multiple of the old
    limit moves to the standard multiple of the new one; a sub-limit set otherwise is kept (the
    annual limit is raised to the per-accident limit if it would fall below it). So a lifted policy
    with default sub-limits stays at the standard (no spurious credit), as ``stress.run`` simulates it.

    Parameters
    ----------
    df : DataFrame
        A validated portfolio whose ``limit_death`` is already lifted; its ``limit_*`` columns are replaced.
    old_limit : ndarray
        ``limit_death`` before the lift, CNY.
    lifted : ndarray of bool
        The rows lifted.
    """
    if not lifted.any():
        return
    old_std = standard_sub_limits(old_limit)
    new_std = standard_sub_limits(df["limit_death"].to_numpy(dtype=np.float64))
    for col in ("limit_medical", "limit_accident", "limit_annual"):
        v = df[col].to_numpy(dtype=np.float64).copy()
        follow = lifted & _is_standard(v, old_std[col])
        if follow.any():
            v[follow] = new_std[col][follow]
            df[col] = v
    acc, ann = df["limit_accident"].to_numpy(dtype=np.float64), df["limit_annual"].to_numpy(dtype=np.float64)
    if (lifted & (ann < acc)).any():
        df["limit_annual"] = np.where(lifted, np.maximum(ann, acc), ann)


def sublimit_factors(df: pd.DataFrame, on: np.ndarray, model=None) -> tuple[np.ndarray, np.ndarray]:
    """Sub-limit factors of the limit part and of the medical part of each row (see the module docstring).

    Parameters
    ----------
    df : DataFrame
        A validated portfolio (``limit_*`` columns set), as :func:`~ajx_actuarial.price` holds it.
    on : ndarray of bool
        Rows to price (per-head rows); the others get 1.
    model : LossModel, optional
        Defaults to :meth:`LossModel.default` (built only when a row is off the standard).

    Returns
    -------
    (ndarray, ndarray)
        ``sublimit_factor`` (limit part) and ``medical_sublimit_factor``, each exactly 1 where the
        row's sub-limits are the standard ones (relative tolerance 1e-9).

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> book = ajx.validate_portfolio(pd.DataFrame({"policy_id": [1, 2], "industry": "coal_mine", "size": "large",
    ...                                             "headcount": 5000, "limit_death": 400_000.0,
    ...                                             "limit_accident": [4e6, 8e5], "limit_annual": [8e6, 1.6e6]}))
    >>> f, med = sublimit_factors(book, np.ones(2, dtype=bool))
    >>> float(f[0]), bool(0.9 < f[1] < 1.0), med.tolist()
    (1.0, True, [1.0, 1.0])
    """
    n = len(df)
    limit_f, medical_f = np.ones(n), np.ones(n)
    ld = df["limit_death"].to_numpy(dtype=np.float64)
    std = standard_sub_limits(ld)
    la, lann, lmed = (df[c].to_numpy(dtype=np.float64) for c in ("limit_accident", "limit_annual", "limit_medical"))
    off_limit = on & ~(_is_standard(la, std["limit_accident"]) & _is_standard(lann, std["limit_annual"]))
    off_med = on & ~_is_standard(lmed, std["limit_medical"])
    if not (off_limit.any() or off_med.any()):
        return limit_f, medical_f
    if model is None:
        from ..losses import LossModel

        model = LossModel.default()
    if off_med.any():
        medical_f[off_med] = _medical_ratio(model, lmed[off_med], std["limit_medical"][off_med])
    if off_limit.any():
        limit_f[off_limit] = _limit_ratio(df.loc[off_limit, [*_KEY, "size", "policy_id"]], model)
    return limit_f, medical_f


def _medical_ratio(model, cap: np.ndarray, cap_std: np.ndarray) -> np.ndarray:
    """``E[min(X, cap)] / E[min(X, cap_std)]`` per row, one closed-form evaluation per distinct cap."""
    caps, inv = np.unique(np.concatenate([cap, cap_std]), return_inverse=True)
    lev = np.array([model.medical_moments(float(c))[0] if c > 0 else 0.0 for c in caps])[inv]
    own, ref = lev[: cap.size], lev[cap.size:]
    return np.divide(own, ref, out=np.ones_like(own), where=ref > 0)


def _limit_ratio(rows: pd.DataFrame, model) -> np.ndarray:
    """Exact ``E[limit part | own limits] / E[limit part | standard]`` per row of ``rows``, computed on
    the distinct combinations of :data:`_KEY`, at relativity 1."""
    from ..losses._expected_core import expected_parts

    uniq = rows.drop_duplicates(subset=_KEY, ignore_index=True)
    m = len(uniq)
    std = standard_sub_limits(uniq["limit_death"].to_numpy(dtype=np.float64))
    own = uniq.assign(limit_medical=std["limit_medical"])  # the medical sub-limit does not enter the limit part
    ref = own.assign(limit_accident=std["limit_accident"], limit_annual=std["limit_annual"])
    both = pd.concat([own, ref], ignore_index=True)
    e = expected_parts(both, model, np.ones(2 * m))
    part = e[list(_LIMIT_PARTS)].to_numpy().sum(axis=1)
    e_own, e_ref = part[:m], part[m:]
    ratio = np.divide(e_own, e_ref, out=np.ones(m), where=e_ref > 0)
    pos = pd.MultiIndex.from_frame(uniq[_KEY]).get_indexer(pd.MultiIndex.from_frame(rows[_KEY]))
    return ratio[pos]


def _multiple(value: float, limit_death: float) -> str:
    return f"{value / limit_death:.4g} ×" if limit_death > 0 else "?"


def describe_sub_limits(r: pd.Series) -> tuple[str, str]:
    """The policy's sub-limits against the standard, for :func:`~ajx_actuarial.explain`.

    Parameters
    ----------
    r : Series
        One priced row (``limit_death``, ``limit_accident``, ``limit_annual``, ``limit_medical``).

    Returns
    -------
    (str, str)
        The note of the limit part's factor and that of the medical part's.
    """
    ld = float(r["limit_death"])
    limit = (f"per accident {float(r['limit_accident']):,.0f} ({_multiple(float(r['limit_accident']), ld)} limit_death), "
             f"a year {float(r['limit_annual']):,.0f} ({_multiple(float(r['limit_annual']), ld)}); standard "
             f"{STANDARD['limit_accident']:g} × / {STANDARD['limit_annual']:g} ×; exact expected loss of the default loss model")
    medical = (f"limit_medical {float(r['limit_medical']):,.0f} = {float(r['limit_medical']) / ld:.1%} of limit_death; "
               f"standard {STANDARD['limit_medical']:.0%}; lognormal limited expected value")
    return limit, medical
