"""Follow-ups on the database, both engines: due times from the school calendar (a holiday, a DST
switch), firing exactly once (after a restart, in the middle of a claim, with three workers), snooze."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, update

from bot.follow_ups.snooze import snooze
from flows import inputs as inp
from flows.clock import FrozenClock
from storage.db import create_engine, make_sessionmaker
from storage.models import TimelineRow
from storage.models.case import CaseRow
from storage.models.follow_up import FollowUpRow
from tests.follow_ups.support import World, make_world

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS).astimezone(UTC)


async def test_deadlines_skip_the_herfstvakantie_and_keep_local_time_across_dst(database_url: str) -> None:
    # Friday 16 October 2026, 10:00 summer time; the herfstvakantie (regio Midden) runs 17–25 October and
    # the clocks go back on Sunday 25 October.
    clock = FrozenClock(local(2026, 10, 16, 10, 0))
    world = await make_world(database_url, clock)
    try:
        await world.case_at_consent()
        rows = {r.follow_up: r for r in await world.follow_ups()}
        # 3 school days: Mon 26, Tue 27, Wed 28 October — still 10:00 on the wall clock, now winter time.
        assert rows["consent_reminder"].due_at == datetime(2026, 10, 28, 9, 0, tzinfo=UTC)
        assert rows["consent_escalation"].due_at == local(2026, 10, 30, 10, 0)
        assert {r.status for r in rows.values()} == {"pending"}
    finally:
        await world.db_engine.dispose()


async def test_a_due_follow_up_fires_once_through_the_engine_and_the_outbox(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        await world.case_at_consent()
        runner = world.runner()
        clock.set(local(2026, 11, 26, 8, 59))
        assert await runner.run_due() == 0
        clock.set(local(2026, 11, 26, 9, 0))
        assert await runner.run_due() == 1
        assert await runner.run_due() == 0
        reminders = [r for r in await world.outbox() if r.payload.get("follow_up") == "consent_reminder"]
        assert [(r.member_id, r.payload["message"]) for r in reminders] == [
            (world.ib, "vlaardingen.notify.consent_pending")
        ]
        statuses = {r.follow_up: r.status for r in await world.follow_ups()}
        assert statuses == {"consent_reminder": "fired", "consent_escalation": "pending"}
    finally:
        await world.db_engine.dispose()


async def test_after_a_restart_overdue_follow_ups_fire_once(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        await world.case_at_consent()
        clock.advance(timedelta(days=14))  # the bot was down past both deadlines
        assert await world.runner("after-restart").run_due() == 2
        assert await world.runner("another").run_due() == 0
        assert len([r for r in await world.outbox() if r.payload.get("follow_up")]) == 2
    finally:
        await world.db_engine.dispose()


async def test_a_claim_left_by_a_crashed_worker_fires_once_after_its_lease(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 26, 9, 0) - timedelta(days=3))
    world = await make_world(database_url, clock)
    try:
        await world.case_at_consent()
        clock.set(local(2026, 11, 26, 9, 0))
        crashed, survivor = world.runner("crashed"), world.runner("survivor")
        [claimed] = await crashed.claim()  # ... and the process dies before firing it
        assert await survivor.run_due() == 0  # the lease still holds
        clock.advance(timedelta(seconds=61))
        assert await survivor.run_due() == 1
        assert await crashed.fire(claimed) is False  # come back to life: too late, nothing happens twice
        async with world.uow() as uow:
            entries = await uow.session.scalars(
                TimelineRow.__table__.select().where(TimelineRow.action.like("follow_up:%"))
            )
            assert len(list(entries)) == 1
    finally:
        await world.db_engine.dispose()


async def test_three_workers_fire_each_follow_up_exactly_once(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    engines = [create_engine(database_url) for _ in range(3)]
    try:
        refs = [await world.case_at_consent() for _ in range(6)]
        clock.advance(timedelta(days=14))
        runners = [world.runner(f"w{i}", make_sessionmaker(e)) for i, e in enumerate(engines)]
        for runner in runners:
            runner.batch = 2  # small batches, so the workers interleave
        fired = await asyncio.gather(*(r.run_due() for r in runners))
        assert sum(fired) == 12
        rows = await world.follow_ups()
        assert {r.status for r in rows} == {"fired"} and {r.attempts for r in rows} == {1}
        notified = [
            (r.payload["case_ref"], r.payload["follow_up"])
            for r in await world.outbox()
            if r.payload.get("follow_up")
        ]
        assert sorted(notified) == sorted(
            (ref, fu) for ref in refs for fu in ("consent_reminder", "consent_escalation")
        )
    finally:
        for engine in engines:
            await engine.dispose()
        await world.db_engine.dispose()


async def test_recording_consent_cancels_the_reminders(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        ref = await world.case_at_consent()
        await world.act(
            world.ib,
            ref,
            inp.Open("toestemming"),
            inp.Choose("toestemming", "method", "telefoon"),
            inp.Choose("toestemming", "result", "given"),
            inp.Answer("23-11-2026"),
            inp.Confirm("toestemming"),
        )
        assert {r.status for r in await world.follow_ups()} == {"cancelled"}
        clock.advance(timedelta(days=30))
        assert await world.runner().run_due() == 0
    finally:
        await world.db_engine.dispose()


async def test_snooze_moves_a_fired_reminder_two_school_days_and_checks_the_policy(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        ref = await world.case_at_consent()
        clock.set(local(2026, 11, 27, 9, 30))  # Friday, after the reminder fell due
        assert await world.runner().run_due() == 1
        async with world.uow() as uow:
            teacher = await uow.members.get(world.teacher)
            ib = await uow.members.get(world.ib)
            assert teacher is not None and ib is not None
            refused = await snooze(
                uow, world.route_engine, teacher, ref, "toestemming", "consent_reminder", clock.now()
            )
            assert refused == "access.wrong_role"
            until = await snooze(
                uow, world.route_engine, ib, ref, "toestemming", "consent_reminder", clock.now()
            )
            assert until == local(2026, 12, 1, 9, 30)  # Friday + 2 school days = Tuesday, same time
            await uow.commit()
        rows = {r.follow_up: r for r in await world.follow_ups()}
        assert rows["consent_reminder"].status == "pending"
        clock.set(local(2026, 11, 30, 9, 0))
        assert await world.runner().run_due() == 1  # the escalation to the directie is not postponed
        clock.set(local(2026, 12, 1, 9, 29))
        assert await world.runner().run_due() == 0
        clock.set(local(2026, 12, 1, 9, 30))
        assert await world.runner().run_due() == 1  # the reminder, again
    finally:
        await world.db_engine.dispose()


async def test_snooze_is_stale_once_the_case_moved_on(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        ref = await world.case_at_consent()
        await world.act(
            world.ib,
            ref,
            inp.Open("toestemming"),
            inp.Choose("toestemming", "method", "telefoon"),
            inp.Choose("toestemming", "result", "given"),
            inp.Answer("23-11-2026"),
            inp.Confirm("toestemming"),
        )
        async with world.uow() as uow:
            ib = await uow.members.get(world.ib)
            assert ib is not None
            result = await snooze(
                uow, world.route_engine, ib, ref, "toestemming", "consent_reminder", clock.now()
            )
            assert result == "access.stale"
    finally:
        await world.db_engine.dispose()


async def test_void_follow_ups_fire_together_without_loading_their_case(database_url: str) -> None:
    """A burst of follow-ups whose case moved on (here: it is at another step) is marked fired in one
    transaction; firing them one unit of work each made a burst of thousands late."""
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        ref = await world.case_at_consent()
        async with world.uow() as uow:
            case = await uow.cases.get(ref)
            assert case is not None and case.id is not None
            for _ in range(30):
                uow.session.add(
                    FollowUpRow(
                        case_id=case.id,
                        step="ib_beoordeling",
                        follow_up="reminder",
                        due_at=clock.now(),
                        status="pending",
                        attempts=0,
                        created_at=clock.now(),
                    )
                )
            await uow.commit()
        timeline = await world.count(TimelineRow)
        fired, commits = await _commits_while(world, world.runner().run_due)
        assert fired == 30
        assert commits <= 3  # the claim, the void rows together, and a last claim that finds nothing
        void = [r for r in await world.follow_ups() if r.follow_up == "reminder"]
        assert {r.status for r in void} == {"fired"}
        assert await world.count(TimelineRow) == timeline  # a void timeout changes nothing
    finally:
        await world.db_engine.dispose()


async def _commits_while(world: World, work: Callable[[], Awaitable[int]]) -> tuple[int, int]:
    commits = 0

    def committed(_connection: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(world.db_engine.sync_engine, "commit", committed)
    try:
        done = await work()
    finally:
        event.remove(world.db_engine.sync_engine, "commit", committed)
    return done, commits


async def test_live_follow_ups_fire_together_in_one_transaction(database_url: str) -> None:
    """Five consent reminders fall due at once: they go through the engine and into the outbox together
    (one commit for the batch); one unit of work each made a burst of thousands late."""
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        for _ in range(5):
            await world.case_at_consent()
        timeline = await world.count(TimelineRow)
        clock.set(local(2026, 11, 26, 9, 0))
        fired, commits = await _commits_while(world, world.runner().run_due)
        assert fired == 5
        assert commits <= 4  # the claim, the void check, the batch, and a last claim that finds nothing
        assert await world.count(TimelineRow) == timeline + 5  # each case records its reminder
        reminders = [r for r in await world.outbox() if r.payload.get("follow_up") == "consent_reminder"]
        assert len(reminders) == 5
    finally:
        await world.db_engine.dispose()


async def test_a_broken_case_in_a_batch_stops_none_of_the_others(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        refs = [await world.case_at_consent() for _ in range(3)]
        async with world.uow() as uow:  # a route version this process does not know: its timeout raises
            await uow.session.execute(update(CaseRow).where(CaseRow.ref == refs[1]).values(route_version=99))
            await uow.commit()
        clock.set(local(2026, 11, 26, 9, 0))
        assert await world.runner().run_due() == 2
        rows = [r for r in await world.follow_ups() if r.follow_up == "consent_reminder"]
        assert sorted(r.status for r in rows) == ["fired", "fired", "pending"]  # retried after its lease
        assert [r.attempts for r in rows if r.status == "pending"] == [1]
        reminders = [r for r in await world.outbox() if r.payload.get("follow_up") == "consent_reminder"]
        assert sorted(r.payload["case_ref"] for r in reminders) == sorted([refs[0], refs[2]])
    finally:
        await world.db_engine.dispose()
