"""Tie dynamics: how stable a network's ties are from one period to the next, who joined and left, how many
ties reach outside people, and what members say about their ties next to what the ties show.

Pure functions over networkx graphs and sets, plus thin wrappers that read the store.

* **Jaccard index** of two periods' ties: kept / (kept + new + dropped), over distinct directed ties
  (source names target). 1 = the same ties, 0 = none in common. A change of who answered changes ties too,
  so joined/left are shown beside it.
* **Intervals for tie shares** (reciprocity, weak-tie share, share to outside people, density): a bootstrap
  over respondents, each resampled with all the ties they named (an ego network), because the name
  generator is asked per person. Clustering and centralisation depend on the whole structure at once and
  have no resampling that keeps their meaning: they are shown without an interval.
"""

from __future__ import annotations

import duckdb
import networkx as nx
import pandas as pd

from analytics.measures import network as tm
from analytics.measures import ties as tq
from analytics.measures import uncertainty
from analytics.store.db import frame

DYNAMICS_COLUMNS = ["period_from", "period_to", "ties_from", "ties_to", "kept", "new", "dropped", "jaccard",
                    "members_from", "members_to", "joined", "left"]
#: Measures per respondent's named ties; each is sum(numerator) / sum(denominator) over respondents.
EGO_SHARES = {"reciprocity": ("reciprocated", "named"), "weak_share": ("weak", "named"),
              "outside_share": ("outside", "named"), "density": ("named", "possible")}


def tie_set(G: nx.DiGraph) -> set[tuple[str, str]]:
    """The distinct directed ties of a graph, without self-loops."""
    return {(s, t) for s, t in G.edges if s != t}


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b|; two empty sets are 'the same' (1.0)."""
    union = a | b
    return len(a & b) / len(union) if union else 1.0


def compare_waves(waves: list[tuple[str, set, set]]) -> pd.DataFrame:
    """Consecutive periods compared: ``waves`` is [(period, ties, members), ...] in time order.

    Per step: ties in each period, kept/new/dropped ties, the Jaccard index, members in each period, and
    how many joined (member in the later period only) and left (earlier only)."""
    rows = []
    for (pa, ta, ma), (pb, tb, mb) in zip(waves, waves[1:], strict=False):
        rows.append({"period_from": pa, "period_to": pb, "ties_from": len(ta), "ties_to": len(tb),
                     "kept": len(ta & tb), "new": len(tb - ta), "dropped": len(ta - tb),
                     "jaccard": jaccard(ta, tb), "members_from": len(ma), "members_to": len(mb),
                     "joined": len(mb - ma), "left": len(ma - mb)})
    return pd.DataFrame(rows, columns=DYNAMICS_COLUMNS)


def ego_table(G: nx.DiGraph, strong_threshold: float = 3.0) -> pd.DataFrame:
    """One row per person in ``G``: ties they named, of which reciprocated, weak (weight below
    ``strong_threshold``) and to outside people (``external`` nodes), and the ties they could have named
    (n - 1). The unit the tie shares are resampled over."""
    ext = {v for v, d in G.nodes(data=True) if d.get("external")}
    n = G.number_of_nodes()
    rows = []
    for v in G.nodes:
        out = [(t, d) for _, t, d in G.out_edges(v, data=True) if t != v]
        rows.append({"respondent": v, "named": len(out),
                     "reciprocated": sum(G.has_edge(t, v) for t, _ in out),
                     "weak": sum(float(d.get("weight", 1.0)) < strong_threshold for _, d in out),
                     "outside": sum(t in ext for t, _ in out), "possible": max(n - 1, 0)})
    return pd.DataFrame(rows, columns=["respondent", "named", "reciprocated", "weak", "outside", "possible"])


def share_intervals(egos: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys`` and measure of :data:`EGO_SHARES`: value, ci_low, ci_high, n (respondents).

    Only people who named at least one tie are resampled for the shares of named ties (someone who named
    nobody says nothing about reciprocity); density resamples everybody."""
    out = []
    for measure, (num, den) in EGO_SHARES.items():
        d = egos if measure == "density" else egos[egos["named"] > 0]
        r = uncertainty.ratio_ci(d, keys, num, den)
        out.append(r.assign(measure=measure))
    cols = [*keys, "measure", "n", "value", "ci_low", "ci_high"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


# ------------------------------------------------------------------------------------------ from the store


def _periods(con: duckdb.DuckDBPyConnection, network: str, tie_types: tuple[str, ...] | None = None) -> list[str]:
    cond = f"AND tie_type IN ({', '.join('?' * len(tie_types))})" if tie_types else ""
    return frame(con, f"SELECT period FROM v_ties WHERE network = ? {cond} GROUP BY period ORDER BY min(date), period",
                 [network, *(tie_types or ())])["period"].tolist()


def members(con: duckdb.DuckDBPyConnection, network: str, period: str) -> set[str]:
    """Members active in a period: joined by its last date, not left before its first date."""
    df = frame(con, """SELECT DISTINCT participant_id FROM memberships m, v_periods p
                       WHERE m.network = ? AND p.period = ?
                         AND (m.joined IS NULL OR p.last_date IS NULL OR m.joined <= p.last_date)
                         AND (m."left" IS NULL OR p.first_date IS NULL OR m."left" >= p.first_date)""",
               [network, period])
    return set(df["participant_id"])


def graphs(con: duckdb.DuckDBPyConnection, network: str,
           tie_types: tuple[str, ...] | None = None) -> list[tuple[str, nx.DiGraph]]:
    """The network's tie graph per period (of ``tie_types``; None = all types together), in time order."""
    return [(p, tq.graph(con, tq.TieFilters(network=network, periods=(p,), tie_types=tie_types))[0])
            for p in _periods(con, network, tie_types)]


def dynamics(con: duckdb.DuckDBPyConnection, network: str,
             waves: list[tuple[str, nx.DiGraph]] | None = None) -> pd.DataFrame:
    """:func:`compare_waves` for a network's tie periods, members from the participant list."""
    waves = waves if waves is not None else graphs(con, network)
    return compare_waves([(p, tie_set(G), members(con, network, p)) for p, G in waves])


def shares_over_time(con: duckdb.DuckDBPyConnection, network: str, strong_threshold: float = 3.0,
                     waves: list[tuple[str, nx.DiGraph]] | None = None) -> pd.DataFrame:
    """Per period and measure of :data:`EGO_SHARES`: value with its interval over respondents, plus
    clustering and degree centralisation (no interval: see the module doc). Ties without a real frequency
    (no weight column) have no weak-tie share: that row is left out."""
    waves = waves if waves is not None else graphs(con, network)
    if not waves:
        return pd.DataFrame(columns=["period", "measure", "n", "value", "ci_low", "ci_high"])
    egos = pd.concat([ego_table(G, strong_threshold).assign(period=p) for p, G in waves], ignore_index=True)
    shares = share_intervals(egos, ["period"])
    whole = []
    for p, G in waves:
        m = tm.network_shape(G)
        for key in ("clustering", "degree_centralization"):
            whole.append({"period": p, "measure": key, "n": G.number_of_nodes(), "value": m[key]})
    out = pd.concat([shares, pd.DataFrame(whole)], ignore_index=True)
    if not tq.frequency_known(con, network):
        out = out[out["measure"] != "weak_share"]
    order = {p: i for i, (p, _) in enumerate(waves)}
    return out.assign(_o=out["period"].map(order)).sort_values(["_o", "measure"]).drop(columns="_o").reset_index(
        drop=True)


#: The marks members give about their ties, and the measured figure each is read against.
PERCEIVED = {"3a": "clustering", "3b": "weak_share", "4c": "degree_centralization"}


def perceived_vs_measured(con: duckdb.DuckDBPyConnection, network: str, *, strong_threshold: float = 3.0,
                          framework=None, min_group: int | None = None,
                          waves: list[tuple[str, nx.DiGraph]] | None = None) -> pd.DataFrame:
    """Per period: the mean marks on 3a (shared identity), 3b (strong -> weak ties) and 4c (hierarchical ->
    equal) with their intervals, next to clustering, weak-tie share, reciprocity and centralisation of the
    same network's ties. Long format: period, side ('perceived'/'measured'), measure, n, value, ci_low, ci_high.
    """
    from analytics.measures import dimensions as dims
    from analytics.privacy import DEFAULT_MIN_GROUP

    fw_id = framework.id if framework is not None else "dimensions"
    s = dims.indicator_stats(con, dims.Filters(networks=(network,), situation="current", framework=fw_id),
                             by="indicator", framework=framework, with_ci=True,
                             min_group=DEFAULT_MIN_GROUP if min_group is None else min_group)
    s = s[s["code"].isin(list(PERCEIVED))]
    perceived = pd.DataFrame({"period": s["period"], "side": "perceived", "measure": s["code"], "n": s["n"],
                              "value": s["mean"], "ci_low": s["ci_low"], "ci_high": s["ci_high"]})
    measured = shares_over_time(con, network, strong_threshold, waves)
    measured = measured[measured["measure"].isin(["clustering", "weak_share", "reciprocity",
                                                   "degree_centralization"])].assign(side="measured")
    return pd.concat([perceived, measured], ignore_index=True)[
        ["period", "side", "measure", "n", "value", "ci_low", "ci_high"]]
