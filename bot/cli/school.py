from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from bot.cli.common import CliError, settings_from_env
from bot.msgids import DEFAULT_NAMING, NAMINGS
from flows.roles import SCHOOL_KINDS

if TYPE_CHECKING:
    from storage.models.school import School
    from storage.uow import UnitOfWork


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("school", help="schools")
    commands = parser.add_subparsers(dest="school_command", required=True, metavar="ACTION")
    add = commands.add_parser("add", help="add a school; prints its id")
    add.add_argument("name")
    add.add_argument("--kind", choices=SCHOOL_KINDS, required=True, help="po (primary) or vo (secondary)")
    add.add_argument("--route", dest="route_id", default=None, help="the route this school follows")
    add.add_argument("--naming", choices=sorted(NAMINGS), default=None, help="the school's names for roles")
    add.set_defaults(func=_add)
    set_route = commands.add_parser(
        "set-route", help="the route for the school's NEW cases (running cases keep theirs)"
    )
    set_route.add_argument("school_id", type=int)
    set_route.add_argument("route_id")
    set_route.set_defaults(func=_set_route)
    set_naming = commands.add_parser("set-naming", help="the school's names for roles, e.g. capelle")
    set_naming.add_argument("school_id", type=int)
    set_naming.add_argument("naming", choices=sorted(NAMINGS))
    set_naming.set_defaults(func=_set_naming)


def _checked(route_id: str | None, kind: str) -> None:
    if route_id is None:
        return
    from bot.services.school_routes import SchoolRouteError, check_route
    from flows.registry import builtin_registry

    try:
        check_route(builtin_registry(), route_id, kind)
    except SchoolRouteError as exc:
        raise CliError(str(exc)) from None


def _add(args: argparse.Namespace) -> int:
    from bot.cli.unit import open_uow

    _checked(args.route_id, args.kind)  # before touching the database: a typo creates nothing
    settings = settings_from_env()

    async def go() -> int:
        async with open_uow(settings) as uow:
            school = await uow.schools.add(
                name=args.name, kind=args.kind, route_id=args.route_id, now=args.clock.now()
            )
            if args.naming not in (None, DEFAULT_NAMING):
                await uow.schools.set_naming(school, args.naming)
            await uow.commit()
            return school.id

    print(asyncio.run(go()))
    return 0


async def _existing(uow: UnitOfWork, school_id: int) -> School:
    school = await uow.schools.get(school_id)
    if school is None:
        raise CliError(f"no school with id {school_id}")
    return school


def _set_route(args: argparse.Namespace) -> int:
    from bot.cli.unit import open_uow

    settings = settings_from_env()

    async def go() -> str:
        async with open_uow(settings) as uow:
            school = await _existing(uow, args.school_id)
            _checked(args.route_id, school.kind)
            await uow.schools.set_route(school, args.route_id)
            await uow.commit()
            return f"{school.name} (#{school.id}) follows {args.route_id} for new cases"

    print(asyncio.run(go()))
    return 0


def _set_naming(args: argparse.Namespace) -> int:
    from bot.cli.unit import open_uow

    settings = settings_from_env()

    async def go() -> str:
        async with open_uow(settings) as uow:
            school = await _existing(uow, args.school_id)
            await uow.schools.set_naming(school, None if args.naming == DEFAULT_NAMING else args.naming)
            await uow.commit()
            return f"{school.name} (#{school.id}) uses the {args.naming} role names"

    print(asyncio.run(go()))
    return 0
