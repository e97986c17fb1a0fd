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

**The insurer's appetite and must_accept.** An insurer free to choose would decline some units (its
own ``appetite``: rules in the same format, e.g. refuse units with an overdue major hidden danger).
``underwrite(..., appetite=...)`` applies them after the bundle's rules, unless the bundle's
``must_accept`` obliges the insurer to take every eligible unit: then the units its appetite would
remove stay insured and are listed in ``UnderwritingResult.kept`` (what the obligation costs the
insurer's selection). Without an appetite ``must_accept`` changes nothing: no rule of the bundle
removes a unit.
:func:`~ajx_actuarial.jurisdictions.effect.underwriting_effect` reports what that does to the premium, the expected losses and the
prevention budget (exact expected loss, no Monte Carlo).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..portfolio import EXPOSURE_COLUMNS, PORTFOLIO_COLUMNS, validate_portfolio
from ..rating.exposure import given_column as _given

__all__ = ["UnderwritingResult", "underwrite", "validate_rules", "ACTIONS"]

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
        Per rule: ``rule``, ``by`` (``bundle`` or ``insurer``: its appetite), ``action``, ``policies``
        (removed), ``workers``, ``kept`` (units the rule matched that ``must_accept`` keeps insured),
        ``source``.
    kept : DataFrame
        Units the insurer's appetite would remove but the bundle's ``must_accept`` keeps insured,
        with ``uw_rule`` and ``uw_action`` (empty without an appetite or without ``must_accept``).
    """

    insured: pd.DataFrame
    removed: pd.DataFrame
    rectified: pd.DataFrame
    summary: pd.DataFrame
    kept: pd.DataFrame = field(default_factory=pd.DataFrame)


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


def underwrite(book: pd.DataFrame, uw: dict, *, name: str = "<rules>", appetite: list | None = None) -> UnderwritingResult:
    """Apply underwriting rules (a bundle's ``[underwriting]`` section) to a book, and the insurer's own
    ``appetite`` (a list of rules in the same format) where the bundle's ``must_accept`` allows it.

    Examples
    --------
    >>> import pandas as pd, ajx_actuarial as ajx
    >>> book = pd.DataFrame({"policy_id": [1, 2], "industry": ["other", "other"], "size": ["micro"] * 2,
    ...                      "headcount": [5, 8], "rectification": ["on_time", "overdue_major"]})
    >>> res = ajx.jurisdictions.load("zhejiang").underwrite(book)
    >>> res.insured["policy_id"].tolist(), res.removed["uw_action"].tolist()
    ([1], ['defer'])
    >>> refuse = [{"name": "no overdue hazards", "action": "refuse", "when": {"rectification": ["overdue_major"]}, "source": "appetite"}]
    >>> len(ajx.jurisdictions.load("beijing-2017").underwrite(book, appetite=refuse).kept)  # S00: 不得以任何理由拒绝
    1
    """
    validate_rules(uw)
    if appetite is not None:
        if not isinstance(appetite, list):
            raise ValidationError(f"underwrite: appetite must be a list of rules (tables), got {type(appetite).__name__}")
        validate_rules({"rules": appetite})
    df = validate_portfolio(book)
    raw = book.reset_index(drop=True)
    bundle_rules = list(uw.get("rules", []))
    mine = list(appetite or [])
    rules = bundle_rules + mine
    by = ["bundle"] * len(bundle_rules) + ["insurer"] * len(mine)
    taken = np.full(len(df), -1, dtype=np.int64)
    for k, r in enumerate(rules):
        taken[(taken < 0) & _match(df, r["when"])] = k
    held = (taken >= len(bundle_rules)) if uw.get("must_accept") else np.zeros(len(df), dtype=bool)  # must_accept keeps them
    kept_by = np.where(held, taken, -1)
    taken[held] = -1
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
    summary = pd.DataFrame({"rule": names, "by": by, "action": [r["action"] for r in rules],
                            "policies": [int((taken == k).sum()) for k in range(len(rules))],
                            "workers": [int(head[taken == k].sum()) for k in range(len(rules))],
                            "kept": [int((kept_by == k).sum()) for k in range(len(rules))],
                            "source": [r["source"] for r in rules]})
    kept = df.loc[held].copy()
    kept["uw_rule"] = [names[k] for k in kept_by[held]]
    kept["uw_action"] = [rules[k]["action"] for k in kept_by[held]]
    insured = raw.loc[~out].reset_index(drop=True)
    insured.attrs = dict(book.attrs)
    return UnderwritingResult(insured=insured, removed=removed.reset_index(drop=True), rectified=rectified, summary=summary,
                              kept=kept.reset_index(drop=True))
