"""Small helpers shared by the test files (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

from analytics.ingest import importer


def load(con, tmp_path, name: str, text: str, **kw):
    """Write ``text`` as a file and import it through the real importer; it must land."""
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    r = importer.import_file(con, p, **kw)
    assert r.status == "imported", (r.message, r.problems.to_dict(orient="records"))
    return r
