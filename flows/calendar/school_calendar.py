"""A school's calendar: which local dates are school days, and deadlines counted in them.

Routes promise answers "within 3 school days"; a school closed for the kerstvakantie
must not be chased on 2 January. Every function takes and returns aware datetimes, does
its counting on local dates in the calendar's zone and converts to UTC only at the end,
so "09:00" stays 09:00 local across the DST switches (see `localtime`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.calendar.localtime import (
    local_to_utc,
    local_wall_clock,
    require_aware,
    require_wall_clock,
)
from flows.calendar.public_holidays import DutchPublicHolidays, PublicHolidaySource

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# The longest closure we accept before calling the data broken: a zomervakantie is six
# weeks; a year without a school day means a misconfigured calendar, and we would rather
# raise than loop or hand out a deadline a year away.
_MAX_CLOSED_RUN = 366


@dataclass(frozen=True)
class DateRange:
    """An inclusive run of closed local dates (a school holiday or a study day)."""

    start: date
    end: date
    name: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"date range {self.name!r} ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def overlaps(self, other: DateRange) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class SchoolCalendar:
    """School days for one region (or municipality aliasing a region).

    `coverage` is the span the holiday table describes (its first holiday to its last).
    Outside it only weekends
    and public holidays close a school; callers that care (e.g. to warn an operator that
    next year's data is missing) ask `covers()`. We still compute a deadline rather than
    fail, because a late reminder is better than none.
    """

    region: str
    public_holidays: PublicHolidaySource = field(default_factory=DutchPublicHolidays)
    closed: tuple[DateRange, ...] = ()
    extra_closed: frozenset[date] = frozenset()
    timezone: ZoneInfo = AMSTERDAM
    name: str = ""
    coverage: DateRange | None = None

    # -- which days -------------------------------------------------------------------

    def closed_reason(self, day: date) -> str | None:
        """Why schools are closed on `day` ("weekend", a holiday's name, ...), or None."""
        if day.weekday() >= 5:
            return "weekend"
        holiday = self.public_holidays.holiday_name(day)
        if holiday is not None:
            return holiday
        for closure in self.closed:
            if day in closure:
                return closure.name or "closed"
        if day in self.extra_closed:
            return "closed"
        return None

    def is_school_day(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def covers(self, day: date) -> bool:
        return self.coverage is not None and day in self.coverage

    def next_school_day(self, day: date) -> date:
        """The first school day on or after `day`."""
        for offset in range(_MAX_CLOSED_RUN + 1):
            candidate = day + timedelta(days=offset)
            if self.is_school_day(candidate):
                return candidate
        raise ValueError(f"calendar {self.region!r} has no school day within {_MAX_CLOSED_RUN} days of {day}")

    def school_days_between(self, a: date, b: date) -> int:
        """School days in the half-open span (a, b]; negative when b is before a.

        Half-open so that `school_days_between(d, add_school_days(d, n).date()) == n` for
        n >= 1: the start day itself is never counted, the deadline day always is.
        """
        if b < a:
            return -self.school_days_between(b, a)
        return sum(1 for k in range(1, (b - a).days + 1) if self.is_school_day(a + timedelta(days=k)))

    # -- deadlines --------------------------------------------------------------------

    def add_school_days(self, start: datetime, n: int, *, at: time | None = None) -> datetime:
        """The moment `n` school days after the local date of `start`, at local time `at`.

        `at` defaults to the local wall-clock time of `start`. For n >= 1 the result is on
        the n-th school day strictly after start's local date (Friday + 1 = Monday, also
        when `start` itself is a Saturday). n = 0 means the first school-day moment at
        `at` that is not before `start`: the same day if it is a school day and `at` has
        not passed yet, otherwise the next school day. Returned as aware UTC.
        """
        require_aware(start, "start")
        require_wall_clock(at)
        if n < 0:
            raise ValueError(f"n must be >= 0 school days, got {n}")
        day, wall = local_wall_clock(start, self.timezone)
        at = wall if at is None else at
        if n == 0:
            candidate = self.next_school_day(day)
            result = local_to_utc(candidate, at, self.timezone)
            if result < start:
                result = local_to_utc(self.next_school_day(candidate + timedelta(days=1)), at, self.timezone)
            return result
        for _ in range(n):
            day = self.next_school_day(day + timedelta(days=1))
        return local_to_utc(day, at, self.timezone)

    def add_days(self, start: datetime, n: int, *, at: time | None = None) -> datetime:
        """`n` calendar days after start's local date, at local `at` (default: start's wall clock).

        Unlike `add_school_days(…, 0)`, n = 0 with an earlier `at` may give a moment before
        `start`: plain calendar arithmetic, no "not before start" rule.
        """
        require_aware(start, "start")
        require_wall_clock(at)
        if n < 0:
            raise ValueError(f"n must be >= 0 days, got {n}")
        day, wall = local_wall_clock(start, self.timezone)
        return local_to_utc(day + timedelta(days=n), wall if at is None else at, self.timezone)

    def next_weekly(self, after: datetime, weekday: int, at: time) -> datetime:
        """The next `weekday` (0 = Monday) at local `at` strictly after `after`, as UTC.

        School holidays are deliberately not skipped: a weekly digest goes out every week,
        because cases keep moving (and youth care keeps working) while schools are closed.
        """
        require_aware(after, "after")
        require_wall_clock(at)
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {weekday}")
        day, _ = local_wall_clock(after, self.timezone)
        # Eight candidates: today's slot may already have passed, then it is next week's.
        for offset in range(8):
            candidate_day = day + timedelta(days=offset)
            if candidate_day.weekday() != weekday:
                continue
            candidate = local_to_utc(candidate_day, at, self.timezone)
            if candidate > after:
                return candidate
        raise AssertionError("unreachable: a weekday recurs within eight days")
