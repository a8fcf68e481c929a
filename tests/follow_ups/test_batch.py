"""A batch of live follow-ups reads and writes together: the statements it runs do not grow with the
batch (beyond each case's own version-checked update), and it writes what firing one by one writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event

from flows.clock import FrozenClock
from storage.models import AuditRow, CaseRow, TimelineRow
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


def _not_case_updates(seen: list[str]) -> list[str]:
    return sorted(s for s in seen if not s.startswith("UPDATE case_file"))


async def test_a_batch_of_live_follow_ups_runs_a_bounded_number_of_statements(database_url: str) -> None:
    world = await make_world(database_url, FrozenClock(CONSENT_AT))
    try:
        few = await fire_reminders(world, 2)
        many = await fire_reminders(world, 6)
        assert len([s for s in many if s.startswith("UPDATE case_file")]) == 6  # checked against its revision
        # Claims, the void check, the rows, the cases (with pupils, timelines, participants), the IB-ers
        # and their preferences, then one insert each for timeline, audit and outbox: the same for 6 cases
        # as for 2 (one unit of work per row ran 23 statements a row).
        assert _not_case_updates(many) == _not_case_updates(few)
        assert len(_not_case_updates(many)) <= 20, many
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
