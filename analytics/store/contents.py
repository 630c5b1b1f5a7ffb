"""What the store holds, for pickers and filters: networks, periods in time order, instruments in use."""

from __future__ import annotations

import duckdb

from analytics.store.db import rows


def networks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every network that has people, marks, value reports or ties."""
    return [r[0] for r in rows(
        con,
        """SELECT DISTINCT network FROM (
             SELECT network FROM participants UNION ALL SELECT network FROM dimension_scores
             UNION ALL SELECT network FROM value_reports UNION ALL SELECT network FROM ties)
           WHERE network IS NOT NULL ORDER BY 1""",
    )]


def periods(con: duckdb.DuckDBPyConnection, network: str | None = None) -> list[str]:
    """The periods with any data (of ``network``, or of all), earliest first."""
    where = "WHERE network = ?" if network else ""
    return [r[0] for r in rows(
        con,
        f"""SELECT period, min(date) AS d FROM (
              SELECT period, date FROM v_scores {where} UNION ALL SELECT period, date FROM v_values {where}
              UNION ALL SELECT period, date FROM v_ties {where})
            WHERE period IS NOT NULL GROUP BY period ORDER BY d NULLS LAST, period""",
        [network] * 3 if network else [],
    )]


def frameworks_in_use(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The instruments that stored marks were given with."""
    return [r[0] for r in rows(con, "SELECT DISTINCT framework FROM dimension_scores ORDER BY 1")]


def instruments(con: duckdb.DuckDBPyConnection) -> dict:
    """Every instrument this database knows: the shipped one and the definitions in the frameworks folder next
    to it (an in-memory store knows only the shipped one). Used wherever an instrument is named by its id: a
    live round, a link of an agreement."""
    from analytics.definitions import default_framework, frameworks, frameworks_dir

    path = rows(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")[0][0]
    return frameworks(frameworks_dir(path)) if path else {default_framework().id: default_framework()}


def own_instruments(con: duckdb.DuckDBPyConnection) -> dict:
    """The instruments in use other than the shipped one, as definitions (from the frameworks folder next to
    this database); an id in use whose file is gone is left out (its marks cannot be named)."""
    from analytics.definitions import default_framework

    known = instruments(con)
    return {fid: known[fid] for fid in frameworks_in_use(con) if fid != default_framework().id and fid in known}


def network_sizes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows each network has (people, marks, value reports, ties): which networks matter most in a long list."""
    return dict(rows(con, """SELECT network, count(*) FROM (
                               SELECT network FROM participants UNION ALL SELECT network FROM dimension_scores
                               UNION ALL SELECT network FROM value_reports UNION ALL SELECT network FROM ties)
                             WHERE network IS NOT NULL GROUP BY 1"""))


def matching(names: list[str], query: str | None, limit: int, sizes: dict[str, int] | None = None) -> list[str]:
    """At most ``limit`` of ``names``, alphabetically: with a ``query``, those containing it (case-insensitive),
    the ones starting with it first; without one, the largest by ``sizes`` (a store of 10,000 two-person
    networks beside a few real ones lists the real ones). The sidebar's search among thousands of networks."""
    q = (query or "").strip().casefold()
    if q:
        return sorted((n for n in names if q in n.casefold()),
                      key=lambda n: (not n.casefold().startswith(q), n.casefold(), n))[:limit]
    sizes = sizes or {}
    largest = sorted(names, key=lambda n: (-sizes.get(n, 0), n.casefold(), n))[:limit]
    return sorted(largest, key=lambda n: (n.casefold(), n))
