"""From the engine's `ScheduleFollowUp` (a duration or a local date) to a moment in UTC, on the school's
holiday calendar. Dates and times are local (Europe/Amsterdam) and stay so across DST."""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flows.calendar import (
    CalendarFileError,
    Duration,
    DurationUnit,
    SchoolCalendar,
    due_at,
    load_calendar,
    parse_duration,
)
from flows.calendar.localtime import local_to_utc
from flows.events import ScheduleFollowUp

log = logging.getLogger(__name__)

# A date without a time (the plan's evaluation day) reminds at the start of the school day.
DEFAULT_AT = time(9, 0)
SNOOZE = Duration(2, DurationUnit.SCHOOL_DAYS)


def school_calendar(region: str | None, timezone: str) -> SchoolCalendar:
    """The school's holiday calendar; without one, weekends and public holidays still count."""
    if region:
        try:
            return load_calendar(region, timezone=timezone)
        except CalendarFileError:
            # A late reminder beats none: count without school holidays, and say so.
            log.warning(
                "no school calendar for region %r: counting weekends and public holidays only", region
            )
    return SchoolCalendar(region=region or "nl", timezone=ZoneInfo(timezone))


def parse_at(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def resolve_due(calendar: SchoolCalendar, event: ScheduleFollowUp, now: datetime) -> datetime:
    """When `event`'s follow-up falls due, as aware UTC."""
    at = parse_at(event.at)
    if event.on is not None:
        # A date someone chose: if the school is closed that day, the next school day.
        day = calendar.next_school_day(date.fromisoformat(event.on))
        return local_to_utc(day, at or DEFAULT_AT, calendar.timezone)
    if event.after is None:
        raise ValueError(f"follow-up {event.follow_up} has neither a duration nor a date")
    return due_at(calendar, now, parse_duration(event.after), at=at)


def snoozed_until(calendar: SchoolCalendar, now: datetime) -> datetime:
    """ "2 dagen uitstellen": two school days from now, at the same local time."""
    return due_at(calendar, now, SNOOZE)
