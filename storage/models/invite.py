from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import SEALED_NAME, Base, UTCDateTime


class Invite(Base):
    """A one-time invitation; only the sha256 of the code is stored."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    roles: Mapped[list[str]] = mapped_column(JSON)
    # Sealed by the cipher (InviteRepository.name() opens it).
    sealed_name: Mapped[str | None] = mapped_column("display_name", SEALED_NAME)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))


class InviteAttempt(Base):
    """A wrong invite code. user_key is an HMAC of the Telegram user id: nothing identifying is kept."""

    __tablename__ = "invite_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
