"""Readable tie maps: whom the map names without hovering, which ties a simplified drawing keeps (by hand)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from analytics.decisions import MAP_LABELS_PER_KIND
from analytics.draw.readable_map import backbone_ties, label_choice, simplify
from analytics.measures.network import person_measures


@pytest.fixture
def G() -> nx.DiGraph:
    """a<->b mutual; b is named by a, c, d; e names d and g; f names d; g names nobody."""
    G = nx.DiGraph()
    G.add_nodes_from("abcdefg", organisation=None)
    for u, v, w in [("a", "b", 3), ("b", "a", 1), ("a", "c", 1), ("c", "b", 5), ("d", "b", 1), ("d", "c", 1),
                    ("e", "d", 2), ("f", "d", 2), ("e", "g", 1)]:
        G.add_edge(u, v, weight=float(w))
    return G


def people_table(rows: list[tuple[str, int, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["participant_id", "in_degree", "betweenness", "brokerage"])


def test_most_named_and_brokers_by_rank_with_ties_broken_by_id() -> None:
    people = people_table([
        ("p", 4, 0.0, 0), ("q", 2, 0.30, 1), ("r", 2, 0.30, 3), ("s", 1, 0.50, 0),
        ("t", 0, 0.30, 1), ("u", 0, 0.0, 9), ("o", 2, 0.0, 0),
    ])
    choice = label_choice(people, k=3)
    # in-degree 4, then three with 2: o, q, r by id, only two places left
    assert choice.most_named == ("p", "o", "q")
    # betweenness 0.5, then 0.30 three times: brokerage 3 (r) before 1 (q, t by id); u has none: never a broker
    assert choice.brokers == ("s", "r", "q")
    assert choice.ids == ("p", "o", "q", "s", "r")  # q is named once
    # shuffled rows give the same answer
    assert label_choice(people.sample(frac=1, random_state=3), k=3) == choice


def test_nobody_unnamed_or_outside_the_map_is_labelled() -> None:
    people = people_table([("a", 0, 0.0, 0), ("b", 3, 0.1, 0), ("c", 1, 0.2, 0)])
    assert label_choice(people, k=5).most_named == ("b", "c")
    assert label_choice(people, k=5, among=["a", "c"]).most_named == ("c",)
    assert label_choice(people, k=5, among=["a", "c"]).brokers == ("c",)
    assert label_choice(people, k=0).ids == ()


def test_labels_from_the_products_person_measures(G: nx.DiGraph) -> None:
    people = person_measures(G)
    choice = label_choice(people)
    assert MAP_LABELS_PER_KIND == 5
    # in-degrees: b 3, c 2, d 2, a 1, g 1 (e and f are named by nobody)
    assert choice.most_named == ("b", "c", "d", "a", "g")
    # betweenness by hand (directed, over 6 x 5 ordered pairs): d lies on e/f -> b, c, a (6 pairs: 0.2), b on
    # c/d/e/f -> a (4 pairs: 0.133), a on b -> c (1 pair: 0.033); nobody else lies between two people
    assert choice.brokers == ("d", "b", "a")
    assert choice.ids == ("b", "c", "d", "a", "g")


def test_backbone_keeps_mutual_ties_and_each_persons_strongest(G: nx.DiGraph) -> None:
    kept = backbone_ties(G)
    # mutual a<->b; a's strongest a->b (3); c's c->b (5); d: b and c weigh alike, b is more named; e's e->d (2);
    # f's f->d; g names nobody and no kept tie reaches g, so g keeps the tie that names it (e->g)
    assert kept == {("a", "b"), ("b", "a"), ("c", "b"), ("d", "b"), ("e", "d"), ("f", "d"), ("e", "g")}
    s = simplify(G, "backbone")
    assert (s.shown_ties, s.total_ties, s.hidden_ties) == (7, 9, 2)
    assert set(s.graph.nodes) == set(G.nodes)  # nobody disappears
    assert G.number_of_edges() == 9  # the input is not changed


def test_backbone_without_frequencies_follows_the_most_named() -> None:
    H = nx.DiGraph([("x", "y"), ("x", "z"), ("w", "z"), ("y", "z")])  # no weights: all alike
    assert backbone_ties(H) == {("x", "z"), ("w", "z"), ("y", "z")}


def test_strong_only_and_all(G: nx.DiGraph) -> None:
    s = simplify(G, "strong")  # the product's strong-tie threshold, 3
    assert sorted(s.graph.edges) == [("a", "b"), ("c", "b")]
    assert (s.shown_ties, s.total_ties) == (2, 9)
    assert simplify(G, "strong", min_weight=2).shown_ties == 4
    everything = simplify(G, "all")
    assert everything.graph is G and everything.hidden_ties == 0
    with pytest.raises(ValueError):
        simplify(G, "everything")  # type: ignore[arg-type]


def test_find_options_and_contacts(G: nx.DiGraph) -> None:
    from analytics.draw.readable_map import contacts, find_options

    G.nodes["b"]["label"] = "Bea"
    G.nodes["a"]["label"] = "zed"
    assert list(find_options(G).items())[:3] == [("b", "Bea (b)"), ("c", "c"), ("d", "d")]
    assert list(find_options(G))[-1] == "a"  # "zed (a)" sorts last
    assert contacts(G, "d") == {"b", "c", "e", "f"}
    assert contacts(G, "g") == {"e"} and contacts(G, "nobody") == set()
