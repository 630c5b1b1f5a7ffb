"""Learning ties as a graph: building it safely, the measures a network looks at, comparing periods.

Pure functions over pandas DataFrames and networkx graphs; no Streamlit. A tie ``source -> target`` means
"source learns from / asks advice of target" (see ``definitions/tables.toml``), so a high in-degree marks
someone many people learn from.

Typical use::

    G, warnings = build_graph(nodes, edges)
    summary, people = measure_all(G, betweenness_k=suggest_betweenness_k(len(G), G.number_of_edges()))
    positions = layout(G_all_periods)  # analytics.draw.layout: once per network, reused for every period
    html = tie_map_html(G, positions, person_df=people)  # analytics.draw.tie_map
"""

from __future__ import annotations

import math
import random
import threading
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from analytics import decisions
from analytics.decisions import (
    STRONG_TIE_MIN_WEIGHT,
    betweenness_sample,
    betweenness_seconds,
    measures_seconds,
    own_share,
    split_search,
    usable_cores,
)
from analytics.keyed_text import KeyedText
from analytics.measures.betweenness_parts import Search

NODE_COLUMNS = ("participant_id", "label", "organisation", "role", "external")
EDGE_COLUMNS = ("source", "target", "weight", "tie_type", "topic", "channel")
EDGE_TEXT_COLUMNS = ("tie_type", "topic", "channel")
BROKERAGE_ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")
PERSON_COLUMNS = (
    "participant_id",
    "label",
    "organisation",
    "role",
    "external",
    "in_degree",
    "out_degree",
    "in_weight",
    "out_weight",
    "betweenness",
    "community",
    *BROKERAGE_ROLES,
    "brokerage",
    "isolate",
)
TOP_N = 10


# --------------------------------------------------------------------------------------------------------------
# Building the graph
# --------------------------------------------------------------------------------------------------------------


class GraphNote(KeyedText):
    """A repair :func:`build_graph` made, as an English sentence (the CLI and JSON print it) that also carries
    a ``code`` and its figures, so a page can say it in its own language (``ties.note_<code>``)."""


def _clean_text(values: pd.Series) -> list[str | None]:
    """Strings stripped; missing and blank become None (a blank organisation is an unknown one)."""
    out: list[str | None] = []
    for v in values.tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            out.append(None)
            continue
        s = str(v).strip()
        out.append(s or None)
    return out


def _ids(values: pd.Series) -> pd.Series:
    """Ids as stripped strings, missing stays missing (so "12" and 12 name the same person)."""
    s = values.astype("object")
    mask = s.isna()
    s = s.where(mask, s.astype(str).str.strip())
    return s.where(~mask & (s != ""), None)


def _bool(v: Any) -> bool:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return False
    if isinstance(v, str):
        return v.strip().lower() in {"1", "true", "yes", "ja", "waar", "y", "j"}
    return bool(v)


def _join_distinct(rows: pd.DataFrame, col: str) -> dict[tuple[str, str], str]:
    """(source, target) -> distinct non-empty values of ``col`` joined with "; " (sorted)."""
    sub = rows[["source", "target", col]].dropna().drop_duplicates().sort_values(col, kind="stable")
    out: dict[tuple[str, str], list[str]] = {}
    for s, t, v in zip(sub["source"].tolist(), sub["target"].tolist(), sub[col].tolist(), strict=True):
        out.setdefault((s, t), []).append(str(v))
    return {k: "; ".join(v) for k, v in out.items()}


def _repaired(nodes: pd.DataFrame | None, edges: pd.DataFrame | None
              ) -> tuple[pd.DataFrame, pd.DataFrame, list[GraphNote]]:
    """The node and tie rows :func:`build_graph` keeps, ids and weights repaired, and what was repaired (the
    duplicate ties are merged by the caller, which knows what it needs of them)."""
    warnings: list[str] = []
    nodes = nodes.copy() if nodes is not None else pd.DataFrame(columns=list(NODE_COLUMNS))
    edges = edges.copy() if edges is not None else pd.DataFrame(columns=list(EDGE_COLUMNS))
    for col in NODE_COLUMNS:
        if col not in nodes.columns:
            nodes[col] = None
    for col in EDGE_COLUMNS:
        if col not in edges.columns:
            edges[col] = None

    # ---- nodes
    nodes["participant_id"] = _ids(nodes["participant_id"])
    n_missing_id = int(nodes["participant_id"].isna().sum())
    if n_missing_id:
        warnings.append(GraphNote(f"{n_missing_id} participant row(s) without an id were skipped.", "no_id",
                                  n=n_missing_id))
        nodes = nodes[nodes["participant_id"].notna()]
    dup = nodes["participant_id"].duplicated()
    if dup.any():
        warnings.append(GraphNote(f"{int(dup.sum())} duplicate participant id(s): the first row of each was kept.",
                                  "duplicate_id", n=int(dup.sum())))
        nodes = nodes[~dup]

    # ---- edges
    edges["source"] = _ids(edges["source"])
    edges["target"] = _ids(edges["target"])
    incomplete = edges["source"].isna() | edges["target"].isna()
    if incomplete.any():
        warnings.append(GraphNote(f"{int(incomplete.sum())} tie(s) without a source or target were skipped.",
                                  "incomplete", n=int(incomplete.sum())))
        edges = edges[~incomplete]
    loops = edges["source"] == edges["target"]
    if loops.any():
        warnings.append(GraphNote(f"{int(loops.sum())} self-loop(s) (someone naming themself) were dropped.",
                                  "self_loop", n=int(loops.sum())))
        edges = edges[~loops]
    weight = pd.to_numeric(edges["weight"], errors="coerce").astype(float)
    n_nan = int(weight.isna().sum())
    if n_nan and edges["weight"].notna().any():
        warnings.append(GraphNote(f"{n_nan} tie(s) without a usable weight were given weight 1.", "no_weight",
                                  n=n_nan))
    weight = weight.fillna(1.0)
    if (weight < 0).any():
        warnings.append(GraphNote(f"{int((weight < 0).sum())} tie(s) with a negative weight were set to 0.",
                                  "negative_weight", n=int((weight < 0).sum())))
        weight = weight.clip(lower=0.0)
    edges = edges.assign(weight=weight, count=1)[["source", "target", "weight", "count", *EDGE_TEXT_COLUMNS]]
    return nodes, edges, warnings


def build_graph(nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[nx.DiGraph, list[GraphNote]]:
    """Build the directed tie graph of one network and period, and say what had to be repaired.

    Repairs, each reported once in the returned warnings (English sentences with counts):

    * self-loops (someone naming themself) are dropped;
    * duplicate ``(source, target)`` pairs are merged into one tie: weights summed, distinct
      ``tie_type``/``topic``/``channel`` values joined with "; ", ``count`` = number of rows merged;
    * ties naming an id missing from ``nodes`` add that id as a node with ``external=True`` (someone from
      outside the participant list), label = id;
    * rows without a source or target, duplicate participant ids (first kept), missing weights (-> 1) and
      negative weights (-> 0).

    Node attributes: ``label`` (never empty: falls back to the id), ``organisation``, ``role`` (None when
    unknown), ``external`` (bool). Edge attributes: ``weight`` (float), ``count``, ``tie_type``, ``topic``,
    ``channel``. Ids are strings.

    >>> G, w = build_graph(pd.DataFrame({"participant_id": ["a"]}), pd.DataFrame({"source": ["a"], "target": ["b"]}))
    >>> sorted(G.nodes), w
    (['a', 'b'], ['1 person named in ties but missing from the participant list was added as external.'])
    """
    nodes, edges, warnings = _repaired(nodes, edges)
    for col in EDGE_TEXT_COLUMNS:  # object dtype keeps None (pandas' str dtype would turn it into NaN)
        edges[col] = pd.Series(_clean_text(edges[col]), index=edges.index, dtype=object)

    is_dup = edges.duplicated(["source", "target"], keep=False)
    if is_dup.any():
        many = edges[is_dup]
        merged = many.groupby(["source", "target"], sort=False, as_index=False).agg(
            weight=("weight", "sum"), count=("count", "sum")
        )
        keys = list(zip(merged["source"].tolist(), merged["target"].tolist(), strict=True))
        for col in EDGE_TEXT_COLUMNS:
            joined = _join_distinct(many, col)
            merged[col] = pd.Series([joined.get(k) for k in keys], index=merged.index, dtype=object)
        n_extra = int(is_dup.sum()) - len(merged)
        warnings.append(GraphNote(
            f"{n_extra} duplicate tie row(s) were merged: {len(merged)} tie(s) were named more than once "
            "(weights summed).", "merged", n=n_extra, ties=len(merged)))
        edges = pd.concat([edges[~is_dup], merged], ignore_index=True)

    # ---- unknown ids in ties become external nodes
    known = set(nodes["participant_id"].tolist())
    ends = pd.unique(pd.concat([edges["source"], edges["target"]], ignore_index=True))
    unknown = sorted(v for v in ends.tolist() if v not in known)
    if unknown:
        noun = "person" if len(unknown) == 1 else "people"
        warnings.append(GraphNote(
            f"{len(unknown)} {noun} named in ties but missing from the participant list "
            f"{'was' if len(unknown) == 1 else 'were'} added as external.", "external", n=len(unknown)))

    G = nx.DiGraph()
    ids = nodes["participant_id"].tolist()
    labels = _clean_text(nodes["label"])
    orgs = _clean_text(nodes["organisation"])
    roles = _clean_text(nodes["role"])
    externals = [_bool(v) for v in nodes["external"].tolist()]
    G.add_nodes_from(
        (pid, {"label": lab or pid, "organisation": org, "role": role, "external": ext})
        for pid, lab, org, role, ext in zip(ids, labels, orgs, roles, externals, strict=True)
    )
    G.add_nodes_from(
        (pid, {"label": pid, "organisation": None, "role": None, "external": True}) for pid in unknown
    )
    cols = [edges[c].tolist() for c in ("source", "target", "weight", "count", *EDGE_TEXT_COLUMNS)]
    G.add_edges_from(
        (s, t, {"weight": float(w), "count": int(c), "tie_type": tt, "topic": tp, "channel": ch})
        for s, t, w, c, tt, tp, ch in zip(*cols, strict=True)
    )
    return G, warnings


# --------------------------------------------------------------------------------------------------------------
# Shared building blocks
# --------------------------------------------------------------------------------------------------------------


def undirected(G: nx.Graph) -> nx.Graph:
    """The simple undirected graph of ``G`` with weights of ``u->v`` and ``v->u`` summed.

    Nodes and edges are added in sorted order so that seeded algorithms (Leiden) give the same answer
    whatever order the data came in. ``G.to_undirected()`` would keep only one direction's weight.
    """
    core = _Core.of(G)
    U = nx.Graph()
    U.add_nodes_from(core.ids)
    ids = core.ids
    U.add_weighted_edges_from(
        (ids[a], ids[b], x) for a, b, x in zip(core.lo.tolist(), core.hi.tolist(), core.uw.tolist(), strict=True)
    )
    return U


def edge_frame(G: nx.Graph) -> pd.DataFrame:
    """Ties of ``G`` as a DataFrame (source, target, weight) for vectorised counting."""
    rows = list(G.edges(data="weight", default=1.0))
    return pd.DataFrame(rows, columns=["source", "target", "weight"]).astype({"weight": float})


@dataclass(eq=False)
class _Core:
    """A graph as arrays over its sorted ids: directed ties (self-loops dropped) and the undirected pairs with
    both directions' weights summed. Built once per :func:`measure_all`; the igraph graphs come from it."""

    ids: list
    src: np.ndarray
    tgt: np.ndarray
    w: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    uw: np.ndarray

    @classmethod
    def of(cls, G: nx.Graph) -> _Core:
        ids = sorted(G.nodes)
        index = {v: i for i, v in enumerate(ids)}
        rows = [(index[u], index[v], x) for u, v, x in G.edges(data="weight", default=1.0) if u != v]
        arr = np.array([(a, b) for a, b, _ in rows], dtype=np.int64).reshape(-1, 2)
        w = np.array([float(x) for _, _, x in rows], dtype=float)
        src, tgt = arr[:, 0], arr[:, 1]
        if not G.is_directed():  # both arcs, as a directed graph sees an undirected tie
            src, tgt, w = np.concatenate([src, tgt]), np.concatenate([tgt, src]), np.concatenate([w, w])
        n = len(ids)
        key = np.minimum(src, tgt) * max(n, 1) + np.maximum(src, tgt)
        pairs, inverse = np.unique(key, return_inverse=True)
        uw = np.bincount(inverse, weights=w, minlength=len(pairs)) if len(pairs) else np.zeros(0)
        if not G.is_directed():
            uw = uw / 2  # each undirected tie was counted from both ends
        return cls(ids, src, tgt, w, pairs // max(n, 1), pairs % max(n, 1), uw)

    @property
    def n(self) -> int:
        return len(self.ids)

    @cached_property
    def undirected_igraph(self) -> ig.Graph:
        g = ig.Graph(n=self.n, edges=np.column_stack([self.lo, self.hi]), directed=False)
        g.es["weight"] = self.uw.tolist()
        return g

    @cached_property
    def directed_igraph(self) -> ig.Graph:
        return ig.Graph(n=self.n, edges=np.column_stack([self.src, self.tgt]), directed=True)


_RNG_LOCK = threading.Lock()


def _seeded(seed: int, fn):
    """Run an igraph call that draws random numbers with its own seeded generator (igraph's is global, so a
    lock keeps two page reruns from sharing it)."""
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            return fn()
        finally:
            ig.set_random_number_generator(random)


def betweenness(G: nx.Graph, k: int | None = None, seed: int = 42) -> dict[Hashable, float]:
    """Normalised, unweighted betweenness, equal to ``nx.betweenness_centrality(G, k, seed=seed)``.

    Weights are frequencies (more = closer), not distances, so they are not used as path lengths. With
    ``k < n`` only ``k`` sampled sources are searched (the same sample and rescaling as networkx). Brandes'
    algorithm runs in igraph's C core, split over the cores when that pays (:mod:`betweenness_parts`): exact
    for 2,000 people / 13,600 ties in 0.2 s, 10,000 / 82,600 in 3.7 s on two cores (6.6 s on one); the page's
    rule samples above a budget (``decisions.betweenness_sample``).
    """
    return _betweenness(G, k, seed, None)


def _betweenness(G: nx.Graph, k: int | None, seed: int, core: _Core | None) -> dict[Hashable, float]:
    with _BetweennessSearch(G, k, seed, core) as search:
        return search.values()


class _BetweennessSearch:
    """:func:`betweenness` started: when the search is split, the helper processes run from here on, and the
    caller can compute other measures before :meth:`values` searches this process's share. ``meanwhile_s``
    (expected seconds of that other work) gives this process fewer sources, so the two sides end together."""

    def __init__(self, G: nx.Graph, k: int | None, seed: int, core: _Core | None, meanwhile_s: float = 0.0):
        nodes = list(G)  # networkx samples from this order
        self.nodes, n = nodes, len(nodes)
        self.search = None
        if n < 3 or G.number_of_edges() == 0:
            return
        self.core = core = _Core.of(G) if core is None else core
        self.sampled = sampled = k is not None and k < n
        sources = None
        if sampled:
            index = {v: i for i, v in enumerate(core.ids)}
            sources = np.array([index[v] for v in random.Random(seed).sample(nodes, k)], dtype=np.int64)
        self.k, self.sources = k, sources
        searched = k if sampled else n
        one_core = betweenness_seconds(searched, n, len(core.src))
        parts = usable_cores() if split_search(one_core) else 1
        self.search = Search(core.n, core.src, core.tgt, sources, parts=parts, graph=core.directed_igraph,
                             own_share=own_share(parts, one_core, meanwhile_s) if parts > 1 else None)

    def values(self) -> dict[Hashable, float]:
        if self.search is None:
            return dict.fromkeys(self.nodes, 0.0)
        core, n, k, sources = self.core, len(self.nodes), self.k, self.sources
        total = self.search.totals()
        if self.sampled:
            scale = np.full(n, 1.0 / (k * (n - 2)))  # networkx' rescaling for sampled sources without endpoints
            scale[sources] = 1.0 / ((k - 1) * (n - 2)) if k > 1 else math.nan
        else:
            scale = np.full(n, 1.0 / ((n - 1) * (n - 2)))
        values = dict(zip(core.ids, (total * scale).tolist(), strict=True))
        return {v: values[v] for v in self.nodes}

    def __enter__(self) -> _BetweennessSearch:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.search is not None:
            self.search.__exit__(*exc)


def suggest_betweenness_k(n: int, m: int, budget_s: float | None = None, cores: int | None = None) -> int | None:
    """How many sample sources keep :func:`betweenness` within its time budget; None when exact fits.

    The rule is the product's (``decisions.betweenness_sample``); ``budget_s`` overrides its budget and
    ``cores`` the cores it may split the search over (this process's, by default).
    """
    return betweenness_sample(n, m, budget_s=budget_s, cores=cores)


def communities(G: nx.Graph, seed: int = 42) -> list[set]:
    """Leiden communities (modularity, weighted) of the undirected graph, largest first (ties: smallest id
    first).

    igraph's Leiden, ``decisions.LEIDEN_MAX_ITERATIONS`` iterations; its modularity is at least networkx' Louvain's on our test graphs
    (tests/test_tie_measures.py states the tolerance). Isolated people form a community of their own each.
    """
    return _communities(_Core.of(G), seed)


def _communities(core: _Core, seed: int, g: ig.Graph | None = None) -> list[set]:
    if core.n == 0:
        return []
    if len(core.lo) == 0:
        membership = list(range(core.n))
    else:
        g = g if g is not None else core.undirected_igraph
        weights = "weight" if float(core.uw.sum()) > 0 else None
        part = _seeded(seed, lambda: _leiden(g, weights))
        membership = part.membership
    groups: dict[int, set] = {}
    for v, c in zip(core.ids, membership, strict=True):
        groups.setdefault(c, set()).add(v)
    return sorted(groups.values(), key=lambda c: (-len(c), min(c)))


def _leiden(g: ig.Graph, weights: str | None) -> ig.VertexClustering:
    """Leiden on modularity, ``LEIDEN_MAX_ITERATIONS`` iterations (to convergence on the demo's networks)."""
    return g.community_leiden(objective_function="modularity", weights=weights,
                              n_iterations=decisions.LEIDEN_MAX_ITERATIONS)


def _top(values: Mapping[Hashable, float], n: int = TOP_N) -> list:
    ranked = sorted(((v, x) for v, x in values.items() if x > 0), key=lambda vx: (-vx[1], vx[0]))
    return [v for v, _ in ranked[:n]]


def _ei(src_attr: pd.Series, tgt_attr: pd.Series) -> float | None:
    known = src_attr.notna() & tgt_attr.notna()
    if not known.any():
        return None
    external = int((src_attr[known] != tgt_attr[known]).sum())
    internal = int(known.sum()) - external
    return (external - internal) / (external + internal)


# --------------------------------------------------------------------------------------------------------------
# Network level
# --------------------------------------------------------------------------------------------------------------


def network_shape(G: nx.DiGraph, *, core: _Core | None = None) -> dict[str, float]:
    """Clustering and degree centralisation alone, as :func:`network_measures` computes them: what a view
    over periods needs, without betweenness and communities (at 10,000 people / 100,000 ties those took 4 s
    per period, for two numbers that do not use them)."""
    n = G.number_of_nodes()
    core = _Core.of(G) if core is None else core
    deg = np.bincount(np.concatenate([core.lo, core.hi]), minlength=core.n).tolist()
    max_deg = max(deg, default=0)
    return {
        "clustering": core.undirected_igraph.transitivity_avglocal_undirected(mode="zero") if n else 0.0,
        "degree_centralization": sum(max_deg - d for d in deg) / ((n - 1) * (n - 2)) if n >= 3 else 0.0,
    }


def network_measures(
    G: nx.DiGraph,
    strong_threshold: float = STRONG_TIE_MIN_WEIGHT,
    seed: int = 42,
    betweenness_k: int | None = None,
    *,
    betweenness_values: Mapping[Hashable, float] | None = None,
    partition: list[set] | None = None,
    core: _Core | None = None,
) -> dict[str, Any]:
    """Whole-network figures for one network and period.

    Counts are of distinct directed ties; ``clustering``, ``degree_centralization``, ``weak_components``
    and Leiden use the undirected graph (weights of both directions summed). The E-I index counts ties
    whose two ends both have the attribute: -1 all inside the group, +1 all across. Shares over no ties
    are 0.0, except ``cross_organisation_share`` and ``ei_index`` values, which are None when no tie has a
    known organisation (resp. attribute) at both ends: "unknown" is not "none".

    Pass ``betweenness_values``/``partition`` (from :func:`betweenness`, :func:`communities`) to reuse work
    already done; see :func:`measure_all`. Clustering, components and modularity are computed by igraph and
    equal networkx' ``average_clustering``, ``number_connected_components`` and ``modularity``.
    """
    n = G.number_of_nodes()
    m = G.number_of_edges()
    core = _Core.of(G) if core is None else core
    g = core.undirected_igraph
    deg = np.bincount(np.concatenate([core.lo, core.hi]), minlength=core.n)
    degrees = dict(zip(core.ids, deg.tolist(), strict=True))
    isolates = [v for v, d in zip(core.ids, deg.tolist(), strict=True) if d == 0]

    ef = edge_frame(G)
    org = nx.get_node_attributes(G, "organisation")
    role = nx.get_node_attributes(G, "role")
    src_org, tgt_org = ef["source"].map(org), ef["target"].map(org)
    src_role, tgt_role = ef["source"].map(role), ef["target"].map(role)
    both_org = src_org.notna() & tgt_org.notna()
    cross_org = int((both_org & (src_org != tgt_org)).sum())
    strong = int((ef["weight"] >= strong_threshold).sum())

    if betweenness_values is None:
        betweenness_values = betweenness(G, betweenness_k, seed)
    if partition is None:
        partition = _communities(core, seed, g)
    community_of = {v: i for i, c in enumerate(partition) for v in c}
    n_pairs = len(core.lo)
    if n_pairs:
        index = {v: i for i, v in enumerate(core.ids)}
        membership = [0] * n
        for i, c in enumerate(partition):
            for v in c:
                membership[index[v]] = i
        modularity = g.modularity(membership, weights="weight" if float(core.uw.sum()) > 0 else None)
    else:
        modularity = 0.0

    reciprocal_pairs = m - n_pairs
    shape = network_shape(G, core=core)
    return {
        "nodes": n,
        "edges": m,
        "density": m / (n * (n - 1)) if n >= 2 else 0.0,
        "reciprocity": 2 * reciprocal_pairs / m if m else 0.0,
        "weak_components": len(g.connected_components()) if n else 0,
        "isolates": isolates,
        "clustering": shape["clustering"],
        "avg_in_degree": m / n if n else 0.0,
        "avg_out_degree": m / n if n else 0.0,
        "degree_centralization": shape["degree_centralization"],
        "ei_index": {"organisation": _ei(src_org, tgt_org), "role": _ei(src_role, tgt_role)},
        "cross_organisation_share": cross_org / int(both_org.sum()) if both_org.any() else None,
        "strong_share": strong / m if m else 0.0,
        "weak_share": (m - strong) / m if m else 0.0,
        "communities": len(partition),
        "modularity": float(modularity),
        "community_of": community_of,
        "top_betweenness": _top(betweenness_values),
        "top_in_degree": _top(dict(G.in_degree()) if G.is_directed() else degrees),
        "betweenness_sampled": betweenness_k is not None and betweenness_k < n,
        "betweenness_sources": betweenness_k if betweenness_k is not None and betweenness_k < n else None,
    }


# --------------------------------------------------------------------------------------------------------------
# Person level
# --------------------------------------------------------------------------------------------------------------


def brokerage(G: nx.DiGraph, attribute: str = "organisation", *, open_only: bool = True) -> pd.DataFrame:
    """Gould & Fernandez (1989) brokerage roles per broker ``b`` over two-paths ``a -> b -> c`` (``a != c``).

    Roles by group (``attribute``, e.g. school): coordinator (a, b, c same), gatekeeper (a outside; b, c
    same), representative (a, b same; c outside), consultant (a, c same; b different; G&F's "itinerant"),
    liaison (all three different). Only two-paths whose three people all have a known group count.

    ``open_only=True`` (default) counts only two-paths where ``a -> c`` is absent, as Gould & Fernandez define
    brokerage (mediating between two who are not directly tied) and as R ``sna::brokerage`` and UCINET
    compute it; ``open_only=False`` counts every two-path.

    Cost: one pass over the ties into each broker plus set intersections for the closed two-paths.
    """
    group = nx.get_node_attributes(G, attribute)
    counts = {v: [0, 0, 0, 0, 0] for v in G}
    succ_known = {v: {c for c in G.successors(v) if group.get(c) is not None} for v in G}
    for b in G:
        gb = group.get(b)
        S = succ_known[b]
        if gb is None or not S:
            continue
        by_group = Counter(group[c] for c in S)
        in_g = by_group[gb]
        s_known = len(S)
        row = counts[b]
        for a in G.predecessors(b):
            ga = group.get(a)
            if ga is None:
                continue
            closed = (succ_known[a] & S) if open_only else set()
            if a in S:
                closed.add(a)  # a -> b -> a is no brokerage
            cl_g = cl_a = 0
            for c in closed:
                gc = group[c]
                cl_g += gc == gb
                cl_a += gc == ga
            open_known = s_known - len(closed)
            open_g = in_g - cl_g
            if ga == gb:
                row[0] += open_g  # coordinator
                row[2] += open_known - open_g  # representative
            else:
                open_a = by_group[ga] - cl_a
                row[1] += open_g  # gatekeeper
                row[3] += open_a  # consultant
                row[4] += open_known - open_g - open_a  # liaison
    ids = list(counts)
    out = pd.DataFrame([counts[v] for v in ids], columns=list(BROKERAGE_ROLES), dtype="int64")
    out.insert(0, "participant_id", ids)
    return out


def person_measures(
    G: nx.DiGraph,
    seed: int = 42,
    betweenness_k: int | None = None,
    *,
    betweenness_values: Mapping[Hashable, float] | None = None,
    partition: list[set] | None = None,
    open_only: bool = True,
) -> pd.DataFrame:
    """One row per person: degrees, weighted degrees, betweenness, community, brokerage roles, isolate.

    Columns: see ``PERSON_COLUMNS``. ``brokerage`` is the sum of the five roles across organisations
    (see :func:`brokerage` for the definition and ``open_only``). Rows sorted by participant_id.
    """
    if G.number_of_nodes() == 0:
        return pd.DataFrame({c: pd.Series(dtype=_PERSON_DTYPES.get(c, "object")) for c in PERSON_COLUMNS})
    if betweenness_values is None:
        betweenness_values = betweenness(G, betweenness_k, seed)
    if partition is None:
        partition = communities(G, seed)
    community_of = {v: i for i, c in enumerate(partition) for v in c}
    ids = sorted(G.nodes)
    data = G.nodes
    in_deg, out_deg = dict(G.in_degree()), dict(G.out_degree())
    in_w, out_w = dict(G.in_degree(weight="weight")), dict(G.out_degree(weight="weight"))
    df = pd.DataFrame(
        {
            "participant_id": ids,
            "label": pd.Series([data[v].get("label", v) for v in ids], dtype=object),
            "organisation": pd.Series([data[v].get("organisation") for v in ids], dtype=object),
            "role": pd.Series([data[v].get("role") for v in ids], dtype=object),
            "external": [bool(data[v].get("external", False)) for v in ids],
            "in_degree": [in_deg[v] for v in ids],
            "out_degree": [out_deg[v] for v in ids],
            "in_weight": [float(in_w[v]) for v in ids],
            "out_weight": [float(out_w[v]) for v in ids],
            "betweenness": [float(betweenness_values.get(v, 0.0)) for v in ids],
            "community": [community_of.get(v, -1) for v in ids],
        }
    )
    roles = brokerage(G, "organisation", open_only=open_only).set_index("participant_id").loc[ids]
    for r in BROKERAGE_ROLES:
        df[r] = roles[r].to_numpy()
    df["brokerage"] = df[list(BROKERAGE_ROLES)].sum(axis=1).astype("int64")
    df["isolate"] = (df["in_degree"] + df["out_degree"]) == 0
    return df[list(PERSON_COLUMNS)]


_PERSON_DTYPES = {
    "external": "bool",
    "in_degree": "int64",
    "out_degree": "int64",
    "in_weight": "float64",
    "out_weight": "float64",
    "betweenness": "float64",
    "community": "int64",
    "brokerage": "int64",
    "isolate": "bool",
    **dict.fromkeys(BROKERAGE_ROLES, "int64"),
}


def measure_all(
    G: nx.DiGraph,
    strong_threshold: float = STRONG_TIE_MIN_WEIGHT,
    seed: int = 42,
    betweenness_k: int | None = None,
    *,
    open_only: bool = True,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """:func:`network_measures` and :func:`person_measures` sharing one betweenness and one Leiden run.

    For big networks pass ``betweenness_k=suggest_betweenness_k(n, m)`` (the product's sampling rule): 10,000
    people / 100,000 ties then take about 5 s on 2 cores (bench ``graph_engines``).
    """
    core = _Core.of(G)
    # When betweenness is split over helper processes, everything else is computed while they search; this
    # process then takes fewer sources (at 10,000 people / 100,000 ties exact: 5.2 s one after the other).
    with _BetweennessSearch(G, betweenness_k, seed, core,
                            meanwhile_s=measures_seconds(len(core.ids), len(core.src))) as search:
        part = _communities(core, seed)
        summary = network_measures(
            G, strong_threshold, seed, betweenness_k, betweenness_values={}, partition=part, core=core
        )
        people = person_measures(
            G, seed, betweenness_k, betweenness_values={}, partition=part, open_only=open_only
        )
        bc = search.values()
    summary["top_betweenness"] = _top(bc)
    people["betweenness"] = people["participant_id"].map(bc).astype("float64")
    return summary, people


def bridges(person_df: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` people who most connect organisations: cross-organisation brokerage, then betweenness.

    Cross-organisation brokerage = all roles but coordinator. People scoring 0 on both are left out, so the
    list can be shorter than ``n`` (an empty list is an answer: nobody links the schools).
    """
    cross = person_df[["gatekeeper", "representative", "consultant", "liaison"]].sum(axis=1)
    out = person_df.assign(cross_brokerage=cross)
    out = out[(out["cross_brokerage"] > 0) | (out["betweenness"] > 0)]
    out = out.sort_values(
        ["cross_brokerage", "betweenness", "participant_id"], ascending=[False, False, True], kind="stable"
    )
    return out.head(n).reset_index(drop=True)


def isolated(person_df: pd.DataFrame) -> list[str]:
    """Ids of people without any tie in this period (sorted)."""
    return sorted(person_df.loc[person_df["isolate"], "participant_id"].tolist())


# --------------------------------------------------------------------------------------------------------------
# Organisations and periods
# --------------------------------------------------------------------------------------------------------------


def _org_edges(G: nx.Graph, unknown_label: str | None, groups: Mapping | None = None) -> pd.DataFrame:
    org = nx.get_node_attributes(G, "organisation") if groups is None else groups
    return _with_orgs(edge_frame(G), org, unknown_label)


def _with_orgs(ef: pd.DataFrame, org: Mapping, unknown_label: str | None) -> pd.DataFrame:
    ef["source_org"] = ef["source"].map(org)
    ef["target_org"] = ef["target"].map(org)
    if unknown_label is None:
        return ef.dropna(subset=["source_org", "target_org"])
    return ef.fillna({"source_org": unknown_label, "target_org": unknown_label})


def organisation_matrix(G: nx.DiGraph, unknown_label: str | None = None) -> pd.DataFrame:
    """Tie counts between organisations: rows = the organisation of the source (who learns), columns = target.

    Ties with an end of unknown organisation are left out, or counted under ``unknown_label`` when given.
    Every organisation that has members appears as a row and a column (zeros included), sorted by name.
    """
    ef = _org_edges(G, unknown_label)
    orgs_in_graph = {
        o if o is not None else unknown_label for o in nx.get_node_attributes(G, "organisation").values()
    }
    orgs = sorted(o for o in orgs_in_graph if o is not None)
    mat = pd.crosstab(ef["source_org"], ef["target_org"]) if len(ef) else pd.DataFrame()
    mat = mat.reindex(index=orgs, columns=orgs, fill_value=0).fillna(0).astype("int64")
    mat.index.name, mat.columns.name = "source_organisation", "target_organisation"
    return mat


def organisation_graph(
    G: nx.DiGraph, unknown_label: str | None = None, groups: Mapping[Hashable, str] | None = None
) -> nx.DiGraph:
    """Organisations as nodes, ties between them as weighted edges: a map of the schools.

    ``groups`` (person -> group name, e.g. "Community 3") replaces the organisation as what is grouped.

    Node attributes: ``label``/``organisation`` (the name), ``role`` None, ``external`` False, ``members``,
    ``internal_ties`` (ties inside the organisation). Edge attributes: ``weight`` = number of ties
    (so a map's ``strong_threshold`` means "at least that many ties"), ``weight_sum`` = summed tie weights.
    """
    group_of = nx.get_node_attributes(G, "organisation") if groups is None else groups
    return _organisation_graph(edge_frame(G), group_of, unknown_label)


def organisation_graph_of_rows(nodes: pd.DataFrame, edges: pd.DataFrame, unknown_label: str | None = None
                               ) -> nx.DiGraph:
    """:func:`organisation_graph` of ``build_graph(nodes, edges)``, without building the graph of people: a
    map of 10,000 people's organisations is drawn from their rows in a tenth of the time (the repairs are the
    same, so the figures are too)."""
    nodes, edges, _ = _repaired(nodes, edges)
    group_of = dict(zip(nodes["participant_id"].tolist(), _clean_text(nodes["organisation"]), strict=True))
    for end in pd.unique(pd.concat([edges["source"], edges["target"]], ignore_index=True)).tolist():
        group_of.setdefault(end, None)  # named in a tie, not a member: an outside person, organisation unknown
    pairs = edges.groupby(["source", "target"], sort=False, as_index=False)["weight"].sum()
    return _organisation_graph(pairs, group_of, unknown_label)


def organisation_graph_of_counts(members: Mapping[str | None, int], counted: pd.DataFrame,
                                 unknown_label: str | None = None) -> nx.DiGraph:
    """:func:`organisation_graph` from counts: people per organisation (None: unknown) and distinct ties per
    (source_org, target_org) with their summed weights (columns ``ties`` and ``weight_sum``; None: unknown)."""
    OG = nx.DiGraph()
    people: Counter = Counter()
    for o, n in members.items():
        people[o if o is not None else unknown_label] += int(n)
    counted = counted.copy()
    if unknown_label is None:
        counted = counted.dropna(subset=["source_org", "target_org"])
    else:
        counted = counted.fillna({"source_org": unknown_label, "target_org": unknown_label})
    counted = counted.groupby(["source_org", "target_org"], as_index=False)[["ties", "weight_sum"]].sum()
    inside = counted[counted["source_org"] == counted["target_org"]]
    internal = dict(zip(inside["source_org"].tolist(), inside["ties"].tolist(), strict=True))
    for o in sorted(k for k in people if k is not None):
        OG.add_node(o, label=o, organisation=o, role=None, external=False, members=int(people[o]),
                    internal_ties=int(internal.get(o, 0)))
    between = counted[counted["source_org"] != counted["target_org"]].sort_values(["source_org", "target_org"])
    OG.add_edges_from(
        (s, t, {"weight": float(w), "weight_sum": float(ws)})
        for s, t, w, ws in zip(between["source_org"], between["target_org"], between["ties"],
                               between["weight_sum"], strict=True)
    )
    return OG


def _organisation_graph(ties: pd.DataFrame, group_of: Mapping, unknown_label: str | None) -> nx.DiGraph:
    """The organisation graph of distinct ties (source, target, weight) and each person's group."""
    ef = _with_orgs(ties, group_of, unknown_label)
    counted = ef.groupby(["source_org", "target_org"], as_index=False).agg(
        ties=("weight", "size"), weight_sum=("weight", "sum"))
    return organisation_graph_of_counts(Counter(group_of.values()), counted, unknown_label)


def compare_periods(edges_a: pd.DataFrame, edges_b: pd.DataFrame) -> pd.DataFrame:
    """Distinct ties of period A (earlier) against period B: ``new`` (only B), ``kept`` (both), ``dropped``.

    Columns: source, target, status, weight_a, weight_b (summed per pair; 0.0 where absent). Self-loops and
    rows without an end are ignored, as in :func:`build_graph`. Sorted by source, target.
    """

    def distinct(e: pd.DataFrame) -> pd.DataFrame:
        e = pd.DataFrame(
            {
                "source": _ids(e["source"]) if "source" in e else pd.Series(dtype=object),
                "target": _ids(e["target"]) if "target" in e else pd.Series(dtype=object),
                "weight": pd.to_numeric(e["weight"], errors="coerce") if "weight" in e else 1.0,
            }
        )
        e["weight"] = e["weight"].fillna(1.0).astype(float)
        e = e.dropna(subset=["source", "target"])
        e = e[e["source"] != e["target"]]
        return e.groupby(["source", "target"], as_index=False)["weight"].sum()

    a, b = distinct(edges_a), distinct(edges_b)
    both = a.merge(b, on=["source", "target"], how="outer", suffixes=("_a", "_b"), indicator=True)
    status = both["_merge"].astype(str).map({"left_only": "dropped", "right_only": "new", "both": "kept"})
    out = pd.DataFrame(
        {
            "source": both["source"].astype(object),
            "target": both["target"].astype(object),
            "status": status.astype(object),
            "weight_a": both["weight_a"].fillna(0.0).astype(float),
            "weight_b": both["weight_b"].fillna(0.0).astype(float),
        }
    )
    return out.sort_values(["source", "target"], kind="stable").reset_index(drop=True)
