"""`case_participant`: `CaseRepository.save` keeps a case's participants, and migration 0009 gives cases that
ran before it their participants from their timeline (the creator signalled it; every member on it took
part in the role they acted in) — the same as the engine records for a new case."""

from __future__ import annotations

from alembic import command
from sqlalchemy.engine import Connection

from flows.engine import RouteEngine
from flows.policy import Actor
from flows.registry import builtin_registry
from storage.db import create_engine, make_sessionmaker
from storage.migrate import alembic_config, upgrade
from storage.uow import UnitOfWork
from tests.flows.route_driver import NOW, fill, start


async def _participants(url: str, ref: str) -> set[tuple[int, str]]:
    engine = create_engine(url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        case = await uow.cases.get(ref)
    await engine.dispose()
    assert case is not None
    return {(p.member_id, p.reason) for p in case.participants}


async def test_the_migration_gives_running_cases_their_participants(database_url: str) -> None:
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        school = await uow.schools.add(name="School", kind="po", route_id="vlaardingen", now=NOW)
        juf = await uow.members.add(telegram_user_id=None, display_name="J", language="nl", now=NOW)
        ib = await uow.members.add(telegram_user_id=None, display_name="I", language="nl", now=NOW)
        await uow.session.flush()
        route_engine = RouteEngine(builtin_registry())
        teacher, care = (
            Actor(juf.id, school.id, frozenset({"leerkracht"})),
            Actor(ib.id, school.id, frozenset({"ib"})),
        )
        answers = {
            "pupil": "AB 5",
            "area": "zorg",
            "observations": ["gedrag"],
            "notes": None,
            "safety": "nee",
        }
        r = start(route_engine, "vlaardingen", teacher, answers)
        r = fill(route_engine, r, care, {"decision": "extern"})
        await uow.cases.save(r.case, NOW, r.case.timeline)
        await uow.commit()
    await engine.dispose()
    stored = await _participants(database_url, r.case.ref)
    assert stored == {(juf.id, "signalled"), (juf.id, "leerkracht"), (ib.id, "ib")}

    def _downgrade(connection: Connection) -> None:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")

    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade)
    await engine.dispose()
    await upgrade(database_url)
    assert await _participants(database_url, r.case.ref) == stored
