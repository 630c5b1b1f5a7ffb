"""A shared password for a hosted instance: stored only as a salted PBKDF2 hash, compared in constant time.

Offline self-hosting cannot lean on an outside identity provider, so this is the simple default; Streamlit's
own OIDC login (``st.login``) is used instead when ``[auth]`` holds an OIDC client (see docs/self-hosting.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from pathlib import Path

ITERATIONS = 310_000
PREFIX = "pbkdf2_sha256"


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    if len(password) < 8:
        raise ValueError("use a password of at least 8 characters")
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{PREFIX}${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        prefix, iterations, salt, digest = stored.split("$")
        if prefix != PREFIX:
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
