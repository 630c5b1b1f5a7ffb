"""Analysis commands of the CLI: the numbers behind the charts, for researchers' own analyses."""

from __future__ import annotations

import json
import math
import sys

from analytics.store import database as store


def _clean(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if hasattr(v, "item"):
        return _clean(v.item())
    return v


def _print(records: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps([{k: _clean(v) for k, v in r.items()} for r in records], ensure_ascii=False, indent=2,
                         default=str))
        return
    if not records:
        print("no data")
        return
    cols = list(records[0])
    print("\t".join(cols))
    for r in records:
        print("\t".join("" if _clean(r[c]) is None else str(_clean(r[c])) for c in cols))


def cmd_dimensions(args) -> int:
    from analytics.definitions import FrameworkError, default_framework, load_framework_file
    from analytics.measures.dimensions import Filters, indicator_stats

    try:
        fw = load_framework_file(args.framework) if getattr(args, "framework", None) else default_framework()
    except (FrameworkError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    con = store.connect(args.db, read_only=False)
    f = Filters(framework=fw.id, networks=(args.network,) if args.network else None)
    df = indicator_stats(con, f, by=args.by, framework=fw)
    out = [
        {"network": r.network, "period": r.period, "situation": r.situation, "code": r.code, "n": int(r.n),
         "mean": r.mean, "iqr": r.iqr}
        for r in df.itertuples()
    ]
    _print(out, args.json)
    return 0


def cmd_values(args) -> int:
    from analytics.definitions import value_cycles
    from analytics.measures.value_creation import Filters, cycle_counts, reached_counts

    con = store.connect(args.db)
    f = Filters(networks=(args.network,) if args.network else None)
    by = ("network", "period")
    counts = cycle_counts(con, f, by=by).set_index([*by, "cycle"])
    reached = reached_counts(con, f, by=by).set_index([*by, "cycle"])
    out = []
    for network, period in counts.index.droplevel("cycle").unique():  # every cycle, zero where nobody
        for c in value_cycles():
            key = (network, period, c.code)
            row = {"network": network, "period": period, "cycle": c.code,
                   "participants": int(counts["participants"].get(key, 0)),
                   "reports": int(counts["reports"].get(key, 0))}
            if c.in_funnel:  # got at least this far: the funnel's own count
                row["reached_participants"] = int(reached["reached_participants"].get(key, 0))
                row["reached_reports"] = int(reached["reached_reports"].get(key, 0))
            out.append(row)
    _print(out, args.json)
    return 0


def cmd_metrics(args) -> int:
    from analytics.measures.ties import metrics_table

    con = store.connect(args.db)
    records = metrics_table(con, network=args.network, period=args.period)
    if args.json:
        print(json.dumps([{k: _clean(v) if not isinstance(v, dict | list) else v for k, v in r.items()}
                          for r in records], ensure_ascii=False, indent=2, default=str))
    else:
        for r in records:
            print(f"{r['network']} {r['period']}: {r['nodes']} participants, {r['edges']} ties, density "
                  f"{r['density']:.3f}, reciprocity {r['reciprocity']:.3f}, isolates {len(r['isolates'])}")
    return 0


def cmd_report(args) -> int:
    from pathlib import Path

    from analytics.views.report import ReportError, write_report

    con = store.connect(args.db)
    try:
        path = write_report(con, args.out, networks=args.network, period=args.period,
                            pseudonymise=args.pseudonymise, lang=args.lang, pdf=args.pdf)
    except ReportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"report written to {path}", file=sys.stderr)
    if args.pdf:
        print(f"PDF written to {Path(path).with_suffix('.pdf')}", file=sys.stderr)
    return 0


def cmd_rhythm(args) -> int:
    import datetime as dt

    from analytics.measures.rhythm import rhythm

    try:
        today = dt.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print(f"error: --today {args.today!r} is not a date (use YYYY-MM-DD)", file=sys.stderr)
        return 2
    con = store.connect(args.db)
    records = rhythm(con, today)
    if args.json:
        _print([{k: r[k] for k in ("network", "moments", "last", "next_due", "status")} for r in records], True)
        return 0
    if not records:
        print("no networks")
        return 0
    width = max(len("network"), *(len(r["network"]) for r in records))
    print(f"{'network':<{width}}  moments  last        next due    status")
    for r in records:
        print(f"{r['network']:<{width}}  {r['moments']:>7}  {str(r['last'] or '—'):<10}  {r['next_due']}  "
              f"{r['status']}")
    return 0


def _figure_text(f: dict) -> str:
    def val(p):
        if p is None:
            return "not measured"
        return f"{p['value']:g} ({p['period']})" if p["value"] is not None else f"hidden, n<min ({p['period']})"

    return f"{f['code']}: {val(f['before'])} -> {val(f['after'])}"


def cmd_agreements(args) -> int:
    from analytics.views.loop import agreement_records

    con = store.connect(args.db)
    records = agreement_records(con, args.network, pseudonymise=args.pseudonymise)
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if k != "id"} | {"id": r["id"]} for r in records],
                         ensure_ascii=False, indent=2, default=str))
        return 0
    if not records:
        print("no agreements")
    for r in records:
        print(f"{r['date']}  {r['network']}  [{r['status']}]  {r['text']}" + (f"  (owner {r['owner']})"
                                                                           if r["owner"] else ""))
        for f in r["figures"]:
            print(f"    {_figure_text(f)}")
    return 0


def cmd_interventions(args) -> int:
    from analytics.views.loop import intervention_records

    con = store.connect(args.db)
    records = intervention_records(con, args.network, pseudonymise=args.pseudonymise)
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2, default=str))
        return 0
    if not records:
        print("no interventions")
    for r in records:
        print(f"{r['start']}  {r['label']}  ({', '.join(r['networks']) or 'all networks'})")
        for n in r["per_network"]:
            for f in n["figures"]:
                print(f"    {n['network']}  {_figure_text(f)}")
    return 0
