"""The policy register: policy-years with exposure and rating columns, and its link to claims.

Two forms are accepted:

* a **portfolio** (one row per policy, no ``year``; the portfolio contract): every policy is
  taken to be in force for each experience year, incepting on January 1 (policy year =
  accident year), with ``exposure = headcount`` worker-years;
* a **policy-year register** (a ``year`` column, one row per policy and year): ``exposure`` if
  given (worker-years), else ``headcount``; rating columns may change from year to year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError, format_rows
from ..portfolio import validate_experience, validate_portfolio

__all__ = ["read_register", "experience_rows", "link_claims"]


def _relabel(exc: ValidationError, where: str) -> ValidationError:
    msg = str(exc)
    for prefix in ("experience:", "portfolio:"):
        if msg.startswith(prefix):
            msg = where + ":" + msg[len(prefix):]
    return ValidationError(msg)


def read_register(policies: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The validated register and its form (``"portfolio"`` or ``"register"``).

    A register gets ``exposure`` (from ``headcount`` when absent) and ``limit_death`` (400 000
    when absent); a portfolio is validated with :func:`ajx_actuarial.validate_portfolio`.
    """
    if not isinstance(policies, pd.DataFrame):
        raise ValidationError(f"policies: expected a pandas DataFrame, got {type(policies).__name__}")
    drop = [c for c in ("claims", "deaths", "disabilities", "incurred") if c in policies.columns]
    if "year" in policies.columns:
        reg = policies.drop(columns=drop)
        if "exposure" not in reg.columns:
            if "headcount" not in reg.columns:
                raise ValidationError("policies: a policy-year register (with 'year') needs 'exposure' (worker-years) or 'headcount'")
            reg = reg.assign(exposure=pd.to_numeric(reg["headcount"], errors="coerce"))
        try:
            out = validate_experience(reg.assign(claims=0, deaths=0, disabilities=0, incurred=0.0))
        except ValidationError as exc:
            raise _relabel(exc, "policies") from None
        if "limit_death" not in out.columns:
            out["limit_death"] = 400_000.0
        return out.drop(columns=["claims", "deaths", "disabilities", "incurred"]), "register"
    try:
        return validate_portfolio(policies.drop(columns=drop)), "portfolio"
    except ValidationError as exc:
        raise _relabel(exc, "policies") from None


def experience_rows(table: pd.DataFrame, form: str, years: list[int]) -> pd.DataFrame:
    """The experience policy-years of ``years``: register rows of those years, or the portfolio
    repeated once per year with ``exposure = headcount``."""
    if form == "register":
        return table[table["year"].isin(years)].reset_index(drop=True)
    n = len(table)
    rows = table.iloc[np.tile(np.arange(n), len(years))].reset_index(drop=True)
    rows.insert(1, "year", np.repeat(np.asarray(years, dtype=np.int64), n))
    rows["exposure"] = rows["headcount"].to_numpy(dtype=np.float64)
    return rows


def link_claims(state: pd.DataFrame, policies: pd.DataFrame, form: str, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For each claim: its row in the register ``policies`` (for segments) and its row in
    ``rows`` (the experience policy-years; −1 when its policy year is not an experience year).

    Raises
    ------
    ValidationError
        Claims whose policy (or, for a register, policy and year) is not in the register.
    """
    pid = state["policy_id"].to_numpy()
    py = state["policy_year"].to_numpy(dtype=np.int64)
    if form == "portfolio":
        pol_index = pd.Index(policies["policy_id"])
        pol = pol_index.get_indexer(pid)
        bad = pol < 0
        if bad.any():
            ids = sorted(set(map(str, pid[bad])))[:5]
            raise ValidationError(f"claims: column 'policy_id' has policies not in the policy register: {ids}; "
                                  f"{int(bad.sum())} claim(s) in all, e.g. claim_id {format_rows(state['claim_id'].to_numpy()[bad][:5].tolist())}")
    else:
        key = pd.MultiIndex.from_arrays([policies["policy_id"], policies["year"].astype(np.int64)])
        pol = key.get_indexer(pd.MultiIndex.from_arrays([pid, py]))
        bad = pol < 0
        if bad.any():
            known = set(map(str, policies["policy_id"].unique()))
            unknown = sorted({str(p) for p in pid[bad] if str(p) not in known})[:5]
            what = f"policies not in the policy register: {unknown}" if unknown else "policy years not in the register"
            pairs = [f"{p}/{y}" for p, y in zip(pid[bad][:5], py[bad][:5])]
            raise ValidationError(f"claims: {int(bad.sum())} claim(s) for {what} (policy_id/policy_year {pairs})")
    rk = pd.MultiIndex.from_arrays([rows["policy_id"], rows["year"].astype(np.int64)])
    row = rk.get_indexer(pd.MultiIndex.from_arrays([pid, py]))
    return pol, row
