"""A chat's turn across workers, and each webhook update handled once.

Several webhook workers share one database and any of them may receive any update, so the in-process
lanes (bot/middlewares/lanes.py) no longer see all of a chat's updates. At the start of the update's
unit of work this takes the chat's turn in the database (a transaction-scoped advisory lock on
PostgreSQL: storage/claims.py), held until the update commits or rolls back, so a chat's updates never
overlap, whichever workers they reach.

Arrival order: Telegram's Bot API server keeps a queue per chat and sends a chat's next webhook update
only after the previous one was answered. The webhook answers once the update has committed
(bot/runner.py), so the next update of a chat, on whichever worker, starts after the previous one ended.

Once: an update whose worker was killed got no answer, and Telegram sends it again. Its id is inserted
into processed_update in the update's own transaction: a worker killed before the commit left no row
and the retry is handled; a retry of an update that did commit (the answer was lost, or a retry raced
the original: the chat's turn makes it wait) finds the row and is dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.middlewares.lanes import lane_key
from storage.claims import take_chat_turn
from storage.inserts import insert_new
from storage.models import ProcessedUpdate
from storage.uow import UnitOfWork

DEDUPE = "dedupe_updates"  # dispatcher data: set by the webhook door, where Telegram retries


class ChatTurns(BaseMiddleware):
    """Register on `dp.update` right after the UnitOfWorkMiddleware (it needs the update's `uow`)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        uow: UnitOfWork = data["uow"]
        key = lane_key(data)
        if key is not None:
            await take_chat_turn(uow.session, key)
        if data.get(DEDUPE) and isinstance(event, Update):
            first = await first_delivery(uow, event.update_id, data["clock"].now())
            if not first:
                return None
        return await handler(event, data)


async def first_delivery(uow: UnitOfWork, update_id: int, now: Any) -> bool:
    """Record the update as handled (with this unit of work); False when it already was."""
    values = {"update_id": update_id, "at": now}
    first = await insert_new(uow.session, ProcessedUpdate, values, key=["update_id"])
    uow.keep_bookkeeping()  # the row commits with the update, even when the handlers only read
    return first
