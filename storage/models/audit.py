from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class AuditRow(Base):
    """Who read or changed what, when and through which channel (in the spirit of NEN 7513).

    Append-only: the repository has no update or delete, and a trigger in the database refuses both
    (migration 0005). No foreign keys on purpose: the trail outlives members, cases and pupils, and a
    cascade would have to rewrite it. Holds references and pupil labels, never what people wrote."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # None: an admin on the CLI, or the system (a follow-up, retention).
    member_id: Mapped[int | None] = mapped_column(Integer, index=True)
    role: Mapped[str | None] = mapped_column(String(200))  # the member's roles at the case's school
    action: Mapped[str] = mapped_column(String(24))  # read, list, create, update, export, erase, …
    school_id: Mapped[int | None] = mapped_column(Integer)
    case_ref: Mapped[str | None] = mapped_column(String(16), index=True)
    pupil_label: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(12))  # telegram, webhook, cli, system
    via: Mapped[str] = mapped_column(String(80))  # the command or button
    detail: Mapped[str | None] = mapped_column(String(200))  # e.g. the step submitted; never free text
