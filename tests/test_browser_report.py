"""The standalone report in a real browser, opened from disk: nothing leaves the machine, the SVG charts render,
the tie maps draw their people inside sandboxed frames; and the presentation page on a running app.

Screenshots land in tests/_artifacts/ (report-top.png, report-network.png, present-*.png).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import (
    ARTIFACTS,
    ROOT,
    app_exceptions,
    goto_nav,
    new_page,
    outside_requests,
    record_page_errors,
    record_requests,
    screenshot,
    streamlit_server,
    wait_for_app,
    warm_up,
)

from analytics.demo import load as demo
from analytics.store import database as store
from analytics.views import report

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

NETWORKS = ["Rekenen", "Zelfregulerend leren"]
LOCAL_FILE_SCHEMES = {"file", "data", "about", "blob"}
#: Pixels of the map's canvas that are not transparent once vis-network has drawn the people and ties.
MIN_DRAWN_PIXELS = 2_000

_CANVAS_PIXELS_JS = """() => {
    const c = document.querySelector('#tie-map canvas');
    if (!c || !c.width || !c.height) return 0;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
}"""


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser_report")
    con = store.connect(folder / "demo.duckdb")
    try:
        demo.load_demo(con)
        return report.write_report(con, folder / "report.html", networks=NETWORKS, pseudonymise=True, lang="nl")
    finally:
        con.close()


def wait_for_map(frame, timeout_ms: int = 30_000) -> int:
    """Wait until the map in ``frame`` has drawn; returns how many people it holds."""
    # Polled from here with evaluate: wait_for_function's polling evaluates a string in the page, which the
    # report's Content-Security-Policy (no 'unsafe-eval') refuses whenever the map is not drawn at once.
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    check = f"() => !!(window.tieMap && window.tieMap.nodes.length > 0) && ({_CANVAS_PIXELS_JS})() > {MIN_DRAWN_PIXELS}"
    while not frame.evaluate(check):
        assert time.monotonic() < deadline, "the map did not draw"
        frame.page.wait_for_timeout(100)
    return frame.evaluate("() => window.tieMap.nodes.length")


def test_report_opens_offline_with_charts_and_maps(browser, report_file):
    with new_page(browser, viewport={"width": 1280, "height": 1000}) as page:
        requests = record_requests(page)
        errors = record_page_errors(page)
        page.goto(report_file.as_uri())
        page.wait_for_load_state("load")

        # SVG charts: 3 per network, drawn with real geometry
        svgs = page.locator("figure.chart svg")
        assert svgs.count() == 3 * len(NETWORKS)
        for i in range(svgs.count()):
            box = svgs.nth(i).bounding_box()
            assert box and box["width"] > 200 and box["height"] > 150, (i, box)
        assert page.locator("figure.chart svg path").count() > 50
        assert page.locator("figure.chart svg text").count() > 50

        # tie maps: one sandboxed frame per network, each drawing its people
        frames = page.locator("iframe.tiemap")
        assert frames.count() == len(NETWORKS)
        for i in range(frames.count()):
            el = frames.nth(i)
            assert el.get_attribute("sandbox") == "allow-scripts"
            el.scroll_into_view_if_needed()
            frame = el.element_handle().content_frame()
            assert wait_for_map(frame) > 20
            # vis-network's labels, and the names the page draws itself for the most named and the brokers
            frame.wait_for_function("() => window.tieMap.named.length > 0")
            labels = frame.evaluate("() => window.tieMap.nodes.get().map(n => n.label)"
                                    ".filter(l => l !== undefined).concat(window.tieMap.named)")
            assert all(re.fullmatch(r"[A-Z]-\d{3}", str(lab)) for lab in labels), labels[:5]
            # the sandbox keeps the map away from the report (opaque origin)
            reach = frame.evaluate("() => { try { return window.parent.document.title; } catch (e) { return 'blocked'; } }")
            assert reach == "blocked"

        page.evaluate("() => window.scrollTo(0, 0)")
        screenshot(page, "report-top", max_height=6_000)
        section = page.locator("section.network").first
        section.locator("iframe.tiemap").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        section.screenshot(path=str(ARTIFACTS / "report-network.png"))

        # nothing but the file itself (and data:/about: for the frames)
        schemes = {urlsplit(u).scheme for u in requests}
        assert schemes <= LOCAL_FILE_SCHEMES, [u for u in requests if urlsplit(u).scheme not in LOCAL_FILE_SCHEMES]
        assert not errors, errors[:5]  # a CSP refusal would show here


def test_report_prints_each_network_on_its_own_page(browser, report_file):
    with new_page(browser) as page:
        page.goto(report_file.as_uri())
        page.emulate_media(media="print")
        breaks = page.evaluate("() => [...document.querySelectorAll('section.network')]"
                               ".map(s => getComputedStyle(s).breakBefore)")
        assert breaks == ["page"] * len(NETWORKS)
        assert page.evaluate("() => getComputedStyle(document.querySelector('nav.toc')).display") == "none"


def test_presentation_page(browser, tmp_path):
    assert "pages/present.py" in (ROOT / "app.py").read_text(encoding="utf-8")  # in the navigation
    with streamlit_server(tmp_path / "present.duckdb", env={"NETWERKLEREN_NO_DEMO": None}) as url:
        warm_up(browser, url)
        with new_page(browser) as page:
            requests = record_requests(page)
            page.goto(url)
            wait_for_app(page, expect_testid="stSidebarNav")
            goto_nav(page, "Presentatie")
            wait_for_app(page, expect_testid="stVegaLiteChart")
            assert not app_exceptions(page)
            assert page.get_by_text(re.compile(r"Dia 1 van \d+")).first.is_visible()
            screenshot(page, "present-slide1", full_page=False)
            for _ in range(3):  # to the tie map
                page.locator(".st-key-present_next button").click()  # "Volgende" and the key it answers to
                wait_for_app(page)
            page.locator("iframe").first.wait_for(state="visible")
            frame = page.locator("iframe").first.element_handle().content_frame()
            assert wait_for_map(frame) > 20
            assert page.locator('[data-testid="stDataFrame"]').count() == 0  # no raw tables
            screenshot(page, "present-slide4", full_page=False)
            page.get_by_text("Kaart door de tijd").first.click()
            wait_for_app(page, expect_testid="stImage", timeout_ms=60_000)
            screenshot(page, "present-play", full_page=False)
            assert not app_exceptions(page)
            assert not outside_requests(requests), outside_requests(requests)[:5]
