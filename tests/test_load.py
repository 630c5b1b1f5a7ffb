"""Load (issue 7): 20 browser sessions at once on ONE ``streamlit run`` server with the demo data.

Each session (its own Playwright context, so its own Streamlit session, in one headless Chromium) opens the
overview, picks a network in the sidebar (a filter change), then opens the Learning-ties page (the tie map is an
iframe: the heaviest page for the server and the browser). The Dimensions page under load is in
``test_load_budget.py`` (fewer sessions, every page); here it added 30-40 s to CI for what that test covers. All 20 run at the same moment (asyncio: Playwright's sync API drives one page at a time, which
would serialise them). Every wait is bounded. The test asserts that every session got through every step with no
exception box and no page error, and prints the median and 95th percentile of the time until the page settled
(the script idle for 300 ms with the expected element on screen) per step.

Playwright's async API runs in a thread of its own (the session's sync Playwright, used by other browser
tests, may own the main thread's event loop). Nothing is downloaded: Debian's Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import asyncio
import math
import os
import statistics
import threading
import time

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, require_chromium, streamlit_server

pytestmark = pytest.mark.browser

SESSIONS = 20
#: Bound for one step of one session (20 sessions share 2 cores with the server and Chromium).
STEP_TIMEOUT_MS = 240_000
#: Bound for the whole run (all sessions, all steps).
TOTAL_TIMEOUT_S = 600
SETTLE_MS = 300
#: How long an opened network list is given to show the option before it is opened again. Under this load the
#: list sometimes does not open at the first click (a rerun was still drawing); a retry after 15 s opened it
#: every time, where waiting 45 s only made the slowest session, and so the test, 30 s longer.
OPTION_WAIT_MS = 15_000
NETWORKS = ["Rekenen", "Zelfregulerend leren", "Onderzoekend leren", "Hoogbegaafdheid"]
STEPS = ["overview", "network filter", "ties"]


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's Chromium and the Playwright package, or a skip (a failure under CI=true), like ``browser``."""
    return require_chromium()


# ------------------------------------------------------------------------------------------- async waits


_STATE_JS = "document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
#: True once the script has been idle (notRunning) for SETTLE_MS; polled inside the page, so 20 pages waiting
#: at once do not flood the browser connection with round trips.
_IDLE_JS = f"""() => {{
    const s = {_STATE_JS}, now = performance.now();
    if (s !== 'notRunning') {{ window.__idleSince = null; return false; }}
    if (window.__idleSince == null) window.__idleSince = now;
    return now - window.__idleSince >= {SETTLE_MS};
}}"""


async def settle(page, testid: str | None = None, rerun: bool = False, timeout_ms: int = STEP_TIMEOUT_MS) -> None:
    """Wait until the app is connected, ``testid`` is visible and the script has been idle for SETTLE_MS.

    ``rerun``: an action was just taken; first give its rerun up to 5 s to start (it may be over before the
    first look, so not seeing it is no error)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    await page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', state="attached",
                                 timeout=timeout_ms)
    if rerun:
        try:
            await page.wait_for_function(f"() => {_STATE_JS} !== 'notRunning'", polling=20, timeout=5_000)
        except PlaywrightTimeout:
            pass
    if testid:
        await page.locator(f'[data-testid="{testid}"]').first.wait_for(state="visible", timeout=timeout_ms)
    await page.evaluate("() => { window.__idleSince = null; }")
    try:
        await page.wait_for_function(_IDLE_JS, polling=50, timeout=timeout_ms)
    except PlaywrightTimeout:
        state = await page.evaluate(f"() => {_STATE_JS}")
        raise AssertionError(f"app still not idle after {timeout_ms} ms (script state {state!r})") from None


async def goto_nav(page, label: str) -> None:
    link = page.locator('[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]').filter(has_text=label)
    await link.first.click(timeout=STEP_TIMEOUT_MS)
    await link.and_(page.locator('[aria-current="page"]')).first.wait_for(state="attached", timeout=STEP_TIMEOUT_MS)


async def frames_loaded(page) -> int:
    frames = await page.locator("iframe").all()
    for el in frames:
        frame = await (await el.element_handle(timeout=STEP_TIMEOUT_MS)).content_frame()
        if frame is not None:
            await frame.wait_for_load_state("load", timeout=STEP_TIMEOUT_MS)
    return len(frames)


async def choose_network(page, net: str) -> list[str]:
    """Open the sidebar's network list and pick ``net``; returns what had to be tried again, and why.

    With twenty tabs on two cores, in one full CI run one tab waited the whole 240 s in this step (a list that
    did not open or an option that never showed; the run did not say which). A user would try again, so does
    this after OPTION_WAIT_MS; the time it takes stays in the step's figure and the retries are printed."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    option = page.get_by_role("option", name=net, exact=True)
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    retries: list[str] = []
    while True:
        what = "open the list"
        try:
            await box.click(timeout=OPTION_WAIT_MS)
            what = "click the option"
            await option.click(timeout=OPTION_WAIT_MS)
            return retries
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise
            retries.append(what)
            await page.keyboard.press("Escape")


# ------------------------------------------------------------------------------------------- one session


async def session(browser, url: str, i: int, start: asyncio.Event) -> dict:
    out: dict = {"i": i, "times": {}, "errors": [], "exceptions": [], "failed": None, "iframes": 0, "retries": []}
    ctx = await browser.new_context(viewport=VIEWPORT, locale="nl-NL", service_workers="block")
    try:
        page = await ctx.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.set_default_navigation_timeout(STEP_TIMEOUT_MS)
        page.on("pageerror", lambda exc: out["errors"].append(f"pageerror: {exc}"))
        page.on("console", lambda msg: out["errors"].append(f"console: {msg.text}") if msg.type == "error" else None)
        await start.wait()
        step = "overview"
        try:
            t0 = time.monotonic()
            await page.goto(url)
            await settle(page, "stMetric")
            out["times"][step] = time.monotonic() - t0

            step = "network filter"
            net = NETWORKS[i % len(NETWORKS)]
            t0 = time.monotonic()
            out["retries"] = await choose_network(page, net)
            await settle(page, rerun=True)
            value = await page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').first \
                .get_attribute("value")
            assert value == net, f"the network filter shows {value!r}, not {net!r}"
            out["times"][step] = time.monotonic() - t0

            step = "ties"
            t0 = time.monotonic()
            await goto_nav(page, "Leerrelaties")
            await settle(page, "stMetric")
            await page.locator("iframe").first.wait_for(state="attached", timeout=STEP_TIMEOUT_MS)
            out["iframes"] = await frames_loaded(page)
            out["times"][step] = time.monotonic() - t0
        except Exception as e:  # noqa: BLE001 - recorded per session, asserted below
            out["failed"] = f"{step}: {type(e).__name__}: {str(e).splitlines()[0][:300]}"
        out["exceptions"] = [await e.inner_text() for e in await page.locator('[data-testid="stException"]').all()]
    finally:
        await ctx.close()
    return out


async def run_sessions(url: str, n: int) -> tuple[list[dict], float, dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                           timeout=60_000)
        try:
            # One session first, alone: the server's cold start (and the demo import) is not what is measured.
            warm = asyncio.Event()
            warm.set()
            first = await session(browser, url, 0, warm)
            assert first["failed"] is None and not first["exceptions"] and not first["errors"], first
            start = asyncio.Event()
            tasks = [asyncio.create_task(session(browser, url, i, start)) for i in range(n)]
            await asyncio.sleep(0.5)  # every context is being set up; then all go at once
            t0 = time.monotonic()
            start.set()
            results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=TOTAL_TIMEOUT_S)
            return results, time.monotonic() - t0, first
        finally:
            await browser.close()


def _in_thread(coro) -> object:
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as e:  # noqa: BLE001 - re-raised in the test's thread
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(TOTAL_TIMEOUT_S + 120)
    assert not t.is_alive(), "the load run did not end in time"
    if "error" in box:
        raise box["error"]
    return box["value"]


def p95(xs: list[float]) -> float:
    """Nearest-rank 95th percentile (of 20 values: the 19th smallest)."""
    return sorted(xs)[math.ceil(0.95 * len(xs)) - 1]


def test_twenty_sessions_at_once_on_one_server(chromium, tmp_path):
    with streamlit_server(tmp_path / "load.duckdb", env={"NETWERKLEREN_NO_DEMO": None}) as url:
        results, wall, alone = _in_thread(run_sessions(url, SESSIONS))

    lines = [f"\n{SESSIONS} sessions at once on one server ({os.cpu_count()} cores), all done in {wall:.1f} s",
             f"{'step':<16}{'n':>4}{'median s':>10}{'p95 s':>8}{'max s':>8}"]
    for step in STEPS:
        xs = [r["times"][step] for r in results if step in r["times"]]
        if xs:
            lines.append(f"{step:<16}{len(xs):>4}{statistics.median(xs):>10.2f}{p95(xs):>8.2f}{max(xs):>8.2f}")
    lines.append("network filter tried again: " + (", ".join(f"session {r['i']}: {'; '.join(r['retries'])}"
                                                             for r in results if r["retries"]) or "never"))
    lines.append("one session alone, right after the server started (cold caches): "
                 + ", ".join(f"{step} {alone['times'][step]:.2f} s" for step in STEPS))
    print("\n".join(lines))

    failed = [(r["i"], r["failed"]) for r in results if r["failed"]]
    assert failed == [], failed
    assert [(r["i"], r["exceptions"]) for r in results if r["exceptions"]] == []
    assert [(r["i"], r["errors"]) for r in results if r["errors"]] == []
    assert all(set(r["times"]) == set(STEPS) for r in results)
    assert all(r["iframes"] >= 1 for r in results), [r["iframes"] for r in results]
