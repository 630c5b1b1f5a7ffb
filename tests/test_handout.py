"""The slides handout: one page per slide in the slides' order, A4 landscape, no names when pseudonymised, the
slides' own numbers and rules, nothing loaded from outside; the CLI writes it, Chromium prints one page per
slide, and the Presentation page offers it."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from test_app_pages import run_page
from test_report import name_forms

from analytics.cli import main as cli
from analytics.demo import load as demo
from analytics.i18n import cycle_label, fmt_num, t
from analytics.measures import value_creation as vc
from analytics.store import database as store
from analytics.store.db import frame
from analytics.views import handout, report

ROOT = Path(__file__).resolve().parent.parent
NETWORK = "Rekenen"
#: A Rekenen participant, checked by hand: owner of the network's agreement and a person on its tie map.
KNOWN_NAME = "Hatice Kok"
HAS_CHROMIUM = Path("/usr/bin/chromium").exists()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("handout") / "demo.duckdb"
    con = store.connect(path)
    demo.load_demo(con)
    yield con, path
    con.close()


@pytest.fixture(scope="module")
def db_copy(demo_db, tmp_path_factory) -> Path:
    """A copy of the demo store for the CLI (which opens its database read-only, in its own connection)."""
    con, path = demo_db
    con.execute("CHECKPOINT").fetchall()
    copy = tmp_path_factory.mktemp("handout_cli") / "copy.duckdb"
    shutil.copy(path, copy)
    return copy


@pytest.fixture(scope="module")
def pseudonymised(demo_db) -> str:
    return handout.build_handout(demo_db[0], NETWORK)


@pytest.fixture(scope="module")
def names(demo_db) -> list[str]:
    """Participants' full names (people view). Short or one-word names could match ordinary words."""
    all_names = frame(demo_db[0], "SELECT DISTINCT name FROM people WHERE name IS NOT NULL")["name"].tolist()
    return [n for n in all_names if len(n) >= 6 and " " in n.strip()]


def slide_keys(doc: str) -> list[str]:
    return re.findall(r'<section class="page slide" id="slide-\w+" data-slide="(\w+)">', doc)


def section(doc: str, key: str) -> str:
    start = doc.index(f'data-slide="{key}"')
    return doc[start: doc.index("</section>", start)]


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def test_one_page_per_slide_in_the_slides_order(pseudonymised):
    doc = pseudonymised
    assert doc.startswith("<!DOCTYPE html>")
    assert slide_keys(doc) == list(handout.SLIDES) == ["dims", "shared", "values", "ties", "agreements", "notes",
                                                       "closing"]
    assert doc.count("<section") == len(handout.SLIDES) + 1  # the title page first
    assert doc.index('id="title"') < doc.index('data-slide="dims"')
    for i, key in enumerate(handout.SLIDES, 1):
        body = section(doc, key)
        assert f"<h2>{html.escape(t(f'present.slide_{key}', 'nl'))}</h2>" in body
        assert t("present.counter", "nl", i=i, n=len(handout.SLIDES)) in body
    # the page steps through the same list, so page and handout cannot drift apart
    assert "SLIDES = handout.SLIDES" in (ROOT / "pages" / "present.py").read_text(encoding="utf-8")
    ids = re.findall(r'\bid="([^"]+)"', doc)
    assert len(ids) == len(set(ids)), "SVG ids must be unique in the document"


def test_title_page_says_network_period_date_and_privacy(demo_db):
    import datetime as dt

    doc = handout.build_handout(demo_db[0], NETWORK, period="2025-H1", lang="en",
                                generated=dt.datetime(2026, 3, 2, 9, 30))
    title = doc[doc.index('id="title"'): doc.index("</section>")]
    assert f"<p class=network>{NETWORK}</p>" in title and "2025-H1" in title and "2026-03-02" in title
    assert html.escape(t("handout.pseudonymised", "en")) in title


def test_prints_a4_landscape(pseudonymised):
    assert re.search(r"@page\s*\{\s*size:\s*A4 landscape;", pseudonymised)
    assert "size: A4;" not in pseudonymised  # not the report's portrait page as well
    assert "break-after: page" in pseudonymised


def test_pseudonymised_handout_contains_no_participant_name(pseudonymised, names):
    decoded = html.unescape(pseudonymised)
    leaked = [n for n in names if any(f in pseudonymised or f in decoded for f in name_forms(n))]
    assert not leaked, leaked[:5]
    assert KNOWN_NAME in names
    assert re.search(r"\b[TSERCXO]-\d{3}\b", decoded)  # codes are shown instead: agreement owner, map


def test_names_show_when_asked(demo_db, pseudonymised):
    doc = handout.build_handout(demo_db[0], NETWORK, pseudonymise=False, lang="en")
    assert KNOWN_NAME in section(doc, "agreements") and KNOWN_NAME in section(doc, "ties")
    assert html.escape(t("handout.names_shown", "en")) in doc
    assert KNOWN_NAME not in pseudonymised


def test_shared_picture_is_withheld_below_the_minimum_group(demo_db, pseudonymised):
    assert "<svg" in section(pseudonymised, "shared")
    doc = handout.build_handout(demo_db[0], NETWORK, lang="en", min_group=1000)
    shared = section(doc, "shared")
    n = int(re.search(r"This selection has (\d+) respondents", shared).group(1))
    assert 0 < n < 1000
    assert t("dims.too_few", "en", n=n, min=1000) in shared
    assert "<svg" not in shared and "middle half of the marks" not in shared  # no picture, no starters


def test_funnel_numbers_are_value_creation_funnel(demo_db, pseudonymised):
    fd = vc.funnel(demo_db[0], vc.Filters(networks=(NETWORK,)))
    table = re.search(r'<table class="funnel">(.*?)</table>', section(pseudonymised, "values"), re.S).group(1)
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table)[1:]]
    assert [r[0] for r in rows] == [cycle_label(c, "nl") for c in fd["cycle"]]
    assert [r[1] for r in rows] == [fmt_num(v, "nl", 0) for v in fd["value"]]
    kept = ["—" if k != k else fmt_num(k * 100, "nl", 0) + " %" for k in fd["kept_share"]]
    assert [html.unescape(r[2]) for r in rows] == kept
    assert fd["value"].iloc[0] > 0


def test_handout_loads_nothing_from_outside(pseudonymised):
    doc = re.sub(r'\sxmlns(?::\w+)?="http://www\.w3\.org/[^"]*"', "", pseudonymised)
    assert "http://" not in doc and "https://" not in doc
    assert "<script" not in doc.lower() and "<iframe" not in doc.lower() and "<link" not in doc.lower()
    assert "@import" not in doc and "@font-face" not in doc
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', doc).group(1)
    assert "default-src 'none'" in csp and "script-src 'none'" in csp


def test_unknown_network_or_period_is_refused(demo_db):
    with pytest.raises(report.ReportError, match="unknown network"):
        handout.build_handout(demo_db[0], "Bestaat niet")
    with pytest.raises(report.ReportError, match="no data in period"):
        handout.build_handout(demo_db[0], NETWORK, period="1999-H1")


def test_cli_writes_the_handout(db_copy, tmp_path, capsys):
    out = tmp_path / "handout.html"
    code = cli.main(["handout", "--db", str(db_copy), "--network", NETWORK, "--lang", "en", "--out", str(out)])
    assert code == 0 and "handout written to" in capsys.readouterr().err
    doc = out.read_text(encoding="utf-8")
    assert slide_keys(doc) == list(handout.SLIDES) and '<html lang="en">' in doc
    assert KNOWN_NAME not in doc
    code = cli.main(["handout", "--db", str(db_copy), "--network", NETWORK, "--names", "--out", str(out)])
    assert code == 0 and KNOWN_NAME in out.read_text(encoding="utf-8")


def test_cli_refuses_an_unknown_network_and_writes_nothing(db_copy, tmp_path, capsys):
    out = tmp_path / "x.html"
    code = cli.main(["handout", "--db", str(db_copy), "--network", "Elders", "--out", str(out)])
    assert code == 2 and "unknown network 'Elders'" in capsys.readouterr().err
    assert not out.exists()


def test_pdf_without_chromium_says_how_to_install(monkeypatch):
    monkeypatch.setattr(report, "find_chromium", lambda: None)
    with pytest.raises(report.ReportError, match="apt-get install chromium"):
        handout.handout_pdf("<!DOCTYPE html><p>handout</p>", "en")


@pytest.mark.browser
@pytest.mark.skipif(not HAS_CHROMIUM, reason="Chromium is not installed (apt-get install chromium)")
def test_cli_prints_one_pdf_page_per_slide(db_copy, tmp_path, capsys):
    out = tmp_path / "handout.pdf"
    code = cli.main(["handout", "--db", str(db_copy), "--network", NETWORK, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    data = out.read_bytes()
    assert data[:4] == b"%PDF"
    assert pdf_pages(data) == len(handout.SLIDES) + 1  # the title page and one page per slide: nothing spills over


@pytest.fixture(scope="module")
def page_db(tmp_path_factory):
    return tmp_path_factory.mktemp("handout_page") / "demo.duckdb"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_presentation_page_offers_the_handout(page_db, monkeypatch, lang):
    at = run_page(page_db, monkeypatch, "pages/present.py", lang, network=NETWORK)
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("handout.download_html", lang) in labels
    if report.find_chromium():
        assert t("handout.download_pdf", lang) in labels
    else:
        assert any(c.value == t("present.no_pdf", lang) for c in at.caption)
    assert "Hand-out (PDF)" in t("handout.download_pdf", "nl") and "Handout (PDF)" in t("handout.download_pdf", "en")
    at = run_page(page_db, monkeypatch, "pages/present.py", lang, network=NETWORK, projector=True)
    assert not at.get("download_button")  # the projector shows the slide only


def test_the_tie_type_is_named_in_words_not_by_its_code(pseudonymised):
    ties = section(pseudonymised, "ties")
    assert "<strong>Kennisdeling</strong>" in ties and "knowledge_sharing" not in ties
