"""One exception family for the package.

Every error a user can cause by bad input is a :class:`ValidationError`: it names the
column or parameter, the rule, the offending value(s) and where they are.  The CLI turns
it into one line on stderr and exit code 2.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["AjxError", "ValidationError", "AjxWarning", "format_rows"]


class AjxError(Exception):
    """Base class of every error raised on purpose by ajx_actuarial."""


class ValidationError(AjxError, ValueError):
    """Bad input: a missing column, an unknown code, a value outside its range, a bad file."""


class AjxWarning(UserWarning):
    """Something legal but suspicious (e.g. a limit below a regional minimum)."""


def format_rows(rows: Sequence[object], values: Sequence[object] | None = None, first: int = 5) -> str:
    """Describe offending rows compactly: ``rows [3, 17, 20] (values [-1, 0, nan]), 12 in all``."""
    rows = list(rows)
    shown = ", ".join(repr(r) if not isinstance(r, (int,)) else str(r) for r in rows[:first])
    text = f"rows [{shown}{', ...' if len(rows) > first else ''}]"
    if values is not None:
        vals = list(values)[:first]
        text += f" (values [{', '.join(_short(v) for v in vals)}{', ...' if len(rows) > first else ''}])"
    if len(rows) > first:
        text += f", {len(rows)} in all"
    return text


def _short(v: object) -> str:
    s = repr(v.item() if hasattr(v, "item") else v)
    return s if len(s) <= 30 else s[:27] + "..."
