"""Jobs that must run once per period however many workers run a scheduler: a school's weekly digest,
the nightly retention. Every worker's APScheduler fires them; the first to claim the period's row in
job_run runs the job, the others see the claim and skip. A claim survives restarts (a worker started at
noon does not run the morning's retention again); a run that fails gives its period back, and one whose
worker died is taken over after a lease."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.clock import Clock
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

Period = Literal["day", "week"]
Work = Callable[[], Awaitable[Any]]
LEASE = timedelta(hours=1)  # longer than any run of these jobs takes


class OncePerPeriod:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        worker: str,
        timezone: str,
        lease: timedelta = LEASE,
    ) -> None:
        self.sessionmaker, self.clock, self.worker = sessionmaker, clock, worker
        self.zone, self.lease = ZoneInfo(timezone), lease

    def period(self, every: Period) -> str:
        """The local day (2026-11-23) or ISO week (2026-W48) it is now."""
        today = self.clock.now().astimezone(self.zone).date()
        if every == "day":
            return today.isoformat()
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"

    def job(
        self, name: str, every: Period, work: Callable[[], Awaitable[Any]]
    ) -> Callable[[], Awaitable[bool]]:
        """`work` as a scheduler job that runs at most once per `every` across workers."""

        async def once() -> bool:
            return await self.run(name, self.period(every), work)

        return once

    async def run(self, name: str, period: str, work: Work) -> bool:
        """Run `work` if this worker claims (`name`, `period`); True when it ran here."""
        async with UnitOfWork(self.sessionmaker) as uow:
            claimed = await uow.job_runs.claim(
                name, period, worker=self.worker, now=self.clock.now(), lease=self.lease
            )
            await uow.commit()
        if not claimed:
            log.debug("%s %s: run by another worker", name, period)
            return False
        try:
            await work()
        except BaseException:
            async with UnitOfWork(self.sessionmaker) as uow:
                await uow.job_runs.release(name, period)
                await uow.commit()
            raise
        async with UnitOfWork(self.sessionmaker) as uow:
            await uow.job_runs.finish(name, period, self.clock.now())
            await uow.commit()
        return True
