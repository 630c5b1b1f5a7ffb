"""Tie dynamics on hand-made waves: Jaccard, new/kept/dropped, joined/left, shares with intervals."""

from __future__ import annotations

import networkx as nx
import pytest
from helpers import load

from analytics.measures import tie_dynamics as td


def test_jaccard_and_counts_on_hand_made_waves():
    a = {("a", "b"), ("b", "a"), ("a", "c")}
    b = {("a", "b"), ("c", "a"), ("b", "d")}
    out = td.compare_waves([("P1", a, {"a", "b", "c"}), ("P2", b, {"a", "b", "d"}), ("P3", set(), {"a"})])
    first = out.iloc[0].to_dict()
    # kept (a,b); new (c,a), (b,d); dropped (b,a), (a,c): 1 / 5 in the union
    assert first == {"period_from": "P1", "period_to": "P2", "ties_from": 3, "ties_to": 3, "kept": 1, "new": 2,
                     "dropped": 2, "jaccard": 0.2, "members_from": 3, "members_to": 3, "joined": 1, "left": 1}
    second = out.iloc[1]
    assert (second["kept"], second["dropped"], second["jaccard"], second["joined"], second["left"]) == (0, 3, 0.0, 0, 2)
    assert td.jaccard(set(), set()) == 1.0


def test_ego_table_counts_what_each_respondent_named():
    G = nx.DiGraph()
    G.add_node("a", external=False)
    G.add_node("b", external=False)
    G.add_node("x", external=True)
    G.add_edge("a", "b", weight=4.0)
    G.add_edge("b", "a", weight=1.0)
    G.add_edge("a", "x", weight=2.0)
    e = td.ego_table(G, strong_threshold=3.0).set_index("respondent")
    assert e.loc["a"].to_dict() == {"named": 2, "reciprocated": 1, "weak": 1, "outside": 1, "possible": 2}
    assert e.loc["b"].to_dict() == {"named": 1, "reciprocated": 1, "weak": 1, "outside": 0, "possible": 2}
    assert e.loc["x", "named"] == 0
    shares = td.share_intervals(e.reset_index().assign(period="P"), ["period"]).set_index("measure")
    # over named ties: reciprocated 2/3, weak 2/3, outside 1/3; density 3 / (3 * 2)
    assert shares.loc["reciprocity", "value"] == pytest.approx(2 / 3)
    assert shares.loc["outside_share", "value"] == pytest.approx(1 / 3)
    assert shares.loc["density", "value"] == pytest.approx(0.5)
    assert shares.loc["reciprocity", "n"] == 2 and shares.loc["density", "n"] == 3


PEOPLE = """participant_id,name,network,organisation,role,joined,left
A,Anouk Smit,R,School A,teacher,2024-09-01,
B,Bram Bos,R,School A,teacher,2024-09-01,
C,Cor Dijk,R,School B,teacher,2024-09-01,2025-01-31
D,Dirk Mol,R,School B,teacher,2025-02-01,
"""
TIES = """network,source,target,date,weight
R,A,B,2024-10-01,4
R,B,A,2024-10-01,4
R,A,C,2024-10-01,1
R,A,B,2025-03-01,4
R,D,A,2025-03-01,2
R,B,Expert X,2025-03-01,1
"""


def test_dynamics_from_the_store(con, tmp_path):
    load(con, tmp_path, "people.csv", PEOPLE)
    load(con, tmp_path, "ties.csv", TIES)
    d = td.dynamics(con, "R").iloc[0]
    # ties {AB, BA, AC} -> {AB, DA, B-Expert}: kept 1, new 2, dropped 2; C left, D joined (the expert is not
    # a member: people from outside show in the outside share, not in joined/left)
    assert (d["period_from"], d["period_to"], d["kept"], d["new"], d["dropped"]) == ("2024-H2", "2025-H1", 1, 2, 2)
    assert d["jaccard"] == pytest.approx(0.2)
    assert (d["members_from"], d["members_to"], d["joined"], d["left"]) == (3, 3, 1, 1)
    s = td.shares_over_time(con, "R")
    out = s[s["measure"] == "outside_share"].set_index("period")["value"]
    assert out.to_dict() == {"2024-H2": 0.0, "2025-H1": pytest.approx(1 / 3)}
    assert set(s["measure"]) == {"reciprocity", "weak_share", "outside_share", "density", "clustering",
                                 "degree_centralization"}
    assert s[s["measure"] == "clustering"]["ci_low"].isna().all()  # no resampling for structural measures
