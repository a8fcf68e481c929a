"""An emulator on loopback and the real aiogram Bot pointed at it, as production would be."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from emulator import EmulatorState, RunningEmulator, start_emulator
from flows.clock import FrozenClock

from .support import TOKEN, StartPolling, Ticker

T0 = datetime(2025, 3, 3, 8, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def state(clock: FrozenClock, ticker: Ticker) -> EmulatorState:
    return EmulatorState(now=clock.now, monotonic=ticker)


@pytest_asyncio.fixture
async def emulator(state: EmulatorState) -> AsyncIterator[RunningEmulator]:
    running = await start_emulator(state)
    yield running
    await running.close()


@pytest_asyncio.fixture
async def bot(emulator: RunningEmulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url))
    bot = Bot(TOKEN, session=session)
    yield bot
    await bot.session.close()


@pytest_asyncio.fixture
async def start_polling(bot: Bot) -> AsyncIterator[StartPolling]:
    """Start a Dispatcher polling the emulator with the given routers; stopped at teardown."""
    running: list[tuple[Dispatcher, asyncio.Task[None]]] = []

    async def start(*routers: Router, **workflow_data: Any) -> Dispatcher:
        dp = Dispatcher(**workflow_data)
        dp.include_routers(*routers)
        started = asyncio.Event()
        dp.startup.register(started.set)
        task = asyncio.create_task(
            dp.start_polling(
                bot,
                handle_signals=False,
                polling_timeout=1,
                handle_as_tasks=False,  # consumed then means handled
                close_bot_session=False,
            )
        )
        running.append((dp, task))
        await started.wait()  # stop_polling refuses a dispatcher that has not started
        return dp

    yield start
    for dp, task in running:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        await task
