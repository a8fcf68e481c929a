"""Retention: closed cases are anonymised `months` after they closed. The timeline keeps its shape (who
did which step when) without content; the audit trail stays as it is (it must outlive the case)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.audit import SYSTEM, AuditTrail
from bot.settings import Settings
from flows.clock import Clock, FrozenClock
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Telegram keeps an undelivered update for 24 hours, so a retry never comes later than that: a handled
# update's id is kept twice as long. Job runs are kept past the longest period (a week's digest).
KEEP_UPDATES = timedelta(days=2)
KEEP_JOB_RUNS = timedelta(days=30)


@dataclass(frozen=True)
class RetentionResult:
    cases: int
    pupils: int


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (clamped to the month's last day)."""
    index = now.year * 12 + (now.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    for day in range(now.day, 0, -1):
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a first day")


async def anonymise_expired(
    uow: UnitOfWork, now: datetime, months: int, *, audit: AuditTrail | None = None
) -> RetentionResult:
    """Anonymise every case closed more than `months` ago. Does not commit."""
    trail = audit or AuditTrail(uow, FrozenClock(now), member=None, channel=SYSTEM, via="retention")
    pupils: set[int] = set()
    cases = await uow.cases.closed_before(months_before(now, months))
    for case in cases:
        assert case.id is not None
        if case.pupil is not None and case.pupil.id is not None:
            pupils.add(case.pupil.id)
        await trail.admin("anonymise", case=case, detail=f"retention {months} months")
        await uow.cases.anonymise(case.id, now)
    dropped = await uow.cases.drop_orphan_pupils(sorted(pupils))
    return RetentionResult(len(cases), dropped)


async def retention_job(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> None:
    """The scheduled job (daily): one transaction for the whole run, so a failure leaves nothing half done."""
    async with UnitOfWork(sessionmaker) as uow:
        now = clock.now()
        result = await anonymise_expired(uow, now, settings.retention_months)
        await uow.job_runs.prune(runs_before=now - KEEP_JOB_RUNS, updates_before=now - KEEP_UPDATES)
        await uow.commit()
    if result.cases:
        log.info("retention: anonymised %s case(s), removed %s pupil(s)", result.cases, result.pupils)
