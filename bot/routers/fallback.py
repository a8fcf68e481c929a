"""Catch-alls for members: registered last, so they only see what no feature handled."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.filters import PRIVATE
from bot.render.text import Translator


def build_router() -> Router:
    router = Router(name="fallback")

    @router.message(PRIVATE)
    async def not_understood(message: Message, t: Translator) -> None:
        await message.answer(t("fallback.not_understood"))

    @router.callback_query()
    async def stale_button(query: CallbackQuery, t: Translator) -> None:
        await query.answer(t("fallback.stale_button"), show_alert=True)

    return router
