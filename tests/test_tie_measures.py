"""Network measures on hand-made graphs (numbers worked out by hand) and against networkx itself."""

from __future__ import annotations

import io
import math

import networkx as nx
import pandas as pd
import pytest

from analytics.draw.graph_files import to_gexf, to_graphml, with_measures
from analytics.draw.layout import layout
from analytics.measures.network import (
    BROKERAGE_ROLES,
    PERSON_COLUMNS,
    betweenness,
    bridges,
    brokerage,
    build_graph,
    communities,
    compare_periods,
    isolated,
    measure_all,
    network_measures,
    organisation_graph,
    organisation_matrix,
    person_measures,
    suggest_betweenness_k,
    undirected,
)


def frames(people: dict[str, tuple], ties: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """people: id -> (organisation, role); ties: (source, target[, weight])."""
    nodes = pd.DataFrame(
        {
            "participant_id": list(people),
            "label": [f"Name {p}" for p in people],
            "organisation": [v[0] for v in people.values()],
            "role": [v[1] for v in people.values()],
            "external": [False] * len(people),
        }
    )
    edges = pd.DataFrame(
        {
            "source": [t[0] for t in ties],
            "target": [t[1] for t in ties],
            "weight": [t[2] if len(t) > 2 else 1.0 for t in ties],
        }
    )
    return nodes, edges


@pytest.fixture
def small() -> nx.DiGraph:
    # a <-> b, b -> c, c -> d; e isolated. Schools X (a, b) and Y (c, d); e has no school.
    nodes, edges = frames(
        {
            "a": ("X", "teacher"),
            "b": ("X", "teacher"),
            "c": ("Y", "coach"),
            "d": ("Y", "teacher"),
            "e": (None, "teacher"),
        },
        [("a", "b", 1), ("b", "a", 4), ("b", "c", 3), ("c", "d", 1)],
    )
    G, warnings = build_graph(nodes, edges)
    assert warnings == []
    return G


def test_network_measures_by_hand(small: nx.DiGraph) -> None:
    m = network_measures(small, strong_threshold=3.0)
    assert m["nodes"] == 5 and m["edges"] == 4
    assert m["density"] == pytest.approx(4 / 20)
    assert m["reciprocity"] == pytest.approx(2 / 4)  # a->b and b->a
    assert m["weak_components"] == 2
    assert m["isolates"] == ["e"]
    assert m["clustering"] == 0.0  # a path has no triangles
    assert m["avg_in_degree"] == m["avg_out_degree"] == pytest.approx(0.8)
    # undirected degrees 1, 2, 2, 1, 0 -> sum(2 - d) = 4 over (n-1)(n-2) = 12
    assert m["degree_centralization"] == pytest.approx(4 / 12)
    # organisation: X-X, X-X, Y-Y internal, X-Y external -> (1 - 3) / 4; role: 2 external, 2 internal
    assert m["ei_index"] == {"organisation": pytest.approx(-0.5), "role": pytest.approx(0.0)}
    assert m["cross_organisation_share"] == pytest.approx(1 / 4)
    assert m["strong_share"] == pytest.approx(0.5) and m["weak_share"] == pytest.approx(0.5)
    # directed betweenness: b on a->c and a->d, c on a->d and b->d; normalised by (n-1)(n-2) = 12
    assert m["top_betweenness"] == ["b", "c"]
    assert m["top_in_degree"] == ["a", "b", "c", "d"]  # all in-degree 1: ties broken by id
    assert m["betweenness_sampled"] is False
    assert set(m["community_of"]) == set("abcde")
    assert m["communities"] == len(set(m["community_of"].values()))


def test_person_measures_by_hand(small: nx.DiGraph) -> None:
    p = person_measures(small).set_index("participant_id")
    assert list(p.reset_index().columns) == list(PERSON_COLUMNS)
    assert p.loc["b", "in_degree"] == 1 and p.loc["b", "out_degree"] == 2
    assert p.loc["b", "in_weight"] == 1.0 and p.loc["b", "out_weight"] == 7.0
    assert p.loc["b", "betweenness"] == pytest.approx(2 / 12)
    assert p.loc["c", "betweenness"] == pytest.approx(2 / 12)
    assert p.loc["a", "betweenness"] == 0.0
    assert p.loc["e", "isolate"] and not p.loc["a", "isolate"]
    assert p.loc["e", "organisation"] is None
    # b: a->b->c is a(X) b(X) c(Y): representative; a->b->a is no brokerage
    assert p.loc["b", "representative"] == 1 and p.loc["b", "brokerage"] == 1
    # c: b->c->d is b(X) c(Y) d(Y): gatekeeper
    assert p.loc["c", "gatekeeper"] == 1 and p.loc["c", "brokerage"] == 1
    assert isolated(p.reset_index()) == ["e"]


def test_ei_index_none_without_known_attribute() -> None:
    nodes, edges = frames({"a": (None, None), "b": (None, None)}, [("a", "b")])
    m = network_measures(build_graph(nodes, edges)[0])
    assert m["ei_index"] == {"organisation": None, "role": None}
    assert m["cross_organisation_share"] is None


def test_strong_threshold_is_inclusive() -> None:
    nodes, edges = frames({"a": ("X", "teacher"), "b": ("X", "teacher")}, [("a", "b", 2.999), ("b", "a", 3)])
    m = network_measures(build_graph(nodes, edges)[0], strong_threshold=3.0)
    assert m["strong_share"] == 0.5 and m["weak_share"] == 0.5


def test_communities_two_triangles_and_modularity() -> None:
    people = {v: ("X", "teacher") for v in "abcdefg"}
    ties = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "e"), ("e", "f"), ("f", "d"), ("c", "d")]
    G = build_graph(*frames(people, ties))[0]
    m = network_measures(G)
    assert m["communities"] == 3
    assert m["community_of"] == {"a": 0, "b": 0, "c": 0, "d": 1, "e": 1, "f": 1, "g": 2}
    # Q = 2 * (3/7 - (7/14)^2) = 5/14
    assert m["modularity"] == pytest.approx(5 / 14)
    assert m["clustering"] == pytest.approx((1 + 1 + 1 / 3 + 1 / 3 + 1 + 1 + 0) / 7)


@pytest.mark.parametrize(
    ("orgs", "role"),
    [
        (("X", "X", "X"), "coordinator"),
        (("Y", "X", "X"), "gatekeeper"),
        (("X", "X", "Y"), "representative"),
        (("X", "Y", "X"), "consultant"),
        (("X", "Y", "Z"), "liaison"),
    ],
)
def test_brokerage_one_triad_per_role(orgs: tuple[str, str, str], role: str) -> None:
    nodes, edges = frames(
        {"a": (orgs[0], "t"), "b": (orgs[1], "t"), "c": (orgs[2], "t")}, [("a", "b"), ("b", "c")]
    )
    G = build_graph(nodes, edges)[0]
    roles = brokerage(G).set_index("participant_id")
    expected = {r: int(r == role) for r in BROKERAGE_ROLES}
    assert roles.loc["b"].to_dict() == expected
    assert roles.loc[["a", "c"]].to_numpy().sum() == 0


def test_brokerage_closed_triads_and_unknown_groups() -> None:
    # a -> b -> c with a -> c too: G&F (and sna/UCINET) do not count it; open_only=False does.
    nodes, edges = frames(
        {"a": ("X", "t"), "b": ("Y", "t"), "c": ("Z", "t")}, [("a", "b"), ("b", "c"), ("a", "c")]
    )
    G = build_graph(nodes, edges)[0]
    assert brokerage(G).set_index("participant_id").loc["b", "liaison"] == 0
    assert brokerage(G, open_only=False).set_index("participant_id").loc["b", "liaison"] == 1
    # unknown organisation at one end: not counted
    nodes, edges = frames({"a": (None, "t"), "b": ("Y", "t"), "c": ("Z", "t")}, [("a", "b"), ("b", "c")])
    assert brokerage(build_graph(nodes, edges)[0])[list(BROKERAGE_ROLES)].to_numpy().sum() == 0


def test_brokerage_counts_every_open_pair() -> None:
    # b brokers from a1, a2 (school X) to c1, c2 (school Y) and to a1 back: 4 representative pairs, a2->b->a1
    # coordinator, a1->b->a1 nothing.
    nodes, edges = frames(
        {"a1": ("X", "t"), "a2": ("X", "t"), "b": ("X", "t"), "c1": ("Y", "t"), "c2": ("Y", "t")},
        [("a1", "b"), ("a2", "b"), ("b", "c1"), ("b", "c2"), ("b", "a1")],
    )
    row = brokerage(build_graph(nodes, edges)[0]).set_index("participant_id").loc["b"]
    assert row["representative"] == 4 and row["coordinator"] == 1
    assert row[["gatekeeper", "consultant", "liaison"]].sum() == 0


def test_build_graph_repairs_and_reports() -> None:
    nodes = pd.DataFrame(
        {
            "participant_id": ["a", "b", "b", None],
            "label": ["A", None, "B2", "x"],
            "organisation": ["X", "  ", "Y", None],
            "role": ["teacher", None, None, None],
            "external": [False, "ja", False, False],
        }
    )
    edges = pd.DataFrame(
        {
            "source": ["a", "a", "a", "b", "a", None, "b"],
            "target": ["b", "b", "b", "b", "z", "a", "a"],
            "weight": [1, 2, None, 1, 1, 1, -2],
            "tie_type": ["advice", "knowledge_sharing", "advice", None, None, None, None],
            "topic": [None, None, None, None, None, None, None],
            "channel": [None, None, None, None, None, None, None],
        }
    )
    G, warnings = build_graph(nodes, edges)
    text = " ".join(warnings)
    assert "1 self-loop" in text
    assert "2 duplicate tie row(s) were merged" in text
    assert "1 person named in ties but missing" in text
    assert "1 duplicate participant id" in text
    assert "1 participant row(s) without an id" in text
    assert "1 tie(s) without a source or target" in text
    assert "negative weight" in text
    assert G["a"]["b"] == {
        "weight": 4.0,
        "count": 3,
        "tie_type": "advice; knowledge_sharing",
        "topic": None,
        "channel": None,
    }
    assert not G.has_edge("b", "b")
    assert G["b"]["a"]["weight"] == 0.0
    assert G.nodes["z"] == {"label": "z", "organisation": None, "role": None, "external": True}
    assert G.nodes["b"] == {"label": "b", "organisation": None, "role": None, "external": True}
    assert G.number_of_nodes() == 3 and G.number_of_edges() == 3


def test_build_graph_ids_as_text() -> None:
    nodes = pd.DataFrame({"participant_id": [1, 2]})
    edges = pd.DataFrame({"source": ["1"], "target": [2]})
    G, warnings = build_graph(nodes, edges)
    assert warnings == [] and list(G.edges) == [("1", "2")]
    assert G.nodes["1"]["label"] == "1" and G.nodes["1"]["external"] is False


def test_empty_network() -> None:
    G, warnings = build_graph(
        pd.DataFrame(columns=["participant_id"]), pd.DataFrame(columns=["source", "target"])
    )
    assert warnings == [] and G.number_of_nodes() == 0
    summary, people = measure_all(G)
    assert summary["nodes"] == 0 and summary["edges"] == 0
    assert summary["density"] == summary["reciprocity"] == summary["clustering"] == 0.0
    assert summary["weak_components"] == 0 and summary["communities"] == 0 and summary["modularity"] == 0.0
    assert summary["isolates"] == [] and summary["top_betweenness"] == [] and summary["top_in_degree"] == []
    assert summary["strong_share"] == summary["weak_share"] == 0.0
    assert list(people.columns) == list(PERSON_COLUMNS) and len(people) == 0
    assert layout(G) == {}
    assert organisation_matrix(G).shape == (0, 0)
    assert bridges(people).empty


def test_single_person() -> None:
    G, _ = build_graph(pd.DataFrame({"participant_id": ["a"], "organisation": ["X"]}), pd.DataFrame())
    summary, people = measure_all(G)
    assert summary["nodes"] == 1 and summary["edges"] == 0 and summary["density"] == 0.0
    assert summary["isolates"] == ["a"] and summary["weak_components"] == 1
    assert summary["communities"] == 1 and summary["community_of"] == {"a": 0}
    assert summary["degree_centralization"] == 0.0
    assert people["isolate"].tolist() == [True]
    assert list(layout(G)) == ["a"]


def karate() -> tuple[nx.Graph, nx.DiGraph]:
    K = nx.relabel_nodes(nx.karate_club_graph(), str)
    nodes = pd.DataFrame({"participant_id": list(K), "organisation": [K.nodes[v]["club"] for v in K]})
    ties = [(u, v, d["weight"]) for u, v, d in K.edges(data=True)]
    ties += [(v, u, w) for u, v, w in ties]
    edges = pd.DataFrame(ties, columns=["source", "target", "weight"])
    return K, build_graph(nodes, edges)[0]


def test_karate_against_networkx() -> None:
    K, D = karate()
    summary, people = measure_all(D)
    assert summary["nodes"] == 34 and summary["edges"] == 156
    assert summary["density"] == pytest.approx(nx.density(K))
    assert summary["clustering"] == pytest.approx(nx.average_clustering(K))
    assert summary["reciprocity"] == 1.0
    assert summary["weak_components"] == 1
    bc = nx.betweenness_centrality(K)
    got = dict(zip(people["participant_id"], people["betweenness"], strict=True))
    assert got == pytest.approx(bc)
    assert summary["top_betweenness"] == sorted(bc, key=lambda v: (-bc[v], v))[:10]
    # the undirected graph sums both directions' weights
    U = undirected(D)
    assert U["0"]["1"]["weight"] == 2 * K["0"]["1"]["weight"]
    # Freeman: node "33" has degree 17
    degs = dict(K.degree())
    expected = sum(max(degs.values()) - d for d in degs.values()) / (33 * 32)
    assert summary["degree_centralization"] == pytest.approx(expected)


def test_louvain_deterministic_whatever_the_input_order() -> None:
    K, D = karate()
    first = communities(D, seed=7)
    assert communities(D, seed=7) == first
    R = nx.DiGraph()
    R.add_nodes_from(reversed(list(D.nodes(data=True))))
    R.add_edges_from(reversed(list(D.edges(data=True))))
    assert communities(R, seed=7) == first
    m = network_measures(D, seed=7)
    assert m["modularity"] == pytest.approx(nx.community.modularity(undirected(D), first, weight="weight"))
    assert m["community_of"]["0"] == [i for i, c in enumerate(first) if "0" in c][0]
    sizes = [len(c) for c in first]
    assert sizes == sorted(sizes, reverse=True)


def test_betweenness_sampling_flag() -> None:
    _, D = karate()
    assert network_measures(D, betweenness_k=10)["betweenness_sampled"] is True
    assert network_measures(D, betweenness_k=34)["betweenness_sampled"] is False
    assert suggest_betweenness_k(500, 4000) is None
    k = suggest_betweenness_k(10_000, 100_000, cores=2)
    assert k is not None and 50 <= k < 10_000


def test_bridges_rank_cross_organisation_brokers(small: nx.DiGraph) -> None:
    people = person_measures(small)
    top = bridges(people, n=5)
    assert top["participant_id"].tolist() == [
        "b",
        "c",
    ]  # both broker once; b has the same betweenness: id order
    assert top["cross_brokerage"].tolist() == [1, 1]


def test_organisation_matrix_and_graph(small: nx.DiGraph) -> None:
    mat = organisation_matrix(small)
    assert (
        mat.loc["X", "X"] == 2
        and mat.loc["X", "Y"] == 1
        and mat.loc["Y", "Y"] == 1
        and mat.loc["Y", "X"] == 0
    )
    with_unknown = organisation_matrix(small, unknown_label="?")
    assert list(with_unknown.index) == ["?", "X", "Y"] and with_unknown.to_numpy().sum() == 4
    OG = organisation_graph(small)
    assert sorted(OG.nodes) == ["X", "Y"]
    assert OG.nodes["X"]["members"] == 2 and OG.nodes["X"]["internal_ties"] == 2
    assert OG["X"]["Y"] == {"weight": 1.0, "weight_sum": 3.0} and not OG.has_edge("Y", "X")


def test_compare_periods() -> None:
    a = pd.DataFrame({"source": ["x", "y", "x"], "target": ["y", "z", "y"], "weight": [1, 2, 1]})
    b = pd.DataFrame({"source": ["y", "z", "q"], "target": ["z", "x", "q"]})
    out = compare_periods(a, b)
    assert out[["source", "target", "status"]].values.tolist() == [
        ["x", "y", "dropped"],
        ["y", "z", "kept"],
        ["z", "x", "new"],
    ]
    assert out["weight_a"].tolist() == [2.0, 2.0, 0.0] and out["weight_b"].tolist() == [0.0, 1.0, 1.0]


def test_layout_deterministic_order_free_and_spread() -> None:
    people = {f"p{i:02d}": ("X", "t") for i in range(40)}
    ties = [(f"p{i:02d}", f"p{(i + 1) % 30:02d}") for i in range(30)] + [("p30", "p31"), ("p32", "p33")]
    G = build_graph(*frames(people, ties))[0]
    pos = layout(G, seed=3)
    assert pos == layout(G, seed=3)
    R = nx.DiGraph()
    R.add_nodes_from(reversed(list(G.nodes)))
    R.add_edges_from(reversed(list(G.edges)))
    assert layout(R, seed=3) == pos
    assert set(pos) == set(G.nodes)
    pts = list(pos.values())
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pts)
    assert len(set(pts)) == len(pts)
    assert max(abs(c) for p in pts for c in p) > 100  # pixels, not unit square
    boxed = layout(G, seed=3, box=1000)
    assert max(abs(c) for p in boxed.values() for c in p) == pytest.approx(1000)


def test_layout_large_graph_uses_mesh_and_stays_deterministic() -> None:
    G = nx.gnm_random_graph(1200, 4000, seed=1, directed=True)
    G = nx.relabel_nodes(G, lambda v: f"n{v}")
    pos = layout(G)
    assert pos == layout(G) and len(pos) == 1200


def test_exports_roundtrip() -> None:
    nodes, edges = frames({"a": ("X", "teacher"), "b": (None, None)}, [("a", "b", 2)])
    nodes.loc[0, "label"] = "A\x01 <b>&"
    G = build_graph(nodes, edges)[0]
    people = person_measures(G)
    for data, reader in ((to_gexf(G), nx.read_gexf), (to_graphml(G), nx.read_graphml)):
        H = reader(io.BytesIO(data))
        assert sorted(H.nodes) == ["a", "b"]
        assert H.nodes["b"]["organisation"] == "" and H.nodes["a"]["organisation"] == "X"
        assert H.nodes["a"]["external"] == "false"
        assert H["a"]["b"]["weight"] == 2.0
    assert nx.read_graphml(io.BytesIO(to_graphml(G))).nodes["a"]["label"] == "A <b>&"
    H = nx.read_gexf(io.BytesIO(to_gexf(with_measures(G, people))))
    assert H.nodes["a"]["out_degree"] == "1"


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("k", [None, 1, 15, 82])
def test_betweenness_equals_networkx(directed: bool, k: int | None) -> None:
    G = nx.gnm_random_graph(80, 300, seed=11, directed=directed)
    G.add_nodes_from([80, 81])  # isolates
    G.add_edge(5, 5)  # a self-loop changes nothing
    ref = nx.betweenness_centrality(G, k=k, seed=3)  # k = n: networkx runs exact, as we do
    got = betweenness(G, k=k, seed=3)
    assert list(got) == list(ref)
    if k == 1:  # networkx gives NaN to the one sampled source (0/0), and so do we
        assert sum(math.isnan(x) for x in got.values()) == sum(math.isnan(x) for x in ref.values()) == 1
        got = {v: x for v, x in got.items() if not math.isnan(x)}
        ref = {v: x for v, x in ref.items() if not math.isnan(x)}
    assert got == pytest.approx(ref, abs=1e-12)


def test_betweenness_small_cases() -> None:
    assert betweenness(nx.DiGraph()) == {}
    assert betweenness(nx.path_graph(2, create_using=nx.DiGraph)) == {0: 0.0, 1: 0.0}
    assert betweenness(nx.path_graph(3, create_using=nx.DiGraph)) == {0: 0.0, 1: 0.5, 2: 0.0}


def test_graph_files_neutralise_formula_looking_text():
    """GEXF and GraphML open in Gephi and Excel: text that would run as a formula gets the apostrophe the CSV
    exports give it; numbers (a negative measure, a weight) stay numbers."""
    G = nx.DiGraph()
    G.add_node("=HYPERLINK(\"http://x\")", label="@SUM(A1)", organisation="+31 school", role="-x", ei=-0.5,
               external=False)
    G.add_node("b", label="\x01=cmd|' /C calc'!A0", organisation="-2", role=None, ei=1.0, external=True)
    G.add_edge("=HYPERLINK(\"http://x\")", "b", weight=-1.0, topic="=1+1")
    for data, reader in ((to_gexf(G), nx.read_gexf), (to_graphml(G), nx.read_graphml)):
        H = reader(io.BytesIO(data))
        a = H.nodes["'=HYPERLINK(\"http://x\")"]
        assert (a["label"], a["organisation"], a["role"]) == ("'@SUM(A1)", "'+31 school", "'-x")
        assert H.nodes["b"]["label"] == "'=cmd|' /C calc'!A0"  # control character removed first
        assert H.nodes["b"]["organisation"] == "-2"  # text that is just a number is no formula
        assert float(a["ei"]) == -0.5
        [(_, _, e)] = H.edges(data=True)
        assert e["topic"] == "'=1+1" and float(e["weight"]) == -1.0
def test_graph_notes_carry_a_code_every_language_can_say():
    """The Ties page shows build_graph's repairs in the page's language, not as English sentences."""
    from analytics import i18n
    from analytics.measures.network import GraphNote

    nodes = pd.DataFrame({"participant_id": ["1", "2", "2"], "label": ["a", "b", "b"], "organisation": [None] * 3,
                          "role": [None] * 3, "external": [False] * 3})
    edges = pd.DataFrame({"source": ["1", "1", "1", "2", None], "target": ["2", "2", "1", "9", "1"],
                          "weight": [1.0, 2.0, 1.0, -1.0, 1.0]})
    _, notes = build_graph(nodes, edges)
    assert all(isinstance(n, GraphNote) for n in notes)
    codes = {n.code: n.fields for n in notes}
    assert codes["duplicate_id"] == {"n": 1} and codes["self_loop"] == {"n": 1} and codes["incomplete"] == {"n": 1}
    assert codes["merged"] == {"n": 1, "ties": 1} and codes["external"] == {"n": 1}
    for n in notes:
        nl, en = i18n.t(f"ties.note_{n.code}", "nl", **n.fields), i18n.t(f"ties.note_{n.code}", "en", **n.fields)
        assert nl != en and "{" not in nl and str(n.fields["n"]) in nl


def _brokerage_by_definition(G, attribute="organisation", open_only=True) -> dict:
    """Gould & Fernandez counted one two-path a -> b -> c at a time: the reference for :func:`brokerage`."""
    group = nx.get_node_attributes(G, attribute)
    counts = {v: [0, 0, 0, 0, 0] for v in G}
    for b in G:
        for a in G.predecessors(b):
            for c in G.successors(b):
                ga, gb, gc = group.get(a), group.get(b), group.get(c)
                if a == c or None in (ga, gb, gc) or (open_only and G.has_edge(a, c)):
                    continue
                role = (0 if gc == gb else 2) if ga == gb else (1 if gc == gb else 3 if gc == ga else 4)
                counts[b][role] += 1
    return counts


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("open_only", [True, False])
def test_brokerage_equals_its_definition_on_random_graphs(seed, open_only):
    """Random graphs with people of unknown organisation, reciprocal ties and self-loops: the counting by sets
    per broker gives what listing every two-path gives."""
    import random

    rnd = random.Random(seed)
    G = nx.gnp_random_graph(40, 0.12, seed=seed, directed=True)
    G.add_edges_from((v, v) for v in rnd.sample(list(G), 4))
    for v in G:
        G.nodes[v]["organisation"] = rnd.choice(["A", "B", "C", None])
    got = brokerage(G, open_only=open_only).set_index("participant_id")
    want = _brokerage_by_definition(G, open_only=open_only)
    assert list(got.index) == list(G)
    assert {v: got.loc[v, list(BROKERAGE_ROLES)].tolist() for v in G} == want
    assert got[list(BROKERAGE_ROLES)].to_numpy().sum() > 20  # the graphs do have brokerage to count
