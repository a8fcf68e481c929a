"""Sends what the outbox holds: claims due rows, delivers each on its channel, records the provider id,
retries with exponential backoff and jitter, and dead-letters after `max_attempts` (telling the admins).

Crash safety: the claim is committed before sending, so a crash leaves a lease that expires and the row
is sent by the next claimer; the provider id is committed in its own transaction right after the send.
A send that has started is shielded from cancellation, so a graceful stop (SIGTERM, task cancel) still
records it; only a hard kill between the provider's acceptance and that commit can send a row twice —
for mail the repeated Message-ID lets receivers drop it; Telegram and WhatsApp have no such key.

Throughput: up to `concurrency` sends run at once; the Telegram sender's limiter, not the dispatcher,
keeps them within Telegram's limits. No database session is held during a send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.errors import ChannelError, PermanentError, RetryableError
from bot.outbox.senders import Delivery, Sender
from bot.render.text import Translator
from bot.services.notify import queue_dead_letter_alert
from flows.clock import Clock
from flows.registry import RouteRegistry
from storage.repositories.preferences import Preferences
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Result:
    provider_id: str | None = None
    error: ChannelError | None = None


class OutboxDispatcher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        senders: dict[str, Sender],
        i18n: I18n,
        clock: Clock,
        routes: RouteRegistry,
        *,
        worker: str,
        timezone: str = "Europe/Amsterdam",
        lease: timedelta = timedelta(seconds=60),
        max_attempts: int = 8,
        backoff_base: float = 2.0,
        backoff_cap: float = 900.0,
        batch: int = 100,
        concurrency: int = 32,
        rng: random.Random | None = None,
    ) -> None:
        self.sessionmaker, self.senders, self.i18n, self.clock, self.routes = (
            sessionmaker,
            senders,
            i18n,
            clock,
            routes,
        )
        self.worker, self.timezone, self.lease, self.batch = worker, timezone, lease, batch
        self.max_attempts, self.backoff_base, self.backoff_cap = max_attempts, backoff_base, backoff_cap
        self.rng = rng or random.Random()
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._results: list[tuple[int, _Result, asyncio.Future[None]]] = []
        self._recorder: asyncio.Task[None] | None = None
        self._schools: dict[int, str] = {}
        self._lanes: dict[tuple[int, str], asyncio.Lock] = {}
        self._wake = asyncio.Event()
        self._stopping = False

    @property
    def channels(self) -> Collection[str]:
        """The channels this bot can send on: a channel without settings has no sender."""
        return frozenset(self.senders)

    def kick(self) -> None:
        """New rows were committed: send them now rather than at the next tick."""
        self._wake.set()

    async def drain(self) -> int:
        """Send everything due now; returns how many rows were handled.

        Rows are claimed in batches, and the next batch is claimed while the last sends of the previous
        one are still out, so the channel never idles at a batch boundary."""
        handled, running = 0, set[asyncio.Task[None]]()
        self._schools.clear()
        self._lanes.clear()
        exhausted = False
        try:
            while True:
                if not exhausted and len(running) <= self.batch // 2:
                    claimed = await self._claim_shielded(self.batch - len(running))
                    exhausted = len(claimed) < self.batch - len(running)
                    running |= {asyncio.create_task(self._deliver_in_lane(*row)) for row in claimed}
                if not running:
                    return handled
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()  # an unexpected failure (the database) ends the drain
                handled += len(done)
                if not running:
                    exhausted = False  # one more look: rows may have been queued meanwhile
        except BaseException:
            # Cancelled (or the database failed): rows not yet started stay claimed until their lease
            # expires; sends in flight finish and record (they are shielded).
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await asyncio.gather(*self._in_flight, return_exceptions=True)
            # And their group commit: a stopped dispatcher must not leave a write transaction open.
            if self._recorder is not None:
                await asyncio.gather(self._recorder, return_exceptions=True)
            raise

    async def _claim_shielded(self, limit: int) -> list[tuple[int, int, str]]:
        """A claim that a cancellation cannot cut between its UPDATE and its COMMIT: cut there, the
        connection was dropped with SQLite's write lock still held, and the next worker's claim waited out
        its busy timeout and failed with "database is locked". A cancelled drain lets the claim commit
        (its rows stay leased until the lease expires) and only then stops."""
        claiming = asyncio.ensure_future(self._claim(limit))
        try:
            return await asyncio.shield(claiming)
        except asyncio.CancelledError:
            await asyncio.gather(claiming, return_exceptions=True)
            raise

    async def _claim(self, limit: int) -> list[tuple[int, int, str]]:
        """Claimed rows as (id, member, channel), oldest first."""
        async with UnitOfWork(self.sessionmaker) as uow:
            rows = await uow.outbox.claim(
                worker=self.worker, now=self.clock.now(), lease=self.lease, limit=limit
            )
            await uow.commit()
            return [(r.id, r.member_id, r.channel) for r in rows]

    async def _deliver_in_lane(self, row_id: int, member_id: int, channel: str) -> None:
        """Different people are served concurrently; one person's messages on one channel go one after
        the other, in the order they were queued (asyncio locks hand over first come, first served, and
        the tasks reach their lane in claim order)."""
        async with self._lanes.setdefault((member_id, channel), asyncio.Lock()):
            await self._deliver(row_id)

    async def run(self, idle: float = 30.0) -> None:
        """Drain whenever kicked, when the next retry falls due, and at least every `idle` seconds."""
        while not self._stopping:
            try:
                await self.drain()
                wait = await self._until_next_due(idle)
            except Exception:  # a broken database connection must not end delivery for good
                log.exception("outbox drain failed")
                wait = idle
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def close(self) -> None:
        """Release what senders hold open (the WhatsApp client's HTTP session)."""
        for sender in self.senders.values():
            client = getattr(sender, "client", None)
            if client is not None and hasattr(client, "close"):
                await client.close()

    async def _until_next_due(self, idle: float) -> float:
        async with UnitOfWork(self.sessionmaker) as uow:
            due = await uow.outbox.next_due()
        if due is None:
            return idle
        return min(idle, max(0.05, (due - self.clock.now()).total_seconds()))

    async def _deliver(self, row_id: int) -> None:
        async with self._slots:
            delivery = await self._load(row_id)
            if delivery is None:
                return
            # From here the row is as good as sent: cancelling us must not cancel the send or its record.
            task = asyncio.create_task(self._send_and_record(row_id, delivery))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            await asyncio.shield(task)

    async def _school_name(self, uow: UnitOfWork, school_id: int) -> str:
        # Kept per drain: a fan-out to a whole school would otherwise read the same row a thousand times.
        if school_id not in self._schools:
            school = await uow.schools.get(school_id)
            self._schools[school_id] = school.name if school else ""
        return self._schools[school_id]

    async def _send_and_record(self, row_id: int, delivery: Delivery | ChannelError) -> None:
        result = await self._send(delivery)
        await self._record(row_id, result)

    async def _load(self, row_id: int) -> Delivery | ChannelError | None:
        """The row with everything its sender needs, read in a short transaction; None if not ours."""
        async with UnitOfWork(self.sessionmaker) as uow:
            row = await uow.outbox.get(row_id)
            if row is None or row.status != "pending" or row.claimed_by != self.worker:
                return None
            member = await uow.members.get(row.member_id)
            if member is None:
                return PermanentError("no recipient")
            if row.channel not in self.senders:
                return PermanentError(f"no sender for {row.channel}")
            school_name = await self._school_name(uow, int(row.payload.get("school_id", 0)))
            route = None
            # The route labels action buttons and says who works on the step (their "Oppakken" button).
            if row.payload.get("actions") or row.payload.get("follow_up") or row.payload.get("step"):
                pinned = await uow.cases.route_of(row.payload["case_ref"])
                route = self.routes.get(*pinned) if pinned else None
            # Telegram needs no contact details: do not even read them for it.
            prefs = await uow.prefs.get(member.id) if row.channel != "telegram" else Preferences()
            return Delivery(
                row,
                member,
                Translator(self.i18n, member.language or "nl", self.timezone),
                school_name,
                route,
                prefs=prefs,
                now=self.clock.now(),
                name=uow.members.name(member),
            )

    async def _send(self, delivery: Delivery | ChannelError) -> _Result:
        if isinstance(delivery, ChannelError):
            return _Result(error=delivery)
        try:
            return _Result(provider_id=await self.senders[delivery.row.channel].send(delivery))
        except ChannelError as exc:
            return _Result(error=exc)
        except Exception as exc:  # a bug in rendering must not leave the row claimed forever
            log.exception("outbox row %s: unexpected error while sending", delivery.row.id)
            return _Result(error=RetryableError(f"unexpected {type(exc).__name__}"))

    async def _record(self, row_id: int, result: _Result) -> None:
        """Record one result; returns once it is committed. Results that arrive while a commit runs are
        committed together (group commit): one transaction per result would make the database's commit,
        not the channel, the limit on throughput."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._results.append((row_id, result, done))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_waiting())
        await done

    async def _record_waiting(self) -> None:
        while self._results:
            batch, self._results = self._results, []
            try:
                dead = await self._commit_results([(row_id, result) for row_id, result, _ in batch])
            except Exception as exc:  # the rows stay claimed; their lease expires and they go again
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, _, done in batch:
                if not done.done():
                    done.set_result(None)
            if dead:
                self.kick()  # the admins' alert is due now

    async def _commit_results(self, results: list[tuple[int, _Result]]) -> bool:
        now, dead = self.clock.now(), False
        async with UnitOfWork(self.sessionmaker) as uow:
            for row_id, result in results:
                row = await uow.outbox.get(row_id)
                if row is None or row.status != "pending":
                    continue
                exc = result.error
                if exc is None:
                    row.status, row.provider_id, row.sent_at = "sent", result.provider_id, now
                else:
                    row.attempts += 1
                    row.last_error = f"{type(exc).__name__}: {str(exc)[:400]}"
                    if isinstance(exc, RetryableError) and row.attempts < self.max_attempts:
                        row.due_at = now + timedelta(seconds=self._backoff(row.attempts, exc.retry_after))
                    else:
                        row.status = "dead"
                row.claimed_by, row.claimed_until = None, None
                if row.status == "dead" and exc is not None:
                    dead = True
                    log.warning(
                        "outbox row %s dead after %s attempt(s): %s", row.id, row.attempts, row.last_error
                    )
                    if row.kind != "dead_letter":  # an alert about an alert would loop
                        await queue_dead_letter_alert(
                            uow, row_id=row.id, channel=row.channel, error_class=type(exc).__name__, now=now
                        )
            await uow.commit()
        return dead

    def _backoff(self, attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        # Full jitter: spread retries so a recovered service is not hit by all of them at once.
        return self.rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1)))
