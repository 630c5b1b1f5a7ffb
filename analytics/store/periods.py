"""Periods: the time axis every chart shares.

A row's period is its wave label when the file gave one, else a label derived from its date. Labels sort in
time order as text ("2024-H2" < "2025-H1"), so charts need no extra ordering column.
"""

from __future__ import annotations

import datetime as dt

SCHEMES = {
    # Calendar half-years: 2024-H1 (Jan-Jun), 2024-H2 (Jul-Dec). The default.
    "half-year": "CAST(year({d}) AS VARCHAR) || '-H' || CASE WHEN month({d}) <= 6 THEN '1' ELSE '2' END",
    # School half-years (Aug-Jan, Feb-Jul): 2024/25-1, 2024/25-2.
    "school-half-year": (
        "CAST(year({d}) - CASE WHEN month({d}) < 8 THEN 1 ELSE 0 END AS VARCHAR) || '/' || "
        "right(CAST(year({d}) - CASE WHEN month({d}) < 8 THEN 1 ELSE 0 END + 1 AS VARCHAR), 2) || '-' || "
        "CASE WHEN month({d}) >= 8 OR month({d}) = 1 THEN '1' ELSE '2' END"
    ),
    "school-year": (
        "CAST(year({d}) - CASE WHEN month({d}) < 8 THEN 1 ELSE 0 END AS VARCHAR) || '/' || "
        "right(CAST(year({d}) - CASE WHEN month({d}) < 8 THEN 1 ELSE 0 END + 1 AS VARCHAR), 2)"
    ),
    "quarter": "CAST(year({d}) AS VARCHAR) || '-Q' || CAST(quarter({d}) AS VARCHAR)",
    "year": "CAST(year({d}) AS VARCHAR)",
}
DEFAULT_SCHEME = "half-year"


def period_of(date_expr: str, scheme: str = DEFAULT_SCHEME, wave_expr: str | None = None) -> str:
    """SQL for the period of a date expression we built ourselves; a wave label wins when given."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown period scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    expr = "(" + SCHEMES[scheme].format(d=f"({date_expr})") + ")"
    return f"coalesce({wave_expr}, {expr})" if wave_expr else expr


#: How many periods each scheme has in a year, and the month its year starts: a measurement rhythm of
#: ``moments`` per year is read in the scheme with that many periods (school schemes start in August).
SCHEME_MOMENTS = {"half-year": 2, "school-half-year": 2, "school-year": 1, "quarter": 4, "year": 1}
RHYTHM_MOMENTS = (1, 2, 3, 4, 6, 12)


def anchor_month(scheme: str = DEFAULT_SCHEME) -> int:
    """The month a scheme's year starts in: August for the school schemes, January otherwise."""
    return 8 if scheme.startswith("school") else 1


def period_bounds(day: dt.date, moments: int = 2, anchor: int = 1) -> tuple[dt.date, dt.date]:
    """First and last day of the period holding ``day`` when a year (starting in month ``anchor``) has
    ``moments`` equal periods. Matches SCHEMES: (2, 1) is half-year, (2, 8) school-half-year, (4, 1) quarter,
    (1, 8) school-year, (1, 1) year."""
    if moments not in RHYTHM_MOMENTS:
        raise ValueError(f"moments per year must be one of {', '.join(map(str, RHYTHM_MOMENTS))}, not {moments}")
    months = 12 // moments
    offset = (day.year * 12 + day.month - anchor) // months * months  # months since year 0, period start
    start = dt.date((offset + anchor - 1) // 12, (offset + anchor - 1) % 12 + 1, 1)
    nxt = offset + months
    end = dt.date((nxt + anchor - 1) // 12, (nxt + anchor - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end
