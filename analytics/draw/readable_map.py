"""What makes a tie map readable: whom it names without hovering, and which ties a simplified drawing keeps.

Pure functions on a graph and its person table, so the choices are the same on the page, in the report and in
tests. Neither changes a measure: they decide what is drawn, not what is counted.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

import networkx as nx
import pandas as pd

from analytics.decisions import MAP_LABELS_PER_KIND, STRONG_TIE_MIN_WEIGHT

SimplifyMode = Literal["all", "strong", "backbone"]
SIMPLIFY_MODES: tuple[SimplifyMode, ...] = ("all", "strong", "backbone")


@dataclass(frozen=True)
class LabelChoice:
    """The people a map names without hovering, each list in order of rank (a person can be in both)."""

    most_named: tuple[Hashable, ...]
    brokers: tuple[Hashable, ...]

    @property
    def ids(self) -> tuple[Hashable, ...]:
        """Everyone named, most named first, then the brokers not named yet (the order labels are placed in)."""
        return tuple(dict.fromkeys((*self.most_named, *self.brokers)))


def label_choice(people: pd.DataFrame, k: int = MAP_LABELS_PER_KIND, among: Iterable[Hashable] | None = None
                 ) -> LabelChoice:
    """The ``k`` most named (in-degree) and the ``k`` brokers (betweenness, then brokerage) in ``people``.

    A coach looks for these two kinds of people on a map, so they are named on it. Only people who are named
    at all (in-degree > 0) or lie between others (betweenness > 0) qualify; equal scores are broken by id, so
    the same data always name the same people. ``among``: only these ids (the people the map shows).
    """
    if k <= 0 or people is None or people.empty:
        return LabelChoice((), ())
    df = people
    if among is not None:
        keep = set(among)
        df = df[df["participant_id"].isin(keep)]
    key = df["participant_id"].map(str)
    named = df.assign(_key=key)[df["in_degree"] > 0].sort_values(
        ["in_degree", "_key"], ascending=[False, True], kind="stable")
    bc = df["betweenness"].astype(float).round(9)
    brokerage = df["brokerage"] if "brokerage" in df else pd.Series(0, index=df.index)
    brokers = df.assign(_key=key, _bc=bc, _br=brokerage)[bc > 0].sort_values(
        ["_bc", "_br", "_key"], ascending=[False, False, True], kind="stable")
    return LabelChoice(tuple(named["participant_id"].head(k)), tuple(brokers["participant_id"].head(k)))


@dataclass(frozen=True)
class Simplified:
    """A drawing's graph after simplifying: everyone stays, some ties are left out of the drawing."""

    graph: nx.DiGraph
    mode: SimplifyMode
    shown_ties: int
    total_ties: int

    @property
    def hidden_ties(self) -> int:
        return self.total_ties - self.shown_ties


def _weight(data: dict) -> float:
    w = data.get("weight", 1.0)
    return float(w) if isinstance(w, int | float) and math.isfinite(w) else 1.0


def backbone_ties(G: nx.DiGraph) -> set[tuple[Hashable, Hashable]]:
    """Every mutual tie, plus each person's strongest tie: the one they name most often (equal weights: the
    more named person, then by id); someone who names nobody keeps the strongest tie that names them.

    Without frequencies (all weights alike) this keeps who names each other and, per person, the tie to
    the most named of the people they name: the skeleton of the network, with nobody cut loose.
    """
    kept = {(u, v) for u, v in G.edges if G.has_edge(v, u)}
    in_deg = dict(G.in_degree())
    for u in G:
        out = [(v, _weight(G.edges[u, v])) for v in G.successors(u)]
        if out:
            v, _ = min(out, key=lambda p: (-p[1], -in_deg[p[0]], str(p[0])))
            kept.add((u, v))
    touched = {x for e in kept for x in e}
    for v in G:
        if v in touched:
            continue
        incoming = [(u, _weight(G.edges[u, v])) for u in G.predecessors(v)]
        if incoming:
            u, _ = min(incoming, key=lambda p: (-p[1], str(p[0])))
            kept.add((u, v))
    return kept


def simplify(G: nx.DiGraph, mode: SimplifyMode = "all", *, min_weight: float = STRONG_TIE_MIN_WEIGHT
             ) -> Simplified:
    """The graph to draw: all ties, only ties of at least ``min_weight`` ("strong"), or the backbone
    (:func:`backbone_ties`). Every person stays on the map, so nobody disappears because a tie was hidden."""
    if mode not in SIMPLIFY_MODES:
        raise ValueError(f"mode must be one of {SIMPLIFY_MODES}, not {mode!r}")
    total = G.number_of_edges()
    if mode == "all":
        return Simplified(G, mode, total, total)
    if mode == "strong":
        keep = {(u, v) for u, v, d in G.edges(data=True) if _weight(d) >= min_weight}
    else:
        keep = backbone_ties(G)
    H = G.copy()
    H.remove_edges_from([e for e in G.edges if e not in keep])
    return Simplified(H, mode, H.number_of_edges(), total)


def find_options(G: nx.Graph) -> dict[Hashable, str]:
    """Each person (or organisation) of a map by the name a picker shows: the label, with the id in brackets
    when they differ (so a code and a name can both be typed), sorted by that name."""
    names = {}
    for v, d in G.nodes(data=True):
        label = str(d.get("label") or v)
        names[v] = label if label == str(v) else f"{label} ({v})"
    return dict(sorted(names.items(), key=lambda item: (item[1].lower(), str(item[0]))))


def contacts(G: nx.Graph, v: Hashable) -> set[Hashable]:
    """The people ``v`` has a tie with, in either direction (whom a highlight keeps beside them)."""
    if v not in G:
        return set()
    if G.is_directed():
        return (set(G.predecessors(v)) | set(G.successors(v))) - {v}
    return set(G.neighbors(v)) - {v}
