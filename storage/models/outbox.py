from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class OutboxRow(Base):
    """A notification to one member on one channel, written in the same transaction as the case change
    that caused it, and sent afterwards by the dispatcher. The payload holds message ids, the case
    reference and the pupil label — never free text or names."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)  # idempotency: (event, recipient, channel)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="SET NULL"), index=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending, sent, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_id: Mapped[str | None] = mapped_column(String(200), index=True)
    # What the provider reported later (WhatsApp status webhooks: delivered, read, failed).
    delivery_status: Mapped[str | None] = mapped_column(String(12))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
