"""Meeting notes keep their history; they show as events on the time axis."""

from __future__ import annotations

import pytest

from analytics.measures import timeline
from analytics.store import database as store
from analytics.store import notes
from analytics.store.db import rows


def test_add_edit_remove_keeps_every_version(con):
    nid = notes.add(con, "Rekenen", "2025-03-10", "Lesbezoeken werkten goed", "Vaker samen voorbereiden")
    assert notes.edit(con, nid, date="2025-03-10", went_well="Lesbezoeken werkten heel goed",
                      differently="Vaker samen voorbereiden") == 2
    cur = notes.latest(con)
    assert cur["went_well"].tolist() == ["Lesbezoeken werkten heel goed"]
    notes.remove(con, nid)
    assert notes.latest(con).empty
    h = notes.history(con, nid)
    assert h["version"].tolist() == [1, 2, 3]
    assert h["went_well"].tolist()[0] == "Lesbezoeken werkten goed"
    assert h["deleted"].tolist() == [False, False, True]


def test_notes_filter_by_network_and_order(con):
    notes.add(con, "A", "2025-01-01", "eerste", None)
    notes.add(con, "B", "2025-02-01", "tweede", None)
    notes.add(con, "A", "2025-03-01", "derde", None)
    assert notes.latest(con, ("A",))["went_well"].tolist() == ["derde", "eerste"]
    assert len(notes.latest(con, limit=2)) == 2


@pytest.mark.parametrize("args,msg", [(("", "2025-01-01", "x", None), "network"),
                                      (("A", "31-02-2025", "x", None), "not a date"),
                                      (("A", "2025-01-01", " ", None), "some text"),
                                      (("A", "2025-01-01", "x" * 6000, None), "limited")])
def test_bad_notes_are_refused_and_nothing_stored(con, args, msg):
    before = store.table_checksums(con)
    with pytest.raises(notes.NoteError, match=msg):
        notes.add(con, *args)
    assert store.table_checksums(con) == before


def test_notes_are_events_on_the_time_axis(con):
    notes.add(con, "Rekenen", "2025-03-10", "Lunch weer samen", None)
    ev = timeline.events(con, ("Rekenen",))
    assert ev["label"].tolist() == ["¶ Lunch weer samen"]
    assert ev["period"].tolist() == ["2025-H1"]
    assert timeline.events(con, ("Andere",)).empty


def test_migration_from_version_1_adds_notes(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    for stmt in store.MIGRATIONS[1]:
        con.execute(stmt)
    con.execute("INSERT INTO schema_version VALUES (1, current_timestamp)")
    con.execute("INSERT INTO imports (import_id, file_name, content_hash, kind) VALUES (1, 'x.csv', 'h', 'ties')")
    con.close()
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    assert rows(con, "SELECT file_name FROM imports") == [("x.csv",)]
    notes.add(con, "A", "2025-01-01", "werkt", None)
    assert len(notes.latest(con)) == 1


def test_newer_database_is_refused(tmp_path):
    con = store.connect(tmp_path / "new.duckdb")
    con.execute("INSERT INTO schema_version VALUES (99, current_timestamp)")
    con.close()
    with pytest.raises(store.StoreError, match="newer than this program"):
        store.connect(tmp_path / "new.duckdb")


def test_a_half_note_reads_as_none_not_nan(con):
    # a live round's idea wall stores only "differently"; NaN would be truthy and break `text or ""`
    notes.add(con, "A", "2025-01-01", None, "Samen eten (7 stemmen)")
    notes.add(con, "A", "2025-02-01", "Goed gesprek", None)
    cur = notes.latest(con)
    assert cur["went_well"].tolist() == ["Goed gesprek", None]
    assert cur["differently"].tolist() == [None, "Samen eten (7 stemmen)"]
    assert [(r.went_well or r.differently or "")[:5] for r in cur.itertuples()] == ["Goed ", "Samen"]
