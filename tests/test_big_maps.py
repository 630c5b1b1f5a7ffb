"""Big networks: above decisions.MAP_PEOPLE_MAX people the Ties page opens at the level of organisations (or
communities) and says so, with a drill-down into one group whose people keep their place."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from test_app_pages import db, iframe_html, run_page  # noqa: F401  (db is a fixture)

from analytics import decisions
from analytics.draw.tie_map import map_data, map_records
from analytics.measures.network import build_graph, measure_all
from analytics.views import tie_view


def two_schools(orgs: bool = True) -> nx.DiGraph:
    people = pd.DataFrame({"participant_id": [f"p{i}" for i in range(8)],
                           "organisation": (["A"] * 4 + ["B"] * 4) if orgs else [None] * 8})
    ties = pd.DataFrame({"source": ["p0", "p1", "p2", "p4", "p5", "p6", "p3"],
                         "target": ["p1", "p2", "p3", "p5", "p6", "p7", "p4"]})
    return build_graph(people, ties)[0]


def test_small_networks_stay_people_maps(monkeypatch):
    assert tie_view.overview_level(two_schools()) is None
    monkeypatch.setattr(decisions, "MAP_PEOPLE_MAX", 5)
    assert tie_view.overview_level(two_schools()) == "organisation"
    assert tie_view.overview_level(two_schools(orgs=False)) == "community"


def test_group_view_and_drill_down_by_organisation():
    G = two_schools()
    _, people = measure_all(G)
    groups = tie_view.group_names(G, people, "organisation", "?", "Community")
    shown, pos = tie_view.group_view(G, groups)
    assert sorted(shown.nodes) == ["A", "B"] and set(pos) == {"A", "B"}
    assert shown.nodes["A"]["members"] == 4 and shown.nodes["A"]["internal_ties"] == 3
    assert shown["A"]["B"]["weight"] == 1.0 and not shown.has_edge("B", "A")  # p3 -> p4 only
    inner = tie_view.drill_down(G, groups, "B")
    assert sorted(inner.nodes) == ["p4", "p5", "p6", "p7"] and inner.number_of_edges() == 3


def test_group_view_by_community():
    G = two_schools(orgs=False)
    _, people = measure_all(G)
    groups = tie_view.group_names(G, people, "community", "?", "Community")
    assert set(groups.values()) == {f"Community {c + 1}" for c in people["community"]}
    shown, _ = tie_view.group_view(G, groups)
    assert sum(d["members"] for _, d in shown.nodes(data=True)) == 8


def test_ties_page_opens_at_organisations_and_drills_down(db, monkeypatch):  # noqa: F811
    monkeypatch.setattr(decisions, "MAP_PEOPLE_MAX", 10)
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen", ties_view="people")
    assert any("too many to draw each one readably" in i.value for i in at.info)
    nodes, _ = map_records(map_data(iframe_html(at)))
    assert all("Members: " in n["title"] for n in nodes)  # one node per organisation
    from analytics.i18n import t

    orgs = [n["id"] for n in nodes if n["id"] != t("ties.unknown_org", "en")]  # a real organisation to open
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen", ties_view="people",
                  ties_open=orgs[0])
    inside, _ = map_records(map_data(iframe_html(at)))
    assert inside and all(f"Organisation: {orgs[0]}" in n["title"] for n in inside)


def test_ties_page_at_organisations_level_lays_out_no_person(db, monkeypatch):  # noqa: F811
    """The organisation map has its own layout: every person's place is computed only when people are drawn
    (at 10,000 people that layout took 1.4 s before the first map), and then it is the network's own."""
    import streamlit as st

    st.cache_data.clear()  # another test may have laid this network out already
    calls = []
    real = tie_view.network_positions
    monkeypatch.setattr(tie_view, "network_positions", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    monkeypatch.setattr(decisions, "MAP_PEOPLE_MAX", 10)
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen", ties_view="people")
    assert calls == []
    nodes, _ = map_records(map_data(iframe_html(at)))
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen", ties_view="people",
                  ties_open=nodes[0]["id"])
    assert calls == ["Rekenen"]
    inside, _ = map_records(map_data(iframe_html(at)))
    assert inside and all("x" in n and "y" in n for n in inside)  # people drawn on the network's layout


def _demo_store(path):
    """The pages' demo store, loaded here when this test runs before any page did."""
    from analytics.demo.load import has_demo, load_demo
    from analytics.store import database as store

    con = store.connect(path)
    if not has_demo(con):
        load_demo(con)
    return con


def test_lazy_positions_are_the_network_frames_own(db):  # noqa: F811
    con = _demo_store(db)
    try:
        full = tie_view.network_frame(con, "Rekenen")
        lean = tie_view.network_frame(con, "Rekenen", with_positions=False)
        assert lean.positions == {} and lean.shown_id == full.shown_id and full.positions
        assert tie_view.network_positions(con, "Rekenen", lean) == full.positions
    finally:
        con.close()


def test_graph_then_measures_is_the_period_graph(db):  # noqa: F811
    """The page asks for a filtered graph first (a map of organisations needs nothing more) and for its measures
    after the map is drawn: together they are exactly what one period_graph call gives the report."""
    from analytics.measures import ties as tq

    con = _demo_store(db)
    try:
        frame = tie_view.network_frame(con, "Rekenen", with_positions=False)
        latest = tq.options(con, "Rekenen")["period"][-1]
        f = tq.TieFilters(network="Rekenen", periods=(latest,), tie_types=tq.type_filter(frame.tie_types, None))
        G1, w1, summary1, people1 = tie_view.period_graph(con, f, frame)
        G2, w2 = tie_view.filtered_graph(con, f, frame)
        summary2, people2 = tie_view.graph_measures(G2, frame)
        assert sorted(G1.edges(data=True)) == sorted(G2.edges(data=True)) and w1 == w2 and len(G1) > 5
        assert summary1 == summary2
        pd.testing.assert_frame_equal(people1, people2)
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_sampled_betweenness_says_how_many(lang):
    from analytics.i18n import t

    assert "{k}" not in t("ties.sampled", lang, k="450") and "450" in t("ties.sampled", lang, k="450")


# ---------------------------------------------------------------- the map of organisations from the rows


def _graph_as_lists(G: nx.DiGraph) -> tuple[list, list]:
    return list(G.nodes(data=True)), list(G.edges(data=True))


def _messy_rows(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Participant and tie rows with everything build_graph repairs: blank and padded ids and organisations,
    duplicate people and ties, self-loops, missing and negative weights, people named only in ties."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ids = [f"p{i}" for i in range(12)]
    orgs = ["A", " A ", "B", "", None, "C", "B "]
    people = pd.DataFrame({"participant_id": [*ids, "p3", " p4", None],
                           "organisation": [orgs[i % len(orgs)] for i in range(15)],
                           "role": None, "external": False, "label": None})
    ends = [*ids, "x1", "x2", " p5 ", "", None]
    n = 60
    weight = rng.choice([1.0, 2.0, 3.0, -1.0, np.nan, 5.0], size=n).astype(object)
    weight[rng.integers(0, n, 3)] = "?"
    ties = pd.DataFrame({"source": rng.choice(np.array(ends, dtype=object), n),
                         "target": rng.choice(np.array(ends, dtype=object), n), "weight": weight,
                         "tie_type": "advice", "topic": None, "channel": None})
    return people, ties


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("unknown", [None, "(unknown)"])
def test_organisation_map_of_rows_is_that_of_the_graph(seed, unknown):
    """The rows' map of organisations repairs what build_graph repairs, so it has the same members, inner ties,
    tie counts and summed weights as the map of the built graph."""
    from analytics.measures import network as tm

    people, ties = _messy_rows(seed)
    G, _ = tm.build_graph(people, ties)
    expected = tm.organisation_graph(G, unknown_label=unknown)
    got = tm.organisation_graph_of_rows(people, ties, unknown)
    assert _graph_as_lists(got) == _graph_as_lists(expected)
    assert expected.number_of_edges() > 0 and sum(d["internal_ties"] for _, d in expected.nodes(data=True)) > 0
    if unknown:  # everyone is a member of one node, outside people included
        assert sum(d["members"] for _, d in got.nodes(data=True)) == len(G)


def test_organisation_map_by_hand():
    """Two schools, one outside person: members, inner ties and the ties between them counted by hand."""
    from analytics.measures import network as tm

    people = pd.DataFrame({"participant_id": ["a", "b", "c", "d"], "organisation": ["X", "X ", "Y", None]})
    ties = pd.DataFrame({"source": ["a", "a", "a", "b", "c", "c", "d", "a"],
                         "target": ["b", "b", "c", "c", "a", "out", "a", "a"],
                         "weight": [1, 2, 3, 4, 5, 6, -1, 9]})
    OG = tm.organisation_graph_of_rows(people, ties, "?")
    assert {o: (d["members"], d["internal_ties"]) for o, d in OG.nodes(data=True)} == {
        "X": (2, 1), "Y": (1, 0), "?": (2, 0)}  # a->b twice is one tie; a->a is dropped
    assert {(s, t_): (d["weight"], d["weight_sum"]) for s, t_, d in OG.edges(data=True)} == {
        ("X", "Y"): (2.0, 7.0), ("Y", "X"): (1.0, 5.0), ("Y", "?"): (1.0, 6.0), ("?", "X"): (1.0, 0.0)}


def test_organisation_map_of_counts_by_hand():
    """The counts DuckDB gives for the hand example above: the same map. Pairs of unknown organisations are
    added together under the label (an outside person and a member without one are both unknown), or left out."""
    from analytics.measures import network as tm

    members = {"X": 2, "Y": 1, None: 1}
    counted = pd.DataFrame({"source_org": ["X", "X", "Y", "Y", None], "target_org": ["X", "Y", "X", None, "X"],
                            "ties": [1, 2, 1, 1, 1], "weight_sum": [3.0, 7.0, 5.0, 6.0, 0.0]})
    OG = tm.organisation_graph_of_counts(members, counted, "?")
    assert {o: (d["members"], d["internal_ties"]) for o, d in OG.nodes(data=True)} == {
        "X": (2, 1), "Y": (1, 0), "?": (1, 0)}
    assert {(s, t_): (d["weight"], d["weight_sum"]) for s, t_, d in OG.edges(data=True)} == {
        ("X", "Y"): (2.0, 7.0), ("Y", "X"): (1.0, 5.0), ("Y", "?"): (1.0, 6.0), ("?", "X"): (1.0, 0.0)}
    two_unknown = pd.DataFrame({"source_org": [None, "?"], "target_org": ["X", "X"], "ties": [1, 2],
                                "weight_sum": [1.0, 2.0]})
    assert tm.organisation_graph_of_counts({"X": 1, None: 1, "?": 1}, two_unknown, "?").edges["?", "X"] == {
        "weight": 3.0, "weight_sum": 3.0}
    OG = tm.organisation_graph_of_counts(members, counted, None)
    assert set(OG) == {"X", "Y"} and set(OG.edges) == {("X", "Y"), ("Y", "X")}


def test_store_map_of_organisations_is_that_of_the_graph(db):  # noqa: F811
    """On the demo store, for each network and several filters: the map of organisations from the rows equals
    the one of the graph of people, and the view's size gives the level the graph gives."""
    from analytics.measures import network as tm
    from analytics.measures import ties as tq

    con = _demo_store(db)
    try:
        checked = 0
        for net in tq.networks_with_ties(con):
            opts = tq.options(con, net)
            for f in (tq.TieFilters(network=net, periods=(opts["period"][-1],)),
                      tq.TieFilters(network=net, min_weight=3.0),
                      tq.TieFilters(network=net, periods=(opts["period"][0],), roles=("teacher", "unknown")),
                      tq.TieFilters(network=net, tie_types=tuple(opts["tie_type"][:1]) or None,
                                    topics=tuple(opts["topic"][:2]) or None)):
                G, _ = tq.graph(con, f)
                # counted in DuckDB (a role filter: from the rows), with and without a node for the unknown
                assert _graph_as_lists(tq.organisation_graph(con, f)) == _graph_as_lists(tm.organisation_graph(G)), f
                om = tie_view.organisation_map(con, f, "(unknown)")
                assert _graph_as_lists(om.graph) == _graph_as_lists(tm.organisation_graph(G, "(unknown)")), f
                assert om.people == len(G) and om.level == tie_view.overview_level(G)
                assert om.ties == G.number_of_edges()  # the page sizes a view's measures by it (no graph built)
                assert (om.positions is None) == (om.level is None)  # laid out only when it is the map
                assert set(tie_view.organisation_map(con, f, "(unknown)", positions=True).positions) == set(om.graph)
                checked += om.graph.number_of_edges() > 0
        assert checked >= 4
    finally:
        con.close()


def test_ties_page_draws_organisations_before_it_builds_the_people_graph(db, monkeypatch):  # noqa: F811
    """A filter change on a big network redraws its map of organisations straight from the rows; the graph of
    people (about a second at 10,000 people) is built after the map, for the measures under it. Its notes
    are still said above the map."""
    import streamlit as st

    from analytics.draw import tie_map
    from analytics.measures import network as tm

    st.cache_data.clear()
    order = []
    real_graph, real_map = tie_view.filtered_graph, tie_map.tie_map_html
    monkeypatch.setattr(tie_view, "filtered_graph", lambda *a, **k: order.append("people") or real_graph(*a, **k))
    monkeypatch.setattr(tie_map, "tie_map_html", lambda *a, **k: order.append("map") or real_map(*a, **k))
    real_build = tm.build_graph

    def with_a_note(nodes, edges):  # a repair to report: one tie named twice
        return real_build(nodes, pd.concat([edges, edges.head(1)], ignore_index=True))

    monkeypatch.setattr(tm, "build_graph", with_a_note)
    monkeypatch.setattr(decisions, "MAP_PEOPLE_MAX", 10)
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen", ties_view="people")
    assert order[:2] == ["map", "people"], order
    assert any("named more than once" in c.value or "merged" in c.value for c in at.caption), \
        [c.value for c in at.caption]
    order.clear()
    st.cache_data.clear()
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen", ties_view="organisations")
    assert order[:2] == ["map", "people"], order
    nodes, _ = map_records(map_data(iframe_html(at)))
    assert all("Members: " in n["title"] for n in nodes)
