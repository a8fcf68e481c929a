"""A school with a teacher, an IB-er and a directie, and a Vlaardingen case driven through CaseService to
the consent step (where its reminders are scheduled) — the real path, with a FrozenClock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.follow_ups.runner import FollowUpRunner
from bot.services.cases import CaseService
from flows import inputs as inp
from flows.clock import FrozenClock, SequentialIds
from flows.engine import RouteEngine
from flows.registry import builtin_registry
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import FollowUpRow, Member, OutboxRow
from storage.uow import UnitOfWork

SIGNAL = (
    inp.Answer("AB 5b"),
    inp.Choose("signaal", "area", "zorg"),
    inp.Toggle("signaal", "observations", "verzuim"),
    inp.Done("signaal", "observations"),
    inp.Done("signaal", "notes"),
    inp.Choose("signaal", "safety", "nee"),
    inp.Confirm("signaal"),
)


@dataclass
class World:
    db_engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    route_engine: RouteEngine
    clock: FrozenClock
    ids: SequentialIds
    school_id: int
    teacher: int
    ib: int
    directie: int

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker)

    def runner(
        self, worker: str = "w1", sessionmaker: async_sessionmaker[AsyncSession] | None = None
    ) -> FollowUpRunner:
        return FollowUpRunner(
            sessionmaker or self.sessionmaker,
            self.route_engine,
            self.clock,
            self.ids,
            worker=worker,
            lease=timedelta(seconds=60),
        )

    def _service(self, uow: UnitOfWork) -> CaseService:
        return CaseService(uow, self.route_engine, self.clock, self.ids, "Europe/Amsterdam")

    async def start(self) -> str:
        async with self.uow() as uow:
            outcome = await self._service(uow).start(
                await _get(uow, self.teacher), self.school_id, "vlaardingen"
            )
            assert outcome.case is not None, outcome.events
            await uow.commit()
            return outcome.case.ref

    async def act(self, member_id: int, ref: str, *given: inp.Input) -> None:
        """`member_id` gives these inputs, each in its own unit of work (one update each)."""
        for item in given:
            async with self.uow() as uow:
                outcome = await self._service(uow).advance(await _get(uow, member_id), ref, item)
                assert not outcome.refused, outcome.events
                await uow.commit()

    async def case_at_consent(self) -> str:
        """A new signal that the IB-er sends towards the VOT: the case waits for the parents' consent."""
        ref = await self.start()
        await self.act(self.teacher, ref, *SIGNAL)
        await self.act(
            self.ib, ref, inp.Open("ib_beoordeling"), inp.Choose("ib_beoordeling", "decision", "extern")
        )
        return ref

    async def follow_ups(self) -> list[FollowUpRow]:
        async with self.uow() as uow:
            return list(await uow.session.scalars(select(FollowUpRow).order_by(FollowUpRow.id)))

    async def outbox(self, kind: str = "notify") -> list[OutboxRow]:
        async with self.uow() as uow:
            return list(
                await uow.session.scalars(
                    select(OutboxRow).where(OutboxRow.kind == kind).order_by(OutboxRow.id)
                )
            )

    async def count(self, model: type) -> int:
        async with self.uow() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def make_world(database_url: str, clock: FrozenClock) -> World:
    await upgrade(database_url)
    engine = create_engine(database_url)
    sessionmaker = make_sessionmaker(engine)
    async with UnitOfWork(sessionmaker) as uow:
        school = await uow.schools.add(
            name="De Regenboog", kind="po", route_id="vlaardingen", now=clock.now()
        )
        people = {}
        for i, role in enumerate(("leerkracht", "ib", "directie")):
            member = await uow.members.add(
                telegram_user_id=2000 + i, display_name=role, language="nl", now=clock.now()
            )
            await uow.members.add_roles(member, school.id, [role])
            people[role] = member.id
        await uow.commit()
    return World(
        engine,
        sessionmaker,
        RouteEngine(builtin_registry()),
        clock,
        SequentialIds(),
        school.id,
        people["leerkracht"],
        people["ib"],
        people["directie"],
    )


async def _get(uow: UnitOfWork, member_id: int) -> Member:
    member = await uow.members.get(member_id)
    assert member is not None
    return member
