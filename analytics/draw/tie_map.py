"""The tie map: a self-contained, offline HTML page drawing a tie graph with vis-network (from pyvis).

This is the only module that touches pyvis, and only for the vis-network files it ships. The page is rendered
from a template of our own, modelled on pyvis' ``template.html`` but without its unsafe or online parts,
because the HTML ends up in an iframe whose sandbox lets script reach the whole app:

* pyvis' "in_line" template still links Bootstrap from a CDN; this page loads nothing from anywhere
  (vis-network JS/CSS are inlined, and a Content-Security-Policy ``default-src 'none'`` forbids fetching);
  a map inside the app may load those two files from the app's own server, and nothing else
  (``runtime="served"``: ``script-src``/``style-src 'self'``);
* pyvis switches to a popup that sets ``innerHTML = title`` as soon as a title contains "href"; we have no
  such popup, and still break up "href" in every text (defence in depth);
* no ``heading``, ``select_menu`` or ``filter_menu`` (written raw / need Bootstrap);
* all data goes through Jinja's ``|tojson`` (``<``, ``>``, ``&``, ``'`` become ``\\u003c`` ...), so a label
  cannot close the ``<script>``; vis-network draws labels on canvas and sets string tooltips as text;
* ``pyvis.Network.add_edge`` scans all nodes per edge (quadratic), so we hand vis the lists directly.

Positions are fixed (see ``tie_measures.layout``) and physics is off: 2,000 people draw in about 2 s.
"""

from __future__ import annotations

import json
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
from analytics.decisions import (
    CATEGORY_PALETTE,
    CROSS_TIE_COLOR,
    MAP_LABELS_PER_KIND,
    MAP_MAX_STRETCH,
    ROLE_ORDER,
    STRONG_TIE_MIN_WEIGHT,
    role_color,
)
from analytics.draw.readable_map import label_choice
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
    # on big maps (see is_big) dashes cost most of the drawing time: weak ties thin and lighter instead
    "weak_big": {"color": "#ABABAB", "width": 1.0, "dashes": False},
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
    "find",
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
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src {{ own }}'unsafe-inline'; \
style-src {{ own }}'unsafe-inline'; img-src data:; font-src data:">
{{ vis_style }}<style>
html, body { margin: 0; padding: 0; background: #ffffff; position: relative; }
#tie-map { width: 100%; height: {{ height }}px; position: relative; }
#tie-find { position: absolute; top: 8px; left: 8px; z-index: 5; width: 240px; padding: 4px 8px;
  font: 13px system-ui, sans-serif; border: 1px solid #8C8C8C; border-radius: 4px; background: #ffffff; }
div.vis-tooltip { font-family: system-ui, sans-serif; font-size: 13px; white-space: pre-line; max-width: 360px; }
</style>
</head>
<body>
{% if search %}<input id="tie-find" type="search" list="tie-find-list" autocomplete="off" placeholder="{{ search_label }}" aria-label="{{ search_label }}"><datalist id="tie-find-list"></datalist>
{% endif %}<div id="tie-map" role="img" aria-label="{{ aria_label }}"></div>
{{ runtime_script }}<script>
function tieMapStretch(d, w, h) {
  if (!d.frame || !(w > 0) || !(h > 0)) { return 1; }
  var fw = d.frame[1] - d.frame[0], fh = d.frame[3] - d.frame[2];
  if (!(fw > 0) || !(fh > 0)) { return 1; }
  return Math.round(Math.min(d.maxStretch, Math.max(1, (w / h) / (fw / fh))) * 100) / 100;
}
function tieMapStart(d) {
  "use strict";
  var W = d.words, T = d.tip, n = d.ids.length, ext = Object.create(null), pinned = Object.create(null), i;
  var index = Object.create(null);
  for (i = 0; i < d.ext.length; i++) { ext[d.ext[i]] = true; }
  for (i = 0; i < d.pins.length; i++) { pinned[d.pins[i]] = true; }
  for (i = 0; i < n; i++) { index[String(d.ids[i])] = i; }
  var box = document.getElementById("tie-map");
  var sx = tieMapStretch(d, box.clientWidth, box.clientHeight), cx = d.frame ? (d.frame[0] + d.frame[1]) / 2 : 0;
  var nodes = [], edges = [];
  function labelOf(k) { return d.labels ? d.labels[k] : d.ids[k]; }
  function shortOf(k) { return d.short[k] !== undefined ? d.short[k] : String(labelOf(k)); }
  for (i = 0; i < n; i++) {
    var label = d.labels ? d.labels[i] : d.ids[i];
    var lines = [label];
    if (T.kind === "org") {
      lines.push(W.members + ": " + T.a[i], W.internal_ties + ": " + T.b[i]);
    } else {
      lines.push(W.role + ": " + (T.a[i] < 0 ? W.unknown : T.a_names[T.a[i]]),
                 W.organisation + ": " + (T.b[i] < 0 ? W.unknown : T.b_names[T.b[i]]));
    }
    if (ext[i]) { lines.push(W.external); }
    lines.push(W.in_degree + ": " + T["in"][i] + " \\u00b7 " + W.out_degree + ": " + T.out[i],
               W.betweenness + ": " + T.bc[i]);
    if (T.community && T.community[i] >= 0) { lines.push(W.community + ": " + (T.community[i] + 1)); }
    var node = {id: d.ids[i], title: lines.join("\\n"), group: d.groups[d.group[i]],
                x: sx === 1 ? d.x[i] : cx + (d.x[i] - cx) * sx, y: d.y[i], value: d.value[i]};
    if (!pinned[i]) { node.label = d.short[i] !== undefined ? d.short[i] : label; }
    if (ext[i]) { node.shapeProperties = {borderDashes: [3, 3]}; node.borderWidth = 2; }
    nodes.push(node);
  }
  for (i = 0; i < d.edges.length; i += 3) {
    var st = d.styles[d.edges[i + 2]];
    var edge = {from: d.ids[d.edges[i]], to: d.ids[d.edges[i + 1]], color: st.color, width: st.width};
    if (st.dashes) { edge.dashes = true; }
    if (d.edgeTitles) {
      var tail = d.edgeTitles.tails[d.edgeTitles.tail[i / 3]];
      edge.title = labelOf(d.edges[i]) + " \u2192 " + labelOf(d.edges[i + 1]) + (tail ? "\\n" + tail : "");
    }
    edges.push(edge);
  }
  var nodeSet = new vis.DataSet(nodes);
  var edgeSet = new vis.DataSet(edges);
  var network = new vis.Network(box, {nodes: nodeSet, edges: edgeSet}, d.options);
  var edgeIds = edgeSet.getIds();
  var state = {focus: null, near: null};

  function fitView() {
    var how = {animation: false, maxZoomLevel: 1.5};
    if (state.near) { how.nodes = Object.keys(state.near).map(function (k) { return d.ids[+k]; }); }
    network.fit(how);
  }
  /* Names drawn at a fixed screen size (readable at any zoom): the one found and the people the data pins.
     Each name takes the first free place around its node; a name that finds none goes below its node anyway,
     except pinned ones beyond pinMust (left to the tooltip). Others' names vis-network draws when zoomed in. */
  function drawNames(ctx) {
    var list = [], seen = Object.create(null), j;
    function add(k, must) { if (k !== null && k !== undefined && !seen[k]) { seen[k] = true; list.push([k, must]); } }
    add(state.focus, true);
    for (j = 0; j < d.pins.length; j++) { add(d.pins[j], j < d.pinMust); }
    if (!list.length) { return; }
    var canvas = ctx.canvas, r = canvas.width / Math.max(1, canvas.clientWidth);
    var cw = canvas.clientWidth, ch = canvas.clientHeight, taken = [], h = 16;
    ctx.save();
    ctx.setTransform(r, 0, 0, r, 0, 0);
    ctx.font = "600 13px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    function free(b) {
      if (b[0] < 0 || b[1] < 0 || b[0] + b[2] > cw || b[1] + b[3] > ch) { return false; }
      for (var q = 0; q < taken.length; q++) {
        var o = taken[q];
        if (b[0] < o[0] + o[2] && o[0] < b[0] + b[2] && b[1] < o[1] + o[3] && o[1] < b[1] + b[3]) { return false; }
      }
      return true;
    }
    for (j = 0; j < list.length; j++) {
      var k = list[j][0], id = d.ids[k], bb = network.getBoundingBox(id);
      if (!bb) { continue; }
      var a = network.canvasToDOM({x: bb.left, y: bb.top}), b = network.canvasToDOM({x: bb.right, y: bb.bottom});
      if (b.x < 0 || a.x > cw || b.y < 0 || a.y > ch) { continue; }
      taken.push([a.x, a.y, b.x - a.x, b.y - a.y]);
    }
    var drawn = [], boxes = [];
    for (j = 0; j < list.length; j++) {
      var k2 = list[j][0], bb2 = network.getBoundingBox(d.ids[k2]);
      if (!bb2) { continue; }
      var p = network.canvasToDOM({x: bb2.left, y: bb2.top}), e = network.canvasToDOM({x: bb2.right, y: bb2.bottom});
      if (e.x < 0 || p.x > cw || e.y < 0 || p.y > ch) { continue; }
      var text = shortOf(k2), w = ctx.measureText(text).width + 4, mx = (p.x + e.x) / 2, my = (p.y + e.y) / 2;
      var spots = [[mx - w / 2, e.y + 2], [mx - w / 2, p.y - h - 2], [e.x + 3, my - h / 2], [p.x - w - 3, my - h / 2],
                   [e.x + 1, e.y + 1], [p.x - w - 1, e.y + 1], [e.x + 1, p.y - h - 1], [p.x - w - 1, p.y - h - 1]];
      var spot = null;
      for (var s = 0; s < spots.length && !spot; s++) {
        var cand = [spots[s][0], spots[s][1], w, h];
        if (free(cand)) { spot = cand; }
      }
      if (!spot) {
        if (!list[j][1]) { continue; }
        spot = [spots[0][0], spots[0][1], w, h];
      }
      taken.push(spot);
      ctx.globalAlpha = state.near && !state.near[k2] ? 0.35 : 1;
      ctx.lineWidth = 4;
      ctx.strokeStyle = "#ffffff";
      ctx.strokeText(text, spot[0] + 2, spot[1] + 1);
      ctx.fillStyle = k2 === state.focus ? "#000000" : "#1A1A1A";
      ctx.fillText(text, spot[0] + 2, spot[1] + 1);
      drawn.push(d.ids[k2]);
      boxes.push(spot.slice());
    }
    ctx.restore();
    window.tieMap.named = drawn;
    window.tieMap.nameBoxes = boxes;
  }
  /* Find and highlight: one person and their ties stay, everyone else fades; the view closes in on them. */
  function highlight(id) {
    var k = id === null || id === undefined ? undefined : index[String(id)], near = null, j;
    if (k !== undefined) {
      near = Object.create(null);
      near[k] = true;
      network.getConnectedNodes(d.ids[k]).forEach(function (v) { near[index[String(v)]] = true; });
    }
    var before = state.focus;
    state.focus = k === undefined ? null : k;
    state.near = near;
    var nu = [], eu = [];
    for (j = 0; j < n; j++) {
      var rec = {id: d.ids[j], opacity: !near || near[j] ? 1 : 0.2};
      if (!pinned[j] && j === state.focus) { rec.label = ""; }  /* the page draws the found name itself */
      else if (!pinned[j] && j === before) { rec.label = shortOf(j); }
      nu.push(rec);
    }
    for (j = 0; j < edges.length; j++) {
      var on = !near || edges[j].from === d.ids[k] || edges[j].to === d.ids[k], c = edges[j].color;
      eu.push({id: edgeIds[j], color: {color: c, highlight: c, hover: c, opacity: on ? 0.8 : 0.08}});
    }
    nodeSet.update(nu);
    edgeSet.update(eu);
    if (near) { network.selectNodes([d.ids[k]]); } else { network.unselectAll(); }
    fitView();
    return state.focus === null ? null : d.ids[state.focus];
  }
  window.tieMap = {network: network, nodes: nodeSet, edges: edgeSet, stretch: sx, highlight: highlight,
                   focus: function () { return state.focus === null ? null : d.ids[state.focus]; }, named: []};
  network.on("afterDrawing", drawNames);
  if (d.focus !== null && d.focus !== undefined) { highlight(d.ids[d.focus]); } else { fitView(); }
  if (window.ResizeObserver) { new ResizeObserver(function () { fitView(); }).observe(box); }
  if (d.search) {
    var input = document.getElementById("tie-find"), list = document.getElementById("tie-find-list");
    var byLabel = Object.create(null);
    for (i = 0; i < n; i++) {
      var opt = document.createElement("option");
      opt.value = String(labelOf(i));
      list.appendChild(opt);
      byLabel[String(labelOf(i)).toLowerCase()] = i;
    }
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      if (!q) { highlight(null); } else if (byLabel[q] !== undefined) { highlight(d.ids[byLabel[q]]); }
    });
  }
}
</script>
<script>
{{ start_call }}
</script>
</body>
</html>
"""


#: Scripts of the report's maps sharing one copy of vis-network (see ``tie_map_html(runtime=...)``). Fixed
#: texts, so a report's Content-Security-Policy allows each by one hash; a frame can only run code whose hash
#: the policy lists, so a message cannot smuggle in anything else.
SHARE_RUNTIME_JS = """(function () {
  var code = document.getElementById("vis-runtime").textContent;
  var css = document.getElementById("vis-style").textContent;
  function send(w) { try { w.postMessage({tieMapVis: code, tieMapCss: css}, "*"); } catch (e) {} }
  window.addEventListener("message", function (ev) {
    if (ev.data && ev.data.tieMapWants === "vis" && ev.source) { send(ev.source); }
  });
  for (var i = 0; i < window.parent.length; i++) { if (window.parent[i] !== window) { send(window.parent[i]); } }
})();"""
BORROW_RUNTIME_JS = """function tieMapWhenReady(data) {
  var started = false;
  window.addEventListener("message", function (ev) {
    if (started || !ev.data || typeof ev.data.tieMapVis !== "string") { return; }
    var style = document.createElement("style");
    style.textContent = String(ev.data.tieMapCss || "");
    document.head.appendChild(style);
    var s = document.createElement("script");
    s.textContent = ev.data.tieMapVis;
    document.head.appendChild(s);
    if (window.vis) { started = true; tieMapStart(data); }
  });
  for (var i = 0; i < window.parent.length; i++) {
    try { window.parent[i].postMessage({tieMapWants: "vis"}, "*"); } catch (e) {}
  }
}"""
Runtime = Literal["inline", "share", "borrow", "served"]


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


#: The files :func:`publish_runtime` writes for a "served" map: vis-network's JS and CSS.
RUNTIME_FILES = ("vis-network.min.js", "vis-network.css")


def publish_runtime(folder: Path) -> bool:
    """Write vis-network's JS and CSS into ``folder`` (the app's ``static/``, which Streamlit serves at
    ``/app/static/``) unless they are there already; False when that cannot be done (a read-only install),
    and then the app's maps carry their runtime themselves."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in zip(RUNTIME_FILES, _vis_assets(), strict=True):
            path = folder / name
            data = str(text).encode("utf-8")
            if not path.is_file() or path.read_bytes() != data:
                tmp = path.with_suffix(path.suffix + ".tmp")
                tmp.write_bytes(data)
                tmp.replace(path)  # a browser never reads half a file
        return True
    except OSError:
        return False


def is_big(n_people: int, n_ties: int) -> bool:
    """A map drawn the light way: no hover effects, ties hidden while dragging, weak ties solid (not dashed)."""
    return n_ties > 5000 or n_people > 2000


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
    if color_by == "role":  # the product's one colour per role (decisions.ROLE_COLORS), in every chart and map
        return {c: (role_color(c), "dot") for c in ranked}
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
        weak = "weak_big" if is_big(G.number_of_nodes(), G.number_of_edges()) else "weak"
        keys = [("strong", "strong_tie"), (weak, "weak_tie")]
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
    runtime: Runtime = "inline",
    frequency_known: bool = True,
    label_top: int = MAP_LABELS_PER_KIND,
    focus: Hashable | None = None,
    search: bool = False,
    served_at: str = "/app/static/",
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

    * ``runtime``: "inline" (default) carries vis-network (JS and CSS); in a report with many maps the first
      carries them and hands them to the others ("share"), which carry neither ("borrow"): see
      ``views/report.py``. "served": the app's own server serves them (:func:`publish_runtime`, at the path
      ``served_at``), so a page's map is 20-30 KB instead of 700 KB on every rerun, and the browser keeps the
      library between maps. Only for a map inside the app: a file to download must carry its runtime.

    Labels longer than 30 characters are shortened on the map (the tooltip keeps the full name). Readable
    without hovering: the ``label_top`` most named and ``label_top`` brokers (:func:`readable_map.label_choice`,
    on ``person_df``) carry their name at a fixed size at any zoom (``data["pins"]``; on an organisation map
    every organisation, the largest first); everyone else's name is drawn once zoomed in far enough to read it.

    * ``focus``: a node id to find and highlight: it and its ties stay, the rest fades, the view closes in on
      them (``data["focus"]``, its index; ``window.tieMap.highlight(id)`` does the same in the page, None
      clears). ``search``: a search field in the map itself that highlights whoever's name is typed.
    * The map fills its frame: it is fitted once the frame has its size (and again when it changes), and a
      round layout in a wide frame is stretched sideways, at most ``MAP_MAX_STRETCH`` times, by one factor for
      all ``positions`` (``data["frame"]`` is their extent), so people keep their place across periods.

    Compact: the data is one JSON literal of columns (``tieMapStart({...})``, see :func:`map_data`): ids once,
    ties as index triples into a short list of styles, positions in whole pixels, tooltips put together in
    the browser from the few words and names they use (a tie's tooltip: "who → whom" from the labels, then
    one of a short list of distinct rest-texts). :func:`map_records` gives the records vis-network gets
    (a browser test checks they are the same). ``window.tieMap`` exposes the network, nodes and edges.
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
    data = _node_columns(G_draw, node_ids, _fill_positions(node_ids, positions), label_of, people, values,
                         group_of, community, color_by, size_by, org_map, t, lang)
    m = G_draw.number_of_edges()
    big = is_big(len(node_ids), m)
    data.update(_edge_columns(G_draw, node_ids, label_of, compare_status, strong_threshold, highlight_cross_org,
                              org_map, m <= EDGE_TITLE_LIMIT if edge_titles is None else edge_titles, t, lang, big,
                              frequency_known))
    data.update(_readable_columns(G_draw, node_ids, people, positions, org_map, label_top, focus, search))
    data["options"] = _map_options(_groups(styles, group_of), big)
    js, css = _vis_assets()
    data_json = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    data_json = Markup(_json_for_script(data_json))
    if runtime == "inline":
        runtime_script, start = Markup(f"<script>{js}</script>\n"), Markup(f"tieMapStart({data_json});")
    elif runtime == "share":
        runtime_script = Markup(f'<script id="vis-runtime">{js}</script>\n<script>{SHARE_RUNTIME_JS}</script>\n')
        start = Markup(f"tieMapStart({data_json});")
    elif runtime == "borrow":
        runtime_script, start = Markup(f"<script>{BORROW_RUNTIME_JS}</script>\n"), Markup(
            f"tieMapWhenReady({data_json});")
    elif runtime == "served":
        runtime_script = Markup('<script src="{}"></script>\n').format(served_at + RUNTIME_FILES[0])
        start = Markup(f"tieMapStart({data_json});")
    else:
        raise ValueError(f"runtime must be inline, share or borrow, not {runtime!r}")
    if runtime == "served":
        vis_style = Markup('<link rel="stylesheet" href="{}">\n').format(served_at + RUNTIME_FILES[1])
    else:
        vis_style = Markup("") if runtime == "borrow" else Markup(
            f'<style{" id=" + chr(34) + "vis-style" + chr(34) if runtime == "share" else ""}>{css}</style>\n')
    return _template().render(
        lang=lang,
        own=Markup("'self' ") if runtime == "served" else Markup(""),
        vis_style=vis_style,
        height=height_px,
        aria_label=f"{t['map']}: {len(node_ids)} {t['people']}, {m} {t['ties']}",
        search=search,
        search_label=t["find"],
        runtime_script=runtime_script,
        start_call=start,
    )


def _readable_columns(G_draw, node_ids, people, positions, org_map, label_top, focus, search) -> dict[str, Any]:
    """Who is named without hovering (indices, in the order names are placed; the first ``pinMust`` always),
    the highlighted node's index, and the extent of all positions (for the sideways stretch)."""
    index = {v: i for i, v in enumerate(node_ids)}
    if org_map:
        pins = sorted(node_ids, key=lambda v: (-int(G_draw.nodes[v].get("members", 0)), str(v)))
        must = min(len(pins), 2 * max(0, label_top))
        pins = pins if label_top > 0 else []
    else:
        table = people.rename_axis("participant_id").reset_index()
        pins = [v for v in label_choice(table, label_top, among=node_ids).ids if v in index]
        must = len(pins)
    xs = [float(p[0]) for p in positions.values()]
    ys = [float(p[1]) for p in positions.values()]
    frame = [round(min(xs)), round(max(xs)), round(min(ys)), round(max(ys))] if xs else None
    return {"pins": [index[v] for v in pins], "pinMust": must, "focus": index.get(focus) if focus is not None
            else None, "frame": frame, "maxStretch": MAP_MAX_STRETCH, "search": bool(search)}


def _json_for_script(s: str) -> str:
    """JSON safe inside ``<script>``: as Jinja's ``|tojson`` does, ``<``, ``>``, ``&`` and ``'`` as \\u escapes
    (so no text can close the element), and the two line separators JavaScript once rejected."""
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def map_data(html_doc: str) -> dict[str, Any]:
    """The map's data literal from a page made by :func:`tie_map_html` (for tests and tools)."""
    for line in html_doc.splitlines():
        for call in ("tieMapStart(", "tieMapWhenReady("):
            if line.startswith(call) and line.endswith(");") and line != call + "data);":
                return json.loads(line[len(call) : -2])
    raise ValueError("no tie map data in this page")


def map_records(data: Mapping[str, Any], stretch: float = 1.0) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The node and edge records ``tieMapStart`` hands vis-network, made the same way in Python.

    ``stretch``: the sideways stretch the page chose for its frame (``window.tieMap.stretch``); pinned
    people carry no vis-network label (the page draws their names itself).
    """
    W, T = data["words"], data["tip"]
    ext = set(data["ext"])
    pinned = set(data["pins"])
    cx = (data["frame"][0] + data["frame"][1]) / 2 if data["frame"] else 0
    nodes = []
    for i, v in enumerate(data["ids"]):
        label = data["labels"][i] if data["labels"] else v
        lines = [label]
        if T["kind"] == "org":
            lines += [f"{W['members']}: {T['a'][i]}", f"{W['internal_ties']}: {T['b'][i]}"]
        else:
            lines += [f"{W['role']}: {W['unknown'] if T['a'][i] < 0 else T['a_names'][T['a'][i]]}",
                      f"{W['organisation']}: {W['unknown'] if T['b'][i] < 0 else T['b_names'][T['b'][i]]}"]
        if i in ext:
            lines.append(W["external"])
        lines += [f"{W['in_degree']}: {T['in'][i]} · {W['out_degree']}: {T['out'][i]}",
                  f"{W['betweenness']}: {T['bc'][i]}"]
        if T.get("community") and T["community"][i] >= 0:
            lines.append(f"{W['community']}: {T['community'][i] + 1}")
        x = data["x"][i] if stretch == 1 else cx + (data["x"][i] - cx) * stretch
        node = {"id": v, "title": "\n".join(lines), "group": data["groups"][data["group"][i]], "x": x,
                "y": data["y"][i], "value": data["value"][i]}
        if i not in pinned:
            node["label"] = data["short"].get(str(i), label)
        if i in ext:
            node["shapeProperties"] = {"borderDashes": [3, 3]}
            node["borderWidth"] = 2
        nodes.append(node)
    edges = []
    flat = data["edges"]
    for j in range(0, len(flat), 3):
        st = data["styles"][flat[j + 2]]
        edge = {"from": data["ids"][flat[j]], "to": data["ids"][flat[j + 1]], "color": st["color"],
                "width": st["width"]}
        if st["dashes"]:
            edge["dashes"] = True
        if data["edgeTitles"] is not None:
            tail = data["edgeTitles"]["tails"][data["edgeTitles"]["tail"][j // 3]]
            ends = [data["labels"][k] if data["labels"] else data["ids"][k] for k in (flat[j], flat[j + 1])]
            edge["title"] = f"{ends[0]} → {ends[1]}" + (f"\n{tail}" if tail else "")
        edges.append(edge)
    return nodes, edges


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


def _node_columns(G_draw, node_ids, pos, label_of, people, values, group_of, community, color_by, size_by,
                  org_map, t, lang) -> dict[str, Any]:
    """The people (or organisations) as columns: each name and word once, tooltips put together in the page."""
    cols = {c: people[c].to_dict() for c in ("in_degree", "out_degree", "betweenness")}

    def measure(v: Hashable, col: str) -> float:
        x = cols[col].get(v, 0.0)
        x = float(x) if x is not None else 0.0
        return x if math.isfinite(x) else 0.0

    data = G_draw.nodes
    groups = [*dict.fromkeys(group_of.values()), "other", "unknown"]
    gindex = {g: i for i, g in enumerate(groups)}
    group, short, ext, x, y, value, n_in, n_out, bcs = [], {}, [], [], [], [], [], [], []
    a: list = []
    b: list = []
    a_names: dict[str, int] = {}
    b_names: dict[str, int] = {}
    for i, v in enumerate(node_ids):
        d = data[v]
        cat = values.get(v)
        group.append(gindex["unknown" if cat is None else group_of.get(cat, "other")])
        shown = plain_text(label_of[v], LABEL_MAX)
        if shown != label_of[v]:
            short[str(i)] = shown
        if d.get("external"):
            ext.append(i)
        x.append(round(float(pos[v][0])))
        y.append(round(float(pos[v][1])))
        in_deg, out_deg, bc = measure(v, "in_degree"), measure(v, "out_degree"), measure(v, "betweenness")
        n_in.append(int(in_deg))
        n_out.append(int(out_deg))
        bcs.append(_fmt(bc, lang))
        value.append(round(bc, 6) if size_by == "betweenness" else int(in_deg + out_deg))
        if org_map:
            a.append(int(d.get("members", 0)))
            b.append(int(d.get("internal_ties", 0)))
        else:
            role, org = d.get("role"), d.get("organisation")
            a.append(-1 if not role else a_names.setdefault(plain_text(t.get(f"role:{role}", role)), len(a_names)))
            b.append(-1 if not org else b_names.setdefault(plain_text(org), len(b_names)))
    ids = list(node_ids)
    labels = [label_of[v] for v in node_ids]
    tip: dict[str, Any] = {"kind": "org" if org_map else "person", "a": a, "b": b, "a_names": list(a_names),
                           "b_names": list(b_names), "in": n_in, "out": n_out, "bc": bcs, "community": None}
    if color_by == "community":
        tip["community"] = [int(community[v]) if v in community else -1 for v in node_ids]
    words = ("role", "organisation", "unknown", "external", "in_degree", "out_degree", "betweenness", "community",
             "members", "internal_ties")
    return {"ids": ids, "labels": None if labels == [str(v) for v in ids] else labels, "short": short,
            "group": group, "groups": groups, "ext": ext, "x": x, "y": y, "value": value, "tip": tip,
            "words": {k: plain_text(t[k]) for k in words}}


def _edge_columns(G_draw, node_ids, label_of, compare_status, strong_threshold, highlight_cross_org, org_map,
                  with_titles, t, lang, big, frequency_known: bool = True) -> dict[str, Any]:
    """Ties as (from, to, style) index triples: strong/weak (or new/kept/dropped when comparing; all alike
    without a real frequency), across organisations; a style (colour, width, dashes) is written once however
    many ties share it."""
    org = nx.get_node_attributes(G_draw, "organisation")
    index = {v: i for i, v in enumerate(node_ids)}
    compare = compare_status is not None
    styles: dict[tuple, int] = {}
    flat: list[int] = []
    titles: list[int] = []  # per tie: its tooltip after the "who → whom" line, as an index into tails
    tails: dict[str, int] = {}
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
                weak = "weak_big" if big else "weak"
                st = EDGE_STYLE["strong" if known_w and w >= strong_threshold else weak]
            else:
                st = EDGE_STYLE["unmeasured"]
            color = EDGE_STYLE["cross"]["color"] if highlight_cross_org and cross else st["color"]
        fixed = compare or not known_w or not (frequency_known or org_map)
        width = st["width"] if fixed else edge_width(st["width"], w)
        key = (color, float(width), bool(st["dashes"]))
        flat += [index[s], index[d], styles.setdefault(key, len(styles))]
        if with_titles:
            lines = [""]  # "who → whom" is put together in the page from the labels
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
            titles.append(tails.setdefault(plain_text("\n".join(lines[1:])), len(tails)))
    return {"edges": flat, "styles": [{"color": c, "width": w, "dashes": dsh} for c, w, dsh in styles],
            "edgeTitles": {"tail": titles, "tails": list(tails)} if with_titles else None}


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


if __name__ == "__main__":  # python -m analytics.draw.tie_map FOLDER: publish the runtime (an install step)
    import sys

    sys.exit(0 if publish_runtime(Path(sys.argv[1] if len(sys.argv) > 1 else "static")) else 1)
