from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"
sys.path.insert(0, str(ROOT))

from analytics.store import database as store  # noqa: E402


@pytest.fixture
def con():
    c = store.connect(":memory:")
    yield c
    c.close()


@pytest.fixture
def files() -> Path:
    return FILES


@pytest.fixture
def db_file(tmp_path) -> Path:
    return tmp_path / "test.duckdb"
