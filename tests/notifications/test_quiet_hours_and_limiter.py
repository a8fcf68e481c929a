"""Quiet hours on the Dutch wall clock (DST included), and the Telegram limiter's pacing, on fake time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.outbox.limiter import TelegramLimiter
from flows.quiet_hours import quiet_until

AMS = ZoneInfo("Europe/Amsterdam")
STD = {"start": 18 * 60, "end": 7 * 60 + 30, "weekends": True}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        ("2026-11-23T09:00", None),  # a Monday morning
        ("2026-11-23T17:59", None),
        ("2026-11-23T18:00", "2026-11-24T07:30"),
        ("2026-11-24T03:00", "2026-11-24T07:30"),
        ("2026-11-27T19:00", "2026-11-30T07:30"),  # Friday evening: through the weekend
        ("2026-11-28T12:00", "2026-11-30T07:30"),
        ("2026-03-28T20:00", "2026-03-30T07:30"),  # clocks go forward on Sunday 29 March
        ("2026-10-24T20:00", "2026-10-26T07:30"),  # and back on Sunday 25 October
    ],
)
def test_quiet_until_the_end_of_the_period(now: str, until: str | None) -> None:
    result = quiet_until(_at(now), **STD)  # type: ignore[arg-type]
    assert (result.astimezone(AMS) if result else None) == (_at(until) if until else None)


def test_no_quiet_hours_and_weekdays_only() -> None:
    assert quiet_until(_at("2026-11-28T12:00"), start=None, end=None, weekends=False) is None
    saturday_night = quiet_until(_at("2026-11-28T23:00"), start=18 * 60, end=7 * 60 + 30, weekends=False)
    assert saturday_night is not None and saturday_night.astimezone(AMS) == _at("2026-11-29T07:30")


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_limiter_paces_overall_and_per_chat() -> None:
    time = FakeTime()
    limiter = TelegramLimiter(monotonic=time.monotonic, sleep=time.sleep)
    for chat in range(300):
        await limiter.acquire(chat)
    assert 9.8 <= time.now <= 10.0  # 300 messages at 30/s (after a burst of 3)
    start = time.now
    for _ in range(5):
        await limiter.acquire(42)
    assert time.now - start >= 3.0  # one chat: a burst of 2, then one per second


async def test_limiter_honours_retry_after_for_that_chat() -> None:
    time = FakeTime()
    limiter = TelegramLimiter(monotonic=time.monotonic, sleep=time.sleep)
    limiter.pause(7, 5.0)
    await limiter.acquire(8)
    assert time.now < 0.1
    await limiter.acquire(7)
    assert time.now >= 5.0
