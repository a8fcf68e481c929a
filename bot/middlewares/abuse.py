"""Abuse resistance before any handler: a per-user rate limit and a cap on what one update may carry.

The rate limit keeps its buckets in memory on purpose: a restart resets a flood counter, never data, and
a flood must not cost a database query per update (it runs before the unit of work opens). Behind the
webhook door, where several workers may share the bot (bot/middlewares/turns.py, `ANY_WORKER`), an update
the worker's own bucket lets through also takes from the user's shared bucket (dispatcher data
`shared_limits`, storage/buckets.py: PostgreSQL or Redis), so the limit holds for the whole bot; what the
own bucket already refused costs no query. A polling bot is the only receiver: its own buckets are the
whole bot's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from bot.i18n import N_
from bot.middlewares.turns import ANY_WORKER
from bot.render.text import Translator
from storage.buckets import Buckets

log = logging.getLogger(__name__)

SLOW_DOWN = N_("abuse.slow_down")
TOO_LONG = N_("abuse.too_long")
UNREADABLE = N_("abuse.unreadable")
# Telegram's own limits: a message holds at most 4096 characters and button data at most 64 bytes.
# Anything larger did not come from Telegram's clients; route fields have smaller limits of their own.
MAX_TEXT = 4096
MAX_BUTTON_DATA = 64
_MAX_TRACKED = 10_000  # users with a bucket; idle full buckets are dropped beyond this


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class RateLimitMiddleware(BaseMiddleware):
    """A token bucket per Telegram user: `burst` updates at once, refilled at `burst / per_seconds` a
    second. The first update over the limit gets one polite "slow down"; the rest of the flood gets
    silence (an answer per update would let a flood make the bot flood Telegram in turn).

    It measures real elapsed time (`monotonic`), not the injected clock: a flood is about how fast
    updates arrive, and a frozen test clock would otherwise never refill a bucket."""

    def __init__(
        self, burst: int = 20, per_seconds: float = 10.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst, self.rate, self.monotonic = float(burst), burst / per_seconds, monotonic
        self._buckets: dict[int, _Bucket] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        now = self.monotonic()
        bucket = self._take(user.id, now)
        allowed = bucket.tokens >= 1
        if allowed:
            bucket.tokens -= 1
        shared: Buckets | None = data.get("shared_limits") if data.get(ANY_WORKER) else None
        if allowed and shared is not None:
            allowed = await self._take_shared(shared, user.id)
        if allowed:
            bucket.warned = False
            return await handler(event, data)
        if not bucket.warned:
            bucket.warned = True
            await _answer(event, data, SLOW_DOWN)
        return None

    async def _take_shared(self, shared: Buckets, user_id: int) -> bool:
        """The user's token from the bucket all workers share. Should that store fail (Redis down, the
        pool exhausted), this worker's own bucket decides alone: a limit against floods must not lose a
        professional's action."""
        try:
            return await shared.take(f"user:{user_id}", self.burst, self.rate) <= 0
        except Exception:
            log.warning("the shared rate limit failed; this worker's own limit applies", exc_info=True)
            return True

    def _take(self, user_id: int, now: float) -> _Bucket:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= _MAX_TRACKED:
                self._forget_idle(now)
            bucket = self._buckets[user_id] = _Bucket(self.burst, now)
            return bucket
        elapsed = max(0.0, now - bucket.at)
        bucket.tokens, bucket.at = min(self.burst, bucket.tokens + elapsed * self.rate), now
        return bucket

    def _forget_idle(self, now: float) -> None:
        for user_id, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.at) * self.rate >= self.burst:
                del self._buckets[user_id]


async def _answer(update: TelegramObject, data: dict[str, Any], msgid: str) -> None:
    """Answer in the configured language (the member's own would need the database)."""
    if not isinstance(update, Update):
        return
    text = Translator(data["i18n"], data["settings"].locale)(msgid)
    if update.message is not None and update.message.chat.type == "private":
        await update.message.answer(text)
    elif update.callback_query is not None:
        await update.callback_query.answer(text[:200])


class InputLimitMiddleware(BaseMiddleware):
    """Refuses text longer than Telegram allows, text that is not Unicode (a lone surrogate: valid JSON,
    never sent by Telegram's clients, and impossible to store or show back), and button data larger than
    Telegram allows, before any handler or filter parses them. Runs after the stranger gate, in the
    member's language."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        t: Translator = data["t"]
        if isinstance(event, Message):
            text = event.text or event.caption or ""
            length = len(text)
            if length > MAX_TEXT:
                if event.chat.type == "private":
                    await event.answer(t(TOO_LONG, max=MAX_TEXT, length=length))
                return None
            if not _encodable(text):
                if event.chat.type == "private":
                    await event.answer(t(UNREADABLE))
                return None
        elif isinstance(event, CallbackQuery) and (
            not _encodable(event.data or "") or len((event.data or "").encode()) > MAX_BUTTON_DATA
        ):
            await event.answer(t("fallback.stale_button"), show_alert=True)
            return None
        return await handler(event, data)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
