"""The meeting loop as records every surface shares (overview, slides, report, CLI): agreements and
interventions with the before/after of their linked figures, people pseudonymised.

Figures are offered as questions ("what changed since, and what has the agreement to do with it?"), never as
success or failure; the pages and the report word them so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

from analytics.definitions import Framework
from analytics.measures import follow_up
from analytics.privacy import DEFAULT_MIN_GROUP, NameScrubber, people_labels
from analytics.store import agreements as agr
from analytics.store import interventions as itv
from analytics.store import networks as netinfo


def _codes(v) -> list[str]:
    return [] if v is None or (isinstance(v, float) and v != v) else [str(x) for x in v]


def _day(v) -> dt.date | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).date()


def _flat(figs: list[dict], which: str) -> dict:
    return {f["code"]: (f[which] or {}).get("value") for f in figs}


def _network_figures(con, links: dict[str, tuple[set, set, set]], framework, min_group) -> dict[str, pd.DataFrame]:
    """Each network's linked figures computed once, for all its agreements or interventions together."""
    return {net: follow_up.figures(con, net, indicators=sorted(i), cycles=sorted(c), measures=sorted(m),
                                   framework=framework, min_group=min_group)
            for net, (i, c, m) in links.items()}


def _collect(links: dict, net: str, ind, cyc, mea) -> None:
    i, c, m = links.setdefault(net, (set(), set(), set()))
    i.update(ind)
    c.update(cyc)
    m.update(mea)


def agreement_records(con: duckdb.DuckDBPyConnection, networks: Sequence[str] | None = None, *,
                      pseudonymise: bool = True, min_group: int = DEFAULT_MIN_GROUP,
                      framework: Framework | None = None) -> list[dict]:
    """Every current agreement (oldest meeting first) with its linked figures before and after the meeting:
    ``figures`` in detail (see :func:`follow_up.before_after`), ``before`` / ``after`` as ``{code: value}``."""
    df = agr.latest(con, networks)
    if df.empty:
        return []
    owners = people_labels(con, df["owner"].tolist(), pseudonymise)
    scrub = NameScrubber(con, pseudonymise)
    links: dict = {}
    for r in df.itertuples():
        _collect(links, r.network, _codes(r.indicators), _codes(r.cycles), _codes(r.measures))
    computed = _network_figures(con, links, framework, min_group)
    out = []
    for r, owner in zip(df.itertuples(), owners, strict=True):
        ind, cyc, mea = _codes(r.indicators), _codes(r.cycles), _codes(r.measures)
        figs = follow_up.before_after(con, r.network, _day(r.date), indicators=ind, cycles=cyc, measures=mea,
                                      computed=computed[r.network]) if ind or cyc or mea else []
        out.append({"id": int(r.agreement_id), "network": r.network, "date": _day(r.date), "text": scrub(r.text),
                    "indicators": ind, "cycles": cyc, "measures": mea, "owner": owner or None,
                    "status": r.status, "figures": figs, "before": _flat(figs, "before"),
                    "after": _flat(figs, "after")})
    return out


def intervention_records(con: duckdb.DuckDBPyConnection, networks: Sequence[str] | None = None, *,
                         pseudonymise: bool = True, min_group: int = DEFAULT_MIN_GROUP,
                         framework: Framework | None = None) -> list[dict]:
    """Every current intervention (by start) with, per network it applies to (all known networks when it names
    none; only ``networks`` when given), the linked figures before and after its start."""
    df = itv.latest(con, networks)
    if df.empty:
        return []
    known = netinfo.all_networks(con)
    scrub = NameScrubber(con, pseudonymise)

    def shown(r) -> list[str]:
        return [n for n in (_codes(r.networks) or known) if not networks or n in networks]

    links: dict = {}
    for r in df.itertuples():
        for net in shown(r):
            _collect(links, net, _codes(r.indicators), _codes(r.cycles), _codes(r.measures))
    computed = _network_figures(con, links, framework, min_group)
    out = []
    for r in df.itertuples():
        ind, cyc, mea = _codes(r.indicators), _codes(r.cycles), _codes(r.measures)
        per_net = []
        for net in shown(r):
            figs = follow_up.before_after(con, net, _day(r.start_date), indicators=ind, cycles=cyc, measures=mea,
                                          computed=computed[net]) if ind or cyc or mea else []
            per_net.append({"network": net, "figures": figs, "before": _flat(figs, "before"),
                            "after": _flat(figs, "after")})
        out.append({"id": int(r.intervention_id), "label": scrub(r.label), "start": _day(r.start_date),
                    "end": _day(r.end_date), "networks": _codes(r.networks), "indicators": ind, "cycles": cyc,
                    "measures": mea, "expected": scrub(r.expected) if isinstance(r.expected, str) else None,
                    "per_network": per_net})
    return out
