"""The shipped Dimensions extended with a network's own items, without editing them (issue 15).

``tests/files/dimensions_plus.toml`` adds 3d (in the shipped dimension 3) and 5a (in its own dimension 5). The
shipped items' marks are stored under ``dimensions`` (comparable with every other network), the own items' under
the extension's id; reading the extension reads both. Marks on 0-10, positions = mark / 10, by hand."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import FILES

from analytics.definitions import (
    FrameworkError,
    default_framework,
    frameworks_dir,
    load_framework_file,
    parse_framework,
    save_framework,
)
from analytics.ingest import importer
from analytics.live import answers as live_answers
from analytics.live import closing as live_closing
from analytics.live import rounds as live_rounds
from analytics.live import tokens as live_tokens
from analytics.measures import dimensions as dims
from analytics.store import database as store
from analytics.store.db import rows

EXT = "rekenen_plus"
SHIPPED = default_framework().codes


def ext():
    return load_framework_file(FILES / "dimensions_plus.toml")


def test_an_extension_is_the_shipped_instrument_plus_its_own_items():
    fw = ext()
    assert fw.extends == "dimensions" and fw.stored_ids == (EXT, "dimensions")
    assert fw.codes == [*SHIPPED, "3d", "5a"]
    assert [d.code for d in fw.dimensions] == ["1", "2", "3", "4", "5"]
    assert fw.dimension_of("3d") == "3" and fw.indicator("1a") == default_framework().indicator("1a")
    assert (fw.stored_under("1a"), fw.stored_under("3d"), fw.stored_under("5a")) == ("dimensions", EXT, EXT)
    assert default_framework().stored_under("1a") == "dimensions"  # the shipped one is no extension


@pytest.mark.parametrize(("change", "message"), [
    ({"extends": "other"}, "can only name the shipped instrument 'dimensions'"),
    ({"indicators": [{"code": "1a", "dimension": "1", "name": "x", "left": "l", "right": "r"}]},
     "indicator code '1a' is already one of 'dimensions'"),
    ({"dimensions": [{"code": "3", "name": "Eigen 3"}]}, "dimension 3 is already one of 'dimensions'"),
    ({"indicators": []}, "no [[indicators]]"),
    ({"scale": [0, 10]}, "an extension uses each file's own scale"),
])
def test_an_extension_that_would_change_the_shipped_items_is_refused(change, message):
    import tomllib

    raw = tomllib.loads((FILES / "dimensions_plus.toml").read_text(encoding="utf-8")) | change
    with pytest.raises(FrameworkError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_framework(raw, "plus.toml")


@pytest.fixture
def plus_db(tmp_path):
    path = tmp_path / "plus.duckdb"
    save_framework(FILES / "dimensions_plus.toml", frameworks_dir(path))
    con = store.connect(path)
    yield con
    con.close()


def test_an_import_stores_shipped_items_under_the_shipped_instrument_and_reading_the_extension_reads_both(
        plus_db, tmp_path):
    f = tmp_path / "plus.csv"
    f.write_text("network,date,participant_id,3a (0-10),3b (0-10),3c (0-10),3d (0-10),5a (0-10)\n"
                 "Rekenen,2025-03-01,P1,2,4,6,8,10\n"
                 "Rekenen,2025-03-01,P2,4,4,4,6,0\n"
                 "Rekenen,2025-03-01,P3,6,8,2,10,5\n", encoding="utf-8")
    assert importer.import_file(plus_db, f, framework=ext()).status == "imported"
    got = dict(rows(plus_db, "SELECT indicator, any_value(framework) FROM dimension_scores GROUP BY 1"))
    assert got == {"3a": "dimensions", "3b": "dimensions", "3c": "dimensions", "3d": EXT, "5a": EXT}

    shipped = dims.indicator_stats(plus_db, dims.Filters(networks=("Rekenen",)), by="dimension", min_group=3)
    # dimension 3 of the shipped instrument: per respondent mean of 3a 3b 3c -> .4, .4, .533..; mean .4444..
    assert shipped.set_index("code").loc["3", "mean"] == pytest.approx((0.4 + 0.4 + 16 / 30) / 3, abs=1e-12)

    fw = ext()
    plus = dims.indicator_stats(plus_db, dims.Filters(networks=("Rekenen",), framework=EXT), by="dimension",
                                framework=fw, min_group=3).set_index("code")
    # the extension's dimension 3 adds 3d: per respondent (2+4+6+8)/40=.5, (4+4+4+6)/40=.45, (6+8+2+10)/40=.65
    assert plus.loc["3", "mean"] == pytest.approx((0.5 + 0.45 + 0.65) / 3, abs=1e-12)
    assert plus.loc["5", "mean"] == pytest.approx((1.0 + 0.0 + 0.5) / 3, abs=1e-12)
    items = dims.indicator_stats(plus_db, dims.Filters(networks=("Rekenen",), framework=EXT), framework=fw,
                                 min_group=3)
    assert sorted(items["code"]) == ["3a", "3b", "3c", "3d", "5a"]


def test_a_live_round_with_the_extension_asks_all_items_and_stores_them_apart(plus_db):
    people = "participant_id,name,network\n" + "".join(f"P{i},Persoon {i},Rekenen\n" for i in range(1, 4))
    assert importer.import_file(plus_db, people.encode(), file_name="people.csv", kind="participants").status \
        == "imported"
    rnd, _ = live_rounds.create_round(plus_db, "Rekenen", mode="named", on=date(2025, 3, 12),
                                      config=live_rounds.RoundConfig(framework=EXT))
    assert live_rounds.round_instrument(plus_db, rnd).codes == [*SHIPPED, "3d", "5a"]
    tokens = live_tokens.issue_personal_tokens(plus_db, rnd.round_id, ["P1", "P2", "P3"])
    for i, tok in enumerate(tokens.values()):
        live_answers.save_response(plus_db, rnd.round_id, tok, {"current": {"1a": 1 + i, "5a": 7 - i}},
                                   final=True, seq=0)
    import_id = live_closing.close_round(plus_db, rnd.round_id)
    got = rows(plus_db, """SELECT indicator, framework, count(*) FROM dimension_scores WHERE import_id = ?
                           GROUP BY 1, 2 ORDER BY 1""", [import_id])
    assert got == [("1a", "dimensions", 3), ("5a", EXT, 3)]
