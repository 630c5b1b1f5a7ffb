"""Typing and checking a landed file, set-based in DuckDB SQL.

Input: a RawTable (text cells) and a Mapping. Output: a temp table of typed canonical rows and a temp table
of problems, each naming the spreadsheet row, the column header, the value and a reason code.
Severity: ``error`` rejects the row (and by default the file); ``skipped`` drops the row but is no reason
to refuse the file (an exact duplicate, a self-loop); ``warning`` keeps the row (an unknown role stored as
"other", a tie to someone outside the participant list).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import duckdb

from .db import rows, run, scalar
from .definitions import Framework, cycle_vocabulary, default_framework, tables, vocabularies
from .mapping import Mapping, scale_from_header
from .readers import RawTable

MISSING_TOKENS = (
    "", "n.v.t.", "n.v.t", "nvt", "n/a", "na", "n.a.", "-", "--", "nb", "n.b.", "#n/a", "#n/b", "null",
    "none", "geen antwoord", "no answer", "niet ingevuld", "weet niet", "don't know", "not applicable",
)
FREE_TEXT = {"name", "label", "description", "evidence", "topic", "indicator_text"}
MAX_TEXT = 10_000
MAX_LONG_TEXT = 100_000
LONG_TEXT = {"description", "evidence"}
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%y", "%d/%m/%y"]
DATE_FORMAT_LABEL = {
    "%Y-%m-%d": "yyyy-mm-dd", "%d-%m-%Y": "dd-mm-yyyy", "%d/%m/%Y": "dd/mm/yyyy", "%m/%d/%Y": "mm/dd/yyyy",
    "%d.%m.%Y": "dd.mm.yyyy", "%Y/%m/%d": "yyyy/mm/dd", "%d-%m-%y": "dd-mm-yy", "%d/%m/%y": "dd/mm/yy",
}
KNOWN_SCALES = [(1.0, 5.0), (1.0, 7.0), (0.0, 10.0), (0.0, 100.0)]
SEVERITIES = ("error", "skipped", "warning")


class FileProblem(ValueError):
    """A problem with the file as a whole (no row to point at): a missing required column, say."""

    def __init__(self, file: str, reason: str, column: str | None = None, code: str = "file"):
        self.file, self.reason, self.column, self.code = file, reason, column, code
        super().__init__(f"{file}" + (f", column {column}" if column else "") + f": {reason}")


@dataclass
class Staged:
    """A validated file, waiting in temp tables of the connection that staged it."""

    raw: RawTable
    mapping: Mapping
    kind: str
    table: str  # typed canonical rows, with _rid and _row
    problems: str  # temp table of problems
    scales: dict[str, tuple[float, float, str]] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rows_empty: int = 0
    externals: list[str] = field(default_factory=list)
    #: Some tie ends were given as names and resolved to ids (so writes must join the resolution).
    renamed: bool = False
    ends_table: str | None = None
    long_table: str | None = None
    framework: str = "dimensions"

    def header(self, i: int) -> str:
        return self.raw.headers[i]


def _q(s: str) -> str:
    """A SQL string literal for text we control (codes, headers, formats)."""
    return "'" + str(s).replace("'", "''") + "'"


def _clean(col: str, free: bool) -> str:
    """Trimmed text, NULL for empty and (outside free text) for missing-answer tokens like 'n.v.t.'."""
    if free:
        return f"nullif(trim({col}), '')"
    tokens = ", ".join(_q(t) for t in MISSING_TOKENS)
    return f"CASE WHEN lower(trim({col})) IN ({tokens}) THEN NULL ELSE trim({col}) END"


def _fold_sql(expr: str) -> str:
    return f"trim(regexp_replace(lower(strip_accents({expr})), '[^a-z0-9]+', '_', 'g'), '_')"


def _number(expr: str) -> str:
    """Decimal comma or point; thousands separators are not guessed."""
    return (
        f"TRY_CAST(CASE WHEN contains({expr}, ',') AND NOT contains({expr}, '.') "
        f"THEN replace({expr}, ',', '.') ELSE {expr} END AS DOUBLE)"
    )


def _date_part(expr: str) -> str:
    return f"split_part(split_part({expr}, ' ', 1), 'T', 1)"


def _ensure_vocab(con) -> None:
    if scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'vocab' AND temporary"):
        return
    run(con, "CREATE TEMP TABLE vocab (vocabulary VARCHAR, spelling VARCHAR, code VARCHAR)")
    data = [(v, s, c) for v, m in vocabularies().items() for s, c in m.items()]
    data += [("cycles", s, c) for s, c in cycle_vocabulary().items()]
    con.executemany("INSERT INTO vocab VALUES (?, ?, ?)", data)


def _vocab_lookup(vocabulary: str, expr: str) -> str:
    return (
        f"(SELECT code FROM vocab WHERE vocabulary = {_q(vocabulary)} AND spelling = {_fold_sql(expr)} LIMIT 1)"
    )


def choose_date_format(con, raw_table: str, cols: list[str]) -> str:
    """The format that parses most of a sample of the values (day-first wins a tie)."""
    exprs = []
    for fmt in DATE_FORMATS:
        exprs.append(f"count(try_strptime({_date_part('v')}, {_q(fmt)}))")
    union = " UNION ALL ".join(f"SELECT {_clean(c, False)} AS v FROM {raw_table}" for c in cols)
    counts = rows(con, f"SELECT {', '.join(exprs)} FROM (SELECT v FROM ({union}) WHERE v IS NOT NULL LIMIT 5000)")[0]
    best = max(range(len(DATE_FORMATS)), key=lambda i: (counts[i], -i))
    if counts[best] == 0:
        return DATE_FORMATS[1]
    return DATE_FORMATS[best]


def _date_expr(text: str, fmt: str) -> str:
    part = _date_part(text)
    alts = [fmt] + [f for f in DATE_FORMATS if f != fmt and not (f.startswith("%m") and fmt.startswith("%d"))]
    parsed = ", ".join(f"try_strptime({part}, {_q(f)})" for f in alts)
    serial = (
        f"CASE WHEN regexp_full_match({text}, '[0-9]{{5}}') "
        f"THEN DATE '1899-12-30' + CAST({text} AS INTEGER) END"
    )
    return f"CAST(coalesce({parsed}, {serial}) AS DATE)"


class Stager:
    """Builds the typed table and the problems table for one file."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        raw: RawTable,
        mapping: Mapping,
        *,
        defaults: dict[str, str] | None = None,
        scale: dict[str | None, tuple[float, float]] | None = None,
        framework: Framework | None = None,
    ):
        self.con, self.raw, self.mapping = con, raw, mapping
        self.kind = mapping.kind
        self.defaults = {k: v for k, v in (defaults or {}).items() if v not in (None, "")}
        self.scale = scale or {}
        self.framework = framework or default_framework()
        uid = uuid.uuid4().hex[:10]
        self.typed = f"typ_{uid}"
        self.problems = f"prob_{uid}"
        self.staged = Staged(raw, mapping, self.kind, self.typed, self.problems, framework=self.framework.id)
        _ensure_vocab(con)
        run(
            con,
            f"""CREATE TEMP TABLE {self.problems} (row_number BIGINT, rid BIGINT, "column" VARCHAR,
                value VARCHAR, code VARCHAR, detail VARCHAR, severity VARCHAR)""",
        )

    # ------------------------------------------------------------ helpers

    def col_text(self, name: str) -> str | None:
        """SQL for the cleaned text of canonical column ``name`` (a default literal when the file lacks it)."""
        if name in self.mapping.columns:
            return _clean(f"c{self.mapping.columns[name]}", name in FREE_TEXT)
        if name in self.defaults:
            return _q(self.defaults[name])
        return None

    def header_of(self, name: str) -> str:
        if name in self.mapping.columns:
            return self.raw.headers[self.mapping.columns[name]]
        return f"({name})"

    def problem(self, where: str, column: str | None, value: str, code: str, detail: str = "NULL",
                severity: str = "error", table: str | None = None) -> None:
        """Record a problem for every row matching ``where``. ``column=None`` takes the row's ``header``."""
        col = "header" if column is None else _q(column)
        run(
            self.con,
            f"""INSERT INTO {self.problems} SELECT _row, _rid, {col}, left(CAST({value} AS VARCHAR), 200),
                {_q(code)}, {detail}, {_q(severity)} FROM {table or self.typed} WHERE {where}""",
        )

    def require_columns(self) -> None:
        spec = tables()[self.kind]
        for col in spec.columns.values():
            if col.required and self.col_text(col.name) is None:
                if self.kind == "dimension_scores" and col.name in ("indicator", "score"):
                    continue
                raise FileProblem(self.raw.file_name, f"no column for '{col.name}' was found", code="missing_column")
        if self.kind == "dimension_scores" and not self.mapping.indicators and not (
            "indicator" in self.mapping.columns and "score" in self.mapping.columns
        ):
            raise FileProblem(
                self.raw.file_name,
                "no indicator columns (headers holding a code such as 1a, 2b) and no indicator + score columns",
                code="missing_column",
            )
        if self.kind == "value_reports" and "cycle" not in self.mapping.columns and not self.mapping.cycles:
            raise FileProblem(
                self.raw.file_name, "no 'cycle' column and no column per cycle was found", code="missing_column"
            )
        if self.kind in ("dimension_scores", "value_reports", "ties"):
            if self.col_text("date") is None and self.col_text("wave") is None:
                raise FileProblem(
                    self.raw.file_name,
                    "no date or wave column; give the date of the survey (--date) or a wave label (--wave)",
                    code="missing_period",
                )

    # ------------------------------------------------------------ stage

    def run(self) -> Staged:
        self.require_columns()
        base = self.base_select()
        kind_select = getattr(self, f"select_{self.kind}")()
        run(
            self.con,
            f"""CREATE TEMP TABLE {self.typed} AS
                WITH stg AS MATERIALIZED (SELECT rowid AS _rid, {self.raw.first_data_row} + rowid AS _row, {base}
                             FROM {self.raw.table})
                SELECT _rid, _row, {kind_select} FROM stg WHERE NOT _empty""",
        )
        self.staged.rows_empty = self.raw.n_rows - scalar(self.con, f"SELECT count(*) FROM {self.typed}")
        self.common_checks()
        getattr(self, f"check_{self.kind}")()
        self.duplicate_rows()
        # An exact copy is dropped quietly; it is no second, conflicting row.
        run(self.con, f"""DELETE FROM {self.problems} WHERE code = 'duplicate_id' AND rid IN
                          (SELECT rid FROM {self.problems} WHERE code = 'duplicate_row')""")
        return self.staged

    def base_select(self) -> str:
        """Cleaned text of every mapped column, plus ``_empty`` for rows with nothing in them."""
        parts = []
        cells = []
        for name in tables()[self.kind].columns:
            expr = self.col_text(name)
            if expr is not None:
                parts.append(f"{expr} AS t_{name}")
                if name in self.mapping.columns:
                    cells.append(f"t_{name}")
        for (code, situation), i in self.mapping.indicators.items():
            alias = f"w_{code}_{situation or 'row'}"
            parts.append(f"{_clean(f'c{i}', False)} AS {alias}")
        for code, i in self.mapping.cycles.items():
            parts.append(f"{_clean(f'c{i}', False)} AS y_{code}")
        used = [f"c{i}" for i in sorted(self.mapping.used())] or ["NULL"]
        parts.append("(" + " AND ".join(f"nullif(trim({c}), '') IS NULL" for c in used) + ") AS _empty")
        return ", ".join(parts)

    def _date_cols(self) -> dict[str, str]:
        spec = tables()[self.kind]
        out = {}
        for name, col in spec.columns.items():
            if col.type == "date" and self.col_text(name) is not None:
                if name in self.mapping.columns:
                    fmt = choose_date_format(self.con, self.raw.table, [f"c{self.mapping.columns[name]}"])
                else:
                    fmt = "%Y-%m-%d"
                out[name] = fmt
                self.staged.date_formats[self.header_of(name)] = DATE_FORMAT_LABEL[fmt]
        return out

    def typed_columns(self, skip: set[str] = frozenset()) -> list[str]:
        """Typed expressions for the plain (non-wide) canonical columns."""
        spec = tables()[self.kind]
        out = []
        self.date_fmt = self._date_cols()
        for name, col in spec.columns.items():
            if name in skip:
                continue
            t = f"t_{name}"
            if self.col_text(name) is None:
                continue
            out.append(t)
            if col.type == "date":
                out.append(f"{_date_expr(t, self.date_fmt[name])} AS d_{name}")
            elif col.type == "number":
                out.append(f"{_number(t)} AS n_{name}")
            elif col.type == "code" and col.vocabulary and col.vocabulary != "cycles":
                out.append(f"{_vocab_lookup(col.vocabulary, t)} AS k_{name}")
        return out

    def common_checks(self) -> None:
        spec = tables()[self.kind]
        for name, col in spec.columns.items():
            if self.col_text(name) is None:
                continue
            h = self.header_of(name)
            t = f"t_{name}"
            if col.required and name not in ("indicator", "score"):
                self.problem(f"{t} IS NULL", h, "''", "missing_value")
            limit = MAX_LONG_TEXT if name in LONG_TEXT else MAX_TEXT
            self.problem(f"length({t}) > {limit}", h, f"left({t}, 60) || '…'", "too_long",
                         f"CAST(length({t}) AS VARCHAR) || ' > {limit}'")
            if col.type == "date":
                fmt = self.date_fmt[name]
                self.problem(
                    f"{t} IS NOT NULL AND d_{name} IS NULL", h, t, "__date__",
                    f"{_q(DATE_FORMAT_LABEL[fmt])}",
                )
                run(self.con, f"""UPDATE {self.problems} SET code = CASE WHEN regexp_full_match(
                    split_part(split_part(value, ' ', 1), 'T', 1), '[0-9]{{1,4}}[-/.][0-9]{{1,2}}[-/.][0-9]{{1,4}}')
                    THEN 'date_not_exist' ELSE 'not_a_date' END WHERE code = '__date__'""")
                self.problem(f"d_{name} < DATE '1900-01-01' OR d_{name} > DATE '2200-01-01'", h, t,
                             "date_out_of_range")
            if col.type == "number" and name != "score":
                self.problem(f"{t} IS NOT NULL AND (n_{name} IS NULL OR NOT isfinite(n_{name}))", h, t,
                             "not_a_number")

    def _period_check(self) -> None:
        d, w = self.col_text("date"), self.col_text("wave")
        conds = []
        if d is not None:
            conds.append("t_date IS NULL")
        if w is not None:
            conds.append("t_wave IS NULL")
        header = self.header_of("date") if d is not None else self.header_of("wave")
        self.problem(" AND ".join(conds), header, "''", "no_period")

    # ------------------------------------------------------------ participants

    def select_participants(self) -> str:
        return ", ".join(self.typed_columns())

    def check_participants(self) -> None:
        if self.col_text("role") is not None:
            self.problem("t_role IS NOT NULL AND k_role IS NULL", self.header_of("role"), "t_role",
                         "unknown_role", severity="warning")
        if self.col_text("joined") is not None and self.col_text("left") is not None:
            self.problem("d_left < d_joined", self.header_of("left"), "t_left", "left_before_joined")
        net = "t_network" if self.col_text("network") is not None else "NULL"
        # The same id twice (in the same network) with different details; exact copies are caught later.
        run(
            self.con,
            f"""INSERT INTO {self.problems}
                SELECT _row, _rid, {_q(self.header_of('participant_id'))}, t_participant_id, 'duplicate_id',
                       'first in row ' || CAST(first_row AS VARCHAR), 'error'
                FROM (SELECT _row, _rid, t_participant_id,
                             min(_row) OVER (PARTITION BY t_participant_id, {net}) AS first_row,
                             count(*) OVER (PARTITION BY t_participant_id, {net}) AS n
                      FROM {self.typed} WHERE t_participant_id IS NOT NULL)
                WHERE n > 1 AND _row > first_row""",
        )

    # ------------------------------------------------------------ dimension scores

    def select_dimension_scores(self) -> str:
        cols = self.typed_columns(skip={"score"})
        cols.append("t_score" if "score" in self.mapping.columns else "NULL AS t_score")
        cols += [f"w_{code}_{sit or 'row'}" for code, sit in self.mapping.indicators]
        if "indicator" in self.mapping.columns:
            codes = "|".join(sorted((re.escape(c) for c in self.framework.codes), key=len, reverse=True))
            pattern = f"(^|[^0-9a-z])({codes})([^0-9a-z]|$)"
            cols.append(f"regexp_extract(lower(t_indicator), {_q(pattern)}, 2) AS k_indicator")
        return ", ".join(cols)

    def long_scores_sql(self) -> str:
        """One row per (file row, indicator) with a score; wide files are unpivoted here."""
        common = ["_rid", "_row"]
        for name in ("network", "participant_id", "wave"):
            common.append(f"t_{name} AS {name}" if self.col_text(name) is not None else f"NULL AS {name}")
        common.append("d_date AS date" if self.col_text("date") is not None else "NULL::DATE AS date")
        row_sit = "k_situation" if self.col_text("situation") is not None else "'current'"
        row_sit_text = "t_situation" if self.col_text("situation") is not None else "NULL"
        common_sql = ", ".join(common)
        if self.mapping.indicators:
            parts = []
            for (code, sit), i in self.mapping.indicators.items():
                col = f"w_{code}_{sit or 'row'}"
                situation = _q(sit) if sit else row_sit
                parts.append(
                    f"SELECT {common_sql}, {situation} AS situation, {row_sit_text} AS situation_text, "
                    f"{_q(code)} AS indicator, {col} AS score_text, {_number(col)} AS raw, "
                    f"{_q(self.raw.headers[i])} AS header FROM {self.typed}"
                )
            return " UNION ALL ".join(parts)
        return (
            f"SELECT {common_sql}, {row_sit} AS situation, {row_sit_text} AS situation_text, "
            f"nullif(k_indicator, '') AS indicator, t_score AS score_text, {_number('t_score')} AS raw, "
            f"{_q(self.header_of('score'))} AS header FROM {self.typed}"
        )

    def resolve_scales(self) -> dict[str, tuple[float, float, str]]:
        """Per indicator: declared (--scale), else from its header, else inferred from the file's values."""
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
        lo, hi = rows(self.con, f"SELECT min(raw), max(raw) FROM {self.long} WHERE isfinite(raw)")[0]
        inferred = None
        if lo is not None:
            for a, b in KNOWN_SCALES:
                if lo >= a and hi <= b:
                    inferred = (a, b)
                    break
            if inferred is None and lo >= 0 and hi <= 1:
                inferred = (0.0, 1.0)
        present = {r[0] for r in rows(self.con, f"SELECT DISTINCT indicator FROM {self.long} WHERE indicator IS NOT NULL")}
        for code in [c for c in self.framework.codes if c in present]:
            if code in self.scale:
                out[code] = (*self.scale[code], "declared")
            elif None in self.scale:
                out[code] = (*self.scale[None], "declared")
            elif code in header_scales:
                out[code] = (*header_scales[code], "header")
            elif inferred:
                out[code] = (*inferred, "inferred")
        return out

    def check_dimension_scores(self) -> None:
        self._period_check()
        if self.col_text("situation") is not None:
            self.problem("t_situation IS NOT NULL AND k_situation IS NULL", self.header_of("situation"),
                         "t_situation", "unknown_situation")
        self.long = f"long_{self.typed}"
        run(self.con, f"CREATE TEMP TABLE {self.long} AS {self.long_scores_sql()}")
        if "indicator" in self.mapping.columns:
            self.problem("t_indicator IS NOT NULL AND nullif(k_indicator, '') IS NULL",
                         self.header_of("indicator"), "t_indicator", "unknown_indicator",
                         _q(", ".join(self.framework.codes)))
            self.problem("t_indicator IS NULL AND t_score IS NOT NULL", self.header_of("indicator"), "''",
                         "missing_value")
        self.problem("score_text IS NOT NULL AND (raw IS NULL OR NOT isfinite(raw))", None, "score_text",
                     "not_a_number", table=self.long)
        scales = self.resolve_scales()
        self.staged.scales = scales
        if not scales and scalar(self.con, f"SELECT count(*) FROM {self.long} WHERE raw IS NOT NULL"):
            raise FileProblem(
                self.raw.file_name,
                "the scale of the scores cannot be inferred (values beyond 0-100); declare it, e.g. --scale 1-5",
                code="unknown_scale",
            )
        if scales:
            cases = " ".join(f"WHEN {_q(c)} THEN {lo}" for c, (lo, _, _) in scales.items())
            cases_hi = " ".join(f"WHEN {_q(c)} THEN {hi}" for c, (_, hi, _) in scales.items())
            run(self.con, f"ALTER TABLE {self.long} ADD COLUMN scale_min DOUBLE")
            run(self.con, f"ALTER TABLE {self.long} ADD COLUMN scale_max DOUBLE")
            run(self.con, f"UPDATE {self.long} SET scale_min = CASE indicator {cases} END, "
                          f"scale_max = CASE indicator {cases_hi} END")
            self.problem(
                "isfinite(raw) AND (raw < scale_min OR raw > scale_max)", None, "score_text", "outside_scale",
                "regexp_replace(CAST(scale_min AS VARCHAR), '\\.0$', '') || '–' || "
                "regexp_replace(CAST(scale_max AS VARCHAR), '\\.0$', '')", table=self.long,
            )

    # ------------------------------------------------------------ value reports

    def select_value_reports(self) -> str:
        cols = self.typed_columns()
        if "cycle" in self.mapping.columns:
            cols.append(f"{_vocab_lookup('cycles', 't_cycle')} AS k_cycle")
        for code in self.mapping.cycles:
            cols.append(f"y_{code}")
            cols.append(f"{_vocab_lookup('booleans', f'y_{code}')} AS b_{code}")
            cols.append(f"{_number(f'y_{code}')} AS n_{code}")
        return ", ".join(cols)

    def check_value_reports(self) -> None:
        self._period_check()
        if "cycle" in self.mapping.columns:
            self.problem("t_cycle IS NOT NULL AND k_cycle IS NULL", self.header_of("cycle"), "t_cycle",
                         "unknown_cycle")
        for code, i in self.mapping.cycles.items():
            self.problem(
                f"y_{code} IS NOT NULL AND b_{code} IS NULL AND (n_{code} IS NULL OR NOT isfinite(n_{code}) "
                f"OR n_{code} < 0)", self.raw.headers[i], f"y_{code}", "not_yes_no",
            )

    # ------------------------------------------------------------ ties

    def select_ties(self) -> str:
        cols = self.typed_columns()
        if self.col_text("weight") is not None:
            cols.append(f"{_vocab_lookup('frequencies', 't_weight')} AS f_weight")
        return ", ".join(cols)

    def check_ties(self) -> None:
        self._period_check()
        self.problem("t_source = t_target", self.header_of("target"), "t_target", "self_loop", severity="skipped")
        if self.col_text("weight") is not None:
            h = self.header_of("weight")
            # Frequency words ("wekelijks") are numbers too.
            run(self.con, f"DELETE FROM {self.problems} WHERE code = 'not_a_number' AND \"column\" = {_q(h)} "
                          f"AND rid IN (SELECT _rid FROM {self.typed} WHERE f_weight IS NOT NULL)")
            self.problem("n_weight < 0", h, "t_weight", "negative_weight")
            self.problem("n_weight = 0 OR f_weight = '0'", h, "t_weight", "zero_weight", severity="skipped")
        if self.col_text("channel") is not None:
            self.problem("t_channel IS NOT NULL AND k_channel IS NULL", self.header_of("channel"), "t_channel",
                         "unknown_channel", severity="warning")
        self.resolve_people()

    def resolve_people(self) -> None:
        """Map each tie end to a participant: by id, else by a unique name, else an external person."""
        self.ends = f"ends_{self.typed}"
        self.staged.ends_table = self.ends
        run(
            self.con,
            f"""CREATE TEMP TABLE {self.ends} AS
                WITH e AS (SELECT v, min(_row) AS first_row, min(_rid) AS first_rid, min(network) AS network,
                                  min(col) AS col
                           FROM (SELECT t_source AS v, _row, _rid, {self._network()} AS network, 's' AS col
                                 FROM {self.typed}
                                 UNION ALL SELECT t_target, _row, _rid, {self._network()}, 't' FROM {self.typed})
                           WHERE v IS NOT NULL GROUP BY v),
                     byname AS (SELECT lower(trim(name)) AS n, min(participant_id) AS pid, count(*) AS c
                                FROM people WHERE name IS NOT NULL AND NOT external GROUP BY 1)
                SELECT e.*, CASE WHEN k.participant_id IS NOT NULL THEN e.v WHEN b.c = 1 THEN b.pid ELSE e.v END
                              AS resolved,
                       CASE WHEN k.participant_id IS NOT NULL THEN 'id' WHEN b.c = 1 THEN 'name' ELSE 'external' END
                              AS how
                FROM e LEFT JOIN (SELECT DISTINCT participant_id FROM people) k ON k.participant_id = e.v
                       LEFT JOIN byname b ON b.n = lower(trim(e.v))""",
        )
        for how, code in (("external", "external_person"), ("name", "matched_by_name")):
            run(
                self.con,
                f"""INSERT INTO {self.problems}
                    SELECT first_row, first_rid, CASE col WHEN 's' THEN {_q(self.header_of('source'))}
                           ELSE {_q(self.header_of('target'))} END, left(v, 200), {_q(code)}, resolved, 'warning'
                    FROM {self.ends} WHERE how = {_q(how)}""",
            )
        self.staged.externals = [
            r[0] for r in rows(self.con, f"SELECT v FROM {self.ends} WHERE how = 'external' ORDER BY first_row LIMIT 100")
        ]
        self.staged.renamed = bool(scalar(self.con, f"SELECT count(*) FROM {self.ends} WHERE how = 'name'"))

    def _network(self) -> str:
        return "t_network" if self.col_text("network") is not None else "NULL"

    # ------------------------------------------------------------ events

    def select_events(self) -> str:
        return ", ".join(self.typed_columns())

    def check_events(self) -> None:
        pass

    # ------------------------------------------------------------ all kinds

    def duplicate_rows(self) -> None:
        """Exact copies of an earlier row, and header lines repeated inside the data (two exports pasted)."""
        cols = [f"c{i}" for i in sorted(self.mapping.used())]
        if not cols:
            return
        tbl = self.raw.table
        # Header repeated as data: most mapped cells equal their header text. The first used column
        # filters cheaply before the full comparison.
        used = sorted(self.mapping.used())
        eq = [f"lower(trim(c{i})) = {_q(self.raw.headers[i].strip().lower())}" for i in used]
        count = " + ".join(f"CASE WHEN {e} THEN 1 ELSE 0 END" for e in eq)
        prefilter = " OR ".join(eq[:2])
        run(
            self.con,
            f"""INSERT INTO {self.problems}
                SELECT {self.raw.first_data_row} + rowid, rowid, NULL, NULL, 'repeated_header', NULL, 'skipped'
                FROM {tbl} WHERE ({prefilter}) AND ({count}) * 2 > {len(cols)}""",
        )
        # Exact copies: rows whose hash repeats are candidates, then compared cell by cell.
        hashed = f"hash({', '.join(cols)})"
        distinct, total = rows(self.con, f"SELECT count(DISTINCT {hashed}), count(*) FROM {tbl}")[0]
        if distinct == total:
            return
        not_empty = " AND ".join(f"nullif(trim({c}), '') IS NULL" for c in cols)
        run(
            self.con,
            f"""INSERT INTO {self.problems}
                WITH cand AS (SELECT rowid AS rid, {', '.join(cols)} FROM {tbl}
                              WHERE {hashed} IN (SELECT h FROM (SELECT {hashed} AS h FROM {tbl})
                                                 GROUP BY h HAVING count(*) > 1))
                SELECT {self.raw.first_data_row} + rid, rid, NULL, NULL, 'duplicate_row',
                       'copy of row ' || CAST({self.raw.first_data_row} + first_rid AS VARCHAR), 'skipped'
                FROM (SELECT rid, min(rid) OVER (PARTITION BY {', '.join(cols)}) AS first_rid FROM cand
                      WHERE NOT ({not_empty}))
                WHERE rid > first_rid""",
        )


def stage(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    mapping: Mapping,
    *,
    defaults: dict[str, str] | None = None,
    scale: dict[str | None, tuple[float, float]] | None = None,
    framework: Framework | None = None,
) -> Staged:
    """Type and check ``raw`` as ``mapping.kind``; leaves temp tables in ``con`` (see ``drop_staged``)."""
    stager = Stager(con, raw, mapping, defaults=defaults, scale=scale, framework=framework)
    staged = stager.run()
    staged.long_table = getattr(stager, "long", None)
    return staged


def drop_staged(con, staged: Staged) -> None:
    for t in (staged.table, staged.problems, staged.long_table, staged.ends_table, staged.raw.table):
        if t:
            run(con, f"DROP TABLE IF EXISTS {t}")
