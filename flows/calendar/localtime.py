"""Local wall-clock <-> UTC conversion with one documented rule for DST edges.

Deadlines are agreed in local terms ("Tuesday at 09:00"), so all arithmetic is done
on local dates and only the final moment is turned into UTC.

DST edges (Europe/Amsterdam switches on Sundays at 02:00/03:00):
- a *nonexistent* local time (02:30 on the last Sunday of March) is interpreted
  with the offset in force before the jump, which lands it as far forward as the
  gap is long: 02:30 becomes 03:30 CEST;
- an *ambiguous* local time (02:30 on the last Sunday of October) takes the first
  occurrence (``fold=0``, still summer time), the earlier of the two instants.
Both follow PEP 495 with ``fold=0``; we state them so nobody has to look it up.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def require_aware(moment: datetime, what: str) -> None:
    # A naive datetime would silently be read as the server's local time.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got naive {moment!r}")


def require_wall_clock(at: time | None) -> None:
    # `at` is a local wall-clock time in the calendar's zone; an offset on it would
    # contradict that zone, so refuse it rather than guess which one wins.
    if at is not None and at.tzinfo is not None:
        raise ValueError(f"`at` is a local wall-clock time and must not carry a tzinfo: {at!r}")


def local_wall_clock(moment: datetime, zone: ZoneInfo) -> tuple[date, time]:
    """The local date and the local wall-clock time (without tzinfo or fold) of `moment`."""
    local = moment.astimezone(zone)
    return local.date(), local.time().replace(fold=0)


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`day` at wall-clock `at` in `zone`, as an aware UTC datetime (fold=0 rule above)."""
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0)).replace(tzinfo=zone, fold=0)
    return wall.astimezone(UTC)
