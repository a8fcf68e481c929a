"""Retention: closed cases lose their content after ZORGROUTE_RETENTION_MONTHS; the shape and the audit
trail stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.services.retention import anonymise_expired, months_before
from bot.settings import Settings
from flows.clock import FrozenClock
from storage.models import OutboxRow, PupilRow
from tests.harness import BotHarness
from tests.privacy_helpers import signal


def test_months_before_clamps_to_the_end_of_the_month() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15, tzinfo=UTC)


async def test_closed_cases_are_anonymised_after_the_retention_period(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(1, "leerkracht", school_id=school)
        await h.register(2, "ib", school_id=school)
        closed = await signal(h, 1, pupil="QX 7", notes="vrije tekst die weg moet")
        still_open = await signal(h, 1, pupil="RT 4", notes="blijft staan")
        async with h.uow() as uow:
            case = await uow.cases.get(closed)
            assert case is not None
            await uow.cases.save(case.with_(status="closed", outcome="afgerond"), clock.now())
            await uow.commit()
            audit_before = len(await uow.audit.for_case([closed]))

        async with h.uow() as uow:  # not yet: 23 months later
            assert (await anonymise_expired(uow, clock.now() + timedelta(days=23 * 30), 24)).cases == 0

        later = clock.now() + timedelta(days=25 * 31)
        async with h.uow() as uow:
            result = await anonymise_expired(uow, later, 24)
            await uow.commit()
        assert (result.cases, result.pupils) == (1, 1)

        async with h.uow() as uow:
            gone = await uow.cases.get(closed)
            kept = await uow.cases.get(still_open)
            assert gone is not None and kept is not None
            assert gone.pupil is None and gone.data == {} and gone.drafts == {}
            assert [e.action for e in gone.timeline] == [e.action for e in kept.timeline]  # the shape stays
            assert all(e.summary == {} for e in gone.timeline)
            assert kept.pupil is not None and "blijft staan" in str(kept.data)
            labels = set(await uow.session.scalars(select(PupilRow.label)))
            assert labels == {"RT 4"}
            payloads = [
                r.payload for r in await uow.session.scalars(select(OutboxRow)) if r.case_id == gone.id
            ]
            assert payloads and all(p["pupil"] is None for p in payloads)
            trail = await uow.audit.for_case([closed])
            assert len(trail) == audit_before + 1 and trail[-1].action == "anonymise"
            assert any(e.pupil_label == "QX 7" for e in trail)  # the audit trail is kept as it was

        async with h.uow() as uow:  # idempotent: nothing left to do
            assert (await anonymise_expired(uow, later, 24)).cases == 0

        await h.send(2, f"/zaak {closed}")
        shown = h.last(2)
        assert closed in shown and "QX 7" not in shown and "vrije tekst" not in shown
