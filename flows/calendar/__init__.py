"""School calendars: school days, DST-correct deadlines and route durations.

Pure domain code: it reads only its own packaged YAML (``flows/calendars``) and never
touches the clock; every function takes the moment it works from.
"""

from __future__ import annotations

from flows.calendar.duration import Duration, DurationUnit, due_at, parse_duration
from flows.calendar.loader import CalendarFileError, available_regions, load_calendar
from flows.calendar.public_holidays import DutchPublicHolidays, LiberationDay, PublicHolidaySource
from flows.calendar.school_calendar import AMSTERDAM, DateRange, SchoolCalendar

__all__ = [
    "AMSTERDAM",
    "CalendarFileError",
    "DateRange",
    "Duration",
    "DurationUnit",
    "DutchPublicHolidays",
    "LiberationDay",
    "PublicHolidaySource",
    "SchoolCalendar",
    "available_regions",
    "due_at",
    "load_calendar",
    "parse_duration",
]
