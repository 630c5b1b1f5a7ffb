"""40 phones in the same minute: every answer stored exactly once, none lost, and how soon the coach sees them.

Like the app: ONE DuckDB connection per process, a cursor per request thread (``ui.con()``), writes
serialised by ``store.transaction`` / ``store.WRITE_LOCK``. Half of the phones have personal links, the other
half join through the shared link and enter their own code, all at the same moment (a barrier); each saves a
draft, sends, and then repeats its send as a phone does after a lost connection. Meanwhile a coach thread
polls the live picture the way the coach's page does and records when it shows all 40.

Also a smaller real-browser variant (marker ``browser``): 6 phone-sized pages of one Chromium send at once
through a running server.
"""

from __future__ import annotations

import contextlib
import statistics
import threading
import time

import pytest

from analytics.definitions import default_framework
from analytics.ingest import importer
from analytics.live import answers as live_answers
from analytics.live import closing as live_closing
from analytics.live import picture as live_picture
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from analytics.store import database as store
from analytics.store.db import rows, scalar

PHONES = 40
NET = "Rekenen"
CODES = default_framework().codes
TIME_LIMIT_S = 30.0
pytest_plugins = ["browser"]  # the ``browser`` fixture, for the real-browser variant only


def people(con, n: int) -> None:
    lines = ["participant_id,name,network,organisation,role"]
    lines += [f"P{i:03d},Deelnemer {i},{NET},School {i % 4},teacher" for i in range(1, n + 1)]
    rep = importer.import_file(con, "\n".join(lines).encode(), file_name="people.csv", kind="participants")
    assert rep.status == "imported", rep.message


def p95(values) -> float:
    return statistics.quantiles(list(values), n=20, method="inclusive")[-1]


def answers_of(i: int) -> dict:
    pid = f"P{i:03d}"
    others = [f"P{(i + k) % PHONES + 1:03d}" for k in (1, 5, 11)]
    return {
        "current": {c: 1 + (i * 3 + k) % 7 for k, c in enumerate(CODES)},
        "desired": {c: 1 + (i + k) % 7 for k, c in enumerate(CODES)},
        "story": {"text": f"Verhaal van {pid}: <b>les</b> aangepast", "cycle": "applied", "indicator": "2a"},
        "ties": [{"to": o, "often": 1 + (i + j) % 3} for j, o in enumerate(others) if o != pid]
        + [{"name": f"Buiten {i % 5}", "often": 1}],
    }


def test_forty_phones_at_once_lose_nothing_and_duplicate_nothing(tmp_path):
    con = store.connect(tmp_path / "load.duckdb")
    try:
        people(con, PHONES)
        rnd, key = live_rounds.create_round(con, NET, mode="named", config=live_rounds.RoundConfig(
            current=True, desired=True, story=True, ties=True, topic="breuken"))
        personal = live_tokens.issue_personal_tokens(con, rnd.round_id, [f"P{i:03d}" for i in range(1, PHONES // 2 + 1)])
        codes = live_tokens.issue_codes(con, rnd.round_id, [f"P{i:03d}" for i in range(PHONES // 2 + 1, PHONES + 1)])
        barrier = threading.Barrier(PHONES + 2)  # the phones, the coach and this thread
        errors: list[str] = []
        sent_at: dict[str, float] = {}
        results: dict[str, list[str]] = {}
        open_s: dict[str, float] = {}
        send_s: dict[str, float] = {}

        def phone(i: int) -> None:
            pid = f"P{i:03d}"
            cur = con.cursor()
            try:
                barrier.wait(timeout=20)
                t0 = time.perf_counter()  # opening: what the form does before it draws the questions
                if pid in personal:
                    token = personal[pid]
                else:
                    token = live_tokens.join(cur, rnd.round_id, key)
                    live_tokens.claim(cur, rnd.round_id, token, codes[pid])
                acc = live_tokens.check_token(cur, rnd.round_id, token)
                live_answers.load_response(cur, acc)
                open_s[pid] = time.perf_counter() - t0
                a = answers_of(i)
                draft = live_answers.save_response(cur, rnd.round_id, token, {"current": a["current"]}, final=False, seq=0)
                t0 = time.perf_counter()
                final = live_answers.save_response(cur, rnd.round_id, token, a, final=True, seq=draft.seq)
                sent_at[pid] = time.perf_counter()
                send_s[pid] = sent_at[pid] - t0
                retry = live_answers.save_response(cur, rnd.round_id, token, a, final=True, seq=draft.seq)  # lost reply
                results[pid] = [draft.status, final.status, retry.status]
            except Exception as e:  # noqa: BLE001 - collected and asserted below
                errors.append(f"{pid}: {type(e).__name__}: {e}")
            finally:
                cur.close()

        seen: dict[str, float] = {}

        def coach() -> None:
            cur = con.cursor()
            try:
                barrier.wait(timeout=20)
                deadline = time.perf_counter() + TIME_LIMIT_S
                while time.perf_counter() < deadline:
                    status = live_picture.round_status(cur, rnd.round_id)
                    stats = live_picture.live_stats(cur, rnd.round_id)
                    n = int(stats["n"].max()) if len(stats) else 0
                    if status.submitted == PHONES and n == PHONES:
                        seen["all"] = time.perf_counter()
                        return
                    time.sleep(0.25)  # the page refreshes every 3 s; poll faster to measure the delay
            except Exception as e:  # noqa: BLE001
                errors.append(f"coach: {type(e).__name__}: {e}")
            finally:
                cur.close()

        threads = [threading.Thread(target=phone, args=(i,)) for i in range(1, PHONES + 1)]
        threads.append(threading.Thread(target=coach))
        for th in threads:
            th.start()
        barrier.wait(timeout=20)
        start = time.perf_counter()
        for th in threads:
            th.join(timeout=TIME_LIMIT_S + 10)
        assert not any(th.is_alive() for th in threads), "a thread hung"
        assert not errors, errors

        # every answer exactly once, as sent
        stored = rows(con, "SELECT participant_id, seq, answers FROM live_responses WHERE round_id = ?",
                      [rnd.round_id])
        assert len(stored) == PHONES, "duplicates or lost answers"
        assert scalar(con, "SELECT count(DISTINCT slot) FROM live_responses") == PHONES
        by_pid = {pid: (seq, live_answers.canonical(live_answers.validate_answers(
            answers_of(int(pid[1:])), rnd, {f"P{i:03d}": f"Deelnemer {i}" for i in range(1, PHONES + 1)}, pid,
            final=True))) for pid, seq, _ in stored}
        lost = [pid for pid, seq, a in stored if a != by_pid[pid][1]]
        assert not lost, lost
        assert {seq for _, seq, _ in stored} == {2}, "the repeated send changed something"
        assert all(r == ["saved", "saved", "unchanged"] for r in results.values()), results
        assert scalar(con, "SELECT count(*) FROM live_tokens WHERE round_id = ? AND kind = 'join'",
                      [rnd.round_id]) == PHONES - len(personal)

        last_sent = max(sent_at.values()) - start
        shown = seen["all"] - start
        print(f"\n{PHONES} phones: all sent within {last_sent:.2f} s; the coach's picture showed all {PHONES} "
              f"after {shown:.2f} s ({(seen['all'] - max(sent_at.values())) * 1000:.0f} ms after the last send); "
              f"duplicates 0, lost 0")
        print(f"{PHONES} phones at once: p95 open {p95(open_s.values()) * 1000:.0f} ms, "
              f"p95 send {p95(send_s.values()) * 1000:.0f} ms")
        assert shown < TIME_LIMIT_S

        # closing stores each once as well
        t0 = time.perf_counter()
        import_id = live_closing.close_round(con, rnd.round_id)
        close_s = time.perf_counter() - t0
        n_scores = scalar(con, "SELECT count(*) FROM dimension_scores WHERE import_id = ?", [import_id])
        assert n_scores == PHONES * 2 * len(CODES)
        assert scalar(con, "SELECT count(DISTINCT participant_id) FROM dimension_scores WHERE import_id = ?",
                      [import_id]) == PHONES
        assert scalar(con, "SELECT count(*) FROM value_reports WHERE import_id = ?", [import_id]) == PHONES
        print(f"closing {PHONES} responses ({n_scores} marks) took {close_s * 1000:.0f} ms")
    finally:
        con.close()


@pytest.mark.browser
def test_six_phones_at_once_through_the_server(browser, tmp_path):
    """The same over HTTP/WebSocket: six phone pages of one browser open their personal links and send at once."""
    from browser import new_page, streamlit_server, wait_for_app

    n = 6
    db = tmp_path / "http.duckdb"
    con = store.connect(db)
    try:
        people(con, 10)
        rnd, _ = live_rounds.create_round(con, NET, mode="personal", config=live_rounds.RoundConfig(current=True))
        tokens = live_tokens.issue_personal_tokens(con, rnd.round_id, [f"P{i:03d}" for i in range(1, n + 1)])
    finally:
        con.close()
    started = time.monotonic()
    with streamlit_server(db, env={"NETWERKLEREN_NO_DEMO": "1"}) as url, contextlib.ExitStack() as stack:
        pages = [stack.enter_context(new_page(browser, viewport={"width": 390, "height": 844})) for _ in range(n)]
        for page, tok in zip(pages, tokens.values(), strict=True):
            page.goto(f"{url}/?round={rnd.round_id}&t={tok}")
        for page in pages:
            wait_for_app(page, expect_text="Hoe werkt ons netwerk?", timeout_ms=60_000)
        for i, page in enumerate(pages):
            page.locator(".st-key-m-current-1a").get_by_role("radio", name=str(1 + i % 7), exact=True).click()
        for page in pages:
            wait_for_app(page, expect_text="Concept bewaard", timeout_ms=60_000)
        t0 = time.monotonic()
        for page in pages:  # press every Send button before waiting for any
            page.get_by_role("button", name="Versturen").click()
        for page in pages:
            wait_for_app(page, expect_text="Dank je!", timeout_ms=60_000)
        print(f"\n{n} phones through the server: all confirmed {time.monotonic() - t0:.2f} s after the first send")
    con = store.connect(db)
    try:
        got = {pid: a for _, pid, a, _ in live_picture.submitted(con, rnd.round_id)}
    finally:
        con.close()
    assert got == {f"P{i:03d}": {"current": {"1a": 1 + (i - 1) % 7}} for i in range(1, n + 1)}
    assert time.monotonic() - started < 90

