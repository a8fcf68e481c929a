"""`case_first_move`, the narrow table the route report reads its milestones from: `CaseRepository.save` keeps
it with the timeline (each move's moment and local day number), and migrations 0007 and 0011 backfill it from
the timeline so running cases report as before."""

from __future__ import annotations

from datetime import date, datetime

from alembic import command
from sqlalchemy import delete, inspect, select
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


async def _days(database_url: str) -> list[tuple[int, str, str, int]]:
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        rows = await uow.session.execute(
            select(FirstMoveRow.case_id, FirstMoveRow.step, FirstMoveRow.to_step, FirstMoveRow.day).order_by(
                FirstMoveRow.case_id, FirstMoveRow.step, FirstMoveRow.to_step
            )
        )
        found = [(c, s, t, d) for c, s, t, d in rows]
    await engine.dispose()
    return found


async def test_each_move_keeps_its_local_day_and_migration_0011_backfills_it(database_url: str) -> None:
    """`day` is the move's local date in the case's zone (Amsterdam) as `date.toordinal()`: a move at 00:30
    on Tue 5 Jan is 23:30 UTC on Mon 4 Jan, and counts on the 5th. Down to 0010 (the column goes) and up
    again: 0011 fills it from the moments, the same numbers the writer kept, on both databases."""
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        school = await uow.schools.add(name="School", kind="po", route_id="vlaardingen", now=NOW)
        member = await uow.members.add(telegram_user_id=None, display_name="M", language="nl", now=NOW)
        await uow.session.flush()
        case = Case("Z-1", school.id, "vlaardingen", 1, "toestemming", "open", member.id, at("2026-12-10"))
        case = await uow.cases.save(
            case,
            NOW,
            moves(
                ("2026-12-10T23:59", "signaal", "ib_beoordeling"),  # 22:59 UTC: the 10th either way
                ("2027-01-05T00:30", "ib_beoordeling", "toestemming"),  # 23:30 UTC on the 4th
            ),
        )
        await uow.commit()
    await engine.dispose()
    assert case.id is not None
    kept = await _days(database_url)
    assert kept == [
        (case.id, "ib_beoordeling", "toestemming", date(2027, 1, 5).toordinal()),
        (case.id, "signaal", "ib_beoordeling", date(2026, 12, 10).toordinal()),
    ]
    before = await _reports(database_url)

    def _downgrade(connection: Connection) -> None:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")

    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade)
        columns = await connection.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("case_first_move")}
        )
    await engine.dispose()
    assert "day" not in columns
    await upgrade(database_url)
    assert await _days(database_url) == kept
    assert await _reports(database_url) == before
