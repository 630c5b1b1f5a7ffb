from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"
sys.path.insert(0, str(ROOT))

from analytics.store import database as store  # noqa: E402

# After each import, undo or merge the app computes tie figures ahead in a background thread
# (analytics/views/warm.py). Dozens of tests import through the Data page; warming every demo network after
# each of them only adds CPU under the next tests (CI time). One network per change keeps the thread running
# in every such test; tests/test_warm.py tests the whole warm without this limit.
os.environ.setdefault("NETWERKLEREN_WARM_MAX_NETWORKS", "1")


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
