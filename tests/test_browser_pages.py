"""The analysis pages in a real browser: the radar, the funnel and its stories, the tie map, the login.

Two ``streamlit run`` servers (tests/browser.py) for the whole module: one on a fresh database with the demo
data (shared by the page tests, read-only), and one with a password configured through a secrets file in a
temporary folder (``STREAMLIT_SECRETS_FILES``, Streamlit's environment variable for ``secrets.files``).
Screenshots land in tests/_artifacts/ (pages-*.png).

Notes for whoever changes these tests:

* Streamlit draws Altair charts with vega-embed's SVG renderer and does not expose the Vega view object to
  the page, so the charts are checked through their SVG: Vega gives every mark an ``aria-label`` with its
  data fields (``period: 2025-H1`` on a radar polygon, ``Cyclus: Toegepaste waarde`` on a funnel bar).
* A funnel bar is clicked like a person would (a click in the middle of the SVG path). That is reliable
  because the funnel's point selection is bound to clicks on the bars themselves.
* The tie map is an ``st.iframe`` (srcdoc) whose page exposes ``window.tieMap`` = {network, nodes, edges}.
  Changing a filter replaces the iframe's document but keeps the same Playwright frame object, so the tests
  mark the old document and wait until the mark is gone.
* "Nothing before the login" is checked in the page (no metric, chart, table, sidebar filter, network name)
  and on the wire: no websocket message from the server may carry a demo network's name. After the login the
  same recorder must see them (the positive control). The login server's very first visit is made by its
  fixture, because a cold server behaves differently (see the xfail about the pages-folder navigation).
* Tests marked ``xfail(strict=True)`` describe bugs found here; when one is fixed the test passes, strict
  makes that a failure, and the marker must go.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from browser import (
    CANVAS_DRAWN_JS,
    MARK_DOC_JS,
    NEW_MAP_JS,
    app_exceptions,
    goto_nav,
    new_page,
    record_dialogs,
    record_page_errors,
    screenshot,
    server_log,
    streamlit_server,
    wait_for_app,
    wait_for_frames,
    warm_up,
)

from analytics.auth import hash_password
from analytics.draw.tie_map import EDGE_STYLE

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

WITH_DEMO = {"NETWERKLEREN_NO_DEMO": None}
PASSWORD = "een-goed-wachtwoord"
#: The networks of the demo data: none of them may reach a browser before the login.
DEMO_NETWORKS = ("Rekenen", "Hoogbegaafdheid", "Onderzoekend leren", "Zelfregulerend leren", "Nieuwkomersonderwijs")
#: The pages in the sidebar navigation: (Dutch label, English label, url path).
PAGES = [
    ("Overzicht", "Overview", "overview"),
    ("Dimensies", "Dimensions", "dimensions"),
    ("Waardecreatie", "Value creation", "values"),
    ("Leerrelaties", "Learning ties", "ties"),
    ("Presentatie", "Presentation", "present"),
    ("Live verzamelen", "Live collection", "live"),
    ("Gegevens", "Data", "data"),
]


# ------------------------------------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def demo_url(browser, tmp_path_factory):
    """One warmed-up server with the demo data loaded into a fresh database, shared by the page tests."""
    db = tmp_path_factory.mktemp("pages") / "demo.duckdb"
    with streamlit_server(db, env=WITH_DEMO) as url:
        warm_up(browser, url)
        yield url


def open_page(page, url: str, label: str) -> None:
    page.goto(url)
    wait_for_app(page, expect_testid="stSidebarNav")
    goto_nav(page, label)


def to_english(page, title: str) -> None:
    """Click English in the sidebar's language radio and wait until the page's title is ``title``."""
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text("English").click()
    page.locator("h1", has_text=title).first.wait_for(state="visible")
    wait_for_app(page)


def assert_no_crash(page, url: str) -> None:
    crashed = app_exceptions(page)
    assert crashed == [], f"the page raised:\n{crashed}\n--- server log ---\n{server_log(url)}"


def metric_value(page, label: str) -> str:
    """The value shown by the first ``st.metric`` whose label is exactly ``label``."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)).first
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def pick(page, key: str, option: str) -> None:
    """Choose ``option`` in the selectbox with widget key ``key`` and wait for the rerun."""
    page.locator(f'.st-key-{key} [data-testid="stSelectbox"]').click()
    page.get_by_role("option", name=option, exact=True).click()
    page.locator(f'.st-key-{key} input[value="{option}"]').wait_for(state="attached")
    wait_for_app(page)


_RADAR_JS = """el => {
    const svg = el.querySelector('svg'), canvas = el.querySelector('canvas');
    const box = (svg || canvas || el).getBoundingClientRect();
    const out = {tag: svg ? 'svg' : canvas ? 'canvas' : null, width: box.width, height: box.height,
                 polygons: {}, legend: [], texts: []};
    if (!svg) return out;
    for (const p of svg.querySelectorAll('g.mark-line path')) {
        const m = /(?:^|; )period: ([^;]+)/.exec(p.getAttribute('aria-label') || '');
        if (!m || p.getAttribute('stroke-opacity') === '0') continue;  // frame rings; the fill of the latest
        const b = p.getBBox();
        out.polygons[m[1]] = {w: b.width, h: b.height, closed: /z\\s*$/i.test(p.getAttribute('d') || '')};
    }
    out.legend = [...svg.querySelectorAll('.role-legend-label text')].map(t => t.textContent);
    out.texts = [...svg.querySelectorAll('text')].map(t => t.textContent);
    return out;
}"""


def radar(page) -> dict:
    """What the first chart of the page (the radar on the Dimensions page's first tab) has drawn."""
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.locator("svg, canvas").first.wait_for(state="visible")
    return chart.evaluate(_RADAR_JS)


def relative_sizes(info: dict) -> dict[str, float]:
    """Each radar polygon's width and height relative to the largest polygon's."""
    polys = info["polygons"]
    w, h = max(p["w"] for p in polys.values()), max(p["h"] for p in polys.values())
    return {f"{k} {d}": v[d] / (w if d == "w" else h) for k, v in polys.items() for d in ("w", "h")}


def assert_radar_drawn(info: dict) -> None:
    assert info["tag"] == "svg", f"the radar is not drawn as SVG (renderer changed?): {info['tag']}"
    assert info["width"] > 300 and info["height"] > 300, info
    periods = info["legend"]
    assert len(periods) >= 2 and all(re.fullmatch(r"\d{4}-H[12]", p) for p in periods), periods
    # one closed polygon per period in the legend, each spanning a real area
    assert sorted(info["polygons"]) == sorted(periods), info["polygons"]
    for period, poly in info["polygons"].items():
        assert poly["closed"] and poly["w"] > 50 and poly["h"] > 50, (period, poly)


# The tie map's document checks, shared with the bench (bench/map_page_suite.py) through tests/browser.py.
_MARK_DOC_JS, _NEW_MAP_JS, _CANVAS_DRAWN_JS = MARK_DOC_JS, NEW_MAP_JS, CANVAS_DRAWN_JS
_EDGE_STYLES_JS = """() => window.tieMap.edges.get().map(e => [e.color, !!e.dashes, e.width])"""


def tie_map_frame(page, timeout_ms: int = 30_000):
    """The frame of the tie map, once its (new) document has drawn its people on the canvas."""
    page.locator("iframe").first.wait_for(state="attached", timeout=timeout_ms)
    wait_for_frames(page)
    frame = page.locator("iframe").first.element_handle().content_frame()
    frame.wait_for_function(_NEW_MAP_JS, timeout=timeout_ms)
    frame.wait_for_function(_CANVAS_DRAWN_JS, timeout=timeout_ms)
    return frame


def ws_text_recorder(page) -> list[bytes]:
    """Every websocket frame the page receives from the server (Streamlit's ForwardMsgs), as bytes."""
    frames: list[bytes] = []

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode("utf-8", "replace")))

    page.on("websocket", on_ws)
    return frames


# ------------------------------------------------------------------------------------ 1) the dimensions radar


def test_dimensions_radar_draws_its_polygons_in_dutch_and_english(browser, demo_url):
    with new_page(browser) as page:
        errors = record_page_errors(page, console=False)
        open_page(page, demo_url, "Dimensies")
        tab = page.get_by_role("tab", name="Door de tijd")
        assert tab.get_attribute("aria-selected") == "true"

        nl = radar(page)
        assert_radar_drawn(nl)
        network = page.locator('[data-testid="stCaptionContainer"] strong').first.inner_text().strip()
        assert f"{network}: positie per periode" in nl["texts"], nl["texts"]
        page.mouse.move(0, 0)
        screenshot(page, "pages-dimensions-nl")

        to_english(page, "Dimensions")
        assert page.get_by_role("tab", name="Over time").get_attribute("aria-selected") == "true"
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.locator("text", has_text="position per period").first.wait_for(state="visible")
        en = radar(page)
        assert_radar_drawn(en)
        assert f"{network}: position per period" in en["texts"], en["texts"]
        assert not any("positie" in x for x in en["texts"]), en["texts"]
        assert en["legend"] == nl["legend"]
        # the same data in both languages: the same shapes (the scale differs a little, as the axis labels
        # around the radar take more or less room)
        assert relative_sizes(en) == pytest.approx(relative_sizes(nl), abs=0.01)
        page.mouse.move(0, 0)
        screenshot(page, "pages-dimensions-en")
        assert_no_crash(page, demo_url)
        assert errors == [], errors


# --------------------------------------------------------------------------------- 2) the value-creation funnel


def test_clicking_a_funnel_stage_filters_the_stories(browser, demo_url):
    with new_page(browser) as page:
        open_page(page, demo_url, "Waardecreatie")
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        bars = chart.locator("g.mark-rect path[aria-label]")
        bars.first.wait_for(state="visible")
        labels = [b.get_attribute("aria-label") for b in bars.all()]
        assert len(labels) == 5, labels  # the five cycles of the funnel
        for bar in bars.all():
            box = bar.bounding_box()
            assert box and box["width"] > 5 and box["height"] > 10, box

        count = page.get_by_text(re.compile(r"^[\d.]+ verhalen"))  # "1.234 verhalen. De nieuwste 500 ..."
        before = int(count.inner_text().split()[0].replace(".", ""))
        cycles = page.locator('[class*="st-key-story_cycles"] [data-testid="stMultiSelect"]')
        assert cycles.count() == 1 and cycles.locator("[data-tag]").count() == 0

        bar = chart.locator('g.mark-rect path[aria-label*="Toegepaste waarde"]')
        bar.click()
        cycles.locator("[data-tag]", has_text="Toegepaste waarde").wait_for(state="visible")
        wait_for_app(page)
        assert [t.strip() for t in cycles.locator("[data-tag]").all_inner_texts()] == ["Toegepaste waarde"]
        after = int(count.inner_text().split()[0].replace(".", ""))
        assert 0 < after < before, (before, after)
        table = page.locator('[data-testid="stDataFrame"]').filter(has_text="beschrijving").first
        shown = table.text_content() or ""
        assert "Toegepaste waarde" in shown
        for other in ("Directe waarde", "Potentiële waarde", "Gerealiseerde waarde", "Transformatieve waarde"):
            assert other not in shown, other
        # the other bars fade while the selection is active
        opacities = [b.evaluate("e => getComputedStyle(e).opacity || e.getAttribute('opacity')") for b in bars.all()]
        assert sorted(opacities).count("1") == 1, opacities
        page.mouse.move(0, 0)
        screenshot(page, "pages-values-clicked")
        assert_no_crash(page, demo_url)


def test_funnel_tooltip_shows_no_null(browser, demo_url):
    with new_page(browser) as page:
        open_page(page, demo_url, "Waardecreatie")
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.locator('g.mark-rect path[aria-label*="Directe waarde"]').hover()
        tip = page.locator("#vg-tooltip-element")
        tip.wait_for(state="visible")
        text = tip.inner_text()
        assert "Directe waarde" in text and "Deelnemers" in text, text
        assert "null" not in text, text


# ------------------------------------------------------------------------------------------- 3) the tie map


def test_tie_map_draws_everyone_keeps_places_and_compares(browser, demo_url):
    with new_page(browser) as page:
        dialogs = record_dialogs(page)
        open_page(page, demo_url, "Leerrelaties")
        frame = tie_map_frame(page)
        latest = page.locator(".st-key-ties_period input").get_attribute("value")
        nodes = frame.evaluate("() => window.tieMap.nodes.length")
        assert nodes > 10
        assert metric_value(page, "Deelnemers") == str(nodes)
        assert metric_value(page, "Relaties") == str(frame.evaluate("() => window.tieMap.edges.length"))
        positions = frame.evaluate("() => window.tieMap.network.getPositions()")
        page.mouse.move(0, 0)
        screenshot(page, "pages-ties")

        # another period: the people in both keep their place on the map
        page.locator('.st-key-ties_period [data-testid="stSelectbox"]').click()
        periods = page.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        assert len(periods) >= 2 and periods[-1] == latest, periods
        earlier = periods[-3] if len(periods) >= 3 else periods[0]
        frame.evaluate(_MARK_DOC_JS)
        pick(page, "ties_period", earlier)
        frame = tie_map_frame(page)
        nodes_earlier = frame.evaluate("() => window.tieMap.nodes.length")
        assert metric_value(page, "Deelnemers") == str(nodes_earlier)
        positions_earlier = frame.evaluate("() => window.tieMap.network.getPositions()")
        common = set(positions) & set(positions_earlier)
        assert len(common) >= 10, (len(positions), len(positions_earlier))
        assert set(positions) != set(positions_earlier), "both periods hold the same people: no test of the layout"
        moved = {n: (positions[n], positions_earlier[n]) for n in common
                 if abs(positions[n]["x"] - positions_earlier[n]["x"]) > 0.5
                 or abs(positions[n]["y"] - positions_earlier[n]["y"]) > 0.5}
        assert moved == {}, f"people moved between {latest} and {earlier}: {moved}"

        # compare two periods: new, kept and dropped ties each in their own style
        frame.evaluate(_MARK_DOC_JS)
        pick(page, "ties_view", "Vergelijk twee perioden")
        frame = tie_map_frame(page)
        caption = page.get_by_text(re.compile(r"^Van .+ naar .+: \d+ nieuwe relaties")).inner_text()
        m = re.search(r"(\d+) nieuwe relaties.*?(\d+) gebleven.*?(\d+) verdwenen", caption)
        assert m, caption
        expected = {"new": int(m[1]), "kept": int(m[2]), "dropped": int(m[3])}
        styles = Counter(tuple(s) for s in frame.evaluate(_EDGE_STYLES_JS))
        want = {(st["color"], st["dashes"], st["width"]): status
                for status, st in EDGE_STYLE.items() if status in expected}
        assert len(styles) == 3, styles
        assert {want.get(s, s): n for s, n in styles.items()} == expected, (styles, caption)
        legend = page.get_by_test_id("stHtml").last.inner_text()
        for word in ("Nieuw", "Gebleven", "Verdwenen"):
            assert word in legend, legend
        page.mouse.move(0, 0)
        screenshot(page, "pages-ties-compare")
        assert_no_crash(page, demo_url)
        assert dialogs == []


@pytest.fixture(scope="module")
def ties_legend(browser, demo_url) -> dict:
    """The node chips of the tie map's legend (label, colour, roundness) and the shapes on the map itself."""
    with new_page(browser) as page:
        open_page(page, demo_url, "Leerrelaties")
        frame = tie_map_frame(page)
        chips = page.get_by_test_id("stHtml").last.evaluate("""el => [...el.querySelectorAll(':scope > div > span')]
            .map(chip => { const sw = chip.children[0], cs = getComputedStyle(sw);
                return {label: chip.innerText.trim(), background: cs.backgroundColor, radius: cs.borderRadius,
                        outline: cs.transform + ' ' + cs.clipPath,
                        border: cs.borderTopStyle + ' ' + cs.borderTopWidth, height: cs.height}; })""")
        shapes = frame.evaluate("() => Object.values(window.tieMap.network.body.nodes)"
                                ".filter(n => n.options && n.options.shape).map(n => n.options.shape)")
        return {"chips": [c for c in chips if c["height"] == "14px"], "shapes": shapes}


def test_tie_map_legend_tells_every_organisation_apart(ties_legend):
    chips = [c for c in ties_legend["chips"] if c["label"] not in ("onbekend", "Extern (stippelrand)")]
    assert len(chips) > 7, chips
    shapes = set(ties_legend["shapes"])
    assert len(shapes) > 1, "the map needs no shapes: nothing to check"
    # a chip's look: its colour and its shape (round, square, turned into a diamond, cut into a triangle)
    looks = Counter((c["background"], c["radius"], c["outline"]) for c in chips)
    same = {look: [c["label"] for c in chips if (c["background"], c["radius"], c["outline"]) == look]
            for look, n in looks.items() if n > 1}
    assert same == {}, f"legend chips that look the same: {same}"


def test_tie_map_legend_chips_are_visible(ties_legend):
    invisible = [c["label"] for c in ties_legend["chips"]
                 if c["background"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)") and c["border"].startswith("none")]
    assert invisible == [], f"legend chips with no visible symbol: {invisible}"


_TEXT_OVERLAPS_JS = """el => {
    const boxes = [...el.querySelectorAll('svg text')].filter(t => t.textContent.trim())
        .map(t => { const r = t.getBoundingClientRect(); return {s: t.textContent.trim(), l: r.left, r: r.right,
                                                                 t: r.top, b: r.bottom}; });
    const out = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
        if (w > 2 && h > 2) out.push([a.s, b.s]);
    }
    return out;
}"""


@pytest.fixture(scope="module")
def dimensions_details(browser, demo_url) -> dict:
    """From the Dimensions page: overlapping texts in the line chart of the first tab, and the legend of the
    roles radar on the "Gedeeld beeld" tab."""
    with new_page(browser) as page:
        open_page(page, demo_url, "Dimensies")
        lines = page.locator('[data-testid="stVegaLiteChart"]').filter(
            has=page.locator("text", has_text="Gemiddelde positie per periode")).first
        lines.locator("svg").wait_for(state="visible")
        overlaps = lines.evaluate(_TEXT_OVERLAPS_JS)
        page.locator("[role=tablist]").first.get_by_role("tab", name="Gedeeld beeld").click()
        roles = page.locator('[data-testid="stVegaLiteChart"]').filter(
            has=page.locator("text", has_text="Ziet elke rol hetzelfde netwerk?")).first
        roles.locator("svg .role-legend-title text").wait_for(state="visible")
        wait_for_app(page)
        legend = roles.evaluate("""el => ({title: el.querySelector('svg .role-legend-title text').textContent,
            labels: [...el.querySelectorAll('svg .role-legend-label text')].map(t => t.textContent)})""")
        page.mouse.move(0, 0)
        screenshot(page, "pages-dimensions-shared")
        assert_no_crash(page, demo_url)
        return {"overlaps": overlaps, "roles_legend": legend}


def test_roles_radar_legend_is_titled_role(dimensions_details):
    legend = dimensions_details["roles_legend"]
    assert "leraar" in legend["labels"] or "teacher" in legend["labels"], legend  # it is the roles radar
    assert legend["title"] in ("Rol", "Role"), legend


def test_line_chart_texts_do_not_overlap(dimensions_details):
    assert dimensions_details["overlaps"] == []


def test_values_compare_funnels_fit_the_page(browser, demo_url):
    with new_page(browser) as page:
        open_page(page, demo_url, "Waardecreatie")
        page.locator("[role=tablist]").first.get_by_role("tab", name="Vergelijken").click()
        chart = page.locator('[data-testid="stVegaLiteChart"]').filter(
            has=page.locator("text", has_text="Onderzoekend leren")).first
        chart.locator("svg").wait_for(state="visible")
        wait_for_app(page)
        page.mouse.move(0, 0)
        screenshot(page, "pages-values-compare")
        column = page.get_by_test_id("stMainBlockContainer").evaluate(
            "e => { const r = e.getBoundingClientRect(), cs = getComputedStyle(e);"
            " return r.right - parseFloat(cs.paddingRight); }")
        right = chart.locator("svg").first.bounding_box()
        widths = page.get_by_test_id("stMain").evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert right["x"] + right["width"] <= column + 1 and widths[0] <= widths[1], (right, column, widths)


# -------------------------------------------------------------------------------------- every page in English


def test_every_page_in_english(browser, demo_url):
    """Screenshots of every page in English (pages-en-*.png), to look at; the titles must be English."""
    with new_page(browser) as page:
        errors = record_page_errors(page, console=False)
        page.goto(demo_url)
        wait_for_app(page, expect_testid="stSidebarNav")
        to_english(page, "Overview")
        titles, overflow = {}, {}
        for _nl, en, slug in PAGES:
            goto_nav(page, en)
            wait_for_frames(page)
            titles[slug] = page.locator("h1").first.inner_text().strip()
            widths = page.get_by_test_id("stMain").evaluate("e => [e.scrollWidth, e.clientWidth]")
            if widths[0] > widths[1]:
                overflow[slug] = widths
            page.mouse.move(0, 0)
            screenshot(page, f"pages-en-{slug}")
            assert_no_crash(page, demo_url)
        # the presentation's first heading is its first slide's question, the others carry the page's name
        assert titles.pop("present") == "How does the network see itself?"
        assert {slug: title.split(" ", 1)[-1] for slug, title in titles.items()} == {
            slug: en for _nl, en, slug in PAGES if slug != "present"}, titles
        assert overflow == {}, f"pages wider than the window (scroll sideways): {overflow}"
        assert errors == [], errors


def test_a_show_link_keeps_the_language(browser, demo_url):
    """A "Show" link on the Overview switches page from code; the page it opens must stay in English and the
    language switch must still say English (it used to open the page in Dutch)."""
    with new_page(browser) as page:
        page.goto(demo_url)
        wait_for_app(page, expect_testid="stSidebarNav")
        to_english(page, "Overview")
        page.get_by_role("button", name="Show").first.click()
        page.locator("h1", has_text=re.compile("Dimensions|Value creation|Learning ties")).first.wait_for(
            state="visible")
        wait_for_app(page)
        title = page.locator("h1").first.inner_text()
        assert any(w in title for w in ("Dimensions", "Value creation", "Learning ties")), title
        sidebar = page.get_by_test_id("stSidebar")
        assert sidebar.get_by_role("radio", name="English").is_checked()
        assert not sidebar.get_by_role("radio", name="Nederlands").is_checked()
        screenshot(page, "pages-en-show-link")
        assert_no_crash(page, demo_url)


# ----------------------------------------------------------------------------------------------- 4) the login


@pytest.fixture(scope="module")
def login_server(browser, tmp_path_factory):
    """A server with a password (a secrets file in a temporary folder, via STREAMLIT_SECRETS_FILES) and the
    demo data; yields its URL and what the very first visitor of the cold server saw."""
    folder = tmp_path_factory.mktemp("login")
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[auth]\npassword_hash = "{hash_password(PASSWORD, iterations=1000)}"\n', encoding="utf-8")
    with streamlit_server(folder / "demo.duckdb", env={**WITH_DEMO, "STREAMLIT_SECRETS_FILES": str(secrets)}) as url:
        with new_page(browser) as page:
            first = visit_before_login(page, url)
            first["nav"] = page.get_by_test_id("stSidebarNavLink").all_inner_texts()
            screenshot(page, "pages-login-first-visit")
        yield url, first


def visit_before_login(page, url: str) -> dict:
    """Open ``url`` without logging in; return what reached the browser."""
    received = ws_text_recorder(page)
    page.goto(url)
    wait_for_app(page, expect_testid="stForm")
    page.get_by_label("Wachtwoord / Password").wait_for(state="visible")
    wait_for_app(page, settle_ms=800)  # a data page that slipped through would have drawn by now
    return {
        "text": "\n".join(f.locator("body").inner_text() for f in page.frames),
        "counts": {tid: page.get_by_test_id(tid).count() for tid in (
            "stMetric", "stVegaLiteChart", "stDataFrame", "stFileUploader")},
        "sidebar_selects": page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count(),
        "iframes": page.locator("iframe").count(),
        "received": b"".join(received),
        "exceptions": app_exceptions(page),
    }


def assert_nothing_shown(seen: dict) -> None:
    assert seen["exceptions"] == [], seen["exceptions"]
    assert seen["counts"] == dict.fromkeys(seen["counts"], 0), seen["counts"]
    assert seen["sidebar_selects"] == 0 and seen["iframes"] == 0, seen
    assert "Netwerkleren Monitor" in seen["text"]
    for name in DEMO_NETWORKS:
        assert name not in seen["text"], f"{name!r} on the page before the login"
        assert name.encode() not in seen["received"], f"{name!r} sent to the browser before the login"


def test_before_login_the_first_visitor_sees_no_data(login_server):
    _url, first = login_server
    assert_nothing_shown(first)


@pytest.mark.parametrize("path", ["/", "/dimensions", "/ties", "/data"])
def test_before_login_no_page_shows_data(browser, login_server, path):
    url, _first = login_server
    with new_page(browser) as page:
        seen = visit_before_login(page, url + path)
        assert_nothing_shown(seen)
        assert page.get_by_test_id("stSidebarNavLink").count() == 0
        if path == "/dimensions":
            screenshot(page, "pages-login-deep-link")


def test_wrong_password_is_refused_and_the_right_one_opens_the_overview(browser, login_server):
    url, _first = login_server
    with new_page(browser) as page:
        received = ws_text_recorder(page)
        page.goto(url)
        wait_for_app(page, expect_testid="stForm")
        field = page.get_by_label("Wachtwoord / Password")
        field.fill("niet-het-wachtwoord")
        page.get_by_role("button", name="Inloggen / Log in").click()
        error = page.get_by_test_id("stAlertContentError")
        error.wait_for(state="visible", timeout=15_000)
        wait_for_app(page)
        assert "Onjuist wachtwoord / Wrong password" in error.inner_text()
        assert page.get_by_test_id("stMetric").count() == 0
        assert not any(name.encode() in b"".join(received) for name in DEMO_NETWORKS)
        screenshot(page, "pages-login-wrong")

        field.fill(PASSWORD)
        page.get_by_role("button", name="Inloggen / Log in").click()
        wait_for_app(page, expect_testid="stMetric")
        assert page.locator("h1").first.inner_text().strip().endswith("Overzicht")
        assert page.get_by_test_id("stAlertContentError").count() == 0
        assert page.get_by_label("Wachtwoord / Password").count() == 0
        nav = page.get_by_test_id("stSidebarNavLink").all_inner_texts()
        assert [n.split()[-1] for n in nav] == [nl.split()[-1] for nl, _en, _s in PAGES], nav
        assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() >= 2
        # the positive control of the "nothing sent" check: now the network names do reach the browser
        assert any(name.encode() in b"".join(received) for name in DEMO_NETWORKS)
        page.mouse.move(0, 0)
        screenshot(page, "pages-login-overview")
        assert_no_crash(page, url)


def test_before_login_the_first_visitor_sees_no_navigation(login_server):
    _url, first = login_server
    assert first["nav"] == []
