"""What the WhatsApp webhook tells us, stored: delivery statuses on the outbox row they belong to (by
wamid, our provider id), and when a member last wrote (it opens the 24-hour window for free text).

Both are idempotent, because Meta redelivers a notification until it gets a 200."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.whatsapp_webhook import Inbound, StatusUpdate, make_webhook_handlers
from bot.settings import Settings
from storage.uow import UnitOfWork

WEBHOOK_PATH = "/whatsapp/webhook"


class WhatsAppInbox:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def statuses(self, updates: list[StatusUpdate]) -> None:
        async with UnitOfWork(self.sessionmaker) as uow:
            for update in updates:
                await uow.outbox.record_status(update.wamid, update.status)
            await uow.commit()

    async def inbound(self, messages: list[Inbound]) -> None:
        async with UnitOfWork(self.sessionmaker) as uow:
            for message in messages:
                await uow.prefs.saw_whatsapp_inbound(f"+{message.wa_id}", message.timestamp)
            await uow.commit()


def mount_whatsapp_webhook(
    app: web.Application, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> bool:
    """GET (Meta's handshake) and POST (signed notifications) at /whatsapp/webhook; False when WhatsApp
    is not configured (no app secret or verify token: nothing could be verified)."""
    if not (settings.whatsapp_app_secret and settings.whatsapp_verify_token):
        return False
    inbox = WhatsAppInbox(sessionmaker)
    get, post = make_webhook_handlers(
        settings.whatsapp_app_secret, settings.whatsapp_verify_token, inbox.statuses, inbox.inbound
    )
    app.router.add_get(WEBHOOK_PATH, get)
    app.router.add_post(WEBHOOK_PATH, post)
    return True
