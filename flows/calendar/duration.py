"""Durations as route files write them, and the deadline they give on a calendar.

Route authors write Dutch or English ("3 schooldagen", "2 days", "48 hours", "5sd").
School days and calendar days land on a local wall-clock time (see `SchoolCalendar`);
hours are elapsed time, so "48 hours" across a DST switch is 48 real hours.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flows.calendar.localtime import require_aware
from flows.calendar.school_calendar import SchoolCalendar


class DurationUnit(enum.Enum):
    SCHOOL_DAYS = "school_days"
    DAYS = "days"
    HOURS = "hours"


# Upper bounds per unit: a route deadline of more than a school year is a typo (a missing
# space in "3 0sd" or a stray digit), and the day-by-day search should not run for it.
_MAX_AMOUNT = {DurationUnit.SCHOOL_DAYS: 200, DurationUnit.DAYS: 366, DurationUnit.HOURS: 24 * 366}

_UNIT_WORDS = {
    DurationUnit.SCHOOL_DAYS: (
        "school days",
        "school day",
        "schooldays",
        "schoolday",
        "schooldagen",
        "schooldag",
        "sd",
    ),
    DurationUnit.DAYS: ("days", "day", "dagen", "dag", "d"),
    DurationUnit.HOURS: ("hours", "hour", "uren", "uur", "h", "u"),
}
_UNITS = {" ".join(word.split()): unit for unit, words in _UNIT_WORDS.items() for word in words}
_PATTERN = re.compile(r"^\s*(?P<amount>\d+)\s*(?P<unit>[a-z][a-z ]*?)\s*$")


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: DurationUnit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"a duration cannot be negative, got {self.amount}")


def parse_duration(text: str) -> Duration:
    """Parse "3 school days", "3 schooldagen", "2 days", "2 dagen", "48 hours", "3d", "5sd"."""
    if not isinstance(text, str):
        raise ValueError(f"a duration must be text like '3 school days', got {text!r}")
    # Collapse runs of spaces so "3  school   days" reads like "3 school days".
    match = _PATTERN.match(" ".join(text.lower().split()))
    if match is None:
        raise ValueError(
            f"cannot read duration {text!r}: write a whole number and a unit, "
            "e.g. '3 school days', '3 schooldagen', '2 days', '48 hours', '5sd'"
        )
    unit = _UNITS.get(match["unit"])
    if unit is None:
        raise ValueError(
            f"unknown unit {match['unit']!r} in duration {text!r}: use one of {', '.join(sorted(_UNITS))}"
        )
    amount = int(match["amount"])
    if amount > _MAX_AMOUNT[unit]:
        raise ValueError(f"duration {text!r} is longer than {_MAX_AMOUNT[unit]} {unit.value}; is it a typo?")
    return Duration(amount, unit)


def due_at(calendar: SchoolCalendar, start: datetime, duration: Duration, at: time | None = None) -> datetime:
    """The deadline `duration` after `start` on `calendar`, as aware UTC.

    `at` (a local wall-clock time) applies to school days and days; an hours duration is
    elapsed time and has no wall-clock time to land on, so `at` is refused there.
    """
    require_aware(start, "start")
    if duration.unit is DurationUnit.SCHOOL_DAYS:
        return calendar.add_school_days(start, duration.amount, at=at)
    if duration.unit is DurationUnit.DAYS:
        return calendar.add_days(start, duration.amount, at=at)
    if at is not None:
        raise ValueError("`at` does not apply to a duration in hours (it is elapsed time)")
    # Add in UTC: adding to a zoned datetime would be wall-clock arithmetic and gain or
    # lose the DST hour.
    return start.astimezone(UTC) + timedelta(hours=duration.amount)
