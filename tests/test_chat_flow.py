"""The chat as a teacher and an IB-er live it (issue 15): an answered question keeps its answer, a step
is one message that is edited as it goes, ticked boxes read as boxes, and a confirmed summary keeps no
buttons. Through the real bot and the Bot API emulator."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness

JUF, IB = 41, 42


async def test_a_step_is_one_message_that_keeps_each_answer(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(JUF, "leerkracht")
        await h.send(JUF, "/signaal")
        await h.send(JUF, "AB 5b")
        count = len(h.state.bot_messages(JUF))

        await h.press(JUF, "Zorg (thuis)")
        await h.press(JUF, "☐ Gedrag")
        await h.press(JUF, "☐ Thuissituatie")
        assert {"☑ Gedrag", "☑ Thuissituatie", "☐ Leerresultaten"} <= set(h.buttons(JUF))
        await h.press(JUF, "Klaar")
        # Every press edited the question it was made on: no new message, the answers on it.
        assert len(h.state.bot_messages(JUF)) == count
        step = h.last(JUF)
        assert "— <b>Zorg (thuis)</b>" in step
        assert "— <b>☑ Gedrag, ☑ Thuissituatie</b>" in step
        assert "toelichten" in step  # and the next question below them

        await h.press(JUF, "Overslaan")
        await h.press(JUF, "Nee")
        assert "Klopt dit?" in h.last(JUF)
        summary = h.state.last_bot_message(JUF).message_id
        await h.press(JUF, "Bevestigen")
        confirmed = next(m for m in h.state.bot_messages(JUF) if m.message_id == summary)
        assert confirmed.buttons == []  # no second Bevestigen / Annuleren
        assert "— <b>☑ Gedrag, ☑ Thuissituatie</b>" in confirmed.text
        assert "Vastgelegd" in h.last(JUF)


async def _signal(h: BotHarness) -> int:
    """The teacher's signal, counting her taps and typed answers."""
    actions = 0
    for kind, what in (
        ("send", "/signaal"),
        ("send", "AB 5b"),
        ("press", "Zorg (thuis)"),
        ("press", "☐ Gedrag"),
        ("press", "Klaar"),
        ("press", "Overslaan"),
        ("press", "Nee"),
        ("press", "Bevestigen"),
    ):
        await (h.send(JUF, what) if kind == "send" else h.press(JUF, what))
        actions += 1
    return actions


async def test_one_tap_from_the_notification_and_the_next_own_step_follows_at_once(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(JUF, "leerkracht", school_id=school)
        await h.register(IB, "ib", school_id=school)
        assert await _signal(h) == 8
        # The IB-er's notification opens the step itself.
        assert h.buttons(IB) == ["Bekijken", "Oppakken"]
        await h.press(IB, "Oppakken")
        assert "Ondersteuning van buiten de school (VOT)" in h.buttons(IB)
        await h.press(IB, "Ondersteuning van buiten de school (VOT)")
        # The consent step is the IB-er's too: its first question is there, no /mijn, no Oppakken.
        assert "Telefoon" in h.buttons(IB)
        # The teacher hears that her signal was picked up: the ref and label, nothing of the answers.
        update = h.last(JUF)
        assert "Je signaal is opgepakt." in update and "Z-0001" in update
        assert "VOT" not in update and h.buttons(JUF) == ["Bekijken"]
        taps = 2
        for button in ("Telefoon", "Ja, toestemming gegeven", "Vandaag", "Bevestigen"):
            await h.press(IB, button)
            taps += 1
        async with h.uow() as uow:
            [case] = await uow.cases.all()
        assert case.consent_given
        assert taps == 6  # before: Bekijken, Oppakken, VOT, /mijn, the case, Oppakken, then the same four


async def test_the_receipt_says_who_was_told_and_when(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(JUF, "leerkracht", school_id=school)
        await h.register(IB, "ib", school_id=school)
        await _signal(h)
        assert "Doorgegeven aan: intern begeleider." in h.last(JUF)
        # /mijn shows her signal and where it is, not only what waits for her (nothing).
        h.received(JUF)
        await h.send(JUF, "/mijn")
        assert h.received(JUF)[-1].startswith("Mijn signalen (1)")
        assert h.buttons(JUF) == ["Z-0001 · AB 5b — Beoordeling door de intern begeleider"]


async def test_a_signal_in_quiet_hours_says_when_it_arrives(settings: Settings) -> None:
    late = FrozenClock(datetime(2026, 11, 23, 22, 21, tzinfo=UTC))  # 23:21 in Amsterdam, a Monday
    async with BotHarness(settings, clock=late) as h:
        school = await h.add_school()
        await h.register(JUF, "leerkracht", school_id=school)
        await h.register(IB, "ib", school_id=school)
        await _signal(h)
        assert "De intern begeleider hoort het morgen om 07:30 (stille uren)." in h.last(JUF)


async def test_an_action_that_alerts_others_asks_first_and_one_that_no_longer_applies_is_not_offered(
    settings: Settings, clock: FrozenClock
) -> None:
    directie = 43
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(JUF, "leerkracht", school_id=school)
        await h.register(IB, "ib", school_id=school)
        await h.register(directie, "directie", school_id=school)
        await _signal(h)
        h.received(directie)

        await h.send(IB, "/zaak Z-0001")
        await h.press(IB, "Gezin reageert niet")
        assert h.last(IB).startswith("Weet je het zeker? Dit stuurt een melding naar: intern begeleider")
        assert "directie" in h.last(IB)
        await h.press(IB, "Nee")
        assert h.callback_answers(IB)[-1] == "Niets verstuurd."
        assert h.received(directie) == []
        async with h.uow() as uow:
            [case] = await uow.cases.all()
        assert "non_responsive" not in case.flags

        await h.send(IB, "/zaak Z-0001")
        await h.press(IB, "Gezin reageert niet")
        await h.press(IB, "Ja, versturen")
        assert any("reageert niet" in m for m in h.received(directie))
        # Done once, not offered again; the safety concern still is.
        await h.send(IB, "/zaak Z-0001")
        assert "Gezin reageert niet" not in h.buttons(IB)
        assert "Zorg over veiligheid thuis" in h.buttons(IB)


async def test_an_answer_can_be_changed_from_the_summary(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(JUF, "leerkracht")
        for text in ("/signaal", "AB 5b"):
            await h.send(JUF, text)
        for button in ("Zorg (thuis)", "☐ Gedrag", "Klaar", "Overslaan", "Nee"):
            await h.press(JUF, button)
        [change] = [b for b in h.buttons(JUF) if b == "✏️ Gebied"]
        await h.press(JUF, change)
        await h.press(JUF, "Allebei")
        # Back at the summary (the same message), the new answer in it, the others as they were.
        assert "Klopt dit?" in h.last(JUF) and "Allebei" in h.last(JUF) and "Gedrag" in h.last(JUF)
        await h.press(JUF, "Bevestigen")
        async with h.uow() as uow:
            [case] = await uow.cases.all()
        assert case.data["signaal"]["area"] == "beide"
        assert case.data["signaal"]["observations"] == ["gedrag"]
