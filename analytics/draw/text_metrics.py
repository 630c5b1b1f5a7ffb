"""Text widths in pixels without a browser, for charts that lay out their own labels (the radar's).

Charts name the font ``CHART_FONT``: Arial and its metric twins (Liberation Sans, Helvetica) share these widths,
so a label measured here has the same width in vl-convert's PNG/SVG/PDF and in the browser. The table holds the
advance widths of ASCII in 1/1000 em (regular and bold), taken from Liberation Sans; accented letters measure as
their base letter, anything else as a wide letter (an overestimate is safe: it only wraps a little earlier).
"""

from __future__ import annotations

import unicodedata

#: Font family for text a chart places itself (system fonts only: the product is offline).
CHART_FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"

_REGULAR = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667,
    556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556,
    556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
    500, 500, 500, 334, 260, 334, 584,
)
_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722,
    611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556,
    611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778,
    556, 556, 500, 389, 280, 389, 584,
)
_WIDE = 780  # unknown characters: about an 'M'/'O' (errs on the wide side)


def _advance(ch: str, table: tuple[int, ...]) -> int:
    code = ord(ch)
    if 32 <= code < 127:
        return table[code - 32]
    if ch in "–—":
        return 556 if ch == "–" else 1000
    if ch in "‘’":
        return 222 if table is _REGULAR else 278
    if ch in "“”":
        return 333 if table is _REGULAR else 500
    base = unicodedata.normalize("NFKD", ch)[:1]
    if base and base != ch and 32 <= ord(base) < 127:
        return table[ord(base) - 32]
    return _WIDE


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """Width in pixels of one line of ``text`` at ``font_size`` px."""
    table = _BOLD if bold else _REGULAR
    return sum(_advance(ch, table) for ch in text) * font_size / 1000


def wrap_px(text: str, max_px: float, font_size: float, *, bold: bool = False) -> list[str]:
    """Words into lines no wider than ``max_px`` (a single word wider than that is split, never cut off)."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}" if line else word
            if text_width(trial, font_size, bold=bold) <= max_px:
                line = trial
                continue
            if line:
                lines.append(line)
            line = ""
            while text_width(word, font_size, bold=bold) > max_px and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and text_width(word[:cut] + "-", font_size, bold=bold) > max_px:
                    cut -= 1
                lines.append(word[:cut] + "-")
                word = word[cut:]
            line = word
        lines.append(line)
    return lines or [""]
