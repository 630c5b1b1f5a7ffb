"""Closing a round freezes its submitted answers into the normal tables as one undoable import."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict
from datetime import datetime

import pandas as pd

from analytics import i18n
from analytics.ingest import identity as who
from analytics.live import meeting
from analytics.live.common import SCALE_MAX, SCALE_MIN, SITUATIONS, TIE_TYPE, LiveError, utc_now
from analytics.live.picture import submitted
from analytics.live.rounds import Round, get_round, round_instrument, round_period
from analytics.privacy import DEFAULT_MIN_GROUP, ensure_pseudonyms
from analytics.store import database as store
from analytics.store.db import rows, run, scalar
from analytics.store.periods import period_of

# ----------------------------------------------------------------------------------------------- closing


def stored_under(instrument, rnd: Round, code: str) -> str:
    """The instrument id a live mark is stored under (an extension's shipped items: the shipped id)."""
    return instrument.stored_under(code) if instrument is not None else rnd.config.framework


def close_round(con, round_id: str, *, now: datetime | None = None) -> int:
    """Freeze the submitted answers into the normal data, as one import (source 'live') in one transaction.

    Rows go to dimension_scores, value_reports and ties (people named from outside the list are added as
    external participants); the meeting's own questions become meeting notes of the network on the round's
    date (plus/delta as "went well" / "differently", the idea wall with its votes, the statements' spread).
    The import record makes the round undoable from the Data page, notes included. Unsubmitted drafts are
    left out (their number is kept in the import's details). Returns the import id.
    """
    now = utc_now(now)
    with store.transaction(con):
        rnd = get_round(con, round_id)
        if rnd is None:
            raise LiveError("no_round", "there is no such round")
        if rnd.status != "open":
            raise LiveError("closed", "this round is already closed", import_id=rnd.import_id)
        answers = submitted(con, round_id)
        n_ideas = scalar(con, "SELECT count(*) FROM live_ideas WHERE round_id = ? AND NOT hidden", [round_id])
        if not answers and not n_ideas:
            raise LiveError("empty_round", "no submitted answers yet; cancel the round instead")
        drafts = scalar(con, "SELECT count(*) FROM live_responses WHERE round_id = ? AND answers IS NULL",
                        [round_id])
        import_id = store.new_import_id(con)
        scheme = store.period_scheme(con)
        instrument = round_instrument(con, rnd, strict=False)
        net, day, wave = rnd.network, rnd.date, rnd.wave
        known = {r[0] for r in rows(con, "SELECT DISTINCT participant_id FROM participants")}
        # A typed name (or e-mail) of someone already known is that person (identity.py's rules), not an outsider.
        typed = sorted({t["name"] for _, _, a, _ in answers for t in a.get("ties") or [] if "to" not in t})
        by_name = who.lookup(con, typed) if typed else {}
        scores, stories, ties, externals = [], [], [], {}
        for k, (_, pid, a, _) in enumerate(answers, 1):
            person = pid if rnd.named else None
            for situation in SITUATIONS:
                for code, raw in (a.get(situation) or {}).items():
                    pos = (raw - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
                    scores.append([import_id, k, f"{import_id}-{k}", stored_under(instrument, rnd, code), net, person,
                                   day, wave, situation, code,
                                   float(raw), float(SCALE_MIN), float(SCALE_MAX), pos])
            if a.get("story"):
                s = a["story"]
                stories.append([import_id, k, net, person, day, wave, s["cycle"], s.get("indicator"), s.get("text")])
            for tie in a.get("ties") or []:
                target = tie.get("to") or by_name.get(tie["name"], tie["name"])
                if "to" not in tie and target not in known:
                    externals.setdefault(target, k)
                ties.append([import_id, k, net, pid, target, day, wave, TIE_TYPE, rnd.config.topic or None,
                             float(tie.get("often") or 1)])
        _insert(con, "dimension_scores", ["import_id", "row_number", "response_id", "framework", "network",
                                          "participant_id", "date", "wave", "situation", "indicator", "raw",
                                          "scale_min", "scale_max", "position"], scores)
        _insert(con, "value_reports", ["import_id", "row_number", "network", "participant_id", "date", "wave",
                                       "cycle", "indicator", "description"], stories)
        _insert(con, "ties", ["import_id", "row_number", "network", "source", "target", "date", "wave", "tie_type",
                              "topic", "weight"], ties)
        _insert(con, "participants", ["import_id", "row_number", "participant_id", "name", "network", "external"],
                [[import_id, k, n, n, net, True] for n, k in externals.items()])
        for table in ("dimension_scores", "value_reports", "ties"):
            run(con, f"UPDATE {table} SET period = {period_of('date', scheme, 'wave')} WHERE import_id = ?",
                [import_id])
        ensure_pseudonyms(con)
        notes = meeting_notes(con, rnd)
        for went_well, differently in notes:
            run(con, """INSERT INTO meeting_notes (note_id, version, network, date, went_well, differently, import_id)
                        VALUES (nextval('note_ids'), 1, ?, ?, ?, ?, ?)""", [net, day, went_well, differently, import_id])
        stored = {t: n for t, n in (("dimension_scores", len(scores)), ("value_reports", len(stories)),
                                    ("ties", len(ties)), ("participants", len(externals)),
                                    ("meeting_notes", len(notes))) if n}
        period = round_period(con, rnd)
        details = {"round_id": round_id, "network": net, "date": str(day), "wave": wave, "period": period,
                   "mode": rnd.mode, "config": asdict(rnd.config), "responses": len(answers),
                   "drafts_not_submitted": drafts, "stored": stored, "title": rnd.title}
        label = rnd.title or net
        run(
            con,
            """INSERT INTO imports (import_id, file_name, content_hash, kind, source, rows_read, rows_imported,
                   rows_rejected, details) VALUES (?, ?, ?, 'live', 'live', ?, ?, 0, ?)""",
            [import_id, f"Live: {label} ({period})", f"live:{round_id}", len(answers) + drafts, len(answers),
             json.dumps(details, default=str)],
        )
        run(con, "UPDATE live_rounds SET status = 'closed', closed_at = ?, import_id = ? WHERE round_id = ?",
            [now, import_id, round_id])
        run(con, "UPDATE live_tokens SET revoked_at = ? WHERE round_id = ? AND revoked_at IS NULL", [now, round_id])
    return import_id


def meeting_notes(con, rnd: Round) -> list[tuple[str | None, str | None]]:
    """The round's meeting questions as notes (went well, differently), in the round's language: one for
    plus/delta, one for the idea wall with its votes, one for the statements. Subgroups are named per line."""
    lang = rnd.config.lang

    def tr(key: str, **kw) -> str:
        return i18n.t(f"live.note.{key}", lang, **kw)

    def tag(group) -> str:
        return f"[{group}] " if isinstance(group, str) and group else ""

    notes: list[tuple[str | None, str | None]] = []
    cfg = rnd.config
    if cfg.plusdelta:
        pdf = meeting.plusdelta(con, rnd.round_id)
        lines = {part: "\n".join(f"- {tag(g)}{x}" for g, x in zip(sub["group"], sub["text"], strict=True))
                 for part, sub in pdf.groupby("part")}
        if lines:
            head = tr("plusdelta", title=rnd.title or rnd.network)
            plus, delta = lines.get("plus"), lines.get("delta")
            notes.append((f"{head}\n{plus}" if plus else None, f"{head}\n{delta}" if delta else None))
    if cfg.ideas:
        w = meeting.wall(con, rnd.round_id)
        if len(w):
            head = tr("ideas", prompt=cfg.ideas_prompt or tr("ideas_default"))
            body = "\n".join(
                f"- {label} ({tr('votes', n=int(v))})" + (f": {ideas}" if n > 1 else "")
                for label, ideas, n, v in zip(w["label"], w["ideas"], w["n_ideas"], w["votes"], strict=True))
            notes.append((None, f"{head}\n{body}"))
    if cfg.statements:
        s = meeting.statement_stats(con, rnd.round_id, cfg.statements, by_group=bool(cfg.groups))
        if len(s):
            def line(r) -> str:
                who = tag(r.get("group")) if cfg.groups else ""
                if pd.isna(r["median"]):
                    return f"- {who}{r['statement']}: {tr('statement_few', n=int(r['n']), min=DEFAULT_MIN_GROUP)}"
                return f"- {who}{r['statement']}: " + tr("statement_line", agree=int(r["agree"]),
                                                         neutral=int(r["neutral"]), disagree=int(r["disagree"]),
                                                         median=f"{r['median']:g}")
            notes.append((tr("statements") + "\n" + "\n".join(line(r) for _, r in s.iterrows()), None))
    return notes


def _insert(con, table: str, columns: list[str], values: list[list]) -> None:
    """Insert rows in one statement (from a registered frame: far faster than executemany)."""
    if not values:
        return
    name = f"_live_rows_{secrets.token_hex(4)}"
    con.register(name, pd.DataFrame(values, columns=columns).astype(object))
    try:
        cols = ", ".join(columns)
        run(con, f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
    finally:
        con.unregister(name)


def import_undone(con, rnd: Round) -> bool:
    if rnd.import_id is None:
        return False
    return scalar(con, "SELECT undone_at IS NOT NULL FROM imports WHERE import_id = ?", [rnd.import_id]) or False
