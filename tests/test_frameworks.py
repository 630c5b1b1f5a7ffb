"""A network's own instrument, loaded from a definition file, works end to end: import, store, measure, draw."""

from __future__ import annotations

import pytest

from analytics.cli import main as cli
from analytics.definitions import (
    FrameworkError,
    default_framework,
    frameworks,
    frameworks_dir,
    save_framework,
)
from analytics.draw import charts
from analytics.measures import dimensions as dims
from analytics.store import database as store

OWN = """
id = "social-regulation"
[name]
nl = "Sociale regulatie"
en = "Social regulation"

[[dimensions]]
code = "P"
name = { nl = "Proces", en = "Process" }
[[dimensions]]
code = "Q"
name = { nl = "Product", en = "Product" }

[[indicators]]
code = "p1"
dimension = "P"
name = { nl = "Verbondenheid", en = "Connectedness" }
left = { nl = "Ieder voor zich", en = "Each on their own" }
right = { nl = "Sterk verbonden", en = "Strongly connected" }
[[indicators]]
code = "p2"
dimension = "P"
name = { nl = "Gelijkwaardigheid", en = "Equality" }
left = { nl = "Ongelijk", en = "Unequal" }
right = { nl = "Gelijkwaardig", en = "Equal" }
[[indicators]]
code = "q1"
dimension = "Q"
name = { nl = "Toegepaste waarde", en = "Applied value" }
left = { nl = "Niets toegepast", en = "Nothing applied" }
right = { nl = "Veel toegepast", en = "Much applied" }
"""


def test_default_framework_is_the_published_one():
    fw = default_framework()
    assert fw.codes == ["1a", "1b", "2a", "2b", "3a", "3b", "3c", "4a", "4b", "4c", "4d"]
    assert [d.code for d in fw.dimensions] == ["1", "2", "3", "4"]
    assert fw.indicator("3b").left["en"] == "Strong ties" and fw.indicator("3b").right["nl"] == "Zwakke relaties"
    assert fw.indicator("4a").left["nl"] == "Extern gestuurd"


def test_own_instrument_end_to_end(tmp_path):
    definition = tmp_path / "own.toml"
    definition.write_text(OWN, encoding="utf-8")
    scores = tmp_path / "scores.csv"
    scores.write_text("netwerk;datum;deelnemer;p1 (1-5);p2 (1-5);q1 (1-5)\n"
                      "Rekenen;10-03-2025;A;4;3;1\nRekenen;10-03-2025;B;3;3;3\nRekenen;10-03-2025;C;2;3;5\n",
                      encoding="utf-8")
    db = tmp_path / "own.duckdb"
    assert cli.main(["import", str(scores), "--db", str(db), "--framework", str(definition)]) == 0
    con = store.connect(db)
    fws = frameworks(frameworks_dir(db))
    assert set(fws) == {"dimensions", "social-regulation"}
    fw = fws["social-regulation"]
    f = dims.Filters(framework=fw.id)
    by_ind = dims.indicator_stats(con, f, framework=fw).set_index("code")
    assert by_ind.loc["p1", "mean"] == pytest.approx(0.5) and by_ind.loc["p1", "iqr"] == pytest.approx(0.25)
    assert by_ind.loc["q1", "iqr"] == pytest.approx(0.5)
    assert by_ind.loc["p2", "iqr"] == 0
    by_dim = dims.indicator_stats(con, f, by="dimension", framework=fw).set_index("code")
    assert by_dim.loc["P", "mean"] == pytest.approx(0.5) and by_dim.loc["Q", "n"] == 3
    assert dims.disagreement(dims.indicator_stats(con, f, framework=fw), top=1)["code"].tolist() == ["q1"]
    chart = charts.radar_chart(by_ind.reset_index(), axis_order=fw.codes, series_order=["2025-H1"],
                               pole_labels={i.code: (i.left["en"], i.right["en"]) for i in fw.indicators})
    assert "Strongly connected" in chart.to_json()
    # The default instrument's statistics are not mixed with it.
    assert dims.indicator_stats(con, dims.Filters()).empty


def test_broken_definitions_name_what_is_wrong(tmp_path):
    with pytest.raises(FrameworkError, match="dimension 'Z' is not defined"):
        save_framework(OWN.replace('dimension = "Q"', 'dimension = "Z"').encode(), tmp_path)
    with pytest.raises(FrameworkError, match="not valid TOML"):
        save_framework(b"id = ", tmp_path)
    with pytest.raises(FrameworkError, match="belongs to the shipped instrument"):
        save_framework(OWN.replace('id = "social-regulation"', 'id = "dimensions"').encode(), tmp_path)
    assert not list(tmp_path.glob("*.toml"))


def test_a_hostile_dimension_code_is_refused_and_could_not_reach_sql(tmp_path, con):
    hostile = "d' || (SELECT content FROM read_text('/etc/hostname')) || '"
    with pytest.raises(FrameworkError, match="dimension 1: code must be"):
        save_framework(OWN.replace('code = "P"', f'code = "{hostile}"').replace('dimension = "P"',
                                                                               f'dimension = "{hostile}"').encode(),
                       tmp_path)
    assert not list(tmp_path.glob("*.toml"))
    # Even a definition built past the parser keeps its text a literal: a quote cannot end the SQL string.
    from dataclasses import replace

    fw = default_framework()
    odd = replace(fw, indicators=tuple(replace(i, dimension="it's") for i in fw.indicators))
    dimension, order, known = dims._dimension_columns(odd)
    assert dimension.count("'it''s'") == len(fw.indicators)
    rows = con.execute(f"""SELECT {dimension}, {order} FROM (SELECT unnest(?) AS indicator) s WHERE {known}""",
                       [[*fw.codes, "not a code"]]).fetchall()
    assert rows == [("it's", n) for n in range(len(fw.indicators))]


def test_dimension_three_can_be_called_by_its_published_name(con):
    fw = default_framework()
    assert next(d for d in fw.dimensions if d.code == "3").name == {"nl": "Verbondenheid", "en": "Connectedness"}
    alt = default_framework(alt_names=True)
    three = next(d for d in alt.dimensions if d.code == "3")
    assert three.name == {"nl": "Collectieve identiteit", "en": "Collective identity"}
    # the others keep their names; indicators are untouched
    assert [d.name for d in alt.dimensions if d.code != "3"] == [d.name for d in fw.dimensions if d.code != "3"]
    assert alt.indicators == fw.indicators
    # the choice is stored per database
    assert store.alt_dimension_names(con) is False
    store.set_alt_dimension_names(con, True)
    assert store.alt_dimension_names(con) is True
    assert frameworks(None, store.alt_dimension_names(con))["dimensions"] == alt
