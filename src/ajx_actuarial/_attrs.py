"""Metadata for ``DataFrame.attrs`` that pandas need not deep-copy.

pandas deep-copies ``attrs`` on most operations; a large nested record (e.g. a synthetic book's
truth model) then costs milliseconds per operation. :class:`SharedRecord` is a dict that copies
share (treat it as read-only); it stays JSON-serialisable, so Parquet files keep it.
"""

from __future__ import annotations

__all__ = ["SharedRecord"]


class SharedRecord(dict):
    """A read-only-by-convention dict that ``copy.copy``/``copy.deepcopy`` return as is."""

    def __copy__(self) -> "SharedRecord":
        return self

    def __deepcopy__(self, memo) -> "SharedRecord":
        return self
