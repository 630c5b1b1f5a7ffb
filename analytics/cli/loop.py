"""The meeting loop's commands: the measurement rhythm, agreements and interventions with the before/after
of their linked figures (the same records the overview, the slides and the report show)."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from analytics import limits
from analytics.cli.common import add_db, add_json, add_pseudonymise, clean, existing_db, fail
from analytics.measures.rhythm import rhythm
from analytics.views.loop import agreement_records, intervention_records


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rhythm", help="per network: moments per year, last measurement, next due, status")
    add_db(p)
    p.add_argument("--today", help="read the rhythm as of this date (YYYY-MM-DD; default: today)")
    add_json(p)
    p.set_defaults(func=cmd_rhythm)

    for name, helptext, func in (
        ("agreements", "meeting agreements with the before/after of their linked figures", cmd_agreements),
        ("interventions", "interventions with the before/after of the figures they target", cmd_interventions),
    ):
        p = sub.add_parser(name, help=helptext)
        add_db(p)
        p.add_argument("--network", action="append", help="only this network (repeatable)")
        add_pseudonymise(p)
        add_json(p)
        p.set_defaults(func=func)


def cmd_rhythm(args) -> int:
    try:
        today = dt.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        return fail(f"--today {args.today!r} is not a date (use YYYY-MM-DD)")
    records = rhythm(existing_db(args), today)
    if args.json:
        print(json.dumps([{k: r[k] for k in ("network", "moments", "last", "next_due", "status")} for r in records],
                         ensure_ascii=False, indent=2, default=str))
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
    def side(p: dict | None) -> str:
        if p is None:
            return "not measured"
        if p["value"] is None:
            return f"not shown, too few people ({p['period']})"
        return f"{p['value']:g} ({p['period']})"

    return f"{f['code']}: {side(f['before'])} -> {side(f['after'])}"


def cmd_agreements(args) -> int:
    records = agreement_records(existing_db(args), args.network, pseudonymise=args.pseudonymise)
    if args.json:
        print(json.dumps(clean(records), ensure_ascii=False, indent=2, default=str))
        return 0
    if not records:
        print("no agreements")
    for r in records:
        owner = f"  (owner {r['owner']})" if r["owner"] else ""
        print(f"{r['date']}  {r['network']}  [{r['status']}]  {r['text']}{owner}")
        for f in r["figures"]:
            print(f"    {_figure_text(f)}")
    return 0


def cmd_interventions(args) -> int:
    records = intervention_records(existing_db(args), args.network, pseudonymise=args.pseudonymise,
                                   max_networks=limits.get_int("LOOP_MAX_NETWORKS"))
    if args.json:
        print(json.dumps(clean(records), ensure_ascii=False, indent=2, default=str))
        return 0
    if not records:
        print("no interventions")
    for r in records:
        print(f"{r['start']}  {r['label']}  ({', '.join(r['networks']) or 'all networks'})")
        for n in r["per_network"]:
            for f in n["figures"]:
                print(f"    {n['network']}  {_figure_text(f)}")
        if r["networks_total"] > len(r["per_network"]):
            print(f"    (figures for the {len(r['per_network'])} most recently measured of {r['networks_total']} "
                  "networks; set NETWERKLEREN_LOOP_MAX_NETWORKS for more)")
    return 0
