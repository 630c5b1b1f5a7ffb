"""Who is who (analytics/ingest/identity.py): one person is one person across waves, tools and the tie file.

Every test builds its data by hand; the expected people, matches and figures are counted from that data.
"""

from __future__ import annotations

import contextlib
import io
import json
import unicodedata

import pytest

from analytics.cli.main import main as cli_main
from analytics.definitions import default_framework
from analytics.ingest import identity as who
from analytics.ingest import importer
from analytics.ingest.mapping import map_columns
from analytics.measures.people import participant_list
from analytics.measures.ties import metrics_table
from analytics.store import database as store
from analytics.store.db import rows, scalar
from tests.helpers import load

H = "1a (0-10)"


def people(con) -> list[tuple]:
    """(name, e-mail, identified_by) of everybody, sorted by name."""
    return sorted(rows(con, "SELECT name, email, identified_by FROM people"), key=str)


def named_scores(con) -> list[tuple]:
    """(period, the person's name, raw) of every mark."""
    return sorted(rows(con, """SELECT s.period, p.name, s.raw FROM v_scores s
                               LEFT JOIN people p USING (participant_id)"""), key=str)


def pid(con, name: str) -> str:
    return scalar(con, "SELECT participant_id FROM people WHERE name = ?", [name])


# ----------------------------------------------------------------------------------------------- the rules


def test_email_is_the_key_case_and_spaces_do_not_count(con, tmp_path):
    load(con, tmp_path, "w1.csv", f"network,date,E-mail,Naam,{H}\nR,2025-03-01,anna@school.nl,Anna Bakker,6\n"
                                  f"R,2025-03-01,bram@school.nl,Bram Bos,4\n")
    r = load(con, tmp_path, "w2.csv", f"network,date,Email Address,Name,{H}\n"
                                      f"R,2025-10-01, Anna@School.NL ,A. Bakker,7\nR,2025-10-01,cor@school.nl,Cor,5\n")
    # Anna is one person (the e-mail decides, not the other spelling of her name); Cor is new.
    assert people(con) == [("Anna Bakker", "anna@school.nl", "e-mail"), ("Bram Bos", "bram@school.nl", "e-mail"),
                           ("Cor", "cor@school.nl", "e-mail")]
    assert (r.identity.matched, r.identity.new, r.identity.identified_by) == ({"e-mail": 1}, 1, "email")
    assert named_scores(con) == [("2025-H1", "Anna Bakker", 6), ("2025-H1", "Bram Bos", 4),
                                 ("2025-H2", "Anna Bakker", 7), ("2025-H2", "Cor", 5)]
    # the stored id is opaque: no address or name in it (ids show where codes do not)
    assert all(p.startswith("p-") and "@" not in p for (p,) in rows(con, "SELECT participant_id FROM people"))


def test_a_participant_code_identifies_when_there_is_no_email(con, tmp_path):
    load(con, tmp_path, "people.csv", "participant_id,name,network\nT01,Anna Bakker,R\nT02,Bram Bos,R\n")
    r = load(con, tmp_path, "w1.csv", f"network,date,token,{H}\nR,2025-03-01,T01,6\nR,2025-03-01,T09,2\n")
    assert r.identity.columns == [("token", "participant_id")]
    assert (r.identity.matched, r.identity.new) == ({"code": 1}, 1)
    # T01 is the listed Anna (no second membership row); T09 is a new member of R
    assert rows(con, "SELECT participant_id, network, identified_by FROM participants ORDER BY 1, import_id") == [
        ("T01", "R", "code"), ("T02", "R", "code"), ("T09", "R", "code")]
    assert rows(con, "SELECT participant_id, raw FROM v_scores ORDER BY 1") == [("T01", 6), ("T09", 2)]


def test_names_match_across_case_spaces_and_unicode_forms_but_not_accents(con, tmp_path):
    nfc = unicodedata.normalize("NFC", "Zoë de Wit")
    nfd = unicodedata.normalize("NFD", "zoë  DE wit")
    assert nfc != nfd.lower() and len(nfd) > len(nfc)
    load(con, tmp_path, "w1.csv", f"network,date,Naam,{H}\nR,2025-03-01,{nfc},6\nR,2025-03-01,anna,5\n")
    r = load(con, tmp_path, "w2.csv", f"network,date,Naam,{H}\nR,2025-10-01,{nfd},7\nR,2025-10-01,Anna,4\n"
                                      f"R,2025-10-01,Zoe de Wit,3\n")
    # "zoë  DE wit" (NFD) is Zoë; "Anna" is "anna"; "Zoe de Wit" keeps apart (accents count), as a candidate.
    assert (r.identity.matched, r.identity.new) == ({"name": 2}, 1)
    assert [(c["a_name"], c["b_name"], c["reason"]) for c in r.identity.candidates] == [
        ("Zoe de Wit", nfc, "accents")]
    # display keeps the variant as first written ("anna", the NFC "Zoë de Wit")
    assert people(con) == sorted([("anna", None, "name"), (nfc, None, "name"), ("Zoe de Wit", None, "name")], key=str)
    assert named_scores(con) == sorted([("2025-H1", nfc, 6), ("2025-H1", "anna", 5), ("2025-H2", nfc, 7),
                                        ("2025-H2", "anna", 4), ("2025-H2", "Zoe de Wit", 3)], key=str)


@pytest.mark.parametrize("header", ["ID", "Id", "id", "ResponseId", "Respondent ID", "#", "Network ID",
                                    "Response ID", "Collector ID"])
def test_a_response_counter_is_never_the_participant(header):
    for kind in ("dimension_scores", "value_reports", "ties"):
        m = map_columns([header, "network", "source", "target", H], [], kind, default_framework())
        assert "participant_id" not in m.columns and "source" != header
        assert m.counters == [0], (kind, header)


def test_forms_counter_is_ignored_and_cannot_be_mapped_by_hand(con, tmp_path):
    p = tmp_path / "forms.csv"
    p.write_text(f"ID,network,date,{H}\n1,R,2025-03-01,6\n2,R,2025-03-01,4\n", encoding="utf-8")
    r = importer.import_file(con, p)
    assert r.status == "imported" and "ID" in r.unmapped and "ID" not in r.mapping
    assert r.identity.counters == ["ID"] and r.identity.columns == []
    assert "'ID' numbers the responses" in r.identity.why()
    assert rows(con, "SELECT participant_id FROM dimension_scores") == [(None,), (None,)]
    assert scalar(con, "SELECT count(*) FROM people") == 0
    r = importer.validate_file(con, p, mapping_overrides={"ID": "participant_id"})
    assert r.status == "failed" and "response counter" in r.message
    # a participant list's own "id" column is its participants' id
    assert map_columns(["id", "naam"], [], "participants").columns == {"participant_id": 0, "name": 1}


def test_forms_anonymous_email_is_no_email(con, tmp_path):
    r = load(con, tmp_path, "forms.csv", f"Id;network;date;E-mail;Naam;{H}\n"
                                         f"1;R;2025-03-01;anonymous;;6\n2;R;2025-03-01;anonymous;Bram;4\n"
                                         f"3;R;2025-03-01;Anonymous;;5\n")
    assert (r.identity.respondents, r.identity.new, r.identity.anonymous_rows) == (1, 1, 2)
    assert people(con) == [("Bram", None, "name")]
    # the two anonymous answers count as two respondents (by response), not as one person "anonymous"
    assert scalar(con, "SELECT count(DISTINCT coalesce(participant_id, response_id)) FROM v_scores") == 3


def test_first_and_last_name_columns_make_the_name(con, tmp_path):
    r = load(con, tmp_path, "q.csv", f"ResponseId,RecipientLastName,RecipientFirstName,network,date,{H}\n"
                                     f"R_1a,de Vries,Jan,R,2025-03-01,6\n")
    assert r.identity.columns == [("RecipientFirstName + RecipientLastName", "name")]
    assert people(con) == [("Jan de Vries", None, "name")]


def test_value_reports_are_the_same_person_as_the_marks(con, tmp_path):
    load(con, tmp_path, "w1.csv", f"network,date,E-mail,{H}\nR,2025-03-01,anna@school.nl,6\n")
    r = load(con, tmp_path, "v.csv", "netwerk,datum,e-mailadres,cyclus,beschrijving\n"
                                     "R,2025-03-02,ANNA@school.nl,directe waarde,Goed gesprek\n")
    assert r.identity.matched == {"e-mail": 1}
    assert rows(con, "SELECT participant_id, cycle FROM v_values") == [
        (scalar(con, "SELECT participant_id FROM people"), "immediate")]
    assert scalar(con, "SELECT count(*) FROM people") == 1


def test_ties_naming_people_by_name_or_email_are_those_people(con, tmp_path):
    load(con, tmp_path, "w1.csv", f"network,date,E-mail,Naam,{H}\nR,2025-03-01,anna@school.nl,Anna Bakker,6\n"
                                  f"R,2025-03-01,bram@school.nl,Bram Bos,4\n")
    r = load(con, tmp_path, "t.csv", "network,source,target,date\nR,ANNA BAKKER,bram@SCHOOL.nl,2025-03-05\n"
                                     "R,Bram  Bos,Kees Koster,2025-03-05\n")
    anna, bram = pid(con, "Anna Bakker"), pid(con, "Bram Bos")
    assert rows(con, "SELECT source, target FROM v_ties ORDER BY row_number") == [
        (anna, bram), (bram, "Kees Koster")]
    codes = {c for (c,) in rows(con, "SELECT code FROM pseudonyms")}
    assert codes == {"P-001", "P-002", "X-001"}  # only Kees is from outside
    assert rows(con, "SELECT participant_id FROM people WHERE external") == [("Kees Koster",)]
    found = r.problems[["column", "value", "code"]].itertuples(index=False)
    assert [(c, v) for c, v, code in found if code == "matched_by_email"] == [("target", "bram@SCHOOL.nl")]


# ----------------------------------------------------------------------------------------------- the report


@pytest.fixture
def two_waves(con, files):
    """Spring: Microsoft Forms (NL, ';', BOM, CRLF); autumn: Google Forms (EN); both for network Rekenen."""
    a = importer.import_file(con, files / "forms_nl_spring.csv", network="Rekenen")
    b = importer.import_file(con, files / "google_forms_en_autumn.csv", network="Rekenen")
    assert (a.status, b.status) == ("imported", "imported"), (a.message, b.message)
    return a, b


def test_the_report_says_who_matched_how(two_waves):
    spring, autumn = two_waves
    assert spring.identity.summary() == "3 new, 1 row(s) without a name, e-mail or code (anonymous)"
    assert spring.identity.why() == (
        "People are identified by the column 'E-mail' (e-mail: the strongest key; case and spaces do not count). "
        "Rows without it: by 'Naam'. 'Id' numbers the responses (the survey tool's counter), not the people: "
        "ignored.")
    assert autumn.identity.summary() == ("3 matched by e-mail, 2 new, 1 possibly the same as an existing person: "
                                         "'J. de Vries' / 'Jan de Vries'")
    assert autumn.identity.summary("nl") == ("3 herkend aan e-mail, 2 nieuw, 1 mogelijk dezelfde als iemand die er "
                                             "al is: 'J. de Vries' / 'Jan de Vries'")
    d = autumn.to_dict()["identity"]
    assert (d["identified_by"], d["matched"], d["new"], d["respondents"]) == ("email", {"e-mail": 3}, 2, 5)
    assert d["candidates"] == [{"a_name": "J. de Vries", "b_name": "Jan de Vries", "reason": "initials"}]


def test_validate_reports_identity_and_writes_nothing(con, files):
    importer.import_file(con, files / "forms_nl_spring.csv", network="Rekenen")
    before = store.table_checksums(con)
    r = importer.validate_file(con, files / "google_forms_en_autumn.csv", network="Rekenen")
    assert r.identity.matched == {"e-mail": 3} and r.identity.new == 2
    assert store.table_checksums(con) == before


def test_candidate_rules(con, tmp_path):
    load(con, tmp_path, "p.csv", "participant_id,name,email,network\n"
                                 "P1,Jan de Vries,jan@a.nl,R\nP2,J. de Vries,x@b.nl,R\nP3,Joost de Vries,j@c.nl,R\n"
                                 "P4,Els Kok,els.kok@a.nl,R\nP5,Elske Mol,els.kok@b.nl,R\nP6,René Smit,,R\n"
                                 "P7,Rene Smit,,R\n")
    got = {(c["a"], c["b"], c["reason"]) for c in who.network_candidates(con, "R")}
    # J. fits Jan and Joost; Jan and Joost are two first names: no pair. Same local part els.kok; René/Rene.
    assert got == {("P1", "P2", "initials"), ("P2", "P3", "initials"), ("P4", "P5", "email_local"),
                   ("P6", "P7", "accents")}
    who.keep_apart(con, "P3", "P2")
    assert ("P2", "P3", "initials") not in {(c["a"], c["b"], c["reason"]) for c in who.network_candidates(con, "R")}


# ----------------------------------------------------------------------------------------------- merges


def test_merge_split_and_undo_reach_marks_values_ties_and_codes(con, tmp_path):
    load(con, tmp_path, "w1.csv", f"network,date,E-mail,Naam,{H}\nR,2025-03-01,jan@a.nl,Jan de Vries,4\n"
                                  f"R,2025-03-01,anna@a.nl,Anna,6\n")
    w2 = load(con, tmp_path, "w2.csv", f"network,date,E-mail,Naam,{H}\nR,2025-10-01,jdv@gmail.com,J. de Vries,8\n"
                                       f"R,2025-10-01,anna@a.nl,Anna,7\n")
    load(con, tmp_path, "v.csv", "network,date,E-mail,cycle\nR,2025-10-02,jdv@gmail.com,applied\n")
    load(con, tmp_path, "t.csv", "network,source,target,date\nR,Anna,J. de Vries,2025-10-03\n"
                                 "R,J. de Vries,Anna,2025-10-03\n")
    codes = dict(rows(con, "SELECT participant_id, code FROM pseudonyms"))
    jan, jdv, anna = pid(con, "Jan de Vries"), pid(con, "J. de Vries"), pid(con, "Anna")
    assert scalar(con, "SELECT count(*) FROM people") == 3
    mid = who.merge(con, jdv, jan)
    assert scalar(con, "SELECT count(*) FROM people") == 2
    assert rows(con, "SELECT DISTINCT participant_id FROM v_scores WHERE raw IN (4, 8)") == [(jan,)]
    assert rows(con, "SELECT participant_id FROM v_values") == [(jan,)]
    assert rows(con, "SELECT source, target FROM v_ties ORDER BY row_number") == [(anna, jan), (jan, anna)]
    # the tie map sees one Jan: two nodes, two ties
    (met,) = metrics_table(con, network="R")
    assert (met["nodes"], met["edges"], met["isolates"]) == (2, 2, [])
    assert [p for p in participant_list(con, "R") if p["code"] == codes[jan]] == [
        {"code": codes[jan], "identified_by": "e-mail", "periods": ["2025-H1", "2025-H2"], "ties_out": 1,
         "ties_in": 1, "external": False}]
    assert who.network_candidates(con, "R") == []  # one person now: no pair left
    assert [(m["alias_name"], m["person_name"]) for m in who.merges(con, "R")] == [("J. de Vries", "Jan de Vries")]
    with pytest.raises(who.MergeError, match="one person already"):
        who.merge(con, jan, jdv)
    # split: J. de Vries is their own person again, with their code, marks, story and ties
    assert who.split(con, jdv) == [mid]
    assert scalar(con, "SELECT count(*) FROM people") == 3
    assert rows(con, "SELECT participant_id FROM v_values") == [(jdv,)]
    assert rows(con, "SELECT source FROM v_ties ORDER BY row_number") == [(anna,), (jdv,)]
    assert dict(rows(con, "SELECT participant_id, code FROM pseudonyms")) == codes
    with pytest.raises(who.MergeError, match="not merged"):
        who.split(con, jdv)
    # merge again, then undo the wave that brought J. de Vries's marks: the merge stays (their story and ties
    # remain), the marks of that wave go
    mid2 = who.merge(con, jdv, jan)
    store.undo_import(con, w2.import_id)
    assert rows(con, "SELECT undone_at IS NULL FROM person_merges WHERE merge_id = ?", [mid2]) == [(True,)]
    assert rows(con, "SELECT participant_id, raw FROM v_scores ORDER BY raw") == [(jan, 4), (anna, 6)]
    assert rows(con, "SELECT participant_id FROM v_values") == [(jan,)]


def test_merge_refuses_unknown_people(con, tmp_path):
    load(con, tmp_path, "p.csv", "participant_id,name,network\nP1,Anna,R\n")
    with pytest.raises(who.MergeError, match="no participant 'P9'"):
        who.merge(con, "P9", "P1")
    assert not store.has_merges(con)


def test_merges_change_the_data_version(con, tmp_path):
    load(con, tmp_path, "p.csv", "participant_id,name,network\nP1,Anna,R\nP2,Anna B,R\n")
    v0 = store.data_version(con)
    mid = who.merge(con, "P2", "P1")
    v1 = store.data_version(con)
    who.undo_decision(con, mid)
    assert len({v0, v1, store.data_version(con)}) == 3


# ----------------------------------------------------------------------------------------------- CLI


def run_cli(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(argv)
    return code, out.getvalue()


def test_participants_command_plain_and_json(files, db_file):
    code, _ = run_cli(["import", str(files / "forms_nl_spring.csv"), str(files / "google_forms_en_autumn.csv"),
                       "--network", "Rekenen", "--db", str(db_file)])
    assert code == 0
    code, _ = run_cli(["import", str(files / "ties_named_autumn.csv"), "--db", str(db_file)])
    assert code == 0
    code, out = run_cli(["participants", "--db", str(db_file), "--network", "Rekenen", "--json"])
    got = json.loads(out)
    assert code == 0 and len(got) == 6 and all("name" not in p for p in got)
    code, out = run_cli(["participants", "--db", str(db_file), "--network", "Rekenen", "--names", "--json"])
    named = json.loads(out)
    assert [{k: v for k, v in p.items() if k != "name"} for p in named] == got  # the same people, same codes
    anna = next(p for p in named if p["name"] == "Anna Bakker")
    assert anna == {"code": anna["code"], "name": "Anna Bakker", "identified_by": "e-mail",
                    "periods": ["2025-H1", "2025-H2"], "ties_out": 2, "ties_in": 2, "external": False}
    assert named[-1] == {"code": "X-001", "name": "Kees Koster", "identified_by": "name", "periods": [],
                         "ties_out": 0, "ties_in": 1, "external": True}
    assert sorted(p["name"] for p in named[:-1]) == ["Anna Bakker", "J. de Vries", "Jan de Vries", "Piet Smit",
                                                     "Sanne Visser"]
    code, out = run_cli(["participants", "--db", str(db_file), "--network", "Rekenen"])
    lines = [ln.split("\t") for ln in out.splitlines()]
    assert lines[0] == ["code", "identified_by", "periods", "ties_out", "ties_in", "external"]
    assert next(ln for ln in lines if ln[0] == anna["code"]) == [anna["code"], "e-mail", "2025-H1, 2025-H2", "2",
                                                                 "2", "False"]
    assert lines[-1] == ["X-001", "name", "", "0", "1", "True"]
    assert len(lines) == 7 and "Anna" not in out  # names only with --names
    code, out = run_cli(["participants", "--db", str(db_file), "--network", "Rekenen", "--names"])
    assert out.splitlines()[0].split("\t")[:2] == ["code", "name"] and "Anna Bakker" in out


# ----------------------------------------------------------------------------------------------- end to end


def test_two_waves_two_tools_and_a_tie_file_are_one_set_of_people(files, db_file):
    """Spring in Microsoft Forms (NL), autumn in Google Forms (EN), ties by name: Anna, Jan and Sanne answered
    both waves and are one person each everywhere; Piet and 'J. de Vries' are new in autumn; Kees only named."""
    code, out = run_cli(["import", str(files / "forms_nl_spring.csv"), str(files / "google_forms_en_autumn.csv"),
                         str(files / "ties_named_autumn.csv"), "--network", "Rekenen", "--db", str(db_file),
                         "--json"])
    assert code == 0
    reports = {r["file"]: r for r in json.loads(out)}
    assert reports["google_forms_en_autumn.csv"]["identity"]["summary"] == (
        "3 matched by e-mail, 2 new, 1 possibly the same as an existing person: 'J. de Vries' / 'Jan de Vries'")
    assert reports["ties_named_autumn.csv"]["rows_imported"] == 5

    def cli_json(*argv):
        code, out = run_cli([*argv, "--db", str(db_file), "--json"])
        assert code == 0
        return json.loads(out)

    ppl = cli_json("participants", "--network", "Rekenen", "--names")
    by_name = {p["name"]: p for p in ppl}
    assert len(ppl) == 6 and sum(p["external"] for p in ppl) == 1
    jan = by_name["Jan de Vries"]
    assert (jan["periods"], jan["ties_out"], jan["ties_in"]) == (["2025-H1", "2025-H2"], 1, 1)
    # dimensions: 1a spring (6+4+8+5)/4 respondents (the anonymous one counted by response); autumn 7,6,6,3,9
    dims = {(d["period"], d["code"]): d for d in cli_json("dimensions", "--by", "indicator", "--network", "Rekenen")}
    assert (dims[("2025-H1", "1a")]["n"], dims[("2025-H1", "1a")]["mean"]) == (4, pytest.approx(0.575))
    assert (dims[("2025-H2", "1a")]["n"], dims[("2025-H2", "1a")]["mean"]) == (5, pytest.approx(0.62))
    (met,) = cli_json("metrics", "--network", "Rekenen")
    assert (met["nodes"], met["edges"]) == (6, 5)
    assert len(met["isolates"]) == 1  # J. de Vries: answered, named by nobody

    # The coach merges the candidate pair: one Jan with two autumn answers (averaged), no isolate left.
    con = store.connect(db_file)
    try:
        (pair,) = who.network_candidates(con, "Rekenen")
        who.merge(con, pair["a"] if pair["a_name"] == "J. de Vries" else pair["b"],
                  pair["b"] if pair["a_name"] == "J. de Vries" else pair["a"])
    finally:
        con.close()
    ppl = cli_json("participants", "--network", "Rekenen", "--names")
    assert len(ppl) == 5 and "J. de Vries" not in {p["name"] for p in ppl}
    assert {p["name"]: p for p in ppl}["Jan de Vries"]["code"] == jan["code"]
    dims = {(d["period"], d["code"]): d for d in cli_json("dimensions", "--by", "indicator", "--network", "Rekenen")}
    assert (dims[("2025-H2", "1a")]["n"], dims[("2025-H2", "1a")]["mean"]) == (4, pytest.approx((7 + 7.5 + 6 + 3)
                                                                                                 / 40))
    (met,) = cli_json("metrics", "--network", "Rekenen")
    assert (met["nodes"], met["edges"], met["isolates"]) == (5, 5, [])


def test_a_participant_list_arriving_after_a_wave_joins_the_people_it_names(con, tmp_path):
    load(con, tmp_path, "w1.csv", f"network,date,E-mail,Naam,{H}\nR,2025-03-01,anna@school.nl,Anna Bakker,6\n"
                                  f"R,2025-03-01,,Bram Bos,4\n")
    anna, bram = pid(con, "Anna Bakker"), pid(con, "Bram Bos")
    codes = dict(rows(con, "SELECT participant_id, code FROM pseudonyms"))
    r = load(con, tmp_path, "people.csv", "participant_id,naam,e-mail,netwerk,rol\n"
                                          "T1,Anna B.,ANNA@school.nl,R,teacher\nT2,bram bos,,R,teacher\n"
                                          "T3,Cor Dijk,cor@school.nl,R,coach\n")
    assert (r.identity.matched, r.identity.new) == ({"e-mail": 1, "name": 1}, 1)
    # T1 and T2 are Anna and Bram (who keep their codes); their marks now have the list's role
    assert scalar(con, "SELECT count(*) FROM people") == 3
    assert dict(rows(con, "SELECT participant_id, role FROM people")) == {anna: "teacher", bram: "teacher",
                                                                        "T3": "coach"}
    assert {codes[anna], codes[bram]} <= {c for (c,) in rows(con, "SELECT code FROM pseudonyms")}
    assert rows(con, "SELECT DISTINCT p.role FROM v_scores s JOIN people p USING (participant_id)") == [("teacher",)]
    # undoing the list undoes its matches
    store.undo_import(con, r.import_id)
    assert not store.has_merges(con)
    assert scalar(con, "SELECT count(*) FROM people") == 2


@pytest.mark.parametrize("tool, headers, expected", [
    ("Microsoft Forms NL", ["Id", "Begintijd", "Tijd van voltooien", "E-mail", "Naam"],
     {"email": "E-mail", "name": "Naam"}),
    ("Microsoft Forms EN", ["ID", "Start time", "Completion time", "Email", "Name"], {"email": "Email", "name": "Name"}),
    ("Google Forms EN", ["Timestamp", "Email Address"], {"email": "Email Address"}),
    ("Google Forms NL", ["Tijdstempel", "E-mailadres"], {"email": "E-mailadres"}),
    ("LimeSurvey", ["id", "submitdate", "token", "firstname", "lastname", "email"],
     {"participant_id": "token", "first_name": "firstname", "last_name": "lastname", "email": "email"}),
    ("Qualtrics", ["StartDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                   "ExternalReference"],
     {"last_name": "RecipientLastName", "first_name": "RecipientFirstName", "email": "RecipientEmail",
      "participant_id": "ExternalReference"}),
    ("SurveyMonkey", ["Respondent ID", "Collector ID", "Email Address", "First Name", "Last Name"],
     {"email": "Email Address", "first_name": "First Name", "last_name": "Last Name"}),
    ("Typeform", ["#", "Network ID", "Response ID", "Submit Date (UTC)"], {}),
])
def test_each_tools_identity_columns_are_recognised(tool, headers, expected):
    cols = [*headers, "network", H, "2a (0-10)"]
    m = map_columns(cols, [], "dimension_scores", default_framework())
    person = {k: cols[i] for k, i in m.columns.items() if k in ("email", "participant_id", "name", "first_name",
                                                                   "last_name")}
    assert person == expected, tool
    counters = {"Id", "ID", "id", "ResponseId", "Respondent ID", "Collector ID", "#", "Network ID", "Response ID"}
    assert {cols[i] for i in m.counters} == counters & set(headers), tool


def test_indexing_only_the_wanted_names_gives_the_same_answers(con):
    """resolve_people indexes only the people a tie file's unknown ends could name; each key must then map to
    the same person (or stay ambiguous) as with every stored person indexed."""
    rows_ = [  # (import, row, id, name, email, external)
        (1, 1, "P1", "Jan Jansen", "jan@school.nl", False),
        (1, 2, "P2", "Jan Jansen", None, False),           # a second Jan Jansen: the name is ambiguous
        (1, 3, "P3", "Anna de Vries", "anna@school.nl", False),
        (2, 1, "P3", "Anna Bakker", None, False),          # renamed: no longer found as Anna de Vries
        (1, 4, "P4", "Ötzi Ünal", None, False),
        (1, 5, "X1", "Piet", None, True),                  # an outside placeholder named Piet...
        (1, 6, "P5", "Piet", "piet@school.nl", False),     # ...and a participant Piet: the participant wins
        (1, 7, "X2", "Kees", None, True),                  # Kees outside, merged into P6 (named otherwise)
        (1, 8, "P6", "Cornelis Kees", None, False),
        (1, 9, "P7", "Kees", None, False),                 # another Kees, a participant
        (1, 10, "mail@x.nl", None, None, True),            # an id that is an address
        (1, 11, "P8", unicodedata.normalize("NFD", "Zoë  Ramdin"), None, False),  # stored decomposed
        (1, 12, "P9", "Henk de Boer", "henk@school.nl", False),  # named by nobody: not indexed
    ]
    for imp, row, pid, name, email, ext in rows_:
        con.execute("INSERT INTO participants (import_id, row_number, participant_id, name, email, external) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [imp, row, pid, name, email, ext])
    con.execute("INSERT INTO person_merges (merge_id, decision, alias_id, person_id, reason) "
                "VALUES (nextval('merge_ids'), 'same', 'X2', 'P6', 'coach')")
    store.refresh_views(con)
    full = who.index_known(con, "full")
    wanted = ["jan jansen", "JAN@school.nl", "Anna de Vries", "anna bakker", "otzi unal", "Ötzi  Ünal",
              "Piet", "kees", "MAIL@x.nl", "nobody", "anna@school.nl", "zoë ramdin", "Ramdin"]
    con.execute("CREATE TEMP TABLE wanted AS SELECT unnest(?::VARCHAR[]) AS v", [wanted])
    some = who.index_known(con, "some", wanted="wanted")

    def answers(idx: dict) -> list:
        return con.execute(f"""SELECT w.v, e.pid, n.pid FROM wanted w
                               LEFT JOIN {idx['email']} e ON e.email_n = {who.email_sql('w.v')}
                               LEFT JOIN {idx['name']} n ON n.name_key = {who.name_key_sql('w.v')}
                               ORDER BY w.v""").fetchall()

    got, expected = answers(some), answers(full)
    assert got == expected
    by_value = {v: (e, n) for v, e, n in got}
    # hand-checked: ambiguous names stay unmatched, the rename counts, e-mail beats name, accents count
    assert by_value["jan jansen"] == (None, None) and by_value["JAN@school.nl"] == ("P1", None)
    assert by_value["Anna de Vries"] == (None, None) and by_value["anna bakker"] == (None, "P3")
    assert by_value["Ötzi  Ünal"] == (None, "P4") and by_value["otzi unal"] == (None, None)
    assert by_value["Piet"] == (None, "P5") and by_value["MAIL@x.nl"] == ("mail@x.nl", None)
    assert by_value["kees"] == (None, None)  # P6 (through the merged X2) and P7 are both participants
    assert by_value["zoë ramdin"] == (None, "P8") and by_value["Ramdin"] == (None, None)
    indexed = {r[0] for r in con.execute("SELECT raw_id FROM some_kp").fetchall()}
    assert "P9" not in indexed and {"P6", "X2", "P8"} <= indexed  # a whole merge group; the NFD name
