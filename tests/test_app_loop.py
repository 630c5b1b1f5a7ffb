"""AppTest of the meeting loop on the pages, with the demo data, in Dutch and English: the rhythm and the
agreements on the overview, the forms on the Data page, the agreements and closing slides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from analytics.measures.rhythm import rhythm
from analytics.store import agreements as agr
from analytics.store import database as store
from analytics.store import networks as netinfo

ROOT = Path(__file__).resolve().parent.parent
QUESTION = {"nl": "Wat is er sinds de afspraak veranderd, en wat heeft de afspraak daarmee te maken?",
            "en": "What has changed since the agreement, and what does the agreement have to do with it?"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return tmp_path_factory.mktemp("loop_pages") / "demo.duckdb"


class _LeavesFolderMode(PagesManager):
    """As a running server after its first run: out of the pages/ folder mode, so a form's click is kept
    (see tests/test_app_data.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def steady_navigation(monkeypatch):
    monkeypatch.setattr(app_test_module, "PagesManager", _LeavesFolderMode)
    yield
    PagesManager.uses_pages_directory = None


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


def stored(db, fn, *args, **kw):
    """Read the store the app wrote (the app holds the file: open it read-only through a second handle)."""
    con = store.connect(db)
    try:
        return fn(con, *args, **kw)
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_overview_shows_rhythm_agreements_interventions_and_network_details(db, monkeypatch, lang):
    at = run_page(db, monkeypatch, "pages/overview.py", lang)
    md = [m.value for m in at.markdown]
    caps = [c.value for c in at.caption]
    subheaders = [h.value for h in at.subheader]
    assert ("Meetritme" if lang == "nl" else "Measurement rhythm") in subheaders
    # every demo network in the rhythm, with the status the rhythm module gives for today
    expected = {r["network"]: r["status"] for r in stored(db, rhythm, dt.date.today())}
    words = {"nl": {"done": "gemeten deze periode", "due": "meting nu aan de beurt",
                    "overdue": "meting achter op het ritme", "never": "nog nooit gemeten"},
             "en": {"done": "measured this period", "due": "measurement due now",
                    "overdue": "measurement behind the rhythm", "never": "never measured"}}[lang]
    for net, status in expected.items():
        assert any(f"**{net}** · {words[status]}" in m for m in md), (net, status)
    assert len([b for b in at.button if b.key and b.key.startswith("rh_live:")]) == len(expected) >= 4
    # the demo's agreement about outside experts, with its linked figures and the question
    head = ":material/handshake: **Onderzoekend leren**, 21-03-2024: Elkaars scholen bezoeken"
    i = next(i for i, m in enumerate(md) if m.startswith(head))
    assert md[i + 1].startswith("- 3b ") and ("0,32" if lang == "nl" else "0\\.32") in md[i + 1]
    assert md[i + 3].startswith("- " + ("aandeel relaties tussen organisaties" if lang == "nl"
                                        else "share of ties between organisations"))
    assert md[i + 4] == f":material/forum: *{QUESTION[lang]}*"
    assert not any(w in " ".join(md).lower() for w in ("success", "succes", "geslaagd", "failed", "mislukt"))
    assert any(m.startswith(":material/build: **Schoolbezoeken**") for m in md)
    # the card says what the network is
    assert any(m.startswith("Scholen leren samen onderzoek doen") for m in md)
    assert any(("Fase" if lang == "nl" else "Phase") in c and "C\\-002" in c for c in caps)


def test_rhythm_import_button_opens_the_data_page_for_that_moment(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/overview.py", "en")
    first = stored(db, rhythm, dt.date.today())[0]
    at.button(key="rh_import:0").click().run()
    assert not at.exception
    assert at.session_state["network"] == first["network"]
    assert at.session_state["import_for"] == (first["network"], first["period_start"], first["period_end"])
    at.switch_page("pages/data.py").run()  # AppTest does not follow st.switch_page: go where the button went
    assert any(f"Importing for **{first['network']}**" in i.value for i in at.info)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_data_page_saves_network_details_as_a_new_version(db, monkeypatch, lang):
    before = len(stored(db, netinfo.history, "Rekenen"))
    at = run_page(db, monkeypatch, "pages/data.py", lang, network="Rekenen", pseudonymise=False)
    at.text_area(key="net_form:Rekenen:description").set_value(f"Nieuwe beschrijving {lang}")
    at.selectbox(key="net_form:Rekenen:phase").set_value("embedding")
    at.selectbox(key="net_form:Rekenen:moments").set_value(2)
    next(b for b in at.button if b.label == ("Opslaan als nieuwe versie" if lang == "nl"
                                             else "Save as a new version")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    cur = stored(db, netinfo.details, "Rekenen")
    assert (cur["description"], cur["phase"], cur["moments_per_year"]) == (f"Nieuwe beschrijving {lang}",
                                                                          "embedding", 2)
    assert len(stored(db, netinfo.history, "Rekenen")) == before + 1
    assert list(cur["coaches"]) == ["P154"]  # kept as it was


def test_data_page_adds_an_agreement_that_the_overview_brings_back(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/data.py", "en", network="Zelfregulerend leren")
    at.text_input(key="agr_new:text").set_value("Invite an outside expert each term")
    at.date_input(key="agr_new:date").set_value(dt.date(2025, 4, 2))
    at.multiselect(key="agr_new:ind").set_value(["3b"])
    at.multiselect(key="agr_new:mea").set_value(["cross_organisation_share"])
    at.text_input(key="agr_new:owner").set_value("P001")
    next(b for b in at.button if b.label == "Save the agreement").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(s.value == "Agreement saved." for s in at.success)
    new = stored(db, agr.latest, ("Zelfregulerend leren",))
    row = new[new["text"] == "Invite an outside expert each term"].iloc[0]
    assert list(row["indicators"]) == ["3b"] and row["owner"] == "P001" and row["status"] == "open"
    at = run_page(db, monkeypatch, "pages/overview.py", "en", network="Zelfregulerend leren")
    md = [m.value for m in at.markdown]
    i = md.index(":material/handshake: **Zelfregulerend leren**, 02-04-2025: Invite an outside expert each term")
    # before: the 2025-03-13 survey (the meeting was on 2 April); after: the latest survey since
    assert md[i + 1].startswith("- 3b Strength of ties\\: ") and "\\(2025\\-H1\\) → " in md[i + 1]
    assert any(c.value.startswith("owner C\\-") for c in at.caption)  # the owner as a code, not "P001"


def test_a_bad_agreement_is_refused_with_a_message(db, monkeypatch):
    before = len(stored(db, agr.latest))
    at = run_page(db, monkeypatch, "pages/data.py", "en")
    next(b for b in at.button if b.label == "Save the agreement").click().run()  # no text
    assert [e.value for e in at.error] == ["an agreement needs a text"]
    assert len(stored(db, agr.latest)) == before


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_agreements_and_closing_slides(db, monkeypatch, lang):
    at = run_page(db, monkeypatch, "pages/present.py", lang, network="Onderzoekend leren", present_slide=4)
    assert at.title[0].value == ("Afspraken van de vorige keer" if lang == "nl" else "Agreements from last time")
    md = [m.value for m in at.markdown]
    assert any(m.startswith(":material/handshake: **Elkaars scholen bezoeken") for m in md)
    assert f":material/forum: *{QUESTION[lang]}*" in md
    assert {b.key for b in at.button} >= {"present_prev", "present_next", "present_pageup", "present_pagedown"}
    at.button(key="present_next").click().run()
    at.button(key="present_next").click().run()
    assert at.title[0].value == ("Vragen voor het gesprek" if lang == "nl" else "Questions for the meeting")
    qs = [m.value for m in at.markdown if m.value.startswith(":material/forum: ")]
    assert len(qs) == 4 and qs[-1].startswith(":material/forum: " + ("Wat spreken we af" if lang == "nl" else "What do we agree"))
    assert any(c.value.startswith("Volgende meting uiterlijk" if lang == "nl" else "Next measurement by")
               for c in at.caption)


def test_projector_view_hides_the_sidebar_and_the_mode_switch(db, monkeypatch):
    at = run_page(db, monkeypatch, "pages/present.py", "en", network="Rekenen")
    assert len(at.get("button_group")) == 1  # the mode switch
    at.toggle(key="projector").set_value(True).run()
    assert not at.exception
    assert not at.get("button_group")
    assert any('[data-testid="stSidebar"]' in m.value and "display: none" in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_dimension_slide_shows_current_and_desired_when_both_were_marked(db, monkeypatch, lang):
    # the demo has desired-situation marks for Rekenen in its last waves, none for Hoogbegaafdheid
    at = run_page(db, monkeypatch, "pages/present.py", lang, network="Rekenen", present_slide=0)
    head = [m.value for m in at.markdown if m.value.startswith("**" + ("Huidig en gewenst" if lang == "nl"
                                                                      else "Current and desired"))]
    assert len(head) == 1
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    desired = "gewenst" if lang == "nl" else "desired"
    assert len(specs) == 2 and desired in specs[1].lower() and desired not in specs[0].lower()
    at = run_page(db, monkeypatch, "pages/present.py", lang, network="Hoogbegaafdheid", present_slide=0)
    assert len(at.get("vega_lite_chart")) == 1


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_an_own_instrument_shows_on_the_overview_card_and_the_first_slide(tmp_path, monkeypatch, lang):
    from analytics.definitions import frameworks_dir, save_framework
    from analytics.ingest import importer

    path = tmp_path / "own.duckdb"
    con = store.connect(path)
    fw = save_framework(ROOT / "analytics" / "definitions" / "social_regulation.toml", frameworks_dir(path))
    own = tmp_path / "own.csv"
    own.write_text("network,date,participant_id,p1 (0-10),p2 (0-10),p3 (0-10),r1 (0-10),r2 (0-10)\n"
                   "R,2025-03-01,P1,2,4,6,8,10\nR,2025-03-01,P2,4,4,4,6,6\nR,2025-03-01,P3,6,8,10,2,2\n",
                   encoding="utf-8")
    assert importer.import_file(con, own, framework=fw).status == "imported"
    con.close()
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    at = run_page(path, monkeypatch, "pages/overview.py", lang)
    name = "Sociale regulatie \\(voorbeeld\\)" if lang == "nl" else "Social regulation \\(example\\)"
    process = "Procesaspecten" if lang == "nl" else "Process aspects"
    mean = "0,53" if lang == "nl" else "0.53"
    assert any(c.value.startswith(f"**{name}** (2025\\-H1): P {process} **{mean}**") for c in at.caption), \
        [c.value for c in at.caption]
    at = run_page(path, monkeypatch, "pages/present.py", lang, network="R", present_slide=0)
    assert at.metric[0].label == f"P {process}" and at.metric[0].value == mean


def _submit(at: AppTest, label: str, form: str):
    return next(b for b in at.button if b.label == label and b.proto.form_id.endswith(form))


def test_data_page_edits_an_intervention_as_a_new_version(db, monkeypatch):
    from analytics.store import interventions as itv

    at = run_page(db, monkeypatch, "pages/data.py", "en", pseudonymise=False)  # loads the demo on first run
    first = stored(db, itv.latest).iloc[0]
    iid = int(first["intervention_id"])
    at.text_input(key=f"itv_edit:{iid}:label").set_value("Shared lunch, every month")
    at.date_input(key=f"itv_edit:{iid}:end").set_value(dt.date(2026, 6, 30))
    at.multiselect(key=f"itv_edit:{iid}:ind").set_value(["3a", "3c"])
    _submit(at, "Save changes", f"itv_edit:{iid}").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(s.value == "Intervention saved." for s in at.success), [s.value for s in at.success]
    hist = stored(db, itv.history, iid)
    assert len(hist) == 2 and hist.iloc[0]["label"] == first["label"]  # the earlier version stays
    now = hist.iloc[-1]
    assert now["label"] == "Shared lunch, every month" and pd.Timestamp(now["end_date"]).date() == dt.date(2026, 6, 30)
    assert list(now["indicators"]) == ["3a", "3c"] and list(now["networks"]) == list(first["networks"])


def test_a_pseudonymised_edit_does_not_write_codes_over_the_texts(db, monkeypatch):
    from analytics.store import interventions as itv

    at = run_page(db, monkeypatch, "pages/data.py", "nl")  # names replaced by codes: the default
    first = stored(db, itv.latest).iloc[-1]
    iid = int(first["intervention_id"])
    assert at.text_input(key=f"itv_edit:{iid}:label").disabled
    at.date_input(key=f"itv_edit:{iid}:start").set_value(dt.date(2025, 1, 6))
    _submit(at, "Wijziging opslaan", f"itv_edit:{iid}").click().run()
    assert not at.exception, [e.message for e in at.exception]
    now = stored(db, itv.history, iid).iloc[-1]
    assert pd.Timestamp(now["start_date"]).date() == dt.date(2025, 1, 6)
    assert (now["label"], now["expected"]) == (first["label"], first["expected"])


def test_the_link_pickers_offer_an_own_instruments_indicators(tmp_path, monkeypatch):
    from analytics.definitions import frameworks_dir, save_framework

    path = tmp_path / "own.duckdb"
    save_framework(ROOT / "analytics" / "definitions" / "social_regulation.toml", frameworks_dir(path))
    store.connect(path).close()
    at = run_page(path, monkeypatch, "pages/data.py", "en")
    picker = at.multiselect(key="agr_new:ind")
    assert "Social regulation (example): p1 Connectedness" in picker.options, picker.options
    assert "Social regulation (example): p1 Connectedness" in at.multiselect(key="itv_new:ind").options
