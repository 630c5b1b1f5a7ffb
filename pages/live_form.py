"""The participant's form of a live round: phone-sized, and nothing else of the app.

Reached only through the participant route at the top of ``app.py`` (a ``?round=`` link), before and without
the login: no navigation, no sidebar, no other people's answers, no other network. Everything it reads or
writes goes through ``analytics.live`` with the link's token, which only opens its own round and slot.

Answers are saved as a draft on the server on every change (a reload or a lost connection keeps them) and
count once "Send" is pressed; they can be revised until the round closes.

Live identity: a shared link never shows member names. In a named round the phone becomes a person only by
entering the code the coach handed that person; names appear after that (for the ties question), never before.
After sending, the participant's own mirror (their marks against the group's band) appears once enough
people have answered; the same link shows it again later, also after the round closed.

Kept light for 40 phones at once: only the ``analytics.live`` modules, one query per part, no charts library.
"""

from __future__ import annotations

import html
import json

import streamlit as st

from analytics.definitions import value_cycles
from analytics.live import answers as live_answers
from analytics.live import common as live_common
from analytics.live import meeting as live_meeting
from analytics.live import mirror as live_mirror
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from pages import ui

# app.py is on the stack here (its participant route ran this page), so this does nothing; on a cold deep
# link that ran this file directly it reruns through app.py, which routes straight back to this form.
ui.page_setup()
st.set_page_config(page_title="Netwerkleren", layout="centered", initial_sidebar_state="collapsed")

LANGS = {"nl": "NL", "en": "EN"}
#: Names shown at once as buttons in the tie question; more are found with the search box.
MAX_TIE_CHOICES = 40
MARKS = list(range(live_common.SCALE_MIN, live_common.SCALE_MAX + 1))

qp = st.query_params
round_id = qp.get("round", "")
if st.session_state.get("lang") not in LANGS:  # the round's language, looked up once per session
    rnd = ui.query(live_rounds.get_round, round_id)
    st.session_state["lang"] = rnd.config.lang if rnd else "nl"
st.radio("Taal / Language", list(LANGS), format_func=LANGS.get, key="lang", horizontal=True,
         label_visibility="collapsed")
t, lang = ui.translator(), ui.lang()


def refuse(e: live_common.LiveError) -> None:
    st.error(t(f"live.error.{e.code}", **e.fields))
    st.caption(t("live.error_help"))
    st.stop()


# ---------------------------------------------------------------- the link -> a token of one's own
token = qp.get("t")
join_key = qp.get("join")
if join_key is not None:
    if not token:
        try:
            token = ui.query(live_tokens.join, round_id, join_key)
        except live_common.LiveError as e:
            refuse(e)
        st.query_params["t"] = token  # a reload now keeps this phone's token (and so its draft)
    del st.query_params["join"]
if not token:
    refuse(live_common.LiveError("malformed"))
fw = ui.framework()


def mirror_html(rows_: list[tuple[str, int, float, float, float]]) -> str:
    """The mirror as plain HTML (no script, no SVG: st.html keeps neither): per row a label, a 1..7 line, the
    group's middle half (grey band), its median (a dark tick) and your own mark (a blue dot). Only numbers go
    into the styles; labels are escaped."""
    lo, hi = live_common.SCALE_MIN, live_common.SCALE_MAX

    def x(v: float) -> float:
        return (v - lo) / (hi - lo) * 100

    ticks = "".join(f'<span style="position:absolute;left:{x(v):.1f}%;transform:translateX(-50%)">{v}</span>'
                    for v in range(lo, hi + 1))
    out = ['<div style="font-size:0.9rem">']
    for label, yours, q1, median, q3 in rows_:
        band = ("" if q1 != q1 else  # NaN: too few marks for a band
                f'<div style="position:absolute;left:{x(q1):.1f}%;width:{max(x(q3) - x(q1), 1.5):.1f}%;top:4px;'
                f'height:14px;background:#c8c8c8;border-radius:3px"></div>'
                f'<div style="position:absolute;left:{x(median):.1f}%;top:1px;height:20px;width:3px;'
                f'margin-left:-1px;background:#444"></div>')
        out.append(
            f'<div style="margin-top:10px">{html.escape(label)}</div>'
            f'<div role="img" aria-label="{html.escape(label)}: {int(yours)}" style="position:relative;'
            f'margin:4px 10px 0 10px;height:22px">'
            f'<div style="position:absolute;left:0;right:0;top:10px;height:2px;background:#999"></div>{band}'
            f'<div style="position:absolute;left:{x(yours):.1f}%;top:3px;width:16px;height:16px;margin-left:-8px;'
            f'border-radius:50%;background:#1f4e79;border:2px solid #fff"></div></div>'
            f'<div style="position:relative;margin:0 10px;height:14px;font-size:0.7rem;color:#666">{ticks}</div>')
    out.append("</div>")
    return "".join(out)


def show_mirror(m: live_mirror.Mirror, statements: tuple[str, ...]) -> None:
    st.header(t("live.mirror_title"), divider="gray")
    if m.status == "not_sent":
        st.caption(t("live.mirror_not_sent"))
        return
    if m.status == "too_few":
        st.info(t("live.mirror_too_few", n=m.n, min=m.min_group))
        return
    st.markdown(t("live.mirror_help", n=m.n))
    order = {c: i for i, c in enumerate(fw.codes)}
    marks = m.marks.assign(o=m.marks["code"].map(order)).sort_values(["situation", "o"])
    rows_ = [(f"{r.code} {fw.indicator(r.code).name[lang]}"
              + (f" ({t(f'live.situation_{r.situation}')})" if r.situation != "current" else ""),
              r.yours, r.q1, r.median, r.q3) for r in marks.itertuples() if r.code in order]
    rows_ += [(statements[r.code] if r.code < len(statements) else "?", r.yours, r.q1, r.median, r.q3)
              for r in m.statements.itertuples()]
    st.html(mirror_html(rows_))
    if any(q1 != q1 for *_, q1, _, _ in rows_):
        st.caption(t("live.mirror_legend", min=m.min_group))
    st.caption(t("live.mirror_come_back"))


try:
    acc = ui.query(live_tokens.check_token, round_id, token)
except live_common.LiveError as e:
    if e.code != "closed":
        refuse(e)
    # A closed round: the same link still shows the participant's mirror (read only).
    try:
        mine = ui.query(live_mirror.mirror, round_id, token)
    except live_common.LiveError:
        refuse(e)
    if mine.status == "not_sent":
        refuse(e)
    st.info(t("live.closed_mirror"))
    closed_round = ui.query(live_rounds.get_round, round_id)
    if closed_round:
        fw = ui.instruments().get(closed_round.config.framework, fw)
    show_mirror(mine, closed_round.config.statements if closed_round else ())
    st.stop()
rnd, cfg = acc.round, acc.round.config
fw = ui.instruments().get(cfg.framework, fw)  # the instrument the coach chose for this round

st.title(ui.md(rnd.title) if rnd.title else t("live.form_title"))
st.caption(t("live.form_network", network=ui.md(rnd.network)))

# ---------------------------------------------------------------- named rounds: the code one was given
if acc.slot is None:
    # No names here: whoever holds the shared link sees none and becomes somebody only with their code.
    st.markdown(t("live.code_intro"))
    code = st.text_input(t("live.your_code"), key="code", max_chars=20, placeholder="ABCD-EFGH")
    if st.button(t("live.this_is_me"), type="primary", disabled=not (code or "").strip(), width="stretch"):
        try:
            ui.query(live_tokens.claim, round_id, token, code)
            st.rerun()
        except live_common.LiveError as e:
            st.error(t(f"live.error.{e.code}", **e.fields))
    st.stop()

# Names only for someone who is a member (a code or a personal link) and only when a question needs them.
names = ui.query(live_rounds.member_names, rnd.network, rnd.date) if cfg.ties or acc.participant_id else {}
if acc.participant_id:
    st.caption(t("live.answering_as", name=ui.md(names.get(acc.participant_id, acc.participant_id))))
else:
    st.caption(t("live.anonymous_note"))

# ---------------------------------------------------------------- the draft from the server
STATE = "live_form"


def _fill_widgets(answers: dict | None) -> None:
    """Put stored answers back into the widgets (before they are drawn)."""
    for key in [k for k in st.session_state if str(k).startswith(("m:", "s:", "tie:", "st:", "pd:", "g:", "v:"))]:
        del st.session_state[key]
    a = answers or {}
    if a.get("group"):
        st.session_state["g:group"] = a["group"]
    for i, v in (a.get("statements") or {}).items():
        st.session_state[f"st:{i}"] = v
    for part, v in (a.get("plusdelta") or {}).items():
        st.session_state[f"pd:{part}"] = v
    if a.get("votes"):
        st.session_state["v:wall"] = list(a["votes"])
    for situation in live_common.SITUATIONS:
        for code, v in (a.get(situation) or {}).items():
            st.session_state[f"m:{situation}:{code}"] = v
    if a.get("story"):
        st.session_state["s:text"] = a["story"].get("text") or ""
        st.session_state["s:cycle"] = a["story"].get("cycle")
        st.session_state["s:indicator"] = a["story"].get("indicator")
    picked = []
    for tie in a.get("ties") or []:
        v = tie.get("to") or tie.get("name")
        picked.append(v)
        st.session_state[f"tie:often:{v}"] = tie.get("often")
    if picked:
        st.session_state["tie:who"] = picked


state = st.session_state.get(STATE)
if state is None or state["token"] != acc.token_hash:
    stored = ui.query(live_answers.load_response, acc)
    state = {"token": acc.token_hash, "seq": stored.seq, "draft": live_answers.canonical(stored.draft),
             "sent": live_answers.canonical(stored.answers), "raw": None}
    st.session_state[STATE] = state
    _fill_widgets(stored.draft or stored.answers)

# ---------------------------------------------------------------- the questions
answers: dict = {}
group = None
if cfg.groups:
    group = st.radio(t("live.your_group"), list(cfg.groups), index=None, key="g:group", horizontal=True)
    if group:
        answers["group"] = group
asked = [s for s in live_common.SITUATIONS if getattr(cfg, s)]
if asked:
    st.header(t("live.part_dimensions"), divider="gray")
    st.markdown(t("live.dimensions_help", min=live_common.SCALE_MIN, max=live_common.SCALE_MAX))
    for ind in fw.indicators:
        with st.container(border=True):
            st.markdown(f"**{ui.md(ind.name[lang])}**")
            st.caption(ui.md(ind.question[lang]))
            st.markdown(f"**{live_common.SCALE_MIN}** ◀ {ui.md(ind.left[lang])}  \n**{live_common.SCALE_MAX}** ▶ {ui.md(ind.right[lang])}")
            for situation in asked:
                # One question: the label is hidden but still names the indicator for screen readers.
                label = (t(f"live.situation_{situation}") if len(asked) > 1
                         else f"{ui.md(ind.name[lang])} ({t(f'live.situation_{situation}')})")
                v = st.segmented_control(label, MARKS, key=f"m:{situation}:{ind.code}",
                                         label_visibility="visible" if len(asked) > 1 else "collapsed")
                if v is not None:
                    answers.setdefault(situation, {})[ind.code] = v

if cfg.statements:
    st.header(t("live.part_statements"), divider="gray")
    st.markdown(t("live.statements_help", min=live_common.SCALE_MIN, max=live_common.SCALE_MAX))
    for i, statement in enumerate(cfg.statements):
        with st.container(border=True):
            st.markdown(f"**{ui.md(statement)}**")
            v = st.segmented_control(ui.md(statement), MARKS, key=f"st:{i}", label_visibility="collapsed")
            st.caption(t("live.statement_poles", min=live_common.SCALE_MIN, max=live_common.SCALE_MAX))
            if v is not None:
                answers.setdefault("statements", {})[str(i)] = v

if cfg.plusdelta:
    st.header(t("live.part_plusdelta"), divider="gray")
    plus = st.text_area(t("live.plus"), key="pd:plus", max_chars=live_common.MAX_PLUSDELTA, height=90)
    delta = st.text_area(t("live.delta"), key="pd:delta", max_chars=live_common.MAX_PLUSDELTA, height=90)
    parts = {k: v for k, v in (("plus", plus), ("delta", delta)) if (v or "").strip()}
    if parts:
        answers["plusdelta"] = parts

if cfg.story:
    st.header(t("live.part_story"), divider="gray")
    cycles = value_cycles()
    text = st.text_area(t("live.story_text"), key="s:text", max_chars=live_common.MAX_TEXT,
                        placeholder=t("live.story_placeholder"))
    cycle = st.radio(t("live.story_cycle"), [c.code for c in cycles], index=None, key="s:cycle",
                     format_func=lambda code: next(c.name[lang] for c in cycles if c.code == code),
                     captions=[c.explanation[lang] for c in cycles])
    dims_fw = ui.framework()  # a story's indicator names one of the Dimensions, whatever the round marks
    indicator = st.selectbox(t("live.story_indicator"), dims_fw.codes, index=None, key="s:indicator",
                             format_func=lambda code: dims_fw.indicator(code).name[lang],
                             placeholder=t("live.optional"))
    if (text or "").strip() or cycle or indicator:
        answers["story"] = {"text": text, "cycle": cycle, "indicator": indicator}

if cfg.ties:
    st.header(t("live.part_ties"), divider="gray")
    topic = cfg.topic or t("live.ties_topic_default")
    st.markdown(t("live.ties_question", topic=ui.md(topic)))
    others = [p for p in names if p != acc.participant_id]
    picked = list(st.session_state.get("tie:who") or [])  # kept in the session, not a widget: one list to add to

    def _add_picked() -> None:  # one tap on a name adds that one person
        v = st.session_state.get("tie:add")
        who = list(st.session_state.get("tie:who") or [])
        if v and v not in who:
            st.session_state["tie:who"] = [*who, v]
        st.session_state["tie:add"] = None

    def _add_outside() -> None:
        v = " ".join((st.session_state.get("tie:outside") or "").split())[: live_common.MAX_NAME]
        who = list(st.session_state.get("tie:who") or [])
        if v and v.casefold() not in {x.casefold() for x in who}:
            st.session_state["tie:who"] = [*who, v]
        st.session_state["tie:outside"] = ""

    def _remove(v: str) -> None:
        st.session_state["tie:who"] = [x for x in st.session_state.get("tie:who") or [] if x != v]
        st.session_state.pop(f"tie:often:{v}", None)

    find = st.text_input(t("live.ties_placeholder"), key="tie:find", placeholder=t("live.ties_find_ph"))
    needle = " ".join((find or "").split()).casefold()
    pool = [p for p in others if p not in picked and needle in names.get(p, p).casefold()]
    shown = pool[:MAX_TIE_CHOICES]  # the network's people at once; a long list is narrowed by the search
    if shown:
        st.pills(t("live.ties_pick"), shown, selection_mode="single", key="tie:add", on_change=_add_picked,
                 format_func=lambda v: names.get(v, v))
    else:
        st.caption(t("live.ties_none_found") if needle else t("live.ties_all_chosen"))
    if len(pool) > len(shown):
        st.caption(t("live.ties_more", n=len(pool) - len(shown)))
    if cfg.allow_external:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.text_input(t("live.ties_outside"), key="tie:outside", max_chars=live_common.MAX_NAME)
        c2.button(t("live.ties_outside_add"), key="tie:outside_add", on_click=_add_outside, width="stretch")
    ties = []
    for v in picked:
        c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
        often = c1.segmented_control(t("live.ties_often", name=ui.md(names.get(v, v))), list(live_common.FREQUENCIES),
                                     key=f"tie:often:{v}", format_func=lambda f: t(f"live.often_{f}"))
        c2.button(t("live.ties_remove"), key=f"tie:remove:{v}", on_click=_remove, args=(v,), icon=":material/close:",
                  help=t("live.ties_remove_help", name=names.get(v, v)))
        ties.append({"to": v, "often": often} if v in names else {"name": v, "often": often})
    if ties:
        answers["ties"] = ties

if cfg.ideas:
    st.header(t("live.part_ideas"), divider="gray")
    st.markdown("**" + ui.md(cfg.ideas_prompt or t("live.ideas_prompt_default")) + "**")
    wall_ideas = ui.query(live_meeting.ideas, round_id)
    if rnd.wall_phase == "collect":
        st.caption(t("live.ideas_help", max=live_common.MAX_IDEAS_EACH))
        with st.form("add_idea", clear_on_submit=True, border=False):
            new_idea = st.text_input(t("live.idea_new"), max_chars=live_common.MAX_IDEA, key="idea:new")
            if st.form_submit_button(t("live.idea_add"), width="stretch"):
                try:
                    ui.query(live_meeting.add_idea, round_id, token, new_idea, group)
                    st.session_state["idea_added"] = True
                    st.rerun()
                except live_common.LiveError as e:
                    st.warning(t(f"live.error.{e.code}", **e.fields))
        if st.session_state.pop("idea_added", False):
            st.success(t("live.idea_added"))
            wall_ideas = ui.query(live_meeting.ideas, round_id)
        if len(wall_ideas):
            st.markdown("\n".join(f"- {ui.md(x)}" for x in wall_ideas["text"]))
        else:
            st.caption(t("live.ideas_none"))
        st.button(t("live.ideas_refresh"), key="ideas_refresh")
    else:
        items = wall_ideas.groupby("item", sort=False).agg(
            label=("cluster", "first"), text=("text", lambda x: " · ".join(x)), n=("text", "size"))
        labels = {k: (f"{r.label} ({r.n})" if isinstance(r.label, str) else r.text) for k, r in items.iterrows()}
        st.markdown(t("live.vote_help", n=cfg.votes))
        votes = st.pills(t("live.vote_label", n=cfg.votes), list(labels), selection_mode="multi", key="v:wall",
                         format_func=lambda k: labels.get(k, k), label_visibility="collapsed")
        if votes:
            answers["votes"] = list(votes)
        st.caption(t("live.votes_used", n=len(votes or []), max=cfg.votes))

# ---------------------------------------------------------------- save: draft on every change, send on click
st.divider()


def save(final: bool) -> bool:
    try:
        saved = ui.query(live_answers.save_response, round_id, token, answers, final=final, seq=state["seq"])
    except live_common.LiveError as e:
        if e.code == "invalid":
            st.warning(t("live.fix_first") + "\n\n" + "\n".join(
                "- " + t(f"live.problem.{code}", **{k: ui.md(v) for k, v in fields.items()})
                for code, fields in e.problems))
            return False
        if e.code in ("outdated", "bad_seq"):
            st.warning(t("live.error.outdated"))
            if st.button(t("live.reload"), key="reload_after_conflict"):
                del st.session_state[STATE]
                st.rerun()
            return False
        if e.code == "empty":
            st.warning(t("live.error.empty"))
            return False
        refuse(e)
    state["seq"], state["raw"] = saved.seq, current
    state["draft"] = live_answers.canonical(saved.answers)
    if final:
        state["sent"] = state["draft"]
    return True


current = json.dumps(answers, sort_keys=True, ensure_ascii=False)  # as drawn; the server cleans it
if current != state["raw"] and (answers or state["draft"]):
    save(final=False)

sent = state["sent"] is not None
if st.button(t("live.resend") if sent else t("live.send"), type="primary", width="stretch", key="send"):
    if save(final=True):
        st.success(t("live.thanks"))
        sent = True
if sent and state["sent"] == state["draft"]:
    st.caption(ui.ICONS["ok"] + " " + t("live.status_sent"))
elif sent:
    st.caption(ui.ICONS["edit"] + " " + t("live.status_changed"))
elif state["draft"]:
    st.caption(ui.ICONS["save"] + " " + t("live.status_draft"))

# ---------------------------------------------------------------- the personal mirror, once sent
if sent and (asked or cfg.statements):
    show_mirror(ui.query(live_mirror.mirror, round_id, token), cfg.statements)
