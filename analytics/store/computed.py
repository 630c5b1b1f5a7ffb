"""Figures computed once per data version and kept in the store: a restart or a second server process reads
them instead of computing them again (a network's layout and measures take seconds at 10,000 people).

A stored figure is keyed by what it is (``kind``), the question asked (``key``: network, filters, settings)
and the data version it was computed from (:func:`analytics.store.database.data_version`); a figure of another
version is never read. An import, an undo, a merge or a change of the period scheme forgets every stored
figure in its own transaction, so nothing of an undone import outlives it here.

Values are tables (pandas frames, kept as Arrow IPC streams) and plain JSON (numbers, text, lists, dicts): no
pickle, so a database file from elsewhere cannot run code when a figure is read. Storing is best effort: a
read-only store, a busy writer or a value that does not fit these forms only means the figure is computed
again next time.
"""

from __future__ import annotations

import io
import json
import logging
import math
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd

from analytics.store.db import rows, run

T = TypeVar("T")
log = logging.getLogger(__name__)

#: How many stored figures the store keeps (newest first); each filter set of a big network is one.
KEEP_FIGURES = 256
#: Raise when a stored computation changes (a layout or a measure computed differently): older figures are
#: then never read, as if the data had changed.
FIGURES_REVISION = 2  # 2: Leiden runs decisions.LEIDEN_MAX_ITERATIONS
_MAGIC = b"NLC1"


class NotStorable(TypeError):
    """A value this module does not keep (it is then computed again next time)."""


def kept(con: duckdb.DuckDBPyConnection, kind: str, key: Hashable, version: tuple) -> tuple[bool, Any]:
    """(True, the stored figure) for (``kind``, ``key``) at ``version``; (False, None) when there is none (or
    it cannot be read): a page asks this before it decides to compute in the background."""
    found = rows(con, "SELECT value FROM computed WHERE kind = ? AND key = ? AND version = ?",
                 [kind, _text(key), _text([FIGURES_REVISION, *version])])
    if found:
        try:
            return True, decode(found[0][0])
        except Exception:  # noqa: BLE001 - a damaged entry is computed again, never shown
            log.warning("a stored %s figure could not be read; computing it again", kind)
    return False, None


def remembered(con: duckdb.DuckDBPyConnection, kind: str, key: Hashable, version: tuple,
               compute: Callable[[], T]) -> T:
    """The stored figure for (``kind``, ``key``) at ``version``, else ``compute()`` stored for next time."""
    from analytics.store import database as store

    key_text, version_text = _text(key), _text([FIGURES_REVISION, *version])
    found, value = kept(con, kind, key, version)
    if found:
        return value
    value = compute()
    try:
        blob = encode(value)
    except NotStorable:
        return value
    if store.in_transaction():  # a failed statement would abort the caller's unit of work
        return value
    if not store.WRITE_LOCK.acquire(blocking=False):  # an import is writing: do not wait for it
        return value
    try:
        try:
            run(con, "BEGIN TRANSACTION")
        except duckdb.Error:
            return value
        try:
            run(con, "DELETE FROM computed WHERE version <> ? OR (kind = ? AND key = ?)",
                [version_text, kind, key_text])
            run(con, "INSERT INTO computed VALUES (?, ?, ?, ?, current_timestamp)",
                [kind, key_text, version_text, blob])
            run(con, f"""DELETE FROM computed WHERE (kind, key) NOT IN (
                             SELECT (kind, key) FROM computed ORDER BY computed_at DESC LIMIT {KEEP_FIGURES})""")
            run(con, "COMMIT")
        except duckdb.Error as e:  # read-only store, full disk: the figure is still shown, only not kept
            try:
                run(con, "ROLLBACK")
            except duckdb.Error:
                pass
            log.info("a %s figure was not stored: %s", kind, str(e).splitlines()[0][:120])
    finally:
        store.WRITE_LOCK.release()
    return value


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Forget every stored figure (inside the caller's transaction: an import, an undo, a merge)."""
    run(con, "DELETE FROM computed")


def count(con: duckdb.DuckDBPyConnection, kind: str | None = None) -> int:
    """How many figures are stored (of ``kind``)."""
    if kind is None:
        return rows(con, "SELECT count(*) FROM computed")[0][0]
    return rows(con, "SELECT count(*) FROM computed WHERE kind = ?", [kind])[0][0]


def _text(x: Any) -> str:
    return json.dumps(_plain(x), sort_keys=True, default=str, allow_nan=True)


def _plain(x: Any) -> Any:
    """Keys made of tuples, dataclasses and dates, as JSON can hold them (for keys only, never for values)."""
    if hasattr(x, "__dataclass_fields__"):
        return {k: _plain(getattr(x, k)) for k in x.__dataclass_fields__}
    if isinstance(x, (tuple, list)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    return x


# ---------------------------------------------------------------- values: tables and JSON, no pickle
def encode(value: Any) -> bytes:
    """``value`` as bytes: a header (JSON) naming its parts, then each table as an Arrow IPC stream."""
    tables: list[bytes] = []
    header = _describe(value, tables)
    head = json.dumps(header, allow_nan=True).encode()
    out = io.BytesIO()
    out.write(_MAGIC + len(head).to_bytes(8, "little") + head)
    for t in tables:
        out.write(len(t).to_bytes(8, "little") + t)
    return out.getvalue()


def decode(blob: bytes) -> Any:
    data = memoryview(blob)
    if bytes(data[:4]) != _MAGIC:
        raise ValueError("not a stored figure")
    n = int.from_bytes(data[4:12], "little")
    header = json.loads(bytes(data[12:12 + n]))
    at, tables = 12 + n, []
    while at < len(data):
        size = int.from_bytes(data[at:at + 8], "little")
        tables.append(bytes(data[at + 8:at + 8 + size]))
        at += 8 + size
    return _rebuild(header, tables)


def _describe(v: Any, tables: list[bytes]) -> Any:
    if isinstance(v, pd.DataFrame):
        tables.append(_frame_bytes(v))
        return {"frame": len(tables) - 1, "objects": [str(c) for c in v.columns if v[c].dtype == object]}
    if isinstance(v, tuple):
        return {"tuple": [_describe(x, tables) for x in v]}
    if isinstance(v, list):
        return {"list": [_describe(x, tables) for x in v]}
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            return {"pairs": [[_describe(k, tables), _describe(x, tables)] for k, x in v.items()]}
        return {"dict": {k: _describe(x, tables) for k, x in v.items()}}
    if v is None or isinstance(v, (bool, str)):
        return {"v": v}
    if isinstance(v, np.bool_):
        return {"v": bool(v)}
    if isinstance(v, (int, np.integer)):
        return {"v": int(v)}
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return {"nan": True} if math.isnan(f) else {"v": f}
    raise NotStorable(f"{type(v).__name__} is not kept in the store")


def _rebuild(h: Any, tables: list[bytes]) -> Any:
    if "frame" in h:
        return _frame_from(tables[h["frame"]], h.get("objects", []))
    if "tuple" in h:
        return tuple(_rebuild(x, tables) for x in h["tuple"])
    if "list" in h:
        return [_rebuild(x, tables) for x in h["list"]]
    if "dict" in h:
        return {k: _rebuild(x, tables) for k, x in h["dict"].items()}
    if "pairs" in h:
        return {_rebuild(k, tables): _rebuild(x, tables) for k, x in h["pairs"]}
    if "nan" in h:
        return math.nan
    return h["v"]


def _frame_bytes(df: pd.DataFrame) -> bytes:
    import pyarrow as pa  # here, not at the top: the store is opened by every command, few keep tables
    import pyarrow.ipc as ipc

    try:
        table = pa.Table.from_pandas(df, preserve_index=None)
    except (pa.ArrowException, TypeError, ValueError) as e:  # mixed types in one column
        raise NotStorable(str(e)) from e
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def _frame_from(b: bytes, objects: list[str]) -> pd.DataFrame:
    """The frame, with the columns that were of Python objects (text with None) as they were: Arrow would
    give them pandas' string dtype."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    with ipc.open_stream(pa.py_buffer(b)) as r:
        table = r.read_all()
    df = table.to_pandas()
    for name in objects:
        if name in df.columns:
            df[name] = pd.Series(table.column(name).to_pylist(), index=df.index, dtype=object)
    return df
