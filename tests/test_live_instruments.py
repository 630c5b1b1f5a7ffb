"""An own instrument in a live round (issue 15): the coach picks it, phones mark its indicators, closing stores
them under its id, and the overview's own-instrument figures see them. Numbers by hand: marks 1..7 become
positions (mark - 1) / 6."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_live import COACH_WRAPPER, ROOT, add_people, fail, form, texts

from analytics.definitions import DEFINITIONS_DIR, default_framework, frameworks_dir, save_framework
from analytics.live import answers as live_answers
from analytics.live import closing as live_closing
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from analytics.measures import overview as ov
from analytics.store import contents
from analytics.store import database as store
from analytics.store.db import rows

NET = "Rekenen"
OWN = "social_regulation"


@pytest.fixture
def own_db(tmp_path, monkeypatch):
    """A database file with the example instrument saved next to it, shared with the app (NETWERKLEREN_DB)."""
    path = tmp_path / "own.duckdb"
    monkeypatch.setenv("NETWERKLEREN_DB", str(path))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    save_framework(DEFINITIONS_DIR / "social_regulation.toml", frameworks_dir(path))
    con = store.connect(path)
    add_people(con)
    yield con
    con.close()


def own_round(con, **cfg):
    config = live_rounds.RoundConfig(**({"current": True, "story": True, "framework": OWN} | cfg))
    return live_rounds.create_round(con, NET, mode="named", config=config, on=date(2025, 3, 12))


def test_a_round_may_ask_an_instrument_saved_next_to_the_database(own_db):
    assert set(contents.instruments(own_db)) == {default_framework().id, OWN}
    rnd, _ = own_round(own_db)
    assert live_rounds.get_round(own_db, rnd.round_id).config.framework == OWN
    assert live_rounds.round_instrument(own_db, rnd).codes == ["p1", "p2", "p3", "r1", "r2"]
    e = fail("bad_framework", own_round, own_db, framework="nope")
    assert e.fields["known"] == f"dimensions, {OWN}"


def test_an_in_memory_store_knows_only_the_shipped_instrument(con):
    add_people(con)
    assert list(contents.instruments(con)) == [default_framework().id]
    e = fail("bad_framework", own_round, con)
    assert e.fields["known"] == "dimensions"


def test_marks_are_checked_against_the_rounds_instrument_and_stories_against_the_dimensions(own_db):
    rnd, _ = own_round(own_db)
    tok = live_tokens.issue_personal_tokens(own_db, rnd.round_id, ["P001"])["P001"]
    e = fail("invalid", live_answers.save_response, own_db, rnd.round_id, tok, {"current": {"1a": 4}},
             final=True, seq=0)
    assert ("mark_unknown", {"indicator": "1a"}) in e.problems
    e = fail("invalid", live_answers.save_response, own_db, rnd.round_id, tok,
             {"story": {"text": "x", "cycle": "applied", "indicator": "p1"}}, final=True, seq=0)
    assert ("mark_unknown", {"indicator": "p1"}) in e.problems
    saved = live_answers.save_response(own_db, rnd.round_id, tok, {
        "current": {"p1": 7, "r2": 1}, "story": {"text": "x", "cycle": "applied", "indicator": "2a"}},
        final=True, seq=0)
    assert saved.answers["current"] == {"p1": 7, "r2": 1}


def test_a_removed_instrument_file_stops_answers_rather_than_storing_unnamed_marks(own_db):
    rnd, _ = own_round(own_db)
    (frameworks_dir(store.db_path()) / f"{OWN}.toml").unlink()
    tok = live_tokens.issue_personal_tokens(own_db, rnd.round_id, ["P001"])["P001"]
    fail("bad_framework", live_answers.save_response, own_db, rnd.round_id, tok, {"current": {"p1": 3}},
         final=True, seq=0)


def test_closing_stores_the_marks_under_the_instrument_and_the_overview_sees_them(own_db):
    rnd, _ = own_round(own_db, story=False)
    tokens = live_tokens.issue_personal_tokens(own_db, rnd.round_id, ["P001", "P002", "P003", "P004"])
    marks = {"P001": (1, 4), "P002": (4, 7), "P003": (7, 7), "P004": (2, 5)}  # (p1, r1)
    for pid, tok in tokens.items():
        live_answers.save_response(own_db, rnd.round_id, tok, {"current": {"p1": marks[pid][0], "r1": marks[pid][1]}},
                                   final=True, seq=0)
    import_id = live_closing.close_round(own_db, rnd.round_id)
    got = rows(own_db, """SELECT framework, indicator, participant_id, raw, position FROM dimension_scores
                          WHERE import_id = ? ORDER BY indicator, participant_id""", [import_id])
    assert {g[0] for g in got} == {OWN}
    assert [(g[1], g[2], g[3]) for g in got] == [("p1", p, float(marks[p][0])) for p in sorted(marks)] + \
        [("r1", p, float(marks[p][1])) for p in sorted(marks)]
    assert all(g[4] == pytest.approx((g[3] - 1) / 6, abs=1e-12) for g in got)
    own = ov.own_instrument_latest(own_db, min_group=3)
    by_dim = own.set_index("code")
    # dimension P has one indicator here (p1): mean of (0, .5, 1, 1/6); R: r1 = (.5, 1, 1, 2/3)
    assert by_dim.loc["P", "mean"] == pytest.approx((0 + 0.5 + 1 + 1 / 6) / 4, abs=1e-12)
    assert by_dim.loc["R", "mean"] == pytest.approx((0.5 + 1 + 1 + 2 / 3) / 4, abs=1e-12)
    assert set(own["network"]) == {NET} and int(by_dim.loc["P", "n"]) == 4


def test_the_coach_picks_the_instrument_and_the_phone_marks_its_indicators(own_db, tmp_path, monkeypatch):
    from pages import ui

    monkeypatch.setattr(ui, "_entry_on_stack", lambda: True)
    script = tmp_path / "coach_app.py"
    script.write_text(COACH_WRAPPER.format(root=str(ROOT), page=str(Path(ROOT) / "pages" / "live_coach.py")))
    at = AppTest.from_file(str(script), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    at.radio(key="live_mode").set_value("named").run()
    box = at.selectbox(key="live_instrument")
    assert box.options == ["Dimensies van sociaal leren", "Sociale regulatie (voorbeeld)"]
    box.set_value(OWN)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    (rnd,) = live_rounds.list_rounds(own_db, status="open")
    assert rnd.config.framework == OWN

    tok = live_tokens.issue_personal_tokens(own_db, rnd.round_id, ["P001"])["P001"]
    phone = form({"round": rnd.round_id, "t": tok})
    keys = [s.key for s in phone.segmented_control]
    assert keys == [f"m:current:{c}" for c in ("p1", "p2", "p3", "r1", "r2")]
    assert "Verbondenheid" in texts(phone) and "Losse contacten rond een vraag" in texts(phone)
    phone.segmented_control(key="m:current:p2").set_value(5)
    phone.run()
    phone.button(key="send").click()
    phone.run()
    assert "Dank je!" in texts(phone)
    assert json.loads(rows(own_db, "SELECT answers FROM live_responses WHERE round_id = ?",
                           [rnd.round_id])[0][0]) == {"current": {"p2": 5}}
