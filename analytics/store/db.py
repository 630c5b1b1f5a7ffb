"""Small helpers over a DuckDB connection.

DuckDB 2 refuses new work on a connection while an earlier result is only partly fetched, so every
query here is fetched to the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb
import pandas as pd

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def ident(name: str) -> str:
    """Quote an identifier we built ourselves; refuse anything that is not a plain name."""
    if not _IDENT.fullmatch(name):
        raise ValueError(f"not a safe identifier: {name!r}")
    return f'"{name}"'


def literal(value: str) -> str:
    """A SQL string literal for text from a definition file, where a parameter cannot go (a VALUES list
    that is part of a view-like join). Single quotes are doubled, so the text can never end the literal."""
    return "'" + str(value).replace("'", "''") + "'"


def where_in(fixed: Sequence[tuple[str, Any]] = (),
             chosen: Sequence[tuple[str, Sequence[Any] | None]] = ()) -> tuple[str, list]:
    """A WHERE condition and its parameters for the filters every page shares: ``fixed`` (expression,
    value) pairs always apply (``expr = ?``); a ``chosen`` (expression, values) pair applies when values are
    given (``expr IN (?, ...)``); None or empty means "all". Values always go in as parameters."""
    conds, params = [], []
    for expr, value in fixed:
        conds.append(f"{expr} = ?")
        params.append(value)
    for expr, values in chosen:
        if values:
            conds.append(f"{expr} IN ({', '.join('?' * len(values))})")
            params += list(values)
    return " AND ".join(conds) or "TRUE", params


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> Any:
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def text_frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
    """``frame`` by way of Arrow, for long results of many text columns (the marks of a network): the strings
    come over in bulk, about 40 % faster than ``.df()``. Same dtypes for text and numbers, but DATE columns
    come as ``datetime.date`` objects and sums as decimals, so it is kept to queries without either."""
    return con.sql(sql, params=list(params or [])).to_arrow_table().to_pandas()


def together(con: duckdb.DuckDBPyConnection, calls: Sequence[Callable[[duckdb.DuckDBPyConnection], Any]],
             at_once: int | None = None) -> list[Any]:
    """``[call(cursor) for call in calls]``, ``at_once`` at a time (``decisions.QUERIES_AT_ONCE``), each on its own
    cursor of ``con``: independent read queries, fetched together. DuckDB releases Python's GIL while it
    queries. The first failure is raised, after every call has ended."""
    from analytics.decisions import QUERIES_AT_ONCE

    def one(call: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        cursor = con.cursor()
        try:
            return call(cursor)
        finally:
            cursor.close()

    with ThreadPoolExecutor(max(1, at_once or QUERIES_AT_ONCE)) as pool:
        futures = [pool.submit(one, call) for call in calls]
    return [f.result() for f in futures]


def run(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> None:
    con.execute(sql, params or []).fetchall()
