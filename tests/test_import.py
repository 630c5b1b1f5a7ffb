"""Validation rules and the import transaction: one small file per rule, exact rows, columns and reasons."""

from __future__ import annotations

import pytest

from analytics.ingest import importer
from analytics.store import database as store
from analytics.store.db import rows, scalar


def problems(report, code=None):
    p = report.problems
    if code:
        p = p[p["code"] == code]
    return [(None if r != r else int(r), c, v) for r, c, v in zip(p["row"], p["column"], p["value"], strict=True)]


def imp(con, files, name, **kw):
    return importer.import_file(con, files / name, **kw)


# ---------------------------------------------------------------- kinds and mapping


@pytest.mark.parametrize(
    "name,kind",
    [("participants_semicolon.csv", "participants"), ("dims_wide_dutch_excel.csv", "dimension_scores"),
     ("dims_long.csv", "dimension_scores"), ("values_long_dutch.csv", "value_reports"),
     ("values_wide_yes_no.csv", "value_reports"), ("ties_basic.csv", "ties"), ("ties_gephi.csv", "ties"),
     ("events.csv", "events"), ("dims_qualtrics.csv", "dimension_scores")],
)
def test_kind_is_detected_from_headers(con, files, name, kind):
    assert importer.validate_file(con, files / name, date="2024-10-01", network="Rekenen").kind == kind


def test_dutch_synonyms_map_and_roles_normalise(con, files):
    r = imp(con, files, "participants_semicolon.csv")
    assert r.status == "imported", r.message
    assert r.mapping == {"deelnemer": "participant_id", "naam": "name", "netwerk": "network",
                         "school": "organisation", "rol": "role"}
    assert rows(con, "SELECT participant_id, role, role_label FROM participants ORDER BY 1") == [
        ("P1", "teacher", "leerkracht"), ("P2", "student_teacher", "student")]


def test_names_round_trip_through_the_store(con, files):
    imp(con, files, "names_cp1252.csv")
    assert [r[0] for r in rows(con, "SELECT name FROM participants ORDER BY participant_id")] == [
        "Émile Çelik", "Zoë Müller", "Jürgen Noël", "Anouk van 't Hof"]


def test_hostile_text_is_stored_as_text(con, files):
    r = imp(con, files, "script_and_formula.csv")
    assert r.status == "imported"
    assert rows(con, "SELECT name, organisation FROM participants ORDER BY 1") == [
        ("<img src=x onerror=alert(1)>", '=HYPERLINK("http://evil","x")'),
        ("<script>alert(1)</script>", "@SUM(1+1)")]


def test_sql_looking_header_is_just_an_ignored_header(con, files):
    before = store.table_checksums(con)["ties"]
    r = imp(con, files, "sql_header.csv")
    assert r.status == "imported"
    assert r.unmapped == ['x"; DROP TABLE ties; --']
    assert store.table_checksums(con)["ties"] == before


def test_unknown_kind_asks_for_a_choice(con, files):
    r = importer.validate_file(con, files / "unknown_headers.csv")
    assert r.status == "failed"
    assert "cannot tell which kind" in r.message


def test_mapping_override_maps_an_unknown_header(con, tmp_path):
    p = tmp_path / "forms.csv"
    p.write_text("Wie ben jij?,Van wie leer je?,Netwerk,Datum\nP1,P2,Rekenen,2024-10-01\n", encoding="utf-8")
    r = importer.import_file(con, p, kind="ties",
                             mapping_overrides={"Wie ben jij?": "source", "Van wie leer je?": "target"})
    assert r.status == "imported", r.message
    assert rows(con, "SELECT source, target FROM ties") == [("P1", "P2")]


DIMS_Q7 = "network,date,participant_id,1a (0-10),Vraag 7\nR,2025-01-10,P1,4,5\n"
KNOWN = "1a, 1b, 2a, 2b, 3a, 3b, 3c, 4a, 4b, 4c, 4d"


@pytest.mark.parametrize("target,reason", [
    # Was: a made-up code was dropped without a word (its scores vanished); one with a ';' gave "Parser Error".
    ("indicator:zz", f"'zz' is no indicator code of the instrument 'dimensions' (known: {KNOWN})"),
    ("indicator:2b;x", f"'2b;x' is no indicator code of the instrument 'dimensions' (known: {KNOWN})"),
    ('indicator:2b" OR 1=1 --', f"'2b\" or 1=1 --' is no indicator code of the instrument 'dimensions' (known: {KNOWN})"),
    # Was: stored with situation 'xx'.
    ("indicator:2b:xx", "'xx' is no situation (use current or desired)"),
    ("cycle:applied", "'cycle:applied': cycle columns belong in value report files, not in dimension scores"),
    ("score_total", "'score_total' is no column of dimension scores (columns: network, date, wave, participant_id, email, name, "
                    "first_name, last_name, situation, indicator, score; or ignore)"),
    ("indicator:1a", "'indicator:1a' is given twice (also to column '1a (0-10)'); map it to one column"),
])
def test_a_hand_mapping_to_something_unknown_is_refused(con, tmp_path, target, reason):
    f = tmp_path / "d.csv"
    f.write_text(DIMS_Q7, encoding="utf-8")
    before = store.table_checksums(con)
    if target == "indicator:1a":  # both columns mapped by hand to the same indicator
        overrides = {"1a (0-10)": "indicator:1a", "Vraag 7": target}
    else:
        overrides = {"Vraag 7": target}
    r = importer.import_file(con, f, mapping_overrides=overrides)
    assert (r.status, r.message) == ("failed", f"d.csv, column Vraag 7: {reason}")
    assert r.problems[["row", "column", "value", "code", "detail"]].values.tolist() == [
        [None, "Vraag 7", None, "bad_mapping", reason]]
    assert store.table_checksums(con) == before


def test_a_hand_mapped_indicator_takes_codes_and_situations_as_spelled(con, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text(DIMS_Q7, encoding="utf-8")
    r = importer.import_file(con, f, mapping_overrides={"Vraag 7": " indicator:2B:Gewenst "},
                             scale={"2b": (0.0, 10.0)})
    assert r.status == "imported", r.message
    assert r.mapping["Vraag 7"] == "indicator:2b:desired"
    assert rows(con, "SELECT indicator, situation, raw FROM dimension_scores ORDER BY 1") == [
        ("1a", "current", 4.0), ("2b", "desired", 5.0)]


def test_a_hand_mapped_cycle_takes_its_dutch_name_and_refuses_others(con, tmp_path):
    f = tmp_path / "v.csv"
    f.write_text("network,participant_id,date,directe waarde,Q9\nR,P1,2025-01-10,nee,ja\n", encoding="utf-8")
    r = importer.validate_file(con, f, kind="values", mapping_overrides={"Q9": "cycle:x y"})
    assert (r.status, r.message) == ("failed", "v.csv, column Q9: 'x y' is no value cycle (known: immediate, "
                                               "potential, applied, realized, transformative, strategic, enabling)")
    r = importer.import_file(con, f, kind="values", mapping_overrides={"Q9": "cycle:Toegepaste waarde"})
    assert r.status == "imported", r.message
    assert rows(con, "SELECT cycle FROM value_reports") == [("applied",)]


def test_a_scale_for_an_unknown_indicator_is_refused(con, tmp_path):
    """Was: --scale 9z=0-10 was ignored without a word."""
    f = tmp_path / "d.csv"
    f.write_text(DIMS_Q7, encoding="utf-8")
    r = importer.validate_file(con, f, scale=importer.parse_scale(["9z=0-10"]))
    assert (r.status, r.message) == ("failed", "d.csv: --scale names indicator '9z', which the instrument "
                                               f"'dimensions' does not have (known: {KNOWN})")


@pytest.mark.parametrize("spec", ["nan-5", "0-inf", "-inf-0", "1e3-1e4", "0x0-0x10"])
def test_a_scale_is_two_plain_numbers(spec):
    """Was: nan and inf passed, and went into the query as a column name ('Referenced column "inf" not found')."""
    with pytest.raises(ValueError, match="write it as MIN-MAX or CODE=MIN-MAX"):
        importer.parse_scale([spec])


def test_a_scale_may_be_negative():
    assert importer.parse_scale(["-3-3"]) == {None: (-3.0, 3.0)}
    assert importer.parse_scale(["1a=-5--1"]) == {"1a": (-5.0, -1.0)}
    assert importer.parse_scale(["0,5 – 4,5"]) == {None: (0.5, 4.5)}


# ---------------------------------------------------------------- rows, duplicates, headers


def test_repeated_header_line_is_skipped(con, files):
    r = imp(con, files, "repeated_header.csv")
    assert r.status == "imported"
    assert problems(r, "repeated_header") == [(4, None, None)]
    assert scalar(con, "SELECT count(*) FROM participants") == 3


def test_exact_duplicate_rows_are_reported_and_kept_once(con, files):
    r = imp(con, files, "duplicate_rows.csv")
    assert r.status == "imported"
    assert problems(r, "duplicate_row") == [(4, None, None)]
    assert r.problems.loc[r.problems.code == "duplicate_row", "detail"].tolist() == ["copy of row 2"]
    assert scalar(con, "SELECT count(*) FROM participants") == 2


VALUES_HEAD = "ResponseId,network,participant_id,date,cycle,description\n"


def test_a_value_report_copied_in_every_column_is_reported_and_kept_once(con, tmp_path):
    f = tmp_path / "v.csv"
    f.write_text(VALUES_HEAD + "R_1,Rekenen,P1,2025-01-10,applied,x\nR_1,Rekenen,P1,2025-01-10,applied,x\n",
                 encoding="utf-8")
    r = importer.import_file(con, f)
    assert (r.status, r.rows_stored, r.rows_skipped, r.unmapped) == ("imported", 1, 1, ["ResponseId"])
    assert problems(r) == [(3, None, None)]
    assert r.problems[["code", "detail", "severity"]].values.tolist() == [["duplicate_row", "copy of row 2", "skipped"]]
    assert rows(con, "SELECT row_number, participant_id, cycle, description FROM value_reports") == [
        (2, "P1", "applied", "x")]


def test_value_reports_that_differ_only_in_an_ignored_column_are_both_kept(con, tmp_path):
    """Was: two respondents with the same answers (different ResponseId, an unmapped column) were taken for an
    exact copy and one of them was dropped."""
    f = tmp_path / "v.csv"
    f.write_text(VALUES_HEAD + "R_1,Rekenen,P1,2025-01-10,applied,x\nR_2,Rekenen,P1,2025-01-10,applied,x\n",
                 encoding="utf-8")
    r = importer.import_file(con, f)
    assert (r.status, r.rows_stored, r.rows_skipped, r.errors, r.warnings) == ("imported", 2, 0, 0, 0)
    assert rows(con, "SELECT row_number, participant_id, cycle, description FROM value_reports ORDER BY 1") == [
        (2, "P1", "applied", "x"), (3, "P1", "applied", "x")]


def test_same_participant_twice_differing_only_in_an_ignored_column_is_no_conflict(con, tmp_path):
    """Not a copy (the timestamp differs), and no conflicting details either: both rows are stored."""
    f = tmp_path / "p.csv"
    f.write_text("Tijdstempel,participant_id,name,network\n2025-01-10 09:00,P1,Anouk,Rekenen\n"
                 "2025-01-10 09:05,P1,Anouk,Rekenen\n2025-01-10 09:06,P1,Annie,Rekenen\n", encoding="utf-8")
    r = importer.import_file(con, f)
    assert r.status == "rejected"
    assert problems(r) == [(4, "participant_id", "P1")]
    assert r.problems["code"].tolist() == ["duplicate_id"]
    f.write_text("Tijdstempel,participant_id,name,network\n2025-01-10 09:00,P1,Anouk,Rekenen\n"
                 "2025-01-10 09:05,P1,Anouk,Rekenen\n", encoding="utf-8")
    r = importer.import_file(con, f)
    assert (r.status, r.rows_stored, r.errors, r.warnings) == ("imported", 2, 0, 0)


def test_duplicate_ids_with_other_details_are_errors(con, files):
    r = imp(con, files, "duplicate_ids.csv")
    assert r.status == "rejected"
    assert problems(r, "duplicate_id") == [(4, "participant_id", "P1")]
    assert scalar(con, "SELECT count(*) FROM participants") == 0


def test_blank_line_and_missing_values(con, files):
    r = imp(con, files, "blank_line_inside.csv")
    assert r.status == "imported"
    assert r.rows_empty == 1
    assert rows(con, "SELECT participant_id, name FROM participants ORDER BY 1") == [("P1", "Anouk"), ("P2", None)]


def test_unknown_role_is_a_warning_and_stored_as_other(con, files):
    r = imp(con, files, "unknown_role.csv")
    assert r.status == "imported"
    assert problems(r, "unknown_role") == [(2, "role", "schoolleider-plus")]
    assert rows(con, "SELECT role FROM participants ORDER BY participant_id") == [("other",), ("teacher",)]


def test_left_before_joined(con, files):
    r = importer.validate_file(con, files / "left_before_joined.csv")
    assert problems(r, "left_before_joined") == [(2, "left", "2024-08-01")]


def test_header_only_and_empty_files(con, files):
    assert "no data rows" in importer.validate_file(con, files / "header_only.csv").message
    r = importer.validate_file(con, files / "empty.csv")
    assert r.status == "failed" and "empty" in r.message


def test_mixed_delimiters_point_at_the_row(con, files):
    r = importer.validate_file(con, files / "mixed_delimiters.csv")
    # Row 3 was written with commas: its whole text lands in the first column, the rest is empty.
    assert problems(r, "other_delimiter") == [(3, "participant_id", "P2,Bram,Rekenen")]
    assert r.problems.loc[r.problems.code == "other_delimiter", "detail"].tolist() == [","]
    assert r.rows_read == 2 and r.errors == 1


# ---------------------------------------------------------------- dimension scores


def test_dutch_excel_wide_dimensions(con, files):
    r = imp(con, files, "dims_wide_dutch_excel.csv")
    assert r.status == "imported", r.message
    assert r.file_format["encoding"] == "utf-8"  # ASCII-only content decodes as UTF-8
    assert r.date_formats == {"Datum": "dd-mm-yyyy"}
    assert {c: (v["min"], v["max"], v["source"]) for c, v in r.scales.items()} == {
        "1a": (0, 10, "header"), "1b": (0, 10, "header"), "2a": (0, 10, "header")}
    got = rows(con, """SELECT participant_id, situation, indicator, raw, position, CAST(date AS VARCHAR)
                       FROM dimension_scores ORDER BY 1, 3""")
    assert got == [
        ("P1", "current", "1a", 6.5, 0.65, "2024-10-01"),
        ("P1", "current", "2a", 7.0, 0.7, "2024-10-01"),
        ("P2", "desired", "1a", 8.0, 0.8, "2024-10-01"),
        ("P2", "desired", "1b", 3.0, 0.3, "2024-10-01"),
    ]  # 'n.v.t.' and empty are missing, never zero


def test_long_dimensions_with_question_text_codes(con, files):
    r = imp(con, files, "dims_long.csv", scale=importer.parse_scale(["1-5"]))
    assert r.status == "imported", r.message
    assert {v["source"] for v in r.scales.values()} == {"declared"}
    assert rows(con, "SELECT indicator, raw, scale_min, scale_max FROM dimension_scores ORDER BY 1") == [
        ("1a", 4.0, 1.0, 5.0), ("3b", 2.0, 1.0, 5.0), ("4c", 5.0, 1.0, 5.0)]


def test_value_outside_scale_is_an_error_never_clipped(con, files):
    r = imp(con, files, "dims_outside_scale.csv")
    assert r.status == "rejected"
    assert problems(r, "outside_scale") == [(2, "1a (1-5)", "6"), (3, "1a (1-5)", "0")]
    assert r.problems.loc[r.problems.code == "outside_scale", "detail"].tolist() == ["1–5", "1–5"]
    assert scalar(con, "SELECT count(*) FROM dimension_scores") == 0


def test_skip_invalid_imports_valid_rows_and_returns_rejected(con, files):
    r = imp(con, files, "dims_outside_scale.csv", skip_invalid=True)
    assert r.status == "imported"
    assert scalar(con, "SELECT count(*) FROM dimension_scores") == 0  # both rows have a bad cell
    assert r.rejected_rows["row"].tolist() == [2, 3]
    assert "outside_scale" in r.rejected_rows["reasons"].iloc[0]


EVERY_SCALE = "1–5, 1–7, 0–10, 0–100"


def test_a_score_beyond_every_scale_is_an_error_in_its_cell(con, tmp_path):
    """Was: with no declared scale, one -1 or 120 refused the whole file ("values beyond 0-100", no row, no
    column, and wrong for -1). Now each such cell is an error with its row and column, the scale is suggested
    from the other values (and must be confirmed), and --skip-invalid imports the rest."""
    f = tmp_path / "d.csv"
    f.write_text("network,date,participant_id,1a,1b\nR,2025-01-10,P1,0,9\nR,2025-01-10,P2,-1,6\n"
                 "R,2025-01-10,P3,120,7\n", encoding="utf-8")
    r = importer.validate_file(con, f)
    assert r.status == "validated" and r.errors == 3 and r.rows_valid == 1
    assert r.problems[["row", "column", "value", "code", "detail", "severity"]].head(2).values.tolist() == [
        [3, "1a", "-1", "below_every_scale", EVERY_SCALE, "error"],
        [4, "1a", "120", "above_every_scale", EVERY_SCALE, "error"]]
    assert r.problems[["code", "detail"]].values.tolist()[2] == ["scale_unconfirmed", "0-10"]
    assert r.scales == {"1a": {"min": 0.0, "max": 10.0, "source": "suggested"},
                        "1b": {"min": 0.0, "max": 10.0, "source": "suggested"}}
    r = importer.import_file(con, f)
    assert r.status == "rejected" and scalar(con, "SELECT count(*) FROM dimension_scores") == 0
    # --skip-invalid never imports on a suggested scale; confirmed, it imports the valid rows.
    r = importer.import_file(con, f, skip_invalid=True)
    assert r.status == "rejected" and scalar(con, "SELECT count(*) FROM dimension_scores") == 0
    r = importer.import_file(con, f, skip_invalid=True, scale=importer.parse_scale(["0-10"]))
    assert (r.status, r.rows_stored) == ("imported", 2)
    assert rows(con, "SELECT participant_id, indicator, position FROM dimension_scores ORDER BY 2") == [
        ("P1", "1a", 0.0), ("P1", "1b", 0.9)]


def test_only_scores_beyond_every_scale_leave_no_scale(con, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("network,date,participant_id,1a,1b\nR,2025-01-10,P1,1e308,-5\n", encoding="utf-8")
    r = importer.import_file(con, f, skip_invalid=True)
    assert (r.status, r.rows_stored, r.scales) == ("imported", 0, {})
    assert sorted(zip(problems(r), r.problems["code"], strict=True)) == [
        ((2, "1a", "1e308"), "above_every_scale"), ((2, "1b", "-5"), "below_every_scale")]


def test_a_declared_scale_takes_no_part_in_inferring_the_others(con, tmp_path):
    """Was: 1a's 150 (on its declared 0-200) spoiled the inference for 1b, whose scores then had no scale."""
    f = tmp_path / "d.csv"
    f.write_text("network,date,participant_id,1a (0-200),1b\nR,2025-01-10,P1,150,9\nR,2025-01-10,P2,3,0\n",
                 encoding="utf-8")
    r = importer.validate_file(con, f)
    assert r.scales == {"1a": {"min": 0.0, "max": 200.0, "source": "header"},
                        "1b": {"min": 0.0, "max": 10.0, "source": "suggested"}}
    assert r.scale_suggestion["codes"] == ["1b"]
    r = importer.import_file(con, f, scale=importer.parse_scale(["1b=0-10"]))
    assert (r.status, r.errors) == ("imported", 0)
    assert rows(con, "SELECT participant_id, indicator, position FROM dimension_scores ORDER BY 1, 2") == [
        ("P1", "1a", 0.75), ("P1", "1b", 0.9), ("P2", "1a", 0.015), ("P2", "1b", 0.0)]


def test_a_negative_scale_can_be_declared(con, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("network,date,participant_id,1a,1b\nR,2025-01-10,P1,-3,2\n", encoding="utf-8")
    r = importer.import_file(con, f, scale=importer.parse_scale(["-3-3"]))
    assert (r.status, r.errors) == ("imported", 0), r.message
    assert rows(con, "SELECT indicator, raw, position FROM dimension_scores ORDER BY 1") == [
        ("1a", -3.0, 0.0), ("1b", 2.0, 5 / 6)]


def test_unknown_indicator_code(con, files):
    r = importer.validate_file(con, files / "dims_unknown_indicator.csv")
    assert problems(r, "unknown_indicator") == [(2, "indicator", "9z")]


def test_impossible_and_malformed_dates(con, files):
    r = importer.validate_file(con, files / "dims_impossible_date.csv")
    assert problems(r, "date_not_exist") == [(2, "datum", "31-02-2025")]
    assert problems(r, "not_a_date") == [(4, "datum", "gisteren")]


def test_nan_negative_and_text_scores(con, files):
    r = importer.validate_file(con, files / "dims_nan_negative.csv", scale={None: (1.0, 5.0)})
    assert problems(r, "not_a_number") == [(2, "1a", "NaN"), (4, "1a", "abc")]
    assert problems(r, "outside_scale") == [(3, "1a", "-2")]


def test_scale_from_anchors_in_header(con, files):
    r = importer.validate_file(con, files / "dims_anchor_scale.csv")
    assert {(v["min"], v["max"], v["source"]) for v in r.scales.values()} == {(1, 5, "header")}


@pytest.mark.parametrize("name,scale", [("dims_inferred_1_5.csv", (1, 5)), ("dims_inferred_0_100.csv", (0, 100))])
def test_scale_found_from_values_is_only_a_suggestion(con, files, name, scale):
    r = importer.validate_file(con, files / name)
    assert {(v["min"], v["max"], v["source"]) for v in r.scales.values()} == {(*scale, "suggested")}
    assert (r.scale_suggestion["min"], r.scale_suggestion["max"]) == scale
    assert importer.import_file(con, files / name).status == "rejected"


def test_scale_declared_overrides_per_indicator(con, files):
    r = imp(con, files, "dims_inferred_1_5.csv", scale=importer.parse_scale(["0-10", "1b=1-7"]))
    assert {c: (v["min"], v["max"], v["source"]) for c, v in r.scales.items()} == {
        "1a": (0, 10, "declared"), "1b": (1, 7, "declared")}
    assert rows(con, "SELECT indicator, round(position, 4) FROM dimension_scores WHERE raw = 5 ORDER BY 1") == [
        ("1b", round(4 / 6, 4))]


def test_no_date_column_needs_a_date(con, files):
    r = importer.validate_file(con, files / "dims_no_date.csv")
    assert r.status == "failed" and "no date or wave" in r.message
    r = imp(con, files, "dims_no_date.csv", date="2025-03-01", scale=importer.parse_scale(["1-5"]))
    assert r.status == "imported"
    assert rows(con, "SELECT DISTINCT period FROM v_scores") == [("2025-H1",)]


def test_unknown_situation(con, files):
    r = importer.validate_file(con, files / "dims_unknown_situation.csv")
    assert problems(r, "unknown_situation") == [(2, "situation", "soms")]


def test_current_and_desired_in_one_row(con, files):
    imp(con, files, "dims_current_desired_columns.csv", scale=importer.parse_scale(["0-10"]))
    assert rows(con, "SELECT situation, raw FROM dimension_scores ORDER BY 1") == [("current", 3.0), ("desired", 8.0)]


def test_qualtrics_export(con, files):
    r = imp(con, files, "dims_qualtrics.csv")
    assert r.status == "imported", r.message
    assert rows(con, "SELECT participant_id, indicator, raw FROM dimension_scores ORDER BY 1, 2") == [
        ("P1", "1a", 7.0), ("P1", "3c", 3.0), ("P2", "1a", 6.0), ("P2", "3c", 8.0)]


def test_xlsx_forms_export(con, files):
    r = imp(con, files, "dims_forms.xlsx")
    assert r.status == "imported", r.message
    assert rows(con, "SELECT participant_id, indicator, position FROM dimension_scores ORDER BY 1, 2") == [
        ("P1", "1a", 0.75), ("P1", "1b", 0.375), ("P2", "1a", 1.0), ("P2", "1b", 0.0)]


# ---------------------------------------------------------------- value reports


def test_dutch_cycle_names_and_reframing(con, files):
    r = imp(con, files, "values_long_dutch.csv")
    assert r.status == "imported", r.message
    assert rows(con, "SELECT cycle FROM value_reports ORDER BY row_number") == [
        ("immediate",), ("potential",), ("transformative",), ("strategic",)]


def test_unknown_cycle(con, files):
    r = importer.validate_file(con, files / "values_unknown_cycle.csv")
    assert problems(r, "unknown_cycle") == [(2, "cycle", "heel veel")]


def test_wide_yes_no_values(con, files):
    r = imp(con, files, "values_wide_yes_no.csv", skip_invalid=True)
    assert problems(r, "not_yes_no") == [(4, "Potentiële waarde", "misschien")]
    assert rows(con, "SELECT participant_id, list(cycle ORDER BY cycle) FROM value_reports GROUP BY 1 ORDER BY 1") == [
        ("P1", ["immediate", "potential"]), ("P2", ["applied", "immediate", "potential", "realized"])]


# ---------------------------------------------------------------- ties


def test_ties_vocabularies_and_frequency_words(con, files):
    imp(con, files, "participants_comma.csv")
    r = imp(con, files, "ties_basic.csv")
    assert r.status == "imported", r.message
    assert rows(con, "SELECT source, target, tie_type, weight, channel FROM ties ORDER BY 1") == [
        ("P1", "P2", "advice", 3.0, "face_to_face"), ("P2", "P1", "knowledge_sharing", 4.0, "online")]


def test_tie_problems(con, files):
    imp(con, files, "participants_comma.csv")
    r = imp(con, files, "ties_problems.csv", skip_invalid=True)
    assert problems(r, "self_loop") == [(2, "target", "P1")]
    assert problems(r, "negative_weight") == [(3, "weight", "-2")]
    assert problems(r, "zero_weight") == [(4, "weight", "0")]
    assert problems(r, "missing_value") == [(6, "source", "")]
    assert problems(r, "unknown_channel") == [(5, "channel", "telepathie")]
    assert problems(r, "external_person") == [(5, "target", "Dr. A. Bakker (lector)")]
    assert rows(con, "SELECT source, target FROM ties") == [("P1", "Dr. A. Bakker (lector)")]
    assert rows(con, "SELECT participant_id, external FROM people WHERE external") == [("Dr. A. Bakker (lector)", True)]


def test_a_quoted_negative_weight_is_negative_never_a_frequency_code(con, tmp_path):
    """Was: '-2 (a negative number as a spreadsheet's text, as CSV exports used to write it) folded to the
    frequency code "2" and was stored as weight 2.0 without a word; so did the minus sign U+2212."""
    f = tmp_path / "t.csv"
    f.write_text("network,source,target,date,weight\n"
                 "R,P1,P2,2025-01-10,'-2\nR,P2,P1,2025-01-10,'3\nR,P1,P3,2025-01-10,\u22122\n"
                 "R,P3,P1,2025-01-10,(2)\nR,P3,P2,2025-01-10,wekelijks\nR,P2,P3,2025-01-10,2\n", encoding="utf-8")
    r = importer.import_file(con, f, skip_invalid=True)
    assert r.status == "imported"
    p = r.problems[r.problems.severity == "error"]
    assert list(zip(p["row"], p["column"], p["value"], p["code"], strict=True)) == [
        (2, "weight", "'-2", "negative_weight"), (4, "weight", "\u22122", "not_a_number"),
        (5, "weight", "(2)", "not_a_number")]
    assert rows(con, "SELECT row_number, weight FROM ties ORDER BY 1") == [(3, 3.0), (6, 4.0), (7, 2.0)]


def test_a_quoted_negative_score_is_outside_the_scale(con, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("network,date,participant_id,1a (0-10)\nR,2025-01-10,P1,'-2\nR,2025-01-10,P2,'7\n",
                 encoding="utf-8")
    r = importer.validate_file(con, f)
    assert problems(r) == [(2, "1a (0-10)", "'-2")]
    assert r.problems[["code", "detail"]].values.tolist() == [["outside_scale", "0–10"]]
    assert r.rows_valid == 1


def test_a_negative_number_in_a_yes_no_column_is_not_yes(con, tmp_path):
    """Was: -1 folded to "1", the spelling of yes."""
    f = tmp_path / "v.csv"
    f.write_text("network,participant_id,date,directe waarde,toegepaste waarde\n"
                 "R,P1,2025-01-10,-1,ja\nR,P2,2025-01-10,1,'2\n", encoding="utf-8")
    r = importer.import_file(con, f, skip_invalid=True)
    assert problems(r) == [(2, "directe waarde", "-1")]
    assert r.problems["code"].tolist() == ["not_yes_no"]
    assert rows(con, "SELECT row_number, cycle FROM value_reports ORDER BY 1, 2") == [
        (3, "applied"), (3, "immediate")]


def test_exported_negative_weight_reads_back_as_negative(con):
    """A weight column exported as text ('-2') comes out of ``safe_csv`` as -2 (a plain number is no formula),
    and importing that file again meets the negative-weight rule."""
    import pandas as pd

    from analytics.draw.export import safe_csv

    df = pd.DataFrame({"network": ["R", "R"], "source": ["P1", "P2"], "target": ["P2", "=P1"],
                       "date": ["2025-01-10"] * 2, "weight": ["-2", "+3"]})
    data = safe_csv(df)
    assert data.decode("utf-8-sig").splitlines()[1:] == ["R,P1,P2,2025-01-10,-2", "R,P2,'=P1,2025-01-10,+3"]
    r = importer.import_file(con, data, file_name="exported.csv", skip_invalid=True)
    p = r.problems[r.problems.severity == "error"]
    assert list(zip(p["row"], p["value"], p["code"], strict=True)) == [(2, "-2", "negative_weight")]
    assert rows(con, "SELECT source, target, weight FROM ties") == [("P2", "'=P1", 3.0)]


def test_tie_end_given_by_name_is_resolved(con, files):
    imp(con, files, "participants_comma.csv")
    r = imp(con, files, "ties_by_name.csv")
    assert problems(r, "matched_by_name") == [(2, "target", "Bram Jansen")]
    assert rows(con, "SELECT source, target FROM ties") == [("P1", "P2")]


def test_people_are_looked_up_by_name_only_when_a_tie_end_is_no_id(con, files, monkeypatch, tmp_path):
    from analytics.ingest import identity

    calls = []
    real = identity.index_known
    wanted_given = []

    def index_known(con_, prefix, wanted=None):
        calls.append(prefix)
        wanted_given.append(wanted is not None)
        return real(con_, prefix, wanted)

    monkeypatch.setattr(identity, "index_known", index_known)
    imp(con, files, "participants_comma.csv")
    calls.clear()  # a participant list is matched to the people already stored; a tie file's ends are next
    ids = tmp_path / "ties_ids.csv"
    ids.write_text("source,target,date,network\nP1,P2,2024-10-01,Rekenen\nP2,P1,2024-10-01,Rekenen\n",
                   encoding="utf-8")
    r = importer.import_file(con, ids)
    assert r.status == "imported" and calls == []  # every end an id: nobody to look up
    assert rows(con, "SELECT source, target FROM ties ORDER BY 1") == [("P1", "P2"), ("P2", "P1")]
    r = imp(con, files, "ties_by_name.csv")
    assert len(calls) == 1 and problems(r, "matched_by_name") == [(2, "target", "Bram Jansen")]
    outside = tmp_path / "ties_outside.csv"
    outside.write_text("source,target,date,network\nP1,Iemand Anders,2024-10-01,Rekenen\n", encoding="utf-8")
    r = importer.import_file(con, outside)
    assert len(calls) == 2 and problems(r, "external_person") == [(2, "target", "Iemand Anders")]
    assert wanted_given[-2:] == [True, True]  # only the people the ends could name are indexed


def test_gephi_edges_with_network_default(con, files):
    r = imp(con, files, "ties_gephi.csv", network="Rekenen", date="2024-10-01")
    assert r.status == "imported", r.message
    assert scalar(con, "SELECT count(*) FROM ties WHERE network = 'Rekenen'") == 2


# ---------------------------------------------------------------- events


def test_events(con, files):
    r = imp(con, files, "events.csv")
    assert r.status == "imported"
    assert rows(con, "SELECT network, CAST(date AS VARCHAR), label FROM events ORDER BY date") == [
        (None, "2024-11-20", "Studiedag"), ("Rekenen", "2025-01-15", "Gezamenlijke lunch gestopt")]


def test_events_missing_label(con, files):
    r = importer.validate_file(con, files / "events_missing_label.csv")
    assert problems(r, "missing_value") == [(2, "label", "")]


# ---------------------------------------------------------------- the store: all or nothing, undo, twice


def test_same_content_twice_adds_nothing(con, files):
    assert imp(con, files, "ties_basic.csv").status == "imported"
    before = store.table_checksums(con)
    r = imp(con, files, "ties_basic.csv")
    assert r.status == "duplicate" and r.duplicate_of == 1
    assert store.table_checksums(con) == before


def test_rejected_file_changes_nothing(con, files):
    imp(con, files, "participants_comma.csv")
    before = store.table_checksums(con)
    for name in ("dims_outside_scale.csv", "duplicate_ids.csv", "binary_garbage.csv", "empty.csv"):
        assert imp(con, files, name).status in ("rejected", "failed")
    assert store.table_checksums(con) == before


def test_undo_removes_exactly_its_rows(con, files):
    imp(con, files, "participants_comma.csv")
    keep = store.table_checksums(con)
    r = imp(con, files, "ties_problems.csv", skip_invalid=True)  # adds ties and an external person
    assert scalar(con, "SELECT count(*) FROM participants") == 3
    removed = store.undo_import(con, r.import_id)
    assert removed["ties"] == 1 and removed["participants"] == 1
    after = store.table_checksums(con)
    assert {k: v for k, v in after.items() if k != "imports"} == {k: v for k, v in keep.items() if k != "imports"}
    assert store.list_imports(con)[-1].undone_at is not None
    with pytest.raises(store.StoreError, match="already undone"):
        store.undo_import(con, r.import_id)
    # After undo the same content may come in again.
    assert imp(con, files, "ties_problems.csv", skip_invalid=True).status == "imported"


def test_failure_inside_the_write_rolls_back(con, files, monkeypatch):
    imp(con, files, "participants_comma.csv")
    before = store.table_checksums(con)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_write", boom)
    with pytest.raises(RuntimeError):
        imp(con, files, "ties_basic.csv")
    assert store.table_checksums(con) == before


def test_participants_latest_import_wins_and_undo_restores(con, tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("participant_id,name,organisation\nP1,Anouk,School A\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("participant_id,name,organisation\nP1,Anouk,School B\n", encoding="utf-8")
    importer.import_file(con, a)
    rb = importer.import_file(con, b)
    assert rows(con, "SELECT organisation FROM people") == [("School B",)]
    store.undo_import(con, rb.import_id)
    assert rows(con, "SELECT organisation FROM people") == [("School A",)]


def test_period_scheme_change_recomputes_stored_periods(con, files):
    imp(con, files, "dims_forms.xlsx")  # 2025-03-10 and 2025-03-11
    imp(con, files, "events.csv")  # 2024-11-20 and 2025-01-15
    assert rows(con, "SELECT DISTINCT period FROM v_scores") == [("2025-H1",)]
    store.set_period_scheme(con, "school-half-year")
    assert rows(con, "SELECT DISTINCT period FROM v_scores") == [("2024/25-2",)]
    assert rows(con, "SELECT period FROM v_events ORDER BY date") == [("2024/25-1",), ("2024/25-1",)]
    store.set_period_scheme(con, "quarter")
    assert rows(con, "SELECT DISTINCT period FROM v_scores") == [("2025-Q1",)]
    with pytest.raises(ValueError, match="unknown period scheme"):
        store.set_period_scheme(con, "fortnight")
    assert store.period_scheme(con) == "quarter"


def test_wave_label_beats_the_date(con, tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("network,date,wave,1a,1b\nRekenen,2025-03-10,voorjaar 2025,3,4\n", encoding="utf-8")
    importer.import_file(con, p, scale=importer.parse_scale(["1-5"]))
    assert rows(con, "SELECT DISTINCT period FROM v_scores") == [("voorjaar 2025",)]


# ---------------------------------------------------------------- big files and the map-based checks


def _report(r):
    return (r.status, r.rows_read, r.rows_valid, r.rows_rejected, r.rows_skipped, r.rows_empty, r.errors,
            r.warnings, r.date_formats, sorted(map(str, r.problems.itertuples(index=False))))


@pytest.mark.parametrize(
    "name,kw",
    [("ties_problems.csv", {}), ("ties_by_name.csv", {}), ("duplicate_rows.csv", {}), ("repeated_header.csv", {}),
     ("duplicate_ids.csv", {}), ("dims_impossible_date.csv", {}), ("dims_nan_negative.csv", {"scale": {None: (1, 5)}}),
     ("values_wide_yes_no.csv", {}), ("events_missing_label.csv", {}), ("ties_gephi.csv", {"network": "R", "date": "2024-10-01"})],
)
def test_big_file_path_gives_the_same_report(con, files, monkeypatch, name, kw):
    from analytics.ingest import readers

    importer.import_file(con, files / "participants_comma.csv")
    small = _report(importer.validate_file(con, files / name, **kw))
    monkeypatch.setattr(readers, "PYTHON_READ_LIMIT", 0)
    assert _report(importer.validate_file(con, files / name, **kw)) == small


def test_stray_spaces_and_missing_tokens_in_tie_ends(con, files, tmp_path):
    imp(con, files, "participants_comma.csv")
    p = tmp_path / "ties.csv"
    p.write_text("network,source,target,date\nR, P1 ,P2,2024-10-01\nR,P2 , P2,2024-10-01\nR,n.v.t.,P1,2024-10-01\n"
                 "R,P1,P2,2024-10-02\n", encoding="utf-8")
    r = importer.import_file(con, p, skip_invalid=True)
    assert problems(r, "self_loop") == [(3, "target", "P2")]
    assert problems(r, "missing_value") == [(4, "source", "")]
    assert problems(r, "external_person") == []
    assert rows(con, "SELECT source, target, CAST(date AS VARCHAR) FROM ties ORDER BY row_number") == [
        ("P1", "P2", "2024-10-01"), ("P1", "P2", "2024-10-02")]


def test_rows_with_nothing_in_them_are_counted_not_checked(con, tmp_path, monkeypatch):
    from analytics.ingest import readers

    monkeypatch.setattr(readers, "PYTHON_READ_LIMIT", 0)  # DuckDB keeps ",,," rows (it only skips blank lines)
    p = tmp_path / "p.csv"
    p.write_text("participant_id,name,network\nP1,Anouk,R\n,,\n , ,\nP2,,R\n", encoding="utf-8")
    r = importer.import_file(con, p)
    assert r.status == "imported", r.message
    assert (r.rows_read, r.rows_empty, r.rows_valid, r.errors) == (4, 2, 2, 0)
    assert rows(con, "SELECT participant_id, row_number FROM participants ORDER BY 1") == [("P1", 2), ("P2", 5)]


def test_periods_follow_the_scheme_in_force(con, files):
    store.set_period_scheme(con, "quarter")
    imp(con, files, "ties_gephi.csv", network="Rekenen", date="2024-10-01")
    imp(con, files, "events.csv")
    assert rows(con, "SELECT DISTINCT period FROM ties") == [("2024-Q4",)]
    assert rows(con, "SELECT period FROM events ORDER BY date") == [("2024-Q4",), ("2025-Q1",)]


def test_write_recomputes_periods_when_the_scheme_changed_after_staging(con, files):
    from analytics.ingest.mapping import map_columns
    from analytics.ingest.readers import read_file
    from analytics.ingest.validate import drop_staged, stage

    cur = con.cursor()
    raw = read_file(cur, files / "ties_basic.csv")
    staged = stage(cur, raw, map_columns(raw.headers, [], "ties"), period_scheme="year")
    store.set_period_scheme(cur, "quarter")
    with store.transaction(cur):
        importer._write(cur, staged, 7)
    drop_staged(cur, staged)
    assert {r[0] for r in rows(con, "SELECT period FROM ties")} <= {f"{y}-Q{q}" for y in (2024, 2025) for q in range(1, 5)}


@pytest.mark.parametrize("name,kw", [("ties_problems.csv", {}), ("dims_wide_dutch_excel.csv", {}),
                                     ("participants_comma.csv", {}), ("values_wide_yes_no.csv", {}),
                                     ("dims_no_date.csv", {"date": "2025-03-01"})])
def test_staging_leaves_nothing_behind(con, files, name, kw):
    from analytics.ingest.mapping import detect_kind, map_columns
    from analytics.ingest.readers import read_file
    from analytics.ingest.validate import drop_staged, stage

    imp(con, files, "participants_comma.csv")
    cur = con.cursor()
    raw = read_file(cur, files / name)
    kind = detect_kind(raw.headers, raw.extra_headers)
    staged = stage(cur, raw, map_columns(raw.headers, raw.extra_headers, kind), defaults=kw)
    assert scalar(cur, f"SELECT count(*) FROM {staged.table}") == raw.n_rows - staged.rows_empty
    drop_staged(cur, staged)
    assert rows(cur, "SELECT table_name FROM duckdb_tables() WHERE temporary") == [("vocab",)]
    assert rows(cur, "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal") == []


def test_a_failed_staging_drops_its_tables(con, tmp_path, monkeypatch):
    from analytics.ingest import validate
    from analytics.ingest.mapping import map_columns
    from analytics.ingest.readers import read_file
    from analytics.ingest.validate import FileProblem, stage

    def late_failure(self):
        raise FileProblem("d.csv", "a failure after every map, the typed rows and the scores are made")

    # (A score beyond every scale used to make staging fail here; it is an error in its cell now.)
    monkeypatch.setattr(validate.Stager, "duplicate_rows", late_failure)
    p = tmp_path / "d.csv"
    p.write_text("network,date,1a,1b\nR,2025-03-10,250,300\n", encoding="utf-8")
    cur = con.cursor()
    raw = read_file(cur, p)
    with pytest.raises(FileProblem, match="a failure after every map"):
        stage(cur, raw, map_columns(raw.headers, [], "dimension_scores"))
    assert rows(cur, "SELECT table_name FROM duckdb_tables() WHERE temporary") == [("vocab",)]
    assert rows(cur, "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal") == []


def test_dates_with_dutch_and_english_month_names(con, tmp_path):
    """Was: '15 maart 2025' and '3 okt 2024' were 'not a date'."""
    f = tmp_path / "e.csv"
    f.write_text('network,date,label\nR,15 maart 2025,a\nR,3 okt 2024,b\nR,3 Okt. 2024,c\nR,"March 15, 2025",d\n'
                 "R,1 mei 2025,e\nR,15 Sept 2025,f\nR,7 DEC 2024,g\nR,2 jan. 2025,h\nR,31 februari 2025,i\n"
                 "R,15 maartje 2025,j\nR,15 maart,k\n", encoding="utf-8")
    r = importer.import_file(con, f, skip_invalid=True)
    assert r.status == "imported"
    assert list(zip(problems(r), r.problems["code"], strict=True)) == [
        ((10, "date", "31 februari 2025"), "date_not_exist"), ((11, "date", "15 maartje 2025"), "not_a_date"),
        ((12, "date", "15 maart"), "not_a_date")]
    assert [(n, str(d)) for n, d in rows(con, "SELECT row_number, date FROM events ORDER BY 1")] == [
        (2, "2025-03-15"), (3, "2024-10-03"), (4, "2024-10-03"), (5, "2025-03-15"), (6, "2025-05-01"),
        (7, "2025-09-15"), (8, "2024-12-07"), (9, "2025-01-02")]


def test_a_survey_date_given_with_a_month_name(con, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("network,participant_id,1a (0-10)\nR,P1,4\n", encoding="utf-8")
    r = importer.import_file(con, f, date="15 maart 2025")
    assert r.status == "imported", r.message
    assert [str(d) for (d,) in rows(con, "SELECT date FROM dimension_scores")] == ["2025-03-15"]


def test_dates_choose_the_format_most_values_fit(con, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("network,source,target,date\nR,P1,P2,12/31/2024\nR,P2,P1,12/30/2024\nR,P2,P3,01/02/2024\n",
                 encoding="utf-8")
    r = importer.import_file(con, p)
    assert r.date_formats == {"date": "mm/dd/yyyy"}
    assert rows(con, "SELECT CAST(date AS VARCHAR) FROM ties ORDER BY row_number") == [
        ("2024-12-31",), ("2024-12-30",), ("2024-01-02",)]


def test_tie_ends_match_names_as_the_people_view_has_them(con, tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("participant_id,name\nP1,Anouk Smit\nP2,Bram\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("participant_id,name\nP1,Anouk de Vries\n", encoding="utf-8")  # a later import renames P1
    importer.import_file(con, a)
    importer.import_file(con, b)
    t = tmp_path / "t.csv"
    t.write_text("network,source,target,date\nR,P2,anouk de vries,2024-10-01\nR,P2,Anouk Smit,2024-10-01\n",
                 encoding="utf-8")
    r = importer.import_file(con, t)
    assert problems(r, "matched_by_name") == [(2, "target", "anouk de vries")]
    assert problems(r, "external_person") == [(3, "target", "Anouk Smit")]
    assert rows(con, "SELECT target FROM ties ORDER BY row_number") == [("P1",), ("Anouk Smit",)]


def test_nul_byte_anywhere_is_refused_with_its_line(con, tmp_path):
    lines = ["participant_id,name,network"] + [f"P{i},Naam {i},Rekenen" for i in range(20_000)]
    lines[15_000] = "P15000,An\x00ouk,Rekenen"
    p = tmp_path / "late_nul.csv"
    p.write_bytes("\n".join(lines).encode())
    before = store.table_checksums(con)
    r = importer.import_file(con, p)
    assert r.status == "failed" and "NUL byte" in r.message and "line 15001" in r.message
    assert store.table_checksums(con) == before


def test_membership_file_does_not_wipe_names(con, tmp_path):
    a = tmp_path / "people.csv"
    a.write_text("participant_id,name,organisation,role\nP1,Anouk,OBS A,teacher\n", encoding="utf-8")
    b = tmp_path / "members.csv"
    b.write_text("participant_id,network\nP1,Rekenen\n", encoding="utf-8")
    importer.import_file(con, a)
    importer.import_file(con, b)
    assert rows(con, "SELECT name, organisation, role FROM people") == [("Anouk", "OBS A", "teacher")]
    assert rows(con, "SELECT network FROM memberships") == [("Rekenen",)]


def test_scores_file_with_unrecognised_codes_is_not_taken_for_participants(con, tmp_path):
    p = tmp_path / "scores.csv"
    p.write_text("network,date,participant_id,9z (0-10)\nRekenen,2025-03-10,P1,5\n", encoding="utf-8")
    r = importer.validate_file(con, p)
    assert r.kind is None and r.status == "failed" and "cannot tell which kind" in r.message


# ---------------------------------------------------------------- a kept check is imported without a second read


def _stored(con, table: str) -> list[tuple]:
    return rows(con, f"SELECT * EXCLUDE (import_id) FROM {table} ORDER BY ALL")


@pytest.fixture
def reads(monkeypatch):
    """How often a file is read (and so validated) by the importer."""
    seen = []
    real = importer.read_file
    monkeypatch.setattr(importer, "read_file", lambda *a, **k: seen.append(1) or real(*a, **k))
    yield seen
    importer.drop_kept_checks()


def test_a_kept_check_is_stored_as_checked_without_reading_the_file_again(con, files, reads):
    assert imp(con, files, "participants_comma.csv").status == "imported"
    data = (files / "ties_basic.csv").read_bytes()
    checked = importer.validate_file(con, data, file_name="ties_basic.csv", keep=True)
    assert checked.status == "validated" and checked.check_token and len(reads) == 2
    steps = []
    got = importer.import_checked(checked.check_token, on_progress=lambda f, s: steps.append(s))
    assert got.status == "imported" and got.rows_stored == 2 and len(reads) == 2  # no second read
    assert steps == ["validated", "stored"]
    kept_rows = _stored(con, "ties")
    # the same file imported the usual way (into a fresh store) stores exactly the same rows
    other = store.connect(":memory:")
    try:
        imp(other, files, "participants_comma.csv")
        assert importer.import_file(other, data, file_name="ties_basic.csv").status == "imported"
        assert _stored(other, "ties") == kept_rows
    finally:
        other.close()
    # a token is used once; the same bytes again are a duplicate, found the usual way
    assert importer.import_checked(checked.check_token) is None
    again = importer.import_file(con, data, file_name="ties_basic.csv")
    assert again.status == "duplicate" and again.duplicate_of == got.import_id


def test_a_kept_check_is_not_used_once_the_store_changed(con, files, reads):
    checked = importer.validate_file(con, files / "ties_basic.csv", keep=True)
    assert imp(con, files, "participants_comma.csv").status == "imported"  # who is who changed meanwhile
    assert importer.import_checked(checked.check_token) is None
    assert scalar(con, "SELECT count(*) FROM ties") == 0
    assert importer._kept == {}  # its rows and connection let go


def test_a_kept_check_with_errors_is_refused_or_stores_only_valid_rows(con, files, reads):
    imp(con, files, "participants_comma.csv")
    checked = importer.validate_file(con, files / "ties_problems.csv", keep=True)
    assert checked.errors == 2
    assert importer.import_checked(checked.check_token).status == "rejected"
    assert scalar(con, "SELECT count(*) FROM ties") == 0
    checked = importer.validate_file(con, files / "ties_problems.csv", keep=True)
    got = importer.import_checked(checked.check_token, skip_invalid=True)
    assert got.status == "imported" and got.rows_stored == 1 and got.rows_rejected == 2
    other = store.connect(":memory:")  # the usual way stores the same one row
    try:
        imp(other, files, "participants_comma.csv")
        assert imp(other, files, "ties_problems.csv", skip_invalid=True).rows_stored == 1
        assert _stored(other, "ties") == _stored(con, "ties")
    finally:
        other.close()


def test_only_the_newest_checks_are_kept(con, files, reads):
    tokens = [importer.validate_file(con, files / "ties_basic.csv", keep=True).check_token
              for _ in range(importer.KEEP_CHECKS + 1)]
    assert len(set(tokens)) == len(tokens) and list(importer._kept) == tokens[1:]
    assert importer.import_checked(tokens[0]) is None  # the oldest was let go
    assert importer.import_checked(tokens[-1]).status == "imported"
    assert importer.drop_kept_checks() == importer.KEEP_CHECKS - 1


def test_a_kept_check_whose_connection_closed_falls_back(files, reads):
    root = store.connect(":memory:")
    checked = importer.validate_file(root, files / "participants_comma.csv", keep=True)
    root.close()  # the store reopened: the kept cursor closed with it
    assert importer.import_checked(checked.check_token) is None
    assert importer._kept == {}
