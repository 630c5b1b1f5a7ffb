"""Networks as things: what a network is about (description, assignment, phase, start and end, coaches,
chosen instruments) and how often it measures (moments per year).

A network's name is its key (the name the data files use). Every save adds a version, so the history of how
a network described itself is kept, as with meeting notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

from analytics.definitions import loop_vocabulary
from analytics.store.database import transaction
from analytics.store.db import frame, rows, scalar
from analytics.store.periods import RHYTHM_MOMENTS

DEFAULT_MOMENTS = 2
MAX_TEXT = 5_000
FIELDS = ("description", "ambition", "phase", "start_date", "end_date", "coaches", "instruments",
          "moments_per_year")


class NetworkError(ValueError):
    pass


def as_date(value: dt.date | str | None, what: str) -> dt.date | None:
    """A date from a date, an ISO text or nothing; a clear message otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as e:
        raise NetworkError(f"{what}: not a date: {value!r} (use YYYY-MM-DD)") from e


def as_list(value: Sequence[str] | str | None) -> list[str]:
    """Codes or names from a list or a text separated by ';' or ',' (empty items dropped, order kept)."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    return list(dict.fromkeys(s.strip() for s in map(str, items) if s and s.strip()))


def save(con: duckdb.DuckDBPyConnection, network: str, *, description: str | None = None,
         ambition: str | None = None, phase: str | None = None, start_date: dt.date | str | None = None,
         end_date: dt.date | str | None = None, coaches: Sequence[str] | str | None = None,
         instruments: Sequence[str] | str | None = None, moments_per_year: int = DEFAULT_MOMENTS,
         import_id: int | None = None) -> int:
    """Store a new version of a network's details; returns the version number (1 for a new network)."""
    network = (network or "").strip()
    if not network:
        raise NetworkError("a network needs a name")
    if phase and phase not in loop_vocabulary()["phases"]:
        raise NetworkError(f"unknown phase {phase!r}; choose one of {', '.join(loop_vocabulary()['phases'])}")
    try:
        moments = int(moments_per_year)
    except (TypeError, ValueError) as e:
        raise NetworkError(f"moments per year: not a number: {moments_per_year!r}") from e
    if moments not in RHYTHM_MOMENTS:
        raise NetworkError(f"moments per year must be one of {', '.join(map(str, RHYTHM_MOMENTS))}")
    start, end = as_date(start_date, "start"), as_date(end_date, "end")
    if start and end and end < start:
        raise NetworkError(f"the end ({end}) lies before the start ({start})")
    for text in (description, ambition):
        if text and len(text) > MAX_TEXT:
            raise NetworkError(f"a description is limited to {MAX_TEXT} characters")
    with transaction(con):
        version = (scalar(con, "SELECT max(version) FROM network_info WHERE network = ?", [network]) or 0) + 1
        if import_id is None and version > 1:  # an edit of an imported (demo) network stays with that import
            import_id = scalar(con, "SELECT import_id FROM network_info WHERE network = ? AND version = ?",
                               [network, version - 1])
        rows(con, """INSERT INTO network_info (network, version, description, ambition, phase, start_date,
                       end_date, coaches, instruments, moments_per_year, import_id)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
             [network, version, description or None, ambition or None, phase or None, start, end,
              as_list(coaches), as_list(instruments), moments, import_id])
    return version


def latest(con: duckdb.DuckDBPyConnection, networks: Sequence[str] | None = None) -> pd.DataFrame:
    """The current details of every described network (one row each, by name)."""
    where, params = "", []
    if networks:
        where, params = f"AND network IN ({', '.join('?' * len(networks))})", list(networks)
    return frame(con, f"""SELECT network, version, {', '.join(FIELDS)}, written_at FROM network_info
                          QUALIFY version = max(version) OVER (PARTITION BY network) {where}
                          ORDER BY network""", params)


def details(con: duckdb.DuckDBPyConnection, network: str) -> dict | None:
    """The current details of one network as a dict, or None when it was never described."""
    df = latest(con, (network,))
    return None if df.empty else df.iloc[0].to_dict()


def history(con: duckdb.DuckDBPyConnection, network: str) -> pd.DataFrame:
    return frame(con, "SELECT * FROM network_info WHERE network = ? ORDER BY version", [network])


def all_networks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every network the store knows: from the data and from the described networks."""
    return frame(con, """SELECT DISTINCT network FROM (
                           SELECT network FROM participants UNION ALL SELECT network FROM dimension_scores
                           UNION ALL SELECT network FROM value_reports UNION ALL SELECT network FROM ties
                           UNION ALL SELECT network FROM network_info)
                         WHERE network IS NOT NULL ORDER BY 1""")["network"].tolist()
