"""Claiming due rows for one worker, atomically: the only dialect-specific SQL in the project.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` inside the claiming transaction, so several workers take
disjoint rows without waiting on each other. SQLite has one writer at a time: one conditional
`UPDATE … WHERE id IN (due rows LIMIT n) AND claim is free RETURNING id` claims a batch atomically.
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
    # SQLite: one statement claims the batch. SQLite has a single writer, so the subquery and the
    # update see the same rows; the repeated conditions keep it correct under any isolation anyway.
    batch = select(model.id).where(*due).order_by(model.due_at, model.id).limit(limit).scalar_subquery()
    result = await session.execute(
        update(model)
        .where(model.id.in_(batch), *due)
        .values(claimed_by=worker, claimed_until=until)
        .returning(model.id)
    )
    return sorted(result.scalars().all())
