"""Zorgroute carries information about children: it never talks about anything in a group or channel."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import Message

from bot.filters import Inline
from bot.render.text import Translator

NOT_PRIVATE = {ChatType.GROUP, ChatType.SUPERGROUP, ChatType.CHANNEL}


def build_router() -> Router:
    router = Router(name="private_only")

    # With Telegram's privacy mode the bot only receives commands and mentions in groups,
    # so this answers once per such message and stays silent about everything else.
    @router.message(Inline(F.chat.type.in_(NOT_PRIVATE)))
    async def group_message(message: Message, t: Translator) -> None:
        await message.answer(t("group.private_only"))

    @router.channel_post()
    async def channel_post(message: Message, bot: Bot, t: Translator) -> None:
        await bot.send_message(message.chat.id, t("group.private_only"))

    return router
