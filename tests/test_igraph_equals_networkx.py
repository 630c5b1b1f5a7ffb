"""igraph computes the tie measures; networkx stays the reference. Exact for betweenness, clustering,
components and modularity of a given partition; Leiden communities compared by modularity: at least
networkx' Louvain's minus 0.01 (Leiden also optimises modularity, so on these graphs it usually scores the same
or higher; a tolerance, because both are heuristics)."""

from __future__ import annotations

import networkx as nx
import pytest

from analytics.decisions import betweenness_sample
from analytics.measures.network import (
    betweenness,
    communities,
    measure_all,
    network_measures,
    network_shape,
    undirected,
)

MODULARITY_TOLERANCE = 0.01


def karate() -> nx.DiGraph:
    K = nx.karate_club_graph()
    D = nx.DiGraph()
    D.add_nodes_from(str(v) for v in K)
    for u, v, w in K.edges(data="weight"):
        D.add_edge(str(u), str(v), weight=float(w))
        D.add_edge(str(v), str(u), weight=float(w))
    return D


def random_digraph(n: int, m: int, seed: int) -> nx.DiGraph:
    R = nx.gnm_random_graph(n, m, seed=seed, directed=True)
    D = nx.DiGraph()
    D.add_nodes_from(f"p{v:03d}" for v in R)
    D.add_edges_from((f"p{u:03d}", f"p{v:03d}", {"weight": float(1 + (u * v) % 5)}) for u, v in R.edges())
    return D


GRAPHS = {
    "karate": karate,
    "random_sparse": lambda: random_digraph(150, 400, 1),  # several components and isolates
    "random_dense": lambda: random_digraph(120, 1500, 2),
}


@pytest.mark.parametrize("name", GRAPHS)
def test_betweenness_exact_equals_networkx(name: str) -> None:
    D = GRAPHS[name]()
    ref = nx.betweenness_centrality(D)
    got = betweenness(D)
    assert list(got) == list(ref)
    assert got == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("name", GRAPHS)
def test_sampled_betweenness_equals_networkx_estimate(name: str) -> None:
    D = GRAPHS[name]()
    ref = nx.betweenness_centrality(D, k=20, seed=5)
    assert betweenness(D, k=20, seed=5) == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("name", GRAPHS)
def test_clustering_components_modularity_equal_networkx(name: str) -> None:
    D = GRAPHS[name]()
    U = undirected(D)
    m = network_measures(D)
    assert m["clustering"] == pytest.approx(nx.average_clustering(U), rel=1e-12)
    assert m["weak_components"] == nx.number_connected_components(U)
    partition = communities(D)
    assert m["modularity"] == pytest.approx(nx.community.modularity(U, partition, weight="weight"), rel=1e-12)
    assert set().union(*partition) == set(D) and sum(len(c) for c in partition) == len(D)


@pytest.mark.parametrize("name", GRAPHS)
def test_leiden_modularity_not_below_louvain(name: str) -> None:
    D = GRAPHS[name]()
    U = undirected(D)
    louvain = nx.community.louvain_communities(U, weight="weight", seed=42)
    q_ref = nx.community.modularity(U, louvain, weight="weight")
    q_ours = network_measures(D)["modularity"]
    assert q_ours >= q_ref - MODULARITY_TOLERANCE
    assert q_ours > 0.1 and network_measures(D)["communities"] > 1  # not one big block


def test_karate_two_factions_found() -> None:
    """Zachary's club split in two; the best modularity partitions split each faction further, never mixing
    more than a few members of the two factions in one community."""
    K = nx.karate_club_graph()
    part = communities(karate())
    for c in part:
        clubs = [K.nodes[int(v)]["club"] for v in c]
        assert max(clubs.count("Mr. Hi"), clubs.count("Officer")) >= len(c) - 2


def test_measure_all_undirected_weights_summed() -> None:
    D = karate()
    U = undirected(D)
    assert U["0"]["1"]["weight"] == 2 * nx.karate_club_graph()[0][1]["weight"]
    summary, people = measure_all(D)
    assert summary["communities"] == len(communities(D))


def test_sampling_rule() -> None:
    assert betweenness_sample(2000, 16_000, cores=1) is None  # exact fits the budget
    k = betweenness_sample(10_000, 100_000, cores=1)
    assert k is not None and 200 <= k < 10_000
    # a search long enough to be split is shared by the cores: four times the sources for the same budget
    # (within rounding), until exact fits
    assert 4 * k <= betweenness_sample(10_000, 100_000, cores=4) < 4 * (k + 1)
    # a sample whose search would be too short to split stays on one core's budget
    assert betweenness_sample(5_000, 50_000, budget_s=0.2, cores=4) == betweenness_sample(5_000, 50_000,
                                                                                            budget_s=0.2, cores=1)
    assert betweenness_sample(10_000, 100_000, cores=64) is None
    assert betweenness_sample(10_000, 100_000, budget_s=1e6) is None
    assert betweenness_sample(0) is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_network_shape_is_network_measures_clustering_and_centralisation(seed):
    """The view over periods takes clustering and centralisation alone (no betweenness, no communities)."""
    G = nx.gnm_random_graph(60, 240, seed=seed, directed=True)
    nx.set_edge_attributes(G, 1.0, "weight")
    want = network_measures(G)
    got = network_shape(G)
    assert got == {"clustering": want["clustering"], "degree_centralization": want["degree_centralization"]}
    assert got["clustering"] == pytest.approx(nx.average_clustering(nx.Graph(G.to_undirected())))
    karate = nx.DiGraph(nx.karate_club_graph())
    nx.set_edge_attributes(karate, 1.0, "weight")
    assert network_shape(karate)["clustering"] == pytest.approx(nx.average_clustering(nx.karate_club_graph()))


def test_leiden_iterations_do_as_well_as_convergence_on_the_demo_networks() -> None:
    """decisions.LEIDEN_MAX_ITERATIONS caps Leiden for big networks (1.75 s to convergence at 10,000 people).
    On every demo network and period the capped run's modularity is at least that of igraph's run until an
    iteration changes nothing (n_iterations=-1), and mostly it is the same partition."""
    import random

    import igraph as ig

    from analytics import decisions
    from analytics.demo.load import load_demo
    from analytics.measures import network as tm
    from analytics.measures import ties as tq
    from analytics.store import database as store

    def membership(g, iterations):
        ig.set_random_number_generator(random.Random(42))
        try:
            return g.community_leiden(objective_function="modularity", weights="weight",
                                      n_iterations=iterations).membership
        finally:
            ig.set_random_number_generator(random)

    con = store.connect(":memory:")
    load_demo(con)
    graphs = []
    for net in tq.networks_with_ties(con):
        graphs += [tq.graph(con, tq.TieFilters(network=net, periods=(p,)))[0] for p in tq.options(con, net)["period"]]
    con.close()
    same = checked = 0
    for G in graphs:
        core = tm._Core.of(G)
        if not len(core.lo):
            continue
        g = core.undirected_igraph
        capped, converged = membership(g, decisions.LEIDEN_MAX_ITERATIONS), membership(g, -1)
        assert g.modularity(capped, weights="weight") >= g.modularity(converged, weights="weight") - 1e-12
        ours = tm._communities(core, 42)  # what the measures use: the capped run
        assert sorted(map(sorted, ours)) == sorted(
            sorted(v for v, c in zip(core.ids, capped, strict=True) if c == k) for k in set(capped))
        same += capped == converged
        checked += 1
    assert checked >= 25 and same >= checked - 3
