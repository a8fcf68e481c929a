"""Every filter and handler of the bot is a coroutine: aiogram runs anything else in a worker thread, a hop
to a thread and back per router per update (bot/filters.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.types import Chat, Message

from bot.filters import PRIVATE, TEXT
from bot.routers import build_root_router, unmodified


def callables(router: Router) -> Iterator[tuple[str, CallableObject]]:
    for name, observer in router.observers.items():
        for handler in observer.handlers:
            yield f"{router.name}.{name} handler {handler.callback.__name__}", handler
            for event_filter in handler.filters or []:
                yield f"{router.name}.{name} filter {event_filter.callback!r}", event_filter
        for event_filter in observer._handler.filters or []:
            yield f"{router.name}.{name} router filter {event_filter.callback!r}", event_filter
    for sub in router.sub_routers:
        yield from callables(sub)


def test_no_filter_or_handler_runs_in_a_thread() -> None:
    dp = Dispatcher()
    dp.include_router(build_root_router())
    unmodified.register(dp)
    checked = list(callables(dp))
    assert len(checked) > 100
    threaded = [name for name, callable_ in checked if not callable_.awaitable]
    assert threaded == []


async def test_inline_filters_decide_as_the_magic_filters_they_hold() -> None:
    def message(chat_type: str, text: str | None) -> Message:
        chat = Chat(id=1, type=chat_type)
        return Message(message_id=1, date=datetime(2026, 12, 1, tzinfo=UTC), chat=chat, text=text)

    assert await PRIVATE(message("private", "/help"))
    assert not await PRIVATE(message("group", "/help"))
    assert await TEXT(message("private", "hallo")) == "hallo"
    assert not await TEXT(message("private", None))
