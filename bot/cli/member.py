from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING, Any

from bot.cli.common import CliError, settings_from_env

if TYPE_CHECKING:
    from bot.services.offboarding import Offboarded


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("member", help="registered members")
    commands = parser.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    listing = commands.add_parser("list", help="list members and their roles (never Telegram ids)")
    listing.add_argument("--school", type=int, default=None, help="only members with a role at this school")
    listing.add_argument("--json", action="store_true", help="a JSON array")
    listing.set_defaults(func=_list)
    remove = commands.add_parser(
        "remove", help="offboard a member: access ends now, their work falls back to the role"
    )
    remove.add_argument("id", type=int)
    remove.set_defaults(func=_remove)


def _remove(args: argparse.Namespace) -> int:
    from bot.cli.unit import open_uow
    from bot.services.audit import CLI, AuditTrail
    from bot.services.offboarding import OffboardError, remove_member

    settings = settings_from_env()

    async def go() -> Offboarded:
        async with open_uow(settings) as uow:
            clock = args.clock
            trail = AuditTrail(uow, clock, member=None, channel=CLI, via="member remove")
            try:
                done = await remove_member(uow, args.id, clock.now(), trail)
            except OffboardError as exc:
                raise CliError(str(exc)) from None
            await uow.commit()
            return done

    done = asyncio.run(go())
    moved = sum(done.reassigned.values())
    print(f"member {done.member_id} removed; {moved} case(s) back to the role; {done.notified} IB-er(s) told")
    print("their notices are sent by the running bot")
    return 0


async def _members(settings: Any, school_id: int | None) -> list[dict[str, Any]]:
    from bot.cli.unit import open_uow

    async with open_uow(settings) as uow:
        names = {school.id: school.name for school in await uow.schools.list()}
        result = []
        for member in await uow.members.list(school_id=school_id):
            schools: dict[int, list[str]] = {}
            for held in member.roles:
                schools.setdefault(held.school_id, []).append(held.role)
            result.append(
                {
                    "id": member.id,
                    "name": uow.members.name(member),
                    "language": member.language,
                    "schools": [
                        {"school_id": sid, "school": names.get(sid, ""), "roles": roles}
                        for sid, roles in schools.items()
                        if school_id is None or sid == school_id
                    ],
                }
            )
        return result


def _list(args: argparse.Namespace) -> int:
    members = asyncio.run(_members(settings_from_env(), args.school))
    if args.json:
        print(json.dumps(members, ensure_ascii=False, indent=2))
        return 0
    for item in members:
        roles = "; ".join(
            f"{s['school']} (#{s['school_id']}): {', '.join(s['roles'])}" for s in item["schools"]
        )
        print(f"{item['id']}\t{item['name']}\t{roles}")
    return 0
