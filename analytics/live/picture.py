"""The coach's live picture: the submitted answers aggregated while they arrive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb
import networkx as nx
import pandas as pd

from analytics.live.common import SCALE_MAX, SCALE_MIN, SITUATIONS
from analytics.live.rounds import Round, get_round, members, round_instrument, round_period
from analytics.measures import dimensions as dims
from analytics.measures.network import build_graph
from analytics.privacy import DEFAULT_MIN_GROUP, graph_with_codes, public_ids
from analytics.store.db import frame, rows, run

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
                                    by=by, min_group=min_group, framework=round_instrument(con, rnd, strict=False))
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


def live_tie_graph(con, rnd: Round, *, pseudonymise: bool, external_label: str) -> nx.DiGraph:
    """The round's submitted ties as a graph for the live map: members with organisation and role, people
    from outside by the name a participant typed. Pseudonymised, members' ids are their codes and outside
    people become ``external_label`` numbered (the typed name is neither id nor label then)."""
    ties = live_ties(con, rnd.round_id)
    people = members(con, rnd.network, rnd.date)
    labels = dict(zip(people["participant_id"], people["name"], strict=True))
    externals = sorted(set(ties.loc[ties["external"], "target"]))
    if pseudonymise:
        codes = public_ids(con)
        labels = {p: codes.get(p, "?") for p in labels}
        labels |= {x: external_label.format(n=i) for i, x in enumerate(externals, 1)}
    info = frame(con, "SELECT participant_id, organisation, role FROM people")
    nodes = people.assign(label=[labels.get(p, p) for p in people["participant_id"]], external=False)
    nodes = nodes.merge(info, on="participant_id", how="left")
    G, _ = build_graph(nodes[["participant_id", "label", "external", "organisation", "role"]],
                       ties[["source", "target", "weight"]])
    for x in externals:
        if x in G:
            G.nodes[x]["label"] = labels.get(x, x)
    return graph_with_codes(G, labels) if pseudonymise else G
