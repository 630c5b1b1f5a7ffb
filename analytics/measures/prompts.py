"""Questions a tie map raises, worded for the network to discuss — never grades, never names.

Each prompt is a dict with a ``code`` (its text lives in the translations) and the figures it quotes.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

#: Thresholds for raising a question; kept modest, since a question costs little.
FACILITATOR_SHARE = 0.3
INWARD_SHARE = 0.2
BROKER_BETWEENNESS = 0.15


def prompts(G: nx.DiGraph, summary: dict[str, Any], people: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if G.number_of_nodes() < 3 or G.number_of_edges() == 0:
        return out
    members = people[~people["external"].astype(bool)] if "external" in people else people
    isolated = int(members["isolate"].sum()) if "isolate" in members else len(summary.get("isolates", []))
    if isolated:
        out.append({"code": "isolates", "n": isolated})
    in_total = float(people["in_degree"].sum())
    coaches = people[people["role"] == "coach"]
    if in_total and len(coaches):
        share = float(coaches["in_degree"].sum()) / in_total
        top = people.sort_values("in_degree", ascending=False).iloc[0]
        if share >= FACILITATOR_SHARE and top["role"] == "coach":
            out.append({"code": "facilitator", "share": share * 100})
    connected = [c for c in nx.weakly_connected_components(G) if len(c) > 1]
    if len(connected) > 1:
        out.append({"code": "clusters", "n": len(connected)})
    brokers = int((people["betweenness"] >= BROKER_BETWEENNESS).sum())
    if brokers:
        out.append({"code": "brokers", "n": brokers})
    cross = summary.get("cross_organisation_share")
    if cross is not None and cross < INWARD_SHARE:
        out.append({"code": "inward", "share": cross * 100})
    students = people[people["role"] == "student_teacher"]
    teachers = people[people["role"] == "teacher"]
    if len(students) >= 2 and len(teachers) >= 2:
        s, t = float(students["in_degree"].mean()), float(teachers["in_degree"].mean())
        if t > 0 and s < 0.5 * t:
            out.append({"code": "students_edge", "students": s, "teachers": t})
    return out
