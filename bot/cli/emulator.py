from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.common import CliError, settings_from_env


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("emulator", help="run only the local Bot API emulator")
    parser.add_argument("--host", default=None, help="default ZORGROUTE_EMULATOR_HOST")
    parser.add_argument("--port", type=int, default=None, help="default ZORGROUTE_EMULATOR_PORT")
    parser.set_defaults(func=_emulator)


def _emulator(args: argparse.Namespace) -> int:
    from emulator.run import run_emulator  # not part of the product: loaded only by this command

    settings = settings_from_env()
    host = args.host or settings.emulator_host
    port = args.port if args.port is not None else settings.emulator_port
    try:
        asyncio.run(run_emulator(host, port))
    except OSError as exc:
        raise CliError(f"cannot start the emulator: {exc}") from None
    return 0
