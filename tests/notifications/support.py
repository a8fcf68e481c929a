"""A database with one school, N members on Telegram and one queued notification each; a dispatcher
over it with the senders a test chooses."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.i18n import make_i18n
from bot.outbox.dispatcher import OutboxDispatcher
from bot.outbox.senders import Sender
from flows.clock import FrozenClock
from flows.registry import builtin_registry
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Member, MemberRole
from storage.repositories.preferences import Preferences
from storage.uow import UnitOfWork

FIRST_CHAT = 500_000


@dataclass
class World:
    db_engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    school_id: int
    member_ids: list[int]

    def chat_ids(self) -> list[int]:
        return [FIRST_CHAT + i for i in range(len(self.member_ids))]

    def dispatcher(
        self, senders: dict[str, Sender], clock: FrozenClock, *, worker: str = "w1", **options: object
    ) -> OutboxDispatcher:
        return OutboxDispatcher(
            self.sessionmaker,
            senders,
            make_i18n("nl"),
            clock,
            builtin_registry(),
            worker=worker,
            rng=random.Random(1),
            **options,  # type: ignore[arg-type]
        )

    async def statuses(self) -> dict[str, int]:
        async with UnitOfWork(self.sessionmaker) as uow:
            rows = await uow.outbox.list(limit=100_000)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    async def close(self) -> None:
        await self.db_engine.dispose()


async def build_world(
    database_url: str,
    clock: FrozenClock,
    members: int,
    *,
    channel: str = "telegram",
    prefs: Preferences | None = None,
    language: str = "nl",
    extra_roles: tuple[str, ...] = (),
) -> World:
    await upgrade(database_url)
    engine = create_engine(database_url)
    sessionmaker = make_sessionmaker(engine)
    now = clock.now()
    async with UnitOfWork(sessionmaker) as uow:
        school = await uow.schools.add(name="De Regenboog", kind="po", route_id=None, now=now)
        people = [
            Member(
                telegram_user_id=FIRST_CHAT + i,
                sealed_name=uow.members.seal_name(f"Lid {i}"),
                language=language,
                created_at=now,
                roles=[MemberRole(school_id=school.id, role=r) for r in ("ib", *extra_roles)],
            )
            for i in range(members)
        ]
        uow.session.add_all(people)
        await uow.session.flush()
        for index, member in enumerate(people):
            if prefs is not None:
                await uow.prefs.save(member.id, prefs, now)
            await uow.outbox.add(
                key=f"test:{index}:{channel}",
                member_id=member.id,
                channel=channel,
                kind="notify",
                now=now,
                payload={
                    "message": "vlaardingen.notify.closed",
                    "case_ref": f"Z-{index:04d}",
                    "school_id": school.id,
                    "pupil": "AB 5b",
                    "step": None,
                    "actions": [],
                    "urgent": False,
                },
            )
        await uow.commit()
        return World(engine, sessionmaker, school.id, [m.id for m in people])


async def drain_until_done(
    world: World, dispatcher: OutboxDispatcher, clock: FrozenClock, rounds: int = 40
) -> None:
    """Drain, let the clock pass every retry's backoff, drain again — until nothing is pending."""
    for _ in range(rounds):
        await dispatcher.drain()
        if (await world.statuses()).get("pending", 0) == 0:
            return
        clock.advance(timedelta(minutes=20))
    raise AssertionError(f"rows still pending after {rounds} rounds: {await world.statuses()}")
