"""Privacy and start-up edges (issue 18): the stories download follows the names switch; names in free text
are replaced only with the names of the network the text belongs to; a locked store, a full disk or read-only
media give the app's own message at start, not Streamlit's generic error."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import streamlit
from helpers import load
from streamlit.testing.v1 import AppTest

from analytics import privacy
from analytics.measures import value_creation as vc

ROOT = Path(__file__).resolve().parent.parent


def _stories_download(tmp_path, monkeypatch, names_shown: bool) -> pd.DataFrame:
    """Run the Values page with the names switch as given, then make the stories file the way Streamlit
    does: after the script run, outside it."""
    captured = {}
    real = streamlit.download_button

    def spy(label, data=None, *args, **kwargs):
        if kwargs.get("key") == "dl_stories":
            captured["data"] = data
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", spy)
    monkeypatch.setenv("NETWERKLEREN_DB", str(tmp_path / "demo.duckdb"))
    monkeypatch.delenv("NETWERKLEREN_NO_DEMO", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["pseudonymise"] = not names_shown
    at.session_state["network"] = "Hoogbegaafdheid"
    at.run()
    at.switch_page("pages/values.py").run()
    assert not at.exception, [e.message for e in at.exception]
    data = captured["data"]
    body = data() if callable(data) else data
    return pd.read_csv(io.BytesIO(body), encoding="utf-8-sig")


def test_stories_download_shows_names_when_the_switch_is_off(tmp_path, monkeypatch):
    df = _stories_download(tmp_path, monkeypatch, names_shown=True)
    who = df["Participant"].dropna()
    assert len(who) > 10
    assert not who.str.fullmatch(r"[A-Z]-\d{3}").any()  # no codes: the names the table shows
    assert who.str.contains(" ").all()  # first and last names


def test_stories_download_shows_codes_by_default(tmp_path, monkeypatch):
    df = _stories_download(tmp_path, monkeypatch, names_shown=False)
    assert df["Participant"].dropna().str.fullmatch(r"[A-Z]-\d{3}").all()


PEOPLE = """participant_id,name,network,role
P1,Anouk Bakker,A,teacher
P2,Femke Visser,B,teacher
P3,Joris Smit,A,teacher
"""
VALUES = """network,participant,date,cycle,description
A,P3,2025-03-01,immediate,Met Anouk Bakker en Femke Visser gesproken
B,P2,2025-03-02,immediate,Femke Visser vertelde over Anouk Bakker
"""


def test_name_replacement_stays_within_the_texts_network(con, tmp_path):
    load(con, tmp_path, "p.csv", PEOPLE)
    load(con, tmp_path, "v.csv", VALUES)
    codes = dict(con.execute("SELECT participant_id, code FROM pseudonyms").fetchall())
    scrub = privacy.NameScrubber(con, True)
    text = "Met Anouk Bakker en Femke Visser gesproken"
    assert scrub(text, "A") == f"Met {codes['P1']} en Femke Visser gesproken"
    assert scrub(text, "B") == f"Met Anouk Bakker en {codes['P2']} gesproken"
    assert scrub(text) == f"Met {codes['P1']} en {codes['P2']} gesproken"  # no network: every name
    stories = vc.stories(con, pseudonymise=True).set_index("network")["description"]
    assert stories["A"] == f"Met {codes['P1']} en Femke Visser gesproken"
    assert stories["B"] == f"{codes['P2']} vertelde over Anouk Bakker"


def test_events_read_only_the_shown_networks_names(con, tmp_path, monkeypatch):
    """The time axis' events of network A are scrubbed with A's names only (beside a 200,000-person network,
    reading every name cost seconds per Ties page view); an event for all networks still counts every name."""
    from analytics.measures import timeline

    load(con, tmp_path, "p.csv", PEOPLE)
    load(con, tmp_path, "v.csv", VALUES)
    load(con, tmp_path, "e.csv", "network,date,label\nA,2025-03-05,Gesprek Anouk Bakker en Femke Visser\n")
    codes = dict(con.execute("SELECT participant_id, code FROM pseudonyms").fetchall())
    asked = []
    real = timeline.NameScrubber
    monkeypatch.setattr(timeline, "NameScrubber", lambda c, p, networks=None: asked.append(networks) or real(c, p, networks))
    ev = timeline.events(con, ("A",), pseudonymise=True)
    assert asked == [["A"]]
    assert ev["label"].tolist() == [f"Gesprek {codes['P1']} en Femke Visser"]
    load(con, tmp_path, "e2.csv", "network,date,label\n,2025-03-06,Studiedag met Femke Visser\n")
    ev = timeline.events(con, ("A",), pseudonymise=True)
    assert asked[-1] is None  # an event for every network: every name
    assert ev["label"].tolist() == [f"Gesprek {codes['P1']} en Femke Visser", f"Studiedag met {codes['P2']}"]


# ------------------------------------------------------------------------- start-up: a locked or full store


def _start(tmp_path, monkeypatch, db) -> AppTest:
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    monkeypatch.setenv("NETWERKLEREN_NO_DEMO", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    return at.run()


def test_locked_database_gives_the_apps_message(tmp_path, monkeypatch):
    """Another program (here: a second process) holds the file: the app says so and what to do."""
    import subprocess
    import sys

    db = tmp_path / "locked.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(120)", str(db)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"ready"
        at = _start(tmp_path, monkeypatch, db)
        assert not at.exception, [e.message for e in at.exception]
        [err] = at.error
        assert err.value.startswith("The database cannot be opened right now")
        assert "is in use by another program" in err.value and "nothing was changed or lost" in err.value
        assert not at.sidebar.selectbox  # no page was drawn
    finally:
        holder.kill()
        holder.wait()


def test_full_disk_gives_the_apps_message(tmp_path, monkeypatch):
    from analytics.store import database as store

    def full(path=None, read_only=False):
        raise store.StoreError(store.write_failure(str(path), OSError(28, "No space left on device")))

    monkeypatch.setattr(store, "connect", full)
    at = _start(tmp_path, monkeypatch, tmp_path / "full.duckdb")
    assert not at.exception, [e.message for e in at.exception]
    [err] = at.error
    assert "the disk is full (no space left on the device); free some space and try again." in err.value


def test_read_only_media_open_read_only_and_the_data_page_says_so(tmp_path, monkeypatch):
    from analytics.store import database as store

    db = tmp_path / "ro.duckdb"
    store.connect(db).close()
    real = store.connect

    def no_write(path=None, read_only=False):  # what a read-only disk does to a read-write open
        if not read_only:
            raise store.StoreError(f"{path} cannot be written (read-only disk or no permission).")
        return real(path, read_only=True)

    monkeypatch.setattr(store, "connect", no_write)
    at = _start(tmp_path, monkeypatch, db)
    assert not at.exception and not at.error
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("read-only disk or folder" in w.value for w in at.warning)
