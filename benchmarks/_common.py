"""Shared helpers for benchmarks: timing with medians, ratio reporting."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def timeit(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls, and the last result."""
    times, res = [], None
    for _ in range(repeat):
        res = None  # free the previous result first: its memory can be reused
        t = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), res


def report(rows: list[dict], title: str) -> None:
    print(f"\n## {title}\n")
    if not rows:
        return
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join("---" for _ in cols) + "|")
    for r in rows:
        print("| " + " | ".join(_fmt(r[c]) for c in cols) + " |")


def _fmt(v) -> str:
    if isinstance(v, float):
        if v >= 1e5:
            return f"{v:,.0f}"
        return f"{v:.3g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)
