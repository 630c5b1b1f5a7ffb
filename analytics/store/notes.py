"""Meeting notes: what a network agreed ("what went well, what do we do differently next time").

Notes keep their history: an edit adds a version and a removal adds a version marked deleted, so nothing a
network wrote is ever lost.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.store.database import transaction
from analytics.store.db import frame, rows, scalar

MAX_TEXT = 5_000


class NoteError(ValueError):
    pass


def _check(network: str, date: dt.date | str, went_well: str | None, differently: str | None) -> dt.date:
    if not (network or "").strip():
        raise NoteError("a note needs a network")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError as e:
            raise NoteError(f"not a date: {date!r} (use YYYY-MM-DD)") from e
    if not ((went_well or "").strip() or (differently or "").strip()):
        raise NoteError("a note needs some text")
    for text in (went_well, differently):
        if text and len(text) > MAX_TEXT:
            raise NoteError(f"a note is limited to {MAX_TEXT} characters")
    return date


def add(con: duckdb.DuckDBPyConnection, network: str, date: dt.date | str, went_well: str | None,
        differently: str | None) -> int:
    """Store a new note; returns its id."""
    date = _check(network, date, went_well, differently)
    with transaction(con):
        note_id = scalar(con, "SELECT nextval('note_ids')")
        rows(con, "INSERT INTO meeting_notes (note_id, version, network, date, went_well, differently) "
                  "VALUES (?, 1, ?, ?, ?, ?)", [note_id, network.strip(), date, went_well, differently])
    return note_id


def edit(con: duckdb.DuckDBPyConnection, note_id: int, *, date: dt.date | str, went_well: str | None,
         differently: str | None) -> int:
    """A new version of a note (the earlier ones stay); returns the new version number."""
    with transaction(con):
        cur = rows(con, "SELECT network, max(version) FROM meeting_notes WHERE note_id = ? GROUP BY network",
                   [note_id])
        if not cur:
            raise NoteError(f"there is no note {note_id}")
        network, version = cur[0]
        date = _check(network, date, went_well, differently)
        rows(con, "INSERT INTO meeting_notes (note_id, version, network, date, went_well, differently) "
                  "VALUES (?, ?, ?, ?, ?, ?)", [note_id, version + 1, network, date, went_well, differently])
    return version + 1


def remove(con: duckdb.DuckDBPyConnection, note_id: int) -> None:
    """Hide a note from lists and charts; its history stays."""
    with transaction(con):
        cur = rows(con, "SELECT network, date, went_well, differently, max(version) OVER () AS v "
                        "FROM meeting_notes WHERE note_id = ? QUALIFY version = v", [note_id])
        if not cur:
            raise NoteError(f"there is no note {note_id}")
        network, date, went_well, differently, version = cur[0]
        rows(con, "INSERT INTO meeting_notes (note_id, version, network, date, went_well, differently, deleted) "
                  "VALUES (?, ?, ?, ?, ?, ?, true)", [note_id, version + 1, network, date, went_well, differently])


def latest(con: duckdb.DuckDBPyConnection, networks: tuple[str, ...] | None = None,
           limit: int | None = None) -> pd.DataFrame:
    """The current version of every note that is not removed, newest meeting first."""
    where, params = "", []
    if networks:
        where = f"AND network IN ({', '.join('?' * len(networks))})"
        params = list(networks)
    lim = f"LIMIT {int(limit)}" if limit else ""
    df = frame(
        con,
        f"""SELECT note_id, version, network, date, went_well, differently, written_at FROM meeting_notes
            QUALIFY version = max(version) OVER (PARTITION BY note_id) AND NOT deleted {where}
            ORDER BY date DESC, note_id DESC {lim}""",
        params,
    )
    # A note may have one half only (a live round's idea wall has no "went well"): None, not NaN, so that
    # ``text or ""`` works wherever a note is shown.
    for col in ("went_well", "differently"):
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


def history(con: duckdb.DuckDBPyConnection, note_id: int) -> pd.DataFrame:
    return frame(con, "SELECT * FROM meeting_notes WHERE note_id = ? ORDER BY version", [note_id])
