"""The tie measures of one view, computed from its rows in a process of its own.

A big view's measures take seconds (at 10,000 people: the graph 0.3 s, its codes 0.2 s, the measures 1.7 s
here beside a betweenness helper). In the server's process that work holds Python's GIL, so while a Ties page
computes them in the background every other click on the server waits its turn: a map drawn again after a
filter change took 0.7-1.5 s instead of about 0.5 s. Here the server only reads the rows from DuckDB (0.05 s)
and hands them to ``python -m analytics.measures.measures_process`` (started by :mod:`analytics.helper_process`
at the nice value its caller asked for), which builds the graph, codes it and measures it.

When the helper cannot start, fails, or does not answer in time, the same work is done here: the figures never
depend on the helper. Both routes call :func:`rows_measures`, so they give the same numbers.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from analytics import helper_process
from analytics.decisions import STRONG_TIE_MIN_WEIGHT, betweenness_sample
from analytics.measures import network as tm


@dataclass(frozen=True)
class RowsFigures:
    """A view's size (people, distinct ties), what building its graph repaired, and its measures."""

    people_count: int
    tie_count: int
    repairs: list
    summary: dict
    people: pd.DataFrame


def view_measures(G: nx.DiGraph, frequency_known: bool, strong_threshold: float = STRONG_TIE_MIN_WEIGHT
                  ) -> tuple[dict, pd.DataFrame]:
    """Whole-network and per-person measures of a filtered graph (betweenness sampled by the product's rule).
    Without a real frequency there is no strong or weak share."""
    summary, people = tm.measure_all(G, strong_threshold=strong_threshold,
                                     betweenness_k=betweenness_sample(len(G), G.number_of_edges()))
    if not frequency_known:
        summary["strong_share"] = summary["weak_share"] = None
    return summary, people


def rows_measures(nodes: pd.DataFrame, edges: pd.DataFrame, shown_id: Mapping[Hashable, Hashable] | None,
                  frequency_known: bool, strong_threshold: float = STRONG_TIE_MIN_WEIGHT) -> RowsFigures:
    """The view's graph built from its rows (people and ties, as ``ties.graph_rows`` gives them), coded with
    ``shown_id`` when given (the names switch), and measured."""
    from analytics.privacy import graph_with_codes

    G, repairs = tm.build_graph(nodes, edges)
    if shown_id is not None:
        G = graph_with_codes(G, shown_id)
    summary, people = view_measures(G, frequency_known, strong_threshold)
    return RowsFigures(len(G), G.number_of_edges(), list(repairs), summary, people)


def rows_measures_apart(nodes: pd.DataFrame, edges: pd.DataFrame, shown_id: Mapping[Hashable, Hashable] | None,
                        frequency_known: bool, strong_threshold: float = STRONG_TIE_MIN_WEIGHT, *,
                        patience_s: float = 600.0) -> RowsFigures:
    """:func:`rows_measures` in a helper process; here when the helper cannot give them within ``patience_s``."""
    args = (nodes, edges, None if shown_id is None else dict(shown_id), bool(frequency_known), float(strong_threshold))
    answer = _in_helper(args, patience_s)
    return answer if isinstance(answer, RowsFigures) else rows_measures(*args)


def _in_helper(args: tuple, patience_s: float) -> RowsFigures | None:
    # In as a file, not through a pipe: a thread feeding a pipe would wait for Python's GIL (see
    # betweenness_parts). Our own interpreter and module on both ends, so pickle is safe here.
    with tempfile.TemporaryFile() as data:
        pickle.dump(args, data, protocol=pickle.HIGHEST_PROTOCOL)
        data.seek(0)
        try:
            proc = helper_process.start("analytics.measures.measures_process", stdin=data, stdout=subprocess.PIPE)
        except OSError:
            return None
    timer = threading.Timer(patience_s, proc.kill)  # a killed helper's pipe ends, so the read below returns
    timer.start()
    try:
        with proc.stdout:
            out = proc.stdout.read()  # waits without the GIL
        if proc.wait() != 0:
            return None
        return pickle.loads(out)  # noqa: S301 - written by our own helper, above
    except Exception:  # noqa: BLE001 - any failure of the helper means: compute here
        return None
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _serve() -> None:
    helper_process.apply_nice()
    os.environ.pop(helper_process.NICE_ENV, None)  # its own betweenness helpers inherit this process's nice value
    args = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from the server process that started us
    sys.stdout.buffer.write(pickle.dumps(rows_measures(*args), protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":  # run by its importable name, so what it pickles unpickles in the server
    from analytics.measures import measures_process

    measures_process._serve()
