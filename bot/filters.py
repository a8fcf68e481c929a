"""Filters checked on the event loop.

aiogram runs a filter that is not a coroutine in a worker thread (`asyncio.to_thread`), and a magic
filter (`F.chat.type == "private"`) is one: every router that filtered on the chat type cost every update
that passed it a hop to a thread and back, seven hops before `/mijn` was reached. `Inline` resolves the
same magic filter in a coroutine. tests/test_filters.py keeps every filter of the bot a coroutine.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject
from magic_filter import MagicFilter


class Inline(Filter):
    """`magic`, resolved on the loop: what aiogram does with a plain magic filter, without the thread."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)


PRIVATE = Inline(F.chat.type == "private")  # a message in a private chat
TEXT = Inline(F.text)  # a message with text
