"""Answers from a phone: validated, one response per participant per round, versioned so retries are no-ops."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from analytics.definitions import Framework, default_framework, value_cycles
from analytics.live.common import (
    FREQUENCIES,
    MAX_NAME,
    MAX_PLUSDELTA,
    MAX_TEXT,
    MAX_TIES,
    SCALE_MAX,
    SCALE_MIN,
    SITUATIONS,
    LiveError,
    clean_text,
    one_line,
    utc_now,
)
from analytics.live.rounds import Round, member_names, round_instrument
from analytics.live.tokens import Access, check_token
from analytics.store import database as store
from analytics.store.db import rows, run

# ----------------------------------------------------------------------------------------------- answers


def _mark(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def validate_answers(
    answers: object,
    rnd: Round,
    member_names: dict[str, str],
    self_id: str | None,
    *,
    final: bool,
    wall: set[str] | None = None,
    instrument: Framework | None = None,
) -> dict:
    """Check and normalise answers; raises LiveError('invalid', problems=[...]) naming every problem.

    Drafts may be incomplete (a story without its cycle, a name without how often); submitted answers may not.
    ``wall`` is the set of idea-wall items one may vote for now (None: voting is not open). ``instrument``:
    the round's instrument (:func:`round_instrument`; default the shipped one) — its indicators are the marks;
    a story's indicator always names one of the shipped Dimensions, as stories do everywhere.
    """
    fw = instrument or default_framework()
    dims_fw = default_framework()
    cfg = rnd.config
    problems: list[tuple[str, dict]] = []
    if not isinstance(answers, dict):
        raise LiveError("invalid", "answers must be an object", problems=[("bad_format", {})])
    out: dict = {}
    for situation in SITUATIONS:
        marks = answers.get(situation) or {}
        if not marks:
            continue
        if not getattr(cfg, situation):
            problems.append(("not_asked", {"part": situation}))
            continue
        if not isinstance(marks, dict):
            problems.append(("bad_format", {}))
            continue
        clean = {}
        for code, value in marks.items():
            if code not in fw.codes:
                problems.append(("mark_unknown", {"indicator": str(code)[:20]}))
                continue
            if value is None:
                continue
            m = _mark(value)
            if m is None or not SCALE_MIN <= m <= SCALE_MAX:
                problems.append(("mark_range", {"indicator": code, "value": str(value)[:20],
                                                "min": SCALE_MIN, "max": SCALE_MAX}))
                continue
            clean[code] = m
        if clean:
            out[situation] = {c: clean[c] for c in fw.codes if c in clean}
    _meeting_parts(answers, cfg, out, problems, final=final, wall=wall)
    story = answers.get("story")
    if story:
        if not cfg.story:
            problems.append(("not_asked", {"part": "story"}))
        elif not isinstance(story, dict):
            problems.append(("bad_format", {}))
        else:
            try:
                text = clean_text(story.get("text"), MAX_TEXT)
            except ValueError as e:
                problems.append(("story_long", {"max": MAX_TEXT, "n": e.args[0]}))
                text = None
            cycle = story.get("cycle") or None
            indicator = story.get("indicator") or None
            if cycle is not None and cycle not in {c.code for c in value_cycles()}:
                problems.append(("story_cycle_unknown", {"cycle": str(cycle)[:20]}))
            if indicator is not None and indicator not in dims_fw.codes:
                problems.append(("mark_unknown", {"indicator": str(indicator)[:20]}))
            if text is not None and (text or cycle or indicator):
                if final and not text:
                    problems.append(("story_text", {}))
                if final and not cycle:
                    problems.append(("story_cycle", {}))
                out["story"] = {"text": text, "cycle": cycle, "indicator": indicator}
    ties = answers.get("ties")
    if ties:
        if not cfg.ties:
            problems.append(("not_asked", {"part": "ties"}))
        elif not isinstance(ties, list):
            problems.append(("bad_format", {}))
        elif len(ties) > MAX_TIES:
            problems.append(("tie_many", {"max": MAX_TIES}))
        else:
            by_name = {n.casefold(): p for p, n in member_names.items()}
            clean_ties, seen = [], set()
            for tie in ties:
                if not isinstance(tie, dict):
                    problems.append(("bad_format", {}))
                    continue
                often = tie.get("often")
                often = _mark(often) if often is not None else None
                if often is not None and often not in FREQUENCIES:
                    problems.append(("tie_often_range", {"value": str(tie.get("often"))[:10]}))
                    continue
                if tie.get("to") is not None:
                    pid = str(tie["to"])
                    if pid not in member_names:
                        problems.append(("tie_unknown", {"name": pid[:MAX_NAME]}))
                        continue
                    entry = {"to": pid}
                    label = member_names[pid]
                else:
                    try:
                        name = one_line(tie.get("name"), MAX_NAME)
                    except ValueError:
                        problems.append(("tie_name_long", {"max": MAX_NAME}))
                        continue
                    if not name:
                        problems.append(("tie_name_empty", {}))
                        continue
                    if name.casefold() in by_name:  # typed a member's name: that member
                        entry, label = {"to": by_name[name.casefold()]}, name
                    elif name in member_names:  # typed a member's id
                        entry, label = {"to": name}, member_names[name]
                    elif not cfg.allow_external:
                        problems.append(("tie_unknown", {"name": name}))
                        continue
                    else:
                        entry, label = {"name": name}, name
                key = entry.get("to") or ("ext", entry["name"].casefold())
                if self_id is not None and entry.get("to") == self_id:
                    problems.append(("tie_self", {}))
                    continue
                if key in seen:
                    continue
                seen.add(key)
                if often is None and final:
                    problems.append(("tie_often", {"name": label}))
                entry["often"] = often
                clean_ties.append(entry)
            if clean_ties:
                out["ties"] = clean_ties
    if problems:
        raise LiveError("invalid", "; ".join(c for c, _ in problems), problems=problems)
    if final and not out:
        raise LiveError("empty", "there is nothing to send yet")
    return out


def _meeting_parts(answers: dict, cfg, out: dict, problems: list, *, final: bool, wall: set[str] | None) -> None:
    """The meeting's own questions: subgroup, plus/delta, statements, votes on the idea wall."""
    group = answers.get("group")
    if group:
        if group not in cfg.groups:
            problems.append(("group_unknown", {"group": str(group)[:MAX_NAME]}))
        else:
            out["group"] = group
    pd_ = answers.get("plusdelta")
    if pd_:
        if not cfg.plusdelta:
            problems.append(("not_asked", {"part": "plusdelta"}))
        elif not isinstance(pd_, dict):
            problems.append(("bad_format", {}))
        else:
            clean = {}
            for part in ("plus", "delta"):
                try:
                    text = clean_text(pd_.get(part), MAX_PLUSDELTA)
                except ValueError as e:
                    problems.append(("plusdelta_long", {"max": MAX_PLUSDELTA, "n": e.args[0]}))
                    continue
                if text:
                    clean[part] = text
            if clean:
                out["plusdelta"] = clean
    statements = answers.get("statements")
    if statements:
        if not cfg.statements:
            problems.append(("not_asked", {"part": "statements"}))
        elif not isinstance(statements, dict):
            problems.append(("bad_format", {}))
        else:
            clean = {}
            for key, value in statements.items():
                if str(key) not in {str(i) for i in range(len(cfg.statements))}:
                    problems.append(("statement_unknown", {"statement": str(key)[:10]}))
                    continue
                if value is None:
                    continue
                m = _mark(value)
                if m is None or not SCALE_MIN <= m <= SCALE_MAX:
                    problems.append(("statement_range", {"value": str(value)[:20], "min": SCALE_MIN,
                                                         "max": SCALE_MAX}))
                    continue
                clean[str(key)] = m
            if clean:
                out["statements"] = dict(sorted(clean.items(), key=lambda kv: int(kv[0])))
    votes = answers.get("votes")
    if votes:
        if not cfg.ideas:
            problems.append(("not_asked", {"part": "votes"}))
        elif wall is None:
            problems.append(("voting_closed", {}))
        elif not isinstance(votes, list) or not all(isinstance(v, str) for v in votes):
            problems.append(("bad_format", {}))
        else:
            picked = list(dict.fromkeys(votes))
            if len(picked) > cfg.votes:
                problems.append(("votes_many", {"max": cfg.votes, "n": len(picked)}))
            elif any(v not in wall for v in picked):
                problems.append(("vote_unknown", {}))
            else:
                out["votes"] = sorted(picked)
    if final and cfg.groups and "group" not in out and not problems:
        problems.append(("group_missing", {}))


def canonical(answers: dict | None) -> str | None:
    """Answers as one comparable text (sorted keys), as they are stored."""
    return None if answers is None else json.dumps(answers, sort_keys=True, ensure_ascii=False)


@dataclass
class Saved:
    status: str  # saved | unchanged
    seq: int
    final: bool
    answers: dict = field(default_factory=dict)


@dataclass
class Stored:
    """A participant's own response as stored: what their form starts from after a reload."""

    seq: int = 0
    draft: dict | None = None
    answers: dict | None = None
    submitted_at: datetime | None = None


def load_response(con, access: Access) -> Stored:
    if access.slot is None:
        return Stored()
    got = rows(con, """SELECT seq, draft, answers, submitted_at FROM live_responses
                       WHERE round_id = ? AND slot = ?""", [access.round.round_id, access.slot])
    if not got:
        return Stored()
    seq, draft, answers, submitted = got[0]
    return Stored(seq, json.loads(draft) if draft else None, json.loads(answers) if answers else None, submitted)


def _votes(answers, acc) -> bool:
    return isinstance(answers, dict) and bool(answers.get("votes")) and acc.round.wall_phase == "vote"


def _validated(con, acc, answers, final: bool) -> dict:
    """The answers as they would be stored for this token's person; raises LiveError when they may not be."""
    if acc.slot is None:
        raise LiveError("not_claimed", "choose your name first")
    names = member_names(con, acc.round.network, acc.round.date) if acc.round.config.ties else {}
    wall = None
    if _votes(answers, acc):
        from analytics.live.meeting import wall_keys

        wall = wall_keys(con, acc.round.round_id)
    return validate_answers(answers, acc.round, names, acc.participant_id, final=final, wall=wall,
                            instrument=round_instrument(con, acc.round))


def save_response(
    con,
    round_id: str,
    token: str,
    answers: dict,
    *,
    final: bool,
    seq: int | None,
    now: datetime | None = None,
) -> Saved:
    """Store a participant's draft (``final=False``) or submitted answers, replacing their earlier version.

    ``seq`` is the version the form started from (0 for a first save; ``None`` skips the check). Idempotent:
    repeating the stored content is 'unchanged'. Raises LiveError for a bad token, bad answers (nothing is
    stored then), or an outdated ``seq``.
    """
    now = utc_now(now)
    # Everything that only reads is done before the write lock: with 40 phones sending at once, each
    # statement inside the lock waits its turn for Python's GIL while every other phone waits for the lock.
    acc = check_token(con, round_id, token, now)
    clean = _validated(con, acc, answers, final)
    with store.transaction(con):
        now_acc = check_token(con, round_id, token, now)  # checked again inside: a close may have come first
        if (now_acc.slot, now_acc.participant_id) != (acc.slot, acc.participant_id) or _votes(answers, acc):
            clean = _validated(con, now_acc, answers, final)  # claimed meanwhile, or votes on a changing wall
        acc = now_acc
        text = canonical(clean)
        got = rows(con, """SELECT seq, draft, answers, created_at, submitted_at FROM live_responses
                           WHERE round_id = ? AND slot = ?""", [round_id, acc.slot])
        cur_seq, cur_draft, cur_answers, created, submitted = got[0] if got else (0, None, None, now, None)
        same = (cur_answers == text) if final else (cur_draft == text)
        if seq is not None and seq != cur_seq:
            if same and seq < cur_seq:
                return Saved("unchanged", cur_seq, final, clean)
            raise LiveError("outdated" if seq < cur_seq else "bad_seq",
                            "these answers were changed meanwhile (another device or an old request)")
        if same and got:
            return Saved("unchanged", cur_seq, final, clean)
        new_seq = cur_seq + 1
        run(
            con,
            """INSERT OR REPLACE INTO live_responses (round_id, slot, participant_id, token_hash, seq, draft,
                   answers, created_at, updated_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [round_id, acc.slot, acc.participant_id, acc.token_hash, new_seq, text,
             text if final else cur_answers, created, now, now if final else submitted],
        )
    return Saved("saved", new_seq, final, clean)
