"""Notification preferences and contact details. Never commits.

The only door to the e-mail address and WhatsApp number: when the privacy work encrypts those columns
(storage/cipher.py), `_to_prefs` and `save` are the two places that change. Looking a member up by number
(`by_whatsapp`) will then need a keyed blind index beside the sealed column.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import NotificationPref

DEFAULT_QUIET_START = 18 * 60
DEFAULT_QUIET_END = 7 * 60 + 30


@dataclass(frozen=True)
class Preferences:
    """What a member chose; a member who never chose gets these defaults."""

    channels: tuple[str, ...] = ("telegram",)
    email: str | None = None
    whatsapp: str | None = None  # E.164, "+31612345678"
    quiet_start: int | None = DEFAULT_QUIET_START  # minutes after midnight, local time; None: never quiet
    quiet_end: int | None = DEFAULT_QUIET_END
    quiet_weekends: bool = True
    last_whatsapp_inbound_at: datetime | None = field(default=None, compare=False)

    def with_channel(self, channel: str, on: bool) -> Preferences:
        rest = tuple(c for c in self.channels if c != channel)
        return replace(self, channels=(*rest, channel) if on else rest)


class PreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, member_id: int) -> Preferences:
        row = await self._session.get(NotificationPref, member_id)
        return Preferences() if row is None else _to_prefs(row)

    async def save(self, member_id: int, prefs: Preferences, now: datetime) -> None:
        row = await self._session.get(NotificationPref, member_id)
        if row is None:
            row = NotificationPref(member_id=member_id)
            self._session.add(row)
        row.channels = list(prefs.channels)
        row.email, row.whatsapp = prefs.email, prefs.whatsapp
        row.quiet_start, row.quiet_end, row.quiet_weekends = (
            prefs.quiet_start,
            prefs.quiet_end,
            prefs.quiet_weekends,
        )
        row.updated_at = now
        await self._session.flush()

    async def saw_whatsapp_inbound(self, number: str, at: datetime) -> bool:
        """The member with this number wrote to us at `at` (opens the 24-hour window); False if unknown."""
        row = await self._session.scalar(select(NotificationPref).where(NotificationPref.whatsapp == number))
        if row is None:
            return False
        # Webhooks arrive out of order and are redelivered: only ever move the time forward.
        if row.last_whatsapp_inbound_at is None or at > row.last_whatsapp_inbound_at:
            row.last_whatsapp_inbound_at = at
            await self._session.flush()
        return True


def _to_prefs(row: NotificationPref) -> Preferences:
    return Preferences(
        channels=tuple(str(c) for c in row.channels),
        email=row.email,
        whatsapp=row.whatsapp,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        quiet_weekends=row.quiet_weekends,
        last_whatsapp_inbound_at=row.last_whatsapp_inbound_at,
    )
