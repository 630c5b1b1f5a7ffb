"""The foundation in a real browser: offline, upload and import, language switch, hostile content.

Each test starts its own ``streamlit run`` on a free port with a temporary DuckDB file (see tests/browser.py)
and drives Debian's Chromium. Screenshots land in tests/_artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from browser import (
    ROOT,
    app_exceptions,
    block_outside,
    goto_nav,
    new_page,
    outside_requests,
    record_dialogs,
    record_requests,
    screenshot,
    server_log,
    show_names,
    streamlit_server,
    wait_for_app,
    wait_for_frames,
    warm_up,
)

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

FILES = ROOT / "tests" / "files"
#: The pages in the sidebar navigation: (Dutch label, English label, url path).
PAGES = [
    ("Overzicht", "Overview", "overview"),
    ("Dimensies", "Dimensions", "dimensions"),
    ("Waardecreatie", "Value creation", "values"),
    ("Leerrelaties", "Learning ties", "ties"),
    ("Presentatie", "Presentation", "present"),
    ("Live verzamelen", "Live collection", "live"),
    ("Gegevens", "Data", "data"),
]
NO_DEMO = {"NETWERKLEREN_NO_DEMO": "1"}
WITH_DEMO = {"NETWERKLEREN_NO_DEMO": None}


@pytest.fixture(scope="module")
def demo_url(browser, tmp_path_factory):
    """One warmed-up server with the demo data loaded into a fresh database, shared by the read-only tests."""
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with streamlit_server(db, env=WITH_DEMO) as url:
        warm_up(browser, url)
        yield url


def metric_value(page, label: str) -> str:
    """The value shown by the first ``st.metric`` whose label is ``label``."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def table_text(page, nth: int = -1) -> str:
    """The text of an ``st.dataframe`` (the grid draws on canvas; its accessible table carries the text)."""
    frames = page.locator('[data-testid="stDataFrame"]')
    return (frames.last if nth == -1 else frames.nth(nth)).text_content() or ""


_NODE_POSITIONS_JS = """() => {
    const n = window.tieMap.network, p = n.getPositions();
    return Object.keys(p).map(id => { const d = n.canvasToDOM(p[id]); return [String(id), d.x, d.y]; });
}"""


def hover_tie_map_nodes(page) -> list[str]:
    """Hover the mouse over every node of the tie map (the iframe exposing ``window.tieMap``) and return
    the tooltip texts that appeared."""
    frame = next((f for f in page.frames if f != page.main_frame
                  and f.evaluate("() => typeof window.tieMap === 'object'")), None)
    assert frame is not None, "no tie map on the page"
    box = page.locator("iframe").first.bounding_box()
    tips = []
    for _id, x, y in frame.evaluate(_NODE_POSITIONS_JS):
        page.mouse.move(box["x"] + x, box["y"] + y)
        tip = frame.locator(".vis-tooltip")
        try:
            tip.first.wait_for(state="visible", timeout=2_000)
            tips.append(tip.first.text_content() or "")
        except Exception:  # noqa: BLE001 - a node at the very edge may show no tooltip
            pass
        assert frame.locator(".vis-tooltip img, .vis-tooltip svg, .vis-tooltip script").count() == 0
        page.mouse.move(0, 0)
    return tips


def upload(page, *files: Path | dict) -> None:
    """Put files into the Data page's data uploader (key "uploads"): paths, or {"name", "mimeType", "buffer"}
    payloads."""
    payloads = [f if isinstance(f, dict) else
                {"name": f.name, "mimeType": "text/csv", "buffer": f.read_bytes()} for f in files]
    page.locator('.st-key-uploads [data-testid="stFileUploader"] input[type="file"]').set_input_files(payloads)


def file_box(page, file_name: str):
    """The bordered container the Data page draws for one uploaded file."""
    return page.locator('[data-testid="stVerticalBlock"]').filter(
        has=page.locator("h4", has_text=file_name)).last


def edit_every_column(page, file_name: str):
    """Open the uploaded file's "Kolommen" panel and switch on "Ook herkende kolommen aanpassen", so every column
    has its box; returns the file's box."""
    box = file_box(page, file_name)
    box.locator('[data-testid="stMetric"]').first.wait_for(state="visible")
    wait_for_app(page)
    box.locator('[data-testid="stExpander"]').filter(has_text="Kolommen").locator("summary").first.click()
    toggle = box.locator('[data-testid="stCheckbox"]').filter(has_text="Ook herkende")
    toggle.wait_for(state="visible")
    wait_for_app(page)
    for _ in range(3):  # a click while the expander is still opening can get lost: click until it is on
        toggle.locator("label").first.click()
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=stCheckbox]')].some("
                "c => c.textContent.includes('Ook herkende') && c.querySelector('input').checked)",
                timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - not on yet: click again
            continue
    wait_for_app(page)
    return box


def import_file(page, file_name: str, button: str = "Importeren") -> str:
    """Click the Import button of one uploaded file and return the success message."""
    box = file_box(page, file_name)
    box.get_by_role("button", name=button).click()
    success = box.locator('[data-testid="stAlertContentSuccess"]')
    success.wait_for(state="visible")
    wait_for_app(page)
    return success.inner_text()


# ----------------------------------------------------------------------------------------- a) offline


def test_every_page_stays_on_this_machine(browser, demo_url):
    with new_page(browser) as page:
        requests = record_requests(page)
        blocked = block_outside(page)
        page.goto(demo_url)
        wait_for_app(page, expect_testid="stSidebarNav")
        crashed = {}
        for nl, _en, slug in [*PAGES[1:], PAGES[0]]:
            goto_nav(page, nl)
            assert page.url.rstrip("/").endswith(slug) or slug == "overview", page.url
            wait_for_frames(page)
            page.locator("h1").first.wait_for(state="visible")
            screenshot(page, f"offline-{slug}")
            if app_exceptions(page):
                crashed[slug] = app_exceptions(page)

    assert len(requests) > 10, "the request recorder saw (almost) nothing"
    assert any("/_stcore/" in u or "/static/" in u for u in requests)
    assert outside_requests(requests) == [], f"requests leaving the machine: {outside_requests(requests)}"
    assert blocked == []
    assert crashed == {}, f"pages that raised: {crashed}\n{server_log(demo_url)}"


# ------------------------------------------------------------------------------------------- b) upload


def test_upload_validate_and_import_participants(browser, tmp_path):
    db = tmp_path / "upload.duckdb"
    with streamlit_server(db, env=NO_DEMO) as url, new_page(browser) as page:
        page.goto(url)
        wait_for_app(page, expect_testid="stSidebarNav")
        goto_nav(page, "Gegevens")
        page.get_by_text("Nog geen imports.").wait_for(state="visible")

        upload(page, ROOT / "sample_data" / "participants.csv")
        wait_for_app(page, expect_testid="stMetric")
        assert metric_value(page, "Rijen gelezen") == "217"  # data rows of sample_data/participants.csv
        assert metric_value(page, "Rijen met fouten") == "0"
        screenshot(page, "upload-validated")

        message = import_file(page, "participants.csv")
        assert "217" in message and "deelnemers" in message, message
        page.locator('[data-testid="stDataFrame"]').last.wait_for(state="visible")
        imports = table_text(page)
        assert "participants.csv" in imports and "217" in imports, imports
        assert page.get_by_text("Nog geen imports.").count() == 0
        assert app_exceptions(page) == []
        screenshot(page, "upload-imported")

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM participants").fetchone()[0] == 217
        assert con.execute("SELECT file_name, kind, source, rows_imported, undone_at FROM imports").fetchall() == [
            ("participants.csv", "participants", "file", 217, None)]
    finally:
        con.close()


def test_a_recognised_column_can_be_remapped_and_a_wave_given(browser, tmp_path):
    """The mapping step fixes a wrong guess: here the name column is set to 'ignore' before import."""
    db = tmp_path / "remap.duckdb"
    people = {"name": "people.csv", "mimeType": "text/csv",
              "buffer": b"participant_id,name,network\nP1,Anouk Smit,A\nP2,Bram Bos,A\n"}
    with streamlit_server(db, env=NO_DEMO) as url, new_page(browser) as page:
        page.goto(url)
        wait_for_app(page, expect_testid="stSidebarNav")
        goto_nav(page, "Gegevens")
        upload(page, people)
        box = edit_every_column(page, "people.csv")
        select = box.locator('[data-testid="stSelectbox"]').filter(has_text="“name”")
        select.wait_for(state="visible")
        select.locator("input").click()
        select.locator("input").fill("neger")  # the box filters its options as one types
        page.get_by_role("option", name="— negeren —", exact=True).click()
        wait_for_app(page)
        screenshot(page, "remap-name-ignored")
        message = import_file(page, "people.csv")
        assert "2" in message, message
        assert app_exceptions(page) == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT participant_id, name FROM participants ORDER BY 1").fetchall() == [
            ("P1", None), ("P2", None)]
    finally:
        con.close()


# -------------------------------------------------------------------------------------------- c) language


def test_a_conflicting_column_choice_keeps_the_panel_and_says_where(browser, tmp_path):
    """Two columns given one role: the message stands at the column that was changed and the panel stays, so
    the choice can be set right without removing the file (issue 16's dead end)."""
    db = tmp_path / "conflict.duckdb"
    people = {"name": "people.csv", "mimeType": "text/csv",
              "buffer": b"participant_id,name,network\nP1,Anouk Smit,A\nP2,Bram Bos,A\n"}
    with streamlit_server(db, env=NO_DEMO) as url, new_page(browser) as page:
        page.goto(url)
        wait_for_app(page, expect_testid="stSidebarNav")
        goto_nav(page, "Gegevens")
        upload(page, people)
        box = edit_every_column(page, "people.csv")
        # "name" set to Network by mistake (the network column drops out), then network set back to Network:
        # two columns for one role
        for column in ("name", "network"):
            select = box.locator('[data-testid="stSelectbox"]').filter(has_text=f"“{column}”")
            select.locator("input").click()
            select.locator("input").fill("Netwerk")
            page.get_by_role("option", name="Netwerk", exact=True).click()
            wait_for_app(page)
        wait_for_app(page, expect_text="Deze keuze voor “network” kan niet")
        # the panel and the column's box are still there, with the message beside them
        assert box.locator('[data-testid="stSelectbox"]').filter(has_text="“network”").is_visible()
        assert "is twee keer gekozen" in box.inner_text()  # in the page's language (issue 16)
        screenshot(page, "mapping-conflict")
        box.get_by_role("button", name="Koppelingen wissen").click()
        wait_for_app(page)
        assert "Deze keuze voor" not in box.inner_text()
        screenshot(page, "mapping-conflict-reset")
        try:
            message = import_file(page, "people.csv")
        except Exception:
            screenshot(page, "mapping-conflict-import-failed")
            raise
        assert "2" in message, message
        assert app_exceptions(page) == []


def test_switching_to_english_translates_the_data_page(browser, demo_url):
    with new_page(browser) as page:
        page.goto(demo_url)
        wait_for_app(page, expect_testid="stSidebarNav")
        goto_nav(page, "Gegevens")
        assert page.locator("h1").first.inner_text().strip().endswith("Gegevens")
        assert page.get_by_text("Bestanden inlezen").count() == 1

        page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text("English").click()
        page.locator("h1", has_text="Data").first.wait_for(state="visible")
        wait_for_app(page)

        assert page.locator("h1").first.inner_text().strip().endswith("Data")
        for text in ["Import files", "Imports", "Templates", "Start empty", "Undo an import"]:
            assert page.get_by_text(text, exact=True).count() >= 1, text
        for dutch in ["Bestanden inlezen", "Sjablonen", "Leeg beginnen", "Import ongedaan maken"]:
            assert page.get_by_text(dutch, exact=True).count() == 0, dutch
        sidebar = page.locator('[data-testid="stSidebar"]')
        for text in ["Language", "Network", "Period"]:
            assert sidebar.get_by_text(text, exact=True).count() == 1, text
        nav = [t.strip() for t in page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()]
        assert [n.split()[-1] for n in nav] == [en.split()[-1] for _nl, en, _s in PAGES], nav
        assert "participants.csv" in table_text(page, 0) and "demo" in table_text(page, 0)
        screenshot(page, "english-data")

        for _nl, en, slug in PAGES[:-1]:  # the other pages in English, to look at
            goto_nav(page, en)
            wait_for_frames(page)
            screenshot(page, f"english-{slug}")
        assert app_exceptions(page) == []


def test_language_switch_translates_the_sidebar_filters_at_once(browser, demo_url):
    with new_page(browser) as page:
        page.goto(demo_url)
        wait_for_app(page, expect_testid="stSidebarNav")
        boxes = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input')
        boxes.nth(1).wait_for(state="attached")  # the sidebar may still be drawing after the navigation
        assert [b.get_attribute("value") for b in boxes.all()[:2]] == ["Alle netwerken", "Alle perioden"]
        page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text("English").click()
        page.locator("h1", has_text="Overview").first.wait_for(state="visible")
        wait_for_app(page)
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input[value="All networks"]'
                     ).first.wait_for(state="attached", timeout=30_000)
        assert [b.get_attribute("value") for b in boxes.all()[:2]] == ["All networks", "All periods"]


def test_language_switch_works_in_the_first_session_after_start(browser, tmp_path):
    with streamlit_server(tmp_path / "cold.duckdb", env=NO_DEMO) as url, new_page(browser) as page:
        page.goto(url)
        wait_for_app(page, expect_testid="stSidebarNav")
        assert page.locator("h1").first.inner_text().strip().endswith("Overzicht")
        page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text("English").click()
        page.locator("h1", has_text="Overview").first.wait_for(state="visible", timeout=6_000)
        wait_for_app(page)
        checked = page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] input:checked')
        assert checked.get_attribute("value") == "1"


# ---------------------------------------------------------------------------------------------- d) hostile


def test_hostile_names_open_no_dialog(browser, tmp_path):
    hostile_name = "<img src=x onerror=alert(2)>.csv"
    extra = {"name": hostile_name, "mimeType": "text/csv",
             "buffer": b"participant_id,name,network\nP9,<svg onload=alert(3)>,Rekenen\n"}
    ties = {"name": "ties_hostile.csv", "mimeType": "text/csv",
            "buffer": b"source,target,network,date\nP1,P2,Rekenen,2025-03-01\nP2,P9,Rekenen,2025-03-01\n"
                      b"P9,P1,Rekenen,2025-03-01\n"}
    with streamlit_server(tmp_path / "hostile.duckdb", env=NO_DEMO) as url, new_page(browser) as page:
        dialogs = record_dialogs(page)
        page.goto(url)
        wait_for_app(page, expect_testid="stSidebarNav")
        goto_nav(page, "Gegevens")

        upload(page, FILES / "script_and_formula.csv")
        wait_for_app(page, expect_testid="stMetric")
        assert metric_value(page, "Rijen gelezen") == "2"
        assert "2 rij(en)" in import_file(page, "script_and_formula.csv")
        upload(page, extra)
        file_box(page, hostile_name).locator('[data-testid="stMetric"]').first.wait_for(state="visible")
        wait_for_app(page)
        # the file name is shown as text, not as markup
        assert page.locator("h4", has_text="onerror=alert(2)").count() == 1
        import_file(page, hostile_name)
        upload(page, ties)
        file_box(page, "ties_hostile.csv").locator('[data-testid="stMetric"]').first.wait_for(state="visible")
        wait_for_app(page)
        import_file(page, "ties_hostile.csv")

        imports = table_text(page)
        assert "script_and_formula.csv" in imports and hostile_name in imports, imports
        screenshot(page, "hostile-data")
        show_names(page)  # names are replaced by codes by default; the hostile ones must be shown to be tested

        for nl, _en, slug in PAGES[:-1]:  # everywhere the names may be shown
            goto_nav(page, nl)
            wait_for_frames(page)
            screenshot(page, f"hostile-{slug}")
            if slug == "ties":  # tooltips are the one place where a name could become markup
                tips = hover_tie_map_nodes(page)
                assert any("<img src=x onerror=alert(1)>" in t for t in tips), tips
        goto_nav(page, "Gegevens")

        assert dialogs == [], f"a script ran: {dialogs}"
        for frame in page.frames:
            assert frame.locator('img[src="x"]').count() == 0, frame.url
            assert frame.locator("svg[onload]").count() == 0, frame.url
            assert not frame.evaluate(
                "() => [...document.scripts].some(s => s.textContent.includes('alert('))"), frame.url
        assert app_exceptions(page) == []


# ------------------------------------------------------------------------------------------ deep links


@pytest.mark.parametrize("path", [
    "/data",
    "/ui",
])
def test_deep_link_on_a_cold_server_runs_through_app_py(browser, tmp_path, path):
    """Streamlit's old pages/-folder mode runs a page file without app.py when the first request after a
    start is a deep link; the app must still show its own navigation and sidebar."""
    with streamlit_server(tmp_path / "cold.duckdb", env=NO_DEMO) as url, new_page(browser) as page:
        page.goto(url + path)
        wait_for_app(page, expect_testid="stSidebarNav")
        # The folder-mode run may draw its own navigation for a moment before app.py's rerun replaces it.
        page.locator('[data-testid="stSidebarNavLink"]', has_text="Overzicht").first.wait_for(timeout=30_000)
        wait_for_app(page)
        nav = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
        assert [n.split(maxsplit=1)[-1] for n in nav] == [nl for nl, _en, _s in PAGES], nav
        assert page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').count() == 1
        if path == "/data":
            assert page.locator("h1").first.inner_text().strip().endswith("Gegevens")


# ------------------------------------------------------------------------------ c) a scale to confirm (issue 13)


def test_a_suggested_scale_is_confirmed_before_import_and_the_means_follow(browser, tmp_path):
    """A hand-made sheet on a 1-7 form where nobody chose 6 or 7: the page suggests 1-5 with its evidence,
    Import stays off until the coach picks the scale; picked 1-7, the stored positions are (x - 1) / 6."""
    db = tmp_path / "scale.duckdb"
    xlsx = FILES / "tool_handmade_nl.xlsx"
    with streamlit_server(db, env=NO_DEMO) as url, new_page(browser) as page:
        page.goto(url)
        wait_for_app(page, expect_testid="stSidebarNav")
        goto_nav(page, "Gegevens")
        upload(page, {"name": xlsx.name, "buffer": xlsx.read_bytes(),
                      "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
        wait_for_app(page, expect_testid="stMetric")
        box = file_box(page, xlsx.name)
        warning = box.locator('[data-testid="stAlertContentWarning"]').filter(has_text="Welke schaal")
        warning.wait_for(state="visible")
        assert "waarden gezien: 1–5" in warning.inner_text()
        assert box.get_by_text("Gelezen als: een zelfgemaakte tabel", exact=False).count() == 1
        button = box.get_by_role("button", name="Importeren")
        assert button.is_disabled()
        screenshot(page, "scale-suggested")

        select = box.locator('[data-testid="stSelectbox"]').filter(has_text="Welke schaal gebruikte het formulier?")
        select.locator("input").click()
        select.locator("input").fill("1-")  # the box filters its options as one types
        page.get_by_role("option", name="1-5 (voorstel)", exact=True).wait_for(state="visible")  # suggestion first
        page.get_by_role("option", name="1-7", exact=True).click()
        wait_for_app(page)
        box = file_box(page, xlsx.name)
        box.get_by_text("1–7 (opgegeven)", exact=False).wait_for(state="visible")
        assert box.locator('[data-testid="stAlertContentWarning"]').filter(has_text="Welke schaal").count() == 0
        screenshot(page, "scale-confirmed")
        message = import_file(page, xlsx.name)
        assert "6" in message, message
        goto_nav(page, "Dimensies")
        page.locator("h1").first.wait_for(state="visible")
        wait_for_frames(page)
        assert app_exceptions(page) == []
        screenshot(page, "scale-dimensions")

    con = duckdb.connect(str(db), read_only=True)
    try:
        # 1a: 5, 4, 2 -> (4 + 3 + 1) / 6 / 3 = 0.4444; 1b: 3, 1, 5 -> (2 + 0 + 4) / 18 = 0.3333
        assert con.execute("""SELECT indicator, count(*), round(avg(position), 4), min(scale_max)
                              FROM dimension_scores GROUP BY 1 ORDER BY 1""").fetchall() == [
            ("1a", 3, 0.4444, 7.0), ("1b", 3, 0.3333, 7.0)]
    finally:
        con.close()
