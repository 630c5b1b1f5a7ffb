"""Benchmark: ten times the largest size so far, and a 200 MB hostile file (issue 7).

Sizes at BENCH_SCALE=1: 2,000,000 participants and a 10,000,000-row ties CSV (written by analytics.sample), the
dimension statistics on 100,000 respondents, and a 200 MB ties file with one bad value near its end. BENCH_SCALE
multiplies every size (``BENCH_SCALE=0.05 python -m bench scale`` runs in about a minute).

Every step that holds data runs in a fresh child process, so its peak memory (RSS) is its own. Figures:

1. Import: participants, then ties, through the product's importer (read, validate, store in one transaction),
   against DuckDB's plain ``CREATE TABLE AS read_csv`` of the same ties file (the baseline).
2. Page data on that store: what the sidebar, the overview and the Learning-ties page query. The overview's
   latest tie measures (``ties.metrics_table`` for every network, networkx per network and period) cannot run
   for thousands of networks in a page view: one network is measured and the total extrapolated.
3. The Dimensions page and the overview's dimension trends on 100,000 respondents x 6 periods x 11 indicators.
4. A 200 MB ties file with an impossible date (or an unbalanced quote) near its end: time until the precise
   message, peak memory, and the store's checksums before and after (unchanged).

The report ends with where the design stops scaling and what the next step would be, derived from the figures.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .timing import in_child as _child
from .timing import table

ROOT = Path(__file__).resolve().parent.parent
FULL_PEOPLE, FULL_TIES, FULL_RESPONDENTS, HOSTILE_MB = 2_000_000, 10_000_000, 100_000, 200
#: Bytes per row of write_ties_csv's output (measured: ~88), to size the 200 MB file.
TIES_ROW_BYTES = 88



def _import(db: Path, path: Path, what: str) -> dict:
    return _child(f"""
        import time
        from analytics.ingest import importer
        from analytics.store import database as store
        con = store.connect({str(db)!r})
        t = time.perf_counter()
        r = importer.import_file(con, {str(path)!r})
        s = time.perf_counter() - t
        assert r.status == "imported", r.message
        t = time.perf_counter()
        con.close()
        result = {{"s": s, "close_s": time.perf_counter() - t, "rows": r.rows_stored, "warnings": r.warnings,
                   "what": {what!r}}}
    """)


def _baseline(work: Path, ties: Path) -> dict:
    return _child(f"""
        import time, duckdb
        con = duckdb.connect({str(work / 'raw.duckdb')!r})
        t = time.perf_counter()
        con.execute("CREATE TABLE ties AS SELECT * FROM read_csv({str(ties)!r})").fetchall()
        con.close()
        result = {{"s": time.perf_counter() - t}}
    """)


def _pages(db: Path) -> dict:
    """What the pages query on the big store, timed one by one (first call: nothing cached)."""
    return _child(f"""
        import time
        from analytics.measures import overview as ov
        from analytics.store import database as store
        from analytics.measures import network as tm
        from analytics.draw.layout import layout
        from analytics.measures import ties as tq
        from analytics.db import rows, scalar
        times = {{}}
        def timed(name, fn):
            t = time.perf_counter(); out = fn(); times[name] = time.perf_counter() - t; return out
        con = timed("open the store (connect: migrate check, views)", lambda: store.connect({str(db)!r}))
        timed("data version (cache key, every rerun)", lambda: store.data_version(con))
        # The sidebar's two queries (pages/ui.py: _networks, _periods), run on every page's first view.
        nets = timed("sidebar: list of networks", lambda: [r[0] for r in rows(con, '''SELECT DISTINCT network FROM (
            SELECT network FROM participants UNION ALL SELECT network FROM dimension_scores
            UNION ALL SELECT network FROM value_reports UNION ALL SELECT network FROM ties)
            WHERE network IS NOT NULL ORDER BY 1''')])
        timed("sidebar: list of periods (all networks)", lambda: rows(con, '''SELECT period, min(date) AS d FROM (
            SELECT period, date FROM v_scores UNION ALL SELECT period, date FROM v_values
            UNION ALL SELECT period, date FROM v_ties) WHERE period IS NOT NULL GROUP BY period
            ORDER BY d NULLS LAST, period'''))
        timed("overview: network table", lambda: ov.network_table(con))
        timed("overview: value funnels", lambda: ov.value_funnels(con))
        with_ties = timed("overview: networks with ties", lambda: tq.networks_with_ties(con))
        net = with_ties[len(with_ties) // 2]
        timed("overview: latest tie measures, first network (cold: loads networkx)",
              lambda: tq.metrics_table(con, network=with_ties[0]))
        one = timed("overview: latest tie measures, ONE more network (metrics_table)",
                    lambda: tq.metrics_table(con, network=net))
        # Two views every per-network graph query reads (through ties.nodes): both aggregate the whole store.
        timed("view: memberships (all participants, grouped)", lambda: rows(con, "SELECT count(*) FROM memberships"))
        timed("view: v_periods (min/max date of every row)", lambda: rows(con, "SELECT count(*) FROM v_periods"))
        timed("view: people (latest row of every person)", lambda: rows(con, "SELECT count(*) FROM people"))
        timed("ties page: filter options (one network)", lambda: tq.options(con, net))
        G_all = timed("ties page: graph of all periods (one network)", lambda: tq.full_graph(con, net))
        timed("ties page: layout (one network)", lambda: layout(G_all, unit=LAYOUT_UNIT))
        per = one[-1]["period"]
        timed("  of which: people of one network and period (ties.nodes)", lambda: tq.nodes(con, net, periods=(per,)))
        timed("  of which: ties of one network and period (ties.edges)",
              lambda: tq.edges(con, tq.TieFilters(network=net, periods=(per,))))
        G, _ = timed("ties page: graph of one period", lambda: tq.graph(con, tq.TieFilters(network=net, periods=(per,))))
        timed("ties page: all measures of that graph", lambda: tm.measure_all(G))
        result = {{"times": times, "networks": len(nets), "networks_with_ties": len(with_ties),
                   "periods_per_network": len(one), "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                   "ties": scalar(con, "SELECT count(*) FROM ties"),
                   "participants": scalar(con, "SELECT count(*) FROM participants")}}
        con.close()
    """)


def _dimensions(n_resp: int) -> dict:
    """A store with ``n_resp`` respondents x 6 periods x 11 indicators (filled in SQL), then the page's data."""
    return _child(f"""
        import time
        from analytics.measures import dimensions as dims
        from analytics.measures import overview as ov
        from analytics.store import database as store
        from analytics.definitions import default_framework
        from analytics.periods import period_of
        con = store.connect(":memory:")
        codes = default_framework().codes
        n, per_net = {n_resp}, 250
        t = time.perf_counter()
        con.execute(f'''INSERT INTO participants (import_id, participant_id, network, role)
            SELECT 1, 'P' || r, 'Netwerk ' || (r // {{per_net}}),
                   CASE WHEN r % 5 = 0 THEN 'student_teacher' ELSE 'teacher' END FROM range({{n}}) t(r)''').fetchall()
        con.execute(f'''INSERT INTO dimension_scores
            SELECT 1, r, r || '-' || p, 'dimensions', 'Netwerk ' || (r // {{per_net}}), 'P' || r,
                   DATE '2023-10-01' + CAST(p * 182 AS INTEGER), NULL, 'current', c,
                   CAST(hash(r, p, c) % 11 AS DOUBLE), 0, 10, CAST(hash(r, p, c) % 11 AS DOUBLE) / 10, NULL
            FROM range({{n}}) a(r), range(6) b(p), unnest({{codes!r}}) u(c)''').fetchall()
        con.execute(f"UPDATE dimension_scores SET period = {{period_of('date')}}").fetchall()
        build = time.perf_counter() - t
        marks = con.execute("SELECT count(*) FROM dimension_scores").fetchall()[0][0]
        periods = dims.period_order(con)
        net = "Netwerk 0"
        times = {{}}
        def timed(name, fn):
            t = time.perf_counter(); out = fn(); times[name] = time.perf_counter() - t; return out
        timed("dimensions page: radar over time (one network)", lambda: dims.indicator_stats(
            con, dims.Filters(networks=(net,), situation="current"), by="dimension"))
        shared = dims.Filters(networks=(net,), periods=(periods[-1],), situation="current")
        s = timed("dimensions page: shared picture stats (one network, one period)",
                  lambda: dims.indicator_stats(con, shared))
        timed("dimensions page: marks (one network, one period)", lambda: dims.marks(con, shared, pseudonymise=True))
        timed("dimensions page: compare networks (all, one period)", lambda: dims.indicator_stats(
            con, dims.Filters(situation="current", periods=(periods[-1],)), by="dimension"))
        timed("overview: dimension trends (all networks, all periods)", lambda: ov.dimension_trends(con))
        timed("overview signals: indicator stats (all networks, all periods)", lambda: dims.indicator_stats(
            con, dims.Filters(situation="current")))
        result = {{"times": times, "build_s": build, "marks": marks, "networks": n // per_net}}
    """)


def _hostile_file(people: int, rows_: int, path: Path, fault: str) -> tuple[int, str]:
    """A ties file of ``rows_`` rows with one fault five rows before its end; returns (spreadsheet row, value)."""
    from analytics.demo.sample import write_ties_csv

    write_ties_csv(path, people, rows_, seed=13)
    with path.open("rb+") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - 4096))
        tail = f.read()
        lines = tail.split(b"\n")
        # lines[-1] is empty (the file ends with a line feed); fault the 5th line from the end
        k = len(lines) - 6
        cells = lines[k].split(b",")
        if fault == "date":
            value = cells[3][:5] + b"02-31"
            cells[3] = value
        else:  # an unbalanced quote at the start of the topic
            value = b'"' + cells[5]
            cells[5] = value
        lines[k] = b",".join(cells)
        f.seek(max(0, size - 4096))
        f.write(b"\n".join(lines))
        f.truncate()
    total = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 24):
            total += block.count(b"\n")
    # total lines = header + data rows; the faulted line is the 5th data row from the end: spreadsheet row
    return total - 4, value.decode()


def _hostile(db: Path, path: Path) -> dict:
    return _child(f"""
        import time
        from analytics.ingest import importer
        from analytics.store import database as store
        con = store.connect({str(db)!r})
        before = store.table_checksums(con)
        t = time.perf_counter()
        r = importer.import_file(con, {str(path)!r})
        s = time.perf_counter() - t
        after = store.table_checksums(con)
        con.close()
        p = r.problems
        result = {{"s": s, "status": r.status, "message": r.message, "unchanged": before == after,
                   "problems": [[None if v != v else (int(v) if k == "row" else v) for k, v in row.items()
                                 if k != "file"] for row in p.head(5).to_dict(orient="records")],
                   "rows_read": r.rows_read}}
    """)


def bench_scale(scale: float = 1.0) -> str:
    from analytics.demo.sample import write_participants_csv, write_ties_csv

    n_people, n_ties = int(FULL_PEOPLE * scale), int(FULL_TIES * scale)
    n_resp = max(1_000, int(FULL_RESPONDENTS * scale))
    hostile_rows = max(10_000, int(HOSTILE_MB * scale * 1e6 / TIES_ROW_BYTES))
    work = Path(tempfile.mkdtemp(prefix="bench_scale_", dir=os.environ.get("BENCH_TMP")))
    out = []
    try:
        people = write_participants_csv(work / "participants.csv", n_people, seed=7)
        ties = write_ties_csv(work / "ties.csv", n_people, n_ties, seed=7)
        people_mb, ties_mb = people.stat().st_size / 1e6, ties.stat().st_size / 1e6
        db = work / "scale.duckdb"

        # ------------------------------------------------------------ 1. import
        base = _baseline(work, ties)
        (work / "raw.duckdb").unlink(missing_ok=True)
        imp_p = _import(db, people, "participants")
        imp_t = _import(db, ties, "ties")
        db_mb = db.stat().st_size / 1e6
        rows = [
            [f"participants CSV ({people_mb:,.0f} MB, {n_people:,} rows) -> store", imp_p["s"], "", imp_p["peak_mb"]],
            ["DuckDB CREATE TABLE AS read_csv of the ties CSV (baseline)", base["s"], 1.0, base["peak_mb"]],
            [f"ties CSV ({ties_mb:,.0f} MB, {n_ties:,} rows) -> store (read, validate, store)", imp_t["s"],
             imp_t["s"] / base["s"], imp_t["peak_mb"]],
        ]
        out.append(table(f"Import at BENCH_SCALE={scale:g}: {n_people:,} participants, {n_ties:,} ties ({10 * scale:g}x "
                         f"the largest import benchmarked so far; store file afterwards {db_mb:,.0f} MB)",
                         ["what", "seconds", "x baseline", "peak MB"], rows)
                   + f"\nrows stored: {imp_t['rows']:,} ties; notes (external people etc.): {imp_t['warnings']:,}")

        # ------------------------------------------------------------ 2. page data on the big store
        pg = _pages(db)
        t = pg["times"]
        one_net = t["overview: latest tie measures, ONE more network (metrics_table)"]
        extrapolated = one_net * pg["networks_with_ties"]
        rows = [[k, v * 1000] for k, v in t.items()]
        rows.append([f"overview: latest tie measures, ALL {pg['networks_with_ties']:,} networks (extrapolated)",
                     extrapolated * 1000])
        out.append(table(f"Page data on that store ({pg['participants']:,} participant rows, {pg['ties']:,} ties, "
                         f"{pg['networks']:,} networks; one network's graph: {pg['nodes']:,} people, "
                         f"{pg['edges']:,} ties in one period) — child peak {pg['peak_mb']:,.0f} MB",
                         ["what (first call, nothing cached)", "ms"], rows))

        # ------------------------------------------------------------ 3. dimensions
        dm = _dimensions(n_resp)
        rows = [[k, v * 1000] for k, v in dm["times"].items()]
        out.append(table(f"Dimensions on {n_resp:,} respondents x 6 periods x 11 indicators ({dm['marks']:,} marks, "
                         f"{dm['networks']:,} networks; store filled in {dm['build_s']:.1f} s) — child peak "
                         f"{dm['peak_mb']:,.0f} MB", ["what", "ms"], rows))

        # ------------------------------------------------------------ 4. a 200 MB hostile file
        rows = []
        details = []
        hostile_fig = {}
        for fault in ("date", "quote"):
            hostile = work / f"hostile_{fault}.csv"
            row, value = _hostile_file(n_people, hostile_rows, hostile, fault)
            mb = hostile.stat().st_size / 1e6
            h = _hostile(db, hostile)
            hostile.unlink()
            hostile_fig[fault] = {"s": h["s"], "peak_mb": h["peak_mb"], "mb": mb}
            first = h["problems"][0] if h["problems"] else None
            rows.append([f"{mb:,.0f} MB ties file, {'impossible date' if fault == 'date' else 'unbalanced quote'} "
                         f"in row {row:,}", h["s"], h["status"], "yes" if h["unchanged"] else "NO", h["peak_mb"]])
            details.append(f"- {fault}: {h['message']}" + (f"\n  first problem: {first}" if first else "")
                           + f"\n  expected row {row:,}, value {value!r}; rows read {h['rows_read']:,}")
        out.append(table("A hostile file of 200 MB (x scale) into the big store: time to a precise message",
                         ["file", "seconds", "status", "store unchanged", "peak MB"], rows) + "\n" + "\n".join(details))

        # ------------------------------------------------------------ where it stops scaling
        out.append(_verdict(scale, imp_t, base, pg, extrapolated, dm, hostile_fig))
        return "\n".join(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _verdict(scale, imp_t, base, pg, extrapolated, dm, hostile) -> str:
    t = pg["times"]
    ms = {k: v * 1000 for k, v in t.items()}
    lines = ["\n## Where the design stops scaling (from the figures above)"]
    per_m = imp_t["s"] / max(1, imp_t["rows"]) * 1e6
    lines.append(f"- Import: {per_m:.1f} s per million ties ({imp_t['s'] / base['s']:.1f}x a bare DuckDB read), "
                 f"peak {imp_t['peak_mb']:,.0f} MB for {imp_t['rows']:,} ties in one transaction. Time is linear; "
                 "memory grows with the file (it is staged whole in one transaction). Next step for much larger "
                 "files: import in batches of row groups, or read Parquet exports directly.")
    lines.append(f"- Overview, first view after an import: the latest tie measures run networkx for every network "
                 f"and period ({ms['overview: latest tie measures, ONE more network (metrics_table)']:,.0f} ms per "
                 f"network here): {extrapolated:,.0f} s for {pg['networks_with_ties']:,} networks. This breaks "
                 "first, long before the store does. Next step: pre-aggregate (store the per-network, per-period "
                 "measures at import time in a table the overview reads), and compute a network's graph measures "
                 "only when someone opens it.")
    lines.append(f"- Per-network queries still grow with the whole store: the people of one network and period "
                 f"(ties.nodes) take {ms['  of which: people of one network and period (ties.nodes)']:,.0f} ms "
                 f"against {ms['  of which: ties of one network and period (ties.edges)']:,.0f} ms for its ties, "
                 "because nodes() reads three views that each work through the whole store: people (the latest "
                 f"row of every person: {ms['view: people (latest row of every person)']:,.0f} ms in full), "
                 "memberships (a GROUP BY over all participants: "
                 f"{ms['view: memberships (all participants, grouped)']:,.0f} ms) and v_periods (min/max date "
                 f"over every stored row: {ms['view: v_periods (min/max date of every row)']:,.0f} ms). One "
                 "network's Learning-ties page needs "
                 f"{sum(v for k, v in ms.items() if k.startswith('ties page')):,.0f} ms of data preparation. Next "
                 "step: materialise these views at import (they change only then).")
    lines.append(f"- Sidebar: {pg['networks']:,} networks in one select box (query {ms['sidebar: list of networks']:,.0f} "
                 "ms): the query is fine, the widget is not usable beyond a few hundred networks; a search box or "
                 "grouping per region would be needed.")
    lines.append(f"- Dimensions on {dm['marks']:,} marks: one network's page "
                 f"{max(v for k, v in dm['times'].items() if 'one network' in k) * 1000:,.0f} ms at most; the "
                 f"overview's all-network statistics {max(dm['times'].values()) * 1000:,.0f} ms (cached per data "
                 "version). DuckDB aggregates hold up; no sampling needed at this size. (The child's peak memory "
                 "is mostly the in-memory test store itself.)")
    q = hostile.get("quote")
    if q:
        lines.append(f"- A stray quote near the end of a big file sends it to Python's csv module (to say which row): "
                     f"{q['s']:.1f} s and {q['peak_mb']:,.0f} MB peak for {q['mb']:,.0f} MB, against "
                     f"{hostile['date']['s']:.1f} s / {hostile['date']['peak_mb']:,.0f} MB for a bad value. Several "
                     "such uploads at once could exhaust the server's memory; a streaming scan for the quote "
                     "would find the row without holding the file.")
    lines.append("- Store: one DuckDB file, one writer process; fine at this size. A server-side database (or one "
                 "DuckDB per region) only when several servers must write at once.")
    if scale < 1:
        lines.append(f"(BENCH_SCALE={scale:g}: the full figures come with BENCH_SCALE=1)")
    return "\n".join(lines)


SUITES = {"scale": bench_scale}
