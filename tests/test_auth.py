"""The shared password: hashed, verified in constant time, and no page shows data before login."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import auth

ROOT = Path(__file__).resolve().parent.parent


def test_hash_and_verify():
    h = auth.hash_password("geheim-wachtwoord", iterations=1000)
    assert h.startswith("pbkdf2_sha256$1000$")
    assert "geheim" not in h
    assert auth.verify_password("geheim-wachtwoord", h)
    assert not auth.verify_password("geheim-wachtwoorD", h)
    assert not auth.verify_password("x", "garbage")
    assert not auth.verify_password("x", "md5$1$a$b")


def test_short_password_refused():
    with pytest.raises(ValueError, match="at least 8"):
        auth.hash_password("kort")


def test_write_secret_keeps_other_settings(tmp_path):
    p = tmp_path / ".streamlit" / "secrets.toml"
    p.parent.mkdir()
    p.write_text('[other]\nkey = "value"\n', encoding="utf-8")
    auth.write_secret(p, "een-goed-wachtwoord")
    auth.write_secret(p, "een-ander-wachtwoord")
    text = p.read_text(encoding="utf-8")
    assert text.count("password_hash") == 1 and '[other]\nkey = "value"' in text
    import tomllib

    stored = tomllib.loads(text)["auth"]["password_hash"]
    assert auth.verify_password("een-ander-wachtwoord", stored)
    assert (p.stat().st_mode & 0o777) == 0o600


def _app(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("NETWERKLEREN_DB", str(tmp_path / "auth.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets["auth"] = {"password_hash": auth.hash_password("juist-wachtwoord", iterations=1000)}
    return at


def test_nothing_shows_before_login(tmp_path, monkeypatch):
    at = _app(tmp_path, monkeypatch).run()
    assert not at.exception
    assert [e.value for e in at.title] == ["🕸️ Netwerkleren Monitor"]
    assert len(at.text_input) == 1 and at.text_input[0].proto.type == at.text_input[0].proto.PASSWORD
    assert not at.sidebar.selectbox and not at.metric and not at.dataframe
    at.text_input[0].input("fout-wachtwoord")
    at.button[0].click().run()
    assert at.error and not at.metric and not at.sidebar.selectbox


def test_right_password_opens_the_app(tmp_path, monkeypatch):
    at = _app(tmp_path, monkeypatch).run()
    at.text_input[0].input("juist-wachtwoord")
    at.button[0].click().run()
    assert not at.exception
    assert [e.value for e in at.title] == ["🧭 Overzicht"]
    assert at.sidebar.selectbox
