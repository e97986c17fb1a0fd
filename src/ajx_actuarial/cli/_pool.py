"""``ajx project --pool FILE.toml``: the projection split by co-insurance pool member (共保体).

Read and checked before the projection runs (a bad pool: one line, exit 2, nothing written); the
by-insurer table is printed and stored in the run folder as ``by_insurer.parquet``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import typer

__all__ = ["pool_option", "pool_test_option", "pool_rules_option", "PoolSpec", "read_pool", "pool_table"]

_SETTLEMENT_ZH = {"lead_collects": "主代从收", "each_collects": "各收各份额"}
#: by_insurer's columns printed, with their short headers.
TABLE_COLUMNS = {"insurer": "insurer", "role": "role", "share": "share", "year": "year", "premium": "premium", "insured_loss": "loss",
                 "underwriting_result": "result", "cross_minimum_capital": "min_capital", "available_capital": "capital",
                 "solvency_ratio": "solvency", "due_from_lead": "due_from_lead", "insurer_test": "test_passed"}


def pool_option() -> Any:
    return typer.Option(None, "--pool", help="Co-insurance pool (共保体): a TOML file with [coinsurance] lead, settlement "
                        "(lead_collects | each_collects), shares = {a = 0.5, ...}; prints each member's share, C-ROSS capital "
                        "and insurer test (by_insurer.parquet).")


def pool_test_option() -> Any:
    return typer.Option(None, "--pool-test", help="Whom the insurer test applies to: lead or all (default: --pool-rules' rule, "
                        "else the pool file's insurer_test, else all).")


def pool_rules_option() -> Any:
    return typer.Option(None, "--pool-rules", help="Jurisdiction bundle whose [insurer] test (solvency, risk rating) and "
                        "[coinsurance] insurer_test apply to the pool (default: solvency >= 100 %, rating B, every member).")


@dataclass(frozen=True)
class PoolSpec:
    pool: Any
    test: str
    jurisdiction: Any


def read_pool(pool: Optional[str], pool_test: Optional[str], pool_rules: Optional[str], initial_capital: Optional[float]):
    """The pool, its test and rules, and the pool's initial capital (the members' sum when the file states them);
    ``(None, initial_capital)`` without ``--pool``."""
    from .. import jurisdictions
    from ..coinsurance import INSURER_TESTS, CoinsurancePool
    from ..errors import ValidationError

    if pool is None:
        if pool_test is not None or pool_rules is not None:
            raise ValidationError("--pool-test and --pool-rules need --pool FILE.toml")
        return None, initial_capital
    p = CoinsurancePool.load(pool)
    j = jurisdictions.load(pool_rules) if pool_rules is not None else None
    if pool_test is not None and pool_test not in INSURER_TESTS:
        raise ValidationError(f"--pool-test: must be one of {list(INSURER_TESTS)}, got {pool_test!r}")
    test = pool_test or (j.insurer_test_applies_to if j is not None else (p.insurer_test or "all"))
    if p.capital is not None:
        if initial_capital is not None:
            raise ValidationError(f"--initial-capital: the pool {pool!r} states each member's capital; give one or the other")
        initial_capital = float(sum(p.capital.values()))
    return PoolSpec(p, test, j), initial_capital


def pool_table(res, spec: PoolSpec, initial_capital: Optional[float], outstanding_ratio: Optional[float]):
    """``(by_insurer frame, a printable table)``."""
    from ..present import escape_markup, fmt_int, frame_table

    p = spec.pool
    bi = res.by_insurer(p, None if p.capital is not None else initial_capital, test=spec.test, jurisdiction=spec.jurisdiction,
                        outstanding_ratio=outstanding_ratio)
    cols = (["scenario"] if "scenario" in bi.columns else []) + list(TABLE_COLUMNS)
    who = "the lead only (主承保公司满足即可)" if spec.test == "lead" else "every member"
    rules = escape_markup(spec.jurisdiction.name, 60) if spec.jurisdiction is not None else "national standard"
    title = (f"Co-insurance pool (共保体): lead {escape_markup(p.lead, 40)}, {p.settlement} ({_SETTLEMENT_ZH[p.settlement]}); "
             f"mean over {fmt_int(res.paths)} paths; insurer test ({rules}) on {who}")
    return bi, frame_table(bi[cols].rename(columns=TABLE_COLUMNS), title=title, float_fmt="{:,.4g}", max_rows=120)
