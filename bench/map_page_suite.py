"""Benchmark: the Learning-ties page on a network of 10,000 people and 100,000 ties, in Debian's Chromium
against ``streamlit run`` on 127.0.0.1 — what a coach waits for: the first drawn map (above
``decisions.MAP_PEOPLE_MAX`` people the page opens at the level of organisations) and the map drawn again
after a filter change (a minimum tie weight: a new graph, new measures, a new map).

The page's budget (``limits.PAGE_MAX_TIES``: 20,000 ties by default) is raised to the network's size for this
run; with the default the page shows the network's figures from the database instead of a map.

Baseline, in the same run: the Overview page's first view on the same server (a page without a tie map).
``python -m bench map_page`` (BENCH_SCALE scales the network).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .timing import table

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = int(__import__("os").environ.get("MAP_PAGE_TIMEOUT_S", "300"))


def _drawn_map(page, B):
    """The frame whose new tie map has drawn (the checks of tests/browser.py), waited for (bounded)."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        for f in page.frames:
            try:
                if f.evaluate(B.NEW_MAP_JS) and f.evaluate(B.CANVAS_DRAWN_JS):
                    return f
            except Exception:  # noqa: BLE001 - a frame that is being replaced
                pass
        page.wait_for_timeout(50)
    (ROOT / "bench" / "_out").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "bench" / "_out" / "map_page_timeout.png"))  # what the page showed instead
    raise AssertionError(f"no tie map drawn within {TIMEOUT_S} s")


def bench_map_page(scale: float = 1.0) -> str:
    from analytics.ingest import importer
    from analytics.store import database as store

    from .budget_suite import write_big_network

    sys.path.insert(0, str(ROOT / "tests"))
    import browser as B

    if not Path(B.CHROMIUM).exists():
        return table("Ties page at 10,000 / 100,000 (browser)", ["what", "figure"], [["no chromium", ""]])
    people, ties = max(500, int(10_000 * scale)), max(5_000, int(100_000 * scale))
    work = Path(tempfile.mkdtemp(prefix="bench_map_page_"))
    try:
        p, t = write_big_network(work, people, ties, name="Groot")
        lines = t.read_text(encoding="utf-8").splitlines()  # frequencies 1-5, so a minimum weight filters
        t.write_text("\n".join([lines[0] + ",weight", *(f"{ln},{i % 5 + 1}" for i, ln in enumerate(lines[1:]))])
                     + "\n", encoding="utf-8")
        db = work / "big.duckdb"
        con = store.connect(db)
        for f in (p, t):
            r = importer.import_file(con, f)
            assert r.status == "imported", r.message
        con.close()
        from playwright.sync_api import sync_playwright

        # The page's budget (limits.PAGE_MAX_TIES, 20,000 by default) would show this network's figures from the
        # database instead of a map; an installation with big networks raises it, as here.
        env = {"NETWERKLEREN_NO_DEMO": "1", "NETWERKLEREN_PAGE_MAX_TIES": str(ties + 1),
               "NETWERKLEREN_PAGE_MAX_PEOPLE": str(people + 1)}
        with B.streamlit_server(db, env=env) as url, sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=B.CHROMIUM, args=B.CHROMIUM_ARGS, headless=True)
            try:
                B.warm_up(b, url, timeout_ms=600_000)
                with B.new_page(b, timeout_ms=600_000) as page:
                    t0 = time.perf_counter()
                    page.goto(url + "/overview")
                    B.wait_for_app(page, expect_testid="stMetric", timeout_ms=600_000)
                    overview = time.perf_counter() - t0
                    first, settled, exceptions = _open_ties(page, url, B)
                    page.get_by_text(_more_filters(page)).first.click()
                    box = page.locator(".st-key-ties_minw input")
                    frame = _drawn_map(page, B)
                    frame.evaluate(B.MARK_DOC_JS)
                    before = box.input_value()
                    t0 = time.perf_counter()
                    box.fill("3")
                    box.press("Enter")
                    _drawn_map(page, B)
                    again = time.perf_counter() - t0
                    # a big view's measures come from the background: meanwhile the previous selection's, labelled
                    page.get_by_text(PREVIOUS_TEXT).first.wait_for(state="visible", timeout=600_000)
                    again_previous = time.perf_counter() - t0
                    _wait_for_measures(page, B)
                    again_new = time.perf_counter() - t0
                    # back to the first selection: its map and figures were made before, nothing is computed
                    # (what a redraw costs without a background computation beside it)
                    _drawn_map(page, B).evaluate(B.MARK_DOC_JS)
                    t0 = time.perf_counter()
                    box.fill(before)
                    box.press("Enter")
                    _drawn_map(page, B)
                    back = time.perf_counter() - t0
                    B.wait_for_app(page, timeout_ms=600_000)
                    exceptions += B.app_exceptions(page)
            finally:
                b.close()
        # A restart: the server's caches are gone, the figures kept in the store (analytics/store/computed.py)
        # are not.
        with B.streamlit_server(db, env=env) as url, sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=B.CHROMIUM, args=B.CHROMIUM_ARGS, headless=True)
            try:
                B.warm_up(b, url, timeout_ms=600_000)
                with B.new_page(b, timeout_ms=600_000) as page:
                    first_r, settled_r, more = _open_ties(page, url, B)
                    exceptions += more
            finally:
                b.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from analytics import decisions

    level = "organisations level" if people > decisions.MAP_PEOPLE_MAX else "people"
    rows = [["Overview, first view (baseline: a page without a tie map)", overview, 1.0],
            [f"Ties page: first map drawn ({level})", first, first / overview],
            ["Ties page: settled with its measures, tables and charts below the map", settled, settled / overview],
            ["after a filter change (minimum tie weight 3: 60% of the ties): map drawn again", again, again / overview],
            ["after a filter change: the previous selection's measures shown, labelled, under a progress bar",
             again_previous, again_previous / overview],
            ["after a filter change: the new selection's measures shown", again_new, again_new / overview],
            ["the filter changed back (map and figures made before): map drawn again", back, back / overview],
            ["after a restart of the server (figures read from the store): first map drawn", first_r,
             first_r / overview],
            ["after a restart of the server: settled with its measures", settled_r, settled_r / overview]]
    note = f"\npage exceptions: {exceptions or 'none'}"
    return table(f"Learning-ties page at {people:,} people / {ties:,} ties in Chromium (127.0.0.1) — target: "
                 "the largest maps open in a few seconds, a click answered in under a second",
                 ["what", "seconds", "x baseline"], rows) + note


#: What the Ties page says while a view's measures are computed in the background (either language), and over
#: the previous selection's measures it shows meanwhile.
WAITING_TEXT = re.compile("worden berekend|are being computed")
PREVIOUS_TEXT = re.compile("vorige selectie|previous selection")


def _open_ties(page, url: str, B) -> tuple[float, float, list]:
    """Seconds to the Ties page's first drawn map and to the page settled with its measures (computed in the
    background when they take long), and the page's exceptions."""
    t0 = time.perf_counter()
    page.goto(url + "/ties")
    _drawn_map(page, B)
    first = time.perf_counter() - t0
    B.wait_for_app(page, timeout_ms=600_000)
    _wait_for_measures(page, B)
    return first, time.perf_counter() - t0, B.app_exceptions(page)


def _wait_for_measures(page, B) -> None:
    """Until the page no longer says it is computing measures in the background, and has settled again."""
    page.wait_for_function(f"() => !{WAITING_TEXT.pattern!r}.split('|').some(s => document.body.innerText.includes(s))",
                           timeout=600_000)
    B.wait_for_app(page, timeout_ms=600_000)


def _more_filters(page) -> str:
    """The 'more filters' expander's label in the page's language."""
    return "Meer filters" if page.get_by_text("Meer filters").count() else "More filters"


SUITES = {"map_page": bench_map_page}
