"""A shared password for a hosted instance: stored only as a salted PBKDF2 hash, compared in constant time.

Offline self-hosting cannot lean on an outside identity provider, so this is the simple default; Streamlit's
own OIDC login (``st.login``) is used instead when ``[auth]`` holds an OIDC client (see docs/self-hosting.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analytics import limits

ITERATIONS = 310_000
PREFIX = "pbkdf2_sha256"
#: Longer input is refused before hashing: no password manager makes more, and the hash work stays bounded.
MAX_PASSWORD_CHARS = 1024
#: Stored hashes with more rounds than this are not trusted to finish in reasonable time.
MAX_ITERATIONS = 2_000_000

log = logging.getLogger("netwerkleren.auth")


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    if len(password) < 8:
        raise ValueError("use a password of at least 8 characters")
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{PREFIX}${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        prefix, iterations, salt, digest = stored.split("$")
        if prefix != PREFIX or not 0 < int(iterations) <= MAX_ITERATIONS:
            return False
        expected = base64.b64decode(digest)
        got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def write_secret(secrets_path: str | os.PathLike, password: str) -> Path:
    """Put the hash under ``[auth] password_hash`` in .streamlit/secrets.toml, keeping the rest of the file."""
    path = Path(secrets_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f'password_hash = "{hash_password(password)}"'
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if re.search(r"(?m)^password_hash\s*=.*$", text):
        text = re.sub(r"(?m)^password_hash\s*=.*$", line, text)
    elif re.search(r"(?m)^\[auth\]\s*$", text):
        text = re.sub(r"(?m)^\[auth\]\s*$", "[auth]\n" + line, text, count=1)
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + "[auth]\n" + line + "\n"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


# ----------------------------------------------------------------------------------------------------------------
# Guessing: limited per client address and for the whole server, in one place for every session
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Whether a login attempt may be checked now; if not, how long to wait and why (``reason``:
    ``delay`` after a few wrong guesses, ``locked`` after many, ``busy`` when the whole server is
    over its rate)."""

    allowed: bool
    wait_s: float = 0.0
    reason: str = ""


@dataclass
class _Client:
    failures: int = 0
    last_failure: float = 0.0
    next_allowed: float = 0.0
    locked_until: float = 0.0


class LoginLimiter:
    """Counts wrong passwords per client address (shared by all of that address's sessions, unlike
    session state) and password checks for the whole server.

    * after ``LOGIN_FREE_ATTEMPTS`` wrong guesses an address waits 1, 2, 4 ... seconds (at most
      ``LOGIN_MAX_DELAY_S``) before the next guess is even checked;
    * after ``LOGIN_LOCKOUT_ATTEMPTS`` it is locked out for ``LOGIN_LOCKOUT_S``;
    * the whole server checks at most ``LOGIN_GLOBAL_PER_MINUTE`` passwords a minute, so many addresses
      together cannot guess faster, nor keep the CPU busy hashing;
    * a refused attempt costs no hash; a right password clears the address's count.

    Waiting is never done by sleeping in the server: the attempt is refused with the time to wait.
    ``clock`` is injectable so tests can move time.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}
        self._checks: deque[float] = deque()

    def admit(self, client: str) -> Decision:
        """Call before checking a password; an allowed attempt is counted against the server's rate."""
        now = self._clock()
        with self._lock:
            c = self._clients.get(client)
            if c and c.failures and now - c.last_failure > limits.get("LOGIN_LOCKOUT_S"):
                self._clients.pop(client, None)  # a quiet lockout window forgets old guesses
                c = None
            if c and now < c.locked_until:
                return Decision(False, c.locked_until - now, "locked")
            if c and now < c.next_allowed:
                return Decision(False, c.next_allowed - now, "delay")
            while self._checks and now - self._checks[0] >= 60.0:
                self._checks.popleft()
            if len(self._checks) >= limits.get_int("LOGIN_GLOBAL_PER_MINUTE"):
                return Decision(False, 60.0 - (now - self._checks[0]), "busy")
            self._checks.append(now)
            return Decision(True)

    def record(self, client: str, ok: bool) -> None:
        """Call with the outcome of an admitted attempt."""
        now = self._clock()
        with self._lock:
            if ok:
                self._clients.pop(client, None)
                return
            c = self._clients.setdefault(client, _Client())
            c.failures += 1
            c.last_failure = now
            over = c.failures - limits.get_int("LOGIN_FREE_ATTEMPTS")
            if over >= 0:
                c.next_allowed = now + min(2.0 ** over, limits.get("LOGIN_MAX_DELAY_S"))
            if c.failures >= limits.get_int("LOGIN_LOCKOUT_ATTEMPTS"):
                c.locked_until = now + limits.get("LOGIN_LOCKOUT_S")
            # A bounded table: an attacker rotating addresses cannot grow it without end.
            if len(self._clients) > 10_000:
                oldest = min(self._clients, key=lambda k: self._clients[k].last_failure)
                self._clients.pop(oldest, None)

    def failures(self, client: str) -> int:
        with self._lock:
            c = self._clients.get(client)
            return c.failures if c else 0


#: One limiter per server process: every session's attempts count together.
LIMITER = LoginLimiter()
#: One password hash at a time per process: parallel guesses queue instead of taking every core.
_HASH_SLOT = threading.BoundedSemaphore(1)
_LOG_KEY = os.urandom(16)


def client_tag(client: str) -> str:
    """A short keyed hash of the client address for the log: attempts from one address can be followed
    within a server run, but the log holds no address (personal data) and no password."""
    return hmac.new(_LOG_KEY, client.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def attempt_login(password: str, stored: str, client: str, limiter: LoginLimiter | None = None) -> Decision:
    """Check ``password`` under the limits: refused attempts cost no hash, every outcome is logged (address
    as a keyed tag, never the password). Returns the decision; ``allowed`` and ``reason == 'ok'`` on success."""
    limiter = limiter or LIMITER
    d = limiter.admit(client)
    tag = client_tag(client)
    if not d.allowed:
        log.warning("login refused before checking (%s, %.0f s to wait) from client %s", d.reason, d.wait_s, tag)
        return d
    with _HASH_SLOT:
        ok = verify_password(password, stored)
    limiter.record(client, ok)
    if ok:
        log.info("login succeeded from client %s", tag)
        return Decision(True, 0.0, "ok")
    log.warning("login failed from client %s (%d wrong in a row)", tag, limiter.failures(client))
    return Decision(True, 0.0, "wrong")
