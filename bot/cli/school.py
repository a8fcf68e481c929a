from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.common import settings_from_env
from bot.cli.unit import open_uow
from flows.clock import SystemClock
from storage.models.school import SCHOOL_KINDS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("school", help="schools")
    commands = parser.add_subparsers(dest="school_command", required=True, metavar="ACTION")
    add = commands.add_parser("add", help="add a school; prints its id")
    add.add_argument("name")
    add.add_argument("--kind", choices=SCHOOL_KINDS, required=True, help="po (primary) or vo (secondary)")
    add.add_argument("--route", dest="route_id", default=None, help="the route this school follows")
    add.set_defaults(func=_add)


def _add(args: argparse.Namespace) -> int:
    settings = settings_from_env()

    async def go() -> int:
        async with open_uow(settings) as uow:
            school = await uow.schools.add(
                name=args.name, kind=args.kind, route_id=args.route_id, now=SystemClock().now()
            )
            await uow.commit()
            return school.id

    print(asyncio.run(go()))
    return 0
