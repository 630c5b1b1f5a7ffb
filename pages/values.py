"""Value creation: the funnel from immediate to transformative value, the matrix, and the stories."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.definitions import funnel_cycles, value_cycles
from analytics.draw import charts
from analytics.draw.export import safe_csv
from analytics.i18n import cycle_label, fmt_num, role_label
from analytics.measures import value_creation as vc
from pages import ui

ui.page_setup()

t, lang = ui.translator(), ui.lang()
text = ui.chart_text()
text["count"] = t("values.count_participants")
stage_labels = {c.code: cycle_label(c.code, lang) for c in value_cycles()}

st.title(ui.ICONS["values"] + " " + t("nav.values"))
ui.demo_banner()
st.markdown(t("values.intro"))
with st.expander(ui.ICONS["read"] + " " + t("values.cycles_explained")):
    for c in value_cycles():
        side = "" if c.in_funnel else f" *({t('values.beside_funnel')})*"
        st.markdown(f"**{c.order}. {c.name[lang]}**{side} — {c.explanation[lang]}")



STORIES_SHOWN = 500  # rows on screen; the download has them all


@st.cache_data(show_spinner=False, max_entries=64)
def funnel(data_version, filters: vc.Filters, by: tuple, measure: str) -> pd.DataFrame:
    return ui.query(vc.funnel, filters, by, measure)


@st.cache_data(show_spinner=False, max_entries=32)
def side(data_version, filters: vc.Filters) -> pd.DataFrame:
    return ui.query(vc.side_values, filters)


@st.cache_data(show_spinner=False, max_entries=32)
def highest(data_version, filters: vc.Filters) -> pd.DataFrame:
    return ui.query(vc.highest_cycle, filters)


@st.cache_data(show_spinner=False, max_entries=32)
def matrix(data_version, filters: vc.Filters) -> pd.DataFrame:
    return ui.query(vc.matrix, filters)


@st.cache_data(show_spinner=False, max_entries=32)
def stories(data_version, filters: vc.Filters, cycles: tuple, indicator: str | None, search: str,
            pseudonymise: bool, limit: int | None = STORIES_SHOWN) -> pd.DataFrame:
    return ui.query(vc.stories, filters, cycles=list(cycles) or None, indicator=indicator, search=search or None,
                    pseudonymise=pseudonymise, limit=limit, scrub=ui.scrubber(data_version, pseudonymise))


@st.cache_data(show_spinner=False, max_entries=64)
def count_stories(data_version, filters: vc.Filters, cycles: tuple, indicator: str | None, search: str) -> int:
    return ui.query(vc.count_stories, filters, cycles=list(cycles) or None, indicator=indicator,
                    search=search or None)


def story_view(sdf: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("column.network"): sdf["network"], t("column.period"): sdf["period"],
        t("column.cycle"): [stage_labels.get(c, c) for c in sdf["cycle"]], t("column.indicator"): sdf["indicator"],
        t("column.description"): sdf["description"], t("column.evidence"): sdf["evidence"],
        t("column.participant_id"): sdf["participant"], t("column.role"): [role_label(r, lang) for r in sdf["role"]],
    })


def _pct_ci(share: pd.Series, lo: pd.Series, hi: pd.Series) -> list[str]:
    """'70% (51–84%)': a share with its 95% Wilson interval (from the funnel); '—' where there is nothing
    to divide by."""
    return ["—" if x != x or a != a else
            f"{fmt_num(x * 100, lang, 0)}% ({fmt_num(a * 100, lang, 0)}–{fmt_num(b * 100, lang, 0)}%)"
            for x, a, b in zip(share, lo, hi, strict=True)]


def funnel_table(df: pd.DataFrame, extra: tuple = ()) -> pd.DataFrame:
    out = pd.DataFrame({t(f"column.{k}"): df[k] for k in extra})
    out[t("column.cycle")] = [stage_labels[c] for c in df["cycle"]]
    out[t("values.reached")] = df["value"]
    out[t("values.kept")] = [fmt_num(x * 100, lang, 0) + "%" if x == x else "—" for x in df["kept_share"]]
    out[t("values.kept_ci")] = _pct_ci(df["kept_share"], df["kept_low"], df["kept_high"])
    out[t("values.share_first")] = _pct_ci(df["share_of_first"], df["first_low"], df["first_high"])
    out[t("values.in_cycle_participants")] = df["participants"]
    out[t("values.in_cycle_reports")] = df["reports"]
    return out


v = ui.version()
net = ui.network()
per = ui.period()
f = vc.Filters(networks=(net,) if net else None, periods=(per,) if per else None)
where = " · ".join([net or t("sidebar.all_networks"), per or t("sidebar.all_periods")])

measure = st.segmented_control(t("values.measure"), ["participants", "reports"], default="participants",
                               format_func=lambda m: t(f"values.{m}"), key="values_measure") or "participants"
if measure == "reports":
    text["count"] = t("values.count_reports")
# What the page's first view asks, fetched together (each is then read from the cache where it is drawn).
ui.prefetch((funnel, v, f, (), measure), (side, v, f), (highest, v, vc.Filters(networks=f.networks)), (matrix, v, f),
            (stories, v, f, (), None, "", ui.pseudonymise()), (count_stories, v, f, (), None, ""))
fd = funnel(v, f, (), measure)
if fd["value"].sum() == 0:
    st.info(t("ui.no_data"))
    st.stop()

tab_funnel, tab_compare, tab_time, tab_matrix = st.tabs(
    [t("values.tab_funnel"), t("values.tab_compare"), t("values.tab_time"), t("values.tab_matrix")]
)

# ---------------------------------------------------------------- the funnel and its stories
with tab_funnel:
    col_f, col_side = st.columns([3, 1])
    with col_f:
        chart = ui.spec(charts.funnel_chart, fd, order=funnel_cycles(), stage_labels=stage_labels, share_col="kept_share",
                                    value_col="value", text=text, title=t("values.funnel_title", where=where))
        event = ui.chart_block(chart, funnel_table(fd), "funnel",
                               how_to_read=t("values.read_funnel") + "\n\n" + t("values.ci_note"),
                               key="funnel", on_select="rerun")
    with col_side:
        sd = side(v, f)
        st.markdown("**" + t("values.side_title") + "**")
        if sd.empty:
            st.caption(t("values.no_side"))
        for _, r in sd.iterrows():
            st.metric(stage_labels[r["cycle"]], int(r[measure]))
        st.caption(t("values.side_help"))
    stops = vc.where_value_stops(fd)
    if stops:
        s = stops[0]
        st.info(t("values.prompt", frm=stage_labels[s["from"]].lower(), to=stage_labels[s["to"]].lower(),
                         share=fmt_num(s["kept_share"] * 100, lang, 0)), icon=ui.ICONS["question"])

    st.subheader(t("values.stories"))
    clicked = []
    if event is not None:
        sel = (event.get("selection") or {}).get("stage") or []
        clicked = [p.get("cycle") for p in sel if isinstance(p, dict) and p.get("cycle")]
    c1, c2 = st.columns([1, 2])
    chosen = c1.multiselect(t("column.cycle"), [c.code for c in value_cycles()], default=clicked,
                            format_func=lambda c: stage_labels[c], key=f"story_cycles:{','.join(clicked)}",
                            placeholder=t("values.all_cycles"))
    search = c2.text_input(t("values.search"), key="story_search", placeholder=t("values.search_placeholder"))
    sdf = stories(v, f, tuple(chosen), None, search, ui.pseudonymise())
    n_all = count_stories(v, f, tuple(chosen), None, search)
    st.caption(t("values.n_stories", n=fmt_num(n_all, lang, 0)) + (
        ". " + t("values.stories_shown", shown=fmt_num(len(sdf), lang, 0)) if n_all > len(sdf) else ""))
    ui.show_table(story_view(sdf), height=360)
    # The file is made after the script run, where session state (the names switch) cannot be read: bind
    # every choice now, so the download shows what the table shows.
    names_hidden, story_args = ui.pseudonymise(), (v, f, tuple(chosen), None, search)
    st.download_button(t("values.download_stories"), icon=ui.ICONS["download"],
                       data=lambda: safe_csv(story_view(stories(*story_args, names_hidden, None))),
                       file_name="value_stories.csv", mime="text/csv", on_click="ignore", key="dl_stories")

# ---------------------------------------------------------------- compare
with tab_compare:
    dim = st.radio(t("values.compare_by"), ["network", "period", "role"], horizontal=True,
                   format_func=lambda d: t(f"column.{d}"), key="values_compare_by")
    if dim == "period":
        pers = ui.periods(net)
        c1, c2 = st.columns(2)
        pa = c1.selectbox(t("dims.from_period"), pers, index=max(0, len(pers) - 2), key="vc_pa")
        pb = c2.selectbox(t("dims.to_period"), pers, index=len(pers) - 1, key="vc_pb")
        cmp = funnel(v, vc.Filters(networks=f.networks, periods=(pa, pb)), ("period",), measure)
    else:
        cmp = funnel(v, f, (dim,), measure)
    if cmp.empty:
        st.info(t("ui.no_data"))
    else:
        if dim == "role":
            cmp = cmp.assign(role=[role_label(r, lang) for r in cmp["role"]])
        groups = list(dict.fromkeys(cmp[dim]))
        xmax = charts.funnel_xmax(cmp)  # one scale: equal counts, equal lengths in every panel
        # one under the other: bars on one baseline and one scale are the easiest lengths to compare
        panels = ui.spec(charts.funnels_stacked, cmp, group_col=dim, groups=groups, order=funnel_cycles(),
                         stage_labels=stage_labels, value_col="value", text=text, width=300, xmax=xmax)
        ui.chart_block(panels, funnel_table(cmp, (dim,)), f"funnel_by_{dim}",
                       how_to_read=t("values.read_compare"))

# ---------------------------------------------------------------- over time
with tab_time:
    hf = vc.Filters(networks=f.networks)
    hd = highest(v, hf)
    if hd.empty:
        st.info(t("ui.no_data"))
    else:
        pers = [p for p in ui.periods(net) if p in set(hd["period"])]
        chart = ui.spec(
            charts.stacked_highest_cycle_chart, hd, order=funnel_cycles(), labels=stage_labels, period_order=pers, events=ui.events(f.networks or (), ui.pseudonymise()),
            text={**text, "count": t("values.count_participants")},  # this chart always counts people
            title=t("values.time_title", where=net or t("sidebar.all_networks")),
        )
        table = pd.DataFrame({t("column.period"): hd["period"],
                              t("values.highest"): [stage_labels[c] for c in hd["highest_cycle"]],
                              t("values.participants"): hd["participants"]})
        ui.chart_block(chart, table, "highest_cycle", how_to_read=t("values.read_time"))

# ---------------------------------------------------------------- the value-creation matrix
with tab_matrix:
    md = matrix(v, f)
    if md.empty:
        st.info(t("ui.no_data"))
    else:
        st.markdown(t("values.matrix_intro"))
        ind_order = md.groupby("indicator")["reports"].sum().sort_values(ascending=False).index.tolist()
        all_cycles = [c.code for c in value_cycles()]
        chart = ui.spec(
            charts.matrix_heatmap, md, row_col="indicator", col_col="cycle", count_col="reports", row_order=ind_order,
            col_order=all_cycles, col_labels=stage_labels, row_title=t("column.indicator"),
            col_title=t("column.cycle"), count_title=t("values.reports"), text=text, selectable=True,
        )
        table = (md.pivot_table(index="indicator", columns="cycle", values="reports", aggfunc="sum", fill_value=0)
                 .reindex(index=ind_order, columns=all_cycles, fill_value=0).astype("int64"))
        table = table.rename(columns=stage_labels).rename_axis(columns=None).reset_index() \
            .rename(columns={"indicator": t("column.indicator")})
        cell_event = ui.chart_block(chart, table, "value_matrix", how_to_read=t("values.read_matrix"),
                                    key="value_matrix", on_select="rerun")
        picked = ((cell_event or {}).get("selection") or {}).get("cell") or []
        picked = picked[0] if picked and isinstance(picked[0], dict) else {}
        st.markdown("**" + t("values.cell_stories") + "**")
        c1, c2 = st.columns(2)
        cycles_with = [c for c in all_cycles if c in set(md["cycle"])]
        clicked_cycle = picked.get("_col") if picked.get("_col") in cycles_with else None
        cell_cycle = c1.selectbox(t("column.cycle"), cycles_with,
                                  index=cycles_with.index(clicked_cycle) if clicked_cycle else 0,
                                  format_func=lambda c: stage_labels[c], key=f"cell_cycle:{clicked_cycle}")
        inds = md[md["cycle"] == cell_cycle]["indicator"].tolist()
        clicked_ind = picked.get("_row") if picked.get("_row") in inds else None
        if picked and (clicked_cycle is None or clicked_ind is None):  # an empty cell: nothing behind it
            st.caption(t("values.empty_cell"))
        cell_ind = c2.selectbox(t("column.indicator"), inds, index=inds.index(clicked_ind) if clicked_ind else 0,
                                key=f"cell_indicator:{clicked_cycle}:{clicked_ind}")
        cell = stories(v, f, (cell_cycle,), cell_ind, "", ui.pseudonymise())
        ui.show_table(pd.DataFrame({
            t("column.period"): cell["period"], t("column.description"): cell["description"],
            t("column.evidence"): cell["evidence"], t("column.participant_id"): cell["participant"],
        }), height=300)
