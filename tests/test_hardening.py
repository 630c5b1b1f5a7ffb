"""Server hardening (hardening.py, serve.py): no framing by other sites, no admin actions from a browser."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import streamlit as st

import hardening

ROOT = Path(__file__).resolve().parent.parent


def test_security_headers_on_every_http_response():
    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"ok"})

    sent = []

    async def send(message):
        sent.append(message)

    # On a thread of its own: in a full run Playwright's sync API keeps an event loop running on the main thread.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, hardening.SecurityHeaders(inner)({"type": "http"}, None, send)).result()
    headers = dict(sent[0]["headers"])
    assert headers[b"x-frame-options"] == b"SAMEORIGIN"
    assert headers[b"content-security-policy"] == b"frame-ancestors 'self'"
    assert sent[1]["body"] == b"ok"


def test_clear_cache_from_a_browser_is_refused():
    """Streamlit's 'Clear cache' message empties every user's caches; it arrives without any login."""
    from streamlit.runtime.app_session import AppSession

    calls = []

    @st.cache_data
    def cached(x):
        calls.append(x)
        return x

    cached(1)
    hardening.harden_server()

    class Session:
        _session_state = {"a": 1}

    AppSession._handle_clear_cache_request(Session())
    cached(1)
    assert calls == [1]  # still cached
    assert AppSession._handle_git_information_request(Session()) is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_served_app_cannot_be_framed_by_other_sites(tmp_path):
    """The real server (``streamlit run serve.py``, as make run and deploy/ start it) sends the headers."""
    port = _free_port()
    env = {**os.environ, "NETWERKLEREN_DB": str(tmp_path / "h.duckdb"), "NETWERKLEREN_NO_DEMO": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    headers = r.headers
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.5)
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
        assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as r:
            assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
