"""`case_first_move`, the narrow table the route report reads its milestones from: `CaseRepository.save` keeps
it with the timeline, and migration 0007 backfills it from the timeline so running cases report as before."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from bot.services.report import ReportRequest, route_report
from flows.case import Case
from flows.registry import builtin_registry
from flows.report import Report
from storage.db import create_engine, make_sessionmaker
from storage.migrate import alembic_config, upgrade
from storage.models import FirstMoveRow
from storage.uow import UnitOfWork
from tests.test_report import NOW, at, moves, seeded  # noqa: F401  (seeded: the golden cases, a fixture)


async def _first_moves(database_url: str) -> list[tuple[str, str, str, datetime]]:
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        rows = await uow.session.execute(
            select(FirstMoveRow.case_id, FirstMoveRow.step, FirstMoveRow.to_step, FirstMoveRow.at).order_by(
                FirstMoveRow.case_id, FirstMoveRow.at
            )
        )
        found = [(str(c), s, t, a) for c, s, t, a in rows]
    await engine.dispose()
    return found


async def _reports(database_url: str) -> list[Report]:
    engine = create_engine(database_url)
    registry = builtin_registry()
    out = []
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        for request in (
            ReportRequest("school", "1"),
            ReportRequest("region", "vlaardingen"),
            ReportRequest("route", "vlaardingen"),
            ReportRequest("route", "rotterdam_po"),
        ):
            out.append(await route_report(uow, registry, request, NOW, "Europe/Amsterdam"))
        await uow.rollback()  # the audit entries are not what is compared
    await engine.dispose()
    return out


async def test_save_records_the_first_moment_of_each_move(database_url: str) -> None:
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        school = await uow.schools.add(name="School", kind="po", route_id="vlaardingen", now=NOW)
        member = await uow.members.add(telegram_user_id=None, display_name="M", language="nl", now=NOW)
        await uow.session.flush()
        case = Case("Z-1", school.id, "vlaardingen", 1, "ib_beoordeling", "open", member.id, at("2026-12-10"))
        case = await uow.cases.save(case, NOW, moves(("2026-12-10", "signaal", "ib_beoordeling")))
        # A stay (to_step == step) is not a move; the second entry of the same move keeps the first moment.
        case = await uow.cases.save(
            case.with_(step="toestemming"),
            NOW,
            moves(
                ("2026-12-11", "ib_beoordeling", "ib_beoordeling"),
                ("2026-12-14", "ib_beoordeling", "toestemming"),
                ("2026-12-15", "toestemming", "ib_beoordeling"),
                ("2026-12-16", "ib_beoordeling", "toestemming"),
            ),
        )
        await uow.commit()
    await engine.dispose()
    assert case.id is not None
    assert await _first_moves(database_url) == [
        (str(case.id), "signaal", "ib_beoordeling", at("2026-12-10")),
        (str(case.id), "ib_beoordeling", "toestemming", at("2026-12-14")),
        (str(case.id), "toestemming", "ib_beoordeling", at("2026-12-15")),
    ]


async def test_the_migration_backfill_gives_the_same_report(seeded: str) -> None:  # noqa: F811
    before = await _reports(seeded)
    stored = await _first_moves(seeded)
    assert len(stored) == 11  # A 2 moves (its stay is none), B 4, C 4, E 1; the draft D none
    # Down to 0006 (the table goes) and up again: 0007 creates it and backfills it from the timeline.
    engine = create_engine(seeded)

    def _downgrade(connection: Connection) -> None:
        config = alembic_config(seeded)
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")

    async with engine.begin() as connection:
        await connection.run_sync(_downgrade)
    await engine.dispose()
    await upgrade(seeded)
    assert await _first_moves(seeded) == stored
    assert await _reports(seeded) == before


async def test_reports_need_the_first_moves(seeded: str) -> None:  # noqa: F811
    """The report reads `case_first_move`, not the timeline: without its rows no milestone is reached."""
    engine = create_engine(seeded)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        await uow.session.execute(delete(FirstMoveRow))
        await uow.commit()
    await engine.dispose()
    [school, *_] = await _reports(seeded)
    assert all(m.reached == 0 for m in school.routes[0].lead_times)
