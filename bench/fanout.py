"""Fan-out: 1,000 Telegram notifications to 1,000 private chats through the real dispatcher and sender,
against the emulator enforcing Telegram's limits (30/s overall, 1/s per private chat, 20/min per group).

    .venv/bin/python bench/fanout.py [--messages 1000] [--database-url URL]

Prints human lines, then one JSON object on the last line: messages, seconds, rate, fraction_of_30 (the
target is >= 0.95) and too_many_requests (the target is 0)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.outbox.senders import TelegramSender
from bot.settings import EMULATOR_TOKEN
from emulator import EmulatorState, FaultPlan, start_emulator
from emulator.models import Person
from flows.clock import FrozenClock
from tests.notifications.support import build_world

# A Monday morning: no quiet hours in the way (the rows are queued directly anyway).
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def main(messages: int, database_url: str) -> dict[str, float | int]:
    clock = FrozenClock(T0)
    world = await build_world(database_url, clock, messages)
    state = EmulatorState(now=clock.now)
    state.set_roster([Person(chat, f"Lid {chat}", ["ib"], "De Regenboog", "nl") for chat in world.chat_ids()])
    state.inject_faults(FaultPlan(enforce_limits=True))
    async with await start_emulator(state) as emulator:
        bot = Bot(EMULATOR_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))
        dispatcher = world.dispatcher({"telegram": TelegramSender(bot)}, clock)
        try:
            started = time.perf_counter()
            await dispatcher.drain()
            seconds = time.perf_counter() - started
        finally:
            await bot.session.close()
    statuses = await world.statuses()
    await world.close()
    stats = state.stats()
    rate = stats.sent / seconds
    print(f"sent {stats.sent} of {messages} in {seconds:.2f} s: {rate:.2f} messages/s")
    print(f"outbox: {statuses}; 429s: {stats.too_many_requests}")
    return {
        "messages": stats.sent,
        "seconds": round(seconds, 3),
        "rate": round(rate, 3),
        "fraction_of_30": round(rate / 30, 4),
        "too_many_requests": stats.too_many_requests,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/fanout.db"
    print(json.dumps(asyncio.run(main(args.messages, url))))
