"""Each tie type is its own network by default (a multiplex file is not one mixed graph), weak/strong only
from real frequency data (issue: slide-ready and never misleading by default).

The file imitates the classic multi-relation networks (Lazega's law firm: advice, friendship and co-work
among the same people; Krackhardt's high-tech managers: advice and friendship): the same people, three
relations, ties of one relation often repeated in another."""

from __future__ import annotations

import networkx as nx
import pytest
from helpers import load

from analytics.draw import tie_map
from analytics.measures import ties as tq
from analytics.measures.overview import latest_tie_measures
from analytics.views import tie_view

PEOPLE = "participant_id,name,network,organisation,role\n" + "".join(
    f"L{i},Lawyer {i},Firm,{'Boston' if i <= 3 else 'Hartford'},teacher\n" for i in range(1, 7))
#: advice 7 ties, friendship 4, cowork 5 (two of which repeat an advice tie)
TIES = {
    "advice": [(1, 2), (1, 3), (2, 3), (4, 3), (5, 3), (6, 1), (3, 1)],
    "friendship": [(1, 2), (2, 1), (4, 5), (5, 4)],
    "cowork": [(1, 2), (4, 3), (5, 6), (6, 5), (2, 6)],
}


def ties_csv(weight: bool) -> str:
    head = "network,source,target,date,tie_type" + (",weight" if weight else "") + "\n"
    body = "".join(f"Firm,L{s},L{d},2025-03-01,{tt}" + (",4" if weight else "") + "\n"
                   for tt, pairs in TIES.items() for s, d in pairs)
    return head + body


@pytest.fixture
def firm(con, tmp_path):
    load(con, tmp_path, "people.csv", PEOPLE)
    load(con, tmp_path, "ties.csv", ties_csv(weight=True))
    return con


def test_the_types_are_listed_with_the_most_common_first(firm):
    assert tq.tie_types(firm, "Firm") == ["advice", "cowork", "friendship"]


def test_each_type_is_its_own_network_with_the_density_networkx_gives(firm):
    recs = {r["tie_type"]: r for r in tq.metrics_table(firm, network="Firm")}
    assert set(recs) == {"advice", "friendship", "cowork"}
    for tt, pairs in TIES.items():
        G = nx.DiGraph()
        G.add_nodes_from(f"L{i}" for i in range(1, 7))
        G.add_edges_from((f"L{s}", f"L{d}") for s, d in pairs)
        assert recs[tt]["edges"] == len(pairs)
        assert recs[tt]["density"] == pytest.approx(nx.density(G))  # advice 7/30, friendship 4/30, cowork 5/30
        assert recs[tt]["reciprocity"] == pytest.approx(nx.overall_reciprocity(G))
    assert recs["advice"]["density"] == pytest.approx(7 / 30)


def test_all_types_together_only_when_asked_and_then_merged(firm):
    [combined] = tq.metrics_table(firm, network="Firm", tie_type=tq.ALL_TYPES)
    distinct = {(s, d) for pairs in TIES.values() for s, d in pairs}
    # advice 7; friendship adds 2->1, 4->5, 5->4 (1->2 is advice too); cowork adds 5->6, 6->5, 2->6
    assert combined["tie_type"] == "all" and combined["edges"] == len(distinct) == 13
    assert combined["density"] == pytest.approx(13 / 30)  # not the 16/30 of adding the rows up
    [one] = tq.metrics_table(firm, network="Firm", tie_type="friendship")
    assert one["tie_type"] == "friendship" and one["edges"] == 4


def test_the_overview_and_the_map_use_the_type_the_ties_page_opens_with(firm):
    latest = latest_tie_measures(firm).set_index("network")
    assert latest.loc["Firm", "tie_type"] == "advice"
    assert latest.loc["Firm", "density"] == pytest.approx(7 / 30)
    view = tie_view.tie_view(firm, "Firm")
    assert view.tie_type == "advice" and view.summary["edges"] == 7


def test_without_a_frequency_every_tie_is_drawn_alike(con, tmp_path):
    load(con, tmp_path, "people.csv", PEOPLE)
    load(con, tmp_path, "ties.csv", ties_csv(weight=False))
    assert not tq.frequency_known(con, "Firm")
    [rec] = tq.metrics_table(con, network="Firm", tie_type="advice")
    assert rec["strong_share"] is None and rec["weak_share"] is None
    view = tie_view.tie_view(con, "Firm")
    edge_items = [i for i in view.legend if i["kind"] == "edge"]
    assert [i["label"] for i in edge_items][0].startswith("Band (de gegevens zeggen niet hoe vaak")
    assert not any(i.get("dashes") for i in edge_items)
    assert '"dashes": true' not in view.html and tie_map.EDGE_STYLE["unmeasured"]["width"] == 1.5


def test_with_a_frequency_strong_and_weak_are_drawn(firm):
    assert tq.frequency_known(firm, "Firm")
    [rec] = tq.metrics_table(firm, network="Firm", tie_type="advice")
    assert rec["strong_share"] == 1.0  # every weight is 4 >= 3
    labels = [i["label"] for i in tie_view.tie_view(firm, "Firm").legend if i["kind"] == "edge"]
    assert "Sterke band" in labels and "Zwakke band" in labels


def test_metrics_json_gives_one_object_per_type_and_a_combined_one_only_when_asked(db_file, tmp_path, capsys):
    import json

    from analytics.cli import main as cli
    from analytics.store import database as store

    con = store.connect(db_file)
    load(con, tmp_path, "people.csv", PEOPLE)
    load(con, tmp_path, "ties.csv", ties_csv(weight=True))
    con.close()
    assert cli.main(["metrics", "--json", "--db", str(db_file)]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert sorted((r["network"], r["tie_type"], r["edges"]) for r in recs) == [
        ("Firm", "advice", 7), ("Firm", "cowork", 5), ("Firm", "friendship", 4)]
    assert cli.main(["metrics", "--json", "--db", str(db_file), "--tie-type", "all"]) == 0
    [combined] = json.loads(capsys.readouterr().out)
    assert (combined["tie_type"], combined["edges"]) == ("all", 13)


def test_metrics_without_betweenness_are_the_same_figures_but_the_top_brokers(firm):
    """The Ties page's table over periods shows no betweenness, so it does not compute it."""
    full = tq.metrics_table(firm, network="Firm")
    lean = tq.metrics_table(firm, network="Firm", with_betweenness=False)
    assert len(full) == len(lean) >= 2
    assert any(a["top_betweenness"] for a in full)  # someone brokers in at least one type
    for a, b in zip(full, lean, strict=True):
        assert b["top_betweenness"] == []
        drop = {"top_betweenness", "betweenness_sampled", "betweenness_sources"}
        assert {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}
