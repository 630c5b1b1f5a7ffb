"""Charts are built once per their inputs (issue 17): a page rerun reads the Vega-Lite spec from the cache
instead of building and validating the Altair chart again; a new import (new data) builds a new one."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import streamlit as st

from analytics.draw import charts
from pages import ui
from tests.test_app_pages import run_page

CALLS: list[str] = []


def counted_funnel(df: pd.DataFrame, **kw):
    CALLS.append("funnel")
    return charts.funnel_chart(df, **kw)


def funnel_frame(applied: int) -> pd.DataFrame:
    return pd.DataFrame({"cycle": ["immediate", "potential", "applied"], "value": [10, 6, applied],
                         "kept_share": [None, 0.6, applied / 6]})


@pytest.fixture(autouse=True)
def fresh_cache():
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no script run context" outside a page
    st.cache_data.clear()
    CALLS.clear()
    yield
    st.cache_data.clear()


ORDER = ["immediate", "potential", "applied"]


def test_the_same_inputs_build_the_chart_once():
    a = ui.spec(counted_funnel, funnel_frame(3), order=ORDER, value_col="value", title="A")
    b = ui.spec(counted_funnel, funnel_frame(3), order=ORDER, value_col="value", title="A")
    assert CALLS == ["funnel"]
    assert a == b


def test_other_data_or_words_build_a_new_chart():
    first = ui.spec(counted_funnel, funnel_frame(3), order=ORDER, value_col="value", title="A")
    other_data = ui.spec(counted_funnel, funnel_frame(4), order=ORDER, value_col="value", title="A")
    other_title = ui.spec(counted_funnel, funnel_frame(3), order=ORDER, value_col="value", title="B")
    assert CALLS == ["funnel"] * 3
    assert first != other_data and first != other_title
    def applied(spec: dict) -> list:
        return [r["_value"] for d in spec["datasets"].values() for r in d if r.get("cycle") == "applied"]

    assert 4 in applied(other_data) and 4 not in applied(first) and 3 in applied(first)


def test_the_cached_spec_equals_a_fresh_build():
    stats = pd.DataFrame({"period": ["2024-1"] * 4, "code": ["1", "2", "3", "4"], "mean": [0.2, 0.4, 0.6, 0.8],
                          "n": [7] * 4})
    kw = dict(axis_order=["1", "2", "3", "4"], axis_labels={c: f"Dim {c}" for c in "1234"},
              series_order=["2024-1"], title="radar")
    cached = ui.spec(charts.radar_chart, stats, **kw)
    again = ui.spec(charts.radar_chart, stats, **kw)
    assert cached == charts.radar_chart(stats, **kw).to_dict() == again


def test_a_dimensions_rerun_builds_no_chart(tmp_path, monkeypatch):
    built: list[str] = []
    for name in ("radar_chart", "line_over_time"):
        real = getattr(charts, name)

        def counting(*a, _real=real, _name=name, **k):
            built.append(_name)
            return _real(*a, **k)

        monkeypatch.setattr(charts, name, counting)
    at = run_page(tmp_path / "demo.duckdb", monkeypatch, "pages/dimensions.py", "nl", network="Rekenen")
    first = list(built)
    assert first.count("radar_chart") >= 1 and first.count("line_over_time") >= 2, first
    shown = [c.proto.spec for c in at.get("vega_lite_chart")]
    built.clear()
    at.run()
    assert not at.exception
    assert built == []  # every chart came from the cache
    assert [c.proto.spec for c in at.get("vega_lite_chart")] == shown
    at.session_state["lang"] = "en"  # other words: built again, in English
    at.run()
    assert "radar_chart" in built
    assert any("Dimension" in c.proto.spec for c in at.get("vega_lite_chart"))


class _SpecOnly:
    """A chart that records how the page asked for its spec."""

    asked: list = []

    def to_dict(self, validate=True):
        _SpecOnly.asked.append(validate)
        return {"mark": "bar"}


def spec_only(n: int):
    return _SpecOnly()


def test_pages_check_specs_against_the_schema_in_the_tests_only(monkeypatch):
    assert charts.validating()  # pytest: every spec a page builds in the tests is validated
    ui.spec(spec_only, 1)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    monkeypatch.delenv("NETWERKLEREN_VALIDATE_CHARTS", raising=False)
    assert not charts.validating()  # a server: the builders are fixed code, validated here
    ui.spec(spec_only, 2)
    monkeypatch.setenv("NETWERKLEREN_VALIDATE_CHARTS", "1")
    ui.spec(spec_only, 3)
    assert _SpecOnly.asked == [True, False, True]
