"""Privacy by default: stable pseudonyms, small-group suppression, safe text for spreadsheets.

Pseudonyms are codes like ``T-017`` (a teacher) that are assigned once and stored, so a person keeps the
same code across sessions, exports and reports, and adding people never renumbers anybody.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from .db import frame, run
from .store import WRITE_LOCK

ROLE_PREFIX = {
    "teacher": "T",
    "student_teacher": "S",
    "teacher_educator": "E",
    "researcher": "R",
    "coach": "C",
    "expert": "X",
    "other": "O",
}
EXTERNAL_PREFIX = "X"
UNKNOWN_PREFIX = "P"
DEFAULT_MIN_GROUP = 3


def ensure_pseudonyms(con: duckdb.DuckDBPyConnection) -> None:
    """Give every person without a code the next free number for their role's letter."""
    cases = " ".join(f"WHEN '{r}' THEN '{p}'" for r, p in ROLE_PREFIX.items())
    with WRITE_LOCK:
        run(
            con,
            f"""INSERT INTO pseudonyms
                WITH new AS (
                    SELECT participant_id,
                           CASE WHEN external AND role IS NULL THEN '{EXTERNAL_PREFIX}'
                                ELSE coalesce(CASE role {cases} END, '{UNKNOWN_PREFIX}') END AS prefix
                    FROM people WHERE participant_id NOT IN (SELECT participant_id FROM pseudonyms)),
                used AS (
                    SELECT split_part(code, '-', 1) AS prefix, max(CAST(split_part(code, '-', 2) AS INTEGER)) AS top
                    FROM pseudonyms GROUP BY 1)
                SELECT participant_id,
                       prefix || '-' || printf('%03d', coalesce(u.top, 0)
                            + row_number() OVER (PARTITION BY prefix ORDER BY participant_id))
                FROM new LEFT JOIN used u USING (prefix)""",
        )


def name_map(con: duckdb.DuckDBPyConnection, pseudonymise: bool) -> pd.DataFrame:
    """participant_id -> display label (name, or code when pseudonymised; the id when there is no name)."""
    if pseudonymise:
        ensure_pseudonyms(con)
        return frame(
            con,
            """SELECT p.participant_id, coalesce(s.code, '?') AS label FROM people p
               LEFT JOIN pseudonyms s USING (participant_id)""",
        )
    return frame(con, "SELECT participant_id, coalesce(name, participant_id) AS label FROM people")


def label_sql(pseudonymise: bool, id_expr: str = "participant_id") -> str:
    """A SQL expression for a person's display label; use where a query joins people (alias p) and
    pseudonyms (alias ps)."""
    return "coalesce(ps.code, '?')" if pseudonymise else f"coalesce(p.name, {id_expr})"


def suppress_small(df: pd.DataFrame, n_col: str, value_cols: list[str], min_group: int) -> pd.DataFrame:
    """Blank the values of groups smaller than ``min_group`` (the row stays, so the gap is visible)."""
    out = df.copy()
    small = out[n_col] < min_group
    for c in value_cols:
        out[c] = out[c].astype("float64")
        out.loc[small, c] = float("nan")
    out["suppressed"] = small
    return out
