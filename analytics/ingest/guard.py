"""Size and shape limits, checked before any parser touches a file: the one gate for the Data page and the CLI.

A small file can cost a lot to parse: an .xlsx is a zip, and a 1 MB workbook can unpack to gigabytes of XML
(a zip bomb), hold thousands of sheets or millions of shared strings. Everything here reads only the zip's
central directory and the first bytes of one part, so refusing a bomb takes milliseconds. Python's zipfile
never inflates a part beyond the size its directory declares, so the sizes checked are the sizes a parser
can meet. The limits are settings (analytics/limits.py).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analytics import limits

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_ZIP_MAGIC = b"PK\x03\x04"
_SHEET_PART = re.compile(r"xl/(worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml", re.IGNORECASE)
_COUNT = re.compile(rb"""\b(uniqueCount|count)\s*=\s*["'](\d+)["']""")


class GuardError(ValueError):
    """A file refused before parsing. ``limit`` names the setting, so the message can say what to change."""

    def __init__(self, file: str, reason: str, limit: str, key: str | None = None, params: dict | None = None):
        self.file, self.reason, self.limit = file, reason, limit
        #: the page's words: ``msg.<key>`` with ``params`` (see ``messages``); ``reason`` is the CLI's
        self.key, self.params = key, {"setting": _setting(limit) if limit else "", **(params or {})}
        super().__init__(f"{file}: {reason}")


@dataclass(frozen=True)
class Shape:
    """What the guard saw: enough to explain a refusal or a pass."""

    size: int
    unpacked: int = 0
    entries: int = 0
    sheets: int = 0
    shared_strings: int = 0


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def _setting(name: str) -> str:
    return f"NETWERKLEREN_{name}"


def check_size(name: str, size: int) -> None:
    limit = limits.get("MAX_FILE_MB") * 1e6
    if size > limit:
        raise GuardError(name, f"is {_mb(size)}; files of at most {_mb(limit)} are read (setting "
                               f"{_setting('MAX_FILE_MB')}). Split the export, e.g. by period.", "MAX_FILE_MB",
                         key="guard_size", params={"size": _mb(size), "limit": _mb(limit)})


def check_path(path: str | Path, name: str | None = None) -> Shape:
    """Check a file on disk: its size from the file system, then (for a zip) its directory."""
    p = Path(path)
    name = name or p.name
    size = p.stat().st_size
    check_size(name, size)
    with p.open("rb") as fh:
        magic = fh.read(4)
        if magic != _ZIP_MAGIC:
            return Shape(size=size)
        fh.seek(0)
        return _check_zip(name, fh, size)


def check_bytes(data: bytes, name: str) -> Shape:
    """Check an upload held in memory (the Data page)."""
    check_size(name, len(data))
    if not data.startswith(_ZIP_MAGIC):
        return Shape(size=len(data))
    return _check_zip(name, io.BytesIO(data), len(data))


def _check_zip(name: str, fh, size: int) -> Shape:
    try:
        z = zipfile.ZipFile(fh)
    except Exception as e:  # noqa: BLE001 - whatever a damaged archive raises, it is an unreadable file
        raise GuardError(name, f"is not a readable Excel workbook ({type(e).__name__}: "
                               f"{str(e).splitlines()[0][:200] if str(e) else ''})", "",
                         key="bad_xlsx", params={"why": type(e).__name__}) from e
    with z:
        infos = z.infolist()
        max_entries = limits.get_int("XLSX_MAX_ENTRIES")
        if len(infos) > max_entries:
            raise GuardError(name, f"holds {len(infos):,} parts; a workbook may hold at most {max_entries:,} "
                                   f"(setting {_setting('XLSX_MAX_ENTRIES')}). Export it as CSV.",
                             "XLSX_MAX_ENTRIES", key="guard_parts", params={"n": len(infos), "max": max_entries})
        unpacked = sum(i.file_size for i in infos)
        ratio = unpacked / max(size, 1)
        max_ratio = limits.get("XLSX_MAX_RATIO")
        if ratio > max_ratio:
            raise GuardError(name, f"unpacks to {ratio:,.0f} times its size ({_mb(unpacked)} from {_mb(size)}); "
                                   f"ordinary workbooks stay under {max_ratio:g} times (setting "
                                   f"{_setting('XLSX_MAX_RATIO')}). That is no ordinary workbook; export it as CSV "
                                   "if it is one.", "XLSX_MAX_RATIO",
                             key="guard_ratio", params={"ratio": f"{ratio:,.0f}", "unpacked": _mb(unpacked),
                                                        "size": _mb(size), "max": f"{max_ratio:g}"})
        max_unpacked = limits.get("XLSX_MAX_UNPACKED_MB") * 1e6
        if unpacked > max_unpacked:
            raise GuardError(name, f"unpacks to {_mb(unpacked)} from {_mb(size)}; at most {_mb(max_unpacked)} is "
                                   f"read (setting {_setting('XLSX_MAX_UNPACKED_MB')}). Export the sheet as CSV.",
                             "XLSX_MAX_UNPACKED_MB", key="guard_unpacked",
                             params={"unpacked": _mb(unpacked), "size": _mb(size), "max": _mb(max_unpacked)})
        sheets = sum(1 for i in infos if _SHEET_PART.fullmatch(i.filename))
        max_sheets = limits.get_int("XLSX_MAX_SHEETS")
        if sheets > max_sheets:
            raise GuardError(name, f"has {sheets:,} sheets; at most {max_sheets:,} are read (setting "
                                   f"{_setting('XLSX_MAX_SHEETS')}). Save the sheet you need on its own.",
                             "XLSX_MAX_SHEETS", key="guard_sheets", params={"n": sheets, "max": max_sheets})
        shared = _declared_shared_strings(z)
        max_shared = limits.get_int("XLSX_MAX_SHARED_STRINGS")
        if shared > max_shared:
            raise GuardError(name, f"declares {shared:,} shared strings; at most {max_shared:,} are read (setting "
                                   f"{_setting('XLSX_MAX_SHARED_STRINGS')}). Export the sheet as CSV.",
                             "XLSX_MAX_SHARED_STRINGS", key="guard_strings",
                             params={"n": shared, "max": max_shared})
    return Shape(size=size, unpacked=unpacked, entries=len(infos), sheets=sheets, shared_strings=shared)


def _declared_shared_strings(z: zipfile.ZipFile) -> int:
    """The larger of ``count``/``uniqueCount`` on the shared-string table's root element: read from its first
    4 KB only (the part's full size is already bounded by the unpacked-size limit)."""
    part = next((i for i in z.infolist() if i.filename.lower() == "xl/sharedstrings.xml"), None)
    if part is None:
        return 0
    try:
        with z.open(part) as fh:
            head = fh.read(4096)
    except Exception:  # noqa: BLE001 - a damaged part is the parser's to report, with its reason
        return 0
    root = head.split(b"<si", 1)[0]
    return max((int(m.group(2)) for m in _COUNT.finditer(root)), default=0)
