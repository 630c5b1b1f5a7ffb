"""Overview for the coaches' meeting: every network side by side, and the questions worth asking."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analytics import limits
from analytics.definitions import frameworks, frameworks_dir, funnel_cycles, loop_label, value_cycles
from analytics.draw import charts
from analytics.i18n import cycle_label, fmt_num
from analytics.measures import overview as ov
from analytics.measures import rhythm as rh
from analytics.store import database as store
from analytics.store import networks as netinfo
from analytics.store import notes
from analytics.views import loop, wording
from pages import ui

ui.page_setup()

t, lang = ui.translator(), ui.lang()
text = ui.chart_text()
fw = ui.framework()
dim_labels = {d.code: f"{d.code} {d.name[lang]}" for d in fw.dimensions}
stage_labels = {c.code: cycle_label(c.code, lang) for c in value_cycles()}
instrument_names = {f.id: f.name[lang] for f in frameworks(frameworks_dir(store.db_path())).values()}



@st.cache_data(show_spinner=False)
def overview_data(data_version, min_group: int):
    return {
        "table": ui.query(ov.network_table, min_group),
        "trends": ui.query(ov.dimension_trends, min_group),
        "funnels": ui.query(ov.value_funnels),
        "ties": ui.query(ov.latest_tie_measures),
        "own": ui.query(ov.own_instrument_latest, min_group),
    }


@st.cache_data(show_spinner=False, max_entries=4)
def rhythm_data(loop_version, today: dt.date) -> list[dict]:
    """Every network's rhythm, once for all sessions whichever network they chose."""
    return ui.query(rh.rhythm, today)


@st.cache_data(show_spinner=False, max_entries=8)
def loop_data(loop_version, min_group: int, pseudonymise: bool, net: str | None):
    nets = (net,) if net else None
    return {
        "rhythm": rhythm_data(loop_version, dt.date.today()),
        "agreements": ui.query(loop.agreement_records, nets, pseudonymise=pseudonymise, min_group=min_group),
        "interventions": ui.query(loop.intervention_records, nets, pseudonymise=pseudonymise,
                                  min_group=min_group, max_networks=limits.get_int("LOOP_MAX_NETWORKS")),
        "details": ui.query(netinfo.latest),
    }


@st.cache_data(show_spinner=False, max_entries=8)
def coach_labels(loop_version, pseudonymise: bool, coaches: tuple[str, ...], network: str) -> list[str]:
    from analytics.privacy import people_labels

    return ui.query(people_labels, list(coaches), pseudonymise, networks=(network,))


@st.cache_data(show_spinner=False)
def signal_list(data_version, min_group: int, trends, ties_latest, funnels) -> list[ov.Signal]:
    return ui.query(ov.signals, min_group, trends=trends, ties_latest=ties_latest, funnels=funnels)


st.title(ui.ICONS["overview"] + " " + t("nav.overview"))
ui.demo_banner()

v = ui.version()
if not ui.networks():
    st.info(t("overview.empty"))
    st.page_link("pages/data.py", label=t("overview.go_data"), icon=ui.ICONS["data"])
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
max_signals = limits.get_int("OVERVIEW_MAX_SIGNALS")
if len(sig) > max_signals:  # a budget: thousands of networks would make thousands of rows and buttons
    st.caption(t("overview.signals_limited", shown=max_signals, n=len(sig),
                 setting="NETWERKLEREN_OVERVIEW_MAX_SIGNALS"))
for i, s in enumerate(sig[:max_signals]):
    c1, c2 = st.columns([5, 1])
    c1.markdown(f"{ui.ICONS['question']} **{ui.md(s.network)}** — " + wording.signal_text(s.code, s.figures, lang, fw, escape=ui.md))
    if c2.button(t("overview.show"), key=f"sig:{i}", on_click=go, args=(s.page, s.network, s.period)):
        st.switch_page(pages[s.page])

# ---------------------------------------------------------------- the measurement rhythm
ld = loop_data(ui.loop_version(), ui.min_group(), ui.pseudonymise(), ui.network())
RHYTHM_ICONS = {"overdue": ":material/hourglass_bottom:", "due": ":material/hourglass_top:",
                "never": ":material/radio_button_unchecked:", "done": ":material/check:"}


def start_round(network: str) -> None:
    st.session_state["network"] = network


def import_for(network: str, start: dt.date, end: dt.date) -> None:
    st.session_state["network"] = network
    st.session_state["import_for"] = (network, start, end)


st.subheader(t("overview.rhythm"))
st.caption(t("overview.rhythm_help"))
rhythm_rows = [r for r in ld["rhythm"] if not ui.network() or r["network"] == ui.network()]
max_rhythm = limits.get_int("OVERVIEW_MAX_RHYTHM")
if len(rhythm_rows) > max_rhythm:  # a budget: a row and two buttons per network of 10,000 stall the browser
    st.caption(t("overview.rhythm_limited", shown=max_rhythm, n=len(rhythm_rows),
                 setting="NETWERKLEREN_OVERVIEW_MAX_RHYTHM"))
for i, r in enumerate(rhythm_rows[:max_rhythm]):
    c1, c2, c3, c4 = st.columns([3, 5, 1.2, 1.2], vertical_alignment="center")
    c1.markdown(f"{RHYTHM_ICONS[r['status']]} **{ui.md(r['network'])}** · {t('rhythm.status_' + r['status'])}")
    c2.caption(t("rhythm.line", moments=r["moments"], last=f"{r['last']:%d-%m-%Y}" if r["last"] else "—",
                 due=f"{r['next_due']:%d-%m-%Y}"))
    if c3.button(t("rhythm.start_round"), key=f"rh_live:{i}", on_click=start_round, args=(r["network"],)):
        st.switch_page("pages/live_coach.py")
    if c4.button(t("rhythm.import"), key=f"rh_import:{i}", on_click=import_for,
                 args=(r["network"], r["period_start"], r["period_end"])):
        st.switch_page("pages/data.py")

# ---------------------------------------------------------------- agreements that come back
st.subheader(t("overview.loop_agreements"))
st.caption(t("overview.loop_agreements_help"))
if not ld["agreements"]:
    st.caption(t("agreement.none"))
for a in reversed(ld["agreements"]):  # the latest meeting first
    with st.container(border=True):
        st.markdown(ui.ICONS["agreement"] + " " + t("agreement.head", network=ui.md(a["network"]), date=f"{a['date']:%d-%m-%Y}",
                             text=ui.md(a["text"])))
        st.caption(t("agreement.meta", owner=ui.md(a["owner"] or t("agreement.nobody")),
                     status=loop_label("statuses", a["status"], lang)))
        for f in a["figures"]:
            st.markdown("- " + ui.md(loop.figure_line(f, lang, fw)))
        st.markdown(ui.ICONS["question"] + " *" + t(loop.question_key(a["figures"])) + "*")

# ---------------------------------------------------------------- interventions across networks
if ld["interventions"]:
    st.subheader(t("overview.interventions"))
    st.caption(t("overview.interventions_help"))
    for iv in reversed(ld["interventions"]):
        with st.container(border=True):
            st.markdown(t("intervention.head", label=ui.md(iv["label"]), start=f"{iv['start']:%d-%m-%Y}",
                          networks=ui.md(", ".join(iv["networks"]) or t("intervention.all_networks"))))
            if iv["expected"]:
                st.caption(t("intervention.expected", text=ui.md(iv["expected"])))
            for n in iv["per_network"]:
                for f in n["figures"]:
                    st.markdown(f"- **{ui.md(n['network'])}** — " + ui.md(loop.figure_line(f, lang, fw)))
            if iv["networks_total"] > len(iv["per_network"]):  # a budget: one line per network of 10,000
                st.caption(t("intervention.networks_limited", shown=len(iv["per_network"]), n=iv["networks_total"],
                             setting="NETWERKLEREN_LOOP_MAX_NETWORKS"))
            st.markdown(ui.ICONS["question"] + " *" + t("intervention.question") + "*")

# ---------------------------------------------------------------- meeting notes
recent = ui.query(notes.latest, limit=5)
if len(recent):
    st.subheader(t("overview.agreements"))
    for r in recent.itertuples():
        st.markdown(f"{ui.ICONS['note']} **{ui.md(r.network)}**, {r.date:%d-%m-%Y}: {ui.md(ui.scrub(r.went_well or '', r.network))} "
                    + (f"— *{t('notes.differently')}:* {ui.md(ui.scrub(r.differently, r.network))}" if r.differently else ""))

# ---------------------------------------------------------------- every network side by side
st.subheader(t("overview.networks"))
nets = table["network"].tolist()
cards = nets
max_cards = limits.get_int("OVERVIEW_MAX_CARDS")
if len(nets) > max_cards:  # a budget: a card per network of 10,000 would keep the page busy for minutes
    chosen = [ui.network()] if ui.network() in set(nets) else []
    recent = table.sort_values(["last_date", "network"], ascending=[False, True], na_position="last")["network"]
    cards = chosen + [n for n in recent.tolist() if n not in chosen][: max_cards - len(chosen)]
    st.caption(t("overview.cards_limited", shown=len(cards), n=len(nets),
                 setting="NETWERKLEREN_OVERVIEW_MAX_CARDS"))


@st.cache_data(show_spinner=False, max_entries=256)
def card_chart(data_version, min_group: int, lang: str, net: str, which: str, names: tuple) -> dict:
    """A card's chart as a Vega-Lite spec, built once per data version: building and validating the charts of
    eight cards took about a second of every overview rerun. ``names`` (the dimensions' names, which a database
    setting can change) is in the key so a renamed dimension is redrawn."""
    dim_labels = dict(names)
    d = overview_data(data_version, min_group)
    if which == "spark":
        tr = d["trends"][d["trends"]["network"] == net].dropna(subset=["mean"])
        chart = charts.line_over_time(
            tr, x="period", y="mean", color="code", x_order=[p for p in order if p in set(tr["period"])],
            color_labels=dim_labels, color_order=[d.code for d in fw.dimensions], y_domain=(0, 1),
            y_title="", x_title="", text={**text, "indicator": t("overview.dimension")}, width=300,
            height=120, title=t("overview.dims_title"), band=("ci_low", "ci_high"), n_col="n",
        ).configure_axisX(labelAngle=-40, labelFontSize=9)
    else:
        fn = d["funnels"][d["funnels"]["network"] == net]
        chart = charts.funnel_chart(fn, order=funnel_cycles(), stage_labels=stage_labels, value_col="value",
                                    text=text, title=t("overview.funnel_title"), width=260, bar_height=16,
                                    selectable=False, ci_text=False)
    return chart.to_dict(validate=charts.validating())


for row_start in range(0, len(cards), 2):
    cols = st.columns(2)
    for col, net in zip(cols, cards[row_start:row_start + 2], strict=False):
        with col.container(border=True):
            info = table[table["network"] == net].iloc[0]
            st.markdown(f"### {ui.md(net)}")
            span = ""
            if pd.notna(info["first_date"]):
                span = f" · {info['first_date']:%m-%Y} – {info['last_date']:%m-%Y}"
            who = ("overview.card_caption" if info["participants"] or not info["respondents"]
                   else "overview.card_caption_respondents")
            st.caption(t(who, n=int(info["participants"] or info["respondents"]), periods=int(info["periods"])) + span)
            about = ld["details"][ld["details"]["network"] == net]
            if len(about):
                d = about.iloc[0]
                if isinstance(d["description"], str):
                    st.markdown(ui.md(d["description"]))
                if isinstance(d["ambition"], str):
                    st.caption(t("overview.card_ambition", text=ui.md(d["ambition"])))
                bits = []
                if isinstance(d["phase"], str):
                    bits.append(t("overview.card_phase", phase=loop_label("phases", d["phase"], lang)))
                if pd.notna(d["start_date"]):
                    bits.append(t("overview.card_period", start=f"{d['start_date']:%m-%Y}",
                                  end=f"{d['end_date']:%m-%Y}" if pd.notna(d["end_date"]) else "…"))
                coaches = tuple(d["coaches"]) if d["coaches"] is not None else ()
                if coaches:
                    bits.append(t("overview.card_coaches",
                                  coaches=", ".join(coach_labels(ui.loop_version(), ui.pseudonymise(), coaches, net))))
                instruments = list(d["instruments"]) if d["instruments"] is not None else []
                if instruments:
                    bits.append(t("overview.card_instruments", names=", ".join(instrument_names.get(i, i)
                                                                                   for i in instruments)))
                bits.append(t("overview.card_moments", n=int(d["moments_per_year"])))
                st.caption(ui.md(" · ".join(bits)))
            for _fid, own in data["own"][data["own"]["network"] == net].groupby("framework", sort=True):
                # an own instrument beside the default one, its dimensions side by side, no judgement
                st.caption(f"**{ui.md(own['name'].iloc[0][lang])}** ({ui.md(own['period'].iloc[0])}): " + " · ".join(
                    f"{ui.md(r.code)} {ui.md(r.dimension[lang])} **{fmt_num(r.mean, lang, 2)}**"
                    for r in own.itertuples()))
            tr = trends[trends["network"] == net].dropna(subset=["mean"])
            if len(tr):
                st.vega_lite_chart(ui.localised(card_chart(v, ui.min_group(), lang, net, "spark",
                                                                 tuple(dim_labels.items()))), theme=None)
                last = tr[tr["period"] == max(tr["period"], key=lambda p: order.index(p) if p in order else -1)]
                st.caption(t("overview.dims_latest", period=ui.md(last["period"].iloc[0])) + " " + " · ".join(
                    f"{ui.md(dim_labels.get(c, c))} **{fmt_num(m, lang, 2)}**"
                    for c, m in zip(last["code"], last["mean"], strict=True)))
            fn = funnels[funnels["network"] == net]
            if len(fn) and fn["value"].sum():
                st.vega_lite_chart(ui.localised(card_chart(v, ui.min_group(), lang, net, "funnel",
                                                                 tuple(dim_labels.items()))), theme=None)
            tl = tie_latest[tie_latest["network"] == net]
            if len(tl):
                r = tl.iloc[0]
                m1, m2 = st.columns(2)  # two by two: four in a row cut "Across schools" short on a card
                m3, m4 = st.columns(2)
                m1.metric(t("ties.m_density"), fmt_num(r["density"], lang, 2))
                m2.metric(t("ties.m_reciprocity"), fmt_num(r["reciprocity"], lang, 2))
                cross = r["cross_organisation_share"]
                m3.metric(t("overview.m_cross"), (fmt_num(cross * 100, lang, 0) + " %") if pd.notna(cross) else "—",
                          help=t("ties.m_cross_org"))
                m4.metric(t("ties.m_isolates"), int(r["isolates"]))
                st.caption(t("overview.ties_period", period=ui.md(r["period"])))

max_rows = limits.get_int("OVERVIEW_MAX_ROWS")


def bounded(df: pd.DataFrame) -> pd.DataFrame:
    """At most OVERVIEW_MAX_ROWS rows (the whole table travels to every browser on every run), saying so."""
    if len(df) > max_rows:
        st.caption(t("overview.rows_limited", shown=max_rows, n=len(df), setting="NETWERKLEREN_OVERVIEW_MAX_ROWS"))
        return df.head(max_rows)
    return df


with st.expander(ui.ICONS["numbers"] + " " + t("overview.numbers")):
    names = {"network": t("column.network"), "period": t("column.period")}
    wide = trends.dropna(subset=["mean"]).pivot_table(index=["network", "period"], columns="code", values="mean")
    wide = wide.rename(columns=dim_labels).round(2).reset_index().rename(columns=names)
    ui.show_table(bounded(wide))
    # the funnels as on the cards: participants who got at least this far
    f2 = funnels.pivot_table(index="network", columns="cycle", values="value", aggfunc="sum", fill_value=0)
    f2 = f2.reindex(columns=funnel_cycles(), fill_value=0).astype("int64")
    f2 = f2.rename(columns=stage_labels).rename_axis(columns=None).reset_index().rename(columns=names)
    st.caption(t("overview.numbers_funnel"))
    ui.show_table(bounded(f2))
    ties_view = tie_latest.rename(columns={
        **names, "nodes": t("ties.m_nodes"), "edges": t("ties.m_edges"), "density": t("ties.m_density"),
        "reciprocity": t("ties.m_reciprocity"), "cross_organisation_share": t("ties.m_cross_org"),
        "isolates": t("ties.m_isolates")})
    ui.show_table(bounded(ties_view))

# ---------------------------------------------------------------- meeting notes: add, edit, history
st.subheader(ui.ICONS["note"] + " " + t("notes.title"))
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
    head = ui.scrub((r.went_well or r.differently or "")[:60], r.network)
    with st.expander(f"{ui.md(r.network)} · {r.date:%d-%m-%Y} · {ui.md(head)}"):
        if hidden:
            for label, text_ in ((t("notes.went_well"), r.went_well), (t("notes.differently"), r.differently)):
                if text_:
                    st.markdown(f"**{label}** {ui.md(ui.scrub(text_, r.network))}")
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
