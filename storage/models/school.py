from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime

SCHOOL_KINDS = ("po", "vo")


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(2))  # po (primary) or vo (secondary)
    route_id: Mapped[str | None] = mapped_column(String(100))  # for new cases; a case pins its own
    naming: Mapped[str | None] = mapped_column(String(40))  # role-name preset (bot/naming.py); None: default
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
