"""Live collection in the meeting: rounds, participant tokens, answers, the live picture, and closing.

A coach opens a **round** for one network: which instruments to ask (the dimension indicators for the current
and optionally the desired situation, a value-creation story, a learning-ties name generator), anonymous or
named, and for how long. Participants answer on their phones; the coach's screen aggregates the submitted
answers while they arrive. **Closing** freezes the round into the normal data as one import (source ``live``),
so it shows up in every page and can be undone from the Data page like a file.

Access (no Streamlit here; the pages call these functions):

* A round has a public id (``round``) and, unless it uses personal links only, a shared **join key** shown as
  link + QR code. Opening the shared link exchanges the key for a **participant token** (one per phone).
  Personal links carry a participant token bound to one person from the start.
* Keys and tokens are ``secrets.token_urlsafe`` values; only their SHA-256 is stored. A token lets its holder
  write their own answers for its round and nothing else; it stops working when the round closes or
  expires, or when the coach issues a new personal link for the same person. Every refusal is a
  :class:`LiveError` with a code the pages translate (``live.error.<code>``).
* One response per participant per round: the response row's key is ``(round_id, slot)``, where the slot is
  ``p:<participant_id>`` in named rounds and ``t:<token hash>`` in anonymous ones. Saving replaces the row
  (``INSERT OR REPLACE`` inside ``store.transaction``), so 40 phones in the same minute serialise on
  ``store.WRITE_LOCK`` and none creates a duplicate.
* Every save names the version it started from (``seq``): a save on top of the stored version is accepted,
  a repeat of the stored content is a no-op (a phone that retries after a lost connection), anything else is
  refused as outdated (an old request replayed, or an edit from another device).
* Drafts are kept server-side per slot, so a participant who reloads or loses the connection gets them back.
  Only *submitted* answers count in the live picture and are stored at closing.

Answers are a JSON object::

    {"current": {"1a": 5, ...}, "desired": {...},                      # marks 1..7 between the poles
     "story": {"text": "...", "cycle": "applied", "indicator": "2a"},  # one value-creation story
     "ties": [{"to": "P003", "often": 2}, {"name": "Jan (library)", "often": 1}]}
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import duckdb
import pandas as pd

from analytics.definitions import default_framework, value_cycles
from analytics.ingest import identity as who
from analytics.privacy import DEFAULT_MIN_GROUP, ensure_pseudonyms
from analytics.store import database as store
from analytics.store.db import rows, run, scalar
from analytics.store.periods import period_of

#: The continuum on the phone: seven marks from the left pole (1) to the right pole (7).
SCALE_MIN, SCALE_MAX = 1, 7
#: "How often did you learn from them since last time?" -> tie weight (the store's weights run 1..5).
FREQUENCIES = (1, 2, 3)
MODES = ("anonymous", "named", "personal")
SITUATIONS = ("current", "desired")
TIE_TYPE = "knowledge_sharing"
MAX_TEXT = 2000
MAX_NAME = 80
MAX_TOPIC = 120
MAX_TITLE = 120
MAX_TIES = 30
DEFAULT_HOURS = 12
#: A shared link can mint at most this many tokens (bounds what a leaked QR code can do).
DEFAULT_MAX_TOKENS = 300
TOKEN_BYTES = 24
_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]{16,64}")
_ROUND_RE = re.compile(r"[A-Za-z0-9_\-]{6,32}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# ----------------------------------------------------------------------------------------------- errors


class LiveError(Exception):
    """A refusal with a code (``live.error.<code>`` in the translations) and the fields its text needs.

    ``problems`` lists the individual answer problems of an ``invalid`` refusal as (code, fields) pairs,
    whose texts are ``live.problem.<code>``.
    """

    def __init__(self, code: str, message: str = "", problems: list[tuple[str, dict]] | None = None, **fields):
        self.code, self.fields, self.problems = code, fields, list(problems or [])
        super().__init__(message or code)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC).replace(tzinfo=None)


def local_time(ts: datetime | None) -> datetime | None:
    """A stored time (UTC) in the server's local time, for display."""
    return None if ts is None else ts.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def clean_text(value: object, limit: int) -> str:
    """Text as typed, minus control and direction-override characters, trimmed; NFC-normalised.

    Markup stays as it was typed: it is stored as text and every page shows it escaped."""
    s = unicodedata.normalize("NFC", str(value if value is not None else ""))
    s = _CONTROL.sub("", s.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(s) > limit:
        raise ValueError(len(s))
    return s


def _one_line(value: object, limit: int) -> str:
    """One line of text (runs of white space become one space); ValueError when longer than ``limit``."""
    s = re.sub(r"\s+", " ", clean_text(value, limit * 4)).strip()
    if len(s) > limit:
        raise ValueError(len(s))
    return s


# ----------------------------------------------------------------------------------------------- rounds


@dataclass(frozen=True)
class RoundConfig:
    """What a round asks."""

    current: bool = True
    desired: bool = False
    story: bool = False
    ties: bool = False
    topic: str = ""
    allow_external: bool = True
    framework: str = "dimensions"
    lang: str = "nl"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RoundConfig:
        raw = json.loads(text or "{}")
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Round:
    round_id: str
    network: str
    title: str | None
    date: date
    wave: str | None
    mode: str
    config: RoundConfig
    status: str
    created_at: datetime
    expires_at: datetime
    closed_at: datetime | None
    import_id: int | None
    has_join: bool
    max_tokens: int

    @property
    def named(self) -> bool:
        return self.mode != "anonymous"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.status == "open" and _now(now) < self.expires_at


_ROUND_COLS = ("r.round_id, r.network, r.title, r.date, r.wave, r.mode, r.config, r.status, r.created_at, "
               "r.expires_at, r.closed_at, r.import_id, r.join_hash IS NOT NULL, r.max_tokens")


def _round_from(r: tuple) -> Round:
    return Round(*r[:6], RoundConfig.from_json(r[6]), *r[7:])


def get_round(con, round_id: str) -> Round | None:
    if not isinstance(round_id, str) or not _ROUND_RE.fullmatch(round_id):
        return None
    got = rows(con, f"SELECT {_ROUND_COLS} FROM live_rounds r WHERE round_id = ?", [round_id])
    return _round_from(got[0]) if got else None


def list_rounds(con, *, status: str | None = None, network: str | None = None) -> list[Round]:
    conds, params = [], []
    if status:
        conds.append("status = ?")
        params.append(status)
    if network:
        conds.append("network = ?")
        params.append(network)
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    return [_round_from(r) for r in rows(
        con, f"SELECT {_ROUND_COLS} FROM live_rounds r {where} ORDER BY created_at DESC, round_id", params)]


def member_names(con, network: str, on: date | None = None) -> dict[str, str]:
    """The network's participant list (not external people) as participant_id -> name, ordered by name.
    Members who left before ``on`` are left out. Same people and names as the ``memberships`` and ``people``
    views, restricted to one network first (this runs on every save)."""
    return dict(rows(
        con,
        """WITH ids AS (
               SELECT participant_id, CASE WHEN count("left") = count(*) THEN max("left") END AS left_
               FROM v_participants WHERE network = ? AND NOT external GROUP BY participant_id),
             named AS (
               SELECT participant_id, arg_max_null(name, (NOT external, import_id, coalesce(row_number, 0))) AS name
               FROM v_participants WHERE participant_id IN (SELECT participant_id FROM ids) GROUP BY participant_id)
           SELECT i.participant_id, coalesce(n.name, i.participant_id) AS name
           FROM ids i LEFT JOIN named n USING (participant_id)
           WHERE i.left_ IS NULL OR i.left_ >= ?
           ORDER BY lower(coalesce(n.name, i.participant_id)), i.participant_id""",
        [network, on or date.min],
    ))


def members(con, network: str, on: date | None = None) -> pd.DataFrame:
    """:func:`member_names` as a frame (participant_id, name)."""
    names = member_names(con, network, on)
    return pd.DataFrame({"participant_id": list(names), "name": list(names.values())})


def networks(con) -> list[str]:
    """Networks with a participant list (a round needs one: names, ties)."""
    return [r[0] for r in rows(con, "SELECT DISTINCT network FROM memberships ORDER BY 1")]


def round_period(con, rnd: Round) -> str:
    """The period the round will count as: its wave label, else derived from its date by the store's scheme
    (the same expression the importer uses)."""
    expr = period_of("d", store.period_scheme(con), "w")
    return scalar(con, f"SELECT {expr} FROM (SELECT CAST(? AS DATE) AS d, CAST(? AS VARCHAR) AS w)",
                  [rnd.date, rnd.wave])


def preview_period(con, on: date, wave: str | None) -> str:
    expr = period_of("d", store.period_scheme(con), "w")
    return scalar(con, f"SELECT {expr} FROM (SELECT CAST(? AS DATE) AS d, CAST(? AS VARCHAR) AS w)",
                  [on, (wave or "").strip() or None])


def create_round(
    con,
    network: str,
    *,
    on: date | None = None,
    wave: str | None = None,
    title: str | None = None,
    mode: str = "anonymous",
    config: RoundConfig = RoundConfig(),
    hours: float = DEFAULT_HOURS,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    now: datetime | None = None,
) -> tuple[Round, str | None]:
    """Open a round. Returns it with the raw join key of its shared link (None in personal-link mode): show
    it now, only its hash is kept."""
    now = _now(now)
    if mode not in MODES:
        raise LiveError("bad_mode", f"mode must be one of {', '.join(MODES)}")
    if not (config.current or config.desired or config.story or config.ties):
        raise LiveError("nothing_asked", "choose at least one question")
    if config.ties and mode == "anonymous":
        raise LiveError("ties_anonymous", "a learning-ties question needs a named round")
    if config.framework != default_framework().id:
        raise LiveError("bad_framework", f"unknown instrument {config.framework!r}")
    if config.lang not in ("nl", "en"):
        config = replace(config, lang="nl")
    try:
        topic = _one_line(config.topic, MAX_TOPIC)
        title = _one_line(title, MAX_TITLE) or None
        wave = _one_line(wave, 40) or None
    except ValueError as e:
        raise LiveError("too_long", "a text is too long") from e
    config = replace(config, topic=topic)
    if not 0 < hours <= 24 * 31:
        raise LiveError("bad_hours", "a round stays open between a minute and a month")
    with store.transaction(con):
        if network not in networks(con):
            raise LiveError("unknown_network", f"{network!r} has no participant list", network=network)
        round_id = secrets.token_urlsafe(9)
        join_key = secrets.token_urlsafe(TOKEN_BYTES) if mode != "personal" else None
        run(
            con,
            """INSERT INTO live_rounds (round_id, network, title, date, wave, mode, config, join_hash, max_tokens,
                   status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)""",
            [round_id, network, title, on or now.date(), wave, mode, config.to_json(),
             _hash(join_key) if join_key else None, int(max_tokens), now, now + timedelta(hours=hours)],
        )
    return get_round(con, round_id), join_key


def new_join_key(con, round_id: str, now: datetime | None = None) -> str:
    """A new shared link for an open round (e.g. after the coach's page was reloaded: the old key is not
    stored, so it cannot be shown again). The previous link stops admitting new phones; phones that joined
    keep their tokens."""
    with store.transaction(con):
        rnd = _open_round(con, round_id, now)
        if rnd.mode == "personal":
            raise LiveError("no_shared_link", "this round uses personal links only")
        key = secrets.token_urlsafe(TOKEN_BYTES)
        run(con, "UPDATE live_rounds SET join_hash = ? WHERE round_id = ?", [_hash(key), round_id])
    return key


def _open_round(con, round_id: str, now: datetime | None) -> Round:
    rnd = get_round(con, round_id)
    if rnd is None:
        raise LiveError("no_round", "there is no such round")
    if rnd.status != "open":
        raise LiveError("closed", "this round is closed", network=rnd.network)
    if _now(now) >= rnd.expires_at:
        raise LiveError("expired", "this round has expired", network=rnd.network)
    return rnd


def cancel_round(con, round_id: str, now: datetime | None = None) -> None:
    """Close a round without storing anything (its answers are deleted)."""
    with store.transaction(con):
        rnd = get_round(con, round_id)
        if rnd is None:
            raise LiveError("no_round", "there is no such round")
        if rnd.status != "open":
            raise LiveError("closed", "this round is already closed")
        run(con, "UPDATE live_rounds SET status = 'cancelled', closed_at = ? WHERE round_id = ?", [_now(now), round_id])
        run(con, "UPDATE live_tokens SET revoked_at = ? WHERE round_id = ? AND revoked_at IS NULL", [_now(now), round_id])
        run(con, "DELETE FROM live_responses WHERE round_id = ?", [round_id])


# ----------------------------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Access:
    """What a valid token allows: answers in ``slot`` of ``round`` (None until a named token picks a person)."""

    round: Round
    token_hash: str
    kind: str
    participant_id: str | None

    @property
    def slot(self) -> str | None:
        if self.round.named:
            return f"p:{self.participant_id}" if self.participant_id else None
        return f"t:{self.token_hash}"


def _new_token(con, round_id: str, kind: str, participant_id: str | None, now: datetime) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    run(con, "INSERT INTO live_tokens VALUES (?, ?, ?, ?, ?, NULL)", [_hash(token), round_id, kind, participant_id, now])
    return token


def join(con, round_id: str, join_key: str, now: datetime | None = None) -> str:
    """Exchange the shared link's key for a participant token of one's own."""
    now = _now(now)
    if not isinstance(join_key, str) or not _TOKEN_RE.fullmatch(join_key):
        raise LiveError("malformed", "this link is damaged")
    with store.transaction(con):
        rnd = get_round(con, round_id)
        if rnd is None:
            raise LiveError("no_round", "there is no such round")
        if rnd.status != "open":
            raise LiveError("closed", "this round is closed")
        if now >= rnd.expires_at:
            raise LiveError("expired", "this round has expired")
        stored = scalar(con, "SELECT join_hash FROM live_rounds WHERE round_id = ?", [round_id])
        if not stored or not secrets.compare_digest(stored, _hash(join_key)):
            raise LiveError("join_invalid", "this link is not (or no longer) valid for this round")
        issued = scalar(con, "SELECT count(*) FROM live_tokens WHERE round_id = ? AND kind = 'join'", [round_id])
        if issued >= rnd.max_tokens:
            raise LiveError("join_full", "this round admits no more phones", max=rnd.max_tokens)
        return _new_token(con, round_id, "join", None, now)


def issue_personal_tokens(con, round_id: str, participant_ids: list[str] | None = None,
                          now: datetime | None = None) -> dict[str, str]:
    """A personal link token per member (all members when ``participant_ids`` is None). Any earlier token
    bound to the same person in this round stops working, so a re-issued link also undoes a wrong self-pick."""
    now = _now(now)
    with store.transaction(con):
        rnd = _open_round(con, round_id, now)
        if not rnd.named:
            raise LiveError("not_named", "personal links need a named round")
        listed = members(con, rnd.network, rnd.date)
        known = dict(zip(listed["participant_id"], listed["name"], strict=True))
        wanted = list(known) if participant_ids is None else list(dict.fromkeys(participant_ids))
        unknown = [p for p in wanted if p not in known]
        if unknown:
            raise LiveError("not_member", f"not in this network's list: {', '.join(map(str, unknown))}",
                            name=", ".join(map(str, unknown)))
        out = {}
        for pid in wanted:
            run(con, """UPDATE live_tokens SET revoked_at = ? WHERE round_id = ? AND participant_id = ?
                        AND revoked_at IS NULL""", [now, round_id, pid])
            out[pid] = _new_token(con, round_id, "personal", pid, now)
        return out


def check_token(con, round_id: str, token: str, now: datetime | None = None) -> Access:
    """Who may write what with this token; raises LiveError when the answer is 'nothing'."""
    now = _now(now)
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        raise LiveError("malformed", "this link is damaged (incomplete or changed)")
    got = rows(con, f"""SELECT t.round_id, t.kind, t.participant_id, t.revoked_at, {_ROUND_COLS}
                        FROM live_tokens t JOIN live_rounds r ON r.round_id = t.round_id
                        WHERE t.token_hash = ?""", [_hash(token)])
    if not got:
        raise LiveError("unknown", "this link is not valid (changed, or never issued)")
    tok_round, kind, pid, revoked = got[0][:4]
    if tok_round != round_id:
        raise LiveError("wrong_round", "this link belongs to another round")
    rnd = _round_from(got[0][4:])
    if rnd.status != "open":
        raise LiveError("closed", "this round is closed", network=rnd.network)
    if now >= rnd.expires_at:
        raise LiveError("expired", "this round has expired", network=rnd.network)
    if revoked is not None:
        raise LiveError("revoked", "this link was replaced by a newer one")
    return Access(rnd, _hash(token), kind, pid)


def claim(con, round_id: str, token: str, participant_id: str, now: datetime | None = None) -> Access:
    """Named rounds with a shared link: the participant picks themselves from the list (once)."""
    with store.transaction(con):
        acc = check_token(con, round_id, token, now)
        if not acc.round.named:
            raise LiveError("not_named", "this round is anonymous")
        if acc.participant_id is not None:
            if acc.participant_id == participant_id:
                return acc
            raise LiveError("already_claimed", "this link already belongs to someone")
        listed = set(members(con, acc.round.network, acc.round.date)["participant_id"])
        if participant_id not in listed:
            raise LiveError("not_member", "not in this network's list", name=str(participant_id))
        taken = scalar(con, """SELECT count(*) FROM live_tokens WHERE round_id = ? AND participant_id = ?
                               AND revoked_at IS NULL""", [round_id, participant_id])
        if taken:
            raise LiveError("taken", "someone already answers as this person on another device")
        run(con, "UPDATE live_tokens SET participant_id = ? WHERE token_hash = ?", [participant_id, acc.token_hash])
    return replace(acc, participant_id=participant_id)


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
) -> dict:
    """Check and normalise answers; raises LiveError('invalid', problems=[...]) naming every problem.

    Drafts may be incomplete (a story without its cycle, a name without how often); submitted answers may not.
    """
    fw = default_framework()
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
            if indicator is not None and indicator not in fw.codes:
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
                        name = _one_line(tie.get("name"), MAX_NAME)
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
    now = _now(now)
    with store.transaction(con):  # the token is checked inside: a close may be waiting for the lock
        acc = check_token(con, round_id, token, now)
        if acc.slot is None:
            raise LiveError("not_claimed", "choose your name first")
        names = member_names(con, acc.round.network, acc.round.date)
        clean = validate_answers(answers, acc.round, names, acc.participant_id, final=final)
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


# ----------------------------------------------------------------------------------------------- live picture


@dataclass(frozen=True)
class Status:
    submitted: int
    drafting: int
    phones: int
    last_submitted_at: datetime | None


def round_status(con, round_id: str) -> Status:
    # Phones: shared-link tokens (one per phone that opened the link) plus personal links that were used.
    r = rows(
        con,
        """SELECT count(answers), count(*) - count(answers), max(submitted_at),
                  (SELECT count(*) FROM live_tokens t WHERE t.round_id = ? AND t.revoked_at IS NULL
                     AND (t.kind = 'join' OR t.token_hash IN (SELECT token_hash FROM live_responses
                                                              WHERE round_id = ?)))
           FROM live_responses WHERE round_id = ?""",
        [round_id, round_id, round_id],
    )[0]
    return Status(int(r[0]), int(r[1]), int(r[3]), r[2])


def submitted(con, round_id: str) -> list[tuple[str, str | None, dict, datetime]]:
    """(slot, participant_id, answers, submitted_at) of every submitted response, oldest first."""
    return [(s, p, json.loads(a), at) for s, p, a, at in rows(
        con, """SELECT slot, participant_id, answers, submitted_at FROM live_responses
                WHERE round_id = ? AND answers IS NOT NULL ORDER BY submitted_at, slot""", [round_id])]


def live_marks(con, round_id: str, rnd: Round | None = None) -> pd.DataFrame:
    """One row per submitted mark, in the columns of ``v_scores`` (``response_id`` = the response's slot)."""
    rnd = rnd or get_round(con, round_id)
    period = round_period(con, rnd)
    out = []
    for slot, pid, answers, _ in submitted(con, round_id):
        for situation in SITUATIONS:
            for code, raw in (answers.get(situation) or {}).items():
                out.append({
                    "framework": rnd.config.framework, "network": rnd.network, "period": period,
                    "situation": situation, "indicator": code, "participant_id": pid if rnd.named else None,
                    "response_id": slot, "raw": float(raw), "scale_min": float(SCALE_MIN),
                    "scale_max": float(SCALE_MAX), "position": (raw - SCALE_MIN) / (SCALE_MAX - SCALE_MIN),
                    "date": rnd.date,
                })
    cols = ["framework", "network", "period", "situation", "indicator", "participant_id", "response_id", "raw",
            "scale_min", "scale_max", "position", "date"]
    return pd.DataFrame(out, columns=cols)


def live_stats(con, round_id: str, *, by: str = "indicator", min_group: int = DEFAULT_MIN_GROUP) -> pd.DataFrame:
    """The figures of ``dimensions.indicator_stats`` for the round's submitted marks (same SQL, run on an
    in-memory copy), so the live picture and the stored period agree exactly."""
    from analytics.measures import dimensions as dims

    rnd = get_round(con, round_id)
    marks = live_marks(con, round_id, rnd)
    mem = duckdb.connect(":memory:")
    try:
        mem.register("marks_df", marks)
        run(mem, """CREATE TABLE v_scores AS SELECT CAST(framework AS VARCHAR) framework,
                        CAST(network AS VARCHAR) network, CAST(period AS VARCHAR) period,
                        CAST(situation AS VARCHAR) situation, CAST(indicator AS VARCHAR) indicator,
                        CAST(participant_id AS VARCHAR) participant_id, CAST(response_id AS VARCHAR) response_id,
                        CAST(raw AS DOUBLE) raw, CAST(position AS DOUBLE) position, CAST(date AS DATE) date
                    FROM marks_df""")
        run(mem, "CREATE TABLE people (participant_id VARCHAR, role VARCHAR)")
        return dims.indicator_stats(mem, dims.Filters(networks=(rnd.network,), framework=rnd.config.framework),
                                    by=by, min_group=min_group)
    finally:
        mem.close()


def live_stories(con, round_id: str) -> pd.DataFrame:
    """Submitted stories: cycle, indicator, text (no names)."""
    out = [{"cycle": a["story"].get("cycle"), "indicator": a["story"].get("indicator"), "text": a["story"].get("text")}
           for _, _, a, _ in submitted(con, round_id) if a.get("story")]
    return pd.DataFrame(out, columns=["cycle", "indicator", "text"])


def live_ties(con, round_id: str) -> pd.DataFrame:
    """Submitted ties: source, target (a member id, or the typed name for people from outside), weight,
    external."""
    out = []
    for _, pid, a, _ in submitted(con, round_id):
        for tie in a.get("ties") or []:
            target = tie.get("to") or tie.get("name")
            out.append({"source": pid, "target": target, "weight": float(tie.get("often") or 1),
                        "external": "to" not in tie})
    return pd.DataFrame(out, columns=["source", "target", "weight", "external"])


# ----------------------------------------------------------------------------------------------- closing


def close_round(con, round_id: str, *, now: datetime | None = None) -> int:
    """Freeze the submitted answers into the normal data, as one import (source 'live') in one transaction.

    Rows go to dimension_scores, value_reports and ties (people named from outside the list are added as
    external participants); the import record makes the round undoable from the Data page. Unsubmitted
    drafts are left out (their number is kept in the import's details). Returns the import id.
    """
    now = _now(now)
    with store.transaction(con):
        rnd = get_round(con, round_id)
        if rnd is None:
            raise LiveError("no_round", "there is no such round")
        if rnd.status != "open":
            raise LiveError("closed", "this round is already closed", import_id=rnd.import_id)
        answers = submitted(con, round_id)
        if not answers:
            raise LiveError("empty_round", "no submitted answers yet; cancel the round instead")
        drafts = scalar(con, "SELECT count(*) FROM live_responses WHERE round_id = ? AND answers IS NULL",
                        [round_id])
        import_id = store.new_import_id(con)
        scheme = store.period_scheme(con)
        fw_id, net, day, wave = rnd.config.framework, rnd.network, rnd.date, rnd.wave
        known = {r[0] for r in rows(con, "SELECT DISTINCT participant_id FROM participants")}
        # A typed name (or e-mail) of someone already known is that person (identity.py's rules), not an outsider.
        typed = sorted({t["name"] for _, _, a, _ in answers for t in a.get("ties") or [] if "to" not in t})
        by_name = who.lookup(con, typed) if typed else {}
        scores, stories, ties, externals = [], [], [], {}
        for k, (_, pid, a, _) in enumerate(answers, 1):
            person = pid if rnd.named else None
            for situation in SITUATIONS:
                for code, raw in (a.get(situation) or {}).items():
                    pos = (raw - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
                    scores.append([import_id, k, f"{import_id}-{k}", fw_id, net, person, day, wave, situation, code,
                                   float(raw), float(SCALE_MIN), float(SCALE_MAX), pos])
            if a.get("story"):
                s = a["story"]
                stories.append([import_id, k, net, person, day, wave, s["cycle"], s.get("indicator"), s.get("text")])
            for tie in a.get("ties") or []:
                target = tie.get("to") or by_name.get(tie["name"], tie["name"])
                if "to" not in tie and target not in known:
                    externals.setdefault(target, k)
                ties.append([import_id, k, net, pid, target, day, wave, TIE_TYPE, rnd.config.topic or None,
                             float(tie.get("often") or 1)])
        _insert(con, "dimension_scores", ["import_id", "row_number", "response_id", "framework", "network",
                                          "participant_id", "date", "wave", "situation", "indicator", "raw",
                                          "scale_min", "scale_max", "position"], scores)
        _insert(con, "value_reports", ["import_id", "row_number", "network", "participant_id", "date", "wave",
                                       "cycle", "indicator", "description"], stories)
        _insert(con, "ties", ["import_id", "row_number", "network", "source", "target", "date", "wave", "tie_type",
                              "topic", "weight"], ties)
        _insert(con, "participants", ["import_id", "row_number", "participant_id", "name", "network", "external"],
                [[import_id, k, n, n, net, True] for n, k in externals.items()])
        for table in ("dimension_scores", "value_reports", "ties"):
            run(con, f"UPDATE {table} SET period = {period_of('date', scheme, 'wave')} WHERE import_id = ?",
                [import_id])
        ensure_pseudonyms(con)
        stored = {t: n for t, n in (("dimension_scores", len(scores)), ("value_reports", len(stories)),
                                    ("ties", len(ties)), ("participants", len(externals))) if n}
        period = round_period(con, rnd)
        details = {"round_id": round_id, "network": net, "date": str(day), "wave": wave, "period": period,
                   "mode": rnd.mode, "config": asdict(rnd.config), "responses": len(answers),
                   "drafts_not_submitted": drafts, "stored": stored, "title": rnd.title}
        label = rnd.title or net
        run(
            con,
            """INSERT INTO imports (import_id, file_name, content_hash, kind, source, rows_read, rows_imported,
                   rows_rejected, details) VALUES (?, ?, ?, 'live', 'live', ?, ?, 0, ?)""",
            [import_id, f"Live: {label} ({period})", f"live:{round_id}", len(answers) + drafts, len(answers),
             json.dumps(details, default=str)],
        )
        run(con, "UPDATE live_rounds SET status = 'closed', closed_at = ?, import_id = ? WHERE round_id = ?",
            [now, import_id, round_id])
        run(con, "UPDATE live_tokens SET revoked_at = ? WHERE round_id = ? AND revoked_at IS NULL", [now, round_id])
    return import_id


def _insert(con, table: str, columns: list[str], values: list[list]) -> None:
    """Insert rows in one statement (from a registered frame: far faster than executemany)."""
    if not values:
        return
    name = f"_live_rows_{secrets.token_hex(4)}"
    con.register(name, pd.DataFrame(values, columns=columns).astype(object))
    try:
        cols = ", ".join(columns)
        run(con, f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
    finally:
        con.unregister(name)


def import_undone(con, rnd: Round) -> bool:
    if rnd.import_id is None:
        return False
    return scalar(con, "SELECT undone_at IS NOT NULL FROM imports WHERE import_id = ?", [rnd.import_id]) or False


# ----------------------------------------------------------------------------------------------- links


def participant_url(base: str, round_id: str, *, join_key: str | None = None, token: str | None = None) -> str:
    """The phone's link: ``<base>/?round=...&join=...`` (shared) or ``&t=...`` (personal)."""
    parts = urlsplit(base.strip() or "http://127.0.0.1:8501")
    root = f"{parts.scheme or 'http'}://{parts.netloc}{parts.path.rstrip('/')}/"
    params = {"round": round_id}
    if join_key:
        params["join"] = join_key
    if token:
        params["t"] = token
    return root + "?" + urlencode(params)


def qr_svg(url: str, scale: int = 6) -> str:
    """The link as an SVG QR code (offline, with segno); dark modules on white, nothing fetched."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True,
                                    dark="#000", light="#fff")
    return buf.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 8) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
