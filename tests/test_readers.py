"""Reading exports as they come: one small file under tests/files per reader feature."""

from __future__ import annotations

import duckdb
import pytest

from analytics.ingest.readers import ReadError, locate_header, read_file, sniff_delimiter
from analytics.store.db import rows


@pytest.fixture
def c():
    con = duckdb.connect()
    yield con
    con.close()


def cells(c, raw):
    return rows(c, f"SELECT * FROM {raw.table} ORDER BY rowid")


@pytest.mark.parametrize(
    "name,delimiter",
    [("participants_comma.csv", ","), ("participants_semicolon.csv", ";"), ("participants_tab.tsv", "\t"),
     ("participants_pipe.txt", "|")],
)
def test_detects_delimiter(c, files, name, delimiter):
    raw = read_file(c, files / name)
    assert raw.delimiter == delimiter
    assert raw.n_rows == 2
    assert len(raw.headers) == 5
    assert cells(c, raw)[0][1] == "Anouk de Vries"


@pytest.mark.parametrize(
    "name,encoding",
    [("names_cp1252.csv", "cp1252"), ("names_utf8_bom.csv", "utf-8-sig"), ("names_utf8.csv", "utf-8"),
     ("names_utf16.csv", "utf-16")],
)
def test_encodings_round_trip_names_exactly(c, files, name, encoding):
    raw = read_file(c, files / name)
    assert raw.encoding == encoding
    assert raw.headers[0] == "participant_id"  # no BOM glued to the first header
    got = [r[1] for r in cells(c, raw)]
    assert got == ["Émile Çelik", "Zoë Müller", "Jürgen Noël", "Anouk van 't Hof"]
    assert [r[3] for r in cells(c, raw)][0] == "CBS 't Kompas"


def test_excel_sep_hint_line(c, files):
    raw = read_file(c, files / "excel_sep_hint.csv")
    assert raw.delimiter == ";"
    assert raw.headers == ["participant_id", "name"]
    assert raw.first_data_row == 2


def test_title_lines_above_header_are_skipped_and_rows_counted(c, files):
    raw = read_file(c, files / "title_lines_above_header.csv")
    assert raw.headers == ["participant_id", "name", "network"]
    assert raw.first_data_row == 4  # title, blank, header; data starts in spreadsheet row 4
    assert cells(c, raw)[0][0] == "P1"


def test_trailing_empty_columns_are_dropped(c, files):
    raw = read_file(c, files / "trailing_empty_columns.csv")
    assert raw.headers == ["participant_id", "name", "network"]


def test_qualtrics_three_header_rows(c, files):
    raw = read_file(c, files / "dims_qualtrics.csv")
    assert raw.headers[2:] == ["Q1", "Q2", "Q3_1", "Q3_2"]
    assert raw.extra_headers[0][4].startswith("1a.")
    assert raw.n_rows == 2
    assert raw.first_data_row == 4


def test_blank_line_inside_keeps_row_numbers(c, files):
    raw = read_file(c, files / "blank_line_inside.csv")
    data = cells(c, raw)
    assert len(data) == 3
    assert data[2][0] == "P2"  # row 4 of the file = rowid 2


def test_quoted_newline_is_one_record(c, files):
    raw = read_file(c, files / "quoted_newline.csv")
    assert cells(c, raw)[0][1] == "Anouk\nde Vries"
    assert raw.n_rows == 2


def test_xlsx_first_sheet_title_rows_and_dates(c, files):
    raw = read_file(c, files / "dims_forms.xlsx")
    assert raw.format == "xlsx"
    assert raw.sheet == "Scores"
    assert raw.headers[:3] == ["Netwerk", "Datum", "Deelnemer"]
    assert raw.first_data_row == 4
    data = cells(c, raw)
    assert data[0][1] == "2025-03-10 09:30:00"
    assert data[1][1] == "2025-03-11"
    assert data[0][3] == "4" and data[0][4] == "2.5"


def test_xlsx_chosen_sheet(c, files):
    raw = read_file(c, files / "dims_forms.xlsx", sheet="Deelnemers")
    assert raw.headers == ["id", "naam", "school"]
    assert cells(c, raw)[0][1] == "Émile Çelik"


def test_xlsx_unknown_sheet_names_the_sheets(c, files):
    with pytest.raises(ReadError, match="Scores, Deelnemers"):
        read_file(c, files / "dims_forms.xlsx", sheet="Nope")


@pytest.mark.parametrize(
    "name,reason",
    [
        ("empty.csv", "empty"),
        ("binary_garbage.csv", "binary"),
        ("not_excel.xlsx", "not an Excel workbook"),
        ("unbalanced_quote.csv", "never closed|fields"),
        ("too_many_fields.csv", "4 fields where the header has 3"),
    ],
)
def test_unreadable_files_say_why(c, files, name, reason):
    with pytest.raises(ReadError, match=reason) as exc:
        read_file(c, files / name)
    assert exc.value.file == name


def test_too_many_fields_names_the_row(c, files):
    with pytest.raises(ReadError) as exc:
        read_file(c, files / "too_many_fields.csv")
    assert exc.value.row == 2


def test_bytes_and_path_give_the_same_table(c, files):
    a = read_file(c, files / "names_cp1252.csv")
    b = read_file(c, (files / "names_cp1252.csv").read_bytes(), file_name="upload.csv")
    assert cells(c, a) == cells(c, b)
    assert a.content_hash == b.content_hash


def test_large_file_goes_through_duckdb_with_same_rows(c, tmp_path):
    lines = ["participant_id;name;network"] + [f"P{i};Naam {i} Ü;Net" for i in range(120_000)]
    p = tmp_path / "big.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert p.stat().st_size > 2_000_000
    raw = read_file(c, p)
    assert raw.n_rows == 120_000
    assert rows(c, f"SELECT c1 FROM {raw.table} WHERE rowid = 99999")[0][0] == "Naam 99999 Ü"


def test_sniff_prefers_consistent_split():
    assert sniff_delimiter(["a;b;c", "1,5;2;3", "4;5,5;6"]) == ";"
    assert sniff_delimiter(["a,b", "1,2"]) == ","


def test_locate_header_skips_title():
    assert locate_header([["Titel"], [], ["a", "b", "c"], ["1", "2", "3"]]) == (2, 0)
    assert locate_header([["a", "b"], ["q", "r"], ['{"ImportId":"x"}', "y"], ["1", "2"]]) == (0, 2)


# ---------------------------------------------------------------- big files: DuckDB reads them from disk


@pytest.fixture
def big(monkeypatch):
    """Every file counts as big: the streaming path (DuckDB reads the file, Python only hashes it)."""
    from analytics.ingest import readers

    monkeypatch.setattr(readers, "PYTHON_READ_LIMIT", 0)


@pytest.mark.parametrize(
    "name",
    ["participants_comma.csv", "participants_semicolon.csv", "names_utf8_bom.csv", "names_utf8.csv",
     "quoted_newline.csv", "title_lines_above_header.csv", "excel_sep_hint.csv", "trailing_empty_columns.csv",
     "dims_qualtrics.csv", "blank_line_inside.csv", "names_cp1252.csv", "names_utf16.csv"],
)
def test_big_file_lands_like_a_small_one(c, files, monkeypatch, name):
    from analytics.ingest import readers

    small = read_file(c, files / name)
    want = (small.headers, small.extra_headers, small.first_data_row, small.n_rows, small.content_hash,
            small.encoding, small.delimiter, small.notes, cells(c, small))
    monkeypatch.setattr(readers, "PYTHON_READ_LIMIT", 0)
    b = read_file(c, files / name)
    assert (b.headers, b.extra_headers, b.first_data_row, b.n_rows, b.content_hash, b.encoding, b.delimiter,
            b.notes, cells(c, b)) == want


@pytest.mark.parametrize(
    "name",
    ["participants_comma.csv", "names_utf8_bom.csv", "quoted_newline.csv", "title_lines_above_header.csv",
     "dims_qualtrics.csv", "blank_line_inside.csv", "names_cp1252.csv", "names_utf16.csv"],
)
def test_big_upload_lands_like_the_small_one_and_leaves_no_copy(c, files, monkeypatch, tmp_path, name):
    """A big upload (bytes, as the Data page has them) is read from a private temporary copy by DuckDB; it lands
    exactly as the same bytes did in memory, and the copy is gone afterwards."""
    import tempfile

    from analytics.ingest import readers

    data = (files / name).read_bytes()
    small = read_file(c, data, file_name=name)
    want = (small.headers, small.extra_headers, small.first_data_row, small.n_rows, small.content_hash,
            small.encoding, small.delimiter, small.notes, cells(c, small))
    monkeypatch.setattr(readers, "PYTHON_READ_LIMIT", 0)
    shm, tmp = tmp_path / "shm", tmp_path / "tmp"
    shm.mkdir()
    tmp.mkdir()
    monkeypatch.setattr(readers, "SHM", shm)  # the copy goes to memory (/dev/shm) when there is room
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    spilled = []
    real = readers._read_big_text
    monkeypatch.setattr(readers, "_read_big_text", lambda con, path, nm: spilled.append(path) or real(con, path, nm))
    b = read_file(c, data, file_name=name)
    assert (b.headers, b.extra_headers, b.first_data_row, b.n_rows, b.content_hash, b.encoding, b.delimiter,
            b.notes, cells(c, b)) == want
    assert spilled and spilled[0].parent == shm and list(shm.iterdir()) == [] and list(tmp.iterdir()) == []


def test_big_upload_with_a_broken_quote_names_its_row_and_leaves_no_copy(c, monkeypatch, tmp_path):
    import tempfile

    from analytics.ingest import readers

    monkeypatch.setattr(readers, "PYTHON_READ_LIMIT", 0)
    monkeypatch.setattr(readers, "SHM", tmp_path / "no-shared-memory")  # then the temporary directory
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = b"participant_id,name\n" + b"".join(b"P%d,Naam %d\n" % (i, i) for i in range(50)) + b'P50,"open\nP51,x\n'
    with pytest.raises(ReadError) as e:
        read_file(c, data, file_name="upload.csv")
    assert "upload.csv" in str(e.value) and "52" in str(e.value)
    assert list(tmp_path.iterdir()) == []


def test_big_utf8_file_is_streamed_not_loaded(c, files, big, monkeypatch):
    from pathlib import Path

    def no_read_bytes(self):
        raise AssertionError("a big UTF-8 file must not be read into memory")

    monkeypatch.setattr(Path, "read_bytes", no_read_bytes)
    raw = read_file(c, files / "participants_comma.csv")
    assert raw.n_rows == 2 and cells(c, raw)[0][1] == "Anouk de Vries"


def test_big_file_with_blank_lines_keeps_row_numbers(c, tmp_path, big):
    p = tmp_path / "blank.csv"
    p.write_text("participant_id,name\n\nP1,Anouk\nP2,Bram\n  \nP3,Cees\n\n", encoding="utf-8")
    raw = read_file(c, p)
    data = cells(c, raw)
    assert raw.first_data_row == 2
    assert [r[0] for r in data] == [None, "P1", "P2", "  ", "P3", None]  # rowid + 2 = the row in the file
    # Only one blank line, right below the header.
    p.write_text("participant_id,name\n\nP1,Anouk\nP2,Bram\n", encoding="utf-8")
    assert [r[0] for r in cells(c, read_file(c, p))] == [None, "P1", "P2"]


def test_big_file_with_unbalanced_quote_says_where(c, files, big):
    with pytest.raises(ReadError, match="never closed") as exc:
        read_file(c, files / "unbalanced_quote.csv")
    assert exc.value.row == 2


def test_big_file_with_quoted_newlines_and_a_stray_quote(c, tmp_path, big):
    p = tmp_path / "q.csv"
    p.write_text('id,note\nP1,"two\nlines"\nP2,12" screen\n', encoding="utf-8")
    raw = read_file(c, p)
    assert cells(c, raw) == [("P1", "two\nlines"), ("P2", '12" screen')]


def test_blank_line_search_spans_chunks(tmp_path):
    from analytics.ingest.readers import _has_blank_line

    p = tmp_path / "x.csv"
    p.write_bytes(b"a,b\n1,2\n   \t  \r\n3,4\n")
    for chunk in (1, 2, 3, 5, 64):
        assert _has_blank_line(p, 4, chunk=chunk)
    p.write_bytes(b"a,b\n1,2\n  x  \n3,4\n")
    for chunk in (1, 2, 3, 5, 64):
        assert not _has_blank_line(p, 4, chunk=chunk)
