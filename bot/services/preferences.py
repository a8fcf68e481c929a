"""Changing a member's notification preferences: the decisions behind /meldingen's buttons and answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.channels.errors import InvalidRecipientError
from bot.channels.mail_message import check_address
from bot.channels.phone import normalize_phone
from bot.render.preferences import next_preset
from storage.models import Member
from storage.repositories.preferences import Preferences
from storage.uow import UnitOfWork


class PreferenceService:
    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self.uow, self.now = uow, now

    async def get(self, member: Member) -> Preferences:
        return await self.uow.prefs.get(member.id)

    async def toggle(self, member: Member, channel: str) -> tuple[Preferences, str | None]:
        """Flip a channel. Turning on e-mail or WhatsApp without an address asks for it first: returns
        the address kind to ask for ("email" / "phone") instead of switching it on."""
        prefs = await self.get(member)
        on = channel not in prefs.channels
        if on and channel == "email" and prefs.email is None:
            return prefs, "email"
        if on and channel == "whatsapp" and prefs.whatsapp is None:
            return prefs, "phone"
        prefs = prefs.with_channel(channel, on)
        await self.uow.prefs.save(member.id, prefs, self.now)
        return prefs, None

    async def set_email(self, member: Member, raw: str) -> Preferences | None:
        address = raw.strip()
        try:
            check_address(address)
        except InvalidRecipientError:
            return None
        prefs = replace(await self.get(member), email=address).with_channel("email", True)
        await self.uow.prefs.save(member.id, prefs, self.now)
        return prefs

    async def set_phone(self, member: Member, raw: str) -> Preferences | None:
        try:
            digits = normalize_phone(raw.strip())
        except InvalidRecipientError:
            return None
        prefs = replace(await self.get(member), whatsapp=f"+{digits}").with_channel("whatsapp", True)
        await self.uow.prefs.save(member.id, prefs, self.now)
        return prefs

    async def next_quiet(self, member: Member) -> Preferences:
        preset = next_preset(await self.get(member))
        prefs = replace(
            await self.get(member),
            quiet_start=preset.start,
            quiet_end=preset.end,
            quiet_weekends=preset.weekends,
        )
        await self.uow.prefs.save(member.id, prefs, self.now)
        return prefs
