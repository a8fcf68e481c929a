"""`zorgroute` command line. Each command group is a module with `register(subparsers)`;
later features add theirs to COMMAND_GROUPS.

The parser is built from every group, so a command module imports at its top only what its parser needs
(the standard library, `bot.cli.common`, constants from light modules); what a command runs on (the
database, the routes, aiogram, the report) is imported inside the function that runs it. Otherwise every
command would load every other command's libraries (`tests/test_cli.py` checks both)."""

from __future__ import annotations

import time

# Taken before the heavy imports, so `run` can log the real cold start time.
PROCESS_STARTED = time.perf_counter()

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.cli import (
    audit,
    db,
    demo,
    emulator,
    invite,
    keys,
    meldcode,
    member,
    outbox,
    pupil,
    report,
    retention,
    routes,
    run,
    school,
    simulate,
)
from bot.cli.common import CliError
from flows.clock import Clock, FrozenClock, SystemClock

COMMAND_GROUPS = (
    db,
    school,
    invite,
    member,
    run,
    demo,
    emulator,
    routes,
    simulate,
    outbox,
    audit,
    keys,
    retention,
    pupil,
    meldcode,
    report,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zorgroute", description="Zorgroute: school–youth-care routes bot.")
    parser.add_argument(
        "--now",
        type=_moment,
        default=None,
        metavar="ISO-8601",
        help="act as if it were this moment (with its UTC offset), e.g. to replay or test a command; "
        "default: the system clock",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(subparsers)
    return parser


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 moment: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the moment's UTC offset, e.g. {text}+01:00")
    return moment


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run one command. Every command that needs "now" reads `args.clock`: `clock` when a caller (a
    test) injects one, else a clock frozen at `--now`, else the system clock."""
    args = build_parser().parse_args(argv)
    from bot.settings import SettingsError  # after parsing: `--help` needs no pydantic-settings

    if clock is None:
        clock = FrozenClock(args.now.astimezone(UTC)) if args.now is not None else SystemClock()
    args.clock = clock
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
    # Logging is flushed by its own exit hook; shutting it down here would close the handlers of a
    # caller that runs main() in-process (the tests).
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
