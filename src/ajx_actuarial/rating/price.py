"""Vectorised premium calculation with a full, line-by-line decomposition (DESIGN.md §5).

``rate per head = reference_limit × base_rate[industry, size] × ILF_industry(limit_death)
+ medical[industry, size]``; ``premium = round_half_up(max(min_premium, headcount × rate per head
× size_factor(headcount) × clip(Π f_i, float_floor, float_cap)), decimals)``.

The limit part (deaths, disabilities, rescue and legal costs) follows the per-person limit through
the table's increased-limit factor; the medical part (medical-only claims under their own
sub-limit) is a charge per head. Both are stated under the standard sub-limits (per accident
10 × ``limit_death``, a year 20 ×, medical 10 %); a policy with other sub-limits has each part
scaled by its sub-limit factor (:mod:`.sublimits`; table key ``[limits] sub_limits``), folded into
``limit_rate`` and ``medical_rate``. The premium is gross of VAT; loadings are fractions of the
ex-VAT premium ``premium / (1 + vat)``. ``risk_relativity = float_factor / float_mean[industry]``
is the frequency relativity :func:`~ajx_actuarial.simulate` and
:func:`~ajx_actuarial.expected_loss` use, so price and losses follow one rule.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..errors import ValidationError, format_rows
from ..portfolio import validate_portfolio
from .exposure import apply_exposure_base, explain_exposure
from .factors import expected_claims_3y, history_class, missing_column_message
from .sublimits import describe_sub_limits, follow_lifted_limits, sublimit_factors
from .table import RateTable

__all__ = ["price", "explain", "round_half_up", "PRICE_COLUMNS"]

PRICE_COLUMNS = (
    "base_rate", "ilf", "sublimit_factor", "medical_sublimit_factor", "limit_rate", "medical_rate", "size_factor",
    "float_raw", "float_factor", "risk_relativity",
    "premium_raw", "min_premium_applied",
    "premium", "premium_ex_vat", "vat", "prevention_budget", "commission", "admin_expense",
    "profit_margin", "levy", "expected_loss_allowance",
)


def _as_table(table: RateTable | str | os.PathLike[str]) -> RateTable:
    if isinstance(table, RateTable):
        return table
    if isinstance(table, (str, os.PathLike)):
        return RateTable.load(table)
    raise ValidationError(f"price: table must be a RateTable, a packaged table's name or a .toml path, got {type(table).__name__}")


def _check_factor_columns(t: RateTable, df: pd.DataFrame) -> None:
    """Every factor of ``t`` finds its column in the book, or states a default for it."""
    for f in t.factors:
        if f.kind != "history" and f.column not in df.columns and "default" not in f.spec:
            raise ValidationError(f"price: table {t.name!r}: {missing_column_message(f)}")


def price(portfolio: pd.DataFrame, table: RateTable | str | os.PathLike[str] = "national-2025", *,
          lift_limits: bool = False) -> pd.DataFrame:
    """Price every policy of ``portfolio`` with ``table``.

    Parameters
    ----------
    portfolio : DataFrame
        A portfolio (validated here; see :func:`ajx_actuarial.validate_portfolio`).
    table : RateTable, str or path
        A table or the name of a packaged one (``ajx tables list``) or a TOML path (``str`` or
        :class:`pathlib.Path`).
    lift_limits : bool, default False
        A ``limit_death`` below the table's minimum is an error; with ``True`` it is raised to
        the minimum (column ``limit_lifted`` marks those rows), and each sub-limit that was at its
        standard multiple of the old limit moves to the standard multiple of the new one (others
        are kept as given).

    Returns
    -------
    DataFrame
        The validated portfolio plus ``base_rate`` (fraction of the reference limit), ``ilf``,
        ``sublimit_factor`` and ``medical_sublimit_factor`` (1 at the standard sub-limits; see
        :mod:`ajx_actuarial.rating.sublimits`), ``limit_rate`` (= reference limit × base rate ×
        ILF × sublimit_factor, CNY per head), ``medical_rate`` (the table's medical charge ×
        medical_sublimit_factor, CNY per head), ``size_factor``, one ``f_<factor>`` column per
        factor, ``float_raw``, ``float_factor`` (clipped), ``risk_relativity``, ``premium_raw``,
        ``min_premium_applied``, ``premium`` (gross, rounded), ``premium_ex_vat``, ``vat``,
        ``prevention_budget``, ``commission``, ``admin_expense``, ``profit_margin``, ``levy``
        and ``expected_loss_allowance`` (ex-VAT premium left for losses). Unless the minimum
        premium applies, ``headcount × (limit_rate + medical_rate) × size_factor ×
        float_factor`` equals ``premium`` up to rounding. ``attrs["rate_table"]`` holds the
        table's name and ``attrs["rate_table_toml"]`` its TOML text (so :func:`explain` works
        for any table, packaged, from a file or calibrated, also after a Parquet round trip).

    Raises
    ------
    ValidationError
        Bad portfolio, a limit below the table minimum without ``lift_limits``, or a factor of
        the table whose column the book lacks (and which states no ``default``).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(1000, rng=1)
    >>> priced = ajx.price(book, "national-2025")
    >>> bool((priced["premium"] >= 500).all())
    True
    """
    if not isinstance(lift_limits, (bool, np.bool_)):
        raise ValidationError(f"price: lift_limits must be True or False, got {lift_limits!r}")
    t = _as_table(table)
    df = validate_portfolio(portfolio)
    _check_factor_columns(t, df)
    limit = df["limit_death"].to_numpy(dtype=np.float64)
    below = limit < t.min_limit_death
    if below.any():
        if not lift_limits:
            idx = np.flatnonzero(below)
            raise ValidationError(
                f"price: column 'limit_death' is below the table {t.name!r} minimum of {t.min_limit_death:,.0f} CNY; "
                f"bad {format_rows(idx.tolist(), limit[idx[:5]])}; pass lift_limits=True (CLI: --lift-limits) to raise them to the minimum"
            )
        old_limit = limit
        limit = np.where(below, t.min_limit_death, limit)
        df["limit_death"] = limit
        df["limit_lifted"] = below
        follow_lifted_limits(df, old_limit, below)

    ic = df["industry"].cat.codes.to_numpy()
    sc = df["size"].cat.codes.to_numpy()
    base_rate = t.base_rate_grid.to_numpy()[ic, sc]
    t.ilf.check_limits(limit, f"price (table {t.name!r})")
    ilf = t.ilf(ic, limit)
    limit_rate = t.reference_limit * base_rate * ilf
    medical_rate = t.medical_grid.to_numpy()[ic, sc]
    bands, facs = t.size_bands
    head = df["headcount"].to_numpy()
    size_factor = np.full(len(df), facs[0]) if (facs == facs[0]).all() else facs[np.searchsorted(bands, head, side="left")]

    new: dict[str, np.ndarray] = {"base_rate": base_rate, "ilf": ilf, "sublimit_factor": np.ones(len(df)),
                                  "medical_sublimit_factor": np.ones(len(df)), "limit_rate": limit_rate,
                                  "medical_rate": medical_rate, "size_factor": size_factor}
    if t.exposure_base is not None:  # project cost / output tonnes (rating.exposure)
        new.update(apply_exposure_base(t, df, portfolio, new))
        limit_rate, medical_rate, size_factor = new["limit_rate"], new["medical_rate"], new["size_factor"]
    if t.sub_limits == "model":  # the table's rates are stated under the standard sub-limits; exposure rows keep theirs
        per_head = np.asarray(new["exposure_base"] == "headcount", dtype=bool) if "exposure_base" in new else np.ones(len(df), dtype=bool)
        sub_f, med_f = sublimit_factors(df, per_head)
        limit_rate, medical_rate = limit_rate * sub_f, medical_rate * med_f
        new.update(sublimit_factor=sub_f, medical_sublimit_factor=med_f, limit_rate=limit_rate, medical_rate=medical_rate)
    float_raw = np.ones(len(df))
    for f in t.factors:
        m = f.evaluate(df)
        new[f"f_{f.name}"] = m
        float_raw = float_raw * m
        if f.kind == "history":
            new["history_class"] = history_class(df, f.spec)
    lo, hi = t.float_bounds
    float_factor = np.clip(float_raw, lo, hi)
    premium_raw = head * (limit_rate + medical_rate) * size_factor * float_factor
    min_applied = premium_raw < t.min_premium
    premium = round_half_up(np.maximum(premium_raw, t.min_premium), t.decimals)
    ld = t.loadings
    ex_vat = premium / (1.0 + ld["vat"])
    new.update(
        float_raw=float_raw,
        float_factor=float_factor,
        risk_relativity=float_factor / t.float_mean.to_numpy()[ic],
        premium_raw=premium_raw,
        min_premium_applied=min_applied,
        premium=premium,
        premium_ex_vat=ex_vat,
        vat=premium - ex_vat,
        prevention_budget=ld["prevention_fee"] * ex_vat,
        commission=ld["commission"] * ex_vat,
        admin_expense=ld["admin"] * ex_vat,
        profit_margin=ld["profit"] * ex_vat,
        levy=ld["levy"] * ex_vat,
        expected_loss_allowance=t.expected_loss_ratio() * ex_vat,
    )
    # One zero-copy concat (pandas copies every array assigned column by column); columns of an
    # earlier pricing of the same frame are replaced.
    stale = [c for c in df.columns if c in new]
    base = df.drop(columns=stale) if stale else df
    out = pd.concat([base, pd.DataFrame(new, index=base.index, copy=False)], axis=1)
    out.attrs["defaulted"] = df.attrs.get("defaulted", ())
    out.attrs["rate_table"] = t.name
    out.attrs["rate_table_toml"] = t.toml_text()  # JSON-safe: survives Parquet, lets explain() rebuild any table
    return out


def round_half_up(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero (四舍五入) at ``decimals`` for non-negative money.

    A tolerance of 1e-6 of the last unit absorbs binary representation error, so an exact
    decimal tie such as 184 008.825 (stored as 184 008.82499999…) rounds up as by hand.

    Examples
    --------
    >>> float(round_half_up(184_008.825, 2)), round_half_up([0.125, 2.5], 2).tolist()
    (184008.83, [0.13, 2.5])
    """
    scale = 10.0**decimals
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0:  # a scalar: no array to round in place
        return np.floor(x * scale + 0.5 + 1e-6) / scale
    out = x * scale  # a new array, rounded in place (no further temporaries on 10^7 rows)
    out += 0.5 + 1e-6
    np.floor(out, out=out)
    out /= scale
    return out


def _history_note(spec: dict, r: pd.Series) -> str:
    """Which history class applied and the rule of the table that chose it."""
    cls = str(r.get("history_class", "?"))
    acc = int(r.get("accidents_3y", 0))
    cfy = int(r.get("claim_free_years", 0))
    worst = int(r.get("max_accident_deaths_3y", r.get("deaths_3y", 0)))
    expected = spec.get("basis", "claims") == "expected"
    if cls.startswith("fatal"):
        loads = ", ".join(f"{lab} deaths {float(v):.2f}" for lab, v in zip(("1-2", "3-9", ">= 10"), spec.get("fatal", [])))
        rule = f"the table's fatal loads {loads}" + ("; the larger of the load and the claim ratio" if expected else "; it overrides every other class")
        if expected:
            e = float(expected_claims_3y(pd.DataFrame([r]), spec)[0])
            k = float(spec.get("credibility", 4.0))
            lo, hi = (float(x) for x in spec.get("bounds", [0.7, 1.3]))
            ratio = min(max((k + acc) / (k + e), lo), hi)
            rule += f" (claim ratio (k + N)/(k + E) = ({k:g} + {acc})/({k:g} + {e:,.2f}) = {ratio:.4f} within [{lo:.2f}, {hi:.2f}])"
        return f"class {cls}: the worst accident of 3 years killed {worst}; rule: Order 493 grade, {rule}"
    if cls == "unknown":
        return "class unknown: no claims and no claim-free years given; rule: a unit without a history is neutral (1.00)"
    if expected:
        e = float(expected_claims_3y(pd.DataFrame([r]), spec)[0])
        k = float(spec.get("credibility", 4.0))
        lo, hi = (float(x) for x in spec.get("bounds", [0.7, 1.3]))
        return (f"class {cls}: {acc} claim(s) in 3 years against {e:,.2f} expected; rule: (k + N)/(k + E) = ({k:g} + {acc})/({k:g} + {e:,.2f}) "
                f"= {(k + acc) / (k + e):.4f}, kept within [{lo:.2f}, {hi:.2f}]")
    if cls == "non-fatal claim last year":
        return (f"class {cls}: {acc} claim(s) in 3 years and no claim-free year; rule: the table's non-fatal claim load "
                f"{float(spec.get('nonfatal_claim', 1.0)):.2f}, one load whatever the number of claims")
    cf = [float(v) for v in spec.get("claim_free", [])]
    steps = ", ".join(f"{i + 1}{'+' if i + 1 == len(cf) else ''} year(s) {v:.2f}" for i, v in enumerate(cf))
    return f"class {cls}: {acc} claim(s) in 3 years, {cfy} claim-free year(s); rule: claim-free discount {steps or 'none in this table'}"


def explain(priced: pd.DataFrame, policy_id, table: RateTable | str | None = None) -> str:
    """The premium of one policy, line by line (as printed by ``ajx price --explain``).

    ``priced`` is the output of :func:`price`; ``table`` defaults to the table recorded in
    ``priced.attrs["rate_table"]`` (any table, packaged or a TOML or a calibrated one).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> priced = ajx.price(ajx.synth.portfolio(50, rng=1), "national-2025")
    >>> "premium (gross, incl. VAT)" in ajx.explain(priced, 1)
    True
    """
    if "premium" not in priced.columns:
        raise ValidationError("explain: the frame has no 'premium' column; pass the output of price()")
    hit = priced.index[priced["policy_id"].astype(str) == str(policy_id)]
    if len(hit) == 0:
        raise ValidationError(f"explain: policy_id {policy_id!r} not found")
    r = priced.loc[hit[0]]
    if table is not None:
        t = _as_table(table)
    elif priced.attrs.get("rate_table_toml"):
        t = RateTable.from_toml_text(priced.attrs["rate_table_toml"], source=str(priced.attrs.get("rate_table", "<priced frame>")))
    elif priced.attrs.get("rate_table"):
        t = _as_table(priced.attrs["rate_table"])
    else:
        raise ValidationError("explain: the frame does not record its rate table (attrs 'rate_table_toml'); pass table=")
    lo, hi = t.float_bounds
    ld = t.loadings
    sub_f, med_f = float(r.get("sublimit_factor", 1.0)), float(r.get("medical_sublimit_factor", 1.0))
    sub_note, med_note = describe_sub_limits(r) if {"limit_accident", "limit_annual", "limit_medical"} <= set(r.index) else ("", "")
    lines = [
        f"policy {r['policy_id']}  {r['industry']} / {r['size']} / {int(r['headcount']):,} workers   table {t.name}",
        f"  limit part per head          {r['limit_rate']:>12,.2f} CNY = reference limit {t.reference_limit:,.0f} × base rate "
        f"{r['base_rate'] * 1000:.4f} ‰ ({r['industry']} × {r['size']}) × ILF {r['ilf']:.4f} (limit_death {r['limit_death']:,.0f}; {t.ilf.source})"
        + (f" × sub-limit factor {sub_f:.4f}" if sub_f != 1 else ""),
        f"  + medical part per head      {r['medical_rate']:>12,.2f} CNY"
        + (f" = table charge {t.medical_grid.loc[str(r['industry']), str(r['size'])]:,.2f} × medical sub-limit factor {med_f:.4f}"
           if med_f != 1 else ""),
        f"  × headcount                  {int(r['headcount']):>12,}",
        f"  × size factor                {r['size_factor']:>12.4f}     (headcount {int(r['headcount']):,})",
    ]
    if med_f != 1:
        lines.insert(3, f"      {'medical sub-limit factor':<25}{med_f:>10.4f}     ({med_note})")
    if sub_f != 1:
        lines.insert(2, f"      {'sub-limit factor':<25}{sub_f:>10.4f}     ({sub_note})")
    lines[1:] = explain_exposure(t, r) or lines[1:]  # a row priced on its exposure: its own lines
    for f in t.factors:
        if f.kind == "history":
            lines.append(f"      factor {f.name:<18}{r[f'f_{f.name}']:>10.4f}     ({_history_note(f.spec, r)})")
            continue
        lines.append(f"      factor {f.name:<18}{r[f'f_{f.name}']:>10.4f}     ({f.kind}{', ' + f.column + ' = ' + str(r[f.column]) if f.column and f.column in r.index else ''})")
    lines += [
        f"  × float factor               {r['float_factor']:>12.4f}     (product {r['float_raw']:.4f}, bounds [{lo:.2f}, {hi:.2f}]; risk relativity {r['risk_relativity']:.4f})",
        f"  = filed premium              {r['premium_raw']:>16,.2f}     (the table's rates and factors, before rounding and the minimum)",
        f"  premium (gross, incl. VAT)   {r['premium']:>16,.2f}" + (f"   minimum premium {t.min_premium:,.2f} applied" if r["min_premium_applied"] else ""),
        f"  premium ex VAT ({ld['vat']:.0%} VAT)     {r['premium_ex_vat']:>16,.2f}",
        f"    prevention budget ({ld['prevention_fee']:.1%})   {r['prevention_budget']:>14,.2f}",
        f"    commission ({ld['commission']:.1%})          {r['commission']:>14,.2f}",
        f"    admin ({ld['admin']:.1%}), profit ({ld['profit']:.1%}), levy ({ld['levy']:.1%})   {r['admin_expense'] + r['profit_margin'] + r['levy']:>10,.2f}",
        f"    expected-loss allowance     {r['expected_loss_allowance']:>14,.2f}   ({t.expected_loss_ratio():.1%} of ex-VAT)",
    ]
    return "\n".join(lines)
