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
from analytics.measures.rhythm import last_measurements
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


def _network_figures(con, links: dict[str, tuple[set, set, set, set]], framework,
                     min_group) -> dict[str, pd.DataFrame]:
    """Each network's linked figures computed once, for all its agreements or interventions together."""
    return {net: follow_up.figures(con, net, indicators=sorted(i), cycles=sorted(c), measures=sorted(m),
                                   framework=framework, min_group=min_group, dates=sorted(d))
            for net, (i, c, m, d) in links.items()}


def _own_names(con, codes) -> dict[str, dict[str, str]]:
    """Names of the own instruments' link codes among ``codes`` (none: no lookup of the frameworks folder)."""
    from analytics.definitions import own_link_names, split_link
    from analytics.store.contents import instruments

    return own_link_names(instruments(con)) if any(split_link(c)[0] for c in codes) else {}


def _name(figs: list[dict], names: dict[str, dict[str, str]]) -> list[dict]:
    """An own instrument's figure carries its names (``names``: {lang: text}), so every surface can say it."""
    return [f | {"names": names[f["code"]]} if f["code"] in names else f for f in figs]


def _collect(links: dict, net: str, ind, cyc, mea, day) -> None:
    i, c, m, d = links.setdefault(net, (set(), set(), set(), set()))
    i.update(ind)
    c.update(cyc)
    m.update(mea)
    d.add(day)


def agreement_records(con: duckdb.DuckDBPyConnection, networks: Sequence[str] | None = None, *,
                      pseudonymise: bool = True, min_group: int = DEFAULT_MIN_GROUP,
                      framework: Framework | None = None) -> list[dict]:
    """Every current agreement (oldest meeting first) with its linked figures before and after the meeting:
    ``figures`` in detail (see :func:`follow_up.before_after`), ``before`` / ``after`` as ``{code: value}``."""
    df = agr.latest(con, networks)
    if df.empty:
        return []
    nets = sorted(set(df["network"]))
    owners = people_labels(con, df["owner"].tolist(), pseudonymise, networks=nets)
    scrub = NameScrubber(con, pseudonymise, networks=nets)
    links: dict = {}
    for r in df.itertuples():
        _collect(links, r.network, _codes(r.indicators), _codes(r.cycles), _codes(r.measures), _day(r.date))
    computed = _network_figures(con, links, framework, min_group)
    names = _own_names(con, {c for i, _, _, _ in links.values() for c in i})
    out = []
    for r, owner in zip(df.itertuples(), owners, strict=True):
        ind, cyc, mea = _codes(r.indicators), _codes(r.cycles), _codes(r.measures)
        figs = _name(follow_up.before_after(con, r.network, _day(r.date), indicators=ind, cycles=cyc, measures=mea,
                                            computed=computed[r.network]), names) if ind or cyc or mea else []
        out.append({"id": int(r.agreement_id), "network": r.network, "date": _day(r.date), "text": scrub(r.text, r.network),
                    "indicators": ind, "cycles": cyc, "measures": mea, "owner": owner or None,
                    "status": r.status, "figures": figs, "before": _flat(figs, "before"),
                    "after": _flat(figs, "after")})
    return out


def intervention_records(con: duckdb.DuckDBPyConnection, networks: Sequence[str] | None = None, *,
                         pseudonymise: bool = True, min_group: int = DEFAULT_MIN_GROUP,
                         framework: Framework | None = None, max_networks: int | None = None) -> list[dict]:
    """Every current intervention (by start) with, per network it applies to (all known networks when it names
    none; only ``networks`` when given), the linked figures before and after its start.

    ``max_networks`` bounds the networks of an intervention that names none to the most recently measured
    ones (``networks_total`` says how many it applies to): a store with 10,000 tiny networks would otherwise
    compute 10,000 sets of figures for one line on the overview."""
    df = itv.latest(con, networks)
    if df.empty:
        return []
    known = netinfo.all_networks(con)
    if max_networks is not None and len(known) > max_networks:
        last = last_measurements(con)
        recent = sorted(known, key=lambda n: (last.get(n) is None, -(last[n].toordinal() if n in last else 0), n))
        bounded = recent[:max_networks]
    else:
        bounded = known
    # Names of the networks shown: an intervention for all networks, looked at for one network, is scrubbed
    # with that network's names (all names only when it is shown for all).
    scrub = NameScrubber(con, pseudonymise, networks)

    def applies(r) -> list[str]:
        return [n for n in (_codes(r.networks) or known) if not networks or n in networks]

    def shown(r) -> list[str]:
        if _codes(r.networks) or networks:
            return applies(r)
        return bounded

    links: dict = {}
    for r in df.itertuples():
        for net in shown(r):
            _collect(links, net, _codes(r.indicators), _codes(r.cycles), _codes(r.measures), _day(r.start_date))
    computed = _network_figures(con, links, framework, min_group)
    names = _own_names(con, {c for i, _, _, _ in links.values() for c in i})
    out = []
    for r in df.itertuples():
        ind, cyc, mea = _codes(r.indicators), _codes(r.cycles), _codes(r.measures)
        per_net = []
        for net in shown(r):
            figs = _name(follow_up.before_after(con, net, _day(r.start_date), indicators=ind, cycles=cyc,
                                                measures=mea, computed=computed[net]), names) if ind or cyc or mea else []
            per_net.append({"network": net, "figures": figs, "before": _flat(figs, "before"),
                            "after": _flat(figs, "after")})
        out.append({"id": int(r.intervention_id), "label": scrub(r.label), "start": _day(r.start_date),
                    "end": _day(r.end_date), "networks": _codes(r.networks), "indicators": ind, "cycles": cyc,
                    "measures": mea, "expected": scrub(r.expected) if isinstance(r.expected, str) else None,
                    "per_network": per_net, "networks_total": len(applies(r))})
    return out


# ---------------------------------------------------------------- words for the pages, the slides and the report

SHARES = {"cross_organisation_share", "weak_share", "strong_share"}
COUNTS = {"isolates", "edges", "nodes"}


def figure_name(kind: str, code: str, lang: str, framework: Framework | None = None) -> str:
    """'3b Strong – weak ties', 'applied value', 'share of ties between organisations'."""
    from analytics.definitions import default_framework, loop_label
    from analytics.i18n import cycle_label

    if kind == "cycle":
        return cycle_label(code, lang)
    if kind == "measure":
        return loop_label("measures", code, lang)
    fw = framework or default_framework()
    dims_ = {d.code: d for d in fw.dimensions}
    if code in dims_:
        return f"{code} {dims_[code].name[lang]}"
    try:
        return f"{code} {fw.indicator(code).name[lang]}"
    except StopIteration:
        return code


def figure_value(kind: str, code: str, point: dict | None, lang: str) -> str:
    """One side of a before/after, in words: '0,40 (2025-H1)', '12 deelnemers (2025-H2)', '35 % (2024-H1)'."""
    from analytics.i18n import fmt_num, t

    v = point["value"]
    if kind == "measure" and code in SHARES:
        shown = fmt_num(v * 100, lang, 0) + " %"
    elif kind == "measure" and code in COUNTS:
        shown = fmt_num(v, lang, 0)
    elif kind == "measure" and code == "density":
        shown = fmt_num(v, lang, 3)
    elif kind == "cycle":
        shown = t("agreement.participant" if v == 1 else "agreement.participants", lang, value=fmt_num(v, lang, 0))
    else:
        shown = fmt_num(v, lang, 2)
        if point.get("ci_low") is not None and point.get("ci_high") is not None:  # the 95% interval beside it
            shown = t("agreement.value_ci", lang, value=shown, low=fmt_num(point["ci_low"], lang, 2),
                      high=fmt_num(point["ci_high"], lang, 2))
    return t("agreement.value_period", lang, value=shown, period=point["period"])


def figure_line(f: dict, lang: str, framework: Framework | None = None) -> str:
    """'3b Strong – weak ties: 0.40 (2025-H1) → 0.70 (2025-H2)' (plain text: escape it where it is shown)."""
    from analytics.i18n import t

    def side(point, missing: str) -> str:
        if point is None:
            return t(missing, lang)
        if point["value"] is None:
            return t("agreement.hidden", lang, period=point["period"])
        return figure_value(f["kind"], f["code"], point, lang)

    name = f["names"][lang] if f.get("names") else figure_name(f["kind"], f["code"], lang, framework)
    return t("agreement.figure", lang, name=name,
             before=side(f["before"], "agreement.not_before"), after=side(f["after"], "agreement.not_since"))


def question_key(figures: list[dict]) -> str:
    """The question an agreement's figures raise: what changed (when measured since), else what they notice."""
    if not figures:
        return "agreement.no_links"
    return "agreement.question" if any(f["after"] for f in figures) else "agreement.question_none"
