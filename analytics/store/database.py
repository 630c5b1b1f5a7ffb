"""The DuckDB store: one file, a versioned schema, one transaction per import, undo by import id.

Fact tables are append-only and carry the ``import_id`` that brought each row, so an undo removes exactly
that import's rows and nothing else. Views add the ``period`` of each row.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analytics.definitions import DIMENSION_NAMES_SETTING
from analytics.store import computed
from analytics.store.db import rows, run, scalar
from analytics.store.periods import DEFAULT_SCHEME, period_of

DEFAULT_DB = Path("data") / "netwerkleren.duckdb"
SCHEMA_VERSION = 7
FACT_TABLES = ("participants", "dimension_scores", "value_reports", "ties", "events")
#: The meeting loop's own records (networks, agreements, interventions): written by hand and versioned, but a
#: row that came with an import (the demo) carries its ``import_id``, so undoing that import removes it too.
LOOP_TABLES = ("network_info", "agreements", "interventions")
#: Tables with a time axis. Their ``period`` column is stored (computed at import from the wave label or the
#: date) so that filtering by period costs nothing; changing the period scheme recomputes it.
TIMED_TABLES = ("dimension_scores", "value_reports", "ties", "events")

#: Serialises writers inside one process (DuckDB allows one writer per file; this makes the second wait).
WRITE_LOCK = threading.RLock()

MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE imports (
            import_id INTEGER PRIMARY KEY,
            file_name VARCHAR NOT NULL,
            content_hash VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            source VARCHAR NOT NULL DEFAULT 'file',
            rows_read INTEGER NOT NULL DEFAULT 0,
            rows_imported INTEGER NOT NULL DEFAULT 0,
            rows_rejected INTEGER NOT NULL DEFAULT 0,
            details VARCHAR,
            imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            undone_at TIMESTAMP
        )""",
        "CREATE SEQUENCE import_ids START 1",
        """CREATE TABLE participants (
            import_id INTEGER NOT NULL, row_number INTEGER,
            participant_id VARCHAR NOT NULL, name VARCHAR, network VARCHAR, organisation VARCHAR,
            role VARCHAR, role_label VARCHAR, joined DATE, "left" DATE,
            external BOOLEAN NOT NULL DEFAULT false
        )""",
        """CREATE TABLE dimension_scores (
            import_id INTEGER NOT NULL, row_number INTEGER, response_id VARCHAR NOT NULL,
            framework VARCHAR NOT NULL DEFAULT 'dimensions',
            network VARCHAR NOT NULL, participant_id VARCHAR, date DATE, wave VARCHAR,
            situation VARCHAR NOT NULL DEFAULT 'current',
            indicator VARCHAR NOT NULL, raw DOUBLE NOT NULL, scale_min DOUBLE NOT NULL, scale_max DOUBLE NOT NULL,
            position DOUBLE NOT NULL, period VARCHAR
        )""",
        """CREATE TABLE value_reports (
            import_id INTEGER NOT NULL, row_number INTEGER,
            network VARCHAR NOT NULL, participant_id VARCHAR, date DATE, wave VARCHAR,
            cycle VARCHAR NOT NULL, indicator VARCHAR, description VARCHAR, evidence VARCHAR, period VARCHAR
        )""",
        """CREATE TABLE ties (
            import_id INTEGER NOT NULL, row_number INTEGER,
            network VARCHAR NOT NULL, source VARCHAR NOT NULL, target VARCHAR NOT NULL,
            date DATE, wave VARCHAR, tie_type VARCHAR, topic VARCHAR,
            weight DOUBLE NOT NULL DEFAULT 1, channel VARCHAR, period VARCHAR
        )""",
        """CREATE TABLE events (
            import_id INTEGER NOT NULL, row_number INTEGER,
            network VARCHAR, date DATE NOT NULL, label VARCHAR NOT NULL, period VARCHAR
        )""",
        """CREATE TABLE pseudonyms (
            participant_id VARCHAR PRIMARY KEY, code VARCHAR NOT NULL UNIQUE
        )""",
        "CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    ],
    # Meeting notes: the agreements a network makes. Every edit is a new version; nothing is overwritten.
    2: [
        """CREATE TABLE meeting_notes (
            note_id INTEGER NOT NULL, version INTEGER NOT NULL,
            network VARCHAR NOT NULL, date DATE NOT NULL,
            went_well VARCHAR, differently VARCHAR,
            deleted BOOLEAN NOT NULL DEFAULT false,
            written_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (note_id, version)
        )""",
        "CREATE SEQUENCE note_ids START 1",
    ],
    # Live collection in the meeting (analytics/live.py): rounds, participant tokens (hashed), answers.
    3: [
        """CREATE TABLE live_rounds (
            round_id VARCHAR PRIMARY KEY,
            network VARCHAR NOT NULL,
            title VARCHAR,
            date DATE NOT NULL,
            wave VARCHAR,
            mode VARCHAR NOT NULL,
            config VARCHAR NOT NULL,
            join_hash VARCHAR,
            max_tokens INTEGER NOT NULL,
            status VARCHAR NOT NULL DEFAULT 'open',
            created_at TIMESTAMP NOT NULL,
            expires_at TIMESTAMP NOT NULL,
            closed_at TIMESTAMP,
            import_id INTEGER
        )""",
        """CREATE TABLE live_tokens (
            token_hash VARCHAR PRIMARY KEY,
            round_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            participant_id VARCHAR,
            issued_at TIMESTAMP NOT NULL,
            revoked_at TIMESTAMP
        )""",
        """CREATE TABLE live_responses (
            round_id VARCHAR NOT NULL,
            slot VARCHAR NOT NULL,
            participant_id VARCHAR,
            token_hash VARCHAR NOT NULL,
            seq INTEGER NOT NULL,
            draft VARCHAR,
            answers VARCHAR,
            created_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            submitted_at TIMESTAMP,
            PRIMARY KEY (round_id, slot)
        )""",
    ],
    # Who is who (analytics/ingest/identity.py): how each person was identified, their e-mail for matching
    # the next wave, and the coach's decisions about pairs. A "same" row makes alias_id one person with
    # person_id everywhere (the views resolve through it); a "distinct" row keeps a candidate pair apart.
    # Rows are never deleted: undoing a merge (or the import that made it) sets undone_at.
    4: [
        "ALTER TABLE participants ADD COLUMN email VARCHAR",
        "ALTER TABLE participants ADD COLUMN identified_by VARCHAR",
        """CREATE TABLE person_merges (
            merge_id INTEGER PRIMARY KEY,
            decision VARCHAR NOT NULL,
            alias_id VARCHAR NOT NULL,
            person_id VARCHAR NOT NULL,
            reason VARCHAR,
            import_id INTEGER,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            undone_at TIMESTAMP
        )""",
        "CREATE SEQUENCE merge_ids START 1",
    ],
    # The meeting loop: networks as things, agreements that come back, interventions with an expected effect.
    # Every edit is a new version (as meeting notes); lists are DuckDB lists of codes.
    5: [
        """CREATE TABLE network_info (
            network VARCHAR NOT NULL, version INTEGER NOT NULL,
            description VARCHAR, ambition VARCHAR, phase VARCHAR, start_date DATE, end_date DATE,
            coaches VARCHAR[], instruments VARCHAR[], moments_per_year INTEGER NOT NULL DEFAULT 2,
            import_id INTEGER, written_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (network, version)
        )""",
        """CREATE TABLE agreements (
            agreement_id INTEGER NOT NULL, version INTEGER NOT NULL,
            network VARCHAR NOT NULL, date DATE NOT NULL, text VARCHAR NOT NULL,
            indicators VARCHAR[], cycles VARCHAR[], measures VARCHAR[],
            owner VARCHAR, status VARCHAR NOT NULL DEFAULT 'open',
            deleted BOOLEAN NOT NULL DEFAULT false,
            import_id INTEGER, written_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (agreement_id, version)
        )""",
        "CREATE SEQUENCE agreement_ids START 1",
        """CREATE TABLE interventions (
            intervention_id INTEGER NOT NULL, version INTEGER NOT NULL,
            label VARCHAR NOT NULL, start_date DATE NOT NULL, end_date DATE,
            networks VARCHAR[], indicators VARCHAR[], cycles VARCHAR[], measures VARCHAR[],
            expected VARCHAR,
            deleted BOOLEAN NOT NULL DEFAULT false,
            import_id INTEGER, written_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (intervention_id, version)
        )""",
        "CREATE SEQUENCE intervention_ids START 1",
    ],
    # Live rounds for the meeting itself and live identity (analytics/live/): codes per person instead of
    # a name list, every claim attempt, the idea wall; meeting notes written by a closed round carry its
    # import id so undoing the round removes them.
    6: [
        "ALTER TABLE live_rounds ADD COLUMN wall_phase VARCHAR DEFAULT 'collect'",
        """CREATE TABLE live_codes (
            round_id VARCHAR NOT NULL,
            code_hash VARCHAR NOT NULL,
            participant_id VARCHAR NOT NULL,
            issued_at TIMESTAMP NOT NULL,
            revoked_at TIMESTAMP,
            PRIMARY KEY (round_id, code_hash)
        )""",
        """CREATE TABLE live_claims (
            round_id VARCHAR NOT NULL,
            attempted_at TIMESTAMP NOT NULL,
            token_hash VARCHAR,
            participant_id VARCHAR,
            outcome VARCHAR NOT NULL
        )""",
        """CREATE TABLE live_ideas (
            round_id VARCHAR NOT NULL,
            idea_id INTEGER NOT NULL,
            slot VARCHAR NOT NULL,
            grp VARCHAR,
            text VARCHAR NOT NULL,
            cluster VARCHAR,
            hidden BOOLEAN NOT NULL DEFAULT false,
            created_at TIMESTAMP NOT NULL,
            PRIMARY KEY (round_id, idea_id)
        )""",
        "ALTER TABLE meeting_notes ADD COLUMN import_id INTEGER",
    ],
    # Figures computed once per data version (a network's layout and measures), kept so that a restart reads
    # them (analytics/store/computed.py). Forgotten by every import, undo, merge and period-scheme change.
    7: [
        """CREATE TABLE computed (
            kind VARCHAR NOT NULL,
            key VARCHAR NOT NULL,
            version VARCHAR NOT NULL,
            value BLOB NOT NULL,
            computed_at TIMESTAMP NOT NULL,
            PRIMARY KEY (kind, key)
        )""",
    ],
}


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """``--db`` beats ``NETWERKLEREN_DB`` beats ``data/netwerkleren.duckdb``."""
    return Path(explicit or os.environ.get("NETWERKLEREN_DB") or DEFAULT_DB)


class StoreError(RuntimeError):
    pass


def connect(path: str | os.PathLike | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create or migrate) the database file. ``":memory:"`` gives a throwaway store for tests."""
    target = str(path) if str(path) == ":memory:" else str(db_path(path))
    if target != ":memory:":
        try:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"{target} cannot be written (read-only disk or no permission): its folder cannot "
                             f"be created ({e.strerror or e}).") from e
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as e:
        msg = str(e)
        if "lock" in msg.lower():
            raise StoreError(
                f"{target} is in use by another program (is the app running?). Import through the app's "
                "Data page, or stop the app first."
            ) from e
        if "read-only" in msg.lower() or "permission" in msg.lower():
            raise StoreError(f"{target} cannot be written (read-only disk or no permission).") from e
        raise StoreError(f"{target} cannot be opened: {msg.splitlines()[0]}") from e
    run(con, "SET enable_progress_bar = false")  # long queries must not draw bars into the CLI's output
    if read_only:
        # Spill files (big sorts and joins) go to the system's temp folder: next to the file may be read-only.
        run(con, "SET temp_directory = ?", [tempfile.gettempdir()])
        current = schema_version(con) if target != ":memory:" else SCHEMA_VERSION
        if current != SCHEMA_VERSION:
            con.close()
            if current > SCHEMA_VERSION:  # the same words as a read-write open (migrate)
                raise StoreError(f"this database has schema version {current}, newer than this program "
                                 f"({SCHEMA_VERSION}); update Netwerkleren Monitor")
            raise StoreError(f"{target} has schema version {current}; this program reads version {SCHEMA_VERSION}. "
                             "Open it once with the app or run an import to upgrade it (that writes to the file).")
    else:
        try:
            migrate(con)
            refresh_views(con)
        except StoreError:
            con.close()  # release the file, so the next program is told the real reason, not "in use"
            raise
        except duckdb.Error as e:
            con.close()
            raise StoreError(write_failure(target, e)) from e
    return con


def limit_memory(con: duckdb.DuckDBPyConnection, mb: float) -> duckdb.DuckDBPyConnection:
    """Bound what DuckDB keeps in memory in this process (its buffer cache and working memory): left to its
    default (80% of the machine) one big network's tables stay cached in the app server for good."""
    run(con, f"SET memory_limit = '{int(mb)}MB'")
    return con


def connect_reader(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection for work that only reads (CLI ``imports``, ``metrics``, ``report`` ...): it
    works on read-only media and never rewrites the file. A missing file is an error, not an empty store
    (a typo in ``--db`` must not read as "no data")."""
    if str(path) == ":memory:":
        return connect(":memory:")
    target = db_path(path)
    if not target.exists():
        raise StoreError(f"there is no database at {target} (import data first, or check --db / NETWERKLEREN_DB)")
    try:
        return connect(target, read_only=True)
    except duckdb.ConnectionException as e:
        if "different configuration" not in str(e):
            raise
        # This process already has the file open read-write (the app, a test): DuckDB then hands out only
        # that same instance. It is open and migrated already; read through it without migrating again.
        return duckdb.connect(str(target))


def is_read_only(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` may not write to the main database (opened read-only)."""
    from analytics.store.db import scalar as _scalar

    return bool(_scalar(con, "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()"))


def write_failure(target: str, e: Exception) -> str:
    """Plain words for a failed write: a full disk, a read-only disk, or else DuckDB's first line."""
    msg = str(e)
    if "no space left" in msg.lower():
        return f"{target}: the disk is full (no space left on the device); free some space and try again."
    if "read-only" in msg.lower() or "permission" in msg.lower():
        return f"{target} cannot be written (read-only disk or no permission)."
    return f"{target} could not be written: {msg.strip().splitlines()[0][:200]}"


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
    if not exists:
        return 0
    return scalar(con, "SELECT coalesce(max(version), 0) FROM schema_version") or 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to SCHEMA_VERSION, one transaction per step."""
    with WRITE_LOCK:
        current = schema_version(con)
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"this database has schema version {current}, newer than this program ({SCHEMA_VERSION}); "
                "update Netwerkleren Monitor"
            )
        if current == 0:
            run(con, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            run(con, "BEGIN TRANSACTION")
            try:
                for stmt in MIGRATIONS[version]:
                    run(con, stmt)
                run(con, "INSERT INTO schema_version VALUES (?, current_timestamp)", [version])
                run(con, "COMMIT")
            except Exception:
                run(con, "ROLLBACK")
                raise
        return SCHEMA_VERSION


def get_setting(con, key: str, default: str | None = None) -> str | None:
    v = scalar(con, "SELECT value FROM settings WHERE key = ?", [key])
    return default if v is None else v


def set_setting(con, key: str, value: str) -> None:
    with WRITE_LOCK:
        run(con, "INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])


def alt_dimension_names(con) -> bool:
    """Whether this database calls dimensions by their alternative name (see definitions.Dimension)."""
    return get_setting(con, DIMENSION_NAMES_SETTING, "name") == "alt_name"


def set_alt_dimension_names(con, on: bool) -> None:
    set_setting(con, DIMENSION_NAMES_SETTING, "alt_name" if on else "name")


def period_scheme(con) -> str:
    return get_setting(con, "period_scheme", DEFAULT_SCHEME) or DEFAULT_SCHEME


def set_period_scheme(con, scheme: str) -> None:
    """Change how periods are derived from dates, and recompute every stored period in one transaction."""
    with transaction(con):
        for table in TIMED_TABLES:
            wave = "NULL" if table == "events" else "wave"
            run(con, f"UPDATE {table} SET period = {period_of('date', scheme, wave)}")
        run(con, "INSERT OR REPLACE INTO settings VALUES ('period_scheme', ?)", [scheme])
        computed.forget(con)


def has_merges(con) -> bool:
    """Whether any people are merged now (then the views resolve ids through ``person_alias``)."""
    return bool(scalar(con, "SELECT count(*) FROM person_merges WHERE decision = 'same' AND undone_at IS NULL"))


def _resolved(table: str, alias: str, cols: tuple[str, ...], merged: bool) -> str:
    """``SELECT * FROM table`` with each id column in ``cols`` replaced by its person's id (after merges)."""
    if not merged or not cols:
        return f"SELECT * FROM {table}"
    joins = " ".join(f"LEFT JOIN person_alias a_{c} ON a_{c}.alias_id = {alias}.{c}" for c in cols)
    repl = ", ".join(f"coalesce(a_{c}.person_id, {alias}.{c}) AS {c}" for c in cols)
    return f"SELECT {alias}.* REPLACE ({repl}) FROM {table} {alias} {joins}"


def refresh_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the views: short names for the timed tables, and each person's latest details.

    Every view that names a person resolves merges (``person_merges``): an id merged into another reads as
    that other id, so marks, stories, ties, members and codes all see one person. Without merges the views
    are plain (no join costs anything). Called again after every merge, split and undo."""
    with WRITE_LOCK:
        if not scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'person_merges'"):
            return  # a store older than schema 4 (only while a test builds one): its views come with the upgrade
        run(
            con,
            # Each merged id -> the id it finally belongs to (a merge into someone later merged on is followed).
            """CREATE OR REPLACE VIEW person_alias AS
               WITH RECURSIVE chain(alias_id, person_id, depth) AS (
                   SELECT alias_id, person_id, 1 FROM person_merges WHERE decision = 'same' AND undone_at IS NULL
                   UNION ALL
                   SELECT c.alias_id, m.person_id, c.depth + 1 FROM chain c
                   JOIN person_merges m ON m.alias_id = c.person_id AND m.decision = 'same' AND m.undone_at IS NULL
                   WHERE c.depth < 50)
               SELECT alias_id, arg_max(person_id, depth) AS person_id FROM chain GROUP BY alias_id""",
        )
        merged = has_merges(con)
        for table, view, cols in (
            ("dimension_scores", "v_scores", ("participant_id",)),
            ("value_reports", "v_values", ("participant_id",)),
            ("ties", "v_ties", ("source", "target")),
            ("events", "v_events", ()),
        ):
            run(con, f"CREATE OR REPLACE VIEW {view} AS {_resolved(table, 'x', cols, merged)}")
        # v_participants keeps each row's own id too: a merged person keeps the name and details of the person
        # they were merged into, before those of the merged-in rows.
        run(con, f"""CREATE OR REPLACE VIEW v_participants AS
                     SELECT *, participant_id = own_id AS own FROM (
                         {_resolved('(SELECT *, participant_id AS own_id FROM participants)', 'x', ('participant_id',),
                                    merged)})""")
        run(
            con,
            # Each detail from the latest row that gives it: a later file listing only memberships does not
            # wipe names, schools or roles; an external placeholder never beats a real participant row.
            """CREATE OR REPLACE VIEW people AS
               SELECT participant_id,
                      arg_max(name, (NOT external, own, import_id, row_number)) FILTER (WHERE name IS NOT NULL) AS name,
                      arg_max(organisation, (NOT external, own, import_id, row_number))
                          FILTER (WHERE organisation IS NOT NULL) AS organisation,
                      arg_max(role, (NOT external, own, import_id, row_number)) FILTER (WHERE role IS NOT NULL) AS role,
                      arg_max(role_label, (NOT external, own, import_id, row_number))
                          FILTER (WHERE role_label IS NOT NULL) AS role_label,
                      bool_and(external) AS external,
                      arg_max(email, (NOT external, own, import_id, row_number))
                          FILTER (WHERE email IS NOT NULL) AS email,
                      arg_min(identified_by, (NOT own, import_id, row_number))
                          FILTER (WHERE identified_by IS NOT NULL) AS identified_by
               FROM v_participants GROUP BY participant_id""",
        )
        run(
            con,
            """CREATE OR REPLACE VIEW memberships AS
               SELECT participant_id, network, min(joined) AS joined,
                      CASE WHEN count("left") = count(*) THEN max("left") END AS "left"
               FROM v_participants WHERE network IS NOT NULL AND NOT external GROUP BY ALL""",
        )
        # Periods in time order: by their first date, wave labels without dates last, then by label.
        run(
            con,
            """CREATE OR REPLACE VIEW v_periods AS
               SELECT period, min(date) AS first_date, max(date) AS last_date FROM (
                 SELECT period, date FROM v_scores UNION ALL SELECT period, date FROM v_values
                 UNION ALL SELECT period, date FROM v_ties) GROUP BY period""",
        )


#: How many transactions this thread has open (see :func:`in_transaction`).
_OPEN = threading.local()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One all-or-nothing unit of work, serialised against other writers in this process."""
    with WRITE_LOCK:
        run(con, "BEGIN TRANSACTION")
        _OPEN.depth = getattr(_OPEN, "depth", 0) + 1
        try:
            yield con
        except BaseException:
            run(con, "ROLLBACK")
            raise
        finally:
            _OPEN.depth -= 1
        run(con, "COMMIT")


def in_transaction() -> bool:
    """Whether this thread is inside :func:`transaction`: a statement that fails there (even a second BEGIN)
    aborts the whole unit of work, so optional writes (stored figures) stay out of it."""
    return getattr(_OPEN, "depth", 0) > 0


def new_import_id(con) -> int:
    return scalar(con, "SELECT nextval('import_ids')")


def find_import_by_hash(con, content_hash: str, kind: str) -> int | None:
    return scalar(
        con,
        "SELECT import_id FROM imports WHERE content_hash = ? AND kind = ? AND undone_at IS NULL "
        "ORDER BY import_id LIMIT 1",
        [content_hash, kind],
    )


@dataclass
class ImportRecord:
    import_id: int
    file_name: str
    kind: str
    source: str
    rows_read: int
    rows_imported: int
    rows_rejected: int
    imported_at: object
    undone_at: object
    content_hash: str
    details: dict


def list_imports(con, include_undone: bool = True) -> list[ImportRecord]:
    where = "" if include_undone else "WHERE undone_at IS NULL"
    out = []
    for r in rows(
        con,
        f"""SELECT import_id, file_name, kind, source, rows_read, rows_imported, rows_rejected, imported_at,
                   undone_at, content_hash, details FROM imports {where} ORDER BY import_id""",
    ):
        out.append(ImportRecord(*r[:10], details=json.loads(r[10]) if r[10] else {}))
    return out


def undo_import(con, import_id: int) -> dict[str, int]:
    """Remove exactly the rows an import added; keep its record, marked undone. Returns rows removed per table."""
    with transaction(con):
        state = rows(con, "SELECT undone_at FROM imports WHERE import_id = ?", [import_id])
        if not state:
            raise StoreError(f"there is no import {import_id}")
        if state[0][0] is not None:
            raise StoreError(f"import {import_id} was already undone")
        removed = {}
        for table in (*FACT_TABLES, *LOOP_TABLES):
            n = scalar(con, f"SELECT count(*) FROM {table} WHERE import_id = ?", [import_id])
            run(con, f"DELETE FROM {table} WHERE import_id = ?", [import_id])
            removed[table] = n
        # Notes a closed live round wrote, with every later edit of them (edits carry no import id).
        removed["meeting_notes"] = scalar(
            con, "SELECT count(DISTINCT note_id) FROM meeting_notes WHERE import_id = ?", [import_id])
        run(con, """DELETE FROM meeting_notes WHERE note_id IN
                    (SELECT note_id FROM meeting_notes WHERE import_id = ?)""", [import_id])
        # Codes of people who are gone with this import go too: a code table must not keep their ids.
        run(con, "DELETE FROM pseudonyms WHERE participant_id NOT IN (SELECT participant_id FROM participants)")
        # People this import matched to others (a participant list naming a known e-mail) are apart again.
        run(con, "UPDATE person_merges SET undone_at = current_timestamp WHERE import_id = ? AND undone_at IS NULL",
            [import_id])
        run(con, "UPDATE imports SET undone_at = current_timestamp WHERE import_id = ?", [import_id])
        computed.forget(con)  # nothing computed from the undone rows outlives them
    refresh_views(con)
    return removed


def data_version(con) -> tuple:
    """Changes whenever stored data changes: the cache key for everything computed from the store."""
    return tuple(
        rows(
            con,
            "SELECT count(*), coalesce(max(import_id), 0), count(undone_at), max(undone_at) FROM imports",
        )[0]
    ) + tuple(
        rows(con, "SELECT count(*), count(undone_at), max(coalesce(undone_at, created_at)) FROM person_merges")[0]
    ) + (period_scheme(con),)


def loop_version(con) -> tuple:
    """Changes whenever a network's details, an agreement or an intervention is written: the cache key (with
    :func:`data_version`) for what the meeting loop shows."""
    return tuple(rows(con, """SELECT (SELECT count(*) FROM network_info), (SELECT count(*) FROM agreements),
                                     (SELECT count(*) FROM interventions), (SELECT count(*) FROM meeting_notes)""")[0])


def is_empty(con) -> bool:
    return scalar(con, "SELECT count(*) FROM imports") == 0


def table_checksums(con) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every stored table: 'nothing changed' made checkable."""
    out = {}
    for table in (*FACT_TABLES, "imports", "pseudonyms", "settings", "meeting_notes", "live_rounds", "live_tokens",
                  "live_responses", "live_codes", "live_claims", "live_ideas", "person_merges", *LOOP_TABLES,
                  "schema_version"):
        out[table] = tuple(rows(con, f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t")[0])
    return out
