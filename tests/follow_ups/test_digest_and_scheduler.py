"""The weekly VOT digest (counts and references only, once per week however often it runs) and the
scheduler's jobs (claim at once and every 30 s without losing a late run; a digest per school)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.follow_ups.digest import DigestService
from bot.once import LEASE, OncePerPeriod
from bot.scheduler import build_scheduler, run_scheduler, sync_digest_jobs
from flows import inputs as inp
from flows.clock import FrozenClock
from storage.uow import UnitOfWork
from tests.follow_ups.support import SIGNAL, make_world

AMS = ZoneInfo("Europe/Amsterdam")
NOTE = "Moeder belde over de scheiding"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS).astimezone(UTC)


async def test_the_weekly_digest_counts_per_section_once_a_week(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        pending = await world.case_at_consent()
        # A second case with a plan op maat evaluated on Wednesday: an evaluation in the coming week.
        planned = await world.start()
        await world.act(world.teacher, planned, *SIGNAL[:4], inp.Answer(NOTE), *SIGNAL[5:])
        await world.act(
            world.ib,
            planned,
            inp.Open("ib_beoordeling"),
            inp.Choose("ib_beoordeling", "decision", "plan_op_maat"),
            inp.Open("plan_op_maat"),
            inp.Toggle("plan_op_maat", "measures", "extra_lesstof"),
            inp.Done("plan_op_maat", "measures"),
            inp.Done("plan_op_maat", "plan"),
            inp.Answer("02-12-2026"),
            inp.Confirm("plan_op_maat"),
        )
        clock.set(local(2026, 11, 30, 8, 0))  # Monday: the consent reminder fired on Thursday
        await world.runner().run_due()
        digests = DigestService(
            world.sessionmaker, world.route_engine.routes, clock, default_route="vlaardingen"
        )
        assert await digests.send(world.school_id) == 2  # the IB-er and the directie sit in the VOT
        assert await digests.send(world.school_id) == 0  # a second worker, or a restart: same week
        rows = await world.outbox("digest")
        assert sorted(r.member_id for r in rows) == sorted([world.ib, world.directie])
        sections = rows[0].payload["sections"]
        counts = {key: section["count"] for key, section in sections.items()}
        assert counts == {"new": 2, "consent": 1, "overdue": 1, "evaluations": 1}
        assert [c["ref"] for c in sections["consent"]["cases"]] == [pending]
        assert sections["evaluations"]["cases"][0]["due"] == local(2026, 12, 2, 9, 0).isoformat()
        assert NOTE not in json.dumps([r.payload for r in rows])  # what people wrote never leaves
        clock.advance(timedelta(days=7))
        assert await digests.send(world.school_id) == 2  # next week's
    finally:
        await world.db_engine.dispose()


async def test_the_scheduler_claims_at_once_and_keeps_a_digest_per_school(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        runner = world.runner()
        scheduler = build_scheduler(runner, timezone="Europe/Amsterdam")
        claim = scheduler.get_job("follow_ups")
        assert claim.coalesce is True and claim.max_instances == 1 and claim.misfire_grace_time is None
        assert claim.trigger.interval == timedelta(seconds=30)
        assert claim.next_run_time <= datetime.now(UTC)  # a restart claims what fell due meanwhile
        digests = DigestService(
            world.sessionmaker, world.route_engine.routes, clock, default_route="vlaardingen"
        )
        assert (
            await sync_digest_jobs(scheduler, world.sessionmaker, digests, timezone="Europe/Amsterdam") == 1
        )
        job = scheduler.get_job(f"digest:{world.school_id}")
        assert isinstance(job.trigger, CronTrigger)
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("0", "8", "0")
        assert str(job.trigger.timezone) == "Europe/Amsterdam"
    finally:
        await world.db_engine.dispose()


async def test_the_running_scheduler_fires_what_fell_due_while_down_and_stops_cleanly(
    database_url: str,
) -> None:
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        await world.case_at_consent()
        clock.advance(timedelta(days=14))
        runner = world.runner()
        claimed = asyncio.Event()
        real_run_due = runner.run_due

        async def observed() -> int:
            fired = await real_run_due()
            claimed.set()
            return fired

        runner.run_due = observed  # type: ignore[method-assign]
        digests = DigestService(
            world.sessionmaker, world.route_engine.routes, clock, default_route="vlaardingen"
        )
        task = asyncio.create_task(
            run_scheduler(runner, digests, world.sessionmaker, timezone="Europe/Amsterdam")
        )
        await asyncio.wait_for(claimed.wait(), timeout=10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert {r.status for r in await world.follow_ups()} == {"fired"}
    finally:
        await world.db_engine.dispose()


async def test_the_running_scheduler_runs_retention_at_start(database_url: str) -> None:
    # A bot that was down at the nightly slot still anonymises what expired: the job also runs at start.
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        ran, claimed = asyncio.Event(), asyncio.Event()

        async def retention() -> None:
            ran.set()

        runner = world.runner()
        real_run_due = runner.run_due

        async def observed() -> int:
            fired = await real_run_due()
            claimed.set()
            return fired

        # The claim job also runs at start; stopping while it holds a connection would leave it hanging.
        runner.run_due = observed  # type: ignore[method-assign]
        digests = DigestService(
            world.sessionmaker, world.route_engine.routes, clock, default_route="vlaardingen"
        )
        scheduler = run_scheduler(
            runner, digests, world.sessionmaker, timezone="Europe/Amsterdam", retention=retention
        )
        task = asyncio.create_task(scheduler)
        await asyncio.wait_for(ran.wait(), timeout=10)
        await asyncio.wait_for(claimed.wait(), timeout=10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        await world.db_engine.dispose()


async def test_two_workers_schedulers_send_a_schools_digest_once(database_url: str) -> None:
    # Every worker runs a scheduler with the same cron jobs; both fire at Monday 08:00.
    clock = FrozenClock(local(2026, 11, 23, 9, 0))
    world = await make_world(database_url, clock)
    try:
        await world.case_at_consent()
        clock.set(local(2026, 11, 30, 8, 0))
        jobs = []
        for worker in ("host:1", "host:2"):
            scheduler = build_scheduler(world.runner(), timezone="Europe/Amsterdam")
            digests = DigestService(
                world.sessionmaker, world.route_engine.routes, clock, default_route="vlaardingen"
            )
            once = OncePerPeriod(world.sessionmaker, clock, worker=worker, timezone="Europe/Amsterdam")
            await sync_digest_jobs(
                scheduler, world.sessionmaker, digests, timezone="Europe/Amsterdam", once=once
            )
            jobs.append(scheduler.get_job(f"digest:{world.school_id}").func)

        ran = await asyncio.gather(*(job() for job in jobs))

        assert sorted(ran) == [False, True]  # one worker ran it, the other saw its claim
        assert len(await world.outbox("digest")) == 2  # the IB-er and the directie, once each
        clock.set(local(2026, 12, 7, 8, 0))  # next Monday: a new week, a new run
        assert await jobs[1]() is True
    finally:
        await world.db_engine.dispose()


async def test_a_job_whose_worker_died_or_failed_runs_again(database_url: str) -> None:
    clock = FrozenClock(local(2026, 11, 23, 3, 0))
    world = await make_world(database_url, clock)
    try:
        one, two = (
            OncePerPeriod(world.sessionmaker, clock, worker=w, timezone="Europe/Amsterdam")
            for w in ("host:1", "host:2")
        )
        runs: list[str] = []

        async def retention() -> None:
            runs.append("ran")

        async def failing() -> None:
            raise RuntimeError("database went away")

        with pytest.raises(RuntimeError):
            await one.run("retention", "2026-11-23", failing)
        assert await two.run("retention", "2026-11-23", retention)  # the failed run gave its period back
        assert not await one.run("retention", "2026-11-23", retention)  # done today
        async with UnitOfWork(world.sessionmaker) as uow:  # a worker claims tomorrow's run, then dies
            assert await uow.job_runs.claim(
                "retention", "2026-11-24", worker="host:1", now=clock.now(), lease=LEASE
            )
            await uow.commit()
        assert not await two.run("retention", "2026-11-24", retention)  # within the lease: still its
        clock.advance(LEASE + timedelta(minutes=1))
        assert await two.run("retention", "2026-11-24", retention)  # taken over
        assert runs == ["ran", "ran"]
    finally:
        await world.db_engine.dispose()
