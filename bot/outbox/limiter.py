"""Keeping to Telegram's flood limits before Telegram has to say so.

Telegram documents about 30 messages per second overall, about one per second in a private chat (short
bursts pass) and 20 per minute in a group. Token buckets per scope: a send waits until every bucket it
needs has a token. The defaults stay just inside those limits, so normal operation causes no 429; a 429
that comes anyway pauses that chat for its `retry_after`.

Times come from an injected monotonic clock and waits from an injected sleep, so it can be tested
without real waiting.

Several workers on one PostgreSQL database share one budget: with `shared` (storage/buckets.py) the
overall and per-chat buckets are rows every worker takes from, so N workers together still send at most
30 a second and one a second to a chat.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from storage.buckets import Buckets

SHARED_ALL = "tg:all"  # the shared bucket of every send; a chat's is "tg:chat:<id>"


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now

    def wait(self) -> float:
        # The epsilon: refilling by exactly the computed wait can land a rounding error below 1, and a
        # wait too small to move the clock would then spin.
        return 0.0 if self.tokens >= 1 - 1e-9 else max((1 - self.tokens) / self.per_second, 1e-4)


class TelegramLimiter:
    def __init__(
        self,
        *,
        global_per_second: float = 30.0,
        global_burst: float = 3.0,
        private_per_second: float = 1.0,
        private_burst: float = 2.0,
        group_per_minute: float = 20.0,
        group_burst: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared: Buckets | None = None,
    ) -> None:
        # A small global burst spaces the sends evenly: Telegram's own allowance is then kept as slack
        # for network jitter instead of being spent at the start.
        self.global_per_second, self.global_burst = global_per_second, global_burst
        self.private = (private_burst, private_per_second)
        self.group = (group_burst, group_per_minute / 60)
        self.monotonic, self.sleep, self.shared = monotonic, sleep, shared
        self._buckets: dict[object, _Bucket] = {}
        self._paused: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` keeps within every limit, then take its tokens."""
        if self.shared is not None:
            return await self._acquire_shared(self.shared, chat_id)
        while True:
            async with self._lock:  # decide and take atomically, so concurrent senders share fairly
                now = self.monotonic()
                buckets = [self._bucket("global", self.global_burst, self.global_per_second, now)]
                capacity, rate = self.group if chat_id < 0 else self.private  # groups have negative ids
                buckets.append(self._bucket(chat_id, capacity, rate, now))
                wait = max([b.wait() for b in buckets] + [self._paused.get(chat_id, now) - now])
                if wait <= 0:
                    for bucket in buckets:
                        bucket.tokens -= 1
                    return
            await self.sleep(wait)

    async def _acquire_shared(self, shared: Buckets, chat_id: int) -> None:
        capacity, rate = self.group if chat_id < 0 else self.private
        chat = f"tg:chat:{chat_id}"
        while True:
            wait = self._paused.get(chat_id, 0.0) - self.monotonic()
            if wait <= 0:
                wait = await shared.take(chat, capacity, rate)  # the chat's first: it rarely waits
            if wait <= 0:
                wait = await shared.take(SHARED_ALL, self.global_burst, self.global_per_second)
                if wait <= 0:
                    return
                await shared.give_back(chat, capacity)  # not sent now: the chat keeps its token
            await self.sleep(wait)

    def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429 for this chat: nothing more to it until `retry_after` has passed."""
        until = self.monotonic() + seconds
        self._paused[chat_id] = max(until, self._paused.get(chat_id, 0.0))

    def _bucket(self, key: object, capacity: float, per_second: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, per_second, capacity, now)
        else:
            bucket.refill(now)
        return bucket
