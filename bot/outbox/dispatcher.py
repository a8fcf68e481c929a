"""Sends what the outbox holds: claims due rows, delivers each on its channel, records the provider id,
retries with exponential backoff and jitter, and dead-letters after `max_attempts`.

The claim is committed before sending, so a crash leaves a lease that expires and the row is sent by
the next claimer; the provider id is recorded in its own transaction right after the send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import timedelta

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.errors import PermanentError, RetryableError
from bot.outbox.senders import Delivery, Sender
from bot.render.text import Translator
from flows.clock import Clock
from flows.registry import RouteRegistry
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


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
        batch: int = 50,
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
        self._wake = asyncio.Event()
        self._stopping = False

    def kick(self) -> None:
        """New rows were committed: send them now rather than at the next tick."""
        self._wake.set()

    async def drain(self) -> int:
        """Send everything due now; returns how many rows were handled."""
        handled = 0
        while True:
            async with UnitOfWork(self.sessionmaker) as uow:
                rows = await uow.outbox.claim(
                    worker=self.worker, now=self.clock.now(), lease=self.lease, limit=self.batch
                )
                ids = [r.id for r in rows]
                await uow.commit()
            if not ids:
                return handled
            for row_id in ids:
                await self._deliver(row_id)
                handled += 1

    async def run(self, idle: float = 30.0) -> None:
        """Drain whenever kicked, and at least every `idle` seconds (retries fall due in between)."""
        while not self._stopping:
            try:
                await self.drain()
            except Exception:  # a broken database connection must not end delivery for good
                log.exception("outbox drain failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle)
            self._wake.clear()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _deliver(self, row_id: int) -> None:
        async with UnitOfWork(self.sessionmaker) as uow:
            row = await uow.outbox.get(row_id)
            if row is None or row.status != "pending" or row.claimed_by != self.worker:
                return
            member = await uow.members.get(row.member_id)
            sender = self.senders.get(row.channel)
            now = self.clock.now()
            try:
                if member is None or sender is None:
                    raise PermanentError("no recipient" if member is None else f"no sender for {row.channel}")
                school = await uow.schools.get(int(row.payload.get("school_id", 0)))
                case = await uow.cases.get(row.payload["case_ref"]) if row.payload.get("case_ref") else None
                route = self.routes.get(case.route_id, case.route_version) if case else None
                t = Translator(self.i18n, member.language or "nl", self.timezone)
                provider_id = await sender.send(
                    Delivery(row, member, t, school.name if school else "", route)
                )
            except RetryableError as exc:
                row.attempts += 1
                row.last_error = str(exc)[:500]
                if row.attempts >= self.max_attempts:
                    row.status = "dead"
                else:
                    row.due_at = now + timedelta(seconds=self._backoff(row.attempts, exc.retry_after))
            except PermanentError as exc:
                row.attempts += 1
                row.status, row.last_error = "dead", str(exc)[:500]
            else:
                row.status, row.provider_id, row.sent_at = "sent", provider_id, now
            row.claimed_by, row.claimed_until = None, None
            await uow.commit()
            if row.status == "dead":
                log.warning(
                    "outbox row %s dead-lettered after %s attempt(s): %s",
                    row.id,
                    row.attempts,
                    row.last_error,
                )

    def _backoff(self, attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        # Full jitter: spread retries so a recovered service is not hit by all of them at once.
        return self.rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1)))
