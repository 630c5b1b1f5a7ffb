"""Overview for the coaches' meeting: every network side by side, and the questions worth asking."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.definitions import funnel_cycles, value_cycles
from analytics.draw import charts
from analytics.i18n import cycle_label, fmt_num
from analytics.measures import overview as ov
from analytics.store import notes
from analytics.views import wording
from pages import ui

ui.page_setup()

t, lang = ui.translator(), ui.lang()
text = ui.chart_text()
fw = ui.framework()
dim_labels = {d.code: f"{d.code} {d.name[lang]}" for d in fw.dimensions}
stage_labels = {c.code: cycle_label(c.code, lang) for c in value_cycles()}



@st.cache_data(show_spinner=False)
def overview_data(data_version, min_group: int):
    return {
        "table": ui.query(ov.network_table, min_group),
        "trends": ui.query(ov.dimension_trends, min_group),
        "funnels": ui.query(ov.value_funnels),
        "ties": ui.query(ov.latest_tie_measures),
    }


@st.cache_data(show_spinner=False)
def signal_list(data_version, min_group: int, trends, ties_latest, funnels) -> list[ov.Signal]:
    return ui.query(ov.signals, min_group, trends=trends, ties_latest=ties_latest, funnels=funnels)


st.title("🧭 " + t("nav.overview"))
ui.demo_banner()

v = ui.version()
if not ui.networks():
    st.info(t("overview.empty"))
    st.page_link("pages/data.py", label=t("overview.go_data"), icon="📥")
    st.stop()

st.markdown(t("overview.intro"))
data = overview_data(v, ui.min_group())
table, trends, funnels, tie_latest = data["table"], data["trends"], data["funnels"], data["ties"]
order = ui.periods()


def go(page: str, network: str, period: str | None) -> None:
    st.session_state["network"] = network
    st.session_state["period"] = period or ""


# ---------------------------------------------------------------- questions for the coaches' meeting
sig = signal_list(v, ui.min_group(), trends, tie_latest, funnels)
st.subheader(t("overview.signals"))
if not sig:
    st.caption(t("overview.no_signals"))
pages = {"dimensions": "pages/dimensions.py", "values": "pages/values.py", "ties": "pages/ties.py"}
for i, s in enumerate(sig):
    c1, c2 = st.columns([5, 1])
    c1.markdown(f"💬 **{ui.md(s.network)}** — " + wording.signal_text(s.code, s.figures, lang, fw, escape=ui.md))
    if c2.button(t("overview.show"), key=f"sig:{i}", on_click=go, args=(s.page, s.network, s.period)):
        st.switch_page(pages[s.page])

# ---------------------------------------------------------------- meeting agreements
recent = ui.query(notes.latest, limit=5)
if len(recent):
    st.subheader(t("overview.agreements"))
    for r in recent.itertuples():
        st.markdown(f"📝 **{ui.md(r.network)}**, {r.date:%d-%m-%Y}: {ui.md(ui.scrub(r.went_well or ''))} "
                    + (f"— *{t('notes.differently')}:* {ui.md(ui.scrub(r.differently))}" if r.differently else ""))

# ---------------------------------------------------------------- every network side by side
st.subheader(t("overview.networks"))
nets = table["network"].tolist()
for row_start in range(0, len(nets), 2):
    cols = st.columns(2)
    for col, net in zip(cols, nets[row_start:row_start + 2], strict=False):
        with col.container(border=True):
            info = table[table["network"] == net].iloc[0]
            st.markdown(f"### {ui.md(net)}")
            span = ""
            if pd.notna(info["first_date"]):
                span = f" · {info['first_date']:%m-%Y} – {info['last_date']:%m-%Y}"
            who = ("overview.card_caption" if info["participants"] or not info["respondents"]
                   else "overview.card_caption_respondents")
            st.caption(t(who, n=int(info["participants"] or info["respondents"]), periods=int(info["periods"])) + span)
            tr = trends[trends["network"] == net].dropna(subset=["mean"])
            if len(tr):
                spark = charts.line_over_time(
                    tr, x="period", y="mean", color="code", x_order=[p for p in order if p in set(tr["period"])],
                    color_labels=dim_labels, color_order=[d.code for d in fw.dimensions], y_domain=(0, 1),
                    y_title="", x_title="", text={**text, "indicator": t("overview.dimension")}, width=300,
                    height=120, title=t("overview.dims_title"),
                ).configure_axisX(labelAngle=-40, labelFontSize=9)
                st.altair_chart(spark, theme=None)
                last = tr[tr["period"] == max(tr["period"], key=lambda p: order.index(p) if p in order else -1)]
                st.caption(t("overview.dims_latest", period=ui.md(last["period"].iloc[0])) + " " + " · ".join(
                    f"{ui.md(dim_labels.get(c, c))} **{fmt_num(m, lang, 2)}**"
                    for c, m in zip(last["code"], last["mean"], strict=True)))
            fn = funnels[funnels["network"] == net]
            if len(fn) and fn["value"].sum():
                mini = charts.funnel_chart(fn, order=funnel_cycles(), stage_labels=stage_labels, value_col="value",
                                           text=text, title=t("overview.funnel_title"), width=260, bar_height=16,
                                           selectable=False)
                st.altair_chart(mini, theme=None)
            tl = tie_latest[tie_latest["network"] == net]
            if len(tl):
                r = tl.iloc[0]
                m1, m2, m3, m4 = st.columns(4)
                m1.metric(t("ties.m_density"), fmt_num(r["density"], lang, 2))
                m2.metric(t("ties.m_reciprocity"), fmt_num(r["reciprocity"], lang, 2))
                cross = r["cross_organisation_share"]
                m3.metric(t("overview.m_cross"), (fmt_num(cross * 100, lang, 0) + " %") if pd.notna(cross) else "—",
                          help=t("ties.m_cross_org"))
                m4.metric(t("ties.m_isolates"), int(r["isolates"]))
                st.caption(t("overview.ties_period", period=ui.md(r["period"])))

with st.expander("🔢 " + t("overview.numbers")):
    names = {"network": t("column.network"), "period": t("column.period")}
    wide = trends.dropna(subset=["mean"]).pivot_table(index=["network", "period"], columns="code", values="mean")
    wide = wide.rename(columns=dim_labels).round(2).reset_index().rename(columns=names)
    ui.show_table(wide)
    # the funnels as on the cards: participants who got at least this far
    f2 = funnels.pivot_table(index="network", columns="cycle", values="value", aggfunc="sum", fill_value=0)
    f2 = f2.reindex(columns=funnel_cycles(), fill_value=0).astype("int64")
    f2 = f2.rename(columns=stage_labels).rename_axis(columns=None).reset_index().rename(columns=names)
    st.caption(t("overview.numbers_funnel"))
    ui.show_table(f2)
    ties_view = tie_latest.rename(columns={
        **names, "nodes": t("ties.m_nodes"), "edges": t("ties.m_edges"), "density": t("ties.m_density"),
        "reciprocity": t("ties.m_reciprocity"), "cross_organisation_share": t("ties.m_cross_org"),
        "isolates": t("ties.m_isolates")})
    ui.show_table(ties_view)

# ---------------------------------------------------------------- meeting notes: add, edit, history
st.subheader("📝 " + t("notes.title"))
st.caption(t("notes.help"))
with st.form("add_note", clear_on_submit=True):
    c1, c2 = st.columns(2)
    n_net = c1.selectbox(t("sidebar.network"), nets, index=nets.index(ui.network()) if ui.network() in nets else 0)
    n_date = c2.date_input(t("column.date"), format="DD-MM-YYYY")
    well = st.text_area(t("notes.went_well"), max_chars=notes.MAX_TEXT)
    diff = st.text_area(t("notes.differently"), max_chars=notes.MAX_TEXT)
    if st.form_submit_button(t("notes.save")):
        try:
            ui.query(notes.add, n_net, n_date, well, diff)
        except notes.NoteError as e:
            st.error(str(e))
        else:
            st.cache_data.clear()
            st.success(t("notes.saved"))
all_notes = ui.query(notes.latest, (ui.network(),) if ui.network() else None)
hidden = ui.pseudonymise()  # names become codes: the notes are shown, not edited (that would store the codes)
for r in all_notes.itertuples():
    head = ui.scrub((r.went_well or r.differently or "")[:60])
    with st.expander(f"{ui.md(r.network)} · {r.date:%d-%m-%Y} · {ui.md(head)}"):
        if hidden:
            for label, text_ in ((t("notes.went_well"), r.went_well), (t("notes.differently"), r.differently)):
                if text_:
                    st.markdown(f"**{label}** {ui.md(ui.scrub(text_))}")
            st.caption(t("notes.edit_with_names"))
            continue
        with st.form(f"edit_note:{r.note_id}"):
            d = st.date_input(t("column.date"), value=r.date, format="DD-MM-YYYY")
            w = st.text_area(t("notes.went_well"), value=r.went_well or "", max_chars=notes.MAX_TEXT)
            x = st.text_area(t("notes.differently"), value=r.differently or "", max_chars=notes.MAX_TEXT)
            b1, b2 = st.columns(2)
            if b1.form_submit_button(t("notes.save_version")):
                try:
                    ui.query(notes.edit, r.note_id, date=d, went_well=w, differently=x)
                except notes.NoteError as e:
                    st.error(str(e))
                else:
                    st.cache_data.clear()
                    st.rerun()
            if b2.form_submit_button(t("notes.remove")):
                ui.query(notes.remove, r.note_id)
                st.cache_data.clear()
                st.rerun()
        hist = ui.query(notes.history, r.note_id)
        if len(hist) > 1:
            st.caption(t("notes.versions", n=len(hist)))
            ui.show_table(hist[["version", "date", "went_well", "differently", "written_at"]].rename(columns={
                "version": t("notes.version"), "date": t("column.date"), "went_well": t("notes.went_well"),
                "differently": t("notes.differently"), "written_at": t("notes.written_at")}))
