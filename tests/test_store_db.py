"""The shared query helpers: filters become parameters, never SQL text."""

from __future__ import annotations

import duckdb

from analytics.store.db import literal, where_in


def test_where_in_builds_conditions_with_parameters_only():
    where, params = where_in([("a", "x'); DROP TABLE t; --")], [("b", ("1", "2")), ("c", None), ("d", ())])
    assert where == "a = ? AND b IN (?, ?)"
    assert params == ["x'); DROP TABLE t; --", "1", "2"]
    assert where_in() == ("TRUE", [])


def test_where_in_selects_what_it_says():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('n1', 'p1'), ('n1', 'p2'), ('n2', 'p1')) v(a, b)")
    where, params = where_in([("a", "n1")], [("b", ["p2", "p9"])])
    assert con.execute(f"SELECT a, b FROM t WHERE {where}", params).fetchall() == [("n1", "p2")]
    assert con.execute(f"SELECT {literal(chr(39) + ') OR 1=1 --')}").fetchone()[0] == "') OR 1=1 --"
