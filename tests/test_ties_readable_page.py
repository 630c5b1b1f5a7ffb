"""The Ties page's readable map (issue 16) in AppTest, in Dutch and English: who is named and why, find and
highlight, simplify the drawing while the measures keep describing the whole network."""

from __future__ import annotations

import re

import pytest
from test_app_pages import db, iframe_html, run_page  # noqa: F401  (db is a fixture)

from analytics.draw.tie_map import map_data


def widget(at, key: str):
    """The selectbox of ``key``; a box drawn under a per-language key (ui.synced_select) by its state key."""
    [w] = [s for s in at.selectbox if s.key == key or s.key in (f"_{key}_nl", f"_{key}_en")]
    return w


def metric(at, label: str) -> str:
    return [m.value for m in at.metric if m.label == label][0]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_caption_names_exactly_the_people_the_map_names(db, monkeypatch, lang):  # noqa: F811
    at = run_page(db, monkeypatch, "pages/ties.py", lang, network="Rekenen")
    assert widget(at, "ties_find").label == {"nl": "Zoek en markeer iemand", "en": "Find and highlight someone"}[lang]
    assert widget(at, "ties_simplify").label == {"nl": "Vereenvoudig de tekening", "en": "Simplify the drawing"}[lang]
    data = map_data(iframe_html(at))
    pinned = [data["labels"][i] if data["labels"] else data["ids"][i] for i in data["pins"]]
    assert 5 <= len(pinned) <= 10  # five most named and five brokers, some of them both
    start = {"nl": "Met naam op de kaart", "en": "Named on the map"}[lang]
    [caption] = [c.value for c in at.caption if c.value.startswith(start)]
    listed = re.findall(r"\(([^()]*)\)", caption)  # "(most named: a, b) ... (highest betweenness: c, d)"
    names = {n.split(": ")[-1].replace("\\", "") for part in listed for n in part.split(", ")}  # md escapes
    assert names == set(pinned), (caption, pinned)
    assert data["focus"] is None and data["search"] is True


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_simplifying_changes_the_drawing_not_the_measures(db, monkeypatch, lang):  # noqa: F811
    ties_label = {"nl": "Relaties", "en": "Ties"}[lang]
    at = run_page(db, monkeypatch, "pages/ties.py", lang, network="Rekenen")
    all_ties = int(metric(at, ties_label))
    assert len(map_data(iframe_html(at))["edges"]) == 3 * all_ties
    options = widget(at, "ties_simplify").options
    assert len(options) in (2, 3)
    widget(at, "ties_simplify").set_value("backbone").run()
    assert not at.exception
    drawn = len(map_data(iframe_html(at))["edges"]) // 3
    assert 0 < drawn < all_ties
    assert int(metric(at, ties_label)) == all_ties  # the measures describe the whole network
    word = {"nl": "De kaart toont {} van de {} banden", "en": "The map shows {} of {} ties"}[lang]
    assert any(word.format(drawn, all_ties) in c.value for c in at.caption), \
        [c.value for c in at.caption]
    # the organisation view has nothing to simplify: the switch is off and the map draws every tie
    at.selectbox(key="ties_view").set_value("organisations").run()
    assert widget(at, "ties_simplify").disabled
    assert any(c.value == {"nl": "Vereenvoudigen geldt voor kaarten van personen, niet voor deze weergave.",
                           "en": "Simplifying applies to maps of people, not to this view."}[lang]
               for c in at.caption)


def test_strong_ties_only_shows_the_ties_at_or_above_the_threshold(db, monkeypatch):  # noqa: F811
    at = run_page(db, monkeypatch, "pages/ties.py", "en", network="Rekenen")
    assert widget(at, "ties_simplify").options == ["all ties", "strong ties only", "backbone"]
    widget(at, "ties_simplify").set_value("strong").run()
    data = map_data(iframe_html(at))
    all_ties = metric(at, "Ties")
    drawn = len(data["edges"]) // 3
    [caption] = [c.value for c in at.caption if "only ties of weight 3 or more" in c.value]
    assert f"The map shows {drawn} of {all_ties} ties" in caption
    # every drawn tie is a strong one: its style is the strong style's width or more
    assert all(data["styles"][s]["width"] >= 3.0 * 0.8 for s in data["edges"][2::3])


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_finding_someone_highlights_them_on_the_map(db, monkeypatch, lang):  # noqa: F811
    at = run_page(db, monkeypatch, "pages/ties.py", lang, network="Rekenen")
    finder = widget(at, "ties_find")
    assert finder.value == "" and finder.options[0] == {"nl": "niemand gemarkeerd", "en": "nobody highlighted"}[lang]
    data = map_data(iframe_html(at))
    # someone with ties: the most named person of the map
    who = data["ids"][data["pins"][0]]
    finder.set_value(who).run()
    assert not at.exception
    data = map_data(iframe_html(at))
    assert data["ids"][data["focus"]] == who
    start = {"nl": "Gemarkeerd: ", "en": "Highlighted: "}[lang]
    [caption] = [c.value for c in at.caption if c.value.startswith(start)]
    tied = {data["ids"][data["edges"][j + 1 - k]] for j in range(0, len(data["edges"]), 3) for k in (0, 1)
            if data["ids"][data["edges"][j + k]] == who}
    assert re.search(rf" {len(tied)} (mensen|people) ", caption), (caption, len(tied))
    # back to nobody: no focus
    widget(at, "ties_find").set_value("").run()
    assert map_data(iframe_html(at))["focus"] is None


def test_the_highlighted_person_and_the_find_box_follow_a_language_switch(db, monkeypatch):  # noqa: F811
    """The find box is drawn under a key per language: in a browser the box kept showing the Dutch label of its
    empty choice ("niemand gemarkeerd") after a switch to English. The choice itself survives the switch."""
    at = run_page(db, monkeypatch, "pages/ties.py", "nl", network="Rekenen")
    finder = widget(at, "ties_find")
    assert finder.key == "_ties_find_nl" and finder.options[0] == "niemand gemarkeerd"
    who = map_data(iframe_html(at))["ids"][map_data(iframe_html(at))["pins"][0]]
    finder.set_value(who).run()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    finder = widget(at, "ties_find")
    assert finder.key == "_ties_find_en" and finder.options[0] == "nobody highlighted" and finder.value == who
    data = map_data(iframe_html(at))
    assert data["ids"][data["focus"]] == who
