from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.common import CliError, settings_from_env


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run the bot against Telegram (long polling, or --webhook); needs TELEGRAM_BOT_TOKEN"
    )
    parser.add_argument("--webhook", action="store_true", help="serve Telegram's webhook instead of polling")
    parser.add_argument("--host", default="0.0.0.0", help="webhook listen address")
    parser.add_argument("--port", type=int, default=8081, help="webhook listen port")
    parser.add_argument(
        "--workers", type=int, default=1, help="webhook worker processes on one port (PostgreSQL only)"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.settings import NO_TOKEN

    settings = settings_from_env()
    if settings.telegram_bot_token is None and not args.webhook:
        raise CliError(NO_TOKEN)  # at once: no aiogram import, no database opened, nothing seeded
    from bot.runner import StartupError, run_polling, run_webhook  # heavy: aiogram

    try:
        if args.workers != 1 and not args.webhook:
            raise CliError("--workers needs --webhook (polling runs one process)")
        if args.webhook and args.workers != 1:
            from bot.workers import run_workers

            return run_workers(settings, args.host, args.port, args.workers)
        if args.webhook:
            asyncio.run(run_webhook(settings, args.host, args.port))
        else:
            from bot.cli import PROCESS_STARTED

            asyncio.run(run_polling(settings, started=PROCESS_STARTED))
    except StartupError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot start: {exc}") from None
    return 0
