"""Figures kept in the store per data version (analytics/store/computed.py): read back equal to a fresh
computation, never read for another data version, forgotten by an import, an undo, a merge and a change of
the period scheme, kept across a restart, and never a reason for an error."""

from __future__ import annotations

import math
import threading

import numpy as np
import pandas as pd
import pytest

from analytics.decisions import STRONG_TIE_MIN_WEIGHT
from analytics.demo.load import load_demo
from analytics.draw.layout import layout
from analytics.ingest import identity, importer
from analytics.measures import ties as tq
from analytics.store import computed
from analytics.store import database as store
from analytics.views import tie_view


class Counter:
    """A computation that counts how often it ran."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def same(a, b) -> bool:
    """Equal, NaN equal to NaN, frames compared with their dtypes."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        return True
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b and type(a) is type(b) or (isinstance(a, np.generic) and a.item() == b)


@pytest.fixture
def demo(tmp_path):
    c = store.connect(tmp_path / "demo.duckdb")
    load_demo(c)
    yield c
    c.close()


def first_tie_network(con) -> tuple[str, tq.TieFilters, tie_view.NetworkFrame]:
    net = con.execute("SELECT network FROM v_ties GROUP BY network ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    nf = tie_view.network_frame(con, net, with_positions=False)
    period = tq.options(con, net)["period"][-1]
    return net, tq.TieFilters(network=net, periods=(period,), tie_types=tq.type_filter(nf.tie_types, None)), nf


# ---------------------------------------------------------------- values
def test_values_come_back_as_they_went_in():
    df = pd.DataFrame({"id": pd.Series(["a", "b", "c"], dtype="str"), "n": [1, 2, 3], "x": [0.5, np.nan, 2.0],
                       "flag": [True, False, True], "cat": pd.Categorical(["p", "q", "p"])})
    value = ({"nodes": 3, "density": 0.25, "nan": math.nan, "ids": ["a", "b"], "none": None, "nested": {"x": 1.5},
              "numpy": np.float64(0.125), "count": np.int64(7), "flag": np.bool_(True)},
             df, [df.drop(columns="cat").iloc[:0], {"k": (1, 2)}], {1: "int key", ("a", 2): "tuple key"},
             pd.DataFrame({"label": pd.Series(["x", None], dtype=object), "mixed_none": [None, None]}))
    back = computed.decode(computed.encode(value))
    assert same(value[0], back[0])
    pd.testing.assert_frame_equal(back[1], df)
    pd.testing.assert_frame_equal(back[2][0], df.drop(columns="cat").iloc[:0])
    pd.testing.assert_frame_equal(back[4], value[4])
    assert back[4]["label"].tolist() == ["x", None]
    assert back[2][1] == {"k": (1, 2)} and isinstance(back[2][1]["k"], tuple)
    assert back[3] == {1: "int key", ("a", 2): "tuple key"}
    assert isinstance(back[0]["count"], int) and isinstance(back[0]["numpy"], float)


def test_what_it_cannot_keep_is_refused_not_pickled():
    with pytest.raises(computed.NotStorable):
        computed.encode({"people": {"a", "b"}})  # a set: JSON has none
    with pytest.raises(computed.NotStorable):
        computed.encode(pd.DataFrame({"mixed": [1, "a", 2.5]}))  # Arrow refuses a column of mixed types
    with pytest.raises(ValueError):
        computed.decode(b"\x80\x04\x95pickle bytes")


# ---------------------------------------------------------------- remembered
def test_computed_once_per_version_and_key(con):
    f = Counter({"x": 1})
    assert computed.remembered(con, "k", {"a": 1}, (1,), f) == {"x": 1}
    assert computed.remembered(con, "k", {"a": 1}, (1,), f) == {"x": 1}
    assert f.calls == 1
    computed.remembered(con, "k", {"a": 2}, (1,), f)  # another question
    computed.remembered(con, "other", {"a": 1}, (1,), f)  # another kind
    assert f.calls == 3 and computed.count(con) == 3
    computed.remembered(con, "k", {"a": 1}, (2,), f)  # another data version: computed again, the old ones gone
    assert f.calls == 4 and computed.count(con) == 1


def test_a_value_it_cannot_keep_is_still_given(con):
    f = Counter({"people": {"a"}})
    assert computed.remembered(con, "k", 1, (1,), f) == {"people": {"a"}}
    assert computed.remembered(con, "k", 1, (1,), f) == {"people": {"a"}}
    assert f.calls == 2 and computed.count(con) == 0


def test_a_damaged_entry_is_computed_again(con):
    f = Counter([1, 2])
    computed.remembered(con, "k", 1, (1,), f)
    con.execute("UPDATE computed SET value = ?", [b"NLC1garbage"])
    assert computed.remembered(con, "k", 1, (1,), f) == [1, 2] and f.calls == 2
    assert computed.remembered(con, "k", 1, (1,), f) == [1, 2] and f.calls == 2  # stored again, whole


def test_the_store_keeps_a_bounded_number(con, monkeypatch):
    monkeypatch.setattr(computed, "KEEP_FIGURES", 5)
    for i in range(9):
        computed.remembered(con, "k", i, (1,), Counter(i))
    assert computed.count(con) == 5


def test_a_busy_writer_is_not_waited_for(con):
    held, release = threading.Event(), threading.Event()

    def importer_like():
        with store.WRITE_LOCK:
            held.set()
            release.wait(10)

    th = threading.Thread(target=importer_like)
    th.start()
    held.wait(10)
    try:
        f = Counter(42)
        assert computed.remembered(con, "k", 1, (1,), f) == 42
        assert computed.count(con) == 0  # not stored, and not blocked either
    finally:
        release.set()
        th.join()


def test_inside_a_callers_transaction_nothing_is_stored_and_the_transaction_lives(con):
    with store.transaction(con):
        con.execute("INSERT INTO settings VALUES ('probe', 'kept')")
        assert computed.remembered(con, "k", 1, (1,), Counter(5)) == 5
    assert store.get_setting(con, "probe") == "kept" and computed.count(con) == 0


def test_a_read_only_store_gives_the_figure_without_keeping_it(demo, tmp_path):
    path = tmp_path / "demo.duckdb"
    demo.close()
    ro = store.connect(path, read_only=True)
    try:
        net, f, nf = first_tie_network(ro)
        G, _ = tie_view.filtered_graph(ro, f, nf)
        summary, _people = tie_view.stored_measures(ro, f, G, nf)
        assert summary["nodes"] == len(G) and computed.count(ro) == 0
    finally:
        ro.close()


# ---------------------------------------------------------------- the tie figures: stored equals fresh
def test_stored_tie_figures_equal_fresh_ones(demo):
    net, f, nf = first_tie_network(demo)
    G, _ = tie_view.filtered_graph(demo, f, nf)
    fresh = tie_view.graph_measures(G, nf, strong_threshold=STRONG_TIE_MIN_WEIGHT)
    first = tie_view.stored_measures(demo, f, G, nf)
    kept = tie_view.stored_measures(demo, f, G, nf)  # read from the store
    assert computed.count(demo, "measures") == 1
    for got in (first, kept):
        assert same(fresh[0], got[0])
        pd.testing.assert_frame_equal(fresh[1], got[1])
    places = tie_view.network_positions(demo, net, nf)
    again = tie_view.network_positions(demo, net, nf)
    expected = {nf.shown_id[v]: p for v, p in layout(tq.full_graph(demo, net), unit=tie_view.LAYOUT_UNIT).items()}
    assert places == again == expected and computed.count(demo, "layout") == 1
    over = tie_view.measures_over_time(demo, net)
    pd.testing.assert_frame_equal(over, tie_view.measures_over_time(demo, net))
    assert set(over["period"]) == set(tq.options(demo, net)["period"])
    st1 = tie_view.stability(demo, net, min_group=3)
    st2 = tie_view.stability(demo, net, min_group=3)
    for a, b in zip(st1, st2, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert computed.count(demo) == 5


def test_the_network_frame_read_back_equals_a_fresh_one(demo, monkeypatch):
    net, _f, _nf = first_tie_network(demo)
    for pseudonymise in (True, False):
        stored = tie_view.network_frame(demo, net, pseudonymise=pseudonymise)
        again = tie_view.network_frame(demo, net, pseudonymise=pseudonymise)
        demo.execute("DELETE FROM computed")
        fresh = tie_view.network_frame(demo, net, pseudonymise=pseudonymise)
        assert stored == again == fresh
        assert all(isinstance(p, tuple) for p in stored.positions.values())
        assert all(k == v for k, v in fresh.shown_id.items()) is not pseudonymise  # codes only when asked


def test_layout_is_shared_by_both_id_kinds(demo):
    net, _f, _nf = first_tie_network(demo)
    coded = tie_view.network_frame(demo, net, pseudonymise=True)
    plain = tie_view.network_frame(demo, net, pseudonymise=False)
    assert computed.count(demo, "layout") == 1
    assert {v: coded.positions[coded.shown_id[v]] for v in plain.positions} == plain.positions


def test_a_restart_reads_what_was_computed(demo, tmp_path, monkeypatch):
    net, f, nf = first_tie_network(demo)
    G, _ = tie_view.filtered_graph(demo, f, nf)
    before = tie_view.stored_measures(demo, f, G, nf)
    demo.close()
    again = store.connect(tmp_path / "demo.duckdb")
    try:
        monkeypatch.setattr(tie_view, "graph_measures", lambda *a, **k: pytest.fail("computed again"))
        after = tie_view.stored_measures(again, f, G, nf)
        assert same(before[0], after[0])
        pd.testing.assert_frame_equal(before[1], after[1])
    finally:
        again.close()


# ---------------------------------------------------------------- forgotten when the data change
def fill(con) -> tuple[str, tq.TieFilters, tie_view.NetworkFrame]:
    net, f, nf = first_tie_network(con)
    G, _ = tie_view.filtered_graph(con, f, nf)
    tie_view.stored_measures(con, f, G, nf)
    tie_view.network_positions(con, net, nf)
    assert computed.count(con) == 3  # the network's ids, the measures, the layout
    return net, f, nf


def test_an_import_and_its_undo_forget_every_figure(demo, tmp_path):
    net, f, nf = fill(demo)
    G_before, _ = tie_view.filtered_graph(demo, f, nf)
    extra = tmp_path / "more_ties.csv"
    period_date = demo.execute("SELECT max(date) FROM v_ties WHERE network = ? AND period = ?",
                               [net, f.periods[0]]).fetchone()[0]
    extra.write_text(f"network,source,target,date,tie_type,weight\n{net},NEW-1,NEW-2,{period_date},"
                     f"{f.tie_types[0] if f.tie_types else 'advice'},4\n", encoding="utf-8")
    r = importer.import_file(demo, extra)
    assert r.status == "imported" and computed.count(demo) == 0
    nf2 = tie_view.network_frame(demo, net, with_positions=False)
    G_after, _ = tie_view.filtered_graph(demo, f, nf2)
    assert len(G_after) == len(G_before) + 2
    summary, _ = tie_view.stored_measures(demo, f, G_after, nf2)
    assert summary["nodes"] == len(G_after)  # the new data's figure, not the stored one
    tie_view.network_positions(demo, net, nf2)
    assert computed.count(demo) == 3
    store.undo_import(demo, r.import_id)
    assert computed.count(demo) == 0
    nf3 = tie_view.network_frame(demo, net, with_positions=False)
    G3, _ = tie_view.filtered_graph(demo, f, nf3)
    assert tie_view.stored_measures(demo, f, G3, nf3)[0]["nodes"] == len(G_before)
    assert set(tie_view.network_positions(demo, net, nf3)) == set(nf3.shown_id.values())


def test_a_failed_import_keeps_the_figures(demo, tmp_path):
    fill(demo)
    bad = tmp_path / "garbage.csv"
    bad.write_bytes(b"\x00\xff\xfe garbage \x00\x01")
    r = importer.import_file(demo, bad)
    assert r.status != "imported" and computed.count(demo) == 3


def test_a_merge_its_undo_and_a_new_period_scheme_forget_every_figure(demo):
    fill(demo)
    a, b = [r[0] for r in demo.execute("SELECT participant_id FROM participants WHERE NOT external "
                                       "ORDER BY participant_id LIMIT 2").fetchall()]
    merge_id = identity.merge(demo, a, b)
    assert computed.count(demo) == 0
    fill(demo)
    identity.undo_decision(demo, merge_id)
    assert computed.count(demo) == 0
    fill(demo)
    store.set_period_scheme(demo, "quarter" if store.period_scheme(demo) != "quarter" else "half_year")
    assert computed.count(demo) == 0


def test_figures_of_another_data_version_are_never_read(demo):
    net, f, nf = fill(demo)
    # a version change that forgot nothing (as if the forget were missed): the stored figure must not be read
    demo.execute("UPDATE computed SET value = ? WHERE kind = 'measures'",
                 [computed.encode(({"nodes": -1}, pd.DataFrame({"x": [1]})))])
    demo.execute("UPDATE computed SET version = 'an older version'")
    G, _ = tie_view.filtered_graph(demo, f, nf)
    assert tie_view.stored_measures(demo, f, G, nf)[0]["nodes"] == len(G)


def test_measures_of_an_older_graph_are_kept_under_its_own_version(demo, tmp_path):
    """A page's graph is cached per data version; if an import lands before its measures are asked for, they
    are kept under the graph's version, never under the new one (where they would be read as new data's)."""
    net, f, nf = first_tie_network(demo)
    old_version = store.data_version(demo)
    G_old, _ = tie_view.filtered_graph(demo, f, nf)
    extra = tmp_path / "w.csv"
    extra.write_text("network,source,target,date,weight\nElders,B1,B2,2025-03-01,5\n", encoding="utf-8")
    assert importer.import_file(demo, extra).status == "imported"
    tie_view.stored_measures(demo, f, G_old, nf, version=old_version)
    stored = demo.execute("SELECT version FROM computed WHERE kind = 'measures'").fetchall()
    assert stored == [(computed._text([computed.FIGURES_REVISION, *old_version]),)]
    assert store.data_version(demo) != old_version
