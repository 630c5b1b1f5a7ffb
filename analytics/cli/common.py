"""What every command shares: the database option, opening it, and printing records as a table or JSON."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import duckdb

from analytics.store import database as store

#: The command line speaks English (its flags are English too); the app speaks the page's language.
LANG = "en"


class CommandError(Exception):
    """A refusal with a message for stderr and an exit code (2: wrong usage or an unusable database)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="DuckDB file (default: $NETWERKLEREN_DB or data/netwerkleren.duckdb)")


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def add_pseudonymise(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pseudonymise", action=argparse.BooleanOptionalAction, default=True,
                   help="codes instead of names (default, as in the app; --no-pseudonymise shows names and ids)")


def existing_db(args: argparse.Namespace) -> duckdb.DuckDBPyConnection:
    """The database an analysis reads, opened read-only; a typo in --db must not read as "no data" (nor create
    a file)."""
    target = store.db_path(args.db)
    if str(args.db) != ":memory:" and not target.exists():
        raise CommandError(f"there is no database at {target} (import data first, or check --db / NETWERKLEREN_DB)")
    return store.connect_reader(args.db)  # read-only: works on read-only media and never rewrites the file


def clean(v: Any) -> Any:
    """A value JSON and a terminal can show: NaN and infinities become None, numpy scalars plain Python."""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if hasattr(v, "item"):
        return clean(v.item())
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [clean(x) for x in v]
    return v


def print_records(records: list[dict], as_json: bool, columns: list[str] | None = None) -> None:
    """Records as a JSON list, or as a tab-separated table with one header line (every record's keys)."""
    if as_json:
        print(json.dumps([clean(r) for r in records], ensure_ascii=False, indent=2, default=str))
        return
    if not records:
        print("no data")
        return
    cols = columns or list(dict.fromkeys(k for r in records for k in r))
    print("\t".join(cols))
    for r in records:
        print("\t".join(_cell(clean(r.get(c))) for c in cols))


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ", ".join(map(str, v))
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") if v == v else ""
    return str(v)


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
