"""The unit of work: one session, its repositories, and the only place that commits."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.cipher import Cipher
from storage.db import CIPHER_INFO, ON_WRITE_INFO, QUICK_READS_INFO, WatchedSession
from storage.quick_reads import PointReads, PostgresReads, QuickReads
from storage.repositories import (
    AuditRepository,
    CaseRepository,
    FollowUpRepository,
    FsmStateRepository,
    InviteRepository,
    JobRunRepository,
    MeetingRepository,
    MemberRepository,
    OutboxRepository,
    PreferenceRepository,
    SchoolRepository,
)

if TYPE_CHECKING:
    from storage.repositories.report import ReportRepository


class UnitOfWork:
    """`async with UnitOfWork(sessionmaker) as uow: ...; await uow.commit()`.

    Leaving the block without commit() (or with an exception) discards everything it wrote. A unit of
    work that wrote nothing commits nothing: most updates only read, and a commit is a round trip (and on
    SQLite a sync to disk) that would buy them nothing.
    """

    session: AsyncSession
    schools: SchoolRepository
    members: MemberRepository
    invites: InviteRepository
    cases: CaseRepository
    outbox: OutboxRepository
    follow_ups: FollowUpRepository
    fsm: FsmStateRepository  # dialogue state (bot/fsm.py)
    prefs: PreferenceRepository
    meetings: MeetingRepository
    audit: AuditRepository
    job_runs: JobRunRepository  # jobs run once per period across workers, handled webhook updates

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], cipher: Cipher | None = None) -> None:
        self._sessionmaker = sessionmaker
        self._cipher = cipher
        self._committed = False
        self._report: ReportRepository | None = None

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessionmaker()
        self._wrote = False
        self._untouched = True  # nothing written in the current transaction: quick reads see all of it
        self._quick: QuickReads | None = self.session.info.get(QUICK_READS_INFO)
        bind = self.session.bind
        self._postgres = (
            PostgresReads(self.session) if bind is not None and bind.dialect.name == "postgresql" else None
        )
        sync = self.session.sync_session
        if isinstance(sync, WatchedSession):
            sync.info[ON_WRITE_INFO] = self._written
        else:  # a session from elsewhere: the same, listened to on this session only
            event.listen(sync, "after_flush", lambda *_: self._written())
            event.listen(sync, "do_orm_execute", lambda state: None if state.is_select else self._written())
        # An explicit cipher wins; else the one the sessionmaker was made with (storage.db).
        cipher = self._cipher or self.session.info.get(CIPHER_INFO)
        self.schools = SchoolRepository(self.session, self.point_reads)
        self.members = MemberRepository(self.session, cipher, self.point_reads)
        self.invites = InviteRepository(self.session, cipher)
        self.cases = CaseRepository(self.session, cipher, self.quick_reads, self.point_reads)
        self.audit = AuditRepository(self.session)
        self.audit.begin_deferred()  # written together at the commit: one INSERT, not a flush per entry
        self.outbox = OutboxRepository(self.session)
        self.follow_ups = FollowUpRepository(self.session)
        self.fsm = FsmStateRepository(self.session, self.point_reads)
        self.prefs = PreferenceRepository(self.session)
        self.meetings = MeetingRepository(self.session)
        self._report = None
        self.job_runs = JobRunRepository(self.session)
        self._committed = False
        self._bookkeeping = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() alone also discards uncommitted work (the transaction is rolled back) but keeps
        # loaded objects readable, so a read-only unit of work can hand them out.
        try:
            if exc_type is not None:
                await self.session.rollback()
        finally:
            await self.session.close()

    @property
    def report(self) -> ReportRepository:
        """Aggregates only (zorgroute report, /overzicht). Built on first use: its module pulls the route
        report and the school calendars, which no other unit of work needs."""
        if self._report is None:
            from storage.repositories.report import ReportRepository

            self._report = ReportRepository(self.session)
        return self._report

    @property
    def wrote(self) -> bool:
        """Whether this unit of work has written anything (flushed objects or run DML) since it began."""
        return self._wrote or self._unflushed() or self.fsm.pending or self.audit.pending

    @property
    def queued_notifications(self) -> bool:
        """Whether this unit of work queued outbox rows: only then has the dispatcher something new to
        send once it commits (an update that only moved a form along must not wake every drain)."""
        return self.outbox.queued > 0

    def _unflushed(self) -> bool:
        """Whether the session holds changes it has not flushed yet."""
        session = self.session
        return bool(session.new or session.dirty or session.deleted)

    def keep_bookkeeping(self) -> None:
        """What was written so far is bookkeeping (a webhook update's dedupe row): commit() commits it,
        but `wrote` (did the work change anything?) no longer counts it."""
        self._bookkeeping = True
        self._wrote = False

    def quick_reads(self) -> QuickReads | None:
        """The reader on the loop's thread (storage/quick_reads.py), while this unit of work has written
        nothing it would not see; None on PostgreSQL, and after a write until the commit."""
        return self._quick if self._untouched else None

    def point_reads(self) -> PointReads | None:
        """The reads without the ORM (storage/quick_reads.py): on SQLite the quick reader, while it sees
        everything; on PostgreSQL plain SQL on this unit of work's connection, while no change waits for
        a flush (those reads do not flush first, as the session does)."""
        if self._postgres is not None:
            return None if self._unflushed() else self._postgres
        return self.quick_reads()

    def _written(self) -> None:
        self._wrote = True
        self._untouched = False
        if self._postgres is not None:
            self._postgres.forget()  # what it read ahead may be what was just changed

    async def commit(self) -> None:
        await self.fsm.flush()  # dialogue state waits for the commit (storage/repositories/fsm_states.py)
        await self.audit.flush_deferred()  # and so do audit entries
        self.audit.begin_deferred()
        if self.wrote or self._bookkeeping:
            await self.session.commit()
            self._wrote = self._bookkeeping = False
            self._untouched = True
        if self._postgres is not None:
            self._postgres.forget()  # the next transaction reads afresh
        self._committed = True

    async def rollback(self) -> None:
        await self.session.rollback()
        self.outbox.queued = 0
        self.fsm.forget_cached()
        self.audit.discard_deferred()
        if self._postgres is not None:
            self._postgres.forget()
        self._wrote = self._bookkeeping = False
        self._untouched = True
        self._committed = False
