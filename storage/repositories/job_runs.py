"""Runs of jobs that must happen once per period, whichever worker's scheduler fires first, and the
webhook's record of handled updates (pruned with retention)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.inserts import insert_new, table
from storage.models import JobRun, ProcessedUpdate

_PROCESSED = table(ProcessedUpdate)
# Built once: a statement built per call cost more than running it (storage/inserts.py).
_KEEP = (
    update(_PROCESSED)
    .where(_PROCESSED.c.update_id == bindparam("id"))
    .values(replies=bindparam("kept", type_=_PROCESSED.c.replies.type))
)


class JobRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, job: str, period: str, *, worker: str, now: datetime, lease: timedelta) -> bool:
        """Claim this period's run of `job`: True for the first claim, and for a claim that was never
        finished and is older than `lease` (its worker died); False while another run holds or did it."""
        values = {"job": job, "period": period, "worker": worker, "started_at": now}
        if await insert_new(self.session, JobRun, values, key=["job", "period"]):
            return True
        result = await self.session.execute(
            update(JobRun)
            .where(
                JobRun.job == job,
                JobRun.period == period,
                JobRun.done_at.is_(None),
                JobRun.started_at < now - lease,
            )
            .values(worker=worker, started_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def finish(self, job: str, period: str, now: datetime) -> None:
        await self.session.execute(
            update(JobRun).where(JobRun.job == job, JobRun.period == period).values(done_at=now)
        )

    async def release(self, job: str, period: str) -> None:
        """A run that failed gives the period back, so the next firing (on any worker) tries again."""
        await self.session.execute(
            delete(JobRun).where(JobRun.job == job, JobRun.period == period, JobRun.done_at.is_(None))
        )

    async def record_handled(
        self, update_id: int, now: datetime, replies: list[dict[str, Any]] | None
    ) -> bool:
        """Record a webhook update as handled, with its replies (Bot API calls as JSON) to send again if its
        worker dies before they left; False when another delivery of it recorded it first."""
        values = {"update_id": update_id, "at": now, "replies": replies}
        return await insert_new(self.session, ProcessedUpdate, values, key=["update_id"])

    async def keep_replies(self, update_id: int, replies: list[dict[str, Any]] | None) -> None:
        """Replace a handled update's kept replies (None: they left)."""
        await self.session.execute(_KEEP, {"id": update_id, "kept": replies})

    async def replies_of(self, update_id: int) -> list[dict[str, Any]] | None:
        query = select(ProcessedUpdate.replies).where(ProcessedUpdate.update_id == update_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def prune(self, *, runs_before: datetime, updates_before: datetime) -> None:
        """Forget job runs and handled updates older than these moments."""
        await self.session.execute(delete(JobRun).where(JobRun.started_at < runs_before))
        await self.session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < updates_before))
