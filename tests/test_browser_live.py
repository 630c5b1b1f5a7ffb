"""Live collection in a real browser: a phone-sized participant form and the coach's live picture.

One ``streamlit run`` (tests/browser.py) on a fresh database with one network's participant list and an open
named round in which two people already answered. A phone (390x844) opens the shared link, sees no names,
enters the code the coach gave it, marks indicators and names a learning tie, and sends; the coach's page (another browser context, same
server) shows the count go from 2 to 3 and the radar appear without being reloaded. Screenshots of both land
in tests/_artifacts/ (live-phone-*.png, live-coach-*.png).

The coach's page is reached at ``/live``; until app.py lists pages/live_coach.py in its navigation the coach
part is skipped (the phone part still runs).
"""

from __future__ import annotations

import re
import time

import pytest
from browser import (
    ROOT,
    app_exceptions,
    block_outside,
    new_page,
    outside_requests,
    record_requests,
    screenshot,
    server_log,
    streamlit_server,
    wait_for_app,
)

from analytics.definitions import default_framework
from analytics.ingest import importer
from analytics.live import answers as live_answers
from analytics.live import meeting as live_meeting
from analytics.live import picture as live_picture
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from analytics.store import database as store

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
COACH_IN_NAV = "pages/live_coach.py" in (ROOT / "app.py").read_text(encoding="utf-8")
NET, OTHER_NET = "Rekenen", "Taalnetwerk Zuid"


def seed(db) -> tuple[str, str, dict[str, str]]:
    """Two networks; an open named round in NET (marks now + ties) where P001 and P002 have answered; the
    code for P003 is in the returned dict under ``code:P003``."""
    con = store.connect(db)
    try:
        lines = ["participant_id,name,network,organisation,role"]
        lines += [f"P{i:03d},Deelnemer {i},{NET},School {i % 3},teacher" for i in range(1, 9)]
        lines += [f"Q{i:03d},Geheim {i},{OTHER_NET},Andere school,teacher" for i in range(1, 5)]
        rep = importer.import_file(con, "\n".join(lines).encode(), file_name="people.csv", kind="participants")
        assert rep.status == "imported", rep.message
        rnd, key = live_rounds.create_round(con, NET, title="Bijeenkomst 3", mode="named",
                                     config=live_rounds.RoundConfig(current=True, ties=True, topic="breuken"))
        tokens = live_tokens.issue_personal_tokens(con, rnd.round_id, ["P001", "P002"])
        for i, tok in enumerate(tokens.values()):
            marks = {code: 2 + 3 * i for code in default_framework().codes}
            live_answers.save_response(con, rnd.round_id, tok, {"current": marks, "ties": [{"to": "P005", "often": 2}]},
                               final=True, seq=0)
        tokens["code:P003"] = live_tokens.issue_codes(con, rnd.round_id, ["P003"])["P003"]
        return rnd.round_id, key, tokens
    finally:
        con.close()


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def key_class(key: str) -> str:
    """The CSS class Streamlit gives the container of a widget with ``key``."""
    return ".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)


def pick_mark(page, key: str, mark: int) -> None:
    page.locator(key_class(key)).get_by_role("radio", name=str(mark), exact=True).click()
    wait_for_app(page)


def test_phone_form_and_live_coach(browser, tmp_path):
    started = time.monotonic()
    db = tmp_path / "live.duckdb"
    round_id, join_key, seeded = seed(db)
    with streamlit_server(db, env={"NETWERKLEREN_NO_DEMO": "1"}) as url, \
            new_page(browser, viewport=PHONE) as phone, new_page(browser) as coach:
        phone_requests, coach_requests = record_requests(phone), record_requests(coach)
        block_outside(phone)
        block_outside(coach)

        # ---- the phone opens the shared link first (a cold server), and sees only the form
        phone.goto(f"{url}/?round={round_id}&join={join_key}")
        wait_for_app(phone, expect_text="Voer de code in")
        assert "join=" not in phone.url and "t=" in phone.url, phone.url  # swapped for a token of its own
        assert phone.locator('[data-testid="stSidebarNav"]').count() == 0
        assert phone.locator('[data-testid="stSidebar"]').count() == 0
        body = phone.locator("body").inner_text()
        assert OTHER_NET not in body and "Geheim" not in body, "another network's data on the form"
        assert "Deelnemer" not in body, "the shared link shows no member names"
        phone.get_by_label("Jouw code").fill(seeded["code:P003"].lower())
        phone.get_by_label("Jouw code").press("Enter")
        wait_for_app(phone)
        phone.get_by_role("button", name="Dit ben ik").click()
        wait_for_app(phone, expect_text="Hoe werkt ons netwerk?")
        assert phone.locator('[data-testid="stSidebarNav"]').count() == 0
        assert phone.locator('[data-testid="stSidebar"]').count() == 0
        body = phone.locator("body").inner_text()
        assert "Je antwoordt als Deelnemer 3" in body
        assert "Verstuurd" not in body and "Geheim" not in body  # nobody else's answers, no other network
        screenshot(phone, "live-phone-form", full_page=False)

        # ---- the coach's page: two answers so far, no picture yet (privacy: from three on)
        if COACH_IN_NAV:
            coach.goto(f"{url}/live")
            wait_for_app(coach, expect_testid="stMetric")
            assert metric_value(coach, "Verstuurd") == "2", server_log(url)
            assert coach.locator('[data-testid="stVegaLiteChart"]').count() == 0
            # The join key is only stored hashed: this coach session shows the link after making a new one.
            coach.get_by_role("button", name="Nieuwe link en QR-code maken").click()
            wait_for_app(coach, expect_testid="stImage")
            link = coach.locator('[data-testid="stCode"]').inner_text()
            assert f"round={round_id}&join=" in link and join_key not in link
            screenshot(coach, "live-coach-waiting")

        # ---- the phone marks three indicators and names a learning tie, then sends
        for code, mark in (("1a", 6), ("2a", 1), ("3b", 4)):
            pick_mark(phone, f"m:current:{code}", mark)
        # the network's people are listed at once; one tap adds one person
        phone.locator(key_class("tie:add")).get_by_role("radio", name="Deelnemer 5", exact=True).click()
        wait_for_app(phone, expect_text="Hoe vaak leerde je van Deelnemer 5?")
        phone.locator(key_class("tie:often:P005")).get_by_role("radio", name="vaak", exact=True).click()
        wait_for_app(phone, expect_text="Concept bewaard")
        # A reload keeps the draft (server-side, per token in the URL).
        phone.reload()
        wait_for_app(phone, expect_text="Concept bewaard")
        chosen = phone.locator(key_class("m:current:1a")).locator('[role="radio"][aria-checked="true"]')
        assert chosen.inner_text().strip() == "6"
        phone.get_by_role("button", name="Versturen").click()
        wait_for_app(phone, expect_text="Dank je!")
        assert not app_exceptions(phone), app_exceptions(phone)
        screenshot(phone, "live-phone-sent")

        # ---- the coach's page updates by itself: 3 answers, radar and tie map appear
        if COACH_IN_NAV:
            deadline = time.monotonic() + 20
            while metric_value(coach, "Verstuurd") != "3":
                assert time.monotonic() < deadline, "the coach's count did not update without a reload"
                coach.wait_for_timeout(250)  # polling interval of a bounded wait
            coach.locator('[data-testid="stVegaLiteChart"]').first.wait_for(state="visible", timeout=20_000)
            coach.locator("iframe").first.wait_for(state="attached", timeout=20_000)
            wait_for_app(coach)
            assert not app_exceptions(coach), app_exceptions(coach)
            coach.wait_for_timeout(500)  # let the charts finish drawing for the screenshot
            screenshot(coach, "live-coach-live")
    assert not outside_requests(phone_requests), outside_requests(phone_requests)
    assert not outside_requests(coach_requests), outside_requests(coach_requests)
    # The stored answers (the server is gone, so the file is free again).
    con = store.connect(db)
    try:
        got = {pid: a for _, pid, a, _ in live_picture.submitted(con, round_id)}
    finally:
        con.close()
    assert set(got) == {"P001", "P002", "P003"}
    assert got["P003"] == {"current": {"1a": 6, "2a": 1, "3b": 4}, "ties": [{"often": 3, "to": "P005"}]}
    assert time.monotonic() - started < 90


def test_bad_links_are_refused_in_the_browser(browser, tmp_path):
    db = tmp_path / "live.duckdb"
    round_id, _, tokens = seed(db)
    good = tokens["P001"]
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    with streamlit_server(db, env={"NETWERKLEREN_NO_DEMO": "1"}) as url, \
            new_page(browser, viewport=PHONE) as phone:
        block_outside(phone)
        for query, text in ((f"round={round_id}&t={tampered}", "niet geldig"),
                            (f"round={round_id}&t=kort", "onvolledig of beschadigd"),
                            (f"round=nietbestaand&t={good}", "andere ronde"),
                            (f"round={round_id}&join=verkeerdesleutel1234", "niet (meer) geldig")):
            phone.goto(f"{url}/?{query}")
            wait_for_app(phone, expect_testid="stAlertContentError")
            assert text in phone.locator('[data-testid="stAlertContentError"]').inner_text(), query
            assert phone.locator('[data-testid="stSidebarNav"]').count() == 0
            assert phone.locator('[data-testid="stSegmentedControl"], [data-testid="stButtonGroup"]').count() == 0
        screenshot(phone, "live-phone-refused", full_page=False)
        # A participant link with another page's path still opens only the form.
        phone.goto(f"{url}/data?round={round_id}&t={good}")
        wait_for_app(phone, expect_text="Hoe werkt ons netwerk?")
        assert phone.locator('[data-testid="stSidebarNav"]').count() == 0
        assert phone.locator('[data-testid="stSidebar"]').count() == 0
        assert phone.locator('[data-testid="stFileUploader"]').count() == 0


def seed_meeting(db) -> tuple[str, str, str]:
    """An open named meeting round in NET: plus/delta, one statement, an idea wall (2 votes each) and marks
    of one indicator; three people answered already and two of them put an idea on the wall. Returns the
    round, the shared link's key and the code of P004 (the phone in the test)."""
    con = store.connect(db)
    try:
        lines = ["participant_id,name,network,organisation,role"]
        lines += [f"P{i:03d},Deelnemer {i},{NET},School {i % 3},teacher" for i in range(1, 9)]
        rep = importer.import_file(con, "\n".join(lines).encode(), file_name="people.csv", kind="participants")
        assert rep.status == "imported", rep.message
        rnd, key = live_rounds.create_round(con, NET, title="Bijeenkomst 4", mode="named",
                                            config=live_rounds.RoundConfig(
                                                current=False, plusdelta=True, ideas=True, votes=2,
                                                ideas_prompt="Wat proberen we tot de volgende keer?",
                                                statements=("We halen genoeg kennis van buiten",)))
        tokens = live_tokens.issue_personal_tokens(con, rnd.round_id, ["P001", "P002", "P003"])
        for i, (pid, tok) in enumerate(tokens.items()):
            if i < 2:
                live_meeting.add_idea(con, rnd.round_id, tok, ["Samen lunchen", "Schoolbezoek bij elkaar"][i])
            live_answers.save_response(con, rnd.round_id, tok, {"statements": {"0": 2 + 2 * i},
                                                                "plusdelta": {"plus": f"plus {pid}"}},
                                       final=True, seq=0)
        code = live_tokens.issue_codes(con, rnd.round_id, ["P004"])["P004"]
        return rnd.round_id, key, code
    finally:
        con.close()


@pytest.mark.skipif(not COACH_IN_NAV, reason="the coach page opens the vote")
def test_phone_answers_plusdelta_and_votes_on_the_idea_wall(browser, tmp_path):
    db = tmp_path / "meeting.duckdb"
    round_id, join_key, code = seed_meeting(db)
    with streamlit_server(db, env={"NETWERKLEREN_NO_DEMO": "1"}) as url, \
            new_page(browser, viewport=PHONE) as phone, new_page(browser) as coach:
        requests = record_requests(phone)
        block_outside(phone)
        block_outside(coach)
        phone.goto(f"{url}/?round={round_id}&join={join_key}")
        wait_for_app(phone, expect_text="Voer de code in")
        assert "Deelnemer" not in phone.locator("body").inner_text()
        screenshot(phone, "live-phone-code", full_page=False)
        phone.get_by_label("Jouw code").fill(f"{code[:4]} {code[4:]}")  # typed with a space: still the code
        phone.get_by_label("Jouw code").press("Enter")
        wait_for_app(phone)
        phone.get_by_role("button", name="Dit ben ik").click()
        wait_for_app(phone, expect_text="Terugblik op de bijeenkomst")
        assert "Je antwoordt als Deelnemer 4" in phone.locator("body").inner_text()
        # the statement, plus/delta (each text box saves a draft when it loses focus)
        pick_mark(phone, "st:0", 5)
        phone.get_by_label("Plus: wat ging goed?").fill("De kennismaking met de andere school")
        phone.get_by_label("Delta: wat doen we volgende keer anders?").fill("Eerder de agenda delen")
        phone.get_by_label("Delta: wat doen we volgende keer anders?").press("Tab")
        wait_for_app(phone, expect_text="Concept bewaard")
        # an idea of its own on the wall, next to the two already there (no names on the wall)
        phone.get_by_label("Nieuw idee").fill("Experts van de pabo uitnodigen")
        phone.get_by_role("button", name="Op de muur zetten").click()
        wait_for_app(phone, expect_text="Je idee staat op de muur.")
        body = phone.locator("body").inner_text()
        for idea in ("Samen lunchen", "Schoolbezoek bij elkaar", "Experts van de pabo uitnodigen"):
            assert idea in body
        assert not app_exceptions(phone), app_exceptions(phone)
        screenshot(phone, "live-phone-meeting-wall")

        # ---- the coach opens the vote
        coach.goto(f"{url}/live")
        wait_for_app(coach, expect_testid="stMetric")
        coach.get_by_text("Ideeënmuur: clusteren en stemmen openen").click()
        coach.get_by_role("button", name="Stemmen openen").click()
        wait_for_app(coach, expect_text="Stemmen is open")

        # ---- the phone refreshes the wall and votes: three picks are refused (two votes), two are sent
        phone.get_by_role("button", name="↻ Muur verversen").click()
        wait_for_app(phone, expect_text="0 van 2 stemmen gebruikt.")
        wall = phone.locator(key_class("v:wall"))
        for idea in ("Samen lunchen", "Schoolbezoek bij elkaar", "Experts van de pabo uitnodigen"):
            wall.get_by_role("button", name=idea).click()
            wait_for_app(phone)
        wait_for_app(phone, expect_text="Te veel stemmen: 3, hoogstens 2.")
        screenshot(phone, "live-phone-meeting-toomany", full_page=False)
        wall.get_by_role("button", name="Schoolbezoek bij elkaar").click()
        wait_for_app(phone, expect_text="2 van 2 stemmen gebruikt.")
        phone.get_by_role("button", name="Versturen").click()
        wait_for_app(phone, expect_text="Dank je!")
        # the mirror: four answers (three before and this one), so the group's band is shown
        wait_for_app(phone, expect_text="Jouw spiegel")
        screenshot(phone, "live-phone-meeting-mirror")
        assert phone.locator("[role=img][aria-label='We halen genoeg kennis van buiten: 5']").count() == 1
        assert not app_exceptions(phone), app_exceptions(phone)
        # the same link later (a new session) shows the mirror again
        phone.goto(phone.url)
        wait_for_app(phone, expect_text="Jouw spiegel")
        # the coach's picture: the wall with its votes, plus/delta and the statement (four answers)
        deadline = time.monotonic() + 30
        while metric_value(coach, "Verstuurd") != "4":  # the picture refreshes itself every 3 s
            if time.monotonic() > deadline:
                screenshot(coach, "live-coach-meeting-stuck")
                raise AssertionError("the coach's picture did not show the fourth answer")
            coach.wait_for_timeout(250)  # polling interval of a bounded wait
        wait_for_app(coach, expect_text="Stemmen is open")
        assert not app_exceptions(coach), app_exceptions(coach)
        screenshot(coach, "live-coach-meeting")
    assert not outside_requests(requests), outside_requests(requests)
    con = store.connect(db)
    try:
        got = {pid: a for _, pid, a, _ in live_picture.submitted(con, round_id)}
        wall = live_meeting.wall(con, round_id)
    finally:
        con.close()
    assert got["P004"] == {"plusdelta": {"plus": "De kennismaking met de andere school",
                                         "delta": "Eerder de agenda delen"},
                           "statements": {"0": 5}, "votes": ["i:1", "i:3"]}
    assert dict(zip(wall["label"], wall["votes"], strict=True)) == {
        "Samen lunchen": 1, "Experts van de pabo uitnodigen": 1, "Schoolbezoek bij elkaar": 0}
