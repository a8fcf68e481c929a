"""Dialogue state (bot/fsm.py) on both databases: it outlives the process, it commits and rolls back with
the update's own unit of work, and on SQLite a state write inside an update that already holds the write
lock goes through at once instead of waiting for itself."""

from __future__ import annotations

import asyncio
import json

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, text

from bot.fsm import DatabaseStorage, update_unit_of_work
from bot.states import CaseForm, VotPlan
from flows.clock import FrozenClock
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.uow import UnitOfWork

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


async def test_state_and_data_round_trip_and_leave_no_row_when_cleared(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        storage = DatabaseStorage(make_sessionmaker(engine))
        assert await storage.get_state(KEY) is None and await storage.get_data(KEY) == {}
        await storage.set_state(KEY, VotPlan.date)
        assert await storage.update_data(KEY, {"school": 3}) == {"school": 3}
        assert await storage.update_data(KEY, {"date": "2026-11-30"}) == {"school": 3, "date": "2026-11-30"}
        # Another storage on the same database (a restarted process, another worker) sees the same.
        other = DatabaseStorage(make_sessionmaker(engine))
        assert await other.get_state(KEY) == VotPlan.date.state
        assert await other.get_data(KEY) == {"school": 3, "date": "2026-11-30"}
        await other.set_state(KEY, None)
        await other.set_data(KEY, {})
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            count = await uow.session.scalar(text("SELECT count(*) FROM fsm_state"))
        assert count == 0
    finally:
        await engine.dispose()


async def test_state_commits_and_rolls_back_with_the_update(database_url: str, clock: FrozenClock) -> None:
    engine = create_engine(database_url)
    try:
        sessionmaker = make_sessionmaker(engine)
        storage = DatabaseStorage(sessionmaker)
        async with UnitOfWork(sessionmaker) as uow:
            with update_unit_of_work(uow):
                # The update writes first (on SQLite it now holds the one write lock), then moves the state:
                # through its own unit of work that is immediate; a transaction of its own would wait.
                await uow.schools.add(name="De Regenboog", kind="po", route_id=None, now=clock.now())
                await asyncio.wait_for(storage.set_state(KEY, CaseForm.open), timeout=5)
                await asyncio.wait_for(storage.set_data(KEY, {"ref": "Z-0001"}), timeout=5)
                assert await storage.get_state(KEY) == CaseForm.open.state
                # not committed: the update failed
        assert await storage.get_state(KEY) is None
        async with UnitOfWork(sessionmaker) as uow:
            with update_unit_of_work(uow):
                await storage.set_state(KEY, CaseForm.open)
                await uow.commit()
        assert await storage.get_state(KEY) == CaseForm.open.state
        async with UnitOfWork(sessionmaker) as uow:
            await uow.fsm.forget_user(KEY.user_id)  # offboarding
            await uow.commit()
        assert await storage.get_state(KEY) is None
    finally:
        await engine.dispose()


async def test_the_upgrade_carries_open_conversations_over(empty_database_url: str) -> None:
    await upgrade(empty_database_url, "0007")
    engine = create_engine(empty_database_url)
    try:
        conversations = {
            7: {"name": "case", "step": "signaal", "data": {"ref": "Z-0007"}},
            8: {"name": "vot", "step": "time", "data": {"school": 1, "move": 5, "date": "2026-11-30"}},
            9: {"name": "meldingen", "step": "email", "data": {}},
        }
        async with engine.begin() as connection:
            for user, conversation in conversations.items():
                await connection.execute(
                    text(
                        "INSERT INTO member (telegram_user_id, display_name, language, conversation,"
                        " created_at) VALUES (:user, 'x', 'nl', :conversation, '2026-11-23 09:00:00')"
                    ),
                    {"user": user, "conversation": json.dumps(conversation)},
                )
            # A role hangs on the member by a cascading foreign key: dropping the column must not rebuild
            # the member table (a rebuild on SQLite would delete the roles with it).
            await connection.execute(
                text(
                    "INSERT INTO school (id, name, kind, created_at)"
                    " VALUES (1, 'R', 'po', '2026-11-23 09:00:00')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO member_role (member_id, school_id, role)"
                    " SELECT id, 1, 'ib' FROM member WHERE telegram_user_id = 7"
                )
            )
        await upgrade(empty_database_url)
        async with engine.connect() as connection:
            roles = (await connection.execute(text("SELECT count(*) FROM member_role"))).scalar()
        assert roles == 1
        storage = DatabaseStorage(make_sessionmaker(engine))
        found = {}
        for user in conversations:
            key = StorageKey(bot_id=1, chat_id=user, user_id=user)
            found[user] = (await storage.get_state(key), await storage.get_data(key))
    finally:
        await engine.dispose()
    assert found == {
        7: ("CaseForm:open", {"ref": "Z-0007"}),
        8: ("VotMove:time", {"meeting": 5, "date": "2026-11-30"}),
        9: ("Meldingen:email", {}),
    }


async def test_an_unchanged_state_is_not_written_again(database_url: str) -> None:
    """A form step that keeps the form open (CaseService sets the same state and ref) writes nothing, and
    the update reads its state once however often it asks."""
    engine = create_engine(database_url)
    try:
        sessionmaker = make_sessionmaker(engine)
        storage = DatabaseStorage(sessionmaker)
        await storage.set_state(KEY, CaseForm.open)
        await storage.set_data(KEY, {"ref": "Z-0001"})
        async with UnitOfWork(sessionmaker) as uow:
            with update_unit_of_work(uow):
                assert await storage.get_state(KEY) == CaseForm.open.state
                await storage.set_state(KEY, CaseForm.open)
                await storage.set_data(KEY, {"ref": "Z-0001"})
                assert not uow.wrote
                await storage.set_data(KEY, {"ref": "Z-0002"})
                assert uow.wrote
                await uow.rollback()  # forgets what it remembered, with what it wrote
                assert await storage.get_data(KEY) == {"ref": "Z-0001"}
    finally:
        await engine.dispose()


async def test_an_update_writes_its_dialogue_state_once(database_url: str) -> None:
    """A handler sets the state and then its data (/signaal), or moves it and then ends it (/annuleer): the
    database gets one statement for the end result, at the commit."""
    engine = create_engine(database_url)
    written: list[str] = []

    def executed(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "fsm_state" in statement and not statement.lstrip().upper().startswith("SELECT"):
            written.append(statement.split()[0].upper())

    try:
        sessionmaker = make_sessionmaker(engine)
        storage = DatabaseStorage(sessionmaker)
        event.listen(engine.sync_engine, "before_cursor_execute", executed)
        async with UnitOfWork(sessionmaker) as uow:
            with update_unit_of_work(uow):
                await storage.set_state(KEY, CaseForm.open)
                await storage.set_data(KEY, {"ref": "Z-0001"})
                assert uow.wrote and written == []  # waits for the commit
                await uow.commit()
        assert written == ["INSERT"]
        assert await storage.get_state(KEY) == CaseForm.open.state
        assert await storage.get_data(KEY) == {"ref": "Z-0001"}
        written.clear()
        async with UnitOfWork(sessionmaker) as uow:
            with update_unit_of_work(uow):
                await storage.set_state(KEY, CaseForm.names)
                await storage.set_state(KEY, None)
                await storage.set_data(KEY, {})
                await uow.commit()
        assert written == ["DELETE"]
        assert await storage.get_state(KEY) is None
    finally:
        await engine.dispose()
