"""Import: read -> map -> validate -> store, as one all-or-nothing DuckDB transaction per file.

``validate_file`` does everything but the write and is what the Data page shows before the user imports.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import hashlib
import io
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analytics import privacy
from analytics.definitions import KIND_ALIASES, Framework, default_framework, fold, tables
from analytics.ingest import identity as who
from analytics.ingest.locale import DATE_ORDERS
from analytics.ingest.mapping import Mapping, MappingError, detect_kind, map_columns
from analytics.ingest.messages import OptionError, Said, said_of
from analytics.ingest.readers import EXCEL_SUFFIXES, TEXT_SUFFIXES, RawTable, ReadError, read_file
from analytics.ingest.tools import array_indicators, column_overrides, detect_tool
from analytics.ingest.validate import FileProblem, Staged, drop_staged, stage
from analytics.privacy import ensure_pseudonyms
from analytics.store import computed
from analytics.store import database as store
from analytics.store.db import frame, literal, rows, run, scalar
from analytics.store.periods import period_of

#: Import order for a folder: people first, so ties and scores can find them.
KIND_ORDER = ["participants", "events", "dimension_scores", "value_reports", "ties"]
MAX_PROBLEMS_KEPT = 10_000
MAX_REJECTED_KEPT = 200_000


@dataclass
class ImportReport:
    """What happened to one file: everything the Data page and ``--json`` show."""

    file_name: str
    status: str = "validated"  # validated | imported | rejected | duplicate | failed
    kind: str | None = None
    import_id: int | None = None
    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    rows_empty: int = 0
    rows_stored: int = 0
    errors: int = 0
    warnings: int = 0
    message: str | None = None
    #: ``message`` as a translation key with parameters, for the pages (``i18n.report_message``)
    said: Said | None = None
    file_format: dict = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    scales: dict[str, dict] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: pd.DataFrame = field(default_factory=lambda: _empty_problems())
    problem_counts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    rejected_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    duplicate_of: int | None = None
    headers: list[str] = field(default_factory=list)
    #: A hand mapping that cannot be used (two columns given one role, an unknown target): the column it was
    #: given for, and why. ``mapping`` then holds the automatic mapping, so a page can keep showing the columns.
    mapping_conflict: tuple[str, str] | None = None
    #: the conflict's reason as a translation key with parameters (``i18n.said_text``)
    mapping_conflict_said: Said | None = None
    #: The survey tool the file was recognised as (``tools``): its id and its name in nl/en.
    tool: str | None = None
    tool_name: dict[str, str] = field(default_factory=dict)
    #: Responses left out because the tool marks them as no real answer: reason -> count.
    left_out: dict[str, int] = field(default_factory=dict)
    #: A scale found only from the values: suggestion + evidence; the file waits for a confirmed scale.
    scale_suggestion: dict | None = None
    #: Messages about the file as a whole, as (translation key, parameters) (see ``i18n.notice_text``).
    notices: list[tuple[str, dict]] = field(default_factory=list)
    #: who is who (``identity.IdentityResult``): which column identifies people, matches, new, candidates
    identity: who.IdentityResult | None = None
    #: A check kept for its Import (``validate_file(keep=True)``; see :func:`import_checked`)
    check_token: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("validated", "imported", "duplicate") and not (self.errors and self.status == "validated")

    def to_dict(self, max_problems: int = 1000) -> dict:
        probs = self.problems.head(max_problems)
        return {
            "file": self.file_name,
            "status": self.status,
            "kind": self.kind,
            "import_id": self.import_id,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_stored if self.status == "imported" else 0,
            "rows_valid": self.rows_valid,
            "rows_rejected": self.rows_rejected,
            "rows_skipped": self.rows_skipped,
            "errors": self.errors,
            "warnings": self.warnings,
            "message": self.message,
            "message_code": None if self.said is None else self.said.to_dict(),
            "format": self.file_format,
            "mapping": self.mapping,
            "unmapped": self.unmapped,
            "scales": self.scales,
            "date_formats": self.date_formats,
            "notes": self.notes,
            "duplicate_of": self.duplicate_of,
            "tool": self.tool,
            "tool_name": self.tool_name,
            "left_out": self.left_out,
            "scale_suggestion": self.scale_suggestion,
            "notices": [{"code": k, **v} for k, v in self.notices],
            "identity": None if self.identity is None else {
                **self.identity.to_dict(), "why": self.identity.why(), "summary": self.identity.summary()},
            "problems": [
                {k: (None if pd.isna(v) else v) for k, v in r.items()} for r in probs.to_dict(orient="records")
            ],
            "problems_total": int(self.problem_counts["n"].sum()) if len(self.problem_counts) else 0,
        }


def _empty_problems() -> pd.DataFrame:
    return pd.DataFrame(columns=["file", "row", "column", "value", "code", "detail", "severity"])


def normalise_kind(kind: str | None) -> str | None:
    if kind is None:
        return None
    k = KIND_ALIASES.get(fold(kind))
    if not k:
        raise OptionError(f"unknown kind {kind!r}; use participants, dimensions, values, ties or events",
                          "unknown_kind_option", kind=kind)
    return k


#: MIN-MAX: plain decimal numbers (point or comma), either may be negative ("-3-3"); no nan, inf or 1e9.
_SCALE_SPEC = re.compile(r"\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*[-–]\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*", re.ASCII)


def parse_scale(specs: Iterable[str] | None) -> dict[str | None, tuple[float, float]]:
    """``["1-5"]`` -> {None: (1, 5)}; ``["1a=0-10"]`` -> {"1a": (0, 10)}; ``["-3-3"]`` -> {None: (-3, 3)}.

    The code is checked against the instrument when a file is staged (``validate``)."""
    out: dict[str | None, tuple[float, float]] = {}
    for spec in specs or []:
        code, _, rng = spec.rpartition("=")
        m = _SCALE_SPEC.fullmatch(rng)
        if not m:
            raise OptionError(f"scale {spec!r}: write it as MIN-MAX or CODE=MIN-MAX, e.g. 1-5, -3-3 or 1a=0-10",
                              "scale_form", scale=spec)
        a, b = (float(g.replace(",", ".")) for g in m.groups())
        if b <= a:
            raise OptionError(f"scale {spec!r}: the maximum must be above the minimum", "scale_order", scale=spec)
        out[code.strip().lower() or None] = (a, b)
    return out


@dataclass
class _Options:
    kind: str | None = None
    network: str | None = None
    date: str | None = None
    wave: str | None = None
    scale: dict | None = None
    framework: Framework | None = None
    mapping_overrides: dict[str, str] | None = None
    sheet: str | int | None = None
    include_unfinished: bool = False
    date_order: str | None = None

    def defaults(self) -> dict[str, str]:
        return {k: v for k, v in (("network", self.network), ("date", self.date), ("wave", self.wave)) if v}

    def identity(self, data_hash: str, kind: str) -> str:
        """Same bytes imported with the same options is the same import; other options make another."""
        extra = {"defaults": self.defaults(), "scale": {str(k): v for k, v in (self.scale or {}).items()},
                 "mapping": self.mapping_overrides or {}, "sheet": self.sheet}
        if self.include_unfinished:
            extra["include_unfinished"] = True
        if self.date_order:
            extra["date_order"] = self.date_order
        if not any(extra.values()):
            return data_hash
        blob = json.dumps(extra, sort_keys=True, default=str).encode()
        return hashlib.sha256(data_hash.encode() + b"\0" + blob).hexdigest()


def _prepare(con, source, file_name, opts: _Options, report: ImportReport) -> Staged | None:
    try:
        raw = read_file(con, source, file_name=file_name, sheet=opts.sheet)
    except ReadError as e:
        report.status, report.message, report.said = "failed", str(e), said_of(e)
        report.problems = _one_problem(report.file_name, e.row, e.column, None, "unreadable", e.reason)
        report.errors = 1
        return None
    report.rows_read = raw.n_rows
    report.headers = list(raw.headers)
    report.file_format = {
        "format": raw.format, "encoding": raw.encoding, "delimiter": raw.delimiter, "sheet": raw.sheet,
        "first_data_row": raw.first_data_row,
    }
    report.notes = list(raw.notes)
    framework = opts.framework or default_framework()
    tool = detect_tool(raw.headers, raw.extra_headers)
    report.tool, report.tool_name = tool.id, dict(tool.name)
    try:
        # What the tool implies (its own columns ignored, its response date as the date, LimeSurvey's array
        # columns as the indicators) comes first; the user's hand mapping overrides it.
        implied = column_overrides(tool, raw.headers, has_date=False)
        arrays, array_code = array_indicators(raw.headers, framework) if tool.id == "limesurvey" else ({}, None)
        implied.update(arrays)
        user = opts.mapping_overrides or {}
        kind = opts.kind or detect_kind(raw.headers, raw.extra_headers, framework, {**implied, **user})
        if kind is None:
            raise FileProblem(
                raw.file_name,
                "cannot tell which kind of data this is from its headers (" + ", ".join(raw.headers[:12])
                + "); choose the kind (--kind) or map the columns",
                code="unknown_kind", key="unknown_kind", params={"headers": ", ".join(raw.headers[:12])},
            )
        report.kind = kind
        if "date" in tables()[kind].columns and "date" not in user.values():
            implied = {**column_overrides(tool, raw.headers, has_date=True), **arrays}
        if kind != "dimension_scores":
            implied = {h: v for h, v in implied.items() if not v.startswith("indicator:")}
        elif arrays and not any(v.startswith("indicator:") for v in user.values()):
            report.notices.append(("array_as_indicators", {"code": array_code, "n": len(arrays),
                                                           "first": framework.codes[0], "last": framework.codes[-1]}))
        try:
            mapping = map_columns(raw.headers, raw.extra_headers, kind, framework, {**implied, **user})
        except MappingError as e:
            report.mapping_conflict = (e.header, e.reason)
            report.mapping_conflict_said = said_of(e)
            try:  # the mapping without the hand choices, so the columns stay in view to be set right
                _describe_mapping(report, raw, map_columns(raw.headers, raw.extra_headers, kind, framework, implied))
            except MappingError:
                pass
            raise FileProblem(raw.file_name, e.reason, column=e.header, code="bad_mapping", key=e.key,
                              params=e.params) from e
        _describe_mapping(report, raw, mapping)
        if raw.n_rows == 0:
            raise FileProblem(raw.file_name, "there are no data rows below the header", code="no_rows",
                              key="no_rows")
        staged = stage(con, raw, mapping, defaults=opts.defaults(), scale=opts.scale, framework=framework,
                       period_scheme=store.period_scheme(con), tool=tool,
                       include_unfinished=opts.include_unfinished, date_order=opts.date_order)
    except FileProblem as e:
        run(con, f"DROP TABLE IF EXISTS {raw.table}")
        report.status, report.message, report.said = "failed", str(e), said_of(e)
        report.problems = _one_problem(report.file_name, None, e.column, None, e.code, e.reason)
        report.errors = 1
        return None
    except duckdb.Error as e:
        run(con, f"DROP TABLE IF EXISTS {raw.table}")
        report.status = "failed"
        report.message = f"{raw.file_name}: could not be checked ({str(e).splitlines()[0][:200]})"
        report.said = Said("not_checked", {"why": str(e).splitlines()[0][:200]}, raw.file_name)
        report.errors = 1
        return None
    report.scales = {c: {"min": lo, "max": hi, "source": src} for c, (lo, hi, src) in staged.scales.items()}
    report.date_formats = staged.date_formats
    report.notes += staged.notes
    report.rows_empty = staged.rows_empty
    report.left_out = dict(staged.left_out)
    report.scale_suggestion = staged.scale_suggestion
    report.notices += staged.notices
    if kind in ("dimension_scores", "value_reports"):
        report.identity = who.resolve_respondents(con, staged)
    elif kind == "participants":
        report.identity = who.resolve_list(con, staged)
    _summarise_problems(con, staged, report)
    return staged


def _date_order(order: str | None) -> str | None:
    if order in (None, ""):
        return None
    if order not in DATE_ORDERS:
        raise OptionError(f"date order {order!r}: use dmy (day first, 03/11/2025 = 3 November) or mdy (month first)",
                          "date_order", order=order)
    return order


def scale_message(report: ImportReport, lang: str = "en") -> str:
    """What the CLI and the page say when a scale is only suggested: the evidence and what to pass."""
    from analytics.i18n import scale_evidence, t

    s = report.scale_suggestion or {}
    if s.get("min") is None:
        return t("scale.none_fits", lang, evidence=scale_evidence(s, lang))
    return t("scale.confirm", lang, evidence=scale_evidence(s, lang), scale=f"{s['min']:g}-{s['max']:g}")


def _describe_mapping(report: ImportReport, raw: RawTable, mapping: Mapping) -> None:
    report.mapping = {raw.headers[i]: col for col, i in mapping.columns.items()}
    for (code, sit), i in mapping.indicators.items():
        report.mapping[raw.headers[i]] = f"indicator:{code}" + (f":{sit}" if sit else "")
    for code, i in mapping.cycles.items():
        report.mapping[raw.headers[i]] = f"cycle:{code}"
    report.unmapped = [raw.headers[i] for i in sorted(mapping.unmapped + mapping.counters)]


def _one_problem(file, row, column, value, code, detail) -> pd.DataFrame:
    return pd.DataFrame(
        [{"file": file, "row": row, "column": column, "value": value, "code": code, "detail": detail,
          "severity": "error"}]
    )


def _summarise_problems(con, staged: Staged, report: ImportReport) -> None:
    p = staged.problems
    report.problem_counts = frame(
        con,
        f"""SELECT severity, code, "column", count(*) AS n, min(row_number) AS first_row FROM {p}
            GROUP BY 1, 2, 3 ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'skipped' THEN 1 ELSE 2 END, n DESC""",
    )
    probs = frame(
        con,
        f"""SELECT ? AS file, row_number AS row, "column", value, code, detail, severity FROM {p}
            ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'skipped' THEN 1 ELSE 2 END, row_number
            LIMIT {MAX_PROBLEMS_KEPT}""",
        [report.file_name],
    )
    report.problems = probs
    counts = dict(rows(con, f"SELECT severity, count(DISTINCT rid) FROM {p} GROUP BY 1"))
    report.errors = scalar(con, f"SELECT count(*) FROM {p} WHERE severity = 'error'") or 0
    report.warnings = scalar(con, f"SELECT count(*) FROM {p} WHERE severity <> 'error'") or 0
    n_typed = staged.raw.n_rows - staged.rows_empty
    report.rows_rejected = counts.get("error", 0)
    report.rows_skipped = scalar(
        con,
        f"""SELECT count(DISTINCT rid) FROM {p} WHERE severity = 'skipped'
            AND rid NOT IN (SELECT rid FROM {p} WHERE severity = 'error')""",
    )
    report.rows_valid = n_typed - scalar(
        con, f"SELECT count(DISTINCT rid) FROM {p} WHERE severity IN ('error', 'skipped')"
    )
    if report.rows_rejected:
        report.rejected_rows = _rejected_rows(con, staged)


#: The columns a rejected-rows table puts before the file's own columns.
REPORT_COLUMNS = ("file", "row", "reasons")


def report_columns(headers: Iterable[str]) -> tuple[str, str, str]:
    """Names for the report columns (file, row, reasons) that collide with none of ``headers``: each gets
    one more leading '_' until all are free. A rejected-rows file checked again has columns 'file', 'row'
    and 'reasons' of its own; its new report then says '_file', '_row', '_reasons'."""
    taken = {str(h).casefold() for h in headers}
    prefix = ""
    while any((prefix + c).casefold() in taken for c in REPORT_COLUMNS):
        prefix += "_"
    file, row, reasons = (prefix + c for c in REPORT_COLUMNS)
    return file, row, reasons


def _ident(name: str) -> str:
    """A quoted SQL identifier (an alias taken from a header)."""
    return '"' + str(name).replace('"', '""') + '"'


def _rejected_rows(con, staged: Staged) -> pd.DataFrame:
    """The refused rows as they were in the file, with their reasons: ready to fix and import again.

    The first two columns are the spreadsheet row and the reasons, named so that they collide with no header
    of the file (``report_columns``)."""
    raw = staged.raw
    _, row, reasons = report_columns(raw.headers)
    cols = ", ".join(f"r.c{i} AS {_ident(h)}" for i, h in enumerate(raw.headers))
    df = frame(
        con,
        f"""WITH bad AS (SELECT rid, min(row_number) AS row_number,
                           string_agg(coalesce("column" || ': ', '') || code || coalesce(' (' || detail || ')', ''),
                                      '; ' ORDER BY "column") AS reasons
                         FROM {staged.problems} WHERE severity = 'error' GROUP BY rid)
            SELECT bad.row_number AS {_ident(row)}, bad.reasons AS {_ident(reasons)}, {cols}
            FROM bad JOIN {raw.table} r ON r.rowid = bad.rid ORDER BY bad.row_number LIMIT {MAX_REJECTED_KEPT}""",
    )
    return df


def validate_file(
    con: duckdb.DuckDBPyConnection,
    source: str | Path | bytes,
    *,
    file_name: str | None = None,
    kind: str | None = None,
    network: str | None = None,
    date: str | None = None,
    wave: str | None = None,
    scale: dict | None = None,
    framework: Framework | None = None,
    mapping_overrides: dict[str, str] | None = None,
    sheet: str | int | None = None,
    include_unfinished: bool = False,
    date_order: str | None = None,
    keep: bool = False,
) -> ImportReport:
    """Check a file and report every problem; writes nothing to the store.

    ``keep``: the checked rows stay staged (on a cursor of their own) and ``report.check_token`` names
    them, so that :func:`import_checked` stores them without reading and validating the file a second time.
    ``con`` must then outlive the Import: DuckDB closes a cursor with the connection it was made from.
    """
    cur = con.cursor()
    kept = False
    try:
        opts = _Options(normalise_kind(kind), network, date, wave, scale, framework, mapping_overrides, sheet,
                        include_unfinished, _date_order(date_order))
        report = ImportReport(file_name=file_name or (Path(source).name if not isinstance(source, bytes) else "upload"))
        staged = _prepare(cur, source, file_name, opts, report)
        if staged is not None:
            if keep:
                report.check_token = _keep_check(cur, staged, opts, report)
                kept = True
            else:
                drop_staged(cur, staged)
        return report
    finally:
        if not kept:
            cur.close()


# ---------------------------------------------------------------- checks kept for their Import

#: How many checks wait for their Import at once (each holds its file's rows in memory), and for how long.
KEEP_CHECKS = 2
KEEP_SECONDS = 15 * 60


@dataclass
class _KeptCheck:
    cur: duckdb.DuckDBPyConnection
    staged: Staged
    opts: _Options
    report: ImportReport
    version: tuple
    at: float


_kept: dict[str, _KeptCheck] = {}
_kept_lock = threading.Lock()


def _keep_check(cur, staged: Staged, opts: _Options, report: ImportReport) -> str:
    token = uuid.uuid4().hex
    old: list[_KeptCheck] = []
    with _kept_lock:
        now = time.monotonic()
        for key in [k for k, v in _kept.items() if now - v.at > KEEP_SECONDS]:
            old.append(_kept.pop(key))
        while len(_kept) >= KEEP_CHECKS:
            old.append(_kept.pop(next(iter(_kept))))  # the oldest first (dicts keep their order)
        _kept[token] = _KeptCheck(cur, staged, opts, copy.deepcopy(report), store.data_version(cur), now)
    for k in old:
        _release(k)
    return token


def _release(kept: _KeptCheck) -> None:
    with contextlib.suppress(duckdb.Error):
        drop_staged(kept.cur, kept.staged)
    with contextlib.suppress(duckdb.Error):
        kept.cur.close()


def drop_kept_checks() -> int:
    """Let go of every kept check (their rows and connections); how many there were."""
    with _kept_lock:
        old = list(_kept.values())
        _kept.clear()
    for k in old:
        _release(k)
    return len(old)


def import_checked(
    token: str | None,
    *,
    skip_invalid: bool = False,
    source_label: str = "file",
    on_progress: Callable[[float, str], None] | None = None,
) -> ImportReport | None:
    """Store the rows a kept check (``validate_file(keep=True)``) validated: the file is not read again.

    None when that check is gone -- used, let go (``KEEP_CHECKS``, ``KEEP_SECONDS``) -- or no longer true
    because the store changed since (an import or an undo: who is who may differ now). The caller then
    imports the file with :func:`import_file`, which checks it again.
    """
    with _kept_lock:
        kept = _kept.pop(token, None) if token else None
    if kept is None:
        return None
    try:
        try:
            if store.data_version(kept.cur) != kept.version:
                return None
        except duckdb.Error:  # its connection was closed meanwhile (the store reopened)
            return None
        progress = on_progress or (lambda f, s: None)
        progress(0.6, "validated")
        return _finish(kept.cur, kept.staged, kept.report, kept.opts, skip_invalid, source_label, progress)
    finally:
        _release(kept)


def import_file(
    con: duckdb.DuckDBPyConnection,
    source: str | Path | bytes,
    *,
    file_name: str | None = None,
    kind: str | None = None,
    network: str | None = None,
    date: str | None = None,
    wave: str | None = None,
    scale: dict | None = None,
    framework: Framework | None = None,
    mapping_overrides: dict[str, str] | None = None,
    sheet: str | int | None = None,
    skip_invalid: bool = False,
    source_label: str = "file",
    on_progress: Callable[[float, str], None] | None = None,
    include_unfinished: bool = False,
    date_order: str | None = None,
) -> ImportReport:
    """Validate and, when it may, store a file in one transaction. Never leaves a partial import behind."""
    progress = on_progress or (lambda f, s: None)
    cur = con.cursor()
    try:
        opts = _Options(normalise_kind(kind), network, date, wave, scale, framework, mapping_overrides, sheet,
                        include_unfinished, _date_order(date_order))
        report = ImportReport(file_name=file_name or (Path(source).name if not isinstance(source, bytes) else "upload"))
        progress(0.05, "read")
        staged = _prepare(cur, source, file_name, opts, report)
        if staged is None:
            return report
        try:
            progress(0.6, "validated")
            return _finish(cur, staged, report, opts, skip_invalid, source_label, progress)
        finally:
            drop_staged(cur, staged)
    finally:
        cur.close()


def _finish(cur, staged: Staged, report: ImportReport, opts: _Options, skip_invalid: bool, source_label: str,
            progress: Callable[[float, str], None]) -> ImportReport:
    """The second half of an import: refuse what may not be stored, else store it in one transaction."""
    if report.scale_suggestion is not None:
        # Never imported on a guessed scale, not even with --skip-invalid: the coach confirms it.
        report.status = "rejected"
        report.message = f"{report.file_name}: " + scale_message(report)
        report.said = Said("scale_unconfirmed", {}, report.file_name)
        return report
    if report.errors and not skip_invalid:
        report.status = "rejected"
        report.message = (
            f"{report.file_name}: {report.errors} problem(s) in {report.rows_rejected} row(s); nothing "
            "was imported. Fix the file, or import only the valid rows."
        )
        report.said = Said("rejected_rows", {"n": report.errors, "rows": report.rows_rejected},
                           report.file_name)
        return report
    identity = opts.identity(staged.raw.content_hash, staged.kind)
    try:
        _store(cur, staged, report, opts, identity, source_label)
    except duckdb.Error as e:  # a full or read-only disk: the transaction rolled back, nothing stored
        report.status = "failed"
        report.message = f"{report.file_name}: nothing was imported; " + store.write_failure(
            "the database", e)
        low = str(e).lower()
        report.said = Said("write_full" if "no space left" in low else "write_read_only" if (
            "read-only" in low or "permission" in low) else "write_failed",
            {"why": str(e).strip().splitlines()[0][:200]}, report.file_name)
        return report
    progress(1.0, "stored")
    return report


def _store(cur, staged: Staged, report: ImportReport, opts: _Options, identity: str,
           source_label: str) -> ImportReport:
    """The write, in one transaction: the same content twice adds nothing; else rows and imports row."""
    with store.transaction(cur):
        dup = store.find_import_by_hash(cur, identity, staged.kind)
        if dup is not None:
            report.status, report.duplicate_of = "duplicate", dup
            report.message = f"{report.file_name}: the same content was already imported (import {dup})."
            report.said = Said("duplicate", {"id": dup}, report.file_name)
            return report
        import_id = store.new_import_id(cur)
        stored = _write(cur, staged, import_id, report.identity)
        if stored.get("participants"):
            # new people get their code now (nobody else is new)
            ensure_pseudonyms(cur, among=[r[0] for r in rows(
                cur, "SELECT DISTINCT participant_id FROM participants WHERE import_id = ? LIMIT ?",
                [import_id, privacy.SCOPED_IDS_MAX + 1])])
        details = {
            "format": report.file_format, "mapping": report.mapping, "unmapped": report.unmapped,
            "scales": report.scales, "date_formats": report.date_formats, "notes": report.notes,
            "defaults": opts.defaults(), "framework": staged.framework, "stored": stored,
            "problems": report.problem_counts.to_dict(orient="records"),
            "identity": None if report.identity is None else report.identity.to_dict(),
        }
        run(
            cur,
            """INSERT INTO imports (import_id, file_name, content_hash, kind, source, rows_read,
                   rows_imported, rows_rejected, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [import_id, report.file_name, identity, staged.kind, source_label, report.rows_read,
             stored.get(staged.kind, 0), report.rows_rejected, json.dumps(details, default=str)],
        )
        computed.forget(cur)
    report.status, report.import_id = "imported", import_id
    report.rows_stored = stored.get(staged.kind, 0)
    return report


def _ok_rows(cur, staged: Staged) -> str:
    """SQL condition for the rows to store: none with an error or a reason to skip them."""
    bad = f"SELECT rid FROM {staged.problems} WHERE severity IN ('error', 'skipped')"
    if not scalar(cur, f"SELECT count(*) FROM ({bad})"):
        return "TRUE"
    return f"_rid NOT IN ({bad})"


def _write(cur, staged: Staged, import_id: int, identity: who.IdentityResult | None = None) -> dict[str, int]:
    """Insert the accepted rows. Runs inside the import's transaction.

    The rows come straight from the staged view (raw cells joined to their maps of typed values), so the file
    is typed once per distinct value and copied once, into the store.
    """
    cols = set(staged.columns)

    def v(name: str, expr: str | None = None, cast: str = "VARCHAR") -> str:
        return (expr or f"t_{name}") if f"t_{name}" in cols else f"NULL::{cast}"

    t, ok, kind = staged.table, _ok_rows(cur, staged), staged.kind
    scheme = store.period_scheme(cur)

    def period() -> str:
        """The wave label, else the period of the date: computed per distinct date while staging (again here
        only if the period scheme changed in between)."""
        if "t_date" in cols and scheme == staged.period_scheme:
            return f"coalesce({v('wave')}, p_date)"
        return period_of(v("date", "d_date", "DATE"), scheme, v("wave"))

    written: dict[str, int] = {}
    # Who each row is (identity.resolve_respondents): the person's id, never a response counter.
    who_rows = identity.rows_table if identity is not None and kind != "participants" else None
    person = "w_pid" if who_rows else "participant_id"
    who_join = (f"LEFT JOIN (SELECT _rid AS w_rid, participant_id AS w_pid FROM {who_rows}) w ON w.w_rid = _rid"
                if who_rows else "")
    if kind == "participants":
        first_last = f"nullif(trim(concat_ws(' ', {v('first_name')}, {v('last_name')})), '')"
        name = f"coalesce({v('name')}, {first_last})"
        run(cur, f"""INSERT INTO participants (import_id, row_number, participant_id, name, network, organisation,
                         role, role_label, joined, "left", external, email, identified_by)
                     SELECT {import_id}, _row, t_participant_id, {name}, {v('network')},
                     {v('organisation')}, {v('role', "coalesce(k_role, CASE WHEN t_role IS NOT NULL THEN 'other' END)")},
                     {v('role')}, {v('joined', 'd_joined', 'DATE')}, {v('left', 'd_left', 'DATE')}, false,
                     {who.email_sql(v('email'))}, {who.label('participant_id')!r}
                     FROM {t} WHERE {ok}""")
        if identity is not None:
            who.merge_list_matches(cur, identity, import_id, ok)
    elif kind == "events":
        run(cur, f"""INSERT INTO events SELECT {import_id}, _row, {v('network')}, d_date, t_label,
                     {period()} FROM {t} WHERE {ok}""")
    elif kind == "dimension_scores":
        lt = staged.long_table
        date_period = "date_period" if scheme == staged.period_scheme else period_of("date", scheme)
        framework = literal(staged.framework)
        if staged.base_codes:  # an extension: the shipped items under the shipped instrument
            framework = (f"CASE WHEN indicator IN ({', '.join(literal(c) for c in staged.base_codes)}) "
                         f"THEN {literal(staged.base_framework)} ELSE {framework} END")
        run(cur, f"""INSERT INTO dimension_scores SELECT {import_id}, _row, '{import_id}-' || CAST(_row AS VARCHAR),
                     {framework}, network, {person}, date, wave, coalesce(situation, 'current'),
                     indicator, raw, scale_min, scale_max, (raw - scale_min) / (scale_max - scale_min),
                     coalesce(wave, {date_period})
                     FROM {lt} {who_join}
                     WHERE raw IS NOT NULL AND isfinite(raw) AND indicator IS NOT NULL AND {ok}""")
    elif kind == "value_reports":
        pid = "w_pid" if who_rows else v("participant_id")
        common = (f"{import_id}, _row, t_network, {pid}, {v('date', 'd_date', 'DATE')}, {v('wave')}")
        p = period()
        if "cycle" in staged.mapping.columns:
            run(cur, f"""INSERT INTO value_reports SELECT {common}, k_cycle, {v('indicator')}, {v('description')},
                         {v('evidence')}, {p} FROM {t} {who_join} WHERE {ok}""")
        for code in staged.mapping.cycles:
            run(cur, f"""INSERT INTO value_reports SELECT {common}, {literal(code)}, {v('indicator')},
                         {v('description')}, {v('evidence')}, {p} FROM {t} {who_join}
                         WHERE {ok} AND (b_{code} = 'true' OR (b_{code} IS NULL AND n_{code} > 0))""")
    elif kind == "ties":
        e = staged.ends_table
        weight = v("weight", "coalesce(n_weight, CAST(f_weight AS DOUBLE), 1.0)", "DOUBLE")
        if weight.startswith("NULL"):
            weight = "1.0"
        if staged.renamed:
            named = f"(SELECT v, resolved FROM {e} WHERE how = 'name')"
            ends = "coalesce(s.resolved, t_source), coalesce(g.resolved, t_target)"
            joins = f"LEFT JOIN {named} s ON s.v = t_source LEFT JOIN {named} g ON g.v = t_target"
        else:
            ends, joins = "t_source, t_target", ""
        run(cur, f"""INSERT INTO ties SELECT {import_id}, _row, t_network, {ends},
                     {v('date', 'd_date', 'DATE')}, {v('wave')}, {v('tie_type', 'coalesce(k_tie_type, t_tie_type)')},
                     {v('topic')}, {weight}, {v('channel', 'coalesce(k_channel, lower(t_channel))')},
                     {period()} FROM {t} {joins} WHERE {ok}""")
        # People named in stored ties but not in the participant list: kept, marked external.
        run(cur, f"""INSERT INTO participants (import_id, row_number, participant_id, name, network, external,
                         email, identified_by)
                     SELECT {import_id}, first_row, v, v, network, true, {who.email_sql('v')},
                            CASE WHEN {who.email_sql('v')} IS NULL THEN {who.label('name')!r}
                                 ELSE {who.label('email')!r} END FROM {e}
                     WHERE how = 'external' AND v IN (SELECT v FROM {staged.end_rows_table} WHERE {ok})""")
    if who_rows:
        _store_respondents(cur, identity, import_id, ok)
    for table in store.FACT_TABLES:
        n = scalar(cur, f"SELECT count(*) FROM {table} WHERE import_id = ?", [import_id])
        if n:
            written[table] = n
    return written


def _store_respondents(cur, identity: who.IdentityResult, import_id: int, ok: str) -> None:
    """The new people among a survey file's respondents, as participants of the file's network(s). People
    already known keep the memberships they have (a second row without a leaving date would undo theirs; a
    list decides who belongs where): their marks still count in the network they answered in."""
    rr, people = identity.rows_table, identity.people_table
    run(cur, f"""INSERT INTO participants (import_id, row_number, participant_id, name, network, email, identified_by,
                     external)
                 WITH stored AS (SELECT p.pid, r.network, min(r._row) AS first_row, any_value(p.name) AS name,
                                        any_value(p.email_n) AS email, any_value(p.identified_by) AS identified_by
                                 FROM {rr} r JOIN {people} p USING (rkey)
                                 WHERE r.network IS NOT NULL AND {ok.replace('_rid', 'r._rid')}
                                 GROUP BY p.pid, r.network)
                 SELECT {import_id}, first_row, pid, name, network, email, identified_by, false FROM stored s
                 WHERE pid IN (SELECT pid FROM {people} WHERE matched IS NULL)
                   AND NOT EXISTS (SELECT 1 FROM v_participants q WHERE q.participant_id = s.pid
                                   AND q.network = s.network AND NOT q.external)""")



#: Files that look like data but cannot be read: listed, so that each gets its message (save as .xlsx…).
REFUSED_SUFFIXES = {".xls", ".ods", ".numbers"}


def data_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the data files in them (sorted), keep files as given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(
                q for q in p.iterdir()
                if q.is_file() and q.suffix.lower() in TEXT_SUFFIXES | EXCEL_SUFFIXES | REFUSED_SUFFIXES
            )
        else:
            out.append(p)
    return out


def import_paths(
    con: duckdb.DuckDBPyConnection, paths: Iterable[str | Path], **options
) -> list[ImportReport]:
    """Import several files (folders expanded), participants first so that ties can find them."""
    files = data_files(paths)
    kind = normalise_kind(options.get("kind"))
    if kind is None and len(files) > 1:
        guessed = {}
        for f in files:
            guessed[f] = _guess_kind(con, f, options.get("framework"))
        files.sort(key=lambda f: KIND_ORDER.index(guessed[f]) if guessed[f] in KIND_ORDER else 99)
    return [import_file(con, f, **options) for f in files]


def _guess_kind(con, path: Path, framework) -> str | None:
    cur = con.cursor()
    try:
        raw = read_file(cur, path)
        try:
            return detect_kind(raw.headers, raw.extra_headers, framework)
        finally:
            run(cur, f"DROP TABLE IF EXISTS {raw.table}")
    except Exception:  # noqa: BLE001 - only a guess for the order; the import itself reports the problem
        return None
    finally:
        cur.close()


TEMPLATE_EXAMPLES = {
    "participants": {"participant_id": "P001", "name": "Anouk de Vries", "network": "Rekenen",
                     "organisation": "OBS De Regenboog", "role": "teacher", "joined": "2024-09-01", "left": ""},
    "dimension_scores": {"network": "Rekenen", "date": "2025-03-15", "wave": "", "participant_id": "P001",
                         "situation": "current"},
    "value_reports": {"network": "Rekenen", "participant_id": "P001", "date": "2025-03-15", "wave": "",
                      "cycle": "applied", "indicator": "afspraken in het team",
                      "description": "We use the new feedback routine in all groups 5-8.",
                      "evidence": "team meeting notes"},
    "ties": {"network": "Rekenen", "source": "P001", "target": "P002", "date": "2025-03-15", "wave": "",
             "tie_type": "advice", "topic": "rekendidactiek", "weight": "3", "channel": "face_to_face"},
    "events": {"network": "Rekenen", "date": "2025-01-15", "label": "Study day"},
}


def template_csv(kind: str) -> bytes:
    """A file with the canonical headers and one example row, for the Data page's template download."""
    kind = normalise_kind(kind)
    cols = list(tables()[kind].columns)
    example = dict(TEMPLATE_EXAMPLES[kind])
    if kind == "dimension_scores":
        cols = [c for c in cols if c not in ("indicator", "score")]
        for i, code in enumerate(default_framework().codes):
            header = f"{code} (0-10)"
            cols.append(header)
            example[header] = str((i * 3) % 11)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    w.writerow([example.get(c, "") for c in cols])
    return buf.getvalue().encode("utf-8")
