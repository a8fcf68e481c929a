from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.fsm import update_unit_of_work
from storage.uow import UnitOfWork


class UnitOfWorkMiddleware(BaseMiddleware):
    """One unit of work per update, committed only when the handlers finished without error (and wrote
    something: an update that only read commits nothing). The outbox is woken only when the update queued
    notifications: a wake costs every drain two transactions. Dialogue state (bot/fsm.py) is read and
    written through it too."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with UnitOfWork(self._sessionmaker) as uow:
            data["uow"] = uow
            with update_unit_of_work(uow):
                result = await handler(event, data)
            queued = uow.queued_notifications
            await uow.commit()
        # Notifications were written with the change; now that they are committed, send them.
        outbox = data.get("outbox")
        if outbox is not None and queued:
            outbox.kick()
        return result
