"""AppTest of every page with the demo data, in Dutch and English: it runs, it says what it should."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent

PAGES = {
    "pages/overview.py": (":material/explore: Overzicht", ":material/explore: Overview"),
    "pages/dimensions.py": (":material/radar: Dimensies", ":material/radar: Dimensions"),
    "pages/values.py": (":material/eco: Waardecreatie", ":material/eco: Value creation"),
    "pages/ties.py": (":material/hub: Leerrelaties", ":material/hub: Learning ties"),
    "pages/data.py": (":material/database: Gegevens", ":material/database: Data"),
}


def iframe_html(at: AppTest) -> str:
    """The srcdoc of the (one) st.iframe on the page: AppTest shows it as an unknown element."""
    found = at.get("iframe")
    assert found, "no iframe on the page"
    return found[0].proto.srcdoc


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return tmp_path_factory.mktemp("pages") / "demo.duckdb"


def run_page(db, monkeypatch, page: str, lang: str, **state) -> AppTest:
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_in_both_languages(db, monkeypatch, page, lang):
    at = run_page(db, monkeypatch, page, lang)
    assert at.title[0].value == PAGES[page][0 if lang == "nl" else 1]


def test_dimensions_page_draws_radar_and_lists_discussion_starters(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/dimensions.py", "en", network="Hoogbegaafdheid")
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 3
    spec = charts[0].proto.spec
    assert "linear-closed" in spec and "Hoogbegaafdheid" in spec
    starters = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert len(starters) == 3 and any("4c" in s for s in starters)  # the demo's bimodal indicator


def test_values_page_asks_where_value_stops(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/values.py", "nl", network="Hoogbegaafdheid")
    assert any("Wat houdt de waarde hier vast" in i.value for i in at.info)
    assert any(m.label == "Strategische waarde" for m in at.metric)


def test_ties_page_measures_and_safe_map(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/ties.py", "nl", network="Rekenen")
    labels = [m.label for m in at.metric]
    assert labels[:6] == ["Deelnemers", "Relaties", "Dichtheid", "Wederkerigheid", "Over organisatiegrenzen",
                          "Zonder relatie"]
    html = iframe_html(at)
    assert "new vis.DataSet" in html and "https://" not in html.split("<script")[0]


def test_pseudonymise_switch_hides_names_on_the_ties_page(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/ties.py", "nl", network="Rekenen", pseudonymise=True)
    html = iframe_html(at)
    from analytics.store import database as store
    from analytics.store.db import rows

    names = [r[0] for r in rows(store.connect(db), "SELECT name FROM participants WHERE network = 'Rekenen' "
                                                    "AND name IS NOT NULL AND NOT external")]
    assert len(names) > 20 and "T-0" in html
    for n in names:
        assert n not in html


@pytest.mark.parametrize("network", ["Onderzoekend leren", "Zelfregulerend leren"])
def test_pseudonymised_map_and_files_carry_no_outside_names_as_ids(db, monkeypatch, network):
    """People outside the list are stored under the name a survey gave them: their id is a name."""
    from analytics import privacy
    from analytics.draw import graph_files
    from analytics.measures import network as tm
    from analytics.measures import ties as tq
    from analytics.store import database as store
    from analytics.store.db import rows

    run_page(db, monkeypatch, "pages/overview.py", "nl")  # the demo is loaded
    con = store.connect(db)
    outside = [r[0] for r in rows(con, "SELECT participant_id FROM people WHERE external")]
    named = [r[0] for r in rows(con, "SELECT name FROM people WHERE name IS NOT NULL AND length(name) > 3")]
    at = run_page(db, monkeypatch, "pages/ties.py", "nl", network=network, ties_view="people")
    html = iframe_html(at)
    assert any(x in html for x in ("X-0", "T-0"))
    G, _ = tq.graph(con, tq.TieFilters(network=network), pseudonymise=True)
    assert any(v in outside for v in G), "the demo should have outside people in this network"
    P = privacy.graph_with_codes(G, privacy.code_mapping(G.nodes, privacy.public_ids(con)))
    files = [html, graph_files.to_gexf(P).decode(), graph_files.to_graphml(P).decode(), tm.edge_frame(P).to_csv()]
    for text in files:
        for x in outside + named:
            assert x not in text, x
    # switched off, the names are there: the check above can fail
    at = run_page(db, monkeypatch, "pages/ties.py", "nl", network=network, ties_view="people", pseudonymise=False)
    assert any(x in iframe_html(at) for x in outside)


def test_presentation_page_hides_rankings(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/present.py", "nl", network="Rekenen")
    assert not at.dataframe
    assert at.session_state["presentation"] is True


def test_dimension_three_is_named_as_the_database_says(db, monkeypatch):
    from analytics.store import database as store

    at = run_page(db, monkeypatch, "pages/dimensions.py", "nl", network="Rekenen")
    spec = " ".join(c.proto.spec for c in at.get("vega_lite_chart"))
    assert "Verbondenheid" in spec and "Collectieve identiteit" not in spec
    con = store.connect(db)
    store.set_alt_dimension_names(con, True)
    try:
        at = run_page(db, monkeypatch, "pages/dimensions.py", "nl", network="Rekenen")
        spec = " ".join(c.proto.spec for c in at.get("vega_lite_chart"))
        assert "Collectieve identiteit" in spec and "Verbondenheid" not in spec
        at = run_page(db, monkeypatch, "pages/data.py", "nl")
        assert [r.value for r in at.radio if r.key == "dimension_names:3"] == ["alt_name"]
    finally:
        store.set_alt_dimension_names(con, False)
        con.close()


def test_ties_measures_over_time_as_shares_and_as_counts(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen")
    specs = " ".join(c.proto.spec for c in at.get("vega_lite_chart"))
    assert "Clustering" in specs and "Modularity" in specs and "Without ties" not in specs
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen", ties_time_kind="counts")
    specs = " ".join(c.proto.spec for c in at.get("vega_lite_chart"))
    assert "Without ties" in specs and "Modularity" not in specs
    rows = {r for r in at.dataframe[0].value.iloc[:, 0]}
    assert {"Average times named", "Average number named"} <= rows


def test_overview_cards_give_the_latest_dimension_numbers(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/overview.py", "en")
    latest = [c.value for c in at.caption if c.value.startswith("Mean position in")]
    assert len(latest) == 5  # one per demo network (the small Nieuwkomersonderwijs has enough respondents)
    assert all(x.count("**") == 8 for x in latest)  # four dimensions, each with its number in bold


def test_ties_page_opens_one_tie_type_and_combines_them_only_when_asked(db, monkeypatch):
    from analytics.measures import ties as tq
    from analytics.store import database as store

    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen")
    con = store.connect(db)
    types = tq.tie_types(con, "Rekenen")
    con.close()
    assert len(types) > 1, "the demo network should have several tie types"
    [radio] = [r for r in at.radio if r.key == "ties_type"]
    assert radio.value == types[0] and list(radio.options)[-1] == "all types together"
    edges_one = [m.value for m in at.metric if m.label == "Ties"][0]
    radio.set_value(tq.ALL_TYPES).run()
    assert not at.exception
    assert any("count as one tie" in c.value for c in at.caption)
    edges_all = [m.value for m in at.metric if m.label == "Ties"][0]
    assert int(edges_all) > int(edges_one)


def test_presentation_report_is_made_with_a_progress_bar(db, monkeypatch):
    """The report mode makes the report once (a progress bar while it is written), then offers the download."""
    at = run_page(db, monkeypatch, "pages/present.py", "en", network="Rekenen", present_mode="report")
    made = at.session_state["present_report_made"]
    assert made[1] == "Rekenen" and made[3] == "en"
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the report (HTML)" in labels
    assert not at.get("progress")  # the bar is gone once the report is made


@pytest.mark.parametrize("page", list(PAGES))
def test_no_streamlit_english_placeholder_on_a_dutch_page(db, monkeypatch, page):
    """Streamlit's own 'Choose options' / 'Choose an option' would be the only English on a Dutch page."""
    at = run_page(db, monkeypatch, page, "nl", pseudonymise=False)
    english = [(w.label, w.placeholder) for w in [*at.multiselect, *at.selectbox]
               if (w.placeholder or "").startswith("Choose")]
    assert english == []


def test_no_table_on_the_value_page_shows_none(db, monkeypatch):
    """Stories without evidence showed a grey "None" (pandas 3 text columns have the "str" type, which the
    dash rule missed): every missing text cell is a dash."""
    at = run_page(db, monkeypatch, "pages/values.py", "nl", network="Rekenen")
    frames = [d.value for d in at.dataframe]
    assert any("Onderbouwing" in f.columns for f in frames)
    for f in frames:
        for col in f.columns:
            if f[col].dtype == object or pd.api.types.is_string_dtype(f[col].dtype):
                assert not f[col].isna().any() and not (f[col].astype(str) == "None").any(), col


def test_stories_without_evidence_show_an_empty_cell_not_none(db, monkeypatch):
    """Issue 16: a story without evidence showed 'None' in the stories table (the demo has 235 such stories in
    this network)."""
    at = run_page(db, monkeypatch, "pages/values.py", "en", network="Hoogbegaafdheid")
    tables = [d.value for d in at.dataframe if "Evidence" in d.value.columns]
    assert tables, "no stories table with an evidence column"
    evidence = tables[0]["Evidence"]
    assert (evidence == "—").any()  # stories without evidence are on the page ...
    assert not evidence.isna().any() and not (evidence.astype(str) == "None").any()  # ... as a dash


@pytest.mark.parametrize("page", ["pages/dimensions.py", "pages/values.py", "pages/ties.py", "pages/overview.py"])
def test_dutch_charts_write_numbers_the_dutch_way(db, monkeypatch, page):
    """Axes said 0.5 and 1.0 on Dutch pages whose tables say 0,04: every chart carries the page's number locale."""
    import json

    for lang in ("nl", "en"):
        at = run_page(db, monkeypatch, page, lang, network="Rekenen")
        specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
        assert specs, page
        locales = [s.get("config", {}).get("locale") for s in specs]
        if lang == "nl":
            assert all(loc == {"number": {"decimal": ",", "thousands": ".", "grouping": [3],
                                          "currency": ["€ ", ""]}} for loc in locales), locales
        else:
            assert locales == [None] * len(specs)
