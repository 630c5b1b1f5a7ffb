"""Learning ties from the store: the people and ties of a network and period, ready for the measures and maps.

A network's people are its members (from the participant list) plus everyone its ties name, so isolated
members count and people from outside the network show as external.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import networkx as nx
import pandas as pd

from analytics.measures import network as tm
from analytics.store.db import frame


@dataclass(frozen=True)
class TieFilters:
    network: str
    periods: tuple[str, ...] | None = None
    tie_types: tuple[str, ...] | None = None
    topics: tuple[str, ...] | None = None
    channels: tuple[str, ...] | None = None
    roles: tuple[str, ...] | None = None
    min_weight: float = 0.0

    def where(self) -> tuple[str, list]:
        conds, params = ["t.network = ?", "t.weight >= ?"], [self.network, self.min_weight]
        for col, vals in (("t.period", self.periods), ("t.tie_type", self.tie_types), ("t.topic", self.topics),
                          ("t.channel", self.channels)):
            if vals:
                conds.append(f"{col} IN ({', '.join('?' * len(vals))})")
                params += list(vals)
        return " AND ".join(conds), params


def nodes(con: duckdb.DuckDBPyConnection, network: str, *, pseudonymise: bool = True,
          periods: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Members of the network plus the people its ties (in ``periods``) name, with display labels."""
    label = "coalesce(ps.code, '?')" if pseudonymise else "coalesce(p.name, p.participant_id)"
    marks = ", ".join("?" * len(periods or ()))
    period_cond = f"AND period IN ({marks})" if periods else ""
    # Members count in a period when they had joined by its last date and not left before its first date.
    active = (f"""AND (joined IS NULL OR joined <= (SELECT max(last_date) FROM v_periods WHERE period IN ({marks})))
                  AND ("left" IS NULL OR "left" >= (SELECT min(first_date) FROM v_periods WHERE period IN ({marks})))"""
              if periods else "")
    params = [network, *(periods or ()), *(periods or ()), network, *(periods or ()), network, *(periods or ())]
    return frame(
        con,
        f"""WITH ids AS (
                SELECT participant_id FROM memberships WHERE network = ? {active}
                UNION SELECT source FROM ties WHERE network = ? {period_cond}
                UNION SELECT target FROM ties WHERE network = ? {period_cond})
            SELECT ids.participant_id, {label} AS label, p.organisation, p.role,
                   coalesce(p.external, true) AS external, p.name
            FROM ids LEFT JOIN people p USING (participant_id)
                     LEFT JOIN pseudonyms ps USING (participant_id)
            ORDER BY ids.participant_id""",
        params,
    )


def edges(con: duckdb.DuckDBPyConnection, f: TieFilters) -> pd.DataFrame:
    where, params = f.where()
    return frame(
        con,
        f"""SELECT t.source, t.target, t.weight, t.tie_type, t.topic, t.channel, t.period
            FROM v_ties t WHERE {where}""",
        params,
    )


def graph(con: duckdb.DuckDBPyConnection, f: TieFilters, *, pseudonymise: bool = True) -> tuple[nx.DiGraph, list[str]]:
    """The directed graph of the filtered ties; a role filter keeps only people with those roles."""
    n = nodes(con, f.network, pseudonymise=pseudonymise, periods=f.periods)
    e = edges(con, f)
    if f.roles:
        keep = set(n.loc[n["role"].fillna("unknown").isin(f.roles), "participant_id"])
        n = n[n["participant_id"].isin(keep)]
        e = e[e["source"].isin(keep) & e["target"].isin(keep)]
    return tm.build_graph(n.drop(columns=["name"]), e.drop(columns=["period"]))


def public_ids(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """participant id -> pseudonym code. An outside person's id is often their name, so a pseudonymised
    graph, map or file must carry these codes as node ids, not just as labels."""
    return dict(con.execute("SELECT participant_id, code FROM pseudonyms").fetchall())


def with_public_ids(G: nx.DiGraph, ids: dict[str, str]) -> nx.DiGraph:
    """A copy of ``G`` whose node ids are the codes in ``ids``; a node without one (or whose code is taken)
    gets '?1', '?2', ... so that no raw id survives."""
    mapping, used, n = {}, set(), 0
    for v in sorted(G.nodes, key=str):
        code = ids.get(v)
        if not code or code in used:
            n += 1
            code = f"?{n}"
        used.add(code)
        mapping[v] = code
    out = nx.relabel_nodes(G, mapping, copy=True)
    for v, d in out.nodes(data=True):
        d["label"] = v if d.get("label") in (None, "", "?") else d["label"]
    return out


def full_graph(con: duckdb.DuckDBPyConnection, network: str) -> nx.DiGraph:
    """All periods together: the basis of the network's one stable layout."""
    G, _ = graph(con, TieFilters(network=network), pseudonymise=True)
    return G


def options(con: duckdb.DuckDBPyConnection, network: str) -> dict[str, list[str]]:
    """The tie types, topics and channels present in a network, for its filter widgets."""
    out = {}
    for col in ("tie_type", "topic", "channel", "period"):
        df = frame(con, f"SELECT DISTINCT {col} AS v FROM v_ties WHERE network = ? AND {col} IS NOT NULL ORDER BY 1",
                   [network])
        out[col] = df["v"].tolist()
    return out


def networks_with_ties(con: duckdb.DuckDBPyConnection) -> list[str]:
    return frame(con, "SELECT DISTINCT network FROM ties ORDER BY 1")["network"].tolist()


def metrics_table(con: duckdb.DuckDBPyConnection, network: str | None = None, period: str | None = None,
                  strong_threshold: float = 3.0, max_ties: int | None = None,
                  max_people: int | None = None) -> list[dict]:
    """Whole-network measures per network and period (the CLI's ``metrics`` and the Ties page).

    A network and period over the budget (``max_ties`` distinct ties or ``max_people`` people; default the
    ``CLI_MAX_TIES`` setting and no people limit) is not built as a graph: it gets the measures
    :func:`sql_measures` gives, the graph measures as None, and ``limited`` saying which limit and how to
    raise it. Bounded time, stated method, never a hang.
    """
    from analytics import limits

    max_ties = limits.get_int("CLI_MAX_TIES") if max_ties is None else max_ties
    nets = [network] if network else networks_with_ties(con)
    out = []
    for net in nets:
        cheap = sql_measures(con, network=net, period=period, strong_threshold=strong_threshold).to_dict("records")
        if period is not None and not cheap:  # a period without ties: its members alone, no tie to count
            cheap = [{"network": net, "period": period, "nodes": 0, "edges": 0}]
        for r in cheap:
            per = r["period"]
            over = over_budget(int(r["nodes"]), int(r["edges"]), max_people or 2**62, max_ties)
            if over:
                limit, setting = (max_ties, "CLI_MAX_TIES") if over == "ties" else (max_people, "PAGE_MAX_PEOPLE")
                out.append(_limited_row(con, r, over, limit, setting))
                continue
            G, warnings = graph(con, TieFilters(network=net, periods=(per,)), pseudonymise=True)
            k = 200 if G.number_of_nodes() > 2000 else None
            m = tm.network_measures(G, strong_threshold=strong_threshold, betweenness_k=k)
            m = {key: m[key] for key in m if key != "community_of"}
            out.append({"network": net, "period": per, **m, "warnings": warnings})
    return out


def limited_measures(con: duckdb.DuckDBPyConnection, network: str, period: str, over: str, limit: int,
                     setting: str, strong_threshold: float = 3.0) -> dict:
    """The measures of one network and period too big for graph work (see :func:`metrics_table`)."""
    r = sql_measures(con, network, period, strong_threshold).to_dict("records")[0]
    return _limited_row(con, r, over, limit, setting)


def _limited_row(con: duckdb.DuckDBPyConnection, r: dict, over: str, limit: int, setting: str) -> dict:
    """A network and period over the budget: the set-based measures, the graph ones None, the reason said."""
    isolates = sql_isolates(con, r["network"], r["period"])
    row = {"network": r["network"], "period": r["period"], **{k: r[k] for k in SQL_MEASURES if k != "isolates"},
           "isolates": isolates}
    for k in ("weak_components", "clustering", "degree_centralization", "communities", "modularity"):
        row[k] = None
    row.update(ei_index={"organisation": None, "role": None}, top_betweenness=[], top_in_degree=[],
               betweenness_sampled=False, warnings=[])
    row["limited"] = (f"{r['edges'] if over == 'ties' else r['nodes']:,} {over} is over the limit of {limit:,} "
                      f"for graph measures (NETWERKLEREN_{setting}): counts, density, reciprocity, isolates and shares are "
                      "computed in the database; clustering, components, communities and betweenness are left "
                      "out. Filter by period or type, or raise the limit on a machine with time and memory.")
    return row


def sql_isolates(con: duckdb.DuckDBPyConnection, network: str, period: str) -> list[str]:
    """The people of a network and period without any tie in it (the isolates of :func:`sql_measures`)."""
    return [r[0] for r in con.execute(
        """WITH t AS (SELECT source, target, weight FROM v_ties WHERE network = ? AND period = ?),
                per AS (SELECT * FROM v_periods WHERE period = ?),
                e AS (SELECT source, target FROM t WHERE source <> target AND weight >= 0)
           SELECT pid FROM (
               SELECT m.participant_id AS pid FROM memberships m, per
               WHERE m.network = ? AND (m.joined IS NULL OR m.joined <= per.last_date)
                 AND (m."left" IS NULL OR m."left" >= per.first_date)
               UNION SELECT source FROM t UNION SELECT target FROM t)
           WHERE pid NOT IN (SELECT source FROM e UNION SELECT target FROM e)
           ORDER BY 1""", [network, period, period, network]).fetchall()]


# --------------------------------------------------------------------------------------------------------------
# Budgets: set-based measures for networks of any size and count
# --------------------------------------------------------------------------------------------------------------

#: The measures :func:`sql_measures` gives; the others (clustering, components, communities, betweenness)
#: need the graph and are left out for networks over the budget.
SQL_MEASURES = ("nodes", "edges", "density", "reciprocity", "isolates", "avg_in_degree", "avg_out_degree",
                "cross_organisation_share", "strong_share", "weak_share")


def sql_measures(con: duckdb.DuckDBPyConnection, network: str | None = None, period: str | None = None,
                 strong_threshold: float = 3.0) -> pd.DataFrame:
    """Whole-network measures of every network and period in one DuckDB query, no graph built.

    The same people and ties as :func:`graph` with :func:`metrics_table`'s filters (members active in the
    period plus everyone its ties name; distinct directed ties without self-loops, weights of duplicates
    summed) and the same definitions as ``network.network_measures``; ``isolates`` is a count here. Cost
    grows with the number of ties, not with the number of networks: 10,000 small networks or one of 1.7
    million ties take seconds, where a graph per network and period takes minutes.
    """
    conds, params = ["period IS NOT NULL"], []
    if network is not None:
        conds.append("network = ?")
        params.append(network)
    if period is not None:
        conds.append("period = ?")
        params.append(period)
    where = " AND ".join(conds)
    return frame(
        con,
        f"""WITH t AS (SELECT network, period, source, target, weight, date FROM v_ties WHERE {where}),
            np AS (SELECT network, period, min(date) AS first_date FROM t GROUP BY ALL),
            e AS (SELECT network, period, source, target, sum(weight) AS w FROM t
                  WHERE source <> target AND weight >= 0 GROUP BY ALL),
            members AS (
                SELECT np.network, np.period, m.participant_id AS pid
                FROM np JOIN v_periods per USING (period) JOIN memberships m ON m.network = np.network
                WHERE (m.joined IS NULL OR m.joined <= per.last_date)
                  AND (m."left" IS NULL OR m."left" >= per.first_date)),
            nodes AS (SELECT network, period, pid FROM members
                      UNION SELECT network, period, source FROM t UNION SELECT network, period, target FROM t),
            n AS (SELECT network, period, count(*) AS nodes FROM nodes GROUP BY ALL),
            ends AS (SELECT network, period, count(*) AS connected FROM (
                         SELECT network, period, source AS pid FROM e UNION SELECT network, period, target FROM e)
                     GROUP BY ALL),
            org AS (SELECT participant_id, nullif(trim(organisation), '') AS org FROM people),
            mutual AS (SELECT e.network, e.period, count(*) AS both_ways FROM e JOIN e AS r
                           ON r.network = e.network AND r.period = e.period AND r.source = e.target
                              AND r.target = e.source
                       GROUP BY ALL),
            m AS (SELECT e.network, e.period, count(*) AS edges,
                         count(*) FILTER (WHERE e.w >= ?) AS strong,
                         count(*) FILTER (WHERE so.org IS NOT NULL AND tg.org IS NOT NULL) AS both_org,
                         count(*) FILTER (WHERE so.org <> tg.org) AS cross_org
                  FROM e LEFT JOIN org so ON so.participant_id = e.source
                         LEFT JOIN org tg ON tg.participant_id = e.target
                  GROUP BY ALL)
            SELECT n.network, n.period, n.nodes, coalesce(m.edges, 0) AS edges,
                   CASE WHEN n.nodes >= 2 THEN coalesce(m.edges, 0) / (n.nodes * (n.nodes - 1)) ELSE 0.0 END
                       AS density,
                   CASE WHEN m.edges > 0 THEN coalesce(mutual.both_ways, 0) / m.edges ELSE 0.0 END AS reciprocity,
                   n.nodes - coalesce(ends.connected, 0) AS isolates,
                   CASE WHEN n.nodes > 0 THEN coalesce(m.edges, 0) / n.nodes ELSE 0.0 END AS avg_in_degree,
                   CASE WHEN n.nodes > 0 THEN coalesce(m.edges, 0) / n.nodes ELSE 0.0 END AS avg_out_degree,
                   CASE WHEN m.both_org > 0 THEN m.cross_org / m.both_org END AS cross_organisation_share,
                   CASE WHEN m.edges > 0 THEN m.strong / m.edges ELSE 0.0 END AS strong_share,
                   CASE WHEN m.edges > 0 THEN (m.edges - m.strong) / m.edges ELSE 0.0 END AS weak_share,
                   np.first_date
            FROM n JOIN np USING (network, period) LEFT JOIN m USING (network, period)
                   LEFT JOIN ends USING (network, period) LEFT JOIN mutual USING (network, period)
            ORDER BY n.network, first_date NULLS LAST, n.period""",
        [*params, float(strong_threshold)],
    )


def size(con: duckdb.DuckDBPyConnection, network: str) -> tuple[int, int]:
    """People (members and everyone named in ties) and tie rows of a network over all periods: what a page
    must check before building its graph and layout. Two counts, milliseconds at any size."""
    people, ties = con.execute(
        """SELECT (SELECT count(*) FROM (SELECT participant_id FROM memberships WHERE network = ?
                                         UNION SELECT source FROM ties WHERE network = ?
                                         UNION SELECT target FROM ties WHERE network = ?)),
                  (SELECT count(*) FROM ties WHERE network = ?)""",
        [network, network, network, network],
    ).fetchall()[0]
    return int(people), int(ties)


def over_budget(people: int, ties: int, max_people: int, max_ties: int) -> str | None:
    """Which limit a network of this size passes ("ties" or "people"), or None when it fits."""
    if ties > max_ties:
        return "ties"
    if people > max_people:
        return "people"
    return None
