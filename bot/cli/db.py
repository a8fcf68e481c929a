from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.common import settings_from_env


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="database maintenance")
    commands = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = commands.add_parser("upgrade", help="apply the Alembic migrations")
    up.set_defaults(func=_upgrade)


def _upgrade(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    settings = settings_from_env()
    asyncio.run(upgrade(settings.database_url))
    print("database is up to date")
    return 0
