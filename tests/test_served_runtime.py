"""The app's own maps load vis-network from the app's server (static/), not 700 KB inside every map; a map to
download and a report carry it themselves; where static/ cannot be written the app's maps carry it too."""

from __future__ import annotations

import pytest
from test_app_pages import db, iframe_html, run_page  # noqa: F401  (db is a fixture)

from analytics.draw import tie_map
from analytics.draw.layout import layout
from analytics.draw.tie_map import map_data, tie_map_html

pytest.importorskip("pyvis")


def _graph():
    import networkx as nx

    G = nx.DiGraph()
    for v, org in (("a", "X"), ("b", "X"), ("c", "Y")):
        G.add_node(v, label=v.upper(), organisation=org, role="teacher", external=False)
    for s, t in (("a", "b"), ("b", "c"), ("c", "a")):
        G.add_edge(s, t, weight=2.0, count=1, tie_type="advice", topic=None, channel=None)
    return G


def _csp(html: str) -> str:
    start = html.index('http-equiv="Content-Security-Policy" content="') + len('http-equiv="Content-Security-Policy" content="')
    return html[start:html.index('"', start)]


def test_a_served_map_asks_the_server_for_the_library_and_draws_the_same_data():
    G = _graph()
    inline = tie_map_html(G, layout(G))
    served = tie_map_html(G, layout(G), runtime="served")
    js, css = tie_map._vis_assets()
    assert str(js) in inline and str(js) not in served and str(css) not in served
    assert '<script src="/app/static/vis-network.min.js"></script>' in served
    assert '<link rel="stylesheet" href="/app/static/vis-network.css">' in served
    assert map_data(served) == map_data(inline)  # the same people, ties, places and names
    assert len(served) < len(inline) / 20
    # its own server only, for scripts and styles; nothing else may be fetched
    assert _csp(served).startswith("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self'")
    assert "'self'" not in _csp(inline)


def test_the_served_path_follows_the_base_url_and_is_escaped():
    G = _graph()
    html = tie_map_html(G, layout(G), runtime="served", served_at='/monitor/app/static/"x/')
    assert 'src="/monitor/app/static/&#34;x/vis-network.min.js"' in html
    assert '"x/vis-network' not in html


def test_publishing_writes_the_library_once_and_says_when_it_cannot(tmp_path):
    folder = tmp_path / "static"
    assert tie_map.publish_runtime(folder)
    js, css = tie_map._vis_assets()
    assert (folder / "vis-network.min.js").read_text(encoding="utf-8") == str(js)
    assert (folder / "vis-network.css").read_text(encoding="utf-8") == str(css)
    before = (folder / "vis-network.min.js").stat().st_mtime_ns
    (folder / "vis-network.css").write_text("stale", encoding="utf-8")  # e.g. pyvis was upgraded
    assert tie_map.publish_runtime(folder)
    assert (folder / "vis-network.min.js").stat().st_mtime_ns == before  # the same: not written again
    assert (folder / "vis-network.css").read_text(encoding="utf-8") == str(css)
    assert sorted(p.name for p in folder.iterdir()) == ["vis-network.css", "vis-network.min.js"]  # no .tmp left
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    assert not tie_map.publish_runtime(blocked / "static")  # cannot be a folder: said, not raised


@pytest.mark.parametrize("served", [True, False])
def test_the_ties_page_serves_the_library_when_it_can(db, monkeypatch, served):  # noqa: F811
    import streamlit as st

    from pages import ui

    ui._runtime_served.clear()
    monkeypatch.setattr(st, "get_option", lambda name, _real=st.get_option: True
                        if name == "server.enableStaticServing" else _real(name))
    if not served:  # a read-only install: nothing could be written
        monkeypatch.setattr(tie_map, "publish_runtime", lambda folder: False)
    try:
        at = run_page(db, monkeypatch, "pages/ties.py", "nl", network="Rekenen")
        doc = iframe_html(at)
    finally:
        ui._runtime_served.clear()
    assert "tieMapStart(" in doc
    if served:
        assert 'src="/app/static/vis-network.min.js"' in doc and len(doc) < 100_000
    else:
        assert str(tie_map._vis_assets()[0]) in doc and "/app/static/" not in doc
