"""The size and shape guard (analytics/ingest/guard.py): bombs generated here, never committed.

Each test proves the refusal happens before a parser runs: openpyxl's ``load_workbook`` is replaced by a
function that fails the test, and the messages name the limit's setting.
"""

from __future__ import annotations

import io
import os
import zipfile

import openpyxl
import pytest

from analytics.ingest import guard, importer, readers
from analytics.store import database as store


def _workbook(rows: list[list], sheets: int = 1) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    for i in range(1, sheets):
        wb.create_sheet(f"S{i}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = [["participant_id", "name", "network"], ["P1", "Anouk", "Rekenen"], ["P2", "Bram", "Rekenen"]]


def _with_sheet_xml(filler: bytes, repeat: int) -> bytes:
    """A valid workbook whose first sheet carries ``filler`` x ``repeat`` inside <sheetData>."""
    good = _workbook(GOOD)
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
                for _ in range(repeat):
                    w.write(filler)
                w.write(tail)
    return out.getvalue()


def _rewritten(data: bytes, add: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z, zipfile.ZipFile(io.BytesIO(data)) as g:
        for n in g.namelist():
            z.writestr(n, add.pop(n, g.read(n)))
        for n, d in add.items():
            z.writestr(n, d)
    return out.getvalue()


@pytest.fixture
def no_parser(monkeypatch):
    """Any attempt to parse the workbook fails the test: the guard must refuse first."""

    def boom(*a, **k):
        raise AssertionError("openpyxl was asked to parse a file the guard should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", boom)


def test_ratio_bomb_refused_from_the_directory(no_parser):
    # 60 MB of blanks: about 60 KB on disk, unpacking ~1,000 times its size (the issue's 1.4 MB workbook)
    bomb = _with_sheet_xml(b" " * (1 << 20), 60)
    assert len(bomb) < 200_000
    with pytest.raises(guard.GuardError) as e:
        guard.check_bytes(bomb, "bom.xlsx")
    assert e.value.limit == "XLSX_MAX_RATIO"
    assert "NETWERKLEREN_XLSX_MAX_RATIO" in str(e.value) and str(e.value).startswith("bom.xlsx: unpacks to")


def test_big_unpacked_workbook_refused_even_at_an_ordinary_ratio(no_parser, monkeypatch):
    # The issue's 2.7 MB workbook unpacking to 285 MB passed the old guard (ratio 105 < 200, 285 < 300 MB).
    # Scaled down: random hex unpacks only ~2x, so only the size limit (lowered to 3 MB here) catches it.
    monkeypatch.setenv("NETWERKLEREN_XLSX_MAX_UNPACKED_MB", "3")
    wb = _with_sheet_xml(os.urandom(1 << 19).hex().encode(), 4)  # 4 MB of text, ~2 MB compressed
    shape = zipfile.ZipFile(io.BytesIO(wb))
    unpacked = sum(i.file_size for i in shape.infolist())
    assert unpacked / len(wb) < 5
    with pytest.raises(guard.GuardError) as e:
        guard.check_bytes(wb, "groot.xlsx")
    assert e.value.limit == "XLSX_MAX_UNPACKED_MB"
    assert "at most 3.0 MB is read" in str(e.value)


def test_default_limits_refuse_the_issue_workbook_shape():
    # 285 MB from 2.7 MB: over the default unpacked limit (100 MB) and the default ratio (50)
    assert 285 > guard.limits.get("XLSX_MAX_UNPACKED_MB")
    assert 285 / 2.7 > guard.limits.get("XLSX_MAX_RATIO")


def test_too_many_sheets(no_parser):
    wb = _workbook(GOOD, sheets=60)
    with pytest.raises(guard.GuardError) as e:
        guard.check_bytes(wb, "tabs.xlsx")
    assert e.value.limit == "XLSX_MAX_SHEETS"
    assert "has 60 sheets; at most 50" in str(e.value)


def test_declared_shared_strings_over_the_limit(no_parser):
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main" count="9000000" uniqueCount="5000000"><si><t>a</t></si></sst>')
    wb = _rewritten(_workbook(GOOD), {"xl/sharedStrings.xml": sst})
    with pytest.raises(guard.GuardError) as e:
        guard.check_bytes(wb, "strings.xlsx")
    assert e.value.limit == "XLSX_MAX_SHARED_STRINGS"
    assert "declares 9,000,000 shared strings" in str(e.value)


def test_too_many_zip_entries(no_parser):
    wb = _rewritten(_workbook(GOOD), {f"xl/media/x{i}.bin": b"" for i in range(2_100)})
    with pytest.raises(guard.GuardError) as e:
        guard.check_bytes(wb, "parts.xlsx")
    assert e.value.limit == "XLSX_MAX_ENTRIES"


def test_file_size_checked_from_the_file_system(tmp_path, monkeypatch):
    monkeypatch.setenv("NETWERKLEREN_MAX_FILE_MB", "0.01")  # 10 kB
    p = tmp_path / "big.csv"
    p.write_text("participant_id,name\n" + "P1,Anouk\n" * 2000, encoding="utf-8")
    with pytest.raises(guard.GuardError) as e:
        guard.check_path(p)
    assert e.value.limit == "MAX_FILE_MB" and "NETWERKLEREN_MAX_FILE_MB" in str(e.value)


def test_an_ordinary_workbook_passes_and_is_described():
    wb = _workbook(GOOD, sheets=3)
    shape = guard.check_bytes(wb, "ok.xlsx")
    assert shape.sheets == 3 and shape.entries > 5 and shape.unpacked > len(wb)
    assert shape.shared_strings == 0  # openpyxl writes inline strings only when asked; none here


def test_a_bad_limit_setting_never_switches_the_limit_off(monkeypatch):
    monkeypatch.setenv("NETWERKLEREN_XLSX_MAX_RATIO", "0")
    assert guard.limits.get("XLSX_MAX_RATIO") == 50
    monkeypatch.setenv("NETWERKLEREN_XLSX_MAX_RATIO", "lots")
    assert guard.limits.get("XLSX_MAX_RATIO") == 50


def test_sheet_names_runs_the_guard_first(no_parser):
    """The Data page asks for sheet names before anything else; a bomb must not reach openpyxl there."""
    bomb = _with_sheet_xml(b" " * (1 << 20), 60)
    with pytest.raises(readers.ReadError) as e:
        readers.sheet_names(bomb, "bom.xlsx")
    assert "unpacks to" in str(e.value) and str(e.value).startswith("bom.xlsx:")


def test_cli_and_importer_refuse_through_the_same_guard(tmp_path, no_parser, capsys):
    from analytics.cli import main as cli

    bomb = _with_sheet_xml(b" " * (1 << 20), 60)
    p = tmp_path / "bom.xlsx"
    p.write_bytes(bomb)
    db = tmp_path / "x.duckdb"
    assert cli.main(["validate", str(p), "--db", str(db)]) == 1
    err = capsys.readouterr()
    assert "NETWERKLEREN_XLSX_MAX_RATIO" in err.out + err.err
    con = store.connect(db)
    r = importer.validate_file(con, p)
    assert r.status == "failed" and "unpacks to" in r.message


def test_data_page_guards_before_sheet_names():
    """The Data page's upload loop calls the guard before ``sheet_names`` and before ``check``."""
    from pathlib import Path

    src = (Path(__file__).resolve().parent.parent / "pages" / "data.py").read_text(encoding="utf-8")
    loop = src[src.index("for up in uploads"):]
    assert loop.index("guard.check_bytes(data, up.name)") < loop.index("sheet_names(") < loop.index("check(data")
