"""Which survey tool made a file, from its shape alone, and what that tool's rows and columns mean.

The signatures are data (analytics/definitions/survey_tools.toml); this module reads them, recognises a tool
from the header rows (``detect_tool``), finds tool-specific extra header rows for the reader
(``extra_header_rows``, ``compose_headers``) and turns a tool's rules into mapping overrides and
leave-out rules for the stager.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache

from analytics.definitions import DEFINITIONS_DIR, Framework, fold


@dataclass(frozen=True)
class LeaveOut:
    """Rows that are no real answer: ``column`` holding one of ``values``, or a number below ``below``, or
    left ``empty``. ``unfinished``: an unfinished response (kept with --include-unfinished)."""

    columns: tuple[str, ...]
    reason: str
    values: tuple[str, ...] = ()
    below: float | None = None
    empty: bool = False
    unfinished: bool = False


@dataclass(frozen=True)
class Tool:
    id: str
    name: dict[str, str]
    all_of: tuple[frozenset[str], ...] = ()
    first_header: tuple[str, ...] = ()
    import_id_row: bool = False
    second_header_row: tuple[str, ...] = ()
    metadata: frozenset[str] = frozenset()
    date: tuple[str, ...] = ()
    leave_out: tuple[LeaveOut, ...] = ()

    def matches(self, folded: list[str]) -> bool:
        present = set(folded)
        if self.first_header and folded and folded[0] in self.first_header:
            return True
        return any(s <= present for s in self.all_of)


@dataclass(frozen=True)
class Likert:
    points: int
    #: folded label -> position (1-based)
    positions: dict[str, int] = field(default_factory=dict)


def _toml() -> dict:
    with open(DEFINITIONS_DIR / "survey_tools.toml", "rb") as f:
        return tomllib.load(f)


@cache
def survey_tools() -> tuple[Tool, ...]:
    out = []
    for t in _toml()["tool"]:
        out.append(Tool(
            id=t["id"], name=dict(t["name"]),
            all_of=tuple(frozenset(s) for s in t.get("all_of", [])),
            first_header=tuple(t.get("first_header", [])),
            import_id_row=bool(t.get("import_id_row")),
            second_header_row=tuple(t.get("second_header_row", [])),
            metadata=frozenset(t.get("metadata", [])),
            date=tuple(t.get("date", [])),
            leave_out=tuple(LeaveOut(tuple(r["column"]), r["reason"], tuple(str(v).lower() for v in r.get("values", [])),
                                     r.get("below"), bool(r.get("empty")), bool(r.get("unfinished")))
                            for r in t.get("leave_out", [])),
        ))
    return tuple(out)


@cache
def fallback_tool() -> Tool:
    f = _toml()["fallback"]
    return Tool(id=f["id"], name=dict(f["name"]))


@cache
def likert_scales() -> tuple[Likert, ...]:
    out = []
    for s in _toml()["likert"]:
        out.append(Likert(int(s["points"]), {fold(lbl): i + 1 for i, labels in enumerate(s["labels"]) for lbl in labels}))
    return tuple(sorted(out, key=lambda s: s.points))


def tool_by_id(tool_id: str) -> Tool:
    return next((t for t in survey_tools() if t.id == tool_id), fallback_tool())


def detect_tool(headers: list[str], extra_headers: list[list[str]] | None = None) -> Tool:
    """The first tool whose signature the headers carry; an ImportId row is Qualtrics whatever the names."""
    folded = [fold(h) for h in headers]
    for row in extra_headers or []:
        if any("importid" in fold(c) for c in row):
            return tool_by_id("qualtrics")
    for tool in survey_tools():
        if tool.matches(folded):
            return tool
    return fallback_tool()


def extra_header_rows(records: list[list[str]], header: int) -> int:
    """How many rows after the header row are header too, for tools that write more than one:
    Qualtrics (question texts, then ``{"ImportId": ...}``; legacy exports only the question texts, whose
    first cells repeat the names of the first row) and SurveyMonkey (answer options or "Response")."""
    if header >= len(records):
        return 0
    for j in (1, 2):
        k = header + j
        if k < len(records) and any('"importid"' in str(c).lower().replace(" ", "") for c in records[k]):
            return j
    folded = [fold(h) for h in records[header]]
    nxt = records[header + 1] if header + 1 < len(records) else []
    for tool in survey_tools():
        if not tool.matches(folded):
            continue
        if tool.second_header_row and nxt:
            if any(fold(c) in tool.second_header_row for c in nxt):
                return 1
            # A file of matrix questions only has no "Response" cell: but a data row always has its
            # respondent's metadata (Respondent ID...), and the second header row never does.
            meta = [i for i, f in enumerate(folded) if (f in tool.metadata or any(f in s for s in tool.all_of))
                    and i < len(nxt)]
            if meta and not any(str(nxt[i]).strip() for i in meta) and any(str(c).strip() for c in nxt):
                return 1
        if tool.import_id_row and nxt:
            # Legacy Qualtrics: the metadata columns' second cells name them again ("Start Date").
            meta = [i for i, f in enumerate(folded) if f in tool.metadata and i < len(nxt)]
            same = [i for i in meta if fold(nxt[i]).replace("_", "") == folded[i].replace("_", "")]
            if meta and len(same) * 2 >= len(meta):
                return 1
    return 0


def compose_headers(headers: list[str], extra: list[list[str]]) -> list[str]:
    """SurveyMonkey writes a question once above all its columns (a matrix) and the option below: each
    column becomes "Question - Option" (the question alone where the option is just "Response")."""
    if len(extra) != 1:
        return headers
    folded = [fold(h) for h in headers]
    tool = next((t for t in survey_tools() if t.second_header_row and t.matches(folded)), None)
    if tool is None:
        return headers
    out, question = [], ""
    for i, h in enumerate(headers):
        option = extra[0][i] if i < len(extra[0]) else ""
        option = (option or "").strip()
        if str(h or "").strip():
            question = str(h).strip()
        elif not option:
            out.append(h)
            continue
        if option and fold(option) not in tool.second_header_row and question:
            out.append(f"{question} - {option}")
        else:
            out.append(question if str(h or "").strip() else h)
    return out


def column_overrides(tool: Tool, headers: list[str], has_date: bool) -> dict[str, str]:
    """Hand-mapping-like overrides the tool implies: its metadata columns are ignored, and its response date
    is the date (when the file's kind has a date column: ``has_date``)."""
    folded = [fold(h) for h in headers]
    out: dict[str, str] = {}
    for h, f in zip(headers, folded, strict=True):
        if f in tool.metadata:
            out[h] = "ignore"
    if has_date:
        for name in tool.date:
            if name in folded:
                out[headers[folded.index(name)]] = "date"
                break
    return out


_ARRAY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*\[\s*([A-Za-z0-9_]+)\s*\]\s*$")


def array_indicators(headers: list[str], framework: Framework) -> tuple[dict[str, str], str | None]:
    """LimeSurvey array columns ``CODE[SQ001]`` carry no indicator code. When one array question has exactly
    as many subquestions as the instrument has indicators, its columns are the indicators in the
    instrument's order: overrides {header: "indicator:1a"} and the array's code (for the note), else ({}, None)."""
    groups: dict[str, list[str]] = {}
    for h in headers:
        m = _ARRAY.match(str(h))
        if m:
            groups.setdefault(m.group(1), []).append(h)
    codes = framework.codes
    for base, cols in groups.items():
        if len(cols) == len(codes) and not any(framework.code_pattern().search(c.split("[", 1)[1]) for c in cols):
            return {h: f"indicator:{c}" for h, c in zip(cols, codes, strict=True)}, base
    return {}, None
