"""Notification mails and VOT invitations, received by a real SMTP server on loopback and parsed back:
text, HTML and the .ics (validated with icalendar), in Dutch and in English, without names or free text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from bot.channels.mail import MailSender, MailSettings
from bot.outbox.mail_sender import EmailSender
from bot.services.meetings import MeetingService
from flows.case import Case, Pupil
from flows.clock import FrozenClock
from flows.engine import RouteEngine
from flows.registry import builtin_registry
from storage.repositories.preferences import Preferences
from storage.uow import UnitOfWork
from tests.fakes.smtp import SmtpServer, running_smtp_server
from tests.notifications.support import World, build_world

FROM = "zorgroute@school.test"
MAIL_PREFS = Preferences(channels=("email",), email="lid@school.test", quiet_start=None, quiet_end=None)


def _sender(server: SmtpServer) -> EmailSender:
    settings = MailSettings(server.host, server.port, "none", None, None, FROM)
    return EmailSender(MailSender(settings), FROM)


def _parts(message: object) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in message.walk():  # type: ignore[attr-defined]
        if part.get_content_type() in ("text/plain", "text/html", "text/calendar"):
            out.setdefault(part.get_content_type(), part.get_content())
    return out


@pytest.mark.parametrize(
    ("language", "words"),
    [("nl", ("Bekijk het in de bot", "De zaak is")), ("en", ("See it in the bot", "case"))],
)
async def test_a_notification_mail_in_the_members_language(
    database_url: str, clock: FrozenClock, language: str, words: tuple[str, str]
) -> None:
    world = await build_world(database_url, clock, 2, channel="email", prefs=MAIL_PREFS, language=language)
    with running_smtp_server() as server:
        await world.dispatcher({"email": _sender(server)}, clock).drain()
        received = [mail.parsed() for mail in server.handler.received]
    assert len(received) == 2 and await world.statuses() == {"sent": 2}
    assert sorted(m["Subject"].rsplit(" ", 1)[-1] for m in received) == ["Z-0000", "Z-0001"]
    mail = next(m for m in received if m["Subject"].endswith("Z-0000"))  # sent concurrently: any order
    parts = _parts(mail)
    assert mail["Content-Language"] == language and mail["To"] == "lid@school.test"
    assert "De Regenboog" in mail["Subject"]
    assert words[0] in parts["text/plain"] and "<b>" not in parts["text/plain"]
    assert words[1].lower() in parts["text/plain"].lower()
    assert "<b>Z-0000</b>" in parts["text/html"] and "AB 5b" in parts["text/html"]
    async with UnitOfWork(world.sessionmaker) as uow:
        rows = await uow.outbox.list()
    assert {row.provider_id for row in rows} == {m["Message-ID"] for m in received}  # recorded for resends
    await world.close()


async def _meeting_mails(world: World, server: SmtpServer, clock: FrozenClock) -> list[Calendar]:
    before = len(server.handler.received)
    await world.dispatcher({"email": _sender(server)}, clock).drain()
    calendars = []
    for mail in server.handler.received[before:]:
        parts = _parts(mail.parsed())
        assert "Z-0001 · AB 5b" in parts["text/plain"]  # the agenda: case references and labels only
        calendars.append(Calendar.from_ical(parts["text/calendar"]))
    return calendars


async def test_vot_invitation_update_and_cancellation_carry_one_uid(
    database_url: str, clock: FrozenClock
) -> None:
    world = await build_world(database_url, clock, 3, channel="email", prefs=MAIL_PREFS, language="en")
    route_engine = RouteEngine(builtin_registry())
    start = clock.now() + timedelta(days=3)
    with running_smtp_server() as server:
        async with UnitOfWork(world.sessionmaker) as uow:
            # Clear the queued case rows: this test is about the meeting mails.
            for row in await uow.outbox.list():
                row.status = "sent"
            planner = await uow.members.get(world.member_ids[0])
            assert planner is not None
            # The agenda's case, which every invitee (an IB-er of the school) may see.
            now, school = clock.now(), world.school_id
            case = Case("Z-0001", school, "vlaardingen", 1, "ib_beoordeling", "open", planner.id, now)
            await uow.cases.save(case.with_(pupil=Pupil(None, "AB 5b")), now)
            service = MeetingService(
                uow,
                route_engine,
                now=clock.now(),
                timezone="Europe/Amsterdam",
                channels={"email"},
                video_base="https://meet.jit.si/",
            )
            planned = await service.plan(
                planner, world.school_id, start, 60, [{"ref": "Z-0001", "pupil": "AB 5b"}]
            )
            meeting_id = planned.meeting.id
            await uow.commit()
        invites = await _meeting_mails(world, server, clock)
        async with UnitOfWork(world.sessionmaker) as uow:
            service = MeetingService(
                uow,
                route_engine,
                now=clock.now(),
                timezone="Europe/Amsterdam",
                channels={"email"},
                video_base="https://meet.jit.si/",
            )
            meeting = await uow.meetings.get(meeting_id)
            planner = await uow.members.get(world.member_ids[0])
            assert meeting is not None and planner is not None
            await service.move(planner, meeting, start + timedelta(hours=2))
            await uow.commit()
        updates = await _meeting_mails(world, server, clock)
        async with UnitOfWork(world.sessionmaker) as uow:
            service = MeetingService(
                uow,
                route_engine,
                now=clock.now(),
                timezone="Europe/Amsterdam",
                channels={"email"},
                video_base="https://meet.jit.si/",
            )
            meeting = await uow.meetings.get(meeting_id)
            planner = await uow.members.get(world.member_ids[0])
            assert meeting is not None and planner is not None
            await service.cancel(planner, meeting)
            await uow.commit()
        cancels = await _meeting_mails(world, server, clock)
    assert planned.invited == 3 and len(invites) == len(updates) == len(cancels) == 3
    event = lambda cal: next(c for c in cal.walk() if c.name == "VEVENT")  # noqa: E731
    uids = {str(event(c)["UID"]) for c in invites + updates + cancels}
    assert len(uids) == 1
    assert [(str(c["METHOD"]), int(event(c)["SEQUENCE"])) for c in (invites[0], updates[0], cancels[0])] == [
        ("REQUEST", 0),
        ("REQUEST", 1),
        ("CANCEL", 2),
    ]
    assert str(event(cancels[0])["STATUS"]) == "CANCELLED"
    assert event(updates[0]).decoded("DTSTART") == start + timedelta(hours=2)
    first = event(invites[0])
    assert "Z-0001 (AB 5b)" in str(first["DESCRIPTION"]) and str(first["LOCATION"]).startswith(
        "https://meet.jit.si/zorgroute-"
    )
    assert str(first["SUMMARY"]) == "VOT meeting De Regenboog"
    await world.close()
