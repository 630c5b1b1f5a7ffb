"""Tie figures computed ahead when data land (analytics/views/warm.py): the Ties page opened after a warm
only reads the store, a warm stops when the data change under it, and the Data page starts one after an
import."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from analytics.demo.load import load_demo
from analytics.measures import tie_dynamics as td
from analytics.measures import ties as tq
from analytics.store import computed
from analytics.store import database as store
from analytics.views import tie_view, warm
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def every_network(monkeypatch):
    """The whole warm (conftest.py limits it to one network for the other tests)."""
    monkeypatch.delenv("NETWERKLEREN_WARM_MAX_NETWORKS", raising=False)


@pytest.fixture
def demo_file(tmp_path):
    path = tmp_path / "demo.duckdb"
    c = store.connect(path)
    load_demo(c)
    c.close()
    return path


@pytest.fixture
def idle():
    """No warm left running by an earlier test (the Data page's AppTests start real ones)."""
    deadline = time.monotonic() + 120
    while warm.running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not warm.running()


def tie_networks(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT network FROM v_ties ORDER BY 1").fetchall()]


def test_warm_keeps_each_networks_opening_figures(demo_file):
    con = store.connect(demo_file)
    try:
        nets = tie_networks(con)
        done = warm.warm(con)
        assert sorted(done) == nets and len(nets) >= 2
        for kind in ("network_ids", "measures", "over_time", "stability", "layout"):
            assert computed.count(con, kind) == len(nets), kind  # demo networks are small: maps of people
        assert warm.warm(con, stop=lambda: True) == []  # asked to stop: nothing more
    finally:
        con.close()


def test_warm_takes_the_most_recent_networks_first_up_to_the_limit(demo_file, monkeypatch):
    monkeypatch.setenv("NETWERKLEREN_WARM_MAX_NETWORKS", "1")
    con = store.connect(demo_file)
    try:
        latest = con.execute("SELECT network FROM v_ties GROUP BY network ORDER BY max(date) DESC, network "
                             "LIMIT 1").fetchone()[0]
        assert warm.warm(con) == [latest]
    finally:
        con.close()


def test_warm_stops_when_the_data_change_under_it(demo_file, tmp_path, monkeypatch):
    con = store.connect(demo_file)
    try:
        nets = tie_networks(con)
        extra = tmp_path / "more.csv"
        extra.write_text("network,source,target,date\nElders,A1,A2,2025-03-01\n", encoding="utf-8")
        real = tie_view.stability
        calls = []

        def stability_then_import(c, network, **kw):
            calls.append(network)
            out = real(c, network, **kw)
            if len(calls) == 1:
                from analytics.ingest import importer
                assert importer.import_file(con, extra).status == "imported"
            return out

        monkeypatch.setattr(tie_view, "stability", stability_then_import)
        done = warm.warm(con, networks=nets)
        assert len(done) == 1 and calls == done  # the first network, then the new data stopped it
    finally:
        con.close()


def refuse_computing(monkeypatch) -> None:
    """Every tie figure a warm keeps fails when computed: what runs after it may only read them."""
    def refuse(*a, **k):
        raise AssertionError("computed again although it was warmed")

    for module, name in ((tie_view, "graph_measures"), (tie_view, "layout"), (tq, "metrics_table"),
                         (td, "graphs"), (tq, "full_graph")):
        monkeypatch.setattr(module, name, refuse)


def test_the_ties_page_after_a_warm_only_reads(demo_file, monkeypatch, idle):
    con = store.connect(demo_file)
    try:
        warm.warm(con)
        before = con.execute("SELECT kind, key, computed_at FROM computed ORDER BY 1, 2").fetchall()
    finally:
        con.close()

    refuse_computing(monkeypatch)
    monkeypatch.setenv("NETWERKLEREN_DB", str(demo_file))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/ties.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.metric  # the measures are on the page
    con = store.connect(demo_file)
    try:
        assert con.execute("SELECT kind, key, computed_at FROM computed ORDER BY 1, 2").fetchall() == before
    finally:
        con.close()


def test_warm_later_runs_once_and_goes_round_again_for_new_data(demo_file, idle):
    shared = store.connect(demo_file)
    try:
        thread = warm.warm_later(shared.cursor)
        assert thread is not None
        assert warm.warm_later(shared.cursor) is None  # one at a time: this one asks for another round
        thread.join(120)
        assert not thread.is_alive() and not warm.running()
        assert computed.count(shared, "measures") == len(tie_networks(shared))
    finally:
        shared.close()


def test_a_failing_warm_is_only_logged(idle, caplog):
    def broken():
        raise OSError("the disk went away")

    thread = warm.warm_later(broken)
    thread.join(30)
    assert not warm.running()
    assert "computing figures ahead stopped: OSError" in caplog.text
    assert "disk went away" not in caplog.text  # the type only: a message may hold a path or a name


def test_the_command_line_warms_what_the_page_opens_with(demo_file, monkeypatch, capsys):
    """``python -m analytics warm`` after a command-line import: the networks it names get their figures, a
    second warm computes nothing, and an unknown network is refused before anything is computed."""
    from analytics.cli import main as cli

    assert cli.main(["warm", "Nergens", "--db", str(demo_file)]) == 2
    assert "no ties stored for network(s): Nergens" in capsys.readouterr().err
    con = store.connect(demo_file)
    try:
        assert computed.count(con) == 0
    finally:
        con.close()
    assert cli.main(["warm", "Rekenen", "--db", str(demo_file)]) == 0
    out = capsys.readouterr().out
    assert "Rekenen: kept" in out and "1 network(s) warmed" in out
    con = store.connect(demo_file)
    try:
        kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM computed").fetchall()}
        assert {"network_ids", "measures", "over_time", "stability"} <= kinds
    finally:
        con.close()

    refuse_computing(monkeypatch)
    assert cli.main(["warm", "Rekenen", "--db", str(demo_file)]) == 0  # only reads what it kept
    assert cli.main(["warm", "--db", str(demo_file / "nope.duckdb")]) == 2
