"""The SQLite driver (storage/sqlite_driver.py): every statement crosses to aiosqlite's thread once, and
the engine sees the same results, counts, ids and errors as through SQLAlchemy's own aiosqlite adapter."""

from __future__ import annotations

import asyncio
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
        await connection.execute(text("INSERT INTO t (name, n) VALUES ('a', 1)"))
        await connection.commit()
        assert hops == ["_run", "_run", "commit"]


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
