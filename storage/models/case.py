from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class PupilRow(Base):
    """A pupil as the school knows them here: a label (initials + group) and optionally the school's
    own pupil number. Never a name."""

    __tablename__ = "pupil"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    number: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RouteVersionRow(Base):
    """The definition a case started on, kept so that a new route file never breaks a running case."""

    __tablename__ = "route_version"

    route_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[str] = mapped_column(Text)  # the YAML text as loaded
    sha256: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseRow(Base):
    __tablename__ = "case_file"  # "case" is an SQL keyword

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    route_id: Mapped[str] = mapped_column(String(40))
    route_version: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), index=True)
    priority: Mapped[str] = mapped_column(String(8))
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupil.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when retention or an erasure removed the content: the case keeps its shape, nothing else.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    step_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(40))
    # Routing state without content: flags, counters, consent, assignments, regiehouder, outcome.
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What people wrote (submitted values and open drafts): sealed by the cipher (encrypted at rest).
    content: Mapped[str] = mapped_column(Text)
    # Optimistic locking: two people pressing at once cannot both move the case.
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012 - SQLAlchemy reads it as a class attribute


class TimelineRow(Base):
    """Append-only: who did what on which step, when. Summaries hold choices, never free text."""

    __tablename__ = "timeline_entry"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    to_step: Mapped[str | None] = mapped_column(String(40))


class FirstMoveRow(Base):
    """The first moment a case moved from `step` to `to_step` (a timeline entry whose `to_step` differs
    from its step), kept by `CaseRepository.save` in the same transaction as the timeline. The route
    report's milestones are conditions on such moves, so it reads this narrow table instead of grouping
    the whole timeline; keyed by the move and not by milestone, it stays right when a route file changes
    its milestones. `day` is the move's local date in the case's time zone as `date.toordinal()`: the
    report groups lead times by it without converting moments to local dates in SQL (migration 0011)."""

    __tablename__ = "case_first_move"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[str] = mapped_column(String(40), primary_key=True)
    to_step: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    day: Mapped[int] = mapped_column(Integer)


class ParticipantRow(Base):
    """A member taking part in a case, and why (flows/participants.py): the access policy decides by it.
    Kept by `CaseRepository.save` in the case's transaction; never removed by the engine."""

    __tablename__ = "case_participant"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40), primary_key=True)
    step: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
