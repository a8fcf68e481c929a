"""A chat's turn across workers, and each webhook update handled once.

Several webhook workers share one database and any of them may receive any update, so the in-process
lanes (bot/middlewares/lanes.py) no longer see all of a chat's updates. At the start of the update's
unit of work this takes the chat's turn in the database (a transaction-scoped advisory lock on
PostgreSQL: storage/claims.py), held until the update commits or rolls back, so a chat's updates never
overlap, whichever workers they reach. Polled updates skip all of this (`ANY_WORKER` below).

Arrival order: Telegram's Bot API server keeps a queue per chat and sends a chat's next webhook update
only after the previous one was answered. The webhook answers once the update has committed
(bot/runner.py), so the next update of a chat, on whichever worker, starts after the previous one ended.

Once: an update whose worker was killed got no answer, and Telegram sends it again. The update's id is
inserted into processed_update when its handlers are done, in the update's own transaction: a worker
killed before the commit left no row and the retry is handled; a retry of an update that did commit (the
answer was lost) finds the row when it takes the chat's turn, in the same statement, and is dropped. A
retry that raced the original waits for the chat's turn; its check may then predate the original's
commit, but its own insert at the end meets the original's row, and the retry is rolled back.

The update's replies are kept in that row (they go out after the commit, bot/middlewares/replies.py) and
forgotten once they left, so a dropped retry of an update whose worker died between its commit and its
replies sends them: no reply is lost. Killed between its replies and that one statement, a retry sends
them twice; a reply with a file is not kept. It costs an update with replies one more commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiogram import BaseMiddleware
from aiogram.client.default import Default
from aiogram.methods import TelegramMethod
from aiogram.types import TelegramObject, Update
from pydantic_core import PydanticSerializationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.lanes import lane_key
from bot.middlewares.replies import REPLY_METHODS, after_replies, drop_held_replies, held_replies, hold_again
from storage.claims import forget_kept_replies_at_once, take_chat_turn
from storage.uow import UnitOfWork

# Dispatcher data, set by the webhook door: several workers may share the bot, any of them may receive any
# update, and Telegram sends an update that got no answer again. Long polling has one receiver (Telegram
# answers a second getUpdates with 409 Conflict, and refuses getUpdates while a webhook is set), whose
# in-process lanes (bot/middlewares/lanes.py) and limits already hold for the whole bot: a polled update
# takes no turn in the database, no shared token (bot/middlewares/abuse.py) and is never a retry.
ANY_WORKER = "updates_reach_any_worker"


class ChatTurns(BaseMiddleware):
    """Register on `dp.update` right after the UnitOfWorkMiddleware (it needs the update's `uow`). Works
    only behind the webhook door (`ANY_WORKER`)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not data.get(ANY_WORKER):
            return await handler(event, data)
        uow: UnitOfWork = data["uow"]
        update_id = event.update_id if isinstance(event, Update) else None
        # The chat's turn and whether the update was handled before: one round trip.
        seen = await take_chat_turn(uow.session, lane_key(data), update_id)
        if update_id is None:
            return await handler(event, data)
        if seen:
            await send_kept_replies(uow, update_id)
            return None
        result = await handler(event, data)
        kept = [r for r in map(_as_json, held_replies()) if r is not None]
        if not await record_handled(uow, update_id, data["clock"].now(), kept):
            # Another delivery of it committed while this one waited for the chat's turn (the check above
            # saw the database from before): undo this handling and send what that one kept.
            await uow.rollback()
            drop_held_replies()
            await send_kept_replies(uow, update_id)
            return None
        if kept:
            after_replies(partial(forget_replies, data["sessionmaker"], update_id))
        return result


async def record_handled(uow: UnitOfWork, update_id: int, now: Any, kept: list[dict[str, Any]]) -> bool:
    """Record the update as handled, with its replies, in its own transaction (a worker killed before the
    commit leaves no row, and Telegram's retry is handled); False when another delivery recorded it."""
    changed = uow.wrote
    first = await uow.job_runs.record_handled(update_id, now, kept or None)
    if not changed:
        uow.keep_bookkeeping()  # the row commits even when the handlers only read; the outbox needs no kick
    return first


async def forget_replies(sessionmaker: async_sessionmaker[AsyncSession], update_id: int) -> None:
    """The replies left: a later delivery of the update (its answer was lost) sends nothing again."""
    if await forget_kept_replies_at_once(sessionmaker.kw["bind"], update_id):
        return
    async with UnitOfWork(sessionmaker) as uow:
        await uow.job_runs.keep_replies(update_id, None)
        await uow.commit()


async def send_kept_replies(uow: UnitOfWork, update_id: int) -> None:
    kept = await uow.job_runs.replies_of(update_id)
    if kept:
        hold_again(
            [_METHODS[r["method"]].model_validate(r["params"]) for r in kept if r["method"] in _METHODS]
        )
        await uow.job_runs.keep_replies(update_id, None)  # sent by this delivery; not by a third
        uow.keep_bookkeeping()


def _as_json(call: TelegramMethod[Any]) -> dict[str, Any] | None:
    # The bot's defaults (parse mode, link previews) are left out, and come back as defaults.
    defaults = {name for name, value in call if isinstance(value, Default)}
    try:
        params = call.model_dump(mode="json", exclude_unset=True, exclude=defaults)
        return {"method": type(call).__name__, "params": params}
    except (PydanticSerializationError, TypeError, ValueError):  # a file to upload: not kept
        return None


_METHODS: dict[str, type[TelegramMethod[Any]]] = {method.__name__: method for method in REPLY_METHODS}
