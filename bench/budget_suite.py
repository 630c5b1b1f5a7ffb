"""Budgets (issue 18): the files and networks that used to take the app down, measured against their limits.

* the guard: how long refusing the issue's two workbooks takes (a ratio bomb, and one that unpacks to 285 MB
  at an ordinary ratio), generated here, never committed;
* one big network (at scale 1 the issue's 1.7 M random ties among 200,000 people) and 10,000 tiny networks:
  import time, the overview's tie measures, ``metrics --network Big`` and the Ties page's size check.

``python -m bench budget`` (BENCH_SCALE scales the big network). The generators are also used by the load test
(tests/test_load_budget.py).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from .timing import in_child, table


def write_big_network(folder: Path, people: int, ties: int, name: str = "Big", seed: int = 18) -> tuple[Path, Path]:
    """One network of ``people`` with ``ties`` distinct random ties (no self-ties), as CSV files."""
    rng = np.random.default_rng(seed)
    ids = np.arange(people)
    p = folder / f"{name.lower()}_participants.csv"
    with p.open("w", encoding="utf-8") as f:
        f.write("participant_id,name,network,organisation,role\n")
        f.writelines(f"{name}{i},Persoon {name} {i},{name},Org {i % 40},teacher\n" for i in ids)
    keys = np.unique(rng.integers(0, people * people, int(ties * 1.05) + 100, dtype=np.int64))
    keys = keys[keys // people != keys % people]
    keys = rng.permutation(keys)[:ties]
    src, tgt = keys // people, keys % people
    t = folder / f"{name.lower()}_ties.csv"
    with t.open("w", encoding="utf-8") as f:
        f.write("network,source,target,date\n")
        f.writelines(f"{name},{name}{s},{name}{d},2025-03-01\n" for s, d in zip(src.tolist(), tgt.tolist(),
                                                                                    strict=True))
    return p, t


def write_tiny_networks(folder: Path, networks: int = 10_000) -> Path:
    """``networks`` networks of two people and one tie each, in one ties file (the issue's 408 KB file)."""
    t = folder / "tiny_ties.csv"
    with t.open("w", encoding="utf-8") as f:
        f.write("network,source,target,date\n")
        f.writelines(f"N{i:05d},A{i},B{i},2025-03-01\n" for i in range(networks))
    return t


def ratio_bomb(mb: int = 150) -> bytes:
    """A valid workbook whose sheet holds ``mb`` MB of blanks: about 1.4 MB at 1,000x."""
    return _workbook_with_filler(b" " * (1 << 20), mb)


def big_plain_workbook(mb: int = 285) -> bytes:
    """A workbook that unpacks to ``mb`` MB at a ratio near 100 (the issue's 2.7 MB -> 285 MB one): each MB is
    76 kB of two-symbol noise (deflate: ~1 bit a byte) and blanks."""
    noise = np.random.default_rng(1).integers(48, 50, 76 * 1024, dtype=np.uint8).tobytes()
    return _workbook_with_filler(noise + b" " * ((1 << 20) - len(noise)), mb)


def _workbook_with_filler(block: bytes, repeat: int) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["participant_id", "name", "network"])
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z, zipfile.ZipFile(io.BytesIO(buf.getvalue())) as g:
        for n in g.namelist():
            data = g.read(n)
            if n != "xl/worksheets/sheet1.xml":
                z.writestr(n, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with z.open(n, "w", force_zip64=True) as w:
                w.write(head + b"<sheetData>")
                for _ in range(repeat):
                    w.write(block)
                w.write(tail)
    return out.getvalue()


def bench_guard(scale: float = 1.0) -> str:
    from analytics.ingest import guard

    rows = []
    for label, data in (("ratio bomb", ratio_bomb()), ("285 MB at an ordinary ratio", big_plain_workbook())):
        t0 = time.perf_counter()
        try:
            guard.check_bytes(data, "x.xlsx")
            verdict = "accepted"
        except guard.GuardError as e:
            verdict = f"refused ({e.limit})"
        rows.append([label, f"{len(data) / 1e6:.1f} MB", verdict, time.perf_counter() - t0])
    return table("Guard: refusing the issue's workbooks before any parser", ["workbook", "size", "verdict", "s"],
                 rows)


def bench_budget(scale: float = 1.0) -> str:
    people, ties = int(200_000 * scale), int(1_700_000 * scale)
    work = Path(tempfile.mkdtemp(prefix="bench_budget_"))
    try:
        p, t = write_big_network(work, people, ties)
        tiny = write_tiny_networks(work)
        db = work / "budget.duckdb"
        r = in_child(f"""
            import time
            from analytics.cli.main import main as cli_main
            t0 = time.perf_counter()
            assert cli_main(["import", {str(p)!r}, {str(t)!r}, "--db", {str(db)!r}]) == 0
            t1 = time.perf_counter()
            assert cli_main(["import", {str(tiny)!r}, "--db", {str(db)!r}]) == 0
            result = {{"big": t1 - t0, "tiny": time.perf_counter() - t1}}
        """)
        rows = [[f"import Big ({people:,} people, {ties:,} ties, {t.stat().st_size / 1e6:.0f} MB)", r["big"],
                 r["peak_mb"]], ["import 10,000 tiny networks", r["tiny"], ""]]
        for label, code in (
            ("overview: tie measures of every network", "from analytics.measures import overview as ov\n"
                                                        "n = len(ov.latest_tie_measures(con))"),
            ("metrics --network Big (over CLI_MAX_TIES: database measures)",
             "from analytics.measures import ties as tq\nn = len(tq.metrics_table(con, network='Big'))"),
            ("Ties page: size check of Big", "from analytics.measures import ties as tq\nn = tq.size(con, 'Big')"),
        ):
            m = in_child(f"""
                import time
                from analytics.store import database as store
                con = store.connect_reader({str(db)!r})
                t0 = time.perf_counter()
{_indent(code, 16)}
                result = {{"s": time.perf_counter() - t0}}
            """)
            rows.append([label, m["s"], m["peak_mb"]])
        return table(f"Budgets: a big network and many small ones (scale {scale:g})",
                     ["step", "s", "peak MB"], rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _indent(code: str, n: int) -> str:
    return "\n".join(" " * n + line for line in code.splitlines())


def bench_load_budget(scale: float = 1.0) -> str:
    """The browser load test beside a big network (tests/test_load_budget.py) at the issue's size (scale 1:
    10 sessions, 200,000 people, 1.7 M ties), its printed p95 figures as a table. Needs Debian's chromium."""
    import re
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "CI": "true", "LOAD_WITH_BASELINE": "1", "LOAD_SESSIONS": str(max(2, round(10 * scale))),
           "LOAD_BIG_PEOPLE": str(int(200_000 * scale)), "LOAD_BIG_TIES": str(int(1_700_000 * scale))}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                          "tests/test_load_budget.py"], cwd=root, env=env, capture_output=True, text=True,
                         timeout=3600).stdout
    base = re.search(r"baseline \(demo data\): p95 settle ([\d.]+) s .*?server peak (\d+) MB", out)
    big = re.search(r"with Big \((.*?)\).*?p95 settle ([\d.]+) s .*?server peak (\d+) MB", out)
    if not (base and big):
        return table("Load beside a big network (browser)", ["what", "figure"],
                     [["no figures (is chromium there?)", out.strip().splitlines()[-1] if out.strip() else ""]])
    p95_base, p95_big = float(base.group(1)), float(big.group(2))
    rows = [[f"p95 page settle, demo only ({env['LOAD_SESSIONS']} sessions)", p95_base, int(base.group(2)), ""],
            [f"p95 page settle beside Big ({big.group(1)}) and 10,000 tiny networks", p95_big,
             int(big.group(3)), p95_big / p95_base]]
    return table("Load beside a big network (browser, 127.0.0.1) — target: at most 2x the demo's p95, server "
                 "under 2 GB", ["what", "p95 s", "server peak MB", "x demo"], rows)


SUITES = {"guard": bench_guard, "budget": bench_budget, "load_budget": bench_load_budget}

if __name__ == "__main__":  # pragma: no cover
    print(bench_guard(), bench_budget(float(os.environ.get("BENCH_SCALE", "1"))))
