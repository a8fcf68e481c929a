"""The outbox: notifications waiting to be sent. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.claims import claim_due
from storage.models.outbox import OutboxRow


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # While deferring (begin_deferred … flush_deferred), add() keeps its rows here, and the key check
        # and the insert are done for all of them together.
        self._deferred: dict[str, dict[str, Any]] | None = None
        # Rows this session queued (flushed); the unit of work tells the dispatcher after its commit.
        self.queued = 0

    def begin_deferred(self) -> None:
        self._deferred = {}

    async def flush_deferred(self) -> int:
        """Queue the rows kept since begin_deferred whose key is not queued yet, in one query and one
        flush; returns how many were queued."""
        rows, self._deferred = self._deferred or {}, None
        if not rows:
            return 0
        taken = set(await self.session.scalars(select(OutboxRow.key).where(OutboxRow.key.in_(list(rows)))))
        new = [values for key, values in rows.items() if key not in taken]
        if new:
            await self.session.execute(insert(OutboxRow), new)
            self.queued += len(new)
        return len(new)

    async def add(
        self,
        *,
        key: str,
        member_id: int,
        channel: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        case_id: int | None = None,
        urgent: bool = False,
        due_at: datetime | None = None,
    ) -> bool:
        """Queue one message; False when its key is already queued (the same event twice). While deferring,
        flush_deferred writes it (or drops it, when the key was stored meanwhile)."""
        if self._deferred is not None and key in self._deferred:
            return False
        if (
            self._deferred is None
            and await self.session.scalar(select(OutboxRow.id).where(OutboxRow.key == key)) is not None
        ):
            return False
        values = dict(
            key=key,
            member_id=member_id,
            channel=channel,
            kind=kind,
            payload=payload,
            case_id=case_id,
            urgent=urgent,
            status="pending",
            attempts=0,
            due_at=due_at or now,
            created_at=now,
        )
        if self._deferred is not None:
            self._deferred[key] = values  # no ORM object: a batch queues thousands
            return True
        self.session.add(OutboxRow(**values))
        await self.session.flush()
        self.queued += 1
        return True

    async def claim(
        self, *, worker: str, now: datetime, lease: timedelta, limit: int = 50
    ) -> list[OutboxRow]:
        ids = await claim_due(self.session, OutboxRow, worker=worker, now=now, lease=lease, limit=limit)
        if not ids:
            return []
        rows = await self.session.scalars(
            select(OutboxRow).where(OutboxRow.id.in_(ids)).order_by(OutboxRow.due_at, OutboxRow.id)
        )
        return list(rows)

    async def get(self, row_id: int) -> OutboxRow | None:
        return await self.session.get(OutboxRow, row_id)

    async def next_due(self) -> datetime | None:
        return await self.session.scalar(
            select(OutboxRow.due_at).where(OutboxRow.status == "pending").order_by(OutboxRow.due_at).limit(1)
        )

    async def waiting(self, now: datetime) -> Sequence[OutboxRow]:
        """Pending rows not yet due (held for quiet hours), soonest first."""
        query = (
            select(OutboxRow)
            .where(OutboxRow.status == "pending", OutboxRow.due_at > now)
            .order_by(OutboxRow.due_at, OutboxRow.id)
        )
        return list(await self.session.scalars(query))

    async def list(self, *, failed_only: bool = False, limit: int = 200) -> Sequence[OutboxRow]:
        query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
        if failed_only:
            query = query.where(OutboxRow.status == "dead")
        return list(await self.session.scalars(query))

    async def pending_count(self) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
        )
        return int(count or 0)

    async def retry(self, row_id: int, now: datetime) -> OutboxRow | None:
        """A dead (or stuck) row goes back to pending, due now, with its attempts reset."""
        row = await self.session.get(OutboxRow, row_id)
        if row is None or row.status == "sent":
            return None
        row.status, row.attempts, row.due_at = "pending", 0, now
        row.claimed_by, row.claimed_until, row.last_error = None, None, None
        await self.session.flush()
        return row

    async def record_status(self, provider_id: str, status: str) -> bool:
        """A provider's later report on a sent message (WhatsApp webhooks); False if we do not know it."""
        row = await self.session.scalar(select(OutboxRow).where(OutboxRow.provider_id == provider_id))
        if row is None:
            return False
        # Statuses may arrive out of order (read before delivered); never step back from a later one.
        order = ("sent", "delivered", "read")
        if (
            status == "failed"
            or row.delivery_status not in order
            or (status in order and order.index(status) >= order.index(row.delivery_status))
        ):
            row.delivery_status = status
        await self.session.flush()
        return True
