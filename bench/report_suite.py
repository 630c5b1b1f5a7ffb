"""Benchmark: the standalone report (and the tie-map GIF) for the sample data and for ten times the sample data.

Baseline: computing the numbers behind the same report (the same analytics calls: dimension statistics,
funnels, stories, tie graphs, layouts and measures, signals, notes) without drawing anything. The ratio says what
drawing costs on top of the numbers: SVG charts through vl-convert, the tie maps' HTML (vis-network once per
report, shared by the maps) and the escaping. Sizes are of the written file.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from analytics.decisions import LAYOUT_UNIT

from .timing import table


def _load(scale: float, work: Path):
    from analytics.demo.sample import write_sample
    from analytics.ingest import importer
    from analytics.store import database as store

    folder = work / f"sample_{scale:g}"
    write_sample(folder, scale=scale)
    con = store.connect(work / f"sample_{scale:g}.duckdb")
    reports = importer.import_paths(con, [folder])
    bad = [r for r in reports if r.status != "imported"]
    if bad:
        raise RuntimeError(f"sample import failed: {[r.message for r in bad]}")
    return con


def _numbers_only(con, nets: list[str]) -> None:
    """Everything the report computes, nothing it draws."""
    from analytics.draw.layout import layout
    from analytics.measures import dimensions as dims
    from analytics.measures import network as tm
    from analytics.measures import overview as ov
    from analytics.measures import ties as tq
    from analytics.measures import value_creation as vc
    from analytics.store import database as store
    from analytics.store import notes

    store.list_imports(con)
    ov.network_table(con)
    ov.signals(con, ties_latest=ov.latest_tie_measures(con, nets))
    order = dims.period_order(con)
    for net in nets:
        d = dims.indicator_stats(con, dims.Filters(networks=(net,), situation="current"), by="dimension")
        latest = d.dropna(subset=["mean"])["period"].max() if len(d) else None
        if latest:
            ind = dims.indicator_stats(con, dims.Filters(networks=(net,), periods=(latest,), situation="current"))
            dims.disagreement(ind)
        f = vc.Filters(networks=(net,))
        vc.where_value_stops(vc.funnel(con, f))
        vc.side_values(con, f)
        vc.stories(con, f)
        pers = [p for p in order if p in set(tq.options(con, net)["period"])]
        if pers:
            G_all = tq.full_graph(con, net)
            layout(G_all, unit=LAYOUT_UNIT)
            G, _ = tq.graph(con, tq.TieFilters(network=net, periods=(pers[-1],)))
            tm.measure_all(G)
        notes.latest(con, (net,))


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_report(scale: float = 1.0) -> str:
    from analytics.measures.ties import networks_with_ties
    from analytics.views import playback, report

    work = Path(tempfile.mkdtemp(prefix="bench_report_"))
    rows = []
    notes_out = []
    try:
        for factor in (1.0, 10.0):
            s = factor * scale
            t0 = time.perf_counter()
            con = _load(s, work)
            load_s = time.perf_counter() - t0
            nets = report._network_names(con)
            _numbers_only(con, nets[:1])  # warm-up: imports, vl-convert's engine, caches
            report.build_report(con, networks=nets[:1])
            base = _timed(lambda con=con, nets=nets: _numbers_only(con, nets))
            out = work / f"report_{s:g}.html"
            ours = _timed(lambda con=con, out=out: report.write_report(con, out))
            mb = out.stat().st_size / 1e6
            label = f"sample x{s:g} ({len(nets)} networks)"
            rows.append([f"{label}: numbers only (baseline)", base, 1.0, "—"])
            rows.append([f"{label}: HTML report, all networks", ours, ours / base, f"{mb:.1f}"])
            one = work / f"one_{s:g}.html"
            base1 = _timed(lambda con=con, nets=nets: _numbers_only(con, nets[:1]))
            one_s = _timed(lambda con=con, one=one, nets=nets: report.write_report(con, one, networks=nets[:1]))
            rows.append([f"{label}: HTML report, one network", one_s, one_s / base1,
                         f"{one.stat().st_size / 1e6:.1f}"])
            if report.find_chromium():
                try:
                    pdf_s = _timed(lambda out=out: report.html_to_pdf(out, out.with_suffix(".pdf")))
                    rows.append([f"{label}: PDF of the whole report (Chromium)", pdf_s, pdf_s / base,
                                 f"{out.with_suffix('.pdf').stat().st_size / 1e6:.1f}"])
                except report.ReportError as e:  # a figure too: where printing a report stops
                    rows.append([f"{label}: PDF of the whole report (Chromium): not made ({e})", "—", "—", "—"])
            net = networks_with_ties(con)[0]
            gif_b = b""

            def gif(con=con, net=net):
                nonlocal gif_b
                gif_b = playback.playback_gif(con, net)

            gif_s = _timed(gif)
            rows.append([f"{label}: tie-map GIF of one network ({len(playback.periods_with_ties(con, net))} "
                         "frames)", gif_s, "—", f"{len(gif_b) / 1e6:.2f}"])
            notes_out.append(f"sample x{s:g}: generated and imported in {load_s:.1f} s")
            con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    title = ("Standalone report (HTML, PDF) and tie-map GIF — 'x baseline' = report time / time to compute the "
             "same numbers without drawing")
    return table(title, ["what", "seconds", "x baseline", "MB"], rows) + "\n" + "; ".join(notes_out)


SUITES = {"report": bench_report}
