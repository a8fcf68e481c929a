"""Which senders a running bot has, from the settings: Telegram always; e-mail with SMTP settings;
WhatsApp with Cloud API settings. In demo mode (no token, talking to the emulator) a `record` callable
captures e-mail and WhatsApp for the emulator's page when no real server is configured."""

from __future__ import annotations

from aiogram import Bot

from bot.channels.mail import MailSender, MailSettings
from bot.channels.whatsapp import WhatsAppClient, WhatsAppSettings
from bot.outbox.capture import CaptureSender, Recorder
from bot.outbox.limiter import TelegramLimiter
from bot.outbox.mail_sender import EmailSender
from bot.outbox.senders import Sender, TelegramSender
from bot.outbox.whatsapp_sender import WhatsAppSender
from bot.settings import Settings


def build_senders(
    settings: Settings,
    bot: Bot,
    *,
    record_external: Recorder | None = None,
    limiter: TelegramLimiter | None = None,
) -> dict[str, Sender]:
    app_url = settings.mini_app_url if settings.minimal_chat else None
    senders: dict[str, Sender] = {"telegram": TelegramSender(bot, limiter, mini_app_url=app_url)}
    mail = mail_settings(settings)
    if mail is not None:
        senders["email"] = EmailSender(MailSender(mail), mail.from_address, settings.timezone)
    elif record_external is not None and settings.uses_emulator:
        senders["email"] = CaptureSender("email", record_external)
    whatsapp = whatsapp_settings(settings)
    if whatsapp is not None:
        senders["whatsapp"] = WhatsAppSender(WhatsAppClient(whatsapp), settings.whatsapp_template)
    elif record_external is not None and settings.uses_emulator:
        senders["whatsapp"] = CaptureSender("whatsapp", record_external, template=settings.whatsapp_template)
    return senders


def mail_settings(settings: Settings) -> MailSettings | None:
    if settings.smtp_host is None or settings.mail_from is None:
        return None
    return MailSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,  # type: ignore[arg-type]  # validated to the Literal's values
        username=settings.smtp_username,
        password=settings.smtp_password,
        from_address=settings.mail_from,
    )


def whatsapp_settings(settings: Settings) -> WhatsAppSettings | None:
    if not (settings.whatsapp_phone_number_id and settings.whatsapp_token and settings.whatsapp_app_secret):
        return None
    return WhatsAppSettings(
        base_url=settings.whatsapp_base_url,
        phone_number_id=settings.whatsapp_phone_number_id,
        access_token=settings.whatsapp_token,
        app_secret=settings.whatsapp_app_secret,
    )
