"""`zorgroute demo`: the built-in Bot API emulator, its page and a demo school per shipped route, with the
real bot polling the emulator — on a SQLite file and keys of its own under `data/demo/`, whatever
ZORGROUTE_DATABASE_URL or TELEGRAM_BOT_TOKEN say (emulator/demo.py `demo_settings`)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.common import CliError, settings_from_env


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="try the bot in the browser: the built-in emulator's page and demo schools, "
        "on data/demo/ (never ZORGROUTE_DATABASE_URL)",
    )
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from bot.cli import PROCESS_STARTED
    from emulator.run import run_demo  # not part of the product: loaded only by this command

    settings = settings_from_env()
    try:
        asyncio.run(run_demo(settings, started=PROCESS_STARTED, base_clock=args.clock))
    except OSError as exc:
        raise CliError(f"cannot start the demo: {exc}") from None
    return 0
