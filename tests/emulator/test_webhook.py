"""Webhook mode: the emulator pushes updates to the bot's URL with the secret header."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError
from aiohttp import web

from emulator import EmulatorState

pytestmark = pytest.mark.asyncio


@dataclass
class Receiver:
    """A stand-in for the bot's webhook endpoint; `reply` is what it answers with."""

    url: str = ""
    received: asyncio.Queue[tuple[dict[str, Any], str | None]] = field(default_factory=asyncio.Queue)
    reply: dict[str, Any] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await self.received.put((await request.json(), secret))
        return web.json_response(self.reply)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield rec
    await runner.cleanup()


async def test_updates_are_pushed_with_the_secret(bot: Bot, state: EmulatorState, receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url, secret_token="geheim-123")
    update = state.user_sends(42, "/start")
    await state.wait_consumed(update["update_id"])

    body, secret = receiver.received.get_nowait()
    assert secret == "geheim-123"
    assert body["message"]["text"] == "/start"
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (receiver.url, 0)


async def test_get_updates_conflicts_while_a_webhook_is_set(bot: Bot, receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url)
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == []


async def test_a_method_in_the_webhook_reply_is_executed(
    bot: Bot, state: EmulatorState, receiver: Receiver
) -> None:
    receiver.reply = {"method": "sendMessage", "chat_id": 42, "text": "pong"}
    await bot.set_webhook(receiver.url)
    await state.wait_consumed(state.user_sends(42, "ping")["update_id"])
    assert state.last_bot_message(42).text == "pong"
