"""Commands about files and the store: import, validate, imports, undo, sample, load-sample, warm,
set-password."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

import pandas as pd

from analytics.auth import write_secret
from analytics.cli.common import LANG, add_db
from analytics.definitions import FrameworkError, frameworks_dir, load_framework_file, save_framework
from analytics.demo.load import load_demo
from analytics.demo.sample import write_sample
from analytics.draw.export import safe_csv
from analytics.i18n import kind_label, left_out_text, notice_text, problem_text
from analytics.ingest import importer
from analytics.store import database as store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="validate and store files")
    _add_file_options(p)
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows of a file with errors")
    p.add_argument("--rejected-out", metavar="FILE", help="with --skip-invalid: write refused rows + reasons (CSV)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("validate", help="check files and report problems; writes nothing")
    _add_file_options(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("imports", help="list imports")
    add_db(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_imports)

    p = sub.add_parser("undo", help="remove exactly the rows one import added")
    p.add_argument("import_id", type=int)
    add_db(p)
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser("sample", help="write synthetic sample data")
    p.add_argument("--scale", type=float, default=1.0, help="size relative to the demo set (default 1)")
    p.add_argument("--out", default="sample_out", help="output folder")
    p.add_argument("--seed", type=int, default=2026)
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("load-sample", help="import the demo data in sample_data/ into the database")
    add_db(p)
    p.set_defaults(func=cmd_load_sample)

    p = sub.add_parser("warm", help="compute and keep each network's opening tie figures now (after an import "
                                    "from the command line; the app does this itself after its own imports)")
    p.add_argument("networks", nargs="*", help="networks to warm (default: the WARM_MAX_NETWORKS most recently "
                                               "measured networks with ties)")
    add_db(p)
    p.set_defaults(func=cmd_warm)

    p = sub.add_parser("set-password", help="require a shared password for the app (stored hashed)")
    p.add_argument("--secrets", default=".streamlit/secrets.toml")
    p.set_defaults(func=cmd_set_password)


def _add_file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (a folder: every data file in it)")
    add_db(p)
    p.add_argument("--kind", choices=["participants", "dimensions", "values", "ties", "events"],
                   help="what the file holds (default: detected from its columns)")
    p.add_argument("--network", help="network name for files without a network column")
    p.add_argument("--date", help="survey date (YYYY-MM-DD) for files without a date column")
    p.add_argument("--wave", help="wave label (e.g. 2025-voorjaar) for files without one")
    p.add_argument("--scale", action="append", metavar="MIN-MAX|CODE=MIN-MAX",
                   help="scale of the dimension scores, for all indicators or one (repeatable)")
    p.add_argument("--framework", metavar="FILE", help="instrument definition (TOML) instead of the default")
    p.add_argument("--sheet", help="Excel sheet name (default: the first)")
    p.add_argument("--include-unfinished", action="store_true",
                   help="also import responses the survey tool marks as unfinished (previews, tests and spam "
                        "always stay out)")
    p.add_argument("--date-order", choices=["dmy", "mdy"],
                   help="how to read dates that read two ways (03/11/2025): dmy = day first, mdy = month first")
    p.add_argument("--map", action="append", default=[], metavar="HEADER=COLUMN",
                   help="map a header by hand, e.g. 'Wie helpt jou?=target' or 'Vraag 7=indicator:2b'")
    p.add_argument("--json", action="store_true", help="print a machine-readable result per file")


def _file_options(args) -> dict:
    opts = {
        "kind": args.kind, "network": args.network, "date": args.date, "wave": args.wave,
        "scale": importer.parse_scale(args.scale), "sheet": args.sheet,
        "include_unfinished": args.include_unfinished, "date_order": args.date_order,
    }
    if args.framework:
        # Keep a copy next to the database, so the app can draw this instrument too.
        load_framework_file(args.framework)
        opts["framework"] = save_framework(args.framework, frameworks_dir(store.db_path(args.db)))
    if args.map:
        overrides = {}
        for m in args.map:
            header, sep, target = m.rpartition("=")
            if not sep or not header:
                raise ValueError(f"--map {m!r}: write it as HEADER=COLUMN")
            overrides[header] = target
        opts["mapping_overrides"] = overrides
    return opts


def _print_report(r, out=None, max_problems: int = 25) -> None:
    out = out or sys.stdout  # looked up now, so a redirected stdout is followed
    kind = kind_label(r.kind, LANG) if r.kind else "?"
    if r.status == "imported":
        head = f"✓ {r.file_name}: {r.rows_stored:,} row(s) imported as {kind} (import {r.import_id})"
    elif r.status == "validated":
        head = f"{'✓' if not r.errors else '✗'} {r.file_name}: {r.rows_valid:,} of {r.rows_read:,} row(s) valid ({kind})"
    elif r.status == "duplicate":
        head = f"= {r.file_name}: already imported (import {r.duplicate_of}); nothing added"
    else:
        head = f"✗ {r.message or r.file_name}"
    print(head, file=out)
    fmt = r.file_format
    if fmt.get("format"):
        bits = [r.tool_name[LANG]] if r.tool_name else []
        bits.append(fmt["format"])
        if fmt.get("encoding"):
            bits.append(fmt["encoding"])
        if fmt.get("delimiter"):
            bits.append("delimiter " + {"\t": "tab"}.get(fmt["delimiter"], repr(fmt["delimiter"])))
        if fmt.get("sheet"):
            bits.append(f"sheet {fmt['sheet']}")
        print("  read as " + ", ".join(bits), file=out)
    if r.scales:
        # One scale for all indicators: said once. Else each scale with the indicators it holds for.
        by_scale: dict[tuple, list[str]] = {}
        for code, v in r.scales.items():
            by_scale.setdefault((v["min"], v["max"], v["source"]), []).append(code)
        parts = [f"{lo:g}-{hi:g} ({src})" + (f": {', '.join(codes)}" if len(by_scale) > 1 else "")
                 for (lo, hi, src), codes in sorted(by_scale.items())]
        print("  scale " + "; ".join(parts), file=out)
    if r.scale_suggestion is not None:
        print("  scale not confirmed: " + importer.scale_message(r, LANG), file=out)
    if r.left_out:
        print("  " + left_out_text(r.left_out, LANG), file=out)
    if r.unmapped:
        print("  ignored columns: " + ", ".join(r.unmapped), file=out)
    for note in r.notes:
        print(f"  note: {note}", file=out)
    for code, params in r.notices:
        print(f"  note: {notice_text(code, params, LANG)}", file=out)
    # Who is who, when there is something to tell: a file with only its own id column needs no words.
    ident = r.identity
    if ident is not None and r.status != "failed":
        if ident.counters or ident.identified_by not in (None, "participant_id"):
            print(f"  who: {ident.why(LANG)}", file=out)
        if ident.matched or ident.candidate_count or ident.anonymous_rows or ident.identified_by not in (
                None, "participant_id"):
            print(f"  people: {ident.summary(LANG)}", file=out)
    if r.status in ("rejected", "imported", "validated") and (r.errors or r.warnings):
        print(f"  {r.errors} error(s), {r.warnings} note(s); rows refused: {r.rows_rejected}, "
              f"skipped: {r.rows_skipped}", file=out)
    if r.status == "rejected" and r.message:
        print(f"  {r.message.split(': ', 1)[-1]}", file=out)
    for _, p in r.problems.head(max_problems).iterrows():
        if r.status == "failed":
            break
        where = f"row {int(p['row'])}" if p["row"] == p["row"] and p["row"] is not None else "file"
        col = f", column '{p['column']}'" if isinstance(p["column"], str) and p["column"] else ""
        val = f" '{p['value']}'" if isinstance(p["value"], str) and p["value"] else ""
        print(f"  [{p['severity']}] {where}{col}:{val} {problem_text(p['code'], LANG, p['detail'])}", file=out)
    shown = min(len(r.problems), max_problems)
    total = int(r.problem_counts["n"].sum()) if len(r.problem_counts) else len(r.problems)
    if total > shown and r.status != "failed":
        print(f"  … and {total - shown} more (use --json for all)", file=out)


def _rejected_frames(reports, report_columns) -> list:
    """Each file's refused rows behind the report columns (file, row, reasons), named alike in every file and
    colliding with no column of any of them (a file may have a 'file' column of its own, as a rejected-rows
    file checked again does)."""
    frames = [r for r in reports if len(r.rejected_rows)]
    # The first two columns of ``rejected_rows`` are its row and reasons; the file's own columns follow.
    file, row, reasons = report_columns(c for r in frames for c in r.rejected_rows.columns[2:])
    out = []
    for r in frames:
        df = r.rejected_rows.copy()
        df.columns = [row, reasons, *df.columns[2:]]
        df.insert(0, file, r.file_name)
        out.append(df)
    return out


def cmd_import(args, validate_only: bool = False) -> int:
    try:
        opts = _file_options(args)
    except (ValueError, FrameworkError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    # validate only reads: a read-only connection (read-only media, beside a running writer where DuckDB
    # allows) to the store it checks against, or an empty throwaway store when there is none yet.
    if validate_only:
        con = store.connect_reader(args.db) if store.db_path(args.db).exists() else store.connect(":memory:")
    else:
        con = store.connect(args.db)
    files = importer.data_files(args.paths)
    missing = [f for f in files if not f.exists()]
    if missing:
        print(f"error: no such file: {missing[0]}", file=sys.stderr)
        return 2
    if validate_only:
        reports = [importer.validate_file(con, f, **opts) for f in files]
    else:
        reports = importer.import_paths(con, files, skip_invalid=args.skip_invalid, **opts)
    failed = any(r.status in ("rejected", "failed") or (validate_only and r.errors) for r in reports)
    rejected_frames = _rejected_frames(reports, importer.report_columns)
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2, default=str))
    else:
        for r in reports:
            _print_report(r)
    if not validate_only and args.rejected_out and rejected_frames:
        Path(args.rejected_out).write_bytes(safe_csv(pd.concat(rejected_frames, ignore_index=True)))
        print(f"rejected rows written to {args.rejected_out}", file=sys.stderr)
    if failed:
        bad = [r for r in reports if r.status in ("rejected", "failed") or (validate_only and r.errors)]
        for r in bad:
            if r.scale_suggestion is not None and validate_only:
                print(f"error: {r.file_name}: {importer.scale_message(r, LANG)}", file=sys.stderr)
                continue
            print(f"error: {r.message or r.file_name + ': has errors'}", file=sys.stderr)
    return 1 if failed else 0


def cmd_validate(args) -> int:
    return cmd_import(args, validate_only=True)


def cmd_imports(args) -> int:
    # No database yet: nothing was imported (and listing must not create the file).
    exists = str(args.db) == ":memory:" or store.db_path(args.db).exists()
    recs = store.list_imports(store.connect_reader(args.db)) if exists else []
    if args.json:
        print(json.dumps([{k: v for k, v in r.__dict__.items() if k != "details"} for r in recs], default=str,
                         ensure_ascii=False, indent=2))
        return 0
    if not recs:
        print("no imports yet")
    for r in recs:
        state = f"undone {r.undone_at:%Y-%m-%d %H:%M}" if r.undone_at else f"{r.rows_imported:,} rows"
        print(f"{r.import_id:>4}  {r.imported_at:%Y-%m-%d %H:%M}  {r.kind:<16} {r.source:<7} {state:<22} {r.file_name}")
    return 0


def cmd_undo(args) -> int:
    con = store.connect(args.db)
    try:
        removed = store.undo_import(con, args.import_id)
    except store.StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    parts = ", ".join(f"{n:,} {table}" for table, n in removed.items() if n) or "no rows"
    print(f"import {args.import_id} undone: removed {parts}")
    return 0


def cmd_sample(args) -> int:
    from analytics.demo.loop import write_loop_sample

    # the survey files, then the meeting loop's (networks, agreements, interventions in loop/)
    written = write_sample(args.out, scale=args.scale, seed=args.seed) | write_loop_sample(args.out)
    for kind, path in written.items():
        print(f"{kind}: {path}")
    return 0


def cmd_load_sample(args) -> int:
    con = store.connect(args.db)
    reports = load_demo(con)
    for r in reports:
        _print_report(r)
    return 0 if all(r.status in ("imported", "duplicate") for r in reports) else 1


def cmd_warm(args) -> int:
    """The figures the Ties page, the report and playback open with, computed now and kept in the store: at
    10,000 people a network's first view then reads them instead of computing them for several seconds."""
    import time

    from analytics.measures import ties as tq
    from analytics.views import warm

    if str(args.db) != ":memory:" and not store.db_path(args.db).exists():
        print(f"error: there is no database at {store.db_path(args.db)} (import data first)", file=sys.stderr)
        return 2
    con = store.connect(args.db)
    known = set(tq.networks_with_ties(con))
    unknown = [n for n in args.networks if n not in known]
    if unknown:
        print(f"error: no ties stored for network(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    done = warm.warm(con, args.networks or None,
                     done_one=lambda net: print(f"{net}: kept ({time.perf_counter() - t0:.1f} s)", flush=True))
    print(f"{len(done)} network(s) warmed in {time.perf_counter() - t0:.1f} s"
          + ("" if done else " (none with a map to compute: no ties, or over the page's limits)"))
    return 0


def cmd_set_password(args) -> int:
    pw = getpass.getpass("New password: ")
    if pw != getpass.getpass("Again: "):
        print("error: the passwords differ", file=sys.stderr)
        return 1
    try:
        path = write_secret(args.secrets, pw)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"password set in {path} (restart the app)")
    return 0
