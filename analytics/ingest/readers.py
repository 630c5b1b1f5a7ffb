"""Reading exports as they come: sniff format, encoding, delimiter and header rows, land text in DuckDB.

Every cell lands as text (VARCHAR) in a temporary DuckDB table; typing and validation happen afterwards in
SQL (see ``validate``), so that a bad cell becomes a precise message instead of a failed read.
Row numbers in messages are spreadsheet rows: the header is row 1 when it is the first line.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics.ingest import guard
from analytics.ingest.locale import CONTROL_CHARS, strip_controls
from analytics.ingest.messages import Note
from analytics.ingest.tools import compose_headers, extra_header_rows
from analytics.store.db import run, scalar

DELIMITERS = [",", ";", "\t", "|"]
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
SNIFF_BYTES = 256 * 1024
#: Files up to this size are split by Python's csv module (exact row numbers, precise messages). Bigger ones
#: are read by DuckDB, from disk when they are UTF-8 files (never held in Python's memory).
#: Exports of forms have tens of columns; a few hundred is generous.
MAX_COLUMNS = 500
#: Size and shape limits (file size, zip bombs, sheets, shared strings) are checked before any of this, in
#: analytics/ingest/guard.py.
PYTHON_READ_LIMIT = 4 * 1024 * 1024
MAX_HEADER_SEARCH = 10


class ReadError(ValueError):
    """A file that cannot be read as a table. ``row``/``column`` are filled when known."""

    def __init__(self, file: str, reason: str, row: int | None = None, column: str | None = None,
                 key: str | None = None, params: dict | None = None):
        self.file, self.reason, self.row, self.column = file, reason, row, column
        #: the page's words: ``msg.<key>`` with ``params`` (see ``messages``); ``reason`` is the CLI's
        self.key, self.params = key, params or {}
        where = f"{file}" + (f", row {row}" if row else "") + (f", column {column}" if column else "")
        super().__init__(f"{where}: {reason}")


@dataclass
class RawTable:
    """A file landed as text in a temp table of ``con``: columns c0..cN, record order kept in rowid."""

    file_name: str
    table: str
    headers: list[str]
    #: Other header rows (e.g. Qualtrics' question texts), one list per extra row.
    extra_headers: list[list[str]]
    #: Spreadsheet row number of the record with rowid 0.
    first_data_row: int
    n_rows: int
    content_hash: str
    format: str  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    #: Control characters removed from the cells (terminal escapes, bells...).
    controls_removed: int = 0
    #: Records with fewer fields than the header has names: (spreadsheet row, fields).
    short_rows: list[tuple[int, int]] = field(default_factory=list)

    def column(self, i: int) -> str:
        return f"c{i}"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding name). UTF-8 (with or without BOM) first, then Windows-1252, then Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise ReadError(name, f"starts as UTF-16 but byte {e.start} cannot be decoded", key="utf16",
                            params={"byte": e.start}) from e
    try:
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            return text[1:], "utf-8-sig"
        return text, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    if not head:
        return False
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / len(head) > 0.02


def sniff_delimiter(lines: list[str]) -> str:
    """Pick the delimiter that splits the first lines into the most consistent number of fields (>1)."""
    sample = "\n".join(lines[:60])
    best, best_score = ",", (-1.0, 0)
    for d in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=d) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        share = counts.count(mode) / len(counts)
        score = (share, mode)
        if score > best_score:
            best, best_score = d, score
    return best


def _non_empty(row: list[str]) -> int:
    return sum(1 for c in row if str(c).strip())


def locate_header(records: list[list[str]]) -> tuple[int, int]:
    """Find the header row and how many rows after it are header too.

    Skips title lines above the header (a line with a single filled cell while later lines have several),
    and recognises the extra header rows some tools write (Qualtrics, SurveyMonkey: see ``tools``).
    Returns (index of header record, number of extra header records after it).
    """
    if not records:
        return 0, 0
    widths = [_non_empty(r) for r in records[: MAX_HEADER_SEARCH + 20]]
    target = max(2, max(widths) // 2) if widths else 2
    header = 0
    for i, w in enumerate(widths[:MAX_HEADER_SEARCH]):
        if w >= target:
            header = i
            break
    return header, extra_header_rows(records, header)


def _dedupe_headers(headers: list[str]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        h = str(h).strip() if h is not None else ""
        if not h:
            h = f"column_{i + 1}"
        n = seen.get(h.lower(), 0)
        seen[h.lower()] = n + 1
        out.append(h if n == 0 else f"{h} ({n + 1})")
    return out


def _temp_name() -> str:
    return "raw_" + uuid.uuid4().hex[:12]


def read_file(
    con: duckdb.DuckDBPyConnection,
    source: str | Path | bytes,
    file_name: str | None = None,
    sheet: str | int | None = None,
) -> RawTable:
    """Land a CSV/TSV/TXT/XLSX file (a path, or bytes from an upload) as text in a temp table of ``con``."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        name = file_name or "upload"
        path = None
        _guard(guard.check_bytes, data, name)
        if len(data) > PYTHON_READ_LIMIT and Path(name).suffix.lower() not in EXCEL_SUFFIXES:
            raw = _read_big_upload(con, data, name)
            if raw is not None:
                return raw
    else:
        path = Path(source)
        name = file_name or path.name
        try:
            _guard(guard.check_path, path, name)
            if path.stat().st_size > PYTHON_READ_LIMIT and Path(name).suffix.lower() not in EXCEL_SUFFIXES:
                raw = _read_big_text(con, path, name)
                if raw is not None:
                    return raw
            data = path.read_bytes()
        except OSError as e:
            raise ReadError(name, f"cannot be opened ({e.strerror or e})", key="cannot_open",
                            params={"why": str(e.strerror or e)}) from e
    if not data.strip():
        raise ReadError(name, "the file is empty", key="empty_file")
    digest = content_hash(data)
    suffix = Path(name).suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(con, data, name, digest, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(name, "this is an old Excel file (.xls); save it as .xlsx or CSV and try again", key="xls")
    if suffix in EXCEL_SUFFIXES:
        raise ReadError(name, "has an Excel name but is not an Excel workbook (.xlsx)", key="not_xlsx")
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if _looks_binary(data[:SNIFF_BYTES]):
            pos = data.find(b"\x00")
            at = f" (byte {pos})" if pos >= 0 else ""
            raise ReadError(name, f"holds binary data{at}, not a text table; export it as CSV or .xlsx",
                                key="binary", params={"at": pos})
        pos = data.find(b"\x00")
        if pos >= 0:
            raise _nul_error(name, pos, data.count(b"\n", 0, pos) + 1)
    return _read_text(con, data, name, digest, path)


@dataclass
class _Layout:
    """Where the table sits in a text file, read from its first lines."""

    delimiter: str
    headers: list[str]
    extra_headers: list[list[str]]
    #: Lines above the data: hint line, blank lines, title lines, header rows.
    header_lines: int
    first_data_row: int
    notes: list[str]


def _check_width(name: str, width: int) -> None:
    """Refuse absurdly wide tables before any header is matched (each column costs time and memory)."""
    if width > MAX_COLUMNS:
        raise ReadError(name, f"has {width:,} columns; at most {MAX_COLUMNS} can be read. Is this the right file?",
                        key="too_wide", params={"n": width, "max": MAX_COLUMNS})


def _layout(head: str, name: str) -> _Layout:
    """Find delimiter and header rows in the first part of the text (a "sep=;" hint, blank and title lines
    above the header, Qualtrics' extra header rows)."""
    head_lines = [ln.rstrip("\r") for ln in head.split("\n")]
    notes: list[str] = []
    skip_lines = 0
    delimiter = None
    # Excel's "sep=;" hint line.
    if head_lines and re.fullmatch(r'"?sep=(.)"?', head_lines[0].strip()):
        delimiter = re.fullmatch(r'"?sep=(.)"?', head_lines[0].strip()).group(1)
        skip_lines = 1
        head_lines = head_lines[1:]
    # Leading blank lines (Excel shows them as rows, so they count in row numbers).
    blank_lines = 0
    while head_lines and not head_lines[0].strip():
        head_lines.pop(0)
        skip_lines += 1
        blank_lines += 1
    if not head_lines:
        raise ReadError(name, "the file holds no lines of text", key="no_lines")
    delimiter = delimiter or sniff_delimiter(head_lines)
    reader = csv.reader(io.StringIO("\n".join(head_lines[:200])), delimiter=delimiter)
    records: list[list[str]] = []
    line_after: list[int] = []
    try:
        for rec in reader:
            records.append(rec)
            line_after.append(reader.line_num)
            if len(records) >= MAX_HEADER_SEARCH + 20:
                break
    except csv.Error as e:
        raise ReadError(name, f"cannot be split into columns ({e})", row=reader.line_num + skip_lines,
                        key="cannot_split", params={"why": str(e)}) from e
    header_idx, extra = locate_header(records)
    _check_width(name, len(records[header_idx]) if records else 0)
    if header_idx:
        notes.append(Note(f"skipped {header_idx} line(s) above the header", "skipped_lines", n=header_idx))
    if extra:
        notes.append(Note(f"read {extra + 1} header rows", "header_rows", n=extra + 1))
    extra_rows = [records[header_idx + j] for j in range(1, extra + 1)]
    return _Layout(
        delimiter=delimiter,
        headers=compose_headers(list(records[header_idx]), extra_rows),
        extra_headers=[records[header_idx + j] for j in range(1, extra + 1)],
        header_lines=skip_lines + line_after[header_idx + extra],
        first_data_row=blank_lines + header_idx + extra + 2,
        notes=notes,
    )


#: A blank line in the data (DuckDB's reader would skip it and shift every row number after it).
_BLANK_LINE = re.compile(r"(?:^|\n)[ \t]*\r?\n")
_BLANK_LINE_BYTES = re.compile(rb"\n[ \t]*\r?\n")


def _read_text(con, data: bytes, name: str, digest: str, path: Path | None, split_here: bool = False) -> RawTable:
    """Decode, find the layout and land the records. ``split_here``: Python's csv module splits the records,
    whatever the size (for files DuckDB's reader would read wrongly)."""
    text, encoding = _decode(data, name)
    text, controls = strip_controls(text)
    if controls:
        path = None  # DuckDB must read the cleaned text, not the file
    notes: list[str] = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(Note(f"encoding: read as {encoding}", "encoding", encoding=encoding))
    lay = _layout(text[:SNIFF_BYTES], name)
    table = _temp_name()
    body = text.split("\n", lay.header_lines)[-1] if lay.header_lines else text
    width = len(lay.headers)
    short: list[tuple[int, int]] = []
    if split_here or len(data) <= PYTHON_READ_LIMIT or _BLANK_LINE.search(body):
        # Small files (and any with blank lines, which DuckDB skips) are split here, so row numbers stay exact.
        short = _load_records(con, table, name, body, lay.delimiter, width, first_row=lay.first_data_row,
                              named=_named_width(lay.headers))
    else:
        _load_with_duckdb(con, table, name, text, encoding, path, lay.delimiter, lay.header_lines, width)
        lines = body.count("\n") + (0 if body.endswith("\n") else 1)
        if scalar(con, f"SELECT count(*) FROM {table}") != lines and body.count('"') % 2:
            # A quote never closed (DuckDB's reader may pass over it silently): split here, which says where.
            run(con, f"DROP TABLE {table}")
            short = _load_records(con, table, name, body, lay.delimiter, width, first_row=lay.first_data_row,
                                  named=_named_width(lay.headers))
    raw = _landed(con, table, name, digest, encoding, lay, notes)
    raw.controls_removed, raw.short_rows = controls, short
    return raw


def _named_width(headers: list[str]) -> int:
    """Columns up to the last one with a name (Excel's ';;;' tails have none)."""
    named = [i for i, h in enumerate(headers) if str(h or "").strip()]
    return named[-1] + 1 if named else len(headers)


def _landed(con, table: str, name: str, digest: str, encoding: str, lay: _Layout, notes: list[str]) -> RawTable:
    raw = RawTable(
        file_name=name,
        table=table,
        headers=list(lay.headers),
        extra_headers=lay.extra_headers,
        first_data_row=lay.first_data_row,
        n_rows=scalar(con, f"SELECT count(*) FROM {table}"),
        content_hash=digest,
        format="csv",
        encoding=encoding,
        delimiter=lay.delimiter,
        notes=notes + lay.notes,
    )
    _drop_empty_trailing(con, raw)
    return raw


def _nul_error(name: str, pos: int, line: int) -> ReadError:
    return ReadError(name, f"holds a NUL byte (byte {pos:,}, line {line}): not plain text; was the file damaged?",
                     row=line, key="nul_byte", params={"byte": pos})


#: Linux's shared-memory file system: a copy there is never written back to disk.
SHM = Path("/dev/shm")


def _memory_dir(size: int) -> str | None:
    """Where the copy of an upload goes: memory when there is room for it twice over (a copy on disk was
    slowed down to 0.75 s for 90 MB by the kernel's write-back of the store's own writes), else the
    temporary directory."""
    try:
        if SHM.is_dir() and os.access(SHM, os.W_OK) and shutil.disk_usage(SHM).free > 2 * size:
            return str(SHM)
    except OSError:
        pass
    return None


def _read_big_upload(con, data: bytes, name: str) -> RawTable | None:
    """A big upload read the way a big file is: DuckDB reads a private temporary copy (removed as soon as the
    records have landed) instead of Python decoding the text and writing it out again. On a 1M-row ties file
    that halved the Data page's check. None (the copy could not be written, or it is not UTF-8 text) sends the
    bytes to the in-memory path."""
    try:
        # mode 0600: only this process's user can read it
        fd, tmp = tempfile.mkstemp(suffix=".csv", dir=_memory_dir(len(data)))
    except OSError:
        return None
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except OSError:  # a full temporary disk: read in memory as before
            return None
        return _read_big_text(con, Path(tmp), name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _read_big_text(con, path: Path, name: str) -> RawTable | None:
    """Land a big UTF-8 file without holding it in Python: DuckDB reads the file itself while one streaming
    pass takes the content hash and counts lines and quotes. None sends the file to the in-memory path (not
    UTF-8, or not text at all)."""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if (not head.strip() or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff"))
            or _looks_binary(head)):
        return None
    encoding = "utf-8"
    if head.startswith(b"\xef\xbb\xbf"):
        head, encoding = head[3:], "utf-8-sig"
    cut = head.rfind(b"\n")
    try:
        head_text = head[: cut if cut >= 0 else len(head)].decode("utf-8")
    except UnicodeDecodeError:
        return None
    lay = _layout(head_text, name)
    table = _temp_name()
    width = len(lay.headers)
    # The hash is taken on a second core while DuckDB reads (both let go of Python's lock).
    with ThreadPoolExecutor(1) as pool:
        scan = pool.submit(_scan, path)
        try:
            _duckdb_csv(con, table, str(path), lay.delimiter, lay.header_lines, width)
        except duckdb.Error as e:
            run(con, f"DROP TABLE IF EXISTS {table}")
            if "unicode" in str(e).lower() or "utf-8" in str(e).lower():
                return None  # not UTF-8 after all: the in-memory path finds the encoding
            raise _csv_error(name, e, width, lay.delimiter) from None
        digest, line_feeds, ends_with_lf, quotes, nul, controls = scan.result()
    if nul is not None:
        run(con, f"DROP TABLE IF EXISTS {table}")
        raise _nul_error(name, *nul)
    if controls:
        # Control characters are stripped from the text, so the text (not the file) is what gets read.
        run(con, f"DROP TABLE IF EXISTS {table}")
        return _read_text(con, path.read_bytes(), name, digest, path)
    lines = line_feeds + (0 if ends_with_lf else 1)
    if scalar(con, f"SELECT count(*) FROM {table}") != lines - lay.header_lines:
        # Fewer records than lines: line breaks inside quoted values (fine), or blank lines (DuckDB skips them,
        # so row numbers would shift), or a quote never closed (DuckDB's reader may pass over it silently).
        # For the last two Python's csv module splits the file, as it does small files.
        offset = _offset_after_lines(path, lay.header_lines)
        with path.open("rb") as f:
            quotes -= f.read(offset).count(b'"')
        if quotes % 2 or _has_blank_line(path, offset):
            run(con, f"DROP TABLE {table}")
            return _read_text(con, path.read_bytes(), name, digest, path, split_here=True)
    return _landed(con, table, name, digest, encoding, lay, [])


#: ASCII control bytes other than NUL, tab, line feed and carriage return (see ``locale.CONTROL_CHARS``).
_CONTROL_BYTES = bytes([*range(1, 9), 11, 12, *range(14, 32), 127])


def _scan(path: Path, chunk: int = 1 << 22) -> tuple[str, int, bool, int, tuple[int, int] | None, int]:
    """SHA-256 of the bytes, the number of line feeds, whether the file ends with one, the number of quotes,
    the (byte, line) of the first NUL byte if there is one, and the number of control bytes."""
    h = hashlib.sha256()
    lf = quotes = offset = controls = 0
    nul = None
    last = b""
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
            if nul is None and (i := block.find(b"\x00")) >= 0:
                nul = (offset + i, lf + block.count(b"\n", 0, i) + 1)
            lf += block.count(b"\n")
            quotes += block.count(b'"')
            controls += len(block) - len(block.translate(None, _CONTROL_BYTES))
            last = block[-1:]
            offset += len(block)
    return h.hexdigest(), lf, last == b"\n", quotes, nul, controls


def _offset_after_lines(path: Path, n: int) -> int:
    """Byte offset just after the n-th line feed (the start of the data below the header)."""
    pos = 0
    with path.open("rb") as f:
        while n > 0:
            block = f.read(1 << 16)
            if not block:
                break
            i = -1
            while n > 0:
                i = block.find(b"\n", i + 1)
                if i < 0:
                    break
                n -= 1
            if n == 0:
                return pos + i + 1
            pos += len(block)
    return pos


def _has_blank_line(path: Path, offset: int, chunk: int = 1 << 22) -> bool:
    """Is there a blank (or whitespace-only) line from ``offset`` on? Streams; a line may span chunks."""
    carry = b"\n"  # the data starts right after a line feed
    with path.open("rb") as f:
        f.seek(offset)
        while block := f.read(chunk):
            buf = carry + block
            if _BLANK_LINE_BYTES.search(buf):
                return True
            # Keep the last line when it is blank so far: it may end in the next chunk.
            i = buf.rfind(b"\n")
            carry = buf[i:] if i >= 0 and not buf[i + 1 :].strip(b" \t\r") else b""
    return False


def _load_records(con, table: str, name: str, body: str, delimiter: str, width: int, first_row: int,
                  named: int | None = None) -> list[tuple[int, int]]:
    """Split and land the records; returns the short ones (fewer fields than ``named`` header names) as
    (row, fields). Rows with more fields than the header are refused, all of them named."""
    import pandas as pd

    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str | None]] = []
    starts = []
    too_long: list[tuple[int, int]] = []
    short: list[tuple[int, int]] = []
    named = width if named is None else named
    try:
        for rec in reader:
            if len(rec) > width and any(c.strip() for c in rec[width:]):
                too_long.append((first_row + len(records), len(rec)))
            elif len(rec) < named and any(c.strip() for c in rec):
                short.append((first_row + len(records), len(rec)))
            rec = rec[:width]
            records.append([c if c != "" else None for c in rec] + [None] * (width - len(rec)))
            starts.append(reader.line_num)
    except csv.Error as e:
        raise ReadError(name, f"cannot be split into columns ({e})", row=first_row + len(records),
                        key="cannot_split", params={"why": str(e)}) from e
    if too_long:
        row, n = too_long[0]
        more = ""
        if len(too_long) > 1:
            listed = ", ".join(str(r) for r, _ in too_long[1:20]) + (" …" if len(too_long) > 20 else "")
            more = f"; so do {len(too_long) - 1} more row(s): {listed}"
        raise ReadError(
            name,
            f"this row has {n} fields where the header has {width}; mixed delimiters or an "
            f"unquoted '{delimiter}' inside a value?{more}",
            row=row, key="row_too_long",
            params={"n": n, "width": width, "delimiter": delimiter, "more": len(too_long) - 1,
                    "rows": ", ".join(str(r) for r, _ in too_long[1:20]) + (" …" if len(too_long) > 20 else "")},
        )
    if records and any("\n" in (c or "") for c in records[-1]) and not body.rstrip().endswith('"'):
        raise ReadError(name, 'a quoted value is never closed (unbalanced " quote)', row=first_row + len(records) - 1,
                        key="open_quote")
    frame = pd.DataFrame(records, columns=[f"c{i}" for i in range(width)], dtype=object).astype("string")
    con.register("_csv_frame", frame)
    try:
        run(con, f"CREATE TEMP TABLE {table} AS SELECT * FROM _csv_frame")
    finally:
        con.unregister("_csv_frame")
    return short


def _load_with_duckdb(con, table, name, text, encoding, path, delimiter, header_lines, width) -> None:
    # DuckDB reads UTF-8; transcode anything else to a temporary UTF-8 copy.
    tmp = None
    if path is None or encoding not in ("utf-8", "utf-8-sig"):
        tmp = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="")
        tmp.write(text)
        tmp.close()
        csv_path = tmp.name
    else:
        csv_path = str(path)
    try:
        _duckdb_csv(con, table, csv_path, delimiter, header_lines, width)
    except duckdb.Error as e:
        raise _csv_error(name, e, width, delimiter) from None
    finally:
        if tmp is not None:
            os.unlink(tmp.name)


def _duckdb_csv(con, table: str, csv_path: str, delimiter: str, header_lines: int, width: int) -> None:
    """Every field as text, records in file order (rowid = record number).

    One reader thread: DuckDB's parallel reader has to put the records back in file order, and on two cores
    that costs twice the CPU time for little gain in wall time. The default line size limit stays (a larger
    one makes the reader much slower).
    """
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    run(
        con,
        f"""CREATE TEMP TABLE {table} AS SELECT * FROM read_csv(?, delim=?, quote='"', escape='"',
            header=false, skip=?, columns={cols}, null_padding=true, auto_detect=false, parallel=false)""",
        [csv_path, delimiter, header_lines],
    )


def _csv_error(name: str, e: Exception, width: int, delimiter: str | None = None) -> ReadError:
    msg = str(e)
    line = re.search(r"[Ll]ine:?\s*(\d+)", msg)
    row = int(line.group(1)) if line else None
    if "Expected Number of Columns" in msg or "too many columns" in msg.lower():
        found = re.search(r"Found:?\s*(\d+)", msg)
        original = re.search(r"Original Line:\s?(.*)", msg)
        if original and delimiter:
            # DuckDB stops counting at one field over; count them all in the line it quotes.
            fields = len(next(csv.reader([original.group(1)], delimiter=delimiter), []))
            extra = f" (this row has {fields} fields where the header has {width})"
        else:
            extra = f" ({found.group(1)} fields where the header has {width})" if found else ""
        return ReadError(name, f"a row has more fields than the header{extra}; mixed delimiters or an unquoted delimiter in a value?", row=row,
                         key="more_fields", params={"width": width})
    if "Maximum line size" in msg or "max_line_size" in msg:
        return ReadError(name, "a line is longer than 2 MB (DuckDB's line limit); is this really a table export?", row=row,
                         key="long_line")
    if "quote" in msg.lower():
        return ReadError(name, "a quoted value is never closed (unbalanced \" quote)", row=row, key="open_quote")
    first = msg.strip().splitlines()[0][:200]
    return ReadError(name, f"cannot be read as a table ({first})", row=row, key="not_a_table", params={"why": first})


def _drop_empty_trailing(con, raw: RawTable) -> None:
    """Drop trailing columns that have neither a header nor any data (Excel's ';;;' tails)."""
    while len(raw.headers) > 1 and not raw.headers[-1].strip():
        c = raw.column(len(raw.headers) - 1)
        filled = scalar(con, f"SELECT count(*) FROM {raw.table} WHERE nullif(trim({c}), '') IS NOT NULL")
        if filled:
            break
        run(con, f"ALTER TABLE {raw.table} DROP COLUMN {c}")
        raw.headers.pop()
        for h in raw.extra_headers:
            del h[len(raw.headers) :]
    raw.headers = _dedupe_headers(raw.headers)


def _cell_text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") if (v.hour or v.minute or v.second) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _guard(check, source, name: str) -> guard.Shape:
    """The guard's refusal as a ReadError, so every caller reports it like any unreadable file."""
    try:
        return check(source, name)
    except guard.GuardError as e:
        raise ReadError(name, e.reason, key=e.key, params=e.params) from e


def sheet_names(data: bytes, name: str = "upload") -> list[str]:
    """The workbook's sheet names; the guard runs first, so a zip bomb is refused before openpyxl opens it."""
    import openpyxl

    _guard(guard.check_bytes, data, name)
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _xlsx_error(name: str, e: BaseException, sheet: str | None = None, row: int | None = None) -> ReadError:
    """A damaged workbook as a ReadError: the kind of damage and what the parser said (first line, short)."""
    detail = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    detail = detail.strip().splitlines()[0][:200] if detail.strip() else ""
    why = type(e).__name__ + (f": {detail}" if detail else "")
    if sheet is None:
        return ReadError(name, f"is not a readable Excel workbook ({why})", key="bad_xlsx", params={"why": why})
    return ReadError(name, f"is a damaged Excel workbook: sheet '{sheet}' cannot be read from row {row} on "
                           f"({why}); open and save it again in Excel, or export it as CSV", row=row,
                       key="damaged_sheet", params={"sheet": sheet, "why": why})


def _read_xlsx(con, data: bytes, name: str, digest: str, sheet: str | int | None) -> RawTable:
    import openpyxl
    import pandas as pd

    # A damaged workbook can fail in many ways (a cut-off sheet gives an XML ParseError, a bad shared-string
    # index an IndexError, a broken deflate stream a zlib error...): each becomes an unreadable file with its
    # reason, never a traceback.
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001
        raise _xlsx_error(name, e) from e
    rows: list[list[str | None]] = []
    sheet_title = None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(wb.worksheets):
                raise ReadError(name, f"has no sheet number {sheet + 1} (sheets: {', '.join(wb.sheetnames)})",
                                key="no_sheet", params={"sheet": sheet + 1, "sheets": ", ".join(wb.sheetnames)})
            ws = wb.worksheets[sheet]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise ReadError(name, f"has no sheet named '{sheet}' (sheets: {', '.join(wb.sheetnames)})",
                            key="no_sheet", params={"sheet": sheet, "sheets": ", ".join(wb.sheetnames)})
        sheet_title = ws.title
        for r in ws.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in r])
        controls = 0
        for r in rows:
            for i, c in enumerate(r):
                if c is not None and CONTROL_CHARS.search(c):
                    r[i], n = strip_controls(c)
                    controls += n
    except ReadError:
        raise
    except Exception as e:  # noqa: BLE001
        if sheet_title is None:
            raise _xlsx_error(name, e) from e
        # The rows read so far are fine; the next one is where the sheet stops being readable.
        raise _xlsx_error(name, e, sheet_title, len(rows) + 1) from e
    finally:
        try:
            wb.close()
        except Exception:  # noqa: BLE001, S110 - closing a damaged archive must not hide why it failed
            pass
    while rows and not any(c is not None and str(c).strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ReadError(name, f"sheet '{sheet_title}' is empty", key="empty_sheet", params={"sheet": sheet_title})
    header_idx, extra = locate_header([[c or "" for c in r] for r in rows[: MAX_HEADER_SEARCH + 20]])
    _check_width(name, len(rows[header_idx]))
    width = max(len(r) for r in rows)
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    extra_headers = [[c or "" for c in rows[header_idx + j]] for j in range(1, extra + 1)]
    headers = compose_headers([c or "" for c in rows[header_idx]], extra_headers)
    body = rows[header_idx + extra + 1 :]
    frame = pd.DataFrame(body, columns=[f"c{i}" for i in range(width)], dtype=object).astype("string")
    table = _temp_name()
    con.register("_xlsx_frame", frame)
    try:
        run(con, f"CREATE TEMP TABLE {table} AS SELECT * FROM _xlsx_frame")
    finally:
        con.unregister("_xlsx_frame")
    notes = [Note(f"sheet: {sheet_title}", "sheet", sheet=sheet_title)]
    if header_idx:
        notes.append(Note(f"skipped {header_idx} row(s) above the header", "skipped_rows", n=header_idx))
    raw = RawTable(
        file_name=name,
        table=table,
        headers=headers,
        extra_headers=extra_headers,
        first_data_row=header_idx + extra + 2,
        n_rows=len(body),
        content_hash=digest,
        format="xlsx",
        sheet=sheet_title,
        notes=notes,
        controls_removed=controls,
    )
    _drop_empty_trailing(con, raw)
    return raw


def drop(con, raw: RawTable) -> None:
    run(con, f"DROP TABLE IF EXISTS {raw.table}")
