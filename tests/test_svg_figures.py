"""Charts drawn in a helper process for the standalone report: the same figures, whatever happens to the helper."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from analytics.demo import load as demo
from analytics.draw import export
from analytics.draw.svg_figures import HELPER_FROM_NETWORKS, FigureDrawer, figure, spec_json
from analytics.store import database as store
from analytics.views import report

ROOT = Path(__file__).resolve().parent.parent


def _charts() -> list[alt.Chart]:
    df = pd.DataFrame({"a": ["x", "y", "z"], "b": [1, 3, 2]})
    bars = alt.Chart(df).mark_bar().encode(x="a:N", y="b:Q").properties(title="Staven <b>vet</b>")
    # Two layers in a facet-free concat give clip paths and ids to prefix.
    line = alt.Chart(df).mark_line(clip=True).encode(x="a:N", y=alt.Y("b:Q", scale=alt.Scale(domain=[0, 2])))
    return [bars, alt.hconcat(line, bars), line]


def _same_ids(svg: str) -> str:
    """vl-convert numbers clip paths per engine: two engines give clip1 and clip6 for the same chart."""
    return re.sub(r"clip\d+", "clipN", svg)


def test_the_helper_draws_what_this_process_draws():
    here = FigureDrawer(export.vl_version())
    with FigureDrawer(export.vl_version(), helper=True) as helper:
        assert helper.uses_helper
        keys = [helper.draw(c, locale="nl-NL", prefix=f"c{i}-", caption="Bijschrift & <i>") for i, c in
                enumerate(_charts())]
        assert all(k.startswith("<!--figure:") for k in keys)  # placeholders until filled
        text = helper.fill("<main>" + "|".join(keys) + "</main>")
    mine = [here.draw(c, locale="nl-NL", prefix=f"c{i}-", caption="Bijschrift & <i>") for i, c in
            enumerate(_charts())]
    assert _same_ids(text) == _same_ids("<main>" + "|".join(mine) + "</main>")
    assert text.count("<svg role=\"img\" ") == 3 and "<!--figure" not in text
    assert "<figcaption>Bijschrift &amp; &lt;i&gt;</figcaption>" in text
    assert 'id="c1-clip' in text and "url(#c1-clip" in text  # ids made unique per figure


def test_a_helper_that_dies_leaves_its_figures_to_this_process():
    chart = _charts()[0]
    with FigureDrawer(export.vl_version(), helper=True) as drawer:
        first = drawer.draw(chart, locale=None, prefix="c1-")
        drawer._proc.kill()
        drawer._proc.wait()
        second = drawer.draw(chart, locale=None, prefix="c2-")
        text = drawer.fill(f"{first}\n{second}")
    expected = figure(spec_json(chart), export.vl_version(), None, "c1-") + "\n" + figure(
        spec_json(chart), export.vl_version(), None, "c2-")
    assert _same_ids(text) == _same_ids(expected)


def test_a_chart_vl_convert_refuses_raises_as_it_would_here():
    bad = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "mark": "point",
           "data": {"url": "https://example.org/data.csv"}}  # outside data: refused (allowed_base_urls=[])
    with pytest.raises(ValueError) as here:
        figure(spec_json(bad), export.vl_version(), None, "c1-")
    with FigureDrawer(export.vl_version(), helper=True) as drawer:
        key = drawer.draw(bad, locale=None, prefix="c1-")
        with pytest.raises(ValueError) as there:
            drawer.fill(key)
    assert str(there.value) == str(here.value)


def test_text_cannot_forge_a_placeholder():
    with FigureDrawer(export.vl_version(), helper=True) as drawer:
        key = drawer.draw(_charts()[0], locale=None, prefix="c1-")
        forged = re.sub(r":[0-9a-f]{16}:", ":0123456789abcdef:", key)
        text = drawer.fill(f"{forged}{key}")
    assert text.startswith(forged) and text.count("<figure") == 1


def test_a_report_of_many_networks_reads_the_same_with_or_without_the_helper(tmp_path, monkeypatch):
    con = store.connect(tmp_path / "demo.duckdb")
    demo.load_demo(con)
    nets = report._network_names(con)
    assert len(nets) >= HELPER_FROM_NETWORKS
    when = pd.Timestamp("2026-12-05 10:00").to_pydatetime()
    with_helper = report.build_report(con, generated=when)
    monkeypatch.setattr(report, "HELPER_FROM_NETWORKS", 10_000)
    without = report.build_report(con, generated=when)
    con.close()
    assert "<!--figure" not in with_helper
    assert with_helper.count("<figure") == without.count("<figure") > 3 * len(nets) - 1
    # Vega rounds a label's position differently in the last digits from one engine to another.
    def norm(s):
        return re.sub(r"(\d+\.\d{6})\d+", r"\1", _same_ids(s))
    assert norm(with_helper) == norm(without)


def test_a_script_without_a_main_guard_is_not_run_again_by_the_helper(tmp_path):
    """multiprocessing's spawn would import the caller's script in the child; the helper is its own module."""
    db = tmp_path / "demo.duckdb"
    con = store.connect(db)
    demo.load_demo(con)
    con.close()
    script = tmp_path / "make_report.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from analytics.store import database as store
        from analytics.views import report
        print("script ran")
        con = store.connect({str(db)!r})
        report.write_report(con, {str(tmp_path / 'r.html')!r})
        print("report written")
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.splitlines() == ["script ran", "report written"]
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("<svg role=\"img\"") >= HELPER_FROM_NETWORKS
