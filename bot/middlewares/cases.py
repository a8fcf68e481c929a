"""Puts the case services into each update's data, built from the injected route_engine, clock and ids and
the update's unit of work and language — so handlers stay a few lines and hold no globals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.render.presenter import Presenter
from bot.render.text import Translator
from bot.services.audit import TELEGRAM, AuditTrail
from bot.services.cases import CaseService
from bot.services.meetings import MeetingService
from bot.services.notify import TELEGRAM_ONLY
from bot.services.reads import CaseReader


class CaseServicesMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if data.get("member") is not None:
            settings, route_engine, clock, uow = (
                data["settings"],
                data["route_engine"],
                data["clock"],
                data["uow"],
            )
            t: Translator = data["t"]  # bot/i18n.py, in the member's language
            outbox = data.get("outbox")
            channel = data.get("audit_channel", TELEGRAM)  # the webhook runner sets "webhook"
            audit = AuditTrail(uow, clock, member=data["member"], channel=channel, via=via_of(event))
            data["cases"] = CaseService(
                uow,
                route_engine,
                clock,
                data["ids"],
                settings.timezone,
                data.get("event_log"),
                channels=outbox.channels if outbox is not None else TELEGRAM_ONLY,
                audit=audit,
                dialogue=data.get("state"),
            )
            data["reader"] = CaseReader(uow, route_engine, audit)
            data["audit"] = audit  # for handlers that show cases outside the reader (/agenda)
            data["meetings"] = MeetingService(
                uow,
                route_engine,
                now=clock.now(),
                timezone=settings.timezone,
                channels=outbox.channels if outbox is not None else TELEGRAM_ONLY,
                video_base=settings.video_base_url,
            )
            data["presenter"] = Presenter(
                t,
                route_engine,
                uow,
                clock.now(),
                minimal=settings.minimal_chat,
                app_url=settings.mini_app_url,
            )
        return await handler(event, data)


def via_of(event: TelegramObject) -> str:
    """The command or button behind an update, without its arguments (they may be anything typed)."""
    if isinstance(event, Message):
        text = (event.text or "").strip()
        if text.startswith("/"):
            return text.split(maxsplit=1)[0].split("@", 1)[0][:40]
        return "text"
    if isinstance(event, CallbackQuery):
        prefix = (event.data or "").split(":", 1)[0]
        return f"button:{prefix[:20]}"
    return type(event).__name__.lower()
