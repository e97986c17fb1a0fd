"""Underwriting rules: who is in the insured book (Zhejiang S02: cover after rectification).

A bundle's ``[underwriting]`` either obliges the insurer to accept every eligible unit
(``must_accept = true``: Beijing 2017 S00 §(十) "不得以任何理由拒绝、有选择或者拖延"; Xinzhou's
commitment "无正当理由不得拒保") or lists rules::

    [[underwriting.rules]]
    name = "obvious major hazard: cover after rectification"
    action = "defer"                          # "defer": not insured until rectified; "refuse": not insured
    when = { rectification = ["overdue_major"] }   # portfolio column -> values (all columns must match)
    after = { rectification = "late" }        # defer only: the unit's state once rectified
    source = "S02 §二(四) ..."
    flag = "seed"

Rules are tried in order; the first that matches a policy removes it from the insured book.
:func:`underwriting_effect` reports what that does to the premium, the expected losses and the
prevention budget (exact expected loss, no Monte Carlo).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..portfolio import EXPOSURE_COLUMNS, PORTFOLIO_COLUMNS, validate_portfolio
from ..rating.exposure import given_column as _given

__all__ = ["UnderwritingResult", "underwrite", "underwriting_effect", "validate_rules", "ACTIONS"]

ACTIONS = ("defer", "refuse")
_COLUMNS = {c.name: c for c in PORTFOLIO_COLUMNS + EXPOSURE_COLUMNS if c.kind in ("category", "bool", "int")}


def validate_rules(uw) -> None:
    """Check an ``[underwriting]`` section (keys, actions, columns, values)."""
    if not isinstance(uw, dict):
        raise ValidationError("underwriting: must be a table")
    unknown = sorted(set(uw) - {"must_accept", "must_accept_source", "rules"})
    if unknown:
        raise ValidationError(f"underwriting: unknown key(s) {unknown}; allowed: must_accept, must_accept_source, rules")
    rules = uw.get("rules", [])
    if not isinstance(rules, list):
        raise ValidationError("underwriting.rules: must be an array of tables ([[underwriting.rules]])")
    if uw.get("must_accept") and rules:
        raise ValidationError("underwriting: must_accept = true (every eligible unit is insured) contradicts the rules listed")
    for i, r in enumerate(rules):
        p = f"underwriting.rules[{i}]"
        if not isinstance(r, dict):
            raise ValidationError(f"{p}: must be a table")
        bad = sorted(set(r) - {"name", "action", "when", "after", "source", "flag"})
        if bad:
            raise ValidationError(f"{p}: unknown key(s) {bad}; allowed: name, action, when, after, source, flag")
        if r.get("action") not in ACTIONS:
            raise ValidationError(f"{p}.action: must be one of {list(ACTIONS)}, got {r.get('action')!r}")
        if not isinstance(r.get("source"), str) or not r["source"].strip():
            raise ValidationError(f"{p}.source: every rule needs its source")
        when = r.get("when")
        if not isinstance(when, dict) or not when:
            raise ValidationError(f"{p}.when: must be a table column = [values]")
        for col, vals in when.items():
            if col not in _COLUMNS:
                raise ValidationError(f"{p}.when.{col}: not a code, flag or count column of the portfolio; allowed: {sorted(_COLUMNS)}")
            if not isinstance(vals, list) or not vals:
                raise ValidationError(f"{p}.when.{col}: must be a non-empty list of values")
            cats = _COLUMNS[col].categories
            if cats is not None:
                unk = sorted(set(map(str, vals)) - set(cats))
                if unk:
                    raise ValidationError(f"{p}.when.{col}: unknown code(s) {unk}; allowed: {list(cats)}")
        after = r.get("after", {})
        if not isinstance(after, dict):
            raise ValidationError(f"{p}.after: must be a table column = value, got {after!r}")
        if after and r["action"] != "defer":
            raise ValidationError(f"{p}.after: only a deferred unit has a state after rectification")
        for col, v in (after or {}).items():
            if col not in _COLUMNS:
                raise ValidationError(f"{p}.after.{col}: not a code, flag or count column of the portfolio")
            cats = _COLUMNS[col].categories
            if cats is not None and str(v) not in cats:
                raise ValidationError(f"{p}.after.{col}: unknown code {v!r}; allowed: {list(cats)}")


@dataclass(frozen=True, eq=False)
class UnderwritingResult:
    """Who is insured after the underwriting rules.

    Attributes
    ----------
    insured : DataFrame
        The book as given less the removed units (original order and columns, fresh index).
    removed : DataFrame
        The removed units with ``uw_rule`` and ``uw_action`` (``defer`` / ``refuse``).
    rectified : DataFrame
        The deferred units as they would enter once rectified (the book's own columns, the rule's
        ``after`` applied).
    summary : DataFrame
        Per rule: ``rule``, ``action``, ``policies``, ``workers``, ``source``.
    """

    insured: pd.DataFrame
    removed: pd.DataFrame
    rectified: pd.DataFrame
    summary: pd.DataFrame


def _match(df: pd.DataFrame, when: dict) -> np.ndarray:
    m = np.ones(len(df), dtype=bool)
    for col, vals in when.items():
        if col not in df.columns:
            return np.zeros(len(df), dtype=bool)
        s = df[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            want = {str(v).lower() in ("true", "1") for v in vals}
            m &= np.isin(s.to_numpy(dtype=bool), list(want))
        else:
            m &= s.astype(str).isin([str(v) for v in vals]).to_numpy()
    return m


def underwrite(book: pd.DataFrame, uw: dict, *, name: str = "<rules>") -> UnderwritingResult:
    """Apply underwriting rules (a bundle's ``[underwriting]`` section) to a book.

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> book = pd.DataFrame({"policy_id": [1, 2], "industry": ["other", "other"], "size": ["micro"] * 2,
    ...                      "headcount": [5, 8], "rectification": ["on_time", "overdue_major"]})
    >>> res = ajx.jurisdictions.load("zhejiang").underwrite(book)
    >>> res.insured["policy_id"].tolist(), res.removed["uw_action"].tolist()
    ([1], ['defer'])
    """
    validate_rules(uw)
    df = validate_portfolio(book)
    raw = book.reset_index(drop=True)
    rules = uw.get("rules", [])
    taken = np.full(len(df), -1, dtype=np.int64)
    for k, r in enumerate(rules):
        taken[(taken < 0) & _match(df, r["when"])] = k
    out = taken >= 0
    names = [str(r.get("name", f"rule {k}")) for k, r in enumerate(rules)]
    removed = df.loc[out].copy()
    removed["uw_rule"] = [names[k] for k in taken[out]]
    removed["uw_action"] = [rules[k]["action"] for k in taken[out]]
    # the book's own columns (defaults such as limit_annual are re-derived, e.g. a band aggregate at pricing)
    own = [c for c in df.columns if _given(raw, c)]
    rect = []
    for k, r in enumerate(rules):
        if r["action"] != "defer":
            continue
        part = df.loc[taken == k, own].copy()
        for col, v in r.get("after", {}).items():
            part[col] = v
        rect.append(part)
    rectified = pd.concat(rect, ignore_index=True) if rect and sum(map(len, rect)) else df.loc[[], own].copy()
    head = df["headcount"].to_numpy()
    summary = pd.DataFrame({"rule": names, "action": [r["action"] for r in rules],
                            "policies": [int((taken == k).sum()) for k in range(len(rules))],
                            "workers": [int(head[taken == k].sum()) for k in range(len(rules))],
                            "source": [r["source"] for r in rules]})
    insured = raw.loc[~out].reset_index(drop=True)
    insured.attrs = dict(book.attrs)
    return UnderwritingResult(insured=insured, removed=removed.reset_index(drop=True), rectified=rectified, summary=summary)


def underwriting_effect(book: pd.DataFrame, jurisdiction, *, model=None, fee_ratio=None) -> pd.DataFrame:
    """What the bundle's underwriting rules do to the book's totals, exactly (no Monte Carlo).

    Rows: ``offered`` (the whole book), ``insured`` (after the rules), ``change`` (insured −
    offered) and ``deferred, once rectified`` (the deferred units priced as they would enter).
    Columns: ``policies``, ``workers``, ``premium`` (gross), ``expected_loss`` (exact, per year,
    :func:`~ajx_actuarial.expected_loss`), ``expected_deaths``, ``loss_ratio`` (expected loss /
    ex-VAT premium), ``prevention_budget``, ``prevention_required`` (mandated services at unit
    cost) and ``prevention_shortfall`` (first policy year, the bundle's rules and fee).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> z = ajx.jurisdictions.load("zhejiang")
    >>> eff = ajx.jurisdictions.underwriting_effect(z.book(300, rng=1), z)
    >>> int(eff.loc["change", "policies"]) == -int(eff.loc["deferred, once rectified", "policies"])
    True
    """
    from ..losses import expected_loss
    from ..prevention import assess
    from ..rating import price
    from ._bundle import Jurisdiction

    if isinstance(jurisdiction, str):
        jurisdiction = Jurisdiction.load(jurisdiction)
    elif not isinstance(jurisdiction, Jurisdiction):
        raise ValidationError(f"underwriting_effect: jurisdiction must be a bundle name or a Jurisdiction, got {type(jurisdiction).__name__}")
    res = jurisdiction.underwrite(book)
    table = jurisdiction.rate_table()
    rules = jurisdiction.prevention_rules()
    fee = jurisdiction.fee_schedule(years=1, fee_ratio=fee_ratio)
    # the insured units are rows of the offered book: price it and take its expected loss once, then select
    offered = price(book, table, lift_limits=True)
    e_offered = expected_loss(offered, model)
    kept = offered["policy_id"].astype(str).isin(set(res.insured["policy_id"].astype(str))).to_numpy()
    frames = {"offered": (offered, e_offered), "insured": (offered[kept], e_offered[kept])}
    if len(res.rectified):
        p_rect = price(res.rectified, table, lift_limits=True)
        frames["deferred, once rectified"] = (p_rect, expected_loss(p_rect, model))
    rows = {}
    for label in ("offered", "insured", "deferred, once rectified"):
        if label not in frames or len(frames[label][0]) == 0:
            rows[label] = dict.fromkeys(("policies", "workers", "premium", "expected_loss", "expected_deaths", "loss_ratio",
                                         "prevention_budget", "prevention_required", "prevention_shortfall"), 0.0)
            continue
        priced, e = frames[label]
        frame = priced
        pv = assess(priced, rules=rules, pooling=jurisdiction.pooling, **fee.assess_kwargs()).summary
        ex = float(priced["premium_ex_vat"].sum())
        rows[label] = {"policies": len(frame), "workers": int(frame["headcount"].sum()), "premium": float(priced["premium"].sum()),
                       "expected_loss": float(e["expected_loss"].sum()), "expected_deaths": float(e["expected_deaths"].sum()),
                       "loss_ratio": float(e["expected_loss"].sum()) / ex if ex > 0 else np.nan,
                       "prevention_budget": pv["total_budget"], "prevention_required": pv["total_required"],
                       "prevention_shortfall": pv["total_shortfall"]}
    out = pd.DataFrame(rows).T
    change = out.loc["insured"] - out.loc["offered"]
    change["loss_ratio"] = out.loc["insured", "loss_ratio"] - out.loc["offered", "loss_ratio"]
    out.loc["change"] = change
    return out.loc[["offered", "insured", "change", "deferred, once rectified"]]
