"""Agreements and interventions linked to an own instrument's indicator (issue 15: an own instrument reaches the
loop like the shipped one). Link code ``instrument:code``; numbers by hand, positions = mark / 10."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analytics.definitions import DEFINITIONS_DIR, frameworks_dir, own_link_names, save_framework, split_link
from analytics.ingest import importer
from analytics.store import agreements as agr
from analytics.store import database as store
from analytics.store import interventions as itv
from analytics.views import loop

OWN = "social_regulation"


@pytest.fixture
def own_db(tmp_path: Path):
    path = tmp_path / "own.duckdb"
    fw = save_framework(DEFINITIONS_DIR / "social_regulation.toml", frameworks_dir(path))
    con = store.connect(path)
    f = tmp_path / "own.csv"
    # p1: 2025-H1 marks 2 4 6 (mean .4), 2025-H2 marks 6 8 10 (mean .8)
    f.write_text("network,date,participant_id,p1 (0-10),r1 (0-10)\n"
                 "R,2025-03-01,P1,2,5\nR,2025-03-01,P2,4,5\nR,2025-03-01,P3,6,5\n"
                 "R,2025-10-01,P1,6,5\nR,2025-10-01,P2,8,5\nR,2025-10-01,P3,10,5\n", encoding="utf-8")
    assert importer.import_file(con, f, framework=fw).status == "imported"
    yield con
    con.close()


def test_link_codes_name_the_instrument():
    from analytics.definitions import default_framework

    names = own_link_names({"dimensions": default_framework(), OWN: _example()})
    assert names[f"{OWN}:p1"] == {"nl": "Sociale regulatie (voorbeeld): p1 Verbondenheid",
                                  "en": "Social regulation (example): p1 Connectedness"}
    assert f"{OWN}:P" in names and "3b" not in names  # the shipped instrument keeps its plain codes
    assert split_link(f"{OWN}:p1") == (OWN, "p1") and split_link("3b") == (None, "3b")


def _example():
    from analytics.definitions import load_framework_file

    return load_framework_file(DEFINITIONS_DIR / "social_regulation.toml")


def test_an_agreement_on_an_own_indicator_comes_back_with_before_and_after(own_db):
    agr.add(own_db, "R", dt.date(2025, 5, 1), "Meer vaste koppels", indicators=[f"{OWN}:p1", "3b"])
    (rec,) = loop.agreement_records(own_db, min_group=3)
    own = next(f for f in rec["figures"] if f["code"] == f"{OWN}:p1")
    assert own["before"]["period"] == "2025-H1" and own["before"]["value"] == pytest.approx(0.4, abs=1e-12)
    assert own["after"]["period"] == "2025-H2" and own["after"]["value"] == pytest.approx(0.8, abs=1e-12)
    assert own["change"] == pytest.approx(0.4, abs=1e-12)
    # 95% percentile-bootstrap interval of 3 respondents: each extreme resample (all three the lowest, or all
    # the highest) has chance 1/27 = 3.7% > 2.5%, so the interval runs from the lowest to the highest mark
    assert loop.figure_line(own, "en") == \
        "Social regulation (example): p1 Connectedness: 0.40 [0.20–0.60] (2025-H1) → 0.80 [0.60–1.00] (2025-H2)"
    shipped = next(f for f in rec["figures"] if f["code"] == "3b")
    assert "names" not in shipped and shipped["before"] is None  # no Dimensions marks in this store


def test_an_intervention_on_an_own_dimension_shows_its_mean(own_db):
    itv.add(own_db, "Gezamenlijke lunch", dt.date(2025, 5, 1), networks=["R"], indicators=[f"{OWN}:R"])
    (rec,) = loop.intervention_records(own_db, min_group=3)
    (f,) = rec["per_network"][0]["figures"]
    # dimension R here is r1 alone: 5/10 in both periods
    assert (f["before"]["value"], f["after"]["value"], f["change"]) == (pytest.approx(0.5), pytest.approx(0.5), 0)
    assert f["names"]["nl"] == "Sociale regulatie (voorbeeld): R Productaspecten"


def test_unknown_own_codes_are_refused_and_an_in_memory_store_knows_none(own_db, con):
    with pytest.raises(agr.AgreementError, match="unknown indicator 'social_regulation:p9'"):
        agr.add(own_db, "R", dt.date(2025, 5, 1), "x", indicators=[f"{OWN}:p9"])
    with pytest.raises(agr.AgreementError, match="unknown indicator 'social_regulation:p1'"):
        agr.add(con, "R", dt.date(2025, 5, 1), "x", indicators=[f"{OWN}:p1"])


def test_an_edit_keeps_a_link_whose_instrument_file_has_gone(own_db):
    aid = agr.add(own_db, "R", dt.date(2025, 5, 1), "Meer vaste koppels", indicators=[f"{OWN}:p1"])
    (frameworks_dir(Path(own_db.execute("SELECT path FROM duckdb_databases() WHERE database_name = "
                                        "current_database()").fetchone()[0])) / f"{OWN}.toml").unlink()
    assert agr.edit(own_db, aid, status="done") == 2
    (rec,) = loop.agreement_records(own_db, min_group=3)
    assert rec["status"] == "done" and rec["figures"][0]["before"] is None  # no instrument: no figures


def test_the_report_shows_an_own_instruments_latest_means(own_db):
    from analytics.views.report import build_report

    html = build_report(own_db, networks=["R"], lang="nl", min_group=3)
    head = html.index("<h3>Sociale regulatie (voorbeeld) (2025-H2)</h3>")
    table = html[head: html.index("</table>", head)]
    # 2025-H2: P is p1 alone (6 8 10 -> .8), R is r1 alone (5 5 5 -> .5), three respondents each
    assert "<td>P Procesaspecten</td><td class=num>3</td><td class=num>0,80</td>" in table
    assert "<td>R Productaspecten</td><td class=num>3</td><td class=num>0,50</td>" in table
