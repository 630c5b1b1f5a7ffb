"""The Ties page's readable map in a real browser (issue 16): the demo's most named and brokers carry their
name on the map without piling up, and the picker highlights one person and their ties."""

from __future__ import annotations

import pytest
from browser import ARTIFACTS, app_exceptions, new_page, server_log, streamlit_server, wait_for_app, warm_up
from test_browser_pages import _MARK_DOC_JS, open_page, tie_map_frame

from analytics.draw.tie_map import map_data

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

_OPACITY_JS = "() => tieMap.nodes.get().map(n => n.opacity === undefined ? 1 : n.opacity)"


@pytest.fixture(scope="module")
def demo_url(browser, tmp_path_factory):
    db = tmp_path_factory.mktemp("readable") / "demo.duckdb"
    with streamlit_server(db, env={"NETWERKLEREN_NO_DEMO": None}) as url:
        warm_up(browser, url)
        yield url


def shoot_map(page, name: str) -> None:
    """The map's frame alone, to look at the names (tests/_artifacts/<name>.png)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.locator("iframe").first.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def find(page, name: str) -> None:
    """Type ``name`` into the find picker (its list shows only some names at a time) and choose it."""
    box = page.locator('[class*="st-key-_ties_find_"]')  # drawn under a key per language (ui.synced_select)
    box.locator('[data-testid="stSelectbox"]').click()
    page.keyboard.type(name)
    page.get_by_role("option", name=name, exact=True).click()
    box.locator(f'input[value="{name}"]').wait_for(state="attached")
    wait_for_app(page)


def overlaps(boxes: list[list[float]]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes[:i])
            if a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]]


def test_names_on_the_demo_map_and_highlight_by_the_picker(browser, demo_url):
    with new_page(browser) as page:
        open_page(page, demo_url, "Leerrelaties")
        frame = tie_map_frame(page)
        frame.wait_for_function("() => tieMap.named.length > 0")
        data = map_data(page.locator("iframe").first.get_attribute("srcdoc"))
        pinned = [data["ids"][i] for i in data["pins"]]
        assert 5 <= len(pinned) <= 10
        assert sorted(frame.evaluate("tieMap.named")) == sorted(pinned)  # every pinned name is drawn...
        boxes = frame.evaluate("tieMap.nameBoxes")
        assert overlaps(boxes) == [], boxes  # ...and none lies on another
        width = frame.evaluate("document.getElementById('tie-map').clientWidth")
        assert all(0 <= b[0] and b[0] + b[2] <= width for b in boxes)
        assert set(frame.evaluate(_OPACITY_JS)) == {1}  # nobody faded
        shoot_map(page, "ties-readable-names")

        # the picker: the most named person and their ties stay, the others fade, the map closes in
        who = pinned[0]
        frame.evaluate(_MARK_DOC_JS)
        find(page, who)
        frame = tie_map_frame(page)
        assert frame.evaluate("tieMap.focus()") == who
        tied = frame.evaluate(f"tieMap.network.getConnectedNodes({who!r})")
        opacity = dict(zip(data["ids"], frame.evaluate(_OPACITY_JS), strict=True))
        assert {v for v, o in opacity.items() if o == 1} == {who, *tied}
        assert sum(o < 1 for o in opacity.values()) > len(data["ids"]) // 2
        assert who in frame.evaluate("tieMap.named")
        assert overlaps(frame.evaluate("tieMap.nameBoxes")) == []
        caption = page.get_by_text("Gemarkeerd: ").inner_text()
        assert f" {len(tied)} mensen " in caption, caption
        shoot_map(page, "ties-readable-highlight")
        wait_for_app(page)
        crashed = app_exceptions(page)
        assert crashed == [], f"{crashed}\n{server_log(demo_url)}"


def test_the_map_loads_its_library_from_the_app_and_the_download_carries_its_own(browser, demo_url):
    """Inside the app the map asks the app's server for vis-network (static/, kept by the browser); the map
    a coach downloads carries it, so it opens offline on its own."""
    from analytics.draw import tie_map

    js = str(tie_map._vis_assets()[0])
    with new_page(browser) as page:
        open_page(page, demo_url, "Leerrelaties")
        frame = tie_map_frame(page)
        frame.wait_for_function("() => window.vis && tieMap.nodes.length > 0")
        doc = page.locator("iframe").first.get_attribute("srcdoc")
        assert 'src="/app/static/vis-network.min.js"' in doc and len(doc) < 100_000
        served = page.request.get(demo_url + "/app/static/vis-network.min.js")
        assert served.status == 200 and "javascript" in served.headers["content-type"]
        assert served.text() == js
        with page.expect_download() as info:
            page.get_by_role("button", name="Kaart (HTML)").click()
        saved = info.value.path().read_text(encoding="utf-8")
        assert js in saved and "/app/static/" not in saved and "tieMapStart(" in saved
        assert app_exceptions(page) == [], server_log(demo_url)
