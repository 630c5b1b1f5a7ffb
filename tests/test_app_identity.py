"""The Data page's "Who is who" section through AppTest: a candidate pair is merged, then split again, and the
import report names the column that identifies people. (Fixtures as in test_app_data.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.ingest import importer
from analytics.store import database as store
from tests.test_app_data import full_errors, steady_navigation  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "tests" / "files"


@pytest.fixture
def two_waves_page(tmp_path, monkeypatch, steady_navigation, full_errors):  # noqa: F811
    """The Data page on a store holding the spring (Forms) and autumn (Google Forms) waves of Rekenen."""
    db = tmp_path / "app.duckdb"
    con = store.connect(db)
    for f in ("forms_nl_spring.csv", "google_forms_en_autumn.csv"):
        assert importer.import_file(con, FILES / f, network="Rekenen").status == "imported"
    codes = dict(con.execute("SELECT p.name, s.code FROM people p JOIN pseudonyms s USING (participant_id)")
                 .fetchall())
    con.close()
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")

    def make(lang: str = "en") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        at.switch_page("pages/data.py")
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return make, codes


def plain(markdown: str) -> str:
    """The text of a message whose names were escaped for Markdown (``ui.md``)."""
    return markdown.replace("\\", "")


def test_merge_then_split_a_candidate_pair(two_waves_page):
    make, codes = two_waves_page
    at = make()
    assert "Who is who" in [s.value for s in at.subheader]
    box = at.selectbox(key="pair_choice")
    # codes, not names, while pseudonymising (the default)
    assert box.options == [f"{codes['Jan de Vries']} / {codes['J. de Vries']} — same surname, compatible initials"] \
        or box.options == [f"{codes['J. de Vries']} / {codes['Jan de Vries']} — same surname, compatible initials"]
    assert "split_choice" not in [s.key for s in at.selectbox]
    at.button(key="merge_button").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.success) == 1 and "are now one person" in at.success[0].value
    assert "pair_choice" not in [s.key for s in at.selectbox]
    assert "No pairs that may be the same person." in [c.value for c in at.caption]
    # J. de Vries (stored later) became Jan de Vries (stored first)
    split = at.selectbox(key="split_choice")
    assert split.options == [f"{codes['J. de Vries']} → {codes['Jan de Vries']}"]
    at.button(key="split_button").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [plain(s.value) for s in at.success] == [f"'{codes['J. de Vries']}' is a person of their own again."]
    assert "split_choice" not in [s.key for s in at.selectbox]
    assert len(at.selectbox(key="pair_choice").options) == 1


def test_keep_a_pair_apart_and_names_when_not_pseudonymising(two_waves_page):
    make, _ = two_waves_page
    at = make()
    at.session_state["pseudonymise"] = False
    at.run()
    opts = at.selectbox(key="pair_choice").options
    assert opts in (["Jan de Vries / J. de Vries — same surname, compatible initials"],
                    ["J. de Vries / Jan de Vries — same surname, compatible initials"])
    at.button(key="apart_button").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [plain(s.value) for s in at.success] in (["'Jan de Vries' and 'J. de Vries' stay two people."],
                                                    ["'J. de Vries' and 'Jan de Vries' stay two people."])
    assert "pair_choice" not in [s.key for s in at.selectbox]
