from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class VotMeeting(Base):
    """A planned VOT meeting. `uid` stays the same for every update and the cancellation; `sequence` rises
    with each change, so calendar clients replace the event instead of adding one. The agenda holds case
    references and pupil labels only."""

    __tablename__ = "vot_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    planner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    video_url: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[list[Any]] = mapped_column(JSON)  # [{"ref": "Z-0001", "pupil": "AB 5b"}, ...]
    status: Mapped[str] = mapped_column(String(12))  # planned, cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VotResponse(Base):
    """One member's answer to one meeting (yes / no / maybe); a new answer replaces the old one."""

    __tablename__ = "vot_response"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("vot_meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
