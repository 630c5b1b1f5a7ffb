"""The meeting's own questions in a live round: plus/delta, statements, the idea wall with votes, subgroups.

* **Plus/delta**: "what went well / what do we do differently next time", two free texts per participant.
* **Statements**: the coach's statements, each marked on the continuum from disagree (1) to agree (7).
* **Idea wall**: participants add short ideas (at most ``MAX_IDEAS_EACH`` each) that everyone in the round
  sees without authors; the coach clusters them under a label, then opens the vote: each participant has
  ``config.votes`` votes, at most one per wall item (a cluster, or an idea on its own). Votes are part of the
  participant's answers and count once sent; the wall shows counts only, never who voted.
* **Subgroups**: when the round names groups, each participant picks one, and every figure here can be
  split by it for the plenary (small groups suppressed like everywhere else).

Figures are computed in DuckDB over the stored JSON answers (only *submitted* answers count).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from analytics.live.common import (
    MAX_CLUSTER,
    MAX_IDEA,
    MAX_IDEAS,
    MAX_IDEAS_EACH,
    SCALE_MAX,
    SCALE_MIN,
    WALL_PHASES,
    LiveError,
    one_line,
    utc_now,
)
from analytics.live.rounds import _open_round
from analytics.live.tokens import check_token
from analytics.privacy import DEFAULT_MIN_GROUP
from analytics.store import database as store
from analytics.store.db import frame, rows, run, scalar

#: A wall item's key: the cluster's label, or the idea on its own.
_ITEM = "CASE WHEN cluster IS NOT NULL THEN 'c:' || cluster ELSE 'i:' || idea_id END"


# ----------------------------------------------------------------------------------------------- idea wall


def add_idea(con, round_id: str, token: str, text: str, group: str | None = None,
             now: datetime | None = None) -> int:
    """A participant adds an idea to the wall (while it collects). Returns the idea's number."""
    now = utc_now(now)
    with store.transaction(con):
        acc = check_token(con, round_id, token, now)
        cfg = acc.round.config
        if not cfg.ideas:
            raise LiveError("not_asked_ideas", "this round has no idea wall")
        if acc.slot is None:
            raise LiveError("not_claimed", "enter your code first")
        if acc.round.wall_phase != "collect":
            raise LiveError("wall_closed", "the wall takes no new ideas now (voting is open)")
        try:
            text = one_line(text, MAX_IDEA)
        except ValueError as e:
            raise LiveError("idea_long", "an idea is too long", max=MAX_IDEA) from e
        if not text:
            raise LiveError("idea_empty", "an idea needs some text")
        if group is not None and group not in cfg.groups:
            raise LiveError("group_unknown", "no such subgroup", group=str(group)[:40])
        mine, total = rows(con, """SELECT count(*) FILTER (WHERE slot = ?), count(*) FROM live_ideas
                                   WHERE round_id = ?""", [acc.slot, round_id])[0]
        if mine >= MAX_IDEAS_EACH:
            raise LiveError("ideas_each", "you added the most ideas one may add", max=MAX_IDEAS_EACH)
        if total >= MAX_IDEAS:
            raise LiveError("ideas_full", "the wall is full", max=MAX_IDEAS)
        if scalar(con, "SELECT count(*) FROM live_ideas WHERE round_id = ? AND slot = ? AND text = ?",
                  [round_id, acc.slot, text]):
            raise LiveError("idea_twice", "you added this idea already")
        idea_id = scalar(con, "SELECT coalesce(max(idea_id), 0) + 1 FROM live_ideas WHERE round_id = ?", [round_id])
        run(con, "INSERT INTO live_ideas VALUES (?, ?, ?, ?, ?, NULL, false, ?)",
            [round_id, idea_id, acc.slot, group, text, now])
    return int(idea_id)


def ideas(con, round_id: str) -> pd.DataFrame:
    """The wall's ideas without their authors: idea_id, text, cluster, group, item (the key one votes for)."""
    return frame(con, f"""SELECT idea_id, text, cluster, grp AS "group", {_ITEM} AS item FROM live_ideas
                          WHERE round_id = ? AND NOT hidden ORDER BY coalesce(cluster, ''), idea_id""", [round_id])


def my_ideas(con, round_id: str, slot: str) -> int:
    return scalar(con, "SELECT count(*) FROM live_ideas WHERE round_id = ? AND slot = ?", [round_id, slot])


def wall_keys(con, round_id: str) -> set[str]:
    """The items one may vote for: every cluster and every idea outside a cluster."""
    return {r[0] for r in rows(con, f"SELECT DISTINCT {_ITEM} FROM live_ideas WHERE round_id = ? AND NOT hidden",
                               [round_id])}


def cluster(con, round_id: str, idea_ids: list[int], label: str, now: datetime | None = None) -> None:
    """The coach puts ideas under one label (an empty label takes them out of their cluster again).
    Only before the vote opens: votes name wall items, which must not change underneath them."""
    with store.transaction(con):
        rnd = _open_round(con, round_id, now)
        if rnd.wall_phase != "collect":
            raise LiveError("voting_open", "clusters are fixed once voting is open")
        try:
            label = one_line(label, MAX_CLUSTER) or None
        except ValueError as e:
            raise LiveError("too_long", "a cluster name is too long") from e
        ids = [int(i) for i in idea_ids]
        if not ids:
            return
        marks = ", ".join("?" * len(ids))
        run(con, f"UPDATE live_ideas SET cluster = ? WHERE round_id = ? AND idea_id IN ({marks})", [label, round_id, *ids])


def hide_idea(con, round_id: str, idea_id: int, now: datetime | None = None) -> None:
    """The coach takes an idea off the wall (it stays stored, marked hidden, and is not closed into notes)."""
    with store.transaction(con):
        rnd = _open_round(con, round_id, now)
        if rnd.wall_phase != "collect":
            raise LiveError("voting_open", "the wall is fixed once voting is open")
        run(con, "UPDATE live_ideas SET hidden = true WHERE round_id = ? AND idea_id = ?", [round_id, int(idea_id)])


def set_wall_phase(con, round_id: str, phase: str, now: datetime | None = None) -> None:
    """``collect`` -> ``vote``: the wall stops taking ideas and participants can vote. One way only, so a
    vote always names an item that stays as it was."""
    if phase not in WALL_PHASES:
        raise LiveError("bad_phase", f"phase must be one of {', '.join(WALL_PHASES)}")
    with store.transaction(con):
        rnd = _open_round(con, round_id, now)
        if not rnd.config.ideas:
            raise LiveError("not_asked_ideas", "this round has no idea wall")
        if phase == "collect" and rnd.wall_phase == "vote":
            raise LiveError("voting_open", "voting cannot be undone")
        run(con, "UPDATE live_rounds SET wall_phase = ? WHERE round_id = ?", [phase, round_id])


def wall(con, round_id: str) -> pd.DataFrame:
    """One row per wall item, most votes first: item, label (the cluster, or the idea), ideas (the texts in
    it, joined), n_ideas, votes (from submitted answers; 0 before the vote)."""
    return frame(
        con,
        f"""WITH items AS (
                SELECT {_ITEM} AS item, coalesce(cluster, min(text)) AS label,
                       string_agg(text, ' · ' ORDER BY idea_id) AS ideas, count(*) AS n_ideas, min(idea_id) AS first
                FROM live_ideas WHERE round_id = ? AND NOT hidden GROUP BY item, cluster),
            votes AS (
                SELECT v.item, count(*) AS votes FROM live_responses r,
                       unnest(from_json(json_extract(r.answers, '$.votes'), '["VARCHAR"]')) AS v(item)
                WHERE r.round_id = ? AND r.answers IS NOT NULL GROUP BY v.item)
            SELECT i.item, i.label, i.ideas, i.n_ideas, coalesce(v.votes, 0) AS votes
            FROM items i LEFT JOIN votes v USING (item)
            ORDER BY votes DESC, i.first""",
        [round_id, round_id],
    )


# ----------------------------------------------------------------------------------------------- answers


def _answers_sql(path: str) -> str:
    return f"""SELECT r.slot, json_extract_string(r.answers, '$.group') AS "group", j.key, j.value
               FROM live_responses r, json_each(r.answers, '{path}') j
               WHERE r.round_id = ? AND r.answers IS NOT NULL"""


def plusdelta(con, round_id: str) -> pd.DataFrame:
    """Every submitted plus and delta: group, part (plus | delta), text; no slots or names."""
    return frame(con, f"""SELECT "group", key AS part, CAST(value ->> '$' AS VARCHAR) AS text
                          FROM ({_answers_sql('$.plusdelta')})
                          ORDER BY part DESC, "group" NULLS FIRST, text""", [round_id])


def statement_stats(con, round_id: str, statements: tuple[str, ...], *, by_group: bool = False,
                    min_group: int = DEFAULT_MIN_GROUP) -> pd.DataFrame:
    """Per statement (and subgroup): n, disagree (1-3), neutral (4), agree (5-7), median and quartiles of the
    marks. Rows with fewer than ``min_group`` answers keep only n (the rest is NULL)."""
    group = ', "group"' if by_group else ""
    df = frame(
        con,
        f"""WITH m AS (SELECT "group", CAST(key AS INTEGER) AS idx, CAST(value AS INTEGER) AS mark
                       FROM ({_answers_sql('$.statements')}))
            SELECT idx{group}, count(*) AS n,
                   count(*) FILTER (WHERE mark < 4) AS disagree, count(*) FILTER (WHERE mark = 4) AS neutral,
                   count(*) FILTER (WHERE mark > 4) AS agree, median(mark) AS median,
                   quantile_cont(mark, 0.25) AS q1, quantile_cont(mark, 0.75) AS q3
            FROM m GROUP BY ALL ORDER BY ALL""",
        [round_id],
    )
    df.insert(1, "statement", [statements[i] if 0 <= i < len(statements) else "?" for i in df["idx"]])
    small = df["n"] < min_group
    df[["disagree", "neutral", "agree"]] = df[["disagree", "neutral", "agree"]].astype("Int64")
    df.loc[small, ["disagree", "neutral", "agree"]] = pd.NA
    df.loc[small, ["median", "q1", "q3"]] = float("nan")
    return df


def group_marks(con, round_id: str, *, min_group: int = DEFAULT_MIN_GROUP) -> pd.DataFrame:
    """Marks per subgroup for the plenary: group, situation, code, n, median, q1, q3 (raw marks 1..7);
    NULL figures where a group has fewer than ``min_group`` answers."""
    df = frame(
        con,
        """WITH m AS (
                SELECT json_extract_string(r.answers, '$.group') AS "group", s.situation, j.key AS code,
                       CAST(j.value AS INTEGER) AS mark
                FROM live_responses r, (VALUES ('current'), ('desired')) s(situation),
                     json_each(r.answers, '$.' || s.situation) j
                WHERE r.round_id = ? AND r.answers IS NOT NULL)
            SELECT "group", situation, code, count(*) AS n, median(mark) AS median,
                   quantile_cont(mark, 0.25) AS q1, quantile_cont(mark, 0.75) AS q3
            FROM m WHERE "group" IS NOT NULL GROUP BY ALL ORDER BY ALL""",
        [round_id],
    )
    df.loc[df["n"] < min_group, ["median", "q1", "q3"]] = float("nan")
    return df


def group_counts(con, round_id: str) -> dict[str, int]:
    """Submitted answers per subgroup."""
    return dict(rows(con, """SELECT json_extract_string(answers, '$.group') g, count(*) FROM live_responses
                             WHERE round_id = ? AND answers IS NOT NULL AND g IS NOT NULL GROUP BY g ORDER BY g""",
                     [round_id]))


SCALE = (SCALE_MIN, SCALE_MAX)
