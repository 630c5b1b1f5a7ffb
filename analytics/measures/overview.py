"""The coaches' overview: every network side by side, and the signals worth a question.

Signals are worded as questions for the coaches' meeting, never as grades. Each carries the page (and the
filter) that shows it, so the overview can link straight to the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from analytics.measures import dimensions as dims
from analytics.measures import ties as tq
from analytics.measures import value_creation as vc
from analytics.privacy import DEFAULT_MIN_GROUP
from analytics.store.db import frame

#: A shift of at least this much (on the 0-1 continuum) between two periods is worth a question.
LARGE_SHIFT = 0.10
#: Positions are fractions (0.6 - 0.5 = 0.0999…); a threshold is met within this much.
EPS = 1e-9
#: An interquartile range of at least this much means participants see an indicator differently.
WIDE_SPREAD = 0.35
#: Fewer ties than this share across organisations: the network may lack outside perspectives.
FEW_CROSS = 0.2
#: Fewer participants reaching applied value than this share of those reaching potential value.
STOPS_AT_POTENTIAL = 0.4


@dataclass
class Signal:
    network: str
    code: str
    page: str  # dimensions | values | ties
    figures: dict[str, Any] = field(default_factory=dict)
    period: str | None = None


def network_table(con: duckdb.DuckDBPyConnection, min_group: int = DEFAULT_MIN_GROUP) -> pd.DataFrame:
    """One row per network: participants, periods covered, and the latest period of each kind of data.

    ``participants`` counts the people the network knows: its members and everyone who gave marks or value
    reports under a name, code or e-mail (a file without a participant list still has people);
    ``respondents`` counts the responses of its latest period with marks, named or anonymous. People merged
    into one (``person_merges``) count once: the ids are read through the views."""
    return frame(
        con,
        """WITH nets AS (
               SELECT network FROM memberships UNION SELECT network FROM dimension_scores
               UNION SELECT network FROM value_reports UNION SELECT network FROM ties)
           SELECT n.network,
                  (SELECT count(DISTINCT pid) FROM (
                       SELECT participant_id AS pid FROM memberships m WHERE m.network = n.network
                       UNION ALL SELECT participant_id FROM v_scores d WHERE d.network = n.network
                       UNION ALL SELECT participant_id FROM v_values v WHERE v.network = n.network)) AS participants,
                  (SELECT count(DISTINCT coalesce(d.participant_id, d.import_id || '/' || d.response_id))
                     FROM v_scores d WHERE d.network = n.network AND d.period = (
                       SELECT arg_max(period, date) FROM dimension_scores d2 WHERE d2.network = n.network))
                       AS respondents,
                  (SELECT count(DISTINCT period) FROM (
                       SELECT period FROM dimension_scores d WHERE d.network = n.network
                       UNION SELECT period FROM value_reports v WHERE v.network = n.network
                       UNION SELECT period FROM ties t WHERE t.network = n.network)) AS periods,
                  (SELECT min(date) FROM (
                       SELECT date FROM dimension_scores d WHERE d.network = n.network
                       UNION ALL SELECT date FROM value_reports v WHERE v.network = n.network
                       UNION ALL SELECT date FROM ties t WHERE t.network = n.network)) AS first_date,
                  (SELECT max(date) FROM (
                       SELECT date FROM dimension_scores d WHERE d.network = n.network
                       UNION ALL SELECT date FROM value_reports v WHERE v.network = n.network
                       UNION ALL SELECT date FROM ties t WHERE t.network = n.network)) AS last_date
           FROM nets n WHERE n.network IS NOT NULL ORDER BY n.network""",
    )


def dimension_trends(con: duckdb.DuckDBPyConnection, min_group: int = DEFAULT_MIN_GROUP) -> pd.DataFrame:
    """Dimension means per network and period (current situation) with their 95% intervals, for the
    sparklines."""
    return dims.indicator_stats(con, dims.Filters(situation="current"), by="dimension", min_group=min_group,
                                with_ci=True)


def value_funnels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The funnel of each network over all its periods (participants per cycle)."""
    return vc.funnel(con, vc.Filters(), by=("network",))


def latest_tie_measures(con: duckdb.DuckDBPyConnection, networks: list[str] | None = None) -> pd.DataFrame:
    """Key tie measures of each network's latest period (of ``networks``, default all), of the tie type the
    Ties page opens with.

    One set-based query for all networks together (``ties.sql_measures``), no graph per network: 10,000
    small networks or one of 1.7 million ties no longer hold the overview for minutes.
    """
    cols = ["network", "period", "tie_type", "density", "reciprocity", "cross_organisation_share", "isolates",
            "nodes", "edges"]
    df = tq.sql_measures(con, main_type=True)
    if networks is not None:
        df = df[df["network"].isin(networks)]
    latest = df.groupby("network", sort=True).tail(1)  # rows come in time order within each network
    return latest[cols].sort_values("network").reset_index(drop=True)


def signals(con: duckdb.DuckDBPyConnection, min_group: int = DEFAULT_MIN_GROUP,
            trends: pd.DataFrame | None = None, ties_latest: pd.DataFrame | None = None,
            funnels: pd.DataFrame | None = None) -> list[Signal]:
    """Everything worth a question, network by network (pass precomputed frames to avoid recomputing)."""
    out: list[Signal] = []
    trends = dimension_trends(con, min_group) if trends is None else trends
    order = dims.period_order(con)
    out += largest_shift(trends, order)
    ind = dims.indicator_stats(con, dims.Filters(situation="current"), min_group=min_group)
    out += widest_disagreement(ind, order)
    out += tie_signals(latest_tie_measures(con) if ties_latest is None else ties_latest)
    out += value_signals(value_funnels(con) if funnels is None else funnels)
    return out


def largest_shift(trends: pd.DataFrame, order: list[str]) -> list[Signal]:
    """Per network, the dimension that moved most between its last two periods, when it moved a lot.

    All networks at once (a groupby per network cost 8 ms each, 0.4 s of the first overview at 50 networks);
    ties go to the first code in (situation, code) order, as :func:`dims.change`'s sorted merge gave them."""
    d = trends.dropna(subset=["mean"])
    if d.empty:
        return []
    keys = [c for c in ("situation", "code") if c in d]
    in_time = _period_ranks(d, order, unknown=1e9).sort_values(["network", "_r"], kind="stable")
    pairs = (in_time.groupby("network", sort=False).tail(2).groupby("network", sort=False)["period"]
             .agg(period_a="first", period_b="last", n="size").reset_index())
    pairs = pairs[pairs["n"] == 2].drop(columns="n")  # a network measured once has no shift
    cols = ["network", "period", *keys, "mean"]
    ch = (pairs.merge(d[cols].rename(columns={"period": "period_a", "mean": "mean_a"}), on=["network", "period_a"])
          .merge(d[cols].rename(columns={"period": "period_b", "mean": "mean_b"}), on=["network", "period_b", *keys]))
    ch["change"] = ch["mean_b"] - ch["mean_a"]
    ch = ch.dropna(subset=["change"]).sort_values(["network", *keys], kind="stable")
    if ch.empty:
        return []
    top = ch.loc[ch["change"].abs().groupby(ch["network"], sort=True).idxmax()]
    return [Signal(r.network, "shift", "dimensions", {"code": r.code, "change": float(r.change), "from": r.period_a,
                                                      "to": r.period_b}, period=r.period_b)
            for r in top.itertuples() if abs(r.change) >= LARGE_SHIFT - EPS]


def widest_disagreement(ind: pd.DataFrame, order: list[str]) -> list[Signal]:
    """Per network, in its latest period, the indicator with the widest spread of marks, when it is wide
    (ranked as :func:`dims.disagreement` ranks: IQR, then standard deviation, then code). All networks at once."""
    d = ind.dropna(subset=["iqr"])
    if d.empty:
        return []
    latest = (_period_ranks(d, order, unknown=-1.0)  # the latest; of equals the first seen, as max() gave it
              .sort_values(["network", "_r"], ascending=[True, False], kind="stable")
              .groupby("network", sort=False).head(1)[["network", "period"]])
    d = d.merge(latest, on=["network", "period"])
    top = (d.sort_values(["network", "iqr", "sd", "code"], ascending=[True, False, False, True], kind="stable")
           .groupby("network", sort=True).head(1))
    return [Signal(r.network, "disagreement", "dimensions", {"code": r.code, "iqr": float(r.iqr)}, period=r.period)
            for r in top.itertuples() if r.iqr >= WIDE_SPREAD - EPS]


def _period_ranks(d: pd.DataFrame, order: list[str], *, unknown: float) -> pd.DataFrame:
    """Each network's periods (network, period, ``_r``: the place in ``order``; ``unknown`` for a period outside
    it), in the order first seen, so a stable sort keeps that order among equal places."""
    rank = {p: i for i, p in enumerate(order)}
    per = d[["network", "period"]].drop_duplicates()
    return per.assign(_r=per["period"].map(rank).astype("float64").fillna(unknown))


def tie_signals(latest: pd.DataFrame) -> list[Signal]:
    out = []
    for r in latest.itertuples():
        if r.cross_organisation_share is not None and r.cross_organisation_share == r.cross_organisation_share \
                and r.cross_organisation_share < FEW_CROSS:
            out.append(Signal(r.network, "few_cross", "ties", {"share": float(r.cross_organisation_share)},
                              period=r.period))
        if r.isolates:
            out.append(Signal(r.network, "isolates", "ties", {"n": int(r.isolates)}, period=r.period))
    return out


def value_signals(funnels: pd.DataFrame) -> list[Signal]:
    """Value that stops at "potential": the funnel's own count (participants who got at least this far), the
    number the Value page and the overview card show, so the question quotes the figure beside it."""
    out = []
    for net, d in funnels.groupby("network"):
        by = d.set_index("cycle")["value"]
        pot, app = int(by.get("potential", 0)), int(by.get("applied", 0))
        if pot >= 5 and app / pot < STOPS_AT_POTENTIAL:
            out.append(Signal(net, "stops_at_potential", "values", {"potential": pot, "applied": app,
                                                                    "share": app / pot}))
    return out


def own_instrument_latest(con: duckdb.DuckDBPyConnection, min_group: int = DEFAULT_MIN_GROUP) -> pd.DataFrame:
    """Per network and own instrument (not the default): the dimension means of its latest period (current
    situation), so an instrument loaded as a file shows on the overview like the default one. Columns:
    ``network``, ``framework``, ``name`` ({lang: name}), ``period``, ``code``, ``dimension`` ({lang: name}),
    ``n``, ``mean``."""
    from analytics.store.contents import own_instruments

    parts = []
    order = {p: i for i, p in enumerate(dims.period_order(con))}
    for fid, fw in own_instruments(con).items():
        st = dims.indicator_stats(con, dims.Filters(framework=fid, situation="current"), by="dimension",
                                  framework=fw, min_group=min_group)
        if st.empty:
            continue
        st = st.assign(rank=st["period"].map(order).fillna(-1))
        st = st[st["rank"] == st.groupby("network")["rank"].transform("max")]
        names = {d.code: d.name for d in fw.dimensions}
        parts.append(st.assign(framework=fid, name=[fw.name] * len(st), dimension=st["code"].map(names)))
    cols = ["network", "framework", "name", "period", "code", "dimension", "n", "mean"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
