"""/meldingen and /vot plan as members live them: through the real bot polling the emulator."""

from __future__ import annotations

from datetime import timedelta

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.fakes.smtp import running_smtp_server
from tests.harness import BotHarness


async def test_meldingen_turns_on_email_with_a_checked_address(
    settings: Settings, clock: FrozenClock
) -> None:
    with running_smtp_server() as server:
        mail = {"smtp_host": server.host, "smtp_port": server.port, "smtp_security": "none"}
        settings = settings.model_copy(update={**mail, "mail_from": "bot@school.test"})
        async with BotHarness(settings, clock=clock) as h:
            await h.register(1001, "ib", name="Ineke")
            await h.send(1001, "/meldingen")
            assert "Kanalen: Telegram" in h.last(1001) and "18:00–07:30 en het weekend" in h.last(1001)
            assert "☐ WhatsApp" not in h.buttons(1001)  # not configured, so not offered
            await h.press(1001, "☐ E-mail")
            assert "e-mailadres" in h.last(1001)
            await h.send(1001, "geen adres")
            assert "lijkt geen e-mailadres" in h.last(1001)
            await h.send(1001, "ineke@school.test")
            assert "Kanalen: Telegram, E-mail" in h.last(1001) and "i…@school.test" in h.last(1001)
            await h.press(1001, "🌙 Stille uren wijzigen")
            assert "20:00–07:00" in h.last(1001)
            async with h.uow() as uow:
                member = await h.member(1001)
                assert member is not None
                prefs = await uow.prefs.get(member.id)
            assert prefs.email == "ineke@school.test" and prefs.channels == ("telegram", "email")
            assert (prefs.quiet_start, prefs.quiet_end) == (20 * 60, 7 * 60)


async def test_vot_plan_invites_the_vot_and_the_planner_sees_the_answers(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(1001, "ib", school_id=school, name="Ineke")
        await h.register(1002, "gs", school_id=school, name="Gert")
        await h.register(1003, "leerkracht", school_id=school, name="Juf")
        await h.send(1003, "/vot plan")
        assert "Alleen de intern begeleider" in h.received(1003)[-1]
        await h.send(1001, "/vot plan")
        await h.send(1001, "1-1-2020")
        assert "geen datum" in h.last(1001)
        await h.send(1001, "26-11-2026")
        await h.send(1001, "15:30")
        await h.press(1001, "60 min")
        await h.press(1001, "Alle leerlingen op de VOT-lijst (0)")
        assert "26 nov 2026 15:30" in h.last(1001)
        h.received(1002)
        h.received(1001)
        await h.press(1001, "Versturen")
        confirmation, own_invitation = h.received(1001)
        assert "2 leden" in confirmation and "Uitnodiging" in own_invitation  # the planner is in the VOT too
        invitation = h.received(1002)[-1]
        assert (
            "Uitnodiging VOT-overleg De Regenboog" in invitation
            and "https://meet.jit.si/zorgroute-" in invitation
        )
        assert h.buttons(1002) == ["Ja", "Nee", "Misschien"]
        assert h.received(1003) == []  # the leerkracht is not in the VOT
        await h.press(1002, "Ja")
        assert h.callback_answers(1002)[-1] == "Genoteerd: Ja."
        assert "Gert antwoordt Ja" in h.last(1001)
        await h.send(1001, "/vot")
        assert "ja 1 · nee 0 · misschien 0" in h.last(1001)
        # Cancelling tells everyone; answering afterwards is refused.
        await h.press(1001, "Afzeggen")
        assert "gaat niet door" in h.received(1002)[-1]
        await h.press(1002, "Ja", message_id=h.state.bot_messages(1002)[-2].message_id)
        assert "Dit kan niet" in (h.callback_answers(1002)[-1] or "")


async def test_quiet_hours_hold_a_notification_until_the_morning(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(1001, "ib", school_id=school, name="Ineke")
        await h.register(1002, "gs", school_id=school, name="Gert")
        h.advance(timedelta(hours=10))  # Monday 19:00: quiet
        await h.send(1001, "/vot plan")
        await h.send(1001, "27-11-2026")
        await h.send(1001, "10:00")
        await h.press(1001, "30 min")
        await h.press(1001, "Alle leerlingen op de VOT-lijst (0)")
        await h.press(1001, "Versturen")
        assert h.received(1002) == []
        h.advance(timedelta(hours=12, minutes=30))  # Tuesday 07:30
        assert h.runtime is not None
        await h.runtime.outbox.drain()
        assert "Uitnodiging VOT-overleg" in h.received(1002)[-1]


async def test_a_planner_at_two_schools_picks_one_moves_the_meeting_and_old_buttons_are_stale(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        first, second = await h.add_school("De Regenboog"), await h.add_school("De Windroos")
        await h.register(1001, "ib", school_id=first, name="Ineke")
        await h.register(1001, "directie", school_id=second, name="Ineke")
        await h.register(1002, "gs", school_id=second, name="Gert")
        await h.send(1001, "/vot plan")
        assert h.last(1001) == "Voor welke school?" and h.buttons(1001) == ["De Regenboog", "De Windroos"]
        await h.press(1001, "De Windroos")
        await h.send(1001, "26-11-2026")
        await h.send(1001, "25:00")
        assert "geen tijd" in h.last(1001)
        await h.send(1001, "15:30")
        durations = h.state.last_bot_message(1001).message_id
        await h.press(1001, "45 min")
        await h.press(1001, "Klaar met kiezen")
        await h.press(1001, "Versturen")
        assert "Uitnodiging VOT-overleg De Windroos" in h.received(1002)[-1]
        # A planning button from a finished plan changes nothing.
        h.received(1001)
        await h.press(1001, "60 min", message_id=durations)
        assert h.received(1001) == [
            "Dit kan niet (meer): het overleg bestaat niet, is afgezegd, of je hoort er niet bij."
        ]
        # Moving asks a date and a time only, and tells the VOT.
        await h.send(1001, "/vot")
        await h.press(1001, "Verzetten")
        assert "Op welke datum?" in h.last(1001)
        await h.send(1001, "27-11-2026")
        await h.send(1001, "09:00")
        moved, own_update = h.received(1001)[-2:]  # the planner sits in the VOT too
        assert moved == "Het overleg is verzet; 2 leden krijgen de wijziging." and "verzet" in own_update
        assert "27 nov 2026 09:00" in h.received(1002)[-1]
        # The gs is no planner: a forged move is refused, a forged answer is not a button at all.
        meeting = int(h.state.last_bot_message(1002).buttons[0][0].callback_data.split(":")[1])
        await h.press(1002, data=f"vmv:{meeting}")
        assert "Dit kan niet" in (h.callback_answers(1002)[-1] or "")
        await h.press(1002, data=f"vr:{meeting}:perhaps")
        assert h.callback_answers(1002)[-1] == "Deze knop werkt niet meer."
        # An invitation sent before the typed button data is still answered.
        await h.press(1002, data=f"v:rsvp:{meeting}:yes")
        assert h.callback_answers(1002)[-1] == "Genoteerd: Ja."


def test_vot_and_meldingen_buttons_fit_telegrams_64_bytes() -> None:
    from bot.callbacks_prefs import AddressKind, AskAddressCb, Channel, ChannelCb
    from bot.callbacks_vot import MoveMeetingCb, PlanSchoolCb, Rsvp, RsvpCb

    biggest = 2**63 - 1  # BigInteger ids
    packed = [
        RsvpCb(meeting=biggest, answer=Rsvp.MAYBE).pack(),
        MoveMeetingCb(meeting=biggest).pack(),
        PlanSchoolCb(school=biggest).pack(),
        ChannelCb(channel=Channel.WHATSAPP).pack(),
        AskAddressCb(kind=AddressKind.PHONE).pack(),
    ]
    assert all(len(p.encode()) <= 64 for p in packed)  # pack() itself raises beyond 64 bytes
    assert RsvpCb.unpack(packed[0]).answer is Rsvp.MAYBE
