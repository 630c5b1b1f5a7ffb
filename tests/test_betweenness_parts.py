"""Betweenness split over helper processes adds up to the same numbers as one search, whatever the helpers do."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

from analytics.measures import betweenness_parts as bp
from analytics.measures import network as tm


def _arrays(G: nx.Graph):
    core = tm._Core.of(G)
    return core, [networkx_totals(G)[v] for v in core.ids]


def networkx_totals(G: nx.Graph) -> dict:
    bc = nx.betweenness_centrality(G, normalized=False)
    # networkx halves an undirected graph's totals; the core searches it as both arcs of each tie
    return bc if G.is_directed() else {v: 2 * x for v, x in bc.items()}


@pytest.mark.parametrize("parts", [1, 2, 3])
@pytest.mark.parametrize("graph", ["directed", "karate"])
def test_split_search_equals_networkx(parts, graph):
    G = nx.gnm_random_graph(120, 700, seed=3, directed=True) if graph == "directed" else nx.karate_club_graph()
    core, expected = _arrays(G)
    got = bp.source_totals(core.n, core.src, core.tgt, parts=parts)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert max(expected) > 10  # the graph has real brokers, so a wrong split would show


def test_split_sample_equals_one_search_of_the_same_sources():
    G = nx.gnm_random_graph(200, 1200, seed=5, directed=True)
    core = tm._Core.of(G)
    sources = np.array([3, 17, 40, 99, 150, 151])
    one = bp.source_totals(core.n, core.src, core.tgt, sources)
    two = bp.source_totals(core.n, core.src, core.tgt, sources, parts=2)
    assert two == pytest.approx(one, rel=1e-12, abs=1e-12)
    assert one.sum() > 0


def _fake_helper(code: str):
    def start(n, src, tgt, share):
        return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    return start


@pytest.mark.parametrize("code", [
    "import sys; sys.exit(3)",  # dies
    "import sys; sys.stdout.buffer.write(b'abc')",  # answers nonsense
    "import sys, struct; sys.stdout.buffer.write(struct.pack('<d', 1e9) * 4)",  # answers too few numbers
])
def test_a_failing_helper_leaves_its_share_to_this_process(monkeypatch, code):
    G = nx.gnm_random_graph(80, 400, seed=7, directed=True)
    core, expected = _arrays(G)
    monkeypatch.setattr(bp, "_start", _fake_helper(code))
    got = bp.source_totals(core.n, core.src, core.tgt, parts=2)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_a_stuck_helper_is_stopped_and_its_share_searched_here(monkeypatch):
    G = nx.gnm_random_graph(80, 400, seed=8, directed=True)
    core, expected = _arrays(G)
    started = []

    def start(n, src, tgt, share):
        proc = _fake_helper("import time; time.sleep(60)")(n, src, tgt, share)
        started.append(proc)
        return proc

    monkeypatch.setattr(bp, "_start", start)
    monkeypatch.setattr(bp, "HELPER_PATIENCE_S", 0.5)
    got = bp.source_totals(core.n, core.src, core.tgt, parts=2)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert started and started[0].poll() is not None  # killed, not left running


def test_a_helper_that_cannot_start_leaves_its_share_here(monkeypatch):
    G = nx.gnm_random_graph(60, 300, seed=9, directed=True)
    core, expected = _arrays(G)

    def refuse(*args, **kwargs):
        raise OSError("no processes left")

    monkeypatch.setattr(bp.subprocess, "Popen", refuse)
    got = bp.source_totals(core.n, core.src, core.tgt, parts=3)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_product_betweenness_splits_when_worth_it_and_gives_the_same_numbers(monkeypatch):
    G = nx.gnm_random_graph(150, 900, seed=11, directed=True)
    expected = nx.betweenness_centrality(G)
    calls = []
    real = bp.source_totals

    def spy(*args, **kwargs):
        calls.append(kwargs.get("parts"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tm, "source_totals", spy)
    monkeypatch.setattr(tm, "split_search", lambda seconds: True)  # every search counts as long enough
    monkeypatch.setattr(tm, "usable_cores", lambda: 2)
    got = tm.betweenness(G)
    assert calls == [2]
    assert [got[v] for v in G] == pytest.approx([expected[v] for v in G], rel=1e-9, abs=1e-12)
    sampled = tm.betweenness(G, k=30, seed=4)
    assert [sampled[v] for v in G] == pytest.approx(
        [nx.betweenness_centrality(G, k=30, seed=4)[v] for v in G], rel=1e-9, abs=1e-12)
    monkeypatch.setattr(tm, "split_search", lambda seconds: False)  # a short search stays in this process
    tm.betweenness(G)
    assert calls[-1] == 1


def test_an_interrupted_search_leaves_no_helper_running(monkeypatch):
    G = nx.gnm_random_graph(80, 400, seed=12, directed=True)
    core = tm._Core.of(G)
    started = []

    def start(n, src, tgt, share):
        proc = _fake_helper("import time; time.sleep(60)")(n, src, tgt, share)
        started.append(proc)
        return proc

    def stopped(g, sources):
        raise KeyboardInterrupt  # as a page rerun stopped in the middle of this process's own share

    monkeypatch.setattr(bp, "_start", start)
    monkeypatch.setattr(bp, "_search", stopped)
    with pytest.raises(KeyboardInterrupt):
        bp.source_totals(core.n, core.src, core.tgt, parts=3)
    assert len(started) == 2 and all(p.poll() is not None for p in started)
