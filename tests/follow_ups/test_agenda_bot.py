"""/agenda and the digest through the real bot and the emulator."""

from __future__ import annotations

from datetime import timedelta

from bot.services.cases import CaseService
from bot.settings import Settings
from flows import inputs as inp
from flows.clock import FrozenClock
from tests.follow_ups.support import SIGNAL
from tests.harness import BotHarness

TEACHER, IB, DIRECTIE = 3001, 3002, 3003


async def _case_at_consent(h: BotHarness, school_id: int) -> str:
    assert h.runtime is not None
    runtime = h.runtime

    async def act(user: int, ref: str | None, given: inp.Input | None) -> str:
        member = await h.member(user)
        assert member is not None
        async with h.uow() as uow:
            member = await uow.members.get(member.id)
            assert member is not None
            service = CaseService(uow, runtime.route_engine, h.clock, h.ids, "Europe/Amsterdam")
            if ref is None:
                outcome = await service.start(member, school_id, "vlaardingen")
            else:
                assert given is not None
                outcome = await service.advance(member, ref, given)
            assert outcome.case is not None and not outcome.refused, outcome.events
            await uow.commit()
            return outcome.case.ref

    ref = await act(TEACHER, None, None)
    for given in SIGNAL:
        await act(TEACHER, ref, given)
    await act(IB, ref, inp.Open("ib_beoordeling"))
    await act(IB, ref, inp.Choose("ib_beoordeling", "decision", "extern"))
    await runtime.outbox.drain()  # the new-signal notice arrives now, not after the next reply
    return ref


async def test_agenda_lists_my_deadlines_in_dutch_and_the_digest_arrives(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        await h.register(IB, "ib", school_id=school)
        await h.register(DIRECTIE, "directie", school_id=school)
        ref = await _case_at_consent(h, school)

        await h.send(IB, "/agenda")
        agenda = h.last(IB)
        assert "Jouw agenda</b> (2 open)" in agenda
        assert f"26 nov 2026 09:00 — {ref} · AB 5b: Herinnering: de toestemming" in agenda
        assert "30 nov 2026 09:00" in agenda
        async with h.uow() as uow:  # the agenda shows refs, labels and steps: a read, on the trail
            listed = [e for e in await uow.audit.for_case([ref]) if e.via == "/agenda"]
        assert [(e.action, e.member_id, e.pupil_label) for e in listed] == [("list", 2, "AB 5b")]
        await h.send(TEACHER, "/agenda")
        assert h.last(TEACHER) == "Je hebt geen openstaande termijnen."

        h.advance(timedelta(days=3))
        assert h.runtime is not None
        assert await h.runtime.follow_ups_due() == 1
        await h.runtime.outbox.drain()
        assert "Herinnering" in h.last(IB)
        assert h.buttons(IB) == ["Bekijken", "Oppakken", "2 dagen uitstellen"]
        await h.send(IB, "/agenda")
        assert f"⏰ verlopen sinds 26 nov 2026 09:00 — {ref}" in h.last(IB)

        assert h.runtime.digests is not None
        assert await h.runtime.digests.send(school) == 2
        await h.runtime.outbox.drain()
        digest = h.last(DIRECTIE)
        assert "Weekoverzicht VOT" in digest and "Toestemming ouders nog open</b>: 1" in digest
        assert f"• {ref} · AB 5b" in digest
        assert h.buttons(DIRECTIE) == [ref]
