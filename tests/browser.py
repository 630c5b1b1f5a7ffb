"""Real-browser test harness: a throwaway ``streamlit run`` server and Debian's Chromium driven by Playwright.

Everything stays on this machine: the server listens on 127.0.0.1 only, Chromium is started with the
switches that stop it from phoning home, and nothing is ever downloaded (never ``playwright install``;
Playwright drives the system browser at ``/usr/bin/chromium``).

Use it from a test module like this::

    import pytest
    from browser import goto_nav, new_page, record_requests, screenshot, streamlit_server, wait_for_app

    pytest_plugins = ["browser"]          # makes the ``browser`` fixture (and the others here) available
    pytestmark = pytest.mark.browser      # every test in the module is a browser test

    def test_something(browser, tmp_path):
        with streamlit_server(tmp_path / "app.duckdb") as url, new_page(browser) as page:
            requests = record_requests(page)
            page.goto(url)
            wait_for_app(page, expect_testid="stMetric")
            goto_nav(page, "Gegevens")
            screenshot(page, "data-page")

Notes: start from the base URL and move with :func:`goto_nav` (a direct ``/data`` load first probes
``/data/_stcore/...`` and logs two harmless 404s). Targets for widgets with a ``key`` are easiest as
``.st-key-<key>`` (e.g. ``.st-key-uploads input[type=file]``). ``st.dataframe`` draws on canvas; its
text is in the element's accessible table (``locator.text_content()``). The server runs with
``client.showErrorDetails=full`` so :func:`app_exceptions` carries tracebacks.

Pieces:

- :func:`streamlit_server` — context manager: starts the app on a free port with ``NETWERKLEREN_DB`` set,
  waits (bounded) until ``/_stcore/health`` says ok, yields the base URL, and always kills the process group.
- ``browser`` — session-scoped fixture: Playwright + ``/usr/bin/chromium``. Skips with an install hint when
  Chromium is missing, except under ``CI=true`` where it fails instead (a CI that silently skips the
  browser tests would be lying).
- :func:`new_page` — context manager: a fresh browser context (own cookies/session) and page, closed after.
- :func:`wait_for_app` — waits until the Streamlit script has finished running (the ``stApp`` element's
  ``data-test-script-state`` is ``notRunning`` and stays so for a short settle time), optionally until a test
  id or text is visible. All waits are bounded; none is a bare sleep.
- :func:`warm_up` — open and close one session, so the server is past its cold first session (see there).
- :func:`goto_nav` — click a page link in the sidebar navigation and wait for the rerun.
- :func:`record_requests`, :func:`record_dialogs`, :func:`record_page_errors` — lists that fill up while the
  page runs (request URLs; JS dialogs, which are dismissed; uncaught page errors / console errors).
- :func:`block_outside` — abort requests that would leave the machine (they are still recorded).
- :func:`wait_for_frames` — wait until every iframe on the page has loaded.
- :func:`is_local_url` — True for 127.0.0.1/localhost/[::1] and data:/blob:/about: URLs.
- :func:`screenshot` — full-page PNG in ``tests/_artifacts/<name>.png`` (git-ignored).
- :func:`app_exceptions` — the text of any ``st.exception`` boxes on the page (a crashed page script).

(PYTEST_DONT_REWRITE: this module is imported by test modules before pytest loads it as a plugin; the
marker keeps pytest from warning that it cannot rewrite its asserts — it has none that need it.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "_artifacts"
PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: How long the server may take to answer its health check (a cold start imports pandas, duckdb, altair…).
SERVER_START_TIMEOUT = 60.0
#: Default bound, in milliseconds, for waiting on the app inside the browser.
APP_TIMEOUT_MS = 30_000
#: Browser window used for every page: wide enough for the app's ``layout="wide"`` with the sidebar open.
VIEWPORT = {"width": 1400, "height": 1000}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}


# ------------------------------------------------------------------------------------------- the server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:  # noqa: S310 - loopback only
            return resp.status == 200 and resp.read().strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _log_tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Terminate the server's whole process group (SIGTERM, then SIGKILL after ``grace`` seconds)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)


@contextlib.contextmanager
def streamlit_server(
    db_path: str | os.PathLike,
    env: dict[str, str] | None = None,
    port: int | None = None,
    timeout: float = SERVER_START_TIMEOUT,
    error_details: str | None = "full",
    extra_args: list[str] | None = None,
) -> Iterator[str]:
    """Run ``streamlit run app.py`` against ``db_path`` and yield its base URL (``http://127.0.0.1:PORT``).

    ``env`` adds or overrides environment variables (e.g. ``{"NETWERKLEREN_NO_DEMO": "1"}`` for an empty
    store; a value of ``None`` removes the variable). The server's output goes to a log file whose tail is
    shown if it fails to start (and by :func:`server_log` while it runs). The process runs in its own
    session, and its whole process group is terminated on exit, whatever happened in the ``with`` block.
    After the block the DuckDB file is free again, so a test can open it (read-only) to check what the app
    stored.

    ``error_details`` sets ``client.showErrorDetails`` so that a crashed page shows its traceback in the
    browser (see :func:`app_exceptions`); ``None`` keeps the app's own setting (``none`` in
    ``.streamlit/config.toml``). ``extra_args`` are appended to the command line.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    full_env = dict(os.environ)
    full_env["NETWERKLEREN_DB"] = str(db_path)
    full_env.setdefault("PYTHONUNBUFFERED", "1")
    for k, v in (env or {}).items():
        if v is None:
            full_env.pop(k, None)
        else:
            full_env[k] = str(v)
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    cmd = [
        python, "-m", "streamlit", "run", "app.py",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    if error_details:
        cmd += ["--client.showErrorDetails", error_details]
    cmd += list(extra_args or [])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_fd, log_name = tempfile.mkstemp(prefix=f"streamlit-{port}-", suffix=".log", dir=ARTIFACTS)
    log_path = Path(log_name)
    with os.fdopen(log_fd, "wb") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed command line
            cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode} before it answered; log:\n"
                            + _log_tail(log_path))
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s; log:\n"
                            + _log_tail(log_path))
            time.sleep(0.2)  # polling interval of a bounded wait, not a wait in itself
        yield url
    finally:
        _stop(proc)
        if proc.returncode in (0, -signal.SIGTERM, -signal.SIGKILL):
            with contextlib.suppress(OSError):
                log_path.unlink()


def server_log(url: str) -> str:
    """The log of a running server started by :func:`streamlit_server` (for failure messages)."""
    port = urlsplit(url).port
    logs = sorted(ARTIFACTS.glob(f"streamlit-{port}-*.log"), key=lambda p: p.stat().st_mtime)
    return _log_tail(logs[-1], 80) if logs else "(no log)"


# ------------------------------------------------------------------------------------------ the browser


def require_chromium() -> str:
    """Debian's Chromium and the Playwright package, or a skip with an install hint -- a failure under
    ``CI=true``, so that CI cannot pass without having run the browser tests."""
    problem = None
    if not Path(CHROMIUM).exists():
        problem = chromium_missing_message()
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright Python package is missing: pip install -r requirements-dev.txt"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    return CHROMIUM


def chromium_missing_message() -> str:
    return (f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium package "
            "(as root: apt-get install -y chromium; or run `make browser`). Never `playwright install`.")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test session (Debian's, driven by Playwright).

    Skips with an install hint when Chromium or the Playwright package is missing; under ``CI=true`` it
    fails instead, so that CI cannot pass without having run the browser tests.
    """
    require_chromium()

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=60_000)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def new_page(browser, viewport: dict | None = None, timeout_ms: int = APP_TIMEOUT_MS):
    """A fresh context and page (own cookies, own Streamlit session); closed afterwards.

    The page's default timeout is ``timeout_ms``, so no Playwright call can hang for long.
    """
    ctx = browser.new_context(viewport=viewport or VIEWPORT, locale="nl-NL", service_workers="block")
    try:
        page = ctx.new_page()
        page.set_default_timeout(timeout_ms)
        page.set_default_navigation_timeout(timeout_ms)
        yield page
    finally:
        ctx.close()


# ---------------------------------------------------------------------------------------------- waiting


def script_state(page) -> str | None:
    """Streamlit's script state in the page: 'initial', 'running', 'notRunning', 'rerunRequested', …"""
    return page.get_attribute('[data-testid="stApp"]', "data-test-script-state", timeout=10_000)


def wait_for_app(
    page,
    expect_testid: str | None = None,
    expect_text: str | None = None,
    timeout_ms: int = APP_TIMEOUT_MS,
    settle_ms: int = 300,
) -> None:
    """Wait until the app is connected and its script has finished running.

    ``expect_testid`` (e.g. ``"stMetric"``) and ``expect_text`` additionally wait until such an element /
    text is visible — use them right after an action, because the rerun an action triggers may not have
    reached the browser yet when this is called. The script must then be ``notRunning`` for ``settle_ms``
    in a row. Raises ``AssertionError`` (with the state it saw) when ``timeout_ms`` runs out.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]',
                           state="attached", timeout=timeout_ms)
    if expect_testid:
        page.locator(f'[data-testid="{expect_testid}"]').first.wait_for(state="visible", timeout=timeout_ms)
    if expect_text:
        page.get_by_text(expect_text).first.wait_for(state="visible", timeout=timeout_ms)
    stable_since = None
    state = None
    while True:
        state = script_state(page)
        now = time.monotonic()
        if state == "notRunning":
            stable_since = stable_since or now
            if (now - stable_since) * 1000 >= settle_ms:
                return
        else:
            stable_since = None
        if now > deadline:
            raise AssertionError(f"app still not idle after {timeout_ms} ms (script state {state!r})")
        page.wait_for_timeout(50)  # polling interval of a bounded wait


def warm_up(browser, url: str, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Open ``url`` in a throwaway session, wait for the app, close it.

    On a freshly started server, Streamlit first runs in its legacy ``pages/``-folder mode (this app keeps
    its page files in ``pages/``); in that first session the first widget interaction can be lost (e.g. the
    language radio snaps back). Tests about something else call this first so they do not depend on that;
    the cold-start behaviour itself is tested in test_browser_data.py.
    """
    with new_page(browser) as page:
        page.goto(url)
        wait_for_app(page, expect_testid="stSidebarNav", timeout_ms=timeout_ms)


def goto_nav(page, label: str, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Open a page by clicking its link (by visible label, e.g. "Gegevens") in the sidebar navigation."""
    link = page.locator('[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]').filter(has_text=label)
    link.first.click(timeout=timeout_ms)
    link.and_(page.locator('[aria-current="page"]')).first.wait_for(state="attached", timeout=timeout_ms)
    wait_for_app(page, timeout_ms=timeout_ms)


def show_names(page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Turn the sidebar's pseudonymise switch off (it is on by default), in either language."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').filter(has_text="codes")
    toggle = box.locator("input")
    toggle.wait_for(state="attached", timeout=timeout_ms)
    if toggle.is_checked():
        box.locator("label").first.click()
        page.wait_for_function("el => !el.checked", arg=toggle.element_handle(), timeout=timeout_ms)
    wait_for_app(page, timeout_ms=timeout_ms)


def wait_for_frames(page, timeout_ms: int = APP_TIMEOUT_MS) -> int:
    """Wait until every iframe on the page (e.g. a pyvis graph in ``st.iframe``) has loaded; returns how
    many there are. Call after :func:`wait_for_app`."""
    frames = page.locator("iframe").all()
    for el in frames:
        frame = el.element_handle(timeout=timeout_ms).content_frame()
        if frame is not None:
            frame.wait_for_load_state("load", timeout=timeout_ms)
    return len(frames)


def app_exceptions(page) -> list[str]:
    """Texts of the exception boxes Streamlit shows when a page script raised."""
    return [e.inner_text() for e in page.locator('[data-testid="stException"]').all()]


# -------------------------------------------------------------------------------------------- recording


def record_requests(page) -> list[str]:
    """Every request URL the page (and its frames and workers) makes from now on, in order."""
    urls: list[str] = []
    page.on("request", lambda req: urls.append(req.url))
    return urls


def record_dialogs(page) -> list[str]:
    """Every JS dialog (alert/confirm/prompt/beforeunload) the page opens, as "type: message"; each is
    dismissed so the page does not hang."""
    seen: list[str] = []

    def on_dialog(dialog) -> None:
        seen.append(f"{dialog.type}: {dialog.message}")
        with contextlib.suppress(Exception):
            dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def record_page_errors(page, console: bool = True) -> list[str]:
    """Uncaught JS errors in the page and (with ``console``) console messages of type error."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    if console:
        page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return errors


def block_outside(page) -> list[str]:
    """Abort every request that would leave the machine (so a test never waits on a DNS timeout) and
    return the list of the URLs that were aborted. Requests still show up in :func:`record_requests`."""
    blocked: list[str] = []

    def handle(route) -> None:
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    page.route("**/*", handle)
    return blocked


def is_local_url(url: str) -> bool:
    """True when ``url`` cannot leave the machine: loopback http(s)/ws(s), or data:/blob:/about:."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and (parts.hostname or "") in LOCAL_HOSTS


def outside_requests(urls: list[str]) -> list[str]:
    """The URLs from :func:`record_requests` that would leave the machine."""
    return [u for u in urls if not is_local_url(u)]


# ------------------------------------------------------------------------------------------ screenshots


_MAIN_HEIGHT_JS = """() => {
    const m = document.querySelector('[data-testid="stMain"]');
    return m ? m.scrollHeight : document.documentElement.scrollHeight;
}"""
_TWO_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


# ---------------------------------------------------------------------------------------------- the tie map

#: Mark the map's current document, so that a new one (after a rerun) can be told from it.
MARK_DOC_JS = "() => { window.__previousDocument = true; }"
#: A new map document (not marked) with people in it.
NEW_MAP_JS = "() => !window.__previousDocument && window.tieMap && window.tieMap.nodes.length > 0"
#: The map has drawn on its canvas (more than 2,000 painted pixels).
CANVAS_DRAWN_JS = """() => {
    const c = document.querySelector('#tie-map canvas');
    if (!c || !c.width || !c.height) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0 && ++n > 2000) return true;
    return false;
}"""


def screenshot(page, name: str, full_page: bool = True, max_height: int = 8_000) -> Path:
    """Save a PNG of the page to ``tests/_artifacts/<name>.png`` and return its path.

    Streamlit scrolls inside its main element, not the document, so Playwright's own ``full_page`` would
    only capture the window. With ``full_page`` the window is made as tall as the main area's content
    (at most ``max_height`` px) for the shot, then restored.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size or VIEWPORT
    tall = min(max_height, int(page.evaluate(_MAIN_HEIGHT_JS) or 0)) if full_page else 0
    if tall > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": tall})
        try:
            page.evaluate(_TWO_FRAMES_JS)
            page.wait_for_timeout(300)  # let canvas-drawn tables and charts redraw at the new size
            page.screenshot(path=str(path), timeout=APP_TIMEOUT_MS)
        finally:
            page.set_viewport_size(size)
    else:
        page.screenshot(path=str(path), timeout=APP_TIMEOUT_MS)
    return path
