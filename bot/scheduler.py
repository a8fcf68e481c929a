"""APScheduler only says *when to look*: a claim of due follow-ups every 30 seconds and each school's
weekly digest. What is due lives in the database (the follow_up table), so the in-memory job store loses
nothing on a restart: the first claim runs at start and fires whatever fell due while we were down.

Every worker runs a scheduler. The follow-up claim is shared (rows are claimed with leases); the digest
and retention run once per week or day across workers, through `OncePerPeriod` (bot/once.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.follow_ups.digest import DigestService
from bot.follow_ups.runner import FollowUpRunner
from bot.once import OncePerPeriod
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

CLAIM_EVERY = 30.0  # seconds: no follow-up fires later than this after it fell due
SYNC_EVERY = 600.0  # seconds: new schools and changed digest slots are picked up this often
RETENTION_AT = time(3, 0)  # local: anonymising closed cases runs daily at night, and once at start
# Coalesce: a loop stalled for minutes claims once, not once per missed tick. No grace limit: a late
# claim still runs (a missed one would leave reminders waiting). One at a time: claims never overlap.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


def build_scheduler(
    runner: FollowUpRunner, *, timezone: str, claim_every: float = CLAIM_EVERY
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=timezone, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(
        runner.run_due,
        IntervalTrigger(seconds=claim_every, timezone=timezone),
        id="follow_ups",
        next_run_time=datetime.now(UTC),  # at once: what fell due during a restart goes out now
        **JOB_DEFAULTS,
    )
    return scheduler


async def sync_digest_jobs(
    scheduler: AsyncIOScheduler,
    sessionmaker: async_sessionmaker[AsyncSession],
    digests: DigestService,
    *,
    timezone: str,
    once: OncePerPeriod | None = None,
) -> int:
    """One cron job per school at its digest slot (default Monday 08:00 local); with `once`, each runs on
    one worker a week."""
    async with UnitOfWork(sessionmaker) as uow:
        schools = [(s.id, s.digest_weekday, s.digest_time) for s in await uow.schools.list()]
    wanted = set()
    for school_id, weekday, at in schools:
        slot = time.fromisoformat(at)
        job_id = f"digest:{school_id}"
        wanted.add(job_id)
        send = partial(digests.send, school_id)
        scheduler.add_job(
            send if once is None else once.job(job_id, "week", send),
            CronTrigger(day_of_week=weekday, hour=slot.hour, minute=slot.minute, timezone=timezone),
            id=job_id,
            replace_existing=True,
        )
    for job in scheduler.get_jobs():
        if job.id.startswith("digest:") and job.id not in wanted:
            job.remove()
    return len(wanted)


async def run_scheduler(
    runner: FollowUpRunner,
    digests: DigestService,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    timezone: str,
    claim_every: float = CLAIM_EVERY,
    retention: Callable[[], Awaitable[None]] | None = None,
    once: OncePerPeriod | None = None,
) -> None:
    """A background task: runs the scheduler until cancelled, then shuts it down. With `once`, the digest
    and retention run on one worker per period."""
    scheduler = build_scheduler(runner, timezone=timezone, claim_every=claim_every)
    if retention is not None:
        # Also at start: a bot that was down at 03:00 still anonymises what has expired.
        scheduler.add_job(
            retention if once is None else once.job("retention", "day", retention),
            CronTrigger(hour=RETENTION_AT.hour, minute=RETENTION_AT.minute, timezone=timezone),
            id="retention",
            next_run_time=datetime.now(UTC),
            **JOB_DEFAULTS,
        )

    async def sync() -> None:
        await sync_digest_jobs(scheduler, sessionmaker, digests, timezone=timezone, once=once)

    scheduler.add_job(sync, IntervalTrigger(seconds=SYNC_EVERY, timezone=timezone), id="digest_sync")
    scheduler.start()
    try:
        await sync()
        await asyncio.Event().wait()  # until the runner cancels us
    finally:
        scheduler.shutdown(wait=False)
