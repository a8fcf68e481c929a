"""The quick reads on SQLite (storage/quick_reads.py): the member, their roles, the school and the dialogue
state read on the loop's thread give what the session would, write nothing, see every commit at once, and
step aside while the unit of work has written something they cannot see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.case import Case, Pupil, TimelineEntry
from flows.clock import FrozenClock
from storage.db import QUICK_READS_INFO, create_engine, make_sessionmaker
from storage.models import Member, School
from storage.quick_reads import PostgresReads, QuickReads
from storage.uow import UnitOfWork
from tests.databases import SQLITE_ONLY

TEACHER, IB, NEWCOMER = 5101, 5102, 5103
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessionmaker(
    database_url: str, clock: FrozenClock
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    sessionmaker = make_sessionmaker(engine)
    async with UnitOfWork(sessionmaker) as uow:
        one = await uow.schools.add(name="De Regenboog", kind="po", route_id=None, now=clock.now())
        two = await uow.schools.add(name="Het Anker", kind="vo", route_id=None, now=clock.now())
        teacher = await uow.members.add(
            telegram_user_id=TEACHER, display_name="Juf Ans", language="nl", now=clock.now()
        )
        await uow.members.add_roles(teacher, one.id, ["leerkracht"])
        ib = await uow.members.add(
            telegram_user_id=IB, display_name="Meester Bas", language="en", now=clock.now()
        )
        await uow.members.add_roles(ib, one.id, ["ib", "leerkracht"])
        await uow.members.add_roles(ib, two.id, ["ib"])
        await uow.members.add(
            telegram_user_id=NEWCOMER, display_name="Nog niets", language="nl", now=clock.now()
        )
        await uow.commit()
    yield sessionmaker
    reader = sessionmaker.kw["info"][QUICK_READS_INFO]
    if reader is not None:
        reader.close()
    await engine.dispose()


def statements(sessionmaker: Sessions) -> list[str]:
    """Every statement the session's engine runs from now on (the quick reader is not the engine)."""
    seen: list[str] = []
    engine = sessionmaker.kw["bind"].sync_engine

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", executed)
    return seen


def as_data(member: Member | None) -> tuple[Any, ...]:
    assert member is not None
    roles = [(r.id, r.member_id, r.school_id, r.role) for r in member.roles]
    return (member.id, member.telegram_user_id, member.sealed_name, member.language, member.created_at, roles)


async def read_through_session(sessionmaker: Sessions, telegram_id: int) -> Member | None:
    async with UnitOfWork(sessionmaker) as uow:
        uow._quick = None  # the session's own path, for comparison
        return await uow.members.by_telegram_id(telegram_id)


@SQLITE_ONLY
async def test_a_member_school_and_state_read_quickly_are_what_the_session_reads(
    sessionmaker: Sessions,
) -> None:
    async with UnitOfWork(sessionmaker) as uow:
        await uow.fsm.put("fsm:1:1:default", 1, "CaseForm:open", {"ref": "Z-0001", "page": 2})
        await uow.commit()
    seen = statements(sessionmaker)
    async with UnitOfWork(sessionmaker) as uow:
        assert uow.quick_reads() is not None
        assert await uow.fsm.get("fsm:1:1:default") == ("CaseForm:open", {"ref": "Z-0001", "page": 2})
        assert await uow.fsm.get("fsm:2:2:default") == (None, {})
        quick = {n: await uow.members.by_telegram_id(n) for n in (TEACHER, IB, NEWCOMER)}
        assert await uow.members.by_telegram_id(999) is None
        school = await uow.schools.get(quick[IB].roles[-1].school_id)  # type: ignore[union-attr]
        assert isinstance(school, School) and school.name == "Het Anker" and school.created_at.tzinfo
        assert uow.members.name(quick[IB]) == "Meester Bas"  # type: ignore[arg-type]
        assert not uow.wrote
        await uow.commit()
    assert seen == []  # not one statement through the engine: no connection, no commit
    for telegram_id, member in quick.items():
        assert as_data(member) == as_data(await read_through_session(sessionmaker, telegram_id))
    assert [r.role for r in quick[IB].roles] == ["ib", "leerkracht", "ib"]  # type: ignore[union-attr]
    assert quick[NEWCOMER].roles == []  # type: ignore[union-attr]


@SQLITE_ONLY
async def test_changes_to_a_quickly_read_member_are_saved(
    sessionmaker: Sessions,
) -> None:
    async with UnitOfWork(sessionmaker) as uow:
        member = await uow.members.by_telegram_id(TEACHER)
        assert member is not None
        member.language = "en"
        school = await uow.schools.get(member.roles[0].school_id)
        assert school is not None
        assert await uow.members.add_roles(member, school.id, ["ib"]) == ["ib"]
        assert uow.wrote
        await uow.commit()
    saved = await read_through_session(sessionmaker, TEACHER)
    assert saved is not None and saved.language == "en"
    assert [r.role for r in saved.roles] == ["leerkracht", "ib"]


@SQLITE_ONLY
async def test_a_role_taken_away_is_gone_from_the_next_read(
    sessionmaker: Sessions,
) -> None:
    """Need-to-know: nothing read quickly is kept between units of work."""
    async with UnitOfWork(sessionmaker) as uow:
        assert len((await uow.members.by_telegram_id(IB)).roles) == 3  # type: ignore[union-attr]
    async with UnitOfWork(sessionmaker) as uow:
        await uow.session.execute(text("DELETE FROM member_role WHERE role = 'ib'"))
        await uow.commit()
    async with UnitOfWork(sessionmaker) as uow:
        assert uow.quick_reads() is not None
        member = await uow.members.by_telegram_id(IB)
        assert member is not None and [r.role for r in member.roles] == ["leerkracht"]


@SQLITE_ONLY
async def test_after_a_write_the_unit_of_work_reads_its_own_rows(
    sessionmaker: Sessions, clock: FrozenClock
) -> None:
    """The quick reader cannot see what the unit of work has not committed yet, so it steps aside."""
    async with UnitOfWork(sessionmaker) as uow:
        await uow.members.add(telegram_user_id=5200, display_name="Nieuw", language="nl", now=clock.now())
        await uow.fsm.put("fsm:3:3:default", 3, "VotPlan:date", {})
        await uow.fsm.flush()  # written, not committed
        uow.fsm.forget_cached()
        assert uow.quick_reads() is None
        assert await uow.members.by_telegram_id(5200) is not None
        assert await uow.fsm.get("fsm:3:3:default") == ("VotPlan:date", {})
        await uow.commit()
        assert uow.quick_reads() is not None  # committed: the reader sees it all again
        assert await uow.members.by_telegram_id(5200) is not None


@SQLITE_ONLY
async def test_a_reader_that_cannot_read_leaves_it_to_the_session(
    sessionmaker: Sessions, tmp_path: Path
) -> None:
    broken = QuickReads(str(tmp_path))  # a directory: SQLite cannot open it
    sessionmaker.kw["info"][QUICK_READS_INFO] = broken
    async with UnitOfWork(sessionmaker) as uow:
        assert uow.quick_reads() is broken
        member = await uow.members.by_telegram_id(IB)
        assert member is not None and len(member.roles) == 3
        assert await uow.fsm.get("fsm:1:1:default") == (None, {})
        assert await uow.schools.get(member.roles[0].school_id) is not None


async def test_only_a_sqlite_file_has_a_quick_reader(sessionmaker: Sessions) -> None:
    engine = sessionmaker.kw["bind"]
    reader = sessionmaker.kw["info"][QUICK_READS_INFO]
    assert (reader is not None) == (engine.dialect.name == "sqlite")
    memory = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        assert make_sessionmaker(memory).kw["info"][QUICK_READS_INFO] is None
    finally:
        await memory.dispose()


@SQLITE_ONLY
async def test_cases_read_quickly_are_what_the_session_reads_and_save_without_a_second_read(
    sessionmaker: Sessions, clock: FrozenClock
) -> None:
    """/mijn, /zaak and a form step read cases before they write: on the quick reader, and the rows join the
    update's session, so saving the case reads nothing again."""
    now = clock.now()
    async with UnitOfWork(sessionmaker) as uow:
        ib = await uow.members.by_telegram_id(IB)
        assert ib is not None
        school_id = ib.roles[0].school_id
        for n, status in enumerate(["open", "open", "draft"]):
            case = Case(f"Z-{n}", school_id, "vlaardingen", 1, "signaal", status, ib.id, now)  # type: ignore[arg-type]
            entry = TimelineEntry(now, ib.id, "ib", "signaal", "submitted", {}, "ib_beoordeling")
            await uow.cases.save(case.with_(pupil=Pupil(None, "AB 5b", "1")), now, [entry])
        await uow.commit()
    seen = statements(sessionmaker)
    async with UnitOfWork(sessionmaker) as uow:
        quick = (
            await uow.cases.list_open([school_id]),
            await uow.cases.drafts_of(ib.id),
            await uow.cases.get("Z-0"),
        )
    assert seen == []
    async with UnitOfWork(sessionmaker) as uow:
        uow._quick = None
        usual = (
            await uow.cases.list_open([school_id]),
            await uow.cases.drafts_of(ib.id),
            await uow.cases.get("Z-0"),
        )
    assert quick == usual
    assert [c.ref for c in quick[0]] == ["Z-0", "Z-1"] and [c.ref for c in quick[1]] == ["Z-2"]
    assert quick[2] is not None and quick[2].pupil is not None and len(quick[2].timeline) == 1

    seen.clear()
    async with UnitOfWork(sessionmaker) as uow:
        loaded = await uow.cases.get("Z-0")
        assert loaded is not None
        await uow.cases.save(loaded.with_(step="ib_beoordeling"), now, stored=loaded)
        await uow.commit()
    assert [s for s in seen if "case_file" in s and s.startswith("SELECT")] == []
    async with UnitOfWork(sessionmaker) as uow:
        assert (await uow.cases.get("Z-0")).step == "ib_beoordeling"  # type: ignore[union-attr]


POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements PostgresReads sends (past SQLAlchemy, so the engine's events do not see them)."""
    sent: list[str] = []
    original = PostgresReads._rows

    async def counted(self: PostgresReads, statement: Any, **params: Any) -> list[dict[str, Any]]:
        sent.append(next(iter(params)))
        return await original(self, statement, **params)

    monkeypatch.setattr(PostgresReads, "_rows", counted)
    return sent


@POSTGRES_ONLY
async def test_on_postgres_the_state_member_and_schools_are_one_read(
    sessionmaker: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What every update reads first, the dialogue state, the member with their roles and their schools,
    is one round trip on PostgreSQL, and reads what the session reads."""
    async with UnitOfWork(sessionmaker) as uow:
        await uow.fsm.put("fsm:7:7:default", IB, "CaseForm:open", {"ref": "Z-0001"})
        await uow.commit()
    sent = count_reads(monkeypatch)
    async with UnitOfWork(sessionmaker) as uow:
        assert await uow.fsm.get("fsm:7:7:default", IB) == ("CaseForm:open", {"ref": "Z-0001"})
        member = await uow.members.by_telegram_id(IB)
        assert member is not None
        schools = [await uow.schools.get(role.school_id) for role in member.roles]
        assert len(sent) == 1
        assert [s.name for s in schools if s is not None] == ["De Regenboog", "De Regenboog", "Het Anker"]
        assert schools[0] is not None and schools[0].created_at.tzinfo is not None
    monkeypatch.undo()
    assert as_data(member) == as_data(await read_through_session(sessionmaker, IB))
    for telegram_id in (NEWCOMER, 999):  # no roles; no member at all
        async with UnitOfWork(sessionmaker) as uow:
            assert await uow.fsm.get("fsm:8:8:default", telegram_id) == (None, {})
            read = await uow.members.by_telegram_id(telegram_id)
            assert (read is None) == (telegram_id == 999)
            assert read is None or read.roles == []


@POSTGRES_ONLY
async def test_what_was_read_ahead_is_dropped_when_the_unit_of_work_writes(
    sessionmaker: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = count_reads(monkeypatch)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.fsm.get("fsm:7:7:default", TEACHER)
        await uow.session.execute(text("UPDATE school SET name = 'De Boog' WHERE name = 'De Regenboog'"))
        member = await uow.members.by_telegram_id(TEACHER)
        assert member is not None
        school = await uow.schools.get(member.roles[0].school_id)
        assert school is not None and school.name == "De Boog"  # read again, after the write
        assert len(sent) == 3
