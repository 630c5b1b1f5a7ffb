"""Pseudonyms: stable, role-lettered, never renumbered; small groups suppressed."""

from __future__ import annotations

import pandas as pd

from analytics import importer, privacy
from analytics.db import rows


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
    out = privacy.suppress_small(df, "n", ["mean"], 3)
    assert out["mean"].isna().tolist() == [True, False, False]
    assert out["suppressed"].tolist() == [True, False, False]
