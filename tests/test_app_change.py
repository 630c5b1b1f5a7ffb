"""AppTest of the new sections with the demo data, in Dutch and English: intervals and agreement on the
Dimensions page, change with its evidence, and tie stability on the Ties page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.demo import sample

ROOT = Path(__file__).resolve().parent.parent
WORDS = {
    "nl": {"wide": "Weinig zekerheid", "agreement": "Wordt het gedeelde beeld meer gedeeld?",
           "evidence": "Verandering met onderbouwing", "left": "een beweging naar de linkerpool",
           "stability": "Zelfregulerend leren: hoe stabiel zijn de leerrelaties?",
           "perceived": "Ervaren naast gemeten", "outside": "aandeel relaties met mensen van buiten het netwerk"},
    "en": {"wide": "Little certainty", "agreement": "Is the shared picture getting more shared?",
           "evidence": "Change with its evidence", "left": "a movement towards the left pole",
           "stability": "Zelfregulerend leren: how stable are the learning ties?",
           "perceived": "Perceived beside measured", "outside": "share of ties to people outside the network"},
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return tmp_path_factory.mktemp("change_pages") / "demo.duckdb"


def run_page(db, monkeypatch, page: str, lang: str, **state) -> AppTest:
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["lang"] = lang
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def layer_marks(spec: dict) -> list[str]:
    return [(lay.get("mark") or {}).get("type") if isinstance(lay.get("mark"), dict) else lay.get("mark")
            for lay in spec.get("layer", [])]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_small_network_gets_bands_n_and_a_warning_in_words(db, monkeypatch, lang):
    at = run_page(db, monkeypatch, "pages/dimensions.py", lang, network=sample.NKO)
    warnings = [w.value for w in at.warning]
    assert any(WORDS[lang]["wide"] in w for w in warnings), warnings
    lines = [s for s in specs(at) if "area" in layer_marks(s)]
    assert lines, "no chart with an interval band"
    assert '"field": "_n"' in json.dumps(lines[0])  # n written under each period (its text: test_charts)
    ci_col = {"nl": "95%-interval van", "en": "95% interval from"}[lang]
    tables = [d.value for d in at.dataframe if ci_col in d.value.columns]
    assert tables and (tables[0]["n"] < 10).all()
    radar = specs(at)[0]
    assert "rule" in layer_marks(radar)  # the per-axis interval band
    assert any(WORDS[lang]["agreement"] in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_large_network_gets_no_warning(db, monkeypatch, lang):
    at = run_page(db, monkeypatch, "pages/dimensions.py", lang, network=sample.REK)
    assert not any(WORDS[lang]["wide"] in w.value for w in at.warning)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_change_with_its_evidence_after_the_lunch_stopped(db, monkeypatch, lang):
    # 2025-H2 -> 2026-H1: the lunch stopped in between; connectedness (dimension 3) moved towards the left pole.
    at = run_page(db, monkeypatch, "pages/dimensions.py", lang, network=sample.ZRL, change_a="2025-H2",
                  change_b="2026-H1")
    assert any(s.value == WORDS[lang]["evidence"] for s in at.subheader)
    sentences = [m.value for m in at.markdown if m.value.startswith("- **3") and WORDS[lang]["left"] in m.value]
    assert len(sentences) == 1, sentences  # connectedness, and only there an interval without zero
    # neutral words in the section: movement towards a pole, never a verdict
    intro = {"nl": "Twee manieren om naar verandering te kijken", "en": "Two ways of looking at change"}[lang]
    section = [m.value for m in at.markdown if m.value.startswith(intro)] + sentences
    assert len(section) == 2
    page_text = " ".join(section).lower()
    for word in ("improv", "better", "worse", "verbeter", "beter", "slechter", "achteruit", "vooruitgang"):
        assert word not in page_text, word
    paired = [s for s in specs(at) if "2025-H2" in json.dumps(s.get("title", "")) and "point" in layer_marks(s)]
    assert paired, "no paired change chart"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_ties_stability_tab(db, monkeypatch, lang):
    at = run_page(db, monkeypatch, "pages/ties.py", lang, network=sample.ZRL)
    md = [m.value for m in at.markdown]
    assert any(WORDS[lang]["stability"] in m for m in md)
    assert any(WORDS[lang]["perceived"] in m for m in md)
    titles = [json.dumps(s.get("title", "")) for s in specs(at)]
    assert any(WORDS[lang]["outside"] in t for t in titles), titles
    outside = next(s for s in specs(at) if WORDS[lang]["outside"] in json.dumps(s.get("title", "")))
    assert "area" in layer_marks(outside)
