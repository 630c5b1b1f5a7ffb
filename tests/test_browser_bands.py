"""Real browser: the over-time chart of the Dimensions page draws its interval bands and n, in Dutch and English,
for the demo's small network (where the bands are wide and the page says so)."""

from __future__ import annotations

import pytest
from browser import (
    ARTIFACTS,
    app_exceptions,
    goto_nav,
    new_page,
    screenshot,
    streamlit_server,
    wait_for_app,
    warm_up,
)

from analytics.demo import sample

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

_BANDS_JS = """el => {
    const svg = el.querySelector('svg');
    if (!svg) return null;
    const areas = [...svg.querySelectorAll('g.mark-area path')].map(p => p.getBBox())
        .map(b => ({w: b.width, h: b.height}));
    const lines = [...svg.querySelectorAll('g.mark-line path')].length;
    const texts = [...svg.querySelectorAll('text')].map(t => t.textContent);
    return {areas, lines, texts};
}"""


def lines_chart(page, title: str):
    chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has=page.locator("text", has_text=title)).first
    chart.locator("svg").wait_for(state="visible")
    return chart


def check(info: dict) -> None:
    assert info is not None, "the chart is not drawn as SVG"
    assert len(info["areas"]) == 4, info  # one band per dimension
    assert all(a["w"] > 300 and a["h"] > 20 for a in info["areas"]), info["areas"]  # wide bands: n is small
    ns = [t for t in info["texts"] if t.startswith("n = ")]
    assert len(ns) == 6 and all(3 <= int(t[4:]) < 10 for t in ns), ns


def test_over_time_chart_draws_bands_with_n_in_dutch_and_english(browser, tmp_path):
    with streamlit_server(tmp_path / "demo.duckdb", env={"NETWERKLEREN_NO_DEMO": None}) as url, \
            new_page(browser) as page:
        warm_up(browser, url)
        page.goto(url)
        wait_for_app(page, expect_testid="stSidebarNav")
        goto_nav(page, "Dimensies")
        page.locator('.st-key-_network_nl [data-testid="stSelectbox"]').click()
        page.get_by_role("option", name=sample.NKO, exact=True).click()
        page.get_by_text("Weinig zekerheid").first.wait_for(state="visible")
        wait_for_app(page)
        chart = lines_chart(page, "Gemiddelde positie per periode")
        chart.scroll_into_view_if_needed()
        check(chart.evaluate(_BANDS_JS))
        page.mouse.move(0, 0)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        chart.screenshot(path=str(ARTIFACTS / "bands-over-time-nl.png"))
        screenshot(page, "bands-dimensions-nl")

        page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text("English").click()
        page.locator("h1", has_text="Dimensions").first.wait_for(state="visible")
        page.get_by_text("Little certainty").first.wait_for(state="visible")
        wait_for_app(page)
        chart = lines_chart(page, "Mean position per period")
        chart.scroll_into_view_if_needed()
        check(chart.evaluate(_BANDS_JS))
        page.mouse.move(0, 0)
        chart.screenshot(path=str(ARTIFACTS / "bands-over-time-en.png"))
        screenshot(page, "bands-dimensions-en")
        assert app_exceptions(page) == []
