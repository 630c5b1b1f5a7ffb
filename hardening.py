"""Server-level hardening that a Streamlit script cannot do for itself (used by serve.py and app.py).

* Response headers so that no other site can frame the app (clickjacking): ``X-Frame-Options`` and the
  CSP ``frame-ancestors``; Streamlit has no setting for response headers, so serve.py wraps the app in
  ``st.App`` with this ASGI middleware. Behind a reverse proxy set them there too (docs/self-hosting.md).
* Streamlit's admin messages from the browser: "clear cache" empties every user's caches and "git info"
  lists the repository's uncommitted files, both for anyone who can open a websocket, logged in or not.
  The app clears its own caches when data changes, so both are switched off on the server side (hiding a
  menu item would not stop a hand-made message).
"""

from __future__ import annotations

import logging

log = logging.getLogger("netwerkleren.server")

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """Pure ASGI middleware: adds SECURITY_HEADERS to every HTTP response (websockets pass untouched)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _refuse_clear_cache(self) -> None:
    log.warning("a browser asked to clear every cache; refused (restart the app to clear its caches)")


def _refuse_git_info(self) -> None:
    return None


def harden_server() -> None:
    """Switch off the browser's admin messages in this process (idempotent)."""
    from streamlit.runtime.app_session import AppSession

    AppSession._handle_clear_cache_request = _refuse_clear_cache
    AppSession._handle_git_information_request = _refuse_git_info
