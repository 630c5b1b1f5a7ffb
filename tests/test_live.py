"""Live collection (analytics/live/): rounds, tokens, one response per participant, bad input, closing into
a period (and undoing it), the QR code; plus the participant route and the coach page through AppTest."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from analytics import i18n
from analytics.definitions import default_framework
from analytics.ingest import importer
from analytics.live import answers as live_answers
from analytics.live import closing as live_closing
from analytics.live import common as live_common
from analytics.live import links as live_links
from analytics.live import meeting as live_meeting
from analytics.live import mirror as live_mirror
from analytics.live import picture as live_picture
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from analytics.measures import dimensions as dims
from analytics.store import database as store
from analytics.store.db import rows, scalar

ROOT = Path(__file__).resolve().parent.parent
NET, OTHER = "Rekenen", "Taal"
CODES = default_framework().codes


def add_people(con, network: str = NET, n: int = 8, prefix: str = "P") -> None:
    lines = ["participant_id,name,network,organisation,role"]
    lines += [f"{prefix}{i:03d},{network} persoon {i},{network},School {i % 3},teacher" for i in range(1, n + 1)]
    rep = importer.import_file(con, "\n".join(lines).encode(), file_name=f"people_{network}.csv",
                               kind="participants")
    assert rep.status == "imported", rep.message


@pytest.fixture
def net(con):
    add_people(con)
    add_people(con, OTHER, 4, "Q")
    return con


def named_round(con, **cfg):
    config = live_rounds.RoundConfig(**({"current": True, "desired": True, "story": True, "ties": True, "topic": "breuken"}
                                 | cfg))
    return live_rounds.create_round(con, NET, mode="named", config=config, on=date(2025, 3, 12))


def answers(i: int = 0) -> dict:
    return {"current": {c: 1 + (i + k) % 7 for k, c in enumerate(CODES)}, "desired": {"1a": 7}}


def fail(code: str, fn, *args, **kwargs) -> live_common.LiveError:
    with pytest.raises(live_common.LiveError) as e:
        fn(*args, **kwargs)
    assert e.value.code == code, (e.value.code, str(e.value))
    return e.value


# ----------------------------------------------------------------------------------------------- schema


def test_migration_adds_live_tables(con):
    assert store.schema_version(con) == store.SCHEMA_VERSION == 7
    for table in ("live_rounds", "live_tokens", "live_responses", "live_codes", "live_claims", "live_ideas"):
        assert scalar(con, f"SELECT count(*) FROM {table}") == 0


def test_a_version_2_database_is_migrated(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    store.connect(path).close()
    monkeypatch.undo()
    con = store.connect(path)
    try:
        assert store.schema_version(con) == 7
        assert scalar(con, "SELECT count(*) FROM live_rounds") == 0
        assert scalar(con, "SELECT count(*) FROM meeting_notes WHERE import_id IS NULL") == 0
        assert scalar(con, "SELECT count(*) FROM person_merges") == 0
        assert scalar(con, "SELECT count(*) FROM computed") == 0  # schema 7: figures kept per data version
    finally:
        con.close()


# ----------------------------------------------------------------------------------------------- rounds


def test_create_round_checks_what_it_is_asked(net):
    fail("unknown_network", live_rounds.create_round, net, "Nergens")
    fail("bad_mode", live_rounds.create_round, net, NET, mode="open")
    fail("ties_anonymous", live_rounds.create_round, net, NET, mode="anonymous", config=live_rounds.RoundConfig(ties=True))
    fail("nothing_asked", live_rounds.create_round, net, NET, config=live_rounds.RoundConfig(current=False))
    fail("too_long", live_rounds.create_round, net, NET, title="x" * 500)
    rnd, key = live_rounds.create_round(net, NET, wave=" Meting  3 ", config=live_rounds.RoundConfig(topic="  breuken \n en zo"))
    assert rnd.status == "open" and rnd.is_open() and rnd.mode == "anonymous" and key
    assert rnd.wave == "Meting 3" and rnd.config.topic == "breuken en zo"
    # only the hash of the join key is stored
    stored = scalar(net, "SELECT join_hash FROM live_rounds WHERE round_id = ?", [rnd.round_id])
    assert key not in stored and len(stored) == 64
    personal, no_key = live_rounds.create_round(net, NET, mode="personal")
    assert no_key is None and not personal.has_join


def test_round_period_follows_the_store_scheme_or_the_wave(net):
    rnd, _ = named_round(net)
    assert live_rounds.round_period(net, rnd) == "2025-H1"
    store.set_period_scheme(net, "school-year")
    assert live_rounds.round_period(net, rnd) == "2024/25"
    waved, _ = live_rounds.create_round(net, NET, wave="Bijeenkomst 3")
    assert live_rounds.round_period(net, waved) == "Bijeenkomst 3"


# ----------------------------------------------------------------------------------------------- tokens


def test_join_gives_each_phone_its_own_token(net):
    rnd, key = live_rounds.create_round(net, NET)
    a, b = live_tokens.join(net, rnd.round_id, key), live_tokens.join(net, rnd.round_id, key)
    assert a != b and len(a) >= 32
    acc = live_tokens.check_token(net, rnd.round_id, a)
    assert acc.slot.startswith("t:") and acc.participant_id is None
    hashes = {r[0] for r in rows(net, "SELECT token_hash FROM live_tokens")}
    assert a not in hashes and b not in hashes  # stored hashed


def test_wrong_round_expired_replayed_and_tampered_tokens_are_refused(net):
    rnd, key = named_round(net)
    other, other_key = live_rounds.create_round(net, OTHER)
    token = live_tokens.join(net, rnd.round_id, key)
    other_token = live_tokens.join(net, other.round_id, other_key)
    # tampered: one character changed, cut short, or junk
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    fail("unknown", live_tokens.check_token, net, rnd.round_id, flipped)
    fail("malformed", live_tokens.check_token, net, rnd.round_id, token[:8])
    fail("malformed", live_tokens.check_token, net, rnd.round_id, "<script>alert(1)</script>")
    fail("malformed", live_tokens.check_token, net, rnd.round_id, None)
    # wrong network: a token of the other network's round
    fail("wrong_round", live_tokens.check_token, net, rnd.round_id, other_token)
    fail("wrong_round", live_answers.save_response, net, rnd.round_id, other_token, answers(), final=True, seq=0)
    # wrong or rotated join key
    fail("join_invalid", live_tokens.join, net, rnd.round_id, other_key)
    new_key = live_rounds.new_join_key(net, rnd.round_id)
    fail("join_invalid", live_tokens.join, net, rnd.round_id, key)
    assert live_tokens.join(net, rnd.round_id, new_key)
    live_tokens.check_token(net, rnd.round_id, token)  # phones that joined keep their token
    # expired: past the round's end
    later = rnd.expires_at + timedelta(seconds=1)
    fail("expired", live_tokens.check_token, net, rnd.round_id, token, now=later)
    fail("expired", live_tokens.join, net, rnd.round_id, new_key, now=later)
    # replayed: a personal link that was replaced by a newer one
    first = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P004"])["P004"]
    second = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P004"])["P004"]
    fail("revoked", live_tokens.check_token, net, rnd.round_id, first)
    assert live_tokens.check_token(net, rnd.round_id, second).participant_id == "P004"
    # closed: after closing, every token (and the join key) is refused
    live_answers.save_response(net, rnd.round_id, second, answers(), final=True, seq=0)
    live_closing.close_round(net, rnd.round_id)
    fail("closed", live_tokens.check_token, net, rnd.round_id, second)
    fail("closed", live_answers.save_response, net, rnd.round_id, second, answers(), final=True, seq=1)
    fail("closed", live_tokens.join, net, rnd.round_id, new_key)


def test_join_is_bounded(net):
    rnd, key = live_rounds.create_round(net, NET, max_tokens=2)
    live_tokens.join(net, rnd.round_id, key)
    live_tokens.join(net, rnd.round_id, key)
    fail("join_full", live_tokens.join, net, rnd.round_id, key)


def test_a_code_makes_a_shared_link_phone_one_person_once(net):
    rnd, key = named_round(net)
    codes = live_tokens.issue_codes(net, rnd.round_id)
    assert sorted(codes) == [f"P{i:03d}" for i in range(1, 9)]
    assert all(len(c) == 8 and set(c) <= set(live_common.CODE_ALPHABET) for c in codes.values())
    assert scalar(net, "SELECT count(*) FROM live_codes WHERE code_hash IN ?", [list(codes.values())]) == 0  # hashes only
    a, b = live_tokens.join(net, rnd.round_id, key), live_tokens.join(net, rnd.round_id, key)
    assert live_tokens.check_token(net, rnd.round_id, a).slot is None
    fail("not_claimed", live_answers.save_response, net, rnd.round_id, a, answers(), final=False, seq=0)
    typed = codes["P001"][:4].lower() + " - " + codes["P001"][4:]  # as someone types it
    acc = live_tokens.claim(net, rnd.round_id, a, typed)
    assert acc.slot == "p:P001"
    assert live_tokens.claim(net, rnd.round_id, a, codes["P001"]).slot == "p:P001"  # again: the same
    fail("already_claimed", live_tokens.claim, net, rnd.round_id, a, codes["P002"])
    # the coach's personal link for P001 replaces the code-claimed access
    personal = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P001"])["P001"]
    fail("revoked", live_tokens.check_token, net, rnd.round_id, a)
    assert live_tokens.claim(net, rnd.round_id, b, codes["P002"]).slot == "p:P002"
    fail("not_member", live_tokens.issue_codes, net, rnd.round_id, ["Q001"])  # another network's person
    assert live_tokens.check_token(net, rnd.round_id, personal).slot == "p:P001"
    # a new code for P003 makes the old one useless
    new = live_tokens.issue_codes(net, rnd.round_id, ["P003"])["P003"]
    c = live_tokens.join(net, rnd.round_id, key)
    fail("code_unknown", live_tokens.claim, net, rnd.round_id, c, codes["P003"])
    assert live_tokens.claim(net, rnd.round_id, c, new).slot == "p:P003"


def test_codes_need_a_named_open_round(net):
    rnd, _ = live_rounds.create_round(net, NET)  # anonymous
    fail("not_named", live_tokens.issue_codes, net, rnd.round_id)


def test_wrong_codes_are_logged_and_bounded_per_phone(net):
    rnd, key = named_round(net)
    codes = live_tokens.issue_codes(net, rnd.round_id)
    tok = live_tokens.join(net, rnd.round_id, key)
    for left in range(live_common.MAX_WRONG_CODES - 1, -1, -1):
        e = fail("code_unknown", live_tokens.claim, net, rnd.round_id, tok, "ABCD-EFGH")
        assert e.fields == {"left": left}
    # the sixth try is refused before the code is even looked at: the right code does not help now
    fail("too_many_tries", live_tokens.claim, net, rnd.round_id, tok, codes["P001"])
    log = live_tokens.claim_log(net, rnd.round_id)
    assert list(log["outcome"]) == ["wrong_code"] * live_common.MAX_WRONG_CODES
    assert log["participant_id"].isna().all() and set(log["phone"]) == {1}
    # another phone is not affected
    other = live_tokens.join(net, rnd.round_id, key)
    assert live_tokens.claim(net, rnd.round_id, other, codes["P001"]).participant_id == "P001"


def test_a_taken_claim_is_refused_and_shown_to_the_coach_then_released(net):
    rnd, key = named_round(net)
    codes = live_tokens.issue_codes(net, rnd.round_id)
    impostor, real = live_tokens.join(net, rnd.round_id, key), live_tokens.join(net, rnd.round_id, key)
    live_tokens.claim(net, rnd.round_id, impostor, codes["P004"])
    live_answers.save_response(net, rnd.round_id, impostor, answers(1), final=True, seq=0)
    e = fail("taken", live_tokens.claim, net, rnd.round_id, real, codes["P004"])
    assert "P004" not in str(e) and not e.fields  # the refusal names nobody
    log = live_tokens.claim_log(net, rnd.round_id)
    assert list(zip(log["participant_id"], log["outcome"], log["phone"], strict=True)) == [
        ("P004", "taken", 2), ("P004", "claimed", 1)]
    assert live_tokens.claimed(net, rnd.round_id) == ["P004"]
    # the coach releases P004: the impostor's phone is cut off and its answers are gone
    assert live_tokens.release(net, rnd.round_id, "P004") == 1
    fail("revoked", live_tokens.check_token, net, rnd.round_id, impostor)
    assert live_picture.submitted(net, rnd.round_id) == []
    assert live_tokens.claimed(net, rnd.round_id) == []
    assert live_tokens.claim(net, rnd.round_id, real, codes["P004"]).slot == "p:P004"
    assert list(live_tokens.claim_log(net, rnd.round_id)["outcome"]) == ["claimed", "released", "taken", "claimed"]
    fail("not_claimed_by_anyone", live_tokens.release, net, rnd.round_id, "P005")


# ----------------------------------------------------------------------------------------------- answers


def test_one_response_per_participant_with_revisions(net):
    rnd, _ = named_round(net)
    tok = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P001"])["P001"]
    s1 = live_answers.save_response(net, rnd.round_id, tok, {"current": {"1a": 2}}, final=False, seq=0)
    s2 = live_answers.save_response(net, rnd.round_id, tok, answers(1), final=True, seq=s1.seq)
    s3 = live_answers.save_response(net, rnd.round_id, tok, answers(2), final=True, seq=s2.seq)  # a revision
    assert (s1.seq, s2.seq, s3.seq) == (1, 2, 3)
    assert scalar(net, "SELECT count(*) FROM live_responses WHERE round_id = ?", [rnd.round_id]) == 1
    got = live_picture.submitted(net, rnd.round_id)
    assert len(got) == 1 and got[0][1] == "P001" and got[0][2]["current"] == answers(2)["current"]
    # a retry of the last request (lost connection): accepted, nothing changes
    again = live_answers.save_response(net, rnd.round_id, tok, answers(2), final=True, seq=s2.seq)
    assert again.status == "unchanged" and again.seq == 3
    # an old request replayed (different content, old version): refused, nothing changes
    fail("outdated", live_answers.save_response, net, rnd.round_id, tok, answers(1), final=True, seq=s1.seq)
    fail("bad_seq", live_answers.save_response, net, rnd.round_id, tok, answers(1), final=True, seq=99)
    assert live_picture.submitted(net, rnd.round_id)[0][2]["current"] == answers(2)["current"]
    # the same person through a self-picked shared link writes to the same one response
    status = live_picture.round_status(net, rnd.round_id)
    assert (status.submitted, status.drafting) == (1, 0)


def test_a_round_closed_while_answers_are_checked_stores_nothing(net, monkeypatch):
    """Answers are checked before the write lock (a full room waits less); the token is checked again inside
    it, so a close that came in between still wins."""
    rnd, _ = named_round(net)
    tok = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P001", "P002"])
    live_answers.save_response(net, rnd.round_id, tok["P002"], answers(2), final=True, seq=0)
    real = live_answers._validated

    def close_meanwhile(con, acc, given, final):
        out = real(con, acc, given, final)
        if not getattr(close_meanwhile, "done", False):
            close_meanwhile.done = True
            live_closing.close_round(net, rnd.round_id)
        return out

    monkeypatch.setattr(live_answers, "_validated", close_meanwhile)
    fail("closed", live_answers.save_response, net, rnd.round_id, tok["P001"], answers(1), final=True, seq=0)
    assert scalar(net, "SELECT count(*) FROM live_responses WHERE round_id = ? AND participant_id = 'P001'",
                  [rnd.round_id]) == 0


def test_draft_is_kept_server_side_and_does_not_count(net):
    rnd, key = live_rounds.create_round(net, NET)
    tok = live_tokens.join(net, rnd.round_id, key)
    live_answers.save_response(net, rnd.round_id, tok, {"current": {"1a": 3}}, final=False, seq=0)
    stored = live_answers.load_response(net, live_tokens.check_token(net, rnd.round_id, tok))
    assert stored.draft == {"current": {"1a": 3}} and stored.answers is None and stored.seq == 1
    assert live_picture.round_status(net, rnd.round_id).drafting == 1
    assert live_picture.submitted(net, rnd.round_id) == []
    assert live_picture.live_stats(net, rnd.round_id).empty


@pytest.mark.parametrize("bad, problem", [
    ({"current": {"1a": 8}}, "mark_range"),
    ({"current": {"1a": 0}}, "mark_range"),
    ({"current": {"1a": 3.5}}, "mark_range"),
    ({"current": {"1a": "abc"}}, "mark_range"),
    ({"current": {"1a": True}}, "mark_range"),
    ({"current": {"1a": float("nan")}}, "mark_range"),
    ({"current": {"9z": 3}}, "mark_unknown"),
    ({"current": ["1a"]}, "bad_format"),
    ({"story": {"text": "x" * (live_common.MAX_TEXT + 1), "cycle": "applied"}}, "story_long"),
    ({"story": {"text": "iets", "cycle": "heel_goed"}}, "story_cycle_unknown"),
    ({"story": {"text": "iets"}}, "story_cycle"),
    ({"story": {"cycle": "applied"}}, "story_text"),
    ({"ties": [{"to": "Q001", "often": 1}]}, "tie_unknown"),
    ({"ties": [{"to": "P001", "often": 1}]}, "tie_self"),
    ({"ties": [{"to": "P002", "often": 9}]}, "tie_often_range"),
    ({"ties": [{"to": "P002"}]}, "tie_often"),
    ({"ties": [{"name": "y" * (live_common.MAX_NAME + 1), "often": 1}]}, "tie_name_long"),
    ({"ties": [{"name": "   ", "often": 1}]}, "tie_name_empty"),
    ({"ties": [{"to": "P002", "often": 1}] * (live_common.MAX_TIES + 1)}, "tie_many"),
])
def test_bad_input_is_refused_with_a_reason_and_stores_nothing(net, bad, problem):
    rnd, _ = named_round(net)
    tok = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P001"])["P001"]
    before = store.table_checksums(net), rows(net, "SELECT * FROM live_responses")
    err = fail("invalid", live_answers.save_response, net, rnd.round_id, tok, bad, final=True, seq=0)
    assert problem in [code for code, _ in err.problems]
    assert i18n.has(f"live.problem.{problem}")
    assert (store.table_checksums(net), rows(net, "SELECT * FROM live_responses")) == before


def test_questions_not_asked_and_outsiders_when_not_allowed(net):
    rnd, _ = live_rounds.create_round(net, NET, mode="named", config=live_rounds.RoundConfig(current=True, ties=True,
                                                                               allow_external=False))
    tok = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P001"])["P001"]
    err = fail("invalid", live_answers.save_response, net, rnd.round_id, tok,
               {"desired": {"1a": 3}, "story": {"text": "x", "cycle": "applied"},
                "ties": [{"name": "Iemand van buiten", "often": 1}]}, final=True, seq=0)
    assert [c for c, _ in err.problems] == ["not_asked", "not_asked", "tie_unknown"]
    fail("empty", live_answers.save_response, net, rnd.round_id, tok, {}, final=True, seq=0)
    # a typed name that is a member's name is that member, even when outsiders are not allowed
    saved = live_answers.save_response(net, rnd.round_id, tok, {"ties": [{"name": f"  {NET} PERSOON 2 ", "often": 2}]},
                               final=True, seq=0)
    assert saved.answers["ties"] == [{"to": "P002", "often": 2}]


def test_script_in_free_text_is_kept_as_plain_text(net):
    rnd, _ = named_round(net)
    tok = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P001"])["P001"]
    text = '<script>alert("x")</script> <img src=x onerror=alert(1)> =HYPERLINK("http://evil")\u202e\x00'
    saved = live_answers.save_response(net, rnd.round_id, tok,
                               {"story": {"text": text, "cycle": "applied"},
                                "ties": [{"name": "<b>Buiten</b>", "often": 1}]}, final=True, seq=0)
    kept = saved.answers["story"]["text"]
    assert kept.startswith('<script>alert("x")</script>') and "\x00" not in kept and "\u202e" not in kept
    assert saved.answers["ties"] == [{"name": "<b>Buiten</b>", "often": 1}]
    import_id = live_closing.close_round(net, rnd.round_id)
    assert scalar(net, "SELECT description FROM value_reports WHERE import_id = ?", [import_id]) == kept
    assert scalar(net, "SELECT name FROM participants WHERE import_id = ? AND external", [import_id]) == "<b>Buiten</b>"


# ----------------------------------------------------------------------------------------------- live picture and closing


def fill(con, rnd, n: int) -> dict[str, dict]:
    tokens = live_tokens.issue_personal_tokens(con, rnd.round_id, [f"P{i:03d}" for i in range(1, n + 1)])
    sent = {}
    for i, (pid, tok) in enumerate(tokens.items()):
        a = answers(i) | {"story": {"text": f"verhaal {i}", "cycle": ["applied", "potential"][i % 2],
                                    "indicator": "2a"},
                          "ties": [{"to": "P008" if pid != "P008" else "P007", "often": 1 + i % 3},
                                   {"name": "Mevrouw Buiten", "often": 1}]}
        live_answers.save_response(con, rnd.round_id, tok, a, final=True, seq=0)
        sent[pid] = a
    return sent


def test_closing_freezes_the_round_as_a_period_and_undo_removes_it(net):
    rnd, _ = named_round(net)
    sent = fill(net, rnd, 5)
    draft_tok = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P006"])["P006"]
    live_answers.save_response(net, rnd.round_id, draft_tok, answers(9), final=False, seq=0)  # never sent
    live_figures = live_picture.live_stats(net, rnd.round_id)
    assert not dims.indicator_stats(net, dims.Filters(networks=(NET,))).shape[0]

    import_id = live_closing.close_round(net, rnd.round_id)
    rec = next(r for r in store.list_imports(net) if r.import_id == import_id)
    assert (rec.source, rec.kind, rec.rows_imported) == ("live", "live", 5)
    assert rec.details["drafts_not_submitted"] == 1 and rec.details["period"] == "2025-H1"
    assert rec.details["stored"] == {"dimension_scores": 5 * (len(CODES) + 1), "value_reports": 5, "ties": 10,
                                     "participants": 1}
    # the dimensions page sees the new period, with exactly the live figures
    stored = dims.indicator_stats(net, dims.Filters(networks=(NET,)))
    assert set(stored["period"]) == {"2025-H1"}
    cols = ["situation", "code", "n", "mean", "median", "iqr", "sd"]
    pd.testing.assert_frame_equal(stored[cols].reset_index(drop=True), live_figures[cols].reset_index(drop=True),
                                  check_exact=False, rtol=1e-12, atol=1e-12)
    assert int(stored.loc[stored["code"] == "1a", "n"].max()) == 5
    assert dims.period_order(net) == ["2025-H1"]
    # one respondent per response (named: the participant); positions from the 1..7 continuum
    got = rows(net, """SELECT participant_id, count(*), min(position), max(position), min(scale_min), max(scale_max)
                       FROM dimension_scores WHERE import_id = ? GROUP BY 1 ORDER BY 1""", [import_id])
    assert [g[0] for g in got] == sorted(sent) and all(g[1] == len(CODES) + 1 for g in got)
    assert all(0 <= g[2] <= g[3] <= 1 and (g[4], g[5]) == (1, 7) for g in got)
    # ties with the round's topic; the outsider became an external participant with a pseudonym
    assert scalar(net, "SELECT count(DISTINCT topic) FROM ties WHERE import_id = ?", [import_id]) == 1
    assert scalar(net, "SELECT topic FROM ties WHERE import_id = ? LIMIT 1", [import_id]) == "breuken"
    assert scalar(net, "SELECT period FROM ties WHERE import_id = ? LIMIT 1", [import_id]) == "2025-H1"
    ext = rows(net, "SELECT participant_id, external FROM people WHERE name = 'Mevrouw Buiten'")
    assert ext == [("Mevrouw Buiten", True)]
    assert scalar(net, "SELECT code FROM pseudonyms WHERE participant_id = 'Mevrouw Buiten'").startswith("X-")
    assert live_rounds.get_round(net, rnd.round_id).status == "closed"
    assert live_rounds.get_round(net, rnd.round_id).import_id == import_id
    fail("closed", live_closing.close_round, net, rnd.round_id)  # a second click stores nothing twice

    removed = store.undo_import(net, import_id)
    assert removed["dimension_scores"] == 5 * (len(CODES) + 1) and removed["ties"] == 10
    assert dims.indicator_stats(net, dims.Filters(networks=(NET,))).empty
    assert scalar(net, "SELECT count(*) FROM pseudonyms WHERE participant_id = 'Mevrouw Buiten'") == 0
    assert live_closing.import_undone(net, live_rounds.get_round(net, rnd.round_id))


def test_anonymous_round_counts_each_phone_as_one_respondent(net):
    rnd, key = live_rounds.create_round(net, NET, on=date(2025, 10, 1))
    for i in range(4):
        tok = live_tokens.join(net, rnd.round_id, key)
        live_answers.save_response(net, rnd.round_id, tok, {"current": {"1a": 1 + i, "1b": 7 - i}}, final=True, seq=0)
    import_id = live_closing.close_round(net, rnd.round_id)
    assert scalar(net, "SELECT count(*) FROM dimension_scores WHERE participant_id IS NOT NULL") == 0
    assert scalar(net, "SELECT count(DISTINCT response_id) FROM dimension_scores WHERE import_id = ?",
                  [import_id]) == 4
    s = dims.indicator_stats(net, dims.Filters(networks=(NET,)))
    assert s.set_index("code").loc["1a", "n"] == 4 and s["period"].unique().tolist() == ["2025-H2"]


def test_live_picture_suppresses_small_groups_and_ranks_disagreement(net):
    rnd, _ = named_round(net)
    fill(net, rnd, 2)
    small = live_picture.live_stats(net, rnd.round_id, min_group=3)
    assert small["suppressed"].all() and small["mean"].isna().all()
    fill_more = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P003"])["P003"]
    live_answers.save_response(net, rnd.round_id, fill_more, {"current": {"1a": 7, "1b": 4}}, final=True, seq=0)
    s = live_picture.live_stats(net, rnd.round_id, min_group=3)
    cur = s[s["situation"] == "current"]
    assert set(cur.loc[~cur["suppressed"], "code"]) == {"1a", "1b"}
    assert dims.disagreement(cur, top=1)["code"].tolist() == ["1a"]
    ties = live_picture.live_ties(net, rnd.round_id)
    assert len(ties) == 4 and ties["external"].sum() == 2
    assert len(live_picture.live_stories(net, rnd.round_id)) == 2


def test_cancel_and_empty_close(net):
    rnd, key = live_rounds.create_round(net, NET)
    fail("empty_round", live_closing.close_round, net, rnd.round_id)
    tok = live_tokens.join(net, rnd.round_id, key)
    live_answers.save_response(net, rnd.round_id, tok, {"current": {"1a": 2}}, final=True, seq=0)
    live_rounds.cancel_round(net, rnd.round_id)
    assert live_rounds.get_round(net, rnd.round_id).status == "cancelled"
    assert scalar(net, "SELECT count(*) FROM live_responses") == 0
    fail("closed", live_tokens.check_token, net, rnd.round_id, tok)
    assert store.is_empty(net) is False and scalar(net, "SELECT count(*) FROM dimension_scores") == 0


# ----------------------------------------------------------------------------------------------- links and QR


def test_participant_url_and_qr_are_offline():
    url = live_links.participant_url("http://192.168.1.20:8501?x=1#top", "abcDEF123", join_key="k" * 32)
    assert url == "http://192.168.1.20:8501/?round=abcDEF123&join=" + "k" * 32
    assert live_links.participant_url("https://school.nl/monitor/", "r" * 12, token="t" * 32) == \
        "https://school.nl/monitor/?round=rrrrrrrrrrrr&t=" + "t" * 32
    svg = live_links.qr_svg(url)
    assert svg.lstrip().startswith("<svg") and "<script" not in svg and "href" not in svg
    assert re.findall(r"https?://", svg) == ["http://"]  # only the SVG namespace
    png = live_links.qr_png(url)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 200


def test_every_error_and_problem_code_has_both_languages():
    src = "".join(f.read_text(encoding="utf-8") for f in (ROOT / "analytics" / "live").rglob("*.py"))
    errors = set(re.findall(r'LiveError\(\s*"([a-z_]+)"', src)) | {"malformed"}
    problems = set(re.findall(r'problems\.append\(\("([a-z_]+)"', src))
    assert errors and problems
    for key in [f"live.error.{c}" for c in errors] + [f"live.problem.{c}" for c in problems]:
        assert i18n.has(key), key
        assert i18n.t(key, "nl") != i18n.t(key, "en") or key.endswith("link"), key
    for mode in live_common.MODES:
        assert i18n.has(f"live.mode_{mode}") and i18n.has(f"live.mode_{mode}_help")
    for f in live_common.FREQUENCIES:
        assert i18n.has(f"live.often_{f}")


def test_clean_text():
    assert live_common.clean_text("  a\r\nb\x07 ", 10) == "a\nb"
    with pytest.raises(ValueError):
        live_common.clean_text("x" * 11, 10)


def test_expiry_is_checked_against_utc_now(net):
    rnd, key = live_rounds.create_round(net, NET, hours=1, now=datetime(2025, 1, 1, 12, 0))
    fail("expired", live_tokens.join, net, rnd.round_id, key)  # that hour is long over
    assert not rnd.is_open()


# ----------------------------------------------------------------------------------------------- the pages (AppTest)


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """A database file the app (NETWERKLEREN_DB) and the test share (DuckDB shares one instance per process)."""
    path = tmp_path / "app.duckdb"
    monkeypatch.setenv("NETWERKLEREN_DB", str(path))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    old = st_config.get_option("client.showErrorDetails")
    st_config.set_option("client.showErrorDetails", "full")
    con = store.connect(path)
    add_people(con)
    add_people(con, OTHER, 4, "Q")
    yield con
    con.close()
    st_config.set_option("client.showErrorDetails", old)


def form(params: dict, secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    for k, v in (secrets or {}).items():
        at.secrets[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.title]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [s.value for s in at.success]
    return "\n".join(map(str, parts))


def test_participant_route_skips_the_login_and_shows_only_the_form(app_db):
    from analytics.auth import hash_password

    rnd, key = named_round(app_db)
    secrets = {"auth": {"password_hash": hash_password("geheim-wachtwoord")}}
    # without a round link: the login, nothing else
    at = form({}, secrets)
    assert "Wachtwoord / Password" in [x.label for x in at.text_input]
    # with the link: no login, no navigation, no sidebar, this round's network only
    codes = live_tokens.issue_codes(app_db, rnd.round_id)
    at = form({"round": rnd.round_id, "join": key}, secrets)
    assert len(at.sidebar) == 0 and not at.selectbox
    assert [x.label for x in at.text_input] == ["Jouw code"]
    assert "join" not in at.query_params and "t" in at.query_params
    assert OTHER not in texts(at)
    assert "persoon" not in repr(at._tree), "the shared link shows no member names"
    at.text_input(key="code").set_value("WRONGCOD").run()
    at.button[0].click()
    at.run()
    assert "hoort niet bij deze ronde" in at.error[0].value and not at.segmented_control
    at.text_input(key="code").set_value(codes["P002"].lower()).run()
    at.button[0].click()
    at.run()
    assert not at.exception
    assert f"Je antwoordt als {NET} persoon 2." in texts(at)
    assert len(at.segmented_control) == 2 * len(CODES) + 0  # now and desired per indicator
    # marks, a story with script, a tie to a member and one to an outsider; autosaved as a draft
    at.segmented_control(key="m:current:1a").set_value(6)
    at.segmented_control(key="m:desired:1a").set_value(7)
    at.text_area(key="s:text").set_value("<script>alert(1)</script>")
    at.radio(key="s:cycle").set_value("applied")
    # the network's people are listed at once (no typing first); one tap adds one person
    assert at.button_group(key="tie:add").options[:2] == [f"{NET} persoon 1", f"{NET} persoon 3"]
    at.button_group(key="tie:add").set_value("P005").run()
    assert at.session_state["tie:who"] == ["P005"] and at.button_group(key="tie:add").value is None
    at.text_input(key="tie:find").set_value("persoon 7").run()  # the search narrows the list
    assert at.button_group(key="tie:add").options == [f"{NET} persoon 7"]
    at.text_input(key="tie:find").set_value("").run()
    at.text_input(key="tie:outside").set_value("  Juf   Buiten ").run()
    at.button(key="tie:outside_add").click().run()
    assert at.session_state["tie:who"] == ["P005", "Juf Buiten"]
    at.segmented_control(key="tie:often:P005").set_value(3)
    at.segmented_control(key="tie:often:Juf Buiten").set_value(1)
    at.run()
    assert "Concept bewaard" in texts(at)
    assert live_picture.round_status(app_db, rnd.round_id).drafting == 1
    at.button(key="send").click()
    at.run()
    assert "Dank je!" in texts(at)
    (slot, pid, got, _), = live_picture.submitted(app_db, rnd.round_id)
    assert (slot, pid) == ("p:P002", "P002")
    assert got == {"current": {"1a": 6}, "desired": {"1a": 7},
                   "story": {"text": "<script>alert(1)</script>", "cycle": "applied", "indicator": None},
                   "ties": [{"to": "P005", "often": 3}, {"name": "Juf Buiten", "often": 1}]}
    # a reload (a new session with the token from the URL) comes back with the answers
    again = form({"round": rnd.round_id, "t": at.query_params["t"]}, secrets)
    assert again.segmented_control(key="m:current:1a").value == 6
    assert again.text_area(key="s:text").value == "<script>alert(1)</script>"
    assert again.session_state["tie:who"] == ["P005", "Juf Buiten"]
    assert again.segmented_control(key="tie:often:P005").value == 3
    assert "Verstuurd" in texts(again)


def test_participant_form_explains_refusals(app_db):
    rnd, key = named_round(app_db)
    at = form({"round": rnd.round_id, "t": "x" * 40})
    assert "niet geldig" in at.error[0].value and not at.segmented_control
    at = form({"round": rnd.round_id})
    assert "onvolledig" in at.error[0].value
    at = form({"round": "nope", "join": key})
    assert "bestaat niet" in at.error[0].value
    tok = live_tokens.issue_personal_tokens(app_db, rnd.round_id, ["P001"])["P001"]
    live_answers.save_response(app_db, rnd.round_id, tok, {"current": {"1a": 1}}, final=True, seq=0)
    live_closing.close_round(app_db, rnd.round_id)
    at = form({"round": rnd.round_id, "t": tok})
    assert "gesloten" in at.info[0].value and not at.segmented_control and not at.button
    assert "Pas vanaf 3 verstuurde antwoorden (nu 1)" in at.info[1].value  # the mirror, withheld


def test_participant_form_refuses_bad_marks_in_english(app_db):
    rnd, _ = named_round(app_db, allow_external=False)
    tok = live_tokens.issue_personal_tokens(app_db, rnd.round_id, ["P001"])["P001"]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["round"], at.query_params["t"] = rnd.round_id, tok
    at.session_state["lang"] = "en"
    at.run()
    assert "How does our network work?" in [h.value for h in at.header]
    at.text_area(key="s:text").set_value("only text")
    at.run()
    at.button(key="send").click()
    at.run()
    assert "Choose which kind of value it is." in texts(at)
    assert live_picture.submitted(app_db, rnd.round_id) == []


def element_types(node) -> list:
    """Every element of an AppTest tree (st.iframe appears as an element whose proto holds the srcdoc)."""
    out = [node]
    for child in getattr(node, "children", {}).values():
        out += element_types(child)
    return out


COACH_WRAPPER = """
import sys
sys.path.insert(0, {root!r})
import streamlit as st
from pages import ui
st.set_page_config(layout="wide")
ui.sidebar()
st.navigation([st.Page({page!r}, title="Live", url_path="live")]).run()
"""


@pytest.fixture
def coach(app_db, tmp_path, monkeypatch):
    """The coach page on its own (a tiny navigation around it, until app.py lists it)."""
    from pages import ui

    # The page's deep-link guard reruns through app.py unless app.py is on the stack; here it is not.
    monkeypatch.setattr(ui, "_entry_on_stack", lambda: True)
    script = tmp_path / "coach_app.py"
    script.write_text(COACH_WRAPPER.format(root=str(ROOT), page=str(ROOT / "pages" / "live_coach.py")))
    at = AppTest.from_file(str(script), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_coach_opens_a_round_sees_answers_arrive_and_closes_it(coach, app_db):
    at = coach
    ties_box = next(c for c in at.checkbox if c.label.startswith("Leerrelaties"))
    assert ties_box.disabled  # an anonymous round (the default) cannot ask whom people learn from
    at.radio(key="live_mode").set_value("named").run()
    for i in (1, 2, 3):  # desired, story, ties (current is on by default)
        at.checkbox[i].check()
    at.text_input[2].set_value("breuken")
    at.button[0].click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    (rnd,) = live_rounds.list_rounds(app_db, status="open")
    assert rnd.config.ties and rnd.config.topic == "breuken" and rnd.mode == "named"
    link = at.code[0].value
    assert link.startswith("http://") and f"round={rnd.round_id}&join=" in link
    assert len(at.get("image")) == 1  # the QR code
    key = re.search(r"join=([A-Za-z0-9_\-]+)", link).group(1)
    assert live_tokens.join(app_db, rnd.round_id, key)  # the shown link works
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Verstuurd"] == "0"
    fill(app_db, rnd, 4)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Verstuurd"] == "4"
    assert len(at.get("vega_lite_chart")) == 3  # radar (now + desired), strip now, strip desired
    assert any("Gespreksstarters" in m.value for m in at.markdown)
    maps = [e for e in element_types(at._tree) if "vis-network" in str(getattr(getattr(e, "proto", None), "srcdoc", ""))]
    assert len(maps) == 1, "the tie map"
    at.checkbox(key=f"close_sure:{rnd.round_id}").check()
    at.run()
    at.button(key="close_round").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Ronde gesloten en bewaard als import" in at.success[0].value
    assert live_rounds.get_round(app_db, rnd.round_id).status == "closed"
    assert dims.indicator_stats(app_db, dims.Filters(networks=(NET,)))["n"].max() == 4


def test_no_streamlit_in_the_logic_modules():
    for f in (ROOT / "analytics").rglob("*.py"):
        assert "import streamlit" not in f.read_text(encoding="utf-8"), f


# ----------------------------------------------------------------------------------------------- the meeting's own questions

STATEMENTS = ("We delen genoeg", "De lunch helpt")


def meeting_round(con, *, mode: str = "named", **cfg):
    config = live_rounds.RoundConfig(**({"current": True, "plusdelta": True, "ideas": True, "votes": 2,
                                         "statements": STATEMENTS, "groups": ("A", "B"),
                                         "ideas_prompt": "Wat proberen we?"} | cfg))
    return live_rounds.create_round(con, NET, mode=mode, config=config, on=date(2025, 3, 12))


def test_meeting_round_settings_are_checked(net):
    fail("one_group", meeting_round, net, groups=("A",))
    fail("too_many", meeting_round, net, statements=tuple(f"s{i}" for i in range(11)))
    fail("bad_votes", meeting_round, net, votes=11)
    fail("too_long", meeting_round, net, statements=("x" * 201,))
    rnd, _ = meeting_round(net, current=False, groups=(" A ", "B", "A"), statements=("  één ", ""))
    assert rnd.config.groups == ("A", "B") and rnd.config.statements == ("één",)
    assert rnd.wall_phase == "collect"
    # plus/delta alone is a round
    only, _ = live_rounds.create_round(net, NET, config=live_rounds.RoundConfig(current=False, plusdelta=True))
    assert only.config.plusdelta and not only.config.current
    fail("nothing_asked", live_rounds.create_round, net, NET, config=live_rounds.RoundConfig(current=False))


def test_plusdelta_statements_and_group_are_validated(net):
    rnd, _ = meeting_round(net)
    tok = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P001"])["P001"]
    good = {"group": "B", "plusdelta": {"plus": " goede sfeer ", "delta": ""}, "statements": {"1": 6, "0": 2}}
    saved = live_answers.save_response(net, rnd.round_id, tok, good, final=True, seq=0)
    assert saved.answers == {"group": "B", "plusdelta": {"plus": "goede sfeer"}, "statements": {"0": 2, "1": 6}}
    e = fail("invalid", live_answers.save_response, net, rnd.round_id, tok,
             {"group": "C", "statements": {"2": 4, "0": 8}, "plusdelta": {"plus": "x" * 1001}}, final=True, seq=1)
    assert sorted(c for c, _ in e.problems) == ["group_unknown", "plusdelta_long", "statement_range",
                                                "statement_unknown"]
    e = fail("invalid", live_answers.save_response, net, rnd.round_id, tok, {"statements": {"0": 3}}, final=True,
             seq=1)
    assert [c for c, _ in e.problems] == ["group_missing"]  # subgroups asked: a sent answer names one
    # a draft may leave the group open
    assert live_answers.save_response(net, rnd.round_id, tok, {"statements": {"0": 3}}, final=False, seq=1).status == "saved"
    plain, _ = named_round(net)
    tok2 = live_tokens.issue_personal_tokens(net, plain.round_id, ["P002"])["P002"]
    e = fail("invalid", live_answers.save_response, net, plain.round_id, tok2,
             {"plusdelta": {"plus": "x"}, "statements": {"0": 1}, "votes": ["i:1"]}, final=True, seq=0)
    assert [f["part"] for c, f in e.problems] == ["plusdelta", "statements", "votes"]


def test_idea_wall_add_is_bounded_and_anonymous(net):
    rnd, key = meeting_round(net, mode="anonymous", groups=())
    tok = live_tokens.join(net, rnd.round_id, key)
    for i in range(live_common.MAX_IDEAS_EACH):
        assert live_meeting.add_idea(net, rnd.round_id, tok, f"  idee\n{i} ") == i + 1
    fail("ideas_each", live_meeting.add_idea, net, rnd.round_id, tok, "nog een")
    other = live_tokens.join(net, rnd.round_id, key)
    fail("idea_empty", live_meeting.add_idea, net, rnd.round_id, other, "   ")
    fail("idea_long", live_meeting.add_idea, net, rnd.round_id, other, "x" * 201)
    fail("group_unknown", live_meeting.add_idea, net, rnd.round_id, other, "x", "A")
    live_meeting.add_idea(net, rnd.round_id, other, "<script>alert(1)</script>")
    fail("idea_twice", live_meeting.add_idea, net, rnd.round_id, other, "<script>alert(1)</script>")
    wall = live_meeting.ideas(net, rnd.round_id)
    assert list(wall["text"]) == [f"idee {i}" for i in range(5)] + ["<script>alert(1)</script>"]
    assert "slot" not in wall.columns  # no authors
    plain, pkey = named_round(net)
    fail("not_asked_ideas", live_meeting.add_idea, net, plain.round_id,
         live_tokens.issue_personal_tokens(net, plain.round_id, ["P001"])["P001"], "x")


def wall_with_votes(con):
    """Four participants (two per group) with ideas, two clustered, then votes: hand-counted below."""
    rnd, _ = meeting_round(con)
    toks = live_tokens.issue_personal_tokens(con, rnd.round_id, ["P001", "P002", "P003", "P004"])
    for i, (pid, tok) in enumerate(toks.items()):
        live_meeting.add_idea(con, rnd.round_id, tok, f"idee {pid}", "AB"[i % 2])
    return rnd, toks


def test_idea_wall_cluster_then_vote_with_bounded_votes(net):
    rnd, toks = wall_with_votes(net)
    tok = toks["P001"]
    fail("invalid", live_answers.save_response, net, rnd.round_id, tok, {"votes": ["i:1"]}, final=False, seq=0)
    live_meeting.cluster(net, rnd.round_id, [1, 2], " Samen  lunchen ")
    live_meeting.hide_idea(net, rnd.round_id, 4)
    assert live_meeting.wall_keys(net, rnd.round_id) == {"c:Samen lunchen", "i:3"}
    live_meeting.set_wall_phase(net, rnd.round_id, "vote")
    fail("voting_open", live_meeting.cluster, net, rnd.round_id, [3], "later")
    fail("voting_open", live_meeting.set_wall_phase, net, rnd.round_id, "collect")
    fail("wall_closed", live_meeting.add_idea, net, rnd.round_id, tok, "te laat")
    base = {"group": "A"}
    e = fail("invalid", live_answers.save_response, net, rnd.round_id, tok,
             base | {"votes": ["c:Samen lunchen", "i:3", "i:4"]}, final=True, seq=0)
    assert e.problems == [("votes_many", {"max": 2, "n": 3})]
    e = fail("invalid", live_answers.save_response, net, rnd.round_id, tok, base | {"votes": ["i:4"]}, final=True, seq=0)
    assert e.problems == [("vote_unknown", {})]  # hidden: not on the wall
    votes = {"P001": ["c:Samen lunchen", "i:3"], "P002": ["c:Samen lunchen", "c:Samen lunchen"], "P003": ["i:3"],
             "P004": ["c:Samen lunchen"]}
    for i, (pid, tok) in enumerate(toks.items()):
        live_answers.save_response(net, rnd.round_id, tok, {"group": "AB"[i % 2], "votes": votes[pid]}, final=True, seq=0)
    # a draft vote does not count
    live_tokens.issue_personal_tokens(net, rnd.round_id, ["P005"])
    wall = live_meeting.wall(net, rnd.round_id)
    assert list(zip(wall["item"], wall["label"], wall["n_ideas"], wall["votes"], strict=True)) == [
        ("c:Samen lunchen", "Samen lunchen", 2, 3), ("i:3", "idee P003", 1, 2)]


def test_statements_and_subgroups_compare_with_small_groups_suppressed(net):
    rnd, _ = meeting_round(net, ideas=False)
    toks = live_tokens.issue_personal_tokens(net, rnd.round_id, [f"P00{i}" for i in range(1, 6)])
    marks = [(1, "A", 7), (2, "A", 6), (3, "A", 5), (4, "B", 2), (5, "B", 1)]  # statement 0 mark, 1a mark
    for (i, g, m), tok in zip(marks, toks.values(), strict=True):
        live_answers.save_response(net, rnd.round_id, tok, {"group": g, "current": {"1a": m}, "statements": {"0": i},
                                                            "plusdelta": {"plus": f"plus {i}", "delta": f"delta {i}"}},
                                   final=True, seq=0)
    s = live_meeting.statement_stats(net, rnd.round_id, rnd.config.statements)
    (r,) = s.to_dict("records")
    assert (r["statement"], r["n"], r["disagree"], r["neutral"], r["agree"], r["median"], r["q1"], r["q3"]) == (
        "We delen genoeg", 5, 3, 1, 1, 3.0, 2.0, 4.0)
    by = live_meeting.statement_stats(net, rnd.round_id, rnd.config.statements, by_group=True)
    assert list(by["n"]) == [3, 2] and by["median"].iloc[0] == 2.0 and pd.isna(by["median"].iloc[1])
    assert pd.isna(by["agree"].iloc[1])  # group B (2 answers): counts withheld too
    gm = live_meeting.group_marks(net, rnd.round_id)
    assert list(zip(gm["group"], gm["n"], strict=True)) == [("A", 3), ("B", 2)]
    assert gm["median"].iloc[0] == 6.0 and pd.isna(gm["median"].iloc[1])
    assert live_meeting.group_counts(net, rnd.round_id) == {"A": 3, "B": 2}
    pdf = live_meeting.plusdelta(net, rnd.round_id)
    assert list(pdf["part"]) == ["plus"] * 5 + ["delta"] * 5 and "slot" not in pdf.columns


def test_closing_writes_the_meeting_as_notes_in_one_undoable_import(net):
    rnd, toks = wall_with_votes(net)
    live_meeting.cluster(net, rnd.round_id, [1, 2], "Samen lunchen")
    live_meeting.set_wall_phase(net, rnd.round_id, "vote")
    for i, (pid, tok) in enumerate(toks.items()):
        live_answers.save_response(net, rnd.round_id, tok, {
            "group": "AB"[i % 2], "current": {"1a": 2 + i}, "statements": {"0": 5 + i % 3, "1": 1},
            "plusdelta": {"plus": f"goed {pid}", "delta": f"anders {pid}"}, "votes": ["c:Samen lunchen"]},
            final=True, seq=0)
    before = store.table_checksums(net)
    import_id = live_closing.close_round(net, rnd.round_id)
    rec = next(r for r in store.list_imports(net) if r.import_id == import_id)
    assert rec.details["stored"] == {"dimension_scores": 4, "meeting_notes": 3}
    notes = rows(net, """SELECT network, date, went_well, differently FROM meeting_notes WHERE import_id = ?
                         ORDER BY note_id""", [import_id])
    assert [n[:2] for n in notes] == [(NET, date(2025, 3, 12))] * 3
    assert notes[0][2] == "Plus/delta (Rekenen):\n- [A] goed P001\n- [A] goed P003\n- [B] goed P002\n- [B] goed P004"
    assert notes[0][3].splitlines()[1:] == ["- [A] anders P001", "- [A] anders P003", "- [B] anders P002",
                                            "- [B] anders P004"]
    assert notes[1] == (NET, date(2025, 3, 12), None,
                        "Ideeënmuur: Wat proberen we?\n- Samen lunchen (4 stemmen): idee P001 · idee P002\n"
                        "- idee P003 (0 stemmen)\n- idee P004 (0 stemmen)")
    assert notes[2][2].splitlines() == ["Stellingen (oneens 1-3 / midden 4 / eens 5-7):",
                                        "- [A] We delen genoeg: minder dan 3 antwoorden (2)",
                                        "- [B] We delen genoeg: minder dan 3 antwoorden (2)",
                                        "- [A] De lunch helpt: minder dan 3 antwoorden (2)",
                                        "- [B] De lunch helpt: minder dan 3 antwoorden (2)"]
    from analytics.store import notes as store_notes

    assert len(store_notes.latest(net, (NET,))) == 3
    # an edit of a closed round's note is removed with it by the undo
    store_notes.edit(net, int(store_notes.latest(net, (NET,))["note_id"].min()), date="2025-03-12",
                     went_well="bijgewerkt", differently=None)
    removed = store.undo_import(net, import_id)
    assert removed["meeting_notes"] == 3 and removed["dimension_scores"] == 4
    assert len(store_notes.latest(net, (NET,))) == 0
    after = store.table_checksums(net)
    for table in ("dimension_scores", "value_reports", "ties", "participants", "meeting_notes"):
        assert after[table] == before[table], table


def test_statements_in_closing_with_enough_answers(net):
    rnd, _ = meeting_round(net, ideas=False, plusdelta=False, groups=(), current=False)
    toks = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P001", "P002", "P003"])
    for m, tok in zip((2, 4, 7), toks.values(), strict=True):
        live_answers.save_response(net, rnd.round_id, tok, {"statements": {"0": m}}, final=True, seq=0)
    import_id = live_closing.close_round(net, rnd.round_id)
    (note,) = rows(net, "SELECT went_well FROM meeting_notes WHERE import_id = ?", [import_id])
    assert note[0].splitlines()[1:] == ["- We delen genoeg: 1 oneens, 1 midden, 1 eens; mediaan 4"]


def test_a_round_with_only_ideas_can_close(net):
    rnd, key = live_rounds.create_round(net, NET, config=live_rounds.RoundConfig(current=False, ideas=True,
                                                                                  lang="en"))
    tok = live_tokens.join(net, rnd.round_id, key)
    live_meeting.add_idea(net, rnd.round_id, tok, "shared lunch")
    import_id = live_closing.close_round(net, rnd.round_id)
    assert rows(net, "SELECT differently FROM meeting_notes WHERE import_id = ?", [import_id]) == [
        ("Idea wall: What do we want to try?\n- shared lunch (0 votes)",)]


# ----------------------------------------------------------------------------------------------- the personal mirror


def test_mirror_is_withheld_below_the_threshold_and_comes_back_after_closing(net):
    rnd, _ = named_round(net, desired=False, story=False, ties=False, statements=("Eens?",))
    toks = live_tokens.issue_personal_tokens(net, rnd.round_id, ["P001", "P002", "P003", "P004"])
    mine = toks["P001"]
    assert live_mirror.mirror(net, rnd.round_id, mine).status == "not_sent"
    live_answers.save_response(net, rnd.round_id, mine, {"current": {"1a": 2, "1b": 7}, "statements": {"0": 6}},
                               final=True, seq=0)
    live_answers.save_response(net, rnd.round_id, toks["P002"], {"current": {"1a": 4}}, final=True, seq=0)
    m = live_mirror.mirror(net, rnd.round_id, mine)
    assert (m.status, m.n, m.min_group) == ("too_few", 2, 3) and m.marks.empty
    live_answers.save_response(net, rnd.round_id, toks["P003"], {"current": {"1a": 6}}, final=False, seq=0)
    assert live_mirror.mirror(net, rnd.round_id, mine).status == "too_few"  # a draft does not count
    live_answers.save_response(net, rnd.round_id, toks["P003"], {"current": {"1a": 6}}, final=True, seq=1)
    m = live_mirror.mirror(net, rnd.round_id, mine)
    assert (m.status, m.n) == ("ready", 3)
    got = {r.code: (r.yours, r.n, r.q1, r.median, r.q3) for r in m.marks.itertuples()}
    assert got["1a"] == (2, 3, 3.0, 4.0, 5.0)
    assert got["1b"][:2] == (7, 1) and all(pd.isna(x) for x in got["1b"][2:])  # only my mark: no band
    assert list(m.statements["yours"]) == [6] and pd.isna(m.statements["median"].iloc[0])
    assert live_mirror.mirror(net, rnd.round_id, toks["P004"]).status == "not_sent"
    # after closing the same link still shows it; a cancelled round, or a replaced link, shows nothing
    live_closing.close_round(net, rnd.round_id)
    again = live_mirror.mirror(net, rnd.round_id, mine)
    assert again.status == "ready" and again.closed
    fail("unknown", live_mirror.mirror, net, "other-round", mine)
    rnd2, _ = named_round(net)
    t2 = live_tokens.issue_personal_tokens(net, rnd2.round_id, ["P001"])["P001"]
    live_tokens.issue_personal_tokens(net, rnd2.round_id, ["P001"])
    fail("revoked", live_mirror.mirror, net, rnd2.round_id, t2)
    live_rounds.cancel_round(net, rnd2.round_id)
    fail("cancelled", live_mirror.mirror, net, rnd2.round_id, t2)


def test_mirror_in_an_anonymous_round_uses_the_phone(net):
    rnd, key = live_rounds.create_round(net, NET)
    toks = [live_tokens.join(net, rnd.round_id, key) for _ in range(3)]
    for i, tok in enumerate(toks):
        live_answers.save_response(net, rnd.round_id, tok, {"current": {"1a": 1 + 3 * i}}, final=True, seq=0)
    m = live_mirror.mirror(net, rnd.round_id, toks[2])
    assert m.status == "ready" and list(zip(m.marks["yours"], m.marks["median"], strict=True)) == [(7, 4.0)]


# ----------------------------------------------------------------------------------------------- meeting rounds in the pages


def test_form_asks_the_meeting_questions_and_shows_the_mirror(app_db):
    rnd, _ = meeting_round(app_db)
    toks = live_tokens.issue_personal_tokens(app_db, rnd.round_id, ["P001", "P002", "P003"])
    at = form({"round": rnd.round_id, "t": toks["P001"]})
    assert at.radio(key="g:group").options == ["A", "B"]
    assert [h.value for h in at.header] == ["Hoe werkt ons netwerk?", "Stellingen", "Terugblik op de bijeenkomst",
                                            "Ideeënmuur"]
    assert "Wat proberen we?" in texts(at) and "Nog geen ideeën op de muur." in texts(at)
    at.radio(key="g:group").set_value("A")
    at.segmented_control(key="st:0").set_value(6)
    at.text_area(key="pd:plus").set_value("Goede gesprekken")
    at.text_area(key="pd:delta").set_value("Eerder beginnen")
    at.run()
    at.text_input(key="idea:new").set_value("Samen lunchen")
    at.button(key="FormSubmitter:add_idea-Op de muur zetten").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Je idee staat op de muur." in texts(at) and "- Samen lunchen" in texts(at)
    at.button(key="send").click()
    at.run()
    assert "Dank je!" in texts(at)
    (_, _, got, _), = live_picture.submitted(app_db, rnd.round_id)
    assert got == {"group": "A", "statements": {"0": 6}, "plusdelta": {"plus": "Goede gesprekken",
                                                                       "delta": "Eerder beginnen"}}
    assert "Jouw spiegel" in [h.value for h in at.header]
    assert "Pas vanaf 3 verstuurde antwoorden (nu 1)" in at.info[0].value
    # the coach opens the vote; two others answer; the same link now shows the vote and the mirror
    live_meeting.set_wall_phase(app_db, rnd.round_id, "vote")
    for pid, m in (("P002", 2), ("P003", 4)):
        live_answers.save_response(app_db, rnd.round_id, toks[pid], {"group": "B", "statements": {"0": m},
                                                                     "current": {"1a": m}}, final=True, seq=0)
    again = form({"round": rnd.round_id, "t": toks["P001"]})
    assert again.pills(key="v:wall").options == ["Samen lunchen"]
    assert "0 van 2 stemmen gebruikt." in texts(again)
    assert again.segmented_control(key="st:0").value == 6  # the sent answers came back
    again.pills(key="v:wall").set_value(["i:1"]).run()
    again.button(key="send").click()
    again.run()
    assert not again.exception
    assert live_meeting.wall(app_db, rnd.round_id)["votes"].tolist() == [1]
    mirror_html = "".join(str(e.proto) for e in element_types(again._tree) if type(e).__name__ == "Html")
    assert "We delen genoeg: 6" in mirror_html and "<script" not in mirror_html


def test_form_in_english_anonymous_meeting_round(app_db):
    rnd, key = live_rounds.create_round(app_db, NET, config=live_rounds.RoundConfig(
        current=False, plusdelta=True, statements=("We share enough",), lang="en"))
    at = form({"round": rnd.round_id, "join": key})
    assert [h.value for h in at.header] == ["Statements", "Looking back on the meeting"]
    assert "Your code" not in texts(at) and not at.text_input  # anonymous: no code
    at.text_area(key="pd:plus").set_value("Good talks")
    at.run()
    at.button(key="send").click()
    at.run()
    assert "Thank you!" in texts(at)
    assert "Send your answers first" not in texts(at)
    assert "Your mirror" in [h.value for h in at.header]
    assert "From 3 sent answers on (now 1)" in at.info[0].value


def test_coach_runs_a_meeting_round_with_codes_release_wall_and_subgroups(coach, app_db):
    at = coach
    at.radio(key="live_mode").set_value("named").run()
    at.checkbox(key="ask_plusdelta").check()
    at.checkbox(key="ask_ideas").check()
    at.number_input(key="votes_each").set_value(2)
    at.text_input(key="ideas_prompt").set_value("Wat proberen we?")
    at.text_area(key="statements").set_value("We delen genoeg\n\nDe lunch helpt")
    at.text_input(key="groups").set_value("Tafel 1, Tafel 2")
    at.button[0].click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    (rnd,) = live_rounds.list_rounds(app_db, status="open")
    cfg = rnd.config
    assert (cfg.plusdelta, cfg.ideas, cfg.votes, cfg.ideas_prompt, cfg.statements, cfg.groups) == (
        True, True, 2, "Wat proberen we?", ("We delen genoeg", "De lunch helpt"), ("Tafel 1", "Tafel 2"))
    key = re.search(r"join=([A-Za-z0-9_\-]+)", at.code[0].value).group(1)
    # codes for everyone, hidden until the coach shows them
    at.button(key="make_codes").click()
    at.run()
    assert not at.dataframe or all("Code" not in d.value.columns for d in at.dataframe)
    at.toggle(key="codes_show").set_value(True).run()
    table = next(d.value for d in at.dataframe if "Code" in d.value.columns)
    codes = dict(zip(table["Deelnemer"], table["Code"], strict=True))
    assert len(codes) == 8 and all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes.values())
    # one phone takes P001's code; a second tries the same code: the coach sees the attempt
    first, second = live_tokens.join(app_db, rnd.round_id, key), live_tokens.join(app_db, rnd.round_id, key)
    live_tokens.claim(app_db, rnd.round_id, first, codes[f"{NET} persoon 1"])
    fail("taken", live_tokens.claim, app_db, rnd.round_id, second, codes[f"{NET} persoon 1"])
    at.run()
    assert any("1 geweigerde poging" in w.value for w in at.warning)
    log = next(d.value for d in at.dataframe if "Wat gebeurde" in d.value.columns)
    assert list(log["Wat gebeurde"]) == ["geweigerd: code al in gebruik", "code ingevoerd"]
    assert list(log["Deelnemer"]) == [f"{NET} persoon 1"] * 2 and list(log["Apparaat"]) == ["#2", "#1"]
    at.selectbox(key="release_who").set_value("P001").run()
    at.button(key="release").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert f"{NET} persoon 1 is vrijgegeven (1 apparaat/apparaten afgesloten)." in [s.value for s in at.success]
    assert live_tokens.claimed(app_db, rnd.round_id) == []
    # ideas arrive; the coach clusters two and opens the vote
    toks = live_tokens.issue_personal_tokens(app_db, rnd.round_id, ["P002", "P003", "P004"])
    for pid, tok in toks.items():
        live_meeting.add_idea(app_db, rnd.round_id, tok, f"idee {pid}", "Tafel 1")
    at.run()
    wall = next(d.value for d in at.dataframe if "Idee of cluster" in d.value.columns)
    assert list(wall["Idee of cluster"]) == ["idee P002", "idee P003", "idee P004"]
    at.multiselect(key="cluster_pick").set_value([1, 2]).run()
    at.text_input(key="cluster_label").set_value("Samen").run()
    at.button(key="cluster_do").click()
    at.run()
    at.button(key="vote_open").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert live_rounds.get_round(app_db, rnd.round_id).wall_phase == "vote"
    for i, (pid, tok) in enumerate(toks.items()):
        live_answers.save_response(app_db, rnd.round_id, tok, {
            "group": ["Tafel 1", "Tafel 2"][i % 2], "current": {"1a": 2 + i}, "statements": {"0": 3 + i},
            "plusdelta": {"plus": f"plus {pid}"}, "votes": ["c:Samen"]}, final=True, seq=0)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    wall = next(d.value for d in at.dataframe if "Idee of cluster" in d.value.columns)
    assert list(zip(wall["Idee of cluster"], wall["Stemmen"], strict=True)) == [("Samen", 3), ("idee P004", 0)]
    st_table = next(d.value for d in at.dataframe if "Stelling" in d.value.columns)
    assert list(st_table["Subgroep"]) == ["Tafel 1", "Tafel 2"] and list(st_table["n"]) == [2, 1]
    assert any("- [Tafel 1] plus P002" in m.value for m in at.markdown)
    assert any("Tafel 1: 2 · Tafel 2: 1" in c.value for c in at.caption)
    at.checkbox(key=f"close_sure:{rnd.round_id}").check()
    at.run()
    at.button(key="close_round").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert scalar(app_db, "SELECT count(*) FROM meeting_notes WHERE import_id IS NOT NULL") == 3


def test_coach_meeting_round_in_english(coach, app_db):
    at = coach
    at.session_state["lang"] = "en"
    at.run()
    assert "Questions for the meeting itself" in texts(at)
    rnd, key = meeting_round(app_db)
    at.run()
    at.selectbox(key="live_round").set_value(rnd.round_id).run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(e.label.startswith("Codes per person") for e in at.expander)
    assert any("Who answers: 0 claimed" in e.label for e in at.expander), [e.label for e in at.expander]
    assert "Idea wall: Wat proberen we?" in texts(at)
    assert any(e.label == "Idea wall: cluster and open the vote" for e in at.expander)
