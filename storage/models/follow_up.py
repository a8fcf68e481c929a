from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class FollowUpRow(Base):
    """A deadline on a case's step: the source of truth for reminders, not the scheduler's memory.

    pending → fired (its timeout went through the engine) or cancelled (the case left the step). A claim
    (claimed_by, claimed_until) is a lease: a worker that dies mid-fire leaves it to expire."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    follow_up: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12))  # pending, fired, cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
