"""`zorgroute retention run`: anonymise cases closed longer ago than ZORGROUTE_RETENTION_MONTHS."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from bot.cli.common import settings_from_env

if TYPE_CHECKING:
    from bot.services.retention import RetentionResult


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("retention", help="retention of closed cases")
    commands = parser.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    run = commands.add_parser("run", help="anonymise closed cases past the retention period now")
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.cli.unit import open_uow
    from bot.services.audit import CLI, AuditTrail
    from bot.services.retention import anonymise_expired

    settings = settings_from_env()

    async def go() -> RetentionResult:
        async with open_uow(settings) as uow:
            clock = args.clock
            trail = AuditTrail(uow, clock, member=None, channel=CLI, via="retention run")
            result = await anonymise_expired(uow, clock.now(), settings.retention_months, audit=trail)
            await uow.commit()
            return result

    result = asyncio.run(go())
    print(f"anonymised {result.cases} case(s), removed {result.pupils} pupil(s)")
    return 0
