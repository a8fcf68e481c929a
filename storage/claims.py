"""Claiming due rows for one worker, atomically: the only dialect-specific SQL in the project.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` inside the claiming transaction, so several workers take
disjoint rows without waiting on each other. SQLite has one writer at a time: a conditional UPDATE
(`… WHERE claimed_until IS NULL OR claimed_until < now`) per row is atomic there, and a row whose
UPDATE touched nothing was taken by someone else.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession


async def claim_due(
    session: AsyncSession,
    model: Any,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    extra: tuple[Any, ...] = (),
) -> list[int]:
    """Claim up to `limit` rows of `model` with status 'pending', due_at <= now and no live claim.

    The model needs columns id, status, due_at, claimed_by, claimed_until. Returns the claimed ids;
    the caller commits the claim before doing the (slow) work, so a crash leaves a lease that expires.
    """
    free = or_(model.claimed_until.is_(None), model.claimed_until < now)
    due = (model.status == "pending", model.due_at <= now, free, *extra)
    until = now + lease
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        ids = list(
            await session.scalars(
                select(model.id)
                .where(*due)
                .order_by(model.due_at, model.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            await session.execute(
                update(model).where(model.id.in_(ids)).values(claimed_by=worker, claimed_until=until)
            )
        return ids
    candidates = list(
        await session.scalars(select(model.id).where(*due).order_by(model.due_at, model.id).limit(limit))
    )
    claimed: list[int] = []
    for row_id in candidates:
        result = await session.execute(
            update(model).where(model.id == row_id, *due).values(claimed_by=worker, claimed_until=until)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            claimed.append(row_id)
    return claimed
