"""Analysis commands of the CLI: the numbers behind the charts, for researchers' own analyses."""

from __future__ import annotations

import json
import math
import sys

import pandas as pd

from analytics.store import database as store


def _clean(v):
    if v is None or v is pd.NA:
        return None
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
    df = indicator_stats(con, f, by=args.by, framework=fw, with_ci=True)
    # ci_low/ci_high: 95% bootstrap over respondents, same 0-1 scale as mean; rwg: agreement (0..1).
    out = [
        {"network": r.network, "period": r.period, "situation": r.situation, "code": r.code, "n": int(r.n),
         "mean": r.mean, "ci_low": r.ci_low, "ci_high": r.ci_high, "iqr": r.iqr, "rwg": r.rwg}
        for r in df.itertuples()
    ]
    _print(out, args.json)
    return 0


def cmd_values(args) -> int:
    from analytics.definitions import funnel_cycles, value_cycles
    from analytics.measures.uncertainty import wilson
    from analytics.measures.value_creation import Filters, cycle_counts, reached_counts

    con = store.connect(args.db)
    f = Filters(networks=(args.network,) if args.network else None)
    by = ("network", "period")
    counts = cycle_counts(con, f, by=by).set_index([*by, "cycle"])
    reached = reached_counts(con, f, by=by).set_index([*by, "cycle"])
    out = []
    first = funnel_cycles()[0]
    for network, period in counts.index.droplevel("cycle").unique():  # every cycle, zero where nobody
        # share: of the people who reported value this period (reached the first stage), how many got this
        # far (funnel) or reported this cycle (side values); a 95% Wilson interval beside it.
        base = int(reached["reached_participants"].get((network, period, first), 0))
        for c in value_cycles():
            key = (network, period, c.code)
            row = {"network": network, "period": period, "cycle": c.code,
                   "participants": int(counts["participants"].get(key, 0)),
                   "reports": int(counts["reports"].get(key, 0))}
            if c.in_funnel:  # got at least this far: the funnel's own count
                row["reached_participants"] = int(reached["reached_participants"].get(key, 0))
                row["reached_reports"] = int(reached["reached_reports"].get(key, 0))
            k = row.get("reached_participants", row["participants"])
            lo, hi = wilson(k, base)
            row.update({"base": base, "share": k / base if base else None, "ci_low": float(lo), "ci_high": float(hi)})
            out.append(row)
    _print(out, args.json)
    return 0


def cmd_change(args) -> int:
    from analytics.definitions import FrameworkError, default_framework, load_framework_file
    from analytics.measures.change import between
    from analytics.measures.dimensions import period_order

    try:
        fw = load_framework_file(args.framework) if getattr(args, "framework", None) else default_framework()
    except (FrameworkError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    con = store.connect(args.db)
    known = period_order(con)
    for p in (args.period_from, args.period_to):
        if p not in known:
            print(f"error: no period {p!r} in the data (periods: {', '.join(known) or 'none'})", file=sys.stderr)
            return 2
    df = between(con, args.period_from, args.period_to, networks=(args.network,) if args.network else None,
                 by=args.by, framework=fw)
    records = [{"period_from": args.period_from, "period_to": args.period_to, **r}
               for r in df.drop(columns=["paired_suppressed"]).to_dict("records")]
    if args.json:
        _print(records, True)
        return 0
    if not records:
        print("no data")
        return 0
    print(f"change {args.period_from} -> {args.period_to} (positions 0-1; + = towards the right pole, "
          "- = towards the left pole; 95% intervals)")
    for r in records:
        def num(v, sign=False):
            v = _clean(v)
            return "—" if v is None else (f"{v:+.3f}" if sign else f"{v:.3f}")
        print(f"{r['network']} {r['code']}: group {num(r['group_change'], True)} "
              f"[{num(r['group_ci_low'], True)}, {num(r['group_ci_high'], True)}] (n {r['n_a']} -> {r['n_b']}); "
              f"paired {num(r['paired_change'], True)} [{num(r['paired_ci_low'], True)}, "
              f"{num(r['paired_ci_high'], True)}] over {r['pairs']} pairs; towards left "
              f"{_clean(r['to_left']) if _clean(r['to_left']) is not None else '—'}, towards right "
              f"{_clean(r['to_right']) if _clean(r['to_right']) is not None else '—'}, stayed "
              f"{_clean(r['stayed']) if _clean(r['stayed']) is not None else '—'}")
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
