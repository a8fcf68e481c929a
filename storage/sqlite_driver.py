"""aiosqlite with one thread hop per statement.

aiosqlite runs each sqlite3 call on the connection's own thread, and SQLAlchemy's adapter makes four such
calls for every statement: create the cursor, execute, fetch the rows, close the cursor. Each is a trip
through a queue to that thread and a wake-up of the event loop on the way back, and on a busy loop each
costs more than the statement itself (a /signaal conversation took 41 of them for 11 statements;
bench/README.md). `OneHopCursor` does the four in one function on that thread, so one trip per statement.

SQLite has one writer. When a second connection wanted to write, SQLite's busy handler made it sleep and
try again (1, 2, 5, 10, … ms): under a burst of /signaal, the writers spent more time asleep than writing.
The connections of one engine now take an asyncio lock before their first write of a transaction and
give it back at its commit or rollback, the span SQLite's own write lock has, so a writer waits its turn
and starts the moment the previous one ends. SQLite serves one process (docs/deployment.md); another
process, such as a CLI command, still meets the busy handler.

Once a transaction holds SQLite's write lock (its first change ran), the rest of it runs on the event
loop's thread: its statements and its commit cannot wait for anyone (in WAL mode readers never block a
writer) and take microseconds, while each hop to the thread was a wait in the loop's queue behind every
other update, with the lock held and every other writer waiting: under a /signaal load a transaction
held it 10 ms, the bot's ceiling on SQLite. The commit appends to the WAL without a sync
(synchronous=NORMAL); every thousand pages or so it also checkpoints, a few ms on the loop. The first
change itself runs on the loop with the busy timeout off, and only when another process holds the lock
does it go to the thread, to wait there. (SQLAlchemy opens the connection with check_same_thread off.)

It plugs in as the aiosqlite dialect's DBAPI module (`create_async_engine(url, module=one_hop_dbapi())`,
storage/db.py), a documented argument; it subclasses SQLAlchemy's own aiosqlite adapter classes and
replaces only how a cursor reaches the thread. Server-side cursors (`yield_per`, streaming) keep
SQLAlchemy's own: they fetch in parts, which is what they are for.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
from collections.abc import Callable
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

# What one statement leaves on its cursor: description, rowcount, lastrowid and the rows (None for none).
_Outcome = tuple[Any, int, int | None, list[Any] | None]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """The whole life of a cursor in one call: on the connection's thread, so the caller crosses threads
    once, or on the loop's thread when the transaction holds the write lock."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statement, fetch and close are one call on the connection's thread;
    afterwards it only hands out what that call brought back."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no aiosqlite cursor: no hop to make one
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        """Rows are fetched all at once; there is no size to set."""

    async def _async_soft_close(self) -> None:
        """Nothing is open: the call on the thread closed its cursor."""

    def close(self) -> None:
        self._rows.clear()

    async def _run(self, operation: Any, parameters: Any, many: bool) -> Any:
        connection = cast(OneHopConnection, self._adapt_connection)
        outcome = None
        if connection.locked:  # SQLite's write lock is this connection's: nothing to wait for
            outcome = _run(connection.raw, operation, parameters, many)
        else:
            locks = _locks(operation, many)
            if locks or _writes(operation):
                await connection.take_write_turn()
            if locks:
                outcome = connection.without_waiting(operation, parameters, many)
            if outcome is None:
                async with self._adapt_connection._execute_mutex:
                    outcome = await self._connection._execute(
                        _run, connection.raw, operation, parameters, many
                    )
            connection.locked = locks
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows) if rows is not None else collections.deque()
        return None

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._run(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._run(operation, seq_of_parameters, True)

    def nextset(self) -> None:
        """sqlite3 has one result set per statement."""

    def setinputsizes(self, *inputsizes: Any) -> None:
        """sqlite3 ignores input sizes."""


def _writes(operation: str) -> bool:
    """Whether a statement may write (and so begin SQLite's write transaction): all but plain reads."""
    return operation.lstrip()[:6].upper() not in ("SELECT", "PRAGMA")


def _locks(operation: str, many: bool) -> bool:
    """Whether a statement takes SQLite's write lock once it ran: data changed (a CTE or a BEGIN may not)."""
    return many or operation.lstrip()[:7].upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))


WRITE_WAIT_S = 30.0  # as the busy timeout (storage/db.py): then "database is locked", as SQLite would say
_BUSY_TIMEOUT = f"PRAGMA busy_timeout={int(WRITE_WAIT_S * 1000)}"


def _ending_write_turn(end: Callable[[Any], None]) -> Callable[[OneHopConnection], None]:
    """`end` (the adapter's commit, rollback, close or terminate), then the connection's write turn back."""

    def ended(connection: OneHopConnection) -> None:
        try:
            end(connection)
        finally:
            connection._end_write_turn()

    return ended


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_writing", "locked")
    _cursor_cls = OneHopCursor
    dbapi: OneHopDBAPI

    def __init__(self, dbapi: OneHopDBAPI, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._writing = False  # the engine's write turn is this connection's
        self.locked = False  # ... and so is SQLite's write lock: the rest of the transaction runs here

    @property
    def raw(self) -> sqlite3.Connection:
        """The sqlite3 connection under aiosqlite's."""
        return cast(sqlite3.Connection, self._connection._conn)

    def without_waiting(self, operation: str, parameters: Any, many: bool) -> _Outcome | None:
        """The transaction's first change, on the loop's thread, without waiting: None when another
        process holds SQLite's write lock (a CLI command), to be waited for on the connection's thread."""
        raw = self.raw
        raw.execute("PRAGMA busy_timeout=0")
        try:
            return _run(raw, operation, parameters, many)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            return None
        finally:
            raw.execute(_BUSY_TIMEOUT)

    async def take_write_turn(self) -> None:
        """Wait until no other connection of this engine is in a write transaction, then be the one."""
        if self._writing:
            return
        try:
            # asyncio.timeout, not wait_for: wait_for runs the acquire as a task of its own, and this one
            # goes on a loop turn after that task took the lock, holding it while everyone else runs.
            async with asyncio.timeout(WRITE_WAIT_S):
                await self.dbapi.writer.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None
        self._writing = True

    def _end_write_turn(self) -> None:
        self.locked = False
        if self._writing:
            self._writing = False
            self.dbapi.writer.release()

    def _commit(self) -> None:
        if self.locked:
            self.raw.commit()  # WAL: appended, not synced (synchronous=NORMAL, storage/db.py)
        else:
            AsyncAdapt_aiosqlite_connection.commit(self)

    def _rollback(self) -> None:
        if self.locked:
            self.raw.rollback()
        else:
            AsyncAdapt_aiosqlite_connection.rollback(self)

    # Each way a transaction ends gives the write turn back, also when ending it failed.
    commit = _ending_write_turn(_commit)
    rollback = _ending_write_turn(_rollback)
    close = _ending_write_turn(AsyncAdapt_aiosqlite_connection.close)
    terminate = _ending_write_turn(AsyncAdapt_aiosqlite_connection.terminate)


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def __init__(self, aiosqlite: Any, sqlite: Any) -> None:
        super().__init__(aiosqlite, sqlite)
        self.writer = asyncio.Lock()  # one per engine: its connections write one transaction at a time

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def one_hop_dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)
