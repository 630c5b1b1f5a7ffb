"""Periods: the time axis every chart shares.

A row's period is its wave label when the file gave one, else a label derived from its date. Labels sort in
time order as text ("2024-H2" < "2025-H1"), so charts need no extra ordering column.
"""

from __future__ import annotations

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
