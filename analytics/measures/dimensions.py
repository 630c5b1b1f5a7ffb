"""Dimensions of social learning: means, spread and disagreement of the marks, computed in DuckDB.

Positions run from 0 (left pole) to 1 (right pole). Neither pole is better: the numbers describe where a
network places itself and how much its members agree, not how well it does.
A dimension's score for one respondent is the mean of their marks on its indicators; the network's score
is the mean over respondents. Groups smaller than ``min_group`` get no mean (privacy), only their n.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from analytics.definitions import Framework, default_framework
from analytics.privacy import DEFAULT_MIN_GROUP, label_sql, people_join_sql, suppress_small
from analytics.store.db import frame, literal, text_frame, where_in


@dataclass(frozen=True)
class Filters:
    """The slice of marks a chart is about. None means 'all'."""

    networks: tuple[str, ...] | None = None
    periods: tuple[str, ...] | None = None
    situation: str | None = None
    roles: tuple[str, ...] | None = None
    #: An instrument id; a tuple reads several (an extension: its own id and the one it extends).
    framework: str | tuple[str, ...] = "dimensions"

    def where(self) -> tuple[str, list]:
        fws = (self.framework,) if isinstance(self.framework, str) else tuple(self.framework)
        fixed = [("s.situation", self.situation)] if self.situation else []
        return where_in(fixed, [("s.framework", fws), ("s.network", self.networks), ("s.period", self.periods),
                                ("coalesce(p.role, 'unknown')", self.roles)])


def _dimension_columns(framework: Framework) -> tuple[str, str, str]:
    """Each mark's dimension and its indicator's place in the framework, as CASE expressions, and the condition
    that keeps the framework's indicators: a join with a table of 11 rows cost a third of reading the marks."""
    codes = [literal(i.code) for i in framework.indicators]
    dimension = " ".join(f"WHEN {c} THEN {literal(i.dimension)}" for c, i in zip(codes, framework.indicators,
                                                                                  strict=True))
    order = " ".join(f"WHEN {c} THEN {n}" for n, c in enumerate(codes))
    return (f"CASE s.indicator {dimension} END", f"CASE s.indicator {order} END",
            f"s.indicator IN ({', '.join(codes)})")


def _code_order(framework: Framework, by: str) -> str:
    """A code's place in the framework, from the code itself: a dimension comes where its first indicator
    does. Computed per group rather than carried through the per-respondent step (one aggregate fewer)."""
    first: dict[str, int] = {}
    for n, i in enumerate(framework.indicators):
        first.setdefault(i.code if by == "indicator" else i.dimension, n)
    return f"CASE code {' '.join(f'WHEN {literal(c)} THEN {n}' for c, n in first.items())} END"


def _marks_sql(f: Filters, framework: Framework, with_role: bool = True) -> tuple[str, list]:
    """The marks in the filter; the join with people (for roles) only when roles are asked for. An extension
    reads its own items and the shipped ones (stored under the shipped instrument)."""
    if framework.extends and f.framework == framework.id:
        f = replace(f, framework=framework.stored_ids)
    where, params = f.where()
    with_role = with_role or bool(f.roles)
    role = "coalesce(p.role, 'unknown')" if with_role else "NULL"
    join = "LEFT JOIN people p ON p.participant_id = s.participant_id" if with_role else ""
    dimension, order, known = _dimension_columns(framework)
    sql = f"""SELECT s.network, s.period, s.situation, s.indicator, {dimension} AS dimension, {order} AS ord,
                     coalesce(s.participant_id, s.response_id) AS respondent, s.position, s.raw, s.date,
                     {role} AS role
              FROM v_scores s
              {join}
              WHERE {known} AND {where}"""
    return sql, params


def indicator_stats(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = Filters(),
    *,
    by: str = "indicator",
    framework: Framework | None = None,
    min_group: int = DEFAULT_MIN_GROUP,
    group_roles: bool = False,
    with_ci: bool = False,
) -> pd.DataFrame:
    """Per network, period and situation (and role, when ``group_roles``): n respondents, mean, median,
    quartiles, IQR and standard deviation of the positions, per indicator or per dimension.

    ``with_ci`` adds ``ci_low``/``ci_high`` (95% bootstrap over respondents, see
    :mod:`analytics.measures.uncertainty`), ``ci_method`` and the agreement index ``rwg``
    (:mod:`analytics.measures.agreement`); like the mean they are hidden for small groups."""
    df = _stats(con, filters, by=by, framework=framework, group_roles=group_roles)
    if with_ci and len(df):
        from analytics.measures import agreement, uncertainty

        keys = ["network", "period", "situation", *(["role"] if group_roles else []), "code"]
        with_, params, role = _unit_sql(filters, by, framework, group_roles)
        lists = con.sql(f"""{with_} SELECT network, period, situation{role}, code,
                                       list(position ORDER BY position) AS positions
                                FROM unit WHERE position IS NOT NULL GROUP BY ALL""", params=params).to_arrow_table()
        ci = uncertainty.list_intervals(lists, keys).rename(columns={"method": "ci_method"})
        df = df.merge(ci[[*keys, "ci_low", "ci_high", "ci_method"]], on=keys, how="left")
        df["rwg"] = agreement.rwg_from_sd(df["sd"].to_numpy(dtype=float), df["n"].to_numpy(dtype=float))
    elif with_ci:  # no marks: the same columns, so callers need not ask
        df = df.assign(ci_low=pd.Series(dtype=float), ci_high=pd.Series(dtype=float),
                       ci_method=pd.Series(dtype=object), rwg=pd.Series(dtype=float))
    return suppress_small(df, min_group).drop(columns=["ord"])


def _unit_sql(filters: Filters, by: str, framework: Framework | None, group_roles: bool) -> tuple[str, list, str]:
    fw = framework or default_framework()
    marks, params = _marks_sql(filters, fw, with_role=group_roles)
    role = ", role" if group_roles else ""
    if by == "indicator":
        # One value per respondent and indicator: someone who marked twice in a period counts once.
        unit = f"""SELECT network, period, situation{role}, indicator AS code, respondent, avg(position) AS position
                   FROM marks GROUP BY network, period, situation{role}, indicator, respondent"""
    elif by == "dimension":
        unit = f"""SELECT network, period, situation{role}, dimension AS code, respondent, avg(position) AS position
                   FROM marks GROUP BY network, period, situation{role}, dimension, respondent"""
    else:
        raise ValueError("by must be 'indicator' or 'dimension'")
    return f"WITH marks AS ({marks}), unit AS ({unit})", params, role


def units(con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), *, by: str = "indicator",
          framework: Framework | None = None, group_roles: bool = False) -> pd.DataFrame:
    """One row per respondent and code: the unit the means and their intervals are taken over (a respondent's
    marks on a dimension's indicators are averaged first; two marks in one period count once)."""
    with_, params, role = _unit_sql(filters, by, framework, group_roles)
    return frame(con, f"""{with_} SELECT network, period, situation{role}, code, respondent, position
                          FROM unit WHERE position IS NOT NULL""", params)


def _stats(con: duckdb.DuckDBPyConnection, filters: Filters, *, by: str, framework: Framework | None,
           group_roles: bool) -> pd.DataFrame:
    # A unit is one respondent and code, so counting rows counts respondents; the three quartiles come from
    # one sort (a list of quantiles) rather than four.
    with_, params, role = _unit_sql(filters, by, framework, group_roles)
    return frame(
        con,
        f"""{with_}, agg AS (
            SELECT network, period, situation{role}, code, {_code_order(framework or default_framework(), by)} AS ord,
                   count(respondent) AS n,
                   avg(position) AS mean, quantile_cont(position, [0.25, 0.5, 0.75]) AS q,
                   coalesce(stddev_pop(position), 0) AS sd, min(position) AS min, max(position) AS max
            FROM unit GROUP BY ALL)
            SELECT network, period, situation{role}, code, ord, n, mean, q[2] AS median, q[1] AS q1, q[3] AS q3,
                   q[3] - q[1] AS iqr, sd, min, max
            FROM agg ORDER BY network, period, situation{role}, ord""",
        params,
    )


def marks(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = Filters(),
    *,
    framework: Framework | None = None,
    pseudonymise: bool = True,
) -> pd.DataFrame:
    """Every individual mark, as the dots on the paper form: with the marker's role and display label."""
    fw = framework or default_framework()
    sql, params = _marks_sql(filters, fw)
    return text_frame(
        con,
        f"""WITH m AS ({sql})
            SELECT m.network, m.period, m.situation, m.indicator AS code, m.dimension, m.position, m.raw,
                   m.role, {label_sql(pseudonymise, "m.respondent")} AS label
            FROM m {people_join_sql("m.respondent", people=not pseudonymise)}
            ORDER BY m.ord, m.position""",
        params,
    )


def disagreement(stats: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """The indicators where marks lie furthest apart (IQR, then standard deviation): discussion starters."""
    df = stats.dropna(subset=["iqr"]).sort_values(["iqr", "sd", "code"], ascending=[False, False, True])
    return df.head(top).reset_index(drop=True)


def change(stats: pd.DataFrame, period_a: str, period_b: str) -> pd.DataFrame:
    """Mean and spread per code in two periods side by side, with the difference (b - a)."""
    keys = [c for c in ("network", "situation", "code") if c in stats]
    a = stats[stats["period"] == period_a][[*keys, "n", "mean", "iqr"]]
    b = stats[stats["period"] == period_b][[*keys, "n", "mean", "iqr"]]
    out = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"))
    out["change"] = out["mean_b"] - out["mean_a"]
    return out


def period_order(con: duckdb.DuckDBPyConnection) -> list[str]:
    return frame(con, "SELECT period FROM v_periods ORDER BY first_date NULLS LAST, period")["period"].tolist()


def situations(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> list[str]:
    where, params = Filters(networks=filters.networks, periods=filters.periods,
                            framework=filters.framework).where()
    df = frame(con, f"SELECT DISTINCT situation FROM v_scores s WHERE {where} ORDER BY 1", params)
    return df["situation"].tolist()
