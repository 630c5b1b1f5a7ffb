"""Chart builders: pandas DataFrames in, Altair charts out (no Streamlit here).

Design rules that every builder follows:

* The Dimensions of Social Learning are a mirror, not a test: no red/green, no good/bad colouring, no diverging
  palettes. Time order uses a single-hue blue ramp (older = lighter); categories use Okabe-Ito colours (without
  vermillion, so no red/green pair can appear).
* Every mark that carries a number has a tooltip with that number.
* All words come from the caller (the app is bilingual): code -> label dicts plus a ``text`` dict whose keys are
  listed in ``DEFAULT_TEXT`` (English defaults).
* Data goes into the spec inline (``alt.InlineData``) after Altair's own sanitising, keeping only the columns a
  layer needs. This keeps specs small, sidesteps Altair's 5,000-row guard (the caller decides what is too much) and
  makes the output identical whether it is shown by Streamlit or exported by vl-convert.
* Charts have fixed pixel sizes and hidden view strokes so they can be concatenated and exported as they are; show
  them with ``st.altair_chart(chart, theme=None, width="content")`` to keep the colours.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import os
import sys
import textwrap
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.core import sanitize_pandas_dataframe

from analytics.decisions import (
    BLUE_RAMP,
    CATEGORY_PALETTE,
    PERIOD_HUE_DARK,
    PERIOD_HUE_LIGHT,
    PERIOD_L_DARK,
    PERIOD_L_LIGHT,
    PERIOD_L_STEP_MAX,
    category_styles,
    role_color,
)
from analytics.draw.text_metrics import CHART_FONT, text_width, wrap_px

# ----------------------------------------------------------------------------------------------- constants

NEUTRAL = "#3b6a8f"  # one calm blue for single-series marks
INK = "#262626"
MUTED = "#6b6b6b"
GRID = "#d4d4d4"
BAND = "#dde3ea"  # interquartile band behind the marks
RINGS = (0.25, 0.5, 0.75, 1.0)
EVENT_LABEL_MAX = 22  # characters of an event label on a time axis (the tooltip has it all)
EVENT_LABEL_WIDE_MAX = 44  # ... at most, on a chart wide enough for it
EVENT_LABEL_ROWS = 6  # rows the event labels are staggered over

#: Every word a builder may show, with English defaults. Pass ``text={...}`` with translations; keys that are
#: templates keep their ``{...}`` placeholders.
DEFAULT_TEXT: dict[str, str] = {
    "series": "Period",
    "indicator": "Indicator",
    "position": "Position between the poles (0–1)",
    "n": "Respondents",
    "pole_outer": "edge: {pole}",
    "pole_centre": "centre: {pole}",
    "left_pole": "Left pole",
    "right_pole": "Right pole",
    "group": "Role",
    "median": "Median",
    "q1": "25th percentile",
    "q3": "75th percentile",
    "iqr": "Middle half of the marks",
    "stage": "Cycle",
    "count": "Participants",
    "kept": "{share} of the previous stage",
    "share_kept": "Kept from the previous stage",
    "period": "Period",
    "value": "Value",
    "event": "Event",
    "share_of_period": "Share of the period",
    "kept_ci": "95%: {low}–{high}",
    "kept_ci_tip": "95% interval of the kept share",
    "ci_low": "95% interval from",
    "ci_high": "95% interval to",
    "n_label": "n = {n}",
    "thousands_sep": ",",
}


# Altair also validates every schema object as it is made (its "debug mode"): a radar chart took 13 ms, half of
# it that. Our builders are fixed code; in the tests (pytest imported) and with NETWERKLEREN_VALIDATE_CHARTS=1
# every object is still checked as it is made, and every spec a page builds as a whole (validating()).
if not (os.environ.get("NETWERKLEREN_VALIDATE_CHARTS") or "pytest" in sys.modules):
    alt.utils.schemapi.disable_debug_mode()


def validating() -> bool:
    """Whether a page checks a chart's spec against Vega-Lite's schema when it turns it into a dict: in the tests
    (pytest sets ``PYTEST_CURRENT_TEST``) and with ``NETWERKLEREN_VALIDATE_CHARTS=1``, not on a server, where
    the builders are fixed code the tests validated: at 50 networks validation was about half a second of the
    first overview after a start, and of each first view of the Dimensions and Value pages."""
    return bool(os.environ.get("PYTEST_CURRENT_TEST") or os.environ.get("NETWERKLEREN_VALIDATE_CHARTS"))


# ----------------------------------------------------------------------------------------------- helpers


def _text(text: Mapping[str, str] | None) -> dict[str, str]:
    return {**DEFAULT_TEXT, **(text or {})}


def _fld(name: str) -> str:
    """Escape a column name for Vega-Lite, where '.' and '[]' would mean nested access."""
    return name.replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


def _inline(df: pd.DataFrame) -> alt.InlineData:
    """Inline values, sanitised the way Altair does it (NaN and infinities -> null, datetimes -> ISO strings)."""
    return alt.InlineData(values=_records(df))


def _records(df: pd.DataFrame) -> list[dict]:
    """The rows of ``df`` as Altair's ``sanitize_pandas_dataframe`` would write them, column by column.

    Altair's sanitiser copies the frame and converts it column by column through pandas; for the handful of
    small frames of every chart that was a fifth of drawing 40 radars. Numbers, booleans and texts are done here
    with numpy; anything else (dates, categories, nullable types) goes through Altair's own sanitiser.
    """
    columns = []
    for name in df.columns:
        col = df[name]
        dtype = col.dtype
        if not isinstance(name, str):
            break
        if isinstance(dtype, np.dtype) and dtype.kind == "f":
            values = col.to_numpy()
            out = values.tolist()
            for i in np.flatnonzero(~np.isfinite(values)).tolist():
                out[i] = None
        elif isinstance(dtype, np.dtype) and dtype.kind in "iub":
            out = col.tolist()
        elif (isinstance(dtype, np.dtype) and dtype.kind == "O") or str(dtype) in ("str", "string"):
            out = col.astype(object).tolist()
            missing = col.isna().to_numpy()
            for i in np.flatnonzero(missing).tolist():
                out[i] = None
            if not missing.all() and any(isinstance(v, np.ndarray) for v in out):
                out = [v.tolist() if isinstance(v, np.ndarray) else v for v in out]
        else:
            break
        columns.append(out)
    else:
        names = list(df.columns)
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)] if names else (
            [{} for _ in range(len(df))])
    return sanitize_pandas_dataframe(df.reset_index(drop=True)).to_dict(orient="records")


def _hex_to_rgb(h: str) -> tuple[int, int, int]:
    h = h.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def sequential_blues(n: int, *, lightest: float = 0.0) -> list[str]:
    """``n`` blues from light to dark (for things in time or stage order: older/earlier = lighter).

    One colour gives a mid-dark blue; ``lightest`` (0..1) skips the palest part of the ramp.
    """
    if n <= 0:
        return []
    if n == 1:
        return [BLUE_RAMP[-2]]
    out = []
    for i in range(n):
        t = lightest + (1 - lightest) * i / (n - 1)
        pos = t * (len(BLUE_RAMP) - 1)
        lo = min(int(math.floor(pos)), len(BLUE_RAMP) - 2)
        f = pos - lo
        a, b = _hex_to_rgb(BLUE_RAMP[lo]), _hex_to_rgb(BLUE_RAMP[lo + 1])
        out.append("#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True)))
    return out


def _lch_hex(lightness: float, chroma: float, hue: float) -> str:
    """CIE LCh (D65) -> sRGB hex, lowering the chroma until the colour fits sRGB (so the lightness stays exact)."""

    def f(t: float) -> float:
        return t**3 if t**3 > 0.008856 else (t - 16 / 116) / 7.787

    def gamma(c: float) -> float:
        return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055

    rgb = [0.0, 0.0, 0.0]
    for c in np.arange(chroma, -0.5, -1.0):
        a, b = c * math.cos(math.radians(hue)), c * math.sin(math.radians(hue))
        fy = (lightness + 16) / 116
        x, y, z = 0.95047 * f(fy + a / 500), f(fy), 1.08883 * f(fy - b / 200)
        rgb = [gamma(v) for v in (3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
                                   -0.9692660 * x + 1.8760108 * y + 0.0415560 * z,
                                   0.0556434 * x - 0.2040259 * y + 1.0572252 * z)]
        if all(-1e-9 <= v <= 1 + 1e-9 for v in rgb):
            break
    return "#" + "".join(f"{round(min(1.0, max(0.0, v)) * 255):02x}" for v in rgb)


def period_colors(n: int) -> list[str]:
    """``n`` period colours, oldest first: one blue hue, lightness evenly spaced from light to dark (latest darkest).

    The steps are spread over the whole usable range whatever ``n`` is (at most ``PERIOD_L_STEP_MAX`` apart), so
    six periods are six clearly different blues, not six near-identical ones.
    """
    if n <= 0:
        return []
    step = min(PERIOD_L_STEP_MAX, (PERIOD_L_LIGHT - PERIOD_L_DARK) / max(n - 1, 1))
    out = []
    for i in range(n):
        lightness = PERIOD_L_DARK + step * (n - 1 - i)
        frac = (lightness - PERIOD_L_DARK) / (PERIOD_L_LIGHT - PERIOD_L_DARK)
        out.append(_lch_hex(lightness, 50.0, PERIOD_HUE_DARK + (PERIOD_HUE_LIGHT - PERIOD_HUE_DARK) * frac))
    return out


def _category_colors(n: int) -> tuple[list[str], list[list[int]]]:
    """Colours plus dash patterns so that more than six categories stay distinguishable."""
    dashes = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]
    colors = [CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i in range(n)]
    dash = [dashes[(i // len(CATEGORY_PALETTE)) % len(dashes)] for i in range(n)]
    return colors, dash


def role_colors(role_labels: Mapping[str, str]) -> dict[str, str]:
    """Shown role name -> the role's fixed colour, from role code -> shown name (in whatever language).

    Pass the result as ``series_colors`` / ``colors``: the colour follows the code, never the word or the order
    of the legend, so a role has one colour in every chart and in both languages.
    """
    return {label: role_color(code) for code, label in role_labels.items()}


def organisation_styles(orgs: Sequence[str]) -> dict[str, tuple[str, str, tuple[int, ...]]]:
    """Organisation -> (colour, point shape, dash), stable from the sorted organisations of the network."""
    return category_styles(orgs)


def _wrap(s: object, width: int) -> str:
    lines = textwrap.wrap(str(s), width=width, break_long_words=True) or [""]
    return "\n".join(lines)


def _fmt_int(n: object, sep: str) -> str:
    try:
        return f"{int(n):,}".replace(",", sep)
    except (TypeError, ValueError):
        return ""


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _extra_tooltips(df: pd.DataFrame, cols: Sequence[str], t: Mapping[str, str]) -> list[alt.Tooltip]:
    """Tooltips for the extra columns that are present (numbers as numbers, rest as text)."""
    out = []
    for c in cols:
        if c in df.columns:
            if _is_numeric(df[c]):
                out.append(alt.Tooltip(field=_fld(c), type="quantitative", title=t.get(c, c), format=",~r"))
            else:
                out.append(alt.Tooltip(field=_fld(c), type="nominal", title=t.get(c, c)))
    return out


def _with_title(chart, title: str):
    return chart.properties(**_titled(title)) if title else chart


def _when_equal(channel: type, field: str, equal, then, otherwise):
    """``alt.when(field == equal).then(then).otherwise(otherwise)`` for one channel, built as that channel's own
    class (e.g. ``alt.SizeValue``). The same spec; Altair matches a plain dict against the schema (``from_dict``)
    when it is encoded, about 3 ms a channel -- a third of a radar."""
    return channel(value=otherwise, condition=[{"test": alt.FieldEqualPredicate(field=field, equal=equal),
                                                "value": then}])


def _titled(title: str) -> dict:
    """The title as a ``properties`` argument: given with the chart's other properties, it costs no extra copy
    of the whole chart (Altair copies a chart on every ``properties`` call)."""
    return {"title": alt.TitleParams(title, anchor="start", fontSize=14)} if title else {}


class VegaLiteSpec(dict):
    """A finished Vega-Lite spec that answers ``to_dict()`` like an Altair chart, so pages, exports and tests take
    it the way they take a chart."""

    def to_dict(self, *, validate: bool = True, **_) -> dict:
        return copy.deepcopy(dict(self))

    def to_json(self, *, indent: int | str | None = 2, **_) -> str:
        return json.dumps(self, indent=indent)


def _lift_top_level(specs: list[dict]) -> tuple[dict, dict]:
    """Take ``$schema``, ``config`` and ``datasets`` out of each top-level spec (in place), for one spec that
    holds them all: the top of the composed spec and the datasets merged."""
    out: dict = {}
    datasets: dict = {}
    for s in specs:
        datasets.update(s.pop("datasets", {}))
        out["$schema"] = s.pop("$schema")
        config = s.pop("config", None)
        if out.setdefault("config", config) != config:
            raise ValueError("charts with different configs cannot share one spec")
    if out["config"] is None:
        del out["config"]
    return out, datasets


def _composed(charts: Sequence[alt.TopLevelMixin], kind: str = "concat", *, title: str = "",
              **top) -> VegaLiteSpec | alt.TopLevelMixin:
    """``alt.concat(*charts, **top)`` (or ``vconcat``) as a spec composed from the charts' own specs.

    Altair deep-copies every sub-chart and merges their parameters again when it concatenates and when it
    writes the result: for 40 radars or 50 funnels that was most of a Dimensions or Value page's first view at
    sample x10. The result is the same spec as Altair's (tests compare them). Sub-charts with parameters
    (selections) need Altair's merging, so they go through Altair.
    """
    if not charts:
        return _with_title(getattr(alt, kind)(**top), title)
    # One builder wrote every sub-chart: the first is validated against the schema, the others (the same
    # structure with other data) are not -- validation was a third of the time of 40 radars. The tests compare
    # whole grids with Altair's validated concat.
    specs = [c.to_dict(validate=i == 0) for i, c in enumerate(charts)]
    if any("params" in s for s in specs):
        return _with_title(getattr(alt, kind)(*charts, **top), title)
    out, datasets = _lift_top_level(specs)
    out[kind] = specs
    out.update(top)
    if title:
        out["title"] = _titled(title)["title"].to_dict()
    if datasets:
        out["datasets"] = datasets
    return VegaLiteSpec(out)


def _layered(layers: Sequence[alt.TopLevelMixin | dict], **props) -> VegaLiteSpec:
    """``alt.layer(*layers).properties(**props)`` as a spec composed from the layers' own specs.

    Altair's layer chart deep-copies every layer twice when it is made (to merge parameters) and once more per
    ``properties`` and ``to_dict``: for a radar of a dozen layers that was half its time. A layer may come as
    its spec already written (a radar's frame, written once). Layers with parameters (selections) are refused:
    they need Altair's merging. The tests compare the result with Altair's own."""
    specs = [dict(layer) if isinstance(layer, dict) else layer.to_dict(validate=False) for layer in layers]
    if any("params" in s for s in specs):
        raise ValueError("layers with parameters need alt.layer")
    out, datasets = _lift_top_level(specs)
    out["layer"] = specs
    for key, value in props.items():
        out[key] = value.to_dict() if isinstance(value, alt.SchemaBase) else value
    if datasets:
        out["datasets"] = datasets
    return VegaLiteSpec(out)


def _x_kind(values: pd.Series) -> str:
    return "temporal" if pd.api.types.is_datetime64_any_dtype(values) else "ordinal"


def _domain(values: pd.Series, order: Sequence[str] | None) -> list:
    if order is not None:
        return list(order)
    return sorted(values.dropna().unique().tolist())


# ----------------------------------------------------------------------------------------------- radar


def radar_points(df: pd.DataFrame, axis_col: str, value_col: str, order: Sequence[str]) -> pd.DataFrame:
    """Polar -> cartesian for a radar: axis i of k sits at angle pi/2 - 2*pi*i/k (first axis up, clockwise).

    The radius is the value itself (0 = centre, 1 = outer ring). Returns the input columns plus ``axis_index``,
    ``angle``, ``x`` and ``y`` (rounded to 12 decimals so that a square comes out as exact 0/1/-1). Rows whose
    axis is not in ``order`` are left out: the order defines the radar. Missing values give NaN x/y.
    """
    k = len(order)
    if k < 3:
        raise ValueError("a radar needs at least three axes")
    index = {code: i for i, code in enumerate(order)}
    out = df[df[axis_col].isin(list(index))].copy()
    out["axis_index"] = out[axis_col].map(index).astype(int)
    angle = np.pi / 2 - 2 * np.pi * out["axis_index"].to_numpy(dtype=float) / k
    r = pd.to_numeric(out[value_col], errors="coerce").to_numpy(dtype=float)
    out["angle"] = angle
    out["x"] = np.round(r * np.cos(angle), 12) + 0.0  # + 0.0 turns -0.0 into 0.0
    out["y"] = np.round(r * np.sin(angle), 12) + 0.0
    return out.reset_index(drop=True)


def _xy(extent: float | tuple[float, float, float], x: str = "x", y: str = "y") -> dict:
    """Radar encodings: ``extent`` is the half-width of both domains, or (half-width, y low, y high)."""
    half, lo, hi = (extent, -extent, extent) if isinstance(extent, (int, float)) else extent
    return {
        "x": alt.X(field=x, type="quantitative", scale=alt.Scale(domain=[-half, half], nice=False, zero=False),
                   axis=None),
        "y": alt.Y(field=y, type="quantitative", scale=alt.Scale(domain=[lo, hi], nice=False, zero=False),
                   axis=None),
    }


RADAR_NAME_FONT, RADAR_NAME_LH = 13, 16  # px: indicator names (bold)
RADAR_POLE_FONT, RADAR_POLE_LH = 11, 13  # px: the two poles under a name
RADAR_GAP = 8  # px between the outer ring and its labels
RADAR_MARGIN = 4  # px kept free at the view's edge
RADAR_MIN_LABEL_W = 120  # px: a side label narrower than this wraps into too many lines (at least 24% of the radar)


def _label_box(name: str, poles: Sequence[str], max_w: float) -> tuple[list[str], list[str], float, float]:
    """Lines of a radar label (name, then poles) wrapped to ``max_w`` px, with its width and height in px."""
    names = wrap_px(name, max_w, RADAR_NAME_FONT, bold=True)
    pole_lines = [line for p in poles for line in wrap_px(p, max_w, RADAR_POLE_FONT)]
    w = max([text_width(x, RADAR_NAME_FONT, bold=True) for x in names]
            + [text_width(x, RADAR_POLE_FONT) for x in pole_lines])
    h = len(names) * RADAR_NAME_LH + len(pole_lines) * RADAR_POLE_LH
    return names, pole_lines, w, h


def _separate(boxes: list[dict], rounds: int = 200) -> None:
    """Push overlapping label boxes apart vertically (the upper one up, the lower one down), in place."""
    for _ in range(rounds):
        moved = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                if a["x0"] >= b["x1"] + 2 or b["x0"] >= a["x1"] + 2:
                    continue
                top, low = (a, b) if a["cy"] >= b["cy"] else (b, a)
                overlap = (low["top"] + 2) - (top["top"] - top["h"])
                if overlap > 0:
                    top["top"] += overlap / 2 + 0.5
                    low["top"] -= overlap / 2 + 0.5
                    top["cy"], low["cy"] = top["top"] - top["h"] / 2, low["top"] - low["h"] / 2
                    moved = True
        if not moved:
            return


def radar_label_layout(
    order: Sequence[str],
    axis_labels: Mapping[str, str],
    pole_texts: Mapping[str, Sequence[str]] | None,
    size: int,
) -> tuple[float, list[dict]]:
    """Where a radar's labels go so that they all fit in a ``size`` x ``size`` view, outside the outer ring.

    Tries the largest ring first and shrinks it until every label -- wrapped to the room it has on its side,
    never cut off -- fits in the view without touching another label or the ring. Returns the ring radius in px
    and per axis a dict with the label's lines, alignment and box (px, origin at the centre, y up).
    """
    poles = pole_texts or {}
    # Roomy labels of whole words, unless that leaves a small radar (small multiples) tiny rings: then narrower
    # labels that may split a long word.
    roomy = _layout_at(order, axis_labels, poles, size, max(RADAR_MIN_LABEL_W, 0.24 * size), False)
    narrow = _layout_at(order, axis_labels, poles, size, min(60.0, 0.2 * size), True)
    if roomy is not None and (narrow is None or roomy[0] >= min(0.8 * narrow[0], 0.2 * size)):
        return roomy
    if narrow is not None:
        return narrow
    return _layout_at(order, axis_labels, poles, size, 0.0, True, force=True)  # type: ignore[return-value]


def _layout_at(order: Sequence[str], axis_labels: Mapping[str, str], poles: Mapping[str, Sequence[str]],
               size: int, min_w: float, split_ok: bool, force: bool = False) -> tuple[float, list[dict]] | None:
    """The largest ring whose labels fit (see :func:`radar_label_layout`); with ``force`` the smallest ring tried
    when none fits."""
    k = len(order)
    half = size / 2
    last: tuple[float, list[dict]] | None = None
    for radius in np.arange(half - RADAR_GAP - 30, 24, -2.0):
        reach = radius + RADAR_GAP
        boxes = []
        for i, code in enumerate(order):
            ang = math.pi / 2 - 2 * math.pi * i / k
            ax, ay = math.cos(ang), math.sin(ang)
            ox, oy = reach * ax, reach * ay
            align = "left" if ax > 0.2 else "right" if ax < -0.2 else "center"
            room = (half - RADAR_MARGIN - abs(ox)) if align != "center" else min(2 * (half - RADAR_MARGIN), 0.7 * size)
            name = str(axis_labels.get(code, code))
            natural = max([text_width(name, RADAR_NAME_FONT, bold=True)]
                          + [text_width(p, RADAR_POLE_FONT) for p in poles.get(code, ())])
            if room < min(min_w, natural):
                break
            names, pole_lines, w, h = _label_box(name, poles.get(code, ()), room)
            if any(line.endswith("-") for line in names + pole_lines) and not split_ok:
                break  # a word split in two: try a smaller ring, which leaves the labels more room
            x0 = ox if align == "left" else ox - w if align == "right" else ox - w / 2
            top = oy + h * (1 + ay) / 2  # above the anchor at the top, below it at the bottom, centred at the sides
            boxes.append({"code": code, "align": align, "names": names, "poles": pole_lines, "w": w, "h": h,
                          "x0": x0, "x1": x0 + w, "top": top, "cy": top - h / 2, "anchor_x": ox})
        if len(boxes) < k:
            continue
        for _ in range(3):
            _separate(boxes)
            _clear_circle(boxes, radius + RADAR_GAP / 2)
        fits = all(-half + RADAR_MARGIN <= b["x0"] and b["x1"] <= half - RADAR_MARGIN
                   and b["top"] <= half - RADAR_MARGIN and b["top"] - b["h"] >= -half + RADAR_MARGIN for b in boxes)
        clear = all(_box_clear_of_circle(b, radius + RADAR_GAP / 2) for b in boxes)
        if fits and clear:
            return float(radius), boxes
        last = (float(radius), boxes)
    return last if force else None


def _clear_circle(boxes: list[dict], r: float) -> None:
    """Move labels off the ring's circle: side labels outwards along x, top and bottom labels along y."""
    for b in boxes:
        if b["align"] == "center":
            nx = 0.0 if b["x0"] <= 0 <= b["x1"] else min(abs(b["x0"]), abs(b["x1"]))
            need = math.sqrt(max(0.0, r * r - nx * nx))
            if b["cy"] >= 0 and b["top"] - b["h"] < need:
                b["top"] = need + b["h"]
            elif b["cy"] < 0 and b["top"] > -need:
                b["top"] = -need
            b["cy"] = b["top"] - b["h"] / 2
        else:
            bottom = b["top"] - b["h"]
            ny = 0.0 if bottom <= 0 <= b["top"] else min(abs(bottom), abs(b["top"]))
            need = math.sqrt(max(0.0, r * r - ny * ny))
            if b["align"] == "left" and b["x0"] < need:
                b["x0"], b["x1"] = need, need + b["w"]
            elif b["align"] == "right" and b["x1"] > -need:
                b["x0"], b["x1"] = -need - b["w"], -need


def _box_clear_of_circle(b: dict, r: float) -> bool:
    nx = min(max(0.0, b["x0"]), b["x1"])
    ny = min(max(0.0, b["top"] - b["h"]), b["top"])
    return nx * nx + ny * ny >= r * r - 1e-6


def _frozen(mapping: Mapping) -> tuple:
    return tuple(sorted((str(k), tuple(v) if isinstance(v, list) else v) for k, v in mapping.items()))


@functools.lru_cache(maxsize=64)
def _radar_frame_once(order: tuple, axis_labels: tuple, pole_labels: tuple | None, t: tuple, size: int):
    """The frame of :func:`_radar_frame` built once for a grid of radars: every radar of a grid has the same
    rings, spokes and labels (a quarter of the time of 40 radars went into building it 40 times). The layers are
    shared, never changed: Altair copies them into every chart that uses them; their specs, written once too,
    are shared by every radar's spec and never changed either (a :class:`VegaLiteSpec` hands out copies)."""
    layers, extent, height = _radar_frame(order, dict(axis_labels), dict(pole_labels) if pole_labels else None,
                                          dict(t), size)
    return tuple(layers), tuple(c.to_dict(validate=False) for c in layers), extent, height


def _radar_frame(
    order: Sequence[str],
    axis_labels: Mapping[str, str],
    pole_labels: Mapping[str, tuple[str, str]] | None,
    t: Mapping[str, str],
    size: int,
) -> tuple[list[alt.Chart], tuple[float, float, float], int]:
    """Grid rings, spokes and axis labels (the parts that do not depend on the data), the data extent and height.

    The labels sit inside the ``size`` x ``size`` view, outside the outer ring, so the chart is as big as asked
    and a page or a slide that gives it that room cuts nothing off. ``extent`` is the data range (ring 1 = 1.0)
    from the centre to the view's edge.
    """
    pole_texts = None
    if pole_labels:
        pole_texts = {c: (t["pole_outer"].format(pole=right), t["pole_centre"].format(pole=left))
                      for c, (left, right) in pole_labels.items()}
    radius, boxes = radar_label_layout(order, axis_labels, pole_texts, size)
    # As wide as asked; only as tall as the rings and labels need (equal px per unit on both axes).
    top = max([radius] + [b["top"] for b in boxes]) + RADAR_MARGIN
    bottom = min([-radius] + [b["top"] - b["h"] for b in boxes]) - RADAR_MARGIN
    extent = (size / 2 / radius, bottom / radius, top / radius)
    rings = pd.DataFrame([{"_axis": c, "_r": r} for r in RINGS for c in order])
    rings = radar_points(rings, "_axis", "_r", order)
    ring_layer = (
        alt.Chart(_inline(rings[["_r", "axis_index", "x", "y"]]))
        .mark_line(interpolate="linear-closed", stroke=GRID, strokeWidth=0.8)
        .encode(
            **_xy(extent), detail=alt.Detail(field="_r", type="nominal"), order=alt.Order(field="axis_index")
        )
    )
    spokes = rings[rings["_r"] == 1.0].assign(x0=0.0, y0=0.0)
    spoke_layer = (
        alt.Chart(_inline(spokes[["x", "y", "x0", "y0"]]))
        .mark_rule(stroke=GRID, strokeWidth=0.8)
        .encode(**_xy(extent, "x0", "y0"), x2=alt.X2(field="x"), y2=alt.Y2(field="y"))
    )
    rows = []
    for b in boxes:
        x = b["x0"] if b["align"] == "left" else b["x1"] if b["align"] == "right" else (b["x0"] + b["x1"]) / 2
        rows.append({"x": x / radius, "y": b["top"] / radius,
                     "y_pole": (b["top"] - len(b["names"]) * RADAR_NAME_LH) / radius,
                     "_align": b["align"], "_name": "\n".join(b["names"]), "_poles": "\n".join(b["poles"])})
    labels = pd.DataFrame(rows, columns=["x", "y", "y_pole", "_align", "_name", "_poles"])
    name_layer = (
        alt.Chart(_inline(labels))
        .mark_text(align=alt.expr("datum._align"), baseline="top", lineBreak="\n", lineHeight=RADAR_NAME_LH,
                   fontSize=RADAR_NAME_FONT, fontWeight="bold", color=INK, font=CHART_FONT)
        .encode(**_xy(extent), text=alt.Text(field="_name", type="nominal"))
    )
    layers = [ring_layer, spoke_layer, name_layer]
    if pole_labels:
        layers.append(
            alt.Chart(_inline(labels[labels["_poles"] != ""]))
            .mark_text(align=alt.expr("datum._align"), baseline="top", lineBreak="\n", lineHeight=RADAR_POLE_LH,
                       fontSize=RADAR_POLE_FONT, color=MUTED, font=CHART_FONT)
            .encode(**_xy(extent, "x", "y_pole"), text=alt.Text(field="_poles", type="nominal"))
        )
    return layers, extent, round(top - bottom)


def radar_chart(
    df: pd.DataFrame,
    *,
    axis_col: str = "code",
    value_col: str = "mean",
    series_col: str = "period",
    axis_order: Sequence[str],
    axis_labels: Mapping[str, str] | None = None,
    series_order: Sequence[str] | None = None,
    emphasise: str | None = None,
    pole_labels: Mapping[str, tuple[str, str]] | None = None,
    tooltip_cols: Sequence[str] = ("n",),
    text: Mapping[str, str] | None = None,
    title: str = "",
    size: int = 560,
    categorical: bool = False,
    ci: tuple[str, str] | None = None,
    series_colors: Mapping[str, str] | None = None,
    as_altair: bool = False,
) -> VegaLiteSpec | alt.LayerChart:
    """A radar of positions (0 = left pole at the centre, 1 = right pole at the edge), one polygon per series.

    ``ci`` names the columns of a 95% interval (low, high): the ``emphasise`` series (or the only one) then gets
    a band along each axis from low to high -- a piece of ring per axis -- so a reader sees how far the polygon
    could move by chance alone.

    ``categorical`` colours series that have no order (roles, groups) with the colour-blind-safe category
    palette instead of the time ramp; ``series_colors`` (series value -> colour) fixes them, e.g. a role's own
    colour from :func:`role_colors`, so a role looks the same in every chart and language.

    Series are coloured by time order on a single-hue ramp (``series_order``: oldest first, lighter); the
    ``emphasise`` series (normally the latest period) is drawn thicker and filled lightly, the others thinner.
    ``pole_labels`` (code -> (left, right)) adds both poles under each axis name so the radar reads without a
    legend of the instrument. Missing values (NaN, e.g. a suppressed small group, or no row at all) never draw a
    polygon: a series with any missing axis shows its remaining points only, because a polygon that skips an axis would suggest a
    position that was never measured. ``size`` is the whole radar in px, labels included: they sit outside
    the rings, wrapped to the room they have, and the rings shrink until every label fits.

    Returns the finished spec (composed by :func:`_layered`, the same as Altair's); ``as_altair`` gives the Altair
    layer chart instead, for composing it with Altair's operators.
    """
    t = _text(text)
    axis_labels = dict(axis_labels or {})
    series_order = _domain(df[series_col], series_order) if series_col in df.columns else []
    pts = radar_points(df, axis_col, value_col, axis_order)
    pts = pts[pts[series_col].isin(series_order)] if series_order else pts
    pts = pts.assign(_axis_label=pts[axis_col].map(lambda c: axis_labels.get(c, c)))
    value = pd.to_numeric(pts[value_col], errors="coerce")
    pts = pts.assign(_value=value)
    missing = pts[value.isna()][series_col].unique().tolist()
    counts = pts[value.notna()].groupby(series_col, observed=True)[axis_col].nunique()
    complete = [s for s in series_order if s not in missing and counts.get(s, 0) == len(axis_order)]

    keep = [series_col, "axis_index", "x", "y", "_axis_label", "_value"] + [
        c for c in tooltip_cols if c in pts.columns and c not in (series_col, "x", "y")
    ]
    keep = list(dict.fromkeys(keep))
    frame, frame_specs, extent, height = _radar_frame_once(
        tuple(axis_order), _frozen(axis_labels), _frozen(pole_labels) if pole_labels else None, _frozen(t), size)
    layers = list(frame if as_altair else frame_specs)
    if categorical:
        colors = [CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i in range(len(series_order))]
        if series_colors:
            colors = [series_colors.get(s, c) for s, c in zip(series_order, colors, strict=True)]
    else:
        colors = period_colors(len(series_order))
    color_scale = alt.Scale(domain=list(series_order), range=colors)
    color = alt.Color(
        field=_fld(series_col),
        type="nominal" if categorical else "ordinal",
        scale=color_scale,
        sort=list(series_order),
        title=t["series"],
        legend=alt.Legend(
            orient="bottom",
            symbolType="stroke",
            symbolStrokeWidth=3,
            direction="horizontal",
            offset=10,
        ),
    )
    if emphasise is not None:
        stroke_width = _when_equal(alt.StrokeWidthValue, _fld(series_col), emphasise, 3.2, 1.4)
        opacity = _when_equal(alt.OpacityValue, _fld(series_col), emphasise, 1.0, 0.75)
        point_size = _when_equal(alt.SizeValue, _fld(series_col), emphasise, 55, 28)
    else:
        stroke_width, opacity, point_size = alt.StrokeWidthValue(2.0), alt.OpacityValue(0.95), alt.SizeValue(40)

    poly = pts[pts[series_col].isin(complete)][keep]
    banded = emphasise if emphasise is not None else (series_order[0] if len(series_order) == 1 else None)
    if ci and banded is not None and all(c in df.columns for c in ci):
        one = df[df[series_col] == banded]
        lo = radar_points(one, axis_col, ci[0], axis_order)
        hi = radar_points(one, axis_col, ci[1], axis_order)
        seg = pd.DataFrame({"x": lo["x"], "y": lo["y"], "x2": hi["x"], "y2": hi["y"],
                            "_axis_label": lo[axis_col].map(lambda c: axis_labels.get(c, c)),
                            "_lo": pd.to_numeric(lo[ci[0]], errors="coerce"),
                            "_hi": pd.to_numeric(hi[ci[1]], errors="coerce")})
        if "n" in one.columns:
            seg["n"] = lo["n"].to_numpy()
        seg = seg.dropna(subset=["x", "y", "x2", "y2"])
        band_colour = colors[list(series_order).index(banded)] if banded in series_order else NEUTRAL
        seg_tooltip = [alt.Tooltip(field="_axis_label", type="nominal", title=t["indicator"]),
                       alt.Tooltip(field="_lo", type="quantitative", title=t["ci_low"], format=".2f"),
                       alt.Tooltip(field="_hi", type="quantitative", title=t["ci_high"], format=".2f")]
        if "n" in seg.columns:
            seg_tooltip.append(alt.Tooltip(field="n", type="quantitative", title=t["n"]))
        layers.append(
            alt.Chart(_inline(seg))
            .mark_rule(strokeWidth=10, strokeCap="butt", opacity=0.3, color=band_colour)
            .encode(**_xy(extent), x2=alt.X2(field="x2"), y2=alt.Y2(field="y2"), tooltip=seg_tooltip)
        )
    if emphasise is not None and emphasise in complete:
        layers.append(
            alt.Chart(_inline(poly[poly[series_col] == emphasise]))
            .mark_line(
                interpolate="linear-closed",
                fill=colors[list(series_order).index(emphasise)],
                fillOpacity=0.10,
                strokeOpacity=0,
            )
            .encode(**_xy(extent), order=alt.Order(field="axis_index"))
        )
    layers.append(
        alt.Chart(_inline(poly))
        .mark_line(interpolate="linear-closed")
        .encode(
            **_xy(extent),
            color=color,
            detail=alt.Detail(field=_fld(series_col), type="nominal"),
            order=alt.Order(field="axis_index"),
            strokeWidth=stroke_width,
            opacity=opacity,
        )
    )
    tooltip = [
        alt.Tooltip(field=_fld(series_col), type="nominal", title=t["series"]),
        alt.Tooltip(field="_axis_label", type="nominal", title=t["indicator"]),
        alt.Tooltip(field="_value", type="quantitative", title=t["position"], format=".2f"),
        *_extra_tooltips(pts, [c for c in tooltip_cols if c in keep], t),
    ]
    layers.append(
        alt.Chart(_inline(pts[value.notna()][keep]))
        .mark_point(filled=True, opacity=1)
        .encode(**_xy(extent), color=color, size=point_size, tooltip=tooltip)
    )
    props = {"width": size, "height": height, "view": alt.ViewBackground(stroke=None), **_titled(title)}
    return alt.layer(*layers).properties(**props) if as_altair else _layered(layers, **props)


def small_multiples_radar(
    df: pd.DataFrame,
    facet_col: str = "network",
    *,
    facet_order: Sequence[str] | None = None,
    facet_labels: Mapping[str, str] | None = None,
    columns: int = 3,
    size: int = 260,
    title: str = "",
    series_col: str = "period",
    series_order: Sequence[str] | None = None,
    **radar_kwargs,
) -> VegaLiteSpec | alt.ConcatChart:
    """Radars side by side (one per network), all on the same 0..1 scale and the same period colours.

    Concatenation of per-facet radars (a facet of a layered radar would need the frame data repeated per facet).
    Facets without data still show an empty frame, so the grid does not shift.
    """
    facet_labels = dict(facet_labels or {})
    facets = _domain(df[facet_col], facet_order)
    series_order = _domain(df[series_col], series_order)
    charts = [
        radar_chart(
            df[df[facet_col] == f],
            series_col=series_col,
            series_order=series_order,
            size=size,
            title=str(facet_labels.get(f, f)),
            **radar_kwargs,
        )
        for f in facets
    ]
    return _composed(charts, "concat", title=title, columns=columns, spacing=28,
                     resolve={"scale": {"color": "shared"}})


# ----------------------------------------------------------------------------------------------- strip chart


def _golden_jitter(n: int) -> np.ndarray:
    """Deterministic, evenly spread jitter in [-1, 1) for the j-th mark of a row (golden-ratio sequence)."""
    return ((np.arange(n) * 0.6180339887498949) % 1.0) * 2 - 1


def marks_strip_chart(
    df: pd.DataFrame,
    *,
    indicator_col: str = "code",
    value_col: str = "position",
    order: Sequence[str],
    labels: Mapping[str, str] | None = None,
    pole_labels: Mapping[str, tuple[str, str]] | None = None,
    color_col: str | None = "role",
    color_labels: Mapping[str, str] | None = None,
    color_order: Sequence[str] | None = None,
    colors: Mapping[str, str] | None = None,
    iqr: pd.DataFrame | None = None,
    tooltip_cols: Sequence[str] = (),
    text: Mapping[str, str] | None = None,
    title: str = "",
    width: int = 360,
    pole_width: int = 170,
    row_height: int = 58,
) -> alt.LayerChart:
    """ "The shared picture": every participant's mark per indicator on a line from left pole (0) to right pole (1).

    Marks are dots, jittered vertically in a deterministic way (same data, same picture). Behind them a light band
    shows the middle half of the marks (interquartile range) with a tick at the median; pass ``iqr`` (columns
    ``indicator_col``, ``q1``, ``median``, ``q3``, optional ``n``) to use precomputed figures (e.g. when small
    groups are suppressed), otherwise they are computed from ``df``. The indicator name stands above its line,
    the left pole text left of it and the right pole text right of it. ``width`` is the line length in pixels,
    ``pole_width`` the room for each pole text (wrapped to fit). ``colors`` (shown group -> colour, e.g. from
    :func:`role_colors`) fixes the dots' colours; without it they follow the palette in legend order.
    """
    t = _text(text)
    labels = dict(labels or {})
    color_labels = dict(color_labels or {})
    order = list(order)
    row = {c: i for i, c in enumerate(order)}
    d = df[df[indicator_col].isin(order)].copy()
    d["_value"] = pd.to_numeric(d[value_col], errors="coerce")
    d = d[d["_value"].notna()]
    d["_row"] = d[indicator_col].map(row).astype(float)
    d["_j"] = d.groupby(indicator_col, observed=True).cumcount()
    d["_y"] = d["_row"] + 0.13 * _golden_jitter(int(d["_j"].max()) + 1 if len(d) else 0)[d["_j"].to_numpy()]
    d["_label"] = d[indicator_col].map(lambda c: labels.get(c, c))

    if iqr is None:
        g = d.groupby(indicator_col, observed=True)["_value"]
        iqr = pd.DataFrame(
            {"q1": g.quantile(0.25), "median": g.median(), "q3": g.quantile(0.75), "n": g.size()}
        ).reset_index()
    q = iqr[iqr[indicator_col].isin(order)].copy()
    q["_row"] = q[indicator_col].map(row).astype(float)
    q["_label"] = q[indicator_col].map(lambda c: labels.get(c, c))
    q_cols = ["_row", "_label", "q1", "median", "q3"] + (["n"] if "n" in q.columns else [])
    q = q[q_cols].dropna(subset=["q1", "q3"])

    frame = pd.DataFrame(
        {
            "_row": [float(i) for i in range(len(order))],
            "_name": [labels.get(c, c) for c in order],
            "_left": [
                _wrap(pole_labels[c][0], max(8, pole_width // 6)) if pole_labels else "" for c in order
            ],
            "_right": [
                _wrap(pole_labels[c][1], max(8, pole_width // 6)) if pole_labels else "" for c in order
            ],
            "x0": 0.0,
            "x1": 1.0,
        }
    )
    # Vega puts the first line of a multi-line text at the baseline: shift up by half the extra lines.
    for side in ("_left", "_right"):
        frame[side + "_y"] = frame["_row"] - frame[side].str.count("\n") * (13 / 2) / row_height
    pad = pole_width / width
    xs = alt.Scale(domain=[-pad, 1 + pad], nice=False, zero=False)
    ys = alt.Scale(domain=[-0.62, len(order) - 0.45], nice=False, zero=False, reverse=True)

    def x(field: str) -> alt.X:
        return alt.X(field=field, type="quantitative", scale=xs, axis=None)

    def y(field: str) -> alt.Y:
        return alt.Y(field=field, type="quantitative", scale=ys, axis=None)

    base = alt.Chart(_inline(frame))
    layers = [
        base.mark_rule(stroke="#9a9a9a", strokeWidth=1.2).encode(
            x=x("x0"), x2=alt.X2(field="x1"), y=y("_row")
        ),
        base.transform_calculate(_top="datum._row - 0.09", _bot="datum._row + 0.09")
        .mark_rule(stroke="#9a9a9a", strokeWidth=1.2)
        .encode(x=x("x0"), y=y("_top"), y2=alt.Y2(field="_bot")),
        base.transform_calculate(_top="datum._row - 0.09", _bot="datum._row + 0.09")
        .mark_rule(stroke="#9a9a9a", strokeWidth=1.2)
        .encode(x=x("x1"), y=y("_top"), y2=alt.Y2(field="_bot")),
        base.transform_calculate(_yt="datum._row - 0.44", _xm="0.5")
        .mark_text(baseline="middle", align="center", fontSize=12, fontWeight="bold", color=INK)
        .encode(x=x("_xm"), y=y("_yt"), text=alt.Text(field="_name", type="nominal")),
    ]
    if pole_labels:
        layers += [
            base.transform_calculate(_xl=f"{-8 / width}")
            .mark_text(
                align="right", baseline="middle", lineBreak="\n", fontSize=11, lineHeight=13, color=MUTED
            )
            .encode(x=x("_xl"), y=y("_left_y"), text=alt.Text(field="_left", type="nominal")),
            base.transform_calculate(_xr=f"{1 + 8 / width}")
            .mark_text(
                align="left", baseline="middle", lineBreak="\n", fontSize=11, lineHeight=13, color=MUTED
            )
            .encode(x=x("_xr"), y=y("_right_y"), text=alt.Text(field="_right", type="nominal")),
        ]
    q_tooltip = [
        alt.Tooltip(field="_label", type="nominal", title=t["indicator"]),
        alt.Tooltip(field="q1", type="quantitative", title=t["q1"], format=".2f"),
        alt.Tooltip(field="median", type="quantitative", title=t["median"], format=".2f"),
        alt.Tooltip(field="q3", type="quantitative", title=t["q3"], format=".2f"),
    ] + ([alt.Tooltip(field="n", type="quantitative", title=t["n"])] if "n" in q.columns else [])
    qb = alt.Chart(_inline(q)).transform_calculate(_top="datum._row - 0.16", _bot="datum._row + 0.16")
    layers += [
        qb.mark_rect(fill=BAND, opacity=0.95, cornerRadius=3).encode(
            x=x("q1"), x2=alt.X2(field="q3"), y=y("_top"), y2=alt.Y2(field="_bot"), tooltip=q_tooltip
        ),
    ]
    dot_cols = ["_y", "_value", "_label"] + [
        c for c in tooltip_cols if c in d.columns and not c.startswith("_")
    ]
    tooltip = [
        alt.Tooltip(field="_label", type="nominal", title=t["indicator"]),
        alt.Tooltip(field="_value", type="quantitative", title=t["position"], format=".2f"),
    ]
    enc: dict = {"x": x("_value"), "y": y("_y")}
    if color_col and color_col in d.columns:
        d["_group"] = d[color_col].map(lambda v: color_labels.get(v, v))
        groups = [color_labels.get(v, v) for v in _domain(d[color_col], color_order)]
        palette, _ = _category_colors(len(groups))
        if colors:
            palette = [colors.get(g, c) for g, c in zip(groups, palette, strict=True)]
        enc["color"] = alt.Color(
            field="_group",
            type="nominal",
            scale=alt.Scale(domain=groups, range=palette),
            title=t["group"],
            legend=alt.Legend(orient="bottom", direction="horizontal"),
        )
        dot_cols.append("_group")
        tooltip.append(alt.Tooltip(field="_group", type="nominal", title=t["group"]))
        dots = alt.Chart(_inline(d[list(dict.fromkeys(dot_cols))])).mark_circle(
            size=58, opacity=0.85, stroke="white", strokeWidth=0.6
        )
    else:
        dots = alt.Chart(_inline(d[list(dict.fromkeys(dot_cols))])).mark_circle(
            size=58, opacity=0.8, color=NEUTRAL, stroke="white", strokeWidth=0.6
        )
    tooltip += _extra_tooltips(d, [c for c in dot_cols if c in tooltip_cols], t)
    layers.append(dots.encode(**enc, tooltip=tooltip))
    layers.append(
        qb.mark_rule(stroke=INK, strokeWidth=2.5).encode(
            x=x("median"), y=y("_top"), y2=alt.Y2(field="_bot"), tooltip=q_tooltip
        )
    )
    chart = alt.layer(*layers).properties(
        width=width + 2 * pole_width,
        height=row_height * len(order) + 10,
        view=alt.ViewBackground(stroke=None),
        **_titled(title),
    )
    return chart


# ----------------------------------------------------------------------------------------------- over time


def _event_layers(
    events: pd.DataFrame | None,
    xenc: alt.X,
    domain: Sequence | None,
    t: Mapping[str, str],
    width: int = 520,
) -> list[alt.Chart]:
    """Dashed vertical rules with a short label at the top for events (columns ``period`` or ``date``, ``label``).

    ``xenc`` is the main chart's x encoding on field ``_x`` (reused as is, so the layers share one axis). On an
    ordinal axis only events whose period is on the axis are drawn; on a time axis the ``date`` (or a parseable
    ``period``) is used. Labels at the same position are stacked.
    """
    x_type = xenc.to_dict()["type"]
    if events is None or len(events) == 0:
        return []
    ev = events.copy()
    if x_type == "temporal":
        src = "date" if "date" in ev.columns else "period"
        ev["_x"] = pd.to_datetime(ev[src], errors="coerce")
        ev = ev[ev["_x"].notna()]
    else:
        if "period" not in ev.columns:
            return []
        ev["_x"] = ev["period"]
        ev = ev[ev["_x"].isin(list(domain or []))]
    if ev.empty:
        return []
    full = ev["label"].astype(str) if "label" in ev.columns else pd.Series("", index=ev.index)
    ev["_full"] = full
    # Short labels on staggered rows (one per event, up to EVENT_LABEL_ROWS), so neighbouring events do not run into each other; labels in
    # the right half of the axis are written leftwards, away from the legend. The tooltip has the full text.
    # A wide chart (a slide) has room for more of each label: about the space between two periods.
    n_steps = max(len(domain or []), 2) if x_type != "temporal" else 6
    most = max(EVENT_LABEL_MAX, min(EVENT_LABEL_WIDE_MAX, int(width / n_steps / 5.5)))
    ev["_label"] = [s if len(s) <= most else s[: most - 1].rstrip() + "…" for s in full]
    if x_type == "temporal":
        lo, hi = ev["_x"].min(), ev["_x"].max()
        span = (hi - lo).total_seconds() or 1.0
        rel = [(x - lo).total_seconds() / span for x in ev["_x"]]
    else:
        dom = list(domain or [])
        rel = [dom.index(x) / max(len(dom) - 1, 1) for x in ev["_x"]]
    ev["_right"] = [r > 0.5 for r in rel]
    ev = ev.assign(_order=rel).sort_values("_order", kind="stable")
    rows = min(max(len(ev), 1), EVENT_LABEL_ROWS)  # each event its own row, up to that many
    ev["_ypx"] = (pd.RangeIndex(len(ev)) % rows).to_numpy() * 12 + 2
    ev = ev[["_x", "_label", "_full", "_ypx", "_right"]]
    tooltip = [
        alt.Tooltip(field="_full", type="nominal", title=t["event"]),
        alt.Tooltip(field="_x", type=x_type, title=t["period"]),
    ]
    layers = [alt.Chart(_inline(ev)).mark_rule(stroke="#8c8c8c", strokeDash=[4, 3], strokeWidth=1.2).encode(
        x=xenc, tooltip=tooltip)]
    for right, part in ev.groupby("_right"):
        layers.append(
            alt.Chart(_inline(part)).mark_text(
                align="right" if right else "left", baseline="top", dx=-4 if right else 4, fontSize=10,
                color="#4d4d4d",
            ).encode(
                x=xenc,
                y=alt.Y(field="_ypx", type="quantitative", scale=None),
                text=alt.Text(field="_label"),
                tooltip=tooltip,
            )
        )
    return layers


def dodge(
    values: Sequence[float], gap: float, lo: float | None = None, hi: float | None = None
) -> np.ndarray:
    """Move label positions apart so that neighbours are at least ``gap`` apart, as little as possible.

    Keeps the input order of the returned array; stays within [lo, hi] when the labels fit.
    """
    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return v.copy()
    idx = np.argsort(v, kind="stable")
    pos = v[idx].copy()
    for i in range(1, len(pos)):  # push up
        pos[i] = max(pos[i], pos[i - 1] + gap)
    if hi is not None and pos[-1] > hi:
        pos[-1] = max(hi, v[idx][-1])
        for i in range(len(pos) - 2, -1, -1):  # push back down
            pos[i] = min(pos[i], pos[i + 1] - gap)
    if lo is not None and pos[0] < lo:
        pos += lo - pos[0]
    out = np.empty_like(pos)
    out[idx] = pos
    return out


def line_over_time(
    df: pd.DataFrame,
    x: str = "period",
    y: str = "mean",
    color: str | None = "code",
    *,
    x_order: Sequence[str] | None = None,
    color_labels: Mapping[str, str] | None = None,
    color_order: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
    y_domain: tuple[float, float] | None = None,
    y_title: str | None = None,
    x_title: str | None = None,
    end_labels: bool = False,
    tooltip_cols: Sequence[str] = ("n",),
    text: Mapping[str, str] | None = None,
    title: str = "",
    width: int = 520,
    height: int = 300,
    band: tuple[str, str] | None = None,
    band_style: str = "band",
    n_col: str | None = None,
) -> alt.LayerChart:
    """Lines over time, one per ``color`` value, with events as dashed rules on the time axis.

    ``band`` names the columns of an interval (low, high), drawn as a light band around each line
    (``band_style='band'``) or as whiskers at each point (``'whiskers'``); ``n_col`` writes "n = ..." under
    each period (the largest n of that period), so the width of a band can be read against its n.

    ``x`` may hold periods (ordinal, ordered by ``x_order``) or datetimes (a time axis). Colours are categorical
    (Okabe-Ito); beyond six lines dash patterns keep them apart. ``end_labels`` writes each line's label at its
    last point (handy when there are many lines; the legend is then dropped).
    """
    t = _text(text)
    color_labels = dict(color_labels or {})
    x_type = _x_kind(df[x])
    d = df.copy()
    d["_x"] = d[x]
    d["_y"] = pd.to_numeric(d[y], errors="coerce")
    domain = None
    if x_type == "temporal":
        x_scale = alt.Scale()
    else:
        domain = _domain(d[x], x_order)
        d = d[d["_x"].isin(domain)]
        x_scale = alt.Scale(domain=domain, type="point", padding=0.3)
    y_scale = alt.Scale(domain=list(y_domain), nice=False) if y_domain else alt.Scale(zero=False)
    xenc = alt.X(
        field="_x",
        type=x_type,
        scale=x_scale,
        title=x_title if x_title is not None else t["period"],
        axis=alt.Axis(labelAngle=0, labelLimit=140, grid=False),
    )
    yenc = alt.Y(
        field="_y", type="quantitative", scale=y_scale, title=y_title if y_title is not None else t["value"]
    )
    tooltip = [alt.Tooltip(field="_x", type=x_type, title=t["period"])]
    enc: dict = {"x": xenc, "y": yenc}
    cols = ["_x", "_y"]
    if color and color in d.columns:
        d["_c"] = d[color].map(lambda v: color_labels.get(v, v))
        groups = [color_labels.get(v, v) for v in _domain(d[color], color_order)]
        colors, dashes = _category_colors(len(groups))
        legend = None if end_labels else alt.Legend(orient="right", symbolType="stroke", symbolOpacity=1,
                                                    symbolStrokeWidth=2.2)
        line_colours = alt.Scale(domain=groups, range=colors)
        enc["color"] = alt.Color(
            field="_c",
            type="nominal",
            scale=line_colours,
            title=t["indicator"],
            legend=legend,
        )
        if len(groups) > len(CATEGORY_PALETTE):
            enc["strokeDash"] = alt.StrokeDash(
                field="_c", type="nominal", scale=alt.Scale(domain=groups, range=dashes), legend=legend
            )
        enc["detail"] = alt.Detail(field="_c", type="nominal")
        cols.append("_c")
        tooltip.append(alt.Tooltip(field="_c", type="nominal", title=t["indicator"]))
    tooltip.append(alt.Tooltip(field="_y", type="quantitative", title=y_title or t["value"], format=".2f"))
    has_band = bool(band) and all(c in d.columns for c in band)
    if has_band:
        d["_lo"] = pd.to_numeric(d[band[0]], errors="coerce")
        d["_hi"] = pd.to_numeric(d[band[1]], errors="coerce")
        cols += ["_lo", "_hi"]
        tooltip += [alt.Tooltip(field="_lo", type="quantitative", title=t["ci_low"], format=".2f"),
                    alt.Tooltip(field="_hi", type="quantitative", title=t["ci_high"], format=".2f")]
    extra = [c for c in tooltip_cols if c in d.columns and c not in cols]
    tooltip += _extra_tooltips(d, extra, t)
    cols += extra
    if x_type == "ordinal":
        d["_order"] = d["_x"].map({v: i for i, v in enumerate(domain or [])})
        cols.append("_order")
        enc["order"] = alt.Order(field="_order")
    data = d[list(dict.fromkeys(cols))].dropna(subset=["_y"])
    base = alt.Chart(_inline(data))
    layers = []
    if has_band:
        bd = data.dropna(subset=["_lo", "_hi"])
        benc = {k: v for k, v in enc.items() if k in ("x", "detail")}  # an area's order would be a stack order
        if "color" in enc:
            benc["color"] = enc["color"]  # the same legend as the lines'; its symbols are drawn as lines (below)
        if band_style == "whiskers":
            layers.append(alt.Chart(_inline(bd)).mark_rule(strokeWidth=1.6, opacity=0.7, color=NEUTRAL).encode(
                **benc,
                y=alt.Y(field="_lo", type="quantitative", scale=y_scale), y2=alt.Y2(field="_hi")))
        else:
            layers.append(alt.Chart(_inline(bd)).mark_area(opacity=0.18, color=NEUTRAL).encode(
                **benc, y=alt.Y(field="_lo", type="quantitative", scale=y_scale, stack=None,
                                title=y_title if y_title is not None else t["value"]),
                y2=alt.Y2(field="_hi")))
    layers += [
        base.mark_line(strokeWidth=2.2, color=NEUTRAL).encode(**enc),
        base.mark_point(filled=True, size=46, opacity=1, color=NEUTRAL).encode(
            **{k: v for k, v in enc.items() if k not in ("strokeDash", "detail", "order")}, tooltip=tooltip
        ),
    ]
    if end_labels and "_c" in data.columns:
        last = (
            data.sort_values(["_order"] if "_order" in data.columns else ["_x"]).groupby("_c").tail(1).copy()
        )
        lo, hi = y_domain if y_domain else (float(data["_y"].min()), float(data["_y"].max()))
        last["_ly"] = dodge(last["_y"].to_numpy(dtype=float), 13 * (hi - lo) / max(height, 1), lo, hi)
        layers.append(
            alt.Chart(_inline(last))
            .mark_text(align="left", baseline="middle", dx=8, fontSize=11)
            .encode(
                x=xenc,
                y=alt.Y(field="_ly", type="quantitative", scale=y_scale),
                color=enc["color"],
                text=alt.Text(field="_c", type="nominal"),
            )
        )
    if n_col and n_col in d.columns and x_type == "ordinal":
        per_x = d.groupby("_x", sort=False)[n_col].max().reset_index()
        per_x["_n"] = [t["n_label"].format(n=_fmt_int(v, t["thousands_sep"])) for v in per_x[n_col]]
        # at the bottom of the value scale (in data units: the page may draw the chart at another height)
        per_x["_ny"] = float(y_domain[0]) if y_domain else float(data["_y"].min()) if len(data) else 0.0
        layers.append(alt.Chart(_inline(per_x[["_x", "_n", "_ny"]])).mark_text(
            align="left", baseline="bottom", dx=4, dy=-3, fontSize=10, color=MUTED).encode(
            x=xenc, y=alt.Y(field="_ny", type="quantitative", scale=y_scale), text=alt.Text(field="_n")))
    layers += _event_layers(events, xenc, domain, t, width)
    chart = alt.layer(*layers).properties(width=width, height=height, **_titled(title))
    return chart


def slope_chart(
    df: pd.DataFrame,
    *,
    code_col: str = "code",
    period_col: str = "period",
    value_col: str = "mean",
    labels: Mapping[str, str] | None = None,
    period_order: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
    text: Mapping[str, str] | None = None,
    title: str = "",
    width: int = 300,
    height: int = 380,
) -> alt.LayerChart:
    """Positions (0..1) per indicator from one period to the next, labelled at the right end.

    A slope chart is a line chart on a short ordinal axis with the 0..1 scale fixed, so that a small change does
    not look big. The line labels replace the legend.
    """
    t = _text(text)
    return line_over_time(
        df,
        x=period_col,
        y=value_col,
        color=code_col,
        x_order=period_order,
        color_labels=labels,
        events=events,
        y_domain=(0.0, 1.0),
        y_title=t["position"],
        end_labels=True,
        text=text,
        title=title,
        width=width,
        height=height,
    )


def interval_chart(
    df: pd.DataFrame,
    *,
    code_col: str = "code",
    value_col: str = "change",
    lo_col: str = "ci_low",
    hi_col: str = "ci_high",
    n_col: str | None = "pairs",
    order: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    x_title: str = "",
    text: Mapping[str, str] | None = None,
    title: str = "",
    width: int = 420,
    row_height: int = 26,
) -> alt.LayerChart:
    """Dots with whiskers, one row per code: a change and its interval, around a zero line.

    Symmetric around zero, one calm colour: a move to either pole looks the same (neither is better). ``n_col``
    is written at the right of each row."""
    t = _text(text)
    labels = dict(labels or {})
    d = df.copy()
    d["_code"] = d[code_col].map(lambda c: labels.get(c, c))
    d["_v"] = pd.to_numeric(d[value_col], errors="coerce")
    d["_lo"] = pd.to_numeric(d[lo_col], errors="coerce")
    d["_hi"] = pd.to_numeric(d[hi_col], errors="coerce")
    d = d.dropna(subset=["_v"])
    codes = [labels.get(c, c) for c in (order or d[code_col].tolist())]
    codes = [c for c in codes if c in set(d["_code"])]
    reach = float(np.nanmax(np.abs(d[["_v", "_lo", "_hi"]].to_numpy(dtype=float)))) if len(d) else 0.1
    reach = max(0.1, math.ceil(reach * 10 + 0.5) / 10)
    x_scale = alt.Scale(domain=[-reach, reach], nice=False)
    y = alt.Y(field="_code", type="nominal", sort=codes, title=None, axis=alt.Axis(labelLimit=260))
    tooltip = [alt.Tooltip(field="_code", type="nominal", title=t["indicator"]),
               alt.Tooltip(field="_v", type="quantitative", title=t["value"], format="+.2f"),
               alt.Tooltip(field="_lo", type="quantitative", title=t["ci_low"], format="+.2f"),
               alt.Tooltip(field="_hi", type="quantitative", title=t["ci_high"], format="+.2f")]
    cols = ["_code", "_v", "_lo", "_hi"]
    if n_col and n_col in d.columns:
        d["_n"] = d[n_col]
        cols.append("_n")
        tooltip.append(alt.Tooltip(field="_n", type="quantitative", title=t["n"]))
    data = d[cols]
    zero = alt.Chart(_inline(pd.DataFrame({"_z": [0.0]}))).mark_rule(color=MUTED, strokeDash=[3, 3]).encode(
        x=alt.X(field="_z", type="quantitative", scale=x_scale))
    base = alt.Chart(_inline(data))
    layers = [
        zero,
        base.mark_rule(strokeWidth=2.4, color=NEUTRAL, opacity=0.6).encode(
            x=alt.X(field="_lo", type="quantitative", scale=x_scale, title=x_title), x2=alt.X2(field="_hi"),
            y=y, tooltip=tooltip),
        base.mark_point(filled=True, size=70, color=NEUTRAL, opacity=1).encode(
            x=alt.X(field="_v", type="quantitative", scale=x_scale, title=x_title), y=y, tooltip=tooltip),
    ]
    if "_n" in data.columns:
        layers.append(base.mark_text(align="left", dx=4, fontSize=10, color=MUTED).encode(
            x=alt.value(width), y=y, text=alt.Text(field="_n", type="quantitative")))
    chart = alt.layer(*layers).properties(width=width, height=max(row_height * len(codes), 60), **_titled(title))
    return chart


# ----------------------------------------------------------------------------------------------- value creation


def funnel_chart(
    df: pd.DataFrame,
    *,
    stage_col: str = "cycle",
    value_col: str = "participants",
    order: Sequence[str],
    stage_labels: Mapping[str, str] | None = None,
    share_col: str | None = "kept_share",
    text: Mapping[str, str] | None = None,
    title: str = "",
    width: int = 420,
    bar_height: int = 30,
    selectable: bool = True,
    xmax: float | None = None,
    ci_text: bool = True,
) -> alt.LayerChart:
    """The value-creation funnel: one left-aligned bar per cycle in ``order``, labelled with its count and
    the share kept from the previous stage (``share_col``, computed upstream; the first stage has none).
    Give small multiples one ``xmax`` so that equal counts have equal lengths in every panel.

    When the data carry ``kept_low``, ``kept_high`` and ``kept_base`` (as :func:`value_creation.funnel` gives),
    the kept share's 95% interval is drawn as a whisker and, with ``ci_text``, written in the label (small
    cards leave it to the tooltip).

    Bars are blue from light (first cycle) to dark (last), never red/green. A point selection named ``stage`` on
    ``stage_col`` lets a page filter a table when a bar is clicked (Streamlit: ``on_select="rerun"``); the other
    bars fade while a selection is active.
    """
    t = _text(text)
    stage_labels = dict(stage_labels or {})
    order = list(order)
    d = df[df[stage_col].isin(order)].copy()
    d["_stage"] = d[stage_col].map(lambda c: stage_labels.get(c, c))
    d["_value"] = pd.to_numeric(d[value_col], errors="coerce").fillna(0)
    d["_idx"] = d[stage_col].map({c: i for i, c in enumerate(order)})
    d = d.sort_values("_idx")
    share = pd.to_numeric(d[share_col], errors="coerce") if share_col and share_col in d.columns else None
    # The kept share's 95% interval (computed upstream), drawn as a whisker in counts: the range of this
    # stage's count that the interval allows, given the previous stage's count.
    ci = share is not None and {"kept_low", "kept_high", "kept_base"} <= set(d.columns)
    texts = []
    for i, (_, r) in enumerate(d.iterrows()):
        s = _fmt_int(r["_value"], t["thousands_sep"])
        sh = None if share is None else share.iloc[i]
        if sh is not None and pd.notna(sh):
            s += "  ·  " + t["kept"].format(share=f"{round(100 * float(sh))}%")
            if ci and ci_text and pd.notna(r["kept_low"]):
                s += " (" + t["kept_ci"].format(low=f"{round(100 * float(r['kept_low']))}",
                                                high=f"{round(100 * float(r['kept_high']))}%") + ")"
        texts.append(s)
    d["_text"] = texts
    cols = [stage_col, "_stage", "_value", "_idx", "_text"]
    tooltip = [
        alt.Tooltip(field="_stage", type="nominal", title=t["stage"]),
        alt.Tooltip(field="_value", type="quantitative", title=t["count"], format=","),
    ]
    if share is not None:
        # As text, so the first stage (no previous one) shows a dash, not "null".
        d["_share"] = ["—" if pd.isna(x) else f"{round(100 * float(x))}%" for x in share]
        cols.append("_share")
        tooltip.append(alt.Tooltip(field="_share", type="nominal", title=t["share_kept"]))
    if ci:
        d["_ci"] = ["—" if pd.isna(lo) else f"{round(100 * float(lo))}–{round(100 * float(hi))}%"
                    for lo, hi in zip(d["kept_low"], d["kept_high"], strict=True)]
        d["_lo"] = pd.to_numeric(d["kept_low"], errors="coerce") * d["kept_base"]
        d["_hi"] = pd.to_numeric(d["kept_high"], errors="coerce") * d["kept_base"]
        cols += ["_ci", "_lo", "_hi"]
        tooltip.append(alt.Tooltip(field="_ci", type="nominal", title=t["kept_ci_tip"]))
    d["_tx"] = d[["_value", "_hi"]].max(axis=1) if ci else d["_value"]
    cols.append("_tx")
    labels_in_order = [stage_labels.get(c, c) for c in order]
    yenc = alt.Y(
        field="_stage",
        type="nominal",
        sort=labels_in_order,
        title=None,
        scale=alt.Scale(domain=labels_in_order, paddingInner=0.25),
        axis=alt.Axis(labelLimit=220, labelFontSize=12, ticks=False, domain=False, labelPadding=8),
    )
    if xmax is None:
        xmax = funnel_xmax(d, "_value") if len(d) else 1.0
    xscale = alt.Scale(domain=[0, max(xmax, 1.0)], nice=False)
    xenc = alt.X(field="_value", type="quantitative", title=None, axis=None, scale=xscale)
    base = alt.Chart(_inline(d[cols]))
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        x=xenc,
        y=yenc,
        color=alt.Color(
            field="_stage",
            type="nominal",
            legend=None,
            scale=alt.Scale(domain=labels_in_order, range=sequential_blues(len(order), lightest=0.25)),
        ),
        tooltip=tooltip,
    )
    if selectable:  # small multiples of funnels share no selection
        sel = alt.selection_point(name="stage", fields=[_fld(stage_col)])
        bars = bars.encode(opacity=alt.when(sel).then(alt.value(1.0)).otherwise(alt.value(0.35))).add_params(sel)
    # The label starts after the bar or its whisker, whichever reaches further, so the two never overlap.
    label_x = alt.X(field="_tx", type="quantitative", scale=xscale, axis=None)
    label = base.mark_text(align="left", baseline="middle", dx=8, fontSize=12, color=INK).encode(
        x=label_x, y=yenc, text=alt.Text(field="_text", type="nominal"), tooltip=tooltip
    )
    layers = [bars]
    if ci:  # the whisker sits on the bar, ink-coloured, so it reads on light and dark blues alike
        whisker = base.transform_filter("isValid(datum._lo)").mark_rule(color=INK, strokeWidth=2).encode(
            x=alt.X(field="_lo", type="quantitative", scale=xscale, axis=None), x2=alt.X2(field="_hi"), y=yenc,
            tooltip=tooltip)
        # caps as a vertical stroke symbol, not a tick: ticks draw as rects, among the bars a page selects
        caps = [base.transform_filter("isValid(datum._lo)").mark_point(
                    shape="M0,-1L0,1", size=60, color=INK, strokeWidth=2, filled=False, opacity=1).encode(
                    x=alt.X(field=f, type="quantitative", scale=xscale, axis=None), y=yenc, tooltip=tooltip)
                for f in ("_lo", "_hi")]
        layers += [whisker, *caps]
    chart = alt.layer(*layers, label).properties(
        width=width, height=alt.Step(bar_height / 0.75), view=alt.ViewBackground(stroke=None),
        **_titled(title),
    )
    return chart


def funnels_stacked(
    df: pd.DataFrame,
    *,
    group_col: str,
    groups: Sequence[str],
    xmax: float | None = None,
    width: int = 300,
    **funnel_kwargs,
) -> VegaLiteSpec | alt.VConcatChart:
    """One funnel per group, one under the other on one x scale (``xmax``): bars on one baseline and one scale
    are the easiest lengths to compare."""
    return _composed([funnel_chart(df[df[group_col] == g], title=str(g), width=width, selectable=False,
                                   xmax=xmax, **funnel_kwargs) for g in groups], "vconcat")


def funnel_xmax(df: pd.DataFrame, value_col: str = "value") -> float:
    """The longest bar or interval whisker of funnels, for one x scale over small multiples."""
    top = float(pd.to_numeric(df[value_col], errors="coerce").max()) if len(df) else 0.0
    if {"kept_high", "kept_base"} <= set(df.columns):
        top = max(top, float((pd.to_numeric(df["kept_high"], errors="coerce") * df["kept_base"]).max()))
    return max(top, 1.0) if top == top else 1.0


def stacked_highest_cycle_chart(
    df: pd.DataFrame,
    period_col: str = "period",
    cycle_col: str = "highest_cycle",
    count_col: str = "participants",
    *,
    order: Sequence[str],
    labels: Mapping[str, str] | None = None,
    period_order: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
    text: Mapping[str, str] | None = None,
    title: str = "",
    width: int = 520,
    height: int = 300,
) -> alt.LayerChart:
    """Per period, how many participants reached each cycle as their highest: stacked bars, cycle 1 at the bottom.

    Cycles use the same light-to-dark blue ramp as the funnel; tooltips give the count and the share of the
    period. Events are drawn as dashed rules between the bars' periods.
    """
    t = _text(text)
    labels = dict(labels or {})
    order = list(order)
    d = df[df[cycle_col].isin(order)].copy()
    periods = _domain(d[period_col], period_order)
    d = d[d[period_col].isin(periods)]
    d["_x"] = d[period_col]
    d["_cycle"] = d[cycle_col].map(lambda c: labels.get(c, c))
    d["_idx"] = d[cycle_col].map({c: i for i, c in enumerate(order)})
    d["_n"] = pd.to_numeric(d[count_col], errors="coerce").fillna(0)
    total = d.groupby("_x")["_n"].transform("sum")
    d["_share"] = (d["_n"] / total.where(total > 0)).astype(float)
    cycle_labels = [labels.get(c, c) for c in order]
    x_scale = alt.Scale(domain=periods, paddingInner=0.3)
    xenc = alt.X(field="_x", type="ordinal", scale=x_scale, title=t["period"], axis=alt.Axis(labelAngle=0))
    tooltip = [
        alt.Tooltip(field="_x", type="ordinal", title=t["period"]),
        alt.Tooltip(field="_cycle", type="nominal", title=t["stage"]),
        alt.Tooltip(field="_n", type="quantitative", title=t["count"], format=","),
        alt.Tooltip(field="_share", type="quantitative", title=t["share_of_period"], format=".0%"),
    ]
    bars = (
        alt.Chart(_inline(d[["_x", "_cycle", "_idx", "_n", "_share"]]))
        .mark_bar()
        .encode(
            x=xenc,
            y=alt.Y(field="_n", type="quantitative", title=t["count"], stack="zero"),
            color=alt.Color(
                field="_cycle",
                type="ordinal",
                title=t["stage"],
                sort=cycle_labels,
                scale=alt.Scale(domain=cycle_labels, range=sequential_blues(len(order), lightest=0.15)),
                legend=alt.Legend(orient="right", values=cycle_labels[::-1]),  # top of stack first
            ),
            order=alt.Order(field="_idx", sort="ascending"),
            tooltip=tooltip,
        )
    )
    layers = [bars, *_event_layers(events, xenc, periods, t, width)]
    chart = alt.layer(*layers).properties(width=width, height=height, **_titled(title))
    return chart


# ----------------------------------------------------------------------------------------------- small pieces


def sparkline(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    x_order: Sequence[str] | None = None,
    y_domain: tuple[float, float] | None = None,
    color: str = NEUTRAL,
    text: Mapping[str, str] | None = None,
    width: int = 140,
    height: int = 34,
) -> alt.LayerChart:
    """A tiny line (no axes) for the overview table, with the last point marked and tooltips on every point.

    Pass ``y_domain=(0, 1)`` for positions so that rows of the table share one scale.
    """
    t = _text(text)
    x_type = _x_kind(df[x])
    d = df.copy()
    d["_x"] = d[x]
    d["_y"] = pd.to_numeric(d[y], errors="coerce")
    if x_type == "temporal":
        d = d.sort_values("_x")
        x_scale = alt.Scale()
    else:
        domain = _domain(d[x], x_order)
        d = d[d["_x"].isin(domain)]
        d = d.assign(_o=d["_x"].map({v: i for i, v in enumerate(domain)})).sort_values("_o")
        x_scale = alt.Scale(domain=domain, type="point", padding=0.15)
    d = d.dropna(subset=["_y"])[["_x", "_y"]]
    d["_last"] = False
    if len(d):
        d.iloc[-1, d.columns.get_loc("_last")] = True
    xenc = alt.X(field="_x", type=x_type, scale=x_scale, axis=None, sort=None)
    yscale = alt.Scale(domain=list(y_domain), nice=False) if y_domain else alt.Scale(zero=False)
    yenc = alt.Y(field="_y", type="quantitative", scale=yscale, axis=None)
    tooltip = [
        alt.Tooltip(field="_x", type=x_type, title=t["period"]),
        alt.Tooltip(field="_y", type="quantitative", title=t["value"], format=".2f"),
    ]
    base = alt.Chart(_inline(d))
    chart = alt.layer(
        base.mark_line(color=color, strokeWidth=1.6).encode(x=xenc, y=yenc),
        base.mark_point(filled=True, color=color).encode(
            x=xenc,
            y=yenc,
            size=_when_equal(alt.SizeValue, "_last", True, 30, 12),
            opacity=_when_equal(alt.OpacityValue, "_last", True, 1.0, 0.0),
            tooltip=tooltip,
        ),
    )
    return chart.properties(width=width, height=height, view=alt.ViewBackground(stroke=None))


def matrix_heatmap(
    df: pd.DataFrame,
    row_col: str,
    col_col: str,
    count_col: str,
    *,
    row_order: Sequence[str] | None = None,
    col_order: Sequence[str] | None = None,
    row_labels: Mapping[str, str] | None = None,
    col_labels: Mapping[str, str] | None = None,
    row_title: str = "",
    col_title: str = "",
    count_title: str | None = None,
    fill_missing: bool = True,
    text: Mapping[str, str] | None = None,
    title: str = "",
    cell: int = 40,
    selectable: bool = False,
) -> alt.LayerChart:
    """Counts in a grid as a single-hue (blue) heatmap with the count written in each cell.

    With ``selectable`` a click on a cell selects it: a point selection named ``cell`` on the raw row and
    column values (fields ``_row`` and ``_col``), for a page that opens what lies behind the cell.

    Used for the value-creation matrix (cycles x indicators) and organisation x organisation tie counts.
    With ``fill_missing`` absent row/column pairs show as 0 so the grid has no holes; the text turns white on
    dark cells.
    """
    t = _text(text)
    count_title = count_title or t["count"]
    row_labels = dict(row_labels or {})
    col_labels = dict(col_labels or {})
    rows = _domain(df[row_col], row_order)
    cols = _domain(df[col_col], col_order)
    d = df[df[row_col].isin(rows) & df[col_col].isin(cols)][[row_col, col_col, count_col]].copy()
    d["_n"] = pd.to_numeric(d[count_col], errors="coerce")
    d = d.groupby([row_col, col_col], observed=True, as_index=False)["_n"].sum(min_count=1)
    if fill_missing:
        grid = pd.MultiIndex.from_product([rows, cols], names=[row_col, col_col]).to_frame(index=False)
        d = grid.merge(d, how="left", on=[row_col, col_col])
        d["_n"] = d["_n"].fillna(0)
    d["_r"] = d[row_col].map(lambda v: row_labels.get(v, v))
    d["_c"] = d[col_col].map(lambda v: col_labels.get(v, v))
    vmax = float(d["_n"].max()) if d["_n"].notna().any() else 0.0
    d["_ink"] = np.where(d["_n"] > 0.55 * max(vmax, 1e-9), "white", INK)
    d["_row"], d["_col"] = d[row_col].astype(str), d[col_col].astype(str)
    d["_t"] = d["_n"].map(lambda v: "" if pd.isna(v) else _fmt_int(v, t["thousands_sep"]))
    r_dom = [row_labels.get(v, v) for v in rows]
    c_dom = [col_labels.get(v, v) for v in cols]
    xenc = alt.X(
        field="_c",
        type="nominal",
        scale=alt.Scale(domain=c_dom),
        title=col_title or None,
        axis=alt.Axis(orient="top", labelAngle=-35, labelLimit=160, ticks=False, domain=False),
    )
    yenc = alt.Y(
        field="_r",
        type="nominal",
        scale=alt.Scale(domain=r_dom),
        title=row_title or None,
        axis=alt.Axis(labelLimit=200, ticks=False, domain=False),
    )
    tooltip = [
        alt.Tooltip(field="_r", type="nominal", title=row_title or t["value"]),
        alt.Tooltip(field="_c", type="nominal", title=col_title or t["value"]),
        alt.Tooltip(field="_n", type="quantitative", title=count_title, format=","),
    ]
    base = alt.Chart(_inline(d[["_r", "_c", "_n", "_ink", "_t", "_row", "_col"]]))
    rects = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        x=xenc,
        y=yenc,
        color=alt.Color(
            field="_n",
            type="quantitative",
            title=count_title,
            scale=alt.Scale(domain=[0, max(vmax, 1.0)], range=["#f4f8fc", "#08519c"], interpolate="hcl"),
            legend=alt.Legend(orient="right", gradientLength=max(60, min(200, cell * len(rows)))),
        ),
        tooltip=tooltip,
    )
    if selectable:
        sel = alt.selection_point(name="cell", fields=["_row", "_col"])
        rects = rects.encode(
            stroke=alt.when(sel, empty=False).then(alt.value(INK)).otherwise(alt.value("white")),
            strokeWidth=alt.when(sel, empty=False).then(alt.value(3)).otherwise(alt.value(1.5)),
        ).add_params(sel)
    chart = alt.layer(
        rects,
        base.mark_text(fontSize=11).encode(
            x=xenc,
            y=yenc,
            text=alt.Text(field="_t", type="nominal"),
            color=_when_equal(alt.ColorValue, "_ink", "white", "white", INK),
            tooltip=tooltip,
        ),
    ).properties(width=alt.Step(cell), height=alt.Step(cell), view=alt.ViewBackground(stroke=None), **_titled(title))
    return chart
