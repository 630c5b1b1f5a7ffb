"""Who may answer: a shared join key exchanged for a participant token, or personal links; only hashes are stored.

Live identity: a shared link never shows member names. In a named round a phone that came through the
shared link becomes a person only by entering the code the coach handed that person (:func:`issue_codes`);
a personal link is bound from the start. Every claim attempt is logged for the coach (:func:`claim_log`):
a code that is already in use elsewhere (``taken``) or a wrong code (``wrong_code``, at most
``MAX_WRONG_CODES`` per phone). The coach can :func:`release` a claimed person.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from analytics.live.common import (
    _TOKEN_RE,
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_WRONG_CODES,
    TOKEN_BYTES,
    LiveError,
    normalise_code,
    secret_hash,
    utc_now,
)
from analytics.live.rounds import _ROUND_COLS, Round, _open_round, _round_from, get_round, members
from analytics.store import database as store
from analytics.store.db import frame, rows, run, scalar

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


def _code_hash(round_id: str, code: str) -> str:
    return secret_hash(f"{round_id}:{code}")


def issue_codes(con, round_id: str, participant_ids: list[str] | None = None,
                now: datetime | None = None) -> dict[str, str]:
    """A code per member (all members when ``participant_ids`` is None) for the coach to hand out or print.

    Only the code's hash is kept (salted with the round id), so the coach sees the codes once. A new code
    for a person replaces their earlier one (an old slip no longer works); a phone already answering as
    that person keeps its access until the coach releases it."""
    now = utc_now(now)
    with store.transaction(con):
        rnd = _open_round(con, round_id, now)
        if not rnd.named:
            raise LiveError("not_named", "codes need a named round")
        wanted = _members_of(con, rnd, participant_ids)
        out = {}
        for pid in wanted:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            run(con, """UPDATE live_codes SET revoked_at = ? WHERE round_id = ? AND participant_id = ?
                        AND revoked_at IS NULL""", [now, round_id, pid])
            run(con, "INSERT INTO live_codes VALUES (?, ?, ?, ?, NULL)", [round_id, _code_hash(round_id, code), pid, now])
            out[pid] = code
        return out


def _members_of(con, rnd: Round, participant_ids: list[str] | None) -> list[str]:
    listed = list(members(con, rnd.network, rnd.date)["participant_id"])
    wanted = listed if participant_ids is None else list(dict.fromkeys(participant_ids))
    unknown = [p for p in wanted if p not in set(listed)]
    if unknown:
        raise LiveError("not_member", f"not in this network's list: {', '.join(map(str, unknown))}",
                        name=", ".join(map(str, unknown)))
    return wanted


def _log(con, round_id: str, now: datetime, token_hash: str | None, pid: str | None, outcome: str) -> None:
    run(con, "INSERT INTO live_claims VALUES (?, ?, ?, ?, ?)", [round_id, now, token_hash, pid, outcome])


def claim(con, round_id: str, token: str, code: str, now: datetime | None = None) -> Access:
    """Named rounds with a shared link: the phone becomes the person whose code was entered (once).

    Refused, and logged for the coach: a wrong code (``code_unknown``; after ``MAX_WRONG_CODES`` wrong codes
    the phone gets ``too_many_tries``), a person already answering on another device (``taken``). The
    refusal never names the person."""
    now = utc_now(now)
    refusal: LiveError | None = None
    with store.transaction(con):
        acc = check_token(con, round_id, token, now)
        if not acc.round.named:
            raise LiveError("not_named", "this round is anonymous")
        # One read inside the write lock (40 phones queue on it): wrong tries so far, the code's person, and
        # whether a device already answers as that person.
        wrong, pid, taken = rows(con, """
            WITH c AS (SELECT participant_id FROM live_codes WHERE round_id = ? AND code_hash = ?
                       AND revoked_at IS NULL)
            SELECT (SELECT count(*) FROM live_claims WHERE token_hash = ? AND outcome = 'wrong_code'),
                   (SELECT participant_id FROM c),
                   (SELECT count(*) FROM live_tokens WHERE round_id = ? AND revoked_at IS NULL
                      AND participant_id = (SELECT participant_id FROM c))""",
            [round_id, _code_hash(round_id, normalise_code(code)), acc.token_hash, round_id])[0]
        if wrong >= MAX_WRONG_CODES:
            raise LiveError("too_many_tries", "too many wrong codes from this phone", max=MAX_WRONG_CODES)
        if acc.participant_id is not None:
            if pid == acc.participant_id:
                return acc
            raise LiveError("already_claimed", "this phone already answers for someone")
        if pid is None:
            _log(con, round_id, now, acc.token_hash, None, "wrong_code")
            refusal = LiveError("code_unknown", "this code is not valid for this round",
                                left=MAX_WRONG_CODES - wrong - 1)
        elif taken:
            _log(con, round_id, now, acc.token_hash, pid, "taken")
            refusal = LiveError("taken", "someone already answers with this code on another device")
        else:
            run(con, "UPDATE live_tokens SET participant_id = ? WHERE token_hash = ?", [pid, acc.token_hash])
            _log(con, round_id, now, acc.token_hash, pid, "claimed")
    if refusal is not None:  # raised after the commit: the attempt stays in the log
        raise refusal
    return replace(acc, participant_id=pid)


def release(con, round_id: str, participant_id: str, now: datetime | None = None) -> int:
    """The coach frees a claimed person: every device answering as them loses its access, and what was
    answered under that claim is discarded (nobody can tell who typed it). The person's code (or a new one)
    admits them again; a personal link of theirs is revoked too (issue a new one). Returns the number of devices cut off."""
    now = utc_now(now)
    with store.transaction(con):
        _open_round(con, round_id, now)
        n = scalar(con, """SELECT count(*) FROM live_tokens WHERE round_id = ? AND participant_id = ?
                           AND revoked_at IS NULL""", [round_id, participant_id])
        if not n:
            raise LiveError("not_claimed_by_anyone", "nobody answers as this person")
        run(con, """UPDATE live_tokens SET revoked_at = ? WHERE round_id = ? AND participant_id = ?
                    AND revoked_at IS NULL""", [now, round_id, participant_id])
        run(con, "DELETE FROM live_responses WHERE round_id = ? AND slot = ?", [round_id, f"p:{participant_id}"])
        run(con, "DELETE FROM live_ideas WHERE round_id = ? AND slot = ?", [round_id, f"p:{participant_id}"])
        _log(con, round_id, now, None, participant_id, "released")
    return int(n)


def claimed(con, round_id: str) -> list[str]:
    """Participant ids that a device currently answers as (shared-link claims and used personal links)."""
    return [r[0] for r in rows(con, """SELECT DISTINCT participant_id FROM live_tokens
                                       WHERE round_id = ? AND participant_id IS NOT NULL AND revoked_at IS NULL
                                         AND (kind = 'join' OR token_hash IN (SELECT token_hash FROM live_responses
                                                                               WHERE round_id = ?))
                                       ORDER BY 1""", [round_id, round_id])]


def claim_log(con, round_id: str) -> pd.DataFrame:
    """Claim attempts for the coach, newest first: at, participant_id (None for a wrong code), outcome
    (claimed | taken | wrong_code | released), and a short phone number (``phone``) so repeated tries from one
    device stand out without showing its token."""
    return frame(con, """WITH c AS (SELECT *, attempted_at AS at, min(attempted_at) OVER (PARTITION BY token_hash) AS first_at
                                    FROM live_claims WHERE round_id = ?),
                              p AS (SELECT token_hash, row_number() OVER (ORDER BY min(first_at), token_hash) AS phone
                                    FROM c WHERE token_hash IS NOT NULL GROUP BY token_hash)
                         SELECT c.at, c.participant_id, c.outcome, p.phone
                         FROM c LEFT JOIN p USING (token_hash) ORDER BY c.at DESC, p.phone""", [round_id])
