"""Importer messages in the page's language (issue 16): every problem with a file is a translation key with
parameters for the pages; the CLI keeps its English with its flags.

Each case below fails the way a user's file fails; the Dutch text must be Dutch (no English phrase from the
CLI's message, no command-line flag, no raw key, no unfilled ``{field}``), and the English page text must not
carry a flag either.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from analytics import i18n
from analytics.ingest import guard, importer
from analytics.ingest.mapping import MappingError, map_columns
from analytics.ingest.messages import OptionError, said_of

ROOT = Path(__file__).resolve().parent.parent
FLAG = re.compile(r"(?<![\w-])--[a-z]")
#: Phrases of the CLI's English that must not reach a Dutch page.
ENGLISH = re.compile(r"\b(was found|no column|the file|cannot|is no|rows? below|header|choose|map the|"
                     r"nothing was|already imported|unpacks|setting)\b", re.IGNORECASE)


def assert_dutch(text: str, english: str) -> None:
    assert text and text != english, f"not translated: {english!r}"
    assert not FLAG.search(text), text
    assert not ENGLISH.search(text), text
    assert "{" not in text and "msg." not in text and "None" not in text, text


def check(con, data: bytes, name: str, **kw) -> importer.ImportReport:
    return importer.validate_file(con, data, file_name=name, **kw)


CASES = {
    "missing network column": (b"source,target,date\nP1,P2,2025-03-01\n", "ties.csv", {"kind": "ties"},
                               "missing_column", "Netwerk"),
    "no period": (b"network,participant_id,1a,1b\nR,P1,3,4\n", "dims.csv", {}, "no_period", "meting"),
    "unknown kind": (b"foo,bar\n1,2\n", "x.csv", {}, "unknown_kind", "foo, bar"),
    "empty file": (b"", "leeg.csv", {}, "empty_file", "leeg"),
    "old excel": (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "oud.xls", {}, "xls", ".xls"),
    "not excel": (b"network,source\nR,P1\n", "nep.xlsx", {}, "not_xlsx", "Excel"),
    "binary": (bytes(range(256)) * 40, "bin.csv", {}, "binary", "binaire"),
    "no rows": (b"network,source,target,date\n", "kop.csv", {"kind": "ties"}, "no_rows", "geen rijen"),
    "open quote": (b'network,source,target,date\nR,P1,"P2,2025-03-01\nR,P3,P4,2025-03-01\n', "q.csv",
                   {"kind": "ties"}, "open_quote", "aanhalingsteken"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_file_is_said_in_dutch_on_the_page_and_in_english_on_the_cli(con, case):
    data, name, kw, key, dutch_word = CASES[case]
    r = check(con, data, name, **kw)
    assert r.status == "failed", r.message
    assert r.said is not None and r.said.key == key, (r.said, r.message)
    nl, en = i18n.report_message(r, "nl"), i18n.report_message(r, "en")
    assert nl.startswith(name) and dutch_word in nl, nl
    assert_dutch(nl, r.message)
    assert not FLAG.search(en), en
    assert r.to_dict()["message_code"]["code"] == key  # --json carries the key for other tools


def test_the_cli_message_keeps_its_flags(con):
    r = check(con, b"network,participant_id,1a,1b\nR,P1,3,4\n", "dims.csv")
    assert "(--date)" in r.message and "(--wave)" in r.message
    assert "vul hierboven de datum" in i18n.report_message(r, "nl")


def test_a_missing_column_is_named_in_the_page_words_for_it(con):
    r = check(con, b"source,target,date\nP1,P2,2025-03-01\n", "ties.csv", kind="ties")
    assert i18n.report_message(r, "nl") == (
        "ties.csv: geen kolom gevonden voor 'Netwerk'; koppel een kolom hieronder, of vul het veld erboven in als "
        "het voor het hele bestand geldt")
    assert r.message == "ties.csv: no column for 'network' was found"


def test_a_row_with_too_many_fields_names_row_and_reason_in_dutch(con):
    r = check(con, b"network,source,target,date\nR,P1,P2,2025-03-01\nR,P1,P2,2025-03-01,x,y\n", "t.csv",
              kind="ties")
    assert r.status == "failed" and r.said is not None and r.said.row == 3
    nl = i18n.report_message(r, "nl")
    assert nl.startswith("t.csv, rij 3: deze rij heeft 6 velden waar de kopregel er 4 heeft"), nl
    assert_dutch(nl, r.message)


def test_a_mapping_conflict_reason_is_dutch(con):
    data = b"network,who,whom,date\nR,P1,P2,2025-03-01\n"
    r = check(con, data, "t.csv", kind="ties", mapping_overrides={"who": "source", "whom": "source"})
    assert r.mapping_conflict is not None and r.mapping_conflict_said is not None
    nl = i18n.said_text(r.mapping_conflict_said, "nl", r.mapping_conflict[1])
    # the page puts it beside the column's own box, so it names no file or column of its own
    assert nl == "'Van (vraagt/leert)' is twee keer gekozen (ook voor kolom 'who'); kies het voor één kolom", nl
    assert_dutch(nl, r.mapping_conflict[1])


def test_mapping_errors_each_have_a_dutch_text():
    from analytics.definitions import default_framework

    fw = default_framework()
    cases = [({"a": "indicator:9z"}, "ties"), ({"a": "indicator:1a:someday"}, "dimension_scores"),
             ({"a": "cycle:1a"}, "ties"), ({"a": "nonsense"}, "ties"), ({"a": "indicator:1a"}, "ties")]
    for overrides, kind in cases:
        with pytest.raises(MappingError) as e:
            map_columns(["a", "b"], [], kind, fw, overrides)
        assert e.value.key, e.value
        assert_dutch(i18n.error_text(e.value, "nl"), str(e.value))


def test_option_errors_are_dutch():
    for call in (lambda: importer.normalise_kind("gibberish"), lambda: importer.parse_scale(["5-1"]),
                 lambda: importer.parse_scale(["abc"]), lambda: importer._date_order("ymd")):
        with pytest.raises(OptionError) as e:
            call()
        assert_dutch(i18n.error_text(e.value, "nl"), str(e.value))


def _bomb(unpacked_mb: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * (unpacked_mb * 1_000_000) + b"</a>")
    return buf.getvalue()


def test_a_guard_refusal_is_dutch_and_names_the_setting():
    with pytest.raises(guard.GuardError) as e:
        guard.check_bytes(_bomb(20), "bom.xlsx")
    nl = i18n.error_text(e.value, "nl")
    assert nl.startswith("bom.xlsx: pakt uit tot ") and "NETWERKLEREN_XLSX_MAX_RATIO" in nl, nl
    assert_dutch(nl.replace("NETWERKLEREN_XLSX_MAX_RATIO", ""), str(e.value))


def test_reader_notes_are_dutch_on_the_page_and_english_in_the_report(con):
    data = "Export van het formulier\n\nnetwork,participant_id,name\nR,P1,Anna\n".encode("cp1252")
    r = check(con, data, "p.csv", kind="participants")
    assert "skipped 2 line(s) above the header" in r.notes, r.notes
    texts = [i18n.note_text(n, "nl") for n in r.notes]
    assert "2 regel(s) boven de kopregel overgeslagen" in texts, texts


def test_every_message_key_in_the_sources_has_both_languages():
    """A key raised somewhere but missing from the translations would show the English fallback."""
    sources = "\n".join(p.read_text() for p in (ROOT / "analytics" / "ingest").glob("*.py"))
    keys = set(re.findall(r'\bkey="([a-z0-9_]+)"', sources)) | set(re.findall(r'\bSaid\("([a-z0-9_]+)"', sources))
    keys |= set(re.findall(r'OptionError\([^)]*?,\s*"([a-z0-9_]+)"', sources, re.DOTALL))
    notes = set(re.findall(r'Note\(f?"[^"]*",\s*"([a-z0-9_]+)"', sources))
    assert len(keys) >= 40 and len(notes) == 5, (len(keys), notes)
    for k in sorted(keys):
        entry = i18n._texts().get(f"msg.{k}")
        assert entry and entry.get("nl") and entry.get("en"), k
    for k in sorted(notes):
        assert i18n.has(f"notice.{k}"), k


def test_an_error_without_a_key_falls_back_to_its_english_text():
    e = ValueError("something else")
    assert said_of(e) is None and i18n.error_text(e, "nl") == "something else"


def test_a_note_survives_the_page_cache():
    """st.cache_data pickles the import report; a note lost its key there and the Data page crashed."""
    import pickle

    from analytics.ingest.messages import Note

    n = pickle.loads(pickle.dumps(Note("skipped 2 line(s) above the header", "skipped_lines", n=2)))
    assert n == "skipped 2 line(s) above the header" and n.key == "skipped_lines" and n.params == {"n": 2}
    assert i18n.note_text(n, "nl") == "2 regel(s) boven de kopregel overgeslagen"
