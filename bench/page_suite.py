"""Benchmark: what a user waits for — every page's whole rerun (data, charts and Streamlit's own work).

Each page runs in Streamlit's AppTest (the script runner the server uses, without a browser): the first page after
a start (a fresh process: the app's imports and the Overview's first computations), each page's first view, and
the median of three reruns of it (a widget click reruns the page; caches warm). Sizes: the demo (``sample``) and
ten times it (``sample --scale 10``, 40 networks).

Baseline, measured in the same child: a page that only writes a title, rerun the same way — Streamlit's own
floor for a rerun of this app's sidebar-less minimum on this machine. ``python -m bench pages``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .timing import in_child, table

PAGES = ["overview", "dimensions", "values", "ties", "present", "live_coach", "data"]


def _time_pages(db: Path) -> dict:
    return in_child(f"""
        import logging, os, statistics, time, warnings
        warnings.simplefilter("ignore")
        logging.getLogger("streamlit").setLevel(logging.ERROR)
        os.environ["NETWERKLEREN_DB"] = {str(db)!r}
        from streamlit.testing.v1 import AppTest

        def median_rerun(at, n=3):
            times = []
            for _ in range(n):
                t = time.perf_counter(); at.run(); times.append(time.perf_counter() - t)
                assert not at.exception, [e.message for e in at.exception]
            return statistics.median(times)

        floor = AppTest.from_string("import streamlit as st\\nst.title('x')", default_timeout=60)
        floor.run()
        base = median_rerun(floor, 5)

        at = AppTest.from_file("app.py", default_timeout=600)
        at.session_state["lang"] = "nl"
        t = time.perf_counter(); at.run(); start = time.perf_counter() - t
        assert not at.exception, [e.message for e in at.exception]
        first, rerun = {{}}, {{}}
        for page in {PAGES!r}:
            t = time.perf_counter(); at.switch_page(f"pages/{{page}}.py").run(); first[page] = time.perf_counter() - t
            assert not at.exception, (page, [e.message for e in at.exception])
            rerun[page] = median_rerun(at)
        result = {{"base": base, "start": start, "first": first, "rerun": rerun}}
    """)


def bench_pages(scale: float = 1.0) -> str:
    from .report_suite import _load

    work = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    out = []
    try:
        for size in (scale, 10 * scale):
            con = _load(size, work)
            con.close()
            got = _time_pages(work / f"sample_{size:g}.duckdb")
            base = got["base"]
            rows = [["a page with only a title, rerun (Streamlit's floor; baseline)", base, 1.0],
                    ["first page after a start (Overview; fresh process)", got["start"], got["start"] / base]]
            for page in PAGES:
                rows.append([f"{page}: first view", got["first"][page], got["first"][page] / base])
                rows.append([f"{page}: rerun (median of 3)", got["rerun"][page], got["rerun"][page] / base])
            target = "0.5 s" if size == scale else "1 s"
            out.append(table(f"Whole page reruns in AppTest, sample x{size:g} — target: every rerun under {target}, "
                             "first page after a start under 3 s", ["what", "seconds", "x baseline"], rows))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return "\n".join(out)


SUITES = {"pages": bench_pages}
