"""Agreements that come back: what a network agreed in a meeting, linked to the figures it is about.

An agreement belongs to a network and a meeting date and may name indicators (``3b``), value cycles
(``applied``) or tie measures (``cross_organisation_share``); it has an owner (a participant id or a name,
shown as a code when pseudonymising) and a status. Every edit adds a version, a removal adds a version marked
deleted: nothing a network agreed is lost. What changed since in the linked figures is
:mod:`analytics.measures.follow_up`'s work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import duckdb
import pandas as pd

from analytics.definitions import default_framework, loop_vocabulary, value_cycles
from analytics.store.database import transaction
from analytics.store.db import frame, rows, scalar
from analytics.store.networks import NetworkError, as_date, as_list

MAX_TEXT = 2_000
COLUMNS = ("network", "date", "text", "indicators", "cycles", "measures", "owner", "status")


class AgreementError(NetworkError):
    pass


def known_indicators(extra: Iterable[str] = ()) -> set[str]:
    """Codes an agreement may name: the shipped instrument's indicators and dimensions, plus ``extra`` (the
    codes of an own instrument)."""
    fw = default_framework()
    return set(fw.codes) | {d.code for d in fw.dimensions} | set(extra)


def check_links(indicators, cycles, measures, extra_codes: Iterable[str] = ()) -> tuple[list, list, list]:
    """The three link lists, cleaned; an unknown code is refused with the codes that are known."""
    ind, cyc, mea = as_list(indicators), as_list(cycles), as_list(measures)
    known = known_indicators(extra_codes)
    for what, got, ok in (("indicator", ind, known), ("value cycle", cyc, {c.code for c in value_cycles()}),
                          ("tie measure", mea, set(loop_vocabulary()["measures"]))):
        bad = [c for c in got if c not in ok]
        if bad:
            raise AgreementError(f"unknown {what} {bad[0]!r}; known: {', '.join(sorted(ok))}")
    return ind, cyc, mea


def _check(network: str, date, text: str, status: str) -> tuple[str, dt.date, str]:
    network = (network or "").strip()
    if not network:
        raise AgreementError("an agreement needs a network")
    day = as_date(date, "date")
    if day is None:
        raise AgreementError("an agreement needs the date of the meeting")
    text = (text or "").strip()
    if not text:
        raise AgreementError("an agreement needs a text")
    if len(text) > MAX_TEXT:
        raise AgreementError(f"an agreement is limited to {MAX_TEXT} characters")
    if status not in loop_vocabulary()["statuses"]:
        raise AgreementError(f"unknown status {status!r}; choose one of {', '.join(loop_vocabulary()['statuses'])}")
    return network, day, text


def own_codes(con: duckdb.DuckDBPyConnection, extra: Iterable[str] = ()) -> list[str]:
    """The link codes of the own instruments this database knows (``instrument:code``), plus ``extra``."""
    from analytics.definitions import own_link_names
    from analytics.store.contents import instruments

    return [*extra, *own_link_names(instruments(con))]


def add(con: duckdb.DuckDBPyConnection, network: str, date: dt.date | str, text: str, *,
        indicators: Sequence[str] | str = (), cycles: Sequence[str] | str = (), measures: Sequence[str] | str = (),
        owner: str | None = None, status: str = "open", import_id: int | None = None,
        extra_codes: Iterable[str] = ()) -> int:
    """Store a new agreement; returns its id. An own instrument's indicator is linked as ``instrument:code``."""
    network, day, text = _check(network, date, text, status)
    ind, cyc, mea = check_links(indicators, cycles, measures, own_codes(con, extra_codes))
    with transaction(con):
        aid = scalar(con, "SELECT nextval('agreement_ids')")
        rows(con, f"INSERT INTO agreements (agreement_id, version, {', '.join(COLUMNS)}, import_id) "
                  "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             [aid, network, day, text, ind, cyc, mea, (owner or "").strip() or None, status, import_id])
    return aid


def current(con: duckdb.DuckDBPyConnection, agreement_id: int) -> dict:
    df = frame(con, "SELECT * FROM agreements WHERE agreement_id = ? ORDER BY version DESC LIMIT 1",
               [agreement_id])
    if df.empty:
        raise AgreementError(f"there is no agreement {agreement_id}")
    return df.iloc[0].to_dict()


def edit(con: duckdb.DuckDBPyConnection, agreement_id: int, *, extra_codes: Iterable[str] = (), **changes) -> int:
    """A new version with ``changes`` (any of date, text, indicators, cycles, measures, owner, status); the
    earlier versions stay. Returns the new version number."""
    unknown = set(changes) - set(COLUMNS) - {"deleted"}
    if unknown:
        raise AgreementError(f"an agreement has no field {sorted(unknown)[0]!r}")
    with transaction(con):
        cur = current(con, agreement_id)
        new = {k: cur[k] for k in COLUMNS} | changes
        network, day, text = _check(new["network"], new["date"], new["text"], new["status"])
        # codes linked before stay valid (an own instrument's file may have gone since)
        ind, cyc, mea = check_links(new["indicators"], new["cycles"], new["measures"],
                                    own_codes(con, [*extra_codes, *as_list(cur["indicators"])]))
        version = int(cur["version"]) + 1
        rows(con, f"INSERT INTO agreements (agreement_id, version, {', '.join(COLUMNS)}, deleted, import_id) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             [agreement_id, version, network, day, text, ind, cyc, mea, (new["owner"] or "").strip() or None,
              new["status"], bool(changes.get("deleted", False)),
              None if pd.isna(cur["import_id"]) else int(cur["import_id"])])
    return version


def remove(con: duckdb.DuckDBPyConnection, agreement_id: int) -> None:
    """Hide an agreement from lists and slides; its history stays."""
    edit(con, agreement_id, deleted=True)


def latest(con: duckdb.DuckDBPyConnection, networks: Sequence[str] | None = None) -> pd.DataFrame:
    """The current version of every agreement that is not removed, oldest meeting first."""
    where, params = "", []
    if networks:
        where, params = f"AND network IN ({', '.join('?' * len(networks))})", list(networks)
    return frame(con, f"""SELECT agreement_id, version, {', '.join(COLUMNS)}, written_at FROM agreements
                          QUALIFY version = max(version) OVER (PARTITION BY agreement_id) AND NOT deleted {where}
                          ORDER BY date, agreement_id""", params)


def history(con: duckdb.DuckDBPyConnection, agreement_id: int) -> pd.DataFrame:
    return frame(con, "SELECT * FROM agreements WHERE agreement_id = ? ORDER BY version", [agreement_id])
