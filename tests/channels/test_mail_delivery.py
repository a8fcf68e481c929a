"""Mail built by us, sent through a real SMTP server, parsed back like a receiving client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.channels.ics import build_invitation
from bot.channels.mail import MailSender, MailSettings, build_message
from tests.channels.mail_strings import DUTCH, ENGLISH, MailStrings
from tests.fakes.smtp import SmtpServer

pytestmark = pytest.mark.asyncio

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
MEETING_START = datetime(2025, 3, 10, 14, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
MEETING_URL = "https://meet.jit.si/zorgroute-abc"


def settings_for(server: SmtpServer) -> MailSettings:
    return MailSettings(
        host=server.host,
        port=server.port,
        security="none",
        username=None,
        password=None,
        from_address="noreply@zorgroute.example",
    )


def invitation(strings: MailStrings, method: str, sequence: int) -> bytes:
    assert method in ("REQUEST", "CANCEL")
    return build_invitation(
        uid="meeting-7@zorgroute.example",
        sequence=sequence,
        method="REQUEST" if method == "REQUEST" else "CANCEL",
        start=MEETING_START,
        duration=timedelta(minutes=45),
        summary=strings.summary,
        description=strings.description,
        location_url=MEETING_URL,
        organizer_email="noreply@zorgroute.example",
        organizer_name="Zorgroute",
        attendees=[("ib@school.example", "Intern begeleider")],
        now=NOW,
    )


def mail(strings: MailStrings, *, key: str = "outbox-1", **calendar: object) -> EmailMessage:
    return build_message(
        to="ib@school.example",
        subject=strings.subject,
        text=strings.text,
        html=strings.html,
        message_id_domain="zorgroute.example",
        idempotency_key=key,
        language=strings.language,
        now=NOW,
        **calendar,  # type: ignore[arg-type]
    )


def part(message: EmailMessage, content_type: str) -> EmailMessage:
    found = [p for p in message.walk() if p.get_content_type() == content_type]
    assert len(found) == 1, f"expected one {content_type} part, found {len(found)}"
    found_part = found[0]
    assert isinstance(found_part, EmailMessage)
    return found_part


@pytest.mark.parametrize("strings", [DUTCH, ENGLISH], ids=["nl", "en"])
async def test_plain_notification_arrives_intact(smtp_server: SmtpServer, strings: MailStrings) -> None:
    message_id = await MailSender(settings_for(smtp_server)).send(mail(strings))

    [received] = smtp_server.handler.received
    assert received.mail_from == "noreply@zorgroute.example"
    assert received.rcpt_tos == ("ib@school.example",)
    parsed = received.parsed()
    assert parsed["Message-ID"] == message_id
    assert parsed["Subject"] == strings.subject
    assert parsed["Content-Language"] == strings.language
    assert parsed["From"] == "Zorgroute <noreply@zorgroute.example>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    assert part(parsed, "text/plain").get_content().rstrip("\n") == strings.text
    assert part(parsed, "text/html").get_content().rstrip("\n") == strings.html


@pytest.mark.parametrize("strings", [DUTCH, ENGLISH], ids=["nl", "en"])
async def test_invitation_is_recognisable_and_valid(smtp_server: SmtpServer, strings: MailStrings) -> None:
    ics = invitation(strings, "REQUEST", sequence=0)
    await MailSender(settings_for(smtp_server)).send(mail(strings, calendar=ics, calendar_method="REQUEST"))

    parsed = smtp_server.handler.received[0].parsed()
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed["Content-Language"] == strings.language
    inline = part(parsed, "text/calendar")
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_content_charset() == "utf-8"
    attachment = part(parsed, "application/ics")
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == ics

    calendar = Calendar.from_ical(inline.get_content())
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "meeting-7@zorgroute.example"
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]) == strings.summary
    assert str(event["DESCRIPTION"]) == strings.description
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event.decoded("DTSTART") == MEETING_START
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ib@school.example"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]


async def test_cancellation_keeps_uid_and_says_cancelled(smtp_server: SmtpServer) -> None:
    ics = invitation(DUTCH, "CANCEL", sequence=1)
    await MailSender(settings_for(smtp_server)).send(mail(DUTCH, calendar=ics, calendar_method="CANCEL"))

    inline = part(smtp_server.handler.received[0].parsed(), "text/calendar")
    assert inline.get_param("method") == "CANCEL"
    calendar = Calendar.from_ical(inline.get_content())
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "meeting-7@zorgroute.example"
    assert event["SEQUENCE"] == 1
    assert str(event["STATUS"]) == "CANCELLED"


async def test_resend_after_crash_carries_the_same_message_id(smtp_server: SmtpServer) -> None:
    sender = MailSender(settings_for(smtp_server))
    first = await sender.send(mail(DUTCH, key="outbox-9"))
    again = await sender.send(mail(DUTCH, key="outbox-9"))
    other = await sender.send(mail(DUTCH, key="outbox-10"))

    assert first == again != other
    received_ids = [r.parsed()["Message-ID"] for r in smtp_server.handler.received]
    assert received_ids == [first, first, other]
    assert "outbox-9" not in first  # the key itself is not disclosed
