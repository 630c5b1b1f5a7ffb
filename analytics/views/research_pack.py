"""The research export pack: every stored table as tidy CSV with a codebook, SPSS and Stata files with labels,
the tie waves as RSiena-ready matrices and as a dynamic GEXF for Gephi's timeline, a README and a manifest.

Pseudonymised by default with the store's own codes (analytics/privacy.py), so a person is ``T-017`` in every
file of the pack, on every page and in every report. Free text is scrubbed of participants' names the same way.
No Streamlit here: the Data page and ``python -m analytics export-research`` both call :func:`write_pack`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import tempfile
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import networkx as nx
import numpy as np
import pandas as pd

from analytics.definitions import DEFINITIONS_DIR, Framework, default_framework, fold, value_cycles
from analytics.draw.export import safe_csv
from analytics.draw.graph_files import _xml_text
from analytics.i18n import role_label, t
from analytics.measures import ties as tie_data
from analytics.measures.dimensions import Filters as DimFilters
from analytics.measures.dimensions import indicator_stats
from analytics.measures.value_creation import Filters as ValueFilters
from analytics.measures.value_creation import cycle_counts, reached_counts
from analytics.privacy import (
    ROLE_PREFIX,
    NameScrubber,
    code_mapping,
    ensure_pseudonyms,
    label_sql,
    people_join_sql,
    public_ids,
)
from analytics.store import database as store
from analytics.store.db import frame, literal
from analytics.store.periods import period_of

#: RSiena's codes in a dependent network array (sienaDependent): 10 a structural zero (the tie cannot
#: exist), 11 a structural one (the tie must exist); NA is missing. Actors not (yet, or no longer) in the
#: network get 10 in their row and column, as the RSiena manual advises for changing composition.
STRUCTURAL_ZERO = 10
STRUCTURAL_ONE = 11
#: Stata (format 118) keeps at most 2045 bytes of a plain string; longer free text is cut there (the CSV has
#: it whole).
STATA_MAX_STR = 2045
#: Tables that also go out as SPSS .sav and Stata .dta.
LABELLED = ("dimension_scores", "dimension_scores_wide", "value_reports", "ties", "participants")


class PackError(ValueError):
    pass


@cache
def _spec() -> dict:
    with open(DEFINITIONS_DIR / "research_pack.toml", "rb") as f:
        return tomllib.load(f)


def column_spec(file: str, column: str) -> dict:
    """Type and bilingual label of a column of a pack file (from research_pack.toml)."""
    spec = _spec()
    key = spec.get("aliases", {}).get(f"{file}.{column}", column)
    return spec["columns"].get(key, {"type": "number", "nl": "Netwerkmaat (zie docs/reading-the-charts.md)",
                                     "en": "Network measure (see docs/reading-the-charts.md)"})


@dataclass
class Pack:
    """What :func:`write_pack` wrote: the folder, the files (relative paths) and their SHA-256."""

    folder: Path
    files: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------------------------------------------

def _net_cond(col: str, networks: tuple[str, ...] | None) -> tuple[str, list]:
    if not networks:
        return "TRUE", []
    return f"{col} IN ({', '.join('?' * len(networks))})", list(networks)


def _anon(order: str) -> str:
    """SQL: 'anon-0001', … numbered in a stable order, for rows that have no participant."""
    return f"'anon-' || lpad(CAST(dense_rank() OVER (ORDER BY {order}) AS VARCHAR), 4, '0')"


def _dimension_scores(con, networks, framework: Framework) -> pd.DataFrame:
    cond, params = _net_cond("s.network", networks)
    dims = ", ".join(f"({literal(i.code)}, {literal(i.dimension)}, {n})" for n, i in enumerate(framework.indicators))
    return frame(
        con,
        f"""WITH s AS (SELECT s.*, CASE WHEN s.participant_id IS NULL THEN s.response_id END AS anon_id
                       FROM v_scores s WHERE s.framework = ? AND {cond}),
                 a AS (SELECT DISTINCT anon_id, {_anon('anon_id')} AS code FROM s
                       WHERE anon_id IS NOT NULL)
            SELECT s.network, s.period, s.date, s.wave, s.framework, s.situation, fw.dimension, s.indicator,
                   {label_sql(True, missing="coalesce(a.code, '?')")} AS respondent,
                   coalesce(p.role, 'unknown') AS role, s.raw, s.scale_min, s.scale_max, s.position
            FROM s JOIN (VALUES {dims}) AS fw(indicator, dimension, ord) ON fw.indicator = s.indicator
                   {people_join_sql("s.participant_id")}
                   LEFT JOIN a ON a.anon_id = s.anon_id
            ORDER BY s.network, s.date NULLS LAST, s.period, respondent, s.situation, fw.ord""",
        [framework.id, *params],
    )


def _dimension_scores_wide(long: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """One row per respondent, network, period and situation; a respondent's indicator value is the mean of
    their marks on it, their dimension value the mean of all their marks on the dimension (as the charts)."""
    keys = ["network", "period", "situation", "respondent", "role"]
    cols = keys + [f"ind_{i.code}" for i in framework.indicators] + [f"dim_{d.code}" for d in framework.dimensions]
    if long.empty:
        return pd.DataFrame(columns=cols)
    ind = long.pivot_table(index=keys, columns="indicator", values="position", aggfunc="mean", dropna=False)
    ind = ind.reindex(columns=framework.codes).add_prefix("ind_")
    dim = long.pivot_table(index=keys, columns="dimension", values="position", aggfunc="mean", dropna=False)
    dim = dim.reindex(columns=[d.code for d in framework.dimensions]).add_prefix("dim_")
    out = ind.join(dim).dropna(how="all").reset_index()
    out.columns.name = None
    return out[cols]


def _value_reports(con, networks) -> pd.DataFrame:
    cond, params = _net_cond("v.network", networks)
    order = " ".join(f"WHEN '{c.code}' THEN {int(c.order)}" for c in value_cycles())
    funnel = ", ".join(f"'{c.code}'" for c in value_cycles() if c.in_funnel)
    return frame(
        con,
        f"""WITH v AS (SELECT v.* FROM v_values v WHERE {cond}),
                 a AS (SELECT import_id, row_number, {_anon('import_id, row_number')} AS code FROM v
                       WHERE participant_id IS NULL)
            SELECT v.network, v.period, v.date, v.wave,
                   {label_sql(True, missing="coalesce(a.code, '?')")} AS reporter,
                   coalesce(p.role, 'unknown') AS role, v.cycle, CASE v.cycle {order} END AS cycle_order,
                   v.cycle IN ({funnel}) AS in_funnel, v.indicator, v.description, v.evidence
            FROM v {people_join_sql("v.participant_id")}
                   LEFT JOIN a ON a.import_id = v.import_id AND a.row_number = v.row_number
            ORDER BY v.network, v.date NULLS LAST, v.period, cycle_order, reporter""",
        params,
    )


def _ties(con, networks) -> pd.DataFrame:
    cond, params = _net_cond("t.network", networks)
    # Two people per row: the codes are read from the pseudonyms table twice (label_sql's aliases fit one).
    return frame(
        con,
        f"""SELECT t.network, t.period, t.date, t.wave, coalesce(s.code, '?') AS source,
                   coalesce(g.code, '?') AS target, t.tie_type, t.topic, t.weight, t.channel
            FROM v_ties t LEFT JOIN pseudonyms s ON s.participant_id = t.source
                          LEFT JOIN pseudonyms g ON g.participant_id = t.target
            WHERE {cond}
            ORDER BY t.network, t.date NULLS LAST, t.period, source, target""",
        params,
    )


def _participants(con, networks, names: bool) -> pd.DataFrame:
    """Members of the chosen networks, and the people from outside whom those networks' ties name."""
    cond, params = _net_cond("network", networks)
    extra = ", r.participant_id, p.name" if names else ""
    return frame(
        con,
        f"""WITH m AS (SELECT participant_id, network, joined, "left" FROM memberships WHERE {cond}),
                 named AS (SELECT source AS participant_id FROM ties WHERE {cond}
                           UNION SELECT target FROM ties WHERE {cond}),
                 everyone AS (SELECT participant_id, network, joined, "left" FROM m
                          UNION ALL
                          SELECT participant_id, NULL, NULL, NULL FROM named
                          WHERE participant_id NOT IN (SELECT participant_id FROM m))
            SELECT {label_sql(True)} AS person, r.network, coalesce(p.role, 'unknown') AS role,
                   p.organisation, coalesce(p.external, true) AS external, r.joined, r."left"{extra}
            FROM everyone r {people_join_sql("r.participant_id")}
            ORDER BY r.network NULLS LAST, person""",
        params * 3,
    )


def _events(con, networks) -> pd.DataFrame:
    cond, params = _net_cond("network", networks)
    # Events without a network belong to every network.
    return frame(con, f"""SELECT network, date, period, label FROM v_events
                          WHERE network IS NULL OR {cond} ORDER BY date, network NULLS FIRST""", params)


def _notes(con, networks) -> pd.DataFrame:
    cond, params = _net_cond("network", networks)
    per = period_of("date", store.period_scheme(con))
    return frame(
        con,
        f"""SELECT note_id, network, date, {per} AS period, went_well, differently, written_at
            FROM (SELECT *, row_number() OVER (PARTITION BY note_id ORDER BY version DESC) AS latest
                  FROM meeting_notes)
            WHERE latest = 1 AND NOT deleted AND {cond}
            ORDER BY date, note_id""",
        params,
    )


# --------------------------------------------------------------------------------------------------------------
# The summaries: the same numbers as the command line's dimensions, values and metrics
# --------------------------------------------------------------------------------------------------------------

def _dimension_summary(con, networks, framework: Framework) -> pd.DataFrame:
    parts = []
    for level in ("dimension", "indicator"):
        df = indicator_stats(con, DimFilters(framework=framework.id, networks=networks), by=level,
                             framework=framework)
        df.insert(0, "level", level)
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def _value_summary(con, networks) -> pd.DataFrame:
    by = ("network", "period")
    f = ValueFilters(networks=networks)
    counts = cycle_counts(con, f, by=by).drop(columns=["cycle_order"])
    reached = reached_counts(con, f, by=by)
    groups = counts[list(by)].drop_duplicates()
    cycles = pd.DataFrame({"cycle": [c.code for c in value_cycles()], "order": [c.order for c in value_cycles()],
                           "in_funnel": [c.in_funnel for c in value_cycles()]})
    out = groups.merge(cycles, how="cross").merge(counts, on=[*by, "cycle"], how="left")
    out = out.merge(reached, on=[*by, "cycle"], how="left")
    out[["participants", "reports"]] = out[["participants", "reports"]].fillna(0).astype("int64")
    for c in ("reached_participants", "reached_reports"):  # only the funnel's cycles have a reached count
        out[c] = out[c].where(~out["in_funnel"], out[c].fillna(0)).astype("Int64")
    return out.sort_values([*by, "order"]).drop(columns=["order", "in_funnel"]).reset_index(drop=True)


def _network_metrics(con, networks) -> pd.DataFrame:
    nets = list(networks) if networks else tie_data.networks_with_ties(con)
    recs = []
    for net in nets:
        for r in tie_data.metrics_table(con, network=net):
            # Lists and mappings (isolates by id, per-group shares) are not tidy cells: counts stay.
            row = {k: v for k, v in r.items() if not isinstance(v, dict | list)}
            row["isolates"] = len(r.get("isolates", []))
            recs.append(row)
    return pd.DataFrame(recs)


# --------------------------------------------------------------------------------------------------------------
# Tie waves: one fixed actor set per network, matrices for RSiena, a dynamic GEXF
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Waves:
    network: str
    periods: list[str]
    actors: pd.DataFrame  # actor, person, role, external, (name), present_<k>
    matrices: list[np.ndarray]  # float arrays: 0, 1, STRUCTURAL_ZERO
    weights: list[pd.DataFrame]  # source, target, weight (summed over the period's rows) per wave
    starts: list[str | int]
    ends: list[str | int]


def tie_waves(con: duckdb.DuckDBPyConnection, network: str, *, names: bool = False) -> Waves:
    """The waves of one network: its periods with ties in time order (as ``metrics``), and everyone who is
    in it in any of them, in one fixed order (by code). Someone is in a wave as the network measures count
    them: a member who had joined by the period's end and not left before its start, or anyone a tie of that
    period names. Outside a wave's members a person's row and column are structural zeros. Tie types are
    taken together (a tie of any type is a tie), as ``metrics --tie-type all``; ties.csv keeps the type."""
    periods = frame(con, "SELECT period FROM v_ties WHERE network = ? GROUP BY period ORDER BY min(date), period",
                    [network])["period"].tolist()
    # The codes the tie map and ``metrics`` give (a node without a stored code gets '?1', '?2', ... alike).
    ids = code_mapping(tie_data.full_graph(con, network).nodes, public_ids(con))
    present: list[set[str]] = []
    people = []
    for per in periods:  # one query per wave, not per row
        n = tie_data.nodes(con, network, pseudonymise=True, periods=(per,))
        present.append(set(n["participant_id"]))
        people.append(n)
    allp = (pd.concat(people).drop_duplicates("participant_id") if people
            else pd.DataFrame(columns=["participant_id", "label", "role", "external", "name"]))
    allp["person"] = allp["participant_id"].map(ids).fillna("?")
    allp = allp.sort_values(["person", "participant_id"]).reset_index(drop=True)
    index = {pid: i for i, pid in enumerate(allp["participant_id"])}
    actors = pd.DataFrame({"actor": range(1, len(allp) + 1), "person": allp["person"],
                           "role": allp["role"].fillna("unknown"), "external": allp["external"].astype(bool)})
    if names:
        actors["name"] = allp["name"].fillna(allp["participant_id"]).to_numpy()
    # Every tie type together, as ``metrics --tie-type all``: one tie per pair and period, weights summed.
    edges = frame(con, """SELECT period, source, target, sum(greatest(weight, 0)) AS weight FROM v_ties
                          WHERE network = ? GROUP BY ALL""", [network])
    matrices, weights = [], []
    n = len(allp)
    for k, per in enumerate(periods, 1):
        here = np.array([pid in present[k - 1] for pid in allp["participant_id"]], dtype=bool)
        actors[f"present_{k}"] = here.astype(int)
        m = np.zeros((n, n))
        m[~here, :] = STRUCTURAL_ZERO
        m[:, ~here] = STRUCTURAL_ZERO
        e = edges[(edges["period"] == per) & (edges["source"] != edges["target"])]
        rows, cols = e["source"].map(index).to_numpy(int), e["target"].map(index).to_numpy(int)
        m[rows, cols] = 1
        np.fill_diagonal(m, 0)
        matrices.append(m)
        weights.append(pd.DataFrame({"source": rows, "target": cols, "weight": e["weight"].to_numpy(float)}))
    starts, ends = _wave_times(con, periods)
    return Waves(network, periods, actors, matrices, weights, starts, ends)


def _wave_times(con, periods: list[str]) -> tuple[list, list]:
    """Dates on Gephi's timeline: a wave runs from its period's first date to the day before the next wave
    (the last to its last date). Periods without dates, or out of order, fall back to wave numbers."""
    if not periods:
        return [], []
    d = frame(con, "SELECT period, first_date, last_date FROM v_periods").set_index("period")
    first = [d["first_date"].get(p) for p in periods]
    last = [d["last_date"].get(p) for p in periods]
    ok = all(x is not None and not pd.isna(x) for x in first + last)
    firsts = [pd.Timestamp(x).date() for x in first] if ok else []
    if not ok or any(b <= a for a, b in zip(firsts, firsts[1:], strict=False)):
        return list(range(1, len(periods) + 1)), list(range(1, len(periods) + 1))
    ends = [b - dt.timedelta(days=1) for b in firsts[1:]] + [max(pd.Timestamp(last[-1]).date(), firsts[-1])]
    return [x.isoformat() for x in firsts], [x.isoformat() for x in ends]


def _spells(flags: list[bool], starts: list, ends: list) -> list[tuple]:
    """Runs of consecutive waves as (start, end) spells."""
    out, run = [], None
    for k, on in enumerate(flags):
        if on and run is None:
            run = k
        if run is not None and (not on or k == len(flags) - 1):
            last = k if on else k - 1
            out.append((starts[run], ends[last]))
            run = None
    return out


def dynamic_gexf(w: Waves) -> bytes:
    """A GEXF with ``mode="dynamic"``: people and ties carry spells (the waves they are in), tie weights per
    wave as a dynamic attribute, so Gephi's timeline plays the periods."""
    G = nx.DiGraph(mode="dynamic")
    label = "name" if "name" in w.actors else "person"
    wave_cols = [f"present_{k}" for k in range(1, len(w.periods) + 1)]
    for r in w.actors.itertuples(index=False):
        rec = r._asdict()
        G.add_node(_xml_text(rec["person"]), label=_xml_text(rec[label]), role=_xml_text(rec["role"]),
                   external=_xml_text(bool(rec["external"])),
                   spells=_spells([bool(rec[c]) for c in wave_cols], w.starts, w.ends))
    persons = w.actors["person"].map(_xml_text).tolist()
    per_edge: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for k, e in enumerate(w.weights):
        for s, g, wt in zip(e["source"], e["target"], e["weight"], strict=True):
            per_edge.setdefault((persons[s], persons[g]), []).append((k, float(wt)))
    for (s, g), waves in per_edge.items():
        flags = [False] * len(w.periods)
        for k, _ in waves:
            flags[k] = True
        G.add_edge(s, g, weight=max(x for _, x in waves), spells=_spells(flags, w.starts, w.ends),
                   strength=[(x, w.starts[k], w.ends[k]) for k, x in waves])
    buf = io.BytesIO()
    nx.write_gexf(G, buf)
    return buf.getvalue()


def _matrix_csv(m: np.ndarray, persons: list[str]) -> bytes:
    df = pd.DataFrame(m.astype(int), index=persons, columns=persons)
    df.index.name = "actor"
    return safe_csv(df, index=True)


# --------------------------------------------------------------------------------------------------------------
# Codebook and labelled files
# --------------------------------------------------------------------------------------------------------------

def _value_labels(con, framework: Framework, lang: str, tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Per coded column: value -> (number in .sav/.dta, label nl, label en)."""
    def labelled(pairs):
        return {v: (i, nl, en) for i, (v, nl, en) in enumerate(pairs, 1)}

    periods = [p for p in frame(con, "SELECT period FROM v_periods ORDER BY first_date NULLS LAST, period")
               ["period"].tolist() if p is not None]
    seen_periods = sorted({p for df in tables.values() if "period" in df for p in df["period"].dropna()}
                          - set(periods))
    networks = sorted({n for df in tables.values() if "network" in df for n in df["network"].dropna()})
    roles = [*ROLE_PREFIX, "unknown"]
    out = {
        "network": labelled((n, n, n) for n in networks),
        "period": labelled((p, p, p) for p in periods + seen_periods),
        "framework": labelled([(framework.id, framework.name["nl"], framework.name["en"])]),
        "situation": labelled((s, t(f"situation.{s}", "nl"), t(f"situation.{s}", "en"))
                              for s in ("current", "desired")),
        "dimension": labelled((d.code, f"{d.code} {d.name['nl']}", f"{d.code} {d.name['en']}")
                              for d in framework.dimensions),
        "indicator": labelled((i.code, f"{i.code} {i.name['nl']}", f"{i.code} {i.name['en']}")
                              for i in framework.indicators),
        "role": labelled((r, role_label(r, "nl"), role_label(r, "en")) for r in roles),
        "cycle": {c.code: (c.order, c.name["nl"], c.name["en"]) for c in value_cycles()},
        "level": labelled([("dimension", "dimensie", "dimension"), ("indicator", "indicator", "indicator")]),
    }
    for col in ("tie_type", "channel"):
        vals = sorted({v for df in tables.values() if col in df for v in df[col].dropna()})
        out[col] = labelled((v, v, v) for v in vals)
    return out


def codebook(framework: Framework, tables: dict[str, pd.DataFrame], labels: dict[str, dict]) -> pd.DataFrame:
    """One row per column of every tabular file, then one row per value of its coded columns; indicator
    values carry the question and both poles, cycle values their explanation, in Dutch and English."""
    recs = []
    for name, df in tables.items():
        for col in df.columns:
            spec = column_spec(name, col)
            kind = spec["type"]
            desc_nl, desc_en = spec["nl"], spec["en"]
            base = {"file": f"{name}.csv", "column": col, "value": "", "code_in_sav_dta": None}
            if col.startswith("ind_") and name == "dimension_scores_wide":
                i = framework.indicator(col[4:])
                kind, desc_nl, desc_en = "number", f"{i.code} {i.name['nl']}: positie 0–1", \
                    f"{i.code} {i.name['en']}: position 0–1"
            elif col.startswith("dim_") and name == "dimension_scores_wide":
                d = next(d for d in framework.dimensions if d.code == col[4:])
                kind, desc_nl, desc_en = "number", f"Dimensie {d.code} {d.name['nl']}: gemiddelde positie 0–1", \
                    f"Dimension {d.code} {d.name['en']}: mean position 0–1"
            recs.append({**base, "type": kind, "label_nl": desc_nl, "label_en": desc_en,
                         "values": _value_range(df[col], kind)})
            if col.startswith("ind_") and name == "dimension_scores_wide":
                i = framework.indicator(col[4:])
                recs.append({**base, "value": "0", "type": kind, "label_nl": i.left["nl"], "label_en": i.left["en"],
                             "description_nl": i.question["nl"], "description_en": i.question["en"]})
                recs.append({**base, "value": "1", "type": kind, "label_nl": i.right["nl"],
                             "label_en": i.right["en"]})
            if kind == "code" and col in labels and name in ("dimension_scores", "dimension_scores_wide",
                                                             "value_reports", "ties", "participants",
                                                             "dimension_summary", "value_summary", "events",
                                                             "notes", "network_metrics"):
                present = set(df[col].dropna().astype(str))
                for v, (num, nl, en) in labels[col].items():
                    if col in ("network", "period", "tie_type", "channel") and v not in present:
                        continue
                    row = {**base, "value": v, "code_in_sav_dta": num, "type": kind, "label_nl": nl, "label_en": en}
                    if col == "indicator" and any(i.code == v for i in framework.indicators):
                        i = framework.indicator(v)
                        row.update(description_nl=i.question["nl"], description_en=i.question["en"],
                                   left_pole_nl=i.left["nl"], left_pole_en=i.left["en"],
                                   right_pole_nl=i.right["nl"], right_pole_en=i.right["en"])
                    if col == "cycle":
                        c = next(c for c in value_cycles() if c.code == v)
                        row.update(description_nl=c.explanation["nl"], description_en=c.explanation["en"])
                    recs.append(row)
            if kind == "boolean":
                for v, nl, en in (("False", "nee", "no"), ("True", "ja", "yes")):
                    recs.append({**base, "value": v, "code_in_sav_dta": int(v == "True"), "type": kind,
                                 "label_nl": nl, "label_en": en})
    cols = ["file", "column", "value", "type", "code_in_sav_dta", "label_nl", "label_en", "values",
            "description_nl", "description_en", "left_pole_nl", "left_pole_en", "right_pole_nl", "right_pole_en"]
    out = pd.DataFrame(recs).reindex(columns=cols)
    out["code_in_sav_dta"] = out["code_in_sav_dta"].astype("Int64")
    return out


def _value_range(s: pd.Series, kind: str) -> str:
    v = s.dropna()
    if v.empty:
        return "(empty)"
    if kind in ("number", "integer") and pd.api.types.is_numeric_dtype(v):
        return f"{v.min():g} … {v.max():g}"
    if kind == "date":
        return f"{pd.Timestamp(v.min()).date()} … {pd.Timestamp(v.max()).date()}"
    return f"{v.nunique()} distinct"


def _codebook_md(book: pd.DataFrame, lang: str) -> str:
    other = "nl" if lang == "en" else "en"
    lines = ["# Codebook", "", t("research.codebook_intro", lang), ""]
    for file, rows in book.groupby("file", sort=False):
        lines += [f"## {file}", "", f"| column | type | {lang} | {other} | values |", "|---|---|---|---|---|"]
        for r in rows[rows["value"] == ""].itertuples():
            lines.append(f"| `{r.column}` | {r.type} | {_md_cell(getattr(r, 'label_' + lang))} | "
                         f"{_md_cell(getattr(r, 'label_' + other))} | {_md_cell(r.values)} |")
        vals = rows[rows["value"] != ""]
        for col, vs in vals.groupby("column", sort=False):
            lines += ["", f"**`{col}`**", ""]
            for r in vs.itertuples():
                code = "" if pd.isna(r.code_in_sav_dta) else f" ({r.code_in_sav_dta})"
                extra = ""
                if isinstance(r.description_en, str) and r.description_en:
                    extra = f" — {_md_cell(getattr(r, 'description_' + lang))}"
                if isinstance(r.left_pole_en, str) and r.left_pole_en:
                    extra += (f" [0: {_md_cell(getattr(r, 'left_pole_' + lang))} ↔ "
                              f"1: {_md_cell(getattr(r, 'right_pole_' + lang))}]")
                lines.append(f"- `{_md_cell(r.value)}`{code}: {_md_cell(getattr(r, 'label_' + lang))}{extra}")
        lines.append("")
    return "\n".join(lines)


def _md_cell(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _labelled_frame(name: str, df: pd.DataFrame, labels: dict[str, dict], lang: str,
                    framework: Framework) -> tuple[pd.DataFrame, dict, dict]:
    """The table with coded columns as numbers, plus variable labels and value labels for pyreadstat."""
    out = pd.DataFrame(index=df.index)
    var_labels, value_labels = {}, {}
    for col in df.columns:
        spec = column_spec(name, col)
        s = df[col]
        var_labels[col] = spec[lang]
        if col in labels and spec["type"] == "code":
            mapping = labels[col]
            out[col] = s.map({v: float(num) for v, (num, _, _) in mapping.items()}).astype("float64")
            value_labels[col] = {float(num): (nl if lang == "nl" else en) for num, nl, en in mapping.values()}
        elif spec["type"] == "boolean":
            out[col] = s.astype("float64")
            value_labels[col] = {0.0: "nee" if lang == "nl" else "no", 1.0: "ja" if lang == "nl" else "yes"}
        elif spec["type"] == "date":
            out[col] = pd.to_datetime(s)
        elif col.startswith(("ind_", "dim_")) and name == "dimension_scores_wide":
            out[col] = s.astype("float64")
            if col.startswith("ind_"):
                i = framework.indicator(col[4:])
                var_labels[col] = f"{i.code} {i.name[lang]}"
                value_labels[col] = {0.0: i.left[lang], 1.0: i.right[lang]}
            else:
                d = next(d for d in framework.dimensions if d.code == col[4:])
                var_labels[col] = f"{d.code} {d.name[lang]}"
        elif spec["type"] in ("number", "integer"):
            out[col] = pd.to_numeric(s, errors="coerce").astype("float64")
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return out, var_labels, value_labels


def _write_labelled(folder: Path, name: str, df: pd.DataFrame, labels, lang: str, framework: Framework) -> list[str]:
    import pyreadstat

    data, var_labels, value_labels = _labelled_frame(name, df, labels, lang, framework)
    pyreadstat.write_sav(data, str(folder / f"{name}.sav"), column_labels=var_labels,
                         variable_value_labels=value_labels)
    stata = data.copy()
    for col in stata.columns:
        if stata[col].dtype == object or pd.api.types.is_string_dtype(stata[col]):
            stata[col] = stata[col].map(lambda x: x.encode("utf-8")[:STATA_MAX_STR].decode("utf-8", "ignore"))
    pyreadstat.write_dta(stata, str(folder / f"{name}.dta"), column_labels={k: v[:80] for k, v in var_labels.items()},
                         variable_value_labels={k: {int(n): lab[:32000] for n, lab in v.items()}
                                                for k, v in value_labels.items()},
                         version=15)
    return [f"{name}.sav", f"{name}.dta"]


# --------------------------------------------------------------------------------------------------------------
# The pack
# --------------------------------------------------------------------------------------------------------------

def _slug(i: int, network: str) -> str:
    return f"{i:02d}_{(fold(network)[:40] or 'network')}"


def _scrubbed(df: pd.DataFrame, cols: list[str], scrub: NameScrubber) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        out[c] = out[c].map(lambda x: None if x is None or (isinstance(x, float) and x != x) else scrub(x))
    return out


def write_pack(con: duckdb.DuckDBPyConnection, out_dir: str | Path, *, networks: list[str] | None = None,
               names: bool = False, lang: str = "en", framework: Framework | None = None,
               on_progress: Callable[[float, str], None] | None = None) -> Pack:
    """Write the research pack into ``out_dir`` (created; it must be empty). ``names`` keeps names (and the
    ids of the source files) next to the codes and leaves free text as written; by default there are codes
    only. ``lang`` chooses the language of the .sav/.dta labels (the codebook has both)."""
    fw = framework or default_framework(store.alt_dimension_names(con))
    folder = Path(out_dir)
    progress = on_progress or (lambda f, s: None)
    nets = tuple(networks) if networks else None
    if nets:
        known = set(frame(con, """SELECT network FROM v_scores UNION SELECT network FROM v_values
                                  UNION SELECT network FROM v_ties UNION SELECT network FROM memberships""")
                    ["network"].dropna())
        unknown = [n for n in nets if n not in known]
        if unknown:
            raise PackError(f"no data for network {unknown[0]!r}; known: {', '.join(sorted(known)) or 'none'}")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise PackError(f"{folder} is not an empty folder; choose a new folder for the research pack")
    folder.mkdir(parents=True, exist_ok=True)
    ensure_pseudonyms(con)
    scrub = NameScrubber(con, not names)
    pack = Pack(folder)

    def put(rel: str, data: bytes) -> None:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    progress(0.05, "tables")
    dims = _dimension_scores(con, nets, fw)
    tables = {
        "dimension_scores": dims,
        "dimension_scores_wide": _dimension_scores_wide(dims, fw),
        "value_reports": _scrubbed(_value_reports(con, nets), ["indicator", "description", "evidence"], scrub),
        "ties": _scrubbed(_ties(con, nets), ["topic"], scrub),
        "participants": _participants(con, nets, names),
        "events": _scrubbed(_events(con, nets), ["label"], scrub),
        "notes": _scrubbed(_notes(con, nets), ["went_well", "differently"], scrub),
    }
    progress(0.25, "summaries")
    tables["dimension_summary"] = _dimension_summary(con, nets, fw)
    tables["value_summary"] = _value_summary(con, nets)
    tables["network_metrics"] = _network_metrics(con, nets)
    for name, df in tables.items():
        put(f"{name}.csv", safe_csv(df))
    labels = _value_labels(con, fw, lang, tables)

    progress(0.45, "spss_stata")
    for name in LABELLED:
        _write_labelled(folder, name, tables[name], labels, lang, fw)

    progress(0.6, "ties")
    nets_with_ties = [n for n in (nets or tie_data.networks_with_ties(con)) if n in
                      set(tie_data.networks_with_ties(con))]
    wave_tables: dict[str, pd.DataFrame] = {}
    network_dirs = []
    for i, net in enumerate(nets_with_ties, 1):
        w = tie_waves(con, net, names=names)
        sub = f"networks/{_slug(i, net)}"
        network_dirs.append((net, sub, w))
        put(f"{sub}/rsiena_actors.csv", safe_csv(w.actors))
        waves = pd.DataFrame({"network": net, "wave_number": range(1, len(w.periods) + 1), "period": w.periods,
                              "start": w.starts, "end": w.ends, "file": [
                                  f"rsiena_wave{k:02d}.csv" for k in range(1, len(w.periods) + 1)]})
        put(f"{sub}/rsiena_waves.csv", safe_csv(waves))
        persons = w.actors["person"].tolist()
        for k, m in enumerate(w.matrices, 1):
            put(f"{sub}/rsiena_wave{k:02d}.csv", _matrix_csv(m, persons))
        put(f"{sub}/ties_dynamic.gexf", dynamic_gexf(w))
        wave_tables.setdefault("rsiena_actors", w.actors)
        wave_tables.setdefault("rsiena_waves", waves)
        progress(0.6 + 0.25 * i / max(len(nets_with_ties), 1), "ties")
    put("rsiena_load.R", _rsiena_script().encode("utf-8"))

    progress(0.9, "codebook")
    book_tables = {**tables, **wave_tables}
    book = codebook(fw, book_tables, labels)
    put("codebook.csv", safe_csv(book))
    put("codebook.md", _codebook_md(book, lang).encode("utf-8"))
    put("README.md", _readme(con, fw, tables, network_dirs, names, lang).encode("utf-8"))

    for p in sorted(folder.rglob("*")):
        if p.is_file():
            pack.files[p.relative_to(folder).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    manifest = "".join(f"{h}  {rel}\n" for rel, h in pack.files.items())
    put("manifest.txt", manifest.encode("utf-8"))
    progress(1.0, "done")
    return pack


def pack_zip(con: duckdb.DuckDBPyConnection, *, folder_name: str | None = None, **kwargs) -> bytes:
    """The pack as a zip (for a download): written to a temporary folder, zipped under ``folder_name``."""
    root = folder_name or f"research_pack_{dt.date.today().isoformat()}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / root
        write_pack(con, out, **kwargs)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(out.rglob("*")):
                if p.is_file():
                    z.write(p, f"{root}/{p.relative_to(out).as_posix()}")
        return buf.getvalue()


def verify_manifest(folder: str | Path) -> list[str]:
    """Files whose SHA-256 differs from manifest.txt (or that are missing): empty when the pack is intact."""
    folder = Path(folder)
    bad = []
    for line in (folder / "manifest.txt").read_text(encoding="utf-8").splitlines():
        h, rel = line.split("  ", 1)
        p = folder / rel
        if not p.is_file() or hashlib.sha256(p.read_bytes()).hexdigest() != h:
            bad.append(rel)
    return bad


def _rsiena_script() -> str:
    return (DEFINITIONS_DIR / "research_pack_rsiena.R").read_text(encoding="utf-8")


def _readme(con, fw: Framework, tables: dict[str, pd.DataFrame], network_dirs, names: bool, lang: str) -> str:
    files = _spec()["files"]
    counts = "\n".join(f"- `{name}.csv` ({len(df):,} rows){' + `.sav` + `.dta`' if name in LABELLED else ''}: "
                       f"{files[name]['en']}" for name, df in tables.items())
    nets = "\n".join(f"- `{sub}/`: {net} — {len(w.periods)} wave(s) ({', '.join(w.periods)}), "
                     f"{len(w.actors)} actors" for net, sub, w in network_dirs) or "- (no ties stored)"
    text = (DEFINITIONS_DIR / "research_pack_readme.md").read_text(encoding="utf-8")
    return text.format(
        date=dt.date.today().isoformat(),
        privacy=("Names are kept (exported with --names / names switched on): treat this pack as personal data."
                 if names else "Pseudonymised: people appear only as codes (T-017, S-004, X-002, …), the same "
                 "codes as in the app, its reports and other exports. Participants' names in free text are "
                 "replaced by their codes; free text can still name people in ways no list knows (a first name "
                 "alone, a nickname), so read it before you share it."),
        instrument=f"{fw.name['en']} ({fw.source.get('en', '')})",
        tables=counts, networks=nets, lang=lang, zero=STRUCTURAL_ZERO, one=STRUCTURAL_ONE,
    )
