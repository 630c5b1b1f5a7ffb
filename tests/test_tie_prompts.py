"""The questions a tie map raises, on small hand-made graphs whose measures are worked out by hand.

A tie ``a -> b`` means a learns from b, so b's in-degree grows. Betweenness is directed and normalised by
(n - 1)(n - 2). The cross-organisation share counts ties whose two ends both have a known organisation.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from analytics.measures.network import build_graph, measure_all
from analytics.measures.prompts import BROKER_BETWEENNESS, FACILITATOR_SHARE, INWARD_SHARE, prompts


def graph(people: dict[str, tuple], ties: list[tuple[str, str]]):
    """people: id -> (organisation, role[, external]). Returns (G, summary, people frame, prompts)."""
    nodes = pd.DataFrame({
        "participant_id": list(people),
        "label": [f"Naam {p}" for p in people],
        "organisation": [v[0] for v in people.values()],
        "role": [v[1] for v in people.values()],
        "external": [v[2] if len(v) > 2 else False for v in people.values()],
    })
    edges = pd.DataFrame({"source": [a for a, _ in ties], "target": [b for _, b in ties]})
    G, warnings = build_graph(nodes, edges)
    assert warnings == []
    summary, person_df = measure_all(G)
    return G, summary, person_df, prompts(G, summary, person_df)


def complete(ids: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in itertools.permutations(ids, 2)]


def codes(ps: list[dict]) -> list[str]:
    return [p["code"] for p in ps]


def test_thresholds():
    assert (FACILITATOR_SHARE, INWARD_SHARE, BROKER_BETWEENNESS) == (0.3, 0.2, 0.15)


def test_a_balanced_graph_raises_no_question():
    # everybody learns from everybody (12 ties): no isolate, one component, betweenness 0 everywhere,
    # 8 of 12 ties across the two schools, no coach, no students
    people = {"a": ("X", "teacher"), "b": ("X", "teacher"), "c": ("Y", "teacher"), "d": ("Y", "teacher")}
    _, summary, person_df, ps = graph(people, complete(list(people)))
    assert summary["cross_organisation_share"] == pytest.approx(8 / 12)
    assert person_df["betweenness"].max() == 0.0
    assert ps == []


def test_too_small_or_empty_graphs_raise_nothing():
    _, _, _, ps = graph({"a": ("X", "teacher"), "b": ("X", "teacher")}, [("a", "b"), ("b", "a")])
    assert ps == []  # fewer than three people
    _, _, _, ps = graph({"a": ("X", "t"), "b": ("X", "t"), "c": ("X", "t")}, [])
    assert ps == []  # no ties at all (three isolates, but nothing to discuss yet)


def test_isolates():
    # the balanced four plus e, a member without any tie, and f, an outsider without any tie (not counted)
    people = {"a": ("X", "teacher"), "b": ("X", "teacher"), "c": ("Y", "teacher"), "d": ("Y", "teacher"),
              "e": ("Y", "teacher"), "f": (None, None, True)}
    _, summary, _, ps = graph(people, complete(["a", "b", "c", "d"]))
    assert summary["isolates"] == ["e", "f"]
    assert ps == [{"code": "isolates", "n": 1}]


def test_facilitator():
    # t1 <-> t2, t3 <-> t4, t1 <-> t3, t2 <-> t4 (a square, both ways) and every teacher -> coach c.
    # in-degree: c 4, each teacher 2; total 12; coach share 4/12 = 1/3 >= .3 and c is the top.
    # betweenness: the square's opposite pairs (t1,t4), (t4,t1) have two paths, via t2 or t3 (.5 each):
    # t2 gets 2 * .5 = 1 -> 1/((5-1)(5-2)) = 1/12 < .15; c passes nothing on. Ties across: 8 of 12.
    people = {"c": ("Z", "coach"), "t1": ("X", "teacher"), "t2": ("X", "teacher"), "t3": ("Y", "teacher"),
              "t4": ("Y", "teacher")}
    square = [("t1", "t2"), ("t2", "t1"), ("t3", "t4"), ("t4", "t3"), ("t1", "t3"), ("t3", "t1"), ("t2", "t4"),
              ("t4", "t2")]
    _, summary, person_df, ps = graph(people, square + [(t, "c") for t in ("t1", "t2", "t3", "t4")])
    assert person_df.set_index("participant_id")["betweenness"].to_dict() == pytest.approx(
        {"c": 0.0, "t1": 1 / 12, "t2": 1 / 12, "t3": 1 / 12, "t4": 1 / 12})
    assert summary["cross_organisation_share"] == pytest.approx(8 / 12)
    assert ps == [{"code": "facilitator", "share": pytest.approx(100 / 3)}]


def test_no_facilitator_when_a_teacher_is_asked_most():
    # coaches c1, c2 get 2 each, teacher t1 gets 3 (the top); total 2 + 2 + 3 + 1 = 8 ->
    # coach share 4/8 = .5 >= .3, but the top is not a coach
    people = {"c1": ("X", "coach"), "c2": ("Y", "coach"), "t1": ("X", "teacher"), "t2": ("Y", "teacher"),
              "t3": ("Y", "teacher")}
    ties = [("t2", "c1"), ("t3", "c1"), ("t2", "c2"), ("t3", "c2"), ("t2", "t1"), ("t3", "t1"), ("c1", "t1"),
            ("t1", "t2")]
    _, _, person_df, ps = graph(people, ties)
    assert person_df.set_index("participant_id")["in_degree"].to_dict() == {
        "c1": 2, "c2": 2, "t1": 3, "t2": 1, "t3": 0}
    assert "facilitator" not in codes(ps)


def test_no_facilitator_below_the_share():
    # everybody learns from everybody among four teachers (in-degree 3 each) plus all four -> coach (4):
    # coach share 4/16 = .25 < .3, although the coach is the top
    people = {"c": ("Z", "coach"), "t1": ("X", "teacher"), "t2": ("X", "teacher"), "t3": ("Y", "teacher"),
              "t4": ("Y", "teacher")}
    ties = complete(["t1", "t2", "t3", "t4"]) + [(t, "c") for t in ("t1", "t2", "t3", "t4")]
    _, _, _, ps = graph(people, ties)
    assert "facilitator" not in codes(ps)


def test_clusters():
    # two triangles, each complete both ways, with no tie between them; 4 of 6 ties across in each
    people = {"a": ("X", "teacher"), "b": ("Y", "teacher"), "c": ("X", "teacher"),
              "d": ("X", "teacher"), "e": ("Y", "teacher"), "f": ("Y", "teacher")}
    _, summary, person_df, ps = graph(people, complete(["a", "b", "c"]) + complete(["d", "e", "f"]))
    assert summary["weak_components"] == 2
    assert summary["cross_organisation_share"] == pytest.approx(8 / 12)
    assert person_df["betweenness"].max() == 0.0
    assert ps == [{"code": "clusters", "n": 2}]


def test_clusters_ignore_isolated_people():
    # one triangle plus an isolate: two components, but only one with ties -> an isolate, no clusters
    people = {"a": ("X", "teacher"), "b": ("Y", "teacher"), "c": ("X", "teacher"), "d": ("Y", "teacher")}
    _, summary, _, ps = graph(people, complete(["a", "b", "c"]))
    assert summary["weak_components"] == 2
    assert codes(ps) == ["isolates"]


def test_brokers():
    # a <-> b <-> c: b lies on the only paths a -> c and c -> a: 2 / ((3-1)(3-2)) = 1.0; all ties across
    people = {"a": ("X", "teacher"), "b": ("Y", "teacher"), "c": ("X", "teacher")}
    _, _, person_df, ps = graph(people, [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")])
    assert person_df.set_index("participant_id")["betweenness"].to_dict() == {"a": 0.0, "b": 1.0, "c": 0.0}
    assert ps == [{"code": "brokers", "n": 1}]


def test_two_brokers_on_a_chain():
    # a <-> b <-> c <-> d: b on a-c, a-d, c-a, d-a (4), c likewise: 4 / ((4-1)(4-2)) = 2/3 each; a, d 0
    people = {"a": ("X", "teacher"), "b": ("Y", "teacher"), "c": ("X", "teacher"), "d": ("Y", "teacher")}
    chain = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("c", "d"), ("d", "c")]
    _, _, person_df, ps = graph(people, chain)
    assert person_df["betweenness"].tolist() == pytest.approx([0.0, 2 / 3, 2 / 3, 0.0])
    assert ps == [{"code": "brokers", "n": 2}]


def test_inward():
    # four colleagues of one school, everybody learns from everybody: 0 of 12 ties across
    people = {p: ("X", "teacher") for p in ("a", "b", "c", "d")}
    _, summary, _, ps = graph(people, complete(list(people)))
    assert summary["cross_organisation_share"] == 0.0
    assert ps == [{"code": "inward", "share": 0.0}]


def test_inward_threshold():
    # school X: a b c d, all 12 ties among them; e (school Y) is asked by a, b, c: 3 of 15 ties across = .2,
    # which is not below .2. Betweenness: d -> e has three paths (via a, b or c): 1/3 each / 12 < .15.
    people = {"a": ("X", "teacher"), "b": ("X", "teacher"), "c": ("X", "teacher"), "d": ("X", "teacher"),
              "e": ("Y", "teacher")}
    inner = complete(["a", "b", "c", "d"])
    _, summary, person_df, ps = graph(people, inner + [("a", "e"), ("b", "e"), ("c", "e")])
    assert summary["cross_organisation_share"] == pytest.approx(0.2)
    assert person_df["betweenness"].max() == pytest.approx(1 / 36)
    assert ps == []
    # only a and b ask e: 2 of 14 = .1429 < .2
    _, summary, _, ps = graph(people, inner + [("a", "e"), ("b", "e")])
    assert ps == [{"code": "inward", "share": pytest.approx(200 / 14)}]


def test_unknown_organisations_are_not_inward():
    # nobody's school is known: the share is unknown (None), not zero
    people = {p: (None, "teacher") for p in ("a", "b", "c", "d")}
    _, summary, _, ps = graph(people, complete(list(people)))
    assert summary["cross_organisation_share"] is None
    assert ps == []


def test_students_at_the_edge():
    # t1 <-> t2; s1 and s2 each ask t1 and t2; s1 <-> s2.
    # in-degree: t1 3 (t2, s1, s2), t2 3; s1 1, s2 1 -> students' mean 1 < half the teachers' mean 3.
    # Nobody passes anything on (teachers never reach students): betweenness 0. Across: 6 of 8.
    people = {"t1": ("X", "teacher"), "t2": ("Y", "teacher"), "s1": ("X", "student_teacher"),
              "s2": ("Y", "student_teacher")}
    ties = [("t1", "t2"), ("t2", "t1"), ("s1", "t1"), ("s1", "t2"), ("s2", "t1"), ("s2", "t2"), ("s1", "s2"),
            ("s2", "s1")]
    _, summary, person_df, ps = graph(people, ties)
    assert person_df["betweenness"].max() == 0.0
    assert summary["cross_organisation_share"] == pytest.approx(6 / 8)
    assert ps == [{"code": "students_edge", "students": 1.0, "teachers": 3.0}]


def test_students_not_at_the_edge():
    # as above but t1 and t2 also ask s1: students 2 (s1 3, s2 1) vs teachers 3: 2 >= 1.5, no question
    people = {"t1": ("X", "teacher"), "t2": ("Y", "teacher"), "s1": ("X", "student_teacher"),
              "s2": ("Y", "student_teacher")}
    ties = [("t1", "t2"), ("t2", "t1"), ("s1", "t1"), ("s1", "t2"), ("s2", "t1"), ("s2", "t2"), ("s1", "s2"),
            ("s2", "s1"), ("t1", "s1"), ("t2", "s1")]
    _, _, person_df, ps = graph(people, ties)
    assert person_df.set_index("participant_id")["in_degree"].to_dict() == {"s1": 3, "s2": 1, "t1": 3, "t2": 3}
    assert "students_edge" not in codes(ps)


def test_one_student_is_too_few_to_compare():
    # a single student nobody asks, three teachers asking each other: no students_edge question
    people = {"t1": ("X", "teacher"), "t2": ("Y", "teacher"), "t3": ("X", "teacher"), "s1": ("Y", "student_teacher")}
    ties = complete(["t1", "t2", "t3"]) + [("s1", "t1"), ("s1", "t2"), ("s1", "t3")]
    _, _, _, ps = graph(people, ties)
    assert "students_edge" not in codes(ps)


def test_several_questions_at_once():
    # two separate colleague pairs of one school each, a coach nobody asks, and an isolate:
    # isolates (coach + z), clusters (two pairs), inward (0 across)
    people = {"a": ("X", "teacher"), "b": ("X", "teacher"), "c": ("Y", "teacher"), "d": ("Y", "teacher"),
              "k": ("Z", "coach"), "z": ("Z", "teacher")}
    _, _, _, ps = graph(people, [("a", "b"), ("b", "a"), ("c", "d"), ("d", "c")])
    assert ps == [{"code": "isolates", "n": 2}, {"code": "clusters", "n": 2}, {"code": "inward", "share": 0.0}]
