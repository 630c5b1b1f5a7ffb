"""Brandes' betweenness split over the machine's cores: each core searches from its share of the sources.

Betweenness is a sum over source people, so the sources can be split and the parts' totals added. igraph
keeps Python's GIL while it searches (measured: two threads took as long as one after the other), so the
other parts run in helper processes, ``python -m analytics.measures.betweenness_parts`` fed the ties as bytes
in a file (started by :mod:`analytics.helper_process`, not :mod:`multiprocessing`). A
helper that cannot start, fails or answers wrongly has its part searched here, so the totals never depend on
the helpers. Only worth it when a search takes longer than starting a helper (about 0.3 s).

This module imports only numpy, igraph and the small helper_process module, so a helper starts quickly.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
import threading
import time

import igraph as ig
import numpy as np

from analytics import helper_process

#: A helper that has not answered this long after this process finished its own share (seconds, plus the factor
#: times the helper's share searched at this process's pace) is stopped and its share searched here.
HELPER_PATIENCE_S = 10.0
HELPER_PATIENCE_FACTOR = 3.0
_HEADER = struct.Struct("<qqq")  # people, ties, sources


def source_totals(n: int, src: np.ndarray, tgt: np.ndarray, sources: np.ndarray | None = None, *,
                  parts: int = 1, graph: ig.Graph | None = None) -> np.ndarray:
    """Per person, the (unnormalised, directed) betweenness summed over ``sources`` (None: everyone).

    People are ``0..n-1``, ties ``src[i] -> tgt[i]``; ``graph`` is the same as an igraph graph, when the caller
    has one. ``parts > 1`` searches ``parts - 1`` shares in helper processes while this process searches its
    own."""
    with Search(n, src, tgt, sources, parts=parts, graph=graph) as search:
        return search.totals()


class Search:
    """A search under way: the helpers start on their shares at once; :meth:`totals` searches this process's
    share and adds theirs. In between, the caller can do other work: ``own_share`` (a fraction of the sources)
    then gives this process fewer sources, so both sides finish together. Leaving the ``with`` block stops any
    helper still running (also when the caller's work was interrupted)."""

    def __init__(self, n: int, src: np.ndarray, tgt: np.ndarray, sources: np.ndarray | None = None, *,
                 parts: int = 1, graph: ig.Graph | None = None, own_share: float | None = None) -> None:
        self.n = n
        self.g = graph if graph is not None else ig.Graph(n=n, edges=np.column_stack([src, tgt]), directed=True)
        everyone = sources is None
        sources = np.arange(n, dtype=np.int64) if everyone else np.asarray(sources, dtype=np.int64)
        parts = max(1, min(parts, len(sources)))
        if parts == 1:
            self.own, self.shares, self.helpers = (None if everyone else sources), [], []
            return
        self.own, self.shares = _split(sources, parts, own_share)
        self.helpers = [_start(n, src, tgt, share) for share in self.shares]

    def totals(self) -> np.ndarray:
        t0 = time.perf_counter()
        total = _search(self.g, self.own)
        per_source = (time.perf_counter() - t0) / max(1, len(self.own)) if self.own is not None else 0.0
        for proc, share in zip(self.helpers, self.shares, strict=True):
            # A helper searches its share at about this process's pace: one far slower than that is stuck, and
            # is let go.
            patience = HELPER_PATIENCE_S + HELPER_PATIENCE_FACTOR * per_source * len(share)
            part = _answer(proc, self.n, patience)
            total = total + (part if part is not None else _search(self.g, share))
        return total

    def __enter__(self) -> Search:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.helpers:  # no helper outlives its search (a page rerun stopped, an error)
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()


def _split(sources: np.ndarray, parts: int, own_share: float | None) -> tuple[np.ndarray, list[np.ndarray]]:
    """This process's sources and each helper's: spread over the whole list, so each share meets every kind
    of person; equal shares unless ``own_share`` says how much of the list this process takes."""
    if own_share is None:
        return sources[0::parts], [sources[i::parts] for i in range(1, parts)]
    k = len(sources)  # at least one source here (its pace sets the helpers' patience), one per helper
    own_count = min(k - (parts - 1), max(1, round(k * own_share)))
    mine = np.zeros(k, dtype=bool)
    mine[np.linspace(0, k - 1, own_count).round().astype(np.int64)] = True  # spacing >= 1: all distinct
    rest = sources[~mine]
    return sources[mine], [rest[i::parts - 1] for i in range(parts - 1)]


def _search(g: ig.Graph, sources: np.ndarray | None) -> np.ndarray:
    if sources is None:
        return np.asarray(g.betweenness(directed=True), dtype=float)
    return np.asarray(g.betweenness(directed=True, sources=sources.tolist(), targets=None), dtype=float)


def _start(n: int, src: np.ndarray, tgt: np.ndarray, share: np.ndarray) -> subprocess.Popen | None:
    # The ties go in as a file, not through a pipe: a pipe holds 64 KB, and a thread feeding it would wait for
    # Python's GIL, which this process's own search keeps (measured: the helper then started only after it).
    with tempfile.TemporaryFile() as ties:
        ties.write(_HEADER.pack(n, len(src), len(share)))
        for a in (src, tgt, share):
            ties.write(np.ascontiguousarray(a, dtype="<i8").tobytes())
        ties.seek(0)
        try:
            return helper_process.start("analytics.measures.betweenness_parts", stdin=ties, stdout=subprocess.PIPE)
        except OSError:
            return None


def _answer(proc: subprocess.Popen | None, n: int, patience: float) -> np.ndarray | None:
    """A helper's totals, or None when it did not give exactly ``n`` of them within ``patience`` seconds."""
    if proc is None:
        return None
    timer = threading.Timer(patience, proc.kill)  # a killed helper's pipe ends, so the read below returns
    timer.start()
    try:
        with proc.stdout:
            out = proc.stdout.read()
        ok = proc.wait() == 0
    except OSError:
        proc.kill()
        return None
    finally:
        timer.cancel()
    if not ok or len(out) != 8 * n:
        return None
    return np.frombuffer(out, dtype="<f8").astype(float)


def _serve() -> None:
    helper_process.apply_nice()
    data = sys.stdin.buffer.read()
    n, m, k = _HEADER.unpack_from(data)
    arrays = np.frombuffer(data, dtype="<i8", offset=_HEADER.size)
    if len(arrays) != 2 * m + k:
        raise SystemExit(2)
    src, tgt, share = arrays[:m], arrays[m:2 * m], arrays[2 * m:]
    g = ig.Graph(n=n, edges=np.column_stack([src, tgt]), directed=True)
    sys.stdout.buffer.write(np.ascontiguousarray(_search(g, share), dtype="<f8").tobytes())


if __name__ == "__main__":
    _serve()
