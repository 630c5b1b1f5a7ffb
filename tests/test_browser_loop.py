"""The meeting loop in a real browser: the overview with the rhythm and the agreements' before/after, and the
projector view of the slides at 1920x1080 stepped with the keyboard (screenshots in tests/_artifacts/)."""

from __future__ import annotations

import pytest
from browser import app_exceptions, new_page, screenshot, streamlit_server, wait_for_app, warm_up

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

WITH_DEMO = {"NETWERKLEREN_NO_DEMO": None}
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def demo_url(browser, tmp_path_factory):
    db = tmp_path_factory.mktemp("loop") / "demo.duckdb"
    with streamlit_server(db, env=WITH_DEMO) as url:
        warm_up(browser, url)
        yield url


def test_overview_shows_the_rhythm_and_agreements_with_before_and_after(browser, demo_url):
    with new_page(browser) as page:
        page.goto(demo_url)
        wait_for_app(page, expect_text="Interventies over netwerken heen")
        assert not app_exceptions(page)
        main = page.locator('[data-testid="stMain"]')
        text = main.inner_text()
        assert "Afspraken: wat is er sindsdien veranderd?" in text
        assert "Elkaars scholen bezoeken" in text and "aandeel relaties tussen organisaties: " in text
        assert "Wat is er sinds de afspraak veranderd, en wat heeft de afspraak daarmee te maken?" in text
        # The rhythm's buttons may arrive a moment after the text on a loaded machine: wait, then count.
        page.locator('[class*="st-key-rh_live"] button').nth(3).wait_for(state="attached", timeout=60_000)
        assert page.locator('[class*="st-key-rh_live"] button').count() >= 4
        assert page.locator('[class*="st-key-rh_import"] button').count() >= 4
        main.get_by_text("Afspraken: wat is er sindsdien veranderd?").scroll_into_view_if_needed()
        screenshot(page, "loop-overview-agreements", full_page=False)
        screenshot(page, "loop-overview-full")


def test_projector_slides_fill_the_screen_and_step_with_the_keys(browser, demo_url):
    with new_page(browser, viewport=PROJECTOR) as page:
        page.goto(demo_url)
        wait_for_app(page, expect_testid="stSidebarNav")
        page.locator('[data-testid="stSidebarNav"] a', has_text="Presentatie").first.click()
        wait_for_app(page, expect_text="Dia 1 van 7")
        page.locator(".st-key-projector label").click()
        wait_for_app(page, expect_text="Dia 1 van 7")
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert not page.locator('[data-testid="stHeader"]').is_visible()
        screenshot(page, "loop-projector-slide-1", full_page=False)
        for key, expected in (("ArrowRight", "Dia 2 van 7"), ("PageDown", "Dia 3 van 7"), ("ArrowRight", "Dia 4 van 7"),
                              ("PageDown", "Dia 5 van 7")):
            page.locator('[data-testid="stMain"]').click(position={"x": 5, "y": 5})
            page.keyboard.press(key)
            wait_for_app(page, expect_text=expected)
        assert page.locator("h1", has_text="Afspraken van de vorige keer").is_visible()
        screenshot(page, "loop-projector-agreements", full_page=False)
        page.keyboard.press("PageUp")
        wait_for_app(page, expect_text="Dia 4 van 7")
        for expected in ("Dia 5 van 7", "Dia 6 van 7", "Dia 7 van 7"):
            page.keyboard.press("ArrowRight")
            wait_for_app(page, expect_text=expected)
        assert page.locator("h1", has_text="Vragen voor het gesprek").is_visible()
        screenshot(page, "loop-projector-closing", full_page=False)
