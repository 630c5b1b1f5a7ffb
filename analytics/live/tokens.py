"""Who may answer: a shared join key exchanged for a participant token, or personal links; only hashes are stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from analytics.live.common import _TOKEN_RE, TOKEN_BYTES, LiveError, secret_hash, utc_now
from analytics.live.rounds import _ROUND_COLS, Round, _open_round, _round_from, get_round, members
from analytics.store import database as store
from analytics.store.db import rows, run, scalar

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
    run(con, "INSERT INTO live_tokens VALUES (?, ?, ?, ?, ?, NULL)", [secret_hash(token), round_id, kind, participant_id, now])
    return token


def join(con, round_id: str, join_key: str, now: datetime | None = None) -> str:
    """Exchange the shared link's key for a participant token of one's own."""
    now = utc_now(now)
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
        if not stored or not secrets.compare_digest(stored, secret_hash(join_key)):
            raise LiveError("join_invalid", "this link is not (or no longer) valid for this round")
        issued = scalar(con, "SELECT count(*) FROM live_tokens WHERE round_id = ? AND kind = 'join'", [round_id])
        if issued >= rnd.max_tokens:
            raise LiveError("join_full", "this round admits no more phones", max=rnd.max_tokens)
        return _new_token(con, round_id, "join", None, now)


def issue_personal_tokens(con, round_id: str, participant_ids: list[str] | None = None,
                          now: datetime | None = None) -> dict[str, str]:
    """A personal link token per member (all members when ``participant_ids`` is None). Any earlier token
    bound to the same person in this round stops working, so a re-issued link also undoes a wrong self-pick."""
    now = utc_now(now)
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
    now = utc_now(now)
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        raise LiveError("malformed", "this link is damaged (incomplete or changed)")
    got = rows(con, f"""SELECT t.round_id, t.kind, t.participant_id, t.revoked_at, {_ROUND_COLS}
                        FROM live_tokens t JOIN live_rounds r ON r.round_id = t.round_id
                        WHERE t.token_hash = ?""", [secret_hash(token)])
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
    return Access(rnd, secret_hash(token), kind, pid)


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
