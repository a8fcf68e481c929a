from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from bot.cli.common import CliError, settings_from_env
from flows.roles import ROLES

if TYPE_CHECKING:
    from bot.settings import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("invite", help="one-time invite links")
    commands = parser.add_subparsers(dest="invite_command", required=True, metavar="ACTION")
    create = commands.add_parser("create", help="create an invite; prints the code and the link")
    create.add_argument("--school", type=int, required=True, help="school id")
    create.add_argument(
        "--role", dest="roles", action="append", required=True, choices=sorted(ROLES), help="repeatable"
    )
    create.add_argument("--name", default=None, help="display name of the person invited")
    # None: the service's default (bot.services.invites.DEFAULT_EXPIRES_DAYS, not imported for a parser).
    create.add_argument("--expires-days", type=int, default=None)
    create.set_defaults(func=_create)


async def bot_username(settings: Settings) -> str:
    """The bot's @username from getMe; the emulator's when no token is configured."""
    from bot.settings import EMULATOR_BOT_USERNAME

    if settings.telegram_bot_token is None:
        return EMULATOR_BOT_USERNAME
    from bot.app import build_bot  # aiogram is slow to import; only needed here

    bot = build_bot(settings)
    try:
        me = await bot.get_me()
    except Exception as exc:
        raise CliError(f"getMe failed, cannot build the link: {exc}") from None
    finally:
        await bot.session.close()
    return me.username or EMULATOR_BOT_USERNAME


def _create(args: argparse.Namespace) -> int:
    from bot.cli.unit import open_uow
    from bot.services.invites import DEFAULT_EXPIRES_DAYS, InviteError, create_invite, deep_link

    settings = settings_from_env()
    expires_days = DEFAULT_EXPIRES_DAYS if args.expires_days is None else args.expires_days

    async def go() -> tuple[str, str]:
        async with open_uow(settings) as uow:
            try:
                new = await create_invite(
                    uow,
                    school_id=args.school,
                    roles=args.roles,
                    display_name=args.name,
                    now=args.clock.now(),
                    expires_days=expires_days,
                )
            except InviteError as exc:
                raise CliError(str(exc)) from None
            username = await bot_username(settings)
            await uow.commit()
        return new.code, deep_link(username, new.code)

    code, link = asyncio.run(go())
    print(code)
    print(link)
    return 0
