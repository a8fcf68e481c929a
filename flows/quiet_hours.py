"""Quiet hours: when a non-urgent notification may reach a member. Pure: times in, time out.

Computed on the wall clock of the school's time zone, so "18:00" stays 18:00 across the DST changes.
A period may wrap midnight (18:00–07:30) or not (12:00–13:00); weekends may be quiet as a whole.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAY = timedelta(days=1)


def quiet_until(
    now: datetime,
    *,
    start: int | None,
    end: int | None,
    weekends: bool,
    timezone: str = "Europe/Amsterdam",
) -> datetime | None:
    """The end of the quiet period `now` falls in (aware UTC), or None when `now` is not quiet.

    `start` and `end` are minutes after local midnight; None (either) means no daily quiet period.
    """
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone).replace(tzinfo=None)  # naive wall time; zone re-applied at the end
    moved = local
    # Each pass either leaves a weekend or a nightly period; a night ending on a Saturday leads into the
    # weekend, which leads into Monday morning's tail of the Sunday night: a few passes settle it.
    for _ in range(6):
        if weekends and moved.weekday() >= 5:
            moved = datetime.combine(moved.date() + (7 - moved.weekday()) * _DAY, time())
            continue
        end_of_night = _night_end(moved, start, end)
        if end_of_night is None:
            break
        moved = end_of_night
    if moved == local:
        return None
    return _wall_to_utc(moved, zone)


def _night_end(local: datetime, start: int | None, end: int | None) -> datetime | None:
    if start is None or end is None or start == end:
        return None
    minute = local.hour * 60 + local.minute
    today_end = datetime.combine(local.date(), _clock(end))
    if start < end:  # a period within one day
        return today_end if start <= minute < end else None
    if minute >= start:  # evening: quiet until tomorrow morning
        return today_end + _DAY
    if minute < end:  # small hours: quiet until this morning
        return today_end
    return None


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    # fold=0 takes the first of an ambiguous hour; a wall time inside the spring gap maps forward.
    aware = wall.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != wall:  # in the gap: the clock jumped past it
        utc = (wall + timedelta(hours=1)).replace(tzinfo=zone).astimezone(UTC)
    return utc
