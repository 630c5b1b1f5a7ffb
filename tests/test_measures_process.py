"""A big view's tie measures computed in a helper process: the same figures as in the server's process, kept
under the same key, and computed here when the helper cannot start, fails or hangs."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from test_app_pages import db  # noqa: F401  (a fixture: the demo data in a fresh store)

from analytics import helper_process
from analytics.measures import measures_process
from analytics.measures import ties as tq
from analytics.store import database as store
from analytics.views import tie_view


@pytest.fixture
def con(db):  # noqa: F811
    c = store.connect(db)
    yield c
    c.close()


def _same_figures(a: tuple[dict, pd.DataFrame], b: tuple[dict, pd.DataFrame]) -> None:
    assert a[0] == b[0]
    pd.testing.assert_frame_equal(a[1], b[1])


def _rows(con, network: str, pseudonymise: bool, **filters):
    f = tq.TieFilters(network=network, **filters)
    net_frame = tie_view.network_frame(con, network, pseudonymise=pseudonymise, with_positions=False)
    return f, net_frame, tq.graph_rows(con, f, pseudonymise)


@pytest.mark.parametrize("pseudonymise", [True, False])
def test_the_helper_gives_the_figures_of_the_graph_the_page_builds(con, pseudonymise):
    """Both routes for two networks and a filtered view: the helper's people, ties, repairs and measures equal
    those of the graph the page builds and measures itself, with the names switch on and off."""
    for network, filters in (("Rekenen", {}), ("Hoogbegaafdheid", {"min_weight": 3.0})):
        f, net_frame, (nodes, edges) = _rows(con, network, pseudonymise, **filters)
        G, repairs = tie_view.filtered_graph(con, f, net_frame, pseudonymise=pseudonymise)
        here = tie_view.graph_measures(G, net_frame)
        answer = measures_process._in_helper(
            (nodes, edges, net_frame.shown_id if pseudonymise else None, net_frame.frequency_known, 3.0), 120)
        assert isinstance(answer, measures_process.RowsFigures)  # the helper answered, nothing was done here
        assert (answer.people_count, answer.tie_count) == (len(G), G.number_of_edges())
        assert [str(r) for r in answer.repairs] == [str(r) for r in repairs]
        assert [r.code for r in answer.repairs] == [r.code for r in repairs]
        _same_figures((answer.summary, answer.people), here)
        ids = set(answer.people["participant_id"] if "participant_id" in answer.people else answer.people.index)
        assert ids == set(G.nodes)  # coded ids with the switch on, the store's ids with it off


def test_kept_under_the_key_the_page_reads(con):
    f, net_frame, _ = _rows(con, "Rekenen", True, min_weight=2.0)
    apart = tie_view.stored_measures_apart(con, f, net_frame, pseudonymise=True)
    G, _ = tie_view.filtered_graph(con, f, net_frame, pseudonymise=True)
    kept = tie_view.kept_measures(con, f, (len(G), G.number_of_edges()), pseudonymise=True)
    assert kept is not None
    _same_figures(kept, apart)
    _same_figures(tie_view.stored_measures(con, f, G, net_frame, pseudonymise=True), apart)


def _counting_start(monkeypatch, start) -> list[str]:
    started: list[str] = []

    def wrapped(module, **popen):
        started.append(module)
        return start(module, **popen)

    monkeypatch.setattr(measures_process.helper_process, "start", wrapped)
    return started


def _cannot_start(module, **popen):
    raise OSError("no processes left")


def _fails(module, **popen):
    return subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"], **popen)  # noqa: S603


def _hangs(module, **popen):
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], **popen)  # noqa: S603


def _answers_garbage(module, **popen):
    return subprocess.Popen([sys.executable, "-c", "import sys; sys.stdout.write('no pickle')"], **popen)  # noqa: S603


@pytest.mark.parametrize("helper", [_cannot_start, _fails, _hangs, _answers_garbage])
def test_a_helper_that_does_not_answer_is_replaced_by_the_work_done_here(con, monkeypatch, helper):
    f, net_frame, (nodes, edges) = _rows(con, "Rekenen", True)
    G, _ = tie_view.filtered_graph(con, f, net_frame, pseudonymise=True)
    here = tie_view.graph_measures(G, net_frame)
    started = _counting_start(monkeypatch, helper)
    done = measures_process.rows_measures_apart(nodes, edges, net_frame.shown_id, net_frame.frequency_known,
                                                patience_s=2.0)
    assert started == ["analytics.measures.measures_process"]
    assert (done.people_count, done.tie_count) == (len(G), G.number_of_edges())
    _same_figures((done.summary, done.people), here)


def test_the_helper_runs_at_the_nice_value_asked_and_its_own_helpers_inherit_it(monkeypatch):
    """The helper lowers its priority as a betweenness helper does, then drops the setting, so that its own
    betweenness helpers inherit the value instead of lowering it again."""
    asked = []
    monkeypatch.setattr(helper_process.os, "nice", lambda n: asked.append(n))
    monkeypatch.setenv(helper_process.NICE_ENV, "10")
    seen = {}
    monkeypatch.setattr(measures_process, "rows_measures",
                        lambda *a: seen.setdefault("env", helper_process.os.environ.get(helper_process.NICE_ENV)))

    class Std:
        def __init__(self, data: bytes = b""):
            import io

            self.buffer = io.BytesIO(data)

    import pickle

    monkeypatch.setattr(measures_process.sys, "stdin", Std(pickle.dumps((1, 2, None, True, 3.0))))
    monkeypatch.setattr(measures_process.sys, "stdout", Std())
    measures_process._serve()
    assert asked == [10] and seen == {"env": None}
