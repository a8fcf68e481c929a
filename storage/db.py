"""Engine and session factory; the one place that knows about database dialects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session

from storage.cipher import Cipher

CIPHER_INFO = "zorgroute.cipher"  # the key in Session.info that holds the database's cipher
QUICK_READS_INFO = "zorgroute.quick_reads"  # ... and the database's reader on the loop's thread (SQLite)
STORED_ROUTES_INFO = "zorgroute.stored_routes"  # ... and the route versions known to be stored in it
ON_WRITE_INFO = "zorgroute.on_write"  # ... and what to call when the session writes (storage/uow.py)
POSTGRES_POOL_SIZE = 20  # connections a worker keeps open (and 10 more at a peak): see create_engine


class WatchedSession(Session):
    """A Session that calls `info[ON_WRITE_INFO]` when it flushes or runs a statement that is not a
    SELECT. The events are the class's, listened to once: listening on each session cost more than the
    reads of a whole /help."""


@event.listens_for(WatchedSession, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    on_write = session.info.get(ON_WRITE_INFO)
    if on_write is not None:
        on_write()


@event.listens_for(WatchedSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    on_write = state.session.info.get(ON_WRITE_INFO)
    if on_write is not None and not state.is_select:
        on_write()


def _sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for sqlite+aiosqlite or postgresql+asyncpg.

    SQLite gets WAL with synchronous=NORMAL, foreign keys and a busy timeout on every connection, and
    its directory is created. A PostgreSQL URL may carry `?search_path=SCHEMA` (used to isolate tests);
    it becomes a server setting of every connection.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        if parsed.get_driver_name() == "aiosqlite":
            from storage.sqlite_driver import one_hop_dbapi

            kwargs.setdefault("module", one_hop_dbapi())  # one thread hop per statement, not four
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    search_path = parsed.query.get("search_path")
    if search_path:
        parsed = parsed.difference_update_query(["search_path"])
        connect_args = dict(kwargs.pop("connect_args", {}))
        settings = dict(connect_args.get("server_settings", {}))
        settings["search_path"] = str(search_path)
        connect_args["server_settings"] = settings
        kwargs["connect_args"] = connect_args
    # No ping before every checkout (a round trip per update): connections are recycled before a server
    # or a proxy in between would drop them for idling, and a dead one fails its update, which is retried.
    kwargs.setdefault("pool_recycle", 1800)
    # Room for every update in its database slot (bot/app.py), each user's shared rate-limit take before it
    # (storage/buckets.py), the outbox and the scheduler: with SQLAlchemy's 5 kept connections the rest were
    # overflow, opened and closed again per use, a new server process each time (a quarter of a /help).
    kwargs.setdefault("pool_size", POSTGRES_POOL_SIZE)
    return create_async_engine(parsed, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # With WAL, NORMAL syncs at checkpoints instead of at every commit: a commit survives a crash of the
    # process, and only a power loss can undo the last commits — never corrupt the database.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite has one writer; on a busy machine a writer can wait longer than a few seconds.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessionmaker(engine: AsyncEngine, cipher: Cipher | None = None) -> async_sessionmaker[AsyncSession]:
    """Sessions for `engine`. The cipher belongs to the database (one key set seals all of it), so it
    travels with the sessionmaker in the sessions' `info`: every UnitOfWork opened on it seals and opens
    with it, and one that forgets to pass a cipher cannot write plaintext. No process-wide state.

    On a SQLite file the sessions also carry the database's quick reader (storage/quick_reads.py)."""
    from storage.quick_reads import QuickReads  # imports the models: not for what only migrates

    info: dict[str, Any] = {
        CIPHER_INFO: cipher,
        QUICK_READS_INFO: QuickReads.for_engine(engine),
        STORED_ROUTES_INFO: set(),  # shared by the sessions: each gets a shallow copy of `info`
    }
    return async_sessionmaker(engine, expire_on_commit=False, info=info, sync_session_class=WatchedSession)
