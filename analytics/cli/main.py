"""The entry point: one parser, each command registered by the module that defines it."""

from __future__ import annotations

import argparse
import sys

from analytics.cli import analysis, files, loop
from analytics.cli.common import CommandError
from analytics.store import database as store

#: The modules whose ``register(sub)`` adds commands, in the order ``--help`` lists them.
COMMAND_MODULES = (files, analysis, loop)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Netwerkleren Monitor: import and analyse networked-learning data.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CommandError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.code
    except store.StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing half-imported was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
