"""Learning ties: who learns from whom — the map, its measures, and how it changed."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from analytics import decisions, limits
from analytics.decisions import MAP_LABELS_PER_KIND, MAP_PEOPLE_MAX, ROLE_ORDER, STRONG_TIE_MIN_WEIGHT
from analytics.draw import charts, export, graph_files, readable_map, tie_map
from analytics.i18n import fmt_num, role_label, tie_type_label
from analytics.measures import network as tm
from analytics.measures import prompts as tie_prompts
from analytics.measures import ties as tq
from analytics.views import background, tie_view, wording
from pages import ui

ui.page_setup()

t, lang = ui.translator(), ui.lang()
text = ui.chart_text()

st.title(ui.ICONS["ties"] + " " + t("nav.ties"))
ui.demo_banner()
st.markdown(t("ties.intro"))



@st.cache_data(show_spinner=False, max_entries=16)
def options(data_version, network: str) -> dict:
    return ui.query(tq.options, network)


@st.cache_data(show_spinner=False, max_entries=16)
def network_frame(data_version, network: str, pseudonymise: bool) -> tie_view.NetworkFrame:
    """One id per person for the network over all periods: a person keeps their code when filters change."""
    return ui.query(tie_view.network_frame, network, pseudonymise=pseudonymise, with_positions=False)


@st.cache_data(show_spinner=t("ties.computing_layout"), max_entries=16)
def network_positions(data_version, network: str, pseudonymise: bool) -> dict:
    """One layout for the network over all periods: a person keeps their place when filters change. Only
    computed for a map of people (a big network opens at the level of its organisations)."""
    return ui.query(tie_view.network_positions, network, network_frame(data_version, network, pseudonymise))


@st.cache_data(show_spinner=False, max_entries=32)
def period_graph(data_version, f: tq.TieFilters, pseudonymise: bool):
    return ui.query(tie_view.filtered_graph, f, network_frame(data_version, f.network, pseudonymise),
                    pseudonymise=pseudonymise)


@st.cache_data(show_spinner=False, max_entries=32)
def organisation_map(data_version, f: tq.TieFilters, unknown_label: str, drawn: bool) -> tie_view.OrganisationMap:
    """The view's size and its map of organisations (laid out when ``drawn`` or too many people for one map),
    from the tie rows: no graph of people."""
    return ui.query(tie_view.organisation_map, f, unknown_label, positions=True if drawn else None)


@st.cache_data(show_spinner=t("ties.computing_measures"), max_entries=32)
def measures(data_version, f: tq.TieFilters, pseudonymise: bool, strong: float):
    """The graph's measures: asked for after a map of organisations is on screen (it needs none of them)."""
    G, _ = period_graph(data_version, f, pseudonymise)
    return ui.query(tie_view.stored_measures, f, G, network_frame(data_version, f.network, pseudonymise),
                    pseudonymise=pseudonymise, strong_threshold=strong, version=data_version)


@st.cache_data(show_spinner=False, max_entries=64)
def network_size(data_version, network: str) -> tuple[int, int]:
    return ui.query(tq.size, network)


#: The set-based measures by their label keys (ties.m_*).
SQL_LABELS = {"nodes": "nodes", "edges": "edges", "density": "density", "reciprocity": "reciprocity",
              "cross_organisation_share": "cross_org", "isolates": "isolates", "avg_in_degree": "avg_in",
              "strong_share": "strong"}


@st.cache_data(show_spinner=False, max_entries=8)
def budget_measures(data_version, network: str) -> pd.DataFrame:
    """What the database can say about a network too big to draw: counts and shares per period."""
    df = ui.query(tq.sql_measures, network, main_type=True)  # the type the page opens with, as elsewhere
    return df[["period", *SQL_LABELS]]


@st.cache_data(show_spinner=False, max_entries=16)
def over_time(data_version, network: str, strong: float, tie_type: str | None) -> pd.DataFrame:
    return ui.query(tie_view.measures_over_time, network, strong_threshold=strong, tie_type=tie_type)


@st.cache_data(show_spinner=False, max_entries=16)
def stability(data_version, network: str, strong: float, min_group: int, tie_types: tuple | None) -> tuple:
    """Jaccard/new/kept/dropped/joined/left, tie shares with intervals, and perceived beside measured, for the
    chosen tie type."""
    return ui.query(tie_view.stability, network, strong_threshold=strong, min_group=min_group, tie_types=tie_types)


def map_html(G, pos: dict, color_by: str, size_by: str, strong: float, status, height: int, lang_: str,
             people: pd.DataFrame | None, order: list | None, frequency_known: bool, focus=None,
             runtime: dict | None = None) -> str:
    """Not cached: building the page takes well under a second even at 2,000 people. ``runtime``: how the map
    gets vis-network (``ui.map_runtime()`` on the page; carried in the map, the default, for the download)."""
    return tie_map.tie_map_html(G, pos, color_by=color_by, size_by=size_by, strong_threshold=strong,
                                compare_status=status, height_px=height, lang=lang_, person_df=people,
                                category_order=order, frequency_known=frequency_known, focus=focus, search=True,
                                **(runtime or {}))


def names_caption(G, people: pd.DataFrame | None) -> str:
    """Which people the map names without hovering, and why (the same choice the map makes)."""
    if people is None:
        return t("ties.labels_caption_org")
    choice = readable_map.label_choice(people, MAP_LABELS_PER_KIND, among=G.nodes)

    def names(ids) -> str:
        return ", ".join(ui.md(str(G.nodes[v].get("label") or v)) for v in ids) or t("ties.labels_nobody")

    return t("ties.labels_caption", most=names(choice.most_named), brokers=names(choice.brokers))


def legend(G, color_by: str, people: pd.DataFrame, compare: bool, order: list | None, frequency_known: bool) -> None:
    items = tie_map.legend_items(G, color_by=color_by, person_df=people, compare=compare, lang=lang,
                                 category_order=order, frequency_known=frequency_known)
    shapes = {  # the same shapes the map draws, so that repeated colours stay apart
        "dot": "border-radius:50%", "square": "", "diamond": "transform:rotate(45deg) scale(0.8)",
        "triangle": "clip-path:polygon(50% 0,100% 100%,0 100%)",
    }
    chips = []
    for it in items:
        label = html.escape(str(it.get("label", "")))
        colour = html.escape(str(it.get("color", "#888")))
        if it.get("kind", "node") == "node":
            style = shapes.get(str(it.get("shape", "dot")), shapes["dot"])
            if colour.upper() in ("#FFFFFF", "#FFF", "WHITE"):  # unknown / external: an outlined symbol
                border = "dashed" if "extern" in label.lower() or "outside" in label.lower() else "solid"
                style += f";border:1.5px {border} #555"
            style += f";background:{colour}"
        else:
            style = (f"height:0;margin-top:7px;border-top:3px {'dashed' if it.get('dashes') else 'solid'} "
                     f"{colour};background:none")
        chips.append(f'<span style="display:inline-flex;align-items:center;margin:2px 12px 2px 0">'
                     f'<span style="display:inline-block;box-sizing:border-box;width:14px;height:14px;{style}">'
                     f'</span><span style="margin-left:6px">{label}</span></span>')
    st.html('<div style="font-size:0.9rem;line-height:1.6">' + "".join(chips) + "</div>")


v = ui.version()
net = ui.pick_network()
if net is None:
    st.info(t("ui.no_data"))
    st.stop()
opts = options(v, net)
if not opts["period"]:
    st.info(t("ties.no_ties"))
    st.stop()
pers_order = [p for p in ui.periods(net) if p in set(opts["period"])]

# ---------------------------------------------------------------- budget: refuse the map before building it
n_people, n_ties = network_size(v, net)
max_people, max_ties = limits.get_int("PAGE_MAX_PEOPLE"), limits.get_int("PAGE_MAX_TIES")
over = tq.over_budget(n_people, n_ties, max_people, max_ties)
if over:
    st.warning(t("ties.over_budget", people=fmt_num(n_people, lang, 0), ties=fmt_num(n_ties, lang, 0),
                 limit=fmt_num(max_ties if over == "ties" else max_people, lang, 0),
                 what=t("ties.m_edges" if over == "ties" else "ties.m_nodes").lower(),
                 setting="NETWERKLEREN_PAGE_MAX_" + over.upper()))
    st.subheader(t("ties.over_budget_measures"))
    ui.show_table(budget_measures(v, net).rename(columns=lambda c: t(f"ties.m_{SQL_LABELS[c]}")
                                                   if c in SQL_LABELS else t("sidebar.period")))
    st.stop()

# ---------------------------------------------------------------- filters
with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    default_p = ui.period() if ui.period() in pers_order else pers_order[-1]
    period = c1.selectbox(t("sidebar.period"), pers_order, index=pers_order.index(default_p), key="ties_period")
    view = c2.selectbox(t("ties.view"), ["people", "ego", "compare", "organisations"],
                        format_func=lambda x: t(f"ties.view_{x}"), key="ties_view")
    color_by = c3.selectbox(t("ties.color_by"), ["organisation", "role", "community"],
                            format_func=lambda x: t(f"ties.color_{x}"), key="ties_color")
    size_by = c4.selectbox(t("ties.size_by"), ["degree", "betweenness"],
                           format_func=lambda x: t(f"ties.size_{x}"), key="ties_size")
    types = network_frame(v, net, ui.pseudonymise()).tie_types
    tie_type = None
    if len(types) > 1:  # each type is its own network; all together only when chosen
        tie_type = st.radio(t("ties.tie_type"), [*types, tq.ALL_TYPES], horizontal=True, key="ties_type",
                            format_func=lambda x: t("ties.all_types") if x == tq.ALL_TYPES else tie_type_label(x, lang),
                            help=t("ties.tie_type_help"))
        if tie_type == tq.ALL_TYPES:
            st.caption(t("ties.all_types_caption"))
    with st.expander(t("ties.more_filters")):
        d2, d3 = st.columns(2)
        topics = d2.multiselect(t("column.topic"), opts["topic"], key="ties_topics", placeholder=t("ui.choose"))
        channels = d3.multiselect(t("column.channel"), opts["channel"], key="ties_channels", placeholder=t("ui.choose"))
        e1, e2, e3 = st.columns(3)
        roles_all = [*ROLE_ORDER, "unknown"]
        roles = e1.multiselect(t("column.role"), roles_all, format_func=lambda r: role_label(r, lang),
                               key="ties_roles", placeholder=t("ui.choose"))
        min_weight = e2.number_input(t("ties.min_weight"), min_value=0.0, value=0.0, step=1.0, key="ties_minw")
        strong = e3.number_input(t("ties.strong_threshold"), min_value=0.0, value=STRONG_TIE_MIN_WEIGHT, step=1.0,
                                 help=t("ties.strong_help"), key="ties_strong")

f = tq.TieFilters(network=net, periods=(period,), tie_types=tq.type_filter(types, tie_type), topics=tuple(topics) or None,
                  channels=tuple(channels) or None, roles=tuple(roles) or None, min_weight=float(min_weight))
notes = st.container()  # the graph's repairs: said once the graph of people is built
said: list[bool] = []


def figures_key() -> tuple:
    return ("tie measures", v, f, ui.pseudonymise(), float(strong))


def person_graph():
    """The filtered graph of people. A map of organisations is drawn before it is built (at 10,000 people
    building it takes about a second), so its notes go to the place kept for them above the map."""
    graph, repairs = period_graph(v, f, ui.pseudonymise())
    if not said:
        said.append(True)
        for w in repairs:
            notes.caption(ui.ICONS["info"] + " " + (t(f"ties.note_{w.code}", **w.fields) if hasattr(w, "code")
                                                    else str(w)))
    return graph


def selection_text(sel: tq.TieFilters) -> str:
    """A selection in words, for figures shown under another selection's name."""
    parts = [f"{t('column.period')} {', '.join(sel.periods or ())}"]
    if sel.tie_types:
        parts.append(", ".join(tie_type_label(x, lang) for x in sel.tie_types))
    if sel.min_weight:
        parts.append(f"{t('ties.min_weight')} {fmt_num(sel.min_weight, lang, 0 if sel.min_weight.is_integer() else 1)}")
    for label, values in ((t("column.role"), [role_label(r, lang) for r in sel.roles or ()]),
                          (t("column.topic"), sel.topics or ()), (t("column.channel"), sel.channels or ())):
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    if len(parts) == 1:
        parts.append(t("ties.no_more_filters"))
    return ui.md("; ".join(parts))


figures_memo: dict = {}
#: This run's background job, begun when the run ends (begin_jobs): the map and the previous figures are drawn
#: first, without a computation competing for Python's GIL.
unbegun: list[background.Job] = []


#: Set when this run's page has been sent: a run of the progress fragment after it comes from the browser.
run_over: list[bool] = []


def begin_jobs() -> None:
    """This run's job begins when the browser first asks how far it is, at the latest after a moment."""
    for job in unbegun:
        job.begin_within(decisions.BACKGROUND_START_S)
    run_over.append(True)


def view_figures():
    """(summary, people, previous) of this view. A view whose measures take more than a moment and were not
    computed before is computed in the background, in a helper process: meanwhile the previous selection's
    figures of this network are given (``previous`` True; labelled on the page), or (None, None, True) when
    there are none, under a progress bar that reruns the page when the new figures are ready."""
    if figures_memo:
        return figures_memo["figures"]
    ps, strong_f = ui.pseudonymise(), float(strong)
    # the view's size: from the graph when it is built, else from the map of organisations (no graph needed)
    if G is None and org_map is not None:
        size = (org_map.people, org_map.ties)
    else:
        graph = G if G is not None else person_graph()
        size = (len(graph), graph.number_of_edges())

    def make_job():  # made in the page's run: the job has no page to ask for a cursor
        cursor, frame_ = ui.con(), network_frame(v, net, ps)

        def compute():  # the graph is built and measured in a helper process: the server stays free
            try:
                return tie_view.stored_measures_apart(cursor, f, frame_, pseudonymise=ps, strong_threshold=strong_f,
                                                      version=v)
            finally:
                cursor.close()
        return compute

    try:
        figures, job = tie_view.view_figures(
            size, figures_key(), now=lambda: measures(v, f, ps, strong_f), make_job=make_job,
            kept=lambda: ui.query(tie_view.kept_measures, f, size, pseudonymise=ps, strong_threshold=strong_f,
                                  version=v))
        failed = None
    except Exception as e:  # noqa: BLE001 - said on the page; the map above stays usable
        failed = e
    if failed is not None:
        st.error(t("ties.figures_failed", error=type(failed).__name__))
        st.stop()
    if figures is not None:
        st.session_state["ties_figures"] = {"network": net, "pseudonymise": ps, "filters": f, "figures": figures}
        figures_memo["figures"] = (*figures, False)
        return figures_memo["figures"]
    st.caption(ui.ICONS["info"] + " " + t("ties.figures_wait", people=fmt_num(size[0], lang, 0),
                                          ties=fmt_num(size[1], lang, 0),
                                          seconds=fmt_num(max(1.0, job.expected_s), lang, 0)))
    if not job.begun():
        unbegun.append(job)
    wait_for(job)
    before = st.session_state.get("ties_figures")
    if before and before["network"] == net and before["pseudonymise"] == ps:
        st.caption(t("ties.figures_previous", filters=selection_text(before["filters"])))
        figures_memo["figures"] = (*before["figures"], True)
    else:
        st.caption(t("ties.figures_none_yet"))
        figures_memo["figures"] = (None, None, True)
    return figures_memo["figures"]


@st.fragment(run_every=0.5)
def wait_for(job: background.Job) -> None:
    """A progress bar that reruns the whole page once the job is done. Its first run from the browser (the
    browser has the page by then) begins the job."""
    if run_over:
        job.begin()
    if job.done():
        st.rerun()
    st.progress(job.progress(), text=t("ties.computing_measures"))


pos = None  # the people's places: asked for only when the map shows people
G = None
org_map = None
unknown_org = t("ties.unknown_org")

# ---------------------------------------------------------------- the map
status = None
level = None
if view in ("people", "organisations"):
    org_map = organisation_map(v, f, unknown_org, view == "organisations")
    level = org_map.level if view == "people" else None
if view == "people" and level is None:
    G = shown = person_graph()
elif view == "ego":
    G = person_graph()
    labels = {n: str(d.get("label") or n) if str(d.get("label") or n) == str(n) else f"{d.get('label')} ({n})"
              for n, d in G.nodes(data=True)}  # type to search by name or by id
    who = st.selectbox(t("ties.search_person"), sorted(labels, key=lambda n: labels[n].lower()),
                       format_func=lambda n: labels[n], key="ties_ego")
    shown = tie_view.ego_graph(G, who)
    st.caption(t("ties.ego_caption", n=len(shown) - 1))
elif view == "compare":
    G = shown = person_graph()
    others = [p for p in pers_order if p != period]
    if not others:
        st.info(t("dims.need_two_periods"))
    else:
        idx = pers_order.index(period)
        before = st.selectbox(t("ties.compare_with"), others, index=max(0, min(idx - 1, len(others) - 1)),
                              key="ties_before")
        fb = tq.TieFilters(**{**f.__dict__, "periods": (before,)})
        Gb, _ = period_graph(v, fb, ui.pseudonymise())
        shown, status, counts = tie_view.compare_graph(Gb, G)
        st.caption(t("ties.compare_caption", **counts, a=before, b=period))
elif view == "organisations":
    shown, pos = org_map.graph, org_map.positions
grouped = view == "organisations"
if level:  # too many people for one map: open at the level of organisations (or communities), drill into one
    if level == "community":
        G = person_graph()
        groups = tie_view.group_names(G, measures(v, f, ui.pseudonymise(), float(strong))[1], level, unknown_org,
                                      t("map.community"))
        names = set(groups.values())
    else:  # the organisations are on the map already built: no graph of people needed to draw it
        names = set(org_map.graph.nodes)
    st.info(t(f"ties.big_map_{level}", n=fmt_num(org_map.people, lang, 0), max=fmt_num(MAP_PEOPLE_MAX, lang, 0)))
    pick = ui.synced_select(t(f"ties.open_{level}"), ["", *sorted(names, key=str)], "ties_open",
                            lambda g: g or t("ties.all_groups"))
    if pick:
        if G is None:
            G = person_graph()
            groups = tie_view.group_names(G, None, level, unknown_org, t("map.community"))
        shown = tie_view.drill_down(G, groups, pick)
        st.caption(t("ties.drill_caption", group=ui.md(pick), n=fmt_num(len(shown), lang, 0)))
    elif level == "community":
        shown, pos = tie_view.group_view(G, groups)
        grouped = True
    else:
        shown, pos = org_map.graph, org_map.positions
        grouped = True

if shown.number_of_nodes() == 0:
    st.info(t("ties.empty_selection"))
else:
    people_for_map = None
    if not grouped:  # a map of people: sized and described by this selection's measures, never the previous'
        _, this_people, previous = view_figures()
        people_for_map = None if previous else this_people
    by = color_by if not grouped else "organisation"
    order = network_frame(v, net, ui.pseudonymise()).organisations if by == "organisation" else None  # fixed colours across views and periods
    if order is not None and grouped:
        order = None  # the organisation map has its own node per organisation
    known = network_frame(v, net, ui.pseudonymise()).frequency_known
    # readable: find and highlight someone; simplify the drawing (never the measures)
    r1, r2 = st.columns(2)
    findable = readable_map.find_options(shown)
    found = ui.synced_select(t("ties.find"), ["", *findable], "ties_find",
                             lambda n: findable.get(n) or t("ties.find_none"), where=r1, help=t("ties.find_help"))
    found = found if found in findable else ""
    simplify_here = not grouped and status is None
    modes = ["all", *(["strong"] if known else []), "backbone"]
    mode = r2.selectbox(t("ties.simplify"), modes, format_func=lambda x: t(f"ties.simplify_{x}"),
                        key="ties_simplify", help=t("ties.simplify_help"), disabled=not simplify_here)
    drawn = readable_map.simplify(shown, mode if simplify_here and mode in modes else "all",
                                  min_weight=float(strong))
    if pos is None:
        pos = network_positions(v, net, ui.pseudonymise())
    html_doc = map_html(drawn.graph, pos, by, size_by, float(strong), status, 620, lang, people_for_map, order,
                        known, focus=found or None, runtime=ui.map_runtime())
    if drawn.mode != "all":
        st.caption(ui.ICONS["info"] + " " + t(f"ties.simplify_caption_{drawn.mode}",
                                              shown=fmt_num(drawn.shown_ties, lang, 0),
                                              total=fmt_num(drawn.total_ties, lang, 0),
                                              hidden=fmt_num(drawn.hidden_ties, lang, 0),
                                              w=fmt_num(strong, lang, 0 if float(strong).is_integer() else 1)))
    elif not simplify_here and mode != "all":
        st.caption(t("ties.simplify_not_here"))
    if found:
        st.caption(t("ties.find_caption", name=ui.md(findable[found]),
                     n=len(readable_map.contacts(drawn.graph, found))))
    st.iframe(html_doc, height=640)
    summary, people, previous = view_figures()
    if G is None and not previous:
        G = person_graph()  # now that the map is on screen (the previous figures need no graph)
    legend(shown, by, people_for_map, status is not None, order, known)
    st.caption(names_caption(drawn.graph, people_for_map))
    if not known:
        st.caption(t("ties.no_frequency"))
    with st.expander(ui.ICONS["info"] + " " + t("ui.how_to_read")):
        st.markdown(t("ties.read_map"))
    d1, d2, d3, d4, d5 = st.columns(5)
    d1.download_button(t("ties.dl_html"), icon=ui.ICONS["download"], file_name=f"tie_map_{net}_{period}.html",
                       data=lambda: map_html(drawn.graph, pos, by, size_by, float(strong), status, 620, lang,
                                             people_for_map, order, known, focus=found or None),  # with its runtime
                       mime="text/html", on_click="ignore", key="dl_map")
    node_table = tm.edge_frame(shown)
    d2.download_button(t("ties.dl_edges"), icon=ui.ICONS["download"], data=lambda: export.safe_csv(node_table), on_click="ignore",
                       file_name=f"ties_{net}_{period}.csv", mime="text/csv", key="dl_edges")
    if not previous:  # files of this selection only: never the previous selection's measures with these ties
        d3.download_button(t("ties.dl_nodes"), icon=ui.ICONS["download"], data=lambda: export.safe_csv(people),
                           on_click="ignore", file_name=f"people_{net}_{period}.csv", mime="text/csv", key="dl_nodes")
        d4.download_button("GEXF", icon=ui.ICONS["download"], data=lambda: graph_files.to_gexf(graph_files.with_measures(G, people)), on_click="ignore",
                           file_name=f"ties_{net}_{period}.gexf", mime="application/xml", key="dl_gexf")
        d5.download_button("GraphML", icon=ui.ICONS["download"], data=lambda: graph_files.to_graphml(graph_files.with_measures(G, people)), on_click="ignore",
                           file_name=f"ties_{net}_{period}.graphml", mime="application/xml", key="dl_graphml")

# ---------------------------------------------------------------- questions for the network
summary, people, previous = view_figures()
if summary is None:  # a big view's first figures are on their way (the progress bar above reruns the page)
    begin_jobs()
    st.stop()
if G is None and not previous:
    G = person_graph()
prompts = [] if previous else tie_prompts.prompts(G, summary, people)
if prompts:
    st.subheader(t("ties.questions"))
    for p in prompts:
        st.markdown(ui.ICONS["question"] + " " + wording.prompt_text(p, lang))

# ---------------------------------------------------------------- measures
st.subheader(t("ties.measures"))
if previous:  # said where the figures are, not only at the map: these numbers are not of the selection above
    st.info(t("ties.figures_previous", filters=selection_text(st.session_state["ties_figures"]["filters"])),
            icon=ui.ICONS["info"])
m = summary
cols = st.columns(6)
cols[0].metric(t("ties.m_nodes"), m["nodes"])
cols[1].metric(t("ties.m_edges"), m["edges"])
cols[2].metric(t("ties.m_density"), fmt_num(m["density"], lang, 3))
cols[3].metric(t("ties.m_reciprocity"), fmt_num(m["reciprocity"], lang, 2))
cols[4].metric(t("ties.m_cross_org"), fmt_num((m.get("cross_organisation_share") or 0) * 100, lang, 0) + " %")
cols[5].metric(t("ties.m_isolates"), len(m["isolates"]))
if m.get("betweenness_sampled"):
    st.caption(t("ties.sampled", k=fmt_num(m.get("betweenness_sources") or 0, lang, 0)))
with st.expander(t("ties.definitions")):
    st.markdown(t("ties.definitions_text"))

measure_rows = wording.measure_rows(m, lang)
tab_measures, tab_time, tab_dynamics, tab_people, tab_orgs = st.tabs(
    [t("ties.tab_measures"), t("ties.tab_time"), t("ties.tab_dynamics"), t("ties.tab_people"), t("ties.tab_orgs")])
with tab_measures:
    ui.show_table(pd.DataFrame(measure_rows, columns=[t("ties.measure"), t("ties.value")]).astype(str))
with tab_time:
    ot = over_time(v, net, float(strong), tie_type)
    ev = ui.events((net,), ui.pseudonymise())
    kind = st.segmented_control(t("ties.time_kind"), ["shares", "counts"], default="shares",
                                format_func=lambda k: t(f"ties.time_{k}"), key="ties_time_kind") or "shares"
    if kind == "shares":  # measures between 0 and 1 on one scale
        names = {k: wording.measure_name(k, lang) for k in wording.OVER_TIME["shares"]}
        y_domain, y_title = (0, 1), t("ties.share")
    else:  # counts and averages
        names = {k: wording.measure_name(k, lang) for k in wording.OVER_TIME["counts"]}
        y_domain, y_title = None, t("ties.count")
    long = ot.melt(id_vars=["period"], value_vars=list(names), var_name="measure", value_name="value")
    chart = ui.spec(charts.line_over_time, long, x="period", y="value", color="measure", x_order=pers_order,
                                  color_labels=names, color_order=list(names), events=ev, y_domain=y_domain,
                                  y_title=y_title, text={**text, "indicator": t("ties.measure")},
                                  title=t("ties.time_title", network=net),
                                  tooltip_cols=())
    table = ot.rename(columns={"period": t("column.period"), **names})
    ui.chart_block(chart, table, f"tie_measures_{net}_{kind}", how_to_read=t("ties.read_time"))
with tab_dynamics:
    dyn, shares, pvm = stability(v, net, float(strong), ui.min_group(), tq.type_filter(types, tie_type))
    ev_dyn = ui.events((net,), ui.pseudonymise())
    if dyn.empty:
        st.info(t("ties.need_two_periods"))
    else:
        st.markdown("**" + t("ties.dynamics_title", network=net) + "**")
        jac = dyn.assign(period=dyn["period_to"], measure="jaccard", value=dyn["jaccard"])
        jchart = ui.spec(
            charts.line_over_time, jac, x="period", y="value", color="measure", x_order=pers_order,
            color_labels={"jaccard": t("ties.jaccard")}, events=ev_dyn, y_domain=(0, 1), y_title=t("ties.jaccard"),
            text={**text, "indicator": t("ties.measure")}, title=t("ties.dynamics_title", network=net),
            tooltip_cols=("kept", "new", "dropped", "joined", "left"), width=560)
        dyn_table = pd.DataFrame({
            t("ties.step"): [f"{a} → {b}" for a, b in zip(dyn["period_from"], dyn["period_to"], strict=True)],
            t("ties.kept"): dyn["kept"], t("ties.new"): dyn["new"], t("ties.dropped"): dyn["dropped"],
            t("ties.jaccard"): dyn["jaccard"].round(3), t("ties.joined"): dyn["joined"],
            t("ties.left"): dyn["left"],
        })
        ui.chart_block(jchart, dyn_table, f"tie_stability_{net}", how_to_read=t("ties.read_dynamics"))
    out_share = shares[shares["measure"] == "outside_share"]
    if len(out_share):
        ochart = ui.spec(
            charts.line_over_time, out_share, x="period", y="value", color="measure", x_order=pers_order,
            color_labels={"outside_share": t("ties.outside_share")}, events=ev_dyn, y_domain=(0, 1),
            y_title=t("ties.share"), text={**text, "indicator": t("ties.measure")},
            title=t("ties.outside_title", network=net), band=("ci_low", "ci_high"), n_col="n", width=560)
        otable = pd.DataFrame({t("column.period"): out_share["period"], "n": out_share["n"],
                               t("ties.outside_share"): out_share["value"].round(3),
                               t("chart.ci_low"): out_share["ci_low"].round(3),
                               t("chart.ci_high"): out_share["ci_high"].round(3)})
        ui.chart_block(ochart, otable, f"tie_outside_{net}", how_to_read=t("ties.read_outside"))
    if len(pvm):
        st.markdown(t("ties.perceived_intro"))
        fw_ = ui.framework()
        ind_names = {i.code: f"{i.code} {i.name[lang]}" for i in fw_.indicators} if fw_ else {}
        m_names = {"clustering": t("ties.m_clustering"), "weak_share": t("ties.m_weak"),
                   "reciprocity": t("ties.m_reciprocity"), "degree_centralization": t("ties.m_centralization")}
        left, right = st.columns(2)
        perc = pvm[pvm["side"] == "perceived"]
        meas = pvm[pvm["side"] == "measured"]
        with left:
            pchart = ui.spec(
                charts.line_over_time, perc, x="period", y="value", color="measure", x_order=pers_order, color_labels=ind_names,
                color_order=["3a", "3b", "4c"], y_domain=(0, 1), y_title=text["position"],
                text={**text, "indicator": text["indicator"]}, title=t("ties.perceived_title"),
                band=("ci_low", "ci_high"), n_col="n", width=320, height=260)
            ui.show_chart(pchart)
        with right:
            mchart = ui.spec(
                charts.line_over_time, meas, x="period", y="value", color="measure", x_order=pers_order, color_labels=m_names,
                color_order=list(m_names), y_domain=(0, 1), y_title=t("ties.share"),
                text={**text, "indicator": t("ties.measure")}, title=t("ties.measured_title"),
                band=("ci_low", "ci_high"), width=320, height=260)
            ui.show_chart(mchart)
        names = {**ind_names, **m_names}
        ui.show_table(pd.DataFrame({
            t("column.period"): pvm["period"], t("ties.measure"): [names.get(m, m) for m in pvm["measure"]], "n": pvm["n"],
            t("ties.value"): pvm["value"].round(3), t("chart.ci_low"): pvm["ci_low"].round(3),
            t("chart.ci_high"): pvm["ci_high"].round(3)}))
        st.caption(t("ties.method_note"))
with tab_people:
    st.caption(t("ties.people_caption"))
    b1, b2 = st.columns(2)
    top = tm.bridges(people, n=5)
    b1.markdown("**" + t("ties.bridges") + "**")
    b1.markdown("\n".join(f"- {ui.md(r.label)} ({ui.md(r.organisation or t('ties.unknown_org'))})"
                          for r in top.itertuples()) or t("ties.no_bridges"))
    alone = people[people["isolate"] & ~people["external"].astype(bool)]
    b2.markdown("**" + t("ties.isolated") + "**")
    b2.markdown("\n".join(f"- {ui.md(r.label)}" for r in alone.itertuples()) or t("ties.no_isolated"))
    show = people.sort_values(["betweenness", "in_degree"], ascending=False)
    table = pd.DataFrame({
        t("dims.who"): show["label"], t("column.role"): [role_label(r, lang) for r in show["role"]],
        t("column.organisation"): show["organisation"], t("ties.in_degree"): show["in_degree"],
        t("ties.out_degree"): show["out_degree"], t("ties.betweenness"): show["betweenness"].round(3),
        t("ties.brokerage"): show["brokerage"], t("ties.community"): show["community"],
    })
    ui.show_table(table, height=360)
with tab_orgs:
    om = tm.organisation_matrix(G, unknown_label=t("ties.unknown_org")) if G is not None else None
    if om is None:  # the previous selection's figures are shown: this selection's table follows with its own
        st.caption(t("ties.figures_none_yet"))
    elif om.empty:
        st.info(t("ties.empty_selection"))
    else:
        longm = om.stack().rename("ties").reset_index()
        longm.columns = ["from_org", "to_org", "ties"]
        chart = ui.spec(charts.matrix_heatmap, longm, row_col="from_org", col_col="to_org", count_col="ties",
                                      row_title=t("ties.from_org"), col_title=t("ties.to_org"),
                                      count_title=t("ties.m_edges"), text=text, cell=28)
        ui.chart_block(chart, om.reset_index(), f"org_matrix_{net}_{period}", how_to_read=t("ties.read_orgs"))

begin_jobs()  # last: this run's background figures (see view_figures)
