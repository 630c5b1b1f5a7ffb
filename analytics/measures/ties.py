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
                UNION SELECT source FROM v_ties WHERE network = ? {period_cond}
                UNION SELECT target FROM v_ties WHERE network = ? {period_cond})
            SELECT ids.participant_id, {label} AS label, p.organisation, p.role,
                   coalesce(p.external, true) AS external, p.name
            FROM ids {people_join_sql("ids.participant_id")}
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
                  tie_type: str | None = None) -> list[dict]:
    """Whole-network measures per network, period and tie type (the CLI's ``metrics`` and the overview).

    A network with several tie types gives one record per type (``tie_type``); ``tie_type`` picks one, or
    ALL_TYPES for one combined record (ties between the same two people merged, weights summed). People named
    in the result (isolates, the top lists) are given by their codes when pseudonymising, the same codes the
    tie map carries. Where the ties carry no frequency, the strong/weak shares are None."""
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
        codes = code_mapping(full_graph(con, net).nodes, ids) if pseudonymise else None
        for label, kept in views:
            periods = [period] if period else frame(
                con, f"""SELECT period FROM v_ties WHERE network = ? {'AND tie_type = ?' if kept else ''}
                         GROUP BY period ORDER BY min(date), period""", [net, *(kept or ())])["period"].tolist()
            for per in periods:
                G, warnings = graph(con, TieFilters(network=net, periods=(per,), tie_types=kept), pseudonymise=True)
                if codes is not None:
                    G = graph_with_codes(G, codes)
                m = tm.network_measures(G, strong_threshold=strong_threshold,
                                        betweenness_k=betweenness_sample(G.number_of_nodes()))
                m = {key: m[key] for key in m if key != "community_of"}
                if not known:
                    m["strong_share"] = m["weak_share"] = None
                out.append({"network": net, "period": per, "tie_type": label, **m, "warnings": warnings})
    return out
