"""Fires due follow-ups: claim a batch (a lease, committed); the rows whose case has moved on are marked
fired together in one transaction without loading their cases; the remaining rows are marked fired and
carried through the engine (CaseService.timeout) together in one more transaction, their notifications
going into the outbox in it (should one row fail, the batch rolls back and each row fires on its own).
That transaction runs a bounded number of statements whatever the batch's size: the rows and their cases
are read together, the holders of a role and their preferences once, and the cases' updates, timeline,
audit and outbox rows are written together at the end (tests/follow_ups/test_batch.py counts them).
A worker that dies mid-fire leaves its lease to expire; the next claim fires the row once. Several workers
never fire a row twice (see FollowUpRepository.mark_fired)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.cases import CaseService, EventLog
from bot.services.notify import Lookups
from flows.clock import Clock, IdSource
from flows.engine import RouteEngine, timeout_is_void
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class FollowUpRunner:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        route_engine: RouteEngine,
        clock: Clock,
        ids: IdSource,
        *,
        worker: str,
        timezone: str = "Europe/Amsterdam",
        lease: timedelta = timedelta(seconds=60),
        batch: int = 100,
        event_log: EventLog | None = None,
        on_fired: Callable[[], None] | None = None,
    ) -> None:
        self.sessionmaker, self.route_engine, self.clock, self.ids = sessionmaker, route_engine, clock, ids
        self.worker, self.timezone, self.lease, self.batch = worker, timezone, lease, batch
        self.event_log, self.on_fired = event_log, on_fired

    async def run_due(self) -> int:
        """Fire every follow-up due now; returns how many fired."""
        fired = 0
        while ids := await self.claim():
            void, live = await self.fire_void(ids)
            fired += void + await self.fire_together(live)
        if fired and self.on_fired is not None:
            self.on_fired()  # their notifications are committed: send them now
        return fired

    async def claim(self) -> list[int]:
        async with UnitOfWork(self.sessionmaker) as uow:
            ids = await uow.follow_ups.claim(
                worker=self.worker, now=self.clock.now(), lease=self.lease, limit=self.batch
            )
            await uow.commit()
        return ids

    async def fire_void(self, ids: list[int]) -> tuple[int, list[int]]:
        """Mark the claimed rows whose case moved on (or is gone) fired, together, without loading a case:
        their timeout would change nothing (flows.engine.timeout_is_void). Returns how many were marked,
        and the rows that still need the engine, in claim order."""
        async with UnitOfWork(self.sessionmaker) as uow:
            positions = await uow.follow_ups.positions(ids)
            void = {
                row_id
                for row_id, step, status, case_step in positions
                if status is None or case_step is None or timeout_is_void(status, case_step, step)
            }
            marked = await uow.follow_ups.mark_fired_many(
                sorted(void), worker=self.worker, now=self.clock.now()
            )
            await uow.commit()
        return marked, [row_id for row_id in ids if row_id not in void]

    async def fire_together(self, ids: list[int]) -> int:
        """Fire the claimed rows in one transaction, one commit for the batch instead of one per row. If any
        row raises, the whole batch rolls back and each row fires in a unit of work of its own, so one broken
        case still cannot stop the others (and the broken one is counted as failed)."""
        if not ids:
            return 0
        events_before = len(self.event_log) if self.event_log is not None else 0
        try:
            async with UnitOfWork(self.sessionmaker) as uow:
                fired = await self._fire_batch(uow, ids)
                await uow.commit()
                return fired
        except Exception:
            if self.event_log is not None:
                del self.event_log[events_before:]  # those events were rolled back with the batch
            log.warning("a batch of %d follow-ups failed; firing them one by one", len(ids))
        return sum([await self.fire(row_id) for row_id in ids])

    async def _fire_batch(self, uow: UnitOfWork, ids: list[int]) -> int:
        """Mark `ids` fired and carry them through the engine in `uow`, reading and writing together. Raises
        when another worker took one of them meanwhile (the caller then fires them one by one)."""
        rows = await uow.follow_ups.mine(ids, worker=self.worker)
        if len(rows) != len(ids):
            raise _Taken(f"{len(ids) - len(rows)} of the batch are no longer {self.worker}'s")
        marked = await uow.follow_ups.mark_fired_many(ids, worker=self.worker, now=self.clock.now())
        if marked != len(ids):
            raise _Taken(f"{len(ids) - marked} of the batch fired elsewhere")
        cases = await uow.cases.get_many_by_id([row.case_id for row in rows])
        service = CaseService(
            uow,
            self.route_engine,
            self.clock,
            self.ids,
            self.timezone,
            self.event_log,
            lookups=Lookups(uow),
        )
        # The writes wait for the end of the batch, and go together (the same transaction either way).
        uow.audit.begin_deferred()
        uow.outbox.begin_deferred()
        uow.cases.begin_deferred()
        for row in sorted(rows, key=lambda r: ids.index(r.id)):  # claim order
            case = cases.get(row.case_id)
            if case is None:
                continue
            result = await service.timeout(case.ref, row.step, row.follow_up, case=case)
            if result is not None:
                cases[row.case_id] = result.case  # a second follow-up of the case sees this one's move
        await uow.cases.flush_deferred()  # the cases' own rows first: the others refer to them
        await uow.session.flush()
        await uow.audit.flush_deferred()
        await uow.outbox.flush_deferred()
        return len(ids)

    async def _fire_in(self, uow: UnitOfWork, row_id: int) -> bool:
        row = await uow.follow_ups.get(row_id)
        if row is None:
            return False
        case_id, step, follow_up = row.case_id, row.step, row.follow_up
        # First: from here on this transaction owns the row, or another worker already fired it.
        if not await uow.follow_ups.mark_fired(row_id, worker=self.worker, now=self.clock.now()):
            return False
        case = await uow.cases.get_by_id(case_id)
        if case is not None:
            service = CaseService(uow, self.route_engine, self.clock, self.ids, self.timezone, self.event_log)
            await service.timeout(case.ref, step, follow_up)
        return True

    async def fire(self, row_id: int) -> bool:
        try:
            async with UnitOfWork(self.sessionmaker) as uow:
                fired = await self._fire_in(uow, row_id)
                await uow.commit()
                return fired
        except Exception:  # one broken case must not stop the others; the lease retries it later
            log.exception("follow-up %s failed", row_id)
            async with UnitOfWork(self.sessionmaker) as uow:
                await uow.follow_ups.failed(row_id, worker=self.worker)
                await uow.commit()
            return False


class _Taken(Exception):
    """A row of the batch is no longer this worker's to fire."""
