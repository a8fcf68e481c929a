"""The SQLite driver (storage/sqlite_driver.py): every statement crosses to aiosqlite's thread once, and
the engine sees the same results, counts, ids and errors as through SQLAlchemy's own aiosqlite adapter."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.sqlite_driver import OneHopCursor


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/driver.db")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Each call aiosqlite runs on its connection's thread, by the function's name."""
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    yield seen


async def test_a_statement_crosses_to_the_thread_once(engine: AsyncEngine, hops: list[str]) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the pool's first checkout, out of the count
        hops.clear()
        assert (await connection.execute(text("SELECT 40 + 2"))).scalar() == 42
        assert hops == ["_run"]  # SQLAlchemy's adapter: cursor, execute, fetchall, close


async def test_a_write_transaction_runs_on_the_loops_thread_once_it_holds_the_lock(
    engine: AsyncEngine, hops: list[str]
) -> None:
    """Holding SQLite's one write lock, a transaction ran a thread hop per statement and one for the
    commit, each a wait in the event loop's queue while every other writer waited for it (under a
    /signaal load the lock was held 10 ms a transaction): it now runs them where it is."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the pool's first checkout, out of the count
        hops.clear()
        await connection.execute(text("INSERT INTO t (name, n) VALUES ('a', 1)"))
        await connection.execute(text("UPDATE t SET n = n + 1 WHERE name = 'a'"))
        assert (await connection.execute(text("SELECT n FROM t"))).scalar() == 2
        await connection.commit()
        assert hops == []
        assert (await connection.execute(text("SELECT n FROM t"))).scalar() == 2  # a read: on the thread
        assert hops == ["_run"]


async def test_a_first_write_behind_another_process_waits_on_the_thread_not_on_the_loop(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """Another process (a CLI command) holds SQLite's write lock: the first write of a transaction waits
    for it on the connection's thread, so the event loop keeps serving meanwhile."""
    other = sqlite3.connect(tmp_path / "driver.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other process's write lock
    async with engine.connect() as connection:
        writing = asyncio.create_task(connection.execute(text("INSERT INTO t (name, n) VALUES ('b', 1)")))
        loop_turns = 0
        while loop_turns < 20:  # the loop turns while the write waits (it would stand still if it did not)
            await asyncio.sleep(0.005)
            loop_turns += 1
        assert not writing.done()
        other.execute("COMMIT")
        await writing
        await connection.commit()
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 1
    other.close()


async def test_results_counts_ids_and_errors_are_the_drivers(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert isinstance(connection.sync_connection.connection.driver_connection, aiosqlite.Connection)
        assert isinstance(connection.sync_connection.connection.dbapi_connection.cursor(), OneHopCursor)  # type: ignore[union-attr]
        inserted = await connection.execute(text("INSERT INTO t (name, n) VALUES ('a', 1)"))
        assert inserted.lastrowid == 1
        many = await connection.execute(
            text("INSERT INTO t (name, n) VALUES (:name, :n)"), [{"name": "b", "n": 2}, {"name": "c", "n": 3}]
        )
        assert many.rowcount == 2
        updated = await connection.execute(text("UPDATE t SET n = n + 10 WHERE n >= 2"))
        assert updated.rowcount == 2
        result = await connection.execute(text("SELECT name, n FROM t ORDER BY id"))
        assert list(result.keys()) == ["name", "n"]
        assert [tuple(row) for row in result] == [("a", 1), ("b", 12), ("c", 13)]
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO t (name, n) VALUES ('a', 4)"))
        await connection.rollback()
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 0  # all rolled back
        streamed = await connection.stream(text("SELECT 1 UNION ALL SELECT 2"))  # server-side: SQLAlchemy's
        assert [row[0] async for row in streamed] == [1, 2]


async def test_a_second_writer_waits_its_turn_instead_of_meeting_a_locked_database(
    engine: AsyncEngine,
) -> None:
    """SQLite's busy handler is out of the way: the waiting connection would fail at once with a busy
    timeout of 0, and through the engine's write turn it writes as soon as the first one committed."""
    order: list[str] = []
    async with engine.connect() as first, engine.connect() as second:
        await second.exec_driver_sql("PRAGMA busy_timeout=0")
        await first.execute(text("INSERT INTO t (name, n) VALUES ('first', 1)"))

        async def write_second() -> None:
            await second.execute(text("INSERT INTO t (name, n) VALUES ('second', 2)"))
            order.append("second wrote")
            await second.commit()

        waiting = asyncio.create_task(write_second())
        await asyncio.sleep(0)  # the task runs until it waits: for its turn, or for its thread
        # Whatever the second connection sent its thread before this is done when this is: had it written
        # already, it would have met the first one's lock (and failed, with no busy timeout).
        await second.sync_connection.connection.driver_connection._execute(lambda: None)  # type: ignore[union-attr]
        assert not waiting.done()
        order.append("first commits")
        await first.commit()
        await waiting
        assert order == ["first commits", "second wrote"]
        names = (await first.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
        assert names == ["first", "second"]
