"""The engine's follow-up events → follow_up rows, in the case's unit of work (CaseService._persist).

Cancel and schedule run in the order the engine emitted them: re-entering a step cancels its old
deadlines before the new ones are written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.follow_ups.calendars import resolve_due, school_calendar
from flows import events as ev
from flows.calendar import SchoolCalendar
from flows.case import Case
from flows.route import Route
from storage.uow import UnitOfWork


async def calendar_of(uow: UnitOfWork, route: Route, case: Case) -> SchoolCalendar:
    school = await uow.schools.get(case.school_id)
    region = school.calendar_region if school is not None and school.calendar_region else route.region
    return school_calendar(region, case.timezone)


async def record_follow_ups(
    uow: UnitOfWork, route: Route, case: Case, events: Iterable[ev.Event], *, now: datetime
) -> None:
    assert case.id is not None, "a case is saved before its follow-ups"
    calendar: SchoolCalendar | None = None
    for event in events:
        if isinstance(event, ev.CancelFollowUps):
            await uow.follow_ups.cancel_for_step(case.id, event.step)
        elif isinstance(event, ev.ScheduleFollowUp):
            calendar = calendar or await calendar_of(uow, route, case)
            await uow.follow_ups.schedule(
                case_id=case.id,
                step=event.step,
                follow_up=event.follow_up,
                due_at=resolve_due(calendar, event, now),
                now=now,
            )
