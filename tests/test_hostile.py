"""The hostile-input suite (issue 7): broken and malicious files for all five tables, each with its exact outcome.

Every file is generated here (nothing large is committed): empty and header-only files, binary garbage, huge fields
and lines, mixed delimiters, wrong encodings, impossible dates, NaN and negative values, unknown codes, duplicate
ids, self-loops, ties to unknown people, formula injection, script in names, SQL-looking headers and values, NUL
bytes, 10,000 columns, unbalanced quotes, a lone BOM, Excel renamed .csv and CSV renamed .xlsx, a broken and a
zip-bomb-like .xlsx, an old .xls.

For each file the test asserts the exact status (imported / rejected / failed / duplicate), the exact problems
(row, column, value, reason code, detail, severity) and message, and, for every file that is refused, that the
store is unchanged (``store.table_checksums`` over every table, before and after). One test imports the whole set
through the CLI in a subprocess (non-zero exit, every refused file named on stderr) and then imports a healthy
file. Formula cells that went through the importer come out neutralised in ``export.safe_csv``; hostile names
show as literal text on the Dimensions, Values and Ties pages (AppTest; the real-browser hover/dialog test is
``tests/test_browser_data.py::test_hostile_names_open_no_dialog``).

The 200 MB case lives in the benchmark suite (``bench/scale_suite.py``), not here.

The app bugs this suite found were strict ``xfail`` tests until they were fixed (1b8cf35); they are
regression tests at the end of the file now (``test_regression_*``), each saying what the bug was.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from analytics.draw.export import safe_csv
from analytics.ingest import importer
from analytics.store import database as store
from analytics.store.db import rows, scalar

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------------------------------- the base store

#: What every case starts from: a small store with rows in all five tables (so checksums mean something).
BASE_FILES = {
    "base_participants.csv": b"participant_id,name,network,organisation,role\n"
                             b"P1,Anouk de Vries,Rekenen,OBS De Regenboog,teacher\n"
                             b"P2,Bram Jansen,Rekenen,Pabo Noord,student_teacher\n"
                             b"P3,Cas Bakker,Rekenen,OBS De Regenboog,coach\n",
    "base_events.csv": b"network,date,label\nRekenen,2025-01-15,Studiedag\n",
    "base_dims.csv": b"network,date,participant_id,1a (0-10),1b (0-10)\n"
                     b"Rekenen,2025-01-10,P1,4,5\nRekenen,2025-01-10,P2,6,7\nRekenen,2025-01-10,P3,5,5\n",
    "base_values.csv": b"network,participant_id,date,cycle,description\nRekenen,P1,2025-01-10,applied,Nieuwe aanpak\n",
    "base_ties.csv": b"network,source,target,date\nRekenen,P1,P2,2025-01-10\nRekenen,P2,P3,2025-01-10\n",
}
BASE_TIES_IMPORT_ID = 5


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """A store file holding the base data; every case works on its own copy."""
    path = tmp_path_factory.mktemp("hostile_base") / "base.duckdb"
    con = store.connect(path)
    try:
        for name, data in BASE_FILES.items():
            r = importer.import_file(con, data, file_name=name)
            assert r.status == "imported", r.message
        assert scalar(con, "SELECT max(import_id) FROM imports WHERE kind = 'ties'") == BASE_TIES_IMPORT_ID
    finally:
        con.close()
    return path


# ------------------------------------------------------------------------------------------- file makers


def _xlsx(rows_: list[list]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows_:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_bomb(mb: int) -> bytes:
    """A valid workbook whose sheet XML holds ``mb`` MB of blanks: ~1,000x smaller compressed than expanded."""
    good = _xlsx([["participant_id", "name", "network"], ["P9", "Bom", "Rekenen"]])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z, zipfile.ZipFile(io.BytesIO(good)) as g:
        for n in g.namelist():
            data = g.read(n)
            if n != "xl/worksheets/sheet1.xml":
                z.writestr(n, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with z.open(n, "w", force_zip64=True) as w:
                w.write(head + b"<sheetData>")
                block = b" " * (1 << 20)
                for _ in range(mb):
                    w.write(block)
                w.write(tail)
    return out.getvalue()


def _xlsx_rewritten(data: bytes, change: Callable[[str, bytes], bytes], add: dict[str, bytes] | None = None) -> bytes:
    """The workbook ``data`` with each member passed through ``change(name, bytes)``, plus members ``add``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z, zipfile.ZipFile(io.BytesIO(data)) as g:
        for n in g.namelist():
            z.writestr(n, change(n, g.read(n)))
        for n, d in (add or {}).items():
            z.writestr(n, d)
    return out.getvalue()


P_XLSX_ROWS = [["participant_id", "name", "network"], ["P9", "Anouk", "Rekenen"], ["P8", "Bram", "Rekenen"]]


def _xlsx_truncated_sheet() -> bytes:
    """A valid workbook whose sheet XML is cut off half-way (a download or copy that stopped)."""
    return _xlsx_rewritten(_xlsx(P_XLSX_ROWS),
                           lambda n, d: d[: len(d) // 2] if n == "xl/worksheets/sheet1.xml" else d)


def _xlsx_bad_shared_string() -> bytes:
    """A valid workbook with a shared-strings table of one string, whose cell B3 points at string 7."""
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           b'2006/main" count="1" uniqueCount="1"><si><t>Bram</t></si></sst>')
    override = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')

    def change(n: str, d: bytes) -> bytes:
        if n == "[Content_Types].xml":
            return d.replace(b"</Types>", override)
        if n == "xl/worksheets/sheet1.xml":
            cell = b'<c r="B3" t="inlineStr"><is><t>Bram</t></is></c>'
            assert cell in d
            return d.replace(cell, b'<c r="B3" t="s"><v>7</v></c>')
        return d

    return _xlsx_rewritten(_xlsx(P_XLSX_ROWS), change, {"xl/sharedStrings.xml": sst})


def _random_bytes(n: int, seed: int, exclude: bytes = b"") -> bytes:
    r = random.Random(seed)
    allowed = [b for b in range(256) if b not in exclude]
    return bytes(r.choice(allowed) for _ in range(n))


P_HEAD = "participant_id,name,network,organisation,role\n"


def _people(n: int, start: int = 100) -> str:
    """``n`` plain participant rows (ids Q100...), to push something past a reader limit."""
    return "".join(f"Q{i},Persoon {i},Rekenen,School {i % 7},teacher\n" for i in range(start, start + n))


def _wide_header(n: int) -> bytes:
    extra = [f"extra{i}" for i in range(n - 3)]
    return (",".join(["participant_id", "name", "network", *extra]) + "\n"
            + ",".join(["P9", "Breed", "Rekenen", *(["x"] * len(extra))]) + "\n").encode()


HYPERLINK = '=HYPERLINK("http://x","y")'
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
SQL_ID = "P9'); DROP TABLE participants; --"
SQL_NAME = "Robert'); DROP TABLE ties;--"


# ------------------------------------------------------------------------------------------- the catalogue


def prob(row, column, value, code, detail=None, severity="error") -> tuple:
    return (row, column, value, code, detail, severity)


def unreadable(detail: str, row: int | None = None) -> list[tuple]:
    return [prob(row, None, None, "unreadable", detail)]


def refused(name: str, n_problems: int, n_rows: int) -> str:
    return (f"{name}: {n_problems} problem(s) in {n_rows} row(s); nothing was imported. Fix the file, or import "
            "only the valid rows.")


@dataclass(frozen=True)
class Case:
    name: str  # the file name: its suffix matters (.csv, .xlsx, .xls)
    table: str  # which of the five tables the file is meant for
    what: str  # the hostile trait, for the report table
    data: Callable[[], bytes]
    status: str  # imported | rejected | failed | duplicate
    problems: list[tuple] = field(default_factory=list)  # exact rows of report.problems (file column left out)
    message: str | None = None  # exact report.message
    kind: str | None = None  # the detected kind
    stored: dict[str, list[tuple]] | None = None  # SQL -> exact rows it returns after the import


def C(name, table, what, data, status, problems=(), message=None, kind=None, stored=None) -> Case:
    blob = data if callable(data) else (lambda d=data: d if isinstance(d, bytes) else d.encode())
    return Case(name, table, what, blob, status, list(problems), message, kind, stored)


BINARY = functools.partial(_random_bytes, 4000, 1)
BINARY_NO_NUL = functools.partial(_random_bytes, 4000, 2, b"\x00\n\r")
NUL_LATE = P_HEAD + _people(8000) + "P9,An\x00ouk,Rekenen,School,teacher\n"  # the NUL lies past the first 256 KB

CASES: list[Case] = [
    # ---------------------------------------------------------------- participants
    C("p_empty.csv", "participants", "empty file (0 bytes)", b"", "failed",
      unreadable("the file is empty"), "p_empty.csv: the file is empty"),
    C("p_blank_lines.csv", "participants", "only blank lines and spaces", b"\n \r\n\t\n", "failed",
      unreadable("the file is empty"), "p_blank_lines.csv: the file is empty"),
    C("p_only_bom.csv", "participants", "only a UTF-8 BOM", b"\xef\xbb\xbf", "failed",
      unreadable("the file holds no lines of text"), "p_only_bom.csv: the file holds no lines of text"),
    C("p_header_only.csv", "participants", "header only", P_HEAD, "failed",
      [prob(None, None, None, "no_rows", "there are no data rows below the header")],
      "p_header_only.csv: there are no data rows below the header", kind="participants"),
    C("p_binary.csv", "participants", "binary garbage (random bytes)", BINARY, "failed",
      unreadable("holds binary data (byte 95), not a text table; export it as CSV or .xlsx"),
      "p_binary.csv: holds binary data (byte 95), not a text table; export it as CSV or .xlsx"),
    C("p_binary_no_nul.csv", "participants", "binary garbage without NUL or line breaks", BINARY_NO_NUL, "failed",
      unreadable("holds binary data, not a text table; export it as CSV or .xlsx"),
      "p_binary_no_nul.csv: holds binary data, not a text table; export it as CSV or .xlsx"),
    C("p_nul.csv", "participants", "NUL byte inside a name (first 256 KB)",
      P_HEAD + "P9,An\x00ouk,Rekenen,School,teacher\n", "failed",
      unreadable("holds binary data (byte 51), not a text table; export it as CSV or .xlsx"),
      "p_nul.csv: holds binary data (byte 51), not a text table; export it as CSV or .xlsx"),
    C("p_nul_late.csv", "participants", "NUL byte inside a name past the first 256 KB", NUL_LATE, "failed",
      unreadable("holds a NUL byte (byte 350,251, line 8002): not plain text; was the file damaged?", 8002),
      "p_nul_late.csv, row 8002: holds a NUL byte (byte 350,251, line 8002): not plain text; was the file "
      "damaged?"),
    C("p_utf16_no_bom.csv", "participants", "UTF-16 (little endian) without BOM",
      lambda: (P_HEAD + "P9,Zoë,Rekenen,School,teacher\n").encode("utf-16-le"), "failed",
      unreadable("holds binary data (byte 1), not a text table; export it as CSV or .xlsx"),
      "p_utf16_no_bom.csv: holds binary data (byte 1), not a text table; export it as CSV or .xlsx"),
    C("p_utf16_truncated.csv", "participants", "UTF-16 with BOM, cut off in the middle of a character",
      lambda: (P_HEAD + "P9,Zoë,Rekenen,School,teacher\n").encode("utf-16")[:-1], "failed",
      unreadable("starts as UTF-16 but byte 152 cannot be decoded"),
      "p_utf16_truncated.csv: starts as UTF-16 but byte 152 cannot be decoded"),
    C("p_cp1252_as_utf8.csv", "participants", "cp1252 bytes in a file meant as UTF-8 (invalid UTF-8)",
      lambda: (P_HEAD + "P9,Zoë Müller,Rekenen,School,teacher\n").encode("cp1252"), "imported", kind="participants",
      stored={"SELECT name FROM participants WHERE participant_id = 'P9'": [("Zoë Müller",)]}),
    C("p_invalid_bytes.csv", "participants", "bytes undefined in UTF-8 and cp1252 (0x81 0x8d)",
      lambda: P_HEAD.encode() + b"P9,Zo\x81\x8d,Rekenen,School,teacher\n", "imported", kind="participants",
      # The two bytes decode (Latin-1) to C1 control characters, which are stripped at import (issue 18).
      stored={"SELECT name FROM participants WHERE participant_id = 'P9'": [("Zo",)]}),
    C("p_mojibake.csv", "participants", "mojibake (UTF-8 read as cp1252, saved again as UTF-8)",
      P_HEAD + "P9,Ã‰mile Ã‡elik,Rekenen,School,teacher\n", "imported", kind="participants",
      stored={"SELECT name FROM participants WHERE participant_id = 'P9'": [("Ã‰mile Ã‡elik",)]}),
    C("p_1mb_field.csv", "participants", "a 1 MB name", P_HEAD + "P9," + "A" * 1_000_000 + ",Rekenen,S,teacher\n",
      "failed", unreadable("cannot be split into columns (field larger than field limit (131072))", 2),
      "p_1mb_field.csv, row 2: cannot be split into columns (field larger than field limit (131072))"),
    C("p_20k_name.csv", "participants", "a 20,000-character name (under the reader's field limit)",
      P_HEAD + "P9," + "A" * 20_000 + ",Rekenen,S,teacher\n", "rejected",
      [prob(2, "name", "A" * 60 + "…", "too_long", "20000 > 10000")], refused("p_20k_name.csv", 1, 1),
      kind="participants"),
    C("p_3mb_line.csv", "participants", "a 3 MB line in a small (< 4 MB) file",
      P_HEAD + "P9,x,Rekenen," + "B" * 3_000_000 + ",teacher\n", "failed",
      unreadable("cannot be split into columns (field larger than field limit (131072))", 2),
      "p_3mb_line.csv, row 2: cannot be split into columns (field larger than field limit (131072))"),
    C("p_3mb_line_big.csv", "participants", "a 3 MB line at the end of a 5 MB file (DuckDB's reader)",
      P_HEAD + _people(60_000) + "P9,x,Rekenen," + "B" * 3_000_000 + ",teacher\n", "failed",
      unreadable("a line is longer than 2 MB (DuckDB's line limit); is this really a table export?", 60_002),
      "p_3mb_line_big.csv, row 60002: a line is longer than 2 MB (DuckDB's line limit); is this really a table "
      "export?"),
    C("p_10000_columns.csv", "participants", "a header with 10,000 columns", functools.partial(_wide_header, 10_000),
      "failed", unreadable("has 10,000 columns; at most 500 can be read. Is this the right file?"),
      "p_10000_columns.csv: has 10,000 columns; at most 500 can be read. Is this the right file?"),
    C("p_mixed_delimiters.csv", "participants", "a row with more fields than the header (mixed delimiters)",
      b"participant_id;name;network\nP1;Anouk;Rekenen\nP2;Bram;Rekenen;x;y\n", "failed",
      unreadable("this row has 5 fields where the header has 3; mixed delimiters or an unquoted ';' inside a value?",
                 3),
      "p_mixed_delimiters.csv, row 3: this row has 5 fields where the header has 3; mixed delimiters or an "
      "unquoted ';' inside a value?"),
    C("p_other_delimiter_row.csv", "participants", "a row written with commas in a ; file",
      b"participant_id;name;network\nP8;Anouk;Rekenen\nP9,Bram,Rekenen\n", "rejected",
      [prob(3, "participant_id", "P9,Bram,Rekenen", "other_delimiter", ",")],
      refused("p_other_delimiter_row.csv", 1, 1), kind="participants"),
    C("p_too_many_fields_big.csv", "participants", "7 fields on the last row of a 5 MB file (DuckDB's reader)",
      P_HEAD + _people(120_000) + "P9,Anouk,Rekenen,School,teacher,x,y\n", "failed",
      unreadable("a row has more fields than the header (this row has 7 fields where the header has 5); mixed "
                 "delimiters or an unquoted delimiter in a value?", 120_002),
      "p_too_many_fields_big.csv, row 120002: a row has more fields than the header (this row has 7 fields where "
      "the header has 5); mixed delimiters or an unquoted delimiter in a value?"),
    C("p_unbalanced_quote.csv", "participants", "unbalanced quote", b'participant_id,name,network\nP9,"Anouk,Rekenen\n'
      b"P8,Bram,Rekenen\n", "failed", unreadable('a quoted value is never closed (unbalanced " quote)', 2),
      'p_unbalanced_quote.csv, row 2: a quoted value is never closed (unbalanced " quote)'),
    C("p_unbalanced_quote_big.csv", "participants", "unbalanced quote deep in a 5 MB file",
      P_HEAD + _people(120_000) + 'P9,"Anouk,Rekenen,School,teacher\n' + _people(10, 500_000), "failed",
      unreadable('a quoted value is never closed (unbalanced " quote)', 120_002),
      'p_unbalanced_quote_big.csv, row 120002: a quoted value is never closed (unbalanced " quote)'),
    C("p_duplicate_ids.csv", "participants", "one id twice with other details",
      P_HEAD + "P7,Anouk,Rekenen,A,teacher\nP8,Bram,Rekenen,A,teacher\nP7,Annie,Rekenen,B,teacher\n", "rejected",
      [prob(4, "participant_id", "P7", "duplicate_id", "first in row 2")], refused("p_duplicate_ids.csv", 1, 1),
      kind="participants"),
    C("p_impossible_date.csv", "participants", "joined on 31-02-2025",
      b"participant_id,name,network,joined\nP8,Anouk,Rekenen,31-02-2025\nP9,Bram,Rekenen,15-02-2025\n", "rejected",
      [prob(2, "joined", "31-02-2025", "date_not_exist", "dd-mm-yyyy")], refused("p_impossible_date.csv", 1, 1),
      kind="participants"),
    C("p_unknown_role.csv", "participants", "unknown role (stored as other)", P_HEAD + "P9,Anouk,Rekenen,S,hacker\n",
      "imported", [prob(2, "role", "hacker", "unknown_role", severity="warning")], kind="participants",
      stored={"SELECT role, role_label FROM participants WHERE participant_id = 'P9'": [("other", "hacker")]}),
    C("p_formula.csv", "participants", "formula injection in name and organisation",
      P_HEAD + 'P8,"=HYPERLINK(""http://x"",""y"")",Rekenen,+SUM(1;2),teacher\nP9,@cmd,Rekenen,-1+2,teacher\n',
      "imported", kind="participants",
      stored={"SELECT participant_id, name, organisation FROM participants WHERE import_id = 6 ORDER BY 1":
              [("P8", HYPERLINK, "+SUM(1;2)"), ("P9", "@cmd", "-1+2")]}),
    C("p_script.csv", "participants", "script and markup in name and organisation",
      P_HEAD + f"P9,{IMG},Rekenen,{SCRIPT},teacher\n", "imported", kind="participants",
      stored={"SELECT name, organisation FROM participants WHERE participant_id = 'P9'": [(IMG, SCRIPT)]}),
    C("p_sql_header.csv", "participants", "SQL-looking column name", b'participant_id,"x""; DROP TABLE ties; --",network\n'
      b"P9,a,Rekenen\n", "imported", kind="participants",
      stored={"SELECT count(*) FROM ties": [(2,)]}),
    C("p_sql_values.csv", "participants", "SQL-looking id and name",
      P_HEAD + f'"{SQL_ID}",{SQL_NAME},Rekenen,School,teacher\n', "imported", kind="participants",
      stored={"SELECT participant_id, name FROM participants WHERE import_id = 6": [(SQL_ID, SQL_NAME)],
              "SELECT count(*) FROM ties": [(2,)]}),
    C("p_xlsx_renamed.csv", "participants", "an Excel workbook renamed .csv",
      lambda: _xlsx([["participant_id", "name", "network"], ["P9", "Anouk", "Rekenen"]]), "imported",
      kind="participants", stored={"SELECT name FROM participants WHERE participant_id = 'P9'": [("Anouk",)]}),
    C("p_csv_renamed.xlsx", "participants", "a CSV renamed .xlsx", P_HEAD + "P9,Anouk,Rekenen,S,teacher\n", "failed",
      unreadable("has an Excel name but is not an Excel workbook (.xlsx)"),
      "p_csv_renamed.xlsx: has an Excel name but is not an Excel workbook (.xlsx)"),
    C("p_broken.xlsx", "participants", "an .xlsx that is no zip archive (zip magic, then zeros)",
      b"PK\x03\x04" + b"\x00" * 200, "failed", unreadable("is not a readable Excel workbook (BadZipFile: File is not a zip file)"),
      "p_broken.xlsx: is not a readable Excel workbook (BadZipFile: File is not a zip file)"),
    C("p_not_a_workbook.xlsx", "participants", "a valid zip without a workbook inside",
      lambda: _zip({"hello.txt": b"hi"}), "failed", unreadable("is not a readable Excel workbook (KeyError: There is no item named '[Content_Types].xml' in the archive)"),
      "p_not_a_workbook.xlsx: is not a readable Excel workbook (KeyError: There is no item named "
      "'[Content_Types].xml' in the archive)"),
    C("p_truncated_sheet.xlsx", "participants", "an .xlsx whose sheet XML is cut off half-way", _xlsx_truncated_sheet,
      "failed", unreadable("is a damaged Excel workbook: sheet 'Sheet' cannot be read from row 1 on (ParseError: unclosed "
                           "token: line 1, column 474); open and save it again in Excel, or export it as CSV", 1),
      "p_truncated_sheet.xlsx, row 1: is a damaged Excel workbook: sheet 'Sheet' cannot be read from row 1 on "
      "(ParseError: unclosed token: line 1, column 474); open and save it again in Excel, or export it as CSV"),
    C("p_bad_shared_string.xlsx", "participants", "an .xlsx cell pointing past the end of the shared strings",
      _xlsx_bad_shared_string, "failed",
      unreadable("is a damaged Excel workbook: sheet 'Sheet' cannot be read from row 3 on (IndexError: list index "
                 "out of range); open and save it again in Excel, or export it as CSV", 3),
      "p_bad_shared_string.xlsx, row 3: is a damaged Excel workbook: sheet 'Sheet' cannot be read from row 3 on "
      "(IndexError: list index out of range); open and save it again in Excel, or export it as CSV"),
    C("p_bomb.xlsx", "participants", "zip-bomb-like .xlsx: 105 KB expanding to 100 MB", functools.partial(_xlsx_bomb, 100),
      "failed", unreadable("unpacks to 981 times its size (104.9 MB from 0.1 MB); ordinary workbooks stay under 50 times (setting NETWERKLEREN_XLSX_MAX_RATIO). That is no ordinary workbook; export it as CSV if it is one."),
      "p_bomb.xlsx: unpacks to 981 times its size (104.9 MB from 0.1 MB); ordinary workbooks stay under 50 times (setting NETWERKLEREN_XLSX_MAX_RATIO). That is no ordinary workbook; export it as CSV if it is one."),
    C("p_old.xls", "participants", "old Excel (.xls, OLE2)", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000,
      "failed", unreadable("this is an old Excel file (.xls); save it as .xlsx or CSV and try again"),
      "p_old.xls: this is an old Excel file (.xls); save it as .xlsx or CSV and try again"),
    C("p_unknown_headers.csv", "participants", "no header we know", b"foo,bar\n1,2\n", "failed",
      [prob(None, None, None, "unknown_kind", "cannot tell which kind of data this is from its headers (foo, bar); "
            "choose the kind (--kind) or map the columns")],
      "p_unknown_headers.csv: cannot tell which kind of data this is from its headers (foo, bar); choose the kind "
      "(--kind) or map the columns"),
    # ---------------------------------------------------------------- dimension_scores
    C("d_impossible_date.csv", "dimension_scores", "survey date 31-02-2025",
      "network;datum;participant_id;1a (0-10);1b (0-10)\nRekenen;31-02-2025;P1;3;4\nRekenen;15-02-2025;P2;4;5\n",
      "rejected", [prob(2, "datum", "31-02-2025", "date_not_exist", "dd-mm-yyyy")],
      refused("d_impossible_date.csv", 1, 1), kind="dimension_scores"),
    C("d_nan_negative.csv", "dimension_scores", "NaN, negative and infinite scores",
      b"network,date,participant_id,1a (0-10),1b (0-10)\nRekenen,2025-01-10,P1,NaN,3\n"
      b"Rekenen,2025-01-10,P2,-2,4\nRekenen,2025-01-10,P3,inf,4\n", "rejected",
      [prob(2, "1a (0-10)", "NaN", "not_a_number"), prob(3, "1a (0-10)", "-2", "outside_scale", "0–10"),
       prob(4, "1a (0-10)", "inf", "not_a_number")], refused("d_nan_negative.csv", 3, 3), kind="dimension_scores"),
    C("d_unknown_indicator.csv", "dimension_scores", "indicator 9z",
      b"network,date,participant_id,indicator,score (0-10)\nRekenen,2025-01-10,P1,9z,4\nRekenen,2025-01-10,P1,1a,4\n",
      "rejected", [prob(2, "indicator", "9z", "unknown_indicator", "1a, 1b, 2a, 2b, 3a, 3b, 3c, 4a, 4b, 4c, 4d")],
      refused("d_unknown_indicator.csv", 1, 1), kind="dimension_scores"),
    C("d_only_unknown_indicator.csv", "dimension_scores", "wide scores whose only indicator column is 9z",
      b"network,date,participant_id,9z (0-10)\nRekenen,2025-01-10,P1,4\n", "failed",
      [prob(None, None, None, "unknown_kind", "cannot tell which kind of data this is from its headers (network, "
            "date, participant_id, 9z (0-10)); choose the kind (--kind) or map the columns")],
      "d_only_unknown_indicator.csv: cannot tell which kind of data this is from its headers (network, date, "
      "participant_id, 9z (0-10)); choose the kind (--kind) or map the columns"),
    C("d_unknown_situation.csv", "dimension_scores", "situation 'ergens'",
      b"network,date,participant_id,situation,1a (0-10)\nRekenen,2025-01-10,P1,ergens,4\n"
      b"Rekenen,2025-01-10,P2,huidig,5\n", "rejected", [prob(2, "situation", "ergens", "unknown_situation")],
      refused("d_unknown_situation.csv", 1, 1), kind="dimension_scores"),
    C("d_huge_values.csv", "dimension_scores", "score 1e308 (no scale fits)",
      b"network,date,participant_id,1a,1b\nRekenen,2025-01-10,P1,1e308,3\nRekenen,2025-01-10,P2,2,-1\n", "rejected",
      # The other values suggest 1-5, which the coach must confirm (issue 13): never imported on a guess.
      [prob(2, "1a", "1e308", "above_every_scale", "1–5, 1–7, 0–10, 0–100"),
       prob(3, "1b", "-1", "below_every_scale", "1–5, 1–7, 0–10, 0–100"),
       prob(None, None, None, "scale_unconfirmed", "1-5")],
      "d_huge_values.csv: the file does not state its scale (values seen: 2–3). Confirm or change it: pass "
      "--scale 1-5 if that is the form's scale, or the real one (e.g. --scale 1-7).", kind="dimension_scores"),
    C("d_no_network.csv", "dimension_scores", "required network missing in a row",
      b"network,date,participant_id,1a (0-10),1b (0-10)\n,2025-01-10,P1,4,5\n", "rejected",
      [prob(2, "network", "", "missing_value")], refused("d_no_network.csv", 1, 1), kind="dimension_scores"),
    # ---------------------------------------------------------------- value_reports
    C("v_unknown_cycle.csv", "value_reports", "cycle 'heel veel'",
      b"network,participant_id,date,cycle,description\nRekenen,P1,2025-01-10,heel veel,x\n"
      b"Rekenen,P1,2025-01-10,applied,y\n", "rejected", [prob(2, "cycle", "heel veel", "unknown_cycle")],
      refused("v_unknown_cycle.csv", 1, 1), kind="value_reports"),
    C("v_formula_story.csv", "value_reports", "formula injection in story and evidence",
      b'network,participant_id,date,cycle,description,evidence\n'
      b'Rekenen,P1,2025-01-10,applied,"=HYPERLINK(""http://x"",""y"")",@SUM(A1)\n', "imported", kind="value_reports",
      stored={"SELECT description, evidence FROM value_reports WHERE import_id = 6": [(HYPERLINK, "@SUM(A1)")]}),
    C("v_script_story.csv", "value_reports", "script and markup in a story",
      f"network,participant_id,date,cycle,description\nRekenen,P1,2025-01-10,applied,{SCRIPT}{IMG}\n", "imported",
      kind="value_reports",
      stored={"SELECT description FROM value_reports WHERE import_id = 6": [(SCRIPT + IMG,)]}),
    C("v_150k_story.csv", "value_reports", "a 150,000-character story (over the reader's field limit)",
      "network,participant_id,date,cycle,description\nRekenen,P1,2025-01-10,applied," + "w" * 150_000 + "\n",
      "failed", unreadable("cannot be split into columns (field larger than field limit (131072))", 2),
      "v_150k_story.csv, row 2: cannot be split into columns (field larger than field limit (131072))"),
    C("v_bad_yes_no.csv", "value_reports", "'misschien' in a yes/no cycle column",
      b"network,participant_id,date,directe waarde,toegepaste waarde\nRekenen,P1,2025-01-10,ja,misschien\n",
      "rejected", [prob(2, "toegepaste waarde", "misschien", "not_yes_no")], refused("v_bad_yes_no.csv", 1, 1),
      kind="value_reports"),
    C("v_no_period.csv", "value_reports", "neither date nor wave in a row",
      b"network,participant_id,date,cycle\nRekenen,P1,,applied\n", "rejected",
      [prob(2, "date", "", "no_period")], refused("v_no_period.csv", 1, 1), kind="value_reports"),
    # ---------------------------------------------------------------- ties
    C("t_self_loops.csv", "ties", "only self-loops", b"network,source,target,date\nRekenen,P1,P1,2025-01-10\n"
      b"Rekenen,P2,P2,2025-01-10\n", "imported",
      [prob(2, "target", "P1", "self_loop", severity="skipped"), prob(3, "target", "P2", "self_loop",
                                                                       severity="skipped")],
      kind="ties", stored={"SELECT count(*) FROM ties WHERE import_id = 6": [(0,)]}),
    C("t_unknown_people.csv", "ties", "ties to and from unknown people",
      b"network,source,target,date\nRekenen,P1,X99,2025-01-10\nRekenen,Y98,P2,2025-01-10\n", "imported",
      [prob(2, "target", "X99", "external_person", "X99", "warning"),
       prob(3, "source", "Y98", "external_person", "Y98", "warning")], kind="ties",
      stored={"SELECT participant_id, external FROM participants WHERE import_id = 6 ORDER BY 1":
              [("X99", True), ("Y98", True)]}),
    C("t_bad_weights.csv", "ties", "negative, NaN and word weights",
      b"network,source,target,date,weight\nRekenen,P1,P2,2025-01-10,-3\nRekenen,P2,P1,2025-01-10,NaN\n"
      b"Rekenen,P1,P3,2025-01-10,veel\n", "rejected",
      [prob(2, "weight", "-3", "negative_weight"), prob(3, "weight", "NaN", "not_a_number"),
       prob(4, "weight", "veel", "not_a_number")], refused("t_bad_weights.csv", 3, 3), kind="ties"),
    C("t_unknown_channel.csv", "ties", "channel 'telepathie', tie type 'vriendschap'",
      b"network,source,target,date,channel,tie_type\nRekenen,P1,P2,2025-01-10,telepathie,vriendschap\n", "imported",
      [prob(2, "channel", "telepathie", "unknown_channel", severity="warning")], kind="ties",
      stored={"SELECT channel, tie_type FROM ties WHERE import_id = 6": [("telepathie", "vriendschap")]}),
    C("t_sql_values.csv", "ties", "SQL-looking tie end",
      b"network,source,target,date\nRekenen,P1,\"P2'); DROP TABLE ties; --\",2025-01-10\n", "imported",
      [prob(2, "target", "P2'); DROP TABLE ties; --", "external_person", "P2'); DROP TABLE ties; --", "warning")],
      kind="ties", stored={"SELECT count(*) FROM ties": [(3,)]}),
    C("t_missing_ends.csv", "ties", "empty source and target",
      b"network,source,target,date\nRekenen,,P2,2025-01-10\nRekenen,P1,,2025-01-10\n", "rejected",
      [prob(2, "source", "", "missing_value"), prob(3, "target", "", "missing_value")],
      refused("t_missing_ends.csv", 2, 2), kind="ties"),
    C("t_same_again.csv", "ties", "the base ties file again under another name", BASE_FILES["base_ties.csv"],
      "duplicate", message=f"t_same_again.csv: the same content was already imported (import {BASE_TIES_IMPORT_ID}).",
      kind="ties"),
    C("t_formula_people.csv", "ties", "formula as a tie end (becomes an external person)",
      b'network,source,target,date\nRekenen,P1,"=HYPERLINK(""http://x"",""y"")",2025-01-10\n', "imported",
      [prob(2, "target", HYPERLINK, "external_person", HYPERLINK, "warning")], kind="ties",
      stored={"SELECT target FROM ties WHERE import_id = 6": [(HYPERLINK,)]}),
    # ---------------------------------------------------------------- events
    C("e_impossible_date.csv", "events", "31-02-2025 and month 13",
      b"network,date,label\nRekenen,31-02-2025,Studiedag\n,2025-13-01,x\n", "rejected",
      [prob(2, "date", "31-02-2025", "date_not_exist", "dd-mm-yyyy"),
       prob(3, "date", "2025-13-01", "date_not_exist", "dd-mm-yyyy")], refused("e_impossible_date.csv", 2, 2),
      kind="events"),
    C("e_far_future.csv", "events", "year 9999", b"network,date,label\nRekenen,9999-01-01,Einde\n", "rejected",
      [prob(2, "date", "9999-01-01", "date_out_of_range")], refused("e_far_future.csv", 1, 1), kind="events"),
    C("e_missing_label.csv", "events", "empty label", b"network,date,label\nRekenen,2025-01-10,\n", "rejected",
      [prob(2, "label", "", "missing_value")], refused("e_missing_label.csv", 1, 1), kind="events"),
    C("e_script_label.csv", "events", "markup in a label", f"network,date,label\nRekenen,2025-01-10,{IMG}\n",
      "imported", kind="events", stored={"SELECT label FROM events WHERE import_id = 6": [(IMG,)]}),
    C("e_sql_header.csv", "events", "SQL-looking header and label",
      b'network,date,label,"x""; DROP TABLE events; --"\nRekenen,2025-02-01,"\'); DROP TABLE events; --",1\n',
      "imported", kind="events",
      stored={"SELECT label FROM events ORDER BY import_id": [("Studiedag",), ("'); DROP TABLE events; --",)]}),
]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, d in members.items():
            z.writestr(n, d)
    return out.getvalue()


BY_NAME = {c.name: c for c in CASES}


def test_the_catalogue_covers_thirty_files_in_all_five_tables():
    assert len(CASES) >= 30 and len(BY_NAME) == len(CASES)
    assert {c.table for c in CASES} == {"participants", "dimension_scores", "value_reports", "ties", "events"}
    assert {c.status for c in CASES} == {"imported", "rejected", "failed", "duplicate"}


# ------------------------------------------------------------------------------------------- one file at a time


@dataclass
class Outcome:
    report: importer.ImportReport
    before: dict
    after: dict
    seconds: float
    stored: dict[str, list[tuple]]


def _problem_rows(report: importer.ImportReport) -> list[tuple]:
    out = []
    for r in report.problems.to_dict(orient="records"):
        def clean(v):
            return None if v is None or (isinstance(v, float) and v != v) or v is pd.NA else v
        row = clean(r["row"])
        out.append((None if row is None else int(row), clean(r["column"]), clean(r["value"]), r["code"],
                    clean(r["detail"]), r["severity"]))
    return out


_OUTCOMES: dict[str, Outcome] = {}


def outcome(case: Case, base_db: Path, work: Path) -> Outcome:
    """Import ``case`` into a copy of the base store (once per test session; the slow cases are reused)."""
    if case.name in _OUTCOMES:
        return _OUTCOMES[case.name]
    db = work / f"{case.name}.duckdb"
    shutil.copy(base_db, db)
    path = work / case.name
    path.write_bytes(case.data())
    con = store.connect(db)
    try:
        before = store.table_checksums(con)
        t0 = time.perf_counter()
        report = importer.import_file(con, path)
        seconds = time.perf_counter() - t0
        after = store.table_checksums(con)
        stored = {sql: rows(con, sql) for sql in (case.stored or {})}
    finally:
        con.close()
    db.unlink()
    path.unlink()
    _OUTCOMES[case.name] = Outcome(report, before, after, seconds, stored)
    return _OUTCOMES[case.name]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile_work")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_has_its_exact_outcome(case: Case, base_db, work):
    o = outcome(case, base_db, work)
    r = o.report
    assert (r.status, r.kind) == (case.status, case.kind), r.message
    assert _problem_rows(r) == case.problems
    assert r.message == case.message
    assert set(r.problems["file"]) <= {case.name}
    if case.status in ("failed", "rejected", "duplicate"):
        assert o.after == o.before, "a refused file changed the store"
        assert r.import_id is None and r.rows_stored == 0
    else:
        assert o.after != o.before
        assert o.after["imports"][0] == o.before["imports"][0] + 1 and r.import_id == 6
        assert o.stored == case.stored
    # Every table of the base store is still there with its rows (nothing dropped, whatever the file said).
    for table, (n, _) in o.before.items():
        assert o.after[table][0] >= n, table


def test_every_hostile_file_is_answered_within_a_bound(base_db, work):
    """No file may hang the importer: each is answered in bounded time (the wide header is the slowest)."""
    slow = {c.name: round(outcome(c, base_db, work).seconds, 2) for c in CASES}
    assert max(slow.values()) < 10, slow
    print("\nseconds per file:", json.dumps(dict(sorted(slow.items(), key=lambda kv: -kv[1])[:8])))


def test_validate_writes_nothing_and_agrees_with_import(base_db, work):
    """``validate_file`` (what the Data page shows first) reports the same problems and writes nothing."""
    db = work / "validate.duckdb"
    shutil.copy(base_db, db)
    con = store.connect(db)
    try:
        before = store.table_checksums(con)
        for case in CASES:
            if case.status == "duplicate":
                continue
            r = importer.validate_file(con, case.data(), file_name=case.name)
            expected = {"imported": "validated", "rejected": "validated", "failed": "failed"}[case.status]
            assert r.status == expected, (case.name, r.message)
            assert _problem_rows(r) == case.problems, case.name
            assert bool(r.errors) == (case.status in ("rejected", "failed")), case.name
        assert store.table_checksums(con) == before
    finally:
        con.close()


# ------------------------------------------------------------------------------------------- through the CLI


def _cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=str(ROOT))


CLI_TIMEOUT_S = 120
#: Every file of the catalogue goes into the folder (a folder import also lists .xls files, to refuse them).
IN_FOLDER = CASES


@pytest.fixture(scope="module", autouse=True)
def cli_folder_import(base_db, tmp_path_factory):
    """``python -m analytics import DIR --json`` over the hostile folder, started when this module starts so
    that it runs on the second core while the in-process cases run (it reads every file twice: once to sort
    the folder by kind, once to import). Yields a function that waits for it (bounded) and returns
    (completed process, seconds, db path); the process is killed at the end if it is still running."""
    work = tmp_path_factory.mktemp("hostile_cli")
    folder = work / "hostile"
    folder.mkdir()
    for c in IN_FOLDER:
        (folder / c.name).write_bytes(c.data())
    db = work / "cli.duckdb"
    shutil.copy(base_db, db)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "import", str(folder), "--db", str(db), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT))
    done: dict = {}

    def wait():
        if not done:
            out, err = proc.communicate(timeout=CLI_TIMEOUT_S)
            done["result"] = (subprocess.CompletedProcess(proc.args, proc.returncode, out, err),
                              time.perf_counter() - t0, db)
        return done["result"]

    yield wait
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


def test_cli_imports_the_whole_hostile_folder_then_a_healthy_file(cli_folder_import, tmp_path):
    out, seconds, db = cli_folder_import()
    assert out.returncode == 1, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    got = {r["file"]: r["status"] for r in json.loads(out.stdout)}
    everything = IN_FOLDER
    # In one store the files meet each other, yet each has the outcome it has alone.
    assert got == {c.name: c.status for c in everything}
    # Every refused file is named on stderr with its message, and nothing else is said there.
    refused_cases = [c for c in everything if c.status in ("rejected", "failed")]
    assert sorted(out.stderr.splitlines()) == sorted(f"error: {c.message}" for c in refused_cases)

    con = store.connect(db, read_only=True)
    try:
        imported = sorted(r[0] for r in rows(con, "SELECT file_name FROM imports WHERE import_id > 5"))
    finally:
        con.close()
    assert imported == sorted(c.name for c in IN_FOLDER if c.status == "imported")

    healthy = tmp_path / "healthy.csv"
    healthy.write_text("participant_id,name,network\nH1,Hanna,Rekenen\nH2,Henk,Rekenen\n", encoding="utf-8")
    ok = _cli("import", str(healthy), "--db", str(db))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"✓ healthy.csv: 2 row(s) imported as participants (import {6 + len(imported)})")
    print(f"\nCLI: {len(everything)} hostile files in {seconds:.1f} s (in the background); "
          f"{len(refused_cases)} refused, each named on stderr")


# ------------------------------------------------------------------------------------------- exports


def _csv_cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


FORMULA_TEXTS = {HYPERLINK, "+SUM(1;2)", "@cmd", "-1+2", "@SUM(A1)"}


def test_formula_cells_from_imported_files_are_neutralised_in_csv_exports():
    from analytics.measures import network as tm
    from analytics.measures import ties as tq
    from analytics.measures import value_creation as vc

    con = store.connect(":memory:")
    try:
        for name in ("p_formula.csv", "v_formula_story.csv", "t_formula_people.csv"):
            r = importer.import_file(con, BY_NAME[name].data(), file_name=name)
            assert r.status == "imported", r.message
        exports = {
            "people": safe_csv(pd.DataFrame(rows(con, "SELECT participant_id, name, organisation FROM people"),
                                            columns=["participant_id", "name", "organisation"])),
            "stories": safe_csv(vc.stories(con, vc.Filters())),
        }
        period = rows(con, "SELECT DISTINCT period FROM ties")[0][0]
        G, _ = tq.graph(con, tq.TieFilters(network="Rekenen", periods=(period,)))
        _, people = tm.measure_all(G)
        exports["tie_people"] = safe_csv(people.drop(columns=["participant_id"]))
        exports["tie_edges"] = safe_csv(tm.edge_frame(G))
    finally:
        con.close()
    seen = set()
    for what, data in exports.items():
        for cell in (c for row in _csv_cells(data) for c in row):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (what, cell)
            if cell.startswith("'") and cell[1:] in FORMULA_TEXTS:
                seen.add(cell[1:])
    assert seen == FORMULA_TEXTS, seen


def test_cli_rejected_rows_file_is_neutralised(tmp_path):
    """``--rejected-out`` writes the refused rows as they were: formula text in them is neutralised too."""
    f = tmp_path / "p_formula_dup.csv"
    f.write_text(P_HEAD + "P7,Anouk,Rekenen,A,teacher\nP7,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",Rekenen,B,teacher\n",
                 encoding="utf-8")
    out_csv = tmp_path / "rejected.csv"
    r = _cli("import", str(f), "--db", str(tmp_path / "r.duckdb"), "--skip-invalid", "--rejected-out", str(out_csv))
    assert r.returncode == 0, r.stderr
    cells = _csv_cells(out_csv.read_bytes())
    assert cells[0][:4] == ["file", "row", "reasons", "participant_id"]
    assert cells[1][:5] == ["p_formula_dup.csv", "3", "participant_id: duplicate_id (first in row 2)", "P7", "'" + HYPERLINK]


# ------------------------------------------------------------------------------------------- the pages (AppTest)


@pytest.fixture
def hostile_app(tmp_path, monkeypatch):
    """The app on a store whose names, organisations and stories are hostile, out of pages-folder mode."""
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit import config as st_config
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    class _LeavesFolderMode(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    db = tmp_path / "hostile_app.duckdb"
    con = store.connect(db)
    try:
        people = P_HEAD + f"P1,{IMG},Rekenen,{SCRIPT},teacher\nP2,Bram,Rekenen,{IMG},teacher\n" \
                          "P3,Cas,Rekenen,School B,coach\nP4,Dirk,Rekenen,School B,teacher\n"
        ties = "network,source,target,date\n" + "".join(
            f"Rekenen,{a},{b},2025-03-01\n" for a, b in
            [("P1", "P2"), ("P2", "P1"), ("P3", "P1"), ("P4", "P1"), ("P2", "P3"), ("P4", "P3")])
        dims = "network,date,participant_id,1a (0-10),1b (0-10)\n" + "".join(
            f"Rekenen,2025-03-01,P{i},{i + 3},{8 - i}\n" for i in range(1, 5))
        values = ("network,participant_id,date,cycle,description\n"
                  f"Rekenen,P1,2025-03-01,applied,{SCRIPT}{IMG}\nRekenen,P2,2025-03-01,potential,Gewoon\n")
        for name, text in (("people.csv", people), ("ties.csv", ties), ("dims.csv", dims), ("values.csv", values)):
            r = importer.import_file(con, text.encode(), file_name=name)
            assert r.status == "imported", r.message
    finally:
        con.close()
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    monkeypatch.setattr(app_test_module, "PagesManager", _LeavesFolderMode)
    old = st_config.get_option("client.showErrorDetails")
    st_config.set_option("client.showErrorDetails", "full")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    # Names are shown (privacy by default would replace them by codes, and the point here is how they show).
    at.session_state["pseudonymise"] = False
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    yield at
    st_config.set_option("client.showErrorDetails", old)
    PagesManager.uses_pages_directory = None


def _texts_of_tables(at) -> str:
    return "\n".join(df.value.astype(str).to_csv() for df in at.dataframe)


def _markdown_html_paths(at) -> list[str]:
    """Markdown elements allowed to carry HTML (``unsafe_allow_html``) whose body holds data."""
    out = []
    for el in [*at.markdown, *at.caption]:
        if el.proto.allow_html and any(s in el.value for s in (IMG, SCRIPT, "onerror", "<script")):
            out.append(el.value)
    return out


@pytest.mark.parametrize("page,needle", [
    ("pages/dimensions.py", IMG),  # the marks table of the shared picture: who marked what
    ("pages/values.py", SCRIPT + IMG),  # the stories table
    ("pages/ties.py", IMG),  # the people table (and the legend, coloured by organisation)
])
def test_hostile_names_show_as_literal_text_on_the_pages(hostile_app, page, needle):
    at = hostile_app
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    tables = _texts_of_tables(at)
    assert needle in tables, f"{needle!r} not shown literally in any table"
    assert _markdown_html_paths(at) == []
    # st.html is the one HTML path (the tie-map legend): data in it must arrive escaped.
    for el in at.get("html"):
        body = el.proto.body
        assert IMG not in body and SCRIPT not in body, body[:500]
    if page == "pages/ties.py":
        legends = [el.proto.body for el in at.get("html")]
        assert any("&lt;img src=x onerror=alert(1)&gt;" in b for b in legends), legends


# ------------------------------------------------------------------------------------------- bugs found, now fixed
# Each of these was a strict xfail when the suite found it (fixed in 1b8cf35); the catalogue above holds the exact
# outcome now, these say what the bug was.


def test_regression_wide_header_is_answered_at_once(base_db, work):
    """Was: no limit on the number of columns; 10,000 took ~4-10 s, 20,000 ~8-25 s, growing with the width."""
    o = outcome(BY_NAME["p_10000_columns.csv"], base_db, work)
    assert o.report.status == "failed" and o.seconds < 1.0, f"{o.report.status}, {o.seconds:.1f} s"


def test_regression_xlsx_bomb_is_refused_before_parsing(base_db, work):
    """Was: a 1 MB .xlsx expanding to 1 GB was parsed in full (4.5 s, peak memory 150 MB -> 1.18 GB) and imported."""
    o = outcome(BY_NAME["p_bomb.xlsx"], base_db, work)
    assert o.report.status == "failed" and o.seconds < 1.0 and o.after == o.before


def test_regression_row_with_other_delimiter_is_pointed_at(base_db, work):
    """Was: in a ';' file the row 'P9,Bram,Rekenen' was stored as participant 'P9,Bram,Rekenen', without a word."""
    o = outcome(BY_NAME["p_other_delimiter_row.csv"], base_db, work)
    assert o.report.status == "rejected" and [r[:4] for r in _problem_rows(o.report)] == [
        (3, "participant_id", "P9,Bram,Rekenen", "other_delimiter")]


def test_regression_late_nul_byte_is_refused_like_an_early_one(base_db, work):
    """Was: a NUL past the first 256 KB was stored in the name ('An\\x00ouk') and went on into exports."""
    o = outcome(BY_NAME["p_nul_late.csv"], base_db, work)
    assert o.report.status == "failed" and o.after == o.before


def test_regression_big_file_counts_the_fields_of_a_long_row(base_db, work):
    """Was: over 4 MB, a 7-field (or 12-field) row was reported as '6 fields where the header has 5'."""
    o = outcome(BY_NAME["p_too_many_fields_big.csv"], base_db, work)
    assert "this row has 7 fields" in o.report.message


def test_regression_scores_file_with_unknown_codes_does_not_wipe_names(base_db, work):
    """Was: taken for a participants file and imported; the people view (latest row wins) then lost P1's name,
    school and role on every page."""
    o = outcome(BY_NAME["d_only_unknown_indicator.csv"], base_db, work)
    assert o.report.kind is None and o.after == o.before


def test_regression_a_membership_file_keeps_names(base_db, work):
    """The other half of that bug: a later file that only lists ids and networks keeps everyone's details."""
    db = work / "members.duckdb"
    shutil.copy(base_db, db)
    con = store.connect(db)
    try:
        r = importer.import_file(con, b"participant_id,network\nP1,Taal\nP2,Taal\n", file_name="members.csv")
        assert r.status == "imported" and r.kind == "participants", r.message
        assert rows(con, "SELECT participant_id, name, organisation, role FROM people WHERE participant_id IN "
                         "('P1', 'P2') ORDER BY 1") == [("P1", "Anouk de Vries", "OBS De Regenboog", "teacher"),
                                                          ("P2", "Bram Jansen", "Pabo Noord", "student_teacher")]
    finally:
        con.close()


def test_regression_folder_import_names_an_xls_file(tmp_path):
    """Was: a folder import skipped .xls files silently (no advice, exit code 0)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deelnemers.xls").write_bytes(BY_NAME["p_old.xls"].data())
    (folder / "ok.csv").write_text("participant_id,name,network\nH1,Hanna,Rekenen\n", encoding="utf-8")
    out = _cli("import", str(folder), "--db", str(tmp_path / "x.duckdb"))
    assert out.returncode == 1
    assert out.stderr.splitlines() == ["error: deelnemers.xls: this is an old Excel file (.xls); save it as .xlsx or "
                                       "CSV and try again"]
    assert "✓ ok.csv: 1 row(s) imported as participants" in out.stdout
