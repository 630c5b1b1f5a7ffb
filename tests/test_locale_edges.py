"""Locale edge cases at import (issues 13 and 18): dates that read two ways, implausible dates, control
characters, short rows, every refused row named; and the command line's switches for them."""

from __future__ import annotations

import datetime as dt

from analytics.cli import main as cli
from analytics.ingest import importer
from analytics.store.db import rows

DIMS = "network,date,participant_id,1a (0-10)\n"


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding, newline="")
    return p


def codes(r, code):
    p = r.problems[r.problems.code == code]
    return [(int(row), col, val, det) for row, col, val, det in
            zip(p["row"], p["column"], p["value"], p["detail"], strict=True)]


def test_a_date_that_reads_two_ways_is_a_warning_with_both_readings(con, tmp_path):
    f = write(tmp_path, "d.csv", DIMS + "R,25-03-2025,P1,4\nR,03/11/2025,P2,5\nR,04-11-2025,P3,6\n")
    r = importer.import_file(con, f)
    assert r.status == "imported", r.message
    # 04-11-2025 uses the file's own notation, which 25-03-2025 settles as day first: no warning.
    assert codes(r, "ambiguous_date") == [(3, "date", "03/11/2025", "2025-11-03 / 2025-03-11")]
    assert rows(con, "SELECT participant_id, date FROM dimension_scores ORDER BY 1") == [
        ("P1", dt.date(2025, 3, 25)), ("P2", dt.date(2025, 11, 3)), ("P3", dt.date(2025, 11, 4))]


def test_the_coach_chooses_month_first(con, tmp_path):
    f = write(tmp_path, "d.csv", DIMS + "R,25-03-2025,P1,4\nR,03/11/2025,P2,5\n")
    r = importer.import_file(con, f, date_order="mdy")
    assert r.status == "imported" and not codes(r, "ambiguous_date")
    assert rows(con, "SELECT date FROM dimension_scores WHERE participant_id = 'P2'") == [(dt.date(2025, 3, 11),)]


def test_slashes_alone_settle_nothing(con, tmp_path):
    f = write(tmp_path, "d.csv", DIMS + "R,03/11/2025,P1,4\nR,03/11/2025,P2,5\nR,05/05/2025,P3,6\n")
    r = importer.validate_file(con, f)
    assert [c[0] for c in codes(r, "ambiguous_date")] == [2, 3]  # 05/05 reads the same both ways
    r = importer.validate_file(con, f, date_order="dmy")
    assert not codes(r, "ambiguous_date")


def test_implausible_dates_are_flagged_impossible_ones_refused(con, tmp_path):
    f = write(tmp_path, "d.csv", DIMS + "R,1925-05-01,P1,4\nR,2099-01-01,P2,5\nR,1899-12-31,P3,6\nR,2025-05-01,P4,7\n")
    r = importer.validate_file(con, f)
    assert [c[:3] for c in codes(r, "implausible_date")] == [(2, "date", "1925-05-01"), (3, "date", "2099-01-01")]
    assert [c[:3] for c in codes(r, "date_out_of_range")] == [(4, "date", "1899-12-31")]
    assert (r.rows_valid, r.rows_rejected) == (3, 1)


def test_control_characters_are_stripped_with_a_note(con, tmp_path):
    others = "".join(f"P{i},Person {i},Rekenen\n" for i in range(2, 12))  # (a file of mostly control characters is binary)
    f = write(tmp_path, "p.csv", "participant_id,name,network\nP1,An\x1b[31mna\x07,Rekenen\n" + others)
    r = importer.import_file(con, f)
    assert r.status == "imported", r.message
    assert r.notices == [("controls_removed", {"n": 2})]
    assert rows(con, "SELECT name FROM participants WHERE participant_id = 'P1'") == [("An[31mna",)]


def test_short_rows_are_named_not_padded_silently(con, tmp_path):
    f = write(tmp_path, "p.csv", "participant_id,name,network,organisation\nP1,Anna,Rekenen,OBS\nP2,Bram,Rekenen\n"
                                 "P3,Cleo,Rekenen,\n")
    r = importer.import_file(con, f)
    assert r.status == "imported", r.message
    # Row 4 has all four fields (the last one empty); row 3 has three.
    assert [(int(a), b, c) for a, b, c in r.problems[["row", "code", "detail"]].values.tolist()] == [
        (3, "short_row", "3/4")]


def test_every_row_with_too_many_fields_is_named(con, tmp_path):
    f = write(tmp_path, "p.csv", "participant_id;name;network\nP1;A;R\nP2;B;R;x\nP3;C;R\nP4;D;R;y;z\n")
    r = importer.validate_file(con, f)
    assert r.status == "failed"
    assert r.message == ("p.csv, row 3: this row has 4 fields where the header has 3; mixed delimiters or an "
                         "unquoted ';' inside a value?; so do 1 more row(s): 5")


# ---------------------------------------------------------------- the command line

def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_says_exactly_which_scale_to_pass(capsys, files, db_file):
    code, out, err = run(capsys, "validate", files / "tool_forms_nl_excel.csv", "--network", "Rekenen",
                         "--db", db_file)
    assert code == 1
    assert out.splitlines()[1] == "  read as a Microsoft Forms export, csv, cp1252, delimiter ';'"
    assert err.splitlines() == [
        "error: tool_forms_nl_excel.csv: the file does not state its scale (values seen: 0–10 except 12 in row 3). "
        "Confirm or change it: pass --scale 0-10 if that is the form's scale, or the real one (e.g. --scale 1-7)."]
    code, out, err = run(capsys, "import", files / "tool_forms_nl_excel.csv", "--network", "Rekenen",
                         "--db", db_file, "--scale", "0-10", "--skip-invalid")
    assert code == 0 and "✓ tool_forms_nl_excel.csv: 5 row(s) imported" in out


def test_cli_include_unfinished_and_left_out_summary(capsys, files, db_file):
    code, out, _ = run(capsys, "validate", files / "tool_qualtrics_3rows.csv", "--network", "R", "--db", db_file)
    assert code == 0 and "  2 response(s) left out: 1 survey preview, 1 not finished" in out.splitlines()
    assert "  read as a Qualtrics export, csv, utf-8, delimiter ','" in out.splitlines()
    code, out, _ = run(capsys, "validate", files / "tool_qualtrics_3rows.csv", "--network", "R", "--db", db_file,
                       "--include-unfinished")
    assert code == 0 and "  1 response(s) left out: 1 survey preview" in out.splitlines()
    assert "✓ tool_qualtrics_3rows.csv: 3 of 4 row(s) valid (dimension scores)" in out


def test_cli_date_order(capsys, tmp_path, db_file):
    f = write(tmp_path, "d.csv", DIMS + "R,25-03-2025,P1,4\nR,03/11/2025,P2,5\n")
    code, out, _ = run(capsys, "validate", f, "--db", db_file)
    assert code == 0 and "date reads two ways: read as the first of 2025-11-03 / 2025-03-11" in out
    code, out, _ = run(capsys, "validate", f, "--db", db_file, "--date-order", "mdy")
    assert code == 0 and "two ways" not in out
