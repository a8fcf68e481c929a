"""One lane per chat: a chat's updates are handled one after another, different chats at once.

aiogram hands every update to its own task (polling with `handle_as_tasks`, the webhook with
`handle_in_background`), so two quick presses of one person would otherwise race: both read the same
form, both write. The lane is an asyncio lock per chat; asyncio locks wake waiters first come, first
served, and an update task reaches this middleware without awaiting anything before it, so a chat's
updates enter in the order they arrived.

Waiting in a lane costs no database connection: the bound on work that touches the database is
`DatabaseSlots`, taken inside the lane, so one flooding chat cannot hold the pool while it waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User


@dataclass
class _Lane:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # updates holding or waiting for the lock; the lane is dropped at zero


class ChatLanes(BaseMiddleware):
    """Runs a chat's updates one at a time, in arrival order. Register it on `dp.update` before anything
    that reads or writes what a previous update of the chat may have changed."""

    def __init__(self) -> None:
        self._lanes: dict[object, _Lane] = {}

    def __len__(self) -> int:
        return len(self._lanes)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        key = lane_key(data)
        if key is None:
            return await handler(event, data)
        lane = self._lanes.setdefault(key, _Lane())
        lane.users += 1
        try:
            async with lane.lock:
                return await handler(event, data)
        finally:
            lane.users -= 1
            if lane.users == 0:
                del self._lanes[key]


def lane_key(data: dict[str, Any]) -> object | None:
    """The chat an update belongs to (aiogram's UserContextMiddleware puts it in the data); a user's
    updates without a chat (inline queries) share the user's lane."""
    chat: Chat | None = data.get("event_chat")
    if chat is not None:
        return ("chat", chat.id)
    user: User | None = data.get("event_from_user")
    return None if user is None else ("user", user.id)


class DatabaseSlots(BaseMiddleware):
    """At most `limit` updates work on the database at once; the rest wait here, without a connection.
    Keeps a flood from exhausting the pool (PostgreSQL) or piling up behind SQLite's one writer."""

    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self._slots:
            return await handler(event, data)
