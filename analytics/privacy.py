"""Privacy by default, decided here and nowhere else: codes for people (in SQL, as graph ids, in free text)
and small-group suppression. Every page, export, the report, the live pages and the CLI go through it.

Pseudonyms are codes like ``T-017`` (a teacher) that are assigned once and stored, so a person keeps the
same code across sessions, exports and reports, and adding people never renumbers anybody.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence

import duckdb
import networkx as nx
import numpy as np
import pandas as pd

from analytics.store.database import WRITE_LOCK, is_read_only
from analytics.store.db import frame, literal, rows, run, scalar

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


#: Up to this many ids, :func:`ensure_pseudonyms` looks only at the ids it is given.
SCOPED_IDS_MAX = 5_000


def ensure_pseudonyms(con: duckdb.DuckDBPyConnection, among: Sequence[str] | None = None) -> None:
    """Give every person without a code the next free number for their role's letter.

    ``among``: the participant ids that may lack one (an import's own people), so that an import of 8 new
    people does not look through the codes of 200,000 others (a list of values: DuckDB then filters the
    ``people`` view before it groups; a subquery would not be pushed down). More than SCOPED_IDS_MAX: all."""
    scope = ""
    if among is not None and len(among) <= SCOPED_IDS_MAX:
        scope = f" AND participant_id IN ({', '.join(literal(str(i)) for i in among) or 'NULL'})"
    missing = scalar(con, "SELECT count(*) FROM people WHERE participant_id NOT IN (SELECT participant_id FROM "
                          f"pseudonyms){scope}")
    if not missing:
        return  # the usual case (imports assign codes): no write at all, so a reader never writes
    cases = " ".join(f"WHEN '{r}' THEN '{p}'" for r, p in ROLE_PREFIX.items())
    if is_read_only(con):
        # A read-only store (a read-only disk, the CLI's read commands): the codes the next writer will store,
        # computed for this connection only. A temporary table named pseudonyms shadows the stored one.
        db = scalar(con, "SELECT current_database()")
        stored = '"' + db.replace('"', '""') + '".main.pseudonyms'
        run(con, f"""CREATE OR REPLACE TEMP TABLE pseudonyms AS
                     SELECT * FROM {stored} UNION ALL ({_new_codes_sql(cases, stored, scope)})""")
        return
    with WRITE_LOCK:
        run(con, f"INSERT INTO pseudonyms {_new_codes_sql(cases, 'pseudonyms', scope)}")


def _new_codes_sql(cases: str, table: str, scope: str = "") -> str:
    """Each person without a code gets the next free number for their role's letter."""
    return f"""WITH new AS (
                    SELECT participant_id,
                           CASE WHEN external AND role IS NULL THEN '{EXTERNAL_PREFIX}'
                                ELSE coalesce(CASE role {cases} END, '{UNKNOWN_PREFIX}') END AS prefix
                    FROM people WHERE participant_id NOT IN (SELECT participant_id FROM {table}){scope}),
                used AS (
                    SELECT split_part(code, '-', 1) AS prefix, max(CAST(split_part(code, '-', 2) AS INTEGER)) AS top
                    FROM {table} GROUP BY 1)
                SELECT participant_id,
                       prefix || '-' || printf('%03d', coalesce(u.top, 0)
                            + row_number() OVER (PARTITION BY prefix ORDER BY participant_id))
                FROM new LEFT JOIN used u USING (prefix)"""


def name_map(con: duckdb.DuckDBPyConnection, pseudonymise: bool) -> pd.DataFrame:
    """participant_id -> display label (name, or code when pseudonymised; the id when there is no name)."""
    if pseudonymise:
        ensure_pseudonyms(con)
    return frame(con, f"""SELECT p.participant_id, {label_sql(pseudonymise)} AS label
                          FROM people p LEFT JOIN pseudonyms ps USING (participant_id)""")


def label_sql(pseudonymise: bool, id_expr: str = "p.participant_id", *, missing: str = "'?'") -> str:
    """The SQL expression for how a person is shown: their code when pseudonymising, else their name (or id).

    Use with :func:`people_join_sql` (aliases ``p`` for people and ``ps`` for pseudonyms). ``missing`` is what
    a row without a person shows when pseudonymising (a code is never invented in SQL)."""
    return f"coalesce(ps.code, {missing})" if pseudonymise else f"coalesce(p.name, {id_expr})"


def people_join_sql(id_expr: str, *, people: bool = True) -> str:
    """The joins :func:`label_sql` reads: a person's row (``p``) and code (``ps``) for the id in ``id_expr``.

    ``people=False`` joins the codes alone: enough for a pseudonymised label when the query needs nothing else
    of the person (the people view aggregates every participant row, so it is not free)."""
    codes = f"LEFT JOIN pseudonyms ps ON ps.participant_id = {id_expr}"
    return f"LEFT JOIN people p ON p.participant_id = {id_expr} {codes}" if people else codes


def public_ids(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """participant id -> code. An outside person's id is often the name a survey gave them, so a
    pseudonymised graph, map or file carries these codes as node ids, not just as labels."""
    return dict(rows(con, "SELECT participant_id, code FROM pseudonyms"))


def code_mapping(nodes: Iterable[Hashable], ids: Mapping[Hashable, str]) -> dict[Hashable, str]:
    """node -> its code, unique; a node without one (or whose code is taken) gets '?1', '?2', ... so that no
    raw id survives. Compute it once over a network's whole graph and reuse it for every period's subgraph,
    so a person has the same code on every view."""
    mapping, used, n = {}, set(), 0
    for v in sorted(nodes, key=str):
        code = ids.get(v)
        if not code or code in used:
            n += 1
            code = f"?{n}"
        used.add(code)
        mapping[v] = code
    return mapping


def graph_with_codes(G: nx.Graph, mapping: Mapping[Hashable, str]) -> nx.Graph:
    """A copy of ``G`` whose node ids are codes (``mapping`` from :func:`code_mapping`; nodes it lacks are
    coded on the spot). Labels that are empty or '?' become the code."""
    if any(v not in mapping for v in G):  # code the whole graph again, keeping every real code it has
        mapping = code_mapping(G.nodes, {v: c for v, c in mapping.items() if v in G and not c.startswith("?")})
    out = nx.relabel_nodes(G, {v: mapping[v] for v in G}, copy=True)
    for v, d in out.nodes(data=True):
        d["label"] = v if d.get("label") in (None, "", "?") else d["label"]
    return out


#: Statistics that describe a group and so are withheld when the group is small.
GROUP_STATISTICS = ("mean", "median", "q1", "q3", "iqr", "sd", "min", "max", "ci_low", "ci_high", "rwg")


def suppress_small(df: pd.DataFrame, min_group: int, n_col: str = "n",
                   value_cols: Iterable[str] = GROUP_STATISTICS) -> pd.DataFrame:
    """Blank the statistics of groups smaller than ``min_group`` (the row and its n stay, so the gap is
    visible) and mark them in ``suppressed``. Changes and returns ``df``."""
    small = (df[n_col] < min_group).to_numpy(dtype=bool)
    for c in value_cols:  # whole columns at once: a .loc assignment per column was most of a page query's cost
        if c in df:
            df[c] = np.where(small, np.nan, df[c].to_numpy(dtype="float64", na_value=np.nan))
    df["suppressed"] = small
    return df


_WORD = re.compile(r"\w+")  # a run of letters, digits and '_': DuckDB's [\pL\pN_]+ in the name keys


class NameScrubber:
    """Replaces participants' names in free text by their codes (when pseudonymising; otherwise a no-op).

    Matches whole names, case-insensitively, longest first; names shorter than 4 characters are left alone
    (they would match ordinary words). Free text can still name people in ways no list knows (a first name
    alone, a nickname): the report says names are replaced by codes, not that free text is anonymous.

    Names are looked up word run by word run in a dictionary, not with one big regular expression: the cost
    per text does not grow with the number of people (200,000 names would make such a pattern crawl).

    Called with the ``network`` a text belongs to, only names of that network's people (its participant
    rows, and everyone its ties, stories or scores name) are replaced: a story of one network is not
    rewritten because somebody in another network happens to share a word with it. Without a network
    (an event for all networks) every known name counts.
    """

    MIN_LEN = 4
    MAX_WORDS = 8

    def __init__(self, con: duckdb.DuckDBPyConnection, pseudonymise: bool,
                 networks: Sequence[str] | None = None):
        """``networks``: read only the names of these networks' people (every text will be scrubbed with one
        of them): on a store with a 100,000-person network, the overview's agreements of a small network do
        not load every name."""
        self.codes: dict[str, str] = {}
        self.networks: dict[str, frozenset[str]] = {}
        self.starts: frozenset[str] = frozenset()  # every name's first word: where a name can begin
        self.longest = 0
        if not pseudonymise:
            return
        # A name's key is its words (letters, digits), lower-case, joined by one space: "Dr. A. Bakker (lector)"
        # -> "dr a bakker lector". A run of words in the text is looked up the same way. Built in DuckDB:
        # tens of thousands of names in milliseconds.
        # With ``networks``: the filter goes first, so only those networks' people have their names split.
        chosen = "TRUE" if networks is None else \
            f"network IN ({', '.join(literal(n) for n in networks) or 'NULL'})"
        df = frame(con, f"""WITH nets AS (
                               SELECT participant_id, network FROM participants WHERE network IS NOT NULL
                                   AND {chosen}
                               UNION SELECT source, network FROM ties WHERE {chosen}
                               UNION SELECT target, network FROM ties WHERE {chosen}
                               UNION SELECT participant_id, network FROM value_reports
                                   WHERE participant_id IS NOT NULL AND {chosen}
                               UNION SELECT participant_id, network FROM dimension_scores
                                   WHERE participant_id IS NOT NULL AND {chosen}),
                            k AS (
                               SELECT regexp_extract_all(lower(p.name), '[\\pL\\pN_]+') AS words,
                                      coalesce(s.code, '?') AS code, p.participant_id
                               FROM people p LEFT JOIN pseudonyms s USING (participant_id)
                               WHERE p.name IS NOT NULL AND length(trim(p.name)) >= {int(self.MIN_LEN)}
                                 {"" if networks is None else "AND p.participant_id IN (SELECT participant_id FROM nets)"})
                            SELECT array_to_string(words, ' ') AS key, arg_min(code, k.participant_id) AS code,
                                   max(len(words)) AS n,
                                   list(DISTINCT nets.network) FILTER (WHERE nets.network IS NOT NULL) AS networks
                            FROM k LEFT JOIN nets USING (participant_id) WHERE len(words) > 0 GROUP BY ALL""")
        if df.empty:
            return
        self.codes = dict(zip(df["key"].tolist(), df["code"].tolist(), strict=True))
        self.networks = {k: frozenset(v) if isinstance(v, list | tuple | np.ndarray) else frozenset()
                         for k, v in zip(df["key"].tolist(), df["networks"].tolist(), strict=True)}
        self.starts = frozenset(k.split(" ", 1)[0] for k in self.codes)
        self.longest = min(int(df["n"].max()), self.MAX_WORDS)

    def __call__(self, text: object, network: str | None = None) -> str:
        if text is None or (isinstance(text, float) and text != text):
            return ""
        s = str(text)
        if not self.codes:
            return s
        # With a network: only names of that network's people (NaN, a missing network, counts as none).
        codes = _NetworkView(self, network) if isinstance(network, str) else self.codes
        words = list(_WORD.finditer(s))
        lower = [w.group().lower() for w in words]
        out, last, i = [], 0, 0
        starts = self.starts
        while i < len(words):
            if lower[i] not in starts:  # no name begins with this word: one look-up, not one per length
                i += 1
                continue
            for n in range(min(self.longest, len(words) - i), 0, -1):
                code = codes.get(" ".join(lower[i:i + n]))
                if code is not None:
                    start, end = words[i].start(), words[i + n - 1].end()
                    out.append(s[last:start] + code)
                    last, i = end, i + n
                    break
            else:
                i += 1
        return "".join(out) + s[last:]


def people_labels(con: duckdb.DuckDBPyConnection, values: list[object], pseudonymise: bool,
                  networks: Sequence[str] | None = None) -> list[str]:
    """Display labels for free 'who' fields (an agreement's owner): a known participant id becomes their code
    (or name, when not pseudonymising); any other text has known names replaced by codes (of ``networks``'
    people when given); empty stays empty."""
    wanted = sorted({v.strip() for v in values if isinstance(v, str) and v.strip()})
    if not wanted:
        return ["" for _ in values]
    if pseudonymise:
        ensure_pseudonyms(con)
    known = dict(rows(con, f"""SELECT p.participant_id, {label_sql(pseudonymise)} FROM people p
                               LEFT JOIN pseudonyms ps USING (participant_id)
                               WHERE p.participant_id IN ({', '.join('?' * len(wanted))})""", wanted))
    scrub = NameScrubber(con, pseudonymise, networks)
    out = []
    for v in values:
        if not isinstance(v, str) or not v.strip():
            out.append("")
        elif v.strip() in known:
            out.append(str(known[v.strip()]))
        else:
            out.append(scrub(v))
    return out
class _NetworkView:
    """The codes of one network's people, looked up lazily (no copy of 200,000 names per text)."""

    def __init__(self, scrubber: NameScrubber, network: str):
        self.s, self.network = scrubber, network

    def get(self, key: str) -> str | None:
        code = self.s.codes.get(key)
        return code if code is not None and self.network in self.s.networks.get(key, ()) else None
