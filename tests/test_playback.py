"""The tie map period by period: one frame per period with ties, one stable layout, a looping GIF, no names."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from analytics.demo import load as demo
from analytics.store import database as store
from analytics.store.db import frame
from analytics.views import playback

NETWORK = "Onderzoekend leren"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = store.connect(tmp_path_factory.mktemp("playback") / "demo.duckdb")
    demo.load_demo(c)
    yield c
    c.close()


@pytest.fixture(scope="module")
def frames(con):
    return playback.playback_frames(con, NETWORK, pseudonymise=True, lang="nl")


def layer_values(chart) -> tuple[list[dict], list[dict]]:
    """(edge rows, node rows) of a frame, from its Vega-Lite spec."""
    spec = chart.to_dict(validate=False)
    datasets = spec.get("datasets", {})
    edges, nodes = (layer["data"].get("values") or datasets[layer["data"]["name"]] for layer in spec["layer"])
    return edges, nodes


def names(con) -> list[str]:
    return [n for n in frame(con, "SELECT name FROM people WHERE name IS NOT NULL")["name"] if len(n) >= 6]


def test_one_frame_per_period_with_ties(con, frames):
    expected = frame(con, "SELECT DISTINCT period FROM v_ties WHERE network = ?", [NETWORK])["period"].tolist()
    assert len(frames) == len(expected) == 6
    assert [p for p, _ in frames] == sorted(expected)  # time order (half-year labels sort as text)
    for period, chart in frames:
        spec = chart.to_dict(validate=False)
        assert spec["title"]["text"] == period


def test_everyone_keeps_their_place_and_the_axes_stay(frames):
    seen: dict[str, tuple[float, float]] = {}
    domains = set()
    moved = []
    for _, chart in frames:
        edges, nodes = layer_values(chart)
        for n in nodes:
            xy = (n["x"], n["y"])
            if seen.setdefault(n["id"], xy) != xy:
                moved.append(n["id"])
        spec = chart.to_dict(validate=False)
        enc = spec["layer"][1]["encoding"]
        domains.add((tuple(enc["x"]["scale"]["domain"]), tuple(enc["y"]["scale"]["domain"]),
                     tuple(enc["color"]["scale"]["domain"]), tuple(enc["size"]["scale"]["domain"]),
                     spec["width"], spec["height"]))
        assert all(e["x"] != e["x2"] or e["y"] != e["y2"] for e in edges)
    assert not moved
    assert len(seen) > 30
    in_all = [i for i in seen if all(i in {n["id"] for n in layer_values(c)[1]} for _, c in frames)]
    assert in_all  # some people are in every period, at one place
    assert len(domains) == 1  # identical scales and size in every frame


def test_frames_carry_codes_not_names(con, frames):
    blob = json.dumps([c.to_dict(validate=False) for _, c in frames], ensure_ascii=False)
    leaked = [n for n in names(con) if n in blob]
    assert not leaked, leaked[:5]
    for _, chart in frames:
        for n in layer_values(chart)[1]:
            assert n["id"] == n["label"] and n["id"][1] == "-", n


def test_frames_without_pseudonyms_show_names(con):
    shown = playback.playback_frames(con, NETWORK, pseudonymise=False, lang="en", color_by="role")
    blob = json.dumps([c.to_dict(validate=False) for _, c in shown], ensure_ascii=False)
    assert sum(n in blob for n in names(con)) > 20
    assert "Role" in blob


def test_gif_has_a_frame_per_period_and_loops(con):
    data = playback.playback_gif(con, NETWORK, seconds_per_frame=0.5)
    assert data[:6] == b"GIF89a"
    im = Image.open(io.BytesIO(data))
    assert im.n_frames == 6
    assert im.info.get("loop") == 0 and im.info.get("duration") == 500
    assert im.width >= 700 and im.height >= 400


def test_gif_of_a_network_without_ties_is_refused(con):
    with pytest.raises(ValueError, match="no ties"):
        playback.playback_gif(con, "Bestaat niet")
