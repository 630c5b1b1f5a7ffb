"""Tie graphs as files for Gephi and other tools (GEXF, GraphML), with the measures as node attributes."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from analytics.draw.export import safe_cell
from analytics.measures.network import NODE_COLUMNS

# --------------------------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------------------------

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(v: Any) -> str:
    """Text for an XML attribute: characters XML cannot hold removed, and text that a spreadsheet would run
    as a formula (Gephi's data laboratory exports to CSV; GraphML opens in Excel) neutralised as in CSV
    exports (``export.safe_cell``). Numbers are never changed: a negative measure stays a number."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, str):
        return safe_cell(_XML_BAD.sub("", v))
    return _XML_BAD.sub("", str(v))


def _export_graph(G: nx.Graph) -> nx.Graph:
    """Copy with string node attributes (None -> ""), numeric edge weights and XML-safe text."""
    H = nx.DiGraph() if G.is_directed() else nx.Graph()
    H.add_nodes_from(
        (_xml_text(v), {str(k): _xml_text(x) for k, x in d.items()}) for v, d in G.nodes(data=True)
    )
    for u, v, d in G.edges(data=True):
        attrs: dict[str, Any] = {}
        for k, x in d.items():
            if isinstance(x, bool | np.bool_):
                attrs[str(k)] = _xml_text(x)
            elif isinstance(x, int | float | np.integer | np.floating) and not (
                isinstance(x, float) and math.isnan(x)
            ):
                attrs[str(k)] = float(x)
            else:
                attrs[str(k)] = _xml_text(x)
        H.add_edge(_xml_text(u), _xml_text(v), **attrs)
    return H


def to_gexf(G: nx.Graph) -> bytes:
    """GEXF (Gephi) bytes; node attributes as text, None as ""."""
    buf = io.BytesIO()
    nx.write_gexf(_export_graph(G), buf)
    return buf.getvalue()


def to_graphml(G: nx.Graph) -> bytes:
    """GraphML bytes (yEd, Gephi, R igraph); node attributes as text, None as ""."""
    buf = io.BytesIO()
    nx.write_graphml(_export_graph(G), buf)
    return buf.getvalue()


def with_measures(G: nx.DiGraph, person_df: pd.DataFrame, columns: Iterable[str] | None = None) -> nx.DiGraph:
    """A copy of ``G`` with person measures as node attributes, e.g. for an export Gephi can colour by."""
    H = G.copy()
    cols = list(columns) if columns is not None else [c for c in person_df.columns if c not in NODE_COLUMNS]
    recs = person_df.set_index("participant_id")[cols].to_dict("index")
    for v, rec in recs.items():
        if v in H:
            H.nodes[v].update({k: (x.item() if isinstance(x, np.generic) else x) for k, x in rec.items()})
    return H
