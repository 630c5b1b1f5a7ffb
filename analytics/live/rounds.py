"""Rounds: a coach opens one for a network, with its instruments, mode and lifetime."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta

import pandas as pd

from analytics.definitions import Framework
from analytics.live.common import (
    _ROUND_RE,
    DEFAULT_HOURS,
    DEFAULT_MAX_TOKENS,
    DEFAULT_VOTES,
    MAX_GROUP,
    MAX_GROUPS,
    MAX_STATEMENT,
    MAX_STATEMENTS,
    MAX_TITLE,
    MAX_TOPIC,
    MAX_VOTES,
    MODES,
    TOKEN_BYTES,
    LiveError,
    one_line,
    secret_hash,
    utc_now,
)
from analytics.store import contents
from analytics.store import database as store
from analytics.store.db import rows, run, scalar
from analytics.store.periods import period_of

# ----------------------------------------------------------------------------------------------- rounds


@dataclass(frozen=True)
class RoundConfig:
    """What a round asks.

    Besides marks, a story and ties, the meeting's own questions: ``plusdelta`` ("what went well / what next
    time"), an idea wall (``ideas``, with its ``ideas_prompt`` and ``votes`` per participant), ``statements``
    marked on the disagree (1) .. agree (7) continuum, and ``groups``: subgroup names a participant picks
    from, so the plenary can compare them.
    """

    current: bool = True
    desired: bool = False
    story: bool = False
    ties: bool = False
    topic: str = ""
    allow_external: bool = True
    framework: str = "dimensions"
    lang: str = "nl"
    plusdelta: bool = False
    ideas: bool = False
    ideas_prompt: str = ""
    votes: int = DEFAULT_VOTES
    statements: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def asks(self) -> bool:
        return bool(self.current or self.desired or self.story or self.ties or self.plusdelta or self.ideas
                    or self.statements)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RoundConfig:
        raw = json.loads(text or "{}")
        known = {k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items()
                 if k in cls.__dataclass_fields__}
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
    wall_phase: str = "collect"

    @property
    def named(self) -> bool:
        return self.mode != "anonymous"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.status == "open" and utc_now(now) < self.expires_at


_ROUND_COLS = ("r.round_id, r.network, r.title, r.date, r.wave, r.mode, r.config, r.status, r.created_at, "
               "r.expires_at, r.closed_at, r.import_id, r.join_hash IS NOT NULL, r.max_tokens, "
               "coalesce(r.wall_phase, 'collect')")


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
    now = utc_now(now)
    if mode not in MODES:
        raise LiveError("bad_mode", f"mode must be one of {', '.join(MODES)}")
    if not config.asks():
        raise LiveError("nothing_asked", "choose at least one question")
    if config.ties and mode == "anonymous":
        raise LiveError("ties_anonymous", "a learning-ties question needs a named round")
    known = contents.instruments(con)
    if config.framework not in known:
        raise LiveError("bad_framework", f"unknown instrument {config.framework!r}",
                        known=", ".join(sorted(known)))
    if config.lang not in ("nl", "en"):
        config = replace(config, lang="nl")
    try:
        topic = one_line(config.topic, MAX_TOPIC)
        title = one_line(title, MAX_TITLE) or None
        wave = one_line(wave, 40) or None
        prompt = one_line(config.ideas_prompt, MAX_STATEMENT)
        statements = tuple(s for s in (one_line(x, MAX_STATEMENT) for x in config.statements) if s)
        groups = tuple(dict.fromkeys(g for g in (one_line(x, MAX_GROUP) for x in config.groups) if g))
    except ValueError as e:
        raise LiveError("too_long", "a text is too long") from e
    if len(statements) > MAX_STATEMENTS or len(groups) > MAX_GROUPS:
        raise LiveError("too_many", "too many statements or subgroups", statements=MAX_STATEMENTS, groups=MAX_GROUPS)
    if len(groups) == 1:
        raise LiveError("one_group", "subgroups need at least two names")
    if not (isinstance(config.votes, int) and 0 <= config.votes <= MAX_VOTES):
        raise LiveError("bad_votes", "votes per participant run from 0 to 10", max=MAX_VOTES)
    config = replace(config, topic=topic, ideas_prompt=prompt, statements=statements, groups=groups)
    if not config.asks():
        raise LiveError("nothing_asked", "choose at least one question")
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
             secret_hash(join_key) if join_key else None, int(max_tokens), now, now + timedelta(hours=hours)],
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
        run(con, "UPDATE live_rounds SET join_hash = ? WHERE round_id = ?", [secret_hash(key), round_id])
    return key


def round_instrument(con, rnd: Round, *, strict: bool = True) -> Framework | None:
    """The instrument a round asks (chosen when it was opened). Its definition file lives next to the
    database; if it was removed meanwhile the round cannot be answered (rather than be stored unnamed).
    ``strict=False`` returns None then: closing still stores what was sent, under the round's instrument id."""
    known = contents.instruments(con)
    if rnd.config.framework not in known:
        if not strict:
            return None
        raise LiveError("bad_framework", f"unknown instrument {rnd.config.framework!r}",
                        known=", ".join(sorted(known)))
    return known[rnd.config.framework]


def _open_round(con, round_id: str, now: datetime | None) -> Round:
    rnd = get_round(con, round_id)
    if rnd is None:
        raise LiveError("no_round", "there is no such round")
    if rnd.status != "open":
        raise LiveError("closed", "this round is closed", network=rnd.network)
    if utc_now(now) >= rnd.expires_at:
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
        run(con, "UPDATE live_rounds SET status = 'cancelled', closed_at = ? WHERE round_id = ?", [utc_now(now), round_id])
        run(con, "UPDATE live_tokens SET revoked_at = ? WHERE round_id = ? AND revoked_at IS NULL", [utc_now(now), round_id])
        run(con, "DELETE FROM live_responses WHERE round_id = ?", [round_id])
