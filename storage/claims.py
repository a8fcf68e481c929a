"""Claims that several workers make on one database, atomically: the only dialect-specific SQL in the
project (beside storage/inserts.py).

- Due rows: on PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED` inside the claiming transaction, so several
  workers take disjoint rows without waiting on each other. SQLite has one writer at a time: one
  conditional `UPDATE … WHERE id IN (due rows LIMIT n) AND claim is free RETURNING id` claims a batch.
- A chat's turn: on PostgreSQL a transaction-scoped advisory lock per chat, so one chat's updates run
  one at a time across workers. SQLite runs one worker, whose in-process lanes already do this.
- A token of a shared bucket: on PostgreSQL one upsert that refills and takes, on the server's clock.
  SQLite runs one worker, whose in-process limiters already hold for the whole bot.
- An update's kept replies, once they left: on PostgreSQL one round trip that does not wait for the disk.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

# Advisory lock keys are one bigint space shared with anything else on the server: a chat's key is a
# hash of a name of ours, not the bare chat id, so another application's locks cannot collide by chance.
_LOCK_NAMESPACE = b"zorgroute:chat:"


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


def is_postgresql(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def chat_lock_key(chat_key: object) -> int:
    """A stable signed 64-bit advisory lock key for a chat (or a user without a chat)."""
    digest = hashlib.blake2b(_LOCK_NAMESPACE + repr(chat_key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def take_chat_turn(session: AsyncSession, chat_key: object, update_id: int | None = None) -> bool:
    """Wait until no other transaction holds this chat (`chat_key` None: an update of no chat), then hold
    it until this transaction ends (commit or rollback, also when the connection dies); the lock is
    PostgreSQL's, nothing to wait for on SQLite. With `update_id`, also whether that update was handled
    before (its processed_update row exists), in the same round trip.

    That read sees the database as the statement began, possibly before a transaction it then waited for
    committed: True is certain, False is settled by the row's insert when the update ends
    (bot/middlewares/turns.py)."""
    if is_postgresql(session) and chat_key is not None:
        # On the session's connection, past the ORM's execution (a third of this statement's cost); the
        # statement still goes through the connection, which begins the transaction the lock lives in.
        connection = await session.connection()
        if update_id is None:
            await connection.exec_driver_sql(_TURN, (chat_lock_key(chat_key),))
            return False
        result = await connection.exec_driver_sql(_TURN_AND_SEEN, (chat_lock_key(chat_key), update_id))
        return bool(result.scalar())
    if update_id is None:
        return False
    return bool(await session.scalar(_SEEN, {"update_id": update_id}))


_TURN = "SELECT pg_advisory_xact_lock($1)"
_TURN_AND_SEEN = (
    "SELECT EXISTS (SELECT 1 FROM processed_update WHERE update_id = $2) FROM pg_advisory_xact_lock($1)"
)
# Without a chat to lock, or on SQLite (one worker, no lock): the check alone, in either dialect.
# A select, so the unit of work counts it as a read (storage/uow.py).
_SEEN = select(text("EXISTS (SELECT 1 FROM processed_update WHERE update_id = :update_id)"))


# Refill by the time since the last take, on the server's clock, and take one token if there is one, in
# one statement: the row lock of the upsert makes concurrent takes from any worker line up.
_TAKE = text(
    """
INSERT INTO rate_bucket AS b (key, tokens, at)
VALUES (:key, :capacity - 1, EXTRACT(EPOCH FROM clock_timestamp()))
ON CONFLICT (key) DO UPDATE
SET tokens = LEAST(:capacity, b.tokens + (EXCLUDED.at - b.at) * :rate) - 1, at = EXCLUDED.at
WHERE LEAST(:capacity, b.tokens + (EXCLUDED.at - b.at) * :rate) >= 1
RETURNING tokens
"""
)
_LEVEL = text(
    "SELECT LEAST(:capacity, tokens + (EXTRACT(EPOCH FROM clock_timestamp()) - at) * :rate) "
    "FROM rate_bucket WHERE key = :key"
)
_GIVE_BACK = text("UPDATE rate_bucket SET tokens = LEAST(:capacity, tokens + 1) WHERE key = :key")


async def take_token(connection: AsyncConnection, key: str, capacity: float, rate: float) -> float:
    """Take a token from the shared bucket `key` (PostgreSQL, autocommit): 0.0 when taken, else the
    seconds until one will be there."""
    params = {"key": key, "capacity": capacity, "rate": rate}
    if (await connection.execute(_TAKE, params)).first() is not None:
        return 0.0
    level = (await connection.execute(_LEVEL, params)).scalar()
    level = 0.0 if level is None else float(level)
    return max((1 - level) / rate, 1e-3) if level < 1 else 1e-3


async def give_back_token(connection: AsyncConnection, key: str, capacity: float) -> None:
    """Return a token taken for a send that another bucket then held back."""
    await connection.execute(_GIVE_BACK, {"key": key, "capacity": capacity})


async def forget_kept_replies_at_once(engine: AsyncEngine, update_id: int) -> bool:
    """An update's kept replies left (bot/middlewares/turns.py): drop them from its processed_update row, on
    PostgreSQL in one round trip (BEGIN, the UPDATE and COMMIT in one simple query) whose commit does not
    wait for the disk; False elsewhere, where the caller does it in a unit of work.

    Until this is stored, a retry of the update whose worker died would send them a second time, hence
    short. If the server crashed right after, a retry would send the replies again, which is what a worker
    that died before this statement already risks."""
    if engine.dialect.name != "postgresql":
        return False
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        await raw.driver_connection.execute(  # type: ignore[union-attr]
            "BEGIN; SET LOCAL synchronous_commit TO off; "
            f"UPDATE processed_update SET replies = NULL WHERE update_id = {int(update_id)}; COMMIT"
        )
    return True
