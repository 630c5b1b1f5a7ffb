"""The tie map: a self-contained, offline HTML page drawing a tie graph with vis-network (from pyvis).

This is the only module that touches pyvis, and only for the vis-network files it ships. The page is rendered
from a template of our own, modelled on pyvis' ``template.html`` but without its unsafe or online parts,
because the HTML ends up in an iframe whose sandbox lets script reach the whole app:

* pyvis' "in_line" template still links Bootstrap from a CDN; this page loads nothing from anywhere
  (vis-network JS/CSS are inlined, and a Content-Security-Policy ``default-src 'none'`` forbids fetching);
* pyvis switches to a popup that sets ``innerHTML = title`` as soon as a title contains "href"; we have no
  such popup, and still break up "href" in every text (defence in depth);
* no ``heading``, ``select_menu`` or ``filter_menu`` (written raw / need Bootstrap);
* all data goes through Jinja's ``|tojson`` (``<``, ``>``, ``&``, ``'`` become ``\\u003c`` ...), so a label
  cannot close the ``<script>``; vis-network draws labels on canvas and sets string tooltips as text;
* ``pyvis.Network.add_edge`` scans all nodes per edge (quadratic), so we hand vis the lists directly.

Positions are fixed (see ``tie_measures.layout``) and physics is off: 2,000 people draw in about 2 s.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import pandas as pd
from jinja2 import Environment, Template
from markupsafe import Markup

from analytics import i18n
from analytics.decisions import CATEGORY_PALETTE, CROSS_TIE_COLOR, ROLE_ORDER, STRONG_TIE_MIN_WEIGHT
from analytics.measures.network import communities, person_measures, suggest_betweenness_k

ColorBy = Literal["organisation", "role", "community"]
SizeBy = Literal["degree", "betweenness"]
Status = Literal["new", "kept", "dropped"]

#: Okabe-Ito colours (colour-blind safe) for categories; combined with shapes for more than seven.
#: Node colours: the product's category palette minus the colour that marks ties across organisations.
PALETTE = tuple(c for c in CATEGORY_PALETTE if c != CROSS_TIE_COLOR)
SHAPES = ("dot", "square", "triangle", "diamond")
MAX_CATEGORIES = len(PALETTE) * len(SHAPES)
NODE_BORDER = "#4D4D4D"
UNKNOWN_COLOR = "#FFFFFF"
OTHER_COLOR = "#BBBBBB"
#: Tie styles. Colour is never the only cue: strength is also width and dashes, status also dashes/width.
EDGE_STYLE = {
    "strong": {"color": "#8C8C8C", "width": 3.0, "dashes": False},
    "weak": {"color": "#8C8C8C", "width": 1.0, "dashes": True},
    # no frequency in the data: every tie alike (a weight of 1 everywhere is no evidence of weak ties)
    "unmeasured": {"color": "#8C8C8C", "width": 1.5, "dashes": False},
    "cross": {"color": CROSS_TIE_COLOR},  # kept out of the node palette
    "new": {"color": "#0072B2", "width": 2.5, "dashes": False},
    "kept": {"color": "#B3B3B3", "width": 1.0, "dashes": False},
    "dropped": {"color": "#E69F00", "width": 1.5, "dashes": True},
}
LABEL_MAX = 30
TITLE_LABEL_MAX = 200
EDGE_TITLE_LIMIT = 5000
VIS_DIR = "vis-9.1.2"

#: The keys of the map's own words in translations.toml ([map.*]); role names come from [role.*].
TEXT_KEYS = (
    "role",
    "organisation",
    "unknown",
    "other",
    "external",
    "in_degree",
    "out_degree",
    "betweenness",
    "community",
    "weight",
    "strong",
    "weak",
    "tie_type",
    "topic",
    "channel",
    "cross",
    "new",
    "kept",
    "dropped",
    "strong_tie",
    "weak_tie",
    "unmeasured_tie",
    "cross_tie",
    "external_node",
    "map",
    "people",
    "ties",
    "members",
    "internal_ties",
    "org_ties",
)


def map_words(lang: str) -> dict[str, str]:
    """Every word the map shows, in ``lang``: its own keys plus each role's name (as every table says it)."""
    words = {k: i18n.t(f"map.{k}", lang) for k in TEXT_KEYS}
    for role in ROLE_ORDER:
        words[f"role:{role}"] = i18n.role_label(role, lang)
    return words

_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_HREF = re.compile("href", re.IGNORECASE)

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; \
style-src 'unsafe-inline'; img-src data:; font-src data:">
<style>{{ vis_css }}</style>
<script>{{ vis_js }}</script>
<style>
html, body { margin: 0; padding: 0; background: #ffffff; }
#tie-map { width: 100%; height: {{ height }}px; position: relative; }
div.vis-tooltip { font-family: system-ui, sans-serif; font-size: 13px; white-space: pre-line; max-width: 360px; }
</style>
</head>
<body>
<div id="tie-map" role="img" aria-label="{{ aria_label }}"></div>
<script>
(function () {
  "use strict";
  var nodes = new vis.DataSet({{ nodes|tojson }});
  var edges = new vis.DataSet({{ edges|tojson }});
  var options = {{ options|tojson }};
  var network = new vis.Network(document.getElementById("tie-map"), {nodes: nodes, edges: edges}, options);
  network.fit({animation: false, maxZoomLevel: 1.5});
  window.tieMap = {network: network, nodes: nodes, edges: edges};
})();
</script>
</body>
</html>
"""


@cache
def _environment() -> Environment:
    env = Environment(autoescape=True, keep_trailing_newline=True)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":"), "allow_nan": False}
    return env


@cache
def _template() -> Template:
    return _environment().from_string(_TEMPLATE)


@cache
def _vis_assets() -> tuple[Markup, Markup]:
    """vis-network's JS and CSS as shipped inside pyvis (trusted files of an installed package)."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / VIS_DIR
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():  # would end the inline element early
        raise RuntimeError("vis-network assets cannot be inlined safely")
    return Markup(js), Markup(css)


def edge_width(style_width: float, weight: float) -> float:
    """Heavier (more frequent) ties drawn wider: weight 1 at 0.8x the style's width, 5 and more at 1.6x."""
    return round(style_width * min(1.6, max(0.8, 0.6 + 0.2 * weight)), 2)


def plain_text(value: Any, limit: int | None = None) -> str:
    """Text for a label or tooltip: no control/bidi characters, "href" broken up, optionally shortened.

    Nothing is HTML-escaped: vis-network shows it as text, and escaping would show ``&amp;`` to people.
    """
    s = "" if value is None else str(value)
    s = _CONTROL.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return _HREF.sub(lambda m: m.group(0)[:2] + "\u200b" + m.group(0)[2:], s)


def _fmt(x: float, lang: str, digits: int = 3) -> str:
    s = f"{x:.{digits}f}".rstrip("0").rstrip(".") if not float(x).is_integer() else str(int(x))
    return s.replace(".", ",") if lang == "nl" else s


def _category_values(G: nx.Graph, color_by: str, community: Mapping[Hashable, int]) -> dict[Hashable, Any]:
    if color_by == "community":
        return {v: community.get(v) for v in G}
    if color_by not in ("organisation", "role"):
        raise ValueError(f"color_by must be organisation, role or community, not {color_by!r}")
    return {v: G.nodes[v].get(color_by) for v in G}


def _category_styles(
    values: Mapping[Hashable, Any], color_by: str, order: Sequence | None
) -> dict[Any, tuple[str, str]]:
    """Category -> (colour, shape). Roles and communities get fixed slots; others by ``order`` or by name.

    Beyond ``MAX_CATEGORIES`` the most frequent keep a symbol and the rest share "other".
    """
    counts = Counter(v for v in values.values() if v is not None)
    slot: dict[Any, int] | None = None
    if color_by not in ("role", "community") and order is not None:
        # A fixed slot per listed category, present or not: an organisation keeps its colour in every view.
        listed = list(dict.fromkeys(order))
        slot = {c: i for i, c in enumerate(listed)}
        for c in sorted((c for c in counts if c not in slot), key=str):
            slot[c] = len(slot)
    if color_by == "role":
        ranked = [r for r in ROLE_ORDER if r in counts] + sorted(
            str(r) for r in counts if r not in ROLE_ORDER
        )
    elif color_by == "community":
        ranked = sorted(counts)
    elif order is not None:
        listed = set(order)
        ranked = [c for c in order if c in counts] + sorted((c for c in counts if c not in listed), key=str)
    else:
        ranked = sorted(counts, key=str)
    if len(ranked) > MAX_CATEGORIES:
        keep = set(sorted(ranked, key=lambda c: (-counts[c], str(c)))[:MAX_CATEGORIES])
        ranked = [c for c in ranked if c in keep]
    index = slot if slot is not None else {c: i for i, c in enumerate(ranked)}
    return {
        c: (PALETTE[index[c] % len(PALETTE)], SHAPES[(index[c] // len(PALETTE)) % len(SHAPES)])
        for c in ranked
    }


def _category_name(c: Any, color_by: str, t: dict[str, str]) -> str:
    if color_by == "role":
        return t.get(f"role:{c}", str(c))
    if color_by == "community":
        return f"{t['community']} {int(c) + 1}"
    return str(c)


def legend_items(
    G: nx.Graph,
    *,
    color_by: ColorBy = "organisation",
    person_df: pd.DataFrame | None = None,
    category_order: Sequence | None = None,
    compare: bool = False,
    highlight_cross_org: bool = True,
    lang: str = "nl",
    frequency_known: bool = True,
) -> list[dict[str, Any]]:
    """The legend of the map built with the same arguments, for the page to draw.

    Each item: ``kind`` ("node" or "edge"), ``label`` (plain text: escape it when writing HTML), ``color``,
    and ``shape`` (nodes) or ``width``/``dashes`` (edges).
    """
    t = map_words(lang)
    community = _community_map(G, person_df) if color_by == "community" else {}
    values = _category_values(G, color_by, community)
    styles = _category_styles(values, color_by, category_order)
    items: list[dict[str, Any]] = [
        {"kind": "node", "label": _category_name(c, color_by, t), "color": col, "shape": shape}
        for c, (col, shape) in styles.items()
    ]
    if any(v is not None and v not in styles for v in values.values()):
        items.append({"kind": "node", "label": t["other"], "color": OTHER_COLOR, "shape": "dot"})
    if any(v is None for v in values.values()):
        items.append({"kind": "node", "label": t["unknown"], "color": UNKNOWN_COLOR, "shape": "dot"})
    if any(G.nodes[v].get("external") for v in G):
        items.append({"kind": "node", "label": t["external_node"], "color": UNKNOWN_COLOR, "shape": "dot"})
    if compare:
        keys = [("new", "new"), ("kept", "kept"), ("dropped", "dropped")]
    elif frequency_known:
        keys = [("strong", "strong_tie"), ("weak", "weak_tie")]
    else:
        keys = [("unmeasured", "unmeasured_tie")]
    for key, text in keys:
        st = EDGE_STYLE[key]
        items.append(
            {
                "kind": "edge",
                "label": t[text],
                "color": st["color"],
                "width": st["width"],
                "dashes": st["dashes"],
            }
        )
    if highlight_cross_org and not compare:
        items.append(
            {
                "kind": "edge",
                "label": t["cross_tie"],
                "color": EDGE_STYLE["cross"]["color"],
                "width": 1.0,
                "dashes": False,
            }
        )
    return items


def _community_map(G: nx.Graph, person_df: pd.DataFrame | None) -> dict[Hashable, int]:
    if person_df is not None and "community" in person_df:
        return dict(zip(person_df["participant_id"], person_df["community"].astype(int), strict=True))
    return {v: i for i, c in enumerate(communities(G)) for v in c}


def _person_table(G: nx.DiGraph, person_df: pd.DataFrame | None) -> pd.DataFrame:
    if person_df is not None:
        return person_df.set_index("participant_id")
    k = suggest_betweenness_k(G.number_of_nodes(), G.number_of_edges())
    return person_measures(G, betweenness_k=k).set_index("participant_id")


def _fill_positions(
    nodes: Sequence[Hashable], positions: Mapping[Hashable, tuple[float, float]]
) -> dict[Hashable, tuple[float, float]]:
    """Positions for every node; people without one get a row below the drawing (sorted, deterministic)."""
    pos = {v: positions[v] for v in nodes if v in positions}
    missing = sorted((v for v in nodes if v not in positions), key=str)
    if missing:
        xs = [p[0] for p in pos.values()] or [0.0]
        ys = [p[1] for p in pos.values()] or [0.0]
        x0, y0 = min(xs), max(ys) + 120.0
        width = max(max(xs) - x0, 800.0)
        per_row = max(1, int(width // 60) + 1)
        for i, v in enumerate(missing):
            pos[v] = (x0 + 60.0 * (i % per_row), y0 + 60.0 * (i // per_row))
    return pos


def tie_map_html(
    G: nx.DiGraph,
    positions: Mapping[Hashable, tuple[float, float]],
    *,
    color_by: ColorBy = "organisation",
    size_by: SizeBy = "degree",
    strong_threshold: float = STRONG_TIE_MIN_WEIGHT,
    highlight_cross_org: bool = True,
    compare_status: Mapping[tuple[Hashable, Hashable], Status] | None = None,
    height_px: int = 650,
    labels: Mapping[Hashable, str] | None = None,
    lang: str = "nl",
    person_df: pd.DataFrame | None = None,
    category_order: Sequence | None = None,
    edge_titles: bool | None = None,
    frequency_known: bool = True,
) -> str:
    """A complete HTML page drawing ``G`` at ``positions`` (physics off), safe to put in the app's iframe.

    * Nodes: colour (+ shape beyond seven categories) by ``color_by``, size by ``size_by``, dotted border
      for external people; tooltip = label, role, organisation, named by / names, betweenness (plain text).
    * Ties: arrows; strong (weight >= ``strong_threshold``) solid and thick, weak thin and dashed; ties
      between two known, different organisations in their own colour when ``highlight_cross_org``. Without
      a real frequency in the data (``frequency_known`` False) every tie is drawn alike and the legend says why.
    * ``compare_status`` ((source, target) -> new/kept/dropped, from ``compare_periods``) switches to the
      compare view: new solid blue, kept thin grey, dropped dashed orange. Dropped ties missing from ``G`` are
      drawn too (their people added if needed), so pass the later period's graph.
    * ``labels``: display names by id (e.g. pseudonyms) overriding the graph's ``label``.
    * A graph from ``organisation_graph`` gets organisation tooltips (members, ties inside) and its tie
      weight (number of ties) is called "ties"; ``strong_threshold`` then counts ties.
    * ``person_df``: output of ``person_measures`` for ``G``, to reuse degrees/betweenness/communities;
      computed here when missing (betweenness sampled as ``suggest_betweenness_k`` says).
    * ``category_order``: categories in a fixed order (e.g. all organisations of the network) so colours
      stay the same across periods; ``edge_titles``: tie tooltips (default: only up to 5,000 ties).

    Labels longer than 30 characters are shortened on the map (the tooltip keeps the full name); labels are
    drawn only once zoomed in far enough to read them. The node list is the ``new vis.DataSet([...])`` JSON
    literal; ``window.tieMap`` exposes the network, nodes and edges to a browser test.
    """
    if size_by not in ("degree", "betweenness"):
        raise ValueError(f"size_by must be degree or betweenness, not {size_by!r}")
    lang = lang if lang in i18n.LANGS else "en"
    t = map_words(lang)
    height_px = min(max(int(height_px), 150), 5000)

    compare = compare_status is not None
    G_draw = _with_dropped_ties(G, compare_status) if compare else G
    people = _person_table(G, person_df)
    community = _community_map(G, person_df) if color_by == "community" else {}
    values = _category_values(G_draw, color_by, community)
    styles = _category_styles(values, color_by, category_order)
    group_of: dict[Any, str] = {c: f"g{i}" for i, c in enumerate(styles)}
    node_ids = sorted(G_draw.nodes, key=str)
    label_of = {
        v: plain_text((labels or {}).get(v) or G_draw.nodes[v].get("label") or v, TITLE_LABEL_MAX)
        for v in node_ids
    }
    org_map = bool(node_ids) and all("members" in G_draw.nodes[v] for v in node_ids)  # organisation_graph
    nodes_json = _node_records(G_draw, node_ids, _fill_positions(node_ids, positions), label_of, people, values,
                               group_of, community, color_by, size_by, org_map, t, lang)
    m = G_draw.number_of_edges()
    edges_json = _edge_records(G_draw, label_of, compare_status, strong_threshold, highlight_cross_org, org_map,
                               m <= EDGE_TITLE_LIMIT if edge_titles is None else edge_titles, t, lang,
                               frequency_known)
    big = m > 5000 or len(node_ids) > 2000
    js, css = _vis_assets()
    return _template().render(
        lang=lang,
        vis_js=js,
        vis_css=css,
        height=height_px,
        aria_label=f"{t['map']}: {len(node_ids)} {t['people']}, {m} {t['ties']}",
        nodes=nodes_json,
        edges=edges_json,
        options=_map_options(_groups(styles, group_of), big),
    )


def _with_dropped_ties(G: nx.DiGraph, compare_status: Mapping[tuple[Hashable, Hashable], Status]) -> nx.DiGraph:
    """``G`` plus the compared ties it lacks (dropped ones), with their people, so the map can draw them."""
    extra = [(s, d) for (s, d) in compare_status if not G.has_edge(s, d) and s != d]
    if not extra:
        return G
    G_draw = G.copy()
    for s, d in extra:
        for v in (s, d):
            if v not in G_draw:
                G_draw.add_node(v, label=str(v), organisation=None, role=None, external=False)
        G_draw.add_edge(s, d, weight=float("nan"), dropped_only=True)
    return G_draw


def _groups(styles: Mapping[Any, tuple[str, str]], group_of: Mapping[Any, str]) -> dict[str, Any]:
    """vis-network groups: one per category (colour and shape), plus 'other' and 'unknown'."""
    groups: dict[str, Any] = {
        group_of[c]: {
            "shape": shape,
            "color": {
                "background": col,
                "border": NODE_BORDER,
                "highlight": {"background": col, "border": "#000000"},
                "hover": {"background": col, "border": "#000000"},
            },
        }
        for c, (col, shape) in styles.items()
    }
    groups["other"] = {"shape": "dot", "color": {"background": OTHER_COLOR, "border": NODE_BORDER}}
    groups["unknown"] = {"shape": "dot", "color": {"background": UNKNOWN_COLOR, "border": NODE_BORDER}}
    return groups


def _node_records(G_draw, node_ids, pos, label_of, people, values, group_of, community, color_by, size_by,
                  org_map, t, lang) -> list[dict[str, Any]]:
    """One vis-network node per person (or organisation), with its plain-text tooltip."""
    cols = {c: people[c].to_dict() for c in ("in_degree", "out_degree", "betweenness")}

    def measure(v: Hashable, col: str) -> float:
        x = cols[col].get(v, 0.0)
        x = float(x) if x is not None else 0.0
        return x if math.isfinite(x) else 0.0

    nodes_json = []
    for v in node_ids:
        d = G_draw.nodes[v]
        cat = values.get(v)
        group = "unknown" if cat is None else group_of.get(cat, "other")
        in_deg, out_deg, bc = measure(v, "in_degree"), measure(v, "out_degree"), measure(v, "betweenness")
        lines = [label_of[v]]
        if org_map:
            lines.append(f"{t['members']}: {d.get('members', 0)}")
            lines.append(f"{t['internal_ties']}: {d.get('internal_ties', 0)}")
        else:
            role = d.get("role")
            lines.append(f"{t['role']}: {t.get(f'role:{role}', role) if role else t['unknown']}")
            lines.append(f"{t['organisation']}: {d.get('organisation') or t['unknown']}")
        if d.get("external"):
            lines.append(t["external"])
        lines.append(f"{t['in_degree']}: {int(in_deg)} · {t['out_degree']}: {int(out_deg)}")
        lines.append(f"{t['betweenness']}: {_fmt(bc, lang)}")
        if color_by == "community" and v in community:
            lines.append(f"{t['community']}: {community[v] + 1}")
        node: dict[str, Any] = {
            "id": v,
            "label": plain_text(label_of[v], LABEL_MAX),
            "title": plain_text("\n".join(lines)),
            "group": group,
            "x": float(pos[v][0]),
            "y": float(pos[v][1]),
            "value": bc if size_by == "betweenness" else in_deg + out_deg,
        }
        if d.get("external"):
            node["shapeProperties"] = {"borderDashes": [3, 3]}
            node["borderWidth"] = 2
        nodes_json.append(node)
    return nodes_json


def _edge_records(G_draw, label_of, compare_status, strong_threshold, highlight_cross_org, org_map, with_titles,
                  t, lang, frequency_known: bool = True) -> list[dict[str, Any]]:
    """One vis-network edge per tie: strong/weak (or new/kept/dropped when comparing), across organisations."""
    org = nx.get_node_attributes(G_draw, "organisation")
    compare = compare_status is not None
    edges_json = []
    for s, d, data in G_draw.edges(data=True):
        w = data.get("weight", 1.0)
        known_w = isinstance(w, int | float) and math.isfinite(w)
        cross = org.get(s) is not None and org.get(d) is not None and org.get(s) != org.get(d)
        if compare:
            status = compare_status.get((s, d), "kept")
            st = EDGE_STYLE.get(status, EDGE_STYLE["kept"])
            color = st["color"]
        else:
            status = None
            if frequency_known or org_map:
                st = EDGE_STYLE["strong" if known_w and w >= strong_threshold else "weak"]
            else:
                st = EDGE_STYLE["unmeasured"]
            color = EDGE_STYLE["cross"]["color"] if highlight_cross_org and cross else st["color"]
        fixed = compare or not known_w or not (frequency_known or org_map)
        width = st["width"] if fixed else edge_width(st["width"], w)
        edge: dict[str, Any] = {"from": s, "to": d, "color": color, "width": width}
        if st["dashes"]:
            edge["dashes"] = True
        if with_titles:
            lines = [f"{label_of[s]} → {label_of[d]}"]
            if status:
                lines.append(t[status])
            if known_w and (frequency_known or org_map):
                strength = t["strong"] if w >= strong_threshold else t["weak"]
                lines.append(f"{t['org_ties' if org_map else 'weight']}: {_fmt(w, lang)} ({strength})")
            for key in ("tie_type", "topic", "channel"):
                if data.get(key):
                    lines.append(f"{t[key]}: {data[key]}")
            if cross:
                lines.append(t["cross"])
            edge["title"] = plain_text("\n".join(lines))
        edges_json.append(edge)
    return edges_json


def _map_options(groups: dict[str, Any], big: bool) -> dict[str, Any]:
    """vis-network options: physics off (positions are given), labels only when zoomed in, light on big maps."""
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "scaling": {
                "min": 5,
                "max": 18,
                "label": {"enabled": True, "min": 10, "max": 14, "drawThreshold": 7, "maxVisible": 20},
            },
            "font": {
                "face": "system-ui, sans-serif",
                "color": "#1A1A1A",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False,
            "color": {"inherit": False, "opacity": 0.8},
            "selectionWidth": 1.5,
            "hoverWidth": 0.5,
        },
        "groups": groups,
        "interaction": {
            "hover": not big,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "navigationButtons": False,
            "keyboard": False,
        },
    }
