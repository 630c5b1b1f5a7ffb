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
