"""Limits that keep one file or one visitor from taking the app down for everyone else.

Every limit has a documented default (docs/security.md) and can be changed with an environment variable
``NETWERKLEREN_<NAME>`` (e.g. ``NETWERKLEREN_PAGE_MAX_TIES=100000``), read each time a limit is asked for,
so a test or an administrator can change it without touching code.
"""

from __future__ import annotations

import os

#: name -> (default, what it bounds). Numbers only: a limit is a count, a size or seconds.
DEFAULTS: dict[str, tuple[float, str]] = {
    # ---- files, checked before any parser reads them (analytics/ingest/guard.py)
    "MAX_FILE_MB": (200, "size of one uploaded or imported file"),
    "XLSX_MAX_UNPACKED_MB": (100, "what an .xlsx may unpack to (sum of the sizes in its zip directory)"),
    "XLSX_MAX_RATIO": (50, "unpacked size divided by file size of an .xlsx (ordinary workbooks: 3-15)"),
    "XLSX_MAX_SHEETS": (50, "worksheets in one workbook"),
    "XLSX_MAX_SHARED_STRINGS": (1_000_000, "entries in an .xlsx shared-string table"),
    "XLSX_MAX_ENTRIES": (2_000, "files inside an .xlsx zip"),
    # ---- work per page (pages/ties.py, analytics/measures/ties.py)
    "PAGE_MAX_TIES": (20_000, "ties of one network a page draws and measures person by person"),
    "PAGE_MAX_PEOPLE": (5_000, "people of one network a page draws and measures person by person"),
    "OVERVIEW_MAX_CARDS": (8, "network cards the overview draws (the selected network and the most recent)"),
    "OVERVIEW_MAX_SIGNALS": (40, "questions the overview lists (the table below it lists every network)"),
    "LOOP_MAX_NETWORKS": (12, "networks an intervention for all networks shows figures for (most recently measured)"),
    "SIDEBAR_MAX_NETWORKS": (200, "networks the sidebar's list offers at once (a search box finds the others)"),
    "OVERVIEW_MAX_RHYTHM": (20, "networks the measurement rhythm lists (most urgent first)"),
    "OVERVIEW_MAX_ROWS": (500, "rows of each overview table (the first by network name)"),
    "WARM_MAX_NETWORKS": (50, "networks whose tie figures are computed ahead, in the background, after data change "
                              "(most recently measured first; the others on their first view)"),
    "CLI_MAX_TIES": (100_000, "ties of one network and period the CLI measures with graph algorithms"),
    "APP_DB_MEMORY_MB": (1_024, "memory the app's database may hold for its cache and queries (big sorts and joins "
                                "spill to disk beyond it; DuckDB's own default is 80% of the machine)"),
    # ---- login (analytics/auth.py)
    "LOGIN_FREE_ATTEMPTS": (3, "wrong passwords from one address before delays start"),
    "LOGIN_MAX_DELAY_S": (30, "longest delay between two attempts from one address (doubles each time)"),
    "LOGIN_LOCKOUT_ATTEMPTS": (10, "wrong passwords from one address that lock it out"),
    "LOGIN_LOCKOUT_S": (900, "how long a locked-out address waits"),
    "LOGIN_GLOBAL_PER_MINUTE": (30, "password checks per minute for all addresses together"),
}


def get(name: str) -> float:
    """The limit ``name``: the environment's ``NETWERKLEREN_<name>`` when it is a positive number, else the
    default. A bad value falls back to the default rather than switching the limit off."""
    default = DEFAULTS[name][0]
    raw = os.environ.get(f"NETWERKLEREN_{name}")
    if raw:
        try:
            value = float(raw)
        except ValueError:
            return default
        if value > 0:
            return value
    return default


def get_int(name: str) -> int:
    return int(get(name))
