from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class NotificationPref(Base):
    """How one member wants to be notified. No row means the defaults (Telegram, quiet 18:00–07:30 and
    weekends). The e-mail address and WhatsApp number are personal data: read and written only through
    `PreferenceRepository`, so encrypting them later is a change in one place."""

    __tablename__ = "notification_pref"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    channels: Mapped[list[Any]] = mapped_column(JSON)  # e.g. ["telegram", "email"]
    email: Mapped[str | None] = mapped_column(String(320))
    whatsapp: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164 with "+"
    quiet_start: Mapped[int | None] = mapped_column(Integer)  # minutes after midnight; None: no quiet hours
    quiet_end: Mapped[int | None] = mapped_column(Integer)
    quiet_weekends: Mapped[bool] = mapped_column(default=True)
    last_whatsapp_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
