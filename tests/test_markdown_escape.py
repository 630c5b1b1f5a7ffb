"""Text from data never becomes markdown: a wave label or a name written as a markdown image would make the
browser fetch that address. Every markdown element on the overview must show it as text."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics.ingest import importer
from analytics.store import database as store

ROOT = Path(__file__).resolve().parent.parent
IMG = "![w](http://127.0.0.1:9/wave.png)"
# an image or a link that markdown would act on: "![" / "](" not preceded by a backslash
ACTIVE = re.compile(r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(")


def test_wave_labels_and_names_from_data_stay_text_on_the_overview(tmp_path, monkeypatch):
    db = tmp_path / "x.duckdb"
    con = store.connect(db)
    people = tmp_path / "people.csv"
    people.write_text("participant_id,name,network,organisation,role\n"
                      + "".join(f"P{i},[Naam {i}](http://127.0.0.1:9/n.png),Net,School {i % 2},teacher\n"
                                for i in range(6)), encoding="utf-8")
    ties = tmp_path / "ties.csv"
    ties.write_text("network,source,target,wave\n" + "".join(f"Net,P{i},P{(i + 1) % 6},{IMG}\n" for i in range(6)),
                    encoding="utf-8")
    scores = tmp_path / "scores.csv"
    scores.write_text("network,participant_id,wave,1a (1-5),3a (1-5)\n"
                      + "".join(f"Net,P{i},{IMG},{1 + i % 5},{5 - i % 5}\n" for i in range(6)), encoding="utf-8")
    for p in (people, ties, scores):
        assert importer.import_file(con, p).status == "imported"
    con.close()
    monkeypatch.setenv("NETWERKLEREN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("pages/overview.py").run()
    assert not at.exception, [e.message for e in at.exception]
    texts = [m.value for m in [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]]
    assert any("127" in x and "wave" in x for x in texts), "the wave label should be on the page (as text)"
    active = [x for x in texts if ACTIVE.search(x)]
    assert not active, active
