"""Who is who: one person is one person, across waves, survey tools and the tie file.

A respondent is identified by the strongest key the file gives (tables.toml ``[identity]``): an e-mail address
(case-insensitive, trimmed; Forms' "anonymous" is no address), then a participant code (a token, an external
reference, an id from the participant list), then a name (Unicode NFC, case-folded, runs of spaces as one;
accents kept, so "José" and "Jose" stay two people, shown as a candidate pair). A survey tool's response
counter ("Id", "ResponseId", "#") never identifies anybody (``mapping`` keeps it out).

On import, respondents are matched to the people already stored (through merges): by e-mail, else by code,
else by a name that belongs to exactly one person (and no other e-mail). Who matches nobody is new. Pairs that
may be one person (same surname and compatible initials, same e-mail local part, the same name but for
accents) are *candidates*: reported, never merged by themselves; the coach merges them (``merge``), keeps
them apart (``keep_apart``) or splits a wrong merge (``split``). Merges live in ``person_merges`` and the
store's views resolve every id through them, so marks, stories, ties and live answers follow.

Everything is set-based SQL: 10,000 respondents against 10,000 people is a few joins.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics.definitions import identity_rules
from analytics.store import computed
from analytics.store import database as store
from analytics.store.db import frame, literal, rows, run, scalar

#: The id of a new person found by e-mail or name: opaque (an address or a name is personal data and ids are
#: shown where codes are not, in exports say), and the same for the same key in every wave and database.
NEW_ID = "'p-' || left(md5({key}), 12)"

#: Candidate pairs an import report keeps (all are counted; the Data page finds them all again).
MAX_CANDIDATES_KEPT = 200



def name_key_sql(expr: str) -> str:
    """A name as a key: NFC, lower case, every run of (non-breaking) spaces one space; accents kept."""
    return (f"nullif(trim(regexp_replace(lower(nfc_normalize(CAST({expr} AS VARCHAR))), "
            f"'[\\s\\x{{00A0}}]+', ' ', 'g')), '')")


def email_sql(expr: str) -> str:
    """An e-mail address as a key: trimmed, lower case; NULL for no address (Forms' "anonymous", no '@')."""
    anon = ", ".join(literal(a) for a in identity_rules().anonymous_emails)
    e = f"lower(trim(CAST({expr} AS VARCHAR)))"
    return f"CASE WHEN {e} IN ({anon}) OR NOT contains({e}, '@') THEN NULL ELSE nullif({e}, '') END"


def label(key: str) -> str:
    """The word for an identifying key: 'e-mail', 'code', 'name'."""
    return identity_rules().labels.get(key, key)


# ---------------------------------------------------------------- the people already stored


def known_people_sql(wanted: str | None = None) -> str:
    """Every stored participant row as (pid = the person after merges, raw_id, email_n, name_key, name,
    external). A participant id that is an e-mail address (a tie end, say) counts as their e-mail. Names are
    each id's current name (as the ``people`` view has it): a participant renamed by a later list is no
    longer found by the old name.

    ``wanted`` (a relation with a column ``v`` of names or addresses as typed): only the people who have a
    row with one of those keys, with every row of each such person (so what is decided per person, e.g.
    whether they are only an outside person, is decided on all their rows). A tie file naming 8 outside
    people then does not index the 200,000 people stored (0.29 -> ~0.1 s)."""
    latest = ("row_number() OVER (PARTITION BY p.participant_id ORDER BY p.name IS NULL, p.external, "
              "p.import_id DESC, p.row_number DESC) = 1")
    return f"""SELECT coalesce(a.person_id, p.participant_id) AS pid, p.participant_id AS raw_id,
                      coalesce({email_sql('p.email')}, {email_sql('p.participant_id')}) AS email_n,
                      CASE WHEN {latest} THEN {name_key_sql('p.name')} END AS name_key,
                      CASE WHEN {latest} THEN p.name END AS name, p.external, p.network
               FROM {_rows_of(wanted)} p LEFT JOIN person_alias a ON a.alias_id = p.participant_id"""


def _rows_of(wanted: str | None) -> str:
    """The participant rows of every person with a row matching ``wanted`` by name or e-mail (all rows: None)."""
    if wanted is None:
        return "participants"
    # A name has a wanted key only if it holds that key's longest word (lower case, NFC): a cheap join first,
    # the key itself (a regular expression, most of the cost on 200,000 names) only for the names it keeps.
    words = f"""(SELECT DISTINCT (SELECT arg_max(x, length(x)) FROM unnest(string_split(k, ' ')) u(x)) AS w
                 FROM (SELECT {name_key_sql('v')} AS k FROM {wanted}) WHERE k IS NOT NULL)"""
    ids = f"""SELECT q.participant_id FROM participants q
              WHERE {email_sql('q.email')} IN (SELECT {email_sql('v')} FROM {wanted})
                 OR {email_sql('q.participant_id')} IN (SELECT {email_sql('v')} FROM {wanted})
              UNION
              SELECT q.participant_id FROM participants q JOIN {words} ws ON contains(lower(nfc_normalize(q.name)), ws.w)
              WHERE {name_key_sql('q.name')} IN (SELECT {name_key_sql('v')} FROM {wanted})"""
    return f"""(SELECT r.* FROM participants r LEFT JOIN person_alias ra ON ra.alias_id = r.participant_id
               WHERE coalesce(ra.person_id, r.participant_id) IN (
                   SELECT coalesce(qa.person_id, m.participant_id) FROM ({ids}) m
                   LEFT JOIN person_alias qa ON qa.alias_id = m.participant_id))"""


def index_known(con: duckdb.DuckDBPyConnection, prefix: str, wanted: str | None = None) -> dict[str, str]:
    """Temp tables ``{prefix}_email``, ``_code``, ``_name``: one key -> one person (ambiguous keys left out).
    ``wanted``: index only the people these values could name (see :func:`known_people_sql`)."""
    kp = f"{prefix}_kp"
    run(con, f"CREATE OR REPLACE TEMP TABLE {kp} AS {known_people_sql(wanted)}")
    run(con, f"""CREATE OR REPLACE TEMP TABLE {prefix}_email AS SELECT email_n, min(pid) AS pid FROM {kp}
                 WHERE email_n IS NOT NULL GROUP BY 1 HAVING count(DISTINCT pid) = 1""")
    run(con, f"""CREATE OR REPLACE TEMP TABLE {prefix}_code AS SELECT raw_id AS code, min(pid) AS pid FROM {kp}
                 GROUP BY 1""")
    # A name that belongs to one person; with the e-mail(s) that person has, so that a respondent with another
    # address is not taken for them by name alone.
    # A participant beats an outside person of the same name (a placeholder an earlier tie file made).
    run(con, f"""CREATE OR REPLACE TEMP TABLE {prefix}_name AS
                 WITH k AS (SELECT name_key, pid, email_n, bool_and(external) OVER (PARTITION BY pid) AS ext
                            FROM {kp} WHERE name_key IS NOT NULL),
                      best AS (SELECT * FROM k QUALIFY ext = min(ext) OVER (PARTITION BY name_key))
                 SELECT name_key, min(pid) AS pid, max(email_n) AS email_n FROM best
                 GROUP BY 1 HAVING count(DISTINCT pid) = 1""")
    return {"kp": kp, "email": f"{prefix}_email", "code": f"{prefix}_code", "name": f"{prefix}_name"}


def lookup(con: duckdb.DuckDBPyConnection, values: list[str]) -> dict[str, str]:
    """Names or e-mail addresses (as typed) -> the one known person each names; unknown ones are left out."""
    idx = index_known(con, f"lookup_{uuid.uuid4().hex[:10]}")
    try:
        con.register("lookup_values", pd.DataFrame({"v": list(values)}))
        got = rows(con, f"""SELECT v, coalesce(e.pid, n.pid) FROM lookup_values
                            LEFT JOIN {idx['email']} e ON e.email_n = {email_sql('v')}
                            LEFT JOIN {idx['name']} n ON n.name_key = {name_key_sql('v')}
                            WHERE coalesce(e.pid, n.pid) IS NOT NULL""")
        con.unregister("lookup_values")
        return dict(got)
    finally:
        for t in idx.values():
            run(con, f"DROP TABLE IF EXISTS {t}")


# ---------------------------------------------------------------- candidates


def _shape_sql(rel: str) -> str:
    """People (pid, name, name_key, email_n) with the parts the candidate rules compare."""
    return f"""SELECT pid, name, name_key, email_n,
                      string_split(trim(regexp_replace(coalesce(name_key, ''), '[^\\w]+', ' ', 'g')), ' ') AS tokens,
                      CASE WHEN email_n IS NOT NULL THEN split_part(email_n, '@', 1) END AS local,
                      strip_accents(name_key) AS plain
               FROM {rel}"""


def candidates_sql(left: str, right: str, same_side: bool = False) -> str:
    """Pairs (a from ``left``, b from ``right``) that may be one person, with a reason code. ``left`` and
    ``right``: relations with pid, name, name_key, email_n. Pairs already one person, or kept apart by a coach,
    are left out. ``same_side``: both are the same set (each pair once)."""
    order = "AND l.pid < r.pid" if same_side else ""
    return f"""
        WITH l AS ({_shape_sql(left)}), r AS ({_shape_sql(right)}),
        pairs AS (
            SELECT l.pid AS a, r.pid AS b, l.name AS a_name, r.name AS b_name, 'initials' AS reason, 1 AS strength
            FROM l JOIN r ON len(l.tokens) >= 2 AND len(r.tokens) >= 2 AND l.tokens[-1] = r.tokens[-1]
                 AND l.name_key <> r.name_key AND l.plain <> r.plain
                 AND (l.tokens[1] = r.tokens[1]
                      OR (length(l.tokens[1]) = 1 AND starts_with(r.tokens[1], l.tokens[1]))
                      OR (length(r.tokens[1]) = 1 AND starts_with(l.tokens[1], r.tokens[1])))
            WHERE l.pid <> r.pid {order}
            UNION ALL
            SELECT l.pid, r.pid, coalesce(l.name, l.email_n), coalesce(r.name, r.email_n), 'email_local', 2
            FROM l JOIN r ON l.local = r.local AND length(l.local) >= 3 AND l.email_n <> r.email_n
            WHERE l.pid <> r.pid {order}
            UNION ALL
            SELECT l.pid, r.pid, l.name, r.name, 'accents', 3
            FROM l JOIN r ON l.plain = r.plain AND l.name_key <> r.name_key
            WHERE l.pid <> r.pid {order})
        SELECT a, b, arg_min(a_name, strength) AS a_name, arg_min(b_name, strength) AS b_name,
               arg_min(reason, strength) AS reason
        FROM pairs
        WHERE NOT EXISTS (SELECT 1 FROM person_merges m WHERE m.undone_at IS NULL AND m.decision = 'distinct'
                          AND ((m.alias_id = pairs.a AND m.person_id = pairs.b)
                               OR (m.alias_id = pairs.b AND m.person_id = pairs.a)))
        GROUP BY a, b"""


def network_candidates(con: duckdb.DuckDBPyConnection, network: str | None = None) -> list[dict]:
    """Pairs of people (of ``network``, or all) that may be one person: for the coach to merge or keep apart."""
    where = "WHERE pid IN (SELECT participant_id FROM memberships WHERE network = ?)" if network else ""
    people = f"""(SELECT participant_id AS pid, name, {name_key_sql('name')} AS name_key,
                         coalesce({email_sql('email')}, {email_sql('participant_id')}) AS email_n FROM people)"""
    rel = f"(SELECT * FROM {people} {where})"
    df = frame(con, candidates_sql(rel, rel, same_side=True) + " ORDER BY a_name, b_name",
               [network, network] if network else [])
    return df.to_dict(orient="records")


# ---------------------------------------------------------------- a file's respondents


@dataclass
class IdentityResult:
    """How a file's respondents became people: what the import report and the Data page say."""

    #: the file's identifying columns, strongest first: [(header, key)], key in e-mail | code | name
    columns: list[tuple[str, str]] = field(default_factory=list)
    #: response counters left out (headers)
    counters: list[str] = field(default_factory=list)
    respondents: int = 0
    #: matched to people already stored, per key: {"e-mail": 14}
    matched: dict[str, int] = field(default_factory=dict)
    new: int = 0
    #: rows that say nobody (an anonymous answer)
    anonymous_rows: int = 0
    #: possibly the same as an existing person: [{"a": new id, "b": existing id, "a_name", "b_name", "reason"}]
    candidates: list[dict] = field(default_factory=list)
    #: how many candidate pairs there are (``candidates`` keeps the first MAX_CANDIDATES_KEPT)
    candidate_count: int = 0
    #: temp table (_rid -> participant_id) the write joins; respondents table (one row per person)
    rows_table: str | None = None
    people_table: str | None = None

    @property
    def identified_by(self) -> str | None:
        return self.columns[0][1] if self.columns else None

    def to_dict(self) -> dict:
        return {
            "columns": [{"header": h, "key": k} for h, k in self.columns],
            "identified_by": self.identified_by,
            "response_counters_ignored": self.counters,
            "respondents": self.respondents,
            "matched": self.matched,
            "new": self.new,
            "anonymous_rows": self.anonymous_rows,
            "candidate_count": self.candidate_count,
            "candidates": [{k: c[k] for k in ("a_name", "b_name", "reason")} for c in self.candidates],
        }

    def summary(self, lang: str = "en") -> str:
        """"14 matched by e-mail, 2 new, 1 possibly the same as an existing person: 'J. de Vries' / 'Jan de
        Vries'" (in ``lang``)."""
        from analytics.i18n import t

        parts = [t("identity.matched", lang, n=n, by=t(f"identity.key.{k}", lang))
                 for k, n in self.matched.items() if n]
        parts.append(t("identity.new", lang, n=self.new))
        if self.candidates:
            pairs = "; ".join(f"'{c['a_name']}' / '{c['b_name']}'" for c in self.candidates[:5])
            more = "" if self.candidate_count <= 5 else " …"
            parts.append(t("identity.candidates", lang, n=self.candidate_count, pairs=pairs + more))
        if self.anonymous_rows:
            parts.append(t("identity.anonymous", lang, n=self.anonymous_rows))
        return ", ".join(parts)

    def why(self, lang: str = "en") -> str:
        """Which column identifies people and why (the strongest the file has; counters named)."""
        from analytics.i18n import t

        if not self.columns:
            text = t("identity.why_none", lang)
        else:
            header, key = self.columns[0]
            text = t(f"identity.why.{key}", lang, header=header)
            if len(self.columns) > 1:
                text += " " + t("identity.then", lang, headers=", ".join(f"'{h}'" for h, _ in self.columns[1:]))
        if self.counters:
            text += " " + t("identity.counter", lang, headers=", ".join(f"'{h}'" for h in self.counters))
        return text


def identity_columns(staged) -> list[tuple[str, str]]:
    """The file's identifying columns (header, key), strongest first."""
    cols = staged.mapping.columns
    out = []
    for key in identity_rules().order:
        if key == "name" and "name" not in cols and ("first_name" in cols or "last_name" in cols):
            out.append((" + ".join(staged.header(cols[c]) for c in ("first_name", "last_name") if c in cols), key))
        elif key in cols:
            out.append((staged.header(cols[key]), key))
    return out


def _col(staged, name: str) -> str:
    return f"t_{name}" if f"t_{name}" in staged.columns else "NULL::VARCHAR"


def resolve_respondents(con: duckdb.DuckDBPyConnection, staged) -> IdentityResult:
    """Decide who each row of a scores or value file is (``rows_table``: _rid -> participant_id), and report it.

    Writes only temp tables (registered in ``staged.temps``): ``validate`` shows the report, the import joins
    ``rows_table`` and stores ``people_table`` as participant rows."""
    res = IdentityResult(columns=identity_columns(staged),
                         counters=[staged.header(i) for i in staged.mapping.counters])
    if not res.columns:
        return res
    uid = uuid.uuid4().hex[:10]
    rr, people = f"who_rows_{uid}", f"who_people_{uid}"
    first, last = _col(staged, "first_name"), _col(staged, "last_name")
    name = f"coalesce({_col(staged, 'name')}, nullif(trim(concat_ws(' ', {first}, {last})), ''))"
    network = "t_network" if "t_network" in staged.columns else "NULL::VARCHAR"
    run(con, f"""CREATE TEMP TABLE {rr} AS
                 SELECT _rid, _row, {network} AS network, {email_sql(_col(staged, 'email'))} AS email_n,
                        {_col(staged, 'participant_id')} AS code, nfc_normalize({name}) AS name,
                        {name_key_sql(name)} AS name_key
                 FROM {staged.table}
                 -- rows that are never stored are nobody: a repeated header line, an exact copy, a response
                 -- the survey tool marks as a preview or unfinished (``validate.leave_out_rows``)
                 WHERE _rid NOT IN (SELECT rid FROM {staged.problems} WHERE severity = 'skipped')""")
    staged.temps.append(("TABLE", rr))
    run(con, f"""ALTER TABLE {rr} ADD COLUMN rkey VARCHAR""")
    run(con, f"""UPDATE {rr} SET rkey = CASE WHEN email_n IS NOT NULL THEN 'e:' || email_n
                                             WHEN code IS NOT NULL THEN 'c:' || code
                                             WHEN name_key IS NOT NULL THEN 'n:' || name_key END""")
    idx = index_known(con, f"who_known_{uid}")
    staged.temps += [("TABLE", t) for t in idx.values()]
    labels = identity_rules().labels
    run(con, f"""CREATE TEMP TABLE {people} AS
        WITH r AS (SELECT rkey, arg_min(email_n, _row) FILTER (WHERE email_n IS NOT NULL) AS email_n,
                          arg_min(code, _row) FILTER (WHERE code IS NOT NULL) AS code,
                          arg_min(name, _row) FILTER (WHERE name IS NOT NULL) AS name,
                          arg_min(name_key, _row) FILTER (WHERE name_key IS NOT NULL) AS name_key,
                          arg_min(network, _row) AS network, min(_row) AS first_row
                   FROM {rr} WHERE rkey IS NOT NULL GROUP BY rkey)
        SELECT r.*,
               CASE WHEN r.email_n IS NOT NULL THEN {literal(labels['email'])}
                    WHEN r.code IS NOT NULL THEN {literal(labels['participant_id'])} ELSE {literal(labels['name'])} END
                   AS identified_by,
               coalesce(e.pid, c.pid, n.pid) AS matched,
               CASE WHEN e.pid IS NOT NULL THEN 'email' WHEN c.pid IS NOT NULL THEN 'participant_id'
                    WHEN n.pid IS NOT NULL THEN 'name' END AS matched_by,
               coalesce(e.pid, c.pid, n.pid, r.code, {NEW_ID.format(key='r.rkey')}) AS pid
        FROM r LEFT JOIN {idx['email']} e ON e.email_n = r.email_n
               LEFT JOIN {idx['code']} c ON c.code = r.code
               LEFT JOIN {idx['name']} n ON n.name_key = r.name_key
                    AND (r.email_n IS NULL OR n.email_n IS NULL OR n.email_n = r.email_n)""")
    staged.temps.append(("TABLE", people))
    run(con, f"ALTER TABLE {rr} ADD COLUMN participant_id VARCHAR")
    run(con, f"UPDATE {rr} SET participant_id = p.pid FROM {people} p WHERE p.rkey = {rr}.rkey")
    res.rows_table, res.people_table = rr, people
    res.respondents = scalar(con, f"SELECT count(*) FROM {people}") or 0
    for key, n in rows(con, f"SELECT matched_by, count(*) FROM {people} WHERE matched IS NOT NULL GROUP BY 1"):
        res.matched[label(key)] = n
    res.matched = dict(sorted(res.matched.items(), key=lambda kv: list(labels.values()).index(kv[0])))
    res.new = res.respondents - sum(res.matched.values())
    res.anonymous_rows = scalar(con, f"SELECT count(*) FROM {rr} WHERE rkey IS NULL") or 0
    # New respondents who may be someone already stored.
    new_people = f"""(SELECT pid, name, name_key, email_n FROM {people} WHERE matched IS NULL)"""
    known = f"""(SELECT pid, arg_max(name, name IS NOT NULL) AS name, arg_max(name_key, name_key IS NOT NULL)
                        AS name_key, max(email_n) AS email_n FROM {idx['kp']} GROUP BY pid)"""
    found = frame(con, candidates_sql(new_people, known) + " ORDER BY a_name, b_name")
    res.candidate_count = len(found)
    res.candidates = found.head(MAX_CANDIDATES_KEPT).to_dict(orient="records")
    return res


def resolve_list(con: duckdb.DuckDBPyConnection, staged) -> IdentityResult:
    """A participant list's new ids that are people already known (a survey wave stored them by e-mail or
    name first): matched by e-mail, else by a name of exactly one person. The import merges each such id into
    the known person (reason e-mail or name, undone with the import), so the list's roles and schools reach
    that person's marks and ties. ``people_table``: (participant_id, pid, matched_by)."""
    res = IdentityResult(columns=identity_columns(staged),
                         counters=[staged.header(i) for i in staged.mapping.counters])
    if "t_email" not in staged.columns and "t_name" not in staged.columns and "t_first_name" not in staged.columns:
        return res
    uid = uuid.uuid4().hex[:10]
    idx = index_known(con, f"list_known_{uid}")
    staged.temps += [("TABLE", t) for t in idx.values()]
    first, last = _col(staged, "first_name"), _col(staged, "last_name")
    name = f"coalesce({_col(staged, 'name')}, nullif(trim(concat_ws(' ', {first}, {last})), ''))"
    matches = f"list_match_{uid}"
    run(con, f"""CREATE TEMP TABLE {matches} AS
                 WITH l AS (SELECT t_participant_id AS participant_id,
                                   arg_min({email_sql(_col(staged, 'email'))}, _row) AS email_n,
                                   arg_min({name_key_sql(name)}, _row) AS name_key, min(_rid) AS first_rid
                            FROM {staged.table} WHERE t_participant_id IS NOT NULL
                              AND t_participant_id NOT IN (SELECT code FROM {idx['code']}) GROUP BY 1)
                 SELECT l.participant_id, l.first_rid, coalesce(e.pid, n.pid) AS pid,
                        CASE WHEN e.pid IS NOT NULL THEN 'email' ELSE 'name' END AS matched_by
                 FROM l LEFT JOIN {idx['email']} e ON e.email_n = l.email_n
                        LEFT JOIN {idx['name']} n ON n.name_key = l.name_key
                             AND (l.email_n IS NULL OR n.email_n IS NULL OR n.email_n = l.email_n)
                 WHERE coalesce(e.pid, n.pid) IS NOT NULL""")
    staged.temps.append(("TABLE", matches))
    res.people_table = matches
    for key, n in rows(con, f"SELECT matched_by, count(*) FROM {matches} GROUP BY 1 ORDER BY 1"):
        res.matched[label(key)] = n
    res.respondents = scalar(con, f"SELECT count(DISTINCT t_participant_id) FROM {staged.table}") or 0
    res.new = res.respondents - sum(res.matched.values())
    return res


def merge_list_matches(con: duckdb.DuckDBPyConnection, res: IdentityResult, import_id: int, ok: str) -> int:
    """Store the merges ``resolve_list`` found (inside the import's transaction). Returns how many."""
    if not res.people_table:
        return 0
    run(con, f"""INSERT INTO person_merges (merge_id, decision, alias_id, person_id, reason, import_id)
                 SELECT nextval('merge_ids'), 'same', participant_id, pid, matched_by, {int(import_id)}
                 FROM {res.people_table} WHERE {ok.replace('_rid', 'first_rid')}""")
    n = scalar(con, "SELECT count(*) FROM person_merges WHERE import_id = ?", [import_id]) or 0
    if n:
        store.refresh_views(con)
    return n


# ---------------------------------------------------------------- merges


class MergeError(ValueError):
    pass


def person_of(con: duckdb.DuckDBPyConnection, participant_id: str) -> str:
    """The id a (possibly merged) participant id reads as."""
    return scalar(con, "SELECT person_id FROM person_alias WHERE alias_id = ?", [participant_id]) or participant_id


def merge(con: duckdb.DuckDBPyConnection, alias_id: str, person_id: str, reason: str = "coach",
          import_id: int | None = None) -> int:
    """Make ``alias_id`` the same person as ``person_id`` everywhere (marks, stories, ties, live answers, the
    participant list). Undone by ``split``. Returns the merge id."""
    with store.transaction(con):
        a, b = person_of(con, alias_id), person_of(con, person_id)
        if a == b:
            raise MergeError(f"'{alias_id}' and '{person_id}' are one person already")
        known = {r[0] for r in rows(con, "SELECT DISTINCT participant_id FROM participants WHERE participant_id IN "
                                         "(?, ?)", [alias_id, person_id])}
        for pid in (alias_id, person_id):
            if pid not in known:
                raise MergeError(f"there is no participant '{pid}'")
        merge_id = scalar(con, "SELECT nextval('merge_ids')")
        run(con, """INSERT INTO person_merges (merge_id, decision, alias_id, person_id, reason, import_id)
                    VALUES (?, 'same', ?, ?, ?, ?)""", [merge_id, a, b, reason, import_id])
        computed.forget(con)
    store.refresh_views(con)
    return merge_id


def merge_pair(con: duckdb.DuckDBPyConnection, a: str, b: str, reason: str = "coach") -> int:
    """Merge a candidate pair: the person stored later becomes the one stored first (whose name and code
    everyone keeps seeing)."""
    first = rows(con, """SELECT participant_id FROM participants WHERE participant_id IN (?, ?)
                         ORDER BY external, import_id, row_number, participant_id LIMIT 1""", [a, b])
    keep = first[0][0] if first else b
    return merge(con, b if keep == a else a, keep, reason)


def keep_apart(con: duckdb.DuckDBPyConnection, a: str, b: str) -> int:
    """A coach's "these are two people": the pair is no candidate any more. Undone by ``undo_decision``."""
    with store.transaction(con):
        merge_id = scalar(con, "SELECT nextval('merge_ids')")
        run(con, """INSERT INTO person_merges (merge_id, decision, alias_id, person_id, reason)
                    VALUES (?, 'distinct', ?, ?, 'coach')""", [merge_id, a, b])
    return merge_id


def undo_decision(con: duckdb.DuckDBPyConnection, merge_id: int) -> None:
    """Undo one merge or keep-apart decision (the row stays, marked undone)."""
    with store.transaction(con):
        state = rows(con, "SELECT undone_at FROM person_merges WHERE merge_id = ?", [merge_id])
        if not state:
            raise MergeError(f"there is no merge {merge_id}")
        if state[0][0] is not None:
            raise MergeError(f"merge {merge_id} was already undone")
        run(con, "UPDATE person_merges SET undone_at = current_timestamp WHERE merge_id = ?", [merge_id])
        computed.forget(con)
    store.refresh_views(con)


def split(con: duckdb.DuckDBPyConnection, participant_id: str) -> list[int]:
    """Split a wrong merge: ``participant_id`` (an id that was merged into someone) is its own person again,
    with everything it brought (and whoever was merged into it). Returns the merge ids undone."""
    ids = [r[0] for r in rows(con, """SELECT merge_id FROM person_merges WHERE decision = 'same'
                                       AND undone_at IS NULL AND alias_id = ?""", [participant_id])]
    if not ids:
        raise MergeError(f"'{participant_id}' was not merged into anybody")
    for merge_id in ids:
        undo_decision(con, merge_id)
    return ids


def merges(con: duckdb.DuckDBPyConnection, network: str | None = None) -> list[dict]:
    """Active merges (for the Data page's split list): merge_id, alias and person with their names."""
    where = ("AND (m.alias_id IN (SELECT participant_id FROM participants WHERE network = ?) "
             "OR m.person_id IN (SELECT participant_id FROM participants WHERE network = ?))") if network else ""
    df = frame(con, f"""SELECT m.merge_id, m.alias_id, m.person_id, m.reason, m.created_at,
                               (SELECT arg_max(name, (import_id, row_number)) FROM participants
                                WHERE participant_id = m.alias_id AND name IS NOT NULL) AS alias_name,
                               (SELECT name FROM people WHERE participant_id = m.person_id) AS person_name
                        FROM person_merges m WHERE m.decision = 'same' AND m.undone_at IS NULL {where}
                        ORDER BY m.merge_id""", [network, network] if network else [])
    return df.to_dict(orient="records")
