"""A page's independent queries are fetched together (issue 17): the Value page's first view asks its six
queries two at a time on their own cursors, and then reads each from the cache where it draws it."""

from __future__ import annotations

import threading

import duckdb
import pytest
from test_app_pages import db, run_page  # noqa: F401  (db is a fixture)

from analytics.measures import value_creation as vc
from analytics.store.db import together


def test_value_page_fetches_its_first_view_together(db, monkeypatch):  # noqa: F811
    import streamlit as st

    st.cache_data.clear()
    seen: list[tuple] = []
    names = ("funnel", "side_values", "highest_cycle", "matrix", "stories", "count_stories")
    for name in names:
        real = getattr(vc, name)
        monkeypatch.setattr(vc, name, lambda *a, _real=real, _name=name, **k: seen.append(
            (_name, threading.current_thread().name, k.get("cycles"))) or _real(*a, **k))
    at = run_page(db, monkeypatch, "pages/overview.py", "en", network="Rekenen")
    seen.clear()  # what the overview asked
    at.switch_page("pages/values.py").run()
    assert not at.exception and [m for m in at.metric]  # the page drew its side values
    ahead = [(n, c) for n, thread, c in seen if thread.startswith("ThreadPoolExecutor")]
    in_place = [(n, c) for n, thread, c in seen if not thread.startswith("ThreadPoolExecutor")]
    # the first view's six, fetched ahead two at a time, each once
    assert sorted(n for n, _ in ahead) == sorted(names)
    assert len({thread for _, thread, _ in seen if thread.startswith("ThreadPoolExecutor")}) == 2
    # then only what depends on the tabs' own choices: the funnel by network, the stories of a matrix cell
    assert [n for n, _ in in_place] == ["funnel", "stories"] and len(in_place[1][1]) == 1, seen
    n = len(seen)
    at.run()
    assert len(seen) == n  # a rerun reads everything from the cache


def test_together_gives_each_call_its_own_cursor_and_raises_the_first_failure():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT range AS x FROM range(1000)")
    got = together(con, [lambda c, k=k: c.execute("SELECT sum(x) * ? FROM t", [k]).fetchone()[0] for k in range(5)])
    assert got == [0, 499500, 999000, 1498500, 1998000]  # in the order asked

    def broken(c):
        raise ValueError("no")

    with pytest.raises(ValueError):
        together(con, [lambda c: 1, broken, lambda c: 3])
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 1000  # the connection is still usable
