"""Value creation (Wenger, Trayner & De Laat 2011): how far value travels from a good meeting to changed
practice, counted in DuckDB.

A participant "reached" a cycle in a period when their stories got at least that far: they reported value
in that cycle or a later one. Anonymous reports each count as their own reporter. The funnel stages are the five main cycles; strategic
and enabling value are counted beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.definitions import funnel_cycles, value_cycles
from analytics.measures.uncertainty import wilson
from analytics.privacy import NameScrubber, label_sql, people_join_sql
from analytics.store.db import frame, literal, where_in


@dataclass(frozen=True)
class Filters:
    networks: tuple[str, ...] | None = None
    periods: tuple[str, ...] | None = None
    roles: tuple[str, ...] | None = None

    def where(self) -> tuple[str, list]:
        return where_in(chosen=[("v.network", self.networks), ("v.period", self.periods),
                                ("coalesce(p.role, 'unknown')", self.roles)])


def _reports_sql(f: Filters, with_role: bool = False) -> tuple[str, list]:
    """The reports in the filter. A reporter's role comes from the people view (every person's latest row,
    aggregated), so it is joined only when a role is asked for or filtered on: a third of a funnel query."""
    where, params = f.where()
    order = " ".join(f"WHEN {literal(c.code)} THEN {int(c.order)}" for c in value_cycles())
    if with_role or f.roles:
        role, join = "coalesce(p.role, 'unknown')", "LEFT JOIN people p ON p.participant_id = v.participant_id"
    else:
        role, join = "NULL::VARCHAR", ""
    return (
        f"""SELECT v.*, coalesce(v.participant_id, 'anon-' || CAST(v.import_id AS VARCHAR) || '-'
                   || CAST(v.row_number AS VARCHAR)) AS reporter,
                   {role} AS role, CASE v.cycle {order} END AS cycle_order
            FROM v_values v {join}
            WHERE {where}""",
        params,
    )


def cycle_counts(con: duckdb.DuckDBPyConnection, filters: Filters = Filters(),
                 by: tuple[str, ...] = (), cycles: list[str] | None = None) -> pd.DataFrame:
    """Participants and reports per cycle (and per ``by`` columns: network, period, role); only ``cycles``
    when given."""
    sql, params = _reports_sql(filters, with_role="role" in by)
    keys = "".join(f"{k}, " for k in by)
    only = f"WHERE cycle IN ({', '.join(literal(c) for c in cycles)})" if cycles is not None else ""
    return frame(
        con,
        f"""WITH r AS ({sql})
            SELECT {keys}cycle, min(cycle_order) AS cycle_order, count(DISTINCT reporter) AS participants,
                   count(*) AS reports
            FROM r {only} GROUP BY {keys}cycle ORDER BY {keys}cycle_order""",
        params,
    )


def reached_counts(con: duckdb.DuckDBPyConnection, filters: Filters = Filters(),
                   by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per funnel cycle (and ``by`` group): participants whose stories got at least that far (their highest
    funnel cycle is this one or a later one) and reports in this cycle or a later one.

    Counting "this far or further" makes every stage a subset of the one before, so the funnel can only
    narrow and the share kept is never above 100%.
    """
    sql, params = _reports_sql(filters, with_role="role" in by)
    keys = "".join(f"{k}, " for k in by)
    hkeys = "".join(f"h.{k}, " for k in by)
    stages = ", ".join(f"({literal(c.code)}, {int(c.order)})" for c in value_cycles() if c.in_funnel)
    return frame(
        con,
        f"""WITH r AS ({sql}), s(cycle, stage_order) AS (VALUES {stages}),
            f AS (SELECT * FROM r WHERE cycle IN (SELECT cycle FROM s)),
            top AS (SELECT {keys}reporter, max(cycle_order) AS top FROM f GROUP BY ALL),
            h AS (SELECT {keys}top, count(*) AS people, 0 AS reports FROM top GROUP BY ALL
                  UNION ALL BY NAME
                  SELECT {keys}cycle_order AS top, 0 AS people, count(*) AS reports FROM f GROUP BY ALL)
            SELECT {hkeys}s.cycle, sum(h.people)::BIGINT AS reached_participants,
                   sum(h.reports)::BIGINT AS reached_reports
            FROM h JOIN s ON h.top >= s.stage_order
            GROUP BY ALL ORDER BY ALL""",
        params,
    )


def _funnel_counts(con: duckdb.DuckDBPyConnection, filters: Filters, by: tuple[str, ...]) -> pd.DataFrame:
    """Per ``by`` group and funnel stage, in one pass over the reports: participants and reports *in* the
    cycle (as :func:`cycle_counts`) and *at least this far* (as :func:`reached_counts`). A group is there when it
    has any report, a side cycle's included, as in :func:`cycle_counts`."""
    sql, params = _reports_sql(filters, with_role="role" in by)
    keys = "".join(f"{k}, " for k in by)
    same = " AND ".join(f"h.{k} IS NOT DISTINCT FROM g.{k}" for k in by) or "TRUE"
    groups = f"SELECT DISTINCT {keys.rstrip(', ')} FROM per" if by else "SELECT 1 AS one"
    stages = ", ".join(f"({literal(c.code)}, {int(c.order)}, {n}::BIGINT)"
                       for n, c in enumerate((c for c in value_cycles() if c.in_funnel), start=1))
    return frame(
        con,
        f"""WITH r AS ({sql}), s(cycle, stage_order, stage) AS (VALUES {stages}),
            per AS (SELECT {keys}reporter, cycle_order, count(*) AS n FROM r GROUP BY ALL),
            f AS (SELECT * FROM per WHERE cycle_order IN (SELECT stage_order FROM s)),
            h AS (SELECT {keys}cycle_order AS o, count(*) AS here, sum(n) AS reports, 0 AS tops FROM f GROUP BY ALL
                  UNION ALL BY NAME
                  SELECT {keys}top AS o, 0 AS here, 0 AS reports, count(*) AS tops
                  FROM (SELECT {keys}reporter, max(cycle_order) AS top FROM f GROUP BY ALL) GROUP BY ALL),
            g AS ({groups})
            SELECT {''.join(f"g.{k}, " for k in by)}s.cycle, s.stage,
                   coalesce(sum(h.here) FILTER (WHERE h.o = s.stage_order), 0)::BIGINT AS participants,
                   coalesce(sum(h.reports) FILTER (WHERE h.o = s.stage_order), 0)::BIGINT AS reports,
                   coalesce(sum(h.tops), 0)::BIGINT AS reached_participants,
                   coalesce(sum(h.reports), 0)::BIGINT AS reached_reports
            FROM g CROSS JOIN s LEFT JOIN h ON {same} AND h.o >= s.stage_order
            GROUP BY ALL ORDER BY {''.join(f"g.{k}, " for k in by)}s.stage""",
        params,
    )


def funnel(con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), by: tuple[str, ...] = (),
           measure: str = "participants") -> pd.DataFrame:
    """The five funnel stages: per cycle the participants and reports *in* that cycle, and the funnel value
    ``value`` = how many got *at least this far* (``measure`` 'participants' or 'reports'), with the share
    kept from the previous stage (``kept_share``, of ``kept_base``; 95% Wilson interval ``kept_low`` -
    ``kept_high``) and the share of the first stage (``share_of_first``, ``first_low`` - ``first_high``)."""
    out = _funnel_counts(con, filters, by)
    if by and out.empty:
        return pd.DataFrame(columns=[*by, "cycle", "stage", "participants", "reports",
                                     "reached_participants", "reached_reports", "value",
                                     "kept_share", "share_of_first", "kept_base", "kept_low",
                                     "kept_high", "first_low", "first_high"])
    value = out[f"reached_{measure}"].to_numpy(dtype="int64")
    # Stages come in order within each group: the previous stage is the row before, unless a group starts.
    first_row = out["stage"].to_numpy() == 1
    prev = np.where(first_row, np.nan, np.roll(value, 1).astype("float64"))
    first = value[np.maximum.accumulate(np.where(first_row, np.arange(len(value)), 0))].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value"] = value
        out["kept_share"] = np.where(prev > 0, value / prev, np.nan)
        out["share_of_first"] = np.where(first > 0, value / first, np.nan)
    # 95% Wilson intervals: of the n at the previous (first) stage, k got this far. Not for the first stage
    # itself, and not where nothing was at the previous stage.
    out["kept_base"] = np.nan_to_num(prev, nan=0).astype("int64")
    out["kept_low"], out["kept_high"] = wilson(value.astype(float), out["kept_base"].to_numpy(float))
    out["first_low"], out["first_high"] = wilson(value.astype(float), first)
    return out


def side_values(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> pd.DataFrame:
    """Strategic and enabling value: shown beside the funnel, not inside it."""
    side = [c.code for c in value_cycles() if not c.in_funnel]
    if not side:
        return pd.DataFrame(columns=["cycle", "participants", "reports"])
    return cycle_counts(con, filters, cycles=side).drop(columns=["cycle_order"]).reset_index(drop=True)


def highest_cycle(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> pd.DataFrame:
    """Per period: how many participants reached each funnel cycle as their highest one."""
    sql, params = _reports_sql(filters)
    stages = ", ".join(literal(c) for c in funnel_cycles())
    names = ", ".join(f"({int(c.order)}, {literal(c.code)})" for c in value_cycles() if c.in_funnel)
    return frame(
        con,
        f"""WITH r AS ({sql}), top AS (
                SELECT period, reporter, max(cycle_order) AS top FROM r WHERE cycle IN ({stages})
                GROUP BY period, reporter), c(cycle_order, cycle) AS (VALUES {names})
            SELECT t.period, c.cycle AS highest_cycle, count(*) AS participants
            FROM top t JOIN c ON c.cycle_order = t.top
            GROUP BY ALL ORDER BY t.period, min(t.top)""",
        params,
    )


def matrix(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> pd.DataFrame:
    """The value-creation matrix: reports per cycle x value indicator (reports without one: '—')."""
    sql, params = _reports_sql(filters)
    return frame(
        con,
        f"""WITH r AS ({sql})
            SELECT cycle, min(cycle_order) AS cycle_order, coalesce(indicator, '—') AS indicator,
                   count(*) AS reports, count(DISTINCT reporter) AS participants
            FROM r GROUP BY ALL ORDER BY cycle_order, reports DESC""",
        params,
    )


def _stories_sql(filters: Filters, cycles: list[str] | None, indicator: str | None,
                 search: str | None, with_role: bool = False) -> tuple[str, str, list]:
    sql, params = _reports_sql(filters, with_role)
    conds = ["TRUE"]
    if cycles:
        conds.append(f"r.cycle IN ({', '.join('?' * len(cycles))})")
        params += list(cycles)
    if indicator:
        conds.append("coalesce(r.indicator, '—') = ?")
        params.append(indicator)
    if search:
        conds.append("(r.description ILIKE ? ESCAPE '\\' OR r.evidence ILIKE ? ESCAPE '\\' "
                     "OR r.indicator ILIKE ? ESCAPE '\\')")
        like = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [like] * 3
    return sql, " AND ".join(conds), params


def stories(con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), *, cycles: list[str] | None = None,
            indicator: str | None = None, search: str | None = None, pseudonymise: bool = True,
            limit: int | None = None, scrub: NameScrubber | None = None,
            per_cycle: int | None = None) -> pd.DataFrame:
    """The reports behind the numbers, newest first, searchable in description, evidence and indicator.

    ``limit`` keeps a page light on 200,000 reports; :func:`count_stories` says how many there are in all.
    ``per_cycle`` keeps the newest so many of each cycle (the report's examples), chosen in the query so
    only those are read and scrubbed. ``scrub`` is a NameScrubber built once per data version (building one
    reads every name)."""
    sql, where, params = _stories_sql(filters, cycles, indicator, search)  # the role: from the label's join
    label = label_sql(pseudonymise, "coalesce(r.participant_id, '—')",
                      missing="CASE WHEN r.participant_id IS NULL THEN '—' ELSE '?' END")
    top = f" LIMIT {int(limit)}" if limit is not None else ""
    newest = "r.date DESC NULLS LAST, r.cycle_order, r.import_id, r.row_number"
    keep = (f" QUALIFY row_number() OVER (PARTITION BY r.cycle ORDER BY {newest}) <= {int(per_cycle)}"
            if per_cycle is not None else "")
    df = frame(
        con,
        # The stories are chosen first and only those few meet the people view (every person's latest row).
        f"""WITH r AS ({sql}), chosen AS (SELECT * FROM r WHERE {where}{keep} ORDER BY {newest}{top})
            SELECT r.network, r.period, r.date, r.cycle, r.indicator, r.description, r.evidence,
                   {label} AS participant, coalesce(p.role, 'unknown') AS role
            FROM chosen r {people_join_sql("r.participant_id")}
            ORDER BY {newest}""",
        params,
    )
    if pseudonymise and len(df):  # stories are free text and may name people
        scrub = scrub or NameScrubber(con, True)
        nets = df["network"].tolist()
        for col in ("description", "evidence", "indicator"):  # each text with its own network's names
            df[col] = [None if x is None or x != x else scrub(x, n)
                       for x, n in zip(df[col].tolist(), nets, strict=True)]
    return df


def count_stories(con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), *,
                  cycles: list[str] | None = None, indicator: str | None = None, search: str | None = None) -> int:
    """How many reports :func:`stories` would return without a limit."""
    sql, where, params = _stories_sql(filters, cycles, indicator, search)
    return int(con.execute(f"WITH r AS ({sql}) SELECT count(*) FROM r WHERE {where}", params).fetchone()[0])


def where_value_stops(funnel_df: pd.DataFrame, min_first: int = 5) -> list[dict]:
    """Reflection prompts, not verdicts: the stages after which most value seems to stay behind.

    Returns dicts {from, to, kept_share} for each step where less than half of the previous stage is
    kept, largest drop first; nothing when the first stage is too small to say anything.
    """
    df = funnel_df.reset_index(drop=True)
    if df.empty or df["value"].iloc[0] < min_first:
        return []
    out = []
    for i in range(1, len(df)):
        prev, cur = df["value"].iloc[i - 1], df["value"].iloc[i]
        if prev > 0 and cur / prev < 0.5:
            out.append({"from": df["cycle"].iloc[i - 1], "to": df["cycle"].iloc[i], "kept_share": cur / prev})
    return sorted(out, key=lambda d: d["kept_share"])
