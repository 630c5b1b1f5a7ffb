"""The participant's form of a live round: phone-sized, and nothing else of the app.

Reached only through the participant route at the top of ``app.py`` (a ``?round=`` link), before and without
the login: no navigation, no sidebar, no other people's answers, no other network. Everything it reads or
writes goes through ``analytics.live`` with the link's token, which only opens its own round and slot.

Answers are saved as a draft on the server on every change (a reload or a lost connection keeps them) and
count once "Send" is pressed; they can be revised until the round closes.
"""

from __future__ import annotations

import json

import streamlit as st

from analytics.definitions import value_cycles
from analytics.live import answers as live_answers
from analytics.live import common as live_common
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from pages import ui

# app.py is on the stack here (its participant route ran this page), so this does nothing; on a cold deep
# link that ran this file directly it reruns through app.py, which routes straight back to this form.
ui.page_setup()
st.set_page_config(page_title="Netwerkleren", layout="centered", initial_sidebar_state="collapsed")

LANGS = {"nl": "NL", "en": "EN"}
MARKS = list(range(live_common.SCALE_MIN, live_common.SCALE_MAX + 1))





qp = st.query_params
round_id = qp.get("round", "")
rnd = ui.query(live_rounds.get_round, round_id)
if st.session_state.get("lang") not in LANGS:
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
try:
    acc = ui.query(live_tokens.check_token, round_id, token)
except live_common.LiveError as e:
    refuse(e)
rnd, cfg, fw = acc.round, acc.round.config, ui.framework()
people = ui.query(live_rounds.members, rnd.network, rnd.date)
names = dict(zip(people["participant_id"], people["name"], strict=True))

st.title(ui.md(rnd.title) if rnd.title else t("live.form_title"))
st.caption(t("live.form_network", network=ui.md(rnd.network)))

# ---------------------------------------------------------------- named rounds: who are you?
if acc.slot is None:
    st.markdown(t("live.pick_intro"))
    pid = st.selectbox(t("live.who_are_you"), list(names), index=None, format_func=lambda p: names.get(p, p),
                       placeholder=t("live.pick_placeholder"), key="pick_self")
    if st.button(t("live.this_is_me"), type="primary", disabled=pid is None, width="stretch"):
        try:
            ui.query(live_tokens.claim, round_id, token, pid)
            st.rerun()
        except live_common.LiveError as e:
            st.error(t(f"live.error.{e.code}", **e.fields))
    st.stop()

if acc.participant_id:
    st.caption(t("live.answering_as", name=ui.md(names.get(acc.participant_id, acc.participant_id))))
else:
    st.caption(t("live.anonymous_note"))

# ---------------------------------------------------------------- the draft from the server
STATE = "live_form"


def _fill_widgets(answers: dict | None) -> None:
    """Put stored answers back into the widgets (before they are drawn)."""
    for key in [k for k in st.session_state if str(k).startswith(("m:", "s:", "tie:"))]:
        del st.session_state[key]
    a = answers or {}
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

if cfg.story:
    st.header(t("live.part_story"), divider="gray")
    cycles = value_cycles()
    text = st.text_area(t("live.story_text"), key="s:text", max_chars=live_common.MAX_TEXT,
                        placeholder=t("live.story_placeholder"))
    cycle = st.radio(t("live.story_cycle"), [c.code for c in cycles], index=None, key="s:cycle",
                     format_func=lambda code: next(c.name[lang] for c in cycles if c.code == code),
                     captions=[c.explanation[lang] for c in cycles])
    indicator = st.selectbox(t("live.story_indicator"), fw.codes, index=None, key="s:indicator",
                             format_func=lambda code: fw.indicator(code).name[lang],
                             placeholder=t("live.optional"))
    if (text or "").strip() or cycle or indicator:
        answers["story"] = {"text": text, "cycle": cycle, "indicator": indicator}

if cfg.ties:
    st.header(t("live.part_ties"), divider="gray")
    topic = cfg.topic or t("live.ties_topic_default")
    st.markdown(t("live.ties_question", topic=ui.md(topic)))
    others = [p for p in names if p != acc.participant_id]
    picked = st.multiselect(
        t("live.ties_pick_external") if cfg.allow_external else t("live.ties_pick"), others, key="tie:who",
        format_func=lambda v: names.get(v, v), accept_new_options=cfg.allow_external,
        placeholder=t("live.ties_placeholder"),
    )
    ties = []
    for v in picked:
        often = st.segmented_control(t("live.ties_often", name=ui.md(names.get(v, v))), list(live_common.FREQUENCIES),
                                     key=f"tie:often:{v}", format_func=lambda f: t(f"live.often_{f}"))
        ties.append({"to": v, "often": often} if v in names else {"name": v, "often": often})
    if ties:
        answers["ties"] = ties

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
    st.caption("✅ " + t("live.status_sent"))
elif sent:
    st.caption("✏️ " + t("live.status_changed"))
elif state["draft"]:
    st.caption("💾 " + t("live.status_draft"))
