"""Read-only where reading: the CLI's read commands open the store read-only and never rewrite the file.

The store is the demo data imported into a file, copied, and the copy (and its folder) made read-only.
Tests run as root in CI too, where chmod does not stop a write: so each test also checks that the file's
bytes and modification time are exactly as before (a read-write open rewrites about 28 KB each time).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from analytics import privacy
from analytics.cli import main as cli
from analytics.store import database as store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ro_src")
    db = folder / "demo.duckdb"
    files = [str(SAMPLE / n) for n in ("participants.csv", "ties.csv", "dimensions_nl.csv", "value_reports.csv",
                                       "events.csv")]
    assert cli.main(["import", *files, "--db", str(db)]) == 0
    return db


@pytest.fixture
def ro_db(demo_db, tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    db = folder / "demo.duckdb"
    shutil.copy(demo_db, db)
    db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    yield db
    folder.chmod(stat.S_IRWXU)
    db.chmod(stat.S_IRUSR | stat.S_IWUSR)


def _state(db: Path) -> tuple:
    st = db.stat()
    return hashlib.sha256(db.read_bytes()).hexdigest(), st.st_mtime_ns, sorted(p.name for p in db.parent.iterdir())


@pytest.mark.parametrize("argv", [
    ["imports", "--json"],
    ["metrics", "--json"],
    ["dimensions", "--json"],
    ["values", "--json"],
    ["validate", str(SAMPLE / "ties.csv"), "--json"],
])
def test_read_commands_leave_the_file_untouched(ro_db, argv, capsys):
    before = _state(ro_db)
    code = cli.main([*argv, "--db", str(ro_db)])
    out, err = capsys.readouterr()
    assert code in (0, 1), err  # validate says 1 when the demo file is already imported (duplicate) or has notes
    assert json.loads(out), out  # real output, not an empty answer
    assert _state(ro_db) == before


def test_report_reads_only(ro_db, tmp_path, capsys):
    before = _state(ro_db)
    out = tmp_path / "r.html"
    assert cli.main(["report", "--db", str(ro_db), "--out", str(out)]) == 0, capsys.readouterr().err
    assert out.stat().st_size > 10_000
    assert _state(ro_db) == before


def test_read_connection_refuses_writes(ro_db):
    con = store.connect_reader(ro_db)
    assert store.is_read_only(con)
    with pytest.raises(duckdb.Error):
        con.execute("INSERT INTO settings VALUES ('x', 'y')")


def test_codes_on_a_read_only_store_match_what_a_writer_stores(demo_db, tmp_path):
    """People without a code (a store from before codes were assigned at import) get, on a read-only
    connection, the same codes the next writer stores; nothing is written."""
    db = tmp_path / "nocodes.duckdb"
    shutil.copy(demo_db, db)
    con = store.connect(db)
    con.execute("DELETE FROM pseudonyms WHERE code IN (SELECT code FROM pseudonyms ORDER BY code DESC LIMIT 5)")
    con.close()
    before = _state(db)
    ro = store.connect_reader(db)
    read_only_codes = privacy.name_map(ro, True).set_index("participant_id")["label"].to_dict()
    ro.close()
    assert _state(db) == before
    rw = store.connect(db)
    stored = privacy.name_map(rw, True).set_index("participant_id")["label"].to_dict()
    assert read_only_codes == stored and "?" not in stored.values()


def test_missing_database_is_an_error_not_an_empty_store(tmp_path, capsys):
    assert cli.main(["metrics", "--db", str(tmp_path / "tpyo.duckdb")]) == 2
    assert "there is no database at" in capsys.readouterr().err
    assert not (tmp_path / "tpyo.duckdb").exists()
    assert os.listdir(tmp_path) == []
