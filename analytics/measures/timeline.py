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
    # Meeting agreements show on the time axis too, marked ¶ (a sign every font has; emoji are boxes without an
    # emoji font); interventions ▲.
    notes = f"""SELECT network, date, {period_of('date', period_scheme(con))} AS period,
                       '¶ ' || left(coalesce(went_well, differently), 40) AS label
                FROM meeting_notes
                QUALIFY version = max(version) OVER (PARTITION BY note_id) AND NOT deleted"""
    # Interventions too, from their start, on each network they apply to (none named: every network).
    started = f"""SELECT unnest(CASE WHEN len(coalesce(networks, [])) = 0 THEN [NULL::VARCHAR] ELSE networks END)
                           AS network,
                         start_date AS date, {period_of('start_date', period_scheme(con))} AS period,
                         '▲ ' || left(label, 40) AS label
                  FROM interventions
                  QUALIFY version = max(version) OVER (PARTITION BY intervention_id) AND NOT deleted"""
    df = frame(
        con,
        f"""SELECT * FROM (SELECT network, date, period, label FROM v_events UNION ALL {notes}
                           UNION ALL {started}) {where}
            ORDER BY date, label""",
        params,
    )
    if pseudonymise and len(df):
        # Only the shown networks' names are read (beside a 200,000-person network that took seconds per
        # view); an event for all networks (no network) counts every name, so then all are read.
        shown = None if df["network"].isna().any() or not networks else sorted(set(df["network"]))
        scrub = NameScrubber(con, True, shown)
        df["label"] = [scrub(x, n if isinstance(n, str) else None)
                       for x, n in zip(df["label"].tolist(), df["network"].tolist(), strict=True)]
    return df
