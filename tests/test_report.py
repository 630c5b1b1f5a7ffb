"""The standalone HTML report: names stay out when pseudonymised, nothing loads from outside, data is escaped,
the CLI writes it, and Chromium prints it to PDF."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.demo import load as demo
from analytics.demo import sample
from analytics.draw.tie_map import _vis_assets, map_data, map_records
from analytics.ingest.importer import import_file
from analytics.store import database as store
from analytics.store import notes
from analytics.store.db import frame
from analytics.views import report

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<script>alert(1)</script>"


def name_forms(name: str) -> set[str]:
    """How a name can appear in the file: as is, HTML-escaped, JSON-escaped (tie map data), and both."""
    j = json.dumps(name)[1:-1]
    return {name, html.escape(name), j, html.escape(j)}


def srcdocs(doc: str) -> list[str]:
    """The documents inside the report's iframes, unescaped as the browser reads them."""
    return [html.unescape(s) for s in re.findall(r'srcdoc="([^"]*)"', doc)]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "demo.duckdb"
    con = store.connect(path)
    demo.load_demo(con)
    yield con, path
    con.close()


@pytest.fixture(scope="module")
def names(demo_db) -> list[str]:
    """Participants' full names (people view). Short or one-word names could match ordinary words."""
    con, _ = demo_db
    all_names = frame(con, "SELECT DISTINCT name FROM people WHERE name IS NOT NULL")["name"].tolist()
    return [n for n in all_names if len(n) >= 6 and " " in n.strip()]


@pytest.fixture(scope="module")
def pseudonymised(demo_db) -> str:
    con, _ = demo_db
    return report.build_report(con, pseudonymise=True, lang="nl")


def test_the_demo_has_names_to_hide(names):
    assert len(names) > 150  # ~200 participants plus people from outside the list


def test_pseudonymised_report_contains_no_participant_name(pseudonymised, names):
    decoded = html.unescape(pseudonymised)
    leaked = [n for n in names if any(f in pseudonymised or f in decoded for f in name_forms(n))]
    assert not leaked, leaked[:5]
    assert re.search(r"\b[TSERCXO]-\d{3}\b", decoded)  # codes are shown instead


def test_pseudonymised_tie_maps_carry_no_names_in_ids_or_tooltips(pseudonymised, names):
    docs = srcdocs(pseudonymised)
    assert len(docs) == len(sample.STORY_NETWORKS) == 5  # one map per demo network
    for d in docs:
        nodes, _ = map_records(map_data(d))  # the records the page hands vis-network
        assert nodes
        for n in nodes:
            assert re.fullmatch(r"[A-Z]-\d{3}(·\d+)?", str(n["id"])), n["id"]
            assert not any(name in n["title"] for name in names)
    # people from outside the participant list have their name as id in the store: never in the map
    assert "Bakker (lector)" not in "".join(docs)


def test_map_runtime_is_in_the_report_once(pseudonymised):
    """vis-network (its JS and its CSS) once per report, not once per map: the first map shares them."""
    docs = srcdocs(pseudonymised)
    js, css = (str(x) for x in _vis_assets())
    assert sum(d.count(css) for d in docs) == 1 and css in docs[0]
    probe = js[1000:1200]  # a stretch of the minified library, as it appears escaped in the srcdoc attribute
    assert pseudonymised.count(html.escape(probe, quote=True)) == 1
    assert sum(d.count(js) for d in docs) == 1
    assert js in docs[0] and "tieMapWhenReady(" not in docs[0]
    assert all("tieMapWhenReady(" in d and js not in d for d in docs[1:])
    # the borrowed runtime may run: its hash is in the report's policy
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    assert f"'sha256-{digest}'" in pseudonymised


def test_report_loads_nothing_from_outside(pseudonymised):
    for doc in [pseudonymised, *srcdocs(pseudonymised)]:
        assert not re.search(r"""\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", doc, re.I)
        assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", doc, re.I)
        assert "<script src" not in doc.lower()
        assert "@import" not in doc
    assert "<script" not in pseudonymised.lower()  # the report itself runs nothing; the maps are in srcdoc
    assert "<link" not in pseudonymised.lower()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', pseudonymised).group(1)
    assert "default-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert csp.count("'sha256-") >= 5  # vis-network, the refit, and the data of the four maps


def test_report_structure(pseudonymised):
    doc = pseudonymised
    assert doc.startswith("<!DOCTYPE html>")
    for net in ("Hoogbegaafdheid", "Onderzoekend leren", "Rekenen", "Zelfregulerend leren", "Nieuwkomersonderwijs"):
        assert f"<h2>{net}</h2>" in doc
    assert doc.count('class="network"') == 5
    assert doc.count("<svg") == 3 * 5  # per network (five in the demo): radar over time, indicator radar, funnel
    assert doc.count('sandbox="allow-scripts"') == 5 and "allow-same-origin" not in doc  # a tie map each
    assert "participants.csv" in doc and "ties.csv" in doc  # the data sources
    assert "Vragen voor het overleg" in doc  # the signals
    assert "break-before: page" in doc
    ids = re.findall(r'\bid="([^"]+)"', doc)
    assert len(ids) == len(set(ids)), "SVG ids must be unique in the document"


def test_report_without_pseudonyms_shows_names(demo_db, names):
    con, _ = demo_db
    doc = report.build_report(con, networks=["Rekenen"], pseudonymise=False, lang="en")
    members = set(frame(con, "SELECT p.name FROM people p JOIN memberships m USING (participant_id) "
                             "WHERE m.network = 'Rekenen'")["name"])
    shown = [n for n in names if n in members and any(f in doc for f in name_forms(n))]
    assert len(shown) >= len(members) // 2, (len(shown), len(members))
    assert html.escape("this report contains participants' names") in doc
    assert "<h2>Hoogbegaafdheid</h2>" not in doc


def test_report_in_english(demo_db):
    con, _ = demo_db
    doc = report.build_report(con, networks=["Rekenen"], period="2025-H1", lang="en")
    assert '<html lang="en">' in doc
    assert "Dimensions of social learning" in doc and "Learning ties in 2025-H1" in doc
    assert "indicators in 2025-H1" in doc


def test_unknown_network_or_period_is_refused(demo_db):
    con, _ = demo_db
    with pytest.raises(report.ReportError, match="unknown network"):
        report.build_report(con, networks=["Bestaat niet"])
    with pytest.raises(report.ReportError, match="unknown period"):
        report.build_report(con, period="1999-H1")


def test_names_in_free_text_become_codes(demo_db):
    con, _ = demo_db
    name, code = frame(con, """SELECT p.name, s.code FROM people p JOIN pseudonyms s USING (participant_id)
                               JOIN memberships m USING (participant_id) WHERE m.network = 'Rekenen'
                               ORDER BY p.participant_id LIMIT 1""").iloc[0]
    note = notes.add(con, "Rekenen", "2026-03-01", f"{name} liet zien hoe het werkt.", None)
    try:
        doc = report.build_report(con, networks=["Rekenen"], pseudonymise=True)
        assert name not in doc and f"{code} liet zien hoe het werkt." in doc
        scrub = report.NameScrubber(con, True)
        assert scrub(f"met {name.upper()}, en {name}s") == f"met {code}, en {name}s"  # whole names only
        assert report.NameScrubber(con, False)(f"{name} liet zien") == f"{name} liet zien"
    finally:
        notes.remove(con, note)


def test_text_from_data_is_escaped(tmp_path):
    con = store.connect(tmp_path / "hostile.duckdb")
    try:
        (tmp_path / "participants.csv").write_text(
            "participant_id,name,network,organisation,role\n"
            f'H1,Anna Vos,"{HOSTILE}",School <b>A</b>,teacher\n'
            f'H2,Bram Kok,"{HOSTILE}",School B,teacher\n'
            f'H3,Cor Smit,"{HOSTILE}",School B,coach\n', encoding="utf-8")
        (tmp_path / "values.csv").write_text(
            "network,participant_id,date,cycle,indicator,description,evidence\n"
            f'"{HOSTILE}",H1,2025-03-01,immediate,x,"{HOSTILE} verhaal","<img src=x onerror=alert(2)>"\n'
            f'"{HOSTILE}",H2,2025-03-02,potential,x,"nog een verhaal",\n', encoding="utf-8")
        (tmp_path / "ties.csv").write_text(
            "network,source,target,date,weight\n"
            f'"{HOSTILE}",H1,H2,2025-03-01,3\n"{HOSTILE}",H2,H3,2025-03-01,1\n'
            f'"{HOSTILE}",H3,"{HOSTILE} extern",2025-03-01,1\n', encoding="utf-8")
        for f in ("participants.csv", "values.csv", "ties.csv"):
            r = import_file(con, tmp_path / f)
            assert r.status == "imported", (f, r.message)
        notes.add(con, HOSTILE, "2025-03-05", HOSTILE, "ok")
        for pseudo in (True, False):
            doc = report.build_report(con, pseudonymise=pseudo)
            assert "<script" not in doc.lower()
            assert "<img" not in doc.lower() and "<b>" not in doc
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc  # shown as text: heading, story, note
            assert "&lt;img src=x onerror=alert(2)&gt;" in doc
            for d in srcdocs(doc):  # inside the map, labels are JSON with < escaped
                data = d[d.index("new vis.DataSet"):]
                assert "<script>alert" not in data and "<b>" not in data
                assert "\\u003cscript\\u003e" in data or "\\u003cb\\u003e" in data
    finally:
        con.close()


def test_cli_writes_the_report(demo_db, tmp_path):
    con, path = demo_db
    con.execute("CHECKPOINT").fetchall()
    db = tmp_path / "copy.duckdb"
    shutil.copy(path, db)
    out = tmp_path / "x.html"
    proc = subprocess.run(
        [sys.executable, "-m", "analytics", "report", "--db", str(db), "--pseudonymise", "--network", "Rekenen",
         "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = out.read_text(encoding="utf-8")
    assert "<h2>Rekenen</h2>" in doc and "report written to" in proc.stderr


@pytest.mark.skipif(report.find_chromium() is None, reason="Chromium is not installed (apt-get install chromium)")
def test_pdf(demo_db, tmp_path):
    con, _ = demo_db
    path = report.write_report(con, tmp_path / "r.html", networks=["Rekenen"], pdf=True)
    assert path == tmp_path / "r.html" and path.exists()
    data = (tmp_path / "r.pdf").read_bytes()
    assert data[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 3


def test_pdf_without_chromium_says_how_to_install(demo_db, tmp_path, monkeypatch):
    con, _ = demo_db
    monkeypatch.setattr(report, "find_chromium", lambda: None)
    monkeypatch.setattr(report, "build_report", lambda *a, **k: "<!DOCTYPE html><p>report</p>")
    with pytest.raises(report.ReportError, match="apt-get install chromium"):
        report.write_report(con, tmp_path / "r.html", networks=["Rekenen"], pdf=True)
    assert (tmp_path / "r.html").exists()  # the HTML is written first


def test_progress_is_reported_per_network(demo_db):
    con, _ = demo_db
    seen: list[tuple[float, str]] = []
    report.build_report(con, networks=["Rekenen", "Hoogbegaafdheid"], progress=lambda share, what: seen.append((share, what)))
    assert [w for _, w in seen] == ["Rekenen", "Hoogbegaafdheid", ""]
    shares = [s for s, _ in seen]
    assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0


def test_dimension_figures_of_all_networks_are_each_networks_own(demo_db):
    """The report reads every network's statistics from two queries over all networks; a network's rows are
    exactly what a query of that network alone gives (means, quartiles, intervals, suppression)."""
    import pandas as pd

    from analytics.measures import dimensions as dims

    con, _ = demo_db
    nets = report._network_names(con)
    over_time, indicators = report.dimension_figures(con, nets, 5)
    assert set(over_time["network"]) == set(nets) and over_time["ci_low"].notna().any()
    for net in nets:
        alone = dims.indicator_stats(con, dims.Filters(networks=(net,), situation="current"), by="dimension",
                                     min_group=5, with_ci=True)
        pd.testing.assert_frame_equal(report._of(over_time, network=net), alone)
        last = alone["period"].iloc[-1]
        alone_ind = dims.indicator_stats(con, dims.Filters(networks=(net,), periods=(last,), situation="current"),
                                         by="indicator", min_group=5, with_ci=True)
        pd.testing.assert_frame_equal(report._of(indicators, network=net, period=last), alone_ind)
