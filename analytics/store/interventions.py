"""Interventions with an expected effect: something the coaches start (a shared lunch, school visits,
inviting experts) with the networks it applies to and the indicators, value cycles or tie measures it is
expected to move.

An intervention is a hypothesis, not a verdict: the overview shows the linked figures before and after its
start and asks what changed; it never calls one a success. Versioned like agreements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import duckdb
import pandas as pd

from analytics.store.agreements import AgreementError, check_links, own_codes
from analytics.store.database import transaction
from analytics.store.db import frame, rows, scalar
from analytics.store.networks import as_date, as_list

MAX_TEXT = 2_000
COLUMNS = ("label", "start_date", "end_date", "networks", "indicators", "cycles", "measures", "expected")


class InterventionError(AgreementError):
    pass


def _check(label: str, start, end, expected: str | None) -> tuple[str, dt.date, dt.date | None]:
    label = (label or "").strip()
    if not label:
        raise InterventionError("an intervention needs a name")
    if len(label) > 200 or len(expected or "") > MAX_TEXT:
        raise InterventionError(f"a name is limited to 200 characters, an expected effect to {MAX_TEXT}")
    s, e = as_date(start, "start"), as_date(end, "end")
    if s is None:
        raise InterventionError("an intervention needs a start date")
    if e and e < s:
        raise InterventionError(f"the end ({e}) lies before the start ({s})")
    return label, s, e


def add(con: duckdb.DuckDBPyConnection, label: str, start_date: dt.date | str, *,
        networks: Sequence[str] | str = (), indicators: Sequence[str] | str = (), cycles: Sequence[str] | str = (),
        measures: Sequence[str] | str = (), expected: str | None = None, end_date: dt.date | str | None = None,
        import_id: int | None = None, extra_codes: Iterable[str] = ()) -> int:
    """Log an intervention (no networks = all networks); returns its id. An own instrument's indicator is
    linked as ``instrument:code``."""
    label, s, e = _check(label, start_date, end_date, expected)
    ind, cyc, mea = check_links(indicators, cycles, measures, own_codes(con, extra_codes))
    with transaction(con):
        iid = scalar(con, "SELECT nextval('intervention_ids')")
        rows(con, f"INSERT INTO interventions (intervention_id, version, {', '.join(COLUMNS)}, import_id) "
                  "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             [iid, label, s, e, as_list(networks), ind, cyc, mea, (expected or "").strip() or None, import_id])
    return iid


def edit(con: duckdb.DuckDBPyConnection, intervention_id: int, *, extra_codes: Iterable[str] = (),
         **changes) -> int:
    """A new version with ``changes``; the earlier versions stay. Returns the new version number."""
    unknown = set(changes) - set(COLUMNS) - {"deleted"}
    if unknown:
        raise InterventionError(f"an intervention has no field {sorted(unknown)[0]!r}")
    with transaction(con):
        df = frame(con, "SELECT * FROM interventions WHERE intervention_id = ? ORDER BY version DESC LIMIT 1",
                   [intervention_id])
        if df.empty:
            raise InterventionError(f"there is no intervention {intervention_id}")
        cur = df.iloc[0].to_dict()
        new = {k: cur[k] for k in COLUMNS} | changes
        label, s, e = _check(new["label"], new["start_date"], None if pd.isna(new["end_date"]) else new["end_date"],
                             new["expected"])
        ind, cyc, mea = check_links(new["indicators"], new["cycles"], new["measures"],
                                    own_codes(con, [*extra_codes, *as_list(cur["indicators"])]))
        version = int(cur["version"]) + 1
        rows(con, f"INSERT INTO interventions (intervention_id, version, {', '.join(COLUMNS)}, deleted, import_id) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             [intervention_id, version, label, s, e, as_list(new["networks"]), ind, cyc, mea, new["expected"],
              bool(changes.get("deleted", False)), None if pd.isna(cur["import_id"]) else int(cur["import_id"])])
    return version


def remove(con: duckdb.DuckDBPyConnection, intervention_id: int) -> None:
    edit(con, intervention_id, deleted=True)


def latest(con: duckdb.DuckDBPyConnection, networks: Sequence[str] | None = None) -> pd.DataFrame:
    """The current version of every intervention not removed, by start; with ``networks``: those that apply
    to one of them (an intervention without networks applies to all)."""
    where, params = "", []
    if networks:
        where = "AND (len(coalesce(networks, [])) = 0 OR list_has_any(networks, ?::VARCHAR[]))"
        params = [list(networks)]
    return frame(con, f"""SELECT intervention_id, version, {', '.join(COLUMNS)}, written_at FROM interventions
                          QUALIFY version = max(version) OVER (PARTITION BY intervention_id) AND NOT deleted
                          {where} ORDER BY start_date, intervention_id""", params)


def history(con: duckdb.DuckDBPyConnection, intervention_id: int) -> pd.DataFrame:
    return frame(con, "SELECT * FROM interventions WHERE intervention_id = ? ORDER BY version", [intervention_id])
