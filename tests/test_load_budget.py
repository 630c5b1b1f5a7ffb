"""Load with a huge network in the store (issue 18): other networks' pages stay as quick, the server stays small.

Runs on one ``streamlit run`` server each, loopback only, every wait bounded:

1. baseline: the demo data (only with LOAD_WITH_BASELINE=1, as ``python -m bench load_budget`` sets it: the
   baseline gives the p95 ratio, which is a figure, not an assertion);
2. the demo data plus one big network (LOAD_BIG_PEOPLE people, LOAD_BIG_TIES random ties; default 25,000 /
   120,000, six times the page's tie limit: over the limit is what is tested, and 50,000 / 300,000 spent 20 s
   more of CI on the import alone)
   and 10,000 tiny networks, imported through the CLI before the server starts. One extra session opens the
   big network's Learning-ties page at the same time (the heavy request: it must be refused with the limit,
   not hang).

In each run SESSIONS sessions open the overview, pick a demo network, open Dimensions and Learning ties at
once. The test prints the p95 (nearest rank, over every session and step) of the time until each page settled
and the server's peak memory (VmRSS of the server process, sampled every 0.25 s). It asserts that every session
finishes without an exception, that the big network's map is refused with the limit, and that the server stays
under 2 GB. The p95 ratio against the baseline (target at most 2x) is printed, and ``python -m bench
load_budget`` puts it in the benchmark table: as an assertion it would be flaky on a shared machine. The
issue's full size: ``LOAD_SESSIONS=10 LOAD_BIG_PEOPLE=200000 LOAD_BIG_TIES=1700000``.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, require_chromium, streamlit_server
from test_load import OPTION_WAIT_MS, STEP_TIMEOUT_MS, _in_thread, frames_loaded, goto_nav, p95, settle

from analytics.cli import main as cli
from bench.budget_suite import write_big_network, write_tiny_networks

pytestmark = pytest.mark.browser

SESSIONS = int(os.environ.get("LOAD_SESSIONS", "4"))
NETWORKS = ["Rekenen", "Zelfregulerend leren", "Onderzoekend leren", "Hoogbegaafdheid"]
STEPS = ["overview", "network filter", "dimensions", "ties"]
BIG_PEOPLE = int(os.environ.get("LOAD_BIG_PEOPLE", "25000"))
BIG_TIES = int(os.environ.get("LOAD_BIG_TIES", "120000"))
WITH_BASELINE = os.environ.get("LOAD_WITH_BASELINE") == "1"
MAX_RSS_MB = 2048


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


async def pick_network(page, net: str, retries: list[str]) -> None:
    find = page.locator('[data-testid="stSidebar"] .st-key-network_find input')
    if await find.count():  # thousands of networks: the sidebar's search narrows the list first
        await find.fill(net)
        await find.press("Enter")
        await settle(page, rerun=True)  # a search naming one network exactly chooses it
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    if await find.count() and await box.locator("input").get_attribute("value") == net:
        return
    option = page.get_by_role("option", name=net, exact=True)
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while True:  # as test_load.choose_network: a list that did not open (ten tabs on two cores) is tried again
        try:
            await box.click(timeout=OPTION_WAIT_MS)
            await page.keyboard.type(net)
            await option.click(timeout=OPTION_WAIT_MS)
            break
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise
            retries.append(net)
            await page.keyboard.press("Escape")
    await settle(page, rerun=True)
    value = await box.locator("input").get_attribute("value")
    assert value == net, f"the network filter shows {value!r}, not {net!r}"


async def session(browser, url: str, i: int, start: asyncio.Event, heavy: bool = False) -> dict:
    out: dict = {"i": i, "times": {}, "failed": None, "exceptions": [], "heavy": heavy, "warning": "",
                 "retries": []}
    ctx = await browser.new_context(viewport=VIEWPORT, locale="nl-NL", service_workers="block")
    try:
        page = await ctx.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        await start.wait()
        step = "overview"
        try:
            t0 = time.monotonic()
            await page.goto(url)
            await settle(page, "stMetric")
            out["times"][step] = time.monotonic() - t0
            step = "network filter"
            t0 = time.monotonic()
            await pick_network(page, "Big" if heavy else NETWORKS[i % len(NETWORKS)], out["retries"])
            out["times"][step] = time.monotonic() - t0
            if heavy:  # straight to the big network's map: refused with the limit, quickly
                step = "ties"
                t0 = time.monotonic()
                await goto_nav(page, "Leerrelaties")
                await settle(page, "stAlertContentWarning")
                out["warning"] = await page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
                out["times"][step] = time.monotonic() - t0
            else:
                step = "dimensions"
                t0 = time.monotonic()
                await goto_nav(page, "Dimensies")
                await settle(page, "stVegaLiteChart")
                out["times"][step] = time.monotonic() - t0
                step = "ties"
                t0 = time.monotonic()
                await goto_nav(page, "Leerrelaties")
                await settle(page, "stMetric")
                await page.locator("iframe").first.wait_for(state="attached", timeout=STEP_TIMEOUT_MS)
                await frames_loaded(page)
                out["times"][step] = time.monotonic() - t0
        except Exception as e:  # noqa: BLE001 - recorded per session, asserted below
            out["failed"] = f"{step}: {type(e).__name__}: {str(e).splitlines()[0][:300]}"
        out["exceptions"] = [await e.inner_text() for e in await page.locator('[data-testid="stException"]').all()]
    finally:
        await ctx.close()
    return out


async def run_sessions(url: str, heavy: bool) -> tuple[list[dict], dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                           timeout=60_000)
        try:
            warm = asyncio.Event()
            warm.set()
            first = await session(browser, url, 0, warm)  # caches warm, as on a server that has been up
            assert first["failed"] is None and not first["exceptions"], first
            start = asyncio.Event()
            tasks = [asyncio.create_task(session(browser, url, i, start)) for i in range(SESSIONS)]
            if heavy:
                tasks.append(asyncio.create_task(session(browser, url, SESSIONS, start, heavy=True)))
            await asyncio.sleep(0.5)
            start.set()
            return await asyncio.wait_for(asyncio.gather(*tasks), timeout=900), first
        finally:
            await browser.close()


def _server_pid(port: str) -> int:
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd) and port.encode() in cmd:
            return int(d.name)
    raise AssertionError(f"no streamlit process on port {port}")


class RssPeak:
    """Samples a process's VmRSS in a thread; ``peak_mb`` after ``stop``."""

    def __init__(self, pid: int):
        self.pid, self.peak_mb, self._stop = pid, 0.0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)
            except OSError:
                return
            self._stop.wait(0.25)

    def stop(self) -> float:
        self._stop.set()
        self._t.join(5)
        return self.peak_mb


def _run(db: Path, heavy: bool) -> tuple[list[dict], dict, float]:
    with streamlit_server(db, env={"NETWERKLEREN_NO_DEMO": None}) as url:
        rss = RssPeak(_server_pid(url.rsplit(":", 1)[1]))
        try:
            results, first = _in_thread(run_sessions(url, heavy))
        finally:
            peak = rss.stop()
    return results, first, peak


def _times(results: list[dict]) -> list[float]:
    return [s for r in results if not r["heavy"] for s in r["times"].values()]


def test_big_network_does_not_slow_other_networks_pages(chromium, tmp_path):
    base, base_first, base_peak = _run(tmp_path / "base.duckdb", heavy=False) if WITH_BASELINE else ([], {}, 0)

    db = tmp_path / "big.duckdb"
    t0 = time.monotonic()
    assert cli.main(["load-sample", "--db", str(db)]) == 0
    p, t = write_big_network(tmp_path, BIG_PEOPLE, BIG_TIES)
    assert cli.main(["import", str(p), str(t), "--db", str(db)]) == 0
    assert cli.main(["import", str(write_tiny_networks(tmp_path)), "--db", str(db)]) == 0
    import_s = time.monotonic() - t0
    big, big_first, big_peak = _run(db, heavy=True)

    for results in (base, big):
        assert [(r["i"], r["failed"]) for r in results if r["failed"]] == []
        assert [(r["i"], r["exceptions"]) for r in results if r["exceptions"]] == []
    [heavy] = [r for r in big if r["heavy"]]
    assert "NETWERKLEREN_PAGE_MAX_TIES" in heavy["warning"]

    p95_big = p95(_times(big))
    if base:
        print(f"\nbaseline (demo data): p95 settle {p95(_times(base)):.2f} s over {len(_times(base))} page loads, "
              f"server peak {base_peak:.0f} MB; first session alone: "
              + ", ".join(f"{k} {v:.2f} s" for k, v in base_first["times"].items()))
    print(f"with Big ({BIG_PEOPLE:,} people, {BIG_TIES:,} ties) and 10,000 tiny networks (import {import_s:.0f} s): "
          f"p95 settle {p95_big:.2f} s over {len(_times(big))} page loads, server peak {big_peak:.0f} MB; "
          "first session alone: " + ", ".join(f"{k} {v:.2f} s" for k, v in big_first["times"].items()))
    print("heavy session (Big's Learning ties, refused): " + ", ".join(f"{k} {v:.2f} s"
                                                                       for k, v in heavy["times"].items()))
    for name, results in (("baseline", base), ("with Big", big)):
        if results:
            print(f"{name} p95 per step: " + ", ".join(
                f"{step} {p95([r['times'][step] for r in results if not r['heavy'] and step in r['times']]):.2f} s"
                for step in STEPS))
    if base:
        print(f"ratio p95 big/baseline: {p95_big / p95(_times(base)):.2f}")
    print("network list opened again: " + (", ".join(f"session {r['i']} x{len(r['retries'])}" for r in base + big
                                                   if r["retries"]) or "never"))
    assert big_peak < MAX_RSS_MB, big_peak
    # The p95 ratio (target at most 2x) is a figure, not an assertion: on a shared 2-core machine it moved
    # between 1.76 and 2.45 within one afternoon with the same code. `python -m bench load_budget` prints it.
