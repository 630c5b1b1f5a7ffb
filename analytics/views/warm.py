"""Figures computed when data land, before anyone asks: after an import (or an undo, a merge) the tie
figures each network opens with are computed in the background and kept in the store
(:mod:`analytics.store.computed`), so the coach's first look at the Ties page, the report or playback only
reads them.

What is warmed is what those views open with: the latest period with ties, the network's most common tie
type, pseudonymised, the default strong-tie threshold and smallest group. tests/test_warm.py opens the Ties
page after a warm with every computation replaced by a failure: it must only read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import duckdb

from analytics import limits
from analytics.decisions import STRONG_TIE_MIN_WEIGHT
from analytics.measures import dimensions as dims
from analytics.measures import ties as tq
from analytics.privacy import DEFAULT_MIN_GROUP
from analytics.store import database as store
from analytics.store.db import rows
from analytics.views import tie_view

log = logging.getLogger(__name__)


def warm(con: duckdb.DuckDBPyConnection, networks: Sequence[str] | None = None, *,
         stop: Callable[[], bool] = lambda: False, done_one: Callable[[str], None] | None = None) -> list[str]:
    """Compute and keep the opening figures of each network with ties (``networks``, default the
    ``WARM_MAX_NETWORKS`` most recently measured); the networks warmed. Stops between networks when ``stop()``
    says so or the data changed meanwhile; a network over the page budget has no map or per-person measures to
    warm. ``done_one(network)`` is told each network warmed (the command line's progress)."""
    version = store.data_version(con)
    order = dims.period_order(con)
    names = list(networks) if networks is not None else [r[0] for r in rows(
        con, """SELECT network FROM v_ties WHERE network IS NOT NULL GROUP BY network
                ORDER BY max(date) DESC NULLS LAST, network LIMIT ?""", [limits.get_int("WARM_MAX_NETWORKS")])]
    done = []
    for net in names:
        if stop() or store.data_version(con) != version:  # read before the network is: its figures
            break  # are kept under ``version`` only if they were read at it
        if tie_view.page_budget(con, net)[0]:
            continue
        have = set(tq.options(con, net)["period"])
        periods = [p for p in order if p in have]
        if not periods:
            continue
        frame = tie_view.network_frame(con, net, pseudonymise=True, with_positions=False)
        kept = tq.type_filter(frame.tie_types, None)
        filters = tq.TieFilters(network=net, periods=(periods[-1],), tie_types=kept)
        G, _ = tie_view.filtered_graph(con, filters, frame, pseudonymise=True)
        if tie_view.overview_level(G) is None:  # the page draws people: their places on the layout
            tie_view.network_positions(con, net, frame)
        tie_view.stored_measures(con, filters, G, frame, pseudonymise=True, strong_threshold=STRONG_TIE_MIN_WEIGHT,
                                 version=version)
        tie_type = frame.tie_types[0] if len(frame.tie_types) > 1 else None  # the page's first tie-type button
        tie_view.measures_over_time(con, net, strong_threshold=STRONG_TIE_MIN_WEIGHT, tie_type=tie_type)
        tie_view.stability(con, net, strong_threshold=STRONG_TIE_MIN_WEIGHT, min_group=DEFAULT_MIN_GROUP,
                           tie_types=kept)
        done.append(net)
        if done_one is not None:
            done_one(net)
    return done


# ---------------------------------------------------------------- in the background
_lock = threading.Lock()
_again = threading.Event()
_running: list[threading.Thread] = []


def warm_later(connect: Callable[[], duckdb.DuckDBPyConnection]) -> threading.Thread | None:
    """Warm in a background thread with a connection from ``connect()`` (closed afterwards). If a warm is
    running it stops at its next network and goes round again for the new data; None then."""
    with _lock:
        if _running:
            _again.set()
            return None
        _again.clear()
        thread = threading.Thread(target=_loop, args=(connect,), name="netwerkleren-warm", daemon=True)
        _running.append(thread)
    thread.start()
    return thread


def _loop(connect: Callable[[], duckdb.DuckDBPyConnection]) -> None:
    try:
        while True:
            try:
                con = connect()
                try:
                    warm(con, stop=_again.is_set)
                finally:
                    con.close()
            except Exception as e:  # noqa: BLE001 - a warm is an extra: the views compute what is missing
                log.warning("computing figures ahead stopped: %s", type(e).__name__)
            with _lock:
                if not _again.is_set():
                    _running.clear()
                    return
                _again.clear()
    except BaseException:
        with _lock:
            _running.clear()
        raise


def running() -> bool:
    """Whether a background warm is under way."""
    with _lock:
        return bool(_running)
