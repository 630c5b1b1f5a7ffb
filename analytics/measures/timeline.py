"""Events on the time axis: things that happened (a study day, a lunch that stopped), per network or for all."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.privacy import NameScrubber
from analytics.store.database import period_scheme
from analytics.store.db import frame
from analytics.store.periods import period_of


def events(con: duckdb.DuckDBPyConnection, networks: tuple[str, ...] | None = None, *,
           pseudonymise: bool = False) -> pd.DataFrame:
    """Events of the given networks plus those that apply to every network (no network given).

    Labels are free text (a meeting note may name people): pseudonymised, known names become codes."""
    if networks:
        marks = ", ".join("?" * len(networks))
        where, params = f"WHERE network IS NULL OR network IN ({marks})", list(networks)
    else:
        where, params = "", []
    # Meeting agreements show on the time axis too, marked with a note sign.
    notes = f"""SELECT network, date, {period_of('date', period_scheme(con))} AS period,
                       '📝 ' || left(coalesce(went_well, differently), 40) AS label
                FROM meeting_notes
                QUALIFY version = max(version) OVER (PARTITION BY note_id) AND NOT deleted"""
    df = frame(
        con,
        f"""SELECT * FROM (SELECT network, date, period, label FROM v_events UNION ALL {notes}) {where}
            ORDER BY date, label""",
        params,
    )
    if pseudonymise and len(df):
        df["label"] = df["label"].map(NameScrubber(con, True))
    return df
