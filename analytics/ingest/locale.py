"""Locale rules in one place: missing-answer words, numbers with a decimal comma, dates in the file's format
(and when a date can be read two ways), plausible dates, control characters.

Everything here returns SQL over a text expression (work happens per distinct value in DuckDB), or plain
Python for the reader. ``validate`` and ``readers`` use these; no other module spells a locale rule.
"""

from __future__ import annotations

import datetime as dt
import re

from analytics.store.db import literal, rows

#: Cells that mean "no answer" (compared lower case and trimmed), in Dutch and English.
MISSING_TOKENS = (
    "", "n.v.t.", "n.v.t", "nvt", "n/a", "na", "n.a.", "-", "--", "nb", "n.b.", "#n/a", "#n/b", "null",
    "none", "geen antwoord", "no answer", "niet ingevuld", "weet niet", "don't know", "not applicable",
)

YMD = ["%Y-%m-%d", "%Y/%m/%d"]
DMY = ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y", "%d/%m/%y"]
MDY = ["%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y"]
#: The order counts: on a tie the earlier (day-first) format wins; month-first formats other than the
#: American mm/dd/yyyy come last so they never change which format a file is read in.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%y", "%d/%m/%y",
                "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y"]
DATE_FORMAT_LABEL = {
    "%Y-%m-%d": "yyyy-mm-dd", "%d-%m-%Y": "dd-mm-yyyy", "%d/%m/%Y": "dd/mm/yyyy", "%m/%d/%Y": "mm/dd/yyyy",
    "%d.%m.%Y": "dd.mm.yyyy", "%Y/%m/%d": "yyyy/mm/dd", "%d-%m-%y": "dd-mm-yy", "%d/%m/%y": "dd/mm/yy",
    "%m-%d-%Y": "mm-dd-yyyy", "%m.%d.%Y": "mm.dd.yyyy", "%m/%d/%y": "mm/dd/yy",
}
#: Date orders a coach can choose for dates that read two ways (03/11/2025): day first or month first.
DATE_ORDERS = ("dmy", "mdy")
#: Dates outside this window are impossible for a survey (an error); inside it but before this year or after
#: next year they are implausible (a warning: a typo like 2205 or 1925).
DATE_MIN, DATE_MAX = "1900-01-01", "2200-01-01"
PLAUSIBLE_FROM = 1950
#: C0 and C1 control characters and DEL, but not tab, line feed and carriage return: stripped at import.
CONTROL_CHARS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")



def strip_controls(text: str) -> tuple[str, int]:
    """Text without control characters (terminal escapes, bells, form feeds...), and how many were removed."""
    return CONTROL_CHARS.subn("", text)


def number(expr: str) -> str:
    """Decimal comma or point; thousands separators are not guessed. One leading apostrophe (a spreadsheet's
    mark for "text", which older CSV exports put before negative numbers) is dropped: '-2 is -2, so the rules
    for negative numbers see it, and it never becomes 2."""
    x = f"regexp_replace({expr}, '^''', '')"
    return (
        f"TRY_CAST(CASE WHEN contains({x}, ',') AND NOT contains({x}, '.') "
        f"THEN replace({x}, ',', '.') ELSE {x} END AS DOUBLE)"
    )


def date_part(expr: str) -> str:
    """The date of a date-time cell ('4-3-2025 9:12:07', '2025-03-04T09:12')."""
    return f"split_part(split_part(trim({expr}), ' ', 1), 'T', 1)"


def choose_date_format(con, table: str, col: str) -> str:
    """The format that parses most of the values of ``col`` in a map (counted with their repeats ``n``;
    day-first wins a tie)."""
    exprs = [
        f"coalesce(sum(n) FILTER (WHERE try_strptime({date_part(col)}, {literal(fmt)}) IS NOT NULL), 0)"
        for fmt in DATE_FORMATS
    ]
    counts = rows(con, f"SELECT {', '.join(exprs)} FROM {table} WHERE {col} IS NOT NULL")[0]
    best = max(range(len(DATE_FORMATS)), key=lambda i: (counts[i], -i))
    if counts[best] == 0:
        return DATE_FORMATS[1]
    return DATE_FORMATS[best]


#: Month names, Dutch and English, full and short ("15 maart 2025", "3 okt. 2024", "March 15, 2025").
MONTH_NAMES = {
    1: ("januari", "january", "jan"), 2: ("februari", "february", "feb"), 3: ("maart", "march", "mrt", "mar", "maa"),
    4: ("april", "apr"), 5: ("mei", "may"), 6: ("juni", "june", "jun"), 7: ("juli", "july", "jul"),
    8: ("augustus", "august", "aug"), 9: ("september", "sept", "sep"), 10: ("oktober", "october", "okt", "oct"),
    11: ("november", "nov"), 12: ("december", "dec"),
}
_MONTH = "(" + "|".join(sorted((n for ns in MONTH_NAMES.values() for n in ns), key=len, reverse=True)) + ")"
#: day month year ("15 maart 2025", "3 okt. 2024") and month day, year ("March 15, 2025").
DAY_MONTH_YEAR = r"([0-9]{1,2})\.?\s+" + _MONTH + r"\.?,?\s+([0-9]{4})"
MONTH_DAY_YEAR = _MONTH + r"\.?\s+([0-9]{1,2}),?\s+([0-9]{4})"


def _named_month_date(text: str) -> str:
    """A date written with a month name, as SQL (NULL when ``text`` is none, or names a day that does not
    exist: 31 februari)."""
    s = f"lower(trim({text}))"

    def month(name: str) -> str:
        return "CASE " + name + " " + " ".join(
            f"WHEN {literal(n)} THEN '{m}'" for m, ns in MONTH_NAMES.items() for n in ns) + " END"

    def ymd(pattern: str, d: int, m: int, y: int) -> str:
        g = [f"regexp_extract({s}, {literal(pattern)}, {i})" for i in (d, m, y)]
        return f"try_strptime({g[2]} || '-' || {month(g[1])} || '-' || {g[0]}, '%Y-%m-%d')"

    return (f"CASE WHEN regexp_full_match({s}, {literal(DAY_MONTH_YEAR)}) THEN {ymd(DAY_MONTH_YEAR, 1, 2, 3)} "
            f"WHEN regexp_full_match({s}, {literal(MONTH_DAY_YEAR)}) THEN {ymd(MONTH_DAY_YEAR, 2, 1, 3)} END")


def date_expr(text: str, fmt: str, order: str | None = None) -> str:
    """A date cell as a DATE. The file's format first; then other formats (never month-first in a day-first
    file, unless the coach chose month-first with ``order``), Excel serial numbers, month names."""
    part = date_part(text)
    if order == "dmy":
        alts = YMD + DMY + MDY
    elif order == "mdy":
        alts = YMD + MDY + DMY
    else:
        alts = [fmt] + [f for f in DATE_FORMATS if f != fmt and not (f.startswith("%m") and fmt.startswith("%d"))]
    parsed = ", ".join(f"try_strptime({part}, {literal(f)})" for f in alts)
    serial = (
        f"CASE WHEN regexp_full_match({text}, '[0-9]{{5}}') "
        f"THEN DATE '1899-12-30' + CAST({text} AS INTEGER) END"
    )
    return f"CAST(coalesce({parsed}, {serial}, {_named_month_date(text)}) AS DATE)"


_NUMERIC_DATE = "([0-9]{1,2})([-/.])([0-9]{1,2})[-/.]([0-9]{2,4})"


def two_way_date(text: str) -> str:
    """SQL: is this cell a numeric date whose first two parts are both 12 or less and differ (03/11/2025)?"""
    part = date_part(text)
    a = f"TRY_CAST(regexp_extract({part}, {literal(_NUMERIC_DATE)}, 1) AS INTEGER)"
    b = f"TRY_CAST(regexp_extract({part}, {literal(_NUMERIC_DATE)}, 3) AS INTEGER)"
    return f"(regexp_full_match({part}, {literal(_NUMERIC_DATE)}) AND {a} <= 12 AND {b} <= 12 AND {a} <> {b})"


def one_way_date(text: str) -> str:
    """SQL: a numeric d-m / m-d date that reads only one way (25-03-2025): evidence of the file's order."""
    part = date_part(text)
    a = f"TRY_CAST(regexp_extract({part}, {literal(_NUMERIC_DATE)}, 1) AS INTEGER)"
    b = f"TRY_CAST(regexp_extract({part}, {literal(_NUMERIC_DATE)}, 3) AS INTEGER)"
    return f"(regexp_full_match({part}, {literal(_NUMERIC_DATE)}) AND ({a} > 12 OR {b} > 12))"


def separator_of(fmt: str) -> str | None:
    """The separator of a numeric date format ('-' for %d-%m-%Y)."""
    m = re.search(r"%\w([-/.])", fmt)
    return m.group(1) if m else None


def date_separator(text: str) -> str:
    """SQL: the separator a numeric date cell uses."""
    return f"regexp_extract({date_part(text)}, {literal(_NUMERIC_DATE)}, 2)"


def other_reading(date: str) -> str:
    """SQL: the same date with day and month swapped (NULL when that day does not exist)."""
    return f"try_strptime(strftime({date}, '%Y-%d-%m'), '%Y-%m-%d')::DATE"


def implausible(date: str) -> str:
    """SQL: a date that is possible but unlikely for a survey: before 1950 or after next year."""
    last = dt.date.today().year + 1
    return (f"({date} >= DATE '{DATE_MIN}' AND {date} < DATE '{DATE_MIN}' + INTERVAL {PLAUSIBLE_FROM - 1900} YEAR) "
            f"OR ({date} > DATE '{last}-12-31' AND {date} <= DATE '{DATE_MAX}')")
