"""Exports of real survey tools, each recognised by its shape and read with its own semantics (issue 13).

Every fixture in tests/files/tool_*.* is written by hand in the tool's documented export shape; the counts and
means below are worked out by hand from those files (the comments show the sums).
"""

from __future__ import annotations

import pytest

from analytics.i18n import left_out_text, scale_evidence
from analytics.ingest import importer
from analytics.ingest.tools import detect_tool
from analytics.store.db import rows


def per_indicator(con) -> dict[str, tuple[int, float, float]]:
    """indicator -> (n, mean raw, mean position), rounded to 4 places."""
    return {i: (n, round(m, 4), round(p, 4)) for i, n, m, p in rows(
        con, "SELECT indicator, count(*), avg(raw), avg(position) FROM dimension_scores GROUP BY 1 ORDER BY 1")}


def imp(con, files, name, **kw):
    kw.setdefault("network", "Rekenen")
    return importer.import_file(con, files / name, **kw)


# ---------------------------------------------------------------- recognised by shape

@pytest.mark.parametrize("name,tool", [
    ("tool_forms_en.xlsx", "microsoft_forms"), ("tool_forms_nl.xlsx", "microsoft_forms"),
    ("tool_forms_nl_excel.csv", "microsoft_forms"),
    ("tool_google_nl.csv", "google_forms"), ("tool_google_en.csv", "google_forms"),
    ("tool_limesurvey_codes.csv", "limesurvey"), ("tool_limesurvey_text.csv", "limesurvey"),
    ("tool_qualtrics_3rows.csv", "qualtrics"), ("tool_qualtrics_legacy.csv", "qualtrics"),
    ("tool_surveymonkey_en.csv", "surveymonkey"), ("tool_typeform_en.csv", "typeform"),
    ("tool_handmade_nl.xlsx", "spreadsheet"), ("dims_wide_dutch_excel.csv", "spreadsheet"),
])
def test_each_tool_is_recognised_and_named(con, files, name, tool):
    r = importer.validate_file(con, files / name, network="Rekenen")
    assert r.kind == "dimension_scores", r.message
    assert r.tool == tool
    assert r.tool_name["en"].startswith("a ") and r.tool_name["nl"].startswith("een ")


def test_detect_tool_reads_only_headers():
    assert detect_tool(["Tijdstempel", "Netwerk"]).id == "google_forms"
    assert detect_tool(["Netwerk", "Tijdstempel"]).id == "spreadsheet"  # Google puts it first, always
    assert detect_tool(["Q1", "Q2"], [["a", "b"], ['{"ImportId":"QID1"}', '{"ImportId":"QID2"}']]).id == "qualtrics"


# ---------------------------------------------------------------- Microsoft Forms

def test_forms_xlsx_english(con, files):
    r = imp(con, files, "tool_forms_en.xlsx")
    assert (r.status, r.rows_read, r.rows_stored, r.left_out) == ("imported", 3, 5, {}), r.message
    assert r.mapping["Completion time"] == "date" and r.unmapped[:0] == []
    assert "Start time" not in r.mapping and "Last modified time" not in r.mapping  # the tool's own columns
    # 1a: 7 + 5 + 9 = 21 / 3 = 7; 1b: 4 + 6 = 10 / 2 = 5 (the anonymous response left 1b empty)
    assert per_indicator(con) == {"1a": (3, 7.0, 0.7), "1b": (2, 5.0, 0.5)}
    assert rows(con, "SELECT DISTINCT date FROM dimension_scores ORDER BY 1")[0][0].isoformat() == "2025-03-10"


def test_forms_xlsx_dutch_with_seven_point_answer_texts(con, files):
    r = imp(con, files, "tool_forms_nl.xlsx")
    assert (r.status, r.rows_read) == ("imported", 3), r.message
    assert r.mapping["Tijd van voltooien"] == "date"
    assert r.scales["1a"] == {"min": 1.0, "max": 7.0, "source": "answer_texts"}  # "een beetje" is 7-point only
    # 1a: helemaal eens 7 + een beetje oneens 3 + neutraal 4 = 14 / 3; positions (6 + 2 + 3) / 6 / 3 = 11/18
    # 2a: een beetje eens 5 + eens 6 = 11 / 2; positions (4 + 5) / 6 / 2 = 3/4
    assert per_indicator(con) == {"1a": (3, 4.6667, 0.6111), "2a": (2, 5.5, 0.75)}


def test_forms_csv_saved_by_dutch_excel_asks_for_the_scale_and_never_takes_0_100(con, files):
    """The issue's first case: ';', decimal comma, cp1252, d-m-yyyy H:mm, a 12 typed on a 0-10 question.
    Was: read on an inferred 0-100 scale, every mean ten times too small and the 12 accepted."""
    r = imp(con, files, "tool_forms_nl_excel.csv")
    assert r.status == "rejected" and r.tool == "microsoft_forms"
    assert r.file_format["encoding"] == "cp1252" and r.file_format["delimiter"] == ";"
    assert (r.scale_suggestion["min"], r.scale_suggestion["max"]) == (0.0, 10.0)
    assert scale_evidence(r.scale_suggestion, "en") == "values seen: 0–10 except 12 in row 3"
    assert scale_evidence(r.scale_suggestion, "nl") == "waarden gezien: 0–10 behalve 12 in regel 3"
    bad = r.problems[r.problems.code == "outside_scale"]
    assert bad[["row", "value", "detail"]].values.tolist() == [[3, "12", "0–10"]]
    assert rows(con, "SELECT count(*) FROM dimension_scores") == [(0,)]
    # Confirmed: the 12 is an error in its own cell; the rest imports with --skip-invalid.
    r = imp(con, files, "tool_forms_nl_excel.csv", scale=importer.parse_scale(["0-10"]), skip_invalid=True)
    assert (r.status, r.rows_rejected, r.rows_valid) == ("imported", 1, 3), r.message
    # 1a: 7.5 + 3 + 10 = 20.5 / 3 = 6.8333; 1b: 6 + 0 = 6 / 2 = 3 ('n.v.t.' is no answer, row 3 refused)
    assert per_indicator(con) == {"1a": (3, 6.8333, 0.6833), "1b": (2, 3.0, 0.3)}
    assert [d.isoformat() for (d,) in rows(con, "SELECT DISTINCT date FROM dimension_scores ORDER BY 1")] == [
        "2025-03-04", "2025-03-05"]  # 4-3-2025 9:20 is 4 March


# ---------------------------------------------------------------- Google Forms

def test_google_dutch_repeated_header_and_empty_row(con, files):
    r = imp(con, files, "tool_google_nl.csv")
    assert (r.status, r.rows_read, r.rows_empty, r.rows_skipped, r.errors) == ("imported", 5, 1, 1, 0), r.message
    # Two downloads pasted together: one skipped line, not an error per cell.
    assert r.problems[["row", "code"]].values.tolist() == [[4, "repeated_header"]]
    assert r.identity.respondents == 3  # the repeated header line ('E-mailadres') is nobody
    # 1a: 6 + 8 + 4 = 18 / 3 = 6; 1b: 7 + 5 = 12 / 2 = 6
    assert per_indicator(con) == {"1a": (3, 6.0, 0.6), "1b": (2, 6.0, 0.6)}
    assert rows(con, "SELECT min(date), max(date) FROM dimension_scores")[0] == (
        __import__("datetime").date(2025, 3, 4), __import__("datetime").date(2025, 3, 11))


def test_google_english_answer_texts_on_seven_points(con, files):
    r = imp(con, files, "tool_google_en.csv", network="Maths")
    assert r.status == "imported", r.message
    assert r.scales["1a"] == {"min": 1.0, "max": 7.0, "source": "answer_texts"}  # "somewhat agree" is 7-point only
    # 1a: strongly agree 7 + somewhat agree 5 + disagree 2 = 14 / 3; positions (6 + 4 + 1) / 6 / 3 = 11/18
    # 1b: agree 6 + neither 4 = 10 / 2 = 5; positions (5 + 3) / 6 / 2 = 2/3
    assert per_indicator(con) == {"1a": (3, 4.6667, 0.6111), "1b": (2, 5.0, 0.6667)}
    # 3/4/2025 reads one way in a file whose 3/14/2025 settles month-first: 4 March, no warning.
    assert not (r.problems.code == "ambiguous_date").any()
    assert rows(con, "SELECT min(date) FROM dimension_scores")[0][0].isoformat() == "2025-03-04"


# ---------------------------------------------------------------- LimeSurvey

def test_limesurvey_codes_array_columns_and_incomplete_response(con, files):
    r = imp(con, files, "tool_limesurvey_codes.csv")
    assert r.status == "rejected" and r.left_out == {"not_finished": 1}
    r = imp(con, files, "tool_limesurvey_codes.csv", scale=importer.parse_scale(["1-5"]))
    assert (r.status, r.rows_read, r.rows_skipped, r.rows_valid) == ("imported", 3, 1, 2), r.message
    assert r.mapping["DSL[SQ001]"] == "indicator:1a" and r.mapping["DSL[SQ011]"] == "indicator:4d"
    assert r.notices[0][0] == "array_as_indicators"
    assert left_out_text(r.left_out, "en") == "1 response(s) left out: 1 not finished"
    got = per_indicator(con)
    # 1a: 5 + 3 = 8 / 2 = 4, position (4 + 2) / 4 / 2 = .75; the others 4 + 2 = 6 / 2 = 3, position .5
    assert got["1a"] == (2, 4.0, 0.75)
    assert {v for k, v in got.items() if k != "1a"} == {(2, 3.0, 0.5)} and len(got) == 11


def test_limesurvey_unfinished_can_be_included(con, files):
    r = imp(con, files, "tool_limesurvey_codes.csv", scale=importer.parse_scale(["1-5"]), include_unfinished=True)
    assert (r.status, r.left_out, r.rows_valid) == ("imported", {}, 3), r.message
    # 1a: 5 + 3 + 1 = 9 / 3 = 3 (the unfinished response answered only 1a)
    assert per_indicator(con)["1a"] == (3, 3.0, 0.5)


def test_limesurvey_full_text_headings_and_dutch_answer_texts(con, files):
    r = imp(con, files, "tool_limesurvey_text.csv")
    assert r.status == "rejected"
    assert r.scale_suggestion["texts"] == ["eens", "helemaal_mee_eens", "neutraal", "oneens"]
    assert (r.scale_suggestion["min"], r.scale_suggestion["max"]) == (1.0, 5.0)
    r = imp(con, files, "tool_limesurvey_text.csv", scale=importer.parse_scale(["1-5"]))
    assert (r.status, r.left_out) == ("imported", {"not_finished": 1}), r.message
    # 1a: helemaal mee eens 5 + oneens 2 = 7 / 2; 2a: eens 4 + neutraal 3 = 7 / 2
    assert per_indicator(con) == {"1a": (2, 3.5, 0.625), "2a": (2, 3.5, 0.625)}


def test_limesurvey_texts_confirmed_as_seven_points_move_the_means(con, files):
    imp(con, files, "tool_limesurvey_text.csv", scale=importer.parse_scale(["1-7"]))
    # On the 7-point list: helemaal mee eens 7 + oneens 2 = 9 / 2; eens 6 + neutraal 4 = 10 / 2
    assert per_indicator(con) == {"1a": (2, 4.5, 0.5833), "2a": (2, 5.0, 0.6667)}


# ---------------------------------------------------------------- Qualtrics

def test_qualtrics_three_header_rows_preview_and_unfinished_left_out(con, files):
    r = imp(con, files, "tool_qualtrics_3rows.csv")
    assert (r.status, r.rows_read, r.rows_skipped, r.rows_stored) == ("imported", 4, 2, 4), r.message
    assert r.left_out == {"survey_preview": 1, "not_finished": 1}
    assert left_out_text(r.left_out, "en") == "2 response(s) left out: 1 survey preview, 1 not finished"
    assert left_out_text(r.left_out, "nl") == ("2 antwoord(en) buiten de import gelaten: 1 voorbeeld van de "
                                               "enquête (preview), 1 niet afgemaakt")
    assert r.problems[["row", "column", "code"]].values.tolist() == [
        [5, "Status", "left_out_survey_preview"], [6, "Finished", "left_out_not_finished"]]
    assert r.mapping["RecordedDate"] == "date"
    # The preview and the unfinished response are nobody: two people (by e-mail), no anonymous row.
    assert (r.identity.respondents, r.identity.anonymous_rows) == (2, 0)
    # 1a: 7 + 5 = 12 / 2 = 6; 1b: 3 + 6 = 9 / 2 = 4.5 (not the preview's 10s, not the unfinished 2)
    assert per_indicator(con) == {"1a": (2, 6.0, 0.6), "1b": (2, 4.5, 0.45)}


def test_qualtrics_unfinished_included_on_request_preview_never(con, files):
    r = imp(con, files, "tool_qualtrics_3rows.csv", include_unfinished=True)
    assert (r.status, r.left_out) == ("imported", {"survey_preview": 1}), r.message
    # 1a: 7 + 2 + 5 = 14 / 3
    assert per_indicator(con) == {"1a": (3, 4.6667, 0.4667), "1b": (2, 4.5, 0.45)}


def test_qualtrics_legacy_two_rows_with_choice_text(con, files):
    r = imp(con, files, "tool_qualtrics_legacy.csv", scale=importer.parse_scale(["1-5"]))
    assert (r.status, r.left_out) == ("imported", {"survey_preview": 1, "not_finished": 1}), r.message
    assert r.notes[-1] == "read 2 header rows"
    # 1a: strongly agree 5 + disagree 2 = 7 / 2; 1b: agree 4 + strongly agree 5 = 9 / 2
    assert per_indicator(con) == {"1a": (2, 3.5, 0.625), "1b": (2, 4.5, 0.875)}


# ---------------------------------------------------------------- SurveyMonkey, Typeform, hand-made

def test_surveymonkey_matrix_spans_columns_under_one_heading(con, files):
    r = imp(con, files, "tool_surveymonkey_en.csv")
    assert r.status == "imported", r.message
    assert r.mapping["How do you see the network? (0-10) - 1b Permanence of activities"] == "indicator:1b"
    assert r.mapping["End Date"] == "date"
    assert {v["source"] for v in r.scales.values()} == {"header"}
    # 1a: 6 + 4 = 10 / 2 = 5; 1b: 7 + 5 = 12 / 2 = 6; 2a: 8
    assert per_indicator(con) == {"1a": (2, 5.0, 0.5), "1b": (2, 6.0, 0.6), "2a": (1, 8.0, 0.8)}
    assert rows(con, "SELECT min(date) FROM dimension_scores")[0][0].isoformat() == "2025-03-14"


def test_typeform_partial_response_left_out(con, files):
    r = imp(con, files, "tool_typeform_en.csv", network="Maths")
    assert (r.status, r.left_out, r.rows_valid) == ("imported", {"not_finished": 1}, 2), r.message
    assert r.mapping["Submit Date (UTC)"] == "date"
    # 1a: 8 + 6 = 14 / 2 = 7; 1b: 6 + 4 = 10 / 2 = 5
    assert per_indicator(con) == {"1a": (2, 7.0, 0.7), "1b": (2, 5.0, 0.5)}


def test_handmade_sheet_on_seven_points_where_nobody_chose_6_or_7(con, files):
    """Values 1-5 on a 1-7 form look like a 1-5 scale: suggested, never taken silently."""
    r = imp(con, files, "tool_handmade_nl.xlsx")
    assert r.status == "rejected" and r.notes[-1] == "skipped 2 row(s) above the header"
    assert (r.scale_suggestion["min"], r.scale_suggestion["max"]) == (1.0, 5.0)
    assert scale_evidence(r.scale_suggestion, "en") == "values seen: 1–5"
    r = imp(con, files, "tool_handmade_nl.xlsx", scale=importer.parse_scale(["1-7"]))
    assert r.status == "imported", r.message
    # 1a: 5 + 4 + 2 = 11 / 3; positions (4 + 3 + 1) / 6 / 3 = 8/18. 1b: 3 + 1 + 5 = 9 / 3 = 3; (2 + 0 + 4) / 18
    assert per_indicator(con) == {"1a": (3, 3.6667, 0.4444), "1b": (3, 3.0, 0.3333)}


def test_instrument_can_declare_the_scale(con, files):
    from dataclasses import replace

    from analytics.definitions import default_framework

    fw = replace(default_framework(), scale=(1.0, 7.0))
    r = imp(con, files, "tool_handmade_nl.xlsx", framework=fw)
    assert r.status == "imported", r.message
    assert r.scales["1a"] == {"min": 1.0, "max": 7.0, "source": "instrument"}


def test_limesurvey_subquestion_codes_that_carry_the_indicator_code(con, tmp_path):
    f = tmp_path / "ls.csv"
    f.write_text('"id","submitdate","lastpage","startlanguage","DSL[1a]","DSL[2b]"\r\n'
                 '"1","2025-10-06 09:15:02","2","nl","4","5"\r\n', encoding="utf-8-sig")
    r = importer.import_file(con, f, network="R", scale=importer.parse_scale(["1-5"]))
    assert r.status == "imported", r.message
    assert (r.mapping["DSL[1a]"], r.mapping["DSL[2b]"]) == ("indicator:1a", "indicator:2b") and not r.notices


def test_left_out_responses_play_no_part_in_the_scale_suggestion(con, tmp_path):
    """A preview where the designer typed 60s would otherwise push the suggestion to 0-100."""
    f = tmp_path / "q.csv"
    f.write_text("StartDate,EndDate,Status,Progress,Finished,RecordedDate,Q1_1,Q1_2\n"
                 "Start Date,End Date,Response Type,Progress,Finished,Recorded Date,1a Praktijk,1b Duurzaam\n"
                 '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}",'
                 '"{""ImportId"":""progress""}","{""ImportId"":""finished""}","{""ImportId"":""recordedDate""}",'
                 '"{""ImportId"":""QID1_1""}","{""ImportId"":""QID1_2""}"\n'
                 "2025-03-10 09:00,2025-03-10 09:05,IP Address,100,True,2025-03-10 09:05,7,3\n"
                 "2025-03-10 08:00,2025-03-10 08:01,Survey Preview,100,True,2025-03-10 08:01,60,60\n", encoding="utf-8")
    r = importer.validate_file(con, f, network="R")
    assert r.left_out == {"survey_preview": 1}
    # 7 and 3 fit 1-7 (a suggestion; too few values to call anything a typo); never 0-100 for the 60s
    assert (r.scale_suggestion["min"], r.scale_suggestion["max"]) == (1.0, 7.0)
    assert not (r.problems.code == "outside_scale").any()  # the preview's 60s are no answers at all


def test_limesurvey_answer_codes_read_as_positions_on_a_confirmed_scale(con, tmp_path):
    f = tmp_path / "ls.csv"
    f.write_text('"id";"submitdate";"lastpage";"startlanguage";"DSL[1a]";"DSL[2b]"\r\n'
                 '"1";"2025-10-06 09:15:02";"2";"nl";"A5";"A2"\r\n"2";"2025-10-06 10:00:00";"2";"nl";"A3";"AO04"\r\n',
                 encoding="utf-8-sig")
    r = importer.validate_file(con, f, network="R")
    assert (r.scale_suggestion["min"], r.scale_suggestion["max"]) == (1.0, 5.0)  # codes 2-5: suggested, not taken
    r = importer.import_file(con, f, network="R", scale=importer.parse_scale(["1-5"]))
    assert r.status == "imported", r.message
    # 1a: A5 + A3 = 8 / 2 = 4; 2b: A2 + AO04 = 6 / 2 = 3
    assert per_indicator(con) == {"1a": (2, 4.0, 0.75), "2b": (2, 3.0, 0.5)}
