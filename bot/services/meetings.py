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
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.channels.video import meeting_link
from bot.services.actors import actor_at, schools_of
from bot.services.notify import queue_to_member
from bot.services.reads import Seen
from bot.services.school_routes import DEFAULT_ROUTE, route_of
from flows import policy
from flows.case import Case
from flows.engine import RouteEngine
from flows.policy import can_plan_vot
from storage.models import Member, VotMeeting
from storage.uow import UnitOfWork

DURATIONS = (30, 45, 60, 90)


def parse_date(text: str, today: date) -> date | None:
    """ "30-11-2026", "30-11" (this year, or next if passed) or "2026-11-30"; not in the past."""
    parts = text.strip().replace("/", "-").split("-")
    try:
        if len(parts[0]) == 4:
            given = date(int(parts[0]), int(parts[1]), int(parts[2]))
        elif len(parts) == 3:
            given = date(int(parts[2]), int(parts[1]), int(parts[0]))
        else:
            given = date(today.year, int(parts[1]), int(parts[0]))
            if given < today:
                given = given.replace(year=today.year + 1)
    except (ValueError, IndexError):
        return None
    return given if given >= today else None


def parse_time(text: str) -> time | None:
    """ "15:30" or "15.30"."""
    try:
        hours, minutes = text.strip().replace(".", ":").split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


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
        """The schools where `member` plans the VOT (flows/policy.can_plan_vot)."""
        return [sid for sid in schools_of(member) if can_plan_vot(actor_at(member, sid))]

    def day_from(self, text: str) -> date | None:
        """The meeting day a planner typed, on the school's wall clock; None if unreadable or past."""
        return parse_date(text, self.now.astimezone(ZoneInfo(self.timezone)).date())

    def start_from(self, day: date, text: str) -> datetime | None:
        """The meeting's start from its day and a typed time; None if unreadable or not in the future."""
        at = parse_time(text)
        if at is None:
            return None
        start = datetime.combine(day, at, ZoneInfo(self.timezone))
        return start if start > self.now else None

    async def upcoming(self, member: Member) -> list[tuple[VotMeeting, dict[str, int]]]:
        """The planned meetings at the member's schools that have not started, with their answer counts."""
        meetings = await self.uow.meetings.upcoming(schools_of(member), self.now)
        return [(m, await self.uow.meetings.tally(m.id)) for m in meetings]

    async def school_names(self, school_ids: Sequence[int]) -> list[tuple[int, str]]:
        """(id, name) of the schools a planner picks from."""
        return [(sid, s.name) for sid in school_ids if (s := await self.uow.schools.get(sid)) is not None]

    async def manageable(self, member: Member, meeting_id: int) -> VotMeeting | None:
        """The planned meeting `member` may move or cancel, or None (gone, held, or not theirs to plan)."""
        meeting = await self.uow.meetings.get(meeting_id)
        if meeting is None or meeting.status != "planned":
            return None
        return meeting if meeting.school_id in self.planning_schools(member) else None

    @staticmethod
    def agenda(candidates: Sequence[Seen], refs: Sequence[str]) -> list[dict[str, Any]]:
        """The agenda items (case reference, pupil label) of the picked cases still on the VOT list, in
        the order they were picked."""
        labels = {s.case.ref: (s.case.pupil.label if s.case.pupil else None) for s in candidates}
        return [{"ref": ref, "pupil": labels[ref]} for ref in refs if ref in labels]

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
