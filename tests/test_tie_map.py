"""The tie map HTML: offline, hostile text stays data, fixed positions, the styles the legend promises."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from browser import ARTIFACTS

from analytics.decisions import CROSS_TIE_COLOR, ROLE_COLORS
from analytics.draw.layout import layout
from analytics.draw.tie_map import (
    EDGE_STYLE,
    MAX_CATEGORIES,
    PALETTE,
    _vis_assets,
    edge_width,
    legend_items,
    map_data,
    map_records,
    plain_text,
    tie_map_html,
)
from analytics.measures.network import build_graph, compare_periods, person_measures

pytest_plugins = ["browser"]

HOSTILE = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(1)</script>"

#: Inert URL text inside vis-network's own minified code (licence notes, SVG namespace, error messages).
VIS_URL_TEXT = {
    "http://almende.com",
    "http://opensource.org/licenses/MIT",
    "http://www.apache.org/licenses/LICENSE-2.0",
    "http://www.w3.org/2000/svg",
    "https://github.com/uuidjs/uuid#getrandomvalues-not-supported",
    "https://github.com/visjs",
    "https://github.com/zloirock/core-js",
    "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE",
    "https://visjs.github.io/vis-network/",
}


def data_line(html: str, name: str) -> list | dict:
    """What the page hands vis-network: the node or edge records, or the options, from its one data literal.

    The records are made from the compact columns by :func:`map_records` (the Python twin of the page's
    ``tieMapStart``; ``test_in_a_real_browser`` checks that Chromium gets exactly these records).
    """
    data = map_data(html)
    if name == "options":
        return data["options"]
    nodes, edges = map_records(data)
    return {"nodes": nodes, "edges": edges}[name]


@pytest.fixture
def graph() -> nx.DiGraph:
    nodes = pd.DataFrame(
        {
            "participant_id": ["a", "b", "c", "d"],
            "label": [HOSTILE, BREAKOUT, "Jan <a HREF='javascript:alert(1)'>x</a>", "Piet & 'Co'"],
            "organisation": ["School <X>", "School <X>", "Y", None],
            "role": ["teacher", "coach", "expert", None],
            "external": [False, False, False, True],
        }
    )
    edges = pd.DataFrame(
        {
            "source": ["a", "b", "c", "a"],
            "target": ["b", "c", "d", "c"],
            "weight": [1, 5, 2, 3],
            "topic": ["<b>rekenen</b>", None, "see href", None],
        }
    )
    return build_graph(nodes, edges)[0]


@pytest.fixture
def html(graph: nx.DiGraph) -> str:
    return tie_map_html(graph, layout(graph))


def test_no_outside_resource(html: str) -> None:
    lowered = html.lower()
    for tag in ("<link", "<img", "<iframe", "<object", "<embed", "<base", "@import"):
        assert tag not in lowered
    assert not re.search(r"<script[^>]*\bsrc\s*=", lowered)
    assert not re.search(r"\b(src|href|action|srcset)\s*=\s*[\"']?\s*(https?:)?//", lowered)
    assert "//cdn" not in lowered and "jsdelivr" not in lowered and "cloudflare" not in lowered
    assert "bootstrap" not in lowered
    # Every "http" in the page is vis-network's own inert text: remove the inlined library, none is left...
    js, css = _vis_assets()
    assert js in html and css in html
    without_js = html.replace(js, "").lower()
    assert "url(" in without_js and not re.search(r"url\(\s*(?![\"']?data:)", without_js)  # CSS: data: only
    rest = html.replace(js, "").replace(css, "")
    assert "https:" not in rest.lower() and "http:" not in rest.lower() and "//" not in rest
    # ...and inside the library it is only licence/namespace/error text that nothing fetches.
    found = set(re.findall(r"https?://[A-Za-z0-9./#_-]+", str(js) + str(css)))
    assert found <= VIS_URL_TEXT
    # the browser is told not to fetch anything either
    assert "default-src 'none'" in html


def test_hostile_labels_stay_inside_json(html: str, graph: nx.DiGraph) -> None:
    assert HOSTILE not in html and "<img" not in html
    assert BREAKOUT not in html and "alert(1)</script>" not in html
    assert html.count("</script>") == 3  # the library, the map code and its data: nothing closes early
    assert "\\u003c/script\\u003e" in html
    nodes = {n["id"]: n for n in data_line(html, "nodes")}
    assert nodes["a"]["label"] == HOSTILE  # shown as typed, not escaped twice
    assert nodes["b"]["title"].startswith(BREAKOUT)
    assert "Piet & 'Co'" in nodes["d"]["title"]


def test_href_is_neutralised_everywhere(html: str) -> None:
    # names drawn by vis-network (label) and by the page itself (the pinned ones: from the data's labels)
    texts = ([n["title"] for n in data_line(html, "nodes")] + [n.get("label", "") for n in data_line(html, "nodes")]
             + map_data(html)["labels"] + list(map_data(html)["short"].values()))
    texts += [e["title"] for e in data_line(html, "edges")]
    assert any("javascript:" in t for t in texts)  # the text is still there...
    assert all("href" not in t.lower() for t in texts)  # ...but never as the word pyvis would react to
    assert plain_text("a HrEf b") == "a Hr\u200bEf b"
    assert plain_text("x\x00y\u202ez\r\nw") == "xyz\nw"
    assert plain_text("abcdef", limit=4) == "abc…"


def test_physics_off_and_fixed_positions(html: str, graph: nx.DiGraph) -> None:
    options = data_line(html, "options")
    assert options["physics"] == {"enabled": False}
    assert options["edges"]["arrows"]["to"]["enabled"] is True
    nodes = data_line(html, "nodes")
    assert len(nodes) == graph.number_of_nodes()
    pos = layout(graph)
    # positions in whole pixels (a map is drawn at ~110 px between neighbours: rounding moves nobody visibly)
    assert {n["id"]: (n["x"], n["y"]) for n in nodes} == {v: (round(x), round(y)) for v, (x, y) in pos.items()}
    assert len(data_line(html, "edges")) == graph.number_of_edges()
    for forbidden in ("select-menu", "filter-menu", "<h1", "tom-select", "popup.innerHTML", "innerHTML"):
        assert forbidden not in html.replace(str(_vis_assets()[0]), "")


def test_tooltip_lines(html: str) -> None:
    nodes = {n["id"]: n for n in data_line(html, "nodes")}
    assert nodes["c"]["title"].split("\n")[1:] == [
        "Rol: expert",
        "Organisatie: Y",
        "Genoemd door: 2 · Noemt: 1",
        "Betweenness: 0,333",
    ]
    assert "Van buiten de deelnemerslijst" in nodes["d"]["title"]
    assert nodes["d"]["shapeProperties"] == {"borderDashes": [3, 3]}


def test_edge_styles(graph: nx.DiGraph) -> None:
    html = tie_map_html(graph, layout(graph), strong_threshold=3.0, highlight_cross_org=True, lang="en")
    edges = {(e["from"], e["to"]): e for e in data_line(html, "edges")}
    strong, weak, cross = EDGE_STYLE["strong"], EDGE_STYLE["weak"], EDGE_STYLE["cross"]
    w_ab, w_bc = graph.edges["a", "b"]["weight"], graph.edges["b", "c"]["weight"]
    assert edges[("a", "b")]["width"] == edge_width(weak["width"], w_ab) and edges[("a", "b")]["dashes"] is True
    assert edges[("a", "b")]["color"] == weak["color"]  # same school
    assert edges[("b", "c")]["width"] == edge_width(strong["width"], w_bc) and "dashes" not in edges[("b", "c")]
    assert edges[("b", "c")]["color"] == cross["color"]  # School <X> -> Y
    assert edges[("c", "d")]["color"] == weak["color"]  # d's school unknown: not "across"
    assert (
        "Weight: 5 (strong)" in edges[("b", "c")]["title"]
        and "Across organisations" in edges[("b", "c")]["title"]
    )
    plain = tie_map_html(graph, layout(graph), highlight_cross_org=False)
    assert all(e["color"] != cross["color"] for e in data_line(plain, "edges"))


def test_edge_width_grows_with_weight() -> None:
    assert edge_width(1.0, 1) == 0.8 and edge_width(1.0, 3) == 1.2 and edge_width(1.0, 5) == 1.6
    assert edge_width(3.0, 20) == 4.8 and edge_width(3.0, 0.1) == 2.4


def test_compare_view_three_styles(graph: nx.DiGraph) -> None:
    earlier = pd.DataFrame({"source": ["a", "b", "d"], "target": ["b", "c", "a"]})
    later = pd.DataFrame({"source": ["a", "b", "c", "a"], "target": ["b", "c", "d", "c"]})
    cmp = compare_periods(earlier, later)
    status = {(s, t): st for s, t, st in cmp[["source", "target", "status"]].itertuples(index=False)}
    html = tie_map_html(graph, layout(graph), compare_status=status)
    edges = {(e["from"], e["to"]): e for e in data_line(html, "edges")}
    assert edges[("a", "b")]["color"] == EDGE_STYLE["kept"]["color"]
    assert edges[("c", "d")]["color"] == EDGE_STYLE["new"]["color"]
    assert edges[("d", "a")]["color"] == EDGE_STYLE["dropped"]["color"] and edges[("d", "a")]["dashes"]
    styles = {(e["color"], e["width"], e.get("dashes", False)) for e in edges.values()}
    assert len(styles) == 3
    legend = [i["label"] for i in legend_items(graph, compare=True)]
    assert {"Nieuw", "Gebleven", "Verdwenen"} <= set(legend)


def test_same_place_in_two_periods() -> None:
    people = pd.DataFrame({"participant_id": list("abcdef"), "organisation": list("XXXYYY")})
    ties = pd.DataFrame({"source": list("abcdea"), "target": list("bcdefd"), "period": [1, 1, 1, 2, 2, 2]})
    G_all = build_graph(people, ties)[0]
    positions = layout(G_all)
    xy = []
    for period in (1, 2):
        G = build_graph(people, ties[ties["period"] == period])[0]
        nodes = {n["id"]: (n["x"], n["y"]) for n in data_line(tie_map_html(G, positions), "nodes")}
        xy.append(nodes)
    assert xy[0] == xy[1] == {v: (round(x), round(y)) for v, (x, y) in positions.items()}


def test_missing_positions_get_a_place(graph: nx.DiGraph) -> None:
    pos = layout(graph)
    del pos["d"]
    nodes = {n["id"]: n for n in data_line(tie_map_html(graph, pos), "nodes")}
    assert set(nodes) == set(graph.nodes)
    assert nodes["d"]["y"] > max(p[1] for p in pos.values())


def test_colour_by_and_legend(graph: nx.DiGraph) -> None:
    for color_by in ("organisation", "role", "community"):
        html = tie_map_html(graph, layout(graph), color_by=color_by, size_by="betweenness")
        options = data_line(html, "options")
        groups = {n["group"] for n in data_line(html, "nodes")}
        assert groups <= set(options["groups"])
        items = legend_items(graph, color_by=color_by)
        node_colours = {i["color"] for i in items if i["kind"] == "node"}
        known = set(PALETTE) | {"#FFFFFF", "#BBBBBB"} | (set(ROLE_COLORS.values()) if color_by == "role" else set())
        assert node_colours <= known
    roles = [i["label"] for i in legend_items(graph, color_by="role", lang="en") if i["kind"] == "node"]
    assert roles[:3] == ["teacher", "coach", "expert"]  # fixed role order, so colours match across networks
    # one colour per role in the whole product, whatever the language or the roles a network has
    for lang in ("nl", "en"):
        colours = [i["color"] for i in legend_items(graph, color_by="role", lang=lang) if i["kind"] == "node"]
        assert colours[:3] == [ROLE_COLORS["teacher"], ROLE_COLORS["coach"], ROLE_COLORS["expert"]]
    assert CROSS_TIE_COLOR not in ROLE_COLORS.values()  # people's colours never mean "tie across organisations"
    assert "unknown" in roles
    with pytest.raises(ValueError):
        tie_map_html(graph, layout(graph), color_by="height")  # type: ignore[arg-type]


def test_many_categories_share_other() -> None:
    n = MAX_CATEGORIES + 5
    people = pd.DataFrame(
        {"participant_id": [f"p{i}" for i in range(n)], "organisation": [f"S{i}" for i in range(n)]}
    )
    G = build_graph(people, pd.DataFrame())[0]
    groups = [node["group"] for node in data_line(tie_map_html(G, layout(G)), "nodes")]
    assert groups.count("other") == 5
    assert len(set(groups)) == MAX_CATEGORIES + 1


def test_labels_override_and_person_df(graph: nx.DiGraph) -> None:
    people = person_measures(graph)
    html = tie_map_html(graph, layout(graph), labels={"a": "Deelnemer 1"}, person_df=people, lang="en")
    nodes = {n["id"]: n for n in data_line(html, "nodes")}
    assert nodes["a"]["label"] == "Deelnemer 1" and HOSTILE not in nodes["a"]["title"]
    assert nodes["c"]["title"].split("\n")[1] == "Role: expert"


def test_empty_and_deterministic() -> None:
    G = nx.DiGraph()
    html = tie_map_html(G, {})
    assert data_line(html, "nodes") == [] and data_line(html, "edges") == []
    people = pd.DataFrame({"participant_id": list("abc"), "organisation": list("XYX")})
    ties = pd.DataFrame({"source": list("ab"), "target": list("bc")})
    G = build_graph(people, ties)[0]
    assert tie_map_html(G, layout(G)) == tie_map_html(G, layout(G))


def test_only_this_module_uses_pyvis() -> None:
    root = Path(__file__).resolve().parents[1]
    users = sorted(
        p.relative_to(root).as_posix()
        for p in (root / "analytics").rglob("*.py")
        if re.search(r"^\s*(import pyvis|from pyvis)", p.read_text(encoding="utf-8"), re.M)
        or "import pyvis" in p.read_text(encoding="utf-8")
    )
    assert users == ["analytics/draw/tie_map.py"]


def test_organisation_map(graph: nx.DiGraph) -> None:
    from analytics.measures.network import organisation_graph

    OG = organisation_graph(graph)
    html = tie_map_html(OG, layout(OG), strong_threshold=2, lang="en")
    nodes = {n["id"]: n for n in data_line(html, "nodes")}
    assert set(nodes) == {"School <X>", "Y"}
    assert nodes["School <X>"]["title"].split("\n")[1:3] == ["Members: 2", "Ties inside the organisation: 1"]
    (edge,) = data_line(html, "edges")
    assert "Ties: 2 (strong)" in edge["title"]


@pytest.mark.browser
def test_in_a_real_browser(graph: nx.DiGraph, tmp_path: Path, browser) -> None:
    """Chromium draws the map offline, tooltips show hostile text as text, nothing is fetched or run."""
    page_file = tmp_path / "map.html"
    doc = tie_map_html(graph, layout(graph), lang="en")
    page_file.write_text(doc, encoding="utf-8")
    context = browser.new_context()
    try:
        page = context.new_page()
        requests, dialogs, errors = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(page_file.as_uri())
        page.wait_for_function("window.tieMap !== undefined", timeout=30_000)
        assert page.evaluate("tieMap.nodes.length") == graph.number_of_nodes()
        assert page.evaluate("tieMap.edges.length") == graph.number_of_edges()
        # the records Chromium holds are exactly those map_records makes from the compact data
        nodes, edges = map_records(map_data(doc), stretch=page.evaluate("tieMap.stretch"))
        assert page.evaluate("tieMap.nodes.get()") == nodes
        got_edges = page.evaluate("tieMap.edges.get().map(e => { const c = Object.assign({}, e); delete c.id; "
                                  "return c; })")
        assert got_edges == edges
        for node_id in ("a", "b", "c"):  # hover each hostile label until its tooltip shows
            xy = page.evaluate(
                f"tieMap.network.canvasToDOM(tieMap.network.getPositions(['{node_id}'])['{node_id}'])"
            )
            box = page.locator("#tie-map").bounding_box()
            page.mouse.move(box["x"] + xy["x"] + 1, box["y"] + xy["y"] + 1)
            page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
            page.wait_for_function(
                "(t) => { const e = document.querySelector('.vis-tooltip');"
                " return e && e.style.visibility !== 'hidden' && e.innerText.startsWith(t); }",
                arg=page.evaluate(f"tieMap.nodes.get('{node_id}').title.split('\\n')[0]"),
                timeout=10_000,
            )
        assert page.evaluate("document.querySelectorAll('a, img, iframe, object, embed').length") == 0
        assert page.evaluate("document.scripts.length") == 3
        tooltip = page.evaluate("document.querySelector('.vis-tooltip').innerHTML")
        assert tooltip.startswith("Jan &lt;a ")  # c's label, shown as text
        assert "Across organisations" in edges[[e["from"] + e["to"] for e in edges].index("bc")]["title"]
    finally:
        context.close()
    assert requests == [page_file.as_uri()]
    assert dialogs == [] and errors == []


def test_an_organisation_keeps_its_colour_when_others_are_not_in_view():
    import networkx as nx

    from analytics.draw import tie_map as tmap

    G = nx.DiGraph()
    for n, org in (("a", "Alfa"), ("b", "Beta"), ("c", "Gamma")):
        G.add_node(n, label=n, organisation=org, role="teacher", external=False)
    G.add_edges_from([("a", "b"), ("b", "c")])
    order = ["Alfa", "Beta", "Gamma"]

    def colours(graph):
        return {i["label"]: i["color"] for i in tmap.legend_items(graph, category_order=order)
                if i.get("kind", "node") == "node"}

    whole, part = colours(G), colours(G.subgraph(["b", "c"]))
    assert part["Beta"] == whole["Beta"] and part["Gamma"] == whole["Gamma"]
    assert len(set(whole.values())) == 3  # three organisations, three colours
    # without a fixed order the part would renumber: Beta takes Alfa's colour
    free = {i["label"]: i["color"] for i in tmap.legend_items(G.subgraph(["b", "c"]))
            if i.get("kind", "node") == "node"}
    assert free["Beta"] == whole["Alfa"]


def test_a_big_map_is_compact() -> None:
    """10,000 people / 100,000 ties in under 3 MB: ids once, ties as index triples, styles once, whole pixels."""
    import numpy as np

    rng = np.random.default_rng(1)
    n, m = 10_000, 100_000
    school = np.arange(n) // 25
    src = rng.integers(0, n, m)
    tgt = np.where(rng.random(m) < 0.9, np.minimum(school[src] * 25 + rng.integers(0, 25, m), n - 1),
                   rng.integers(0, n, m))
    people = pd.DataFrame({"participant_id": [f"T-{i:05d}" for i in range(n)],
                           "organisation": [f"School {s}" for s in school], "role": "teacher"})
    ties = pd.DataFrame({"source": [f"T-{i:05d}" for i in src], "target": [f"T-{i:05d}" for i in tgt],
                         "weight": rng.integers(1, 6, m)})
    G = build_graph(people, ties)[0]
    pos = {v: (float(i % 100) * 110.37, float(i // 100) * 110.37) for i, v in enumerate(sorted(G))}
    doc = tie_map_html(G, pos, person_df=person_measures(G, betweenness_k=50))
    assert len(doc.encode("utf-8")) < 3_000_000
    data = map_data(doc)
    assert len(data["ids"]) == n and len(data["edges"]) == 3 * G.number_of_edges()
    assert len(data["styles"]) <= 20  # a few styles shared by 100,000 ties
    assert data["edgeTitles"] is None and data["labels"] is None  # labels are the ids: not written twice
    assert doc.count('"School 7"') == 1  # an organisation's name once, not once per person
    assert all(isinstance(x, int) for x in data["x"][:100])
    assert "https:" not in doc.replace(str(_vis_assets()[0]), "")


def test_the_most_named_and_the_brokers_are_named_without_hovering(graph: nx.DiGraph) -> None:
    """In-degrees: c 2 (a, b), b 1, d 1, a 0; only c lies between others (a -> c -> d, b -> c -> d)."""
    data = map_data(tie_map_html(graph, layout(graph), lang="en"))
    assert data["ids"] == ["a", "b", "c", "d"]
    assert [data["ids"][i] for i in data["pins"]] == ["c", "b", "d"] and data["pinMust"] == 3
    nodes = {n["id"]: n for n in map_records(data)[0]}
    assert "label" not in nodes["c"] and nodes["a"]["label"] == HOSTILE  # the page draws c's name itself
    one = map_data(tie_map_html(graph, layout(graph), label_top=1))
    assert [one["ids"][i] for i in one["pins"]] == ["c"]
    assert map_data(tie_map_html(graph, layout(graph), label_top=0))["pins"] == []
    # a map of part of the network names only the people it shows
    part = map_data(tie_map_html(graph.subgraph(["a", "b"]).copy(), layout(graph), person_df=person_measures(graph)))
    assert [part["ids"][i] for i in part["pins"]] == ["b"]


def test_every_organisation_is_named_on_an_organisation_map(graph: nx.DiGraph) -> None:
    from analytics.measures.network import organisation_graph

    OG = organisation_graph(graph)
    data = map_data(tie_map_html(OG, layout(OG), lang="en"))
    assert [data["ids"][i] for i in data["pins"]] == ["School <X>", "Y"]  # two members before one


def test_focus_search_and_frame_are_data(graph: nx.DiGraph) -> None:
    pos = {"a": (0.0, 0.0), "b": (100.0, 0.0), "c": (0.0, 200.0), "d": (50.0, 50.0), "zz": (-40.0, 300.0)}
    doc = tie_map_html(graph, pos, focus="c")
    data = map_data(doc)
    assert data["focus"] == 2 and data["search"] is False and 'id="tie-find"' not in doc
    assert data["frame"] == [-40, 100, 0, 300]  # every position given, not only the people drawn
    assert map_data(tie_map_html(graph, pos, focus="nobody"))["focus"] is None
    assert map_data(tie_map_html(graph, pos))["focus"] is None
    found = tie_map_html(graph, pos, search=True, lang="nl")
    assert map_data(found)["search"] is True
    assert '<input id="tie-find" type="search"' in found and 'placeholder="Zoek een naam op de kaart"' in found
    # stretched sideways, x moves away from the middle of all positions (30), y stays
    nodes = {n["id"]: n for n in map_records(data, stretch=1.5)[0]}
    assert (nodes["b"]["x"], nodes["b"]["y"]) == (30 + 70 * 1.5, 0) and nodes["c"]["x"] == 30 - 30 * 1.5


@pytest.mark.browser
def test_names_highlight_and_search_in_a_real_browser(graph: nx.DiGraph, tmp_path: Path, browser) -> None:
    """The pinned names are drawn, a highlight fades everyone but one person and their contacts, the search
    field highlights whoever is typed, and a hostile name typed there stays text."""
    page_file = tmp_path / "map.html"
    doc = tie_map_html(graph, layout(graph), lang="en", search=True, labels={"d": "Dora"})
    page_file.write_text(doc, encoding="utf-8")
    context = browser.new_context(viewport={"width": 900, "height": 700})
    try:
        page = context.new_page()
        errors, dialogs = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_file.as_uri())
        page.wait_for_function("window.tieMap && window.tieMap.named.length > 0", timeout=30_000)
        assert sorted(page.evaluate("tieMap.named")) == ["b", "c", "d"]
        assert page.evaluate("tieMap.stretch") >= 1
        opacity = "() => Object.fromEntries(tieMap.nodes.get().map(n => [n.id, n.opacity === undefined ? 1 : n.opacity]))"
        assert page.evaluate("tieMap.highlight('d')") == "d"
        assert page.evaluate(opacity) == {"a": 0.2, "b": 0.2, "c": 1, "d": 1}  # d is tied to c only
        faded = page.evaluate("tieMap.edges.get().filter(e => e.color.opacity < 0.5).map(e => e.from + e.to)")
        assert sorted(faded) == ["ab", "ac", "bc"]
        assert page.evaluate("tieMap.highlight(null)") is None
        assert set(page.evaluate(opacity).values()) == {1}
        page.fill("#tie-find", "dora")
        page.wait_for_function("tieMap.focus() === 'd'")
        page.fill("#tie-find", "")
        page.wait_for_function("tieMap.focus() === null")
        page.fill("#tie-find", HOSTILE)  # a's name, typed: found as text, never run
        page.wait_for_function("tieMap.focus() === 'a'")
        # a is not pinned: while found, the page draws a's name (vis-network's label is blanked, not doubled)
        assert page.evaluate("tieMap.nodes.get('a').label") == ""
        page.wait_for_function("tieMap.named.includes('a')")
        page.fill("#tie-find", "")
        page.wait_for_function("tieMap.focus() === null")
        assert page.evaluate("tieMap.nodes.get('a').label") == HOSTILE
        page.fill("#tie-find", HOSTILE)
        page.wait_for_function("tieMap.focus() === 'a'")
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        page.evaluate("tieMap.highlight(null)")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "tie-map-names.png"))
    finally:
        context.close()
    assert errors == [] and dialogs == []
