"""/start <code>: redeem an invite. /start alone (members only): the welcome again."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from bot.filters import PRIVATE
from bot.i18n import N_, role_names
from bot.render.text import Translator
from bot.services.help import member_commands
from bot.services.registration import Outcome, redeem
from bot.settings import Settings
from flows.clock import Clock
from flows.engine import RouteEngine
from storage.models import Member
from storage.uow import UnitOfWork

_REFUSALS = {
    Outcome.UNKNOWN: N_("start.invite_unknown"),
    Outcome.USED: N_("start.invite_used"),
    Outcome.EXPIRED: N_("start.invite_expired"),
    Outcome.THROTTLED: N_("start.throttled"),
}


def build_router() -> Router:
    router = Router(name="registration")
    router.message.filter(PRIVATE)

    @router.message(CommandStart(deep_link=True))
    async def start_with_code(
        message: Message,
        command: CommandObject,
        uow: UnitOfWork,
        member: Member | None,
        clock: Clock,
        settings: Settings,
        secret_key: bytes,
        route_engine: RouteEngine,
        t: Translator,
    ) -> None:
        assert message.from_user is not None
        result = await redeem(
            uow,
            code=(command.args or "").strip(),
            telegram_user_id=message.from_user.id,
            first_name=message.from_user.first_name,
            member=member,
            now=clock.now(),
            secret=secret_key,
            default_language=settings.locale,
        )
        if result.outcome in _REFUSALS:
            await message.answer(t(_REFUSALS[result.outcome]))
            return
        assert result.member is not None and result.school is not None
        fields = {
            "name": result.name,
            "school": result.school.name,
            "roles": role_names(t, result.roles, result.school.naming),
        }
        key = {
            Outcome.REGISTERED: N_("start.welcome"),
            Outcome.ROLES_ADDED: N_("start.roles_added"),
            Outcome.NOTHING_NEW: N_("start.nothing_new"),
        }[result.outcome]
        commands = await member_commands(uow, route_engine, t, result.member)
        await message.answer(t(key, **fields) + "\n\n" + commands)

    @router.message(CommandStart())
    async def start_again(
        message: Message, member: Member, uow: UnitOfWork, route_engine: RouteEngine, t: Translator
    ) -> None:
        # "Welkom terug" only for whom the bot welcomed before (they joined with a code); a member an
        # admin or the demo added, saying /start for the first time, is welcomed, not welcomed back.
        again = await uow.invites.redeemed_by(member.id)
        name = uow.members.name(member)
        text = t("start.welcome_back", name=name) if again else t("start.welcome_first", name=name)
        await message.answer(text + "\n\n" + await member_commands(uow, route_engine, t, member))

    return router
