"""Timing helpers: best-of-n wall time and peak memory of a child process."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 3, setup: Callable[[], object] | None = None) -> float:
    """Best wall time of ``repeat`` runs (the least disturbed by other work on a shared machine)."""
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def table(title: str, header: list[str], rows: list[list[object]]) -> str:
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = [f"\n## {title}", "  ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)), line]
    for r in cells[1:]:
        out.append("  ".join(c.rjust(w) if _num(c) else c.ljust(w) for c, w in zip(r, widths, strict=True)))
    return "\n".join(out)


def _fmt(c: object) -> str:
    if isinstance(c, float):
        return f"{c:.3f}" if c < 100 else f"{c:,.0f}"
    if isinstance(c, int):
        return f"{c:,}"
    return str(c)


def _num(s: str) -> bool:
    return s.replace(",", "").replace(".", "").replace("x", "").replace("-", "").isdigit()
