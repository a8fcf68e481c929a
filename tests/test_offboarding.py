"""A member who leaves loses access at once; their work falls back to the role; the IB-er is told."""

from __future__ import annotations

from bot.services.audit import CLI, AuditTrail
from bot.services.offboarding import remove_member
from bot.settings import Settings
from flows.case import Consent
from flows.clock import FrozenClock
from tests.harness import BotHarness
from tests.privacy_helpers import signal
from tests.test_strangers import REFUSAL

TEACHER, IB, GS, LEAVER = 1, 2, 3, 4


async def test_member_remove_revokes_access_and_reassigns_to_the_role(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        await h.register(IB, "ib", school_id=school)
        await h.register(GS, "gs", school_id=school)
        await h.register(LEAVER, "gs", "leerkracht", school_id=school)
        ref = await signal(h, TEACHER)
        leaver = await h.member(LEAVER)
        assert leaver is not None
        async with h.uow() as uow:  # the leaver holds the GS part of this case, which the parents agreed to
            case = await uow.cases.get(ref)
            assert case is not None
            consent = Consent("given", "telefoon", "2026-11-23", leaver.id, clock.now())
            await uow.cases.save(case.with_(assigned={"gs": leaver.id}, consent=consent), clock.now())
            await uow.commit()
        await h.send(LEAVER, "/signaal")  # and has an unconfirmed signal open
        await h.send(LEAVER, "AB 3")
        h.received(IB)

        async with h.uow() as uow:
            done = await remove_member(
                uow, leaver.id, clock.now(), AuditTrail(uow, clock, member=None, channel=CLI, via="t")
            )
            await uow.commit()
        assert (done.reassigned, done.notified) == ({school: 1}, 1)
        assert h.runtime is not None
        await h.runtime.outbox.drain()

        assert h.received(IB) == [
            "🔔 De Regenboog\nEen collega heeft Zorgroute verlaten. 1 zaak/zaken wachten nu weer op de rol "
            "in plaats van op die persoon: kijk bij /mijn of er iets voor jou is."
        ]
        assert h.received(GS) == []  # only the IB-er is told
        await h.send(LEAVER, f"/zaak {ref}")
        assert h.last(LEAVER) == REFUSAL
        async with h.uow() as uow:
            case = await uow.cases.get(ref)
            assert case is not None and case.assigned == {}
            drafts = await uow.cases.drafts_of(leaver.id)
            assert drafts == []
            assert [e.action for e in await uow.audit.by_admins()] == ["offboard", "offboard", "offboard"]
        await h.send(GS, f"/zaak {ref}")  # the role at the school still sees it
        assert "QX 7" in h.last(GS)
