from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(2))  # po (primary) or vo (secondary)
    route_id: Mapped[str | None] = mapped_column(String(100))  # for new cases; a case pins its own
    # The holiday calendar (flows/calendars) school days are counted on; None: the route's region.
    calendar_region: Mapped[str | None] = mapped_column(String(60), default=None)
    # The weekly VOT digest: weekday (0 = Monday) and local time "HH:MM".
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    digest_time: Mapped[str] = mapped_column(String(5), default="08:00", server_default="08:00")
    naming: Mapped[str | None] = mapped_column(String(40))  # role-name preset (bot/naming.py); None: default
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
