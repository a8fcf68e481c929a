"""Invitation details that the mail round-trip test does not pin down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from bot.channels.ics import PRODID, build_invitation

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def invite(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "uid": "meeting-7@zorgroute.example",
        "sequence": 2,
        "method": "REQUEST",
        # 13:00 UTC on 31 March is 15:00 summer time in Amsterdam (DST began on the 30th).
        "start": datetime(2025, 3, 31, 13, 0, tzinfo=UTC),
        "duration": timedelta(minutes=30),
        "summary": "Overleg casus Z-0042",
        "description": "Casus Z-0042, AB gr5",
        "location_url": "https://meet.jit.si/zorgroute-abc",
        "organizer_email": "noreply@zorgroute.example",
        "organizer_name": "Zorgroute",
        "attendees": [("ib@school.example", "IB"), ("wijkteam@gemeente.example", "Wijkteam")],
        "now": NOW,
    }
    arguments.update(overrides)
    return build_invitation(**arguments)


def test_invitation_fields() -> None:
    calendar = Calendar.from_ical(invite())
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    [event] = calendar.events
    start = event.decoded("DTSTART")
    assert (start.hour, start.utcoffset()) == (15, timedelta(hours=2))
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event.decoded("DTEND") - start == timedelta(minutes=30)
    assert event.decoded("DTSTAMP") == NOW
    assert event["SEQUENCE"] == 2
    assert str(event["URL"]) == str(event["LOCATION"]) == "https://meet.jit.si/zorgroute-abc"
    assert str(event["ORGANIZER"]) == "mailto:noreply@zorgroute.example"
    assert [(str(a), a.params["RSVP"]) for a in event.attendees] == [
        ("mailto:ib@school.example", "TRUE"),
        ("mailto:wijkteam@gemeente.example", "TRUE"),
    ]


def test_vtimezone_covers_both_offsets_of_the_meeting_year() -> None:
    [timezone] = Calendar.from_ical(invite()).walk("VTIMEZONE")
    offsets = {sub.decoded("TZOFFSETTO") for sub in timezone.subcomponents}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}


def test_same_input_gives_the_same_bytes() -> None:
    assert invite() == invite()


@pytest.mark.parametrize(
    "overrides",
    [
        {"start": datetime(2025, 3, 31, 13, 0)},
        {"now": datetime(2025, 3, 3, 8, 0)},
        {"sequence": -1},
        {"uid": " "},
        {"duration": timedelta(0)},
        {"method": "PUBLISH"},
        {"attendees": [("not-an-address", "X")]},
    ],
    ids=["naive-start", "naive-now", "sequence", "uid", "duration", "method", "attendee"],
)
def test_invalid_input_is_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        invite(**overrides)
