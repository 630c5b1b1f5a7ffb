"""Export charts (PNG/SVG) and tables (CSV) for downloads and reports, fully offline.

Charts are rendered by vl-convert (Vega-Lite compiled and drawn in-process by a bundled JavaScript engine): no
browser, no network. External data URLs are refused (``allowed_base_urls=[]``) and the Vega-Lite version is set
explicitly to the one Altair writes, so an upgrade of either package cannot silently change the output. Text is
drawn with the system's fonts (font-family names only: the SVG references no web fonts).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection advice), plus their
#: full-width forms, which some spreadsheet locales accept too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
#: A cell that is just a number (-2, +3, -0.5, -1,5, -1e3) is no formula: it is left as it is, so that it reads
#: back as the same number (an apostrophe would make '-2 text, and some readers then lose the sign).
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


@cache
def vl_version() -> str:
    """The Vega-Lite version Altair writes (e.g. '6.4'), if vl-convert bundles it; else vl-convert's newest."""
    m = re.match(r"v?(\d+)\.(\d+)", alt.SCHEMA_VERSION)
    wanted = f"{m.group(1)}.{m.group(2)}" if m else ""
    available = vlc.get_vegalite_versions()
    return wanted if wanted in available else available[-1]


def _spec(chart: alt.TopLevelMixin | dict | str) -> str | dict:
    return chart if isinstance(chart, (dict, str)) else chart.to_json()


def chart_png(chart: alt.TopLevelMixin | dict | str, scale: float = 2, *, locale: str | None = None) -> bytes:
    """PNG bytes of a chart (``scale=2`` gives crisp images in documents). ``locale`` e.g. 'nl-NL' for numbers."""
    return vlc.vegalite_to_png(
        _spec(chart), vl_version=vl_version(), scale=scale, allowed_base_urls=[], format_locale=locale
    )


def chart_svg(chart: alt.TopLevelMixin | dict | str, *, locale: str | None = None) -> str:
    """SVG markup of a chart (text stays text: searchable, scalable, small)."""
    return vlc.vegalite_to_svg(
        _spec(chart), vl_version=vl_version(), allowed_base_urls=[], format_locale=locale
    )


def chart_to_html_snippet(chart: alt.TopLevelMixin | dict | str, *, locale: str | None = None) -> str:
    """An inline, script-free representation of a chart for HTML reports: the chart's SVG markup.

    No Vega-Embed, no JavaScript and no outside resources, so the report works offline, in e-mail and in print,
    and nothing in it can run. Vega escapes all text, so labels from data cannot inject markup. The snippet loses
    interactivity (tooltips, selections); the report should show the numbers in a table next to it.
    """
    svg = chart_svg(chart, locale=locale)
    return re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)  # an XML declaration is not allowed inside HTML


def safe_cell(value: Any) -> Any:
    """Neutralise one cell against formula injection: text starting with = + - @ (or tab/CR/LF) gets a leading
    apostrophe, which spreadsheets show as text. Text that is just a number ('-2', '+3', '-1,5') is no formula
    and stays as it is. Anything that is not text (numbers, dates, missing) is returned unchanged, so real
    negative numbers stay numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _is_text_column(s: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(s)
        or pd.api.types.is_bool_dtype(s)
        or pd.api.types.is_datetime64_any_dtype(s)
        or isinstance(s.dtype, pd.PeriodDtype)
    )


def safe_csv(df: pd.DataFrame, *, index: bool = False) -> bytes:
    """CSV for download: UTF-8 with BOM (so Excel shows accents right), comma-delimited, CRLF line ends, with
    every text cell and header neutralised by ``safe_cell``. Numeric, boolean and date columns are written as
    they are (a float column keeps -3.5 as -3.5).
    """
    out = df.copy()
    for col in out.columns:
        if _is_text_column(out[col]):
            out[col] = out[col].astype(object).map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    if index:
        out.index = out.index.map(lambda v: safe_cell(v) if isinstance(v, str) else v)
        if out.index.name is not None:
            out.index.name = safe_cell(str(out.index.name))
    text = out.to_csv(index=index, lineterminator="\r\n")
    return text.encode("utf-8-sig")
