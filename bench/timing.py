"""Timing helpers: best-of-n wall time and peak memory of a child process."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def in_child(code: str, timeout: float = 3600) -> dict:
    """Run ``code`` in a fresh interpreter; it must set ``result`` (a dict). Adds the child's peak RSS (MB).

    The peak is the child's own (``VmHWM`` of its memory map): ``ru_maxrss`` is kept across exec on Linux, so
    a child started by a parent holding 400 MB would report at least 400 MB.
    """
    import json
    import subprocess
    import sys
    import textwrap

    wrapped = textwrap.dedent(code) + textwrap.dedent("""
        import json
        with open("/proc/self/status") as _f:
            _hwm = next(int(line.split()[1]) for line in _f if line.startswith("VmHWM:"))
        result["peak_mb"] = _hwm / 1024
        print("\\nRESULT " + json.dumps(result))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", wrapped], capture_output=True, text=True, timeout=timeout, env=env,
                         cwd=str(ROOT))
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    # DuckDB may draw a progress bar on stdout for long queries: take the marked line.
    return json.loads(out.stdout.rsplit("\nRESULT ", 1)[1])


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
