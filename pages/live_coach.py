"""Live collection, the coach's side: open a round, show its link and QR code, watch the shared picture fill
in while answers arrive, and close the round into a period of the normal data (undoable on the Data page).

Behind the app's login like every coach page. The participants' side is ``pages/live_form.py``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from analytics.decisions import LAYOUT_UNIT, STRONG_TIE_MIN_WEIGHT
from analytics.definitions import value_cycles
from analytics.draw import charts, export, tie_map
from analytics.draw.layout import layout
from analytics.i18n import cycle_label, fmt_num
from analytics.live import closing as live_closing
from analytics.live import common as live_common
from analytics.live import links as live_links
from analytics.live import picture as live_picture
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from analytics.measures import dimensions as dims
from analytics.store import database as store
from pages import ui

ui.page_setup()

#: Seconds between refreshes of the live picture.
REFRESH_S = 3
#: Pixels between neighbours on the tie map (as on the Learning ties page).
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}

t, lang = ui.translator(), ui.lang()
fw = ui.framework()
text = ui.chart_text()



def error_text(e: live_common.LiveError) -> str:
    return t(f"live.error.{e.code}", **e.fields)


st.title("📡 " + t("nav.live"))
st.markdown(t("live.coach_intro"))

# ---------------------------------------------------------------- choose or open a round
open_rounds = ui.query(live_rounds.list_rounds, status="open")
NEW = "__new__"
choices = [r.round_id for r in open_rounds] + [NEW]
labels = {r.round_id: (t("live.round_label", title=r.title, network=r.network, date=r.date.strftime("%d-%m-%Y"))
                        if r.title else f"{r.network} · {r.date:%d-%m-%Y}") for r in open_rounds}
if "live_round_next" in st.session_state:  # a round opened in the previous run
    st.session_state["live_round"] = st.session_state.pop("live_round_next")
if st.session_state.get("live_round") not in choices:
    st.session_state["live_round"] = choices[0]
chosen = st.selectbox(t("live.choose_round"), choices, key="live_round",
                      format_func=lambda r: "➕ " + t("live.new_round") if r == NEW else labels.get(r, r))


def new_round_form() -> None:
    nets = ui.query(live_rounds.networks)
    if not nets:
        st.info(t("live.no_networks"))
        return
    # Outside the form, so that what can be asked follows at once (ties need names: not in an anonymous round)
    mode = st.radio(t("live.mode"), list(live_common.MODES), format_func=lambda m: t(f"live.mode_{m}"),
                    captions=[t(f"live.mode_{m}_help") for m in live_common.MODES], horizontal=True, key="live_mode")
    named = mode != "anonymous"
    with st.form("new_round"):
        c1, c2 = st.columns(2)
        default = ui.network() if ui.network() in nets else nets[0]
        network = c1.selectbox(t("sidebar.network"), nets, index=nets.index(default))
        title = c2.text_input(t("live.round_title"), max_chars=live_common.MAX_TITLE, placeholder=t("live.round_title_ph"))
        c1, c2, c3 = st.columns(3)
        day = c1.date_input(t("live.round_date"), value=dt.date.today(), format="DD-MM-YYYY")
        wave = c2.text_input(t("live.round_wave"), max_chars=40, help=t("live.round_wave_help"))
        hours = c3.selectbox(t("live.round_hours"), [2, 12, 24, 72, 168], index=1,
                             format_func=lambda h: t("live.hours", n=h))
        st.markdown("**" + t("live.what_to_ask") + "**")
        q1, q2, q3, q4 = st.columns(4)
        ask_current = q1.checkbox(t("live.ask_current"), value=True)
        ask_desired = q2.checkbox(t("live.ask_desired"), value=False)
        ask_story = q3.checkbox(t("live.ask_story"), value=False)
        ask_ties = q4.checkbox(t("live.ask_ties"), value=False, help=t("live.ask_ties_help"), disabled=not named)
        c1, c2 = st.columns(2)
        topic = c1.text_input(t("live.ties_topic"), max_chars=live_common.MAX_TOPIC, placeholder=t("live.ties_topic_ph"),
                              disabled=not named)
        allow_external = c2.checkbox(t("live.allow_external"), value=True, disabled=not named)
        form_lang = st.radio(t("live.form_lang"), list(ui.LANG_OPTIONS), index=list(ui.LANG_OPTIONS).index(lang),
                             format_func=ui.LANG_OPTIONS.get, horizontal=True)
        if st.form_submit_button(t("live.open_round"), type="primary"):
            cfg = live_rounds.RoundConfig(current=ask_current, desired=ask_desired, story=ask_story, ties=ask_ties and named,
                                   topic=topic, allow_external=allow_external, lang=form_lang)
            try:
                rnd, key = ui.query(live_rounds.create_round, network, on=day, wave=wave, title=title, mode=mode, config=cfg,
                              hours=float(hours))
            except live_common.LiveError as e:
                st.error(error_text(e))
                return
            st.session_state[f"live_join:{rnd.round_id}"] = key
            st.session_state["live_round_next"] = rnd.round_id
            st.rerun()


if chosen == NEW:
    new_round_form()
    rnd = None
else:
    rnd = ui.query(live_rounds.get_round, chosen)


# ---------------------------------------------------------------- the link and the QR code
def base_url() -> str:
    saved = ui.query(store.get_setting, "live_base_url")
    if saved:
        return saved
    here = urlsplit(st.context.url or "http://127.0.0.1:8501")
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{here.scheme}://{here.netloc}" + (f"/{prefix}" if prefix else "")


def link_panel(rnd: live_rounds.Round) -> None:
    c1, c2 = st.columns([2, 1])
    base = c1.text_input(t("live.base_url"), value=base_url(), help=t("live.base_url_help"), key="live_base")
    host = urlsplit(base).hostname or ""
    if base != base_url():
        ui.query(store.set_setting, "live_base_url", base.strip())
    if host in LOCAL_HOSTS:
        c1.warning(t("live.local_address", host=host or "?"))
    else:
        auth = ui._auth_config()
        if not (auth.get("password_hash") or auth.get("client_id")):
            c1.warning(t("live.no_login"))
    if rnd.mode == "personal":
        personal_links(rnd, base)
        return
    key = st.session_state.get(f"live_join:{rnd.round_id}")
    if key is None:
        c1.info(t("live.link_hidden"))
        if c1.button(t("live.show_link"), key="new_join"):
            try:
                st.session_state[f"live_join:{rnd.round_id}"] = ui.query(live_rounds.new_join_key, rnd.round_id)
            except live_common.LiveError as e:
                st.error(error_text(e))
            st.rerun()
        return
    url = live_links.participant_url(base, rnd.round_id, join_key=key)
    c1.markdown("**" + t("live.link_for_phones") + "**")
    c1.code(url, language=None, wrap_lines=True)
    c1.caption(t(f"live.link_note_{rnd.mode}"))
    c2.image(live_links.qr_png(url, scale=8), width=260, caption=t("live.scan_me"))
    d1, d2, _ = c1.columns([1, 1, 2])
    d1.download_button(t("live.qr_png"), live_links.qr_png(url, scale=12), file_name=f"qr_{rnd.round_id}.png",
                       mime="image/png", on_click="ignore")
    d2.download_button(t("live.qr_svg"), live_links.qr_svg(url), file_name=f"qr_{rnd.round_id}.svg",
                       mime="image/svg+xml", on_click="ignore")
    if rnd.named:
        with st.expander(t("live.personal_one")):
            personal_links(rnd, base, one=True)


def personal_links(rnd: live_rounds.Round, base: str, one: bool = False) -> None:
    people = ui.query(live_rounds.members, rnd.network, rnd.date)
    names = dict(zip(people["participant_id"], people["name"], strict=True))
    store_key = f"live_personal:{rnd.round_id}"
    issued: dict = st.session_state.setdefault(store_key, {})
    if one:
        st.caption(t("live.personal_one_help"))
        pid = st.selectbox(t("live.person"), list(names), index=None, format_func=names.get, key="one_person")
        if st.button(t("live.make_link"), disabled=pid is None, key="make_one"):
            try:
                issued.update(ui.query(live_tokens.issue_personal_tokens, rnd.round_id, [pid]))
            except live_common.LiveError as e:
                st.error(error_text(e))
    else:
        st.caption(t("live.personal_help"))
        if st.button(t("live.make_links") if not issued else t("live.remake_links"), key="make_all"):
            try:
                issued.clear()
                issued.update(ui.query(live_tokens.issue_personal_tokens, rnd.round_id))
            except live_common.LiveError as e:
                st.error(error_text(e))
    if issued:
        table = pd.DataFrame([{t("live.person"): names.get(p, p),
                               t("live.link"): live_links.participant_url(base, rnd.round_id, token=tok)}
                              for p, tok in issued.items()])
        with st.expander(t("live.links_show", n=len(table))):  # closed: the screen may be on the projector
            st.dataframe(table, hide_index=True, width="stretch",
                         column_config={t("live.link"): st.column_config.LinkColumn(t("live.link"))})
        st.download_button(t("live.links_csv"), export.safe_csv(table),
                           file_name=f"links_{rnd.round_id}.csv", mime="text/csv", on_click="ignore")
        st.caption("⚠️ " + t("live.links_once"))


# ---------------------------------------------------------------- the live picture
def ind_labels() -> dict[str, str]:
    return {i.code: f"{i.code} {i.name[lang]}" for i in fw.indicators}


def poles() -> dict[str, tuple[str, str]]:
    return {i.code: (i.left[lang], i.right[lang]) for i in fw.indicators}


def dimensions_picture(rnd: live_rounds.Round, n: int, min_group: int) -> None:
    stats = ui.query(live_picture.live_stats, rnd.round_id, min_group=min_group)
    if stats.empty:
        st.caption(t("live.no_marks_yet"))
        return
    sit_label = {s: t(f"situation.{s}") for s in live_common.SITUATIONS}
    radar_df = stats.assign(series=[sit_label[s] for s in stats["situation"]])
    order = [sit_label[s] for s in live_common.SITUATIONS if s in set(stats["situation"])]
    # No pole texts on the radar (the strip chart below has them): it stays readable on a projector.
    radar = charts.radar_chart(
        radar_df, axis_order=fw.codes, axis_labels=ind_labels(), series_col="series", series_order=order,
        emphasise=sit_label["current"] if "current" in set(stats["situation"]) else None,
        text=text | {"series": t("live.situation")}, title=t("live.radar_title", n=n), size=380,
    )
    c1, c2 = st.columns([3, 2])
    with c1:
        st.altair_chart(radar, theme=None, width="content")
    with c2:
        st.markdown("**" + t("dims.discussion_starters") + "**")
        cur = stats[stats["situation"] == "current"] if "current" in set(stats["situation"]) else stats
        for _, r in dims.disagreement(cur, top=3).iterrows():
            ind = fw.indicator(r["code"])
            st.markdown(t("dims.starter", code=r["code"], name=ui.md(ind.name[lang]), left=ui.md(ind.left[lang]),
                          right=ui.md(ind.right[lang]), iqr=fmt_num(r["iqr"], lang), q1=fmt_num(r["q1"], lang),
                          q3=fmt_num(r["q3"], lang)))
    marks = ui.query(live_picture.live_marks, rnd.round_id, rnd)
    for situation in [s for s in live_common.SITUATIONS if s in set(marks["situation"])]:
        m = marks[marks["situation"] == situation].rename(columns={"indicator": "code"})
        s = stats[stats["situation"] == situation][["code", "q1", "median", "q3", "n"]]
        strip = charts.marks_strip_chart(
            m, order=fw.codes, labels=ind_labels(), pole_labels=poles(), color_col=None, iqr=s, text=text,
            title=t("live.strip_title", situation=sit_label[situation]),
        )
        st.altair_chart(strip, theme=None, width="content")


def stories_picture(rnd: live_rounds.Round) -> None:
    stories = ui.query(live_picture.live_stories, rnd.round_id)
    st.markdown("**" + t("live.stories_title", n=len(stories)) + "**")
    if stories.empty:
        st.caption(t("live.no_stories_yet"))
        return
    counts = stories["cycle"].value_counts()
    cols = st.columns(len(value_cycles()))
    for col, c in zip(cols, value_cycles(), strict=True):
        col.metric(cycle_label(c.code, lang), int(counts.get(c.code, 0)))
    table = pd.DataFrame({
        t("live.story_cycle_col"): [cycle_label(c, lang) for c in stories["cycle"]],
        t("dims.code"): [ind_labels().get(i, "") if i else "" for i in stories["indicator"]],
        t("live.story_text_col"): [ui.scrub(x) for x in stories["text"]],
    })
    st.dataframe(table, hide_index=True, width="stretch")


def ties_picture(rnd: live_rounds.Round) -> None:
    ties = ui.query(live_picture.live_ties, rnd.round_id)
    st.markdown("**" + t("live.ties_title", n=len(ties), named=ties["target"].nunique() if len(ties) else 0) + "**")
    if ties.empty:
        st.caption(t("live.no_ties_yet"))
        return
    G = ui.query(live_picture.live_tie_graph, rnd, pseudonymise=ui.pseudonymise(),
                 external_label=t("live.external_n", n="{n}"))
    pos = layout(G, unit=LAYOUT_UNIT)
    html_doc = tie_map.tie_map_html(G, pos, color_by="organisation", size_by="degree", strong_threshold=STRONG_TIE_MIN_WEIGHT,
                                    height_px=460, lang=lang)
    st.iframe(html_doc, height=480)


@st.fragment(run_every=REFRESH_S)
def live_picture_panel(round_id: str) -> None:
    rnd = ui.query(live_rounds.get_round, round_id)
    if rnd is None or rnd.status != "open":
        st.info(t("live.round_over"))
        return
    status = ui.query(live_picture.round_status, round_id)
    min_group = ui.min_group()
    m1, m2, m3 = st.columns(3)
    m1.metric(t("live.responses"), status.submitted)
    m2.metric(t("live.busy"), status.drafting)
    m3.metric(t("live.phones"), status.phones)
    if not rnd.is_open():
        st.warning(t("live.error.expired"))
    if status.submitted < min_group:
        st.info(t("live.waiting", n=status.submitted, min=min_group))
        return
    if rnd.config.current or rnd.config.desired:
        dimensions_picture(rnd, status.submitted, min_group)
    if rnd.config.story:
        stories_picture(rnd)
    if rnd.config.ties:
        ties_picture(rnd)


# ---------------------------------------------------------------- closing
def close_panel(rnd: live_rounds.Round) -> None:
    period = ui.query(live_rounds.round_period, rnd)
    st.markdown(t("live.close_intro", period=ui.md(period)))
    sure = st.checkbox(t("live.close_sure", period=ui.md(period)), key=f"close_sure:{rnd.round_id}")
    c1, c2 = st.columns(2)
    if c1.button(t("live.close"), type="primary", disabled=not sure, key="close_round"):
        try:
            import_id = ui.query(live_closing.close_round, rnd.round_id)
        except live_common.LiveError as e:
            st.error(error_text(e))
            return
        st.cache_data.clear()
        st.session_state["live_closed"] = (rnd.round_id, import_id, period)
        st.rerun()
    with c2.popover(t("live.cancel")):
        st.caption(t("live.cancel_help"))
        if st.button(t("live.cancel_confirm"), key="cancel_round"):
            try:
                ui.query(live_rounds.cancel_round, rnd.round_id)
            except live_common.LiveError as e:
                st.error(error_text(e))
                return
            st.rerun()


closed = st.session_state.pop("live_closed", None)
if closed:
    st.success(t("live.closed_ok", id=closed[1], period=ui.md(closed[2])))
    try:
        st.page_link("pages/data.py", label=t("live.to_data"), icon="📥")
    except Exception:  # noqa: BLE001 - the Data page is not in this navigation (tests' wrapper)
        pass

if rnd is not None:
    period = ui.query(live_rounds.round_period, rnd)
    st.caption(t("live.round_info", network=ui.md(rnd.network), period=ui.md(period), mode=t(f"live.mode_{rnd.mode}"),
                 until=live_common.local_time(rnd.expires_at).strftime("%d-%m-%Y %H:%M")))
    with st.container(border=True):
        link_panel(rnd)
    st.subheader(t("live.picture"))
    live_picture_panel(rnd.round_id)
    st.divider()
    close_panel(rnd)

# ---------------------------------------------------------------- earlier rounds
done = [r for r in ui.query(live_rounds.list_rounds) if r.status != "open"]
if done:
    with st.expander(t("live.earlier_rounds", n=len(done))):
        st.dataframe(pd.DataFrame([{
            t("live.round_title"): r.title or "",
            t("sidebar.network"): r.network,
            t("live.round_date"): r.date,
            t("live.state"): t("live.state_undone") if ui.query(live_closing.import_undone, r) else t(f"live.state_{r.status}"),
            t("live.import"): r.import_id,
        } for r in done]), hide_index=True, width="stretch")
