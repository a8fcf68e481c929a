"""Replies go out after the update's change is committed, and are retried until Telegram takes them.

Handlers answer as aiogram handlers do (`message.answer`, `query.answer`, `edit_text`). While an update
is being handled, `HoldReplies` (a request middleware on the bot's session) keeps those calls instead of
sending them; `RepliesAfterCommit` (an update middleware outside the unit of work) sends them, in order,
once the unit of work has committed. So a reply that Telegram refuses with 429 or a 5xx can no longer
roll back what the person just did, and a failed handler sends nothing (its change did not happen).

Delivery honours `retry_after` and retries server errors and broken connections with backoff. It runs
inside the chat's lane (bot/middlewares/lanes.py), so the chat's next update waits for this one's
answer and a fast tapper's answers arrive in order; no database connection is held meanwhile.

Held calls get `True` back instead of the sent message: nothing in an update handler reads what a
reply returns (the outbox, which does, runs outside updates and is never held).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    SendChatAction,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject

log = logging.getLogger(__name__)

# What a handler does to answer; anything else (getMe, getFile, …) is a question and goes at once.
REPLY_METHODS = (
    SendMessage,
    SendDocument,
    SendPhoto,
    SendChatAction,
    EditMessageText,
    EditMessageReplyMarkup,
    EditMessageCaption,
    AnswerCallbackQuery,
    DeleteMessage,
)


@dataclass
class _Held:
    calls: list[TelegramMethod[Any]] = field(default_factory=list)
    open: bool = True
    after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)  # once all were delivered


_held: contextvars.ContextVar[_Held | None] = contextvars.ContextVar("zorgroute_held_replies", default=None)


class HoldReplies(BaseRequestMiddleware):
    """Keeps an update's replies until `RepliesAfterCommit` sends them."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        held = _held.get()
        if held is None or not held.open or not isinstance(method, REPLY_METHODS):
            return await make_request(bot, method)
        held.calls.append(method)
        return True


@contextlib.contextmanager
def at_once() -> Iterator[None]:
    """Replies inside this block go now, not after the commit: only for a notice that does not depend on
    the update's change ("een moment" while the update waits for something slow)."""
    held = _held.get()
    if held is None or not held.open:
        yield
        return
    held.open = False
    try:
        yield
    finally:
        held.open = True


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8  # per call, for server errors and broken connections
    floods: int = 30  # per call, 429 answers (each waited out as Telegram asks)
    base: float = 0.25  # first backoff in seconds, doubled per attempt, with jitter
    cap: float = 8.0
    max_retry_after: float = 120.0  # a longer flood wait than this is not worth holding the chat for


class RepliesAfterCommit(BaseMiddleware):
    """Outside the unit of work, inside the chat's lane: hold the replies while the update is handled,
    then deliver them. A reply that still fails after its retries is raised (aiogram logs it; the change
    stays committed)."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.sleep = sleep

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        held = _Held()
        token = _held.set(held)
        try:
            result = await handler(event, data)
        finally:
            held.open = False
            _held.reset(token)
        bot: Bot = data["bot"]
        failure: Exception | None = None
        for call in held.calls:
            try:
                await self.deliver(bot, call)
            except Exception as exc:  # the next replies still go; the first failure is reported
                failure = failure or exc
        if failure is not None:
            raise failure
        for callback in held.after:
            try:
                await callback()
            except Exception:  # bookkeeping after the replies; they are out, the update is done
                log.exception("after the replies of an update")
        return result

    async def deliver(self, bot: Bot, call: TelegramMethod[Any]) -> Any:
        attempt = floods = 0
        while True:
            try:
                return await bot(call)
            except TelegramRetryAfter as exc:
                floods += 1
                if exc.retry_after > self.policy.max_retry_after or floods >= self.policy.floods:
                    raise
                log.info("reply %s: flood limit, retrying after %ss", type(call).__name__, exc.retry_after)
                await self.sleep(float(exc.retry_after))
            except (TelegramServerError, TelegramNetworkError) as exc:
                attempt += 1
                if attempt >= self.policy.attempts:
                    raise
                delay = min(self.policy.cap, self.policy.base * 2 ** (attempt - 1))
                log.info("reply %s failed (%s), retry %s", type(call).__name__, exc, attempt)
                await self.sleep(random.uniform(delay / 2, delay))


def held_replies() -> list[TelegramMethod[Any]]:
    """The replies the current update has made so far (empty outside an update)."""
    held = _held.get()
    return [] if held is None else list(held.calls)


def drop_held_replies() -> None:
    """Forget the replies the current update made so far, and what was to follow them: its change was
    rolled back."""
    held = _held.get()
    if held is not None and held.open:
        held.calls.clear()
        held.after.clear()


def hold_again(calls: list[TelegramMethod[Any]]) -> None:
    """Have the current update send these replies (of an earlier delivery of it) after its commit."""
    held = _held.get()
    if held is not None and held.open:
        held.calls.extend(calls)


def after_replies(callback: Callable[[], Awaitable[None]]) -> None:
    """Run `callback` once the current update's replies have all been delivered."""
    held = _held.get()
    if held is not None and held.open:
        held.after.append(callback)


def install_reply_holding(bot: Bot) -> None:
    """Make `bot` hold replies during updates (idempotent: a restarted harness reuses nothing)."""
    if not any(isinstance(m, HoldReplies) for m in bot.session.middleware):
        bot.session.middleware(HoldReplies())
