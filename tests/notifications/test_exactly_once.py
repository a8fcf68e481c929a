"""Exactly once on Telegram: under injected faults, and across a kill mid-dispatch and a restart.

The emulator's faults strike before the method runs (emulator/faults.py), so a failed call leaves no
message: a 429, a 500, a hang (answered 502 after `hang_seconds`) and a dropped connection are all
retried, and the emulator's chat histories count each notification exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.outbox.limiter import TelegramLimiter
from bot.outbox.senders import Delivery, TelegramSender
from bot.settings import EMULATOR_TOKEN
from emulator import EmulatorState, FaultPlan, start_emulator
from emulator.models import Person
from flows.clock import FrozenClock
from tests.notifications.support import build_world, drain_until_done

# Rate is not under test here (bench/fanout.py measures it): a fast limiter keeps the test short.
FAST = {"global_per_second": 5000.0, "global_burst": 50.0, "private_burst": 5.0}


def _roster(chat_ids: list[int]) -> list[Person]:
    return [Person(chat_id, f"Lid {chat_id}", ["ib"], "De Regenboog", "nl") for chat_id in chat_ids]


def _per_chat(state: EmulatorState, chat_ids: list[int]) -> Counter[int]:
    return Counter({chat_id: len(state.bot_messages(chat_id)) for chat_id in chat_ids})


# Enough to meet every kind of fault many times over (one call in five fails); a thousand took 30 s a run
# and found nothing more.
NOTIFICATIONS = 400


async def test_hundreds_of_notifications_under_faults_arrive_exactly_once(
    database_url: str, clock: FrozenClock
) -> None:
    world = await build_world(database_url, clock, NOTIFICATIONS)
    state = EmulatorState(now=clock.now)
    state.set_roster(_roster(world.chat_ids()))
    state.inject_faults(
        FaultPlan(
            rate=0.2,
            kinds=("retry_after", "server_error", "hang", "drop"),
            seed=4,
            hang_seconds=0.05,
            retry_after=1,
        )
    )
    async with await start_emulator(state) as emulator:
        bot = Bot(EMULATOR_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))
        try:
            sender = TelegramSender(bot, TelegramLimiter(**FAST), timeout=5)
            await drain_until_done(world, world.dispatcher({"telegram": sender}, clock), clock)
        finally:
            await bot.session.close()
    stats = state.stats()
    assert (
        stats.too_many_requests + stats.server_errors + stats.hung + stats.dropped >= NOTIFICATIONS // 7
    )  # faults happened
    assert min(stats.server_errors, stats.hung, stats.dropped, stats.too_many_requests) > 0
    assert _per_chat(state, world.chat_ids()) == Counter(dict.fromkeys(world.chat_ids(), 1))
    assert await world.statuses() == {"sent": NOTIFICATIONS}
    await world.close()


class _KilledAfter:
    """Wraps the real sender; after `n` sends the process 'dies' mid-dispatch: the next send is cancelled
    before it reaches Telegram, as a kill between claiming and sending would leave it."""

    def __init__(self, inner: TelegramSender, n: int) -> None:
        self.inner, self.n, self.sent = inner, n, 0
        self.killed = asyncio.Event()

    async def send(self, delivery: Delivery) -> str:
        if self.sent >= self.n:
            self.killed.set()
            raise asyncio.CancelledError
        self.sent += 1
        return await self.inner.send(delivery)


async def test_killed_mid_dispatch_and_restarted_nothing_lost_nothing_doubled(
    database_url: str, clock: FrozenClock
) -> None:
    world = await build_world(database_url, clock, 300)
    state = EmulatorState(now=clock.now)
    state.set_roster(_roster(world.chat_ids()))
    async with await start_emulator(state) as emulator:
        bot = Bot(EMULATOR_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))
        try:
            real = TelegramSender(bot, TelegramLimiter(**FAST))
            dying = _KilledAfter(real, 120)
            first = world.dispatcher({"telegram": dying}, clock, worker="first", concurrency=8)
            run = asyncio.create_task(first.run())
            await dying.killed.wait()
            # Also kill the task while sends are in flight: those finish and record (graceful stop).
            run.cancel()
            await asyncio.gather(run, return_exceptions=True)
            seen = sum(_per_chat(state, world.chat_ids()).values())
            assert 120 <= seen < 300  # the kill really happened mid-dispatch
            assert (await world.statuses()).get("pending", 0) == 300 - seen

            # Nothing is sent again before the dead worker's lease runs out...
            second = world.dispatcher({"telegram": real}, clock, worker="second")
            assert await second.drain() == 300 - seen - (await world.statuses()).get("pending", 0)
            clock.advance(timedelta(minutes=2))  # ...then the lease has expired
            await drain_until_done(world, second, clock)
        finally:
            await bot.session.close()
    assert _per_chat(state, world.chat_ids()) == Counter(dict.fromkeys(world.chat_ids(), 1))
    assert await world.statuses() == {"sent": 300}
    await world.close()
