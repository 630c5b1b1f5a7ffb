"""The people of a network, once each: who they are (code, how identified), when they gave marks, their ties.

What ``python -m analytics participants`` prints and the Data page's people list shows. Everything reads the
store's views, so merged people are one row and their marks and ties are theirs.
"""

from __future__ import annotations

import duckdb

from analytics.privacy import ensure_pseudonyms
from analytics.store.db import frame


def participant_list(con: duckdb.DuckDBPyConnection, network: str | None = None,
                     names: bool = False) -> list[dict]:
    """One dict per person of ``network`` (or of every network): ``code`` (the pseudonym every surface shows),
    ``name`` (only with ``names``), ``identified_by``, ``periods`` (in time order, where they gave marks),
    ``ties_out``, ``ties_in``, ``external`` (true only for people who are no participant of the network: not
    on its list and without marks or value stories in it)."""
    ensure_pseudonyms(con)
    where = "network = $net" if network else "TRUE"
    df = con.execute(
        f"""WITH ids AS (
                SELECT participant_id FROM memberships WHERE {where}
                UNION SELECT participant_id FROM v_scores WHERE {where} AND participant_id IS NOT NULL
                UNION SELECT source FROM v_ties WHERE {where}
                UNION SELECT target FROM v_ties WHERE {where}),
            member AS (SELECT participant_id FROM memberships WHERE {where}
                       UNION SELECT participant_id FROM v_scores WHERE {where}
                       UNION SELECT participant_id FROM v_values WHERE {where}),
            marks AS (SELECT participant_id, list(DISTINCT period ORDER BY period) AS periods
                      FROM v_scores WHERE {where} AND period IS NOT NULL AND participant_id IS NOT NULL GROUP BY 1),
            outs AS (SELECT source AS participant_id, count(*) AS n FROM v_ties WHERE {where} GROUP BY 1),
            ins AS (SELECT target AS participant_id, count(*) AS n FROM v_ties WHERE {where} GROUP BY 1)
            SELECT ps.code, pe.name, pe.identified_by, coalesce(m.periods, []) AS periods,
                   coalesce(o.n, 0) AS ties_out, coalesce(i.n, 0) AS ties_in,
                   mb.participant_id IS NULL AS external
            FROM ids LEFT JOIN people pe USING (participant_id) LEFT JOIN pseudonyms ps USING (participant_id)
            LEFT JOIN marks m USING (participant_id) LEFT JOIN outs o USING (participant_id)
            LEFT JOIN ins i USING (participant_id) LEFT JOIN member mb USING (participant_id)
            ORDER BY external, ps.code""",
        {"net": network} if network else {},
    ).df()
    order = {p: i for i, p in enumerate(frame(con, "SELECT period FROM v_periods ORDER BY first_date NULLS LAST, "
                                                   "period")["period"])}
    out = []
    for r in df.to_dict(orient="records"):
        rec = {"code": r["code"]}
        if names:
            rec["name"] = r["name"]
        rec.update({"identified_by": r["identified_by"],
                    "periods": sorted(r["periods"], key=lambda p: (order.get(p, len(order)), p)),
                    "ties_out": int(r["ties_out"]), "ties_in": int(r["ties_in"]), "external": bool(r["external"])})
        out.append(rec)
    return out
