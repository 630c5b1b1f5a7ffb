"""Analysis commands: the numbers behind the charts, for researchers' own analyses, the report and the slides
handout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.cli.common import add_db, add_json, add_pseudonymise, existing_db, fail, print_records
from analytics.definitions import (
    FrameworkError,
    default_framework,
    funnel_cycles,
    load_framework_file,
    value_cycles,
)
from analytics.measures import change as change_measures
from analytics.measures import dimensions as dims
from analytics.measures import value_creation as vc
from analytics.measures.people import participant_list
from analytics.measures.ties import metrics_table
from analytics.measures.uncertainty import wilson
from analytics.views.report import ReportError, write_report


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dimensions", help="dimension means and spread per network, period and situation")
    add_db(p)
    p.add_argument("--network")
    p.add_argument("--by", choices=["indicator", "dimension"], default="dimension")
    p.add_argument("--framework", metavar="FILE",
                   help="instrument definition (TOML) the scores were imported with (default: Dimensions)")
    add_json(p)
    p.set_defaults(func=cmd_dimensions)

    p = sub.add_parser("values", help="value-cycle counts per network and period")
    add_db(p)
    p.add_argument("--network")
    add_json(p)
    p.set_defaults(func=cmd_values)

    p = sub.add_parser("change", help="change between two periods: the group's and the paired change per "
                                      "indicator, with 95% intervals and how many moved towards each pole")
    add_db(p)
    p.add_argument("--from", dest="period_from", required=True, metavar="PERIOD")
    p.add_argument("--to", dest="period_to", required=True, metavar="PERIOD")
    p.add_argument("--network")
    p.add_argument("--by", choices=["indicator", "dimension"], default="indicator")
    p.add_argument("--framework", metavar="FILE",
                   help="instrument definition (TOML) the scores were imported with (default: Dimensions)")
    add_json(p)
    p.set_defaults(func=cmd_change)

    p = sub.add_parser("metrics", help="tie-network measures per network and period")
    add_db(p)
    p.add_argument("--network")
    p.add_argument("--period")
    p.add_argument("--tie-type", metavar="TYPE|all",
                   help="one tie type, or 'all' for one combined record (default: one record per type)")
    add_pseudonymise(p)
    add_json(p)
    p.set_defaults(func=cmd_metrics)

    p = sub.add_parser("participants", help="each person of a network once: code, how identified, periods, ties")
    add_db(p)
    p.add_argument("--network")
    p.add_argument("--names", action="store_true", help="also print names (default: codes only)")
    add_json(p)
    p.set_defaults(func=cmd_participants)

    p = sub.add_parser("export-research", help="the research pack: tidy CSVs + codebook, SPSS/Stata, RSiena "
                                              "matrices, dynamic GEXF, README, manifest")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write (created; must be empty)")
    add_db(p)
    p.add_argument("--network", action="append", help="only this network (repeatable; default: all)")
    p.add_argument("--names", action="store_true",
                   help="keep names next to the codes and free text as written (default: codes only)")
    p.add_argument("--lang", choices=["nl", "en"], default="en", help="language of the SPSS/Stata labels")
    p.add_argument("--framework", metavar="FILE",
                   help="instrument definition (TOML) the scores were imported with (default: Dimensions)")
    p.set_defaults(func=cmd_export_research)

    p = sub.add_parser("report", help="a standalone HTML report")
    add_db(p)
    p.add_argument("--network", action="append")
    p.add_argument("--period")
    add_pseudonymise(p)
    p.add_argument("--lang", choices=["nl", "en"], default="nl")
    p.add_argument("--out", default="report.html")
    p.add_argument("--pdf", action="store_true", help="also write a PDF through headless Chromium")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("handout", help="one network's presentation slides as a handout: A4 landscape, one page "
                                       "per slide (HTML, or PDF through headless Chromium)")
    add_db(p)
    p.add_argument("--network", required=True)
    p.add_argument("--period", help="the period the slides are about (default: each slide its latest)")
    p.add_argument("--lang", choices=["nl", "en"], default="nl")
    p.add_argument("--names", action="store_true", help="show participants' names (default: codes only)")
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write: .html, or .pdf")
    p.set_defaults(func=cmd_handout)


def cmd_dimensions(args) -> int:
    try:
        fw = load_framework_file(args.framework) if args.framework else default_framework()
    except (FrameworkError, OSError) as e:
        return fail(str(e))
    con = existing_db(args)
    f = dims.Filters(framework=fw.id, networks=(args.network,) if args.network else None)
    df = dims.indicator_stats(con, f, by=args.by, framework=fw, with_ci=True)
    # ci_low/ci_high: 95% bootstrap over respondents, same 0-1 scale as mean; rwg: agreement (0..1).
    out = [
        {"network": r.network, "period": r.period, "situation": r.situation, "code": r.code, "n": int(r.n),
         "mean": r.mean, "ci_low": r.ci_low, "ci_high": r.ci_high, "iqr": r.iqr, "rwg": r.rwg}
        for r in df.itertuples()
    ]
    print_records(out, args.json)
    return 0


def cmd_values(args) -> int:
    con = existing_db(args)
    f = vc.Filters(networks=(args.network,) if args.network else None)
    by = ("network", "period")
    counts = vc.cycle_counts(con, f, by=by).set_index([*by, "cycle"])
    reached = vc.reached_counts(con, f, by=by).set_index([*by, "cycle"])
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
    print_records(out, args.json)
    return 0


def _signed(v) -> str:
    return "—" if v is None or v != v else f"{v:+.3f}"


def _count(v) -> str:
    return "—" if v is None or v != v else str(int(v))


def cmd_change(args) -> int:
    try:
        fw = load_framework_file(args.framework) if args.framework else default_framework()
    except (FrameworkError, OSError) as e:
        return fail(str(e))
    con = existing_db(args)
    known = dims.period_order(con)
    for p in (args.period_from, args.period_to):
        if p not in known:
            return fail(f"no period {p!r} in the data (periods: {', '.join(known) or 'none'})")
    df = change_measures.between(con, args.period_from, args.period_to,
                                 networks=(args.network,) if args.network else None, by=args.by, framework=fw)
    df = df.drop(columns=["paired_suppressed"]).astype(object).where(df.drop(columns=["paired_suppressed"]).notna(),
                                                                     None)
    records = [{"period_from": args.period_from, "period_to": args.period_to, **r} for r in df.to_dict("records")]
    if args.json or not records:
        print_records(records, args.json)
        return 0
    print(f"change {args.period_from} -> {args.period_to} (positions 0-1; + = towards the right pole, "
          "- = towards the left pole; 95% intervals)")
    for r in records:
        print(f"{r['network']} {r['code']}: group {_signed(r['group_change'])} [{_signed(r['group_ci_low'])}, "
              f"{_signed(r['group_ci_high'])}] (n {r['n_a']} -> {r['n_b']}); paired {_signed(r['paired_change'])} "
              f"[{_signed(r['paired_ci_low'])}, {_signed(r['paired_ci_high'])}] over {r['pairs']} pairs; "
              f"towards left {_count(r['to_left'])}, towards right {_count(r['to_right'])}, "
              f"stayed {_count(r['stayed'])}")
    return 0


#: The columns of ``metrics`` as a table (JSON has every measure, lists and the E-I indices included).
METRICS_TABLE = ["network", "period", "tie_type", "nodes", "edges", "density", "reciprocity", "clustering",
                 "weak_components", "cross_organisation_share", "strong_share", "communities", "isolates"]


def cmd_metrics(args) -> int:
    con = existing_db(args)
    records = metrics_table(con, network=args.network, period=args.period, pseudonymise=args.pseudonymise,
                            tie_type=args.tie_type)
    for r in records:
        if r.get("limited"):
            print(f"note: {r['network']} {r['period']}: {r['limited']}", file=sys.stderr)
    if not args.json:
        records = [{**r, "isolates": len(r["isolates"])} for r in records]
    print_records(records, args.json, columns=None if args.json else METRICS_TABLE)
    return 0


def cmd_participants(args) -> int:
    con = existing_db(args)
    print_records(participant_list(con, network=args.network, names=args.names), args.json,
                  columns=["code", *(["name"] if args.names else []), "identified_by", "periods", "ties_out",
                           "ties_in", "external"])
    return 0


def cmd_report(args) -> int:
    con = existing_db(args)
    try:
        path = write_report(con, args.out, networks=args.network, period=args.period,
                            pseudonymise=args.pseudonymise, lang=args.lang, pdf=args.pdf)
    except ReportError as e:
        return fail(str(e))
    print(f"report written to {path}", file=sys.stderr)
    if args.pdf:
        print(f"PDF written to {Path(path).with_suffix('.pdf')}", file=sys.stderr)
    return 0


def cmd_handout(args) -> int:
    from analytics.views.handout import write_handout

    con = existing_db(args)
    try:
        path = write_handout(con, args.out, args.network, period=args.period, pseudonymise=not args.names,
                             lang=args.lang)
    except ReportError as e:
        return fail(str(e))
    print(f"handout written to {path}", file=sys.stderr)
    return 0


def cmd_export_research(args) -> int:
    from analytics.views.research_pack import PackError, write_pack

    try:
        fw = load_framework_file(args.framework) if args.framework else None
    except (FrameworkError, OSError) as e:
        return fail(str(e))
    con = existing_db(args)
    try:
        pack = write_pack(con, args.out, networks=args.network, names=args.names, lang=args.lang, framework=fw)
    except PackError as e:
        return fail(str(e))
    print(f"research pack written to {pack.folder}: {len(pack.files) + 1} files "
          f"({'with names' if args.names else 'pseudonymised'}); see README.md and manifest.txt", file=sys.stderr)
    return 0
