"""Follow-ups: deadlines on a case's step, claimed by due time. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims import claim_due
from storage.models.case import CaseRow
from storage.models.follow_up import FollowUpRow


@dataclass(frozen=True)
class OpenFollowUp:
    """A follow-up whose case still sits on its step: upcoming (pending) or overdue (fired)."""

    id: int
    case_id: int
    case_ref: str
    school_id: int
    step: str
    follow_up: str
    due_at: datetime
    status: str

    @property
    def overdue(self) -> bool:
        return self.status == "fired"


class FollowUpRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def schedule(
        self, *, case_id: int, step: str, follow_up: str, due_at: datetime, now: datetime
    ) -> FollowUpRow:
        row = FollowUpRow(
            case_id=case_id,
            step=step,
            follow_up=follow_up,
            due_at=due_at,
            status="pending",
            attempts=0,
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def cancel_for_step(self, case_id: int, step: str) -> int:
        """The case left `step` (or re-entered it): its pending follow-ups will never fire."""
        result = await self.session.execute(
            update(FollowUpRow)
            .where(FollowUpRow.case_id == case_id, FollowUpRow.step == step, FollowUpRow.status == "pending")
            .values(status="cancelled", claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def claim(self, *, worker: str, now: datetime, lease: timedelta, limit: int = 100) -> list[int]:
        """Ids of due rows now leased to `worker` (the caller commits before firing them)."""
        return await claim_due(self.session, FollowUpRow, worker=worker, now=now, lease=lease, limit=limit)

    async def mine(self, row_ids: Sequence[int], *, worker: str) -> list[FollowUpRow]:
        """The rows among `row_ids` still pending and held by `worker`, in one query."""
        if not row_ids:
            return []
        return list(
            await self.session.scalars(
                select(FollowUpRow).where(
                    FollowUpRow.id.in_(list(row_ids)),
                    FollowUpRow.status == "pending",
                    FollowUpRow.claimed_by == worker,
                )
            )
        )

    async def mark_fired(self, row_id: int, *, worker: str, now: datetime) -> bool:
        """Take the row from pending to fired if `worker` still holds it. Run in the transaction that
        applies the timeout: the row lock (PostgreSQL) or the single writer (SQLite) makes a second
        firing impossible, even for a worker whose lease ran out meanwhile."""
        return await self.mark_fired_many([row_id], worker=worker, now=now) == 1

    async def mark_fired_many(self, row_ids: Sequence[int], *, worker: str, now: datetime) -> int:
        """mark_fired for several rows in one statement; returns how many were still `worker`'s."""
        if not row_ids:
            return 0
        result = await self.session.execute(
            update(FollowUpRow)
            .where(
                FollowUpRow.id.in_(list(row_ids)),
                FollowUpRow.status == "pending",
                FollowUpRow.claimed_by == worker,
            )
            .values(
                status="fired",
                fired_at=now,
                attempts=FollowUpRow.attempts + 1,
                claimed_by=None,
                claimed_until=None,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def positions(self, row_ids: Sequence[int]) -> list[tuple[int, str, str | None, str | None]]:
        """(row id, the row's step, its case's status, its case's step) for each row, in one query; the
        case's are None when the case is gone."""
        if not row_ids:
            return []
        rows = await self.session.execute(
            select(FollowUpRow.id, FollowUpRow.step, CaseRow.status, CaseRow.step)
            .outerjoin(CaseRow, CaseRow.id == FollowUpRow.case_id)
            .where(FollowUpRow.id.in_(list(row_ids)))
        )
        return [(int(r[0]), str(r[1]), r[2], r[3]) for r in rows]

    async def failed(self, row_id: int, *, worker: str) -> None:
        """Firing raised: count the attempt; the lease still runs, so it is retried after it expires."""
        await self.session.execute(
            update(FollowUpRow)
            .where(FollowUpRow.id == row_id, FollowUpRow.claimed_by == worker)
            .values(attempts=FollowUpRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )

    async def get(self, row_id: int) -> FollowUpRow | None:
        return await self.session.get(FollowUpRow, row_id)

    async def latest(self, case_id: int, step: str, follow_up: str) -> FollowUpRow | None:
        """The newest not-cancelled row of this follow-up on this step (what a reminder refers to)."""
        return await self.session.scalar(
            select(FollowUpRow)
            .where(
                FollowUpRow.case_id == case_id,
                FollowUpRow.step == step,
                FollowUpRow.follow_up == follow_up,
                FollowUpRow.status != "cancelled",
            )
            .order_by(FollowUpRow.id.desc())
            .limit(1)
        )

    async def next_due(self, case_id: int) -> datetime | None:
        """When the case's next pending deadline falls (the status view's "next date"), or None."""
        return await self.session.scalar(
            select(FollowUpRow.due_at)
            .where(FollowUpRow.case_id == case_id, FollowUpRow.status == "pending")
            .order_by(FollowUpRow.due_at)
            .limit(1)
        )

    async def snooze(self, row: FollowUpRow, due_at: datetime) -> None:
        """Fire (again) at `due_at`: a fired reminder becomes pending once more."""
        row.status, row.due_at, row.fired_at = "pending", due_at, None
        row.claimed_by, row.claimed_until = None, None
        await self.session.flush()

    async def open_for(
        self, *, school_ids: Sequence[int] = (), case_id: int | None = None
    ) -> list[OpenFollowUp]:
        """Follow-ups of open cases that still sit on the follow-up's step, by due time."""
        query = (
            select(FollowUpRow, CaseRow.ref, CaseRow.school_id)
            .join(CaseRow, CaseRow.id == FollowUpRow.case_id)
            .where(
                CaseRow.status == "open",
                CaseRow.step == FollowUpRow.step,
                or_(
                    FollowUpRow.status == "pending",
                    # Fired, and nobody has moved the case since: still overdue.
                    and_(FollowUpRow.status == "fired", FollowUpRow.fired_at >= CaseRow.step_entered_at),
                ),
            )
            .order_by(FollowUpRow.due_at, FollowUpRow.id)
        )
        if case_id is not None:
            query = query.where(FollowUpRow.case_id == case_id)
        else:
            if not school_ids:
                return []
            query = query.where(CaseRow.school_id.in_(list(school_ids)))
        rows = await self.session.execute(query)
        return [
            OpenFollowUp(r.id, r.case_id, ref, school_id, r.step, r.follow_up, r.due_at, r.status)
            for r, ref, school_id in rows
        ]

    async def pending_count(self) -> int:
        rows = await self.session.scalars(select(FollowUpRow.id).where(FollowUpRow.status == "pending"))
        return len(list(rows))
