"""Tie measures and map HTML at three sizes, against plain networkx calls in the same run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.decisions import LAYOUT_UNIT

from .timing import best_of, table

SIZES = [(500, 5_000), (5_000, 50_000), (10_000, 100_000)]


def synthetic(n: int, m: int, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Schools of 25 people; 90% of ties inside the own school, like a real academic workplace."""
    rng = np.random.default_rng(seed)
    school = np.arange(n) // 25
    src = rng.integers(0, n, m)
    inside = rng.random(m) < 0.9
    same = school[src] * 25 + rng.integers(0, 25, m)
    tgt = np.where(inside, np.minimum(same, n - 1), rng.integers(0, n, m))
    nodes = pd.DataFrame({
        "participant_id": [f"P{i:06d}" for i in range(n)], "label": [f"P{i:06d}" for i in range(n)],
        "organisation": [f"School {s}" for s in school],
        "role": np.where(np.arange(n) % 6 == 0, "student_teacher", "teacher"), "external": False,
    })
    edges = pd.DataFrame({"source": [f"P{i:06d}" for i in src], "target": [f"P{i:06d}" for i in tgt],
                          "weight": rng.integers(1, 6, m).astype(float), "tie_type": "advice", "topic": None,
                          "channel": None})
    return nodes, edges


def bench_ties(scale: float = 1.0) -> str:
    import networkx as nx

    from analytics.draw import tie_map
    from analytics.draw.layout import layout
    from analytics.measures import network as tm

    rows = []
    for n, m in SIZES:
        n, m = max(50, int(n * scale)), max(200, int(m * scale))
        nodes, edges = synthetic(n, m)
        G, _ = tm.build_graph(nodes, edges)
        k = tm.suggest_betweenness_k(G.number_of_nodes(), G.number_of_edges()) if n > 2000 else None
        ours = best_of(lambda G=G, k=k: tm.measure_all(G, betweenness_k=k), repeat=1)
        pos: dict = {}
        lay = best_of(lambda G=G, pos=pos: pos.update(layout(G, unit=LAYOUT_UNIT)), repeat=1)
        html: list[str] = []
        html_s = best_of(lambda G=G, pos=pos, html=html: html.append(tm_html(tie_map, G, pos)), repeat=1)

        def plain_networkx(G=G, k=k):
            U = G.to_undirected()
            nx.density(G)
            nx.reciprocity(G)
            nx.average_clustering(U)
            nx.betweenness_centrality(G, k=k, seed=42)
            nx.community.louvain_communities(U, seed=42)

        base = best_of(plain_networkx, repeat=1)
        rows.append([f"{n:,} / {m:,}", "all measures (ours)", ours, ours / base])
        rows.append(["", "networkx: density, reciprocity, clustering, betweenness, Louvain", base, 1.0])
        rows.append(["", "stable layout (ours)", lay, None])
        rows.append(["", f"map HTML ({len(html[-1]) / 1e6:.1f} MB)", html_s, None])
    rows = [[a, b, c, "" if d is None else d] for a, b, c, d in rows]
    return table("Tie measures and maps (betweenness sampled above 2,000 people, as the page does)",
                 ["people / ties", "what", "seconds", "x networkx"], rows)


def tm_html(tie_map, G, pos) -> str:
    return tie_map.tie_map_html(G, pos)


def draw_seconds(html: str, path) -> float | None:
    """Seconds from opening the map's page in Debian's Chromium until vis-network has drawn it once."""
    import pathlib
    import time

    if not pathlib.Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import sync_playwright

    path.write_text(html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            t0 = time.perf_counter()
            page.goto(path.as_uri(), wait_until="commit", timeout=300_000)
            page.wait_for_function("window.tieMap !== undefined", timeout=300_000)
            page.evaluate("() => new Promise(r => { tieMap.network.once('afterDrawing', () => r(true)); "
                          "tieMap.network.redraw(); })")
            return time.perf_counter() - t0
        finally:
            browser.close()


def legacy_html(html: str) -> str:
    """The same map as the page used to write it (the baseline): one record per person and per tie, every
    option repeated, decimals in positions, weak ties dashed on every map."""
    import json

    from analytics.draw import tie_map

    data = tie_map.map_data(html)
    nodes, edges = tie_map.map_records(data)
    weak = tie_map.EDGE_STYLE["weak"]
    for e in edges:
        if e["color"] == tie_map.EDGE_STYLE["weak_big"]["color"]:
            e.update(color=weak["color"], dashes=True)
    for nd in nodes:
        nd["x"], nd["y"] = nd["x"] + 0.37, nd["y"] + 0.41
    js, css = tie_map._vis_assets()
    script = (f"var nodes = new vis.DataSet({tie_map._json_for_script(json.dumps(nodes))});\n"
              f"var edges = new vis.DataSet({tie_map._json_for_script(json.dumps(edges))});\n"
              f"var network = new vis.Network(document.getElementById('tie-map'), {{nodes: nodes, edges: edges}}, "
              f"{json.dumps(data['options'])});\nnetwork.fit({{animation: false, maxZoomLevel: 1.5}});\n"
              "window.tieMap = {network: network, nodes: nodes, edges: edges};")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style><script>{js}</script>"
            f"<style>#tie-map {{ width: 100%; height: 650px; }}</style></head><body><div id='tie-map'></div>"
            f"<script>{script}</script></body></html>")


def bench_map_draw(scale: float = 1.0) -> str:
    import tempfile
    from pathlib import Path

    from analytics.draw import tie_map
    from analytics.draw.layout import layout
    from analytics.measures import network as tm

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for (n, m), target in (((2_000, 16_000), 1.5), ((5_000, 50_000), 3.0), ((10_000, 100_000), None)):
            n, m = max(50, int(n * scale)), max(200, int(m * scale))
            nodes, edges = synthetic(n, m)
            G, _ = tm.build_graph(nodes, edges)
            html = tie_map.tie_map_html(G, layout(G, unit=LAYOUT_UNIT))
            old = legacy_html(html)
            s_old = draw_seconds(old, Path(tmp) / "old.html")
            s = draw_seconds(html, Path(tmp) / "map.html")
            goal = "— (opens at organisations)" if target is None else target
            rows.append([f"{n:,} / {m:,}", "before: a record per person and tie (baseline)",
                         f"{len(old.encode()) / 1e6:.2f} MB", "no chromium" if s_old is None else s_old, 1.0, ""])
            rows.append(["", "now: compact columns, weak ties solid on big maps", f"{len(html.encode()) / 1e6:.2f} MB",
                         "no chromium" if s is None else s, "" if not (s and s_old) else s / s_old, goal])
    return table("Tie map drawn in the browser (Debian chromium, physics off, positions given); HTML target: "
                 "10,000 people under 3 MB", ["people / ties", "what", "HTML", "seconds until drawn",
                                              "x baseline", "target s"], rows)


SUITES = {"ties": bench_ties, "map_draw": bench_map_draw}
