"""Benchmark: the tie figures a Ties page view needs at 10,000 people / 100,000 ties, computed and then read
back from the store (analytics/store/computed.py) — what a restart, a second view or a view after the
background warm costs. Baseline: the same figure computed, in the same run.

``python -m bench stored_figures`` (BENCH_SCALE scales the network).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from .timing import table


def bench_stored_figures(scale: float = 1.0) -> str:
    from analytics.ingest import importer
    from analytics.store import computed
    from analytics.store import database as store

    from .budget_suite import write_big_network

    people, ties = max(500, int(10_000 * scale)), max(5_000, int(100_000 * scale))
    work = Path(tempfile.mkdtemp(prefix="bench_stored_"))
    try:
        p, t = write_big_network(work, people, ties, name="Groot")
        con = store.connect(work / "big.duckdb")
        for f in (p, t):
            assert importer.import_file(con, f).status == "imported"
        net = "Groot"
        first, values_first = _one_view(con, net)  # computed (and kept)
        again, values_again = _one_view(con, net)  # read back
        assert _same(values_first, values_again), "a figure read back differs from the computed one"
        rows = [first, again]
        sizes = dict(con.execute("SELECT kind, octet_length(value) FROM computed").fetchall())
        n_kept = computed.count(con)
        con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    names = {"ids": ("the network's ids and organisations", "network_ids"),
             "layout": ("layout of every person", "layout"), "measures": ("measures of the period's graph", "measures"),
             "over_time": ("measures over periods", "over_time"),
             "stability": ("tie stability, shares, perceived beside measured", "stability")}
    out = [[label, rows[0][k], rows[1][k], rows[1][k] / rows[0][k], sizes.get(kind, 0) / 1e6]
           for k, (label, kind) in names.items()]
    out.append(["all five", sum(rows[0].values()), sum(rows[1].values()),
                sum(rows[1].values()) / sum(rows[0].values()), sum(sizes.values()) / 1e6])
    return table(f"Tie figures at {people:,} people / {ties:,} ties: computed (baseline) and read back from the "
                 f"store ({n_kept} kept) — target: a page view only reads",
                 ["figure", "computed s", "read s", "x computed", "kept MB"], out)


def _one_view(con, net: str) -> tuple[dict[str, float], list]:
    """Seconds per figure of one opening view of ``net``, and the figures."""
    from analytics.decisions import STRONG_TIE_MIN_WEIGHT
    from analytics.measures import ties as tq
    from analytics.views import tie_view

    seconds: dict[str, float] = {}
    values = []

    def timed(label: str, fn):
        t0 = time.perf_counter()
        out = fn()
        seconds[label] = time.perf_counter() - t0
        values.append(out)
        return out

    nf = timed("ids", lambda: tie_view.network_frame(con, net, pseudonymise=True, with_positions=False))
    period = tq.options(con, net)["period"][-1]
    filters = tq.TieFilters(network=net, periods=(period,), tie_types=tq.type_filter(nf.tie_types, None))
    G, _ = tie_view.filtered_graph(con, filters, nf)
    timed("layout", lambda: tie_view.network_positions(con, net, nf))
    timed("measures", lambda: tie_view.stored_measures(con, filters, G, nf, strong_threshold=STRONG_TIE_MIN_WEIGHT))
    timed("over_time", lambda: tie_view.measures_over_time(con, net))
    timed("stability", lambda: tie_view.stability(con, net, min_group=3))
    return seconds, values


def _same(a, b) -> bool:
    import pandas as pd

    if isinstance(a, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a, b)
        except AssertionError:
            return False
        return True
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)  # NaN equals NaN here


SUITES = {"stored_figures": bench_stored_figures}
