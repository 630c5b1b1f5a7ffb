"""Faults (issue 7): a killed import, a read-only or full disk, an old schema, two writers at the same moment.

- Kill: a child process imports a 500,000-row ties file; it is SIGKILLed at several moments (while reading,
  as the write transaction starts, in the middle of the write, as the commit reaches the WAL). The store must
  open afterwards and hold exactly what it held before (``store.table_checksums``), or, if the kill came after
  the commit, the whole import; then the same file imports normally (it was not half-recorded).
- Disk: a read-only disk (a tmpfs remounted read-only, or ``chmod`` when not root) and a full disk (a tiny
  tmpfs). Mounting needs root: the tests skip with the reason when ``mount`` fails, except under ``CI=true``.
- Schema: a version-1 store with data in every table migrates to the current version with its data intact;
  a failing migration step leaves the previous version whole; a newer store is refused and left untouched.
- Two writers: two threads (each with its own cursor of one shared connection, as the app does) importing
  different files or the same file at the same moment; and two processes (DuckDB allows one writer process:
  the second is told the store is in use, and can retry).

App bugs are strict ``xfail`` tests (``test_bug_*``), each saying what happens and what should.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from analytics.demo.sample import write_participants_csv, write_ties_csv
from analytics.ingest import importer
from analytics.privacy import ensure_pseudonyms
from analytics.store import database as store
from analytics.store import notes
from analytics.store.db import rows, run, scalar

ROOT = Path(__file__).resolve().parent.parent
N_PEOPLE, N_TIES = 50_000, 500_000
#: Checksums that do not hold timestamps: the stored data itself.
DATA_TABLES = (*store.FACT_TABLES, "pseudonyms")


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True, text=True,
                          timeout=timeout, env=_env(), cwd=str(ROOT))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _checksums(path: Path, read_only: bool = False) -> dict:
    con = store.connect(path, read_only=read_only)
    try:
        return store.table_checksums(con)
    finally:
        con.close()


def _data(sums: dict) -> dict:
    return {t: sums[t] for t in DATA_TABLES}


# ------------------------------------------------------------------------------------------- kill mid-import


@pytest.fixture(scope="module")
def big_import(tmp_path_factory):
    """A store with 50,000 participants (the pristine copy), a 500,000-row ties file, and the checksums of the
    store before and after importing that file to the end."""
    work = tmp_path_factory.mktemp("kill")
    people = write_participants_csv(work / "participants.csv", N_PEOPLE, seed=11)
    ties = write_ties_csv(work / "ties.csv", N_PEOPLE, N_TIES, seed=11)
    pristine = work / "pristine.duckdb"
    con = store.connect(pristine)
    try:
        r = importer.import_file(con, people)
        assert r.status == "imported", r.message
        con.execute("CHECKPOINT").fetchall()
    finally:
        con.close()
    before = _checksums(pristine)
    whole_db = work / "whole.duckdb"
    shutil.copy(pristine, whole_db)
    con = store.connect(whole_db)
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        r = importer.import_file(con, ties, on_progress=lambda f, s: stages.setdefault(s, time.perf_counter() - t0))
        assert r.status == "imported" and r.rows_stored == N_TIES, r.message
        whole = store.table_checksums(con)
    finally:
        con.close()
    whole_db.unlink()
    # How long the phases took here: the kill moments are fractions of them.
    phases = {"read": stages["validated"] - stages["read"], "validated": stages["stored"] - stages["validated"]}
    return {"work": work, "ties": ties, "pristine": pristine, "before": before, "whole": whole, "phases": phases}


_CHILD = """
import sys
from analytics.ingest import importer
from analytics.privacy import ensure_pseudonyms
from analytics.store import database as store
con = store.connect(sys.argv[1])
print("connected", flush=True)
r = importer.import_file(con, sys.argv[2], on_progress=lambda f, s: print(s, flush=True))
print("done", r.status, flush=True)
"""


def _lines(proc: subprocess.Popen) -> queue.Queue:
    q: queue.Queue = queue.Queue()

    def pump():
        for line in proc.stdout:
            q.put(line.strip())
        q.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return q


def _wait_for(q: queue.Queue, stage: str, seen: list[str], timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while True:
        line = q.get(timeout=max(0.01, end - time.monotonic()))
        if line is None:
            raise AssertionError(f"the child ended before {stage!r}: {seen}")
        seen.append(line)
        if line == stage:
            return


def _wal(db: Path) -> int:
    wal = Path(str(db) + ".wal")
    return wal.stat().st_size if wal.exists() else -1


#: (stage the child reports, then the fraction of that phase to wait (reading+validating, or writing, as
#: measured in a full import), or "wal": kill as soon as the WAL grows after that stage, i.e. at the commit)
KILL_MOMENTS = [("read", 0.5), ("validated", 0.0), ("validated", 0.3), ("validated", 0.6), ("validated", 0.9),
                ("validated", "wal")]


def test_kill_during_an_import_leaves_the_store_as_it_was(big_import):
    b = big_import
    results = []
    for stage, after in KILL_MOMENTS:
        db = b["work"] / "killed.duckdb"
        for f in (db, Path(str(db) + ".wal")):
            f.unlink(missing_ok=True)
        shutil.copy(b["pristine"], db)
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(db), str(b["ties"])], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=_env(), cwd=str(ROOT),
                                start_new_session=True)
        seen: list[str] = []
        try:
            q = _lines(proc)
            _wait_for(q, stage, seen)
            t0 = time.monotonic()
            if after == "wal":
                start = _wal(db)
                while _wal(db) <= start and proc.poll() is None and time.monotonic() - t0 < 30:
                    time.sleep(0.0005)
            else:
                time.sleep(after * b["phases"][stage])
            waited = time.monotonic() - t0
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            while (line := q.get(timeout=5)) is not None:
                seen.append(line)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL, (proc.returncode, seen)
        # Restart: the store opens (and replays its WAL), holding either nothing of the import or all of it.
        after_sums = _checksums(db)
        committed = "stored" in seen
        if _data(after_sums) == _data(b["before"]) and after_sums["imports"][0] == b["before"]["imports"][0]:
            state = "as before"
            assert not committed, seen
        else:
            assert _data(after_sums) == _data(b["whole"]), f"half an import after a kill at {stage}+{after}"
            assert after_sums["imports"][0] == b["whole"]["imports"][0]
            state = "whole import"
        assert after_sums["settings"] == b["before"]["settings"] and after_sums["meeting_notes"] == (0, 0)
        results.append((f"{stage} + {after if after == 'wal' else f'{after:.0%} of the phase'}", f"{waited:.2f}",
                        seen[-1], state))
    print(f"\nphases of a full import here: {b['phases']}")
    print("kill moment                   waited  last stage seen  store after restart")
    for r in results:
        print(f"{r[0]:<29} {r[1]:>6}  {r[2]:<15}  {r[3]}")
    # The kills must have landed mid-import, not only after it (else this test would prove nothing).
    assert sum(r[3] == "as before" for r in results) >= 3, results

    # The same file then imports normally: nothing of the killed attempts was recorded.
    db = b["work"] / "killed.duckdb"
    if _data(_checksums(db)) != _data(b["before"]):
        shutil.copy(b["pristine"], db)
        Path(str(db) + ".wal").unlink(missing_ok=True)
    con = store.connect(db)
    try:
        r = importer.import_file(con, b["ties"])
        assert r.status == "imported" and r.rows_stored == N_TIES, r.message
        assert _data(store.table_checksums(con)) == _data(b["whole"])
    finally:
        con.close()


# ------------------------------------------------------------------------------------------- disks


@contextlib.contextmanager
def tmpfs(path: Path, size_mb: float):
    """A tmpfs of ``size_mb`` at ``path`` (root only). Skips with the reason when it cannot be mounted,
    except under CI=true, where it fails: there the disk tests must run."""
    path.mkdir(parents=True, exist_ok=True)
    size_kb = int(size_mb * 1024)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
                       capture_output=True, text=True)
    if r.returncode:
        reason = (f"cannot mount a {size_mb} MB tmpfs to simulate the disk ({r.stderr.strip() or 'mount failed'});"
                  " needs root (CAP_SYS_ADMIN)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True, capture_output=True)


BASE_PEOPLE = b"participant_id,name,network\nP1,Anouk,Rekenen\nP2,Bram,Rekenen\n"


def _small_store(db: Path) -> None:
    con = store.connect(db)
    try:
        r = importer.import_file(con, BASE_PEOPLE, file_name="people.csv")
        assert r.status == "imported", r.message
    finally:
        con.close()


@contextlib.contextmanager
def read_only_folder(tmp_path: Path):
    """A folder holding a small store that cannot be written: a tmpfs remounted read-only when we are root
    (root ignores file modes), else plain file modes."""
    if os.geteuid() == 0:
        with tmpfs(tmp_path / "ro", 8) as folder:
            _small_store(folder / "db.duckdb")
            _remount(folder, "ro")
            yield folder
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        _small_store(folder / "db.duckdb")
        (folder / "db.duckdb").chmod(0o444)
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_read_only_store_gives_a_clear_message_and_stays_readable(tmp_path):
    with read_only_folder(tmp_path) as folder:
        db = folder / "db.duckdb"
        sha = _sha(db)
        message = f"{db} cannot be written (read-only disk or no permission)."
        with pytest.raises(store.StoreError) as e:
            store.connect(db)
        assert str(e.value) == message
        out = _cli("import", str(ROOT / "tests" / "files" / "participants_comma.csv"), "--db", str(db))
        assert (out.returncode, out.stderr, out.stdout) == (2, f"error: {message}\n", "")
        # A new store in the read-only folder: the same message.
        with pytest.raises(store.StoreError, match=r"new\.duckdb cannot be written \(read-only disk"):
            store.connect(folder / "new.duckdb")
        # Still readable: what was stored can be shown.
        assert _checksums(db, read_only=True)["participants"][0] == 2
        assert _sha(db) == sha


def test_regression_store_in_a_new_folder_on_a_read_only_disk_gives_a_clear_message(tmp_path):
    with read_only_folder(tmp_path) as folder:
        db = folder / "data" / "netwerkleren.duckdb"
        out = _cli("import", str(ROOT / "tests" / "files" / "participants_comma.csv"), "--db", str(db))
        assert "Traceback" not in out.stderr, out.stderr[-600:]
        assert out.returncode == 2
        with pytest.raises(store.StoreError, match="cannot be written"):
            store.connect(db)


#: tmpfs sizes (MB) that run out at different points of a 300,000-row ties import into a 2 MB store.
FULL_DISK_SIZES_MB = [3, 8, 14]


def test_full_disk_during_an_import_keeps_the_store_whole(tmp_path):
    """Whatever point the disk fills up at, the store afterwards holds nothing of the import or all of it, and
    it opens again once there is room."""
    n_ties = 300_000
    ties = write_ties_csv(tmp_path / "ties.csv", 50_000, n_ties, seed=3)
    outcomes = []
    for size in FULL_DISK_SIZES_MB:
        with tmpfs(tmp_path / f"full{size}", size) as folder:
            db = folder / "db.duckdb"
            _small_store(db)
            before = _checksums(db)
            con = store.connect(db)
            try:
                r = importer.import_file(con, ties)
                outcome = r.status
            except duckdb.Error as e:
                outcome = f"raised {type(e).__name__}: {str(e).splitlines()[0][:90]}"
            finally:
                with contextlib.suppress(duckdb.Error):
                    con.close()
            _remount(folder, "size=256m")  # room again
            after = _checksums(db)
            if outcome == "imported":
                assert after["ties"][0] == n_ties and after["imports"][0] == before["imports"][0] + 1
            else:
                assert after == before, outcome
            outcomes.append((size, outcome))
    print("\n" + "\n".join(f"disk of {s} MB: {o}" for s, o in outcomes))
    # A full disk now comes back as a failed import with a message (it used to raise).
    assert any(o == "failed" for _, o in outcomes), "the disk never filled up: make the tmpfs smaller"
    assert not any(o.startswith("raised") for _, o in outcomes), outcomes


def test_regression_full_disk_import_gives_a_clear_message(tmp_path):
    ties = write_ties_csv(tmp_path / "ties.csv", 50_000, 300_000, seed=3)
    with tmpfs(tmp_path / "full", FULL_DISK_SIZES_MB[0]) as folder:
        db = folder / "db.duckdb"
        _small_store(db)
        out = _cli("import", str(ties), "--db", str(db))
        assert "Traceback" not in out.stderr, out.stderr[-800:]
        assert out.returncode in (1, 2) and "error:" in out.stderr
        con = store.connect(db)
        try:
            r = importer.import_file(con, ties)
        finally:
            with contextlib.suppress(duckdb.Error):
                con.close()
        assert r.status == "failed" and "space" in (r.message or "")


def test_regression_connect_on_a_full_disk_gives_a_clear_message(tmp_path):
    with tmpfs(tmp_path / "full", 8) as folder:
        db = folder / "db.duckdb"
        _small_store(db)
        filler = folder / "filler"
        with filler.open("wb") as f, contextlib.suppress(OSError):
            while True:
                f.write(b"\0" * (1 << 16))
        with pytest.raises(store.StoreError, match="space|full"):
            store.connect(db)


# ------------------------------------------------------------------------------------------- schema versions


def _v1_store(path: Path) -> dict:
    """A store as version 1 of this program left it, with data in every table; returns its checksums.

    The data is imported by today's importer into a throwaway store, then the columns version 1 had are copied
    into a file with version 1's schema (today's importer writes columns version 1 did not have)."""
    files = {
        "people.csv": b"participant_id,name,network,organisation,role\nP1,Anouk,Rekenen,A,teacher\n"
                      b"P2,Bram,Rekenen,B,student_teacher\nP3,Cas,Rekenen,A,coach\n",
        "events.csv": b"network,date,label\nRekenen,2025-01-15,Studiedag\n",
        "dims.csv": b"network,date,participant_id,1a (0-10),1b (0-10)\nRekenen,2025-01-10,P1,4,5\n"
                    b"Rekenen,2025-01-10,P2,6,7\n",
        "values.csv": b"network,participant_id,date,cycle\nRekenen,P1,2025-01-10,applied\n",
        "ties.csv": b"network,source,target,date\nRekenen,P1,P2,2025-01-10\nRekenen,P2,Dr. X,2025-01-10\n",
    }
    today = store.connect(":memory:")
    try:
        store.set_period_scheme(today, "school-half-year")
        for name, data in files.items():
            r = importer.import_file(today, data, file_name=name)
            assert r.status == "imported", r.message
        ensure_pseudonyms(today)
        old_tables = (*store.FACT_TABLES, "imports", "pseudonyms", "settings")
        con = duckdb.connect(str(path))
        try:
            run(con, "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
            for stmt in store.MIGRATIONS[1]:
                run(con, stmt)
            run(con, "INSERT INTO schema_version VALUES (1, current_timestamp)")
            for t in old_tables:
                cols = [r[0] for r in rows(con, "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                                "ORDER BY column_index", [t])]
                con.register("rows_today", today.execute(f"SELECT {', '.join(map(_quoted, cols))} FROM {t}").df())
                run(con, f"INSERT INTO {t} SELECT * FROM rows_today")
                con.unregister("rows_today")
            for _ in range(len(files)):
                run(con, "SELECT nextval('import_ids')")
            assert store.schema_version(con) == 1
            tables = {r[0] for r in rows(con, "SELECT table_name FROM information_schema.tables")}
            assert "meeting_notes" not in tables and "live_rounds" not in tables
            sums = {t: tuple(rows(con, f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {t} t")[0])
                    for t in old_tables}
        finally:
            con.close()
    finally:
        today.close()
    return sums


def _quoted(name: str) -> str:
    return '"' + name + '"'


def _old_checksums(con, v1: dict) -> dict:
    """Checksums of the old tables over the columns version 1 had (newer versions add empty columns)."""
    out = {}
    for t in v1:
        cols = ", ".join(_quoted(c) for c in V1_COLUMNS[t]) if t in V1_COLUMNS else "*"
        out[t] = tuple(rows(con, f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM (SELECT {cols} FROM {t}) t")[0])
    return out


#: Columns version 1 had, of the tables that later versions widened.
V1_COLUMNS = {"participants": ["import_id", "row_number", "participant_id", "name", "network", "organisation", "role",
                               "role_label", "joined", "left", "external"]}


def test_version_1_store_with_data_migrates_to_the_current_version(tmp_path):
    path = tmp_path / "v1.duckdb"
    v1 = _v1_store(path)
    assert all(n for n, _ in v1.values()), v1
    con = store.connect(path)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert [r[0] for r in rows(con, "SELECT version FROM schema_version ORDER BY 1")] == list(
            range(1, store.SCHEMA_VERSION + 1))
        assert _old_checksums(con, v1) == v1  # every row of every old table, unchanged
        assert scalar(con, "SELECT count(*) FROM participants WHERE email IS NOT NULL OR identified_by IS NOT NULL") \
            == 0  # the columns version 4 added are empty
        assert store.period_scheme(con) == "school-half-year"
        # What the newer versions brought works on the old data.
        notes.add(con, "Rekenen", "2025-02-01", "Lunch weer samen", None)
        assert scalar(con, "SELECT count(*) FROM live_rounds") == 0
        r = importer.import_file(con, b"network,source,target,date\nRekenen,P3,P1,2025-03-01\n", file_name="t2.csv")
        assert r.status == "imported" and r.import_id == 6, r.message
        assert store.undo_import(con, 1)["participants"] == 3
    finally:
        con.close()


def test_a_failing_migration_step_leaves_the_previous_version_whole(tmp_path, monkeypatch):
    path = tmp_path / "v1.duckdb"
    v1 = _v1_store(path)
    broken = {**store.MIGRATIONS, 3: [*store.MIGRATIONS[3], "SELECT error('disk trouble')"]}
    monkeypatch.setattr(store, "MIGRATIONS", broken)
    with pytest.raises(store.StoreError, match="disk trouble"):
        store.connect(path)
    monkeypatch.undo()
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert store.schema_version(con) == 2  # step 2 committed, step 3 rolled back as a whole
        tables = {r[0] for r in rows(con, "SELECT table_name FROM information_schema.tables")}
        assert "meeting_notes" in tables and not tables & {"live_rounds", "live_tokens", "live_responses"}
    finally:
        con.close()
    con = store.connect(path)  # the next start finishes the job
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert _old_checksums(con, v1) == v1
    finally:
        con.close()


def test_newer_store_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "new.duckdb"
    con = store.connect(path)
    try:
        importer.import_file(con, BASE_PEOPLE, file_name="people.csv")
        run(con, "INSERT INTO schema_version VALUES (?, current_timestamp)", [store.SCHEMA_VERSION + 1])
        run(con, "CHECKPOINT")
    finally:
        con.close()
    sha = _sha(path)
    message = (f"this database has schema version {store.SCHEMA_VERSION + 1}, newer than this program "
               f"({store.SCHEMA_VERSION}); update Netwerkleren Monitor")
    out = _cli("imports", "--db", str(path))
    assert (out.returncode, out.stderr) == (2, f"error: {message}\n")
    with pytest.raises(store.StoreError) as e:
        store.connect(path)
    assert str(e.value) == message
    assert _sha(path) == sha and not Path(str(path) + ".wal").exists()


def test_regression_refused_store_is_released(tmp_path):
    path = tmp_path / "new.duckdb"
    con = store.connect(path)
    try:
        run(con, "INSERT INTO schema_version VALUES (?, current_timestamp)", [store.SCHEMA_VERSION + 1])
    finally:
        con.close()
    with pytest.raises(store.StoreError, match="newer than this program") as e:
        store.connect(path)
    out = _cli("imports", "--db", str(path))
    assert "in use by another program" not in out.stderr, (str(e.value), out.stderr)


# ------------------------------------------------------------------------------------------- two writers


@pytest.fixture(scope="module")
def tie_files(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("writers")
    return {
        "people": write_participants_csv(work / "people.csv", 20_000, seed=5),
        "a": write_ties_csv(work / "ties_a.csv", 20_000, 100_000, seed=5),
        "b": write_ties_csv(work / "ties_b.csv", 20_000, 100_000, seed=6),
        "c": write_ties_csv(work / "ties_c.csv", 20_000, 100_000, seed=7),
    }


def _at_once(con, files: list[Path]) -> list[importer.ImportReport]:
    """Import ``files`` from one thread each, released together; each thread has its own cursor."""
    barrier = threading.Barrier(len(files))
    reports: list = [None] * len(files)

    def go(i: int, f: Path) -> None:
        cur = con.cursor()
        try:
            barrier.wait(timeout=30)
            reports[i] = importer.import_file(cur, f)
        except BaseException as e:  # noqa: BLE001 - reported below
            reports[i] = e
        finally:
            cur.close()

    threads = [threading.Thread(target=go, args=(i, f)) for i, f in enumerate(files)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an import hung"
    assert not [r for r in reports if isinstance(r, BaseException)], reports
    return reports


def test_two_threads_import_different_files_and_the_same_file_at_once(tie_files, tmp_path):
    con = store.connect(tmp_path / "threads.duckdb")
    try:
        assert importer.import_file(con, tie_files["people"]).status == "imported"
        ext = scalar(con, "SELECT count(*) FROM participants WHERE external")
        # Different files: both land whole, each under its own import.
        a, b = _at_once(con, [tie_files["a"], tie_files["b"]])
        assert (a.status, b.status) == ("imported", "imported")
        assert {a.import_id, b.import_id} == {2, 3}
        # The same file twice: one lands, the other is told it is a duplicate of that one.
        c1, c2 = _at_once(con, [tie_files["c"], tie_files["c"]])
        assert sorted([c1.status, c2.status]) == ["duplicate", "imported"]
        first = c1 if c1.status == "imported" else c2
        assert (c2 if first is c1 else c1).duplicate_of == first.import_id == 4
        # Four at once, all seen before: nothing is added.
        before = store.table_checksums(con)
        again = _at_once(con, [tie_files[k] for k in ("a", "b", "c", "a")])
        assert [r.status for r in again] == ["duplicate"] * 4
        assert store.table_checksums(con) == before
        # Nothing lost, nothing doubled.
        assert rows(con, """SELECT i.file_name, i.rows_imported, (SELECT count(*) FROM ties t
                                                                   WHERE t.import_id = i.import_id)
                            FROM imports i WHERE kind = 'ties' ORDER BY 1""") == [
            ("ties_a.csv", 100_000, 100_000), ("ties_b.csv", 100_000, 100_000), ("ties_c.csv", 100_000, 100_000)]
        assert scalar(con, "SELECT count(*) FROM ties") == 300_000
        assert scalar(con, "SELECT count(*) - count(DISTINCT participant_id) FROM people") == 0
        assert scalar(con, "SELECT count(*) FROM participants WHERE external") > ext
    finally:
        con.close()


_HOLDER = """
import sys, time
from analytics.ingest import importer
from analytics.privacy import ensure_pseudonyms
from analytics.store import database as store
con = store.connect(sys.argv[1])
print("open", flush=True)
r = importer.import_file(con, sys.argv[2])
print("done", r.status, flush=True)
sys.stdin.readline()  # keep the store open until told to stop
"""


def test_a_second_process_is_told_the_store_is_in_use_and_can_retry(tie_files, tmp_path):
    db = tmp_path / "procs.duckdb"
    con = store.connect(db)
    try:
        assert importer.import_file(con, tie_files["people"]).status == "imported"
    finally:
        con.close()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(db), str(tie_files["a"])], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=str(ROOT))
    try:
        assert holder.stdout.readline().strip() == "open"
        message = (f"{db} is in use by another program (is the app running?). Import through the app's Data "
                   "page, or stop the app first.")
        # While the first process imports: the second is refused with a clear message, not a corrupt store.
        out = _cli("import", str(tie_files["b"]), "--db", str(db))
        assert (out.returncode, out.stderr) == (2, f"error: {message}\n")
        with pytest.raises(store.StoreError) as e:
            store.connect(db)
        assert str(e.value) == message
        with pytest.raises(store.StoreError, match="in use by another program"):
            store.connect(db, read_only=True)
        assert holder.stdout.readline().strip() == "done imported"
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0, holder.stderr.read()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    # Retry: now it lands; nothing lost, nothing doubled.
    out = _cli("import", str(tie_files["b"]), str(tie_files["a"]), "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert "= ties_a.csv: already imported (import 2); nothing added" in out.stdout
    con = store.connect(db, read_only=True)
    try:
        assert rows(con, "SELECT import_id, file_name FROM imports WHERE kind = 'ties' ORDER BY 1") == [
            (2, "ties_a.csv"), (3, "ties_b.csv")]
        assert rows(con, "SELECT import_id, count(*) FROM ties GROUP BY 1 ORDER BY 1") == [(2, 100_000), (3, 100_000)]
    finally:
        con.close()
