"""What every update costs the database: an update that only reads commits nothing, the member with
their roles is one query, and their school is read once; those reads do not go through the ORM (on
SQLite not even through the engine: storage/quick_reads.py). SQLite syncs at checkpoints (WAL +
NORMAL); PostgreSQL does not ping per checkout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Runtime
from bot.settings import Settings
from emulator.state import EmulatorState
from flows.clock import FrozenClock
from storage.db import create_engine, make_sessionmaker
from storage.uow import UnitOfWork
from tests.feeding import bot, feed, teachers
from tests.harness import BotHarness
from tests.privacy_helpers import signal

__all__ = ["bot"]  # the fixture

IB = 701
TEACHER = 702


@contextmanager
def watching(engine: AsyncEngine) -> Iterator[dict[str, Any]]:
    seen: dict[str, Any] = {"commits": 0, "statements": []}

    def committed(_connection: Any) -> None:
        seen["commits"] += 1

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen["statements"].append(" ".join(statement.split()))

    sync = engine.sync_engine
    event.listen(sync, "commit", committed)
    event.listen(sync, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(sync, "commit", committed)
        event.remove(sync, "before_cursor_execute", executed)


async def test_help_reads_the_member_in_one_query_and_commits_nothing(
    bot: tuple[Runtime, EmulatorState], clock: FrozenClock
) -> None:
    runtime, state = bot
    await teachers(runtime, state, clock, [IB])
    with watching(runtime.db_engine) as seen:
        await feed(runtime, state.user_sends(IB, "/help"))
    assert "/signaal" in state.last_bot_message(IB).text
    assert seen["commits"] == 0
    # SQLite: the dialogue state, the member with roles and the school, all read on the loop's thread (the
    # update takes no connection from the pool at all). PostgreSQL: the same as plain SQL on one connection
    # (storage/quick_reads.py: PostgresReads); a polled update takes no chat lock and no shared token, the
    # one receiver's own lanes and buckets being the whole bot's (tests/test_scaleout.py has the webhook's).
    assert seen["statements"] == []


async def test_a_change_is_still_committed(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(IB, "ib")
        await h.send(IB, "/taal")
        await h.press(IB, "English")
        member = await h.member(IB)
        assert member is not None and member.language == "en"


async def test_only_an_update_that_queued_notifications_wakes_the_outbox(
    settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wake costs every worker's drain two transactions; an update that changed something but queued
    nothing to send (a language, a step of a form) gives the outbox nothing new."""
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(IB, "ib", school_id=school)
        await h.register(TEACHER, "leerkracht", school_id=school)
        assert h.runtime is not None
        kicks: list[None] = []
        monkeypatch.setattr(h.runtime.outbox, "kick", lambda: kicks.append(None))
        await h.send(IB, "/taal")
        await h.press(IB, "English")
        assert (await h.member(IB)).language == "en"  # type: ignore[union-attr]
        await h.send(TEACHER, "/signaal")
        await h.send(TEACHER, "QX 7")
        assert kicks == []
        await signal(h, TEACHER, pupil="QX 8")  # the IB is told of it
        assert kicks


async def test_connection_settings(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        if engine.dialect.name == "sqlite":
            async with engine.connect() as connection:
                assert (await connection.scalar(text("PRAGMA journal_mode"))) == "wal"
                assert (await connection.scalar(text("PRAGMA synchronous"))) == 1  # NORMAL
        else:
            assert engine.pool._pre_ping is False  # type: ignore[attr-defined]
            assert engine.pool._recycle == 1800  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_a_route_version_is_stored_once_per_process(settings: Settings, clock: FrozenClock) -> None:
    """Every /signaal stored its route's definition again (an INSERT that did nothing); once one has
    committed, the process knows and skips it. A rolled-back store does not count."""
    engine = create_engine(settings.database_url)
    sessionmaker = make_sessionmaker(engine)
    try:
        with watching(engine) as seen:
            async with UnitOfWork(sessionmaker) as uow:
                await uow.cases.remember_route("bench", 1, "id: bench", clock.now())
                await uow.rollback()
            async with UnitOfWork(sessionmaker) as uow:
                await uow.cases.remember_route("bench", 1, "id: bench", clock.now())
                await uow.commit()
            async with UnitOfWork(sessionmaker) as uow:
                await uow.cases.remember_route("bench", 1, "id: bench", clock.now())
                await uow.commit()
        stores = [s for s in seen["statements"] if "INSERT INTO route_version" in s]
        assert len(stores) == 2
        async with UnitOfWork(sessionmaker) as uow:
            assert [(r, v) for r, v, _ in await uow.cases.stored_routes()] == [("bench", 1)]
    finally:
        await engine.dispose()
