"""iCalendar (RFC 5545/5546) meeting invitations and cancellations.

``summary`` and ``description`` come from the caller, already translated, and must never
contain a pupil's name or free text: calendars sync to phones and third-party servers.
Use the case reference and the pupil label ("AB gr5") at most.

``uid`` must stay the same for every update and the cancellation of one meeting (for example
``"<meeting id>@zorgroute"``); ``sequence`` must rise with every change, or calendar clients
ignore the update.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

PRODID = "-//Zorgroute//Zorgroute bot//NL"

Method = Literal["REQUEST", "CANCEL"]


def build_invitation(
    *,
    uid: str,
    sequence: int,
    method: Method,
    start: datetime,
    duration: timedelta,
    summary: str,
    description: str,
    location_url: str,
    organizer_email: str,
    organizer_name: str,
    attendees: list[tuple[str, str]],
    timezone: str = "Europe/Amsterdam",
    now: datetime,
) -> bytes:
    """The ``.ics`` bytes of one VEVENT with METHOD REQUEST (invite/update) or CANCEL."""
    _check(uid=uid, sequence=sequence, method=method, start=start, duration=duration, now=now)
    zone = ZoneInfo(timezone)
    local_start = start.astimezone(zone)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(_vtimezone(timezone, local_start))

    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", local_start)
    # DTEND rather than DURATION: some Outlook versions mishandle DURATION in invitations.
    event.add("dtend", (local_start + duration).astimezone(zone))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", location_url)
    event.add("url", location_url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organizer_email, organizer_name))
    for email, name in attendees:
        attendee = _address(email, name)
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        attendee.params["RSVP"] = "TRUE"
        attendee.params["CUTYPE"] = "INDIVIDUAL"
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()  # icalendar's annotation here is too loose for --strict
    return ical


def _vtimezone(tzid: str, around: datetime) -> Timezone:
    # Only the transitions near the meeting: the full history makes every invite kilobytes
    # larger and slow to build, and clients only need the rules that apply to the event.
    first = around.date().replace(month=1, day=1) - timedelta(days=366)
    last = around.date().replace(month=12, day=31) + timedelta(days=366)
    return Timezone.from_tzid(tzid, first_date=first, last_date=last)


def _address(email: str, name: str) -> vCalAddress:
    if "@" not in email or any(c in email for c in " \r\n:;<>"):
        raise ValueError("invalid calendar e-mail address")
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    return address


def _check(
    *,
    uid: str,
    sequence: int,
    method: str,
    start: datetime,
    duration: timedelta,
    now: datetime,
) -> None:
    if not uid.strip():
        raise ValueError("uid must not be empty")
    if sequence < 0:
        raise ValueError("sequence must be >= 0")
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError("method must be REQUEST or CANCEL")
    if start.tzinfo is None or now.tzinfo is None:
        raise ValueError("start and now must be timezone-aware")
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
