"""Catch-alls for members: registered last, so they only see what no feature handled."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _


def build_router() -> Router:
    router = Router(name="fallback")

    @router.message(F.chat.type == "private")
    async def not_understood(message: Message) -> None:
        await message.answer(_("fallback.not_understood"))

    @router.callback_query()
    async def stale_button(query: CallbackQuery) -> None:
        await query.answer(_("fallback.stale_button"), show_alert=True)

    return router
