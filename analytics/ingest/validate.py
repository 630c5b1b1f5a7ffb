"""Typing and checking a landed file, set-based in DuckDB SQL.

Input: a RawTable (text cells) and a Mapping. Output: the typed canonical rows (a temp view) and a temp table
of problems, each naming the spreadsheet row, the column header, the value and a reason code.
Severity: ``error`` rejects the row (and by default the file); ``skipped`` drops the row but is no reason
to refuse the file (an exact duplicate, a self-loop); ``warning`` keeps the row (an unknown role stored as
"other", a tie to someone outside the participant list).

Why it is built on maps: most columns hold few distinct values (a network, a date, a tie type), and even id
columns repeat. So each raw column is first reduced to a *map* of its distinct values, and the work per cell
happens there, once per value: cleaning (trim, missing-answer tokens like "n.v.t."), typing (dates in the
file's format, numbers with a decimal comma, vocabulary codes, the period) and every check that looks at one
cell. Rows are visited only to find the rows that hold a bad value (a join with the few bad values), for the
checks that compare cells of one row, and to store them: the typed rows are a view that joins the raw table
to its maps, never a second copy of the file.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from analytics.definitions import (
    Framework,
    cycle_vocabulary,
    default_framework,
    fold,
    tables,
    value_cycles,
    vocabularies,
)
from analytics.ingest import identity
from analytics.ingest.locale import (
    DATE_FORMAT_LABEL,
    DATE_MAX,
    DATE_MIN,
    DAY_MONTH_YEAR,
    MISSING_TOKENS,
    MONTH_DAY_YEAR,
    choose_date_format,
    date_separator,
    implausible,
    one_way_date,
    other_reading,
    separator_of,
    two_way_date,
)
from analytics.ingest.locale import date_expr as _date_expr
from analytics.ingest.locale import number as _number
from analytics.ingest.mapping import Mapping, scale_from_header
from analytics.ingest.readers import DELIMITERS, RawTable
from analytics.ingest.tools import Tool, likert_scales
from analytics.store.db import literal, rows, run, scalar
from analytics.store.periods import DEFAULT_SCHEME, period_of

FREE_TEXT = {"name", "first_name", "last_name", "label", "description", "evidence", "topic", "indicator_text"}
MAX_TEXT = 10_000
MAX_LONG_TEXT = 100_000
LONG_TEXT = {"description", "evidence"}
#: The scales a suggestion is chosen from (smallest first); any other is given with --scale.
KNOWN_SCALES = [(1.0, 5.0), (1.0, 7.0), (0.0, 10.0), (0.0, 100.0)]
KNOWN_SCALES_MIN = min(a for a, _ in KNOWN_SCALES)
KNOWN_SCALES_MAX = max(b for _, b in KNOWN_SCALES)
SEVERITIES = ("error", "skipped", "warning")
MAX_SHORT_ROWS = 10_000
#: Map key of the one-row table holding the defaults given for the whole file (--network, --date, --wave).
DEFAULTS = -1


class FileProblem(ValueError):
    """A problem with the file as a whole (no row to point at): a missing required column, say."""

    def __init__(self, file: str, reason: str, column: str | None = None, code: str = "file",
                 key: str | None = None, params: dict | None = None):
        self.file, self.reason, self.column, self.code = file, reason, column, code
        #: the page's words: ``msg.<key>`` with ``params`` (see ``messages``); ``reason`` is the CLI's
        self.key, self.params, self.row = key, params or {}, None
        super().__init__(f"{file}" + (f", column {column}" if column else "") + f": {reason}")


@dataclass
class Staged:
    """A validated file, waiting in temp tables (and views) of the connection that staged it."""

    raw: RawTable
    mapping: Mapping
    kind: str
    table: str  # typed canonical rows, with _rid and _row (a view over the raw table and its maps)
    problems: str  # temp table of problems
    scales: dict[str, tuple[float, float, str]] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rows_empty: int = 0
    externals: list[str] = field(default_factory=list)
    #: Some tie ends were given as names and resolved to ids (so writes must join the resolution).
    renamed: bool = False
    #: Tie ends that are no participant id: how each was resolved (``how``: name | external).
    ends_table: str | None = None
    #: Every row holding such an end (v, _rid), so the write can tell which external people it stores.
    end_rows_table: str | None = None
    long_table: str | None = None
    framework: str = "dimensions"
    #: An extension's items that belong to the instrument it extends (stored under that one's id).
    base_codes: tuple[str, ...] = ()
    base_framework: str | None = None
    #: Columns of ``table``.
    columns: list[str] = field(default_factory=list)
    #: The period scheme the ``p_date`` column was computed with.
    period_scheme: str = DEFAULT_SCHEME
    #: Every temp object made for this file, as ("TABLE" | "VIEW", name), dropped by ``drop_staged``.
    temps: list[tuple[str, str]] = field(default_factory=list)
    #: A scale found only from the values (or answer texts): the suggestion and its evidence, to be confirmed
    #: (``--scale``) before the file can be imported. None when every scale is declared.
    scale_suggestion: dict | None = None
    #: Rows left out because the tool marks them as no real answer: reason -> rows.
    left_out: dict[str, int] = field(default_factory=dict)
    #: Messages about the file as a whole, as (translation key, parameters).
    notices: list[tuple[str, dict]] = field(default_factory=list)

    def header(self, i: int) -> str:
        return self.raw.headers[i]



def _clean(col: str, free: bool) -> str:
    """Trimmed text, NULL for empty and (outside free text) for missing-answer tokens like 'n.v.t.'."""
    if free:
        return f"nullif(trim({col}), '')"
    tokens = ", ".join(literal(t) for t in MISSING_TOKENS)
    return f"CASE WHEN lower(trim({col})) IN ({tokens}) THEN NULL ELSE trim({col}) END"


def _fold_sql(expr: str) -> str:
    return f"trim(regexp_replace(lower(strip_accents({expr})), '[^a-z0-9]+', '_', 'g'), '_')"


def _ensure_vocab(con) -> None:
    if scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'vocab' AND temporary"):
        return
    run(con, "CREATE TEMP TABLE vocab (vocabulary VARCHAR, spelling VARCHAR, code VARCHAR)")
    data = [(v, s, c) for v, m in vocabularies().items() for s, c in m.items()]
    data += [("cycles", s, c) for s, c in cycle_vocabulary().items()]
    # One insert of three lists, not one statement per word (executemany took 0.09 s of every import).
    run(con, "INSERT INTO vocab SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
        [[d[0] for d in data], [d[1] for d in data], [d[2] for d in data]])


def _vocab_lookup(vocabulary: str, expr: str) -> str:
    return (
        f"(SELECT code FROM vocab WHERE vocabulary = {literal(vocabulary)} AND spelling = {_fold_sql(expr)} LIMIT 1)"
    )


def _word_lookup(vocabulary: str, expr: str) -> str:
    """A vocabulary code for a word ("wekelijks", "ja"), or for a bare number spelled as a code ("1"). Text
    holding digits and anything else ('-2, −1, (2)) matches nothing: folding drops signs and punctuation, so it
    would otherwise read as the bare number (a weight of '-2 became frequency 2, a yes/no of -1 became yes)."""
    return (f"CASE WHEN regexp_matches({expr}, '[0-9]') AND NOT regexp_full_match(trim({expr}), '[0-9]+') "
            f"THEN NULL ELSE {_vocab_lookup(vocabulary, expr)} END")


@dataclass
class _Map:
    """The distinct values of one raw column (or the one row of defaults), with their cleaned and typed forms.

    Columns: ``v`` (the raw text, NULL included), ``n`` (how many rows hold it), then per canonical column
    its cleaned text (``t_network``, or ``w_1a_row`` / ``y_applied`` for wide columns) and typed forms
    (``d_`` date, ``p_`` period, ``n_`` number, ``k_`` code, ``f_`` frequency word, ``b_`` yes/no).
    """

    table: str
    column: int  # raw column index, or DEFAULTS
    texts: list[str] = field(default_factory=list)  # cleaned text columns, e.g. ["t_date"]
    columns: list[str] = field(default_factory=list)  # everything it provides to the typed rows
    #: Plain text that cleaning leaves as it is (ids without stray spaces): rows read the raw cell, no join.
    identity: bool = False
    #: Facts about the values, for checks that can then skip the rows: some value is blank (or NULL), the
    #: most rows holding one value, values equal to the column's header (a header line repeated as data).
    blanks: int = 0
    most: int = 0
    header_hits: int = 0

    @property
    def raw_col(self) -> str:
        return f"r.c{self.column}"


class Stager:
    """Builds the maps, the typed rows and the problems table for one file."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        raw: RawTable,
        mapping: Mapping,
        *,
        defaults: dict[str, str] | None = None,
        scale: dict[str | None, tuple[float, float]] | None = None,
        framework: Framework | None = None,
        period_scheme: str = DEFAULT_SCHEME,
        tool: Tool | None = None,
        include_unfinished: bool = False,
        date_order: str | None = None,
    ):
        self.con, self.raw, self.mapping = con, raw, mapping
        self.tool, self.include_unfinished, self.date_order = tool, include_unfinished, date_order
        self.kind = mapping.kind
        self.defaults = {k: v for k, v in (defaults or {}).items() if v not in (None, "")}
        self.scale = scale or {}
        self.framework = framework or default_framework()
        self._check_names()
        self.uid = uuid.uuid4().hex[:10]
        self.typed = f"typ_{self.uid}"
        self.problems = f"prob_{self.uid}"
        self.empty = f"empty_{self.uid}"
        fw = self.framework
        self.staged = Staged(raw, mapping, self.kind, self.typed, self.problems, framework=fw.id,
                             period_scheme=period_scheme, base_framework=fw.extends,
                             base_codes=tuple(c for c in fw.codes if fw.stored_under(c) != fw.id))
        self.maps: dict[int, _Map] = {}
        self.pending: list[tuple[str, ...]] = []  # single-cell checks waiting for run_checks
        self.map_of: dict[str, _Map] = {}  # text or typed column -> its map
        _ensure_vocab(con)
        self._temp_table(
            self.problems,
            """(row_number BIGINT, rid BIGINT, "column" VARCHAR, value VARCHAR, code VARCHAR, detail VARCHAR,
                severity VARCHAR)""",
        )

    def _check_names(self) -> None:
        """Whatever came from a hand mapping or an option and ends up in SQL must be known: indicator and cycle
        codes become parts of column names, scale bounds numbers in the query (``mapping`` checks hand
        mappings against the same lists; this is the last line)."""
        file = self.raw.file_name
        cycles = {c.code for c in value_cycles()}
        situations = set(vocabularies()["situations"].values())
        for (code, sit), i in self.mapping.indicators.items():
            if code not in self.framework.codes or (sit is not None and sit not in situations):
                raise FileProblem(file, f"'{code}' is no indicator code of the instrument '{self.framework.id}' "
                                        f"(known: {', '.join(self.framework.codes)})",
                                  column=self.raw.headers[i], code="bad_mapping", key="not_indicator",
                                  params={"code": code, "instrument": self.framework.id,
                                          "known": ", ".join(self.framework.codes)})
        for code, i in self.mapping.cycles.items():
            if code not in cycles:
                raise FileProblem(file, f"'{code}' is no value cycle", column=self.raw.headers[i], code="bad_mapping",
                                  key="not_cycle", params={"code": code})
        for code, bounds in self.scale.items():
            if not (len(bounds) == 2 and all(isinstance(b, int | float) and math.isfinite(b) for b in bounds)
                    and bounds[0] < bounds[1]):
                raise FileProblem(file, f"the scale {bounds!r} is no range of two numbers", code="bad_scale",
                                  key="bad_scale", params={"scale": str(bounds)})
            if code is not None and self.kind == "dimension_scores" and code not in self.framework.codes:
                raise FileProblem(file, f"--scale names indicator '{code}', which the instrument "
                                        f"'{self.framework.id}' does not have (known: "
                                        f"{', '.join(self.framework.codes)})", code="bad_scale",
                                  key="scale_not_indicator", params={"code": code, "instrument": self.framework.id,
                                                                     "known": ", ".join(self.framework.codes)})

    # ------------------------------------------------------------ helpers

    def _temp_table(self, name: str, body: str) -> None:
        """``CREATE TEMP TABLE name <body>``, remembered for ``drop_staged``."""
        run(self.con, f"CREATE TEMP TABLE {name} {body}")
        self.staged.temps.append(("TABLE", name))

    def has(self, name: str) -> bool:
        """Does the file give canonical column ``name`` (as a column, or as a default for every row)?"""
        return name in self.mapping.columns or name in self.defaults

    def header_of(self, name: str) -> str:
        if name in self.mapping.columns:
            return self.raw.headers[self.mapping.columns[name]]
        return f"({name})"

    def problem(self, where: str, column: str | None, value: str, code: str, detail: str = "NULL",
                severity: str = "error", table: str | None = None) -> None:
        """Record a problem for every row of ``table`` matching ``where``. ``column=None`` takes the row's
        ``header``."""
        col = "header" if column is None else literal(column)
        run(
            self.con,
            f"""INSERT INTO {self.problems} SELECT _row, _rid, {col}, left(CAST({value} AS VARCHAR), 200),
                {literal(code)}, {detail}, {literal(severity)} FROM {table or self.typed} WHERE {where}""",
        )

    def check(self, col: str, bad: str, header: str, value: str, code: str, detail: str = "NULL",
              severity: str = "error") -> None:
        """Record a problem (under ``header``) for every row whose value in text column ``col`` is ``bad``: a
        condition on the columns of its map, so it is decided once per distinct value. Checks wait in a list
        until ``run_checks`` decides them all in one query (most find nothing and read no row)."""
        self.pending.append((col, bad, header, value, code, detail, severity))

    def run_checks(self) -> None:
        pending, self.pending = self.pending, []
        counts = " UNION ALL ".join(
            f"""SELECT {j}, count(*) FILTER (WHERE v IS NOT NULL), count(*) FILTER (WHERE v IS NULL)
                FROM {self.map_of[col].table} WHERE {bad}""" for j, (col, bad, *_) in enumerate(pending))
        for j, values, nulls in rows(self.con, counts) if pending else []:
            col, bad, header, value, code, detail, severity = pending[j]
            if values or nulls:
                rel = self.rows_sql([col], where={col: bad}, found={col: (values, nulls)})
                self.problem("TRUE", header, value, code, detail, severity, table=rel)
        # Dates that do not parse: impossible (31-02-2025, 31 februari 2025) or not a date at all.
        run(self.con, f"""UPDATE {self.problems} SET code = CASE WHEN regexp_full_match(
            split_part(split_part(value, ' ', 1), 'T', 1), '[0-9]{{1,4}}[-/.][0-9]{{1,2}}[-/.][0-9]{{1,4}}')
            OR regexp_full_match(lower(trim(value)), {literal(DAY_MONTH_YEAR)})
            OR regexp_full_match(lower(trim(value)), {literal(MONTH_DAY_YEAR)})
            THEN 'date_not_exist' ELSE 'not_a_date' END WHERE code = '__date__'""")

    def rows_sql(self, cols: Iterable[str] = (), where: dict[str, str] | None = None,
                 found: dict[str, tuple[int, int]] | None = None) -> str | None:
        """A subquery of typed rows: ``_rid``, ``_row`` and everything the maps of ``cols`` provide.

        ``where`` keeps the rows whose value in a text column meets a condition on its map: decided per
        distinct value, then the rows are found by a join on the matching values (so a check that finds no
        bad value reads no row at all). ``found``: how many values (non-NULL, NULL) meet it, when already
        counted. Empty rows are left out. None when no row can match.
        """
        where = where or {}
        maps = {self.map_of[c].column: self.map_of[c] for c in [*cols, *where]}
        conds = []
        for col, cond in where.items():
            m = self.map_of[col]
            values, nulls = (found or {}).get(col) or rows(
                self.con,
                f"""SELECT count(*) FILTER (WHERE v IS NOT NULL), count(*) FILTER (WHERE v IS NULL)
                    FROM {m.table} WHERE {cond}""",
            )[0]
            if not values and not nulls:
                return None
            if m.column == DEFAULTS:
                continue
            alts = [f"{m.raw_col} IN (SELECT v FROM {m.table} WHERE v IS NOT NULL AND ({cond}))"] if values else []
            alts += [f"{m.raw_col} IS NULL"] if nulls else []
            conds.append("(" + " OR ".join(alts) + ")")
        if self.staged.rows_empty:
            conds.append(f"r.rowid NOT IN (SELECT rid FROM {self.empty})")
        select = ["r.rowid AS _rid", f"{self.raw.first_data_row} + r.rowid AS _row"]
        joins = []
        for k, m in maps.items():
            if m.identity:
                select.append(f"{m.raw_col} AS {m.texts[0]}")
                continue
            select += [f"m{k + 1}.{c}" for c in m.columns]
            if k == DEFAULTS:
                joins.append(f"CROSS JOIN {m.table} m{k + 1}")
            else:
                joins.append(f"LEFT JOIN {m.table} m{k + 1} ON {m.raw_col} = m{k + 1}.v")
        return (f"(SELECT {', '.join(select)} FROM {self.raw.table} r {' '.join(joins)}"
                + (f" WHERE {' AND '.join(conds)}" if conds else "") + ")")

    def require_columns(self) -> None:
        spec = tables()[self.kind]
        for col in spec.columns.values():
            if col.required and not self.has(col.name):
                if self.kind == "dimension_scores" and col.name in ("indicator", "score"):
                    continue
                raise FileProblem(self.raw.file_name, f"no column for '{col.name}' was found", code="missing_column",
                                  key="missing_column", params={"column": col.name})
        if self.kind == "dimension_scores" and not self.mapping.indicators and not (
            "indicator" in self.mapping.columns and "score" in self.mapping.columns
        ):
            raise FileProblem(
                self.raw.file_name,
                "no indicator columns (headers holding a code such as 1a, 2b) and no indicator + score columns",
                code="missing_column", key="no_indicators",
            )
        if self.kind == "value_reports" and "cycle" not in self.mapping.columns and not self.mapping.cycles:
            raise FileProblem(
                self.raw.file_name, "no 'cycle' column and no column per cycle was found", code="missing_column",
                key="no_cycles",
            )
        if self.kind in ("dimension_scores", "value_reports", "ties"):
            if not self.has("date") and not self.has("wave"):
                raise FileProblem(
                    self.raw.file_name,
                    "no date or wave column; give the date of the survey (--date) or a wave label (--wave)",
                    code="missing_period", key="no_period",
                )

    # ------------------------------------------------------------ stage

    def run(self) -> Staged:
        self.require_columns()
        self.build_maps()
        self.find_empty_rows()
        self.make_typed()
        self.leave_out_rows()
        self.common_checks()
        getattr(self, f"check_{self.kind}")()
        self.run_checks()
        self.other_delimiter_rows()
        self.same: str | None = None
        self.duplicate_rows()
        # A row with the same details as an earlier one (an exact copy, or one that differs only in ignored
        # columns) is no second, conflicting row.
        if self.same:
            run(self.con, f"""DELETE FROM {self.problems} WHERE code = 'duplicate_id' AND rid IN
                              (SELECT rid FROM {self.same} WHERE rid > first_mapped)""")
        # A repeated header line and a response the tool marks as no answer (a preview, an unfinished one)
        # are one skipped line each, not a list of errors about their cells.
        run(self.con, f"""DELETE FROM {self.problems} WHERE code <> 'repeated_header' AND rid IN
                          (SELECT rid FROM {self.problems} WHERE code = 'repeated_header')""")
        run(self.con, f"""DELETE FROM {self.problems} WHERE NOT starts_with(code, 'left_out_') AND rid IN
                          (SELECT rid FROM {self.problems} WHERE starts_with(code, 'left_out_'))""")
        self.short_rows()
        if self.raw.controls_removed:
            self.staged.notices.append(("controls_removed", {"n": self.raw.controls_removed}))
        return self.staged

    def short_rows(self) -> None:
        """Rows with fewer fields than the header has names: kept (the missing cells are empty) but named,
        unless they are named already (a row written with another delimiter, a repeated header...)."""
        if not self.raw.short_rows:
            return
        width = len(self.raw.headers)
        self.con.executemany(
            f"""INSERT INTO {self.problems} SELECT ?, ?, NULL, NULL, 'short_row', ?, 'warning'
                WHERE ?::BIGINT NOT IN (SELECT rid FROM {self.problems} WHERE rid IS NOT NULL)""",
            [(row, row - self.raw.first_data_row, f"{n}/{width}", row - self.raw.first_data_row)
             for row, n in self.raw.short_rows[:MAX_SHORT_ROWS]],
        )

    def leave_out_rows(self) -> None:
        """Rows the survey tool marks as no real answer (a preview, a test, spam, an unfinished response): left
        out with their reason, counted in the report. Unfinished ones stay with ``include_unfinished``."""
        if self.tool is None or not self.tool.leave_out:
            return
        folded = [fold(h) for h in self.raw.headers]
        whens, header_of = [], []
        for rule in self.tool.leave_out:
            if rule.unfinished and self.include_unfinished:
                continue
            idx = [i for i, f in enumerate(folded) if f in rule.columns]
            if not idx:
                continue
            c = f"c{idx[0]}"
            if rule.values:
                cond = f"lower(trim({c})) IN ({', '.join(literal(v) for v in rule.values)})"
            elif rule.below is not None:
                cond = f"{_number(c)} < {float(rule.below)!r}"
            elif rule.empty:
                cond = f"nullif(trim({c}), '') IS NULL"
            else:
                continue
            whens.append(f"WHEN {cond} THEN {literal(rule.reason)}")
            header_of.append(f"WHEN {cond} THEN {literal(self.raw.headers[idx[0]])}")
        if not whens:
            return
        empty = f"WHERE rowid NOT IN (SELECT rid FROM {self.empty})" if self.staged.rows_empty else ""
        run(self.con, f"""INSERT INTO {self.problems}
            SELECT {self.raw.first_data_row} + rowid, rowid, col, NULL, 'left_out_' || reason, NULL, 'skipped'
            FROM (SELECT rowid, CASE {' '.join(whens)} END AS reason,
                         CASE {' '.join(header_of)} END AS col FROM {self.raw.table} {empty})
            WHERE reason IS NOT NULL""")
        self.staged.left_out = dict(rows(self.con, f"""SELECT substr(code, 10), count(*) FROM {self.problems}
                                                     WHERE starts_with(code, 'left_out_') GROUP BY 1 ORDER BY 2 DESC"""))

    def answers_only(self) -> str:
        """SQL condition on ``_rid``: not a row the tool marks as no answer."""
        if not self.staged.left_out:
            return "TRUE"
        return f"_rid NOT IN (SELECT rid FROM {self.problems} WHERE starts_with(code, 'left_out_'))"

    def text_columns(self) -> dict[int, list[tuple[str, str]]]:
        """Per raw column (DEFAULTS: the defaults row), its cleaned text columns as (name, SQL over ``v``)."""
        out: dict[int, list[tuple[str, str]]] = {}
        for name in tables()[self.kind].columns:
            if name in self.mapping.columns:
                out.setdefault(self.mapping.columns[name], []).append((f"t_{name}", _clean("v", name in FREE_TEXT)))
            elif name in self.defaults:
                out.setdefault(DEFAULTS, []).append((f"t_{name}", literal(self.defaults[name])))
        for (code, situation), i in self.mapping.indicators.items():
            out.setdefault(i, []).append((f"w_{code}_{situation or 'row'}", _clean("v", False)))
        for code, i in self.mapping.cycles.items():
            out.setdefault(i, []).append((f"y_{code}", _clean("v", False)))
        return out

    def typed_forms(self, text: str) -> list[str]:
        """Typed forms of a cleaned text column, as SQL over the map's columns (``t_date`` ->
        ``d_date``, ``p_date``)."""
        if text.startswith("w_"):
            return []
        if text.startswith("y_"):
            code = text[2:]
            return [f"{_word_lookup('booleans', text)} AS b_{code}", f"{_number(text)} AS n_{code}"]
        name = text[2:]
        col = tables()[self.kind].columns[name]
        if col.type == "date":
            out = [f"{_date_expr(text, self.date_fmt[name], self.date_order)} AS d_{name}"]
            if name == "date":
                out.append(f"{period_of(f'd_{name}', self.staged.period_scheme)} AS p_{name}")
            return out
        if col.type == "number":
            out = [f"{_number(text)} AS n_{name}"]
            if self.kind == "ties" and name == "weight":
                out.append(f"{_word_lookup('frequencies', text)} AS f_{name}")
            return out
        if col.type == "code" and col.vocabulary:
            return [f"{_vocab_lookup(col.vocabulary, text)} AS k_{name}"]
        if self.kind == "dimension_scores" and name == "indicator":
            codes = "|".join(sorted((re.escape(c) for c in self.framework.codes), key=len, reverse=True))
            pattern = f"(^|[^0-9a-z])({codes})([^0-9a-z]|$)"
            return [f"regexp_extract(lower({text}), {literal(pattern)}, 2) AS k_{name}"]
        return []

    def build_maps(self) -> None:
        """One map per used raw column: its distinct values, counted, cleaned and typed."""
        self.date_fmt: dict[str, str] = {}
        for k, texts in self.text_columns().items():
            table = f"map_{self.uid}_{'d' if k == DEFAULTS else k}"
            names = ", ".join(f"{expr} AS {name}" for name, expr in texts)
            if k == DEFAULTS:
                source = f"(SELECT NULL::VARCHAR AS v, {self.raw.n_rows} AS n)"
            else:
                source = f"(SELECT c{k} AS v, count(*) AS n FROM {self.raw.table} GROUP BY c{k})"
            cleaned = f"(SELECT v, n, {names} FROM {source})"
            dates = [name for name, _ in texts
                     if name.startswith("t_") and tables()[self.kind].columns[name[2:]].type == "date"]
            if dates:
                # The date format is chosen from the values (with their counts), before the dates are typed.
                self._temp_table(f"{table}_text", f"AS {cleaned[1:-1]}")
                cleaned = f"{table}_text"
                for name in dates:
                    fmt = choose_date_format(self.con, cleaned, name) if k != DEFAULTS else "%Y-%m-%d"
                    self.date_fmt[name[2:]] = fmt
                    self.staged.date_formats[self.header_of(name[2:])] = DATE_FORMAT_LABEL[fmt]
            forms = [f for name, _ in texts for f in self.typed_forms(name)]
            self._temp_table(table, f"AS SELECT *{''.join(', ' + f for f in forms)} FROM {cleaned}")
            columns = [name for name, _ in texts] + [f.rsplit(" AS ", 1)[1] for f in forms]
            m = _Map(table, k, [name for name, _ in texts], columns)
            self.maps[k] = m
            for c in columns:
                self.map_of[c] = m
        self.map_facts()

    def map_facts(self) -> None:
        """What later steps need to know about each map, in one query."""
        parts = []
        for k, m in self.maps.items():
            if k == DEFAULTS:
                continue
            changed = (f"count(*) FILTER (WHERE v IS NOT NULL AND {m.texts[0]} IS DISTINCT FROM v)"
                       if len(m.columns) == 1 else "1")
            header = literal(self.raw.headers[k].strip().lower())
            parts.append(f"""SELECT {k}, {changed}, count(*) FILTER (WHERE nullif(trim(v), '') IS NULL), max(n),
                                    count(*) FILTER (WHERE lower(trim(v)) = {header}) FROM {m.table}""")
        for k, changed, blanks, most, header_hits in rows(self.con, " UNION ALL ".join(parts)) if parts else []:
            m = self.maps[k]
            m.identity, m.blanks, m.most, m.header_hits = not changed, blanks, most, header_hits

    def find_empty_rows(self) -> None:
        """Rows with nothing in any mapped cell are no data (Excel leaves them between blocks)."""
        used = sorted(self.mapping.used())
        if not all(self.maps[i].blanks for i in used):
            return  # a column without blanks: no row is empty
        blank = "nullif(trim(v), '') IS NULL"
        conds = [f"(c{i} IS NULL OR c{i} IN (SELECT v FROM {self.maps[i].table} WHERE v IS NOT NULL AND {blank}))"
                 for i in used]
        self._temp_table(self.empty, f"AS SELECT rowid AS rid FROM {self.raw.table} WHERE {' AND '.join(conds) or 'TRUE'}")
        self.staged.rows_empty = scalar(self.con, f"SELECT count(*) FROM {self.empty}")

    def make_typed(self) -> None:
        """The typed rows: a view joining the raw table to its maps. Dimension scores are read once per indicator
        column to unpivot them, so there the rows are made once, as a table."""
        select = self.rows_sql([c for m in self.maps.values() for c in m.texts])
        if self.kind == "dimension_scores":
            self._temp_table(self.typed, f"AS SELECT * FROM {select}")
        else:
            run(self.con, f"CREATE TEMP VIEW {self.typed} AS SELECT * FROM {select}")
            self.staged.temps.append(("VIEW", self.typed))
        self.staged.columns = ["_rid", "_row"] + [c for m in self.maps.values() for c in m.columns]

    def common_checks(self) -> None:
        spec = tables()[self.kind]
        for name, col in spec.columns.items():
            if not self.has(name):
                continue
            h = self.header_of(name)
            t = f"t_{name}"
            if col.required and name not in ("indicator", "score"):
                self.check(t, f"{t} IS NULL", h, "''", "missing_value")
            limit = MAX_LONG_TEXT if name in LONG_TEXT else MAX_TEXT
            self.check(t, f"length({t}) > {limit}", h, f"left({t}, 60) || '…'", "too_long",
                       f"CAST(length({t}) AS VARCHAR) || ' > {limit}'")
            if col.type == "date":
                fmt = self.date_fmt[name]
                self.check(t, f"{t} IS NOT NULL AND d_{name} IS NULL", h, t, "__date__", literal(DATE_FORMAT_LABEL[fmt]))
                self.check(t, f"d_{name} < DATE '{DATE_MIN}' OR d_{name} > DATE '{DATE_MAX}'", h, t,
                           "date_out_of_range")
                self.check(t, implausible(f"d_{name}"), h, t, "implausible_date", severity="warning")
                self.ambiguous_dates(name, h)
            if col.type == "number" and name != "score":
                bad = f"{t} IS NOT NULL AND (n_{name} IS NULL OR NOT isfinite(n_{name}))"
                if f"f_{name}" in self.map_of:
                    bad += f" AND f_{name} IS NULL"  # frequency words ("wekelijks") are numbers too
                self.check(t, bad, h, t, "not_a_number")

    def ambiguous_dates(self, name: str, header: str) -> None:
        """A numeric date that reads two ways (03/11/2025) is a warning naming both readings, unless the file
        settles it: other dates in the same notation that read only one way (25-03-2025). The coach chooses
        the order (``date_order``: dmy | mdy), and then nothing is flagged. Without such dates, only slashes
        (written day first in the UK, month first in the US) or a notation other than the file's are flagged."""
        if self.date_order:
            return
        t, m = f"t_{name}", self.map_of[f"t_{name}"].table
        fmt = self.date_fmt[name]
        sep = separator_of(fmt)
        settled = scalar(self.con, f"SELECT count(*) FROM {m} WHERE {t} IS NOT NULL AND {one_way_date(t)}")
        cond = f"{t} IS NOT NULL AND d_{name} IS NOT NULL AND {two_way_date(t)}"
        if settled and not fmt.startswith("%Y"):
            cond += f" AND {date_separator(t)} <> {literal(sep)}"
        else:
            # Nothing in the file settles the order: d-m-yyyy with dashes or dots is the European habit (no
            # one writes month first with dashes), a slash is written both ways (UK and US).
            cond += f" AND ({date_separator(t)} = '/' OR {date_separator(t)} <> {literal(sep or '-')})"
        self.check(t, cond, header, t, "ambiguous_date",
                   f"strftime(d_{name}, '%Y-%m-%d') || ' / ' || coalesce(strftime({other_reading(f'd_{name}')}, "
                   f"'%Y-%m-%d'), '?')", severity="warning")

    def _period_check(self) -> None:
        cols = [f"t_{c}" for c in ("date", "wave") if self.has(c)]
        header = self.header_of("date") if self.has("date") else self.header_of("wave")
        rel = self.rows_sql(cols, where={c: f"{c} IS NULL" for c in cols})
        if rel is not None:
            self.problem("TRUE", header, "''", "no_period", table=rel)

    # ------------------------------------------------------------ participants

    def check_participants(self) -> None:
        if self.has("role"):
            self.check("t_role", "t_role IS NOT NULL AND k_role IS NULL", self.header_of("role"), "t_role",
                       "unknown_role", severity="warning")
        if self.has("joined") and self.has("left"):
            lo, hi = rows(self.con, f"""SELECT (SELECT min(d_left) FROM {self.map_of['d_left'].table}),
                                               (SELECT max(d_joined) FROM {self.map_of['d_joined'].table})""")[0]
            if lo is not None and hi is not None and lo < hi:
                rel = self.rows_sql(["t_joined", "t_left"],
                                    where={"t_joined": "d_joined IS NOT NULL", "t_left": "d_left IS NOT NULL"})
                if rel is not None:
                    self.problem("d_left < d_joined", self.header_of("left"), "t_left", "left_before_joined",
                                 table=rel)
        # The same id twice (in the same network) with different details; exact copies are caught later.
        # Only ids that occur more than once in the file (the map counts them) need the comparison.
        ids = self.map_of["t_participant_id"].table
        net = ["t_network"] if self.has("network") else []
        rel = self.rows_sql(
            ["t_participant_id", *net],
            where={"t_participant_id": f"""t_participant_id IN (SELECT t_participant_id FROM {ids}
                                           GROUP BY 1 HAVING sum(n) > 1)"""},
        )
        if rel is None:
            return
        run(
            self.con,
            f"""INSERT INTO {self.problems}
                SELECT _row, _rid, {literal(self.header_of('participant_id'))}, t_participant_id, 'duplicate_id',
                       'first in row ' || CAST(first_row AS VARCHAR), 'error'
                FROM (SELECT _row, _rid, t_participant_id,
                             min(_row) OVER (PARTITION BY t_participant_id, {net[0] if net else 'NULL'}) AS first_row,
                             count(*) OVER (PARTITION BY t_participant_id, {net[0] if net else 'NULL'}) AS n
                      FROM {rel} WHERE t_participant_id IS NOT NULL)
                WHERE n > 1 AND _row > first_row""",
        )

    # ------------------------------------------------------------ dimension scores

    def long_scores_sql(self) -> str:
        """One row per (file row, indicator) with a score; wide files are unpivoted here."""
        common = ["_rid", "_row"]
        for name in ("network", "participant_id", "wave"):
            common.append(f"t_{name} AS {name}" if self.has(name) else f"NULL AS {name}")
        common.append("d_date AS date" if self.has("date") else "NULL::DATE AS date")
        common.append("p_date AS date_period" if self.has("date") else "NULL::VARCHAR AS date_period")
        row_sit = "k_situation" if self.has("situation") else "'current'"
        row_sit_text = "t_situation" if self.has("situation") else "NULL"
        common_sql = ", ".join(common)
        if self.mapping.indicators:
            parts = []
            for (code, sit), i in self.mapping.indicators.items():
                col = f"w_{code}_{sit or 'row'}"
                situation = literal(sit) if sit else row_sit
                parts.append(
                    f"SELECT {common_sql}, {situation} AS situation, {row_sit_text} AS situation_text, "
                    f"{literal(code)} AS indicator, {col} AS score_text, {self.score_number(col)} AS raw, "
                    f"{literal(self.raw.headers[i])} AS header FROM {self.typed}"
                )
            return " UNION ALL ".join(parts)
        return (
            f"SELECT {common_sql}, {row_sit} AS situation, {row_sit_text} AS situation_text, "
            f"nullif(k_indicator, '') AS indicator, t_score AS score_text, {self.score_number('t_score')} AS raw, "
            f"{literal(self.header_of('score'))} AS header FROM {self.typed}"
        )

    def score_number(self, col: str) -> str:
        """A score as a number. LimeSurvey writes the answer *codes* of an array with its own answer options
        (``A1`` … ``A5``, ``AO01`` …) when answers are exported as codes: their number is the position, a
        reading the scale suggestion then asks the coach to confirm."""
        if self.tool is not None and self.tool.id == "limesurvey":
            code = f"TRY_CAST(regexp_extract(trim({col}), '^(?:A|AO|SQ)0*([0-9]{{1,3}})$', 1) AS DOUBLE)"
            return f"coalesce({_number(col)}, {code})"
        return _number(col)

    def resolve_scales(self) -> dict[str, tuple[float, float, str]]:
        """Per indicator: declared (--scale), else from its header, else the instrument's, else *suggested*
        from the file's values (or answer texts): a suggestion with its evidence that the coach confirms or
        changes before the file can be imported (``Staged.scale_suggestion``).

        The suggestion takes the values of all indicators without a declared scale together (a form asks
        every question on one scale; an indicator whose answers happen to stay within 1-5 on a 0-10 form must
        not be read as 1-5): the smallest usual scale that holds them all, except at most one value in twenty
        (one in a file of five to forty values, none in a smaller one) above its top (a typo such as 12 on a 0-10 question, which then is an error in its own cell and never
        stretches the scale). Rows the tool marks as no answer play no part."""
        out: dict[str, tuple[float, float, str]] = {}
        header_scales: dict[str, tuple[float, float]] = {}
        for (code, _sit), i in self.mapping.indicators.items():
            texts = [self.raw.headers[i]] + [h[i] for h in self.raw.extra_headers if i < len(h)]
            for t in texts:
                s = scale_from_header(t)
                if s:
                    header_scales[code] = s
                    break
        if "score" in self.mapping.columns:
            s = scale_from_header(self.header_of("score"))
            if s:
                for code in self.framework.codes:
                    header_scales.setdefault(code, s)
        present = {r[0] for r in rows(self.con, f"SELECT DISTINCT indicator FROM {self.long} WHERE indicator IS NOT NULL")}
        likert = self.answer_texts()
        undecided = []
        for code in [c for c in self.framework.codes if c in present]:
            if code in self.scale:
                out[code] = (*self.scale[code], "declared")
            elif None in self.scale:
                out[code] = (*self.scale[None], "declared")
            elif code in header_scales:
                out[code] = (*header_scales[code], "header")
            elif self.framework.scale:
                out[code] = (*self.framework.scale, "instrument")
            elif likert and likert["confirmed"]:
                out[code] = (1.0, float(likert["points"]), "answer_texts")
            else:
                undecided.append(code)
        if not undecided:
            return out
        which = f"indicator IN ({', '.join(literal(c) for c in undecided)}) AND isfinite(raw) AND {self.answers_only()}"
        self.flag_beyond_every_scale(which)
        which += f" AND raw BETWEEN {KNOWN_SCALES_MIN} AND {KNOWN_SCALES_MAX}"
        n, lo, hi, fractions = rows(
            self.con,
            f"SELECT count(*), min(raw), max(raw), count(*) FILTER (WHERE raw <> round(raw)) FROM {self.long} "
            f"WHERE {which}")[0]
        if not n:
            return out
        # One value in twenty may lie above the top (a typo); in a small file one, once there are five to see.
        tolerated = max(1, n // 20) if n >= 5 else 0
        suggested = None
        if likert:
            suggested = (1.0, float(likert["points"]))
        elif lo >= 0 and hi <= 1 and fractions:
            suggested = (0.0, 1.0)  # positions already (0.2, 0.45): a 0-10 reading would squeeze them tenfold
        else:
            counts = rows(self.con, "SELECT " + ", ".join(
                f"count(*) FILTER (WHERE raw < {a!r}), count(*) FILTER (WHERE raw > {b!r})" for a, b in KNOWN_SCALES)
                + f" FROM {self.long} WHERE {which}")[0]
            for k, (a, b) in enumerate(KNOWN_SCALES):
                if counts[2 * k] == 0 and counts[2 * k + 1] <= tolerated:
                    suggested = (a, b)
                    break
        evidence: dict = {"codes": undecided, "n": n, "seen_min": lo, "seen_max": hi}
        if likert:
            evidence["texts"] = likert["texts"]
        if suggested:
            a, b = suggested
            inside = rows(self.con, f"SELECT min(raw), max(raw) FROM {self.long} WHERE {which} AND raw BETWEEN {a!r} AND {b!r}")[0]
            evidence["seen_min"], evidence["seen_max"] = inside
            evidence["outside"] = [
                {"value": v, "row": r, "column": h} for v, r, h in rows(
                    self.con, f"SELECT score_text, _row, header FROM {self.long} WHERE {which} AND "
                              f"(raw < {a!r} OR raw > {b!r}) ORDER BY _row, header LIMIT 5")]
            evidence["n_outside"] = scalar(
                self.con, f"SELECT count(*) FROM {self.long} WHERE {which} AND (raw < {a!r} OR raw > {b!r})")
            for code in undecided:
                out[code] = (a, b, "suggested")
        evidence["min"], evidence["max"] = suggested if suggested else (None, None)
        self.staged.scale_suggestion = evidence
        self.problem("TRUE", None, "NULL", "scale_unconfirmed",
                     literal(f"{suggested[0]:g}-{suggested[1]:g}" if suggested else "?"),
                     table="(SELECT NULL::BIGINT AS _row, NULL::BIGINT AS _rid, NULL::VARCHAR AS header)")
        return out

    def flag_beyond_every_scale(self, which: str) -> None:
        """Scores (of indicators without a declared scale) below or above every usual scale: an error in
        their cell, naming the scales; they play no part in the suggestion."""
        scales = literal(", ".join(f"{a:g}–{b:g}" for a, b in KNOWN_SCALES))
        self.problem(f"{which} AND raw < {KNOWN_SCALES_MIN}", None, "score_text", "below_every_scale", scales,
                     table=self.long)
        self.problem(f"{which} AND raw > {KNOWN_SCALES_MAX}", None, "score_text", "above_every_scale", scales,
                     table=self.long)

    def answer_texts(self) -> dict | None:
        """Likert answer texts ("helemaal mee eens", "strongly agree") become their positions (1 = first).
        The 7-point list when a declared 1-7 scale says so or a text occurs only there ("een beetje eens");
        else the 5-point list, as a suggestion (``confirmed`` False) unless a 1-5 scale is declared."""
        fold_sql = _fold_sql("score_text")
        texts = [r[0] for r in rows(self.con, f"""SELECT DISTINCT {fold_sql} FROM {self.long}
                                                 WHERE raw IS NULL AND score_text IS NOT NULL ORDER BY 1""")]
        scales = likert_scales()
        known = [t for t in texts if any(t in s.positions for s in scales)]
        if not known:
            return None
        declared = {(float(a), float(b)) for a, b in self.scale.values()}
        by_points = {s.points: s for s in scales}
        chosen, confirmed = None, False
        for s in scales:
            if (1.0, float(s.points)) in declared:
                chosen, confirmed = s, True
        if chosen is None:
            smallest = scales[0]
            if any(t not in smallest.positions for t in known):
                chosen = next(s for s in scales if all(t in s.positions for t in known))
                confirmed = True
            else:
                chosen = smallest
        cases = " ".join(f"WHEN {literal(t)} THEN {chosen.positions[t]}.0" for t in known if t in chosen.positions)
        run(self.con, f"UPDATE {self.long} SET raw = CASE {fold_sql} {cases} END "
                      f"WHERE raw IS NULL AND score_text IS NOT NULL AND {fold_sql} IN ({', '.join(literal(t) for t in known)})")
        return {"points": by_points[chosen.points].points, "confirmed": confirmed, "texts": known[:12]}

    def check_dimension_scores(self) -> None:
        self._period_check()
        if self.has("situation"):
            self.check("t_situation", "t_situation IS NOT NULL AND k_situation IS NULL", self.header_of("situation"),
                       "t_situation", "unknown_situation")
        self.long = f"long_{self.typed}"
        self._temp_table(self.long, f"AS {self.long_scores_sql()}")
        if "indicator" in self.mapping.columns:
            self.check("t_indicator", "t_indicator IS NOT NULL AND nullif(k_indicator, '') IS NULL",
                       self.header_of("indicator"), "t_indicator", "unknown_indicator",
                       literal(", ".join(self.framework.codes)))
            if "score" in self.mapping.columns:
                rel = self.rows_sql(["t_indicator", "t_score"],
                                    where={"t_indicator": "t_indicator IS NULL", "t_score": "t_score IS NOT NULL"})
                if rel is not None:
                    self.problem("TRUE", self.header_of("indicator"), "''", "missing_value", table=rel)
        scales = self.resolve_scales()
        self.staged.scales = scales
        # Answer texts are numbers now; what is still no number is an error in its cell.
        self.problem("score_text IS NOT NULL AND (raw IS NULL OR NOT isfinite(raw))", None, "score_text",
                     "not_a_number", table=self.long)
        run(self.con, f"ALTER TABLE {self.long} ADD COLUMN scale_min DOUBLE")
        run(self.con, f"ALTER TABLE {self.long} ADD COLUMN scale_max DOUBLE")
        if scales:
            cases = " ".join(f"WHEN {literal(c)} THEN {float(lo)!r}" for c, (lo, _, _) in scales.items())
            cases_hi = " ".join(f"WHEN {literal(c)} THEN {float(hi)!r}" for c, (_, hi, _) in scales.items())
            run(self.con, f"UPDATE {self.long} SET scale_min = CASE indicator {cases} END, "
                          f"scale_max = CASE indicator {cases_hi} END")
            # A value outside the scale (declared, or the suggestion the coach is asked to confirm) is an error
            # in its own cell: it never stretches the scale.
            # (Values beyond every usual scale are named as such already, for indicators without a declared one.)
            suggested = [literal(c) for c, (*_, src) in scales.items() if src == "suggested"]
            beyond = (f" AND NOT (indicator IN ({', '.join(suggested)}) AND (raw < {KNOWN_SCALES_MIN} "
                      f"OR raw > {KNOWN_SCALES_MAX}))") if suggested else ""
            self.problem(
                f"isfinite(raw) AND (raw < scale_min OR raw > scale_max){beyond}",
                None, "score_text", "outside_scale",
                "regexp_replace(CAST(scale_min AS VARCHAR), '\\.0$', '') || '–' || "
                "regexp_replace(CAST(scale_max AS VARCHAR), '\\.0$', '')", table=self.long,
            )

    # ------------------------------------------------------------ value reports

    def check_value_reports(self) -> None:
        self._period_check()
        if "cycle" in self.mapping.columns:
            self.check("t_cycle", "t_cycle IS NOT NULL AND k_cycle IS NULL", self.header_of("cycle"), "t_cycle",
                       "unknown_cycle")
        for code, i in self.mapping.cycles.items():
            y = f"y_{code}"
            self.check(y, f"{y} IS NOT NULL AND b_{code} IS NULL AND (n_{code} IS NULL OR NOT isfinite(n_{code}) "
                          f"OR n_{code} < 0)", self.raw.headers[i], y, "not_yes_no")

    # ------------------------------------------------------------ ties

    def check_ties(self) -> None:
        self._period_check()
        self.self_loops()
        if self.has("weight"):
            h = self.header_of("weight")
            self.check("t_weight", "n_weight < 0", h, "t_weight", "negative_weight")
            self.check("t_weight", "n_weight = 0 OR f_weight = '0'", h, "t_weight", "zero_weight",
                       severity="skipped")
        if self.has("channel"):
            self.check("t_channel", "t_channel IS NOT NULL AND k_channel IS NULL", self.header_of("channel"),
                       "t_channel", "unknown_channel", severity="warning")
        self.resolve_people()

    def self_loops(self) -> None:
        """A tie from someone to themselves (a plain comparison of raw cells when cleaning changes no end)."""
        self.problem("t_source = t_target", self.header_of("target"), "t_target", "self_loop", severity="skipped",
                     table=self.rows_sql(["t_source", "t_target"]))

    def resolve_people(self) -> None:
        """Map each tie end to a participant: by id, else by a unique name, else an external person.

        Only ends that are no participant id (usually a handful) are looked at row by row.
        """
        s, g = self.map_of["t_source"], self.map_of["t_target"]
        self.ends = f"ends_{self.typed}"
        self.end_rows = f"end_rows_{self.typed}"
        self.staged.ends_table, self.staged.end_rows_table = self.ends, self.end_rows
        unknown = f"unknown_{self.typed}"
        self._temp_table(
            unknown,
            f"""AS SELECT DISTINCT v FROM (SELECT t_source AS v FROM {s.table} UNION ALL SELECT t_target FROM {g.table}) e
                WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM participants p WHERE p.participant_id = e.v)""",
        )
        net = "t_network" if self.has("network") else "NULL"
        parts = []
        for end, col in (("t_source", "s"), ("t_target", "t")):
            rel = self.rows_sql([end] + (["t_network"] if self.has("network") else []),
                                where={end: f"{end} IN (SELECT v FROM {unknown})"})
            if rel is not None:
                parts.append(f"SELECT {end} AS v, _rid, _row, {net} AS network, '{col}' AS col FROM {rel}")
        parts = parts or ["SELECT NULL::VARCHAR AS v, NULL::BIGINT AS _rid, NULL::BIGINT AS _row, "
                          "NULL::VARCHAR AS network, NULL::VARCHAR AS col WHERE false"]
        self._temp_table(self.end_rows, f"AS {' UNION ALL '.join(parts)}")
        # Ends that are no id: an e-mail address or a name of exactly one person (identity.py's rules: e-mail
        # case-insensitive, names NFC and case-folded with accents kept), else someone from outside. When every
        # end is an id (the usual tie file), nobody is looked up: indexing every stored person's name and
        # address took a sixth of a 1M-row import with 200,000 people stored.
        ends = (f"SELECT v, min(_row) AS first_row, min(_rid) AS first_rid, min(network) AS network, "
                f"min(col) AS col FROM {self.end_rows} GROUP BY v")
        if not scalar(self.con, f"SELECT count(*) FROM (SELECT 1 FROM {self.end_rows} LIMIT 1)"):
            self._temp_table(self.ends, f"""AS WITH e AS ({ends}) SELECT e.*, e.v AS resolved, 'external' AS how,
                                                                  'matched_by_name' AS match_code FROM e""")
        else:
            idx = identity.index_known(self.con, f"ends_known_{self.uid}",
                                       wanted=f"(SELECT DISTINCT v FROM {self.end_rows})")
            self.staged.temps += [("TABLE", t) for t in idx.values()]
            self._temp_table(
                self.ends,
                f"""AS WITH e AS ({ends})
                    SELECT e.*, coalesce(m.pid, n.pid, e.v) AS resolved,
                           CASE WHEN m.pid IS NOT NULL THEN 'name' WHEN n.pid IS NOT NULL THEN 'name'
                                ELSE 'external' END AS how,
                           CASE WHEN m.pid IS NOT NULL THEN 'matched_by_email' ELSE 'matched_by_name' END AS match_code
                    FROM e LEFT JOIN {idx['email']} m ON m.email_n = {identity.email_sql('e.v')}
                           LEFT JOIN {idx['name']} n ON n.name_key = {identity.name_key_sql('e.v')}""",
            )
        for how, code in (("external", "'external_person'"), ("name", "match_code")):
            run(
                self.con,
                f"""INSERT INTO {self.problems}
                    SELECT first_row, first_rid, CASE col WHEN 's' THEN {literal(self.header_of('source'))}
                           ELSE {literal(self.header_of('target'))} END, left(v, 200), {code}, resolved, 'warning'
                    FROM {self.ends} WHERE how = {literal(how)}""",
            )
        self.staged.externals = [
            r[0] for r in rows(self.con, f"SELECT v FROM {self.ends} WHERE how = 'external' ORDER BY first_row LIMIT 100")
        ]
        self.staged.renamed = bool(scalar(self.con, f"SELECT count(*) FROM {self.ends} WHERE how = 'name'"))

    # ------------------------------------------------------------ events

    def check_events(self) -> None:
        pass

    # ------------------------------------------------------------ all kinds

    def other_delimiter_rows(self) -> None:
        """A row written with another delimiter lands whole in the first column, the rest empty: point at it
        (two exports with different settings pasted together, or a hand-edited line)."""
        raw = self.raw
        width = len(raw.headers)
        if raw.format != "csv" or not raw.delimiter or width < 2:
            return
        others = [d for d in DELIMITERS if d != raw.delimiter]
        rest = " AND ".join(f"c{i} IS NULL" for i in range(1, width))
        has_other = " OR ".join(f"contains(c0, {literal(d)})" for d in others)
        which = " ".join(f"WHEN contains(c0, {literal(d)}) THEN {literal('tab' if d == chr(9) else d)}" for d in others)
        run(
            self.con,
            f"""INSERT INTO {self.problems}
                SELECT {raw.first_data_row} + rowid, rowid, {literal(raw.headers[0])}, left(c0, 200), 'other_delimiter',
                       CASE {which} END, 'error'
                FROM {raw.table} WHERE {rest} AND ({has_other})""",
        )

    def duplicate_rows(self) -> None:
        """Exact copies of an earlier row, and header lines repeated inside the data (two exports pasted)."""
        used = sorted(self.mapping.used())
        cols = [f"c{i}" for i in used]
        if not cols:
            return
        tbl = self.raw.table
        # Header repeated as data: most mapped cells equal their header text. The maps tell which columns
        # hold their header text at all; usually none, and no row needs to be looked at.
        eq = [f"c{i} IN (SELECT v FROM {self.maps[i].table} "
              f"WHERE lower(trim(v)) = {literal(self.raw.headers[i].strip().lower())})"
              for i in used if self.maps[i].header_hits]
        if len(eq) * 2 > len(cols):
            count = " + ".join(f"CASE WHEN {e} THEN 1 ELSE 0 END" for e in eq)
            run(
                self.con,
                f"""INSERT INTO {self.problems}
                    SELECT {self.raw.first_data_row} + rowid, rowid, NULL, NULL, 'repeated_header', NULL, 'skipped'
                    FROM {tbl} WHERE ({' OR '.join(eq)}) AND ({count}) * 2 > {len(cols)}""",
            )
        # Exact copies: the same in every column of the file, mapped or not (two answers that differ only in
        # an ignored column such as a response id are two respondents, both kept). Rows the same in the mapped
        # columns only are remembered too: the same id with the same details is no conflict (see ``run``).
        # A mapped column whose values all differ (an id column, say) rules both out at no cost.
        if any(self.maps[i].most <= 1 for i in used):
            return
        # Else rows whose hash (of the mapped cells) repeats are candidates, then compared cell by cell.
        hashed = f"hash({', '.join(cols)})"
        distinct, total = rows(self.con, f"SELECT count(DISTINCT {hashed}), count(*) FROM {tbl}")[0]
        if distinct == total:
            return
        every = [f"c{i}" for i in range(len(self.raw.headers))]
        not_empty = " AND ".join(f"nullif(trim({c}), '') IS NULL" for c in cols)
        self.same = f"same_{self.uid}"
        self._temp_table(
            self.same,
            f"""AS WITH cand AS (SELECT rowid AS rid, {', '.join(every)} FROM {tbl}
                                 WHERE {hashed} IN (SELECT h FROM (SELECT {hashed} AS h FROM {tbl})
                                                    GROUP BY h HAVING count(*) > 1))
                SELECT rid, min(rid) OVER (PARTITION BY {', '.join(cols)}) AS first_mapped,
                       min(rid) OVER (PARTITION BY {', '.join(every)}) AS first_all
                FROM cand WHERE NOT ({not_empty})""",
        )
        run(
            self.con,
            f"""INSERT INTO {self.problems}
                SELECT {self.raw.first_data_row} + rid, rid, NULL, NULL, 'duplicate_row',
                       'copy of row ' || CAST({self.raw.first_data_row} + first_all AS VARCHAR), 'skipped'
                FROM {self.same} WHERE rid > first_all""",
        )

def stage(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    mapping: Mapping,
    *,
    defaults: dict[str, str] | None = None,
    scale: dict[str | None, tuple[float, float]] | None = None,
    framework: Framework | None = None,
    period_scheme: str = DEFAULT_SCHEME,
    tool: Tool | None = None,
    include_unfinished: bool = False,
    date_order: str | None = None,
) -> Staged:
    """Type and check ``raw`` as ``mapping.kind``; leaves temp tables in ``con`` (see ``drop_staged``)."""
    stager = Stager(con, raw, mapping, defaults=defaults, scale=scale, framework=framework,
                    period_scheme=period_scheme, tool=tool, include_unfinished=include_unfinished,
                    date_order=date_order)
    try:
        staged = stager.run()
    except BaseException:
        drop_staged(con, stager.staged)
        raise
    staged.long_table = getattr(stager, "long", None)
    return staged


def drop_staged(con, staged: Staged) -> None:
    """Drop the views first (they read the tables), then the tables, the raw table last."""
    for kind, name in sorted(staged.temps, key=lambda t: t[0] != "VIEW"):
        run(con, f"DROP {kind} IF EXISTS {name}")
    run(con, f"DROP TABLE IF EXISTS {staged.raw.table}")
