"""The personal mirror: a participant's own marks against the group's band, on their own phone.

Shown only to the holder of the link that answered, and only once at least ``min_group`` participants have
sent answers (privacy.DEFAULT_MIN_GROUP): with fewer, the band would tell a participant too much about the
others. Per indicator the band is also left out when fewer than ``min_group`` people marked it. The link
keeps working for the mirror after the round closes (read only); a link that was replaced or released, or a
cancelled round, shows nothing.

One query over the round's stored answers: nothing heavy on the phone's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analytics.live.common import _TOKEN_RE, LiveError, secret_hash
from analytics.privacy import DEFAULT_MIN_GROUP
from analytics.store.db import frame, rows


@dataclass
class Mirror:
    """``status``: ``not_sent`` (nothing of yours to compare yet), ``too_few`` (fewer than ``min_group``
    answers: ``n`` of them), or ``ready``. ``marks``: situation, code, yours, n, q1, median, q3 (raw 1..7,
    NULL band where an indicator has fewer than ``min_group`` marks). ``statements`` the same per statement."""

    status: str
    n: int
    min_group: int
    marks: pd.DataFrame = field(default_factory=pd.DataFrame)
    statements: pd.DataFrame = field(default_factory=pd.DataFrame)
    closed: bool = False


def mirror_slot(con, round_id: str, token: str) -> tuple[str, bool]:
    """The response slot a link may mirror, and whether its round is closed. A token of a closed round
    still mirrors (closing revoked it at the closing moment); a token revoked for another reason does not."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        raise LiveError("malformed", "this link is damaged")
    got = rows(con, """SELECT t.round_id, t.participant_id, t.revoked_at, r.status, r.closed_at, r.mode
                       FROM live_tokens t JOIN live_rounds r USING (round_id) WHERE t.token_hash = ?""",
               [secret_hash(token)])
    if not got or got[0][0] != round_id:
        raise LiveError("unknown", "this link is not valid")
    _, pid, revoked, status, closed_at, mode = got[0]
    if status == "cancelled":
        raise LiveError("cancelled", "this round was cancelled")
    if revoked is not None and not (status == "closed" and revoked == closed_at):
        raise LiveError("revoked", "this link was replaced by a newer one")
    if mode == "anonymous":
        return f"t:{secret_hash(token)}", status == "closed"
    if pid is None:
        raise LiveError("not_claimed", "enter your code first")
    return f"p:{pid}", status == "closed"


_MARKS = """WITH m AS (
    SELECT r.slot, s.situation, j.key AS code, CAST(j.value AS INTEGER) AS mark
    FROM live_responses r, (VALUES ('current'), ('desired'), ('statements')) s(situation),
         json_each(r.answers, '$.' || s.situation) j
    WHERE r.round_id = ? AND r.answers IS NOT NULL)
SELECT situation, code, count(*) AS n, max(mark) FILTER (WHERE slot = ?) AS yours,
       quantile_cont(mark, 0.25) AS q1, median(mark) AS median, quantile_cont(mark, 0.75) AS q3
FROM m GROUP BY situation, code"""


def mirror(con, round_id: str, token: str, *, min_group: int = DEFAULT_MIN_GROUP) -> Mirror:
    """The holder's own marks against the band of everyone's submitted marks (see the module's text)."""
    slot, closed = mirror_slot(con, round_id, token)
    n, mine = rows(con, """SELECT count(*), count(*) FILTER (WHERE slot = ?) FROM live_responses
                           WHERE round_id = ? AND answers IS NOT NULL""", [slot, round_id])[0]
    if not mine:
        return Mirror("not_sent", int(n), min_group, closed=closed)
    if n < min_group:
        return Mirror("too_few", int(n), min_group, closed=closed)
    df = frame(con, _MARKS, [round_id, slot])
    df.loc[df["n"] < min_group, ["q1", "median", "q3"]] = float("nan")
    df = df[df["yours"].notna()]
    marks = df[df["situation"] != "statements"].reset_index(drop=True)
    statements = df[df["situation"] == "statements"].assign(code=lambda d: d["code"].astype(int))
    return Mirror("ready", int(n), min_group, marks, statements.sort_values("code").reset_index(drop=True),
                  closed=closed)
