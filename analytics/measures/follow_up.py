"""What changed in the linked figures since an agreement was made or an intervention started.

For a network and a date, every linked figure gets a ``before`` and an ``after``:

* ``before``: the figure in the latest period whose first measurement (of that network) lies on or before the
  date — the picture the meeting looked at;
* ``after``: the figure in the latest period whose first measurement lies after the date — what the network
  looked like since. ``None`` when nothing was measured since.

Figures: an indicator's (or dimension's) mean position on the 0-1 continuum in the current situation, with its
n and interquartile range (blank below the small-group threshold); a value cycle's number of participants who
reported it; a tie measure of that period's tie map. These are numbers to ask about, never a verdict: the pages
word them as questions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import pandas as pd

from analytics.definitions import LINK_SEP, Framework, default_framework, split_link
from analytics.measures import dimensions as dims
from analytics.measures import ties as tq
from analytics.measures import value_creation as vc
from analytics.privacy import DEFAULT_MIN_GROUP
from analytics.store.db import frame


def period_starts(con: duckdb.DuckDBPyConnection, network: str, view: str) -> dict[str, dt.date]:
    """Each period of the network with the date of its first measurement in ``view`` (v_scores for indicators,
    v_ties for tie measures, the surveys for cycles): the day the figure was measured."""
    df = frame(con, f"""SELECT period, min(date) AS first_date FROM {view}
                        WHERE network = ? AND period IS NOT NULL AND date IS NOT NULL GROUP BY period""",
               [network])
    return {r.period: pd.Timestamp(r.first_date).date() for r in df.itertuples()}


def figures(con: duckdb.DuckDBPyConnection, network: str, *, indicators: Iterable[str] = (),
            cycles: Iterable[str] = (), measures: Iterable[str] = (), framework: Framework | None = None,
            min_group: int = DEFAULT_MIN_GROUP, dates: Iterable[dt.date] | None = None) -> pd.DataFrame:
    """Every linked figure of ``network`` in every period: ``kind`` (indicator | cycle | measure), ``code``,
    ``period``, ``first_date`` (its first measurement in that period), ``value``, ``n`` (respondents for an
    indicator, reports for a cycle, people in the map for a measure) and ``iqr`` (indicators only).

    ``dates``: the meeting or start dates that will be asked about; tie measures (a graph per period, the slow
    part) are then computed only for the periods a before or an after of one of them can fall in."""
    indicators, cycles, measures = list(indicators), list(cycles), list(measures)
    parts = []
    if indicators:
        starts = period_starts(con, network, "v_scores")
        for fw, codes, prefix in _by_instrument(con, indicators, framework):
            f = dims.Filters(networks=(network,), situation="current", framework=fw.id)
            dim_codes = {d.code for d in fw.dimensions}
            for by, wanted in (("indicator", [c for c in codes if c not in dim_codes]),
                               ("dimension", [c for c in codes if c in dim_codes])):
                if wanted:
                    st = dims.indicator_stats(con, f, by=by, framework=fw, min_group=min_group, with_ci=True)
                    st = st[st["code"].isin(wanted)]
                    parts.append(pd.DataFrame({"kind": "indicator", "code": prefix + st["code"],
                                               "period": st["period"], "first_date": st["period"].map(starts),
                                               "value": st["mean"], "n": st["n"], "iqr": st["iqr"],
                                               "ci_low": st["ci_low"], "ci_high": st["ci_high"]}))
    if cycles:
        cc = vc.cycle_counts(con, vc.Filters(networks=(network,)), by=("period",))
        cc = cc[cc["cycle"].isin(cycles)]
        # Stories come in all year: read them per measurement moment (periods with a survey of dimensions or
        # ties, dated by that survey), so a half-begun period with a handful of stories is not "after".
        starts = period_starts(con, network, "(SELECT network, period, date FROM v_scores UNION ALL "
                                             "SELECT network, period, date FROM v_ties)")
        if not starts:  # a network that only collects stories: their own periods
            starts = period_starts(con, network, "v_values")
        parts.append(pd.DataFrame({"kind": "cycle", "code": cc["cycle"], "period": cc["period"],
                                   "first_date": cc["period"].map(starts),
                                   "value": cc["participants"].astype(float), "n": cc["reports"]}))
    if measures:
        starts = period_starts(con, network, "v_ties")
        wanted = sorted(starts, key=starts.get)
        if dates is not None:
            wanted = needed_periods(starts, dates)
        recs = [{"kind": "measure", "code": m, "period": r["period"], "first_date": starts.get(r["period"]),
                 "value": _measure_value(r.get(m)), "n": r["nodes"]}
                for per in wanted for r in tq.metrics_table(con, network=network, period=per, pseudonymise=False,
                                                     tie_type=tq.ALL_TYPES)
                for m in measures]  # numbers only: no codes needed (they cost a graph of all periods)
        parts.append(pd.DataFrame(recs, columns=["kind", "code", "period", "first_date", "value", "n"]))
    cols = ["kind", "code", "period", "first_date", "value", "n", "iqr", "ci_low", "ci_high"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else pd.DataFrame(columns=cols)
    for col in ("iqr", "ci_low", "ci_high"):
        if col not in out:
            out[col] = float("nan")
    return out.dropna(subset=["first_date"])[cols].reset_index(drop=True)


def _by_instrument(con, codes: list[str], framework: Framework | None) -> list[tuple[Framework, list[str], str]]:
    """Linked indicator codes per instrument: (instrument, its bare codes, the prefix that names them in a
    link). Plain codes are the shipped instrument's (or ``framework``'s); ``instrument:code`` an own one's, read
    from the frameworks folder next to the database (gone: no figures for it)."""
    from analytics.store.contents import instruments

    plain = [c for c in codes if split_link(c)[0] is None]
    out = [(framework or default_framework(), plain, "")] if plain else []
    own: dict[str, list[str]] = {}
    for c in codes:
        fid, bare = split_link(c)
        if fid is not None:
            own.setdefault(fid, []).append(bare)
    known = instruments(con) if own else {}
    out += [(known[fid], bare, f"{fid}{LINK_SEP}") for fid, bare in own.items() if fid in known]
    return out


def needed_periods(starts: dict[str, dt.date], dates: Iterable[dt.date]) -> list[str]:
    """The periods a before or an after of any of ``dates`` can be: per date the latest period starting on or
    before it, and the latest period of all (the after of every earlier date)."""
    ordered = sorted(starts, key=starts.get)
    keep = set(ordered[-1:])
    for d in dates:
        d = pd.Timestamp(d).date()
        before = [p for p in ordered if starts[p] <= d]
        keep.update(before[-1:])
    return [p for p in ordered if p in keep]


def _measure_value(v) -> float:
    """A tie measure as a number: a list (isolates) by its length, an unknown (None: e.g. the share across
    organisations when nobody's organisation is known) as NaN."""
    if isinstance(v, list | tuple | set):
        return float(len(v))
    return float("nan") if v is None else float(v)


def _num(v) -> float | None:
    return None if pd.isna(v) else round(float(v), 4)


def _point(r) -> dict:
    """One side of a before/after; an indicator's carries its IQR and its 95% interval (``ci_low``/``ci_high``,
    bootstrap over respondents as on the Dimensions page; None where the group is too small)."""
    extra = {"iqr": _num(r.iqr), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high)} if r.kind == "indicator" else {}
    return {"period": r.period, "date": r.first_date.isoformat(), "value": _num(r.value),
            "n": None if pd.isna(r.n) else int(r.n), **extra}


def before_after(con: duckdb.DuckDBPyConnection, network: str, date: dt.date, *, indicators: Iterable[str] = (),
                 cycles: Iterable[str] = (), measures: Iterable[str] = (), framework: Framework | None = None,
                 min_group: int = DEFAULT_MIN_GROUP, computed: pd.DataFrame | None = None) -> list[dict]:
    """Per linked figure: ``kind``, ``code``, ``before`` and ``after`` (each ``{period, date, value, n}`` or
    None) and ``change`` (after - before, when both have a value). Order: indicators, cycles, measures, as
    linked. ``computed``: the network's :func:`figures` already at hand (holding at least these codes)."""
    date = pd.Timestamp(date).date()
    wanted = [("indicator", c) for c in indicators] + [("cycle", c) for c in cycles] + \
        [("measure", c) for c in measures]
    df = computed if computed is not None else figures(
        con, network, indicators=indicators, cycles=cycles, measures=measures, framework=framework,
        min_group=min_group)
    out = []
    for kind, code in wanted:
        d = df[(df["kind"] == kind) & (df["code"] == code)].sort_values("first_date")
        pre = d[d["first_date"] <= date]
        post = d[d["first_date"] > date]
        before = _point(next(pre.iloc[[-1]].itertuples())) if len(pre) else None
        after = _point(next(post.iloc[[-1]].itertuples())) if len(post) else None
        change = None
        if before and after and before["value"] is not None and after["value"] is not None:
            change = round(after["value"] - before["value"], 4)
        out.append({"kind": kind, "code": code, "before": before, "after": after, "change": change})
    return out
