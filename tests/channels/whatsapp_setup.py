"""Client settings that point at a running fake Graph API."""

from __future__ import annotations

from bot.channels.whatsapp import WhatsAppSettings
from tests.fakes.graph_api import FakeGraphApi

APP_SECRET = "test-app-secret"


def whatsapp_settings(api: FakeGraphApi, *, timeout: float = 2.0) -> WhatsAppSettings:
    return WhatsAppSettings(
        base_url=api.base_url,
        phone_number_id=api.phone_number_id,
        access_token=api.access_token,
        app_secret=APP_SECRET,
        timeout=timeout,
    )
