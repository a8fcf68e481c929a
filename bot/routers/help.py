from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.filters import PRIVATE
from bot.render.text import Translator
from bot.services.help import help_text
from flows.engine import RouteEngine
from storage.models import Member
from storage.uow import UnitOfWork


def build_router() -> Router:
    router = Router(name="help")
    router.message.filter(PRIVATE)

    @router.message(Command("help", "hulp"))
    async def show_help(
        message: Message, uow: UnitOfWork, route_engine: RouteEngine, member: Member, t: Translator
    ) -> None:
        await message.answer(await help_text(uow, route_engine, t, member))

    return router
