"""`zorgroute` command line. Each command group is a module with `register(subparsers)`;
later features add theirs to COMMAND_GROUPS."""

from __future__ import annotations

import time

# Taken before the heavy imports, so `run` can log the real cold start time.
PROCESS_STARTED = time.perf_counter()

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli import (
    audit,
    db,
    emulator,
    invite,
    keys,
    member,
    outbox,
    pupil,
    retention,
    routes,
    run,
    school,
    simulate,
)
from bot.cli.common import CliError
from bot.settings import SettingsError

COMMAND_GROUPS = (
    db,
    school,
    invite,
    member,
    run,
    emulator,
    routes,
    simulate,
    outbox,
    audit,
    keys,
    retention,
    pupil,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zorgroute", description="Zorgroute: school–youth-care routes bot.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = args.func(args)
    except SettingsError as exc:
        print(f"zorgroute: configuration error: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"zorgroute: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        logging.shutdown()
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
