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
    real = bp.Search

    def spy(*args, **kwargs):
        calls.append(kwargs.get("parts"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tm, "Search", spy)
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


@pytest.mark.parametrize(("k", "parts", "share"), [(100, 2, 0.3), (100, 2, 0.0), (100, 3, 1.0), (7, 2, 0.5),
                                                   (2, 2, 0.9), (1000, 4, 0.1)])
def test_an_uneven_split_covers_every_source_once(k, parts, share):
    sources = np.arange(10, 10 + k, dtype=np.int64)
    own, shares = bp._split(sources, parts, share)
    together = np.concatenate([own, *shares])
    assert sorted(together.tolist()) == sources.tolist()  # each source searched exactly once
    assert len(shares) == parts - 1 and all(len(x) >= 1 for x in shares)
    assert len(own) == min(k - (parts - 1), max(1, round(k * share)))  # at least one here: it paces the helpers
    if len(own) > 2:  # spread over the list, not its head
        assert own.min() - sources.min() < k / len(own) + 1 and sources.max() - own.max() < k / len(own) + 1


@pytest.mark.parametrize("share", [0.1, 0.5, 0.9])
def test_a_search_with_a_smaller_own_share_gives_the_same_totals(share):
    G = nx.gnm_random_graph(150, 900, seed=13, directed=True)
    core, expected = _arrays(G)
    with bp.Search(core.n, core.src, core.tgt, parts=2, own_share=share) as search:
        assert len(search.own) == round(core.n * share) and len(search.shares[0]) == core.n - len(search.own)
        got = search.totals()
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_own_share_lets_both_sides_end_together(monkeypatch):
    from analytics import decisions as d

    monkeypatch.setattr(d, "HELPER_START_S", 0.2)
    # By hand: 8.2 s of search on one core, 1.0 s of other work here, a helper 0.2 s to start: the lead is
    # 0.8 / 8.2 = 0.0976, so this process takes (1 - 0.0976) / 2 = 0.4512 of the sources.
    assert d.own_share(2, 8.2, 1.0) == pytest.approx(0.45122, abs=1e-5)
    # On any machine: this process ends (its other work, then its share) when each helper does (its start,
    # then an equal part of the rest).
    for parts, search_s, other_s in [(2, 8.2, 1.0), (3, 8.2, 1.0), (4, 20.0, 2.5), (2, 3.0, 0.6)]:
        x = d.own_share(parts, search_s, other_s)
        here = other_s + x * search_s
        helper = 0.2 + (1 - x) / (parts - 1) * search_s
        assert 0 < x < 1 / parts and here == pytest.approx(helper, abs=1e-9), (parts, search_s, other_s)
    assert d.own_share(2, 8.2, 0.2) == 0.5  # no other work: equal shares
    assert d.own_share(3, 1.0, 100.0) == 0.0 and d.own_share(2, 1.0, 0.0) > 0.5  # bounds


def test_measure_all_computes_the_rest_while_helpers_search(monkeypatch):
    """The helpers start before Leiden and brokerage, this process's share is searched after them, and the
    figures are those of one search after the other."""
    G = nx.gnm_random_graph(150, 900, seed=14, directed=True)
    nx.set_node_attributes(G, {v: f"school {v % 4}" for v in G}, "organisation")
    expected_summary, expected_people = tm.network_measures(G), tm.person_measures(G)
    order = []
    real_search, real_communities, real_brokerage = bp.Search, tm._communities, tm.brokerage

    class Spy(real_search):
        def __init__(self, *args, **kwargs):
            order.append(("helpers started", kwargs.get("parts"), kwargs.get("own_share")))
            super().__init__(*args, **kwargs)

        def totals(self):
            order.append("own share searched")
            return super().totals()

    monkeypatch.setattr(tm, "Search", Spy)
    monkeypatch.setattr(tm, "split_search", lambda seconds: True)
    monkeypatch.setattr(tm, "usable_cores", lambda: 2)
    # as if the search took 2 s on one core and the rest 0.5 s: this process takes (1 - 0.3 / 2) / 2 = 0.425
    monkeypatch.setattr(tm, "betweenness_seconds", lambda *a: 2.0)
    monkeypatch.setattr(tm, "measures_seconds", lambda *a: 0.5)
    monkeypatch.setattr("analytics.decisions.HELPER_START_S", 0.2)
    monkeypatch.setattr(tm, "_communities", lambda *a, **k: order.append("communities") or real_communities(*a, **k))
    monkeypatch.setattr(tm, "brokerage", lambda *a, **k: order.append("brokerage") or real_brokerage(*a, **k))
    summary, people = tm.measure_all(G)
    assert [o if isinstance(o, str) else o[0] for o in order] == [
        "helpers started", "communities", "brokerage", "own share searched"]
    assert order[0][1] == 2 and order[0][2] == pytest.approx(0.425)  # less here, for the work done first
    assert people["betweenness"].tolist() == pytest.approx(expected_people["betweenness"].tolist(), abs=1e-12)
    assert people["betweenness"].max() > 0.01
    assert summary["top_betweenness"] == expected_summary["top_betweenness"]
    assert summary["modularity"] == pytest.approx(expected_summary["modularity"])
    pd_people = people.drop(columns=["betweenness"])
    assert pd_people.equals(expected_people.drop(columns=["betweenness"]))
