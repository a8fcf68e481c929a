"""One sender per channel: takes a claimed outbox row and its recipient, returns the provider's id.

Errors follow bot/channels/errors.py: RetryableError (try again later, maybe after retry_after) or
PermanentError (dead-letter it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.channels.errors import PermanentError, RetryableError
from bot.outbox.limiter import TelegramLimiter
from bot.render.minimal import with_open_app
from bot.render.outgoing import Outgoing, render
from bot.render.text import Translator
from flows.route import Route
from storage.models import Member
from storage.models.outbox import OutboxRow
from storage.repositories.preferences import Preferences


@dataclass(frozen=True)
class Delivery:
    row: OutboxRow
    member: Member
    t: Translator
    school_name: str
    route: Route | None
    now: datetime  # the dispatcher's clock: never the machine's, so tests hold on any date
    prefs: Preferences = field(default_factory=Preferences)
    name: str = ""  # the recipient's display name, opened from its sealed column (mail salutations, .ics)

    def render(self) -> Outgoing:
        school_id = self.row.payload.get("school_id")
        roles = frozenset(r.role for r in self.member.roles if r.school_id == school_id)
        return render(self.t, self.row.kind, self.row.payload, self.school_name, self.route, roles=roles)


class Sender(Protocol):
    async def send(self, delivery: Delivery) -> str: ...


class TelegramSender:
    """Telegram has no idempotency key: a crash after Telegram accepted a message and before the
    dispatcher committed its id (one database round trip) sends it again. The dispatcher lets in-flight
    sends finish and record on a graceful stop, so only a hard kill in that window can duplicate."""

    def __init__(
        self,
        bot: Bot,
        limiter: TelegramLimiter | None = None,
        *,
        timeout: float = 20.0,
        mini_app_url: str | None = None,  # minimal-content chat: a button to the case in the Mini App
    ) -> None:
        self.bot = bot
        self.limiter = limiter or TelegramLimiter()
        self.timeout = timeout
        self.mini_app_url = mini_app_url

    async def send(self, delivery: Delivery) -> str:
        chat_id = delivery.member.telegram_user_id
        if chat_id is None:
            raise PermanentError("member has no Telegram account")
        out = delivery.render()
        keyboard = out.keyboard
        if out.ref not in ("-", "VOT"):  # about one case: open it in the Mini App
            keyboard = with_open_app(delivery.t, keyboard, self.mini_app_url, out.ref)
        await self.limiter.acquire(chat_id)
        try:
            sent = await self.bot.send_message(
                chat_id, out.telegram, reply_markup=keyboard, request_timeout=int(self.timeout)
            )
        except TelegramRetryAfter as exc:
            self.limiter.pause(chat_id, float(exc.retry_after))
            raise RetryableError("telegram 429", retry_after=float(exc.retry_after)) from exc
        except (TelegramServerError, TelegramNetworkError) as exc:
            raise RetryableError(f"telegram: {type(exc).__name__}", maybe_delivered=True) from exc
        except (TelegramForbiddenError, TelegramNotFound, TelegramBadRequest) as exc:
            raise PermanentError(f"telegram: {exc}") from exc
        return str(sent.message_id)
