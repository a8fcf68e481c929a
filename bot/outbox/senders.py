"""One sender per channel: takes a claimed outbox row and its recipient, returns the provider's id.

Errors follow bot/channels/errors.py: RetryableError (try again later, maybe after retry_after) or
PermanentError (dead-letter it)."""

from __future__ import annotations

from dataclasses import dataclass
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
from bot.render.digest import digest_keyboard, digest_text
from bot.render.notification import may_act_on, notification_keyboard, notification_text
from bot.render.text import Translator
from flows.route import Route
from storage.models import Member
from storage.models.outbox import OutboxRow


@dataclass(frozen=True)
class Delivery:
    row: OutboxRow
    member: Member
    t: Translator
    school_name: str
    route: Route | None


class Sender(Protocol):
    async def send(self, delivery: Delivery) -> str: ...


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, delivery: Delivery) -> str:
        chat_id = delivery.member.telegram_user_id
        if chat_id is None:
            raise PermanentError("member has no Telegram account")
        payload = delivery.row.payload
        if delivery.row.kind == "digest":
            text, markup = digest_text(delivery.t, payload, delivery.school_name), digest_keyboard(payload)
        else:
            school_id = payload.get("school_id")
            roles = frozenset(r.role for r in delivery.member.roles if r.school_id == school_id)
            may_act = may_act_on(delivery.route, roles, payload.get("step"))
            text = notification_text(delivery.t, payload, delivery.school_name)
            markup = notification_keyboard(delivery.t, payload, delivery.route, may_act=may_act)
        try:
            sent = await self.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramRetryAfter as exc:
            raise RetryableError("telegram 429", retry_after=float(exc.retry_after)) from exc
        except (TelegramServerError, TelegramNetworkError) as exc:
            raise RetryableError(f"telegram: {exc}", maybe_delivered=True) from exc
        except (TelegramForbiddenError, TelegramNotFound, TelegramBadRequest) as exc:
            raise PermanentError(f"telegram: {exc}") from exc
        return str(sent.message_id)
