"""Pseudonyms: stable, role-lettered, never renumbered; small groups suppressed."""

from __future__ import annotations

import pandas as pd

from analytics import privacy
from analytics.ingest import importer
from analytics.store.db import rows


def _people(tmp_path, name, lines):
    p = tmp_path / name
    p.write_text("participant_id,name,role\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_codes_by_role_and_stable_when_people_are_added(con, tmp_path):
    importer.import_file(con, _people(tmp_path, "a.csv", ["P2,Bram,teacher", "P1,Anouk,teacher", "P3,Chris,student"]))
    first = dict(rows(con, "SELECT participant_id, code FROM pseudonyms"))
    assert first == {"P1": "T-001", "P2": "T-002", "P3": "S-001"}
    importer.import_file(con, _people(tmp_path, "b.csv", ["P0,Aaron,teacher", "P4,Dana,onderzoeker"]))
    after = dict(rows(con, "SELECT participant_id, code FROM pseudonyms"))
    assert {k: after[k] for k in first} == first  # nobody renumbered
    assert after["P0"] == "T-003" and after["P4"] == "R-001"


def test_more_than_999_codes_do_not_collide(con, tmp_path):
    lines = [f"P{i:05d},Naam {i},teacher" for i in range(1200)]
    importer.import_file(con, _people(tmp_path, "many.csv", lines))
    codes = [r[0] for r in rows(con, "SELECT code FROM pseudonyms")]
    assert len(codes) == len(set(codes)) == 1200
    assert "T-1200" in codes and "T-100" in codes


def test_name_map_switches_between_names_and_codes(con, tmp_path):
    importer.import_file(con, _people(tmp_path, "a.csv", ["P1,Émile Çelik,teacher"]))
    assert privacy.name_map(con, False).set_index("participant_id")["label"]["P1"] == "Émile Çelik"
    assert privacy.name_map(con, True).set_index("participant_id")["label"]["P1"] == "T-001"


def test_suppress_small_groups():
    df = pd.DataFrame({"n": [2, 3, 10], "mean": [0.1, 0.2, 0.3]})
    out = privacy.suppress_small(df, 3)
    assert out["mean"].isna().tolist() == [True, False, False]
    assert out["suppressed"].tolist() == [True, False, False]


def test_public_ids_replace_every_node_id_including_outside_people(con, tmp_path):
    import networkx as nx

    from analytics.measures import ties as tq

    importer.import_file(con, _people(tmp_path, "a.csv", ["P1,Anouk Smit,teacher", "P2,Bram Bos,student"]))
    ties = tmp_path / "ties.csv"
    ties.write_text("network,source,target,date\nA,P1,P2,2025-03-01\nA,P2,Dr. Vera Kuiper (lector),2025-03-01\n",
                    encoding="utf-8")
    assert importer.import_file(con, ties).status == "imported"
    G, _ = tq.graph(con, tq.TieFilters(network="A"), pseudonymise=True)
    assert "Dr. Vera Kuiper (lector)" in G  # the outside person's id is the name the survey gave
    P = privacy.graph_with_codes(G, privacy.code_mapping(G.nodes, privacy.public_ids(con)))
    assert sorted(P.nodes) == ["S-001", "T-001", "X-001"]
    assert set(P.edges) == {("T-001", "S-001"), ("S-001", "X-001")}
    assert P.nodes["X-001"]["label"] == "X-001" and P.nodes["T-001"]["organisation"] == G.nodes["P1"]["organisation"]
    # a node without a code, or a clash, gets a placeholder: no raw id survives
    H = nx.DiGraph([("a", "b"), ("b", "c")])
    assert sorted(privacy.graph_with_codes(H, privacy.code_mapping(H.nodes, {"a": "T-001", "b": "T-001"})).nodes) == [
        "?1", "?2", "T-001"]
    assert sorted(privacy.graph_with_codes(H, {"a": "T-001"}).nodes) == ["?1", "?2", "T-001"]  # b, c uncoded


def test_free_text_names_become_codes_in_stories_and_on_the_time_axis(con, tmp_path):
    from analytics.measures import timeline
    from analytics.measures import value_creation as vc
    from analytics.store import notes

    importer.import_file(con, _people(tmp_path, "a.csv", ["P1,Renée de Haan,teacher", "P2,Bo,teacher"]))
    values = tmp_path / "v.csv"
    values.write_text("network,participant_id,date,cycle,description,evidence\n"
                      "A,P1,2025-03-01,applied,Samen met renée de haan de les gegeven,Verslag van Renée de Haan\n"
                      "A,P2,2025-03-01,immediate,Bo vond het leuk,\n", encoding="utf-8")
    assert importer.import_file(con, values).status == "imported"
    s = vc.stories(con, pseudonymise=True).set_index("participant")
    assert s.loc["T-001", "description"] == "Samen met T-001 de les gegeven"
    assert s.loc["T-001", "evidence"] == "Verslag van T-001"
    assert s.loc["T-002", "description"] == "Bo vond het leuk"  # names under 4 letters are left alone
    assert "Verslag van Renée de Haan" in vc.stories(con, pseudonymise=False)["evidence"].tolist()
    notes.add(con, "A", "2025-03-10", "Renée de Haan bracht de casus in", None)
    assert timeline.events(con, ("A",), pseudonymise=True)["label"].tolist() == ["¶ T-001 bracht de casus in"]
    assert "Renée de Haan" in timeline.events(con, ("A",))["label"].iloc[0]


def test_name_scrubber_whole_names_longest_first_with_punctuation(con, tmp_path):
    importer.import_file(con, _people(tmp_path, "a.csv", [
        "P1,Anouk Smit,teacher", "P2,Anouk Smit-Jansen,teacher", "P3,Dr. A. Bakker (lector),expert",
        "P4,Anouk van 't Hof,student", "P5,Smit,teacher"]))
    scrub = privacy.NameScrubber(con, True)
    codes = dict(rows(con, "SELECT participant_id, code FROM pseudonyms"))
    assert scrub("Anouk Smit-Jansen en ANOUK SMIT") == f"{codes['P2']} en {codes['P1']}"
    assert scrub("Gesprek met Dr. A. Bakker (lector).") == f"Gesprek met {codes['P3']})."
    assert scrub("anouk van 't hof, en Anouk  van 't Hof") == f"{codes['P4']}, en {codes['P4']}"
    assert scrub("Smitse Smit") == f"Smitse {codes['P5']}"  # whole words only
    assert scrub(None) == "" and privacy.NameScrubber(con, False)("Anouk Smit") == "Anouk Smit"
