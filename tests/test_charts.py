"""Chart builders: exact radar geometry and the spec properties the design rules promise."""

import colorsys
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from analytics.draw import charts as C

CODES = ["1a", "1b", "2a", "3a", "4a"]
LABELS = {c: f"Indicator {c}" for c in CODES}
POLES = {c: (f"left {c}", f"right {c}") for c in CODES}
PERIODS = ["2024-1", "2024-2", "2025-1"]


def radar_df() -> pd.DataFrame:
    rows = [
        {"period": p, "code": c, "mean": 0.2 + 0.1 * i + 0.05 * j, "n": 9}
        for i, p in enumerate(PERIODS)
        for j, c in enumerate(CODES)
    ]
    return pd.DataFrame(rows)


def walk(node):
    """Every dict in a spec, depth first."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def layers_of(spec: dict) -> list[dict]:
    """Every unit layer, with ``data`` resolved from its parents (Altair lifts shared data to the layer chart)."""
    datasets = spec.get("datasets", {})
    out = []

    def visit(node, data):
        if isinstance(node, dict):
            data = node.get("data", data)
            if "mark" in node:
                if isinstance(data, dict) and "name" in data and "values" not in data:
                    data = {"values": datasets[data["name"]]}
                out.append({**node, "data": data or {}})
                return
            for v in node.values():
                visit(v, data)
        elif isinstance(node, list):
            for v in node:
                visit(v, data)

    visit(spec, None)
    return out


def mark_type(layer: dict) -> str:
    m = layer["mark"]
    return m if isinstance(m, str) else m["type"]


# --------------------------------------------------------------------------------------------- colours

FORBIDDEN_COLOURS = {
    "red",
    "green",
    "#ff0000",
    "#00ff00",
    "#008000",
    "#d62728",
    "#2ca02c",
    "#e41a1c",
    "#4daf4a",
    "#d7191c",
    "#1a9641",
    "#d73027",
    "#1a9850",
    "#f44336",
    "#4caf50",
}
FORBIDDEN_SCHEMES = (
    "redyellowgreen",
    "redgreen",
    "redblue",
    "redgrey",
    "category10",
    "tableau10",
    "set1",
    "spectral",
    "redyellowblue",
    "pinkyellowgreen",
    "purplegreen",
    "brownbluegreen",
)


def colours_in(spec: dict) -> tuple[set[str], set[str]]:
    text = json.dumps(spec).lower()
    hexes = set(re.findall(r"#[0-9a-f]{6}\b", text))
    named = {c for c in ("red", "green") if re.search(rf'"{c}"', text)}
    schemes = {d["scheme"].lower() for d in walk(spec) if isinstance(d.get("scheme"), str)}
    return hexes | named, schemes


def hue_class(hexcol: str) -> str | None:
    r, g, b = (int(hexcol[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    if s < 0.45 or light < 0.15 or light > 0.9:
        return None
    deg = h * 360
    if deg < 15 or deg > 345:
        return "red"
    if 85 <= deg <= 150:
        return "green"
    return None


def assert_no_red_green(spec: dict) -> None:
    colours, schemes = colours_in(spec)
    assert not colours & FORBIDDEN_COLOURS, colours & FORBIDDEN_COLOURS
    assert not [s for s in schemes if s in FORBIDDEN_SCHEMES], schemes
    classes = {hue_class(c) for c in colours if c.startswith("#")}
    assert not {"red", "green"} <= classes, colours


def luminance(hexcol: str) -> float:
    r, g, b = (int(hexcol[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_palettes_have_no_red_green_pair():
    classes = {hue_class(c) for c in C.CATEGORY_PALETTE + C.BLUE_RAMP}
    assert not {"red", "green"} <= classes
    ramp = C.sequential_blues(5)
    assert len(ramp) == 5 and all(luminance(a) > luminance(b) for a, b in zip(ramp, ramp[1:], strict=False))


# --------------------------------------------------------------------------------------------- radar geometry


def test_radar_points_square_is_exact():
    df = pd.DataFrame({"code": ["n", "e", "s", "w"], "v": [1.0, 1.0, 1.0, 1.0]})
    pts = C.radar_points(df, "code", "v", ["n", "e", "s", "w"])
    assert list(zip(pts["x"], pts["y"], strict=True)) == [(0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-1.0, 0.0)]
    assert pts["axis_index"].tolist() == [0, 1, 2, 3]
    assert pts["angle"].iloc[0] == pytest.approx(math.pi / 2)
    assert list(pts.columns[:2]) == ["code", "v"]  # input columns kept


def test_radar_points_triangle_exact_sin_cos():
    df = pd.DataFrame({"code": ["c", "a", "b"], "v": [0.5, 1.0, 1.0]})  # rows in any order
    pts = C.radar_points(df, "code", "v", ["a", "b", "c"]).set_index("code")
    h = math.sqrt(3) / 2
    assert (pts.loc["a", "x"], pts.loc["a", "y"]) == (0.0, 1.0)
    assert pts.loc["b", "x"] == pytest.approx(h, abs=1e-12)
    assert pts.loc["b", "y"] == pytest.approx(-0.5, abs=1e-12)
    assert pts.loc["c", "x"] == pytest.approx(-0.5 * h, abs=1e-12)  # radius 0.5, clockwise third axis
    assert pts.loc["c", "y"] == pytest.approx(-0.25, abs=1e-12)


def test_radar_points_missing_and_unknown_axes():
    df = pd.DataFrame({"code": ["a", "b", "c", "zz"], "v": [1.0, np.nan, 0.0, 1.0]})
    pts = C.radar_points(df, "code", "v", ["a", "b", "c"])
    assert pts["code"].tolist() == ["a", "b", "c"]  # 'zz' is not on the radar
    assert np.isnan(pts.loc[1, "x"]) and np.isnan(pts.loc[1, "y"])
    assert (pts.loc[2, "x"], pts.loc[2, "y"]) == (0.0, 0.0)
    with pytest.raises(ValueError):
        C.radar_points(df, "code", "v", ["a", "b"])


# --------------------------------------------------------------------------------------------- radar spec


def radar_spec(**kw) -> dict:
    args = dict(axis_order=CODES, axis_labels=LABELS, series_order=PERIODS, emphasise="2025-1")
    args.update(kw)
    return C.radar_chart(radar_df(), **args).to_dict()


def test_radar_spec_grid_polygons_domains():
    spec = radar_spec(pole_labels=POLES, size=400)
    assert spec["width"] == 400 and 300 <= spec["height"] <= 400  # as wide as asked, as tall as the labels need
    layers = layers_of(spec)
    closed = [
        lyr
        for lyr in layers
        if isinstance(lyr["mark"], dict) and lyr["mark"].get("interpolate") == "linear-closed"
    ]
    assert len(closed) >= 3  # grid rings, emphasised fill, series polygons
    ring_values = {v["_r"] for lyr in closed for v in lyr.get("data", {}).get("values", []) if "_r" in v}
    assert ring_values == {0.25, 0.5, 0.75, 1.0}
    domains = {"x": set(), "y": set()}
    for lyr in layers:
        for ch in ("x", "y"):
            enc = lyr.get("encoding", {}).get(ch)
            if enc and enc.get("type") == "quantitative":
                domains[ch].add(tuple(enc["scale"]["domain"]))
                assert enc["axis"] is None
    # one scale for every layer; the rings (radius 1) and the labels around them fit inside it
    assert len(domains["x"]) == len(domains["y"]) == 1
    (x_lo, x_hi), (y_lo, y_hi) = domains["x"].pop(), domains["y"].pop()
    assert x_lo == -x_hi and x_hi > 1.0 and y_lo < -1.0 and y_hi > 1.0
    # equal pixels per unit on both axes: a circle stays a circle
    assert 400 / (2 * x_hi) == pytest.approx(spec["height"] / (y_hi - y_lo), rel=0.01)
    series_line = next(lyr for lyr in closed if "color" in lyr.get("encoding", {}))
    assert series_line["encoding"]["order"]["field"] == "axis_index"
    texts = json.dumps(spec)
    assert "edge: right 1a" in texts and "centre: left 1a" in texts and "Indicator 4a" in texts


def test_radar_colour_is_sequential_and_not_red_green():
    spec = radar_spec()
    assert_no_red_green(spec)
    color = next(lyr["encoding"]["color"] for lyr in layers_of(spec) if "color" in lyr.get("encoding", {}))
    assert color["scale"]["domain"] == PERIODS
    rng = color["scale"]["range"]
    assert all(luminance(a) > luminance(b) for a, b in zip(rng, rng[1:], strict=False))  # older = lighter


def test_radar_emphasised_series_is_thicker():
    spec = radar_spec()
    line = next(
        lyr
        for lyr in layers_of(spec)
        if mark_type(lyr) == "line" and "strokeWidth" in lyr.get("encoding", {})
    )
    sw = line["encoding"]["strokeWidth"]
    cond = sw["condition"] if isinstance(sw["condition"], dict) else sw["condition"][0]
    assert cond["test"]["equal"] == "2025-1"
    assert cond["value"] > sw["value"]


def test_radar_tooltips_have_numbers():
    spec = radar_spec()
    pts = next(lyr for lyr in layers_of(spec) if mark_type(lyr) == "point")
    fields = {t["field"]: t for t in pts["encoding"]["tooltip"]}
    assert fields["_value"]["format"] == ".2f" and "n" in fields and "_axis_label" in fields


def test_radar_missing_value_draws_no_polygon_for_that_series():
    df = radar_df()
    df.loc[(df.period == "2024-2") & (df.code == "2a"), "mean"] = np.nan
    spec = C.radar_chart(df, axis_order=CODES, series_order=PERIODS).to_dict()
    layers = layers_of(spec)
    poly = next(lyr for lyr in layers if mark_type(lyr) == "line" and "color" in lyr.get("encoding", {}))
    assert {v["period"] for v in poly["data"]["values"]} == {"2024-1", "2025-1"}
    pts = next(lyr for lyr in layers if mark_type(lyr) == "point")
    p2 = [v for v in pts["data"]["values"] if v["period"] == "2024-2"]
    assert len(p2) == len(CODES) - 1 and all(v["_value"] is not None for v in p2)


def test_small_multiples_share_scale_and_colours():
    df = pd.concat([radar_df().assign(network="A"), radar_df().iloc[:5].assign(network="B")])
    spec = C.small_multiples_radar(df, axis_order=CODES, columns=2).to_dict()
    assert spec["columns"] == 2 and len(spec["concat"]) == 2
    domains = {
        json.dumps(lyr["encoding"]["color"]["scale"]["domain"])
        for lyr in layers_of(spec)
        if "color" in lyr.get("encoding", {})
    }
    assert domains == {json.dumps(PERIODS)}
    assert_no_red_green(spec)


# --------------------------------------------------------------------------------------------- strip chart


def test_grids_of_charts_are_the_spec_altair_would_write():
    """The radar grid and the stacked funnels compose their spec from the sub-charts' specs (Altair's own concat
    copies every sub-chart again): the result must be exactly what Altair writes."""
    import altair as alt

    df = pd.concat([radar_df().assign(network=n) for n in ("A", "B", "C")], ignore_index=True)
    df.loc[df["network"] == "B", "mean"] = df["mean"] / 2  # other data per facet: other datasets
    ours = C.small_multiples_radar(df, axis_order=CODES, columns=2, title="Netwerken <b>", size=240)
    series = sorted(df["period"].unique())
    subs = [C.radar_chart(df[df["network"] == n], axis_order=CODES, series_order=series, size=240, title=n,
                          as_altair=True) for n in ("A", "B", "C")]
    altair = (alt.concat(*subs, columns=2, spacing=28).resolve_scale(color="shared")
              .properties(title=alt.TitleParams("Netwerken <b>", anchor="start", fontSize=14)))
    assert ours.to_dict() == altair.to_dict()
    assert len(ours.to_dict()["datasets"]) > len(subs[0].to_dict()["datasets"])
    # the radars' frame (rings, spokes, labels) is built once per its inputs: other labels give another frame
    other = C.small_multiples_radar(df, axis_order=CODES, axis_labels={"1a": "Praktijk eerst"}, size=240)
    assert "Praktijk eerst" in json.dumps(other.to_dict()) and "Praktijk eerst" not in json.dumps(ours.to_dict())

    f = pd.concat([funnel_df().assign(g=g, participants=funnel_df()["participants"] * k)
                   for g, k in (("x", 1), ("y", 2))], ignore_index=True)
    ours = C.funnels_stacked(f, group_col="g", groups=["x", "y"], order=CYCLES, xmax=40)
    altair = alt.vconcat(*[C.funnel_chart(f[f["g"] == g], order=CYCLES, title=g, width=300, selectable=False,
                                          xmax=40) for g in ("x", "y")])
    assert ours.to_dict() == altair.to_dict()
    # a sub-chart with a selection goes through Altair (its parameters need merging)
    sel = C._composed([C.funnel_chart(funnel_df(), order=CYCLES)], "vconcat")
    assert isinstance(sel, alt.VConcatChart) and sel.to_dict()["params"]


def test_inline_rows_are_what_altairs_sanitiser_writes():
    from altair.utils.core import sanitize_pandas_dataframe

    df = pd.DataFrame({
        "f": [0.5, np.nan, np.inf, -np.inf, -0.0], "i": np.arange(5, dtype="int64"), "u": np.arange(5, dtype="uint8"),
        "b": [True, False, True, True, False], "s": ["a", None, "<b>x</b>", "é", "=1+1"],
        "o": ["x", np.nan, 3, 1.5, None], "arr": [np.array([1, 2]), None, "t", "u", "v"],
    }, index=[9, 3, 4, 7, 1])
    df["str"] = pd.Series(["p", None, "q", "r", "s"], index=df.index, dtype="str")
    want = sanitize_pandas_dataframe(df.reset_index(drop=True)).to_dict(orient="records")
    got = C._records(df)
    assert json.dumps(got) == json.dumps(want)
    assert got[1]["f"] is None and got[2]["f"] is None and got[1]["s"] is None and got[0]["arr"] == [1, 2]
    assert all(type(r["i"]) is int and type(r["b"]) is bool for r in got)
    # dates, categories and nullable numbers go through Altair's sanitiser itself
    other = df.assign(d=pd.to_datetime(["2024-01-01"] * 5), c=pd.Categorical(list("xyxyx")),
                      n=pd.array([1, None, 3, 4, 5], dtype="Int64"))
    want = sanitize_pandas_dataframe(other.reset_index(drop=True)).to_dict(orient="records")
    assert json.dumps(C._records(other)) == json.dumps(want)
    assert C._records(df.iloc[:0]) == [] and C._records(df[[]]) == [{}] * 5


def marks_df() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    roles = ["teacher", "student", "coach"]
    return pd.DataFrame(
        [
            {"code": c, "position": float(rng.uniform()), "role": roles[i % 3], "participant": i}
            for i in range(12)
            for c in CODES
        ]
    )


def test_strip_chart_iqr_poles_and_deterministic_jitter():
    df = marks_df()
    kw = dict(order=CODES, labels=LABELS, pole_labels=POLES)
    spec = C.marks_strip_chart(df, **kw).to_dict()
    assert spec == C.marks_strip_chart(df, **kw).to_dict()  # same data, same picture
    texts = json.dumps(spec)
    assert "left 1a" in texts and "right 4a" in texts and "Indicator 2a" in texts
    layers = layers_of(spec)
    rect = next(lyr for lyr in layers if mark_type(lyr) == "rect")
    q = {v["_label"]: v for v in rect["data"]["values"]}
    expected = df[df.code == "1a"]["position"]
    assert q["Indicator 1a"]["q1"] == pytest.approx(expected.quantile(0.25))
    assert q["Indicator 1a"]["median"] == pytest.approx(expected.median())
    assert q["Indicator 1a"]["q3"] == pytest.approx(expected.quantile(0.75))
    dots = next(lyr for lyr in layers if mark_type(lyr) == "circle")
    rows = {c: i for i, c in enumerate(CODES)}
    for v in dots["data"]["values"]:
        row = rows[v["_label"].split()[-1]]
        assert abs(v["_y"] - row) <= 0.13 + 1e-9
    assert len({v["_y"] for v in dots["data"]["values"]}) > len(CODES)  # marks are spread out
    assert {t["field"] for t in dots["encoding"]["tooltip"]} >= {"_value", "_label", "_group"}
    assert_no_red_green(spec)


def test_strip_chart_uses_given_iqr_and_no_colour_column():
    iqr = pd.DataFrame({"code": CODES, "q1": 0.1, "median": 0.2, "q3": 0.3, "n": 4})
    spec = C.marks_strip_chart(marks_df(), order=CODES, color_col=None, iqr=iqr).to_dict()
    rect = next(lyr for lyr in layers_of(spec) if mark_type(lyr) == "rect")
    assert {v["q3"] for v in rect["data"]["values"]} == {0.3}
    dots = next(lyr for lyr in layers_of(spec) if mark_type(lyr) == "circle")
    assert "color" not in dots["encoding"]


# --------------------------------------------------------------------------------------------- over time

EVENTS = pd.DataFrame({"period": ["2024-2", "1999-9"], "label": ["Shared lunch cut", "not on the axis"]})


def test_line_over_time_events_and_categorical_colours():
    spec = C.line_over_time(radar_df(), color_labels=LABELS, events=EVENTS, x_order=PERIODS).to_dict()
    layers = layers_of(spec)
    rule = next(lyr for lyr in layers if mark_type(lyr) == "rule")
    assert rule["mark"]["strokeDash"] == [4, 3]
    assert [v["_label"] for v in rule["data"]["values"]] == ["Shared lunch cut"]
    line = next(lyr for lyr in layers if mark_type(lyr) == "line")
    assert line["encoding"]["x"]["scale"]["domain"] == PERIODS
    assert_no_red_green(spec)


def test_line_over_time_with_dates():
    df = pd.DataFrame(
        {"date": pd.to_datetime(["2024-01-01", "2024-06-01"]), "mean": [0.2, 0.4], "code": "1a"}
    )
    ev = pd.DataFrame({"date": ["2024-03-01"], "label": ["visit"]})
    spec = C.line_over_time(df, x="date", events=ev).to_dict()
    rule = next(lyr for lyr in layers_of(spec) if mark_type(lyr) == "rule")
    assert rule["encoding"]["x"]["type"] == "temporal"


def test_slope_chart_labels_do_not_overlap():
    df = radar_df()
    df["mean"] = 0.5  # every line ends at the same height
    spec = C.slope_chart(df, labels=LABELS, period_order=["2024-1", "2025-1"], height=300).to_dict()
    text = next(lyr for lyr in layers_of(spec) if mark_type(lyr) == "text" and "color" in lyr["encoding"])
    ys = sorted(v["_ly"] for v in text["data"]["values"])
    assert len(ys) == len(CODES)
    gap = 13 / 300
    assert all(b - a >= gap - 1e-9 for a, b in zip(ys, ys[1:], strict=False))
    y = next(lyr for lyr in layers_of(spec) if mark_type(lyr) == "line")["encoding"]["y"]
    assert y["scale"]["domain"] == [0.0, 1.0]


def test_dodge_keeps_order_and_bounds():
    out = C.dodge([0.5, 0.5, 0.99, 0.1], 0.05, 0.0, 1.0)
    assert out[3] == pytest.approx(0.1)
    assert out[3] < min(out[0], out[1]) and out[2] == out.max()  # the order of the labels is kept
    assert out.max() <= 1.0 + 1e-12
    s = np.sort(out)
    assert np.all(np.diff(s) >= 0.05 - 1e-12)


# --------------------------------------------------------------------------------------------- value creation

CYCLES = ["immediate", "potential", "applied", "realized", "transformative"]
CYCLE_LABELS = {c: c.title() + " value" for c in CYCLES}


def funnel_df() -> pd.DataFrame:
    df = pd.DataFrame({"cycle": CYCLES[::-1], "participants": [4, 11, 23, 37, 48]})  # given out of order
    df["kept_share"] = df["participants"] / df["participants"].shift(-1)
    return df


def test_funnel_order_shares_and_selection():
    spec = C.funnel_chart(funnel_df(), order=CYCLES, stage_labels=CYCLE_LABELS, title="Funnel").to_dict()
    layers = layers_of(spec)
    bar = next(lyr for lyr in layers if mark_type(lyr) == "bar")
    assert bar["encoding"]["y"]["sort"] == [CYCLE_LABELS[c] for c in CYCLES]
    assert [v["cycle"] for v in bar["data"]["values"]] == CYCLES
    text = next(lyr for lyr in layers if mark_type(lyr) == "text")
    shown = [v["_text"] for v in text["data"]["values"]]
    assert shown[0] == "48"
    assert shown[1] == "37  ·  77% of the previous stage"
    assert shown[4] == "4  ·  36% of the previous stage"
    params = [p for d in walk(spec) for p in d.get("params", [])]
    stage = [p for p in params if p.get("name") == "stage"]
    assert len(stage) == 1 and stage[0]["select"]["type"] == "point"
    assert stage[0]["select"]["fields"] == ["cycle"]
    cond = bar["encoding"]["opacity"]["condition"]
    assert (cond[0] if isinstance(cond, list) else cond)["param"] == "stage"
    assert_no_red_green(spec)


def test_funnel_draws_the_kept_shares_interval_as_a_whisker_in_counts():
    df = pd.DataFrame({"cycle": CYCLES[:2], "participants": [6, 3], "kept_share": [None, 0.5],
                       "kept_base": [0, 6], "kept_low": [None, 0.1876], "kept_high": [None, 0.8124]})
    spec = C.funnel_chart(df, order=CYCLES[:2], value_col="participants").to_dict()
    layers = layers_of(spec)
    text = next(lyr for lyr in layers if mark_type(lyr) == "text")
    assert [v["_text"] for v in text["data"]["values"]] == ["6", "3  ·  50% of the previous stage (95%: 19–81%)"]
    rule = next(lyr for lyr in layers if mark_type(lyr) == "rule")
    assert rule["encoding"]["x"]["field"] == "_lo" and rule["encoding"]["x2"]["field"] == "_hi"
    second = rule["data"]["values"][1]
    assert (second["_lo"], second["_hi"]) == (pytest.approx(1.1256), pytest.approx(4.8744))  # 6 x the interval
    assert sum(mark_type(lyr) == "point" for lyr in layers) == 2  # the whisker's caps
    assert not any(mark_type(lyr) in ("tick", "rect") for lyr in layers)  # bars are the only rects
    assert C.funnel_xmax(df, "participants") == pytest.approx(6.0)
    wide = df.assign(kept_high=[None, 1.0])
    assert C.funnel_xmax(wide.assign(participants=[3, 3]), "participants") == pytest.approx(6.0)  # the whisker


def test_funnel_text_is_translatable():
    spec = C.funnel_chart(
        funnel_df(), order=CYCLES, text={"kept": "{share} van de vorige fase", "thousands_sep": "."}
    ).to_dict()
    assert "77% van de vorige fase" in json.dumps(spec)


def test_stacked_highest_cycle():
    df = pd.DataFrame(
        [
            {"period": p, "highest_cycle": c, "participants": 2 + i}
            for p in PERIODS
            for i, c in enumerate(CYCLES)
        ]
    )
    spec = C.stacked_highest_cycle_chart(df, order=CYCLES, labels=CYCLE_LABELS, events=EVENTS).to_dict()
    layers = layers_of(spec)
    bar = next(lyr for lyr in layers if mark_type(lyr) == "bar")
    assert bar["encoding"]["order"]["field"] == "_idx"
    assert bar["encoding"]["color"]["scale"]["domain"] == [CYCLE_LABELS[c] for c in CYCLES]
    shares = [v["_share"] for v in bar["data"]["values"] if v["_x"] == "2024-1"]
    assert sum(shares) == pytest.approx(1.0)
    assert any(mark_type(lyr) == "rule" for lyr in layers)
    assert_no_red_green(spec)


# --------------------------------------------------------------------------------------------- small pieces


def test_sparkline_marks_last_point():
    df = pd.DataFrame({"period": ["b", "a", "c"], "mean": [0.2, 0.1, 0.3]})
    spec = C.sparkline(df, "period", "mean", x_order=["a", "b", "c"], y_domain=(0, 1)).to_dict()
    pts = next(lyr for lyr in layers_of(spec) if mark_type(lyr) == "point")
    vals = pts["data"]["values"]
    assert [v["_x"] for v in vals] == ["a", "b", "c"] and [v["_last"] for v in vals] == [False, False, True]
    assert spec["width"] <= 200 and spec["height"] <= 60


def test_matrix_heatmap_fills_grid_and_contrasts_text():
    df = pd.DataFrame({"cycle": ["immediate", "applied"], "code": ["1a", "2a"], "stories": [10, 2]})
    spec = C.matrix_heatmap(
        df, "cycle", "code", "stories", row_order=CYCLES, col_order=CODES, count_title="Stories"
    ).to_dict()
    rect = next(lyr for lyr in layers_of(spec) if mark_type(lyr) == "rect")
    vals = rect["data"]["values"]
    assert len(vals) == len(CYCLES) * len(CODES)
    top = next(v for v in vals if v["_n"] == 10)
    assert top["_ink"] == "white" and top["_t"] == "10"
    assert rect["encoding"]["color"]["title"] == "Stories"
    assert_no_red_green(spec)


# ----------------------------------------------------------------------------------------------- intervals


def _layers(chart) -> list[dict]:
    spec = chart.to_dict()
    return [{**lay, "_values": (lay.get("data") or {}).get("values")
             or spec.get("datasets", {}).get((lay.get("data") or {}).get("name"), [])} for lay in spec["layer"]]


def test_line_over_time_draws_interval_bands_and_n_under_each_period():
    df = pd.DataFrame({"period": ["A", "A", "B", "B"], "code": ["1", "2", "1", "2"], "mean": [0.4, 0.6, 0.5, 0.7],
                       "ci_low": [0.3, 0.5, 0.45, 0.6], "ci_high": [0.5, 0.7, 0.55, 0.8], "n": [7, 6, 12, 12]})
    layers = _layers(C.line_over_time(df, x_order=["A", "B"], y_domain=(0, 1), band=("ci_low", "ci_high"),
                                      n_col="n", text={"n_label": "n = {n}"}))
    area = next(lay for lay in layers if lay["mark"]["type"] == "area")
    assert area["encoding"]["y"]["field"] == "_lo" and area["encoding"]["y2"]["field"] == "_hi"
    assert area["encoding"]["y"]["stack"] is None  # bands around their own line, not stacked on each other
    assert sorted((v["_lo"], v["_hi"]) for v in area["_values"]) == [(0.3, 0.5), (0.45, 0.55), (0.5, 0.7), (0.6, 0.8)]
    texts = next(lay for lay in layers if lay["mark"]["type"] == "text")
    assert {v["_x"]: v["_n"] for v in texts["_values"]} == {"A": "n = 7", "B": "n = 12"}  # the largest n
    whiskers = _layers(C.line_over_time(df, band=("ci_low", "ci_high"), band_style="whiskers"))
    assert whiskers[0]["mark"]["type"] == "rule" and whiskers[0]["encoding"]["y2"]["field"] == "_hi"


def test_radar_band_runs_along_each_axis_from_low_to_high():
    df = pd.DataFrame({"period": ["P"] * 4, "code": list("abcd"), "mean": [0.5] * 4,
                       "ci_low": [0.4, 0.3, 0.2, 0.1], "ci_high": [0.6, 0.7, 0.8, 0.9], "n": [5] * 4})
    layers = _layers(C.radar_chart(df, axis_order=list("abcd"), emphasise="P", ci=("ci_low", "ci_high")))
    band = next(lay for lay in layers if lay["mark"]["type"] == "rule" and lay["mark"].get("strokeWidth") == 10)
    first = next(v for v in band["_values"] if v["_axis_label"] == "a")  # axis a points up: x = 0
    assert (first["x"], first["y"], first["x2"], first["y2"]) == (0.0, 0.4, 0.0, 0.6)
    second = next(v for v in band["_values"] if v["_axis_label"] == "b")  # axis b points right
    assert (second["x"], second["x2"]) == (pytest.approx(0.3), pytest.approx(0.7)) and second["n"] == 5


def test_interval_chart_is_symmetric_around_zero():
    df = pd.DataFrame({"code": ["1a", "1b"], "change": [0.12, -0.03], "ci_low": [0.05, -0.2],
                       "ci_high": [0.2, 0.1], "pairs": [9, 8]})
    chart = C.interval_chart(df, order=["1a", "1b"])
    layers = _layers(chart)
    scale = layers[0]["encoding"]["x"]["scale"]["domain"]
    assert scale[0] == -scale[1] and scale[1] >= 0.2
    colours = {json.dumps(lay["mark"].get("color")) for lay in layers[1:3]}
    assert len(colours) == 1  # one colour for both directions: neither pole is better


# --------------------------------------------------------------------------------------------- colours for slides


@pytest.mark.parametrize("n", range(2, 8))
def test_period_colours_are_distinct_steps_darkening_to_the_latest(n):
    cols = C.period_colors(n)
    assert len(set(cols)) == n
    lum = [luminance(c) for c in cols]
    assert all(a > b for a, b in zip(lum, lum[1:], strict=False))  # older lighter, latest darkest
    # neighbours clearly apart: at least 0.05 in relative luminance (six periods were near-identical before)
    assert min(a - b for a, b in zip(lum, lum[1:], strict=False)) >= 0.05
    assert lum[-1] < 0.25  # the latest is dark (navy) for a thick line on white
    assert not {"red", "green"} <= {hue_class(c) for c in cols}


def test_latest_period_is_emphasised_in_the_radar():
    df = pd.concat([radar_df(), radar_df().assign(period="2025-2")])
    spec = C.radar_chart(df, axis_order=CODES, series_order=[*PERIODS, "2025-2"], emphasise="2025-2").to_dict()
    colour = next(lyr["encoding"]["color"] for lyr in layers_of(spec) if "color" in lyr.get("encoding", {}))
    assert colour["scale"]["range"] == C.period_colors(4)
    line = next(lyr for lyr in layers_of(spec) if mark_type(lyr) == "line" and "strokeWidth" in lyr["encoding"])
    cond = line["encoding"]["strokeWidth"]["condition"]
    cond = cond if isinstance(cond, dict) else cond[0]
    assert cond["test"]["equal"] == "2025-2" and cond["value"] > line["encoding"]["strokeWidth"]["value"]


def _scale_of(spec: dict) -> dict[str, str]:
    enc = next(lyr["encoding"]["color"] for lyr in layers_of(spec) if "color" in lyr.get("encoding", {}))
    return dict(zip(enc["scale"]["domain"], enc["scale"]["range"], strict=True))


def test_a_role_has_one_colour_in_both_charts_and_both_languages():
    from analytics.decisions import ROLE_COLORS
    from analytics.i18n import role_label

    roles = ["coach", "teacher", "student_teacher"]
    seen: dict[str, set[str]] = {r: set() for r in roles}
    for lang in ("nl", "en"):
        names = {r: role_label(r, lang) for r in roles}
        # the dot chart lists the roles alphabetically by their (translated) name, the radar in role order:
        # the colour still follows the role
        marks = pd.DataFrame({"code": "1a", "position": [0.2, 0.5, 0.8], "role": [names[r] for r in roles]})
        strip = C.marks_strip_chart(marks, order=["1a"], color_col="role", colors=C.role_colors(names)).to_dict()
        by_role = pd.DataFrame([{"series": names[r], "code": c, "mean": 0.5} for r in roles for c in CODES])
        radar = C.radar_chart(by_role, axis_order=CODES, series_col="series",
                              series_order=[names[r] for r in reversed(roles)], categorical=True,
                              series_colors=C.role_colors(names)).to_dict()
        for spec in (strip, radar):
            for r, colour in ((r, _scale_of(spec)[names[r]]) for r in roles):
                seen[r].add(colour)
    assert {r: c.pop() for r, c in seen.items() if len(c) == 1} == {r: ROLE_COLORS[r] for r in roles}
    assert len({ROLE_COLORS[r] for r in roles}) == 3


def test_twelve_organisations_get_twelve_distinct_colour_shape_pairs():
    orgs = [f"School {chr(65 + i)}" for i in range(12)]
    styles = C.organisation_styles(list(reversed(orgs)))
    assert list(styles) == orgs  # sorted: the same organisation keeps its style whatever order it came in
    pairs = {(c, shape) for c, shape, _ in styles.values()}
    assert len(pairs) == 12
    assert styles["School A"][:2] == (C.CATEGORY_PALETTE[0], "circle")
    assert styles["School G"][:2] == (C.CATEGORY_PALETTE[0], "square")  # the 7th: palette again, new shape
    assert styles["School G"][2] != styles["School A"][2]  # and a different dash for lines


def test_radar_labels_wrap_instead_of_being_cut_and_fit_the_view():
    from analytics.draw.text_metrics import text_width

    long = "Kennisontwikkeling en nog een heel lange naam van een indicator"
    labels = {c: long if c == "2a" else f"Indicator {c}" for c in CODES}
    radius, boxes = C.radar_label_layout(CODES, labels, None, 420)
    box = next(b for b in boxes if b["code"] == "2a")
    assert " ".join(box["names"]) == long and len(box["names"]) > 1  # whole, on more lines, no "…"
    assert all(text_width(x, C.RADAR_NAME_FONT, bold=True) <= box["w"] + 0.01 for x in box["names"])
    for b in boxes:
        assert -210 <= b["x0"] and b["x1"] <= 210 and b["top"] <= 210 and b["top"] - b["h"] >= -210
    assert radius >= 100


@pytest.mark.parametrize("kw", [
    {},
    {"pole_labels": POLES, "title": "Radar <b>", "size": 400},
    {"emphasise": None, "series_order": ["2024-1"]},
    {"categorical": True, "series_colors": {"2024-1": "#000000"}, "emphasise": "2024-2"},
    {"ci": ("lo", "hi"), "tooltip_cols": ("n", "lo")},
])
def test_a_radar_composed_from_its_layers_is_the_spec_altair_writes(kw):
    """The radar's layers are composed into one spec by ``_layered`` (Altair's layer chart copies every layer
    three times): it must equal Altair's own, validated, layer chart of the same layers."""
    import altair as alt

    df = radar_df().assign(lo=lambda d: d["mean"] - 0.1, hi=lambda d: d["mean"] + 0.1)
    df.loc[1, "mean"] = float("nan")  # a missing point: its series draws no polygon
    args = dict(axis_order=CODES, axis_labels=LABELS, series_order=PERIODS, emphasise="2025-1") | kw
    ours = C.radar_chart(df, **args)
    theirs = C.radar_chart(df, **args, as_altair=True)
    assert isinstance(theirs, alt.LayerChart)
    assert ours.to_dict() == theirs.to_dict(validate=True)
    # the frame's specs are shared by every radar: changing one radar's spec changes no other
    spec = ours.to_dict()
    spec["layer"][0]["mark"] = "changed"
    assert C.radar_chart(df, **args).to_dict() == theirs.to_dict()


def test_layers_with_a_selection_are_left_to_altair():
    import altair as alt

    sel = alt.selection_point(name="p")
    layer = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").add_params(sel)
    with pytest.raises(ValueError, match="parameters"):
        C._layered([layer])
