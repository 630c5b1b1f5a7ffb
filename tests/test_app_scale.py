"""The Data page with survey-tool exports (AppTest): the tool is named, left-out responses are counted, a scale
found only from the values is a suggestion with its evidence that the coach confirms or changes before the
Import button works, and the stored means follow the chosen scale.

AppTest cannot drive a file uploader, so ``st.file_uploader`` is replaced by one that returns the fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit
import test_app_data

from analytics.store.db import rows

# The Data page fixtures of test_app_data (a fresh database per test, steady navigation).
cold_data_page, full_errors, steady_navigation = (
    test_app_data.cold_data_page, test_app_data.full_errors, test_app_data.steady_navigation)

FILES = Path(__file__).parent / "files"


class _Upload:
    def __init__(self, path: Path):
        self.name, self._data = path.name, path.read_bytes()
        self.size, self.file_id = len(self._data), "f1"

    def getvalue(self) -> bytes:
        return self._data


@pytest.fixture
def upload(monkeypatch, data_page_factory):
    def make(name: str, lang: str = "en"):
        monkeypatch.setattr(streamlit, "file_uploader", lambda *a, **k: [_Upload(FILES / name)])
        return data_page_factory(lang)

    return make


@pytest.fixture
def data_page_factory(request):
    request.getfixturevalue("steady_navigation")
    make = request.getfixturevalue("cold_data_page")
    return lambda lang: make(demo=False, lang=lang)


def stored_means(tmp_path) -> list[tuple]:
    """Mean position per indicator, through the app's own connection (DuckDB allows one writer per file)."""
    from pages import ui

    c = ui.con()
    try:
        return rows(c, "SELECT indicator, count(*), round(avg(position), 4) FROM dimension_scores GROUP BY 1 ORDER BY 1")
    finally:
        c.close()


def key_of(at, prefix: str) -> str:
    widgets = [*at.text_input, *at.checkbox, *at.selectbox, *at.radio]
    return next(w.key for w in widgets if w.key and w.key.startswith(prefix))


def texts(elements) -> list[str]:
    """Element texts without the Markdown escapes the page puts before punctuation."""
    return [e.value.replace("\\", "") for e in elements]


def import_button(at):
    return next(b for b in at.button if b.key and b.key.startswith("imp:"))


def test_suggested_scale_is_shown_with_evidence_and_blocks_import(upload):
    at = upload("tool_handmade_nl.xlsx")
    assert not at.exception, [e.message for e in at.exception]
    assert "Read as: a hand-made table, xlsx, Sheet Metingen" in texts(at.caption)
    assert "Scale: 1–5 (suggested, not yet confirmed)" in texts(at.caption)
    assert texts(at.warning) == [
        "**Which scale did the form use?** values seen: 1–5. The file does not state its scale. Choose the form's "
        "scale; only then can the file be imported. A value outside the scale becomes an error in its own cell; "
        "the scale is never stretched."]
    pick = next(s for s in at.selectbox if s.key and s.key.startswith("scalepick:"))
    assert pick.options[:2] == ["1-5 (suggested)", "1-7"] and pick.value is None
    assert import_button(at).disabled


@pytest.mark.parametrize("choice,means", [
    # 1a 5, 4, 2 and 1b 3, 1, 5 (tests/files/tool_handmade_nl.xlsx): positions (x - 1) / 4 or (x - 1) / 6
    ("1-5", [("1a", 3, round(8 / 12, 4)), ("1b", 3, round(6 / 12, 4))]),
    ("1-7", [("1a", 3, round(8 / 18, 4)), ("1b", 3, round(6 / 18, 4))]),
])
def test_choosing_the_scale_then_importing_moves_the_means(upload, tmp_path, choice, means):
    at = upload("tool_handmade_nl.xlsx")
    pick = next(s for s in at.selectbox if s.key and s.key.startswith("scalepick:"))
    pick.set_value(choice).run()
    assert not at.exception, [e.message for e in at.exception]
    # The choice fills the Scale field; the file is checked on it, the suggestion is gone.
    assert at.text_input(key=key_of(at, "scale:")).value == choice
    assert not any("Which scale" in w for w in texts(at.warning))
    assert f"Scale: {choice.replace('-', '–')} (declared)" in texts(at.caption)
    button = import_button(at)
    assert not button.disabled
    button.click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("6" in s.value for s in at.success)  # 6 marks imported
    assert stored_means(tmp_path) == means


def test_qualtrics_export_named_left_out_counted_and_unfinished_switch(upload):
    at = upload("tool_qualtrics_3rows.csv", lang="nl")
    assert not at.exception, [e.message for e in at.exception]
    # Qualtrics has no network column: the coach gives it.
    assert "Netwerk" in texts(at.error)[0]  # the missing column, in the page's words
    at.text_input(key=key_of(at, "net:")).input("Rekenen").run()
    assert "Gelezen als: een Qualtrics-export, csv, utf-8, scheidingsteken ','" in texts(at.caption)
    assert texts(at.info) == [
        "2 antwoord(en) buiten de import gelaten: 1 voorbeeld van de enquête (preview), 1 niet afgemaakt"]
    box = at.checkbox(key=key_of(at, "unfinished:"))
    assert box.label == "Ook onvoltooide antwoorden meenemen" and not box.value
    box.check().run()
    assert not at.exception, [e.message for e in at.exception]
    assert texts(at.info) == ["1 antwoord(en) buiten de import gelaten: 1 voorbeeld van de enquête (preview)"]


def test_import_stores_what_the_page_checked_without_reading_the_file_again(upload, monkeypatch, tmp_path):
    """The Data page checks a file once; its Import stores those checked rows (issue 17: one validation)."""
    from analytics.ingest import importer

    streamlit.cache_data.clear()  # a check cached by another test would hold a token already used
    reads = []
    real = importer.read_file
    monkeypatch.setattr(importer, "read_file", lambda *a, **k: reads.append(1) or real(*a, **k))
    try:
        at = upload("tool_handmade_nl.xlsx")
        at.selectbox(key=key_of(at, "scalepick:")).set_value("1-5").run()
        before = len(reads)
        assert before >= 1
        import_button(at).click().run()
        assert not at.exception, [e.message for e in at.exception]
        assert any("6" in s.value for s in at.success)
        assert len(reads) == before  # stored from the check: the file was not read again
        assert stored_means(tmp_path) == [("1a", 3, round(8 / 12, 4)), ("1b", 3, round(6 / 12, 4))]
    finally:
        importer.drop_kept_checks()
