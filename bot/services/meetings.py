"""VOT meetings: planning, moving, cancelling and answering, each with its invitations queued through the
outbox in the same unit of work. Who is invited: the members holding the route's `vot` roles at the school.

An invitation payload is complete in itself (start, duration, link, agenda of case references and pupil
labels, calendar uid and sequence), so every channel renders it without reading the meeting again. Each
invitee's agenda holds only the cases the policy lets them see: before consent a partner in the VOT is
invited to the meeting without learning which pupils the school will discuss."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.channels.video import meeting_link
from bot.services.actors import actor_at
from bot.services.notify import queue_to_member
from bot.services.school_routes import DEFAULT_ROUTE, route_of
from flows import policy
from flows.case import Case
from flows.engine import RouteEngine
from storage.models import Member, VotMeeting
from storage.uow import UnitOfWork

PLANNER_ROLES = frozenset({"ib", "zorgcoordinator", "directie"})
DURATIONS = (30, 45, 60, 90)


@dataclass(frozen=True)
class Planned:
    meeting: VotMeeting
    invited: int  # members


class MeetingService:
    def __init__(
        self,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        *,
        now: datetime,
        timezone: str,
        channels: Collection[str],
        video_base: str,
    ) -> None:
        self.uow, self.route_engine, self.now, self.timezone = uow, route_engine, now, timezone
        self.channels, self.video_base = channels, video_base

    @staticmethod
    def planning_schools(member: Member) -> list[int]:
        return sorted({r.school_id for r in member.roles if r.role in PLANNER_ROLES})

    async def members_of_vot(self, school_id: int) -> Sequence[Member]:
        school = await self.uow.schools.get(school_id)
        route = self.route_engine.routes.latest(route_of(school) if school else DEFAULT_ROUTE)
        return await self.uow.members.with_roles(school_id, sorted(route.expand(route.vot)))

    async def plan(
        self, planner: Member, school_id: int, start: datetime, minutes: int, agenda: list[dict[str, Any]]
    ) -> Planned:
        if school_id not in self.planning_schools(planner) or minutes not in DURATIONS:
            raise PermissionError("not a planner at this school")
        meeting = await self.uow.meetings.add(
            uid=f"vot-{secrets.token_hex(12)}@zorgroute",
            school_id=school_id,
            planner_id=planner.id,
            start_at=start,
            duration_minutes=minutes,
            video_url=meeting_link(self.video_base),
            agenda=agenda,
            now=self.now,
        )
        return Planned(meeting, await self._invite(meeting, "new"))

    async def move(self, member: Member, meeting: VotMeeting, start: datetime) -> int:
        self._check_planner(member, meeting)
        meeting.start_at, meeting.sequence, meeting.updated_at = start, meeting.sequence + 1, self.now
        return await self._invite(meeting, "update")

    async def cancel(self, member: Member, meeting: VotMeeting) -> int:
        self._check_planner(member, meeting)
        meeting.status, meeting.sequence, meeting.updated_at = "cancelled", meeting.sequence + 1, self.now
        return await self._invite(meeting, "cancel")

    async def respond(self, member: Member, meeting_id: int, answer: str) -> VotMeeting | None:
        """Store the answer if `member` is invited and the meeting still stands; tell the planner."""
        meeting = await self.uow.meetings.get(meeting_id)
        if meeting is None or meeting.status != "planned":
            return None
        if member.id not in {m.id for m in await self.members_of_vot(meeting.school_id)}:
            return None
        changed = await self.uow.meetings.answer(meeting.id, member.id, answer, self.now)
        planner = await self.uow.members.get(meeting.planner_id) if meeting.planner_id else None
        if changed and planner is not None and planner.id != member.id:
            await queue_to_member(
                self.uow,
                planner,
                key=f"vot-answer:{meeting.id}:{member.id}:{answer}:{self.now.isoformat()}",
                kind="vot_answer",
                payload={
                    "meeting_id": meeting.id,
                    "school_id": meeting.school_id,
                    "who": self.uow.members.name(member),
                    "answer": answer,
                    "start": meeting.start_at.isoformat(),
                },
                now=self.now,
                available=self.channels,
                timezone=self.timezone,
                only="telegram",  # answers are a chat matter; the invitation went everywhere
            )
        return meeting

    def _may_view(self, member: Member, case: Case | None) -> bool:
        if case is None:
            return False
        route = self.route_engine.routes.get(case.route_id, case.route_version)
        return bool(policy.can_view(actor_at(member, case.school_id), case, route))

    def _check_planner(self, member: Member, meeting: VotMeeting) -> None:
        if meeting.school_id not in self.planning_schools(member) or meeting.status != "planned":
            raise PermissionError("not a planner of this meeting")

    async def _invite(self, meeting: VotMeeting, change: str) -> int:
        payload = invitation_payload(meeting, change)
        cases = {str(item["ref"]): await self.uow.cases.get(str(item["ref"])) for item in payload["agenda"]}
        invited = 0
        for member in await self.members_of_vot(meeting.school_id):
            invited += 1
            agenda = [item for item in payload["agenda"] if self._may_view(member, cases[item["ref"]])]
            await queue_to_member(
                self.uow,
                member,
                key=f"vot:{meeting.uid}:{meeting.sequence}:{member.id}",
                kind="vot_invite",
                payload={**payload, "agenda": agenda},
                now=self.now,
                available=self.channels,
                timezone=self.timezone,
            )
        return invited


def invitation_payload(meeting: VotMeeting, change: str) -> dict[str, Any]:
    return {
        "meeting_id": meeting.id,
        "school_id": meeting.school_id,
        "uid": meeting.uid,
        "sequence": meeting.sequence,
        "change": change,
        "start": meeting.start_at.isoformat(),
        "minutes": meeting.duration_minutes,
        "video": meeting.video_url,
        "agenda": [{"ref": str(a["ref"]), "pupil": a.get("pupil")} for a in meeting.agenda],
    }


def meeting_end(meeting: VotMeeting) -> datetime:
    return meeting.start_at + timedelta(minutes=meeting.duration_minutes)
