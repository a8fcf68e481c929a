"""The Vlaardingen route end to end: real members registered through invite links, the real bot long-
polling the emulator, on SQLite and PostgreSQL. The golden transcripts pin every reply; these tests
prove the same path works as deployed (invites, polling, the outbox after commit)."""

from __future__ import annotations

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness

JUF, IB, SWV, GS, DIRECTIE = 501, 502, 503, 504, 505


async def _school_with_team(h: BotHarness) -> int:
    school = await h.add_school()
    for user_id, role in ((JUF, "leerkracht"), (IB, "ib"), (SWV, "swv"), (GS, "gs"), (DIRECTIE, "directie")):
        code = await h.invite(school, role)
        await h.send(user_id, f"/start {code}")
    return school


async def _signal(h: BotHarness, *, safety: str) -> None:
    await h.send(JUF, "/signaal")
    await h.send(JUF, "ab 5B")  # initials are capitalised, the group kept as typed (3V is not 3v)
    await h.press(JUF, "Zorg (thuis)")
    await h.press(JUF, "☐ Thuissituatie")
    await h.press(JUF, "Klaar")
    await h.press(JUF, "Overslaan")
    await h.press(JUF, safety)
    await h.press(JUF, "Bevestigen")


async def test_happy_path_reaches_the_vot_list_and_the_gs(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await _school_with_team(h)
        h.received(IB), h.received(SWV), h.received(GS), h.received(DIRECTIE)
        await _signal(h, safety="Nee")
        assert "Vastgelegd: Signaal van de leerkracht" in h.last(JUF)
        assert "Nieuw signaal van een leerkracht" in h.last(IB)
        assert h.received(SWV) == [] and h.received(DIRECTIE) == []

        await h.press(IB, "Bekijken")
        await h.press(IB, "Oppakken: Beoordeling door de intern begeleider")
        await h.press(IB, "Ondersteuning van buiten de school (VOT)")
        await h.send(IB, "/mijn")
        await h.press(IB, h.buttons(IB)[0])
        await h.press(IB, "Oppakken: Toestemming ouders voor het VOT")
        await h.press(IB, "Telefoon")
        await h.press(IB, "Ja, toestemming gegeven")
        await h.send(IB, "23-11-2026")
        await h.press(IB, "Bevestigen")
        assert "op de VOT-lijst" in h.last(SWV)

        await h.send(SWV, "/lijst")
        assert "AB 5B" in h.buttons(SWV)[0]
        await h.press(SWV, h.buttons(SWV)[0])
        await h.press(SWV, "Oppakken: Op de VOT-lijst (onderwijsspecialist SWV)")
        await h.press(SWV, "Overslaan")
        await h.press(SWV, "Bevestigen")
        assert "check bij het wijkteam" in h.last(GS)

        async with h.uow() as uow:
            case = await uow.cases.get("Z-0001")
        assert case is not None and case.step == "gs_check" and case.consent_given
        # Notifications carry no free text and no names: only ref, school, label, what happened.
        assert all("Komt" not in text for text in h.received(GS, all=True))


async def test_safety_route_is_first_priority_without_consent(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await _school_with_team(h)
        for user_id in (IB, GS, DIRECTIE):
            h.received(user_id)
        await _signal(h, safety="Ja")
        assert "Meldcode" in h.received(JUF)[-2]
        for user_id in (IB, GS, DIRECTIE):
            assert h.last(user_id).startswith("❗") and "EERSTE PRIORITEIT" in h.last(user_id)

        await h.press(IB, "Bekijken")
        await h.press(IB, "Oppakken: Beoordeling door de intern begeleider")
        await h.press(IB, "Ondersteuning van buiten de school (VOT)")
        # Straight onto the VOT list: the SWV-er hears of it, no consent step in between.
        assert "op de VOT-lijst" in h.last(SWV)
        async with h.uow() as uow:
            case = await uow.cases.get("Z-0001")
        assert case is not None and case.step == "vot_lijst" and case.consent is None
        assert case.priority == "first" and "safety" in case.flags
