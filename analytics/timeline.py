"""Events on the time axis: things that happened (a study day, a lunch that stopped), per network or for all."""

from __future__ import annotations

import duckdb
import pandas as pd

from .db import frame


def events(con: duckdb.DuckDBPyConnection, networks: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Events of the given networks plus those that apply to every network (no network given)."""
    if networks:
        marks = ", ".join("?" * len(networks))
        where, params = f"WHERE network IS NULL OR network IN ({marks})", list(networks)
    else:
        where, params = "", []
    return frame(
        con,
        f"SELECT network, date, period, label FROM v_events {where} ORDER BY date, label",
        params,
    )
