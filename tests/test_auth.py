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
    assert [e.value for e in at.title] == [":material/hub: Netwerkleren Monitor"]
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
    assert [e.value for e in at.title] == [":material/explore: Overzicht"]
    assert at.sidebar.selectbox


# ------------------------------------------------------------------------------- guessing: the login limiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _wrong(lim: auth.LoginLimiter, client: str) -> auth.Decision:
    d = lim.admit(client)
    if d.allowed:
        lim.record(client, False)
    return d


def test_delays_grow_per_address_then_lock_out():
    clock = FakeClock()
    lim = auth.LoginLimiter(clock)
    for _ in range(2):  # LOGIN_FREE_ATTEMPTS = 3: the first wrong guesses cost no wait
        assert _wrong(lim, "10.0.0.1").allowed
    assert _wrong(lim, "10.0.0.1").allowed  # the third: now the address waits 1 s
    d = lim.admit("10.0.0.1")
    assert (d.allowed, d.reason, d.wait_s) == (False, "delay", 1.0)
    assert lim.admit("10.0.0.2").allowed  # another address is not slowed down
    waits = []
    for _ in range(7):  # 4th..10th wrong guess: 2, 4, 8, 16, 30 (cap), 30 s, then the lockout
        d = lim.admit("10.0.0.1")
        clock.now += d.wait_s
        assert lim.admit("10.0.0.1").allowed
        lim.record("10.0.0.1", False)
        waits.append(lim.admit("10.0.0.1").wait_s)
    assert waits[:6] == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    # the 10th wrong guess (LOGIN_LOCKOUT_ATTEMPTS) locks the address out for 900 s
    assert waits[6] == 900.0 and lim.admit("10.0.0.1").reason == "locked"
    clock.now += 899
    assert not lim.admit("10.0.0.1").allowed
    clock.now += 2
    assert lim.admit("10.0.0.1").allowed  # the lockout window has passed: a fresh start
    assert lim.failures("10.0.0.1") == 0


def test_right_password_clears_the_count():
    clock = FakeClock()
    lim = auth.LoginLimiter(clock)
    for _ in range(3):
        _wrong(lim, "a")
    clock.now += 1
    assert lim.admit("a").allowed
    lim.record("a", True)
    assert lim.failures("a") == 0 and lim.admit("a").allowed


def test_global_rate_binds_many_addresses_together():
    """32 addresses guessing in parallel (the issue) get 30 checks a minute together, not 5 a second."""
    clock = FakeClock()
    lim = auth.LoginLimiter(clock)
    allowed = 0
    for _second in range(60):
        for i in range(32):
            d = lim.admit(f"10.1.0.{i}")
            if d.allowed:
                allowed += 1
                lim.record(f"10.1.0.{i}", False)
        clock.now += 1
    assert allowed == 30
    d = lim.admit("10.9.9.9")
    assert d.allowed  # a minute after the first checks the window has room again


def test_limits_are_settings(monkeypatch):
    monkeypatch.setenv("NETWERKLEREN_LOGIN_GLOBAL_PER_MINUTE", "2")
    lim = auth.LoginLimiter(FakeClock())
    assert lim.admit("x").allowed and lim.admit("y").allowed
    d = lim.admit("z")
    assert (d.allowed, d.reason) == (False, "busy") and d.wait_s == 60.0


def test_refused_attempts_cost_no_hash_and_the_log_holds_no_password_or_address(monkeypatch, caplog):
    calls = []
    real = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda pw, stored: calls.append(1) or real(pw, stored))
    stored = auth.hash_password("juist-wachtwoord", iterations=1000)
    lim = auth.LoginLimiter(FakeClock())
    caplog.set_level("INFO", logger="netwerkleren.auth")
    outcomes = [auth.attempt_login("geheim-gok-123", stored, "192.168.7.42", lim).reason for _ in range(6)]
    assert outcomes == ["wrong", "wrong", "wrong", "delay", "delay", "delay"]
    assert len(calls) == 3  # the three refused attempts were never hashed
    assert "geheim-gok-123" not in caplog.text and "192.168.7.42" not in caplog.text
    assert caplog.text.count("login failed from client " + auth.client_tag("192.168.7.42")) == 3
    assert "login refused before checking (delay" in caplog.text


def test_hash_work_is_bounded():
    stored = auth.hash_password("juist-wachtwoord", iterations=1000)
    assert not auth.verify_password("x" * 100_000, stored)  # refused before hashing a huge input
    assert not auth.verify_password("juist-wachtwoord", "pbkdf2_sha256$999999999$c2FsdA==$ZGlnZXN0")


def test_login_page_uses_the_shared_limiter(tmp_path, monkeypatch):
    """Sessions share the per-address count: a new session (a new browser tab) does not start over."""
    monkeypatch.setattr(auth, "LIMITER", auth.LoginLimiter(FakeClock()))
    for _ in range(2):
        at = _app(tmp_path, monkeypatch).run()
        for _ in range(2):
            at.text_input[0].input("fout-wachtwoord")
            at.button[0].click().run()
    assert "Te veel onjuiste pogingen" in at.error[0].value and "Too many wrong attempts" in at.error[0].value
    assert auth.LIMITER.failures("local") == 3
