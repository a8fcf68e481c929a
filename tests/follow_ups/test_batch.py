"""A batch of live follow-ups reads and writes together: the statements it runs do not grow with the
batch, and it writes what firing one by one writes."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, update

from flows.case import Case
from flows.clock import FrozenClock
from storage.models import AuditRow, CaseRow, TimelineRow
from storage.repositories.cases import CaseRepository
from tests.follow_ups.support import World, make_world

AMS = ZoneInfo("Europe/Amsterdam")
CONSENT_AT = datetime(2026, 11, 23, 9, 0, tzinfo=AMS).astimezone(UTC)
REMINDER_DUE = datetime(2026, 11, 26, 9, 0, tzinfo=AMS).astimezone(UTC)


@contextmanager
def statements(world: World) -> Iterator[list[str]]:
    seen: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:40])  # the statement, not its IN list

    sync = world.db_engine.sync_engine
    event.listen(sync, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(sync, "before_cursor_execute", executed)


async def fire_reminders(world: World, cases: int) -> list[str]:
    """`cases` new cases reach the consent step; their reminders fall due and fire as one batch."""
    world.clock.set(CONSENT_AT)
    for _ in range(cases):
        await world.case_at_consent()
    world.clock.set(REMINDER_DUE)
    with statements(world) as seen:
        assert await world.runner().run_due() == cases
    return seen


async def test_a_batch_of_live_follow_ups_runs_a_bounded_number_of_statements(database_url: str) -> None:
    world = await make_world(database_url, FrozenClock(CONSENT_AT))
    try:
        few = await fire_reminders(world, 2)
        many = await fire_reminders(world, 6)
        # Claims, the void check, the rows, the cases (with pupils, timelines, participants), the IB-ers
        # and their preferences, the cases' updates (each checked against its revision), then one insert
        # each for timeline, audit and outbox: the same for 6 cases as for 2 (one unit of work per row ran
        # 23 statements a row).
        assert sorted(many) == sorted(few)
        assert len(many) <= 20, many
        reminders = [r for r in await world.outbox() if r.payload.get("follow_up") == "consent_reminder"]
        assert [(r.member_id, r.payload["message"]) for r in reminders] == [
            (world.ib, "vlaardingen.notify.consent_pending")
        ] * 8
    finally:
        await world.db_engine.dispose()


async def test_a_batch_writes_what_firing_one_by_one_writes(database_url: str) -> None:
    """Three reminders fired one row at a time and three fired as a batch leave the same timeline entries,
    audit entries and notifications (but for the case each belongs to)."""
    world = await make_world(database_url, FrozenClock(CONSENT_AT))
    try:
        refs = [await world.case_at_consent() for _ in range(6)]
        world.clock.set(REMINDER_DUE)
        runner = world.runner()
        runner.batch = 3
        one_by_one = await runner.claim()
        assert [await runner.fire(i) for i in one_by_one] == [True] * 3
        assert await runner.run_due() == 3  # the other three, together
        async with world.uow() as uow:
            ids = {r.id: r.ref for r in await uow.session.execute(CaseRow.__table__.select())}
            timeline = [
                (ids[r.case_id], (r.seq, r.at, r.member_id, r.role, r.step, r.action, r.summary, r.to_step))
                for r in await uow.session.execute(
                    TimelineRow.__table__.select().where(TimelineRow.action.like("follow_up:%"))
                )
            ]
            audit = [
                (r.case_ref, (r.at, r.member_id, r.role, r.action, r.channel, r.via, r.detail))
                for r in await uow.session.execute(
                    AuditRow.__table__.select().where(AuditRow.via == "follow-up")
                )
            ]
        outbox = [
            (
                r.payload["case_ref"],
                (
                    r.key.replace(r.payload["case_ref"], "REF"),
                    r.member_id,
                    r.channel,
                    r.kind,
                    r.urgent,
                    {**r.payload, "case_ref": None},
                    r.status,
                    r.due_at,
                ),
            )
            for r in await world.outbox()
            if r.payload.get("follow_up")
        ]
        for written in (timeline, audit, outbox):
            by_case = {ref: sorted(str(v) for c, v in written if c == ref) for ref in refs}
            assert all(by_case[ref] for ref in refs), written
            assert len({tuple(v) for v in by_case.values()}) == 1, by_case
    finally:
        await world.db_engine.dispose()


async def test_a_case_changed_while_its_batch_fires_sends_the_batch_one_by_one(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A member moves a case after the batch read it: the batch's update of that case finds another
    revision, so the batch rolls back and each row fires on its own, on the case as it now is.

    The move is written on the batch's own connection, behind the ORM's back: by then the batch has marked
    its rows fired, so on SQLite (one writer) a second connection would only wait out the busy timeout;
    what the batch meets is the same either way, a case whose revision is no longer the one it read."""
    world = await make_world(database_url, FrozenClock(CONSENT_AT))
    try:
        refs = [await world.case_at_consent() for _ in range(3)]
        world.clock.set(REMINDER_DUE)
        runner = world.runner()
        get_many = CaseRepository.get_many_by_id
        moved: list[str] = []

        async def read_then_moved(self: CaseRepository, case_ids: Sequence[int]) -> dict[int, Case]:
            cases = await get_many(self, case_ids)
            if not moved:  # the case's revision moves on after the batch read it
                moved.append(refs[1])
                await self.session.execute(
                    update(CaseRow)
                    .where(CaseRow.ref == refs[1])
                    .values(revision=CaseRow.revision + 1, updated_at=world.clock.now())
                    .execution_options(synchronize_session=False)
                )
            return cases

        CaseRepository.get_many_by_id = read_then_moved  # type: ignore[method-assign]
        try:
            with caplog.at_level(logging.WARNING, logger="bot.follow_ups.runner"):
                assert await runner.run_due() == 3
        finally:
            CaseRepository.get_many_by_id = get_many  # type: ignore[method-assign]
        assert [r.getMessage() for r in caplog.records] == [
            "a batch of 3 follow-ups failed; firing them one by one"
        ]
        reminders = [r for r in await world.outbox() if r.payload.get("follow_up") == "consent_reminder"]
        assert sorted(r.payload["case_ref"] for r in reminders) == sorted(refs)  # each once
        assert {r.status for r in await world.follow_ups() if r.follow_up == "consent_reminder"} == {"fired"}
        async with world.uow() as uow:
            entries = await uow.session.execute(
                TimelineRow.__table__.select().where(TimelineRow.action.like("follow_up:%"))
            )
            assert len(list(entries)) == 3
    finally:
        await world.db_engine.dispose()
