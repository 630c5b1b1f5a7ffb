"""The tie map period by period: one Altair chart per period on the network's one stable layout, and an
animated GIF of them for slides.

Everyone keeps the place the Tie maps page gives them (``tie_measures.layout`` over the ties of all periods,
``unit=110``), and every frame has the same x/y domains, colours, shapes, size scale and legend, so the only
thing that moves from frame to frame is the network itself. Colours follow the tie map (Okabe-Ito, with
shapes beyond seven categories, in the same category order), so a frame and the interactive map match.

Pseudonymised (the default) frames carry only pseudonym codes: the node ids in the chart data are the codes,
never the stored ids (the id of someone from outside the participant list is often their name).
Ties are drawn as lines without arrow heads (Vega-Lite has no arrow mark); the interactive map has them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import altair as alt
import duckdb
import networkx as nx
import pandas as pd

from analytics.decisions import CROSS_TIE_COLOR, ROLE_ORDER, STRONG_TIE_MIN_WEIGHT
from analytics.draw import export, tie_map
from analytics.i18n import role_label, t
from analytics.measures import dimensions as dims
from analytics.measures import ties as tq
from analytics.privacy import code_mapping
from analytics.store.db import frame
from analytics.views import tie_view

#: vis-network shape names (tie_map.SHAPES) in Vega-Lite.
SHAPES = {"dot": "circle", "square": "square", "triangle": "triangle-up", "diamond": "diamond"}
UNKNOWN_FILL = "#FFFFFF"
EDGE_COLOR = "#8C8C8C"
WIDTH = 720
MIN_HEIGHT, MAX_HEIGHT = 420, 720
PAD = 40.0


def periods_with_ties(con: duckdb.DuckDBPyConnection, network: str) -> list[str]:
    """The network's periods that have ties, in time order."""
    have = set(frame(con, "SELECT DISTINCT period FROM v_ties WHERE network = ? AND period IS NOT NULL",
                     [network])["period"])
    order = dims.period_order(con)
    return [p for p in order if p in have] + sorted(have - set(order))


def _domains(pos: dict) -> tuple[list[float], list[float], int, int]:
    """x and y domains with equal units per pixel, and the chart's width and height."""
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    x0, x1, y0, y1 = min(xs) - PAD, max(xs) + PAD, min(ys) - PAD, max(ys) + PAD
    xr, yr = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    height = int(min(max(WIDTH * yr / xr, MIN_HEIGHT), MAX_HEIGHT))
    if yr / xr < height / WIDTH:  # widen y to keep the geometry
        extra = (xr * height / WIDTH - yr) / 2
        y0, y1 = y0 - extra, y1 + extra
    else:
        extra = (yr * WIDTH / height - xr) / 2
        x0, x1 = x0 - extra, x1 + extra
    return [x0, x1], [y0, y1], WIDTH, height


def _categories(G_all: nx.Graph, color_by: str, lang: str) -> tuple[list[str], list[str], list[str], dict]:
    """Category labels in tie-map order with their colours and shapes, and node -> label."""
    unknown = t("playback.unknown", lang)
    if color_by == "role":
        present = {d.get("role") for _, d in G_all.nodes(data=True) if d.get("role")}
        ranked = [r for r in ROLE_ORDER if r in present] + sorted(str(r) for r in present
                                                                          if r not in ROLE_ORDER)
        names = {r: role_label(r, lang) for r in ranked}
        of = {v: names.get(d.get("role"), unknown) for v, d in G_all.nodes(data=True)}
    elif color_by == "organisation":
        ranked = sorted({d.get("organisation") for _, d in G_all.nodes(data=True) if d.get("organisation")}, key=str)
        names = {o: str(o) for o in ranked}
        of = {v: names.get(d.get("organisation"), unknown) for v, d in G_all.nodes(data=True)}
    else:
        raise ValueError(f"color_by must be organisation or role, not {color_by!r}")
    labels, colors, shapes = [], [], []
    for i, c in enumerate(ranked[: tie_map.MAX_CATEGORIES]):
        labels.append(names[c])
        colors.append(tie_map.PALETTE[i % len(tie_map.PALETTE)])
        shapes.append(SHAPES[tie_map.SHAPES[(i // len(tie_map.PALETTE)) % len(tie_map.SHAPES)]])
    if len(ranked) > tie_map.MAX_CATEGORIES:
        other = t("playback.other", lang)
        keep = set(labels)
        of = {v: (c if c in keep or c == unknown else other) for v, c in of.items()}
        labels.append(other)
        colors.append(tie_map.OTHER_COLOR)
        shapes.append("circle")
    if unknown in of.values():
        labels.append(unknown)
        colors.append(UNKNOWN_FILL)
        shapes.append("circle")
    return labels, colors, shapes, of


def frame_tables(
    con: duckdb.DuckDBPyConnection, network: str, *, pseudonymise: bool = True, lang: str = "nl",
    color_by: str = "organisation", periods: Sequence[str] | None = None,
    tie_types: tuple[str, ...] | None = None,
) -> tuple[list[tuple[str, pd.DataFrame, pd.DataFrame]], dict]:
    """Per period (with ties) its node and edge tables, plus what every frame shares (domains, categories).

    Nodes: ``id``, ``label``, ``x``, ``y``, ``category``, ``named_by`` (in-degree); edges: ``x``, ``y``,
    ``x2``, ``y2``, ``weight``, ``strong``, ``cross``. ``periods`` and ``tie_types`` narrow the frames (default:
    every period with ties, all types together, as the animation shows); a still picture beside one tie type's
    measures (the slides handout) passes that type, so picture and numbers describe the same ties.
    """
    G_all = tq.full_graph(con, network)
    net_frame = tie_view.network_frame(con, network, pseudonymise=pseudonymise)
    ids = net_frame.shown_id
    pos = {v: net_frame.positions[ids[v]] for v in G_all}
    labels, colors, shapes, category_of = _categories(G_all, color_by, lang)
    xdom, ydom, width, height = _domains(pos)
    frames = []
    max_in = 1
    for per in periods_with_ties(con, network) if periods is None else periods:
        G, _ = tq.graph(con, tq.TieFilters(network=network, periods=(per,), tie_types=tie_types),
                        pseudonymise=pseudonymise)
        new = [v for v in G if v not in ids]
        if new:  # not in the full graph (cannot happen for tie ends); keep them off the ids anyway
            ids = code_mapping(G_all.nodes | set(new), ids) if pseudonymise else {**ids, **{v: v for v in new}}
        indeg = dict(G.in_degree())
        max_in = max([max_in, *indeg.values()])
        unknown = t("playback.unknown", lang)
        nodes = pd.DataFrame({
            "id": [ids[v] for v in G],
            "label": [str(G.nodes[v].get("label") or ids[v]) for v in G],
            "x": [pos.get(v, (xdom[0] + PAD, ydom[1] - PAD))[0] for v in G],
            "y": [pos.get(v, (xdom[0] + PAD, ydom[1] - PAD))[1] for v in G],
            "category": [category_of.get(v, unknown) for v in G],
            "named_by": [int(indeg.get(v, 0)) for v in G],
        })
        org = nx.get_node_attributes(G, "organisation")
        rows = []
        for s, d, data in G.edges(data=True):
            if s not in pos or d not in pos:
                continue
            w = float(data.get("weight", 1.0))
            cross = org.get(s) is not None and org.get(d) is not None and org.get(s) != org.get(d)
            rows.append((pos[s][0], pos[s][1], pos[d][0], pos[d][1], w, w >= STRONG_TIE_MIN_WEIGHT, cross))
        edges = pd.DataFrame(rows, columns=["x", "y", "x2", "y2", "weight", "strong", "cross"])
        frames.append((per, nodes, edges))
    shared = {"x": xdom, "y": ydom, "width": width, "height": height, "categories": labels, "colors": colors,
              "shapes": shapes, "max_in": max_in}
    return frames, shared


def frame_chart(period: str, nodes: pd.DataFrame, edges: pd.DataFrame, shared: dict, *, network: str,
                lang: str = "nl", color_by: str = "organisation") -> alt.LayerChart:
    """One period's map: ties as lines under the people, fixed domains, the period as a big title."""
    xs = alt.Scale(domain=shared["x"], nice=False, zero=False)
    ys = alt.Scale(domain=shared["y"], nice=False, zero=False, reverse=True)  # screen y runs down
    x = alt.X("x:Q", scale=xs, axis=None)
    y = alt.Y("y:Q", scale=ys, axis=None)
    e = alt.Chart(alt.InlineData(values=edges.to_dict("records"))).mark_rule(opacity=0.6).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.when(alt.datum.strong).then(alt.value(2.2)).otherwise(alt.value(0.8)),
        color=alt.when(alt.datum.cross).then(alt.value(CROSS_TIE_COLOR)).otherwise(alt.value(EDGE_COLOR)),
    )
    title_key = "playback.organisation" if color_by == "organisation" else "playback.role"
    n = alt.Chart(alt.InlineData(values=nodes.to_dict("records"))).mark_point(
        filled=True, opacity=1, stroke="#4D4D4D", strokeWidth=0.8
    ).encode(
        x=x, y=y,
        color=alt.Color("category:N", scale=alt.Scale(domain=shared["categories"], range=shared["colors"]),
                        legend=alt.Legend(title=t(title_key, lang), orient="right", labelLimit=420,
                                          symbolStrokeColor="#4D4D4D", symbolStrokeWidth=0.8)),
        shape=alt.Shape("category:N", scale=alt.Scale(domain=shared["categories"], range=shared["shapes"]),
                        legend=None),
        size=alt.Size("named_by:Q", scale=alt.Scale(domain=[0, shared["max_in"]], range=[40, 420]), legend=None),
        tooltip=[alt.Tooltip("label:N", title=t("playback.who", lang)),
                 alt.Tooltip("category:N", title=t(title_key, lang)),
                 alt.Tooltip("named_by:Q", title=t("playback.named_by", lang))],
    )
    subtitle = t("playback.subtitle", lang, network=network, people=len(nodes), ties=len(edges))
    return alt.layer(e, n).properties(
        width=shared["width"], height=shared["height"], view=alt.ViewBackground(stroke=None),
        title=alt.TitleParams(period, subtitle=subtitle, anchor="start", fontSize=34, subtitleFontSize=15,
                              subtitleColor="#555555"),
    ).configure_legend(labelFontSize=12, titleFontSize=13)


def playback_frames(
    con: duckdb.DuckDBPyConnection, network: str, *, pseudonymise: bool = True, lang: str = "nl",
    color_by: str = "organisation",
) -> list[tuple[str, alt.LayerChart]]:
    """``(period, chart)`` for every period of ``network`` that has ties, in time order."""
    frames, shared = frame_tables(con, network, pseudonymise=pseudonymise, lang=lang, color_by=color_by)
    return [(per, frame_chart(per, nodes, edges, shared, network=network, lang=lang, color_by=color_by))
            for per, nodes, edges in frames]


def gif_from_pngs(pngs: Sequence[bytes], *, seconds_per_frame: float = 1.5) -> bytes:
    """An animated GIF (looping forever) of PNG images; smaller images are centred on white."""
    from PIL import Image

    if not pngs:
        raise ValueError("no frames to animate")
    images = [Image.open(io.BytesIO(p)).convert("RGBA") for p in pngs]
    w = max(im.width for im in images)
    h = max(im.height for im in images)
    frames = []
    for im in images:
        canvas = Image.new("RGB", (w, h), "white")
        canvas.paste(im, ((w - im.width) // 2, (h - im.height) // 2), im)
        frames.append(canvas.quantize(colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], loop=0, optimize=False,
                   duration=max(20, int(round(seconds_per_frame * 1000))), disposal=1)
    return buf.getvalue()


def playback_gif(
    con: duckdb.DuckDBPyConnection, network: str, *, seconds_per_frame: float = 1.5, pseudonymise: bool = True,
    lang: str = "nl", color_by: str = "organisation", scale: float = 1.0,
) -> bytes:
    """The frames of :func:`playback_frames` as one animated GIF (one frame per period, looping forever)."""
    frames = playback_frames(con, network, pseudonymise=pseudonymise, lang=lang, color_by=color_by)
    if not frames:
        raise ValueError(f"network {network!r} has no ties to play")
    locale = "nl-NL" if lang == "nl" else None
    pngs = [export.chart_png(chart.to_dict(validate=False), scale=scale, locale=locale) for _, chart in frames]
    return gif_from_pngs(pngs, seconds_per_frame=seconds_per_frame)
