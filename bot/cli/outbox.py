"""`zorgroute outbox list [--failed] [--json]` and `zorgroute outbox retry ID`: what waits, what failed,
and sending a dead row again. Shows ids, channels, states and error classes — never payloads."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING, Any

from bot.cli.common import CliError, settings_from_env

if TYPE_CHECKING:
    from flows.clock import Clock


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("outbox", help="notifications waiting, sent and failed")
    commands = parser.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    listing = commands.add_parser("list", help="the newest rows (ids, channel, status, error; no content)")
    listing.add_argument("--failed", action="store_true", help="only dead-lettered rows")
    listing.add_argument("--json", action="store_true", help="a JSON array")
    listing.set_defaults(func=_list)
    retry = commands.add_parser("retry", help="send a dead row again (back to pending, attempts reset)")
    retry.add_argument("id", type=int)
    retry.set_defaults(func=_retry)


async def _rows(failed: bool) -> list[dict[str, Any]]:
    from bot.cli.unit import open_uow

    async with open_uow(settings_from_env()) as uow:
        return [
            {
                "id": row.id,
                "kind": row.kind,
                "channel": row.channel,
                "member_id": row.member_id,
                "status": row.status,
                "attempts": row.attempts,
                "due_at": row.due_at.isoformat(),
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                "delivery_status": row.delivery_status,
                # The class only: error texts may carry provider details nobody needs here.
                "error": (row.last_error or "").split(":", 1)[0] or None,
            }
            for row in await uow.outbox.list(failed_only=failed)
        ]


def _list(args: argparse.Namespace) -> int:
    rows = asyncio.run(_rows(args.failed))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        print(f"{r['id']}\t{r['kind']}\t{r['channel']}\t{r['status']}\t{r['attempts']}\t{r['error'] or ''}")
    return 0


async def _requeue(row_id: int, clock: Clock) -> bool:
    from bot.cli.unit import open_uow

    async with open_uow(settings_from_env()) as uow:
        row = await uow.outbox.retry(row_id, clock.now())
        await uow.commit()
        return row is not None


def _retry(args: argparse.Namespace) -> int:
    if not asyncio.run(_requeue(args.id, args.clock)):
        raise CliError(f"no unsent outbox row {args.id}")
    print(f"outbox row {args.id} is pending again")
    return 0
