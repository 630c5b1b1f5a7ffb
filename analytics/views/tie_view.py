"""One tie view for every surface: the Ties page, the report, slides and playback build their maps here.

A network gets one stable layout over all its periods and one mapping from stored ids to the ids a view
shows (codes when pseudonymising, from :mod:`analytics.privacy`), so a person sits in the same place and
carries the same code on the page, in the report, in the GEXF and on the slides.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import duckdb
import networkx as nx
import pandas as pd

from analytics import decisions, limits
from analytics.decisions import (
    LAYOUT_UNIT,
    STRONG_TIE_MIN_WEIGHT,
    betweenness_sample,
    betweenness_seconds,
    usable_cores,
)
from analytics.decisions import measures_seconds as measures_seconds_of
from analytics.draw import tie_map
from analytics.draw.layout import layout
from analytics.measures import dimensions as dims
from analytics.measures import measures_process
from analytics.measures import network as tm
from analytics.measures import prompts as tie_prompts
from analytics.measures import tie_dynamics as td
from analytics.measures import ties as tq
from analytics.privacy import code_mapping, graph_with_codes, public_ids
from analytics.store import computed
from analytics.store import database as store
from analytics.store.db import frame
from analytics.views import background, wording

#: Height of the map in the report and on slides (pixels).
TIE_MAP_HEIGHT = 560
#: Fits the drawn network into its frame once vis-network has placed it (the report's iframes resize).
REFIT_SCRIPT = """<script>
(function () {
  function refit() { if (window.tieMap) { window.tieMap.network.fit({animation: false, maxZoomLevel: 1.5}); } }
  window.addEventListener("load", refit);
  window.addEventListener("resize", refit);
})();
</script>"""


@dataclass(frozen=True)
class NetworkFrame:
    """What every view of one network shares: the id each person is shown by, their place, the organisations."""

    shown_id: dict[Hashable, Hashable]
    positions: dict[Hashable, tuple[float, float]]
    organisations: list[str]
    #: The network's tie types, most ties first: a view shows one at a time unless all are chosen.
    tie_types: list[str]
    #: Whether the ties carry a real frequency (else strong and weak are not drawn or counted).
    frequency_known: bool


def network_frame(con: duckdb.DuckDBPyConnection, network: str, *, pseudonymise: bool = True,
                  with_positions: bool = True) -> NetworkFrame:
    """The network's ids, stable layout (over all periods) and organisation order, computed once per network.

    ``with_positions=False`` leaves the layout out (``positions`` empty; :func:`network_positions` gives it):
    a network too big for one map of people opens at the level of its organisations, which has a layout of
    its own, so the Ties page draws it without waiting for every person's place (1.4 s at 10,000 people)."""
    built: dict[str, nx.DiGraph] = {}

    def compute() -> dict:
        built["G"] = G_all = tq.full_graph(con, network)
        shown = code_mapping(G_all.nodes, public_ids(con)) if pseudonymise else {v: v for v in G_all}
        orgs = sorted({d.get("organisation") for _, d in G_all.nodes(data=True) if d.get("organisation")}, key=str)
        return {"shown": shown, "organisations": orgs}

    # Kept in the store per data version: the whole network's graph takes 0.6 s to build at 100,000 ties.
    ids = computed.remembered(con, "network_ids", {"network": network, "pseudonymise": pseudonymise},
                              store.data_version(con), compute)
    shown = ids["shown"]
    return NetworkFrame(shown_id=shown,
                        positions=_positions(con, network, built.get("G"), shown) if with_positions else {},
                        organisations=ids["organisations"], tie_types=tq.tie_types(con, network),
                        frequency_known=tq.frequency_known(con, network))


def network_positions(con: duckdb.DuckDBPyConnection, network: str, net_frame: NetworkFrame
                      ) -> dict[Hashable, tuple[float, float]]:
    """Every person's place on the network's stable layout, by the ids ``net_frame`` shows them by."""
    return net_frame.positions or _positions(con, network, None, net_frame.shown_id)


def _positions(con: duckdb.DuckDBPyConnection, network: str, G_all: nx.DiGraph | None, shown: dict
               ) -> dict[Hashable, tuple[float, float]]:
    """The layout by stored ids, computed once per data version and kept in the store (3 s at 10,000 people),
    then shown by the view's ids (the same places with and without pseudonyms)."""
    def compute() -> dict:
        return layout(tq.full_graph(con, network) if G_all is None else G_all, unit=LAYOUT_UNIT)

    places = computed.remembered(con, "layout", {"network": network, "unit": LAYOUT_UNIT},
                                 store.data_version(con), compute)
    return {shown[v]: tuple(p) for v, p in places.items()}


def period_graph(
    con: duckdb.DuckDBPyConnection, filters: tq.TieFilters, net_frame: NetworkFrame, *, pseudonymise: bool = True,
    strong_threshold: float = STRONG_TIE_MIN_WEIGHT,
) -> tuple[nx.DiGraph, list[str], dict, pd.DataFrame]:
    """The filtered graph with the frame's ids, its warnings, whole-network measures and per-person measures."""
    version = store.data_version(con)  # before the graph is read: its figures are kept under this version
    G, warnings = filtered_graph(con, filters, net_frame, pseudonymise=pseudonymise)
    return G, warnings, *stored_measures(con, filters, G, net_frame, pseudonymise=pseudonymise,
                                         strong_threshold=strong_threshold, version=version)


def filtered_graph(con: duckdb.DuckDBPyConnection, filters: tq.TieFilters, net_frame: NetworkFrame, *,
                   pseudonymise: bool = True) -> tuple[nx.DiGraph, list[str]]:
    """The filtered graph with the frame's ids, and its warnings (a map of organisations needs no more)."""
    G, warnings = tq.graph(con, filters, pseudonymise=pseudonymise)
    if pseudonymise:
        G = graph_with_codes(G, net_frame.shown_id)
    return G, warnings


def graph_measures(G: nx.DiGraph, net_frame: NetworkFrame, *, strong_threshold: float = STRONG_TIE_MIN_WEIGHT
                   ) -> tuple[dict, pd.DataFrame]:
    """Whole-network and per-person measures of a filtered graph (betweenness sampled by the product's rule)."""
    return measures_process.view_measures(G, net_frame.frequency_known, strong_threshold)


def stored_measures(con: duckdb.DuckDBPyConnection, filters: tq.TieFilters, G: nx.DiGraph, net_frame: NetworkFrame,
                    *, pseudonymise: bool = True, strong_threshold: float = STRONG_TIE_MIN_WEIGHT,
                    version: tuple | None = None) -> tuple[dict, pd.DataFrame]:
    """:func:`graph_measures` of the graph ``filters`` give, computed once per data version and kept in the
    store: a restart, the report and the page read the same figures (2.4 s at 10,000 people).

    ``version``: the data version ``G`` was read at (default: now). Pass it when ``G`` may be older than
    this call (a cached graph), so that figures of old data are never kept under a newer version."""
    return computed.remembered(con, "measures",
                               _measures_key(filters, len(G), G.number_of_edges(), pseudonymise, strong_threshold),
                               store.data_version(con) if version is None else version,
                               lambda: graph_measures(G, net_frame, strong_threshold=strong_threshold))


def stored_measures_apart(con: duckdb.DuckDBPyConnection, filters: tq.TieFilters, net_frame: NetworkFrame, *,
                          pseudonymise: bool = True, strong_threshold: float = STRONG_TIE_MIN_WEIGHT,
                          version: tuple | None = None, patience_s: float = 600.0) -> tuple[dict, pd.DataFrame]:
    """:func:`stored_measures` of the view ``filters`` give, its graph built and measured in a helper process
    from the rows read here: the Ties page's background job, which so leaves Python's GIL to the server's
    other work (a click, a map being drawn). The same figures as :func:`stored_measures`, kept under the same
    key; a view kept before is read, not computed."""
    version = store.data_version(con) if version is None else version
    nodes, edges = tq.graph_rows(con, filters, pseudonymise)
    done = measures_process.rows_measures_apart(nodes, edges, net_frame.shown_id if pseudonymise else None,
                                                net_frame.frequency_known, strong_threshold, patience_s=patience_s)
    return computed.remembered(con, "measures", _measures_key(filters, done.people_count, done.tie_count,
                                                              pseudonymise, strong_threshold),
                               version, lambda: (done.summary, done.people))


Figures = tuple[dict, pd.DataFrame]


def view_figures(size: tuple[int, int], key: Hashable, *, now: Callable[[], Figures],
                 kept: Callable[[], Figures | None], make_job: Callable[[], Callable[[], Figures]],
                 jobs: background.Jobs | None = None) -> tuple[Figures | None, background.Job | None]:
    """A view's measures, or the background job computing them.

    A view of ``size`` (people, distinct ties) whose measures are expected to take less than
    ``decisions.BACKGROUND_FROM_S`` is measured at once (``now``). A bigger one is read when it was kept
    before (``kept``); else ``make_job()`` gives the work for a job under ``key`` (not begun: the page
    begins it once it has drawn), which the page's next runs find again. A finished job gives its figures,
    raising what it raised; until then the figures are None and the page shows the previous selection's."""
    expected = measures_seconds(*size)
    if expected < decisions.BACKGROUND_FROM_S:
        return now(), None
    jobs = background.JOBS if jobs is None else jobs
    job = jobs.get(key)
    if job is None:
        found = kept()
        if found is not None:
            return found, None
        job = jobs.start(key, make_job(), expected * decisions.BACKGROUND_ESTIMATE_FACTOR, begin=False)
    return (job.result() if job.done() else None), job


def kept_measures(con: duckdb.DuckDBPyConnection, filters: tq.TieFilters, size: tuple[int, int], *,
                  pseudonymise: bool = True, strong_threshold: float = STRONG_TIE_MIN_WEIGHT,
                  version: tuple | None = None) -> tuple[dict, pd.DataFrame] | None:
    """The figures :func:`stored_measures` kept for this view of ``size`` (people, distinct ties), or None:
    nothing is computed, and the graph need not be built to ask."""
    found, value = computed.kept(con, "measures", _measures_key(filters, *size, pseudonymise, strong_threshold),
                                 store.data_version(con) if version is None else version)
    return value if found else None


def measures_seconds(n_people: int, n_ties: int) -> float:
    """Expected seconds of :func:`graph_measures` on this machine for a view of this size: above
    ``decisions.BACKGROUND_FROM_S`` the Ties page computes them in the background and shows the previous
    selection's figures meanwhile."""
    k = betweenness_sample(n_people, n_ties)
    return (measures_seconds_of(n_people, n_ties)
            + betweenness_seconds(n_people if k is None else k, n_people, n_ties, usable_cores()))


def _measures_key(filters: tq.TieFilters, n: int, m: int, pseudonymise: bool, strong_threshold: float) -> dict:
    return {"filters": filters, "pseudonymise": pseudonymise, "strong": float(strong_threshold),
            "sample": betweenness_sample(n, m), "size": [n, m]}


def measures_over_time(con: duckdb.DuckDBPyConnection, network: str, *,
                       strong_threshold: float = STRONG_TIE_MIN_WEIGHT, tie_type: str | None = None) -> pd.DataFrame:
    """The Ties page's measures per period (shares and counts, no betweenness), once per data version."""
    def compute() -> pd.DataFrame:
        rows = tq.metrics_table(con, network, strong_threshold=strong_threshold, tie_type=tie_type,
                                with_betweenness=False)
        keep = ["period", *wording.OVER_TIME["shares"], *wording.OVER_TIME["counts"]]
        return pd.DataFrame([{k: r.get(k) for k in keep} | {"isolates": len(r["isolates"])} for r in rows])

    key = {"network": network, "strong": float(strong_threshold), "tie_type": tie_type}
    return computed.remembered(con, "over_time", key, store.data_version(con), compute)


def stability(con: duckdb.DuckDBPyConnection, network: str, *, strong_threshold: float = STRONG_TIE_MIN_WEIGHT,
              min_group: int | None = None, tie_types: Sequence[str] | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tie stability from period to period, tie shares with intervals, and perceived beside measured, for
    ``tie_types``: once per data version (the bootstrap over respondents runs once)."""
    def compute() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        waves = td.graphs(con, network, tie_types)
        return (td.dynamics(con, network, waves), td.shares_over_time(con, network, strong_threshold, waves),
                td.perceived_vs_measured(con, network, strong_threshold=strong_threshold, min_group=min_group,
                                         waves=waves))

    key = {"network": network, "strong": float(strong_threshold), "min_group": min_group,
           "tie_types": None if tie_types is None else list(tie_types)}
    return computed.remembered(con, "stability", key, store.data_version(con), compute)


def ego_graph(G: nx.DiGraph, who: Hashable) -> nx.DiGraph:
    """``who`` with the people they name and the people who name them."""
    return G.subgraph({who} | set(G.predecessors(who)) | set(G.successors(who))).copy()


def compare_graph(G_before: nx.DiGraph, G: nx.DiGraph) -> tuple[nx.DiGraph, dict, dict[str, int]]:
    """``G`` plus the ties of ``G_before`` that were dropped, each tie's status (new, kept, dropped) and counts."""
    cmp = tm.compare_periods(tm.edge_frame(G_before), tm.edge_frame(G))
    status = {(r.source, r.target): r.status for r in cmp.itertuples()}
    shown = G.copy()
    for (s, tgt), st_ in status.items():
        if st_ == "dropped":
            for n in (s, tgt):
                if n not in shown:
                    shown.add_node(n, **G_before.nodes[n])
            shown.add_edge(s, tgt, **G_before.edges[s, tgt])
    counts = cmp["status"].value_counts()
    return shown, status, {k: int(counts.get(k, 0)) for k in ("new", "kept", "dropped")}


def overview_level(G: nx.DiGraph) -> str | None:
    """None when a map of every person fits (``decisions.MAP_PEOPLE_MAX``); else the level the map opens at:
    "organisation" when people have at least two organisations, "community" otherwise."""
    orgs = {d.get("organisation") for _, d in G.nodes(data=True)} - {None}
    return level_for(G.number_of_nodes(), len(orgs))


def level_for(people: int, organisations: int) -> str | None:
    """:func:`overview_level` from two counts: people in the view, organisations they name (unknown not counted)."""
    if people <= decisions.MAP_PEOPLE_MAX:
        return None
    return "organisation" if organisations >= 2 else "community"


@dataclass(frozen=True)
class OrganisationMap:
    """A view's map of organisations, built from the tie rows without the graph of people."""

    graph: nx.DiGraph
    #: The map's own layout; None when it was not asked for (a map of people that fits needs none).
    positions: dict | None
    #: People in the view (members and the outside people its ties name).
    people: int
    #: Organisations named (the node for people without one not counted).
    organisations: int
    #: Distinct ties in the view (inside and between organisations; all of them when unknown ones have a label).
    ties: int = 0

    @property
    def level(self) -> str | None:
        """The level a map of people opens at (see :func:`overview_level`)."""
        return level_for(self.people, self.organisations)


def organisation_map(con: duckdb.DuckDBPyConnection, filters: tq.TieFilters, unknown_label: str, *,
                     positions: bool | None = None) -> OrganisationMap:
    """The filtered graph's map of organisations (``tm.organisation_graph`` with its own layout, twice the room:
    the nodes are larger), and how big that graph is, from the rows:
    at 10,000 people / 100,000 ties a filter change redraws the map of organisations without waiting for the
    graph of people (about 1 s to build), which the measures under the map still need.

    ``positions``: lay the map out (None: only when a map of people would not fit, so it opens with this one)."""
    OG = tq.organisation_graph(con, filters, unknown_label)
    named = sum(1 for o in OG if o != unknown_label)
    people = sum(int(d["members"]) for _, d in OG.nodes(data=True))
    if positions is None:
        positions = level_for(people, named) is not None
    ties = (sum(int(d["internal_ties"]) for _, d in OG.nodes(data=True))
            + sum(int(w) for _, _, w in OG.edges(data="weight")))
    return OrganisationMap(OG, layout(OG, unit=LAYOUT_UNIT * 2) if positions else None, people, named, ties)


def group_names(G: nx.DiGraph, people: pd.DataFrame | None, level: str, unknown_label: str, community_label: str
                ) -> dict[Hashable, str]:
    """Person -> the group shown for them at ``level`` (their organisation, or "Community k", 1-based; the
    communities come from ``people``, which organisations do not need)."""
    if level == "organisation":
        return {v: d.get("organisation") or unknown_label for v, d in G.nodes(data=True)}
    return {v: f"{community_label} {int(c) + 1}" for v, c in zip(people["participant_id"], people["community"],
                                                                    strict=True)}


def group_view(G: nx.DiGraph, groups: dict[Hashable, str]) -> tuple[nx.DiGraph, dict]:
    """One node per group (members, ties inside, ties between), with its own layout, like the organisation view."""
    shown = tm.organisation_graph(G, groups=groups)
    return shown, layout(shown, unit=LAYOUT_UNIT * 2)


def drill_down(G: nx.DiGraph, groups: dict[Hashable, str], group: str) -> nx.DiGraph:
    """The people of one group and the ties among them (they keep their place on the network's layout)."""
    return G.subgraph([v for v, g in groups.items() if g == group]).copy()


def focus_period(periods: list[str], wanted: str | None) -> str | None:
    """The period a view is about: the wanted one if the network has data there, else its latest."""
    if not periods:
        return None
    if wanted is None or wanted in periods:
        return wanted or periods[-1]
    return periods[-1]


def page_budget(con: duckdb.DuckDBPyConnection, network: str) -> tuple[str | None, int, str]:
    """Whether a network is too big for a map and per-person measures on a page: (``"ties"``/``"people"``/
    None, the limit, its setting), from two counts (``PAGE_MAX_TIES``, ``PAGE_MAX_PEOPLE``)."""
    people, n_ties = tq.size(con, network)
    max_people, max_ties = limits.get_int("PAGE_MAX_PEOPLE"), limits.get_int("PAGE_MAX_TIES")
    over = tq.over_budget(people, n_ties, max_people, max_ties)
    if over == "people":
        return over, max_people, "PAGE_MAX_PEOPLE"
    return over, max_ties, "PAGE_MAX_TIES"


@dataclass
class TieView:
    """A network's tie map of one period, ready to show: the map document and what goes around it."""

    period: str
    html: str
    legend: list[dict]
    summary: dict
    prompts: list[dict]
    #: The tie type shown (None: the network has one type or none; tq.ALL_TYPES: all combined).
    tie_type: str | None = None
    #: Set when the network is over the page budget: no map, only the measures the database gives (why, in
    #: English, naming the setting); ``summary`` then holds those measures.
    limited: str = ""


def tie_view(con: duckdb.DuckDBPyConnection, network: str, period: str | None = None, *, pseudonymise: bool = True,
             lang: str = "nl", height: int = TIE_MAP_HEIGHT, order: Sequence[str] | None = None,
             tie_type: str | None = None, runtime: tie_map.Runtime = "inline", served_at: str = "/app/static/"
             ) -> TieView | None:
    """The tie map of ``period`` (or the latest period with ties before it; default the latest) on the
    network's one stable layout, coloured by organisation in a fixed order, of one tie type (the network's
    most common unless ``tie_type`` says another or tq.ALL_TYPES). None when there are no ties.

    Pseudonymised, the graph's node ids are the codes before anything is drawn, so neither the map's data
    nor its tooltips can carry a stored id (an outside person's id is often their name). ``runtime``: see
    ``tie_map.tie_map_html`` (a report shares one copy of vis-network between its maps).
    """
    order = list(order) if order is not None else dims.period_order(con)
    if period is not None and order and period in order:
        order = order[: order.index(period) + 1]
    have = set(frame(con, "SELECT DISTINCT period FROM v_ties WHERE network = ?", [network])["period"])
    focus = focus_period([p for p in order if p in have], period)
    if focus is None:
        return None
    over, limit, setting = page_budget(con, network)
    if over:  # no graph, no layout: the database's measures and the reason
        kept = tq.type_filter(tq.tie_types(con, network), tie_type)
        summary = tq.limited_measures(con, network, focus, over, limit, setting, tie_types=kept)
        return TieView(period=focus, html="", legend=[], summary=summary, prompts=[],
                       tie_type=kept[0] if kept else None, limited=summary["limited"])
    net_frame = network_frame(con, network, pseudonymise=pseudonymise)
    kept = tq.type_filter(net_frame.tie_types, tie_type)
    G, _warnings, summary, people = period_graph(
        con, tq.TieFilters(network=network, periods=(focus,), tie_types=kept), net_frame, pseudonymise=pseudonymise)
    doc_html = tie_map.tie_map_html(G, net_frame.positions, color_by="organisation", person_df=people,
                                    category_order=net_frame.organisations, height_px=height, lang=lang,
                                    frequency_known=net_frame.frequency_known, runtime=runtime, served_at=served_at)
    doc_html = doc_html.replace("</body>", REFIT_SCRIPT + "\n</body>", 1)
    legend = tie_map.legend_items(G, color_by="organisation", person_df=people,
                                  category_order=net_frame.organisations, lang=lang,
                                  frequency_known=net_frame.frequency_known)
    shown_type = kept[0] if kept else (tq.ALL_TYPES if len(net_frame.tie_types) > 1 else None)
    return TieView(period=focus, html=doc_html, legend=legend, summary=summary,
                   prompts=tie_prompts.prompts(G, summary, people), tie_type=shown_type)
