"""Privacy by default: stable pseudonyms, small-group suppression, safe text for spreadsheets.

Pseudonyms are codes like ``T-017`` (a teacher) that are assigned once and stored, so a person keeps the
same code across sessions, exports and reports, and adding people never renumbers anybody.
"""

from __future__ import annotations

import re

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


class NameScrubber:
    """Replaces participants' names in free text by their codes (when pseudonymising; otherwise a no-op).

    Matches whole names, case-insensitively, longest first; names shorter than 4 characters are left alone
    (they would match ordinary words). Free text can still name people in ways no list knows (a first name
    alone, a nickname): the report says names are replaced by codes, not that free text is anonymous.
    """

    MIN_LEN = 4

    def __init__(self, con: duckdb.DuckDBPyConnection, pseudonymise: bool):
        self.codes: dict[str, str] = {}
        self.pattern: re.Pattern | None = None
        if not pseudonymise:
            return
        df = frame(con, """SELECT p.name, coalesce(s.code, '?') AS code FROM people p
                           LEFT JOIN pseudonyms s USING (participant_id) WHERE p.name IS NOT NULL""")
        for name, code in zip(df["name"].tolist(), df["code"].tolist(), strict=True):
            name = str(name).strip()
            if len(name) >= self.MIN_LEN:
                self.codes.setdefault(name.casefold(), code)
        if self.codes:
            alts = "|".join(re.escape(n) for n in sorted(self.codes, key=len, reverse=True))
            self.pattern = re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)

    def __call__(self, text: object) -> str:
        if text is None or (isinstance(text, float) and text != text):
            return ""
        s = str(text)
        if self.pattern is None:
            return s
        return self.pattern.sub(lambda m: self.codes.get(m.group(0).casefold(), "?"), s)
