"""Presentation mode: one network's current period as slides for the projector, the tie map over time as an
animation, and the report to take home.

Group views only (no per-person tables or rankings), and always pseudonymised whatever the sidebar says. The
page sets ``st.session_state["presentation"]`` so other pages know a projector may be watching.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st

from analytics.definitions import funnel_cycles, loop_label, value_cycles
from analytics.draw import charts
from analytics.i18n import cycle_label, fmt_num
from analytics.measures import dimensions as dims
from analytics.measures import rhythm as rh
from analytics.measures import value_creation as vc
from analytics.store import notes
from analytics.views import handout, loop, playback, report, tie_view, wording
from pages import ui

ui.page_setup()
st.session_state["presentation"] = True

#: Projector styling: a constant of this file (never data), the only use of unsafe_allow_html here.
PRESENT_CSS = """<style>
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li { font-size: 1.45rem; line-height: 1.5; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.8rem; }
[data-testid="stMainBlockContainer"] h2 { font-size: 2.3rem; }
[data-testid="stMainBlockContainer"] h3 { font-size: 1.8rem; }
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p { font-size: 1.15rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] p { font-size: 1.2rem; }
[data-testid="stMainBlockContainer"] [data-testid="stAlertContainer"] p { font-size: 1.45rem; }
[data-testid="stVegaLiteChart"] { max-width: 100%; }
[data-testid="stVegaLiteChart"] .vega-embed, [data-testid="stVegaLiteChart"] canvas,
[data-testid="stVegaLiteChart"] svg.marks { max-width: 100% !important; height: auto !important; }
</style>"""
st.markdown(PRESENT_CSS, unsafe_allow_html=True)
#: The projector view: no sidebar, no app header or toolbar, the slide over the whole width; the key buttons for
#: Page Up / Page Down (a presenter's clicker) stay in the page but out of sight. A constant, never data.
PROJECTOR_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1.2rem 3rem 1rem 3rem !important; }
[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg.marks {
  max-height: calc(100vh - 330px) !important; width: auto !important; }
[data-testid="stIFrame"] { max-height: calc(100vh - 330px) !important; }
@media (max-height: 800px) { [data-testid="stMainBlockContainer"] { zoom: 0.6; } }
</style>"""
KEYS_CSS = "<style>.st-key-present_keys { display: none !important; }</style>"
st.markdown(KEYS_CSS, unsafe_allow_html=True)

t, lang = ui.translator(), ui.lang()
text = ui.chart_text()
fw = ui.framework()
PSEUDONYMISE = True  # forced on: a projector is a public place
SLIDES = handout.SLIDES  # one list: the handout prints the same slides in the same order
MAX_AGREEMENTS = handout.MAX_AGREEMENTS
SECONDS_PER_FRAME = 1.5
MAP_HEIGHT = 480
dim_codes = [d.code for d in fw.dimensions]
dim_labels = {d.code: f"{d.code} {d.name[lang]}" for d in fw.dimensions}
ind_labels = {i.code: f"{i.code} {i.name[lang]}" for i in fw.indicators}
poles = {i.code: (i.left[lang], i.right[lang]) for i in fw.indicators}
stage_labels = {c.code: cycle_label(c.code, lang) for c in value_cycles()}







@st.cache_data(show_spinner=False, max_entries=32)
def dim_stats(data_version, net: str, period: str | None, by: str, min_group: int) -> pd.DataFrame:
    f = dims.Filters(networks=(net,), periods=(period,) if period else None, situation="current")
    return ui.query(dims.indicator_stats, f, by=by, min_group=min_group, with_ci=True)


@st.cache_data(show_spinner=False, max_entries=16)
def situations(data_version, net: str, period: str, min_group: int) -> pd.DataFrame:
    """Dimension means of one period in the current and the desired situation (when both were marked)."""
    f = dims.Filters(networks=(net,), periods=(period,))
    df = ui.query(dims.indicator_stats, f, by="dimension", min_group=min_group)
    return df[df["situation"].isin(["current", "desired"])].dropna(subset=["mean"])


@st.cache_data(show_spinner=False, max_entries=32)
def funnel(data_version, net: str, period: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    f = vc.Filters(networks=(net,), periods=(period,) if period else None)
    return ui.query(vc.funnel, f), ui.query(vc.side_values, f)


@st.cache_data(show_spinner=False, max_entries=16)
def ties(data_version, net: str, period: str | None, lang_: str) -> tie_view.TieView | None:
    return ui.query(tie_view.tie_view, net, period, pseudonymise=PSEUDONYMISE, lang=lang_, height=MAP_HEIGHT,
                    **ui.map_runtime())


@st.cache_data(show_spinner=False, max_entries=16)
def agreements(data_version, net: str) -> pd.DataFrame:
    return ui.query(notes.latest, (net,), limit=handout.MAX_NOTES)


@st.cache_data(show_spinner=False, max_entries=16)
def loop_agreements(loop_version, net: str, min_group: int) -> list[dict]:
    return ui.query(loop.agreement_records, (net,), pseudonymise=PSEUDONYMISE, min_group=min_group)


@st.cache_data(show_spinner=False, max_entries=16)
def next_moment(loop_version, net: str) -> dict | None:
    return next((r for r in ui.query(rh.rhythm, dt.date.today()) if r["network"] == net), None)


@st.cache_data(show_spinner=False, max_entries=8)
def gif(data_version, net: str, lang_: str) -> bytes | None:
    if not ui.query(playback.periods_with_ties, net):
        return None
    if ui.query(tie_view.page_budget, net)[0]:  # over the page budget: no animation (each frame is a map)
        return None
    return ui.query(playback.playback_gif, net, seconds_per_frame=SECONDS_PER_FRAME, pseudonymise=PSEUDONYMISE,
                    lang=lang_)


@st.cache_data(show_spinner=False, max_entries=8)
def report_html(data_version, net: str, period: str | None, lang_: str, min_group: int, _progress=None) -> str:
    """Made once per data version and choice; ``_progress`` (not part of the cache key) feeds a progress bar."""
    return ui.query(report.build_report, networks=[net], period=period, pseudonymise=PSEUDONYMISE, lang=lang_,
                    min_group=min_group, progress=_progress)


@st.cache_data(show_spinner=False, max_entries=4)
def report_pdf(data_version, net: str, period: str | None, lang_: str, min_group: int) -> bytes:
    return report.pdf_bytes(report_html(data_version, net, period, lang_, min_group), lang=lang_)


@st.cache_data(show_spinner=False, max_entries=8)
def handout_html(loop_version, net: str, period: str | None, lang_: str, min_group: int, day: str) -> str:
    """The slides as a printable document, made once per data (and agreements) version, choice and day (its
    date and the next measurement moment are the day's)."""
    return ui.query(handout.build_handout, net, period=period, pseudonymise=PSEUDONYMISE, lang=lang_,
                    min_group=min_group)


@st.cache_data(show_spinner=False, max_entries=4)
def handout_pdf(loop_version, net: str, period: str | None, lang_: str, min_group: int, day: str) -> bytes:
    return handout.handout_pdf(handout_html(loop_version, net, period, lang_, min_group, day), lang_)


# ---------------------------------------------------------------- what to show
v = ui.version()
min_group = ui.min_group()
net = ui.pick_network()
if net is None:
    st.info(t("ui.no_data"))
    st.stop()
net_periods = ui.periods(net)
if not net_periods:
    st.info(t("ui.no_data"))
    st.stop()
#: The sidebar's period, or None: then each slide shows its latest period (the funnel: all periods).
period = ui.period() if ui.period() in net_periods else None
upto = net_periods[: net_periods.index(period) + 1] if period else net_periods
period_label = period or t("report.all_periods")


def shown_period(have: set) -> str | None:
    """The period a slide shows: the chosen one when it has data, else the latest one before it."""
    pers = [p for p in upto if p in have]
    return pers[-1] if pers else None


def shows_other(p: str) -> None:
    if p != period:
        st.caption(t("present.period_caption", network=ui.md(net), period=ui.md(p)))

projector = bool(st.session_state.get("projector", False))
if projector:
    st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)
    mode = "slides"
else:
    mode = st.segmented_control(t("present.mode"), ["slides", "play", "report"], default="slides",
                                format_func=lambda m: t(f"present.mode_{m}"), key="present_mode") or "slides"


def _move(step: int) -> None:
    i = int(st.session_state.get("present_slide", 0)) + step
    st.session_state["present_slide"] = min(max(i, 0), len(SLIDES) - 1)


@st.cache_data(show_spinner=False, max_entries=16)
def own_instruments(data_version, net: str, min_group: int) -> pd.DataFrame:
    from analytics.measures.overview import own_instrument_latest

    df = ui.query(own_instrument_latest, min_group)
    return df[df["network"] == net]


def slide_own_instruments() -> None:
    """An instrument loaded as a file, beside the default one: its dimensions of the latest period."""
    own = own_instruments(v, net, min_group)
    for _fid, d in own.groupby("framework", sort=True):
        d = d.dropna(subset=["mean"])
        if d.empty:
            continue
        st.markdown(f"**{ui.md(d['name'].iloc[0][lang])}** ({ui.md(d['period'].iloc[0])})")
        cols = st.columns(len(d))
        for col, r in zip(cols, d.itertuples(), strict=True):
            col.metric(f"{r.code} {r.dimension[lang]}", fmt_num(r.mean, lang, 2), help=f"n = {int(r.n)}")


def slide_dims() -> None:
    slide_own_instruments()
    df = dim_stats(v, net, None, "dimension", min_group)
    pers = [p for p in upto if p in set(df.dropna(subset=["mean"])["period"])]
    df = df[df["period"].isin(pers)]
    if df.empty or df["mean"].notna().sum() == 0:
        st.info(t("report.no_dims"))
        return
    both = situations(v, net, pers[-1], min_group)
    # The radar is as wide as asked, labels included: beside current/desired it gets half a 1280 px screen.
    chart = ui.spec(charts.radar_chart, df, axis_order=dim_codes, axis_labels=dim_labels, series_order=pers,
                               emphasise=pers[-1], text=text, title="",
                               size=700 if both["situation"].nunique() < 2 else 460, ci=("ci_low", "ci_high"))
    if both["situation"].nunique() < 2:
        ui.show_chart(chart, width="content")
    else:  # current and desired of the latest period beside the picture over time
        left, right = st.columns(2)
        with left:
            ui.show_chart(chart, width="content")
        with right:
            labels = {s_: t(f"situation.{s_}") for s_ in ("current", "desired")}
            both = both.assign(situation=both["situation"].map(labels))
            st.markdown("**" + t("present.current_desired", period=ui.md(pers[-1])) + "**")
            radar = ui.spec(charts.radar_chart, both, axis_order=dim_codes, axis_labels=dim_labels,
                                       series_col="situation", series_order=list(labels.values()),
                                       emphasise=labels["current"], text=text, title="", size=460,
                                       categorical=True)
            ui.show_chart(radar, width="content")
    st.caption(t("report.dims_read"))


def slide_shared() -> None:
    have = dim_stats(v, net, None, "dimension", min_group)
    focus = shown_period(set(have["period"]))
    if focus is None:
        st.info(t("report.no_dims"))
        return
    shows_other(focus)
    ind = dim_stats(v, net, focus, "indicator", min_group)
    n_resp = int(ind["n"].max()) if len(ind) else 0
    if n_resp < min_group:
        st.info(t("dims.too_few", n=n_resp, min=min_group))
        return
    left, right = st.columns([3, 2])
    with left:
        chart = ui.spec(charts.radar_chart, ind, axis_order=fw.codes, axis_labels=ind_labels, series_order=[focus],
                                   emphasise=focus, pole_labels=poles, text=text, title="", size=560,
                                   ci=("ci_low", "ci_high"))
        ui.show_chart(chart, width="content")
    with right:
        for r in dims.disagreement(ind, top=3).itertuples():
            i = fw.indicator(r.code)
            st.markdown(f"**{r.code} {ui.md(i.name[lang])}**")
            st.markdown(ui.ICONS["question"] + " " + t("report.starter", q1=fmt_num(r.q1, lang), q3=fmt_num(r.q3, lang),
                                  iqr=fmt_num(r.iqr, lang), left=ui.md(i.left[lang]), right=ui.md(i.right[lang])))


def slide_values() -> None:
    fd, side = funnel(v, net, period)
    if fd.empty or fd["value"].sum() == 0:
        st.info(t("report.no_values"))
        return
    left, right = st.columns([5, 2])
    with left:
        chart = ui.spec(charts.funnel_chart, fd, order=funnel_cycles(), stage_labels=stage_labels, share_col="kept_share",
                                    value_col="value", text=text, title="", width=620, bar_height=46,
                                    selectable=False)
        ui.show_chart(chart, width="content")
    with right:
        st.markdown("**" + t("present.side_values") + "**")
        for r in side.itertuples():
            st.metric(stage_labels.get(r.cycle, r.cycle), int(r.participants))
    stops = vc.where_value_stops(fd)
    if stops:
        s = stops[0]
        st.info(t("values.prompt", frm=stage_labels[s["from"]].lower(), to=stage_labels[s["to"]].lower(),
                         share=fmt_num(s["kept_share"] * 100, lang, 0)), icon=ui.ICONS["question"])
    else:
        st.caption(t("report.no_stop"))


def slide_ties() -> None:
    view = ties(v, net, period, lang)
    if view is None:
        st.info(t("report.no_ties"))
        return
    shows_other(view.period)
    # The map beside its figures: one above the other did not fit a 1080-pixel projector (1,328 px).
    left, right = st.columns([5, 2])
    with left:
        if view.limited:
            st.warning(view.limited)
        else:
            st.iframe(view.html, height=MAP_HEIGHT + 20)
    m = view.summary
    with right:
        c1, c2 = st.columns(2)
        c1.metric(t("ties.m_density"), fmt_num(m["density"], lang, 2))
        c2.metric(t("ties.m_reciprocity"), fmt_num(m["reciprocity"], lang, 2))
        c3, c4 = st.columns(2)
        c3.metric(t("ties.m_cross_org"), fmt_num((m.get("cross_organisation_share") or 0) * 100, lang, 0) + " %")
        c4.metric(t("ties.m_isolates"), len(m["isolates"]))
    for p in view.prompts:
        right.markdown(ui.ICONS["question"] + " " + wording.prompt_text(p, lang))


def slide_notes() -> None:
    nd = agreements(v, net)
    if nd.empty:
        st.info(t("report.no_notes"))
        return
    for r in nd.itertuples():
        with st.container(border=True):
            st.caption(f"{r.date:%d-%m-%Y}")
            if isinstance(r.went_well, str) and r.went_well.strip():
                st.markdown(f"**{t('notes.went_well')}** " + ui.md(ui.scrub(r.went_well, net, always=True)))
            if isinstance(r.differently, str) and r.differently.strip():
                st.markdown(f"**{t('notes.differently')}** " + ui.md(ui.scrub(r.differently, net, always=True)))


def slide_agreements() -> None:
    """What the network agreed last time, and what changed since in the figures it was about."""
    recs = loop_agreements(ui.loop_version(), net, min_group)
    if not recs:
        st.info(t("agreement.none"))
        return
    for a in reversed(recs[-MAX_AGREEMENTS:]):
        with st.container(border=True):
            st.markdown(f"{ui.ICONS['agreement']} **{ui.md(a['text'])}**")
            st.caption(f"{a['date']:%d-%m-%Y} · " + t("agreement.meta", owner=ui.md(a["owner"] or t("agreement.nobody")),
                                                      status=loop_label("statuses", a["status"], lang)))
            for f in a["figures"]:
                st.markdown("- " + ui.md(loop.figure_line(f, lang, fw)))
            st.markdown(ui.ICONS["question"] + " *" + t(loop.question_key(a["figures"])) + "*")
    if any((f.get(side) or {}).get("ci_low") is not None for a in recs for f in a["figures"]
           for side in ("before", "after")):
        st.caption(t("agreement.ci_note"))


def slide_closing() -> None:
    """The questions for the meeting: the widest disagreement, the agreements, what to agree now, when next."""
    questions = [t("present.closing_went_well")]
    have = dim_stats(v, net, None, "indicator", min_group)
    focus = shown_period(set(have.dropna(subset=["mean"])["period"]))
    if focus is not None:
        for r in dims.disagreement(have[have["period"] == focus], top=1).itertuples():
            i = fw.indicator(r.code)
            questions.append(f"**{r.code} {ui.md(i.name[lang])}** — " + t(
                "report.starter", q1=fmt_num(r.q1, lang), q3=fmt_num(r.q3, lang), iqr=fmt_num(r.iqr, lang),
                left=ui.md(i.left[lang]), right=ui.md(i.right[lang])))
    if loop_agreements(ui.loop_version(), net, min_group):
        questions.append(t("agreement.question"))
    questions.append(t("present.closing_agree"))
    for q in questions:
        st.markdown(ui.ICONS["question"] + " " + q)
    moment = next_moment(ui.loop_version(), net)
    if moment:
        st.caption(t("present.closing_next", due=f"{moment['next_due']:%d-%m-%Y}", moments=moment["moments"]))


# ---------------------------------------------------------------- slides
if mode == "slides":
    i = min(max(int(st.session_state.get("present_slide", 0)), 0), len(SLIDES) - 1)
    key = SLIDES[i]
    st.title(t(f"present.slide_{key}"))
    st.caption(t("present.period_caption", network=ui.md(net), period=ui.md(period_label)) + " · "
               + t("present.names_note"))
    {"dims": slide_dims, "shared": slide_shared, "values": slide_values, "ties": slide_ties,
     "agreements": slide_agreements, "notes": slide_notes, "closing": slide_closing}[key]()
    st.divider()
    b1, mid, b2 = st.columns([1.4, 2, 1.4])
    b1.button(t("present.previous"), on_click=_move, args=(-1,), disabled=i == 0, key="present_prev",
              width="stretch", shortcut="Left")
    mid.markdown(t("present.counter", i=i + 1, n=len(SLIDES)), text_alignment="center")
    b2.button(t("present.next"), on_click=_move, args=(1,), disabled=i == len(SLIDES) - 1, key="present_next",
              width="stretch", shortcut="Right")
    with st.container(key="present_keys"):  # a clicker's Page Up / Page Down, out of sight (KEYS_CSS)
        st.button("⇞", on_click=_move, args=(-1,), key="present_pageup", shortcut="PageUp")
        st.button("⇟", on_click=_move, args=(1,), key="present_pagedown", shortcut="PageDown")
    if not projector:  # the slides to take home, made only when a download is clicked
        handout_key = (ui.loop_version(), net, period, lang, min_group, dt.date.today().isoformat())
        handout_name = re.sub(r"[^\w.-]+", "_", f"handout_{net}_{period or 'alle'}")
        h1, h2 = st.columns(2)
        h1.download_button(t("handout.download_html"), icon=ui.ICONS["download"], data=lambda: handout_html(*handout_key),
                           file_name=f"{handout_name}.html", mime="text/html", on_click="ignore",
                           key="present_handout_html", width="stretch")
        if report.find_chromium():
            h2.download_button(t("handout.download_pdf"), icon=ui.ICONS["download"], data=lambda: handout_pdf(*handout_key),
                               file_name=f"{handout_name}.pdf", mime="application/pdf", on_click="ignore",
                               key="present_handout_pdf", width="stretch")
        else:
            h2.caption(t("present.no_pdf"))
    st.toggle(t("present.projector"), key="projector", help=t("present.keys"))

# ---------------------------------------------------------------- the tie map over time
elif mode == "play":
    st.title(t("present.slide_ties"))
    st.caption(ui.md(net) + " · " + t("present.play_caption", seconds=fmt_num(SECONDS_PER_FRAME, lang, 1)))
    with st.spinner(t("present.mode_play")):
        data = gif(v, net, lang)
    if data is None:
        st.info(t("present.no_ties_over_time"))
    else:
        st.image(data, width="content")
        st.download_button(t("present.download_gif"), icon=ui.ICONS["download"], data=data, file_name=f"tie_map_{net}.gif", mime="image/gif",
                           on_click="ignore", key="present_gif")

# ---------------------------------------------------------------- the report to take home
else:
    st.title(t("present.mode_report"))
    st.caption(t("present.period_caption", network=ui.md(net), period=ui.md(period_label)))
    st.markdown(t("present.report_intro"))
    name = re.sub(r"[^\w.-]+", "_", f"netwerkleren_{net}_{period or 'alle'}")
    made_key = (v, net, period, lang, min_group)
    if st.session_state.get("present_report_made") != made_key:  # made here, with a bar, not in a silent click
        bar = st.progress(0.0, text=t("present.making_report"))
        report_html(v, net, period, lang, min_group,
                    _progress=lambda share, what: bar.progress(share, text=t("present.making_report_part", part=ui.md(what))
                                                               if what else t("present.making_report")))
        bar.empty()
        st.session_state["present_report_made"] = made_key
    c1, c2 = st.columns(2)
    c1.download_button(t("present.download_html"), icon=ui.ICONS["download"], data=lambda: report_html(v, net, period, lang, min_group),
                       file_name=f"{name}.html", mime="text/html", on_click="ignore", key="present_report_html")
    if report.find_chromium():
        c2.download_button(t("present.download_pdf"), icon=ui.ICONS["download"], data=lambda: report_pdf(v, net, period, lang, min_group),
                           file_name=f"{name}.pdf", mime="application/pdf", on_click="ignore",
                           key="present_report_pdf")
    else:
        c2.caption(t("present.no_pdf"))
