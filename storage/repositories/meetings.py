"""VOT meetings and the members' answers. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import VotMeeting, VotResponse

ANSWERS = ("yes", "no", "maybe")


class MeetingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        uid: str,
        school_id: int,
        planner_id: int,
        start_at: datetime,
        duration_minutes: int,
        video_url: str,
        agenda: list[dict[str, Any]],
        now: datetime,
    ) -> VotMeeting:
        meeting = VotMeeting(
            uid=uid,
            sequence=0,
            school_id=school_id,
            planner_id=planner_id,
            start_at=start_at,
            duration_minutes=duration_minutes,
            video_url=video_url,
            agenda=agenda,
            status="planned",
            created_at=now,
            updated_at=now,
        )
        self._session.add(meeting)
        await self._session.flush()
        return meeting

    async def get(self, meeting_id: int) -> VotMeeting | None:
        return await self._session.get(VotMeeting, meeting_id)

    async def upcoming(self, school_ids: Sequence[int], now: datetime) -> list[VotMeeting]:
        """Planned meetings at these schools that have not ended yet, soonest first."""
        rows = await self._session.scalars(
            select(VotMeeting)
            .where(VotMeeting.school_id.in_(list(school_ids)), VotMeeting.status == "planned")
            .order_by(VotMeeting.start_at, VotMeeting.id)
        )
        # The end depends on each row's duration; few rows per school, so filtering here stays simple.
        return [m for m in rows if m.start_at.timestamp() + m.duration_minutes * 60 > now.timestamp()]

    async def answer(self, meeting_id: int, member_id: int, answer: str, now: datetime) -> bool:
        """Store the member's answer; True when it changed."""
        if answer not in ANSWERS:
            raise ValueError(f"answer must be one of {ANSWERS}")
        row = await self._session.scalar(
            select(VotResponse).where(
                VotResponse.meeting_id == meeting_id, VotResponse.member_id == member_id
            )
        )
        if row is not None and row.answer == answer:
            return False
        if row is None:
            self._session.add(
                VotResponse(meeting_id=meeting_id, member_id=member_id, answer=answer, answered_at=now)
            )
        else:
            row.answer, row.answered_at = answer, now
        await self._session.flush()
        return True

    async def tally(self, meeting_id: int) -> dict[str, int]:
        rows = await self._session.scalars(
            select(VotResponse.answer).where(VotResponse.meeting_id == meeting_id)
        )
        counts = dict.fromkeys(ANSWERS, 0)
        for answer in rows:
            counts[answer] = counts.get(answer, 0) + 1
        return counts
