from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import School
from storage.quick_reads import PointReads, detached


class SchoolRepository:
    def __init__(self, session: AsyncSession, quick: Callable[[], PointReads | None] = lambda: None) -> None:
        self._session = session
        self._quick = quick  # storage/quick_reads.py
        # The schools this unit of work read. The session's identity map holds objects weakly, so a school
        # read for the roles line of /help was gone again when the /signaal check asked for it: two
        # queries for one row in every /help. A unit of work is one update, so holding them is cheap.
        self._read: dict[int, School] = {}

    async def add(self, *, name: str, kind: str, route_id: str | None, now: datetime) -> School:
        school = School(name=name, kind=kind, route_id=route_id, created_at=now)
        self._session.add(school)
        await self._session.flush()
        return school

    async def get(self, school_id: int) -> School | None:
        school = self._read.get(school_id)
        if school is None:
            school = await self._quickly(school_id) or await self._session.get(School, school_id)
            if school is not None:
                self._read[school_id] = school
        return school

    async def _quickly(self, school_id: int) -> School | None:
        quick = self._quick()
        if quick is None or self._session.sync_session.identity_map.get(
            School.__mapper__.identity_key_from_primary_key((school_id,))
        ):
            return None
        rows = await quick.school(school_id)
        if not rows:
            return None  # not read, or no such school: the session says which
        school = detached(School, rows[0])
        self._session.add(school)
        return school

    async def set_route(self, school: School, route_id: str) -> None:
        school.route_id = route_id
        await self._session.flush()

    async def set_naming(self, school: School, naming: str | None) -> None:
        school.naming = naming
        await self._session.flush()

    async def list(self) -> Sequence[School]:
        return (await self._session.scalars(select(School).order_by(School.id))).all()
