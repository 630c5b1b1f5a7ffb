"""The demo data: loaded on first run so a new user sees a working dashboard, and removable in one click."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analytics.ingest.importer import ImportReport, import_paths
from analytics.store import database as store

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"


def load_demo(con: duckdb.DuckDBPyConnection, folder: Path = SAMPLE_DIR) -> list[ImportReport]:
    """Import every sample file, marked as demo data (source 'sample'), then the meeting loop's files
    (networks, agreements, interventions in ``loop/``)."""
    from analytics.demo.loop import FOLDER, load_loop_files

    reports = import_paths(con, [folder], source_label="sample")
    load_loop_files(con, folder / FOLDER, source_label="sample")
    return reports


def has_demo(con) -> bool:
    return any(r.source == "sample" and r.undone_at is None for r in store.list_imports(con))


def remove_demo(con) -> int:
    """Undo every demo import; the user's own imports stay."""
    n = 0
    for r in store.list_imports(con):
        if r.source == "sample" and r.undone_at is None:
            store.undo_import(con, r.import_id)
            n += 1
    return n
