"""Fault plans and flood limits, as aiogram sees them: exceptions it already knows."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from emulator import EmulatorState, FaultPlan
from emulator.errors import ApiError
from emulator.faults import FaultInjector

from .support import Ticker

pytestmark = pytest.mark.asyncio


async def test_retry_after_reaches_aiogram(bot: Bot, state: EmulatorState) -> None:
    state.user_sends(42, "hallo")
    state.inject_faults(FaultPlan(rate=1.0, kinds=("retry_after",), retry_after=7))
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(42, "Herinnering")
    assert caught.value.retry_after == 7
    assert state.bot_messages(42) == []  # a refused send leaves nothing behind
    assert state.stats().too_many_requests == 1


async def test_server_error_and_dropped_connection(bot: Bot, state: EmulatorState) -> None:
    state.user_sends(42, "hallo")
    state.inject_faults(FaultPlan(rate=1.0, kinds=("server_error",)))
    with pytest.raises(TelegramServerError):
        await bot.send_message(42, "x")
    state.inject_faults(FaultPlan(rate=1.0, kinds=("drop",)))
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(42, "x")
    stats = state.stats()
    assert (stats.server_errors, stats.dropped, stats.sent) == (1, 1, 0)


async def test_hang_outlasts_the_client_timeout(bot: Bot, state: EmulatorState) -> None:
    state.user_sends(42, "hallo")
    state.inject_faults(FaultPlan(rate=1.0, kinds=("hang",), hang_seconds=30))
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(42, "x", request_timeout=1)
    assert state.stats().hung == 1


async def test_same_seed_same_failures() -> None:
    def outcomes(seed: int) -> list[bool]:
        injector = FaultInjector(monotonic=lambda: 0.0)
        injector.install(FaultPlan(rate=0.5, seed=seed))
        results = []
        for _ in range(40):
            try:
                injector.check("sendmessage", 1, "private")
                results.append(True)
            except ApiError:
                results.append(False)
        return results

    assert outcomes(7) == outcomes(7)
    assert outcomes(7) != outcomes(8)
    assert 5 < outcomes(7).count(False) < 35


async def test_flood_limit_per_private_chat(bot: Bot, state: EmulatorState, ticker: Ticker) -> None:
    state.user_sends(42, "hallo")
    state.inject_faults(FaultPlan(enforce_limits=True, private_burst=3))
    for i in range(3):  # the burst allowance
        await bot.send_message(42, f"bericht {i}")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(42, "te snel")
    assert caught.value.retry_after == 1
    ticker.seconds += 1.0  # one message's worth of time later
    await bot.send_message(42, "weer op tijd")
    assert state.bot_messages(42)[-1].text == "weer op tijd"
    assert state.stats().too_many_requests == 1


async def test_flood_limit_per_group(bot: Bot, state: EmulatorState) -> None:
    state.user_sends(42, "hallo", chat_id=-100, chat_type="group")
    state.inject_faults(FaultPlan(enforce_limits=True))
    for i in range(20):
        await bot.send_message(-100, f"bericht {i}")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(-100, "te veel")
    assert caught.value.retry_after == 3  # 20 per minute: one every three seconds
