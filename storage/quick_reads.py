"""The reads every update starts with, past the ORM.

Every update reads the same few rows before anything else: the chat's dialogue state, the member with
their roles, the school, and for a form step its case. Through aiosqlite each statement is a hop to the
connection's thread and back, and through the ORM a loading pipeline: together about 1.5 ms per
statement, most of a `/help` (`bench/throughput.py`, and the figures in bench/README.md).

On a SQLite file (`QuickReads`) these reads go through one plain, read-only connection, owned by the
process and used only from the loop's thread. Why that is safe:
- in WAL mode a reader never waits for the writer, so a read here does not stall the loop behind a write
  (a short busy timeout covers the rare moments it would, and then the caller reads the usual way);
- each read sees one committed snapshot (a case and its timeline are read in one read transaction), like
  a read at the start of an update's own transaction: SQLite runs one process (docs/deployment.md), and
  a chat's previous update committed before its next began (bot/middlewares/lanes.py);
- a unit of work uses these reads only while it has written nothing (storage/uow.py), because this
  connection cannot see the unit of work's own uncommitted rows.

On PostgreSQL (`PostgresReads`) the same statements run through asyncpg on the unit of work's own
connection, in its transaction. Either way the values pass SQLAlchemy's result processors for the same
columns, so they carry the same Python types as an ORM load (UTC datetimes, JSON as dicts).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, Select, bindparam, inspect, literal_column, select
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.dialects.sqlite.pysqlite import dialect as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.pool import StaticPool

from storage.models import (
    CaseRow,
    FsmStateRow,
    Member,
    MemberRole,
    ParticipantRow,
    PupilRow,
    School,
    TimelineRow,
)

log = logging.getLogger(__name__)

_member, _role = Member.__table__, MemberRole.__table__
_school, _fsm = School.__table__, FsmStateRow.__table__

# One statement each: the member and their roles in one join, so both come from one snapshot.
_MEMBER_WITH_ROLES = (
    select(_member, _role.c.id.label("role_id"), _role.c.school_id, _role.c.role)
    .outerjoin(_role, _role.c.member_id == _member.c.id)
    .where(_member.c.telegram_user_id == bindparam("telegram_user_id"))
    .order_by(_role.c.id)
)
_SCHOOL = select(_school).where(_school.c.id == bindparam("school_id"))
_FSM = select(_fsm.c.state, _fsm.c.data).where(_fsm.c.key == bindparam("key"))
_case, _pupil, _timeline, _participant = (
    CaseRow.__table__,
    PupilRow.__table__,
    TimelineRow.__table__,
    ParticipantRow.__table__,
)
_CASE = select(_case).where(_case.c.ref == bindparam("ref"))
_PUPIL = select(_pupil).where(_pupil.c.id == bindparam("pupil_id"))
_TIMELINE = select(_timeline).where(_timeline.c.case_id == bindparam("case_id")).order_by(_timeline.c.seq)
_PARTICIPANTS = (
    select(_participant)
    .where(_participant.c.case_id == bindparam("case_id"))
    .order_by(_participant.c.at, _participant.c.member_id, _participant.c.reason)
)

BUSY_TIMEOUT_MS = 50  # the rare wait on a checkpoint; longer, and the caller reads through its session

Row = dict[str, Any]
# A case as read: its row, its pupil's row (None), its timeline and its participants.
QuickCase = tuple[Row, Row | None, list[Row], list[Row]]


class _Query:
    """A SELECT compiled once for SQLite, with the result processors SQLAlchemy would apply (so a
    UTCDateTime comes back aware, JSON as a dict): through SQLAlchemy's Core each read cost ten times
    the read itself."""

    def __init__(self, statement: Select[Any], dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.params = tuple(compiled.positiontup or ())
        self.columns = tuple(
            (str(column.key), column.type._cached_result_processor(dialect, None))
            for column in statement.selected_columns
        )

    def rows(self, connection: sqlite3.Connection, **params: Any) -> list[Row]:
        cursor = connection.execute(self.sql, tuple(params[name] for name in self.params))
        return self.processed(cursor.fetchall())

    def processed(self, records: Iterable[Sequence[Any]]) -> list[Row]:
        """Rows as {column: value}, each value through its type's result processor."""
        columns = self.columns
        return [
            {
                key: value if process is None else process(value)
                for (key, process), value in zip(columns, r, strict=False)
            }
            for r in records
        ]


class _PointReads:
    """The point reads, over an engine's own way to run one SELECT (`_rows`) and to read several in one
    snapshot (`_snapshot`). Each answers None when it could not read (the caller then reads through its
    session)."""

    async def _rows(self, statement: Select[Any], **params: Any) -> list[Row] | None:
        raise NotImplementedError

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[None]:
        yield

    async def member_with_roles(self, telegram_user_id: int) -> list[Row] | None:
        """The member's row once per role (role_id, school_id and role None for a member without roles);
        [] for no such member."""
        return await self._rows(_MEMBER_WITH_ROLES, telegram_user_id=telegram_user_id)

    async def school(self, school_id: int) -> list[Row] | None:
        """[the school's row], or [] for no such school."""
        return await self._rows(_SCHOOL, school_id=school_id)

    async def fsm(self, key: str, telegram_user_id: int | None = None) -> list[Row] | None:
        """[{state, data}], or [] when the key has no dialogue state. `telegram_user_id`: whose key it is,
        for a reader that reads that member along with it."""
        return await self._rows(_FSM, key=key)

    async def case(self, ref: str) -> QuickCase | tuple[()] | None:
        """The case `ref` with its pupil, timeline and participants, read in one snapshot; () for no such
        case."""
        try:
            async with self._snapshot():
                found = await self._rows(_CASE, ref=ref)
                if not found:
                    return None if found is None else ()
                case = found[0]
                pupil = await self._rows(_PUPIL, pupil_id=case["pupil_id"]) if case["pupil_id"] else []
                timeline = await self._rows(_TIMELINE, case_id=case["id"])
                participants = await self._rows(_PARTICIPANTS, case_id=case["id"])
        except _Unreadable:
            return None
        if pupil is None or timeline is None or participants is None:
            return None
        return case, (pupil[0] if pupil else None), timeline, participants


class _Unreadable(Exception):
    """A snapshot could not begin."""


class QuickReads(_PointReads):
    """Read-only point lookups on a SQLite file, on the calling thread."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._orm_engine: Engine | None = None
        self._orm_pid = 0

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> QuickReads | None:
        """The reader for `engine`'s database: SQLite files only (not `:memory:`, which is per connection)."""
        url = engine.url
        database = url.database
        if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
            return None
        if database.startswith("file:"):
            return None
        return cls(database)

    def _open(self) -> sqlite3.Connection:
        # A forked worker opens its own: a SQLite connection must not cross a fork. Autocommit, so every
        # SELECT is a read transaction of its own and sees what was committed before it.
        if self._connection is None or self._pid != os.getpid():
            connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA query_only=ON")
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    async def _rows(self, statement: Select[Any], **params: Any) -> list[Row] | None:
        try:
            return _compiled(statement, _SQLITE).rows(self._open(), **params)
        except sqlite3.Error as exc:  # busy, or the file changed under us: read through the session
            log.info("quick read fell back: %s", exc)
            self.close()
            return None

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[None]:
        """One read transaction: the statements in it see one committed state."""
        try:
            connection = self._open()
            connection.execute("BEGIN")
        except sqlite3.Error as exc:
            log.info("quick read fell back: %s", exc)
            self.close()
            raise _Unreadable from exc
        try:
            yield
        finally:
            if self._connection is connection:  # not closed by a failed read
                try:
                    connection.execute("COMMIT")
                except sqlite3.Error:
                    self.close()

    @contextmanager
    def orm_session(self) -> Iterator[Session | None]:
        """A plain (not async) ORM session on the reader's connection, for reads that load rows and
        their relations the way the repositories do; None when the file cannot be opened. What it
        loaded is its own: `adopt` hands rows to the update's session."""
        try:
            self._open()
        except sqlite3.Error as exc:
            log.info("quick read fell back: %s", exc)
            yield None
            return
        if self._orm_engine is None or self._orm_pid != os.getpid():
            self._orm_engine = create_sync_engine("sqlite://", creator=self._open, poolclass=StaticPool)
            self._orm_pid = os.getpid()
        session = Session(self._orm_engine, expire_on_commit=False, autoflush=False)
        try:
            yield session
        finally:
            session.close()

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None
        if self._orm_engine is not None and self._orm_pid == os.getpid():
            self._orm_engine.dispose()
        self._orm_engine = None


class PointReads(Protocol):
    """The reads every update starts with, without the ORM: `QuickReads` on SQLite, `PostgresReads` on
    PostgreSQL. Each answers None when it could not read (the caller then reads through its session)."""

    async def member_with_roles(self, telegram_user_id: int) -> list[Row] | None: ...

    async def school(self, school_id: int) -> list[Row] | None: ...

    async def fsm(self, key: str, telegram_user_id: int | None = None) -> list[Row] | None: ...

    async def case(self, ref: str) -> QuickCase | tuple[()] | None: ...


class PostgresReads(_PointReads):
    """The same point reads on PostgreSQL: plain SQL on the unit of work's own connection, in its
    transaction (so after the chat's turn is taken, and seeing the unit of work's own flushed rows), through
    asyncpg directly. Through SQLAlchemy's ORM each cost about ten times the round trip.

    Each read is a round trip, and the first three of every update are known together: the dialogue state
    of a user's key, that user as a member with their roles, and their schools. `fsm(key, user)` reads all
    of them in one statement and keeps the member and schools for the reads that follow, until this unit of
    work writes (`forget`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._ahead: dict[tuple[str, int], list[Row]] = {}

    def forget(self) -> None:
        """Drop what was read ahead: the unit of work wrote, or its transaction ended."""
        self._ahead.clear()

    async def _rows(self, statement: Select[Any], **params: Any) -> list[Row]:
        connection = await self._session.connection()
        query = _compiled(statement, connection.dialect)
        raw = await connection.get_raw_connection()
        records = await raw.driver_connection.fetch(query.sql, *(params[name] for name in query.params))  # type: ignore[union-attr]
        return query.processed(records)

    async def member_with_roles(self, telegram_user_id: int) -> list[Row] | None:
        ahead = self._ahead.pop(("member", telegram_user_id), None)
        return ahead if ahead is not None else await super().member_with_roles(telegram_user_id)

    async def school(self, school_id: int) -> list[Row] | None:
        ahead = self._ahead.pop(("school", school_id), None)
        return ahead if ahead is not None else await super().school(school_id)

    async def fsm(self, key: str, telegram_user_id: int | None = None) -> list[Row] | None:
        if telegram_user_id is None:
            return await super().fsm(key)
        rows = await self._rows(_AHEAD, key=key, telegram_user_id=telegram_user_id)
        first = rows[0]  # one row at least: the statement reads from a one-row table outward
        self._ahead[("member", telegram_user_id)] = [] if first["id"] is None else rows
        for row in rows:
            if row["school__id"] is not None:
                school = {column: row[f"school__{column}"] for column in _SCHOOL_COLUMNS}
                self._ahead[("school", row["school__id"])] = [school]
        return [] if first["fsm_key"] is None else [{"state": first["fsm_state"], "data": first["fsm_data"]}]


_SCHOOL_COLUMNS = tuple(str(column.key) for column in _school.c)
# The dialogue state, the member with their roles and each role's school, in one statement: one row per
# role (one for a member without roles, or no member), each carrying the state (or NULLs for none).
_one = select(literal_column("1").label("one")).subquery("one")
_AHEAD = (
    select(
        _fsm.c.key.label("fsm_key"),
        _fsm.c.state.label("fsm_state"),
        _fsm.c.data.label("fsm_data"),
        *_member.c,
        _role.c.id.label("role_id"),
        _role.c.school_id,
        _role.c.role,
        *(column.label(f"school__{column.key}") for column in _school.c),
    )
    .select_from(
        _one.outerjoin(_fsm, _fsm.c.key == bindparam("key"))
        .outerjoin(_member, _member.c.telegram_user_id == bindparam("telegram_user_id"))
        .outerjoin(_role, _role.c.member_id == _member.c.id)
        .outerjoin(_school, _school.c.id == _role.c.school_id)
    )
    .order_by(_role.c.id)
)

_SQLITE = sqlite_dialect()
_COMPILED: dict[tuple[int, type[Any]], _Query] = {}


def _compiled(statement: Select[Any], dialect: Any) -> _Query:
    key = (id(statement), type(dialect))
    query = _COMPILED.get(key)
    if query is None:
        query = _COMPILED[key] = _Query(statement, dialect)
    return query


class Awaited:
    """A plain session with the async session's reading methods, so that a repository's reading code runs
    unchanged on either (`await session.scalars(...)`)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self.session.execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return self.session.scalar(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return self.session.scalars(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return self.session.get(*args, **kwargs)


def adopt(loaded: Session, into: AsyncSession, cls: type[Any]) -> None:
    """Move the `cls` rows `loaded` holds into the update's session, as if that session had read them:
    a later change to one is then saved without reading it again."""
    for instance in [i for i in loaded.identity_map.values() if isinstance(i, cls)]:
        loaded.expunge(instance)
        key = inspect(instance).identity_key
        if key is not None and into.sync_session.identity_map.get(key) is None:
            into.add(instance)


T = TypeVar("T")


def detached(cls: type[T], columns: Mapping[str, Any]) -> T:
    """An instance of the mapped `cls` from its table's column values, as if the ORM had just loaded it:
    no history, so adding it to a session writes nothing."""
    instance = _loaded(cls, columns)
    make_transient_to_detached(instance)
    return instance


def member_with_roles(rows: list[Row]) -> Member:
    """A Member with its roles loaded, from `QuickReads.member_with_roles`'s rows (not empty)."""
    first = rows[0]
    member = _loaded(Member, first)
    roles = []
    for row in rows:
        if row["role_id"] is not None:
            role = _loaded(MemberRole, {**row, "id": row["role_id"], "member_id": first["id"]})
            set_committed_value(role, "member", member)
            roles.append(role)
    set_committed_value(member, "roles", roles)
    for instance in (*roles, member):
        make_transient_to_detached(instance)
    return member


def _loaded(cls: type[T], columns: Mapping[str, Any]) -> T:
    # What the ORM's loading does: a new instance without calling __init__, its columns put in place
    # without attribute events (so without history).
    mapper = cls.__mapper__  # type: ignore[attr-defined]
    instance: T = mapper.class_manager.new_instance()
    instance.__dict__.update({key: columns[name] for key, name in _column_names(mapper)})
    return instance


_NAMES: dict[Any, tuple[tuple[str, str], ...]] = {}


def _column_names(mapper: Any) -> tuple[tuple[str, str], ...]:
    """(attribute, column) pairs of a mapper; Member.sealed_name is the column display_name."""
    names = _NAMES.get(mapper)
    if names is None:
        names = _NAMES[mapper] = tuple((p.key, p.columns[0].name) for p in mapper.column_attrs)
    return names
