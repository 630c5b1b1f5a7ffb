"""Learning ties from the store: the people and ties of a network and period, ready for the measures and maps.

A network's people are its members (from the participant list) plus everyone its ties name, so isolated
members count and people from outside the network show as external.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import networkx as nx
import pandas as pd

from analytics.decisions import STRONG_TIE_MIN_WEIGHT, betweenness_sample
from analytics.measures import network as tm
from analytics.privacy import code_mapping, graph_with_codes, label_sql, people_join_sql, public_ids
from analytics.store.db import frame, rows, where_in


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
        where, params = where_in([("t.network", self.network)],
                                 [("t.period", self.periods), ("t.tie_type", self.tie_types),
                                  ("t.topic", self.topics), ("t.channel", self.channels)])
        return f"{where} AND t.weight >= ?", [*params, self.min_weight]


def nodes(con: duckdb.DuckDBPyConnection, network: str, *, pseudonymise: bool = True,
          periods: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Members of the network plus the people its ties (in ``periods``) name, with display labels."""
    label = label_sql(pseudonymise, "ids.participant_id")
    ids, params = _people_sql(network, periods)
    return frame(
        con,
        f"""WITH ids AS ({ids})
            SELECT ids.participant_id, {label} AS label, p.organisation, p.role,
                   coalesce(p.external, true) AS external, p.name
            FROM ids {people_join_sql("ids.participant_id")}
            ORDER BY ids.participant_id""",
        params,
    )


def _people_sql(network: str, periods: tuple[str, ...] | None) -> tuple[str, list]:
    """The ids of a view's people: members active in ``periods`` and everyone its ties in them name."""
    marks = ", ".join("?" * len(periods or ()))
    period_cond = f"AND period IN ({marks})" if periods else ""
    # Members count in a period when they had joined by its last date and not left before its first date.
    active = (f"""AND (joined IS NULL OR joined <= (SELECT max(last_date) FROM v_periods WHERE period IN ({marks})))
                  AND ("left" IS NULL OR "left" >= (SELECT min(first_date) FROM v_periods WHERE period IN ({marks})))"""
              if periods else "")
    params = [network, *(periods or ()), *(periods or ()), network, *(periods or ()), network, *(periods or ())]
    return (f"""SELECT participant_id FROM memberships WHERE network = ? {active}
                UNION SELECT source FROM v_ties WHERE network = ? {period_cond}
                UNION SELECT target FROM v_ties WHERE network = ? {period_cond}""", params)


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
    return tm.build_graph(*graph_rows(con, f, pseudonymise))


def organisation_graph(con: duckdb.DuckDBPyConnection, f: TieFilters, unknown_label: str | None = None
                       ) -> nx.DiGraph:
    """``tm.organisation_graph(graph(con, f)[0], unknown_label)``, without building the graph of people: counted
    in DuckDB (at 10,000 people / 60,000 ties 0.05 s, where the rows through pandas took 0.28 s: the map of
    organisations a big network opens with, drawn again on every filter change). A role filter, which keeps
    people by their role first, takes the rows."""
    if f.roles:
        return tm.organisation_graph_of_rows(*graph_rows(con, f, True), unknown_label)
    people, people_params = _people_sql(f.network, f.periods)
    where, where_params = f.where()
    # As build_graph repairs them: ids without their spaces, no empty ends or self-ties, one tie per ordered pair
    # (weights summed), an organisation without its spaces and blank as unknown.
    sql = f"""WITH ids AS ({people}),
                  grp AS (SELECT ids.participant_id AS pid, nullif(trim(p.organisation), '') AS org
                          FROM ids LEFT JOIN people p ON p.participant_id = ids.participant_id
                          WHERE nullif(trim(ids.participant_id), '') IS NOT NULL),
                  pairs AS (SELECT trim(t.source) AS s, trim(t.target) AS g, sum(t.weight) AS w
                            FROM v_ties t WHERE {where}
                            GROUP BY 1, 2 HAVING s <> g AND s <> '' AND g <> '')"""
    found = frame(con, f"""{sql}
        SELECT false AS tie, org AS source_org, NULL AS target_org, count(*) AS n, NULL AS weight_sum
        FROM grp GROUP BY org
        UNION ALL
        SELECT true, a.org, b.org, count(*), sum(w)
        FROM pairs LEFT JOIN grp a ON a.pid = s LEFT JOIN grp b ON b.pid = g
        GROUP BY a.org, b.org""", [*people_params, *where_params])  # one query: the people are read once
    members = found[~found["tie"]]
    counted = found[found["tie"]].rename(columns={"n": "ties"})
    return tm.organisation_graph_of_counts(
        dict(zip(members["source_org"].astype(object).where(members["source_org"].notna(), None).tolist(),
                 members["n"].tolist(), strict=True)),
        counted[["source_org", "target_org", "ties", "weight_sum"]], unknown_label)


def graph_rows(con: duckdb.DuckDBPyConnection, f: TieFilters, pseudonymise: bool
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The people and ties :func:`graph` builds from (a helper process builds and measures a big view from
    these, see :mod:`analytics.measures.measures_process`)."""
    n = nodes(con, f.network, pseudonymise=pseudonymise, periods=f.periods)
    e = edges(con, f)
    if f.roles:
        keep = set(n.loc[n["role"].fillna("unknown").isin(f.roles), "participant_id"])
        n = n[n["participant_id"].isin(keep)]
        e = e[e["source"].isin(keep) & e["target"].isin(keep)]
    return n.drop(columns=["name"]), e.drop(columns=["period"])


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


#: The combined view of every tie type (chosen explicitly; never the default when a network has several).
ALL_TYPES = "all"


def tie_types(con: duckdb.DuckDBPyConnection, network: str) -> list[str]:
    """The tie types of a network, the type with most ties first (the view a page opens with)."""
    return [r[0] for r in rows(
        con, """SELECT tie_type FROM v_ties WHERE network = ? AND tie_type IS NOT NULL
                GROUP BY tie_type ORDER BY count(*) DESC, tie_type""", [network])]


def type_filter(types: list[str], chosen: str | None) -> tuple[str, ...] | None:
    """The tie types a view keeps: one type at a time by default (advice and friendship are different
    networks; added together their density is neither's), all of them only when ``chosen`` is ALL_TYPES."""
    if chosen == ALL_TYPES or len(types) <= 1:
        return None
    return (chosen if chosen in types else types[0],)


def frequency_known(con: duckdb.DuckDBPyConnection, network: str) -> bool:
    """Whether the network's ties carry a real frequency (a weight column was mapped, or a live round asked
    how often): without one every tie is stored with weight 1, and strong/weak means nothing."""
    found = rows(con, """SELECT DISTINCT i.source, json_extract_string(i.details, '$.mapping') FROM imports i
                         WHERE i.undone_at IS NULL AND i.import_id IN (
                             SELECT DISTINCT import_id FROM ties WHERE network = ?)""", [network])
    return bool(found) and all(src == "live" or '"weight"' in (mapping or "") for src, mapping in found)


def networks_with_ties(con: duckdb.DuckDBPyConnection) -> list[str]:
    return frame(con, "SELECT DISTINCT network FROM ties ORDER BY 1")["network"].tolist()


def metrics_table(con: duckdb.DuckDBPyConnection, network: str | None = None, period: str | None = None,
                  strong_threshold: float = STRONG_TIE_MIN_WEIGHT, *, pseudonymise: bool = True,
                  tie_type: str | None = None, max_ties: int | None = None,
                  max_people: int | None = None, with_betweenness: bool = True) -> list[dict]:
    """Whole-network measures per network, period and tie type (the CLI's ``metrics`` and the Ties page).

    ``with_betweenness=False`` leaves out the people with the highest betweenness (``top_betweenness`` empty):
    a table over periods that does not show them need not pay for the one measure that grows with people x
    ties (about 3 s per period at 10,000 people / 100,000 ties).

    A network with several tie types gives one record per type (``tie_type``); ``tie_type`` picks one, or
    ALL_TYPES for one combined record (ties between the same two people merged, weights summed). People named
    in the result (isolates, the top lists) are given by their codes when pseudonymising, the same codes the
    tie map carries. Where the ties carry no frequency, the strong/weak shares are None.

    Budget: a network, period and type over ``max_ties`` distinct ties (default the ``CLI_MAX_TIES`` setting)
    or ``max_people`` people (default none) is not built as a graph: it gets the measures :func:`sql_measures`
    gives, the graph measures as None, and ``limited`` saying which limit and how to raise it.
    """
    from analytics import limits

    max_ties = limits.get_int("CLI_MAX_TIES") if max_ties is None else max_ties
    nets = [network] if network else networks_with_ties(con)
    out = []
    ids = public_ids(con) if pseudonymise else {}
    for net in nets:
        types = tie_types(con, net)
        if tie_type == ALL_TYPES or len(types) <= 1:
            views = [(ALL_TYPES if tie_type == ALL_TYPES and len(types) > 1 else (types[0] if types else None),
                      None)]
        elif tie_type is not None:
            views = [(tie_type, (tie_type,))]
        else:
            views = [(tt, (tt,)) for tt in types]
        known = frequency_known(con, net)
        # One code per person over the whole network, from its people (SQL), not from a graph of all its ties.
        codes = code_mapping(nodes(con, net)["participant_id"].tolist(), ids) if pseudonymise else None
        for label, kept in views:
            cheap = sql_measures(con, network=net, period=period, strong_threshold=strong_threshold,
                                 tie_types=kept).to_dict("records")
            if period is not None and not cheap:  # a period without ties: its members alone, no tie to count
                cheap = [{"network": net, "period": period, "nodes": 0, "edges": 0}]
            for r in cheap:
                per = r["period"]
                over = over_budget(int(r["nodes"]), int(r["edges"]), max_people or 2**62, max_ties)
                if over:
                    limit, setting = (max_ties, "CLI_MAX_TIES") if over == "ties" else (max_people, "PAGE_MAX_PEOPLE")
                    row = _limited_row(con, r, over, limit, setting, kept)
                    if codes is not None:
                        row["isolates"] = sorted(codes.get(v, "?") for v in row["isolates"])
                    if not known:
                        row["strong_share"] = row["weak_share"] = None
                    out.append({"network": net, "period": per, "tie_type": label,
                                **{k: v for k, v in row.items() if k not in ("network", "period")}})
                    continue
                G, warnings = graph(con, TieFilters(network=net, periods=(per,), tie_types=kept), pseudonymise=True)
                if codes is not None:
                    G = graph_with_codes(G, codes)
                if with_betweenness:
                    m = tm.network_measures(G, strong_threshold=strong_threshold,
                                            betweenness_k=betweenness_sample(G.number_of_nodes()))
                else:
                    m = tm.network_measures(G, strong_threshold=strong_threshold, betweenness_values={})
                m = {key: m[key] for key in m if key != "community_of"}
                if not known:
                    m["strong_share"] = m["weak_share"] = None
                out.append({"network": net, "period": per, "tie_type": label, **m, "warnings": warnings})
    return out


def limited_measures(con: duckdb.DuckDBPyConnection, network: str, period: str, over: str, limit: int,
                     setting: str, strong_threshold: float = STRONG_TIE_MIN_WEIGHT,
                     tie_types: tuple[str, ...] | None = None) -> dict:
    """The measures of one network, period and type too big for graph work (see :func:`metrics_table`)."""
    found = sql_measures(con, network, period, strong_threshold, tie_types=tie_types).to_dict("records")
    r = found[0] if found else {"network": network, "period": period, **dict.fromkeys(SQL_MEASURES, 0)}
    return _limited_row(con, r, over, limit, setting, tie_types)


def _limited_row(con: duckdb.DuckDBPyConnection, r: dict, over: str, limit: int, setting: str,
                 tie_types: tuple[str, ...] | None = None) -> dict:
    """A network and period over the budget: the set-based measures, the graph ones None, the reason said."""
    isolates = sql_isolates(con, r["network"], r["period"], tie_types)
    row = {"network": r["network"], "period": r["period"], **{k: r[k] for k in SQL_MEASURES if k != "isolates"},
           "isolates": isolates}
    for k in ("weak_components", "clustering", "degree_centralization", "communities", "modularity"):
        row[k] = None
    row.update(ei_index={"organisation": None, "role": None}, top_betweenness=[], top_in_degree=[],
               betweenness_sampled=False, warnings=[])
    row["limited"] = (f"{r['edges'] if over == 'ties' else r['nodes']:,} {over} is over the limit of {limit:,} "
                      f"for graph measures (NETWERKLEREN_{setting}): counts, density, reciprocity, isolates and "
                      "shares are computed in the database; clustering, components, communities and betweenness "
                      "are left out. Filter by period or type, or raise the limit on a machine with time and memory.")
    return row


def _type_cond(tie_types: tuple[str, ...] | None, alias: str = "") -> tuple[str, list]:
    if not tie_types:
        return "", []
    return f" AND {alias}tie_type IN ({', '.join('?' * len(tie_types))})", list(tie_types)


def sql_isolates(con: duckdb.DuckDBPyConnection, network: str, period: str,
                 tie_types: tuple[str, ...] | None = None) -> list[str]:
    """The people of a network and period without any tie (of ``tie_types``) in it, as :func:`graph` has them:
    members and everyone any tie of the period names, minus the ends of the kept ties."""
    cond, tparams = _type_cond(tie_types)
    return [r[0] for r in con.execute(
        f"""WITH t AS (SELECT source, target, weight, tie_type FROM v_ties WHERE network = ? AND period = ?),
                per AS (SELECT * FROM v_periods WHERE period = ?),
                e AS (SELECT source, target FROM t WHERE source <> target AND weight >= 0{cond})
           SELECT pid FROM (
               SELECT m.participant_id AS pid FROM memberships m, per
               WHERE m.network = ? AND (m.joined IS NULL OR m.joined <= per.last_date)
                 AND (m."left" IS NULL OR m."left" >= per.first_date)
               UNION SELECT source FROM t UNION SELECT target FROM t)
           WHERE pid NOT IN (SELECT source FROM e UNION SELECT target FROM e)
           ORDER BY 1""", [network, period, period, *tparams, network]).fetchall()]


# --------------------------------------------------------------------------------------------------------------
# Budgets: set-based measures for networks of any size and count
# --------------------------------------------------------------------------------------------------------------

#: The measures :func:`sql_measures` gives; the others (clustering, components, communities, betweenness)
#: need the graph and are left out for networks over the budget.
SQL_MEASURES = ("nodes", "edges", "density", "reciprocity", "isolates", "avg_in_degree", "avg_out_degree",
                "cross_organisation_share", "strong_share", "weak_share")


def sql_measures(con: duckdb.DuckDBPyConnection, network: str | None = None, period: str | None = None,
                 strong_threshold: float = STRONG_TIE_MIN_WEIGHT, *, tie_types: tuple[str, ...] | None = None,
                 main_type: bool = False) -> pd.DataFrame:
    """Whole-network measures of every network and period in one DuckDB query, no graph built.

    The same people and ties as :func:`graph` with :func:`metrics_table`'s filters (members active in the
    period plus everyone its ties name; distinct directed ties of the kept types without self-loops, weights
    of duplicates summed) and the same definitions as ``network.network_measures``; ``isolates`` is a count.
    ``tie_types`` keeps those types; ``main_type`` keeps, per network with several types, the type with most
    ties (the view a page opens with). ``tie_type`` says which type was measured (the most common one; None
    when the ties carry no type). Cost grows with the number of ties, not with the number of networks:
    10,000 small networks or one of 1.7 million ties take seconds, where a graph per network takes minutes.
    """
    conds, params = ["period IS NOT NULL"], []
    if network is not None:
        conds.append("network = ?")
        params.append(network)
    if period is not None:
        conds.append("period = ?")
        params.append(period)
    where = " AND ".join(conds)
    cond, tparams = _type_cond(tie_types, "a.")
    net_cond = "AND network = ?" if network is not None else ""
    keep_main = "AND (mt.main_type IS NULL OR a.tie_type = mt.main_type)" if main_type else ""
    return frame(
        con,
        f"""WITH a AS (SELECT network, period, source, target, weight, date, tie_type FROM v_ties WHERE {where}),
            types AS (SELECT network, tie_type, count(*) AS c FROM v_ties
                      WHERE tie_type IS NOT NULL {net_cond} GROUP BY ALL),
            ranked AS (SELECT network, tie_type, row_number() OVER (PARTITION BY network ORDER BY c DESC, tie_type)
                              AS rn, count(*) OVER (PARTITION BY network) AS k FROM types),
            mt AS (SELECT network, tie_type AS label_type,
                          CASE WHEN k > 1 THEN tie_type END AS main_type FROM ranked WHERE rn = 1),
            t AS (SELECT a.* FROM a LEFT JOIN mt USING (network) WHERE true{cond} {keep_main}),
            np AS (SELECT network, period, min(date) AS first_date FROM t GROUP BY ALL),
            e AS (SELECT network, period, source, target, sum(weight) AS w FROM t
                  WHERE source <> target AND weight >= 0 GROUP BY ALL),
            members AS (
                SELECT np.network, np.period, m.participant_id AS pid
                FROM np JOIN v_periods per USING (period) JOIN memberships m ON m.network = np.network
                WHERE (m.joined IS NULL OR m.joined <= per.last_date)
                  AND (m."left" IS NULL OR m."left" >= per.first_date)),
            named AS (SELECT a.network, a.period, a.source AS pid FROM a SEMI JOIN np USING (network, period)
                      UNION SELECT a.network, a.period, a.target FROM a SEMI JOIN np USING (network, period)),
            nodes AS (SELECT network, period, pid FROM members UNION SELECT network, period, pid FROM named),
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
            SELECT n.network, n.period, mt.label_type AS tie_type, n.nodes, coalesce(m.edges, 0) AS edges,
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
                   LEFT JOIN mt USING (network)
            ORDER BY n.network, np.first_date NULLS LAST, n.period""",
        [*params, *(params[:1] if network is not None else []), *tparams, float(strong_threshold)],
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
