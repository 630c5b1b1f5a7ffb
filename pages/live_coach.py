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
from analytics.live import meeting as live_meeting
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


st.title(ui.ICONS["live"] + " " + t("nav.live"))
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
                      format_func=lambda r: "+ " + t("live.new_round") if r == NEW else labels.get(r, r))


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
        known = ui.instruments()
        instrument = next(iter(known))
        if len(known) > 1:
            instrument = st.selectbox(t("live.instrument"), list(known), format_func=lambda f: known[f].name[lang],
                                      help=t("live.instrument_help"), key="live_instrument")
        q1, q2, q3, q4 = st.columns(4)
        ask_current = q1.checkbox(t("live.ask_current"), value=True)
        ask_desired = q2.checkbox(t("live.ask_desired"), value=False)
        ask_story = q3.checkbox(t("live.ask_story"), value=False)
        ask_ties = q4.checkbox(t("live.ask_ties"), value=False, help=t("live.ask_ties_help"), disabled=not named)
        c1, c2 = st.columns(2)
        topic = c1.text_input(t("live.ties_topic"), max_chars=live_common.MAX_TOPIC, placeholder=t("live.ties_topic_ph"),
                              disabled=not named)
        allow_external = c2.checkbox(t("live.allow_external"), value=True, disabled=not named)
        st.markdown("**" + t("live.meeting_questions") + "**")
        q1, q2, q3 = st.columns(3)
        ask_plusdelta = q1.checkbox(t("live.ask_plusdelta"), value=False, key="ask_plusdelta")
        ask_ideas = q2.checkbox(t("live.ask_ideas"), value=False, key="ask_ideas")
        votes = q3.number_input(t("live.votes_each"), min_value=0, max_value=live_common.MAX_VOTES,
                                value=live_common.DEFAULT_VOTES, step=1, key="votes_each")
        ideas_prompt = st.text_input(t("live.ideas_prompt"), max_chars=live_common.MAX_STATEMENT,
                                     placeholder=t("live.ideas_prompt_default"), key="ideas_prompt")
        statements = st.text_area(t("live.statements"), help=t("live.statements_help_coach",
                                                                max=live_common.MAX_STATEMENTS), key="statements")
        groups = st.text_input(t("live.groups"), help=t("live.groups_help", max=live_common.MAX_GROUPS), key="groups",
                               placeholder=t("live.groups_ph"))
        form_lang = st.radio(t("live.form_lang"), list(ui.LANG_OPTIONS), index=list(ui.LANG_OPTIONS).index(lang),
                             format_func=ui.LANG_OPTIONS.get, horizontal=True)
        if st.form_submit_button(t("live.open_round"), type="primary"):
            cfg = live_rounds.RoundConfig(
                current=ask_current, desired=ask_desired, story=ask_story, ties=ask_ties and named, topic=topic,
                allow_external=allow_external, lang=form_lang, plusdelta=ask_plusdelta, ideas=ask_ideas,
                framework=instrument,
                ideas_prompt=ideas_prompt, votes=int(votes),
                statements=tuple(x for x in (statements or "").splitlines() if x.strip()),
                groups=tuple(x for x in (groups or "").split(",") if x.strip()))
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
    # The round's own instrument names its marks (an instrument file removed meanwhile: the shipped one's
    # names are not used for its codes; the picture then shows bare codes).
    fw = ui.instruments().get(rnd.config.framework, fw) if rnd else fw


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
        named_extras(rnd, base)
        return
    url = live_links.participant_url(base, rnd.round_id, join_key=key)
    c1.markdown("**" + t("live.link_for_phones") + "**")
    c1.code(url, language=None, wrap_lines=True)
    c1.caption(t(f"live.link_note_{rnd.mode}"))
    c2.image(live_links.qr_png(url, scale=8), width=260, caption=t("live.scan_me"))
    d1, d2, _ = c1.columns([1, 1, 2])
    d1.download_button(t("live.qr_png"), live_links.qr_png(url, scale=12), icon=ui.ICONS["download"], file_name=f"qr_{rnd.round_id}.png",
                       mime="image/png", on_click="ignore")
    d2.download_button(t("live.qr_svg"), live_links.qr_svg(url), icon=ui.ICONS["download"], file_name=f"qr_{rnd.round_id}.svg",
                       mime="image/svg+xml", on_click="ignore")
    named_extras(rnd, base)


def named_extras(rnd: live_rounds.Round, base: str) -> None:
    """A named round with a shared link: codes per person, and a personal link for one person."""
    if rnd.named:
        with st.expander(t("live.codes_title")):
            code_panel(rnd)
        with st.expander(t("live.personal_one")):
            personal_links(rnd, base, one=True)


def code_panel(rnd: live_rounds.Round) -> None:
    """Codes per person for a named round with a shared link: shown once, printable as slips."""
    names = ui.query(live_rounds.member_names, rnd.network, rnd.date)
    issued: dict = st.session_state.setdefault(f"live_codes:{rnd.round_id}", {})
    st.caption(t("live.codes_help"))
    c1, c2 = st.columns(2)
    if c1.button(t("live.make_codes") if not issued else t("live.remake_codes"), key="make_codes"):
        try:
            issued.clear()
            issued.update(ui.query(live_tokens.issue_codes, rnd.round_id))
        except live_common.LiveError as e:
            st.error(error_text(e))
    pid = c2.selectbox(t("live.person"), list(names), index=None, format_func=names.get, key="code_person", placeholder=t("ui.choose"))
    if c2.button(t("live.make_code_one"), disabled=pid is None, key="make_code_one"):
        try:
            issued.update(ui.query(live_tokens.issue_codes, rnd.round_id, [pid]))
        except live_common.LiveError as e:
            st.error(error_text(e))
    if issued:
        table = pd.DataFrame([{t("live.person"): names.get(p, p), t("live.code"): live_common.show_code(c)}
                              for p, c in issued.items()])
        if st.toggle(t("live.codes_show", n=len(table)), key="codes_show"):  # off: the screen may be on the projector
            st.dataframe(table, hide_index=True, width="stretch")
        d1, d2 = st.columns(2)
        d1.download_button(t("live.codes_print"), code_slips(rnd, table), icon=ui.ICONS["download"], file_name=f"codes_{rnd.round_id}.html",
                           mime="text/html", on_click="ignore")
        d2.download_button(t("live.links_csv"), export.safe_csv(table), icon=ui.ICONS["download"], file_name=f"codes_{rnd.round_id}.csv",
                           mime="text/csv", on_click="ignore")
        st.caption(ui.ICONS["warning"] + " " + t("live.codes_once"))


def code_slips(rnd: live_rounds.Round, table: pd.DataFrame) -> bytes:
    """A printable page of cut-out slips, one per person: name, code, how to use it. Everything escaped."""
    import html

    slip = ('<div class="slip"><div class="n">{name}</div><div class="c">{code}</div>'
            '<div class="h">{how}</div></div>')
    how = html.escape(t("live.codes_slip_how", title=rnd.title or rnd.network))
    body = "".join(slip.format(name=html.escape(str(n)), code=html.escape(str(c)), how=how)
                   for n, c in zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))
    return ("<!doctype html><meta charset='utf-8'><title>codes</title><style>"
            "body{font-family:sans-serif}.slip{display:inline-block;width:30%;margin:4px;padding:10px;"
            "border:1px dashed #888;vertical-align:top}.n{font-weight:bold}.c{font:bold 1.6em monospace;margin:6px 0}"
            ".h{font-size:.8em;color:#444}</style>" + body).encode("utf-8")


def identity_panel(rnd: live_rounds.Round) -> None:
    """Who answers as whom, claim attempts on taken or wrong codes, and releasing a claimed person."""
    names = ui.query(live_rounds.member_names, rnd.network, rnd.date)
    log = ui.query(live_tokens.claim_log, rnd.round_id)
    claimed = ui.query(live_tokens.claimed, rnd.round_id)
    refused = log[log["outcome"].isin(["taken", "wrong_code"])]
    title = t("live.identity_title", n=len(claimed), taken=int((refused["outcome"] == "taken").sum()),
              wrong=int((refused["outcome"] == "wrong_code").sum()))
    with st.expander((ui.ICONS["warning"] + " " if len(refused) else "") + title, expanded=bool(len(refused))):
        if len(refused):
            st.warning(t("live.attempts_warning", n=len(refused)))
        if len(log):
            st.dataframe(pd.DataFrame({
                t("live.attempt_at"): [live_common.local_time(x.to_pydatetime()).strftime("%H:%M:%S") for x in log["at"]],
                t("live.person"): [names.get(p, p) if isinstance(p, str) else "—" for p in log["participant_id"]],
                t("live.attempt_outcome"): [t(f"live.outcome_{o}") for o in log["outcome"]],
                t("live.attempt_phone"): [f"#{int(x)}" if pd.notna(x) else "" for x in log["phone"]],
            }), hide_index=True, width="stretch")
        else:
            st.caption(t("live.no_attempts"))
        c1, c2 = st.columns([2, 1])
        pid = c1.selectbox(t("live.release_who"), claimed, index=None, format_func=lambda p: names.get(p, p),
                           key="release_who", placeholder=t("ui.choose"))
        c1.caption(t("live.release_help"))
        if c2.button(t("live.release"), disabled=pid is None, key="release"):
            try:
                n = ui.query(live_tokens.release, rnd.round_id, pid)
                st.session_state["live_released"] = (names.get(pid, pid), n)
            except live_common.LiveError as e:
                st.error(error_text(e))
            st.rerun()
        done = st.session_state.pop("live_released", None)
        if done:
            st.success(t("live.released", name=ui.md(done[0]), n=done[1]))


def personal_links(rnd: live_rounds.Round, base: str, one: bool = False) -> None:
    people = ui.query(live_rounds.members, rnd.network, rnd.date)
    names = dict(zip(people["participant_id"], people["name"], strict=True))
    store_key = f"live_personal:{rnd.round_id}"
    issued: dict = st.session_state.setdefault(store_key, {})
    if one:
        st.caption(t("live.personal_one_help"))
        pid = st.selectbox(t("live.person"), list(names), index=None, format_func=names.get, key="one_person", placeholder=t("ui.choose"))
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
        st.download_button(t("live.links_csv"), export.safe_csv(table), icon=ui.ICONS["download"],
                           file_name=f"links_{rnd.round_id}.csv", mime="text/csv", on_click="ignore")
        st.caption(ui.ICONS["warning"] + " " + t("live.links_once"))


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
    radar = ui.spec(
        charts.radar_chart, radar_df, axis_order=fw.codes, axis_labels=ind_labels(), series_col="series", series_order=order,
        emphasise=sit_label["current"] if "current" in set(stats["situation"]) else None,
        text=text | {"series": t("live.situation")}, title=t("live.radar_title", n=n), size=620,
    )
    c1, c2 = st.columns([3, 2])
    with c1:
        ui.show_chart(radar, width="content")
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
        strip = ui.spec(
            charts.marks_strip_chart, m, order=fw.codes, labels=ind_labels(), pole_labels=poles(), color_col=None, iqr=s, text=text,
            title=t("live.strip_title", situation=sit_label[situation]),
        )
        ui.show_chart(strip, width="content")


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
        t("live.story_text_col"): [ui.scrub(x, rnd.network) for x in stories["text"]],
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
                                    height_px=460, lang=lang, **ui.map_runtime())
    st.iframe(html_doc, height=480)


def plusdelta_picture(rnd: live_rounds.Round) -> None:
    pdf = ui.query(live_meeting.plusdelta, rnd.round_id)
    c1, c2 = st.columns(2)
    for col, part in ((c1, "plus"), (c2, "delta")):
        sub = pdf[pdf["part"] == part]
        col.markdown(f"**{t(f'live.{part}')}** ({len(sub)})")
        col.markdown("\n".join(f"- {'[' + ui.md(g) + '] ' if isinstance(g, str) else ''}{ui.md(ui.scrub(x))}"
                                for g, x in zip(sub["group"], sub["text"], strict=True)) or "—")


def statements_picture(rnd: live_rounds.Round, min_group: int) -> None:
    by_group = bool(rnd.config.groups)
    s = ui.query(live_meeting.statement_stats, rnd.round_id, rnd.config.statements, by_group=by_group,
                 min_group=min_group)
    st.markdown("**" + t("live.part_statements") + "**")
    if s.empty:
        st.caption(t("live.no_marks_yet"))
        return
    cols = {"statement": t("live.statement"), "n": "n", "disagree": t("live.disagree"), "neutral": t("live.neutral"),
            "agree": t("live.agree"), "median": t("live.median")}
    if by_group:
        cols = {"statement": t("live.statement"), "group": t("live.group")} | {k: v for k, v in cols.items()
                                                                              if k != "statement"}
    st.dataframe(s[list(cols)].rename(columns=cols), hide_index=True, width="stretch")
    st.caption(t("live.statements_read", min=min_group))


def wall_picture(rnd: live_rounds.Round, show_votes: bool) -> None:
    st.markdown("**" + t("live.part_ideas") + ": " + ui.md(rnd.config.ideas_prompt or t("live.ideas_prompt_default"))
                + "**")
    w = ui.query(live_meeting.wall, rnd.round_id)
    if w.empty:
        st.caption(t("live.ideas_none"))
        return
    voting = rnd.wall_phase == "vote" and show_votes  # counts only, and only once the group is big enough
    st.dataframe(pd.DataFrame({
        t("live.wall_item"): [ui.scrub(x) for x in w["label"]],
        t("live.wall_ideas"): [ui.scrub(x) if n > 1 else "" for x, n in zip(w["ideas"], w["n_ideas"], strict=True)],
        t("live.wall_votes"): w["votes"] if voting else ["" for _ in w["votes"]],
    }), hide_index=True, width="stretch")
    st.caption(t("live.wall_voting", n=rnd.config.votes) if voting else t("live.wall_collecting"))


def wall_controls(rnd: live_rounds.Round) -> None:
    """Clustering and opening the vote (outside the refreshing picture, so choices are not reset)."""
    if not rnd.config.ideas or rnd.wall_phase != "collect":
        return
    with st.expander(t("live.wall_controls")):
        found = ui.query(live_meeting.ideas, rnd.round_id)
        texts = dict(zip(found["idea_id"], found["text"], strict=True))
        cl = dict(zip(found["idea_id"], found["cluster"], strict=True))
        picked = st.multiselect(t("live.cluster_pick"), list(texts), key="cluster_pick",
                                format_func=lambda i: (f"[{cl[i]}] " if cl.get(i) else "") + texts.get(i, "?"), placeholder=t("ui.choose"))
        c1, c2, c3 = st.columns([2, 1, 1])
        label = c1.text_input(t("live.cluster_label"), max_chars=live_common.MAX_CLUSTER, key="cluster_label")
        if c2.button(t("live.cluster_do"), disabled=not picked, key="cluster_do"):
            try:
                ui.query(live_meeting.cluster, rnd.round_id, picked, label)
            except live_common.LiveError as e:
                st.error(error_text(e))
            st.rerun()
        if c3.button(t("live.idea_hide"), disabled=len(picked) != 1, key="idea_hide"):
            ui.query(live_meeting.hide_idea, rnd.round_id, picked[0])
            st.rerun()
        st.divider()
        st.caption(t("live.vote_open_help", n=rnd.config.votes))
        if st.button(t("live.vote_open"), type="primary", key="vote_open", disabled=rnd.config.votes == 0):
            try:
                ui.query(live_meeting.set_wall_phase, rnd.round_id, "vote")
            except live_common.LiveError as e:
                st.error(error_text(e))
            st.rerun()


def groups_picture(rnd: live_rounds.Round, min_group: int) -> None:
    counts = ui.query(live_meeting.group_counts, rnd.round_id)
    st.markdown("**" + t("live.groups_compare") + "**")
    st.caption(" · ".join(f"{ui.md(g)}: {counts.get(g, 0)}" for g in rnd.config.groups))
    if rnd.config.current or rnd.config.desired:
        gm = ui.query(live_meeting.group_marks, rnd.round_id, min_group=min_group)
        if len(gm):
            gm = gm[gm["situation"] == "current"] if (gm["situation"] == "current").any() else gm
            table = gm.assign(value=[("–" if m != m else f"{fmt_num(m, lang)} ({fmt_num(a, lang)}–{fmt_num(b, lang)})")
                                     for m, a, b in zip(gm["median"], gm["q1"], gm["q3"], strict=True)])
            wide = table.pivot(index="code", columns="group", values="value").reindex(
                [c for c in fw.codes if c in set(table["code"])])
            wide.index = [ind_labels()[c] for c in wide.index]
            st.dataframe(wide, width="stretch")
            st.caption(t("live.groups_read", min=min_group))


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
    if rnd.config.ideas:  # the wall shows ideas (never authors) from the first one on
        wall_picture(rnd, show_votes=status.submitted >= min_group)
    if status.submitted < min_group:
        st.info(t("live.waiting", n=status.submitted, min=min_group))
        return
    if rnd.config.groups:
        groups_picture(rnd, min_group)
    if rnd.config.plusdelta:
        plusdelta_picture(rnd)
    if rnd.config.statements:
        statements_picture(rnd, min_group)
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
        st.page_link("pages/data.py", label=t("live.to_data"), icon=ui.ICONS["data"])
    except Exception:  # noqa: BLE001 - the Data page is not in this navigation (tests' wrapper)
        pass

if rnd is not None:
    period = ui.query(live_rounds.round_period, rnd)
    st.caption(t("live.round_info", network=ui.md(rnd.network), period=ui.md(period), mode=t(f"live.mode_{rnd.mode}"),
                 until=live_common.local_time(rnd.expires_at).strftime("%d-%m-%Y %H:%M")))
    with st.container(border=True):
        link_panel(rnd)
    if rnd.named:
        identity_panel(rnd)
    st.subheader(t("live.picture"))
    live_picture_panel(rnd.round_id)
    wall_controls(rnd)
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
