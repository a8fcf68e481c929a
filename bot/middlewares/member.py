from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from bot.render.text import Translator
from storage.uow import UnitOfWork

# The only thing a stranger may do: `/start <code>` (optionally /start@botname <code>).
_START_WITH_CODE = re.compile(r"^/start(@\w+)?\s+\S+")


class MemberMiddleware(BaseMiddleware):
    """Loads the member behind the update into data["member"] (None for a stranger). Reads only."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        uow: UnitOfWork = data["uow"]
        data["member"] = await uow.members.by_telegram_id(user.id) if user is not None else None
        return await handler(event, data)


class StrangerGate(BaseMiddleware):
    """Strangers in private chats get the polite refusal, except `/start <code>`; nothing is stored.

    Runs after the i18n middleware (so the refusal is translated). Group messages pass through to
    the private_only router, which answers them without looking at who sent them.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if data.get("member") is not None:
            return await handler(event, data)
        t: Translator = data["t"]
        if isinstance(event, Message) and event.edit_date is None:
            if event.chat.type != "private":
                return await handler(event, data)
            if event.text and _START_WITH_CODE.match(event.text):
                return await handler(event, data)
            await event.answer(t("access.refused"))
            return None
        if isinstance(event, CallbackQuery):
            # Telegram caps callback answers at 200 characters: a shorter text.
            await event.answer(t("access.refused_button"), show_alert=True)
            return None
        return None  # edits and anything else from a stranger: ignore silently
