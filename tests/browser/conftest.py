"""Browser tests: the emulator, a bot polling it, and headless Chromium showing the page.

Skipped only when Playwright or Debian's chromium is missing; CI installs both
(`pip install playwright`, `apt-get install -y chromium`; never `playwright install`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from emulator import EmulatorState, Person, RunningEmulator, parse_step, start_emulator
from flows.clock import FrozenClock

_CHROMIUM = Path(os.environ.get("ZORGROUTE_CHROMIUM", "/usr/bin/chromium"))
_MISSING = (
    "playwright is not installed (pip install playwright)"
    if importlib.util.find_spec("playwright") is None
    else f"chromium not found at {_CHROMIUM} (apt-get install -y chromium)"
    if not (_CHROMIUM.exists() or shutil.which(str(_CHROMIUM)))
    else None
)

TOKEN = "7000000001:AAEmulatorBrowserToken_1"
T0 = datetime(2025, 3, 3, 8, 30, tzinfo=UTC)  # Monday 09:30 in the Netherlands
ANNA = Person(101, "Anna de Vries", ["leerkracht"], "OBS De Vlinder", "nl")
BRAM = Person(102, "Bram Jansen", ["ib-er"], "OBS De Vlinder", "nl")
CAS = Person(103, "Cas Mulder", ["swv-er", "gs"], "OBS De Vlinder", "en")
ROSTER = [ANNA, BRAM, CAS]

OpenPage = Callable[[str], Awaitable[Any]]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the emulator's page in headless Chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
            if _MISSING:
                item.add_marker(pytest.mark.skip(reason=_MISSING))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def state(clock: FrozenClock) -> EmulatorState:
    state = EmulatorState(now=clock.now)
    state.set_roster(ROSTER)
    return state


@pytest_asyncio.fixture
async def emulator(state: EmulatorState) -> AsyncIterator[RunningEmulator]:
    running = await start_emulator(state)
    yield running
    await running.close()


@pytest_asyncio.fixture
async def bot(emulator: RunningEmulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url))
    # HTML by default, as the real bot sends it: the page must draw Telegram's formatting.
    bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


@pytest_asyncio.fixture
async def demo_bot(bot: Bot, state: EmulatorState, clock: FrozenClock) -> AsyncIterator[Dispatcher]:
    """The demo router polling the emulator, and a clock handler that sends Anna a reminder."""
    from .demo_bot import demo_router, send_reminders

    dp = Dispatcher(notify_user_id=BRAM.user_id)
    dp.include_router(demo_router())

    async def advance(step: str) -> dict[str, Any]:
        clock.advance(parse_step(step))
        return await send_reminders(bot, [ANNA.user_id], "⏰ Herinnering: het signaal wacht op een reactie.")

    state.set_clock_handler(advance)
    started = asyncio.Event()
    dp.startup.register(started.set)
    task = asyncio.create_task(
        dp.start_polling(
            bot, handle_signals=False, handle_as_tasks=False, polling_timeout=1, close_bot_session=False
        )
    )
    await started.wait()  # stop_polling refuses a dispatcher that has not started
    yield dp
    with contextlib.suppress(RuntimeError):
        await dp.stop_polling()
    await task


@pytest_asyncio.fixture
async def open_page() -> AsyncIterator[OpenPage]:
    """`await open_page(base_url)` → an EmulatorPage in a fresh headless Chromium; closed at teardown."""
    from playwright.async_api import async_playwright

    from .page import EmulatorPage, launch_chromium

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)

        async def open_at(base_url: str) -> EmulatorPage:
            return await EmulatorPage.open(browser, base_url)

        try:
            yield open_at
        finally:
            await browser.close()
