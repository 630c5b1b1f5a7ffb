"""The measurement rhythm: per network its moments per year, when it last measured, when the next
measurement is due, and whether it is ``done`` (measured in the current period), ``due`` (measured in the
previous period, not yet in this one), ``overdue`` (a whole period or more went by without a measurement) or
``never`` measured.

A year of ``moments`` periods is read in the store's period scheme family: the school schemes start the year
in August, the others in January (see :func:`analytics.store.periods.period_bounds`). A measurement is a
dimension-score or tie survey (value stories are collected all year and do not count). ``next_due`` is the last
day of the period in which the next measurement belongs: for ``done`` the end of the next period, for ``due``
the end of this period, for ``overdue`` the end of the period after the last measurement (a past date), for
``never`` the end of this period. A network that has ended (its end date has passed) is read as of its end.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.store import networks as netinfo
from analytics.store.database import period_scheme
from analytics.store.db import frame
from analytics.store.periods import anchor_month, period_bounds

STATUSES = ("overdue", "due", "never", "done")


def status_of(last: dt.date | None, today: dt.date, moments: int = 2, anchor: int = 1
              ) -> tuple[str, dt.date, tuple[dt.date, dt.date]]:
    """``(status, next_due, (start, end) of the current period)`` for a network last measured on ``last``."""
    start, end = period_bounds(today, moments, anchor)
    if last is None:
        return "never", end, (start, end)
    if last >= start:
        return "done", period_bounds(end + dt.timedelta(days=1), moments, anchor)[1], (start, end)
    prev_start, _ = period_bounds(start - dt.timedelta(days=1), moments, anchor)
    if last >= prev_start:
        return "due", end, (start, end)
    _, last_end = period_bounds(last, moments, anchor)
    return "overdue", period_bounds(last_end + dt.timedelta(days=1), moments, anchor)[1], (start, end)


def last_measurements(con: duckdb.DuckDBPyConnection) -> dict[str, dt.date]:
    """Each network's latest dimension-score or tie survey date."""
    df = frame(con, """SELECT network, max(date) AS last FROM (
                         SELECT network, date FROM dimension_scores UNION ALL SELECT network, date FROM ties)
                       WHERE date IS NOT NULL GROUP BY network""")
    return {r.network: pd.Timestamp(r.last).date() for r in df.itertuples()}


def rhythm(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> list[dict]:
    """One record per network (every network the store knows): ``network``, ``moments``, ``last`` (date or
    None), ``next_due``, ``status``, ``period_start`` and ``period_end`` (the current period). Most urgent
    first: overdue, due, never, done; then by name."""
    today = today or dt.date.today()
    anchor = anchor_month(period_scheme(con))
    last = last_measurements(con)
    info = netinfo.latest(con).set_index("network")
    out = []
    for net in netinfo.all_networks(con):
        moments = int(info.at[net, "moments_per_year"]) if net in info.index else netinfo.DEFAULT_MOMENTS
        end = info.at[net, "end_date"] if net in info.index else None
        as_of = min(today, pd.Timestamp(end).date()) if end is not None and pd.notna(end) else today
        status, next_due, (p0, p1) = status_of(last.get(net), as_of, moments, anchor)
        out.append({"network": net, "moments": moments, "last": last.get(net), "next_due": next_due,
                    "status": status, "period_start": p0, "period_end": p1})
    return sorted(out, key=lambda r: (STATUSES.index(r["status"]), r["network"]))
